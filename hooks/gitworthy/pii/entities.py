"""What counts as personal data: entity names, what column names and context words say,
and what person names look like.

Nothing here imports presidio: values are recognized by `values` (patterns and checksums);
presidio is only the optional NER model for names in free text.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

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
    "UK_NINO": "UK National Insurance numbers",
    "US_MBI": "Medicare beneficiary IDs (MBI)",
    "US_NPI": "provider IDs (NPI)",
    "DATE_OF_BIRTH": "dates of birth",
    "MEMBER_ID": "member/patient IDs",
    "PERSON": "person names",
    "LOCATION": "addresses/locations",
    "FR_NIR": "French social security numbers (NIR)",
    "DE_TAX_ID": "German tax IDs (Steuer-ID)",
    "ES_NIF": "Spanish DNI/NIE numbers",
    "IT_FISCAL_CODE": "Italian fiscal codes",
    "PL_PESEL": "Polish PESEL numbers",
    "CA_SIN": "Canadian social insurance numbers",
    "AU_TFN": "Australian tax file numbers",
    "IN_AADHAAR": "Indian Aadhaar numbers",
    "IN_PAN": "Indian PAN numbers",
    "NL_BSN": "Dutch citizen service numbers (BSN)",
}

# Column names that say what a column holds, in English, French, German, Spanish, Italian,
# Polish, Dutch and Portuguese (matched on the header's lower-case ASCII snake_case words).
HEADER_EVIDENCE: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (entity, re.compile(pattern)) for entity, pattern in (
        ("US_SSN", r"(^|_)(ssn|social_security(_number|_no)?|socsec)($|_)"),
        ("EMAIL_ADDRESS", r"(^|_)(e_?mail(s|_address|_addr)?|mail|courriel|correo(_electronico)?|"
                          r"posta_elettronica|adresse_(e_)?mail)($|_)"),
        ("PHONE_NUMBER", r"(^|_)(phone|telephone|tel|mobile|cell|fax|telefon|telefono|"
                         r"telefonnummer|telefoonnummer|portable|handy|movil|cellulare|gsm|"
                         r"mobil|mobiel|komorka|celular|phone_?(number|no|num))"
                         r"(_?(number|no|num|nummer))?($|_)"),
        ("CREDIT_CARD", r"(^|_)(credit_?card|card_?(number|no|num)|cc_?(number|num|no)|pan)"
                        r"($|_)"),
        ("IBAN_CODE", r"(^|_)(iban|rekeningnummer|kontonummer|numero_de_compte|conto)($|_)"),
        ("IP_ADDRESS", r"(^|_)(ip|ip_?addr(ess)?|client_ip|remote_addr|ipv4|ipv6)($|_)"),
        ("US_DRIVER_LICENSE", r"(^|_)(driver_?s?_?licen[cs]e|dl_?(number|no|num))($|_)"),
        ("US_PASSPORT", r"(^|_)(passport|passeport|reisepass|pasaporte|passaporto|paszport)"
                        r"(_?(number|no|num|nummer|numero))?($|_)"),
        ("US_BANK_NUMBER", r"(^|_)(bank_?account|account_?(number|no|num)|acct_?(number|no)?)"
                           r"($|_)"),
        ("US_ITIN", r"(^|_)(itin|tin|tax_?id)($|_)"),
        ("UK_NHS", r"(^|_)nhs(_?(number|no|num))?($|_)"),
        ("UK_NINO", r"(^|_)(nino|ni_?(number|no)|national_insurance(_number|_no)?)($|_)"),
        ("US_MBI", r"(^|_)(mbi|medicare(_?(id|number|no|num|beneficiary_id))?|hicn)($|_)"),
        ("US_NPI", r"(^|_)(npi|provider_?npi|national_provider(_id)?)($|_)"),
        ("DATE_OF_BIRTH", r"(^|_)(dob|birth_?date|date_of_birth|birth_?day|birth|born|bdate|"
                          r"naissance|date_de_naissance|geburtsdatum|geburtstag|nacimiento|"
                          r"fecha_de_nacimiento|nascita|data_di_nascita|data_urodzenia|"
                          r"urodzenia|geboortedatum|nascimento)($|_)"),
        ("MEMBER_ID", r"(^|_)(member|patient|subscriber|beneficiary|enrollee|insured|"
                      r"policyholder)_?(id|number|no|num|key)($|_)|(^|_)(mrn|medical_record"
                      r"(_number|_no)?)($|_)"),
        ("LOCATION", r"(^|_)(street|address|addr|address_?line_?\d?|street_?address|"
                     r"home_?address|mailing_?address|adresse|strasse|direccion|indirizzo|"
                     r"adres|ulica|endereco)($|_)"),
        ("FR_NIR", r"(^|_)(nir|secu|numero_secu|securite_sociale|insee|num_ss|numero_ss)($|_)"),
        ("DE_TAX_ID", r"(^|_)(steuer_?id|steueridentifikationsnummer|idnr|steuer_?nummer)($|_)"),
        ("ES_NIF", r"(^|_)(dni|nif|nie|documento)($|_)"),
        ("IT_FISCAL_CODE", r"(^|_)(codice_fiscale|cod_fiscale|cf)($|_)"),
        ("PL_PESEL", r"(^|_)pesel($|_)"),
        ("CA_SIN", r"(^|_)(sin|social_insurance(_number|_no)?)($|_)"),
        ("AU_TFN", r"(^|_)(tfn|tax_file(_number|_no)?)($|_)"),
        ("IN_AADHAAR", r"(^|_)(aadhaar|aadhar|uidai)(_?(number|no|id))?($|_)"),
        ("IN_PAN", r"(^|_)pan_?(card|number|no)($|_)"),
        ("NL_BSN", r"(^|_)(bsn|burgerservicenummer|sofinummer)($|_)"),
    )
)

# Words near a value (in its cell or on its line) that say what it is; whole words only.
CONTEXT: dict[str, frozenset[str]] = {entity: frozenset(words.split()) for entity, words in {
    "US_SSN": "ssn ssns social security socsec",
    "US_ITIN": "itin tin taxpayer",
    "CREDIT_CARD": "card credit visa mastercard amex cc pan debit",
    "IP_ADDRESS": "ip ipv4 ipv6 client remote addr address host src dst from login",
    "PHONE_NUMBER": "phone tel telephone mobile cell call fax telefon telefono portable handy "
                    "gsm whatsapp sms",
    "UK_NHS": "nhs",
    "UK_NINO": "nino insurance",
    "US_NPI": "npi provider",
    "US_MBI": "medicare mbi beneficiary cms hicn medicaid",
    "DATE_OF_BIRTH": "dob birth birthday born birthdate bday naissance ne nee geburtsdatum "
                     "geboren nacimiento nacido nascita nato urodzenia geboortedatum",
    "MEMBER_ID": "member subscriber patient mrn enrollee beneficiary policyholder insured",
    "US_PASSPORT": "passport passeport reisepass pasaporte passaporto",
    "US_DRIVER_LICENSE": "driving licence license dl",  # not `driver`: GPU drivers
    "US_BANK_NUMBER": "account acct bank routing",
    "FR_NIR": "nir secu insee securite",
    "DE_TAX_ID": "steuer steuerid idnr steueridentifikationsnummer",
    "ES_NIF": "dni nif nie",
    "IT_FISCAL_CODE": "fiscale cf",
    "PL_PESEL": "pesel",
    "CA_SIN": "sin",
    "AU_TFN": "tfn",
    "IN_AADHAAR": "aadhaar aadhar uidai",
    "IN_PAN": "pan",
    "NL_BSN": "bsn burgerservicenummer",
    "IBAN_CODE": "iban",
}.items()}

def _words(text: str) -> list[str]:
    return text.split()


# Column names whose `name` is a thing's, in any of the languages above.
THINGS = frozenset(_words("""
file host user username sheet column table model project domain company product brand
device feature class item city town ville stadt ciudad citta miasto stad country pays land
pais paese kraj state region province department departement county district commune
municipality street rue strasse calle via station airport port team club league company
societe firma empresa azienda organisation organization org institution school university
hospital clinic store shop restaurant hotel species genus gene protein molecule compound
drug chemical tissue cell organ disease condition dataset event category sport song album
track movie film book game app package library module function variable metric algorithm
method tag label topic field course subject language currency color colour vehicle car
make manufacturer ship planet star galaxy river lake mountain building room
"""))

STREETS = frozenset({"street", "rue", "strasse", "calle", "via"})

# Title words that come with a person's name, in the languages above.
TITLES = frozenset(_words("""
mr mrs miss ms mx master dr prof sir dame lady lord rev fr mme mlle m herr frau fraulein
sr sra srta don dona sig sigra signor signora dott pan pani dhr mevr heer mevrouw
"""))


def fold(text: str) -> str:
    """Lower-case ASCII: `Prénom` -> `prenom`, `Łódź` -> `lodz`."""
    text = text.lower().replace("ł", "l").replace("ø", "o").replace("ß", "ss")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


_fold_word = lru_cache(maxsize=16384)(fold)  # the words of names: few, and many times over


def words(header: str) -> str:
    """A header as snake_case words: `PatientDOB` -> `patient_dob`, `Prénom` -> `prenom`."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", header.strip())
    spaced = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", spaced)
    return "_".join(re.findall(r"[a-z0-9]+", fold(spaced)))


