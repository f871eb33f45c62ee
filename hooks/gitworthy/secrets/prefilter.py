"""The prefilter: one combined pattern per case over whole blocks of text, so that only the
lines some enabled plugin could report on go through detect-secrets' plugins and filters.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
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
    "TelegramBotTokenDetector": (r":[0-9A-Za-z_-]{35}", ""),  # after `\d{8,10}`
    "TwilioKeyDetector": ("AC[a-z0-9]{32}|SK[a-z0-9]{32}", ""),
    # gitworthy's plugins (gitworthy.secrets.plugins)
    "ConnectionStringPasswordDetector": ("://", "passw?d|password|pwd"),
    "AzureSasTokenDetector": ("sig=", ""),
    "CredentialAssignmentDetector": ("", r"token|secret|passw|pwd|api_?key|apikey|access_?key"
                                         r"|auth_?key|private_?key|client_?key|cred|session"),
    "CurlCredentialDetector": ("", "curl"),
}
# Characters re.IGNORECASE equates with an ASCII letter that str.lower() does not turn into it.
_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})


def _fold(text: str) -> str:
    """`text` lowercased as re.IGNORECASE compares letters (newlines stay where they are)."""
    if text.isascii() or not any(c in text for c in _SPECIAL):
        return text.lower()
    return text.translate(_FOLD).lower()


_SPECIAL = "\u0130\u0131\u017f\u212a"


# Separates alternatives searched as patterns of their own (a newline is never in a need).
SEPARATE = "\n"


def plugin_needs(plugin: Any) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None] | None:
    """A plugin's own needs, compiled (None: unknown, run it on every line): a line that
    matches neither cannot give it a finding, so the scanner skips it there."""
    needs = _needs(plugin)
    if needs is None:
        return None
    exact, folded = (n.replace(SEPARATE, "|") for n in needs)
    return (re.compile(exact) if exact else None, re.compile(folded) if folded else None)


def _needs(plugin: Any) -> tuple[str, str] | None:
    """What a line must match for `plugin` to find anything in it (case-sensitive, and
    lowercase for the folded text), or None for a plugin not known here."""
    name = type(plugin).__name__
    if name == "TokenFormatDetector":
        from gitworthy.secrets.plugins import markers
        literals, patterns = markers()
        return SEPARATE.join([trie(literals), *patterns]), ""
    if name == "KeywordDetector":  # every one of its regexes contains a denylisted keyword
        from detect_secrets.plugins.keyword import DENYLIST
        return "", "|".join(DENYLIST)
    if name in ("Base64HighEntropyString", "HexHighEntropyString"):
        # gitworthy's filter keeps their findings only where a credential's name or header
        # comes before the value (`gitworthy.secrets.filters.EVIDENCE`): a line without one
        # of its words cannot give a finding, however many quoted random strings it holds.
        return "", EVIDENCE_WORDS
    return NEEDS.get(name)


def trie(words: Sequence[str]) -> str:
    """One regex for many literals, factored by common prefixes (`gl(?:pat|dt)`): the regex
    engine then rejects most positions on their first character, as with one literal."""
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


@dataclass(frozen=True)
class Prefilter:
    """The enabled plugins' needs: `exact` searched in the text, `folded` in `_fold(text)`.

    Each plugin's pattern is searched on its own: Python's regex engine finds one pattern's
    literal start fast, and loses that speed when many unrelated patterns are alternated."""

    exact: tuple[re.Pattern[str], ...]
    folded: tuple[re.Pattern[str], ...]


def _each(patterns: list[str]) -> tuple[re.Pattern[str], ...]:
    """Each pattern compiled on its own (and each part of one that SEPARATE splits)."""
    parts = {part for p in patterns for part in p.split(SEPARATE) if part}
    return tuple(re.compile(p) for p in sorted(parts))


def prefilter(plugins: Sequence[Any]) -> Prefilter | None:
    """The prefilter for these plugins (None: some plugin is unknown, scan every line)."""
    needs = [_needs(p) for p in plugins]
    if any(n is None for n in needs):
        return None
    return Prefilter(_each([n[0] for n in needs if n]), _each([n[1] for n in needs if n]))


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
