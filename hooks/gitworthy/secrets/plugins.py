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

import re
from collections.abc import Generator

from detect_secrets.plugins.base import RegexBasedDetector

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


class DatabricksTokenDetector(RegexBasedDetector):
    """A Databricks personal access token: `dapi` and 32 hex digits (optionally `-N`)."""

    secret_type = "Databricks Token"  # pragma: allowlist secret
    denylist = (re.compile(r"(?<![A-Za-z0-9])(dapi[0-9a-f]{32}(?:-\d+)?)(?![0-9a-f])"),)


class HuggingFaceTokenDetector(RegexBasedDetector):
    """A Hugging Face access token (`hf_` and 34 letters) or organisation token (`api_org_`)."""

    secret_type = "Hugging Face Token"  # pragma: allowlist secret
    denylist = (re.compile(r"(?<![A-Za-z0-9_])((?:hf_|api_org_)[A-Za-z]{34})(?![A-Za-z0-9])"),)


class GoogleApiKeyDetector(RegexBasedDetector):
    """A Google Cloud API key (Maps, BigQuery, Gemini...): `AIza` and 35 characters."""

    secret_type = "Google API Key"  # pragma: allowlist secret
    denylist = (re.compile(r"(?<![A-Za-z0-9])(AIza[0-9A-Za-z_\-]{35})(?![A-Za-z0-9_\-])"),)


class AzureSasTokenDetector(RegexBasedDetector):
    """The signature of an Azure shared access signature (a blob or container SAS URL)."""

    secret_type = "Azure SAS Token"  # pragma: allowlist secret
    denylist = (
        re.compile(r"[?&;]sig=((?:[A-Za-z0-9+/]|%2[bBfF]){30,}(?:=|%3[dD]){0,2})"),
    )


PLUGINS = (ConnectionStringPasswordDetector, DatabricksTokenDetector, HuggingFaceTokenDetector,
           GoogleApiKeyDetector, AzureSasTokenDetector)