def context_words(text: str) -> frozenset[str]:
    """The whole words of a cell, a line or a header, folded to lower-case ASCII."""
    return frozenset(re.findall(r"[a-z0-9]+", fold(text)))


# Words that say a value is something else: four-part version and section numbers, servers
# a download or a notebook server talks to (`!wget` output: "Resolving ... 52.216.12.150").
NOT_CONTEXT: dict[str, frozenset[str]] = {
    "IP_ADDRESS": frozenset(_words("""
version versions firmware fw release build section table figure chapter rule sdk cuda
driver libc openssl python v ver resolving connecting connected downloading listening serving
nameserver dns proxy wget curl""")),
}


def denied(entity: str, seen: frozenset[str]) -> bool:
    """Do these words say a value that looks like `entity` is something else?"""
    return bool(NOT_CONTEXT.get(entity, frozenset()) & seen)


def has_context(entity: str, seen: frozenset[str]) -> bool:
    """Do these words say what a value of `entity` is? (Whole words: `status` is not `us`.)"""
    wanted = CONTEXT.get(entity)
    return bool(wanted and wanted & seen) or (entity == "US_SSN" and {"social", "security"}
                                              <= seen)


@lru_cache(maxsize=4096)
def header_evidence(header: str) -> frozenset[str]:
    """The entities a column's name announces (`member_ssn` -> {"US_SSN"})."""
    name = words(header)
    found = {entity for entity, pattern in HEADER_EVIDENCE if pattern.search(name)}
    if found & {"MEMBER_ID", "US_MBI", "US_NPI"}:
        found.discard("PERSON")
    if person_header(header):
        found.add("PERSON")
    if "LOCATION" in found and (THINGS - STREETS).intersection(name.split("_")):
        found.discard("LOCATION")  # `street_name` in a table of streets, `company_address`
    return frozenset(found)


