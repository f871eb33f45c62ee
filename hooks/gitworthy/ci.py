"""`gitworthy ci`: the right scan for the CI system it runs in.

Each system is one row of SYSTEMS: the variable that marks it, and where it says which commit
is built, which branch a merge request targets (and at which commit), and where a push began.
`plan()` turns the row into a scan: on a merge or pull request, the files it changes
(`BASE...HEAD`), with the policy (configuration, .gitworthyignore, baselines) read at the base,
so a request cannot switch its own check off; on a push, the pushed range; otherwise all
tracked files. Shallow clones get the commits they lack fetched, as the GitHub Action does.

A name `event:a.b` reads GitHub's event payload (GITHUB_EVENT_PATH) instead of a variable.
"""
from __future__ import annotations

import io
import json
import re
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import Any, TextIO

from gitworthy import git

ZERO_SHA = re.compile(r"^0*$")


class CIError(Exception):
    """`gitworthy ci` cannot decide or prepare what to scan; the message says what to do."""


@contextmanager
def _github_commands_off() -> Iterator[None]:
    """Workflow commands off while the repository's text may be printed (the Action's way)."""
    from gitworthy.github.action import commands_off

    with commands_off():
        yield


class _Neutralized(io.TextIOBase):
    """A text stream that writes whole lines with Azure's logging commands (`##vso[`, `##[`)
    neutralized wherever they appear, as Azure's own tasks do for untrusted output."""

    def __init__(self, stream: TextIO) -> None:
        self._stream, self._pending = stream, ""

    def write(self, text: str) -> int:
        lines, newline, self._pending = (self._pending + text).rpartition("\n")
        if newline:
            self._stream.write(neutralize_azure(lines + newline))
        return len(text)

    def flush(self) -> None:
        if self._pending:
            self._stream.write(neutralize_azure(self._pending))
            self._pending = ""
        self._stream.flush()


def neutralize_azure(text: str) -> str:
    return text.replace("##vso[", "##_vso[").replace("##[", "##_[")


@contextmanager
def _azure_commands_off() -> Iterator[None]:
    """Everything printed meanwhile (the report, a library's warning) goes through
    `_Neutralized`."""
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _Neutralized(saved[0]), _Neutralized(saved[1])
    try:
        yield
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        sys.stdout, sys.stderr = saved


@dataclass(frozen=True)
class System:
    """Where one CI system keeps what `gitworthy ci` needs: variable names, first set wins."""

    name: str
    marker: str                          # set only on this system
    head: tuple[str, ...]                # the commit being built
    target_branch: tuple[str, ...] = ()  # merge/pull request: the branch it merges into
    target_commit: tuple[str, ...] = ()  # ... and that branch's commit, when the system says
    before: tuple[str, ...] = ()         # push: the commit the branch was at before
    request: tuple[str, ...] = ()        # merge/pull request: its number
    request_word: str = "pull request"
    request_sign: str = "#"              # how the system writes a request's number
    # while the repository's text may be printed: the system's log commands are inert
    commands_off: Callable[[], AbstractContextManager[None]] = nullcontext


SYSTEMS = (
    System("GitHub Actions", "GITHUB_ACTIONS",
           head=("event:pull_request.head.sha", "GITHUB_SHA"),
           target_branch=("GITHUB_BASE_REF",),
           target_commit=("event:pull_request.base.sha",),
           before=("event:before",),
           request=("event:pull_request.number",),
           commands_off=_github_commands_off),
    System("GitLab CI", "GITLAB_CI",
           head=("CI_COMMIT_SHA",),
           target_branch=("CI_MERGE_REQUEST_TARGET_BRANCH_NAME",),
           target_commit=("CI_MERGE_REQUEST_TARGET_BRANCH_SHA", "CI_MERGE_REQUEST_DIFF_BASE_SHA"),
           before=("CI_COMMIT_BEFORE_SHA",),
           request=("CI_MERGE_REQUEST_IID",),
           request_word="merge request", request_sign="!"),
    System("Azure Pipelines", "TF_BUILD",
           head=("BUILD_SOURCEVERSION",),
           target_branch=("SYSTEM_PULLREQUEST_TARGETBRANCH",),
           request=("SYSTEM_PULLREQUEST_PULLREQUESTNUMBER", "SYSTEM_PULLREQUEST_PULLREQUESTID"),
           commands_off=_azure_commands_off),
    System("Bitbucket Pipelines", "BITBUCKET_BUILD_NUMBER",
           head=("BITBUCKET_COMMIT",),
           target_branch=("BITBUCKET_PR_DESTINATION_BRANCH",),
           target_commit=("BITBUCKET_PR_DESTINATION_COMMIT",),
           request=("BITBUCKET_PR_ID",)),
    System("Jenkins", "JENKINS_URL",
           head=("GIT_COMMIT",),
           target_branch=("CHANGE_TARGET",),
           before=("GIT_PREVIOUS_SUCCESSFUL_COMMIT",),
           request=("CHANGE_ID",),
           request_word="change request"),
)


