"""What a pull (or merge) request does to its own check, for the reviewer: the policy files
it changes and the findings that change would silence, the `gitworthy: allow` pragmas it adds,
and the secrets and personal data its commits hold that a later commit removed.

Each part is a plain function over git and Reports, for any CI system; `sections` renders
them as Markdown for a comment or a job summary (paths and rule names only, never a value).
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gitworthy import git
from gitworthy.engine import PRAGMA, Report, scan
from gitworthy.findings import Finding
from gitworthy.report.markdown import code, escape

HISTORY_CHECKS = ("check-secrets", "check-pii")
LISTED = 50  # items shown per section; the rest are counted
HUNK = re.compile(rb"^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@")


@dataclass(frozen=True)
class Pragma:
    """A `gitworthy: allow` line the pull request adds."""

    path: str
    line: int
    rules: str  # what it names ("check-pii, pii-in-data"), or "" for every check


@dataclass
class Review:
    """Everything the reviewer sees besides the findings table."""

    policy: str = "head"                  # the policy used: base or head
    policy_note: str = ""                 # which policy, for people
    policy_changed: list[str] = field(default_factory=list)
    silenced: list[Finding] = field(default_factory=list)
    silenced_unknown: str = ""            # why the silenced findings could not be listed
    pragmas: list[Pragma] = field(default_factory=list)
    history_note: str = ""                # commits not scanned, and why

    def to_json(self) -> dict[str, Any]:
        return {"policy": self.policy, "policy_note": self.policy_note,
                "policy_changed": self.policy_changed,
                "silenced": [{"path": f.path, "check": f.check, "rule": f.rule}
                             for f in self.silenced],
                "silenced_unknown": self.silenced_unknown,
                "pragmas": [{"path": p.path, "line": p.line, "rules": p.rules}
                            for p in self.pragmas],
                "history_note": self.history_note}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Review:
        """A Review from `to_json` (an artifact: every field is checked for its type)."""
        def text(value: Any) -> str:
            return value if isinstance(value, str) else ""

        def items(value: Any) -> list[dict[str, Any]]:
            return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []

        return cls(
            policy=text(data.get("policy")), policy_note=text(data.get("policy_note")),
            policy_changed=[text(p) for p in data.get("policy_changed") or []
                            if isinstance(p, str)],
            silenced=[Finding(text(s.get("check")), text(s.get("rule")), text(s.get("path")),
                              "", "") for s in items(data.get("silenced"))],
            silenced_unknown=text(data.get("silenced_unknown")),
            pragmas=[Pragma(text(p.get("path")), p["line"] if isinstance(p.get("line"), int)
                            else 0, text(p.get("rules"))) for p in items(data.get("pragmas"))],
            history_note=text(data.get("history_note")))


def silenced(strict: Report, strict_fail_on: str, relaxed: Report,
             relaxed_fail_on: str) -> list[Finding]:
    """The findings that block under the strict policy but not under the relaxed one."""
    still = {f.fingerprint for f in relaxed.blocking(relaxed_fail_on)}
    return [f for f in strict.blocking(strict_fail_on) if f.fingerprint not in still]


def added_pragmas(root: Path, spec: str) -> list[Pragma]:
    """The `gitworthy: allow` lines that the diff `spec` (`BASE...HEAD`) adds."""
    out = git.run(["diff", "-U0", "--no-color", "--no-ext-diff", "-M", spec, "--"],
                  cwd=root)
    found: list[Pragma] = []
    path, number = "", 0
    for raw in out.split(b"\n"):
        if raw.startswith(b"+++ "):
            name = _unquote(raw[4:])
            path = name[2:].decode("utf-8", "replace") if name.startswith(b"b/") else ""
        elif raw.startswith(b"@@"):
            match = HUNK.match(raw)
            number = int(match.group(1)) if match else 0
        elif raw.startswith(b"+") and path:
            if match := PRAGMA.search(raw):
                names = (match.group(1) or b"").decode("utf-8", "replace")
                found.append(Pragma(path, number, ", ".join(re.split(r"[,\s]+", names.strip()))
                                    if names.strip() else ""))
            number += 1
    return found


def _unquote(name: bytes) -> bytes:
    """A path as git's diff header gives it: C-quoted when it holds a tab, quote or newline."""
    if not (name.startswith(b'"') and name.endswith(b'"')):
        return name
    import codecs

    return codecs.escape_decode(name[1:-1])[0]


