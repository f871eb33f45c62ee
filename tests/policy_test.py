"""The policy at a revision: configuration, .gitworthyignore and baselines read from git
(never the working tree), `--policy-ref` on the command line, and the policy files a range
changes."""
from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest
from gitworthy import policy
from gitworthy.config import ConfigError

from tests.conftest import Repo, run, scan_json

AWS_KEY = "AKIAZ3MSPQX7RBFVW2NE"  # pragma: allowlist secret - shaped like a real key, not one
LENIENT_BASELINE = {"version": 1, "results": {}, "filters_used": [
    {"path": "detect_secrets.filters.regex.should_exclude_file", "pattern": [".*"]}]}


@pytest.fixture
def based(repo: Repo) -> tuple[Repo, str]:
    """main with a strict policy; a branch that relaxes every policy file and adds a model
    and a key; the working tree is the branch."""
    repo.write(".gitworthy.toml", 'fail-on = "error"\n')
    repo.write("pyproject.toml", "[project]\nname = 'churn'\nversion = '0.1'\n")
    repo.write("README.md", "# churn model\n")
    repo.add()
    base = repo.commit("strict policy")
    repo.git("checkout", "-q", "-b", "feature")
    repo.write(".gitworthy.toml", 'fail-on = "never"\nbaseline = "accepted.json"\n'
                                  '[check-serialized-models]\nenabled = false\n')
    repo.write(".gitworthyignore", "*\n")
    repo.write(".secrets.baseline", json.dumps(LENIENT_BASELINE))
    repo.write("pyproject.toml", "[project]\nname = 'churn'\nversion = '0.2'\n")
    repo.write("accepted.json", json.dumps({"version": 1, "findings": []}))
    repo.write("models/churn.pkl", pickle.dumps({"weights": [0.25, 1.5, -3.0]}))
    repo.write("settings.py", f'AWS_ACCESS_KEY_ID = "{AWS_KEY}"\n')
    repo.add()
    repo.commit("relax the policy, add a model and a key")
    return repo, base


def test_policy_at_a_revision_ignores_the_working_tree(based: tuple[Repo, str]) -> None:
    repo, base = based
    at_base = policy.load(repo.root, base)
    here = policy.load(repo.root)
    assert at_base.config.fail_on == "error" and at_base.baseline is None
    assert here.config.fail_on == "never"
    assert here.baseline is not None and set(here.baseline) == set()
    assert at_base.ref == repo.git("rev-parse", base).strip()
    assert at_base.describe() == f"the policy at {base[:12]}"
    assert here.describe() == "the policy in the working tree"


def test_scan_with_policy_ref_finds_what_the_branch_silenced(based: tuple[Repo, str],
                                                             capsys) -> None:
    _, base = based
    code, relaxed = scan_json("--diff", f"{base}...HEAD", capsys=capsys)
    assert code == 0 and relaxed["findings"] == []
    code, strict = scan_json("--diff", f"{base}...HEAD", "--policy-ref", base, capsys=capsys)
    assert code == 1
    assert {(f["path"], f["rule"]) for f in strict["findings"]} == {
        ("models/churn.pkl", "serialized-model"), ("settings.py", "hardcoded-secret")}
    assert AWS_KEY not in json.dumps(strict)


def test_ignore_file_at_the_ref_even_when_the_working_tree_changes_it(repo: Repo,
                                                                      capsys) -> None:
    repo.write(".gitworthyignore", "# generated test data\nfixtures/\n")
    repo.write("fixtures/model.pkl", pickle.dumps([1.0, 2.0]))
    repo.add()
    base = repo.commit("fixtures are ignored")
    repo.write(".gitworthyignore", "# nothing ignored now\n")
    code, report = scan_json("--all", "--policy-ref", base, capsys=capsys)
    assert code == 0 and report["findings"] == []
    code, report = scan_json("--all", capsys=capsys)
    assert code == 1 and {f["path"] for f in report["findings"]} == {"fixtures/model.pkl"}