_GIVEN = r"first_?name|firstname|fname|given_?name|forename|prenom|vorname|nombre|nome|imie|" \
         r"voornaam|primeiro_nome"
_SURNAME = r"last_?name|lastname|lname|surname|family_?name|maiden_?name|nom|nom_de_famille|" \
           r"nachname|familienname|apellidos?|cognome|nazwisko|achternaam|sobrenome"
_FULL = r"name|full_?name|fullname|nom_complet|nom_prenom|naam|nombre_completo|" \
        r"nome_completo|imie_i_nazwisko|volledige_naam|" \
        r"(customer|client|patient|member|subscriber|contact|person|employee|passenger|" \
        r"student|owner|holder|cardholder|account_holder|beneficiary|driver|insured|" \
        r"policyholder|guest|buyer|seller|recipient|sender|applicant|candidate|" \
        r"middle|display)_?name"


@lru_cache(maxsize=4096)
def person_header(header: str) -> str | None:
    """"given", "surname" or "full" when a column's name says it holds person names."""
    name = words(header)
    parts = name.split("_")
    if THINGS.intersection(parts) or re.search(r"(^|_)(file|host|user|sheet|column|table|"
                                               r"model|domain|company|product|brand|device|"
                                               r"feature|class|item|project)_?name", name):
        return None
    for kind, pattern in (("given", _GIVEN), ("surname", _SURNAME), ("full", _FULL)):
        if re.fullmatch(rf"(.*_)?({pattern})(_\d+)?", name):
            return kind
    return None


@lru_cache(maxsize=1)
def given_names() -> frozenset[str]:
    """Given names (lower-case ASCII) from the list shipped with the package."""
    from importlib.resources import files

    text = files("gitworthy.pii").joinpath("given_names.txt").read_text(encoding="utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


_DIGIT = re.compile(r"\d")
_NAME_TOKEN = re.compile(r"[^\W\d_][^\W\d_'’\-]*\.?")
_NOT_A_NAME = re.compile(r"(?i)^(true|false|none|null|nan|n/?a|yes|no|unknown|male|female|"
                         r"m|f|other|oui|non|ja|nein|si|tak|nie)$")


_TOKEN = re.compile(r"[^\s,()\"]+")


NAME_MAX = 80  # characters: a longer value is not a person's name


def name_shape(value: str) -> tuple[str, ...] | None:
    """The tokens of a value written like a person's name (capitalised words, maybe a comma
    and a title, no digits), or None."""
    if not 2 <= len(value) <= NAME_MAX:
        return None
    return _name_shape(value)


@lru_cache(maxsize=16384)  # a column's value is shaped once for the three questions below
def _name_shape(value: str) -> tuple[str, ...] | None:
    if _DIGIT.search(value) or _NOT_A_NAME.match(value):
        return None
    tokens = tuple(_TOKEN.findall(value))
    if not 1 <= len(tokens) <= 8 or not all(_NAME_TOKEN.fullmatch(t) for t in tokens):
        return None
    if not any(t[0].isupper() for t in tokens):
        return None  # `chevrolet chevelle malibu`
    return tokens


def name_evidence(value: str) -> bool:
    """A value that shows it is a person's name: a title word (`Braund, Mr. Owen Harris`) or
    a known given name leading a name of two to five words (`Owen Harris`, `Harris, Owen`)."""
    tokens = name_shape(value)
    if not tokens:
        return False
    folded = [_fold_word(t).rstrip(".") for t in tokens]
    if any(t in TITLES for t in folded[:-1]) or (len(folded) > 1 and folded[0] in TITLES):
        return True
    if not 2 <= len(tokens) <= 5:
        return False
    known = given_names()
    first = folded[1] if "," in value and len(folded) > 1 else folded[0]
    return first in known and not THINGS.intersection(folded)


def given_name(value: str) -> bool:
    """A value that is a given name (or two: `Jean-Pierre`, `Maria José`)."""
    tokens = name_shape(value)
    return tokens is not None and len(tokens) <= 3 and any(
        part in given_names() for t in tokens for part in _fold_word(t).split("-"))


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
