"""`mode: comment`: post the pull-request comment from a scan job's artifact, in a
`workflow_run` job that has write permission and never checks out the pull request.

A fork's pull request gets a read-only token, so its scan job cannot comment. The scan job
writes `comment.json` (the JSON report, the pull request's number and head commit, the
review) and uploads it; this job downloads it and comments. The artifact comes from a run of
the fork's pull request, so it is data to check, never code or Markdown to trust: the
pull request must exist with the head commit GitHub says the run was for, every field is
type-checked, and the comment is rendered here, escaped like any other.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from gitworthy.engine import EXIT_ERROR, EXIT_OK, Report
from gitworthy.findings import Finding, ScanError, Severity
from gitworthy.github.client import GitHubClient, GitHubError
from gitworthy.report import github as workflow
from gitworthy.report import markdown
from gitworthy.review import Review

MAX_BYTES = 20 * 1024 * 1024  # a report larger than this is not a report this action wrote
FAIL_ON = ("error", "warning", "never")


class BadArtifact(Exception):
    """The artifact is not one the scan mode wrote, or not for this run's pull request."""


def log(message: str) -> None:
    print(message, flush=True)


def load(path: str) -> dict[str, Any]:
    """The artifact's JSON (bounded in size; an object)."""
    if not path:
        raise BadArtifact("the comment-data input is empty: give the path of the downloaded "
                          "comment.json")
    file = Path(path)
    try:
        if file.stat().st_size > MAX_BYTES:
            raise BadArtifact(f"{path} is larger than {MAX_BYTES // 2**20} MB")
        data = json.loads(file.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise BadArtifact(f"cannot read {path} ({type(exc).__name__}): download the scan "
                          "job's artifact first (actions/download-artifact)") from None
    if not isinstance(data, dict) or data.get("version") != 1:
        raise BadArtifact(f"{path} is not a gitworthy comment.json (version 1)")
    return data


def report_from(data: Mapping[str, Any]) -> Report:
    """A Report from the JSON report contract; anything malformed is refused."""
    def text(item: Mapping[str, Any], key: str) -> str:
        value = item.get(key)
        if not isinstance(value, str):
            raise BadArtifact(f"report field {key!r} is not text")
        return value

    findings, errors = [], []
    for item in data.get("findings") or []:
        if not isinstance(item, dict) or item.get("severity") not in ("critical", "error",
                                                                       "warning"):
            raise BadArtifact("a finding in the report is malformed")
        line = item.get("line")
        findings.append(Finding(text(item, "check"), text(item, "rule"), text(item, "path"),
                                text(item, "message"), text(item, "hint"),
                                Severity(item["severity"]),
                                line if isinstance(line, int) else None,
                                key=text(item, "fingerprint")))
    for item in data.get("errors") or []:
        if not isinstance(item, dict):
            raise BadArtifact("an error entry in the report is malformed")
        errors.append(ScanError(text(item, "path"), text(item, "message")))
    stats = _table(data, "stats")
    files = stats.get("files")
    return Report(findings=findings, errors=errors, files=files if isinstance(files, int) else 0)


def _table(data: Mapping[str, Any], key: str) -> dict[str, Any]:
    """`data[key]` when it is a JSON object, else an empty one."""
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def main(env: Mapping[str, str]) -> int:
    """Comment from the artifact; exit 0 when done (or nothing to say), 2 when refused."""
    from gitworthy.github import comment

    try:
        run = _workflow_run(env)
        data = load(env.get("GITWORTHY_COMMENT_DATA", "").strip())
        number, head = data.get("number"), data.get("head_sha")
        if not isinstance(number, int) or not isinstance(head, str):
            raise BadArtifact("comment.json has no pull-request number or head commit")
        if head != run.get("head_sha"):
            raise BadArtifact(f"comment.json is for commit {head[:12]!r}, but the workflow run "
                              f"was for {str(run.get('head_sha'))[:12]}")
        fail_on = data.get("fail_on") if data.get("fail_on") in FAIL_ON else "error"
        report = report_from(_table(data, "report"))
        review = Review.from_json(_table(data, "review"))
    except BadArtifact as exc:
        log(workflow.command("error", f"gitworthy comment: {exc}", title="gitworthy"))
        return EXIT_ERROR
    token = env.get("GITWORTHY_TOKEN", "")
    client = GitHubClient(env.get("GITHUB_API_URL", "https://api.github.com"), token,
                          env.get("GITHUB_REPOSITORY", ""),
                          backoff=float(env.get("GITWORTHY_RETRY_BACKOFF", "1")))
    try:
        pull = client.pull_request(number)
        if ((pull.get("head") or {}).get("sha")) != head:
            log(workflow.command("notice", f"pull request #{number} has moved on from "
                                 f"{head[:12]} (or is another one): no comment for an old "
                                 "run", title="gitworthy"))
            return EXIT_OK
        server = env.get("GITHUB_SERVER_URL", "https://github.com").rstrip("/")
        repo_url = f"{server}/{env.get('GITHUB_REPOSITORY', '')}"
        marker = comment.marker_for(env.get("GITWORTHY_COMMENT_KEY", ""))
        scope = data.get("scope") if isinstance(data.get("scope"), str) else ""
        from gitworthy.review import sections

        rendered: dict[str, Any] = {
            "fail_on": fail_on, "repo_url": repo_url, "sha": head, "marker": marker,
            "scope": scope, "sections": sections(review),
            "summary_url": str(run.get("html_url") or ""), "rules": markdown.known_rules()}
        body = markdown.render(report, max_chars=markdown.COMMENT_LIMIT - 1024, **rendered)
        short = markdown.render(report, max_chars=6000, **rendered)
        has_news = bool(report.findings or report.errors or review.policy_changed
                        or review.pragmas)
        outcome = comment.upsert(client, number, body, marker=marker, create=has_news,
                                 fallback=short, authors=comment.authors_for(client))
    except GitHubError as exc:
        log(workflow.command("error", f"the gitworthy comment was not written: {exc}",
                             title="gitworthy"))
        return EXIT_ERROR
    log(f"gitworthy: pull-request comment {outcome} (#{number}, from the scan job's report)")
    return EXIT_OK


def _workflow_run(env: Mapping[str, str]) -> dict[str, Any]:
    """The `workflow_run` event's run (GitHub's word for which commit was scanned)."""
    if env.get("GITHUB_EVENT_NAME") != "workflow_run":
        raise BadArtifact("mode: comment runs in a workflow_run job (see the README)")
    try:
        with open(env.get("GITHUB_EVENT_PATH", ""), encoding="utf-8") as fh:
            event = json.load(fh)
    except (OSError, ValueError):
        raise BadArtifact("cannot read the event payload GITHUB_EVENT_PATH") from None
    run = event.get("workflow_run") if isinstance(event, dict) else None
    if not isinstance(run, dict) or not isinstance(run.get("head_sha"), str):
        raise BadArtifact("the event has no workflow_run.head_sha")
    return run
