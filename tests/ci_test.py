"""`gitworthy ci` in each CI system: a real upstream repository with a main branch and a
feature branch that adds a model and a credential, cloned shallow as the runners do, and the
installed `gitworthy` command run with that system's variables."""
from __future__ import annotations

import functools
import json
import os
import pickle
import subprocess
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import GIT_ENV, Repo, gitworthy_exe

# A credential-shaped value made at test time, so the repository holds no secret.
AWS_KEY = "AKIA" + "Q4VZ7NWX2JB6KD3M"
CI_PREFIXES = ("GITHUB_", "GITLAB_", "CI_", "TF_BUILD", "BUILD_", "SYSTEM_", "BITBUCKET_",
               "JENKINS_", "CHANGE_", "GIT_COMMIT", "GIT_PREVIOUS", "RUNNER_", "AGENT_")


@functools.lru_cache(maxsize=1)
def model_bytes() -> bytes:
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(3)
    x = rng.normal(size=(50, 3))
    return pickle.dumps(LogisticRegression().fit(x, x[:, 1] > 0), protocol=4)


class Upstream:
    """The hosted repository: main, and a feature branch forked from it two commits back."""

    def __init__(self, root: Path) -> None:
        root.mkdir()
        subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)
        self.repo = Repo(root)
        r = self.repo
        r.write("src/train.py", "import pandas as pd\n\ndf = pd.read_parquet(DATA)\n")
        r.write("src/etl_old.py", "# kept on main for years\n")  # not the request's doing
        r.write(".gitworthyignore", "# generated notebooks\nbuild/\n")
        r.add()
        self.fork_point = r.commit("main: training code")
        r.git("checkout", "-q", "-b", "feature")
        r.write("models/churn_lr.pkl", model_bytes())
        r.add()
        r.commit("feature: the trained model")
        r.write("src/settings.py", f'REGION = "eu-west-1"\nAWS_ACCESS_KEY_ID = "{AWS_KEY}"\n')
        r.add()
        self.head = r.commit("feature: settings")
        r.git("checkout", "-q", "main")
        r.write("README.md", "# churn\n")
        r.write("docs/results_final.md", "# Q3 results\n")  # main's, after the fork
        r.add()
        self.main = r.commit("main: readme")

    @property
    def url(self) -> str:
        return f"file://{self.repo.root}"

    def clone(self, where: Path, branch: str = "feature", depth: int | None = 1) -> Path:
        args = ["git", "clone", "-q", "--no-tags", "--branch", branch]
        args += [f"--depth={depth}"] if depth else []
        subprocess.run([*args, self.url, str(where)], check=True, env={**os.environ, **GIT_ENV})
        return where


@pytest.fixture
def upstream(tmp_path: Path) -> Upstream:
    return Upstream(tmp_path / "upstream")


def run_ci(checkout: Path, variables: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(CI_PREFIXES)}
    env.update(GIT_ENV)
    env.update(variables)
    return subprocess.run([gitworthy_exe(), "ci", *args], cwd=checkout, env=env,
                          capture_output=True, text=True, check=False)


def reported(checkout: Path, name: str = "report.json") -> set[tuple[str, str]]:
    document = json.loads((checkout / name).read_text())
    return {(f["path"], f["rule"]) for f in document["findings"]}


def request_variables(system: str, up: Upstream, tmp_path: Path) -> dict[str, str]:
    """What each system sets on a merge/pull request build of `feature` into `main`."""
    if system == "gitlab":
        return {"GITLAB_CI": "true", "CI_COMMIT_SHA": up.head,
                "CI_PIPELINE_SOURCE": "merge_request_event",
                "CI_MERGE_REQUEST_IID": "7", "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main",
                "CI_MERGE_REQUEST_DIFF_BASE_SHA": up.fork_point,
                "CI_COMMIT_BEFORE_SHA": "0" * 40}
    if system == "azure":
        return {"TF_BUILD": "True", "BUILD_SOURCEVERSION": up.head,
                "SYSTEM_PULLREQUEST_PULLREQUESTID": "12",
                "SYSTEM_PULLREQUEST_TARGETBRANCH": "refs/heads/main"}
    if system == "bitbucket":
        return {"BITBUCKET_BUILD_NUMBER": "31", "BITBUCKET_COMMIT": up.head,
                "BITBUCKET_PR_ID": "3", "BITBUCKET_PR_DESTINATION_BRANCH": "main",
                "BITBUCKET_PR_DESTINATION_COMMIT": up.main[:12]}
    if system == "jenkins":
        return {"JENKINS_URL": "https://jenkins.example.com/", "GIT_COMMIT": up.head,
                "CHANGE_ID": "4", "CHANGE_TARGET": "main", "BRANCH_NAME": "PR-4"}
    if system == "github":
        event = tmp_path / "event.json"
        event.write_text(json.dumps({"pull_request": {
            "number": 9, "base": {"sha": up.main, "ref": "main"},
            "head": {"sha": up.head, "ref": "feature"}}}))
        return {"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request",
                "GITHUB_EVENT_PATH": str(event), "GITHUB_BASE_REF": "main",
                "GITHUB_SHA": up.head}
    raise AssertionError(system)


