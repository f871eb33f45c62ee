"""The prefilter: a few fast scans over whole blocks of text, so that only the lines some
enabled plugin could report on go through detect-secrets' plugins and filters. Patterns that
start with a literal each get a scan of their own; the case-insensitive needs are folded into
one alternation of the fewest words.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence

from gitworthy.records import Record

TYPE_CHECKING = False  # typing costs a hook's start-up 2 ms; mypy reads the block
if TYPE_CHECKING:
    from typing import Any

CONTEXT = 5            # lines of context detect-secrets' filters see on each side

#
# What each plugin's match must contain, as patterns that never match a newline: a line where
# none of the enabled plugins' patterns matches cannot produce a finding, so only the other
# lines go through detect-secrets. Each plugin has a case-sensitive pattern, searched in the
# text, and a lowercase one standing for its case-insensitive parts, searched in the folded
# text (`_fold`: much faster than re.IGNORECASE). A plugin missing here turns the prefilter off.
# Every word `gitworthy.secrets.filters.EVIDENCE` can match, lowercased.
EVIDENCE_WORDS = ("secret|passw|pwd|passphrase|token|api|key|credential|auth|bearer|basic"
                  "|signature|sig|sas|conn|jwt|cookie|session")
# Separates alternatives searched as patterns of their own (a newline is never in a need):
# a pattern that starts with a literal is found by a fast scan for that literal, an
# alternation of different starts is tried at every position of the text.
SEPARATE = "\n"
_ASSIGNED = "key|pw|pass|token"  # Cloudant, IBM Cloud IAM, SoftLayer: `<name>_key = <value>`
# A URL with a user or password: `://user:pass@` (no space, no other `@` in between), as
# every URL the plugins report on has; most URLs in code and configs have none.
_USER_AT = r"://[^\s@]*@"
NEEDS: dict[str, tuple[str, str]] = {
    "ArtifactoryDetector": ("AKC\nAP[\\dA-F]", ""),
    "AWSKeyDetector": (r"A3T[A-Z0-9]|ABIA|ACCA|AKIA|ASIA", "aws"),
    "AzureStorageKeyDetector": ("AccountKey=", ""),
    "BasicAuthDetector": (_USER_AT, ""),
    "CloudantDetector": (_USER_AT, _ASSIGNED),
    "DiscordBotTokenDetector": (SEPARATE.join(
        c + r"[a-zA-Z\d_-]{23,25}\.[a-zA-Z\d_-]{6}\." for c in "MNO"), ""),
    "GitHubTokenDetector": ("gh[pousr]_", ""),
    "GitLabTokenDetector": ("gl[a-z]{2,7}-\nGR1348941", ""),
    "IbmCloudIamDetector": ("", _ASSIGNED),
    "IbmCosHmacDetector": ("", "secret"),
    # `[0-9]\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]`, written to start with its literal dot
    "IPPublicDetector": (r"\.(?<=[0-9]\.)[0-9]{1,3}\.[0-9]{1,3}\.[0-9]", ""),
    "JwtTokenDetector": ("eyJ", ""),
    "MailchimpDetector": ("-us[0-9]", ""),
    "NpmDetector": ("_authToken=", ""),
    "OpenAIDetector": ("T3BlbkFJ", ""),
    "PrivateKeyDetector": ("BEGIN\nPuTTY-User-Key-File-\\d", ""),
    "PypiTokenDetector": ("pypi-AgEIcHlwaS5vcmc", ""),
    "SendGridDetector": (r"SG\.", ""),
    "SlackDetector": ("", r"xox[abposr]-|hooks\.slack\.com"),
    "SoftlayerDetector": ("", _ASSIGNED + r"|api\.softlayer\.com"),
    "SquareOAuthDetector": ("sq0csp-", ""),
    "StripeDetector": ("rk_live_\nsk_live_", ""),
    "TelegramBotTokenDetector": (r":[0-9A-Za-z_-]{35}", ""),  # after `\d{8,10}`
    "TwilioKeyDetector": ("AC[a-z0-9]{32}\nSK[a-z0-9]{32}", ""),
    # gitworthy's plugins (gitworthy.secrets.plugins)
    "ConnectionStringPasswordDetector": (_USER_AT, "passw?d|password|pwd"),
    "AzureSasTokenDetector": ("sig=", ""),
    "CredentialAssignmentDetector": ("", r"token|secret|passw|pwd|api_?key|apikey|access_?key"
                                         r"|auth_?key|private_?key|client_?key|cred|session"),
    "CurlCredentialDetector": ("", "curl"),
}
# The plugins the scanner enables (but those disabled), by class name: detect-secrets' own
# (all of them, as of 1.5) and gitworthy's (`gitworthy.secrets.plugins`). The prefilter is
# built from these names before either set is imported.
GITWORTHY_PLUGINS = (
    "ConnectionStringPasswordDetector",
    "AzureSasTokenDetector",
    "TokenFormatDetector",
    "CredentialAssignmentDetector",
    "CurlCredentialDetector",
)
DETECT_SECRETS_PLUGINS = frozenset({
    *(n for n in NEEDS if n not in GITWORTHY_PLUGINS),
    "KeywordDetector", "Base64HighEntropyString", "HexHighEntropyString"})
# The modules of detect-secrets' plugin package that define those plugins.
DETECT_SECRETS_MODULES = frozenset({
    "artifactory", "aws", "azure_storage_key", "basic_auth", "cloudant", "discord",
    "github_token", "gitlab_token", "high_entropy_strings", "ibm_cloud_iam", "ibm_cos_hmac",
    "ip_public", "jwt", "keyword", "mailchimp", "npm", "openai", "private_key", "pypi_token",
    "sendgrid", "slack", "softlayer", "square_oauth", "stripe", "telegram_token", "twilio"})


def known_plugins_unchanged() -> bool:
    """Whether the installed detect-secrets' plugin package holds just the modules known here
    (read from its directory, without importing it): another version may bring a plugin the
    prefilter does not know, and then the scanner asks detect-secrets for its plugins."""
    import importlib.util
    import os

    try:
        spec = importlib.util.find_spec("detect_secrets")
        places = spec.submodule_search_locations if spec else None
        folder = os.path.join(next(iter(places or ())), "plugins")
        found = {n[:-3] for n in os.listdir(folder) if n.endswith(".py")}
    except (ImportError, StopIteration, OSError):
        return False
    return found - {"__init__", "base"} == DETECT_SECRETS_MODULES


# Characters re.IGNORECASE equates with an ASCII letter that str.lower() does not turn into it.
_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})


def _fold(text: str) -> str:
    """`text` lowercased as re.IGNORECASE compares letters (newlines stay where they are)."""
    if text.isascii() or not any(c in text for c in _SPECIAL):
        return text.lower()
    return text.translate(_FOLD).lower()


_SPECIAL = "\u0130\u0131\u017f\u212a"


def plugin_needs(name: str) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None] | None:
    """A plugin's own needs, compiled (None: unknown, run it on every line): a line that
    matches neither cannot give it a finding, so the scanner skips it there."""
    found = needs(name)
    if found is None:
        return None
    exact, folded = (n.replace(SEPARATE, "|") for n in found)
    return (re.compile(exact) if exact else None, re.compile(folded) if folded else None)


def needs(name: str) -> tuple[str, str] | None:
    """What a line must match for the plugin of this class name to find anything in it
    (case-sensitive, and lowercase for the folded text), or None for a plugin not known."""
    if name == "TokenFormatDetector":
        return token_needs()
    if name == "KeywordDetector":
        # Each of its regexes (detect_secrets.plugins.keyword.DENYLIST) holds one of these.
        return "", KEYWORDS
    if name in ("Base64HighEntropyString", "HexHighEntropyString"):
        # gitworthy's filter keeps their findings only where a credential's name or header
        # comes before the value (`gitworthy.secrets.filters.EVIDENCE`): a line without one
        # of its words cannot give a finding, however many quoted random strings it holds.
        return "", EVIDENCE_WORDS
    return NEEDS.get(name)


KEYWORDS = "key|pass|pwd|secret|contrase"


def token_needs() -> tuple[str, str]:
    """TokenFormatDetector's needs: the literal text each format's tokens start with (a trie
    of them for each first character, so that each is found by a fast scan for that
    character; words in the folded text for the case-insensitive formats), and for the formats
    whose literal start is short enough to be common in code (`pat`, `SK`, `sl.` as in
    `ssl.`), the format's own pattern, spelled out by start."""
    from gitworthy.secrets.formats import FORMATS, MARKERS

    literals: set[str] = set()
    folded: set[str] = set()
    patterns: list[str] = []
    for row in FORMATS:
        ignore_case = row.pattern.startswith("(?i)")
        parts = spelled_out(_unanchored(row.pattern.removeprefix("(?i)")))
        starts = [MARKERS[row.name]] if row.name in MARKERS else [
            leading_literal(p) for p in parts]
        shortest = min(len(s) for s in starts)
        if shortest < 2 or ignore_case and shortest < 4:
            raise ValueError(f"token format without a literal start: {row.pattern}")
        if ignore_case:
            folded.update(s.lower() for s in starts)
        elif shortest >= 4 or row.name in MARKERS:
            literals.update(starts)
        else:
            patterns += parts
    tries = by_first_character([re.escape(w) for w in sorted(literals)])
    return (SEPARATE.join([*tries, *patterns]), "|".join(re.escape(w) for w in sorted(folded)))