@dataclass
class Plan:
    """What `gitworthy ci` scans, and how to say it."""

    system: str
    scan_args: list[str]             # `gitworthy scan` arguments selecting the files
    describe: str                    # for the log: what is scanned and why
    policy_ref: str | None = None    # read the policy at this commit (a request's base)
    policy_note: str = "the policy in the working tree"
    fetch_hint: str = ""             # what to fetch locally before the reproduce command
    notes: list[str] = field(default_factory=list)

    def reproduce(self) -> str:
        """The command that scans the same files on a developer's machine."""
        policy = ["--policy-ref", self.policy_ref] if self.policy_ref else []
        command = "gitworthy scan " + " ".join([*self.scan_args, *policy])
        command = re.sub(r"\b([0-9a-f]{12})[0-9a-f]{28,52}\b", r"\1", command)
        return f"{self.fetch_hint} && {command}" if self.fetch_hint else command


def detect(env: Mapping[str, str]) -> System | None:
    """The CI system these variables come from, or None."""
    return next((s for s in SYSTEMS if env.get(s.marker, "").strip()), None)


def _event(env: Mapping[str, str]) -> dict[str, Any]:
    path = env.get("GITHUB_EVENT_PATH", "")
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def value(env: Mapping[str, str], names: tuple[str, ...]) -> str:
    """The first of `names` that is set (an `event:` name reads GitHub's event payload)."""
    for name in names:
        if name.startswith("event:"):
            found: Any = _event(env)
            for key in name[len("event:"):].split("."):
                found = found.get(key) if isinstance(found, dict) else None
            text = "" if found is None or isinstance(found, (dict, list)) else str(found)
        else:
            text = env.get(name, "")
        if text.strip():
            return text.strip()
    return ""


def _short(rev: str | None) -> str:
    return rev[:12] if rev and re.fullmatch(r"[0-9a-f]{40,64}", rev) else (rev or "")


def _commit(rev: str) -> str | None:
    if rev.startswith("-"):
        return None  # never an option to git
    try:
        return git.run(["rev-parse", "--verify", "-q", f"{rev}^{{commit}}"]).decode().strip()
    except git.GitError:
        return None


def _fetch(*refspecs: str) -> bool:
    depth = ["--depth=1"] if git.is_shallow() else []
    try:
        git.run(["-c", "protocol.version=2", "fetch", "--no-tags", "--quiet",
                 "--no-recurse-submodules", *depth, "origin", *refspecs])
        return True
    except git.GitError:
        return False


def _have(rev: str) -> str | None:
    """The commit `rev` names, fetched from origin when this clone lacks it."""
    if rev.startswith("-"):
        return None
    return _commit(rev) or (_commit(rev) if _fetch(rev) else None)


def _target_base(system: System, env: Mapping[str, str], branch: str) -> str:
    """The commit of the request's target: the system's own, else the branch fetched."""
    given = value(env, system.target_commit)
    if given and not ZERO_SHA.match(given) and (found := _have(given)):
        return found
    if branch:
        remote = f"refs/remotes/origin/{branch}"
        _fetch(f"+refs/heads/{branch}:{remote}")
        if found := _commit(remote):
            return found
    what = f"the target branch {branch!r}" if branch else f"the target commit {given[:12]!r}"
    raise CIError(f"cannot fetch {what} from origin: give the clone access to it (a deeper "
                  "clone, or fetch it before this step), or pass --base REV")


