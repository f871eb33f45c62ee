"""The real action.yml, its `run:` steps executed in order the way the runner does, in real
git repositories (an "origin" with a pull request, and a shallow checkout of its merge ref),
against a local fake of GitHub's REST API."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from gitworthy.github.comment import MARKER

from tests.conftest import GIT_ENV, Repo
from tests.github_client_test import REPO, TOKEN, FakeGitHub
from tests.markdown_test import to_html

ROOT = Path(__file__).resolve().parents[1]
ACTION = ROOT / "action.yml"
EXPRESSION = re.compile(r"\$\{\{\s*([\w.\-]+)\s*\}\}")
BIG_CSV = "id,amount\n" + "".join(f"{i},{i * 3.5}\n" for i in range(60_000))  # ~0.8 MB


@dataclass
class Run:
    code: int
    stdout: str
    outputs: dict[str, str]
    summary: str
    steps_run: list[str]
    seconds: dict[str, float]  # per step, for bench/action_timing.py (never asserted)


def _parse_output_file(text: str) -> dict[str, str]:
    """GITHUB_OUTPUT as the runner reads it: `name=value` and `name<<DELIM ... DELIM`."""
    values: dict[str, str] = {}
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            end = lines.index(delimiter, i + 1)
            values[name] = "\n".join(lines[i + 1:end])
            i = end + 1
            continue
        if "=" in line:
            name, value = line.split("=", 1)
            values[name] = value
        i += 1
    return values


def run_action(workspace: Path, temp: Path, event_name: str, event: dict[str, Any],
               api_url: str, inputs: dict[str, str] | None = None, *, sha: str = "",
               install: bool = False) -> Run:
    """Run action.yml's `run:` steps in order like the runner (a `uses:` step is skipped:
    setup-python's Python is this one, and the pip cache is not needed here)."""
    action = yaml.safe_load(ACTION.read_text("utf-8"))
    runner_temp = temp / "runner-temp"
    runner_temp.mkdir(parents=True, exist_ok=True)
    for leftover in runner_temp.iterdir():  # a new job; the pip cache stays (a cache hit)
        if leftover.is_dir() and leftover.name != "gitworthy-pip-cache":
            shutil.rmtree(leftover)
        elif leftover.is_file():
            leftover.unlink()
    event_path = temp / "event.json"
    event_path.write_text(json.dumps(event), "utf-8")
    summary, env_file = temp / "step_summary.md", temp / "github_env"
    summary.write_text("")
    env_file.write_text("")
    given = dict(inputs or {})
    steps: dict[str, dict[str, str]] = {}
    contexts = {
        "github.action_path": str(ROOT), "github.action_ref": "", "github.token": TOKEN,
        "runner.temp": str(runner_temp), "runner.os": "Linux",
    }

    def evaluate(value: str) -> str:
        def one(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("inputs."):
                key = name.split(".", 1)[1]
                spec = action["inputs"][key]  # KeyError: the action reads an undeclared input
                return given[key] if key in given else evaluate(str(spec.get("default", "")))
            if name.startswith("steps."):
                _, step_id, _, output = name.split(".", 3)
                return steps.get(step_id, {}).get(output, "")
            return contexts[name]  # KeyError: an expression this emulator does not know
        return EXPRESSION.sub(one, str(value))

    base_env = {k: v for k, v in os.environ.items()
                if not k.startswith(("GITHUB_", "GITWORTHY_", "RUNNER_"))}
    base_env.update(GIT_ENV)
    base_env.update({
        "CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": event_name,
        "GITHUB_EVENT_PATH": str(event_path), "GITHUB_REPOSITORY": REPO,
        "GITHUB_SERVER_URL": "https://github.com", "GITHUB_API_URL": api_url,
        "GITHUB_RUN_ID": "4242", "GITHUB_SHA": sha, "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_ENV": str(env_file),
        "GITHUB_ACTION_PATH": str(ROOT), "RUNNER_TEMP": str(runner_temp), "RUNNER_OS": "Linux",
        "GITWORTHY_RETRY_BACKOFF": "0.01",
    })
    if not install:
        base_env["GITWORTHY_ACTION_PYTHON"] = sys.executable
    stdout, ran, code, seconds = [], [], 0, {}
    for number, step in enumerate(action["runs"]["steps"]):
        if "run" not in step:
            continue
        output_file = runner_temp / f"output_{number}"
        output_file.write_text("")
        script = runner_temp / f"step_{number}.sh"
        script.write_text(step["run"], "utf-8")
        env = {**base_env, "GITHUB_OUTPUT": str(output_file),
               **{key: evaluate(value) for key, value in (step.get("env") or {}).items()}}
        assert step["shell"] == "bash"
        started = time.perf_counter()
        proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                              cwd=workspace, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, check=False)
        seconds[step.get("id", str(number))] = time.perf_counter() - started
        stdout.append(proc.stdout)  # stderr merged in order, as the runner reads them
        ran.append(step.get("id", step.get("name", "")))
        if step.get("id"):
            steps[step["id"]] = _parse_output_file(output_file.read_text("utf-8"))
        code = proc.returncode
        if code:
            break
    outputs = {name: evaluate(spec["value"]) for name, spec in action["outputs"].items()}
    return Run(code, "".join(stdout), outputs, summary.read_text("utf-8"), ran, seconds)


