"""Runs checks over a source's files, applies ignores, pragmas and the baseline, and
collects findings and errors into a Report."""
from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence

from gitworthy.checks import load
from gitworthy.config import Config, ConfigError
from gitworthy.findings import Finding, InspectionError, ScanError, Severity
from gitworthy.records import Record
from gitworthy.runner import Verdict, WorkerLost, judge_all
from gitworthy.sources import Context, File, Source

TYPE_CHECKING = False  # typing costs a hook's start-up 2 ms; mypy reads the block
if TYPE_CHECKING:
    from typing import Any

    from gitworthy.cache import Cache
    from gitworthy.runner import Checks

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
PRAGMA = re.compile(rb"gitworthy:\s*allow(?:[ \t]+([\w,\- \t]+))?")
PRAGMA_MAX_LINE = 64 * 1024  # a longer line is read in chunks of this size


class Report(Record):
    """Everything one scan found."""

    def __init__(self, findings: list[Finding] | None = None,
                 errors: list[ScanError] | None = None, files: int = 0, bytes_read: int = 0,
                 seconds: float = 0.0, baselined: int = 0, allowed: int = 0,
                 internal_error: bool = False, incomplete: bool = False,
                 checks: list[str] | None = None, scanned: list[str] | None = None,
                 bindings: dict[str, dict[str, Any]] | None = None) -> None:
        self.findings: list[Finding] = [] if findings is None else findings
        self.errors: list[ScanError] = [] if errors is None else errors
        self.files = files
        self.bytes_read = bytes_read
        self.seconds = seconds
        self.baselined = baselined
        self.allowed = allowed
        self.internal_error = internal_error
        self.incomplete = incomplete  # interrupted: what was found before the stop
        self.checks: list[str] = [] if checks is None else checks  # the checks that ran
        self.scanned: list[str] = [] if scanned is None else scanned  # paths judged, in order
        self.bindings: dict[str, dict[str, Any]] = {} if bindings is None else bindings

    def blocking(self, fail_on: str) -> list[Finding]:
        """The findings that fail the run under `--fail-on`."""
        if fail_on == "never":
            return []
        floor = Severity(fail_on).rank
        return [f for f in self.findings if f.severity.rank >= floor]

    def exit_code(self, fail_on: str) -> int:
        """0 nothing blocking; 1 blocking findings or files that could not be inspected;
        2 an internal error or an interrupted scan."""
        if self.internal_error or self.incomplete:
            return EXIT_ERROR
        if self.blocking(fail_on) or (self.errors and fail_on != "never"):
            return EXIT_FINDINGS
        return EXIT_OK


# A baseline entry binds what it accepted: a model's entry holds the content's SHA-256 and
# stops matching when the bytes change (a model swapped for an executable pickle); a large
# file's entry holds its size and stops matching when the file grows past it.
BIND_CONTENT = frozenset({"check-serialized-models"})
BIND_SIZE = frozenset({"check-large-files"})


class Baseline(dict[str, dict[str, object]]):
    """Accepted findings: fingerprint -> the entry (with its binding, when it has one).
    Entries written before bindings existed match by fingerprint alone."""

    def accepts(self, finding: Finding, file: File, digests: dict[str, str]) -> bool:
        entry = self.get(finding.fingerprint)
        if entry is None:
            return False
        size, sha256 = entry.get("size"), entry.get("sha256")
        if isinstance(size, int) and file.size > size:
            return False
        if isinstance(sha256, str):
            return sha256 == _digest(file, digests)
        return True


def binding(finding: Finding, file: File, digests: dict[str, str]) -> dict[str, Any]:
    """What a baseline entry for this finding must bind: content hash or size, or nothing."""
    if finding.check in BIND_CONTENT and not file.is_symlink:
        return {"sha256": _digest(file, digests)}
    if finding.check in BIND_SIZE:
        return {"size": file.size}
    return {}


def _digest(file: File, digests: dict[str, str]) -> str:
    """SHA-256 of a file's content, streamed, once per file."""
    if file.path not in digests:
        import hashlib

        sha = hashlib.sha256()
        with file.open() as stream:
            while chunk := stream.read(1 << 20):
                sha.update(chunk)
        digests[file.path] = sha.hexdigest()
    return digests[file.path]


