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
    for hook_type in ("pre-commit", "pre-merge-commit", "pre-push"):
        assert (existing.root / ".git" / "hooks" / hook_type).exists(), hook_type

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
    assert ".pre-commit-config.yaml: unchanged" in run(*args, capsys=capsys)[1]
    text = (existing.root / ".pre-commit-config.yaml").read_text()
    assert text.count("gitworthy/gitworthy") == 1 and "repo: local" in text


def test_init_refuses_to_guess_in_a_flow_style_repos_list(existing: Repo, capsys) -> None:
    existing.write(".pre-commit-config.yaml", "repos: []\nci:\n  autofix_prs: false\n")
    code, _, err = run("init", "--no-install", "--no-baseline", capsys=capsys)
    assert code == 2 and "add this under `repos:`" in err


EXISTING_CONFIG = """\
# Hooks for the churn project: keep notebooks clean.
repos:
# formatting first
- repo: https://github.com/psf/black
  rev: 24.3.0
  hooks:
  - id: black  # the team's formatter
- repo: https://github.com/kynan/nbstripout
  rev: 0.7.1
  hooks:
  - id: nbstripout

# pre-commit.ci settings
ci:
  autofix_prs: false
"""


def test_init_keeps_other_hooks_and_comments_of_an_existing_config(existing: Repo,
                                                                   capsys) -> None:
    import yaml

    existing.write(".pre-commit-config.yaml", EXISTING_CONFIG)
    assert run("init", "--no-install", "--no-baseline", capsys=capsys)[0] == 0
    text = (existing.root / ".pre-commit-config.yaml").read_text()
    for line in EXISTING_CONFIG.splitlines():
        assert line in text.splitlines()
    config = yaml.safe_load(text)
    assert [r["repo"].rsplit("/", 1)[-1] for r in config["repos"]] == [
        "black", "nbstripout", "gitworthy"]
    assert config["ci"] == {"autofix_prs": False}
    assert config["default_install_hook_types"] == ["pre-commit", "pre-merge-commit", "pre-push"]
    assert "- repo: https://github.com/gitworthy/gitworthy\n  rev:" in text  # its indentation


def _real_shaped(repo: Repo) -> None:
    import joblib
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({"client": ["Zoë", "Łukasz"], "montant": [12.5, 7.25]})
    (repo.root / "data" / "raw").mkdir(parents=True)
    pq.write_table(table, repo.root / "data" / "raw" / "orders.parquet")
    (repo.root / "models").mkdir()
    joblib.dump({"coef": [0.12, -0.7], "intercept": 0.3}, repo.root / "models" / "churn.joblib")
    repo.write("src/train.py", "print('train')\n")
    repo.write("pyproject.toml", '[project]\nname = "churn"\n\n[tool.ruff]\nline-length = 100\n')
    repo.add()
    repo.commit("a data-science project")


def test_init_twice_changes_nothing_the_second_time(existing: Repo, capsys) -> None:
    _real_shaped(existing)
    args = ("init", "--no-install", "--lfs", "--workflow")
    assert run(*args, capsys=capsys)[0] == 0
    snapshot = {p: p.read_bytes() for p in existing.root.rglob("*")
                if p.is_file() and ".git/" not in p.as_posix()}
    code, out, _ = run(*args, capsys=capsys)
    assert code == 0
    assert "wrote" not in out and "updated" not in out, out
    after = {p: p.read_bytes() for p in existing.root.rglob("*")
             if p.is_file() and ".git/" not in p.as_posix()}
    assert after == snapshot


def test_init_writes_lfs_gitignore_config_and_baseline(existing: Repo, capsys) -> None:
    import tomllib

    _real_shaped(existing)
    assert run("init", "--no-install", "--lfs", capsys=capsys)[0] == 0
    attributes = (existing.root / ".gitattributes").read_text()
    assert "*.parquet filter=lfs diff=lfs merge=lfs -text" in attributes
    assert "*.joblib filter=lfs" in attributes and "*.h5" not in attributes
    ignored = (existing.root / ".gitignore").read_text().splitlines()
    for entry in (".ipynb_checkpoints/", "mlruns/", "lightning_logs/", "wandb/", "data/raw/",
                  "models/"):
        assert entry in ignored
    pyproject = tomllib.loads((existing.root / "pyproject.toml").read_text())
    assert pyproject["tool"]["gitworthy"] == {"baseline": ".gitworthy-baseline.json"}
    assert pyproject["tool"]["ruff"] == {"line-length": 100}
    assert (existing.root / ".gitworthy-baseline.json").exists()


def test_init_adds_the_baseline_to_an_existing_section(existing: Repo, capsys) -> None:
    import tomllib

    existing.write("pyproject.toml", '[tool.gitworthy]\nexclude = ["vendor/**"]\n')
    assert run("init", "--no-install", capsys=capsys)[0] == 0
    table = tomllib.loads((existing.root / "pyproject.toml").read_text())["tool"]["gitworthy"]
    assert table == {"baseline": ".gitworthy-baseline.json", "exclude": ["vendor/**"]}


def test_dry_run_prints_diffs_and_writes_nothing(existing: Repo, capsys) -> None:
    existing.write(".gitignore", "__pycache__/\n")
    existing.add()
    existing.commit("ignore")
    code, out, _ = run("init", "--dry-run", "--lfs", "--workflow", capsys=capsys)
    assert code == 0
    assert "--- /dev/null\n+++ b/.pre-commit-config.yaml" in out
    assert "--- a/.gitignore\n+++ b/.gitignore" in out and "+mlruns/" in out
    assert "+++ b/.github/workflows/gitworthy.yml" in out
    assert "+++ b/.gitworthy-baseline.json" in out and "dry run: nothing written" in out
    assert existing.git("status", "--porcelain") == ""


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


def test_init_names_the_hooks_an_existing_gitworthy_entry_lacks(existing: Repo, capsys) -> None:
    config = ("repos:\n- repo: https://github.com/gitworthy/gitworthy\n  rev: v0.0.9\n"
              "  hooks:\n  - id: check-large-files\n")
    existing.write(".pre-commit-config.yaml", config)
    code, out, _ = run("init", "--no-install", "--no-baseline", capsys=capsys)
    assert code == 0
    assert "`- id: check-local-paths`" in out and "`- id: check-large-files`" not in out
    text = (existing.root / ".pre-commit-config.yaml").read_text()
    assert text.endswith(config)  # its hooks untouched; only the hook types are added
