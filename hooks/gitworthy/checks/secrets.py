"""Blocks credentials in code, configs and notebooks (passwords, tokens, cloud keys, connection
strings), found by detect-secrets' plugins and filters plus gitworthy's plugins for data work."""
from __future__ import annotations

import codecs
import hashlib
import io
import json
import math
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gitworthy.engine import PRAGMA
from gitworthy.findings import Finding, InspectionError, Rule
from gitworthy.hook import run_hook
from gitworthy.sources import Context, File

ID = "check-secrets"
OPTIONS: dict[str, Any] = {
    "max-kb": 10240,                          # larger text files are an error, not a silent pass
    "disable-plugins": [],                    # plugin class names, e.g. IPPublicDetector
    "secrets-baseline": ".secrets.baseline",  # detect-secrets' baseline at the root; "" = none
}

_WHY = (
    "A credential in git is a credential published: every clone, fork, CI cache and backup "
    "holds it, and deleting the line later does not remove it from history. Data-science repos "
    "leak the worst kind: warehouse passwords, cloud keys and tokens that open the customer "
    "data itself, pasted into a notebook or a config 'for now' and pushed with the analysis."
)
_FIX = (
    "Rotate the credential first (it is exposed once pushed), then read it at run time: an "
    "environment variable (`os.environ[\"DB_PASSWORD\"]`), a `.env` file listed in "
    "`.gitignore`, the tool's own credential store (`~/.aws/credentials`, "
    "`huggingface-cli login`, `~/.databrickscfg`) or a secrets manager. A false positive: add "
    "`# pragma: allowlist secret` to the line, or accept it with `gitworthy baseline`."
)
HARDCODED = Rule(
    id="hardcoded-secret", check=ID,
    summary="A credential (password, token, key, connection string) written into a file.",
    what="Runs detect-secrets' default plugins (cloud keys, tokens, private keys, passwords in "
         "URLs, secret-named assignments, high-entropy strings) with its false-positive filters "
         "over text files, plus gitworthy's plugins for data work: passwords in JDBC/ODBC and "
         "database URLs, Databricks, Hugging Face and Google API tokens, Azure SAS signatures. "
         "Honours `pragma: allowlist secret` and an existing `.secrets.baseline`.",
    why=_WHY,
    example='Bad:  engine = create_engine("postgresql://analyst:<password>@warehouse/sales")\n'
            'Good: engine = create_engine(f"postgresql://analyst:{os.environ[\'PGPASSWORD\']}'
            '@warehouse/sales")',
    fix=_FIX,
)
IN_NOTEBOOK = Rule(
    id="secret-in-notebook", check=ID,
    summary="A credential in a notebook cell's code or in its stored output.",
    what="Scans every cell of a Jupyter notebook, its source and its stored outputs (stream "
         "text, results, tracebacks), with the same plugins as `hardcoded-secret`, and "
         "reports the cell, not the line of the .ipynb JSON.",
    why=_WHY + " A notebook also keeps what it printed: `print(os.environ)` or a connection "
               "error stores the token in the output even when the code reads it safely.",
    example="Bad:  a cell `token = \"hf_...\"`, or an output showing `os.environ`\n"
            "Good: `token = os.environ[\"HF_TOKEN\"]`, outputs cleared before committing",
    fix="Rotate the credential, move it out of the cell (see `hardcoded-secret`), and clear "
        "stored outputs: `jupyter nbconvert --clear-output --inplace NOTEBOOK.ipynb`, or "
        "`nbstripout --install` once so outputs never reach git.",
)
RULES = (HARDCODED, IN_NOTEBOOK)

# detect-secrets' plugins that judge any string by the name it is assigned to or its entropy.
# Its `is_indirect_reference` filter (`x = call(...)` lines) exists for them; the plugins
# that recognise a credential by its own format ignore it, so `create_engine("...u:p@h")`
# and `boto3.client(aws_access_key_id="AKIA...")` are caught.
GENERIC = frozenset({"KeywordDetector", "Base64HighEntropyString", "HexHighEntropyString"})
INDIRECT = "detect_secrets.filters.heuristic.is_indirect_reference"
INVALID_FILE = "detect_secrets.filters.common.is_invalid_file"  # needs a file on disk
# When several plugins find the same value on one line, the most specific names it.
RANK = {"Connection String Password": 0, "Basic Auth Credentials": 2, "Secret Keyword": 3,
        "Base64 High Entropy String": 4, "Hex High Entropy String": 4}
