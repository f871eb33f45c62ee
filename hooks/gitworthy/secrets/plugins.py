"""detect-secrets-style plugins for the credentials of data work that detect-secrets lacks.

Each plugin is a detect-secrets `RegexBasedDetector`: a `secret_type` and a `denylist` of
compiled patterns whose capture group is the secret. The plugins run beside detect-secrets'
own default set (see `gitworthy.secrets.scanner`), through the same allowlist pragma and
false-positive filters. Importing this module imports detect-secrets' plugin base (and with
it `requests`), so only `gitworthy.secrets.scanner` imports it, when a text file needs scanning.

What detect-secrets 1.5 already covers, and what is added here:

- `scheme://user:pass@host` URLs: detect-secrets' BasicAuthDetector (*); added
  ConnectionStringPasswordDetector, which also takes `redis://:pass@host` (no user name),
  JDBC/ODBC/query parameters (`;password=`, `?password=`, `PWD=`) and s3 URLs with keys
  (`s3://KEY:SECRET@bucket`; AWSKeyDetector only sees the key id).
- AWS access key ids and secret keys: AWSKeyDetector.
- Azure storage connection strings (`AccountKey=`): AzureStorageKeyDetector; added
  AzureSasTokenDetector for shared access signatures (`...&sig=...`).
- GCP service-account JSON: its `private_key` by PrivateKeyDetector (and KeywordDetector);
  added GoogleApiKeyDetector for `AIza...` API keys.
- Databricks personal access tokens (`dapi...`): added DatabricksTokenDetector.
- Hugging Face tokens (`hf_...`): only Base64HighEntropyString, when quoted and random
  enough; added HuggingFaceTokenDetector.

(*) BasicAuthDetector skips passwords holding any of `:/?#[]@!$&'()*+,;=` (an AWS secret key
has `/`, real passwords have `$` and `!`), and detect-secrets' `is_indirect_reference` filter
drops whole lines such as `engine = create_engine("postgresql://u:p@h/db")`.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Generator
from typing import Any

from detect_secrets.plugins.base import RegexBasedDetector

from gitworthy.secrets.filters import FILE_PATH
from gitworthy.secrets.formats import FORMATS

# Values that stand for a password in docs and templates, not a password.
PLACEHOLDERS = frozenset({
    "password", "passwd", "pass", "pwd", "secret", "changeme", "change_me", "example",
    "yourpassword", "your_password", "mypassword", "my_password", "redacted", "none", "null",
})
TEMPLATE = re.compile(
    r"^(?:\{.*\}|<.*>|\[.*\]|\$.*|%\(?\w*\)?[sdr]?|\*+|x+|\.+|#+|_+|-+|\?+)$", re.IGNORECASE
)

# `host:8080/path/@me`: a port and a path before an `@`, not a password.
PORT_PATH = re.compile(r"^\d{1,5}(?:/|$)")


def is_placeholder(value: str) -> bool:
    """A value that stands in for a secret: `{password}`, `<pw>`, `$PW`, `%s`, `***`, `xxx`."""
    value = value.strip()
    return (not value or value.lower() in PLACEHOLDERS or TEMPLATE.match(value) is not None
            or len(set(value)) == 1)


class ConnectionStringPasswordDetector(RegexBasedDetector):
    """A password inside a connection string or URL: `postgresql://user:pass@host`,
    `redis://:pass@host`, `s3://KEY:SECRET@bucket`, `jdbc:...;password=...`, `...;PWD=...;`."""

    secret_type = "Connection String Password"  # pragma: allowlist secret

    denylist = (
        # scheme://[user]:password@host -- the password may hold anything but space, quotes, @
        re.compile(r"\b[a-z][a-z0-9+.\-]{1,30}://[^\s:/@'\"`]*:([^\s@'\"`]+)@[\w\-\[]",
                   re.IGNORECASE),
        # key=value parameters of JDBC URLs, ODBC/ADO.NET strings and query strings
        re.compile(r"[;?&]\s*(?:password|passwd|pwd)\s*=\s*([^;&\s'\"`]+)", re.IGNORECASE),
    )

    def analyze_string(self, string: str) -> Generator[str, None, None]:
        for value in super().analyze_string(string):
            if not is_placeholder(value) and not PORT_PATH.match(value):
                yield value


class AzureSasTokenDetector(RegexBasedDetector):
    """The signature of an Azure shared access signature (a blob or container SAS URL)."""

    secret_type = "Azure SAS Token"  # pragma: allowlist secret
    denylist = (
        re.compile(r"[?&;]sig=((?:[A-Za-z0-9+/]|%2[bBfF]){30,}(?:=|%3[dD]){0,2})"),
    )


# --------------------------------------------------------------------------- token formats
# The table of formats is `gitworthy.secrets.formats`.


def shannon(value: str) -> float:
    """Bits per character of `value` (0 for one repeated character)."""
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


class TokenFormatDetector(RegexBasedDetector):
    """Tokens that name their provider by their own format (`FORMATS`): GitHub, GitLab,
    Slack, Stripe, Vault, OpenAI, Anthropic, webhooks and more. Reports each under its
    provider's name."""

    secret_type = "Provider Token"  # pragma: allowlist secret
    denylist = tuple(re.compile(f.pattern) for f in FORMATS)

    def analyze_line(self, filename: str, line: str, line_number: int = 0,
                     context: Any = None, **kwargs: Any) -> set[Any]:
        from detect_secrets.core.potential_secret import PotentialSecret

        found = set()
        for row, pattern in zip(FORMATS, self.denylist, strict=True):
            for match in pattern.finditer(line):
                value = match.group(1) if pattern.groups else match.group(0)
                found.add(PotentialSecret(type=row.name, filename=filename, secret=value,
                                          line_number=line_number))
        return found