SYSTEM_NAMES = {"gitlab": "GitLab CI", "azure": "Azure Pipelines",
                "bitbucket": "Bitbucket Pipelines", "jenkins": "Jenkins",
                "github": "GitHub Actions"}


@pytest.mark.parametrize("system", list(SYSTEM_NAMES))
def test_request_in_a_shallow_clone_scans_what_it_adds(upstream: Upstream, tmp_path: Path,
                                                       system: str) -> None:
    checkout = upstream.clone(tmp_path / "checkout")
    run = run_ci(checkout, request_variables(system, upstream, tmp_path),
                 "--format", "json", "--output", "report.json")
    assert run.returncode == 1, run.stderr
    found = reported(checkout)
    assert ("models/churn_lr.pkl", "serialized-model") in found
    assert any(path == "src/settings.py" for path, _ in found)
    assert not any(path == "src/etl_old.py" for path, _ in found)  # on main before the fork
    assert f"gitworthy ci: {SYSTEM_NAMES[system]}: scanning the files" in run.stderr
    assert "against main" in run.stderr
    assert f"--diff {upstream.fork_point[:12]}" in run.stderr or \
        f"--diff {upstream.main[:12]}" in run.stderr
    assert "the same on your machine: git fetch origin main && gitworthy scan --diff" in \
        run.stderr
    assert AWS_KEY[4:] not in run.stdout + run.stderr


def test_gitlab_push_scans_the_pushed_range(upstream: Upstream, tmp_path: Path) -> None:
    checkout = upstream.clone(tmp_path / "checkout", depth=None)
    first = subprocess.run(  # the commit before the push: the feature's first commit
        ["git", "rev-parse", "HEAD~1"], cwd=checkout, text=True, capture_output=True,
        check=True).stdout.strip()
    run = run_ci(checkout, {"GITLAB_CI": "true", "CI_COMMIT_SHA": upstream.head,
                            "CI_PIPELINE_SOURCE": "push", "CI_COMMIT_BEFORE_SHA": first},
                 "--format", "json", "--output", "report.json")
    assert run.returncode == 1, run.stderr
    assert {p for p, _ in reported(checkout)} == {"src/settings.py"}  # not the model
    assert f"scanning the files pushed in {first[:12]}..{upstream.head[:12]}" in run.stderr


def test_first_push_of_a_branch_scans_all_tracked_files(upstream: Upstream,
                                                        tmp_path: Path) -> None:
    checkout = upstream.clone(tmp_path / "checkout")
    run = run_ci(checkout, {"GITLAB_CI": "true", "CI_COMMIT_SHA": upstream.head,
                            "CI_COMMIT_BEFORE_SHA": "0" * 40},
                 "--format", "json", "--output", "report.json")
    assert run.returncode == 1
    assert ("src/etl_old.py", "versioned-filename") in reported(checkout)
    assert "scanning all tracked files" in run.stderr
    assert "the same on your machine: gitworthy scan --all" in run.stderr


def test_jenkins_branch_build_scans_since_the_last_successful_build(upstream: Upstream,
                                                                    tmp_path: Path) -> None:
    checkout = upstream.clone(tmp_path / "checkout", depth=None)
    run = run_ci(checkout, {"JENKINS_URL": "https://jenkins.example.com/",
                            "GIT_COMMIT": upstream.head,
                            "GIT_PREVIOUS_SUCCESSFUL_COMMIT": upstream.fork_point},
                 "--format", "json", "--output", "report.json")
    assert run.returncode == 1
    assert {p for p, _ in reported(checkout)} == {"models/churn_lr.pkl", "src/settings.py"}


