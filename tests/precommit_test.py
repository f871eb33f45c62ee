"""The hooks as users run them: the real pre-commit framework and prek, from this checkout."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import CHECKOUT, GIT_ENV, Repo, checkout_head

MANIFEST = CHECKOUT / ".pre-commit-hooks.yaml"
RUNNERS = ("pre-commit", "prek")


def tool(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def test_manifest_is_valid_for_pre_commit() -> None:
    proc = subprocess.run([tool("pre-commit"), "validate-manifest", str(MANIFEST)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_every_hook_declares_stages_and_minimum_version_and_no_types_filter() -> None:
    hooks = yaml.safe_load(MANIFEST.read_text())
    for hook in hooks:
        stages = ["pre-commit", "pre-merge-commit", "pre-push", "manual"]
        assert hook["stages"] == stages, hook["id"]
        assert hook["minimum_pre_commit_version"], hook["id"]
        assert "types" not in hook and "files" not in hook, hook["id"]


def test_hooks_run_in_one_process_per_commit_not_one_per_core() -> None:
    hooks = yaml.safe_load(MANIFEST.read_text())
    serial = {hook["id"] for hook in hooks if hook.get("require_serial")}
    assert serial == {hook["id"] for hook in hooks}


def configure(repo: Repo, hook_ids: list[str]) -> None:
    rev = checkout_head()
    hooks = "".join(f"  - id: {hook_id}\n" for hook_id in hook_ids)
    repo.write(".pre-commit-config.yaml",
               f"repos:\n- repo: {CHECKOUT}\n  rev: {rev}\n  hooks:\n{hooks}")
    repo.add(".pre-commit-config.yaml")
    repo.commit("config")


def commit(repo: Repo, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "commit", "-m", "change"], cwd=repo.root, text=True,
                          capture_output=True, env={**os.environ, **GIT_ENV, **env})


@pytest.mark.parametrize("runner", RUNNERS)
def test_commit_is_blocked_then_passes_once_fixed(repo: Repo, runner: str,
                                                  hook_home: dict[str, str]) -> None:
    configure(repo, ["check-large-files", "check-adhoc-filenames"])
    subprocess.run([tool(runner), "install"], cwd=repo.root, check=True, capture_output=True,
                   env={**os.environ, **hook_home})
    repo.write("etl.py", "x = 1\n")
    repo.write("etl_final_v2.py", "x = 2\n")
    repo.write("data/claims.csv", "id,amount\n" + "1,2.5\n" * 120_000)
    repo.add()
    blocked = commit(repo, hook_home)
    output = blocked.stdout + blocked.stderr
    assert blocked.returncode != 0
    assert "etl_final_v2.py" in output and "versioned-filename" in output
    assert "data/claims.csv" in output and "dvc add" in output

    repo.git("rm", "-q", "--cached", "etl_final_v2.py", "data/claims.csv")
    passed = commit(repo, hook_home)
    assert passed.returncode == 0, passed.stdout + passed.stderr


@pytest.mark.parametrize("runner", RUNNERS)
def test_hook_run_on_all_files_in_manual_stage(repo: Repo, runner: str,
                                               hook_home: dict[str, str]) -> None:
    configure(repo, ["check-adhoc-filenames"])
    repo.write("notes.py.bak", "x\n")
    repo.add()
    proc = subprocess.run([tool(runner), "run", "--all-files", "--hook-stage", "manual"],
                          cwd=repo.root, capture_output=True, text=True,
                          env={**os.environ, **hook_home})
    assert proc.returncode == 1
    assert "backup-file" in proc.stdout


def test_merge_commit_runs_the_hooks_on_the_pre_merge_commit_stage(
        repo: Repo, hook_home: dict[str, str]) -> None:
    configure(repo, ["check-local-paths"])
    subprocess.run([tool("pre-commit"), "install", "--hook-type", "pre-merge-commit"],
                   cwd=repo.root, check=True, capture_output=True,
                   env={**os.environ, **hook_home})
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("etl.py", "SOURCE = '/Users/jane.doe/Desktop/orders.csv'\n")  # gitworthy: allow
    repo.add()
    repo.commit("skips the pre-commit hook")  # --no-verify
    repo.git("checkout", "-q", "main")
    repo.write("README.md", "# churn\n")
    repo.add()
    repo.commit("main moves on")
    merged = subprocess.run(["git", "merge", "--no-ff", "-m", "merge feature", "feature"],
                            cwd=repo.root, capture_output=True, text=True,
                            env={**os.environ, **GIT_ENV, **hook_home})
    output = merged.stdout + merged.stderr
    assert merged.returncode != 0, output
    assert "home-directory-path" in output and "jane" not in output


def test_first_run_over_many_files_reports_as_the_scan_does(
        repo: Repo, hook_home: dict[str, str]) -> None:
    """A serial hook given a whole repository at once (one process): the same findings, in the
    same order, as `gitworthy scan --all --jobs 1`, the last file included."""
    from tests.pii_readers_test import members_csv

    configure(repo, ["check-pii"])
    for i in range(80):
        repo.write(f"src/step_{i:03}.py", f"def step_{i}(frame):\n    return frame * {i}\n")
    repo.write("data/members.csv", members_csv())
    repo.write("src/zz_members.csv", members_csv(newline="\r"))  # judged last
    repo.add()
    proc = subprocess.run([tool("pre-commit"), "run", "--all-files"], cwd=repo.root,
                          capture_output=True, text=True, env={**os.environ, **hook_home})
    single = subprocess.run([tool("gitworthy"), "scan", "--all", "--jobs", "1", "--no-cache",
                             "--check", "check-pii"], cwd=repo.root, capture_output=True,
                            text=True)
    assert proc.returncode == 1 and single.returncode == 1
    hook_lines = [line for line in proc.stdout.splitlines() if "members.csv" in line]
    scan_lines = [line for line in single.stdout.splitlines() if "members.csv" in line]
    assert hook_lines and hook_lines == scan_lines
    assert hook_lines[0].startswith("data/members.csv") and "src/zz_members.csv" in hook_lines[-1]
    assert "Traceback" not in proc.stdout + proc.stderr
