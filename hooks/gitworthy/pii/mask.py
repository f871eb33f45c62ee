"""Masked examples: enough shape to recognise the kind of value, never the value itself.

    mask("123-45-6789", "US_SSN")            -> "***-**-6789"
    mask("john.doe@example.com", "EMAIL_ADDRESS") -> "j***@e***.com"
    mask("Maria Lopez", "PERSON")            -> "M*** L***"
"""
from __future__ import annotations

import re

MAX_SHOWN = 32
_KEEP_TAIL = {"US_SSN", "CREDIT_CARD", "IBAN_CODE", "US_BANK_NUMBER", "PHONE_NUMBER",
              "US_ITIN", "US_MBI", "US_NPI", "UK_NHS", "MEMBER_ID", "US_PASSPORT",
              "US_DRIVER_LICENSE", "MEDICAL_LICENSE", "CRYPTO"}


def mask(value: str, entity: str) -> str:
    """A masked form of `value` for messages (short, separators kept, most characters hidden)."""
    value = " ".join(value.split())[:80]
    if entity == "EMAIL_ADDRESS" and "@" in value:
        return _mask_email(value)
    if entity in ("PERSON", "LOCATION"):
        shown = " ".join(w[0] + "***" for w in value.split() if w)
    elif entity in _KEEP_TAIL:
        shown = _keep_tail(value)
    else:
        shown = re.sub(r"\w", "*", value)
    return shown[:MAX_SHOWN]


def _keep_tail(value: str) -> str:
    """Hide every letter and digit but the last four (all of them when the value is short)."""
    alnum = sum(c.isalnum() for c in value)
    keep = 4 if alnum >= 9 else 0
    out = []
    for c in reversed(value):
        if c.isalnum():
            out.append(c if keep > 0 else "*")
            keep -= 1
        else:
            out.append(c)
    return "".join(reversed(out))


def _mask_email(value: str) -> str:
    local, _, domain = value.rpartition("@")
    host, dot, tld = domain.rpartition(".")
    if not dot:
        host, tld = domain, ""
    masked_local = (local[:1] or "*") + "***"
    masked_host = (host[:1] or "*") + "***"
    return f"{masked_local}@{masked_host}{'.' + tld[:6] if tld else ''}"