def _unanchored(pattern: str) -> str:
    """`pattern` without the lookbehind or word boundary it starts with."""
    if pattern.startswith("(?<"):
        pattern = pattern[_closing(pattern) + 1:]
    return pattern.removeprefix("\\b")


_SPECIAL_CHARS = frozenset("\\^$.|?*+()[]{}")


def leading_literal(pattern: str) -> str:
    """The literal text every match of `pattern` starts with (`glpat-[A-Z]+` -> `glpat-`)."""
    return _split_lead(pattern)[0]


def _split_lead(pattern: str) -> tuple[str, str]:
    """(the literal text every match of `pattern` starts with, the rest of the pattern)."""
    text = ""
    at = 0
    while at < len(pattern):
        char = pattern[at]
        if char == "\\" and at + 1 < len(pattern) and not pattern[at + 1].isalnum():
            char, step = pattern[at + 1], 2
        elif char in _SPECIAL_CHARS:
            break
        else:
            step = 1
        if pattern[at + step:at + step + 1] in ("?", "*", "{", "+"):
            break  # a quantified character: not always there, or not always once
        text += char
        at += step
    return text, pattern[at:]


def by_first_character(options: Sequence[str]) -> list[str]:
    """Alternatives as one pattern for each literal character they start with (`a(?:pi|uth)`,
    `k(?:ey)`): Python's regex engine scans fast for one literal character, and tries every
    position of the text when the alternatives start differently. Within a pattern,
    literals are factored into a trie."""
    groups: dict[str, list[str]] = {}
    others: list[str] = []
    for option in (a for o in options for a in alternatives(o)):
        lead = leading_literal(option)
        if not lead:
            others.append(option)
            continue
        rest = option[2:] if option.startswith("\\") else option[1:]
        groups.setdefault(lead[0], []).append(rest)
    found = []
    for first, rests in groups.items():
        literal = all(not r or _is_literal(r) for r in rests)
        body = trie([leading_literal(r) for r in rests]) if literal else "|".join(rests)
        found.append(re.escape(first) + (f"(?:{body})" if body else ""))
    return found + others


