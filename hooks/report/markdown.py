"""Markdown: what the pull-request comment and the job summary show."""
from __future__ import annotations

from hooks.engine import Report
from hooks.report.text import summary


def render(report: Report, fail_on: str = "error") -> str:
    lines = ["## gitworthy", "", summary(report, fail_on), ""]
    if report.findings:
        lines += ["| File | Check | What | How to fix |", "|---|---|---|---|"]
        for f in report.findings:
            lines.append(f"| `{f.path}` | {f.rule} | {f.message} | {f.hint} |")
    return "\n".join(lines) + "\n"