PLAIN = {
    "Secret Keyword": "a value assigned to a secret-sounding name",
    "Base64 High Entropy String": "a random-looking string",
    "Hex High Entropy String": "a random-looking hex string",
    "Basic Auth Credentials": "a password in a URL",
    "Connection String Password": "a password in a connection string",  # pragma: allowlist secret
}
HINTS = {
    "AWS Access Key": "deactivate the key in IAM, then let boto3 find credentials itself "
                      "(AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY env vars, ~/.aws/credentials "
                      "or an instance role)",
    # pragma: allowlist nextline secret
    "Connection String Password": "change the password, then build the URL from the "
                                  "environment (os.environ['DB_PASSWORD']), a .env file kept "
                                  "out of git, or ~/.pgpass",
    "Basic Auth Credentials": "change the password, then build the URL from the environment "
                              "(os.environ['DB_PASSWORD']) or a .env file kept out of git",
    "Azure Storage Account access key": "rotate the account key, then read the connection "
                                        "string from AZURE_STORAGE_CONNECTION_STRING or use a "
                                        "managed identity / Key Vault",
    "Azure SAS Token": "revoke the SAS (rotate the key that signed it), then pass SAS URLs in "
                       "through the environment, not the code",
    "Private Key": "delete the key (for a GCP service account: in IAM > Service accounts), "
                   "keep key files outside the repository and point "
                   "GOOGLE_APPLICATION_CREDENTIALS at them",
    "Databricks Token": "revoke the token in Databricks (User Settings > Access tokens), then "
                        "use DATABRICKS_TOKEN, ~/.databrickscfg or a secret scope",
    "Hugging Face Token": "revoke the token at huggingface.co/settings/tokens, then use "
                          "`huggingface-cli login` or the HF_TOKEN environment variable",
    "Google API Key": "delete or restrict the key in the Google Cloud console, then read it "
                      "from the environment",
}
DEFAULT_HINT = ("rotate it, then read it from an environment variable or a secrets manager "
                "(a false positive: add `# pragma: allowlist secret` to the line)")
# A hash where configs pin a version or record a checksum: pre-commit `rev:`, DVC `md5:`,
# `uses: actions/checkout@<sha>`, lock digests. Hex high-entropy hits there are not secrets.
PINNED_HASH = re.compile(
    r"(?:\b(?:rev|ref|sha(?:1|256|512)?|md5|etag|checksum|digest|hash|oid|revision"
    r"|commit(?:_?(?:id|sha))?)[\"']?\s*[:=]\s*[\"']?(?:(?:sha256|sha1|md5):)?|@)"
    r"([0-9a-fA-F]{32,128})\b",
    re.IGNORECASE,
)
# A value that says it is not a real one: AWS's documented keys end in EXAMPLE/EXAMPLEKEY.
EXAMPLE = re.compile(r"example|dummy|placeholder", re.IGNORECASE)
CONTEXT = 5            # lines of context detect-secrets' filters see on each side
BLOCK = 1 << 18        # bytes read at a time from a big file (256 KiB)
MAX_LINE = 4096        # longer lines are scanned in overlapping windows of this many characters
OVERLAP = 256
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# Output data read as text: what a person sees (text/plain, HTML, JSON); vendor payloads
# (`application/vnd.plotly.v1+json`, widget state) are data, and every result has text/plain.
TEXT_MIME = re.compile(r"^(?:text/|application/(?:json|javascript)$)")


@dataclass(frozen=True)
class Hit:
    """One potential secret: where (1-based line), what kind, and the value (never output)."""

    line: int
    type: str
    value: str

    @property
    def hashed(self) -> str:
        """detect-secrets' `hashed_secret` (sha1 of the value)."""
        return hashlib.sha1(self.value.encode("utf-8", "surrogateescape")).hexdigest()


def mask(value: str) -> str:
    """What a report may show of a secret: its first two characters, if it is long enough."""
    return f"{value[:2]}***" if len(value) >= 12 else "***"


# --------------------------------------------------------------------------- the scanner


