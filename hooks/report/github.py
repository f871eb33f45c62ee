"""GitHub workflow-command annotations (`::error file=...::message`)."""
from __future__ import annotations

from hooks.engine import Report


def render(report: Report, fail_on: str = "error") -> str:
    lines = []
    for f in report.findings:
        line = f",line={f.line}" if f.line else ""
        lines.append(f"::{f.severity.value} file={f.path}{line},title={f.rule}::{f.message}")
    return "\n".join(lines) + ("\n" if lines else "")
