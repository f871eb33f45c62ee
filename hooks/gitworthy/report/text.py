"""Human-readable output: grouped by file, a hint under each finding, a one-line summary."""
from __future__ import annotations

import sys
from collections import Counter
from itertools import groupby

from gitworthy.engine import Report

COLORS = {"critical": "\033[1;31m", "error": "\033[31m", "warning": "\033[33m",
          "path": "\033[1m", "hint": "\033[2m",
          "ok": "\033[32m", "end": "\033[0m"}


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary(report: Report, fail_on: str) -> str:
    """One line: what was found, what blocks, what was scanned."""
    parts = []
    if report.findings:
        counts = Counter(f.severity.value for f in report.findings)
        kinds = ", ".join(_plural(counts[s], s) if s != "critical" else f"{counts[s]} critical"
                          for s in ("critical", "error", "warning") if counts[s])
        files = len({f.path for f in report.findings})
        parts.append(f"{_plural(len(report.findings), 'finding')} ({kinds}) in "
                     f"{_plural(files, 'file')}")
    else:
        parts.append("no findings")
    if report.errors:
        unreadable = len({e.path for e in report.errors})
        parts.append(f"{_plural(unreadable, 'file')} could not be inspected")
    if report.baselined:
        parts.append(f"{report.baselined} accepted by the baseline")
    if report.allowed:
        parts.append(f"{report.allowed} allowed by pragma")
    verdict = "blocked" if report.exit_code(fail_on) else "passed"
    if report.incomplete:
        verdict = "INTERRUPTED, the report is incomplete"
    return (f"gitworthy {verdict}: {'; '.join(parts)}; {_plural(report.files, 'file')} "
            f"scanned in {report.seconds:.2f}s")


def by_rule(report: Report) -> str:
    """One line: how many findings each rule has, most first (`large-data-file 3, ...`)."""
    counts = Counter((f.check, f.rule) for f in report.findings)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return "by rule: " + ", ".join(f"{rule} ({check}) {n}" for (check, rule), n in ranked)


def render(report: Report, fail_on: str = "error", color: bool = False) -> str:
    """The report as text; ANSI colours only when `color` (a terminal)."""
    def paint(kind: str, text: str) -> str:
        return f"{COLORS[kind]}{text}{COLORS['end']}" if color else text

    lines: list[str] = []
    ordered = sorted(report.findings, key=lambda f: (f.path, f.line or 0, f.check, f.rule))
    for path, group in groupby(ordered, key=lambda f: f.path):
        for f in group:
            where = f"{path}:{f.line}" if f.line else path
            commit = f" (added in {f.details['commit'][:12]})" if f.details.get("commit") else ""
            lines.append(f"{paint('path', where)}: {paint(f.severity.value, f.severity.value)} "
                         f"{f.check} [{f.rule}] {f.message}{commit}")
            lines.append(paint("hint", f"    hint: {f.hint}"))
        lines.append("")
    for error in report.errors:
        lines.append(f"{paint('path', error.path)}: {paint('error', 'could not inspect')}: "
                     f"{error.message}")
    if report.errors:
        lines.append("")
    if report.findings:
        lines.append(by_rule(report))
    lines.append(paint("error" if report.exit_code(fail_on) else "ok", summary(report, fail_on)))
    return "\n".join(lines) + "\n"


def safe_output() -> None:
    """File names that are not valid UTF-8 print as escapes instead of crashing the output."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