# -- repositories -----------------------------------------------------------------------

class Origin(Repo):
    """The repository on "GitHub": main, a pull-request branch and its refs/pull/N refs."""

    def merge_ref(self, number: int, head: str) -> str:
        """Make refs/pull/N/head and refs/pull/N/merge like GitHub does; returns the merge
        commit's sha."""
        self.git("update-ref", f"refs/pull/{number}/head", head)
        self.git("checkout", "-q", "--detach", "main")
        self.git("merge", "-q", "--no-ff", "--no-edit", head)
        merge = self.git("rev-parse", "HEAD").strip()
        self.git("update-ref", f"refs/pull/{number}/merge", merge)
        self.git("checkout", "-q", "main")
        return merge


def checkout(origin: Path, workspace: Path, ref: str, depth: int | None = 1) -> Path:
    """What actions/checkout does by default: fetch one ref at depth 1, detached HEAD."""
    shutil.rmtree(workspace, ignore_errors=True)
    workspace.mkdir(parents=True)
    ws = Repo(workspace)
    ws.git("init", "-q")
    ws.git("remote", "add", "origin", origin.as_uri())
    ws.git("fetch", "-q", "--no-tags", *([f"--depth={depth}"] if depth else []), "origin",
           f"+{ref}:refs/remotes/checkout")
    ws.git("checkout", "-q", "--detach", "refs/remotes/checkout")
    return workspace


def pr_event(number: int, base: str, head: str, fork: bool = False) -> dict[str, Any]:
    """A pull_request payload with the fields GitHub sends (abridged)."""
    head_repo = "forker/data-repo" if fork else REPO
    repository = {"full_name": REPO, "name": "data-repo", "default_branch": "main",
                  "html_url": f"https://github.com/{REPO}", "private": False}
    return {
        "action": "synchronize", "number": number,
        "pull_request": {
            "number": number, "state": "open", "title": "Add the member data",
            "html_url": f"https://github.com/{REPO}/pull/{number}",
            "user": {"login": "ann", "type": "User"}, "commits": 2,
            "head": {"ref": "feature", "sha": head, "label": "ann:feature",
                     "repo": {**repository, "full_name": head_repo, "fork": fork}},
            "base": {"ref": "main", "sha": base, "label": "octo:main", "repo": repository},
        },
        "repository": repository, "sender": {"login": "ann", "type": "User"},
    }


@pytest.fixture
def origin(tmp_path: Path) -> Origin:
    """main: README, notes.txt, scratch_old.py; then main moves on with main_only_v2.py.
    The feature branch (from the first commit) adds a big CSV, a hostile file name and
    clean code, renames notes.txt to notes_final.txt and deletes scratch_old.py."""
    root = tmp_path / "origin"
    root.mkdir()
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)
    repo = Origin(root)
    repo.git("config", "uploadpack.allowAnySHA1InWant", "true")
    repo.write("README.md", "# data repo\n")
    repo.write("notes.txt", "notes\n")
    repo.write("scratch_old.py", "print('old')\n")
    repo.add()
    repo.commit("base")
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("data/members.csv", BIG_CSV)
    repo.write("src/clean.py", "print('clean')\n")
    repo.add()
    repo.commit("add data")
    repo.git("mv", "notes.txt", "notes_final.txt")
    repo.git("rm", "-q", "scratch_old.py")
    repo.write("weird|name <img src=x onerror=alert(1)>_v2.py", "x = 1\n")
    repo.add()
    repo.commit("rename, delete, odd name")
    repo.git("checkout", "-q", "main")
    repo.write("main_only_v2.py", "print('on main only')\n")
    repo.add()
    repo.commit("main moves on")
    return repo


def sha_of(repo: Repo, ref: str) -> str:
    return repo.git("rev-parse", ref).strip()


@pytest.fixture
def fake() -> Any:
    with FakeGitHub() as server:
        yield server


def pr_run(origin: Origin, tmp_path: Path, fake: FakeGitHub, number: int = 1,
           fork: bool = False, inputs: dict[str, str] | None = None) -> Run:
    head = sha_of(origin, "feature")
    merge = origin.merge_ref(number, head)
    workspace = checkout(origin.root, tmp_path / "workspace", f"refs/pull/{number}/merge")
    event = pr_event(number, sha_of(origin, "main"), head, fork=fork)
    return run_action(workspace, tmp_path, "pull_request", event, fake.url, inputs, sha=merge)


def fix_everything(origin: Origin) -> None:
    origin.git("checkout", "-q", "feature")
    origin.git("rm", "-q", "data/members.csv", "weird|name <img src=x onerror=alert(1)>_v2.py")
    origin.git("mv", "notes_final.txt", "notes.txt")
    origin.commit("fix: data to LFS, plain names")
    origin.git("checkout", "-q", "main")