def test_unknown_ci_says_so_and_base_gives_the_range(upstream: Upstream, tmp_path: Path) -> None:
    checkout = upstream.clone(tmp_path / "checkout", depth=None)
    run = run_ci(checkout, {"CI": "true"})
    assert run.returncode == 2
    assert run.stderr.startswith("gitworthy ci: error: no CI system recognised")
    assert "--base REV" in run.stderr and "Traceback" not in run.stderr
    run = run_ci(checkout, {"CI": "true"}, "--base", "origin/main",
                 "--format", "json", "--output", "report.json")
    assert run.returncode == 1, run.stderr
    assert {p for p, _ in reported(checkout)} == {"models/churn_lr.pkl", "src/settings.py"}


def test_target_branch_that_cannot_be_fetched_is_an_error(upstream: Upstream,
                                                          tmp_path: Path) -> None:
    checkout = upstream.clone(tmp_path / "checkout")
    variables = request_variables("azure", upstream, tmp_path)
    variables["SYSTEM_PULLREQUEST_TARGETBRANCH"] = "refs/heads/release/9"
    run = run_ci(checkout, variables)
    assert run.returncode == 2
    assert "cannot fetch the target branch 'release/9' from origin" in run.stderr


def test_several_reports_from_one_ci_scan(upstream: Upstream, tmp_path: Path) -> None:
    checkout = upstream.clone(tmp_path / "checkout")
    run = run_ci(checkout, request_variables("gitlab", upstream, tmp_path),
                 "--output-format", "gitlab=gl-code-quality-report.json",
                 "--output-format", "junit=gitworthy-junit.xml")
    assert run.returncode == 1
    assert "gitworthy blocked" in run.stdout
    issues = json.loads((checkout / "gl-code-quality-report.json").read_text())
    assert {i["location"]["path"] for i in issues} == {"models/churn_lr.pkl", "src/settings.py"}
    assert (checkout / "gitworthy-junit.xml").read_text().startswith("<?xml")


def test_github_log_output_cannot_carry_workflow_commands(upstream: Upstream,
                                                          tmp_path: Path) -> None:
    repo = upstream.repo
    repo.git("checkout", "-q", "feature")
    repo.write("::error title=pwned::all clear_v2.py", "x = 1\n")
    repo.add()
    head = repo.commit("a file name that looks like a workflow command")
    checkout = upstream.clone(tmp_path / "checkout")
    variables = request_variables("github", upstream, tmp_path)
    event = json.loads(Path(variables["GITHUB_EVENT_PATH"]).read_text())
    event["pull_request"]["head"]["sha"] = head
    Path(variables["GITHUB_EVENT_PATH"]).write_text(json.dumps(event))
    run = run_ci(checkout, {**variables, "GITHUB_SHA": head})
    lines = run.stdout.splitlines()
    assert lines[0].startswith("::stop-commands::")
    token = lines[0].split("::")[2]
    assert lines[-1] == f"::{token}::"
    assert any(line.startswith("::error title=pwned::") for line in lines[1:-1])


def test_azure_log_output_cannot_carry_logging_commands(upstream: Upstream,
                                                        tmp_path: Path) -> None:
    repo = upstream.repo
    repo.git("checkout", "-q", "feature")
    repo.write("##vso[task.setvariable variable=x]1 (1).py", "x = 1\n")
    repo.add()
    head = repo.commit("a file name that looks like a logging command")
    checkout = upstream.clone(tmp_path / "checkout")
    variables = {**request_variables("azure", upstream, tmp_path), "BUILD_SOURCEVERSION": head}
    run = run_ci(checkout, variables)
    assert run.returncode == 1
    assert "##vso[" not in run.stdout + run.stderr
    assert "##_vso[task.setvariable" in run.stdout