def _meet(base: str, head: str) -> bool:
    """Deepen a shallow clone until base and head share history (as the Action does)."""
    from gitworthy.github.action import ensure_merge_base

    return git.merge_base(base, head) is not None or ensure_merge_base(base, head)


def _range(base: str, head: str, notes: list[str]) -> list[str]:
    if _meet(base, head):
        return ["--diff", f"{base}...{head}"]
    notes.append("no common history with the target was found: scanned the difference of "
                 "the two commits")
    return ["--diff", f"{base}..{head}"]


def _policy_notes(base: str, head: str, word: str) -> list[str]:
    """Say which policy files the request changes: they are not applied to its own scan."""
    from gitworthy import policy
    from gitworthy.config import ConfigError

    root = git.toplevel()
    fork = git.merge_base(base, head) or base
    try:
        changed = policy.changed(root, fork, head) if root else []
    except (ConfigError, git.GitError):
        return []
    if not changed:
        return []
    return [f"this {word} changes the policy ({', '.join(changed)}): its changes apply once "
            "it is merged, not to its own scan"]


def plan(env: Mapping[str, str], base: str | None = None) -> Plan:
    """Decide what to scan from the CI variables (or `base`, given by the user)."""
    if git.toplevel() is None:
        raise CIError("not inside a git repository: run gitworthy ci in the checked-out "
                      "repository")
    system = detect(env)
    name = system.name if system else "no CI system recognised"
    head_rev = value(env, system.head) if system else ""
    head = _commit(head_rev or "HEAD")
    if head is None and head_rev:
        from gitworthy.github.action import ensure_commits

        ensure_commits(head_rev)
        head = _commit(head_rev)
    if head is None:
        raise CIError(f"the commit being built ({head_rev or 'HEAD'}) is not in this clone: "
                      "run gitworthy ci in the checked-out repository")
    notes: list[str] = []
    if base:
        found = _have(base)
        if not found:
            raise CIError(f"--base {base}: no such commit here (fetch it first: "
                          f"`git fetch origin {base}`)")
        scan_args = _range(found, head, notes)
        notes += _policy_notes(found, head, "range")
        return Plan(name, scan_args, f"the files changed since {base}",
                    found, f"the policy at {base} ({_short(found)})", notes=notes)
    if system is None:
        raise CIError("no CI system recognised (looked for " +
                      ", ".join(f"{s.marker} ({s.name})" for s in SYSTEMS) +
                      "): give the range with `gitworthy ci --base REV` (a merge request's "
                      "target branch, or the commit before a push), or scan everything with "
                      "`gitworthy scan --all`")
    branch = value(env, system.target_branch).removeprefix("refs/heads/")
    number = value(env, system.request)
    if branch or number or value(env, system.target_commit):
        target = _target_base(system, env, branch)
        what = f"{system.request_word} {system.request_sign + number if number else ''}"
        where = branch or _short(target)
        scan_args = _range(target, head, notes)
        notes += _policy_notes(target, head, system.request_word)
        return Plan(system.name, scan_args,
                    f"the files {what.strip()} changes against {where}", target,
                    f"the policy of the target {where} at {_short(target)} (not the "
                    f"{system.request_word}'s own)",
                    f"git fetch origin {branch}" if branch else "", notes)
    before = value(env, system.before)
    if before and not ZERO_SHA.match(before):
        start = _have(before)
        if start:
            return Plan(system.name, ["--diff", f"{start}..{head}"],
                        f"the files pushed in {_short(start)}..{_short(head)}",
                        notes=notes)
        notes.append(f"the commit before the push ({before[:12]}) is not available: "
                     "scanned all tracked files")
    return Plan(system.name, ["--all"], "all tracked files (no merge request and no pushed "
                "range to compare with)", notes=notes)
