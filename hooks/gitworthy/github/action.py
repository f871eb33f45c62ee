"""The GitHub Action's logic: `python -m gitworthy.github.action` (the `run:` step of action.yml).

Decides what to scan for the event, runs `gitworthy scan` once (JSON), then writes the job
summary, annotations, the optional SARIF file, the step outputs and the ONE pull-request
comment, and exits with the verdict (0 pass, 1 blocking findings, 2 could not scan).

Everything comes from the environment (action.yml passes its inputs through `env:`):
GITWORTHY_CHECKS, GITWORTHY_FAIL_ON, GITWORTHY_COMMENT, GITWORTHY_SARIF_FILE, GITWORTHY_CONFIG,
GITWORTHY_TOKEN, GITWORTHY_PATHS, GITWORTHY_EXCLUDE, GITWORTHY_COMMENT_KEY, and the runner's
GITHUB_* / RUNNER_TEMP variables.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gitworthy import git
from gitworthy.engine import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, Report
from gitworthy.github.client import GitHubClient, GitHubError
from gitworthy.report import github as workflow
from gitworthy.report import json as json_report
from gitworthy.report import markdown
from gitworthy.review import Review

PR_EVENTS = ("pull_request", "pull_request_target")
ZERO_SHA = re.compile(r"^0+$")
SUMMARY_LIMIT = 1_000_000  # GitHub accepts up to 1 MiB of job summary per step
DEEPEN_STEPS = (50, 400)   # commits fetched per try to find the merge base, then unshallow


@dataclass
class Target:
    """What to scan: CLI arguments selecting the files, and the commit the content is at."""

    args: list[str]
    head: str
    describe: str
    number: int | None = None
    fork: bool = False
    notes: list[str] = field(default_factory=list)
    only: set[str] | None = None  # report only these paths (the PR's files, from the API)
    base: str | None = None       # a pull request's base commit, when it is here


# -- environment -----------------------------------------------------------------------

def split_list(value: str) -> list[str]:
    """An input list: items separated by newlines, commas or spaces."""
    return [item for item in re.split(r"[\s,]+", value or "") if item]


def log(message: str) -> None:
    print(message, flush=True)


def untrusted_log(text: str) -> None:
    """Print text made from repository content with workflow commands switched off, so a
    file name like `::add-mask::` or `::stop-commands::` cannot act on the runner."""
    with commands_off():
        log(text.rstrip("\n"))


@contextmanager
def commands_off() -> Iterator[None]:
    """Workflow commands off (`::stop-commands::` with a random token) for everything this
    process and the libraries it calls print to stdout or stderr meanwhile: the scan reads
    the pull request's files, and a configuration key, an error message or a library's
    warning may echo them."""
    token = secrets.token_hex(16)
    sys.stderr.flush()
    log(f"::stop-commands::{token}")
    try:
        yield
    finally:
        sys.stderr.flush()
        log(f"::{token}::")


def event_payload(env: Mapping[str, str]) -> dict[str, Any]:
    path = env.get("GITHUB_EVENT_PATH", "")
    if not path or not Path(path).is_file():
        return {}
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError) as exc:
        raise SystemExit(_fatal(f"cannot read the event payload GITHUB_EVENT_PATH "
                                f"({type(exc).__name__})")) from None
    return data if isinstance(data, dict) else {}


def write_outputs(env: Mapping[str, str], values: Mapping[str, object]) -> None:
    """Step outputs, in the multi-line form with a random delimiter (injection-proof)."""
    target = env.get("GITHUB_OUTPUT")
    if not target:
        return
    with open(target, "a", encoding="utf-8") as fh:
        for name, value in values.items():
            delimiter = f"gitworthy_{secrets.token_hex(8)}"
            fh.write(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")


# -- git: make the commits there -------------------------------------------------------

def _has_commit(sha: str) -> bool:
    try:
        git.run(["cat-file", "-e", f"{sha}^{{commit}}"])
        return True
    except git.GitError:
        return False


def _fetch(*args: str) -> bool:
    try:
        git.run(["-c", "protocol.version=2", "fetch", "--no-tags", "--quiet",
                 "--no-recurse-submodules", *args])
        return True
    except git.GitError as exc:
        log(f"gitworthy: git fetch {' '.join(a for a in args if a.startswith('-'))} failed: "
            f"{exc}")
        return False


def ensure_commits(*shas: str) -> list[str]:
    """Fetch the commits that the checkout does not have; returns those still missing."""
    missing = [sha for sha in shas if not _has_commit(sha)]
    if missing:
        depth = ["--depth=1"] if git.is_shallow() else []
        _fetch(*depth, "origin", *missing)
    return [sha for sha in missing if not _has_commit(sha)]


def ensure_merge_base(base: str, head: str) -> bool:
    """Deepen a shallow checkout until base and head share history (a few tries, then all
    of it). True when the merge base is there."""
    if git.merge_base(base, head):
        return True
    for depth in DEEPEN_STEPS:
        if not git.is_shallow():
            return False
        _fetch(f"--deepen={depth}", "origin", base, head)
        if git.merge_base(base, head):
            return True
    if git.is_shallow():
        _fetch("--unshallow", "origin", base, head)
    return git.merge_base(base, head) is not None


# -- what to scan for this event ------------------------------------------------------

def target_for(env: Mapping[str, str], event: Mapping[str, Any]) -> Target:
    """The files to scan for the event that started the workflow."""
    name = env.get("GITHUB_EVENT_NAME", "")
    sha = env.get("GITHUB_SHA", "") or "HEAD"
    if name in PR_EVENTS and isinstance(event.get("pull_request"), dict):
        return _pull_request_target(event["pull_request"], env)
    if name == "push" and event.get("after"):
        return _push_target(event, env)
    return Target(["--all"], sha, "all tracked files")


def _pull_request_target(pr: Mapping[str, Any], env: Mapping[str, str]) -> Target:
    """The PR's changed files at its head. With the history there (or fetched), git gives
    them (`base...head`); a shallow checkout asks the API for the PR's file list first, which
    spares fetching history, and deepens the history only when the API cannot answer."""
    base, head = pr["base"]["sha"], pr["head"]["sha"]
    head_repo = ((pr.get("head") or {}).get("repo") or {}).get("full_name")
    base_repo = ((pr.get("base") or {}).get("repo") or {}).get("full_name")
    number = int(pr["number"])
    target = Target([], head, "", number=number, fork=head_repo != base_repo)
    missing = ensure_commits(base, head)
    if head in missing:
        raise SystemExit(_fatal(f"cannot fetch the pull request's head commit {head[:12]}: "
                                "check out the repository first (actions/checkout)"))
    changed = f"the files pull request #{target.number} changes"
    target.base = None if base in missing else base
    if base in missing:
        target.args = ["--all"]
        target.describe = f"all tracked files (base commit {base[:12]} not available)"
        target.notes.append("the base commit could not be fetched: scanned all tracked files")
    elif git.merge_base(base, head):
        target.args, target.describe = ["--diff", f"{base}...{head}"], changed
    elif git.is_shallow() and (files := pull_request_files(env, number)) is not None:
        target.args, target.describe, target.only = ["--diff", f"{base}..{head}"], changed, files
    elif ensure_merge_base(base, head):
        target.args, target.describe = ["--diff", f"{base}...{head}"], changed
    else:
        target.args = ["--diff", f"{base}..{head}"]
        target.describe = f"the files that differ between {base[:12]} and {head[:12]}"
        target.notes.append("no common history with the base branch was found: scanned the "
                            "difference of the two commits")
    return target


def pull_request_files(env: Mapping[str, str], number: int) -> set[str] | None:
    """The PR's added, changed and renamed files from the API, or None when the API cannot
    say (no token, no permission, a list at GitHub's 3,000-file cap)."""
    token = env.get("GITWORTHY_TOKEN", "")
    if not token:
        return None
    client = GitHubClient(env.get("GITHUB_API_URL", "https://api.github.com"), token,
                          env.get("GITHUB_REPOSITORY", ""),
                          backoff=float(env.get("GITWORTHY_RETRY_BACKOFF", "1")))
    try:
        files = client.pull_request_files(number)
    except GitHubError as exc:
        log(f"gitworthy: cannot list the pull request's files through the API ({exc}); "
            "fetching history instead")
        return None
    if len(files) >= 3000:
        return None
    return {f["filename"] for f in files if f.get("status") != "removed"}


def _push_target(event: Mapping[str, Any], env: Mapping[str, str]) -> Target:
    before, after = str(event.get("before") or ""), str(event["after"])
    if ZERO_SHA.match(after):
        return Target([], after, "nothing (the branch was deleted)")
    if ensure_commits(after):
        raise SystemExit(_fatal(f"cannot fetch the pushed commit {after[:12]}"))
    if before and not ZERO_SHA.match(before) and not ensure_commits(before):
        return Target(["--diff", f"{before}..{after}"], after,
                      f"the files pushed in {before[:12]}..{after[:12]}")
    default = ((event.get("repository") or {}).get("default_branch")) or ""
    ref = str(event.get("ref") or "")
    if default and ref != f"refs/heads/{default}":
        depth = ["--depth=1"] if git.is_shallow() else []
        if _fetch(*depth, "origin", f"refs/heads/{default}"):
            base = git.run(["rev-parse", "FETCH_HEAD"]).decode().strip()
            if ensure_merge_base(base, after):
                return Target(["--diff", f"{base}...{after}"], after,
                              f"the files this new branch changes from {default}")
    return Target(["--all"], after, "all tracked files (new branch or rewritten history: "
                                    "no earlier commit to compare with)")


def _fatal(message: str) -> int:
    log(workflow.command("error", message, title="gitworthy"))
    return EXIT_ERROR


# -- the report ------------------------------------------------------------------------

def filter_report(report: Report, paths: list[str], exclude: list[str],
                  only: set[str] | None = None) -> Report:
    """Keep the findings and errors under `paths` (when given), not under `exclude`, and
    among `only` (when given)."""
    if not paths and not exclude and only is None:
        return report
    import pathspec

    keep = pathspec.GitIgnoreSpec.from_lines(paths) if paths else None
    drop = pathspec.GitIgnoreSpec.from_lines(exclude) if exclude else None

    def wanted(path: str) -> bool:
        return ((only is None or path in only) and (keep is None or keep.match_file(path))
                and (drop is None or not drop.match_file(path)))

    return report.replace(findings=[f for f in report.findings if wanted(f.path)],
                          errors=[e for e in report.errors if wanted(e.path)])


def choose_policy(env: Mapping[str, str], target: Target) -> tuple[str, str | None, str]:
    """(base or head, the commit to read the policy at or None for the checkout, what to
    tell people). The `policy` input chooses; without a base commit it is the head's."""
    mode = env.get("GITWORTHY_POLICY", "").strip().lower() or "base"
    if mode not in ("base", "head"):
        raise SystemExit(_fatal(f"the policy input must be base or head, not {mode!r}"))
    if mode == "head":
        return "head", None, "the scanned commit's own configuration, ignore file and " \
                             "baselines (policy: head)"
    if target.base is None:
        why = "not a pull request" if target.number is None else "its base commit is missing"
        return "head", None, ("the scanned commit's own configuration, ignore file and "
                              f"baselines ({why}: no base commit to read them from)")
    return "base", target.base, (f"configuration, ignore file and baselines as they are on "
                                 f"the base commit {target.base[:12]}")


def effective_fail_on(env: Mapping[str, str], policy_ref: str | None = None) -> str:
    """The fail-on input, else the policy's configuration's, else `error`."""
    chosen = env.get("GITWORTHY_FAIL_ON", "").strip()
    if chosen:
        return chosen
    from gitworthy import policy
    from gitworthy.config import ConfigError

    try:
        return policy.load(git.toplevel(Path.cwd()), policy_ref,
                           env.get("GITWORTHY_CONFIG") or None, use_baseline=False
                           ).config.fail_on
    except ConfigError:
        return "error"  # the scan itself reports the configuration error


def scan_args(target: Target, env: Mapping[str, str], fail_on: str,
              policy_ref: str | None) -> list[str]:
    """The `gitworthy scan` command line of this run."""
    # no result cache: a runner's cache may come from a job that ran untrusted code
    args = ["scan", *target.args, "--fail-on", fail_on, "--no-cache"]
    for check in split_list(env.get("GITWORTHY_CHECKS", "")):
        args += ["--check", check]
    if env.get("GITWORTHY_CONFIG"):
        args += ["--config", env["GITWORTHY_CONFIG"]]
    if policy_ref:
        args += ["--policy-ref", policy_ref]
    return args


def run_scan(args: list[str]) -> Report | None:
    """`gitworthy scan ARGS` in-process; None (after saying why) when it cannot run."""
    from gitworthy import cli
    from gitworthy.config import ConfigError

    try:
        return cli.run_scan(cli.build_parser().parse_args(args))[0]
    except SystemExit:  # argparse said why: an unknown check id, a bad fail-on
        return None
    except (ConfigError, git.GitError) as exc:
        print(f"gitworthy: error: {exc}", file=sys.stderr, flush=True)
        return None


# -- the comment -----------------------------------------------------------------------

def post_comment(env: Mapping[str, str], target: Target, report: Report, fail_on: str,
                 repo_url: str, run_url: str, review: Review | None = None) -> str:
    """Create or update the ONE comment; failures are soft (a notice or warning, no exit)."""
    from gitworthy.github import comment

    if env.get("GITWORTHY_COMMENT", "true").strip().lower() in ("false", "0", "no", "off"):
        return "disabled"
    if target.number is None:
        return "not a pull request"
    token = env.get("GITWORTHY_TOKEN", "")
    if not token:
        log(workflow.command("warning", "no github-token: the pull-request comment was "
                                           "not written", title="gitworthy"))
        return "no token"
    marker = comment.marker_for(env.get("GITWORTHY_COMMENT_KEY", ""))
    from gitworthy.review import sections

    blocks = sections(review) if review else []
    rendered: dict[str, Any] = {"fail_on": fail_on, "repo_url": repo_url, "sha": target.head,
                                "marker": marker, "summary_url": run_url,
                                "scope": target.describe, "sections": blocks}
    body = markdown.render(report, max_chars=markdown.COMMENT_LIMIT - 1024, **rendered)
    short = markdown.render(report, max_chars=6000, **rendered)
    client = GitHubClient(env.get("GITHUB_API_URL", "https://api.github.com"), token,
                          env.get("GITHUB_REPOSITORY", ""),
                          backoff=float(env.get("GITWORTHY_RETRY_BACKOFF", "1")))
    has_news = bool(report.findings or report.errors or report.internal_error
                    or (review and (review.policy_changed or review.pragmas)))
    try:
        outcome = comment.upsert(client, target.number, body, marker=marker, create=has_news,
                                 fallback=short, authors=comment.authors_for(client))
    except GitHubError as exc:
        read_only = target.fork or env.get("GITHUB_ACTOR", "") == "dependabot[bot]"
        if read_only and exc.status in (401, 403, 404):
            who = "a fork" if target.fork else "Dependabot"
            log(workflow.command(
                "notice", f"pull request from {who}: its token is read-only, so the "
                "gitworthy comment was not written; the annotations and the job summary have "
                "the findings (a workflow_run job with `mode: comment` can post the comment "
                "from this job's comment-data artifact)", title="gitworthy"))
            return "read-only token"
        log(workflow.command("warning", f"the gitworthy comment was not written: {exc}",
                                title="gitworthy"))
        return "failed"
    log(f"gitworthy: pull-request comment {outcome}")
    return outcome


# -- main ------------------------------------------------------------------------------

def main(env: Mapping[str, str] | None = None) -> int:
    env = dict(os.environ if env is None else env)
    if env.get("GITWORTHY_MODE", "").strip().lower() == "comment":
        from gitworthy.github import comment_mode

        return comment_mode.main(env)
    work = Path(env.get("RUNNER_TEMP") or ".") / "gitworthy"
    work.mkdir(parents=True, exist_ok=True)
    report_path, comment_path = work / "report.json", work / "comment.json"
    server = env.get("GITHUB_SERVER_URL", "https://github.com").rstrip("/")
    repository = env.get("GITHUB_REPOSITORY", "")
    repo_url = f"{server}/{repository}" if repository else ""
    run_url = f"{repo_url}/actions/runs/{env['GITHUB_RUN_ID']}" \
        if repo_url and env.get("GITHUB_RUN_ID") else ""

    target = target_for(env, event_payload(env))
    for note in target.notes:
        log(workflow.command("notice", note, title="gitworthy"))
    which, policy_ref, policy_note = choose_policy(env, target)
    if not target.args:
        log(f"gitworthy: scanning {target.describe}")
        write_outputs(env, {"findings": 0, "blocking": 0, "report-path": "", "policy": which})
        return EXIT_OK
    fail_on = effective_fail_on(env, policy_ref)
    report_path.unlink(missing_ok=True)
    comment_path.unlink(missing_ok=True)
    review = Review(which, policy_note)
    log(f"gitworthy: policy: {policy_note}")
    with commands_off():
        args = scan_args(target, env, fail_on, policy_ref)
        log(f"gitworthy: scanning {target.describe}")
        log("gitworthy: the same on your machine: gitworthy " + " ".join(args))
        report = run_scan(args)
        if report is not None:
            report = filter_report(report, split_list(env.get("GITWORTHY_PATHS", "")),
                                   split_list(env.get("GITWORTHY_EXCLUDE", "")), target.only)
            if target.number is not None and target.base is not None:
                report = _reviewed(review, target, env, report, fail_on, policy_ref)
    if report is None:
        write_outputs(env, {"findings": 0, "blocking": 0, "report-path": "", "policy": which})
        log(workflow.command("error", "gitworthy could not scan: see the message above "
                                         "(configuration, inputs or git)", title="gitworthy"))
        return EXIT_ERROR
    report_path.write_text(json_report.render(report, fail_on), "utf-8")

    from gitworthy.report import text

    untrusted_log(text.render(report, fail_on))
    sys.stdout.write(workflow.render(report, fail_on, summary_hint="the job summary"))
    write_summary(env, report, fail_on, repo_url, target, review)
    sarif_path = write_sarif(env, report, fail_on)
    blocking = len(report.blocking(fail_on)) + (len(report.errors) if fail_on != "never" else 0)
    if target.number is not None:
        write_comment_data(comment_path, target, report, fail_on, review)
    write_outputs(env, {"findings": len(report.findings), "blocking": blocking,
                        "report-path": str(report_path), "sarif-path": sarif_path,
                        "policy": which,
                        "comment-data": str(comment_path) if comment_path.exists() else ""})
    post_comment(env, target, report, fail_on, repo_url, run_url, review)
    if report.internal_error:
        return EXIT_ERROR
    return EXIT_FINDINGS if report.exit_code(fail_on) else EXIT_OK


def _reviewed(review: Review, target: Target, env: Mapping[str, str], report: Report,
              fail_on: str, policy_ref: str | None) -> Report:
    """`review_pull_request`, or the report as it is with a note when git cannot say."""
    from gitworthy.config import ConfigError

    try:
        return review_pull_request(review, target, env, report, fail_on, policy_ref)
    except (git.GitError, ConfigError) as exc:
        log(f"gitworthy: the pull request's commits and policy changes were not reviewed: "
            f"{exc}")  # inside stop-commands: git's message may quote the pull request
        review.history_note = ("The pull request's commits and policy changes could not be "
                               "reviewed (see the log).")
        return report


def review_pull_request(review: Review, target: Target, env: Mapping[str, str],
                        report: Report, fail_on: str, policy_ref: str | None) -> Report:
    """Fill `review` for a pull request (policy changes and what they would silence, added
    pragmas) and return `report` with the secrets and personal data of its earlier commits."""
    from gitworthy import policy
    from gitworthy import review as reviewing

    root = git.toplevel(Path.cwd())
    base, head = target.base, target.head
    assert root is not None and base is not None
    fork_point = git.merge_base(base, head)
    if fork_point is None and ensure_merge_base(base, head):
        fork_point = git.merge_base(base, head)
    since = fork_point or base
    config_input = env.get("GITWORTHY_CONFIG") or None
    review.policy_changed = policy.changed(root, since, head, config_input)
    if review.policy_changed:  # scan again under the policy that did not apply, and compare
        other = head if review.policy == "base" else base
        other_fail_on = effective_fail_on(env, other)
        other_report = run_scan(scan_args(target, env, other_fail_on, other))
        if other_report is None:
            whose = "pull request's own" if review.policy == "base" else "base commit's"
            review.silenced_unknown = (f"The {whose} policy cannot be applied (see the log), "
                                       "so what the change would silence is not listed.")
        else:
            other_report = filter_report(other_report,
                                         split_list(env.get("GITWORTHY_PATHS", "")),
                                         split_list(env.get("GITWORTHY_EXCLUDE", "")),
                                         target.only)
            review.silenced = (
                reviewing.silenced(report, fail_on, other_report, other_fail_on)
                if review.policy == "base"
                else reviewing.silenced(other_report, other_fail_on, report, fail_on))
    review.pragmas = reviewing.added_pragmas(root, f"{since}..{head}")
    if fork_point is None:
        review.history_note = ("The pull request's commits were not scanned one by one for "
                               "secrets and personal data: no common history with the base "
                               "branch was found.")
        return report
    config = policy.load(root, policy_ref, config_input, use_baseline=False).config
    check_ids = split_list(env.get("GITWORTHY_CHECKS", "")) or config.checks
    earlier = reviewing.earlier_commits(root, fork_point, head, check_ids, config, policy_ref,
                                        report)
    earlier = filter_report(earlier, split_list(env.get("GITWORTHY_PATHS", "")),
                            split_list(env.get("GITWORTHY_EXCLUDE", "")))
    return report.replace(findings=report.findings + earlier.findings,
                          errors=report.errors + earlier.errors,
                          internal_error=report.internal_error or earlier.internal_error)


def write_comment_data(path: Path, target: Target, report: Report, fail_on: str,
                       review: Review) -> None:
    """What `mode: comment` needs to post the comment from another job (an artifact): the
    JSON report, the pull request and commit, and the review. No value, no token."""
    data = {"version": 1, "number": target.number, "head_sha": target.head,
            "fail_on": fail_on, "scope": target.describe, "review": review.to_json(),
            "report": json.loads(json_report.render(report, fail_on))}
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")


def write_summary(env: Mapping[str, str], report: Report, fail_on: str, repo_url: str,
                  target: Target, review: Review) -> None:
    path = env.get("GITHUB_STEP_SUMMARY")
    if not path:
        return
    from gitworthy.review import sections

    body = markdown.render(report, fail_on, repo_url=repo_url, sha=target.head,
                           max_chars=SUMMARY_LIMIT, collapse_after=None,
                           scope=target.describe, sections=sections(review))
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(body + "\n")


def write_sarif(env: Mapping[str, str], report: Report, fail_on: str) -> str:
    """The SARIF file when the sarif-file input names one; returns its path or ''."""
    target = env.get("GITWORTHY_SARIF_FILE", "").strip()
    if not target:
        return ""
    from gitworthy.report import sarif

    path = Path(target)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(sarif.render(report, fail_on), encoding="utf-8")
    log(f"gitworthy: SARIF written to {path}")
    return str(path)


def entry(env: Mapping[str, str] | None = None) -> int:
    """`main` with a last guard: a bug in the action is exit 2 with a readable error, never
    a traceback's exit 1 (which would read as "blocking findings")."""
    try:
        return main(env)
    except Exception as exc:  # noqa: BLE001 - the guard of last resort
        import traceback

        with commands_off():  # a traceback may quote what the scan read
            traceback.print_exc()
        log(workflow.command("error", f"gitworthy action failed: {type(exc).__name__} "
                                         "(please report it with the log above)",
                                title="gitworthy"))
        return EXIT_ERROR


if __name__ == "__main__":
    raise SystemExit(entry())
