"""JSON output, exactly the contract in ARCHITECTURE.md (version 1)."""
from __future__ import annotations

import json

from gitworthy import __version__
from gitworthy.engine import Report


def render(report: Report, fail_on: str = "error") -> str:
    document = {
        "version": 1,
        "tool": {"name": "gitworthy", "version": __version__},
        "findings": [f.to_json() for f in report.findings],
        "errors": [e.to_json() for e in report.errors],
        "stats": {"files": report.files, "bytes_read": report.bytes_read,
                  "seconds": report.seconds},
    }
    if report.incomplete:  # interrupted: these are the findings made before the stop
        document["stats"]["incomplete"] = True  # type: ignore[index]
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