def trie(words: Sequence[str]) -> str:
    """One regex for many literals, factored by common prefixes (`gl(?:pat|dt)`)."""
    tree: dict[str, Any] = {}
    for word in words:
        node = tree
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def pattern(node: dict[str, Any]) -> str:
        if "" in node and len(node) == 1:
            return ""
        branches = [re.escape(c) + pattern(child) for c, child in sorted(node.items()) if c]
        body = branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"
        return f"(?:{body})?" if "" in node else body

    return pattern(tree)


class Prefilter(Record):
    """The enabled plugins' needs: `exact` searched in the text, `folded` in `_fold(text)`.

    One pattern for each literal first character (`by_first_character`): Python's regex
    engine finds a pattern's literal start fast, and loses that speed when patterns with
    different starts are alternated. The folded needs are words, mostly: the fewest words
    that every folded need contains (`key` stands for `api_?key`)."""

    def __init__(self, exact: tuple[re.Pattern[str], ...],
                 folded: tuple[re.Pattern[str], ...]) -> None:
        self.exact = exact
        self.folded = folded


def _each(patterns: list[str]) -> tuple[re.Pattern[str], ...]:
    """The patterns (and each part of one that SEPARATE splits), one for each first
    character."""
    parts = {part for p in patterns for part in p.split(SEPARATE) if part}
    return tuple(re.compile(p) for p in by_first_character(sorted(parts)))


def _depths(pattern: str) -> Iterator[tuple[int, str, int]]:
    """(position, character, parenthesis depth before it) of each character of a regex
    outside escapes and character classes."""
    depth = 0
    escaped = in_class = False
    for at, char in enumerate(pattern):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        else:
            yield at, char, depth
            depth += {"(": 1, ")": -1}.get(char, 0)


