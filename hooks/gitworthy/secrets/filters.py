"""gitworthy's detect-secrets filters: the values that look like secrets and are not.

Each function is a detect-secrets filter (registered by its import path in
`gitworthy.secrets.scanner`; detect-secrets injects the arguments it names) that returns True
for a value to drop. The generic plugins (high-entropy strings, secret-named assignments) judge
any string, so they need evidence: an assignment to a secret-like name or a credential-shaped
context. Everywhere, well-known non-secret contexts are recognised: integrity attributes,
checksums and digests, lockfile hashes, data URIs, file-system paths, documented example and
placeholder values.
"""
from __future__ import annotations

import re
from typing import Any

ENTROPY = frozenset({"Base64HighEntropyString", "HexHighEntropyString"})
GENERIC = ENTROPY | {"KeywordDetector", "CredentialAssignmentDetector"}

# A name that says its value is a credential, right before the value (`api_key = "`,
# `"client_secret": "`, `--password '`, `Authorization: Bearer `, `key=`).
SECRET_NAME = (r"(?:secret|passw(?:or)?d|\bpwd|passphrase|token|api[_.\-]?key|apikey"
               r"|access[_.\-]?key|private[_.\-]?key|\bkey|credential|\bauth\w*|bearer|"
               r"signature|\bsig|\bsas\b|conn(?:ection)?[_.\-]?str\w*|jwt|cookie|session)")
EVIDENCE = re.compile(
    SECRET_NAME + r"[\w.\-\]\[]*['\"`]?\s*(?:=|:=|=>|:|,|\(|\s)\s*(?:\w+\s*=\s*)?[\w\s]{0,8}"
    r"['\"`]?\s*$|(?:bearer|basic|token)\s+$",
    re.IGNORECASE,
)
# Contexts that hold hashes, digests and embedded data, not credentials.
NON_SECRET_CONTEXT = re.compile(
    r"integrity\b|--hash=|\bsha(?:1|224|256|384|512)(?:sum)?\b|\bmd5(?:sum)?\b|checksum|digest"
    r"|\bcontent-hash\b|@sha256:|data:[\w/+.\-]+;base64,|\brev(?:ision)?\b|\bcommit\b"
    r"|\b(?:run|experiment|artifact|dataset|snapshot|request|trace|span|build)_?(?:id|uuid)\b",
    re.IGNORECASE,
)
# `sha384-<base64>` (subresource integrity), `sha256:<hex>` (pip, docker, poetry).
DIGEST_PREFIX = re.compile(r"(?:sha(?:1|224|256|384|512)|md5)[-:=]$", re.IGNORECASE)
# A path on disk: `/var/folders/5d/.../T/tmpab12/assets`, `~/data/x`, `C:/Users/...`.
PATH = re.compile(r"^(?:~|\.{1,2}|[A-Za-z]:)?(?:/[\w.\-+@]+){2,}/?$")
# A relative file path: `src/module_3.py`, `config/credentials.yaml`.
FILE_PATH = re.compile(r"^(?:[\w\-.~]+/)+[\w\-.]*[A-Za-z0-9]\.[A-Za-z][A-Za-z0-9]{0,5}$")
# Values that stand in for a credential: words such as `my_rackspace_api_key`, `YOUR_API_KEY`,
# runs of x, 0 or *, an ellipsis.
PLACEHOLDER_WORD = re.compile(
    r"(?:^|[_\-. ])(?:your|my|example|sample|dummy|fake|placeholder|insert|replace|changeme"
    r"|redacted|here|todo|xxx+)(?:$|[_\-. ])", re.IGNORECASE)
