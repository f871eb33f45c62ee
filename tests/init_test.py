"""`gitworthy init` sets a real repository up, and the hooks then block only new problems."""
from __future__ import annotations

import json
import os
import subprocess

import pytest

from tests.conftest import CHECKOUT, GIT_ENV, Repo, checkout_head, run


@pytest.fixture
def existing(repo: Repo) -> Repo:
    repo.write("etl.py", "x = 1\n")
    repo.write("etl_old.py", "x = 0\n")
    repo.add()
    repo.commit("history with a problem")
    return repo


def test_init_configures_baselines_and_installs(existing: Repo, capsys, hook_home,
                                                monkeypatch) -> None:
    for key, value in hook_home.items():
        monkeypatch.setenv(key, value)
    code, out, err = run("init", "--repo-url", str(CHECKOUT), "--rev", checkout_head(),
                         capsys=capsys)
    assert code == 0, err
    assert "accepted 1 existing findings" in out
    config = (existing.root / ".pre-commit-config.yaml").read_text()
    assert f"repo: {CHECKOUT}" in config and "id: check-large-files" in config
    baseline = json.loads((existing.root / ".gitworthy-baseline.json").read_text())
    assert [e["path"] for e in baseline["findings"]] == ["etl_old.py"]
    assert (existing.root / ".git" / "hooks" / "pre-commit").exists()

    existing.write("etl_old.py", "x = 2\n")  # the accepted file may still change
    existing.add()
    env = {**os.environ, **GIT_ENV, **hook_home}
    ok = subprocess.run(["git", "commit", "-m", "edit"], cwd=existing.root, env=env,
                        capture_output=True, text=True, check=False)
    assert ok.returncode == 0, ok.stdout + ok.stderr

    existing.write("train_final.py", "y = 1\n")  # a new problem is blocked
    existing.add()
    blocked = subprocess.run(["git", "commit", "-m", "new"], cwd=existing.root, env=env,
                             capture_output=True, text=True, check=False)
    assert blocked.returncode != 0 and "train_final.py" in blocked.stdout + blocked.stderr


def test_init_appends_to_an_existing_config_once(existing: Repo, capsys) -> None:
    existing.write(".pre-commit-config.yaml",
                   "repos:\n  - repo: local\n    hooks: []\n")
    args = ("init", "--no-install", "--no-baseline", "--rev", "v0.1.0")
    assert run(*args, capsys=capsys)[0] == 0
    assert run(*args, capsys=capsys)[1].count("left as it is") == 1
    text = (existing.root / ".pre-commit-config.yaml").read_text()
    assert text.count("gitworthy/gitworthy") == 1 and "repo: local" in text


def test_init_refuses_to_guess_where_repos_is_not_last(existing: Repo, capsys) -> None:
    existing.write(".pre-commit-config.yaml", "repos: []\nci:\n  autofix_prs: false\n")
    code, _, err = run("init", "--no-install", "--no-baseline", capsys=capsys)
    assert code == 2 and "add this under `repos:`" in err


def test_init_writes_a_workflow(existing: Repo, capsys) -> None:
    assert run("init", "--no-install", "--no-baseline", "--workflow", capsys=capsys)[0] == 0
    workflow = (existing.root / ".github" / "workflows" / "gitworthy.yml").read_text()
    assert "uses: gitworthy/gitworthy@v0" in workflow and "pull-requests: write" in workflow


def test_init_outside_a_repository(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run("init", capsys=capsys)
    assert code == 2 and "git init" in err


def test_init_runs_the_installed_pre_commit_not_the_repositorys(existing: Repo, capsys,
                                                                tmp_path) -> None:
    marker = tmp_path / "pwned"
    for path in ("pre_commit/__init__.py", "pre_commit/__main__.py"):
        existing.write(path, f"import pathlib\npathlib.Path({str(marker)!r}).write_text('ran')\n")
    code, out, err = run("init", "--no-baseline", "--rev", "v0.1.0", capsys=capsys)
    assert code == 0, err
    assert not marker.exists()
    assert (existing.root / ".git" / "hooks" / "pre-commit").exists()
