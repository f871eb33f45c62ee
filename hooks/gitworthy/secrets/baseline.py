"""detect-secrets' own baseline (`.secrets.baseline`): the hashed secrets it accepts per file
and the exclusions it was made with, honoured as detect-secrets would."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass

from gitworthy.findings import InspectionError
from gitworthy.secrets.scanner import Hit
from gitworthy.sources import Context


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


def accepted(hits: list[Hit], lines: dict[int, str], path: str, context: Context,
              name: str) -> list[Hit]:
    """The hits a detect-secrets baseline does not accept (`lines`: text by line number)."""
    baseline = detect_secrets_baseline(context, name) if hits else None
    if baseline is None:
        return hits
    return [h for h in hits if not baseline.accepts(path, h, lines.get(h.line, ""))]
