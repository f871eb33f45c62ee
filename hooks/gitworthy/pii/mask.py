"""Masked examples: the shape of a value, never any part of it.

    mask("123-45-6789", "US_SSN")                 -> "***-**-****"
    mask("john.doe@example.com", "EMAIL_ADDRESS") -> "***@***.com"
    mask("Maria Lopez", "PERSON")                 -> "*** ***"

A reviewer finds the value by the column, line or notebook output the finding names; the
example only shows what kind of value it is (its separators, its length class). No initials,
no last four digits, no domain: those identify a person together with the rest of the file.
"""
from __future__ import annotations

import re

MAX_SHOWN = 32


def mask(value: str, entity: str) -> str:
    """A masked form of `value` for messages: separators kept, every letter and digit hidden."""
    value = " ".join(value.split())[:80]
    if entity == "EMAIL_ADDRESS" and "@" in value:
        tld = value.rpartition(".")[2]
        return "***@***." + tld[:6] if tld.isalpha() and tld.isascii() else "***@***"
    if entity in ("PERSON", "LOCATION"):
        return " ".join("***" for _ in value.split()[:4]) or "***"
    return (re.sub(r"\w", "*", value) or "***")[:MAX_SHOWN]