def load_baseline(path: str) -> Baseline:
    """The findings a baseline file accepts, with what each entry binds."""
    import json

    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
        return Baseline((entry["fingerprint"], entry) for entry in data["findings"])
    except FileNotFoundError:
        message = f"{path}: baseline file not found (write one: gitworthy baseline)"
        raise ConfigError(message) from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"{path}: not a gitworthy baseline file ({type(exc).__name__})") from None


def write_baseline(path: str, findings: Sequence[Finding],
                   errors: Sequence[ScanError] = (),
                   bindings: dict[str, dict[str, Any]] | None = None) -> None:
    """Record findings as accepted: fingerprint, check, rule, path and what the entry binds
    (a model's content hash, a large file's size; never content); and files that could not
    be inspected, by blob (rule `not-inspected`)."""
    import json

    bindings = bindings or {}
    entries = sorted(
        [*({"fingerprint": f.fingerprint, "check": f.check, "rule": f.rule, "path": f.path,
            **bindings.get(f.fingerprint, {})} for f in findings),
         *({"fingerprint": e.fingerprint, "check": e.message.split(":", 1)[0],
            "rule": "not-inspected", "path": e.path} for e in errors if e.fingerprint)],
        key=lambda e: (e["path"], e["check"], e["rule"], e["fingerprint"]),
    )
    unique = list({e["fingerprint"]: e for e in entries}.values())
    with open(path, "w", encoding="utf-8") as fh:
        json.dump({"version": 1, "findings": unique}, fh, indent=2)
        fh.write("\n")


def _ignore_spec(context: Context, patterns: Sequence[str]) -> Any:
    """One pathspec for `.gitworthyignore` (as the scan's policy sees it) plus configured
    `exclude` patterns (or None)."""
    lines = list(patterns)
    ignore_file = context.policy_file(".gitworthyignore")
    if ignore_file is not None:
        lines += ignore_file.decode("utf-8", "replace").splitlines()
    if not lines:
        return None
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(lines)


def _allowed_by_pragma(file: File, finding: Finding) -> bool:
    """True when the finding's line carries `gitworthy: allow` (optionally naming the check
    or rule). Only text lines are read, up to the finding's line."""
    if finding.line is None or finding.line < 1 or file.is_symlink:
        return False
    if b"\0" in file.head(8192):
        return False
    number = 1
    with file.open() as stream:
        while number <= finding.line:
            chunk = stream.readline(PRAGMA_MAX_LINE)  # a huge line comes in bounded chunks
            if not chunk:
                return False
            if number == finding.line and (match := PRAGMA.search(chunk)):
                names = [n for n in re.split(r"[,\s]+", (match.group(1) or b"").decode()) if n]
                return not names or finding.check in names or finding.rule in names
            if chunk.endswith(b"\n"):
                number += 1
    return False


def scan(source: Source, check_ids: Sequence[str], config: Config,
         baseline: Baseline | set[str] | None = None, jobs: int = 1, bind: bool = False,
         progress: Callable[[int, int, str], None] | None = None,
         cache: Cache | None = None) -> Report:
    """Run the checks on every file of the source and collect a Report. `jobs` > 1 judges
    files in that many worker processes (same report); `progress(done, total, path)` is
    called after each file. An interrupt (KeyboardInterrupt) ends the scan early with what
    was found so far, marked incomplete. With `bind`, the Report holds what a baseline
    entry of each finding binds (`gitworthy baseline`). A `cache` (gitworthy.cache) reuses
    verdicts from earlier runs."""
    started = time.perf_counter()
    report = Report(errors=[ScanError(p, m) for p, m in source.errors])
    checks = {cid: (load(cid), config.options(cid)) for cid in check_ids}
    checks = {cid: check for cid, check in checks.items() if check[1]["enabled"]}
    report.checks = list(checks)
    tasks = _tasks(source, checks, config)
    seen: set[tuple[str, ...]] = set()
    try:
        judgements = judge_all(tasks, checks, source.context, jobs, cache)
        for done, judged in enumerate(judgements, 1):
            report.files += 1
            report.scanned.append(judged.file.path)
            report.bytes_read += judged.bytes_read
            for cid, verdict in judged.verdicts.items():
                _collect(report, judged.file, verdict, checks[cid][1], baseline, seen,
                         source.context, bind)
            judged.file.release()
            if progress is not None:
                progress(done, len(tasks), judged.file.path)
    except KeyboardInterrupt:
        report.incomplete = True
    except WorkerLost as exc:
        report.incomplete = report.internal_error = True
        report.errors.append(ScanError("", str(exc)))
    if baseline and report.errors:
        accepted = [e for e in report.errors if e.fingerprint and e.fingerprint in baseline]
        report.errors = [e for e in report.errors if e not in accepted]
        report.baselined += len(accepted)
    report.seconds = round(time.perf_counter() - started, 3)
    return report


