"""`gitworthy report merge`: many repositories' JSON or SARIF reports as one table.

An organisation scans each repository in its own job (a matrix of Action runs, each writing
`--format json` or SARIF) and one job merges them. Each report is named after its file
(`reports/churn-model.json` -> `churn-model`), or after its folder when every file has the
same name (`reports/churn-model/gitworthy.json`, as downloaded artifacts are laid out).
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from gitworthy.config import ConfigError

SEVERITIES = ("critical", "error", "warning")


@dataclass
class Repository:
    """One repository's report, reduced to what the merged table shows."""

    name: str
    files: int | None = None
    findings: list[dict[str, Any]] = field(default_factory=list)  # check, rule, path, severity
    errors: int = 0
    incomplete: bool = False

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f["severity"] == severity)


def read(path: Path, name: str) -> Repository:
    """A gitworthy JSON report or a SARIF file (one line of error when it is neither)."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path}: cannot read the report ({type(exc).__name__})") from None
    if isinstance(document, dict) and document.get("tool", {}).get("name") == "gitworthy":
        stats = document.get("stats", {})
        return Repository(name, stats.get("files"), [
            {key: f.get(key) for key in ("check", "rule", "path", "severity")}
            for f in document.get("findings", [])
        ], len(document.get("errors", [])), bool(stats.get("incomplete")))
    if isinstance(document, dict) and "runs" in document:
        return _from_sarif(document, name)
    raise ConfigError(f"{path}: neither a gitworthy JSON report nor SARIF")


def _from_sarif(document: dict[str, Any], name: str) -> Repository:
    repository = Repository(name)
    for run in document.get("runs", []):
        for result in run.get("results", []):
            properties = result.get("properties", {})
            location = (result.get("locations") or [{}])[0]
            uri = location.get("physicalLocation", {}).get("artifactLocation", {}).get("uri")
            severity = properties.get("severity") or {"error": "error"}.get(
                result.get("level", "warning"), "warning")
            repository.findings.append({"check": properties.get("check", ""),
                                        "rule": result.get("ruleId", ""),
                                        "path": unquote(uri or ""), "severity": severity})
        for invocation in run.get("invocations", []):
            repository.errors += len(invocation.get("toolExecutionNotifications", []))
            repository.incomplete |= invocation.get("executionSuccessful") is False
    return repository


def names(paths: list[Path]) -> list[str]:
    """Each report's repository name: its file's stem, or its folder when stems repeat."""
    stems = [p.stem for p in paths]
    if len(set(stems)) == len(stems):
        return stems
    return [p.parent.name or p.stem for p in paths]


def merge(paths: list[Path]) -> list[Repository]:
    return [read(path, name) for path, name in zip(paths, names(paths), strict=True)]


def render(repositories: list[Repository], fmt: str) -> str:
    if fmt == "json":
        return json.dumps({"version": 1, "repositories": [{
            "name": r.name, "files": r.files, "errors": r.errors, "incomplete": r.incomplete,
            "findings": {s: r.count(s) for s in SEVERITIES},
            "checks": dict(sorted(Counter(f["check"] for f in r.findings).items())),
        } for r in repositories]}, indent=2) + "\n"
    header = ["repository", "files", *SEVERITIES, "not inspected", "top checks"]
    rows = [[r.name + (" (incomplete)" if r.incomplete else ""),
             "" if r.files is None else str(r.files), *(str(r.count(s)) for s in SEVERITIES),
             str(r.errors),
             ", ".join(f"{c} {n}" for c, n in Counter(f["check"] for f in r.findings
                                                      ).most_common(3))]
            for r in sorted(repositories, key=lambda r: (-r.count("critical"),
                                                         -r.count("error"), r.name))]
    totals = ["all", str(sum(r.files or 0 for r in repositories)),
              *(str(sum(r.count(s) for r in repositories)) for s in SEVERITIES),
              str(sum(r.errors for r in repositories)), ""]
    if fmt == "markdown":
        def line(cells: list[str]) -> str:
            return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

        return "\n".join([line(header), line(["---"] * len(header)), *map(line, rows),
                          line([f"**{c}**" if c else c for c in totals])]) + "\n"
    table = [header, *rows, totals]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
                     for row in table) + "\n"