@pytest.mark.parametrize("system", list(SYSTEM_NAMES))
def test_request_cannot_switch_its_own_check_off(upstream: Upstream, tmp_path: Path,
                                                 system: str) -> None:
    repo = upstream.repo
    repo.git("checkout", "-q", "feature")
    repo.write(".gitworthyignore", "*\n")
    repo.write(".gitworthy.toml", 'fail-on = "never"\n')
    repo.add()
    head = repo.commit("silence gitworthy")
    upstream.head = head
    checkout = upstream.clone(tmp_path / "checkout")
    run = run_ci(checkout, request_variables(system, upstream, tmp_path),
                 "--format", "json", "--output", "report.json")
    assert run.returncode == 1, run.stderr
    assert ("models/churn_lr.pkl", "serialized-model") in reported(checkout)
    assert "(not the" in run.stderr and "own)" in run.stderr
    assert "changes the policy (.gitworthy.toml, .gitworthyignore): its changes apply once " \
        "it is merged, not to its own scan" in run.stderr


def test_nothing_the_request_adds_is_imported(upstream: Upstream, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    code = f"open({str(marker)!r}, 'a').write(__name__ + '\\n')\n"
    repo = upstream.repo
    repo.git("checkout", "-q", "feature")
    for name in ("gitworthy/__init__.py", "gitworthy/cli.py", "gitworthy/ci.py",
                 "hooks/__init__.py", "sitecustomize.py", "usercustomize.py", "yaml.py",
                 "pathspec.py", "json.py"):
        repo.write(name, code)
    repo.add()
    upstream.head = repo.commit("code that would run if imported")
    checkout = upstream.clone(tmp_path / "checkout")
    run = run_ci(checkout, request_variables("gitlab", upstream, tmp_path),
                 "--format", "json", "--output", "report.json")
    assert run.returncode == 1, run.stderr
    assert not marker.exists(), marker.read_text()
    assert ("models/churn_lr.pkl", "serialized-model") in reported(checkout)


def test_gitlab_merged_results_pipeline_scans_only_the_request(upstream: Upstream,
                                                              tmp_path: Path) -> None:
    repo = upstream.repo
    repo.git("checkout", "-q", "-b", "merge-result", "main")
    repo.git("merge", "-q", "--no-ff", "-m", "merged result", "feature")
    merged = repo.git("rev-parse", "HEAD").strip()
    checkout = upstream.clone(tmp_path / "checkout", branch="merge-result")
    variables = {**request_variables("gitlab", upstream, tmp_path), "CI_COMMIT_SHA": merged,
                 "CI_MERGE_REQUEST_EVENT_TYPE": "merged_result",
                 "CI_MERGE_REQUEST_TARGET_BRANCH_SHA": upstream.main}
    run = run_ci(checkout, variables, "--format", "json", "--output", "report.json")
    assert run.returncode == 1, run.stderr
    assert {p for p, _ in reported(checkout)} == {"models/churn_lr.pkl", "src/settings.py"}


def test_github_annotations_stay_commands_and_the_rest_is_inert(upstream: Upstream,
                                                                tmp_path: Path) -> None:
    checkout = upstream.clone(tmp_path / "checkout")
    run = run_ci(checkout, request_variables("github", upstream, tmp_path),
                 "--format", "github")
    assert run.returncode == 1
    lines = run.stdout.splitlines()
    token = lines[0].removeprefix("::stop-commands::")
    end = lines.index(f"::{token}::")
    assert any(line.startswith("::error file=models/churn_lr.pkl") for line in lines[end + 1:])


def test_azure_commands_are_neutralized_even_when_written_in_pieces(capsys) -> None:
    from gitworthy import ci

    with ci.SYSTEMS[2].commands_off():
        print("data/##v", end="")
        print("so[task.prependpath]/tmp/bin (1).csv: error")
        print("##[error]not ours", end="")
    out = capsys.readouterr().out
    assert ci.SYSTEMS[2].name == "Azure Pipelines"
    assert "##vso[" not in out and "##[" not in out
    assert out == "data/##_vso[task.prependpath]/tmp/bin (1).csv: error\n##_[error]not ours"


def test_outside_a_repository_is_one_line_and_exit_2(tmp_path: Path) -> None:
    run = run_ci(tmp_path, {"GITLAB_CI": "true"})
    assert run.returncode == 2
    assert run.stderr == "gitworthy ci: error: not inside a git repository: run gitworthy ci " \
        "in the checked-out repository\n"