class Scanner:
    """detect-secrets' plugins and filters, configured once, applied to lines of text.

    Does what `detect_secrets.core.scan.scan_file` does (transformers, then line-based plugins
    through the configured filters, eager transformers when nothing was found), but on text
    the engine read from any source, with the filters sorted into their stages once instead
    of matched by introspection on every line.
    """

    def __init__(self, disabled: Sequence[str] = ()) -> None:
        from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
        from detect_secrets.settings import get_filters, get_plugins, get_settings

        from gitworthy import secret_plugins

        mapping: dict[str, type] = get_mapping_from_secret_type_to_class()
        known = {c.__name__ for c in mapping.values()}
        ours = {c.__name__: c for c in secret_plugins.PLUGINS}
        unknown = sorted(set(disabled) - known - set(ours))
        if unknown:
            raise InspectionError(f"disable-plugins names unknown plugin(s) {', '.join(unknown)}"
                                  f" (known: {', '.join(sorted(known | set(ours)))})")
        settings = get_settings()
        settings.clear()  # detect-secrets' default filters; no verification (no network)
        settings.configure_plugins([{"name": n} for n in sorted(known) if n not in disabled])
        settings.disable_filters(INVALID_FILE)
        get_plugins.cache_clear()
        get_filters.cache_clear()
        self.plugins = [(p, type(p).__name__ in GENERIC) for p in get_plugins()]
        self.is_placeholder = secret_plugins.is_placeholder
        self.url_plugin = next(
            (p for p, _ in self.plugins if type(p).__name__ == "BasicAuthDetector"), None)
        self.hex_plugin = next(
            (p for p, _ in self.plugins if type(p).__name__ == "HexHighEntropyString"), None)
        self.plugins += [(c(), False) for n, c in ours.items() if n not in disabled]
        filters = get_filters()
        self.file_filters = _stage(filters, {"filename"}, {"filename"})
        line_filters = _stage(filters, {"line"}, {"filename", "line", "context"})
        self.line_filters = [f for f in line_filters if getattr(f[0], "path", "") != INDIRECT]
        self.indirect = [f for f in line_filters if getattr(f[0], "path", "") == INDIRECT]
        self.secret_filters = _stage(filters, {"secret"}, {"filename", "secret", "plugin", "line"})
        self.candidates = prefilter([p for p, _ in self.plugins])

    def skips_file(self, name: str) -> bool:
        """detect-secrets' file filters: non-text extensions, lock files, swagger files."""
        return any(_call(f, names, filename=name) for f, names in self.file_filters)

    def scan_text(self, text: str, name: str, prefilter: bool = True) -> list[Hit]:
        """Every potential secret of a file, like detect-secrets' `scan_file`, plus the raw
        lines of a file its transformers rewrote (they drop YAML and ini comments)."""
        lines = _split(text)
        transformed = _transformed(text, name, eager=False)
        hits = self.scan_lines(transformed or lines, name, prefilter)
        if transformed:
            hits += self.scan_lines(lines, name, prefilter)
        if not hits:
            eager = _transformed(text, name, eager=True)
            if eager:
                hits = self.scan_lines(eager, name, prefilter)
        return hits

    def scan_lines(self, lines: list[str], name: str, prefilter: bool = True) -> list[Hit]:
        """Potential secrets in `lines` (line numbers start at 1), after every filter."""
        if prefilter and self.candidates is not None:
            numbers: Iterable[int] = _candidate_lines(self.candidates, lines)
        else:
            numbers = range(1, len(lines) + 1)
        hits: list[Hit] = []
        for number in numbers:
            hits += self.scan_line(lines, number, number, name)
        return hits

    def scan_stream(self, blocks: Iterable[str], name: str, prefilter: bool = True
                    ) -> tuple[list[Hit], dict[int, str]]:
        """`scan_lines` over a file read block by block (each block whole lines, joined by
        newlines), holding one block and a few lines of context in memory. Returns the hits
        and the text of their lines."""
        use = self.candidates if prefilter else None
        kept: list[str] = []    # lines from number `base` on (context of pending candidates)
        base = 1
        todo: deque[int] = deque()  # candidate line numbers not scanned yet
        hits: list[Hit] = []
        texts: dict[int, str] = {}
        for block in blocks:
            first = base + len(kept)
            new = _split(block)
            if use is None:
                todo.extend(range(first, first + len(new)))
            else:
                todo.extend(first + i for i in _candidate_offsets(use, block))
            kept += new
            ready = base + len(kept) - 1 - CONTEXT  # lines whose following context is read
            while todo and todo[0] <= ready:
                number = todo.popleft()
                found = self.scan_line(kept, number - base + 1, number, name)
                if found:
                    hits += found
                    texts[number] = kept[number - base]
            keep_from = min(todo[0] if todo else ready + 1, ready + 1) - CONTEXT
            if keep_from > base:
                del kept[:keep_from - base]
                base = keep_from
        for number in todo:
            found = self.scan_line(kept, number - base + 1, number, name)
            if found:
                hits += found
                texts[number] = kept[number - base]
        return hits, texts

    def scan_line(self, lines: list[str], index: int, number: int, name: str) -> list[Hit]:
        """Potential secrets in `lines[index - 1]` (reported as line `number`)."""
        from detect_secrets.util.code_snippet import get_code_snippet

        hits: list[Hit] = []
        line = lines[index - 1].rstrip()
        if not line:
            return hits
        context = get_code_snippet(lines, index)
        judged = line if len(line) <= MAX_LINE else line[-MAX_LINE:]
        if any(_call(f, n, filename=name, line=judged, context=context)
               for f, n in self.line_filters):
            return hits
        indirect = any(_call(f, n, filename=name, line=judged, context=context)
                       for f, n in self.indirect)
        for window in _windows(line):
            for plugin, generic in self.plugins:
                if generic and indirect:
                    continue
                for found in plugin.analyze_line(filename=name, line=window,
                                                 line_number=number, context=context):
                    value = found.secret_value
                    if not value or (plugin is self.url_plugin
                                     and self.is_placeholder(value)):
                        continue  # `user:password@localhost` in docs and templates
                    if EXAMPLE.search(value):
                        continue  # AWS's documented `...EXAMPLE` keys, `dummy-token`
                    if plugin is self.hex_plugin and value in PINNED_HASH.findall(window):
                        continue  # `rev: <commit>`, `md5: <checksum>`: not secrets
                    if not any(
                        _call(f, n, filename=name, secret=value, plugin=plugin, line=window)
                        for f, n in self.secret_filters
                    ):
                        hits.append(Hit(number, found.type, value))
        return hits


