"""Runs checks over a source's files, applies ignores, pragmas and the baseline, and
collects findings and errors into a Report."""
from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gitworthy.checks import load
from gitworthy.config import Config, ConfigError
from gitworthy.findings import Finding, InspectionError, ScanError, Severity
from gitworthy.sources import Context, File, Source

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
PRAGMA = re.compile(rb"gitworthy:\s*allow(?:[ \t]+([\w,\- \t]+))?")
PRAGMA_MAX_LINE = 64 * 1024  # a longer line is read in chunks of this size


@dataclass
class Report:
    """Everything one scan found."""

    findings: list[Finding] = field(default_factory=list)
    errors: list[ScanError] = field(default_factory=list)
    files: int = 0
    bytes_read: int = 0
    seconds: float = 0.0
    baselined: int = 0
    allowed: int = 0
    internal_error: bool = False
    checks: list[str] = field(default_factory=list)   # the checks that ran
    scanned: list[str] = field(default_factory=list)  # the paths judged, in order

    def blocking(self, fail_on: str) -> list[Finding]:
        """The findings that fail the run under `--fail-on`."""
        if fail_on == "never":
            return []
        floor = Severity(fail_on).rank
        return [f for f in self.findings if f.severity.rank >= floor]

    def exit_code(self, fail_on: str) -> int:
        """0 nothing blocking; 1 blocking findings or files that could not be inspected;
        2 an internal error."""
        if self.internal_error:
            return EXIT_ERROR
        if self.blocking(fail_on) or (self.errors and fail_on != "never"):
            return EXIT_FINDINGS
        return EXIT_OK


def load_baseline(path: str) -> set[str]:
    """The fingerprints a baseline file accepts."""
    import json

    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
        return {entry["fingerprint"] for entry in data["findings"]}
    except FileNotFoundError:
        message = f"{path}: baseline file not found (write one: gitworthy baseline)"
        raise ConfigError(message) from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"{path}: not a gitworthy baseline file ({type(exc).__name__})") from None


def write_baseline(path: str, findings: Sequence[Finding],
                   errors: Sequence[ScanError] = ()) -> None:
    """Record findings as accepted: fingerprint, check, rule and path (no content); and files
    that could not be inspected, by blob (rule `not-inspected`)."""
    import json

    entries = sorted(
        [*({"fingerprint": f.fingerprint, "check": f.check, "rule": f.rule, "path": f.path}
           for f in findings),
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
         baseline: set[str] | None = None) -> Report:
    """Run the checks on every file of the source and collect a Report."""
    started = time.perf_counter()
    report = Report(errors=[ScanError(p, m) for p, m in source.errors])
    checks = [(load(cid), config.options(cid)) for cid in check_ids]
    checks = [(module, opts) for module, opts in checks if opts["enabled"]]
    report.checks = [module.ID for module, _ in checks]
    ignore = _ignore_spec(source.context, config.exclude)
    per_check_ignore = {
        module.ID: _spec(opts["exclude"]) for module, opts in checks if opts["exclude"]
    }
    seen: set[str] = set()
    for file in source.files:
        if ignore is not None and ignore.match_file(file.path):
            continue
        report.files += 1
        report.scanned.append(file.path)
        for module, options in checks:
            spec = per_check_ignore.get(module.ID)
            if spec is not None and spec.match_file(file.path):
                continue
            for finding in _run_check(module, file, options, source.context, report):
                if options["severity"]:
                    finding = _with(finding, severity=Severity(options["severity"]))
                if file.commit:
                    finding = _with(finding, details={**finding.details, "commit": file.commit},
                                    hint=history_hint(finding, file.commit, source.context))
                if finding.fingerprint in seen:
                    continue  # one finding per folder-level or repeated problem
                seen.add(finding.fingerprint)
                if baseline and finding.fingerprint in baseline:
                    report.baselined += 1
                elif _allowed_by_pragma(file, finding):
                    report.allowed += 1
                else:
                    report.findings.append(finding)
        report.bytes_read += file.bytes_read
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


def _spec(patterns: Sequence[str]) -> Any:
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(patterns)


def _with(finding: Finding, **changes: Any) -> Finding:
    from dataclasses import replace

    return replace(finding, **changes)


def _run_check(module: Any, file: File, options: dict[str, Any], context: Context,
               report: Report) -> list[Finding]:
    """One check on one file; what goes wrong becomes an error entry, never a traceback."""
    try:
        return list(module.check(file, options, context))
    except InspectionError as exc:
        report.errors.append(ScanError(file.path, f"{module.ID}: {exc}",
                                       getattr(file, "sha", "")))
    except OSError as exc:
        report.errors.append(ScanError(file.path, f"{module.ID}: cannot read file: "
                                                  f"{exc.strerror or type(exc).__name__}"))
    except MemoryError:
        report.errors.append(ScanError(file.path, f"{module.ID}: file too large to inspect"))
    except Exception as exc:  # noqa: BLE001 -- a bug in a check: say so, never print content
        report.internal_error = True
        where = exc.__traceback__
        while where is not None and where.tb_next is not None:
            where = where.tb_next
        line = f"{Path(where.tb_frame.f_code.co_filename).name}:{where.tb_lineno}" if where else "?"
        report.errors.append(ScanError(
            file.path, f"{module.ID}: internal error {type(exc).__name__} at {line} "
                       "(please report it; the file was not inspected)"))
    return []
