"""What counts as personal data: entity names, column-name evidence, cheap value tests.

Nothing here imports presidio: these tests decide whether presidio is needed at all.
"""
from __future__ import annotations

import re

# Plain-words names for messages.
LABELS: dict[str, str] = {
    "US_SSN": "US social security numbers",
    "EMAIL_ADDRESS": "e-mail addresses",
    "PHONE_NUMBER": "phone numbers",
    "CREDIT_CARD": "credit card numbers",
    "IBAN_CODE": "IBANs",
    "IP_ADDRESS": "IP addresses",
    "US_DRIVER_LICENSE": "US driver licence numbers",
    "US_PASSPORT": "US passport numbers",
    "US_BANK_NUMBER": "US bank account numbers",
    "US_ITIN": "US taxpayer IDs (ITIN)",
    "UK_NHS": "UK NHS numbers",
    "MEDICAL_LICENSE": "medical licence numbers",
    "US_MBI": "Medicare beneficiary IDs (MBI)",
    "US_NPI": "provider IDs (NPI)",
    "DATE_OF_BIRTH": "dates of birth",
    "MEMBER_ID": "member/patient IDs",
    "PERSON": "person names",
    "LOCATION": "addresses/locations",
    "CRYPTO": "crypto wallet addresses",
}

# Entities whose pattern fires on too many innocent values (UK NHS and NPI checksums accept
# about 9% and 2.4% of random 10-digit numbers; dates are everywhere): they count only with
# evidence, a context word near the value or a column name that says so.
NEEDS_EVIDENCE = frozenset({
    "UK_NHS", "US_NPI", "US_BANK_NUMBER", "US_DRIVER_LICENSE", "US_PASSPORT", "US_ITIN",
    "MEDICAL_LICENSE", "DATE_OF_BIRTH", "MEMBER_ID", "US_MBI",
})

# Column names that say what a column holds (matched on snake_case words of the header).
HEADER_EVIDENCE: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (entity, re.compile(pattern)) for entity, pattern in (
        ("US_SSN", r"(^|_)(ssn|social_security(_number|_no)?|socsec)($|_)"),
        ("EMAIL_ADDRESS", r"(^|_)e_?mail(s|_address|_addr)?($|_)"),
        ("PHONE_NUMBER", r"(^|_)(phone|telephone|tel|mobile|cell|fax)(_?(number|no|num))?($|_)"),
        ("CREDIT_CARD", r"(^|_)(credit_?card|card_?(number|no|num)|cc_?(number|num|no)|pan)"
                        r"($|_)"),
        ("IBAN_CODE", r"(^|_)iban($|_)"),
        ("IP_ADDRESS", r"(^|_)(ip|ip_?addr(ess)?|client_ip|remote_addr)($|_)"),
        ("US_DRIVER_LICENSE", r"(^|_)(driver_?s?_?licen[cs]e|dl_?(number|no|num))($|_)"),
        ("US_PASSPORT", r"(^|_)passport(_?(number|no|num))?($|_)"),
        ("US_BANK_NUMBER", r"(^|_)(bank_?account|account_?(number|no|num)|acct_?(number|no)?)"
                           r"($|_)"),
        ("US_ITIN", r"(^|_)(itin|tin|tax_?id)($|_)"),
        ("UK_NHS", r"(^|_)nhs(_?(number|no|num))?($|_)"),
        ("US_MBI", r"(^|_)(mbi|medicare(_?(id|number|no|num|beneficiary_id))?|hicn)($|_)"),
        ("US_NPI", r"(^|_)(npi|provider_?npi|national_provider(_id)?)($|_)"),
        ("DATE_OF_BIRTH", r"(^|_)(dob|birth_?date|date_of_birth|birth_?day|birth|born|bdate)"
                          r"($|_)"),
        ("MEMBER_ID", r"(^|_)(member|patient|subscriber|beneficiary|enrollee|insured|"
                      r"policyholder)_?(id|number|no|num|key)($|_)|(^|_)(mrn|medical_record"
                      r"(_number|_no)?)($|_)"),
        ("PERSON", r"(^|_)((first|last|full|given|family|middle|sur|maiden|patient|member|"
                   r"customer|client|subscriber|contact|person|user)_?name|fname|lname|"
                   r"surname|name)($|_)"),
        ("LOCATION", r"(^|_)(street|address|addr|address_?line_?\d?|street_?address|"
                     r"home_?address|mailing_?address)($|_)"),
    )
)