def findings_of(run: Run) -> list[dict[str, Any]]:
    return json.loads(Path(run.outputs["report-path"]).read_text("utf-8"))["findings"]


# -- the pull request lifecycle ---------------------------------------------------------

def test_first_run_creates_one_comment_and_fails(origin: Origin, tmp_path: Path,
                                                 fake: FakeGitHub) -> None:
    run = pr_run(origin, tmp_path, fake)
    assert run.code == 1, run.stdout
    [posted] = fake.comments[1]
    assert posted["body"].startswith(MARKER)
    assert "`data/members.csv`" in posted["body"]
    assert int(run.outputs["findings"]) >= 3 and int(run.outputs["blocking"]) >= 3


def test_scans_the_pull_requests_files_at_its_head(origin: Origin, tmp_path: Path,
                                                   fake: FakeGitHub) -> None:
    run = pr_run(origin, tmp_path, fake)
    paths = {f["path"] for f in findings_of(run)}
    assert "data/members.csv" in paths
    assert "notes_final.txt" in paths  # renamed: scanned under its new name
    assert "scratch_old.py" not in paths  # deleted: not scanned
    assert "main_only_v2.py" not in paths  # changed on main only: not this PR's business


def api_files(origin: Origin) -> list[dict[str, Any]]:
    """What GET /pulls/N/files answers for the feature branch."""
    statuses = {"A": "added", "M": "modified", "D": "removed", "R": "renamed"}
    out = origin.git("diff", "--name-status", "-M", "-z", "main...feature").split("\0")
    items, i = [], 0
    while i < len(out) - 1:
        status = out[i][0]
        if status == "R":
            items.append({"filename": out[i + 2], "previous_filename": out[i + 1],
                          "status": "renamed"})
            i += 3
        else:
            items.append({"filename": out[i + 1], "status": statuses[status]})
            i += 2
    return items


def test_shallow_checkout_takes_the_file_list_from_the_api(origin: Origin, tmp_path: Path,
                                                           fake: FakeGitHub) -> None:
    fake.pr_files[1] = [f for f in api_files(origin) if f["filename"] != "notes_final.txt"]
    run = pr_run(origin, tmp_path, fake)
    paths = {f["path"] for f in findings_of(run)}
    assert "data/members.csv" in paths
    assert "notes_final.txt" not in paths  # not in the API's list: not reported
    assert "fetching history instead" not in run.stdout  # (history is fetched later, for
    # the scan of every commit, which the API's file list cannot replace)


def test_without_the_api_list_the_history_is_deepened(origin: Origin, tmp_path: Path,
                                                      fake: FakeGitHub) -> None:
    run = pr_run(origin, tmp_path, fake)  # the fake answers 404 for the file list
    assert "fetching history instead" in run.stdout
    assert "main_only_v2.py" not in {f["path"] for f in findings_of(run)}
    assert "notes_final.txt" in {f["path"] for f in findings_of(run)}


def test_second_push_updates_the_same_comment(origin: Origin, tmp_path: Path,
                                              fake: FakeGitHub) -> None:
    pr_run(origin, tmp_path, fake)
    first_id = fake.comments[1][0]["id"]
    origin.git("checkout", "-q", "feature")
    origin.write("models/model_final.py", "x = 2\n")
    origin.add()
    origin.commit("another copy")
    origin.git("checkout", "-q", "main")
    run = pr_run(origin, tmp_path, fake)
    assert run.code == 1
    [posted] = fake.comments[1]
    assert posted["id"] == first_id
    assert "`models/model_final.py`" in posted["body"]
    assert "pull-request comment updated" in run.stdout


def test_fixing_push_turns_the_comment_all_clear(origin: Origin, tmp_path: Path,
                                                 fake: FakeGitHub) -> None:
    pr_run(origin, tmp_path, fake)
    fix_everything(origin)
    run = pr_run(origin, tmp_path, fake)
    assert run.code == 0, run.stdout
    [posted] = fake.comments[1]
    assert "all clear" in posted["body"] and "|" not in posted["body"]
    assert run.outputs["findings"] == "0" and run.outputs["blocking"] == "0"


def test_clean_pull_request_gets_no_comment(origin: Origin, tmp_path: Path,
                                            fake: FakeGitHub) -> None:
    fix_everything(origin)
    run = pr_run(origin, tmp_path, fake)
    assert run.code == 0
    assert fake.comments == {}


def test_fork_with_findings_posts_nothing_and_fails(origin: Origin, tmp_path: Path,
                                                    fake: FakeGitHub) -> None:
    fake.read_only = True
    run = pr_run(origin, tmp_path, fake, number=2, fork=True)
    assert run.code == 1
    assert fake.comments == {}
    assert "::notice title=gitworthy::pull request from a fork" in run.stdout
    assert "::error file=data/members.csv" in run.stdout