def _stage(filters: list[Any], required: set[str], provided: set[str]
           ) -> list[tuple[Callable[..., bool], tuple[str, ...]]]:
    """The filters detect-secrets runs at one stage: those that take the stage's required
    arguments and no argument the stage cannot give (as its `_is_filtered_out` selects)."""
    return [(f, tuple(sorted(f.injectable_variables))) for f in filters
            if required <= f.injectable_variables <= provided]


def _call(function: Callable[..., bool], names: tuple[str, ...], **values: Any) -> bool:
    """A filter's verdict; a filter that rejects its arguments does not apply (as in
    detect-secrets' `_is_filtered_out`)."""
    try:
        return bool(function(**{n: values[n] for n in names}))
    except TypeError:
        return False


def _windows(line: str) -> Iterator[str]:
    """A line, or overlapping windows of a huge one (minified JSON, a one-line data dump)."""
    if len(line) <= MAX_LINE:
        yield line
        return
    for start in range(0, len(line), MAX_LINE - OVERLAP):
        yield line[start:start + MAX_LINE]
        if start + MAX_LINE >= len(line):
            return


def _split(text: str) -> list[str]:
    """Lines as git and editors number them: split at newlines only."""
    return text.split("\n")


class _Named(io.StringIO):
    """The `NamedIO` detect-secrets' transformers read (a text stream with a name)."""

    def __init__(self, text: str, name: str) -> None:
        super().__init__(text)
        self.name = name


def _transformed(text: str, name: str, eager: bool) -> list[str] | None:
    """detect-secrets' transformers (YAML values, ini/.env `key = "value"` lines), or None."""
    from detect_secrets.transformers import get_transformed_file

    try:
        named: Any = _Named(text, name)
        return get_transformed_file(named, use_eager_transformers=eager)
    except Exception:  # noqa: BLE001 - a parser choking on odd input: the raw lines still count
        return None


_SCANNERS: dict[tuple[str, ...], Scanner] = {}


def scanner(disabled: Sequence[str] = ()) -> Scanner:
    """The configured scanner (detect-secrets' settings are global: configure on change)."""
    key = tuple(sorted(disabled))
    if key not in _SCANNERS:
        _SCANNERS.clear()
        _SCANNERS[key] = Scanner(key)
    return _SCANNERS[key]


