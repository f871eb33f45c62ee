"""GitLab Code Quality report (`artifacts:reports:codequality`), shown in the merge-request
widget and, on higher tiers, in the diff.

A JSON array of issues with the fields GitLab documents: `description`, `check_name`,
`fingerprint`, `severity` (info, minor, major, critical, blocker) and `location.path` with
`location.lines.begin`. GitLab compares the issues of the merge request's pipeline with the
target branch's by fingerprint, so the fingerprint is the finding's own (no line number: an edit
elsewhere in the file does not make an old finding look new). Files that could not be inspected
are issues too, so the widget never shows a clean merge request that the job failed.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any

from gitworthy.engine import Report
from gitworthy.findings import Severity

SEVERITY = {Severity.WARNING: "minor", Severity.ERROR: "major", Severity.CRITICAL: "critical"}
NOT_INSPECTED = "gitworthy-not-inspected"


def _issue(description: str, check_name: str, fingerprint: str, severity: str, path: str,
           line: int | None, categories: list[str]) -> dict[str, Any]:
    return {
        "type": "issue",
        "engine_name": "gitworthy",
        "description": description,
        "check_name": check_name,
        "categories": categories,
        "fingerprint": fingerprint,
        "severity": severity,
        "location": {"path": path, "lines": {"begin": line or 1}},
    }


def render(report: Report, fail_on: str = "error") -> str:
    issues = [
        _issue(f"{f.message}. Fix: {f.hint}", f.rule, f.fingerprint, SEVERITY[f.severity],
               f.path, f.line,
               ["Security"] if f.check in ("check-secrets", "check-pii") or
               f.severity is Severity.CRITICAL else ["Bug Risk"])
        for f in report.findings
    ]
    seen: set[str] = set()
    for error in report.errors:
        raw = f"{NOT_INSPECTED}\x00{error.path}\x00{error.message}"
        digest = hashlib.sha256(raw.encode("utf-8", "surrogateescape")).hexdigest()[:32]
        if digest in seen:
            continue
        seen.add(digest)
        issues.append(_issue(f"could not inspect: {error.message}", NOT_INSPECTED, digest,
                             "info" if fail_on == "never" else "major", error.path, None,
                             ["Bug Risk"]))
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