def test_fork_without_findings_passes(origin: Origin, tmp_path: Path,
                                      fake: FakeGitHub) -> None:
    fake.read_only = True
    fake.add_comment(2, f"{MARKER}\nold findings")
    fix_everything(origin)
    run = pr_run(origin, tmp_path, fake, number=2, fork=True)
    assert run.code == 0, run.stdout
    assert "::notice title=gitworthy::pull request from a fork" in run.stdout


def test_fail_on_never_reports_but_passes(origin: Origin, tmp_path: Path,
                                          fake: FakeGitHub) -> None:
    run = pr_run(origin, tmp_path, fake, inputs={"fail-on": "never"})
    assert run.code == 0
    assert int(run.outputs["findings"]) >= 3 and run.outputs["blocking"] == "0"
    assert len(fake.comments[1]) == 1


def test_comment_false_posts_nothing(origin: Origin, tmp_path: Path, fake: FakeGitHub) -> None:
    run = pr_run(origin, tmp_path, fake, inputs={"comment": "false"})
    assert run.code == 1
    assert not [r for r in fake.requests if "/issues/" in r["path"]]


def test_hostile_filename_is_escaped_in_the_comment(origin: Origin, tmp_path: Path,
                                                    fake: FakeGitHub) -> None:
    pr_run(origin, tmp_path, fake)
    body = fake.comments[1][0]["body"]
    assert "`weird\\|name <img src=x onerror=alert(1)>_v2.py`" in body
    assert "<img" not in to_html(body)


def test_summary_annotations_and_outputs(origin: Origin, tmp_path: Path,
                                         fake: FakeGitHub) -> None:
    run = pr_run(origin, tmp_path, fake)
    assert run.summary.startswith("### :x: gitworthy")
    assert "(the files pull request \\#1 changes)" in run.summary
    assert "::error file=data/members.csv,title=check-large-files" in run.stdout
    assert Path(run.outputs["report-path"]).is_file()


def test_sarif_file_is_written(origin: Origin, tmp_path: Path, fake: FakeGitHub) -> None:
    target = tmp_path / "out" / "gitworthy.sarif"
    run = pr_run(origin, tmp_path, fake, inputs={"sarif-file": str(target)})
    sarif = json.loads(target.read_text("utf-8"))
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in sarif["runs"][0]["results"]} >= {"data/members.csv"}
    assert run.outputs["sarif-path"] == str(target)


def test_exclude_and_checks_inputs(origin: Origin, tmp_path: Path, fake: FakeGitHub) -> None:
    run = pr_run(origin, tmp_path, fake, inputs={"checks": "check-adhoc-filenames",
                                                 "exclude": "weird*"})
    paths = {f["path"] for f in findings_of(run)}
    assert paths == {"notes_final.txt"}


def test_full_history_checkout_needs_no_fetch(origin: Origin, tmp_path: Path,
                                              fake: FakeGitHub) -> None:
    head = sha_of(origin, "feature")
    merge = origin.merge_ref(1, head)
    workspace = checkout(origin.root, tmp_path / "workspace", "refs/pull/1/merge", depth=None)
    Repo(workspace).git("fetch", "-q", "origin", "+refs/heads/*:refs/remotes/origin/*")
    event = pr_event(1, sha_of(origin, "main"), head)
    run = run_action(workspace, tmp_path, "pull_request", event, fake.url, sha=merge)
    assert run.code == 1
    assert "git fetch" not in run.stdout
    assert "main_only_v2.py" not in {f["path"] for f in findings_of(run)}


# -- other events -----------------------------------------------------------------------

def test_push_scans_the_pushed_range(origin: Origin, tmp_path: Path, fake: FakeGitHub) -> None:
    before = sha_of(origin, "feature~1")
    after = sha_of(origin, "feature")
    workspace = checkout(origin.root, tmp_path / "workspace", "refs/heads/feature")
    event = {"ref": "refs/heads/feature", "before": before, "after": after,
             "repository": {"full_name": REPO, "default_branch": "main"}}
    run = run_action(workspace, tmp_path, "push", event, fake.url, sha=after)
    assert run.code == 1
    paths = {f["path"] for f in findings_of(run)}
    assert "notes_final.txt" in paths and "data/members.csv" not in paths  # earlier push
    assert fake.requests == []  # no pull request, no comment


def test_new_branch_push_compares_with_the_default_branch(origin: Origin, tmp_path: Path,
                                                          fake: FakeGitHub) -> None:
    after = sha_of(origin, "feature")
    workspace = checkout(origin.root, tmp_path / "workspace", "refs/heads/feature")
    event = {"ref": "refs/heads/feature", "before": "0" * 40, "after": after,
             "repository": {"full_name": REPO, "default_branch": "main"}}
    run = run_action(workspace, tmp_path, "push", event, fake.url, sha=after)
    paths = {f["path"] for f in findings_of(run)}
    assert {"data/members.csv", "notes_final.txt"} <= paths
    assert "README.md" not in paths and run.code == 1