# --------------------------------------------------------------------------- the prefilter
#
# What each plugin's match must contain, as patterns that never match a newline: a line where
# none of the enabled plugins' patterns matches cannot produce a finding, so only the other
# lines go through detect-secrets. Each plugin has a case-sensitive pattern, searched in the
# text, and a lowercase one standing for its case-insensitive parts, searched in the folded
# text (`_fold`: much faster than re.IGNORECASE). A plugin missing here turns the prefilter off.
_ASSIGNED = "key|pw|pass|token"  # Cloudant, IBM Cloud IAM, SoftLayer: `<name>_key = <value>`
NEEDS: dict[str, tuple[str, str]] = {
    "ArtifactoryDetector": (r"AKC|AP[\dA-F]", ""),
    "AWSKeyDetector": (r"A3T[A-Z0-9]|ABIA|ACCA|AKIA|ASIA", "aws"),
    "AzureStorageKeyDetector": ("AccountKey=", ""),
    "BasicAuthDetector": ("://", ""),
    "CloudantDetector": ("://", _ASSIGNED),
    "DiscordBotTokenDetector": (r"[MNO][a-zA-Z\d_-]{23,25}\.[a-zA-Z\d_-]{6}\.", ""),
    "GitHubTokenDetector": ("gh[pousr]_", ""),
    "GitLabTokenDetector": ("gl[a-z]{2,7}-|GR1348941", ""),
    "IbmCloudIamDetector": ("", _ASSIGNED),
    "IbmCosHmacDetector": ("", "secret"),
    "IPPublicDetector": (r"[0-9]\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]", ""),
    "JwtTokenDetector": ("eyJ", ""),
    "MailchimpDetector": ("-us[0-9]", ""),
    "NpmDetector": ("_authToken=", ""),
    "OpenAIDetector": ("T3BlbkFJ", ""),
    "PrivateKeyDetector": (r"BEGIN|PuTTY-User-Key-File-\d", ""),
    "PypiTokenDetector": ("pypi-AgEIcHlwaS5vcmc", ""),
    "SendGridDetector": (r"SG\.", ""),
    "SlackDetector": ("", r"xox[abposr]-|hooks\.slack\.com"),
    "SoftlayerDetector": ("://", _ASSIGNED),
    "SquareOAuthDetector": ("sq0csp-", ""),
    "StripeDetector": ("[rs]k_live_", ""),
    "TelegramBotTokenDetector": (r"\d{8}:", ""),
    "TwilioKeyDetector": ("AC[a-z0-9]{32}|SK[a-z0-9]{32}", ""),
    # gitworthy's plugins (hooks/gitworthy/secret_plugins.py)
    "ConnectionStringPasswordDetector": ("://", "passw?d|password|pwd"),
    "DatabricksTokenDetector": ("dapi", ""),
    "HuggingFaceTokenDetector": ("hf_|api_org_", ""),
    "GoogleApiKeyDetector": ("AIza", ""),
    "AzureSasTokenDetector": ("sig=", ""),
}
# Characters re.IGNORECASE equates with an ASCII letter that str.lower() does not turn into it.
_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})


def _fold(text: str) -> str:
    """`text` lowercased as re.IGNORECASE compares letters (newlines stay where they are)."""
    return text.lower() if text.isascii() else text.translate(_FOLD).lower()


def _needs(plugin: Any) -> tuple[str, str] | None:
    """What a line must match for `plugin` to find anything in it (case-sensitive, and
    lowercase for the folded text), or None for a plugin not known here."""
    name = type(plugin).__name__
    if name == "KeywordDetector":  # every one of its regexes contains a denylisted keyword
        from detect_secrets.plugins.keyword import DENYLIST
        return "", "|".join(DENYLIST)
    if name in ("Base64HighEntropyString", "HexHighEntropyString"):
        # a quoted run of its alphabet, long enough to pass the entropy limit: the entropy
        # of n characters is at most log2(n), so n > 2**limit (one less, for rounding)
        shortest = max(1, math.floor(2 ** plugin.entropy_limit))
        run = f"[{re.escape(plugin.charset)}]{{{shortest},}}"
        return f"'{run}'|\"{run}\"", ""
    return NEEDS.get(name)


@dataclass(frozen=True)
class Prefilter:
    """The enabled plugins' needs: `exact` searched in the text, `folded` in `_fold(text)`."""

    exact: re.Pattern[str] | None
    folded: re.Pattern[str] | None


def _either(patterns: list[str]) -> re.Pattern[str] | None:
    patterns = sorted({p for p in patterns if p})
    return re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None


def prefilter(plugins: Sequence[Any]) -> Prefilter | None:
    """The prefilter for these plugins (None: some plugin is unknown, scan every line)."""
    needs = [_needs(p) for p in plugins]
    if any(n is None for n in needs):
        return None
    return Prefilter(_either([n[0] for n in needs if n]), _either([n[1] for n in needs if n]))


def _offsets(pattern: re.Pattern[str], text: str) -> Iterator[int]:
    """0-based numbers of the lines of `text` (split at newlines) that `pattern` matches."""
    line = 0
    at = 0
    while True:
        match = pattern.search(text, at)
        if match is None:
            return
        line += text.count("\n", at, match.start())
        yield line
        end = text.find("\n", match.start())
        if end < 0:
            return
        at = end + 1
        line += 1