# Entities judged from the column name plus a cheap look at the values (no presidio).
HEADER_ONLY = frozenset({"PERSON", "LOCATION", "DATE_OF_BIRTH", "MEMBER_ID"})

_AGREE: dict[str, re.Pattern[str]] = {
    "PERSON": re.compile(r"[^\W\d_][^\W\d_'.\- ]*(?:[ '.\-]+[^\W\d_][^\W\d_'.\-]*){0,4}\.?"),
    "LOCATION": re.compile(r"(?=.*[^\W\d_]{2})(?=.*\d).{6,120}"),
    "DATE_OF_BIRTH": re.compile(
        r"(?:(?:19|20)\d\d[-/.](?:0?[1-9]|1[0-2])[-/.](?:0?[1-9]|[12]\d|3[01])"
        r"|(?:0?[1-9]|[12]\d|3[01])[-/.](?:0?[1-9]|[12]\d|3[01])[-/.](?:(?:19|20)\d\d|\d\d))"
        r"(?:[ T]00:00(?::00)?(?:\.0+)?)?"
        r"|(?:\d{1,2}\s+)?[A-Za-z]{3,9}\.?\s+\d{1,2},?\s+(?:19|20)\d\d"),
    "MEMBER_ID": re.compile(r"(?=[A-Za-z0-9\-]*\d)[A-Za-z0-9\-]{5,24}"),
}
_NOT_A_NAME = re.compile(r"(?i)^(true|false|none|null|nan|n/?a|yes|no|unknown|male|female|"
                         r"m|f|other)$")


def words(header: str) -> str:
    """A header as snake_case words: `PatientDOB` -> `patient_dob`, `e-mail` -> `e_mail`."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", header.strip())
    spaced = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", spaced)
    return "_".join(re.findall(r"[a-z0-9]+", spaced.lower()))


def header_evidence(header: str) -> set[str]:
    """The entities a column's name announces (`member_ssn` -> {"US_SSN"})."""
    name = words(header)
    found = {entity for entity, pattern in HEADER_EVIDENCE if pattern.search(name)}
    if "MEMBER_ID" in found or "US_MBI" in found or "US_NPI" in found:
        found.discard("PERSON")  # `member_id` is not a name; `provider_npi` neither
    if re.search(r"(^|_)(file|host|user|sheet|column|table|model|project|domain|"
                 r"company|product|brand|device|feature|class|item)_?name($|_)", name):
        found.discard("PERSON")
    return found


def agrees(entity: str, value: str) -> bool:
    """A cheap test that a value could be the entity its column name announces."""
    pattern = _AGREE.get(entity)
    if pattern is None or not pattern.fullmatch(value):
        return False
    if entity == "PERSON":
        return not _NOT_A_NAME.match(value) and 2 <= len(value) <= 80
    if entity == "MEMBER_ID":
        return not value.replace("-", "").isdigit() or len(value) >= 6
    return True


_CANDIDATE = re.compile(
    r"@"                                              # e-mail
    r"|\d(?:[ \t\-./()]{0,3}\d){6}"                    # 7+ digits: phone, SSN, card, NPI, date
    r"|\b(?=[A-Za-z0-9]{6,}\b)(?=[A-Za-z]*\d[A-Za-z]*\d)[A-Za-z]*\d[A-Za-z0-9]*\b"  # mixed IDs
    r"|\b\d{1,3}(?:\.\d{1,3}){3}\b"                     # IPv4
    r"|(?i:\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2},?\s+"
    r"\d{4})"                                          # long dates
)


def is_candidate(value: str) -> bool:
    """Could a pattern recognizer match anything here? Every pattern entity needs an '@', a
    run of seven digits (separators allowed), an ID-like token mixing letters and digits, an
    IPv4 address or a written-out date; values without any of these never go to presidio
    (unless a NER model looks for names)."""
    return _CANDIDATE.search(value, 0, 8192) is not None


def is_free_text(values: list[str]) -> bool:
    """A column of sentences (notes, comments) rather than one value per cell."""
    if not values:
        return False
    long = sum(1 for v in values if len(v) > 40 and v.count(" ") >= 4)
    return long * 2 >= len(values)
