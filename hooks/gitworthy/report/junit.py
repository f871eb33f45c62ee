"""JUnit XML, the test-report format GitLab (`artifacts:reports:junit`), Azure Pipelines
(`PublishTestResults`, JUnit) and Jenkins (`junit` step) all show.

One `<testsuite>` per check, one `<testcase>` per file and check (classname the check, name the
path). A finding that blocks under `--fail-on` is a `<failure>` (type: the rule); one that does
not block is written to the case's `<system-out>`, so the test view agrees with the exit code. A
file that could not be inspected is an `<error>`. A scan of very many files keeps a case for
every file with something to say and folds the clean ones into one passing case per check.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict

from gitworthy.engine import Report
from gitworthy.findings import Finding

MAX_CASES = 20_000  # above this, clean files fold into one case per check
SCAN_SUITE = "gitworthy"  # errors not tied to one check (a file that is not a regular file)
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_text(text: str) -> str:
    """Text XML 1.0 can hold: undecodable bytes and control characters become escapes."""
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _describe(f: Finding) -> str:
    where = f"{f.path}:{f.line}" if f.line else f.path
    return f"{where}: {f.severity.value} [{f.rule}] {f.message}\n    hint: {f.hint}"


def _attributed(message: str, checks: list[str]) -> tuple[str, str]:
    """(check, message) for an error message the engine prefixed with its check id."""
    check, sep, rest = message.partition(": ")
    return (check, rest) if sep and check in checks else (SCAN_SUITE, message)


def render(report: Report, fail_on: str = "error") -> str:
    checks = list(report.checks) or sorted({f.check for f in report.findings})
    blocking = {id(f) for f in report.blocking(fail_on)}
    findings: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for f in report.findings:
        findings[f.check, f.path].append(f)
    errors: dict[tuple[str, str], list[str]] = defaultdict(list)
    for e in report.errors:
        check, message = _attributed(e.message, checks)
        errors[check, e.path].append(message)
    paths = list(dict.fromkeys(report.scanned))
    fold = len(paths) * len(checks) > MAX_CASES

    root = ET.Element("testsuites", name="gitworthy", time=f"{report.seconds:.3f}")
    totals = {"tests": 0, "failures": 0, "errors": 0}
    suites = checks + ([SCAN_SUITE] if any(c == SCAN_SUITE for c, _ in errors) else [])
    for check in suites:
        suite = ET.SubElement(root, "testsuite", name=check)
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        noted = {p for c, p in (*findings, *errors) if c == check}
        every = not fold and check != SCAN_SUITE
        listed = list(paths) if every else [p for p in paths if p in noted]
        listed += sorted(noted - set(listed))
        for path in listed:
            case = ET.SubElement(suite, "testcase", classname=check, name=_xml_text(path),
                                 file=_xml_text(path), time="0")
            counts["tests"] += 1
            mine = findings.get((check, path), [])
            failing = [f for f in mine if id(f) in blocking]
            if failing:
                counts["failures"] += 1
                first = failing[0]
                more = f" (and {len(failing) - 1} more)" if len(failing) > 1 else ""
                failure = ET.SubElement(case, "failure", type=first.rule,
                                        message=_xml_text(f"{first.message}{more}"))
                failure.text = _xml_text("\n".join(_describe(f) for f in failing))
            quiet = [f for f in mine if id(f) not in blocking]
            if quiet:
                out = ET.SubElement(case, "system-out")
                out.text = _xml_text("\n".join(
                    f"{_describe(f)}\n    (does not block with --fail-on {fail_on})"
                    for f in quiet))
            if problems := errors.get((check, path)):
                text = _xml_text("could not inspect: " + "; ".join(problems))
                if fail_on == "never":
                    ET.SubElement(case, "system-err").text = text
                else:
                    counts["errors"] += 1
                    ET.SubElement(case, "error", type="not-inspected", message=text).text = text
        clean = 0 if every or check == SCAN_SUITE else len(set(paths) - noted)
        if clean:
            ET.SubElement(suite, "testcase", classname=check,
                          name=f"{clean} other files: nothing found", time="0")
            counts["tests"] += 1
        for key, value in counts.items():
            suite.set(key, str(value))
        for key in totals:
            totals[key] += counts[key]
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"