def _candidate_offsets(pre: Prefilter, text: str) -> list[int]:
    """0-based numbers of the lines of `text` that some enabled plugin could report on."""
    found: set[int] = set()
    if pre.exact is not None:
        found.update(_offsets(pre.exact, text))
    if pre.folded is not None:
        found.update(_offsets(pre.folded, _fold(text)))
    return sorted(found)


def _candidate_lines(pre: Prefilter, lines: list[str]) -> Iterable[int]:
    """1-based numbers of the `lines` the prefilter keeps (a transformer's line may hold
    a newline, so matches are found per line here, not in the joined text)."""
    if any("\n" in line for line in lines):
        return [n for n, line in enumerate(lines, 1) if _candidate_offsets(pre, line)]
    return [n + 1 for n in _candidate_offsets(pre, "\n".join(lines))]


# --------------------------------------------------------------------------- notebooks


@dataclass(frozen=True)
class Part:
    """Text of one notebook cell: its source, or one of its outputs."""

    cell: int       # 1-based position in the notebook
    kind: str       # "source" or "output"
    text: str


def _joined(value: Any) -> str:
    """nbformat's multiline strings: a string or a list of strings."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "".join(v for v in value if isinstance(v, str))
    if isinstance(value, (dict, int, float)):
        return json.dumps(value, indent=1)
    return ""


def _output_text(output: Any) -> str:
    """The text an output shows: stream text, text-like mime data, a traceback."""
    if not isinstance(output, dict):
        return ""
    parts = [_joined(output.get("text")), _joined(output.get("ename")),
             _joined(output.get("evalue"))]
    parts += [ANSI.sub("", line) + "\n" for line in output.get("traceback") or []
              if isinstance(line, str)]
    data = output.get("data")
    if isinstance(data, dict):
        parts += [_joined(v) for k, v in data.items() if isinstance(k, str) and TEXT_MIME.match(k)]
    for key in ("html", "latex", "json", "javascript", "markdown"):  # nbformat 3
        parts.append(_joined(output.get(key)))
    return "\n".join(p for p in parts if p)


def notebook_parts(text: str) -> list[Part]:
    """The scannable text of a notebook (nbformat 4, or 3), cell by cell.

    A minimal defensive reader; it could share `hooks/gitworthy/notebooks.py` once that exists.
    """
    try:
        notebook = json.loads(text)
    except RecursionError:
        raise InspectionError("notebook JSON nests too deeply to parse safely") from None
    except ValueError as exc:
        where = f" at line {exc.lineno}" if isinstance(exc, json.JSONDecodeError) else ""
        raise InspectionError(f"not a valid notebook: broken JSON{where} "
                              "(open and re-save it in Jupyter, or fix the merge)") from None
    cells: Any = None
    if isinstance(notebook, dict):
        cells = notebook.get("cells")
        worksheets = notebook.get("worksheets")
        if cells is None and isinstance(worksheets, list):  # nbformat 3
            cells = [c for w in worksheets if isinstance(w, dict)
                     for c in (w.get("cells") or [])]
    if not isinstance(cells, list):
        raise InspectionError("not a Jupyter notebook: no list of cells in the JSON")
    parts: list[Part] = []
    for number, cell in enumerate(cells, 1):
        if not isinstance(cell, dict):
            continue
        source = cell.get("source", cell.get("input"))
        parts.append(Part(number, "source", _joined(source)))
        outputs = cell.get("outputs")
        for output in outputs if isinstance(outputs, list) else []:
            parts.append(Part(number, "output", _output_text(output)))
    return parts


# --------------------------------------------------------------------------- baselines


@dataclass
class DetectSecretsBaseline:
    """What a detect-secrets baseline accepts: hashed secrets per file, and the exclusions
    (`--exclude-files`, `--exclude-lines`, `--exclude-secrets`) it was made with."""

    hashes: dict[str, set[str]]
    files: list[re.Pattern[str]]
    lines: list[re.Pattern[str]]
    secrets: list[re.Pattern[str]]

    def accepts(self, path: str, hit: Hit, line: str) -> bool:
        return (hit.hashed in self.hashes.get(path, ())
                or any(p.search(path) for p in self.files)
                or any(p.search(line) for p in self.lines)
                or any(p.search(hit.value) for p in self.secrets))


# detect-secrets' regex filters (as a baseline records them) -> DetectSecretsBaseline fields
_REGEX_FILTER = "detect_secrets.filters.regex.should_exclude_"
EXCLUSIONS = {f"{_REGEX_FILTER}file": "files", f"{_REGEX_FILTER}line": "lines",
              f"{_REGEX_FILTER}secret": "secrets"}  # pragma: allowlist secret
_BASELINES: dict[bytes, DetectSecretsBaseline] = {}


def _parse_baseline(text: str) -> DetectSecretsBaseline:
    data = json.loads(text)
    patterns: dict[str, list[re.Pattern[str]]] = {"files": [], "lines": [], "secrets": []}
    for entry in data.get("filters_used", []):
        kind = EXCLUSIONS.get(entry.get("path", ""))
        if kind:
            patterns[kind] += [re.compile(p) for p in entry.get("pattern", [])]
    hashes = {path: {e["hashed_secret"] for e in entries}
              for path, entries in data["results"].items()}
    return DetectSecretsBaseline(hashes, **patterns)


def detect_secrets_baseline(context: Context, name: str) -> DetectSecretsBaseline | None:
    """detect-secrets' baseline at the repository root (as the scan's policy sees it: at
    the policy revision, else in the work tree), if there is one."""
    if not name:
        return None
    data = context.policy_file(name)
    if data is None:
        return None
    if data not in _BASELINES:
        try:
            _BASELINES[data] = _parse_baseline(data.decode("utf-8"))
        except (ValueError, KeyError, TypeError, AttributeError, re.error):
            raise InspectionError(
                f"{name} is not a detect-secrets baseline: regenerate it "
                "(detect-secrets scan > .secrets.baseline) or set secrets-baseline = \"\""
            ) from None
    return _BASELINES[data]


def _accepted(hits: list[Hit], lines: dict[int, str], path: str, context: Context,
              name: str) -> list[Hit]:
    """The hits a detect-secrets baseline does not accept (`lines`: text by line number)."""
    baseline = detect_secrets_baseline(context, name) if hits else None
    if baseline is None:
        return hits
    return [h for h in hits if not baseline.accepts(path, h, lines.get(h.line, ""))]


# --------------------------------------------------------------------------- the check


def _best(hits: list[Hit]) -> list[Hit]:
    """One hit per secret and line: when plugins find the same value (or one inside the other,
    as a high-entropy match that took a trailing backslash), the most specific names it."""
    kept: list[Hit] = []
    for hit in sorted(hits, key=lambda h: (h.line, RANK.get(h.type, 1), h.type)):
        if not any(k.line == hit.line and (k.value in hit.value or hit.value in k.value)
                   for k in kept):
            kept.append(hit)
    return kept


def _describe(secret_type: str) -> str:
    plain = PLAIN.get(secret_type)
    return f"{plain} ({secret_type})" if plain else secret_type


def _is_baseline(head: bytes) -> bool:
    """A detect-secrets baseline, or gitworthy's own baseline or JSON report: their hashes and
    fingerprints look like hex secrets and hold none."""
    if not head.lstrip().startswith(b"{"):
        return False
    return (b'"findings"' in head and b'"fingerprint"' in head) or (
        b'"plugins_used"' in head and b'"results"' in head)


def _read_text(file: File, limit: int) -> str:
    with file.open() as stream:
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise InspectionError(f"larger than check-secrets' max-kb ({limit // 1024} KB): not "
                              "scanned for secrets (raise --max-kb, or keep data out of git)")
    return data.decode("utf-8-sig", "replace")


def _blocks(file: File, size: int = BLOCK) -> Iterator[str]:
    """The text of a file in blocks of whole lines (split at the last newline of each read),
    decoded as `_read_text` does; the last block is what follows the last newline."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")("replace")
    carry = ""
    with file.open() as stream:
        while True:
            data = stream.read(size)
            text = carry + decoder.decode(data, final=not data)
            if not data:
                yield text
                return
            cut = text.rfind("\n")
            if cut < 0:
                carry = text
                continue
            yield text[:cut]
            carry = text[cut + 1:]