def history_hint(finding: Finding, commit: str, context: Context) -> str:
    """In a history scan `git rm --cached` is no cure: the content is in old commits. Point at
    `gitworthy history`, keeping the check's own hint for a path still in the tree."""
    if finding.check in ("check-adhoc-filenames", "check-local-paths"):
        plan = (f"in history since {commit[:12]}: old versions need no rewrite; fix it where "
                "it is still in use")
    else:
        plan = (f"in history since {commit[:12]}: `gitworthy history` plans how to remove it "
                "from every commit (it rewrites nothing itself)")
    if finding.severity is Severity.CRITICAL or finding.check in ("check-secrets", "check-pii"):
        plan += "; rewriting history does not un-leak it: rotate or report it too"
    if finding.path in context.head_paths:
        return f"{plan}; still at HEAD: {finding.hint}"
    return plan


def _tasks(source: Source, checks: Checks, config: Config) -> list[tuple[File, list[str]]]:
    """Each file not ignored, with the checks not excluded for it."""
    ignore = _ignore_spec(source.context, config.exclude)
    excluded = {cid: _spec(opts["exclude"]) for cid, (_, opts) in checks.items()
                if opts["exclude"]}
    return [(file, [cid for cid in checks
                    if cid not in excluded or not excluded[cid].match_file(file.path)])
            for file in source.files if ignore is None or not ignore.match_file(file.path)]


def _collect(report: Report, file: File, verdict: Verdict, options: dict[str, Any],
             baseline: Baseline | set[str] | None, seen: set[tuple[str, ...]], context: Context,
             bind: bool = False) -> None:
    """One check's verdict on one file into the report: severity and commit, then one
    finding per fingerprint, less those the baseline or a pragma accepts."""
    blob = "" if verdict.internal_error else getattr(file, "sha", "")  # a baseline may accept it
    report.errors += [ScanError(file.path, message, blob) for message in verdict.errors]
    report.internal_error |= verdict.internal_error
    digests: dict[str, str] = {}
    for finding in verdict.findings:
        if options["severity"]:
            finding = finding.replace(severity=Severity(options["severity"]))
        if file.commit:
            finding = finding.replace(details={**finding.details, "commit": file.commit},
                                      hint=history_hint(finding, file.commit, context))
        if finding.identity in seen:
            continue  # one finding per folder-level or repeated problem
        seen.add(finding.identity)
        if baseline and _accepted(baseline, finding, file, digests):
            report.baselined += 1
        elif _allowed_by_pragma(file, finding):
            report.allowed += 1
        else:
            report.findings.append(finding)
            if bind:
                report.bindings[finding.fingerprint] = _bound(finding, file, digests)


def _accepted(baseline: Baseline | set[str], finding: Finding, file: File,
              digests: dict[str, str]) -> bool:
    if not isinstance(baseline, Baseline):
        return finding.fingerprint in baseline
    try:
        return baseline.accepts(finding, file, digests)
    except (OSError, InspectionError):
        return False  # the content cannot be read back: not shown to be what was accepted


def _bound(finding: Finding, file: File, digests: dict[str, str]) -> dict[str, Any]:
    try:
        return binding(finding, file, digests)
    except (OSError, InspectionError):
        return {}


def _spec(patterns: Sequence[str]) -> Any:
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(patterns)
