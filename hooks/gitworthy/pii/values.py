"""What a value is: cheap recognizers with checksums, no presidio, no model.

    for match in find("call 05 34 55 34 91 or mail ann@example.org"):
        match.entity, match.start, match.end, match.level

A digit run is judged whole: one that is part of a decimal number, an exponent, a longer
number, a word or a path is never a card, an account or an ID. Each match has a level:

- STRONG: the value is the entity wherever it appears (an e-mail, a dashed SSN, a card number
  written in groups that passes Luhn, an IBAN, an Italian fiscal code...).
- WEAK: a checksummed number that random numbers pass about one time in ten: it counts in a
  column when enough of the column's values are one, and in text only next to a context word.
- EVIDENCE: a shape many innocent values have (nine plain digits, a date): it counts only
  when the column's name or a context word in the same cell or line says what it is.

`find` is cached on the text alone: context is applied by the caller, never remembered here.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from typing import Any

STRONG, WEAK, EVIDENCE = 2, 1, 0

# a number starts where no digit, letter, decimal point, exponent, path or hyphenated chain of
# digits (an ISBN: 978-0-417-77631-6) runs into it
_B = r"(?<![\w/])(?<!\d[.,\-])(?<![eE][+-])"
_E = r"(?![\w/])(?![.,\-]\d)"


@dataclass(frozen=True)
class Match:
    entity: str
    start: int
    end: int
    level: int


# ---------------------------------------------------------------- checksums

def luhn(digits: str) -> bool:
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = int(c) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def _weighted(digits: str, weights: tuple[int, ...], modulus: int) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=False)) % modulus


_VERHOEFF = (
    "0123456789", "1234067895", "2340178956", "3401289567", "4012395678",
    "5987604321", "6598710432", "7659821043", "8765932104", "9876543210")
_VERHOEFF_P = ("0123456789", "1576283094", "5803796142", "8916043527", "9453126870",
               "4286573901", "2793806415", "7046913258")


def verhoeff(digits: str) -> bool:
    check = 0
    for i, c in enumerate(reversed(digits)):
        check = int(_VERHOEFF[check][int(_VERHOEFF_P[i % 8][int(c)])])
    return check == 0


def iban_ok(compact: str) -> bool:
    length = _IBAN_LENGTHS.get(compact[:2])
    if length is None or len(compact) != length:
        return False
    moved = compact[4:] + compact[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


_IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BR": 29, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20,
    "EG": 29, "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18,
    "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IS": 26, "IT": 27, "JO": 30,
    "KW": 30, "KZ": 20, "LB": 28, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MD": 24,
    "ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18, "NO": 15, "PK": 24, "PL": 28,
    "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24, "SE": 24, "SI": 19, "SK": 24,
    "SM": 27, "TN": 24, "TR": 26, "UA": 29, "VG": 24, "XK": 20,
}


def _card_ok(digits: str) -> bool:
    if not 13 <= len(digits) <= 19 or not luhn(digits):
        return False
    two, four = int(digits[:2]), int(digits[:4])
    return (digits[0] == "4" or 51 <= two <= 55 or 2221 <= four <= 2720 or two in (34, 37)
            or digits.startswith(("6011", "65", "35", "36", "38", "300", "301", "302", "303",
                                  "304", "305", "62")))


def _ssn_ok(area: str, group: str, serial: str) -> bool:
    return area not in ("000", "666") and area[0] != "9" and group != "00" and serial != "0000"


def _itin_ok(area: str, group: str) -> bool:
    return area[0] == "9" and (70 <= int(group) <= 88 or 90 <= int(group) <= 99) \
        and group != "89" and group != "93"


def _nhs_ok(d: str) -> bool:
    check = 11 - _weighted(d, (10, 9, 8, 7, 6, 5, 4, 3, 2), 11)
    return (0 if check == 11 else check) == int(d[9]) and check != 10


def _npi_ok(d: str) -> bool:
    return d[0] in "12" and luhn("80840" + d)


def _nir_ok(value: str) -> bool:
    body = value[:13].replace("2A", "19").replace("2B", "18")
    return body.isdigit() and 97 - int(body) % 97 == int(value[13:])


def _pesel_ok(d: str) -> bool:
    month = int(d[2:4]) % 20
    return 1 <= month <= 12 and 1 <= int(d[4:6]) <= 31 and \
        (10 - _weighted(d, (1, 3, 7, 9, 1, 3, 7, 9, 1, 3), 10)) % 10 == int(d[10])


def _de_idnr_ok(d: str) -> bool:
    if d[0] == "0" or len(set(d[:10])) not in (8, 9):
        return False
    product = 10
    for c in d[:10]:
        total = (int(c) + product) % 10 or 10
        product = (total * 2) % 11
    return (11 - product) % 10 == int(d[10])


def _sin_ok(d: str) -> bool:
    return d[0] not in "08" and luhn(d)


def _tfn_ok(d: str) -> bool:
    weights = (1, 4, 3, 7, 5, 8, 6, 9, 10) if len(d) == 9 else (10, 7, 8, 4, 6, 3, 5, 1)
    return _weighted(d, weights, 11) == 0


def _bsn_ok(d: str) -> bool:
    return d != "000000000" and \
        (_weighted(d[:8], (9, 8, 7, 6, 5, 4, 3, 2), 11) - int(d[8])) % 11 == 0


_NIF_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"  # pragma: allowlist secret (the DNI letter table)


def _nif_ok(value: str) -> bool:
    number = str("XYZ".index(value[0])) + value[1:-1] if value[0] in "XYZ" else value[:-1]
    return number.isdigit() and _NIF_LETTERS[int(number) % 23] == value[-1]


_CF_ODD = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22,
           25, 24, 23]


def _fiscal_code_ok(value: str) -> bool:
    total = 0
    for i, c in enumerate(value[:15]):
        n = int(c) if c.isdigit() else ord(c) - 65
        total += _CF_ODD[n] if i % 2 == 0 else n
    return chr(65 + total % 26) == value[15]


# ---------------------------------------------------------------- phone numbers

_PHONE_REGIONS = {  # by the national number's first digit and length: where to try it
    "0": ("FR", "GB", "DE", "NL", "AU", "IN", "IT", "BE", "CH", "AT", "IE"),
    "1-9": ("US", "ES", "PL", "IT", "IN", "PT", "DE"),
}


@lru_cache(maxsize=8192)
def phone_valid(text: str) -> bool:
    """A valid number in one of the supported regions (or any, written with +country)."""
    import phonenumbers

    digits = re.sub(r"\D", "", text)
    if text.lstrip().startswith(("+", "00")):
        candidates: tuple[str | None, ...] = (None,)
        text = "+" + text.lstrip()[2:] if text.lstrip().startswith("00") else text
    else:
        candidates = _PHONE_REGIONS["0" if digits.startswith("0") else "1-9"]
    for region in candidates:
        try:
            number = phonenumbers.parse(text, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return True
    return False


# ---------------------------------------------------------------- recognizers

Recognizer = Callable[[re.Match[str]], "tuple[str, int] | None"]
_RECOGNIZERS: list[tuple[int, str, str, Recognizer]] = []


def recognizer(pattern: str, needs: tuple[int, str]) -> Callable[[Recognizer], Recognizer]:
    """Register a pattern and its judge; `needs` is what a text must have for the pattern to
    be tried at all: (digits, and "@", ":" or "A" for an upper-case letter)."""
    def register(judge: Recognizer) -> Recognizer:
        _RECOGNIZERS.append((needs[0], needs[1], pattern, judge))
        return judge
    return register


@recognizer(r"(?<![\w.%+\-])[^\W_][\w.%+\-]{0,63}@(?:[^\W_](?:[\w\-]{0,61}[^\W_])?\.)+"
            r"[^\W\d_]{2,24}(?![\w\-])", needs=(0, "@"))
def _email(m: re.Match[str]) -> tuple[str, int] | None:
    return "EMAIL_ADDRESS", STRONG


@recognizer(_B + r"(\d{3})([- ])(\d{2})\2(\d{4})" + _E, needs=(9, ""))
def _ssn_dashed(m: re.Match[str]) -> tuple[str, int] | None:
    area, _, group, serial = m.groups()
    if _itin_ok(area, group):
        return "US_ITIN", STRONG
    return ("US_SSN", STRONG) if _ssn_ok(area, group, serial) else None


@recognizer(_B + r"\d{9}" + _E, needs=(9, ""))
def _nine_digits(m: re.Match[str]) -> tuple[str, int] | None:
    d = m.group()
    if _itin_ok(d[:3], d[3:5]):
        return "US_ITIN", EVIDENCE
    return ("US_SSN", EVIDENCE) if _ssn_ok(d[:3], d[3:5], d[5:]) else None


@recognizer(_B + r"\d{4}([ \-])\d{4}\1\d{4}\1\d{1,7}" + _E + r"|" + _B +
            r"3[47]\d\d([ \-])\d{6}\2\d{5}" + _E, needs=(13, ""))
def _card_grouped(m: re.Match[str]) -> tuple[str, int] | None:
    return ("CREDIT_CARD", STRONG) if _card_ok(re.sub(r"\D", "", m.group())) else None


@recognizer(_B + r"\d{13,19}" + _E, needs=(13, ""))
def _card_plain(m: re.Match[str]) -> tuple[str, int] | None:
    return ("CREDIT_CARD", WEAK) if _card_ok(m.group()) else None


@recognizer(r"(?<![\w])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?!\w)",
            needs=(2, "A"))
def _iban(m: re.Match[str]) -> tuple[str, int] | None:
    return ("IBAN_CODE", STRONG) if iban_ok(m.group().replace(" ", "")) else None


@lru_cache(maxsize=1)
def _special_v4() -> list[Any]:
    import ipaddress

    return [ipaddress.ip_network(n) for n in (
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
        "172.16.0.0/12", "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24",
        "203.0.113.0/24", "224.0.0.0/3")]


@recognizer(r"(?<![\w.])(?<!\d\.)(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?!\.?\d)(?![\w])",
            needs=(4, ""))
def _ipv4(m: re.Match[str]) -> tuple[str, int] | None:
    octets = m.groups()
    if any(int(o) > 255 or (len(o) > 1 and o[0] == "0") for o in octets):
        return None
    import ipaddress

    address = ipaddress.IPv4Address(m.group())
    if any(address in net for net in _special_v4()):
        return None  # this host, private networks, documentation, multicast: no one's
    # version and section numbers (2.2.3.0, 8.6.0.163) have small parts
    return "IP_ADDRESS", STRONG if sum(len(o) > 1 for o in octets) >= 2 else WEAK


@recognizer(r"(?<![\w:])(?:[0-9A-Fa-f]{1,4}:){2,7}(?::|(?::[0-9A-Fa-f]{1,4}){1,6}|"
            r"[0-9A-Fa-f]{1,4})(?![\w:])|(?<![\w:])::(?:[0-9A-Fa-f]{1,4}:){1,6}"
            r"[0-9A-Fa-f]{1,4}(?![\w:])", needs=(0, ":"))
def _ipv6(m: re.Match[str]) -> tuple[str, int] | None:
    import ipaddress

    try:
        address = ipaddress.IPv6Address(m.group())
    except ValueError:
        return None
    if address.is_private or address.is_loopback or address.is_multicast or \
            address.is_unspecified or address.ipv4_mapped or m.group().count(":") < 3:
        return None
    return "IP_ADDRESS", STRONG


# International (+33 5 63 08 37 78, +49(0)5153 845058), parenthesised area codes
# ((212) 555-0175, (03478) 82985), and national numbers in groups (05 34 55 34 91,
# 557.509.2955, 0161 496 0000); plain runs of digits are phones only with evidence.
@recognizer(
    _B.replace("(?<![\\w/])", "(?<![\\w/+])") + r"(?<!\d )"
    + r"(?:(?:\+|00)\d{1,3}[ .\-]?(?:\(0\)[ ]?)?\(?\d{1,5}\)?(?:[ .\-]?\d{2,5}){1,4}"
    r"|(?:1[ .\-]?)?\(\d{2,5}\)[ ]?\d{2,5}(?:[ .\-]?\d{2,5}){0,3}"
    r"|\d{2,5}([ .\-])\d{2,5}(?:\1\d{2,5}){0,4})(?:[ ]?(?:x|ext\.?)[ ]?\d{1,5})?" + _E,
    needs=(8, ""))
def _phone(m: re.Match[str]) -> tuple[str, int] | None:
    text = m.group()
    digits = re.sub(r"\D", "", re.split(r"[ ]?(?:x|ext)", text)[0])
    if not 8 <= len(digits) <= 15:
        return None
    if re.fullmatch(r"\d{1,2}(?:[ ,.]\d{3})+", text):
        return None  # thousands in groups of three: 12 345 678
    if re.fullmatch(r"\d{3}(?:[ ,.]\d{3})+", text):  # 500 806 360: a phone, or a number
        return ("PHONE_NUMBER", EVIDENCE) if phone_valid(text) else None
    if re.fullmatch(r"\d{2,4}[.\-/]\d{1,2}[.\-/]\d{1,4}", text):
        return None  # a date
    return ("PHONE_NUMBER", STRONG) if phone_valid(text) else None


@recognizer(_B + r"\+?\d{10,12}" + _E, needs=(10, ""))
def _phone_plain(m: re.Match[str]) -> tuple[str, int] | None:
    return ("PHONE_NUMBER", EVIDENCE) if phone_valid(m.group()) else None


@recognizer(_B + r"\d{3}([ \-]?)\d{3}\1\d{4}" + _E, needs=(10, ""))
def _ten_digits(m: re.Match[str]) -> tuple[str, int] | None:
    d = re.sub(r"\D", "", m.group())
    if _nhs_ok(d):
        return "UK_NHS", EVIDENCE
    return ("US_NPI", EVIDENCE) if _npi_ok(d) else None


_MBI_A = "[AC-HJKMNP-RT-Y]"
_MBI_AN = "[0-9AC-HJKMNP-RT-Y]"
_MBI = (f"[1-9]{_MBI_A}{_MBI_AN}[0-9]", f"{_MBI_A}{_MBI_AN}[0-9]", f"{_MBI_A}{_MBI_A}[0-9][0-9]")


@recognizer(rf"(?<![\w\-]){_MBI[0]}(-?){_MBI[1]}\1{_MBI[2]}(?![\w\-])", needs=(5, "A"))
def _mbi(m: re.Match[str]) -> tuple[str, int] | None:
    return "US_MBI", STRONG if "-" in m.group() else WEAK


_YEAR = r"(?:19|20)\d\d"
_MONTH = r"(?:0?[1-9]|1[0-2])"
_DAY = r"(?:0?[1-9]|[12]\d|3[01])"
_MONTHS = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"


@recognizer(rf"(?<![\w.\-/])(?:{_YEAR}([\-/.]){_MONTH}\1{_DAY}|{_DAY}([\-/.]){_MONTH}\2"
            rf"(?:{_YEAR}|\d\d)|{_MONTH}([\-/.]){_DAY}\3(?:{_YEAR}|\d\d))"
            rf"(?:[ T]00:00(?::00)?(?:\.0+)?)?(?![\w\-/]|\.\d)"
            rf"|(?i:\b{_DAY}\s+{_MONTHS}\s+{_YEAR}\b|\b{_MONTHS}\s+{_DAY},?\s+{_YEAR}\b)",
            needs=(4, ""))
def _date(m: re.Match[str]) -> tuple[str, int] | None:
    return "DATE_OF_BIRTH", EVIDENCE


@recognizer(r"(?<![\w\-./])(?=[A-Za-z0-9\-]*\d)[A-Za-z0-9](?:[A-Za-z0-9\-]{4,22})"
            r"[A-Za-z0-9](?![\w\-+/]|[.,]\d)", needs=(1, ""))
def _member_id(m: re.Match[str]) -> tuple[str, int] | None:
    value = m.group()
    if value.replace("-", "").isdigit() and len(value) < 6:
        return None
    return "MEMBER_ID", EVIDENCE


@recognizer(_B + r"[A-Z]?\d{8,9}" + _E, needs=(8, ""))
def _passport(m: re.Match[str]) -> tuple[str, int] | None:
    return "US_PASSPORT", EVIDENCE


@recognizer(r"(?<![\w])[A-Z]{1,2}\d{5,12}(?!\w)|" + _B + r"\d{7,12}" + _E, needs=(5, ""))
def _driver_licence(m: re.Match[str]) -> tuple[str, int] | None:
    return "US_DRIVER_LICENSE", EVIDENCE


@recognizer(_B + r"\d{8,17}" + _E, needs=(8, ""))
def _bank_account(m: re.Match[str]) -> tuple[str, int] | None:
    return "US_BANK_NUMBER", EVIDENCE


# ---------------------------------------------------------------- national identifiers

@recognizer(_B + r"[12] ?\d{2} ?(?:0[1-9]|1[0-2]|[2-9]\d) ?(?:\d{2}|2[AB]) ?\d{3} ?\d{3} ?\d{2}"
            + _E, needs=(13, ""))
def _fr_nir(m: re.Match[str]) -> tuple[str, int] | None:
    return ("FR_NIR", WEAK) if _nir_ok(m.group().replace(" ", "")) else None


@recognizer(_B + r"\d{2} ?\d{3} ?\d{3} ?\d{3}" + _E, needs=(11, ""))
def _de_idnr(m: re.Match[str]) -> tuple[str, int] | None:
    d = m.group().replace(" ", "")
    if _pesel_ok(d):
        return "PL_PESEL", WEAK
    return ("DE_TAX_ID", WEAK) if _de_idnr_ok(d) else None


@recognizer(r"(?<![\w\-])(?:\d{8}|[XYZ]-?\d{7})-?[A-Z](?![\w\-])", needs=(7, ""))
def _es_nif(m: re.Match[str]) -> tuple[str, int] | None:
    return ("ES_NIF", STRONG) if _nif_ok(m.group().replace("-", "")) else None


@recognizer(r"(?<!\w)[A-Z]{6}\d{2}[A-EHLMPR-T]\d{2}[A-Z]\d{3}[A-Z](?!\w)", needs=(7, "A"))
def _it_fiscal_code(m: re.Match[str]) -> tuple[str, int] | None:
    return ("IT_FISCAL_CODE", STRONG) if _fiscal_code_ok(m.group()) else None


@recognizer(r"(?<!\w)(?!BG|GB|NK|KN|TN|NT|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?"
            r"\d{2} ?[A-D](?!\w)", needs=(6, "A"))
def _uk_nino(m: re.Match[str]) -> tuple[str, int] | None:
    return "UK_NINO", STRONG


@recognizer(_B + r"\d{3}([ \-]?)\d{3}\1\d{3}" + _E, needs=(9, ""))
def _nine_grouped(m: re.Match[str]) -> tuple[str, int] | None:
    d = re.sub(r"\D", "", m.group())
    if _sin_ok(d):
        return "CA_SIN", WEAK
    if _tfn_ok(d):
        return "AU_TFN", WEAK
    return ("NL_BSN", WEAK) if _bsn_ok(d) else None


@recognizer(_B + r"[2-9]\d{3}([ \-]?)\d{4}\1\d{4}" + _E, needs=(12, ""))
def _aadhaar(m: re.Match[str]) -> tuple[str, int] | None:
    return ("IN_AADHAAR", WEAK) if verhoeff(re.sub(r"\D", "", m.group())) else None


@recognizer(r"(?<!\w)[A-Z]{3}[ABCFGHLJPT][A-Z]\d{4}[A-Z](?!\w)", needs=(4, "A"))
def _in_pan(m: re.Match[str]) -> tuple[str, int] | None:
    return "IN_PAN", WEAK


# ---------------------------------------------------------------- finding

# More specific recognizers win where spans overlap (an SSN is not also a phone number).
_PRIORITY = {entity: rank for rank, entity in enumerate((
    "EMAIL_ADDRESS", "IBAN_CODE", "IT_FISCAL_CODE", "ES_NIF", "UK_NINO", "US_MBI", "US_SSN",
    "US_ITIN", "CREDIT_CARD", "FR_NIR", "IN_AADHAAR", "PL_PESEL", "DE_TAX_ID", "CA_SIN",
    "AU_TFN", "NL_BSN", "IN_PAN", "IP_ADDRESS", "PHONE_NUMBER", "UK_NHS", "US_NPI",
    "DATE_OF_BIRTH", "US_PASSPORT", "US_BANK_NUMBER", "US_DRIVER_LICENSE", "MEMBER_ID"))}

_QUICK = re.compile(r"@|\d.{0,3}\d|[A-Fa-f0-9]:[A-Fa-f0-9:]*:|[A-Z]{2}\d\d")


def could_hold(text: str) -> bool:
    """Could any recognizer match? (Most words and short numbers: no.)"""
    return _QUICK.search(text) is not None


@lru_cache(maxsize=65536)
def find(text: str) -> tuple[Match, ...]:
    """Every entity in `text`, overlaps resolved: for each span the most specific entity
    (a checksummed ID before a phone number), shapes that need evidence only where nothing
    else matched."""
    if not could_hold(text):
        return ()
    return _resolve([Match(entity, m.start(), m.end(), level)
                     for m, entity, level in _matches(_blank_decimals(text))])


# What every recognizer's match contains, decimals left out: a line without any is skipped
# in one pass of this pattern over the whole text (a log of losses and metrics has none).
_LINE_QUICK = re.compile(
    r"@|:[0-9A-Fa-f]*:|[A-Z]{2}\d|(?<![\d.])\d(?:[ \-/()]{0,3}\d){4}"
    r"|(?<![\d.])\d{1,4}[./\-]\d{1,4}[./\-]\d{1,4}"
    r"|(?<![\w.])(?=[A-Z0-9]*[A-Z])(?=[A-Z0-9]*\d)[A-Z0-9]{6,}(?!\w)")


def find_lines(lines: Sequence[str]) -> list[tuple[int, Match]]:
    """`find` over many lines: (line index, match). Lines that cannot hold anything are
    skipped by one pass over the joined text."""
    block = "\n".join(lines)
    starts = list(accumulate((len(line) + 1 for line in lines[:-1]), initial=0))
    found: list[tuple[int, Match]] = []
    position = 0
    while (hit := _LINE_QUICK.search(block, position)) is not None:
        i = bisect_right(starts, hit.start()) - 1
        found.extend((i, m) for m in find(lines[i]))
        position = starts[i + 1] if i + 1 < len(starts) else len(block)
    return found


def _resolve(found: list[Match]) -> tuple[Match, ...]:
    found.sort(key=lambda f: (f.level == EVIDENCE, _PRIORITY.get(f.entity, 99), f.start - f.end))
    kept: list[Match] = []
    for f in found:
        if not any(f.start < k.end and k.start < f.end and _shadows(k, f) for k in kept):
            kept.append(f)
    return tuple(sorted(kept, key=lambda f: f.start))


def _shadows(kept: Match, other: Match) -> bool:
    """A certain match hides what overlaps it; shapes that need evidence stay beside
    uncertain ones (nine digits: a SIN by checksum, or a passport number by context)."""
    if kept.level == STRONG:
        return True
    return kept.level == WEAK and other.level != EVIDENCE


_NO_DIGITS = str.maketrans("", "", "0123456789")


@lru_cache(maxsize=64)
def _compiled(pattern: str) -> re.Pattern[str]:
    """Patterns are compiled when a text first needs them (a table of floats needs none)."""
    return re.compile(pattern)
_NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+(?=[eE]))(?:[eE][-+]?\d+)?")


# a decimal number standing alone: 0.1234, -118.44108623570081, 1.5e-05 (not 1.2.3.4)
_DECIMAL = re.compile(r"(?<![\w.])[-+]?\d+\.\d+(?:[eE][-+]?\d+)?(?![\w.]|\.\d)")


def _blank_decimals(text: str) -> str:
    """The text with its decimal numbers blanked (same length, so offsets hold): a line of
    losses and metrics leaves nothing for the digit patterns to try."""
    if "." not in text:
        return text
    return _DECIMAL.sub(lambda m: " " * len(m.group()), text)


def _matches(text: str) -> Iterator[tuple[re.Match[str], str, int]]:
    if _NUMBER.fullmatch(text):
        return  # a decimal number (a loss, a price, a prediction) is nothing else
    digits = len(text) - len(text.translate(_NO_DIGITS))
    present = {"": True, "@": "@" in text, ":": ":" in text, "A": not text.islower()}
    for min_digits, char, pattern, judge in _RECOGNIZERS:
        if digits < min_digits or not present[char]:
            continue
        for m in _compiled(pattern).finditer(text):
            verdict = judge(m)
            if verdict is not None:
                yield m, verdict[0], verdict[1]