def _streams(name: str, head: str) -> bool:
    """Whether the file can be scanned block by block with the same result as whole: no
    detect-secrets transformer can parse it. The YAML transformer takes .yaml files; the ini
    transformer fails on a first line that is not a `[section]`, and its eager form (files of
    no known type, parsed with a header added) on any unindented line without `=` or `:`
    (configparser's error for a line that is neither option, section nor comment), as in a
    CSV's header row."""
    from detect_secrets.util.filetype import FileType, determine_file_type

    kind = determine_file_type(name)
    if kind == FileType.YAML:
        return False
    lines = _split(head)[:-1]  # the last one may be cut off
    significant = [x.strip() for x in lines if x.strip() and x.strip()[0] not in "#;"]
    if not significant or significant[0].startswith("["):
        return False
    if kind != FileType.OTHER:
        return True
    return any(x[:1].strip() and x.strip() and x.strip()[0] not in "#;["
               and "=" not in x and ":" not in x for x in lines)


def _pragma_allows(line: str) -> bool:
    """`gitworthy: allow` on a notebook cell's line (the engine reads .ipynb JSON lines)."""
    match = PRAGMA.search(line.encode("utf-8", "replace"))
    if not match:
        return False
    names = [n for n in re.split(r"[,\s]+", (match.group(1) or b"").decode()) if n]
    return not names or ID in names or IN_NOTEBOOK.id in names