def test_workflow_dispatch_scans_all_tracked_files(origin: Origin, tmp_path: Path,
                                                   fake: FakeGitHub) -> None:
    workspace = checkout(origin.root, tmp_path / "workspace", "refs/heads/main")
    run = run_action(workspace, tmp_path, "workflow_dispatch", {"inputs": {}}, fake.url,
                     sha=sha_of(origin, "main"))
    paths = {f["path"] for f in findings_of(run)}
    assert paths == {"scratch_old.py", "main_only_v2.py"}
    assert run.code == 1


def test_bad_checks_input_fails_with_exit_2(origin: Origin, tmp_path: Path,
                                            fake: FakeGitHub) -> None:
    run = pr_run(origin, tmp_path, fake, inputs={"checks": "check-nonsense"})
    assert run.code == 2
    assert "::error title=gitworthy::gitworthy could not scan" in run.stdout
    assert not [r for r in fake.requests if "/issues/" in r["path"]]



def test_bad_configuration_fails_with_exit_2_and_names_the_key(origin: Origin, tmp_path: Path,
                                                                fake: FakeGitHub) -> None:
    origin.write(".gitworthy.toml", "fail_on = 'never'\n")
    origin.add()
    origin.commit("typo in the config on main")
    run = pr_run(origin, tmp_path, fake)
    assert run.code == 2
    assert ".gitworthy.toml: fail_on: unknown key" in run.stdout
    assert "gitworthy could not scan" in run.stdout


# -- the action file itself -------------------------------------------------------------

def test_run_scripts_interpolate_no_expressions() -> None:
    action = yaml.safe_load(ACTION.read_text("utf-8"))
    for step in action["runs"]["steps"]:
        assert "${{" not in step.get("run", ""), step.get("name")


