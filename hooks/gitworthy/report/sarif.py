"""SARIF 2.1.0 for GitHub code scanning (`github/codeql-action/upload-sarif`)."""
from __future__ import annotations

import json
from urllib.parse import quote

from gitworthy import __version__
from gitworthy.checks import all_rules
from gitworthy.engine import Report
from gitworthy.findings import Rule

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
HOME = "https://github.com/gitworthy/gitworthy"


def _rule(rule: Rule) -> dict[str, object]:
    help_text = rule.explain()
    return {
        "id": rule.id,
        "name": "".join(part.title() for part in rule.id.split("-")),
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.what},
        "help": {"text": help_text,
                 "markdown": help_text.replace("\n## ", "\n### ")},
        "helpUri": f"{HOME}#{rule.check}",
        "defaultConfiguration": {"level": rule.severity.level},
        "properties": {"tags": ["gitworthy", rule.check],
                       **({"security-severity": "9.0"} if rule.severity.rank > 2 else {})},
    }


def render(report: Report, fail_on: str = "error") -> str:
    rules = all_rules()
    used = sorted({f.rule for f in report.findings} & rules.keys())
    index = {rule_id: i for i, rule_id in enumerate(used)}
    results = []
    for f in report.findings:
        region = {"startLine": f.line or 1}
        results.append({
            "ruleId": f.rule,
            **({"ruleIndex": index[f.rule]} if f.rule in index else {}),
            "level": f.severity.level,
            "message": {"text": f"{f.message}. Fix: {f.hint}"},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": quote(f.path), "uriBaseId": "%SRCROOT%"},
                "region": region}}],
            "partialFingerprints": {"gitworthy/v1": f.fingerprint},
            "properties": {"check": f.check, "severity": f.severity.value, **f.details},
        })
    notifications = [
        {"level": "error", "message": {"text": f"{e.path}: {e.message}"},
         "locations": [{"physicalLocation": {"artifactLocation": {"uri": quote(e.path)}}}]}
        for e in report.errors
    ]
    document = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "gitworthy", "version": __version__,
                                "informationUri": HOME,
                                "rules": [_rule(rules[r]) for r in used]}},
            "invocations": [{"executionSuccessful": not (report.internal_error
                                                              or report.incomplete),
                             "toolExecutionNotifications": notifications}],
            "results": results,
        }],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