def check(file: File, options: dict[str, Any], context: Context) -> Iterator[Finding]:
    """Potential secrets in one text file or notebook."""
    baseline_name = Path(options["secrets-baseline"] or ".secrets.baseline").name
    if file.is_symlink or file.name in (".secrets.baseline", baseline_name) or file.size == 0:
        return
    limit = int(options["max-kb"]) * 1024
    if file.size > limit:
        raise InspectionError(f"{file.size // 1024} KB, over check-secrets' max-kb "
                              f"({options['max-kb']} KB): not scanned for secrets (raise "
                              "--max-kb, or keep data out of git)")
    head = file.head(8192)
    if b"\0" in head or _is_baseline(head):
        return  # binary: not lines of text (serialized models have their own check)
    scan = scanner(options["disable-plugins"])
    if scan.skips_file(file.path):
        return
    if file.suffix == ".ipynb":
        yield from _check_notebook(file, _read_text(file, limit), scan, options, context)
        return
    hits, texts = _scan_file(file, scan, limit, options.get("prefilter", True))
    hits = _accepted(_best(hits), texts, file.path, context, options["secrets-baseline"])
    for hit in hits:
        yield HARDCODED.finding(
            file.path, f"{_describe(hit.type)}: {mask(hit.value)}",
            HINTS.get(hit.type, DEFAULT_HINT), line=hit.line, key=f"{hit.type}:{hit.hashed}",
            details={"secret_type": hit.type, "masked": mask(hit.value)},
        )


def _scan_file(file: File, scan: Scanner, limit: int, prefilter: bool = True
               ) -> tuple[list[Hit], dict[int, str]]:
    """The hits of a text file and the text of their lines: streamed block by block when no
    transformer can parse the file (data files, code), else read whole (configs, YAML).
    `prefilter=False` runs every line through the plugins (the tests compare both)."""
    if _streams(file.path, file.head(65536).decode("utf-8-sig", "replace")):
        return scan.scan_stream(_blocks(file), file.path, prefilter)
    text = _read_text(file, limit)
    lines = _split(text)
    hits = scan.scan_text(text, file.path, prefilter)
    return hits, {h.line: lines[h.line - 1] for h in hits if h.line <= len(lines)}


def _check_notebook(file: File, text: str, scan: Scanner, options: dict[str, Any],
                    context: Context) -> Iterator[Finding]:
    for part in notebook_parts(text):
        lines = _split(ANSI.sub("", part.text))
        hits = [h for h in _best(scan.scan_lines(lines, file.path,
                                                 options.get("prefilter", True)))
                if not _pragma_allows(lines[h.line - 1])]
        texts = {h.line: lines[h.line - 1] for h in hits}
        for hit in _accepted(hits, texts, file.path, context, options["secrets-baseline"]):
            hint = HINTS.get(hit.type, DEFAULT_HINT)
            if part.kind == "output":
                hint += "; clear the stored output: jupyter nbconvert --clear-output --inplace " \
                        f"{file.path}"
            yield IN_NOTEBOOK.finding(
                file.path,
                f"cell {part.cell} {part.kind}, line {hit.line}: {_describe(hit.type)}: "
                f"{mask(hit.value)}",
                hint, key=f"{hit.type}:{hit.hashed}",
                details={"cell": part.cell, "part": part.kind, "cell_line": hit.line,
                         "secret_type": hit.type, "masked": mask(hit.value)},
            )


def main(argv: Sequence[str] | None = None) -> int:
    return run_hook(ID, argv)


if __name__ == "__main__":
    raise SystemExit(main())