def alternatives(pattern: str) -> list[str]:
    """The top-level alternatives of a regex (`a|b(c|d)` -> `a`, `b(c|d)`)."""
    cuts = [at for at, char, depth in _depths(pattern) if char == "|" and depth == 0]
    return [pattern[a + 1:b] for a, b in zip([-1, *cuts], [*cuts, len(pattern)], strict=True)]


def _closing(pattern: str) -> int:
    """Where the group that opens `pattern` closes."""
    return next(at for at, char, depth in _depths(pattern) if char == ")" and depth == 1)


def spelled_out(pattern: str) -> list[str]:
    """A token pattern as alternatives that each start with their own literal text, so that
    each is found by a fast literal scan: `((?:hf_|api_org_)[A-Za-z]{34})` ->
    `hf_[A-Za-z]{34}`, `api_org_[A-Za-z]{34}` (the same matches, less the capture group)."""
    body, tail = pattern, ""
    if pattern.startswith("(") and not pattern.startswith("(?"):
        close = _closing(pattern)
        body, tail = pattern[1:close], pattern[close + 1:]
    found: list[str] = []
    for alt in alternatives(body):
        rest = _split_lead(alt)[1]
        if rest.startswith("(?:"):
            close = _closing(rest)
            heads = alternatives(rest[3:close])
            lead, after = alt[:len(alt) - len(rest)], rest[close + 1:]
            if all(_is_literal(h) for h in heads):
                found += [lead + h + after + tail for h in heads]
                continue
            if not lead and not after:  # `(?:fo1_...|fm2_...)`: its own alternatives
                found += [a + tail for h in heads for a in spelled_out(h)]
                continue
        found.append(alt + tail)
    return found


def _is_literal(pattern: str) -> bool:
    return bool(pattern) and not _split_lead(pattern)[1]


def _literal_runs(pattern: str) -> list[str]:
    """Literal texts every match of `pattern` contains (`api_?key` -> `api`, `key`): its runs
    of plain characters, each cut where an optional, repeated or grouped part starts."""
    runs: list[str] = []
    rest = pattern
    while rest:
        start = leading_literal(rest)
        if start:
            runs.append(start)
        at = len(start)
        while at < len(rest) and rest[at] not in _SPECIAL_CHARS:
            at += 1  # a quantified character
        if rest[at:at + 1] == "\\":
            at += 2
        elif rest[at:at + 1] == "[":
            at = rest.index("]", at + 2) + 1
        elif rest[at:at + 1] == "(":
            at += _closing(rest[at:]) + 1
        elif rest[at:at + 1] == "{":
            at = rest.index("}", at) + 1
        else:
            at += 1
        rest = rest[at:]
    return runs


def fewest_words(patterns: list[str]) -> str:
    """One alternation matching on the same lines as all `patterns` together: alternatives
    that contain a literal alternative of another pattern (`api_?key`, `password` beside
    `key`, `pass`) are left out, since that one matches wherever they do."""
    options = sorted({a for p in patterns for part in p.split(SEPARATE)
                      for a in alternatives(part) if a})
    runs = {a: _literal_runs(a) for a in options}
    words = {runs[a][0] for a in options if _is_literal(a)}
    kept = [a for a in options if not any(
        w in run for run in runs[a] for w in words if [w] != runs[a] or not _is_literal(a))]
    return "|".join(kept)


def prefilter(names: Sequence[str]) -> Prefilter | None:
    """The prefilter for the plugins of these class names (None: some plugin is unknown,
    scan every line)."""
    found = [needs(n) for n in names]
    if any(n is None for n in found):
        return None
    folded = by_first_character(alternatives(fewest_words([n[1] for n in found if n and n[1]])))
    return Prefilter(_each([n[0] for n in found if n]),
                     tuple(re.compile(p) for p in folded if p))


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


def candidate_offsets(pre: Prefilter, text: str) -> list[int]:
    """0-based numbers of the lines of `text` that some enabled plugin could report on."""
    found: set[int] = set()
    for pattern in pre.exact:
        found.update(_offsets(pattern, text))
    if pre.folded:
        folded = _fold(text)
        for pattern in pre.folded:
            found.update(_offsets(pattern, folded))
    return sorted(found)


def candidate_lines(pre: Prefilter, lines: list[str]) -> Iterable[int]:
    """1-based numbers of the `lines` the prefilter keeps (a transformer's line may hold
    a newline, so matches are found per line here, not in the joined text)."""
    if any("\n" in line for line in lines):
        return [n for n, line in enumerate(lines, 1) if candidate_offsets(pre, line)]
    return [n + 1 for n in candidate_offsets(pre, "\n".join(lines))]
