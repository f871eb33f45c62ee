"""The README's rule table is generated from the rules' own documentation: keep it current."""
from __future__ import annotations

import re
from pathlib import Path

from gitworthy.checks import all_rules
from gitworthy.cli import rules_table

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_rule_table_matches_the_rules() -> None:
    text = README.read_text(encoding="utf-8")
    table = re.search(r"<!-- rules:start -->\n(.*?)<!-- rules:end -->", text, re.S)
    assert table, "README lost its rules markers"
    expected = rules_table(all_rules().values())
    assert table.group(1) == expected, (
        "README rule table is stale: replace it with `gitworthy explain --table`")


def test_readme_first_section_has_exactly_two_commands() -> None:
    text = README.read_text(encoding="utf-8")
    quick = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert quick.count("```bash") == 2