def earlier_commits(root: Path, base: str, head: str, check_ids: Sequence[str],
                    config: Any, policy_ref: str | None, final: Report) -> Report:
    """Secrets and personal data in the blobs the commits `base..head` added that are not
    in the final tree (a later commit changed or removed them): they stay readable in the
    pull request's history. Findings already in `final` are not repeated."""
    from gitworthy import sources

    chosen = [c for c in HISTORY_CHECKS if c in check_ids]
    source = sources.history(root, [f"{base}..{head}"])
    at_head = _tree(root, head)
    source.files = [f for f in source.files
                    if (getattr(f, "sha", ""), f.path) not in at_head]
    source.context.policy_ref = policy_ref
    report = scan(source, chosen, config)
    known = {f.fingerprint for f in final.findings}
    report.findings = [_removed_later(f) for f in report.findings if f.fingerprint not in known]
    return report


def _tree(root: Path, commit: str) -> set[tuple[str, str]]:
    """(blob sha, path) of every file at `commit`."""
    out = git.run(["ls-tree", "-r", "-z", "--full-tree", commit], cwd=root)
    entries = set()
    for item in out.split(b"\0"):
        if b"\t" in item:
            meta, path = item.split(b"\t", 1)
            entries.add((meta.split()[2].decode(), path.decode("utf-8", "surrogateescape")))
    return entries


def _removed_later(finding: Finding) -> Finding:
    commit = str(finding.details.get("commit", ""))[:12]
    return finding.replace(
        message=f"{finding.message} (removed by a later commit, but still in the pull "
                "request's history)",
        hint=f"Rewrite the branch so that no commit holds it (`git rebase -i {commit}~1`: edit "
             f"or drop {commit}, then `git push --force-with-lease`), and treat the value as "
             "exposed: rotate the credential, or handle the personal data as a leak.",
        key=f"{finding.key}\0history",
    )


def sections(review: Review) -> list[str]:
    """The review as Markdown blocks for the comment and the job summary."""
    blocks = [f"Policy: {escape(review.policy_note)}."] if review.policy_note else []
    if review.policy_changed:
        lines = ["#### :warning: This pull request changes gitworthy's policy", "",
                 "Policy files it changes: "
                 + ", ".join(code(p, False) for p in review.policy_changed[:LISTED]) + "."]
        if review.silenced:
            lines += ["", "Findings the change would silence (the base commit's policy "
                          "applies: they still count):" if review.policy == "base" else
                      "Findings the change silences (`policy: head`: they do not count):", ""]
            lines += [f"- {code(f.path, False)}: {escape(f.check)} {escape(f.rule)}"
                      for f in review.silenced[:LISTED]]
            lines += _more(len(review.silenced))
        elif review.silenced_unknown:
            lines += ["", escape(review.silenced_unknown)]
        else:
            lines += ["", "The change silences none of this pull request's findings."]
        blocks.append("\n".join(lines))
    if review.pragmas:
        lines = ["#### `gitworthy: allow` lines this pull request adds", ""]
        lines += [f"- {code(f'{p.path}:{p.line}', False)}: "
                  f"{escape(p.rules) if p.rules else 'every check'}"
                  for p in review.pragmas[:LISTED]]
        lines += _more(len(review.pragmas))
        blocks.append("\n".join(lines))
    if review.history_note:
        blocks.append(f"> [!NOTE]\n> {escape(review.history_note)}")
    return blocks


def _more(count: int) -> list[str]:
    return [f"- and {count - LISTED} more"] if count > LISTED else []
