"""Breadth: the true and false cases gitleaks validates each of its rules with
(tests/fixtures/gitleaks/cases.json, extracted by extract.py there; MIT, credited in
tests/fixtures/SOURCES.md), through check-secrets' scanner.

detect-secrets alone finds 2933 of the 6129 true cases (47.9%) and raises 65 false alarms on
the 279 false cases (bench/gitleaks_cases.py measures both tools side by side).
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
from gitworthy.secrets.scanner import scanner

HERE = Path(__file__).resolve().parent / "fixtures" / "gitleaks"
sys.path.insert(0, str(HERE))

from extract import load  # noqa: E402

DETECT_SECRETS_FALSE_ALARMS = 65


def cases(kind: str) -> list[tuple[str, str, str]]:
    """(rule, file name, text) of every true ("tps") or false ("fps") case."""
    return [(rule, name, text) for rule, kinds in load().items() for name, text in kinds[kind]]


def flagged(name: str, text: str) -> bool:
    scan = scanner()
    return not scan.skips_file(name) and bool(scan.scan_text(text + "\n", name))


@pytest.fixture(scope="module")
def true_cases() -> list[tuple[str, str, str]]:
    return cases("tps")


def test_cases_decode_to_what_gitleaks_ships(true_cases):
    assert len(true_cases) > 6000
    assert any("ghp_" in text for _, _, text in true_cases)


def test_finds_nine_in_ten_of_gitleaks_true_cases(true_cases):
    found = sum(flagged(name, text) for _, name, text in true_cases)
    assert found / len(true_cases) >= 0.90, f"{found}/{len(true_cases)}"


def test_fewer_false_alarms_than_detect_secrets_on_gitleaks_false_cases():
    alarms = [(rule, text[:60]) for rule, name, text in cases("fps") if flagged(name, text)]
    assert len(alarms) < DETECT_SECRETS_FALSE_ALARMS, alarms


@pytest.mark.parametrize("rule", ["vault-service-token", "microsoft-teams-webhook",
                                  "slack-webhook-url", "heroku-api-key", "snyk-api-token",
                                  "curl-auth-user"])
def test_families_detect_secrets_misses_are_caught(true_cases, rule):
    texts = [(name, text) for r, name, text in true_cases if r == rule]
    assert texts and any(flagged(name, text) for name, text in texts)
