from __future__ import annotations

import hashlib
import shutil
import subprocess

import pytest
from gitworthy.checks import large_files

from tests.conftest import Repo, scan_json

KB = 1024


def lfs_pointer(content: bytes = b"the real data", size: int = 12345) -> str:
    """A pointer as git-lfs writes it (spec v1): the content's SHA-256 and its size."""
    oid = hashlib.sha256(content).hexdigest()
    return f"version https://git-lfs.github.com/spec/v1\noid sha256:{oid}\nsize {size}\n"


def rules(result: dict) -> list[tuple[str, str]]:
    return [(f["path"], f["rule"]) for f in result["findings"]]


def test_csv_over_limit_fails(repo: Repo, capsys) -> None:
    repo.write("data/claims.csv", "a,b\n" + "1,2\n" * 200 * KB)
    repo.add()
    code, result = scan_json("--staged", "--check", "check-large-files", capsys=capsys)
    assert code == 1
    assert rules(result) == [("data/claims.csv", "large-data-file")]
    assert "CSV" in result["findings"][0]["message"]
    assert "dvc add data/claims.csv" in result["findings"][0]["hint"]


def test_small_csv_passes(repo: Repo, capsys) -> None:
    repo.write("data/small.csv", "a,b\n1,2\n")
    repo.add()
    code, result = scan_json("--staged", capsys=capsys)
    assert code == 0 and result["findings"] == []


def test_parquet_recognized_by_content_under_another_name(repo: Repo, capsys) -> None:
    repo.write("blob", b"PAR1" + b"\x00" * 600 * KB)
    repo.add()
    _, result = scan_json("--staged", "--check", "check-large-files", capsys=capsys)
    assert "Parquet" in result["findings"][0]["message"]


def test_large_python_file_below_hard_limit_passes(repo: Repo, capsys) -> None:
    repo.write("generated.py", "x = 1\n" * 150 * KB)
    repo.add()
    code, _ = scan_json("--staged", "--check", "check-large-files", capsys=capsys)
    assert code == 0


def test_any_file_over_hard_limit_fails(repo: Repo, capsys) -> None:
    repo.write("huge.log", "line\n" * (11 * KB * KB // 5))
    repo.add()
    _, result = scan_json("--staged", "--check", "check-large-files", capsys=capsys)
    assert rules(result) == [("huge.log", "large-file")]


def test_modified_file_growing_past_the_limit_fails(repo: Repo, capsys) -> None:
    repo.write("data/grow.csv", "a\n1\n")
    repo.add()
    repo.commit()
    repo.write("data/grow.csv", "a\n" + "1\n" * 300 * KB)
    repo.add()
    _, result = scan_json("--staged", capsys=capsys)
    assert ("data/grow.csv", "large-data-file") in rules(result)


def test_lfs_pointer_passes(repo: Repo, capsys) -> None:
    repo.write(".gitattributes", "*.parquet filter=lfs diff=lfs merge=lfs -text\n")
    repo.write("data/big.parquet", lfs_pointer())
    repo.add()
    code, result = scan_json("--staged", capsys=capsys)
    assert code == 0, result


def test_lfs_routed_file_staged_as_content_fails(repo: Repo, capsys) -> None:
    repo.write(".gitattributes", "*.parquet filter=lfs diff=lfs merge=lfs -text\n")
    repo.write("data/big.parquet", b"PAR1" + b"\x01" * 700 * KB)
    repo.add()
    code, result = scan_json("--staged", capsys=capsys)
    assert code == 1
    assert rules(result) == [("data/big.parquet", "lfs-not-a-pointer")]
    assert "git lfs install" in result["findings"][0]["hint"]


@pytest.mark.skipif(shutil.which("git-lfs") is None, reason="git-lfs is not installed")
def test_real_git_lfs_working_tree_file_passes_when_index_holds_pointer(repo: Repo,
                                                                         capsys) -> None:
    repo.git("lfs", "install", "--local")
    repo.git("lfs", "track", "*.h5")
    repo.write("weights.h5", b"\x89HDF\r\n\x1a\n" + b"\x02" * 800 * KB)
    repo.add()
    assert repo.git("lfs", "ls-files").strip().endswith("weights.h5")
    code, result = scan_json("--all", capsys=capsys)  # the work tree holds the real content
    assert code == 0, result
    code, result = scan_json("--staged", capsys=capsys)
    assert code == 0, result


def test_dvc_tracked_output_committed_fails_at_any_size(repo: Repo, capsys) -> None:
    repo.write("data/raw.dvc", "outs:\n- md5: abc\n  path: raw\n")
    repo.write("data/raw/members.csv", "id\n1\n")
    repo.add()
    _, result = scan_json("--staged", capsys=capsys)
    assert ("data/raw/members.csv", "dvc-output-committed") in rules(result)
    assert "data/raw.dvc" in result["findings"][0]["message"]


def test_threshold_from_config(repo: Repo, capsys) -> None:
    repo.write(".gitworthy.toml", "[check-large-files]\nmax-kb = 2000\n")
    repo.write("data/mid.csv", "a\n" + "1\n" * 400 * KB)
    repo.add()
    code, _ = scan_json("--staged", capsys=capsys)
    assert code == 0


def test_hook_flag_overrides_config(repo: Repo, capsys) -> None:
    repo.write(".gitworthy.toml", "[check-large-files]\nmax-kb = 2000\n")
    repo.write("mid.npy", b"\x93NUMPY" + b"\x00" * 50 * KB)
    assert large_files.main(["--max-kb", "10", "mid.npy"]) == 1
    assert "NumPy" in capsys.readouterr().out


def test_symlink_is_never_followed(repo: Repo, capsys) -> None:
    big = repo.write("outside.bin", b"\x00" * 700 * KB)
    (repo.root / "link.bin").symlink_to(big)
    assert large_files.main(["link.bin"]) == 0


def test_staged_sizes_come_from_one_batched_git_call(repo: Repo, monkeypatch,
                                                     capsys) -> None:
    for i in range(30):
        repo.write(f"src/m{i}.py", "x = 1\n")
    repo.add()
    calls: list[list[str]] = []
    real_run = subprocess.run

    def counting_run(args, *a, **kw):  # counts git processes, still runs them for real
        calls.append(list(args))
        return real_run(args, *a, **kw)

    monkeypatch.setattr(subprocess, "run", counting_run)
    code, _ = scan_json("--staged", "--check", "check-large-files", capsys=capsys)
    assert code == 0
    assert len([c for c in calls if "cat-file" in c]) == 1


def test_bad_hook_flag_value_is_one_line_and_exit_2(repo: Repo, capsys) -> None:
    repo.write("a.csv", "x\n")
    assert large_files.main(["--max-kb", "-5", "a.csv"]) == 2
    err = capsys.readouterr().err
    assert "--max-kb must be a whole number >= 0" in err and len(err.strip().splitlines()) == 1