def test_zizmor_finds_nothing_above_low() -> None:
    zizmor = shutil.which("zizmor", path=str(Path(sys.executable).parent))
    assert zizmor, "zizmor is in the test extra"
    proc = subprocess.run([zizmor, "--offline", "--min-severity", "medium", "--format", "plain",
                           str(ACTION)], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_action_matches_githubs_schema() -> None:
    tool = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent))
    assert tool, "check-jsonschema is in the test extra"
    proc = subprocess.run([tool, "--builtin-schema", "vendor.github-actions", str(ACTION)],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.skipif(not os.environ.get("GITWORTHY_TEST_INSTALL"),
                    reason="installs gitworthy into a fresh venv (minutes): "
                           "GITWORTHY_TEST_INSTALL=1 to run")
def test_install_step_builds_a_working_venv(origin: Origin, tmp_path: Path,
                                            fake: FakeGitHub) -> None:
    marker = tmp_path / "pwned"
    plant(origin, marker, ["venv/__init__.py", "venv/__main__.py", "pip/__init__.py",
                           "pip/__main__.py", *PLANTED])
    head = sha_of(origin, "feature")
    merge = origin.merge_ref(1, head)
    workspace = checkout(origin.root, tmp_path / "workspace", "refs/pull/1/merge")
    run = run_action(workspace, tmp_path, "pull_request", pr_event(1, sha_of(origin, "main"),
                     head), fake.url, sha=merge, install=True)
    assert run.code == 1, run.stdout
    assert len(fake.comments[1]) == 1
    assert not marker.exists()


def test_fail_on_comes_from_the_config_when_the_input_is_empty(origin: Origin, tmp_path: Path,
                                                               fake: FakeGitHub) -> None:
    origin.write(".gitworthy.toml", 'fail-on = "never"\n')
    origin.add()
    origin.commit("relax on main")
    run = pr_run(origin, tmp_path, fake)
    assert run.code == 0, run.stdout
    assert run.outputs["blocking"] == "0" and int(run.outputs["findings"]) >= 3


def test_unreadable_event_payload_is_exit_2(tmp_path: Path, capsys: Any) -> None:
    from gitworthy.github import action

    event = tmp_path / "event.json"
    event.write_text("{not json")
    with pytest.raises(SystemExit) as stopped:
        action.entry({"GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": str(event),
                      "RUNNER_TEMP": str(tmp_path)})
    assert stopped.value.code == 2
    assert "cannot read the event payload" in capsys.readouterr().out


def test_token_is_never_printed(origin: Origin, tmp_path: Path, fake: FakeGitHub) -> None:
    fake.read_only = True  # the failure path prints the most
    run = pr_run(origin, tmp_path, fake)
    everything = run.stdout + run.summary + json.dumps(run.outputs)
    everything += Path(run.outputs["report-path"]).read_text("utf-8")
    assert TOKEN not in everything
    assert "::warning title=gitworthy::the gitworthy comment was not written" in run.stdout
    assert all(TOKEN not in r["path"] for r in fake.requests)


# -- the policy comes from the base commit ----------------------------------------------

def relax_the_policy(origin: Origin) -> None:
    """The feature branch switches its own check off every way the policy allows."""
    origin.git("checkout", "-q", "feature")
    origin.write(".gitworthy.toml", 'fail-on = "never"\n')
    origin.write(".gitworthyignore", "*\n")
    origin.add()
    origin.commit("relax the policy")
    origin.git("checkout", "-q", "main")


def test_pull_request_cannot_switch_its_own_check_off(origin: Origin, tmp_path: Path,
                                                      fake: FakeGitHub) -> None:
    relax_the_policy(origin)
    run = pr_run(origin, tmp_path, fake)
    assert run.code == 1, run.stdout
    assert run.outputs["policy"] == "base"
    assert "data/members.csv" in {f["path"] for f in findings_of(run)}
    body = fake.comments[1][0]["body"]
    section = body.split("changes gitworthy's policy", 1)[1].split("####", 1)[0]
    assert "`.gitworthy.toml`" in section and "`.gitworthyignore`" in section
    assert "- `data/members.csv`: check\\-large\\-files large\\-data\\-file" in section
    assert "changes gitworthy's policy" in run.summary


def test_policy_head_input_lets_the_pull_request_decide(origin: Origin, tmp_path: Path,
                                                       fake: FakeGitHub) -> None:
    relax_the_policy(origin)
    run = pr_run(origin, tmp_path, fake, inputs={"policy": "head"})
    assert run.code == 0, run.stdout
    assert run.outputs["policy"] == "head" and run.outputs["findings"] == "0"
    assert "policy: head" in run.stdout
    body = fake.comments[1][0]["body"]  # the reviewer still sees what the change silences
    assert "(`policy: head`: they do not count)" in body
    assert "- `data/members.csv`: check\\-large\\-files large\\-data\\-file" in body


def test_broken_configuration_in_the_pull_request_still_fails_on_findings(
        origin: Origin, tmp_path: Path, fake: FakeGitHub) -> None:
    origin.git("checkout", "-q", "feature")
    origin.write(".gitworthy.toml", "fail_on = 'never'\n")
    origin.add()
    origin.commit("typo in the config")
    origin.git("checkout", "-q", "main")
    run = pr_run(origin, tmp_path, fake)
    assert run.code == 1, run.stdout
    body = fake.comments[1][0]["body"]
    assert "`.gitworthy.toml`" in body and "cannot be applied" in body


def test_push_says_which_policy_it_used(origin: Origin, tmp_path: Path,
                                        fake: FakeGitHub) -> None:
    after = sha_of(origin, "feature")
    workspace = checkout(origin.root, tmp_path / "workspace", "refs/heads/feature")
    event = {"ref": "refs/heads/feature", "before": sha_of(origin, "feature~1"),
             "after": after, "repository": {"full_name": REPO, "default_branch": "main"}}
    run = run_action(workspace, tmp_path, "push", event, fake.url, sha=after)
    assert run.outputs["policy"] == "head"
    assert "gitworthy: policy: the scanned commit's own configuration" in run.stdout
    assert "(not a pull request: no base commit to read them from)" in run.stdout


# -- nothing from the pull request runs -------------------------------------------------

PLANTED = (  # what a pull request could add so that Python imports it in the scan step
    "hooks/__init__.py", "hooks/github/__init__.py", "hooks/github/action.py",
    "gitworthy/__init__.py", "gitworthy/__main__.py", "gitworthy/github/__init__.py",
    "gitworthy/github/action.py", "sitecustomize.py", "usercustomize.py",
    "pre_commit/__init__.py", "pre_commit/__main__.py",
)


def plant(origin: Origin, marker: Path, paths: list[str]) -> None:
    """Commit Python files on the feature branch that would write `marker` if imported."""
    origin.git("checkout", "-q", "feature")
    for path in paths:
        origin.write(path, "import pathlib\n"
                           f"pathlib.Path({str(marker)!r}).write_text({path!r})\n")
    origin.add()
    origin.commit("our own helpers")
    origin.git("checkout", "-q", "main")


def test_code_the_pull_request_adds_never_runs(origin: Origin, tmp_path: Path,
                                               fake: FakeGitHub) -> None:
    import joblib
    from sklearn.linear_model import LogisticRegression

    marker = tmp_path / "pwned"
    plant(origin, marker, list(PLANTED))
    origin.git("checkout", "-q", "feature")
    model = LogisticRegression().fit([[0.5, 1.0], [1.5, -2.0], [3.0, 0.25]], [0, 1, 0])
    (origin.root / "models").mkdir()
    joblib.dump(model, origin.root / "models" / "churn.joblib")
    origin.add()
    origin.commit("the model")
    origin.git("checkout", "-q", "main")
    run = pr_run(origin, tmp_path, fake)
    assert not marker.exists(), marker.read_text()
    assert run.code == 1, run.stdout
    assert "models/churn.joblib" in {f["path"] for f in findings_of(run)}


def test_a_top_level_hooks_module_does_not_stop_the_action(origin: Origin, tmp_path: Path,
                                                          fake: FakeGitHub) -> None:
    origin.git("checkout", "-q", "feature")
    origin.write("hooks.py", "def on_epoch_end(logs):\n    return logs\n")
    origin.add()
    origin.commit("training callbacks")
    origin.git("checkout", "-q", "main")
    run = pr_run(origin, tmp_path, fake)
    assert run.code == 1, run.stdout
    assert "Error while finding module" not in run.stdout
    assert "data/members.csv" in {f["path"] for f in findings_of(run)}


# -- every commit of the pull request ---------------------------------------------------

AWS_KEY = "AKIAZ3MSPQX7RBFVW2NE"  # pragma: allowlist secret - shaped like a key, not one


def test_secret_and_records_removed_by_a_later_commit_still_fail(origin: Origin, tmp_path: Path,
                                                                 fake: FakeGitHub) -> None:
    from tests.pii_test import fake_rows, to_csv

    origin.git("checkout", "-q", "feature")
    origin.write("etl/settings.py", f'AWS_ACCESS_KEY_ID = "{AWS_KEY}"\nREGION = "eu-west-1"\n')
    origin.write("exports/members.csv", to_csv(fake_rows(60)))
    origin.add()
    leaked = origin.commit("wip: load from s3")
    origin.write("etl/settings.py", 'import os\nAWS_ACCESS_KEY_ID = os.environ["AWS_KEY"]\n'
                                    'REGION = "eu-west-1"\n')
    origin.git("rm", "-q", "exports/members.csv")
    origin.add()
    origin.commit("read the key from the environment, drop the export")
    origin.git("checkout", "-q", "main")
    run = pr_run(origin, tmp_path, fake)
    assert run.code == 1, run.stdout
    earlier = {(f["path"], f["check"]): f for f in findings_of(run)
               if "removed by a later commit" in f["message"]}
    assert set(earlier) >= {("etl/settings.py", "check-secrets"),
                            ("exports/members.csv", "check-pii")}
    secret = earlier["etl/settings.py", "check-secrets"]
    assert "removed by a later commit" in secret["message"]
    assert secret["details"]["commit"] == leaked
    assert f"git rebase -i {leaked[:12]}~1" in secret["hint"]
    assert "rotate the credential" in secret["hint"]
    assert f"/blob/{leaked}/etl/settings.py#L1" in fake.comments[1][0]["body"]
    everything = run.stdout + run.summary + fake.comments[1][0]["body"]
    assert AWS_KEY not in everything and AWS_KEY[4:16] not in everything


def test_content_still_at_the_head_is_reported_once(origin: Origin, tmp_path: Path,
                                                    fake: FakeGitHub) -> None:
    origin.git("checkout", "-q", "feature")
    origin.write("etl/settings.py", f'AWS_ACCESS_KEY_ID = "{AWS_KEY}"\n')
    origin.add()
    origin.commit("the key, kept")
    origin.git("checkout", "-q", "main")
    run = pr_run(origin, tmp_path, fake)
    secrets = [f for f in findings_of(run) if f["check"] == "check-secrets"]
    assert len(secrets) == 1 and "later commit" not in secrets[0]["message"]


# -- pragmas the pull request adds ------------------------------------------------------

def test_allow_pragmas_the_pull_request_adds_are_listed(origin: Origin, tmp_path: Path,
                                                        fake: FakeGitHub) -> None:
    origin.git("checkout", "-q", "feature")
    origin.write("src/clean.py", "print('clean')\n"
                                 f'KEY = "{AWS_KEY}"  # gitworthy: allow check-secrets\n')
    origin.write("conf/paths.py", "ROOT = '/Users/ann/data'  # gitworthy: allow\n")
    origin.add()
    origin.commit("allow myself")
    origin.git("checkout", "-q", "main")
    run = pr_run(origin, tmp_path, fake)
    assert "src/clean.py" not in {f["path"] for f in findings_of(run)}
    body = fake.comments[1][0]["body"]
    section = body.split("lines this pull request adds", 1)[1]
    assert "- `src/clean.py:2`: check\\-secrets" in section
    assert "- `conf/paths.py:1`: every check" in section


# -- nothing the pull request controls becomes a workflow command -----------------------

def outside_stop_commands(stdout: str) -> list[str]:
    """The lines the runner would read as workflow commands (outside ::stop-commands::)."""
    live, token = [], None
    for line in stdout.splitlines():
        if token is not None:
            if line == f"::{token}::":
                token = None
            continue
        if line.startswith("::stop-commands::"):
            token = line.split("::", 2)[2]
        elif line.startswith("::"):
            live.append(line)
    return live


def test_configuration_key_with_newlines_prints_no_workflow_command(
        origin: Origin, tmp_path: Path, fake: FakeGitHub) -> None:
    origin.write(".gitworthy.toml", '"x\\n::warning title=pwned::planted" = 1\n')
    origin.add()
    origin.commit("a hostile key on main")
    run = pr_run(origin, tmp_path, fake)
    assert run.code == 2
    assert "planted" in run.stdout  # the error names the key...
    assert not [line for line in outside_stop_commands(run.stdout) if "pwned" in line]


def test_a_library_warning_that_echoes_content_stays_inside_stop_commands() -> None:
    """Libraries warn on stderr with text from the file they read (openpyxl's `Unknown type
    for NAME` quoted a workbook's custom property): whatever is printed, on stdout or stderr,
    while the scan runs is inside the block, in the order the runner reads it."""
    program = ("import sys, warnings\n"
               "from gitworthy.github.action import commands_off\n"
               "with commands_off():\n"
               "    print('scanning', flush=True)\n"
               "    warnings.warn('Unknown type for x\\n::warning title=pwned::planted')\n"
               "print('after', flush=True)\n")
    done = subprocess.run([sys.executable, "-I", "-c", program], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, check=True)
    assert "::warning title=pwned::planted" in done.stdout
    assert not [line for line in outside_stop_commands(done.stdout) if "pwned" in line]
    assert done.stdout.rstrip().endswith("after")


def test_a_comment_by_the_author_that_starts_with_the_marker_is_left_alone(
        origin: Origin, tmp_path: Path, fake: FakeGitHub) -> None:
    planted = fake.add_comment(1, f"{MARKER}\n### :white_check_mark: gitworthy: all clear",
                               user="ann", kind="User")
    run = pr_run(origin, tmp_path, fake)
    assert run.code == 1
    first, ours = fake.comments[1]
    assert first == planted and first["body"].endswith("all clear")
    assert ours["user"]["login"] == "github-actions[bot]" and "data/members.csv" in ours["body"]


# -- fork pull requests: the comment comes from a workflow_run job ----------------------

def fork_scan_then_artifact(origin: Origin, tmp_path: Path, fake: FakeGitHub) -> Path:
    """The fork's scan job (read-only token, no comment), and its uploaded comment.json."""
    fake.read_only = True
    run = pr_run(origin, tmp_path, fake, number=2, fork=True)
    assert run.code == 1 and fake.comments == {}
    artifact = tmp_path / "artifact" / "comment.json"
    artifact.parent.mkdir()
    shutil.copy(run.outputs["comment-data"], artifact)  # upload, then download
    fake.read_only = False
    return artifact


def workflow_run_event(head: str) -> dict[str, Any]:
    """A workflow_run payload (abridged): a fork's run lists no pull requests."""
    return {"action": "completed", "workflow_run": {
        "id": 77, "event": "pull_request", "head_sha": head, "conclusion": "failure",
        "pull_requests": [], "html_url": f"https://github.com/{REPO}/actions/runs/77",
        "head_repository": {"full_name": "forker/data-repo"}}}


def test_comment_mode_posts_the_fork_scans_report(origin: Origin, tmp_path: Path,
                                                  fake: FakeGitHub) -> None:
    artifact = fork_scan_then_artifact(origin, tmp_path, fake)
    head = sha_of(origin, "feature")
    fake.pulls[2] = {"number": 2, "head": {"sha": head}}
    empty = tmp_path / "comment-job"  # no checkout: the job has only the artifact
    empty.mkdir()
    run = run_action(empty, tmp_path, "workflow_run", workflow_run_event(head), fake.url,
                     {"mode": "comment", "comment-data": str(artifact)})
    assert run.code == 0, run.stdout
    [posted] = fake.comments[2]
    assert posted["body"].startswith(MARKER) and "`data/members.csv`" in posted["body"]
    assert "`weird\\|name <img src=x onerror=alert(1)>_v2.py`" in posted["body"]
    assert list(empty.iterdir()) == []


def test_comment_mode_refuses_an_artifact_for_another_commit(origin: Origin, tmp_path: Path,
                                                             fake: FakeGitHub) -> None:
    artifact = fork_scan_then_artifact(origin, tmp_path, fake)
    fake.pulls[2] = {"number": 2, "head": {"sha": sha_of(origin, "feature")}}
    (tmp_path / "comment-job").mkdir()
    run = run_action(tmp_path / "comment-job", tmp_path, "workflow_run",
                     workflow_run_event(sha_of(origin, "main")), fake.url,
                     {"mode": "comment", "comment-data": str(artifact)})
    assert run.code == 2
    assert "::error title=gitworthy::gitworthy comment: comment.json is for commit" in run.stdout
    assert fake.comments == {}


def test_comment_mode_skips_a_pull_request_that_moved_on(origin: Origin, tmp_path: Path,
                                                         fake: FakeGitHub) -> None:
    artifact = fork_scan_then_artifact(origin, tmp_path, fake)
    head = sha_of(origin, "feature")
    fake.pulls[2] = {"number": 2, "head": {"sha": "f" * 40}}
    (tmp_path / "comment-job").mkdir()
    run = run_action(tmp_path / "comment-job", tmp_path, "workflow_run",
                     workflow_run_event(head), fake.url,
                     {"mode": "comment", "comment-data": str(artifact)})
    assert run.code == 0 and fake.comments == {}
    assert "has moved on" in run.stdout