def test_changed_lists_the_policy_files_a_range_changes(based: tuple[Repo, str]) -> None:
    repo, base = based
    assert policy.changed(repo.root, base, "HEAD") == [
        ".gitworthy.toml", ".gitworthyignore", ".secrets.baseline", "accepted.json"]


def test_pyproject_counts_only_when_its_gitworthy_table_changes(repo: Repo) -> None:
    repo.write("pyproject.toml", "[project]\nname = 'churn'\n")
    repo.add()
    base = repo.commit("base")
    repo.write("pyproject.toml", "[project]\nname = 'churn'\nversion = '2'\n")
    repo.add()
    repo.commit("version bump")
    assert policy.changed(repo.root, base, "HEAD") == []
    repo.write("pyproject.toml", "[project]\nname = 'churn'\n\n[tool.gitworthy]\n"
                                 'exclude = ["models/**"]\n')
    repo.add()
    repo.commit("exclude the models")
    assert policy.changed(repo.root, base, "HEAD") == ["pyproject.toml"]


def test_explicit_config_and_baseline_are_read_at_the_ref(repo: Repo) -> None:
    repo.write("ci/gitworthy.toml", 'fail-on = "warning"\n')
    repo.write("ci/accepted.json", json.dumps({"version": 1, "findings": [
        {"fingerprint": "abc", "check": "check-large-files", "rule": "r", "path": "p"}]}))
    repo.add()
    base = repo.commit("ci policy")
    repo.write("ci/gitworthy.toml", 'fail-on = "never"\n')
    repo.write("ci/accepted.json", json.dumps({"version": 1, "findings": []}))
    chosen = policy.load(repo.root, base, "ci/gitworthy.toml", "ci/accepted.json")
    assert chosen.config.fail_on == "warning"
    assert chosen.baseline is not None and set(chosen.baseline) == {"abc"}
    assert chosen.files[0] == "ci/gitworthy.toml" and "ci/accepted.json" in chosen.files


def test_unknown_ref_is_a_configuration_error(repo: Repo, capsys) -> None:
    repo.write("README.md", "x\n")
    repo.add()
    repo.commit()
    with pytest.raises(ConfigError, match="no such commit"):
        policy.load(repo.root, "f" * 40)
    code, _, err = run("scan", "--all", "--policy-ref", "nope", capsys=capsys)
    assert code == 2 and "--policy-ref nope: no such commit here" in err


def test_a_policy_file_that_is_a_folder_at_the_ref_is_absent(repo: Repo) -> None:
    repo.write(".gitworthyignore/README", "odd but possible\n")
    repo.add()
    base = repo.commit()
    assert policy.read_file(repo.root, base, ".gitworthyignore") is None
    assert policy.read_file(repo.root, base, ".gitworthyignore/README") == b"odd but possible\n"


def test_the_working_tree_policy_is_the_default(repo: Repo, tmp_path: Path) -> None:
    repo.write(".gitworthy.toml", 'fail-on = "warning"\n')
    assert policy.load(repo.root).config.fail_on == "warning"
    assert policy.load(repo.root).files == [".gitworthy.toml", "pyproject.toml",
                                            ".gitworthyignore", ".secrets.baseline"]


def test_a_missing_baseline_the_branch_points_at_is_still_listed(repo: Repo) -> None:
    repo.write("README.md", "# churn\n")
    repo.add()
    base = repo.commit()
    repo.write(".gitworthy.toml", 'baseline = "nowhere.json"\n')
    repo.add()
    repo.commit("point at a baseline that is not there")
    assert policy.changed(repo.root, base, "HEAD") == [".gitworthy.toml"]
    repo.write("nowhere.json", json.dumps({"version": 1, "findings": []}))
    repo.add()
    repo.commit("and add it")
    assert policy.changed(repo.root, base, "HEAD") == [".gitworthy.toml", "nowhere.json"]
