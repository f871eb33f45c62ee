"""Every source mode against real repositories: staged, all, diff, history, paths."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.conftest import GIT_ENV, Repo, scan_json


def paths_of(result: dict) -> set[str]:
    return {f["path"] for f in result["findings"]}


def test_staged_judges_the_index_not_the_work_tree(repo: Repo, capsys) -> None:
    repo.write("data.csv", "a\n" + "1\n" * 300_000)
    repo.add()
    repo.write("data.csv", "a\n1\n")  # shrunk after `git add`: the staged one still counts
    code, result = scan_json("--staged", capsys=capsys)
    assert code == 1 and paths_of(result) == {"data.csv"}


def test_staged_on_the_first_commit(repo: Repo, capsys) -> None:
    repo.write("etl_v2.py", "x\n")
    repo.add()
    code, result = scan_json("--staged", capsys=capsys)
    assert code == 1 and paths_of(result) == {"etl_v2.py"}


def test_staged_ignores_deleted_files(repo: Repo, capsys) -> None:
    repo.write("etl_v2.py", "x\n")
    repo.add()
    repo.commit()
    repo.git("rm", "-q", "etl_v2.py")
    code, result = scan_json("--staged", capsys=capsys)
    assert code == 0 and result["findings"] == []


def test_all_scans_tracked_files_only(repo: Repo, capsys) -> None:
    repo.write("etl_v2.py", "x\n")
    repo.add()
    repo.commit()
    repo.write("untracked_v3.py", "x\n")
    _, result = scan_json("--all", capsys=capsys)
    assert paths_of(result) == {"etl_v2.py"}


def test_diff_scans_what_the_branch_adds_with_content_at_head(repo: Repo, capsys) -> None:
    repo.write("base_v1.py", "x\n")
    repo.add()
    repo.commit("base")
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("feature_final.py", "x\n")
    repo.write("renamed.csv", "a\n1\n")
    repo.add()
    repo.commit("feature")
    repo.git("mv", "renamed.csv", "renamed_old.csv")
    repo.commit("rename")
    _, result = scan_json("--diff", "main", capsys=capsys)
    assert paths_of(result) == {"feature_final.py", "renamed_old.csv"}
    _, result = scan_json("--diff", "main...feature", capsys=capsys)
    assert paths_of(result) == {"feature_final.py", "renamed_old.csv"}


def test_history_reports_the_commit_that_introduced_a_blob(repo: Repo, capsys) -> None:
    repo.write("notes.txt", "x\n")
    repo.add()
    repo.commit("first")
    repo.write("data/old.csv", "a\n" + "1\n" * 300_000)
    repo.add()
    introduced = repo.commit("add data")
    repo.git("rm", "-q", "data/old.csv")
    repo.commit("remove data")
    _, result = scan_json("--history", capsys=capsys)
    (finding,) = result["findings"]
    assert finding["path"] == "data/old.csv"
    assert finding["details"]["commit"] == introduced


def test_history_judges_each_blob_once_across_merges(repo: Repo, capsys) -> None:
    repo.write("a.txt", "a\n")
    repo.add()
    repo.commit()
    repo.git("checkout", "-q", "-b", "side")
    repo.write("side_v2.py", "same\n")
    repo.add()
    repo.commit("side")
    repo.git("checkout", "-q", "main")
    repo.write("b.txt", "b\n")
    repo.add()
    repo.commit("main")
    repo.git("merge", "-q", "--no-edit", "side")
    _, result = scan_json("--history", capsys=capsys)
    assert [f["path"] for f in result["findings"]] == ["side_v2.py"]


def test_shallow_clone_and_detached_head(repo: Repo, tmp_path: Path, capsys,
                                         monkeypatch) -> None:
    for i in range(3):
        repo.write(f"f{i}_v{i + 2}.py", "x\n")
        repo.add()
        repo.commit(f"c{i}")
    clone = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo.root}", str(clone)],
                   check=True, env={**os.environ, **GIT_ENV})
    monkeypatch.chdir(clone)
    subprocess.run(["git", "checkout", "-q", "--detach"], cwd=clone, check=True)
    code, result = scan_json("--all", capsys=capsys)
    assert code == 1 and len(result["findings"]) == 3
    code, result = scan_json("--history", capsys=capsys)
    assert code == 1 and len(result["findings"]) == 3


def test_paths_recurse_and_respect_gitignore(repo: Repo, capsys) -> None:
    repo.write(".gitignore", "build/\n")
    repo.write("src/etl_v2.py", "x\n")
    repo.write("build/out_v2.py", "x\n")
    _, result = scan_json(".", capsys=capsys)
    assert paths_of(result) == {"src/etl_v2.py"}


def test_paths_outside_git_respect_gitignore(tmp_path: Path, monkeypatch, capsys) -> None:
    plain = tmp_path / "plain"
    (plain / "build").mkdir(parents=True)
    (plain / ".gitignore").write_text("build/\n")
    (plain / "build" / "x_v2.py").write_text("x")
    (plain / "etl_final.py").write_text("x")
    monkeypatch.chdir(plain)
    code, result = scan_json(".", capsys=capsys)
    assert code == 1 and paths_of(result) == {"etl_final.py"}


def test_missing_path_is_an_error_not_a_pass(repo: Repo, capsys) -> None:
    code, result = scan_json("gone.csv", capsys=capsys)
    assert code == 1
    assert result["errors"] == [{"path": "gone.csv",
                                 "message": "file not found (deleted or moved while scanning?)"}]


def test_mode_needing_git_outside_a_repository_exits_2(tmp_path: Path, monkeypatch,
                                                        capsys) -> None:
    monkeypatch.chdir(tmp_path)
    from tests.conftest import run

    code, _, err = run("scan", "--staged", capsys=capsys)
    assert code == 2 and "not inside a git repository" in err


def test_a_small_file_is_read_from_disk_once_for_every_check(tmp_path: Path) -> None:
    from gitworthy.sources import HEAD_BYTES, DiskFile

    small, large = tmp_path / "etl.py", tmp_path / "events.csv"
    small.write_text("x = 1\n" * 100)
    large.write_bytes(b"id,value\n" + b"1,2\n" * HEAD_BYTES)
    files = [DiskFile(p.name, p) for p in (small, large)]
    for file in files:
        file.head(16)
    small.write_text("changed on disk\n")  # the checks judge the bytes the first one read
    large.write_bytes(b"changed on disk\n")  # a large file is streamed from disk again
    with files[0].open() as stream:
        assert stream.read() == b"x = 1\n" * 100
    with files[1].open() as stream:
        assert stream.read() == b"changed on disk\n"
    assert files[0].bytes_read == 2 * 600  # counted as read twice: the head, then the stream


def test_a_policy_file_is_read_once_per_scan_and_per_policy_ref(repo: Repo) -> None:
    from gitworthy.sources import Context

    repo.write(".gitworthyignore", "fixtures/\n")
    repo.add()
    committed = repo.commit("ignore fixtures")
    repo.write(".gitworthyignore", "fixtures/\ndata/\n")
    context = Context(repo.root)
    assert context.policy_file(".gitworthyignore") == b"fixtures/\ndata/\n"
    repo.write(".gitworthyignore", "")  # edited while the scan runs: the scan keeps its policy
    assert context.policy_file(".gitworthyignore") == b"fixtures/\ndata/\n"
    context.policy_ref = committed
    assert context.policy_file(".gitworthyignore") == b"fixtures/\n"
    assert Context(repo.root).policy_file(".gitworthyignore") == b""
    assert context.policy_file(".secrets.baseline") is None