# --------------------------------------------------------------------------- by context

# A name that holds a credential, assigned in any syntax: `stripe_token = "..."`,
# `"apiKey": "..."`, `API_SECRET := ...`, `<add key="Password" value="..."/>`.
_SECRET_WORD = (r"(?:token|secret|passw(?:or)?d|pwd|api_?key|apikey|access_?key|auth_?key"
                r"|private_?key|client_?key|credentials?|creds|session)")
ASSIGNED = re.compile(
    r"(?i)(?<![A-Za-z0-9])([A-Za-z_$@][\w.\-]{0,40})?" + _SECRET_WORD + r"([\w\-]{0,20})"
    r"(?:['\"`]?\s*(?:=|:=|::=|:::=|\?=|\.=|=>|:|\s(?=[\"'`]))|['\"`]\s*,|>)\s*[\"'`]?"
    r"(?![@:=])([A-Za-z0-9_.=+/~@%!#:\-]{10,200})(?=[\"'`<;,)\s\\]|$)"
)
# Names that hold something else: lengths, types, URLs, files, ids, tokenizers.
NOT_A_CREDENTIAL_NAME = re.compile(
    r"(?i)(?:_?(?:type|url|uri|endpoint|path|file|dir|name|len|length|size|count|max|min|"
    r"field|column|col|prefix|header|format|id|ids|index|limit|expiry|expires|ttl|env|var|"
    r"key_?name|version)$|tokeni[sz]|tokens$|^max|^num|^n_)")
# A value that is code, not a literal: `settings.API_KEY`, `self.token`, `os.environ`.
REFERENCE = re.compile(r"^(?:[A-Za-z_]\w*\.)+[A-Za-z_]\w*$|^[A-Z_][A-Z0-9_]*$|^\$|^%")


class CredentialAssignmentDetector(RegexBasedDetector):
    """A random-looking value assigned to a credential-named key (`*_token`, `*secret*`,
    `*password*`, `api_key`...), quoted or not, in code, configs, XML and Makefiles: the
    shape most providers' tokens take when they carry no marker of their own."""

    secret_type = "Credential Assignment"  # pragma: allowlist secret
    denylist = (ASSIGNED,)

    def analyze_string(self, string: str) -> Generator[str, None, None]:
        for match in ASSIGNED.finditer(string):
            name = (match.group(1) or "") + match.group(2)
            value = match.group(3)
            if (NOT_A_CREDENTIAL_NAME.search(name) or REFERENCE.match(value) or "://" in value
                    or FILE_PATH.match(value)):
                continue
            if value.isdigit() and len(value) < 16:
                continue  # a port, a count, an id
            if not re.search(r"[0-9]", value) and (len(value) < 20 or _case_switches(value) * 4
                                                   < len(value)):
                continue  # words, CamelCase names: random letters switch case every few
            if shannon(value) >= 3.0 and not is_placeholder(value):
                yield value


def _case_switches(value: str) -> int:
    return sum(1 for a, b in zip(value, value[1:], strict=False) if a.isupper() != b.isupper())


CURL = re.compile(
    r"\bcurl\b.*?\s(?:-u|--user)(?:=|\s{1,5})['\"]?([^\s'\"`:]{0,80}:[^\s'\"`]{3,80})['\"]?"
    r"|\bcurl\b.*?\s(?:-H|--header)(?:=|\s{1,5})['\"](?:Authorization:\s*(?:Basic|Bearer|Token)"
    r"?\s*|(?:X-)?(?:Api-?)?(?:Key|Token):\s*)([\w=~@.+/\-]{8,})['\"]", re.IGNORECASE)


class CurlCredentialDetector(RegexBasedDetector):
    """A password or token on a `curl` command line: `-u user:password`, `--user`,
    `-H "Authorization: Bearer ..."`, `-H "X-Api-Key: ..."`."""

    secret_type = "Curl Credentials"  # pragma: allowlist secret
    denylist = (CURL,)

    def analyze_string(self, string: str) -> Generator[str, None, None]:
        for match in CURL.finditer(string):
            value = match.group(1) or match.group(2)
            secret = value.split(":", 1)[1] if match.group(1) else value
            if secret and not is_placeholder(secret) and not secret.startswith(("$", "{{")) \
                    and shannon(secret) >= 2.0 and secret.lower() not in (
                        "test", "pass", "token", "password", "changeme", "yyy"):
                yield value


PLUGINS = (ConnectionStringPasswordDetector, AzureSasTokenDetector, TokenFormatDetector,
           CredentialAssignmentDetector, CurlCredentialDetector)
