"""GitHub workflow-command annotations (`::error file=...::message`).

GitHub shows at most 10 error and 10 warning annotations per step (50 per job), so the most
important ones are emitted (blocking first, then by path) and a notice counts the rest.
Paths and messages are escaped as workflow commands require, so a file name with a newline
or `::` cannot smuggle a command into the log.
"""
from __future__ import annotations

from gitworthy.engine import Report
from gitworthy.findings import Finding
from gitworthy.report.text import visible

PER_KIND = 10  # annotations GitHub displays per step for each of error / warning / notice


def escape_data(text: str) -> str:
    """Escaped for a workflow command; other control characters (ESC of a colour code that
    would paint a fake result into the log) are shown as escapes."""
    escaped = str(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return visible(escaped)


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(kind: str, message: str, **properties: object) -> str:
    """One workflow command line, everything escaped."""
    props = ",".join(f"{k}={escape_property(str(v))}" for k, v in properties.items()
                     if v not in (None, ""))
    return f"::{kind}{' ' + props if props else ''}::{escape_data(message)}"


def _annotation(kind: str, f: Finding) -> str:
    return command(kind, f"{f.message}\nhint: {f.hint}", file=f.path, line=f.line,
                   title=f"{f.check}: {f.rule}")


def render(report: Report, fail_on: str = "error", *, per_kind: int = PER_KIND,
           summary_hint: str = "the job summary") -> str:
    """Annotations for the findings (blocking ones as errors, the others as warnings) and
    the files that could not be inspected, at most `per_kind` of each kind."""
    blocking = {f.fingerprint for f in report.blocking(fail_on)}
    ordered = sorted(report.findings, key=lambda f: (f.fingerprint not in blocking,
                                                     -f.severity.rank, f.path, f.line or 0))
    counts = {"error": 0, "warning": 0}
    lines: list[str] = []
    hidden = 0
    for f in ordered:
        kind = "error" if f.fingerprint in blocking else "warning"
        if counts[kind] >= per_kind:
            hidden += 1
            continue
        counts[kind] += 1
        lines.append(_annotation(kind, f))
    for error in report.errors:
        kind = "warning" if fail_on == "never" else "error"
        if counts[kind] >= per_kind:
            hidden += 1
            continue
        counts[kind] += 1
        lines.append(command(kind, f"could not inspect: {error.message}", file=error.path,
                             title="gitworthy: file not inspected"))
    if hidden:
        lines.append(command("notice", f"{hidden} more gitworthy "
                                       f"{'annotation' if hidden == 1 else 'annotations'} not "
                                       f"shown (GitHub shows {per_kind} per kind and step): "
                                       f"see {summary_hint}", title="gitworthy"))
    return "\n".join(lines) + ("\n" if lines else "")