WORDS_ONLY = re.compile(r"^[A-Za-z]+(?:[_\-. ][A-Za-z]+)*$")
FILLER = re.compile(r"x{4,}|X{4,}|\*{3,}|#{4,}|\.\.\.|\u2026")
RUN = re.compile(r"(.)\1{5,}")
TOKEN_CHARS = re.compile(r"[\w\-.#*+/=~\u2026]+")
UUID = re.compile(r"[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}", re.IGNORECASE)
# Keys published in the providers' own documentation and samples, public by design.
DOCUMENTED = frozenset({
    "AIzaSyB41DRUbKWJHPxaFjMAwdrzWzbVKartNGg",  # Google Maps JavaScript API samples
    "AKIAIOSFODNN7EXAMPLE",                     # AWS documentation
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",  # AWS documentation
    # example keys in the sources of github.com/firebase/firebase-android-sdk
    "AIzaSyabcdefghijklmnopqrstuvwxyz1234567", "AIzaSyAnLA7NfeLquW1tJFpx_eQCxoX-oo6YyIs",
    "AIzaSyCkEhVjf3pduRDt6d1yKOMitrUEke8agEM", "AIzaSyDMAScliyLx7F0NPDEJi1QmyCgHIAODrlU",
    "AIzaSyD3asb-2pEZVqMkmL6M9N6nHZRR_znhrh0", "AIzayDNSXIbFmlXbIE6mCzDLQAqITYefhixbX4A",
    "AIzaSyAdOS2zB6NCsk1pCdZ4-P6GBdi_UUPwX7c", "AIzaSyASWm6HmTMdYWpgMnjRBjxcQ9CKctWmLd4",
    "AIzaSyANUvH9H9BsUccjsu2pCmEkOPjjaXeDQgY", "AIzaSyA5_iVawFQ8ABuTZNUdcwERLJv_a_p4wtM",
    "AIzaSyA4UrcGxgwQFTfaI3no3t7Lt1sjmdnP5sQ", "AIzaSyDSb51JiIcB6OJpwwMicseKRhhrOq1cS7g",
    "AIzaSyBF2RrAIm4a0mO64EShQfqfd2AFnzAvvuU", "AIzaSyBcE-OOIbhjyR83gm4r2MFCu4MJmprNXsw",
    "AIzaSyB8qGxt4ec15vitgn44duC5ucxaOi4FmqE", "AIzaSyA8vmApnrHNFE0bApF4hoZ11srVL_n0nvY",
})
EXAMPLE = re.compile(r"example|dummy|placeholder|fake", re.IGNORECASE)


def _name(plugin: Any) -> str:
    return type(plugin).__name__


def _before(line: str, secret: str) -> str:
    at = line.find(secret)
    return line[:at] if at >= 0 else line


def _token(line: str, secret: str) -> str:
    """The whole token around `secret` on its line (a plugin may report only a prefix)."""
    at = line.find(secret)
    if at < 0:
        return secret
    for match in TOKEN_CHARS.finditer(line):
        if match.start() <= at < match.end():
            return line[match.start():max(match.end(), at + len(secret))]
    return secret


def is_placeholder_value(secret: str, line: str) -> bool:
    """`my_rackspace_api_key`, `YOUR_API_KEY`, `hf_xxxx...`, `sk-...`, `<your-password>`:
    a value that says it stands in for one (any plugin)."""
    from gitworthy.secrets.plugins import is_placeholder

    token = _token(line, secret)
    if secret in DOCUMENTED or token in DOCUMENTED or EXAMPLE.search(token):
        return True
    run = RUN.search(token)
    if FILLER.search(token) or (run and len(run.group(0)) * 2 >= len(token)):
        return True
    if WORDS_ONLY.match(secret) and PLACEHOLDER_WORD.search(secret):
        return True
    return is_placeholder(secret)


def is_generic_without_evidence(secret: str, plugin: Any, line: str) -> bool:
    """A high-entropy string that nothing on its line calls a credential: not assigned to a
    secret-like name, not in an Authorization header or a connection string."""
    if _name(plugin) not in ENTROPY:
        return False
    return EVIDENCE.search(_before(line, secret)[-160:]) is None


def is_known_non_secret(secret: str, plugin: Any, line: str) -> bool:
    """A generic plugin's value in a context that holds hashes, digests, embedded data or
    paths: `integrity="sha384-..."`, `--hash=sha256:...`, `SHA256SUM="..."`, a data URI,
    a commit or run id, `/var/folders/.../T/tmp...`."""
    if _name(plugin) not in GENERIC:
        return False
    before = _before(line, secret)
    value = secret.strip("'\"")
    if DIGEST_PREFIX.search(before) or PATH.match(value) or FILE_PATH.match(value):
        return True
    if _name(plugin) == "KeywordDetector":
        return False  # a secret-named value is judged by its name, not by the line
    return NON_SECRET_CONTEXT.search(before[-160:]) is not None


def is_uuid_unnamed(secret: str, plugin: Any) -> bool:
    """A UUID is an id, unless it is assigned to a credential's name (Heroku, Snyk and
    HubSpot keys are UUIDs). Replaces detect-secrets' `is_potential_uuid`."""
    return _name(plugin) != "CredentialAssignmentDetector" and UUID.search(secret) is not None


FILTERS = tuple(f"{__name__}.{f.__name__}" for f in (
    is_placeholder_value, is_generic_without_evidence, is_known_non_secret, is_uuid_unnamed))
REPLACED = ("detect_secrets.filters.heuristic.is_potential_uuid",)
