"""What a check reports: findings, the rules they belong to, and inspection errors."""
from __future__ import annotations

from enum import Enum

from gitworthy.records import Record

TYPE_CHECKING = False  # typing costs a hook's start-up 2 ms; mypy reads the block
if TYPE_CHECKING:
    from typing import Any


class Severity(str, Enum):
    """How much a finding matters; `--fail-on` decides which ones block."""

    CRITICAL = "critical"  # code that runs when the file is loaded: worse than any error
    ERROR = "error"
    WARNING = "warning"

    @property
    def rank(self) -> int:
        return {"warning": 1, "error": 2, "critical": 3}[self.value]

    @property
    def level(self) -> str:
        """The SARIF / GitHub annotation level (they know only error and warning)."""
        return "warning" if self is Severity.WARNING else "error"


class Rule(Record):
    """One rule's documentation, the single source for `explain`, SARIF help and the README.

    Written in four parts like ruff's rule docs: what it does, why it is bad, an example
    (bad, then good) and how to fix it.
    """

    def __init__(self, id: str, check: str, summary: str, what: str, why: str, example: str,
                 fix: str, severity: Severity = Severity.ERROR) -> None:
        self.id = id
        self.check = check
        self.summary = summary
        self.what = what
        self.why = why
        self.example = example
        self.fix = fix
        self.severity = severity

    def finding(self, path: str, message: str, hint: str, **extra: Any) -> Finding:
        """A finding of this rule (`line`, `key`, `details` may be given as keywords)."""
        return Finding(self.check, self.id, path, message, hint, self.severity, **extra)

    def explain(self) -> str:
        """The rule's documentation as plain text (what `gitworthy explain` prints)."""
        parts = [f"{self.id} ({self.check}, {self.severity.value}): {self.summary}", ""]
        for title, body in (("What it does", self.what), ("Why is this bad?", self.why),
                            ("Example", self.example), ("How to fix", self.fix)):
            parts += [f"## {title}", body.strip("\n"), ""]
        return "\n".join(parts).rstrip() + "\n"


class Finding(Record):
    """One problem in one file. Never holds a PII value or a secret, only masked forms.

    `key` tells findings of the same rule in the same file apart (a column, an entity type);
    it goes into the fingerprint, the line number does not, so a baseline survives edits.
    """

    def __init__(self, check: str, rule: str, path: str, message: str, hint: str,
                 severity: Severity = Severity.ERROR, line: int | None = None, key: str = "",
                 details: dict[str, Any] | None = None) -> None:
        self.check = check
        self.rule = rule
        self.path = path
        self.message = message
        self.hint = hint
        self.severity = severity
        self.line = line
        self.key = key
        self.details: dict[str, Any] = {} if details is None else details

    @property
    def identity(self) -> tuple[str, str, str, str]:
        """What the fingerprint digests: findings with the same identity are one problem."""
        return self.check, self.rule, self.path, self.key

    @property
    def fingerprint(self) -> str:
        raw = "\x00".join(self.identity)
        import hashlib  # here: a hook run without a baseline never needs a fingerprint

        return hashlib.sha256(raw.encode("utf-8", "surrogateescape")).hexdigest()[:32]

    def to_json(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "rule": self.rule,
            "path": self.path,
            "line": self.line,
            "severity": self.severity.value,
            "message": self.message,
            "hint": self.hint,
            "fingerprint": self.fingerprint,
            "details": self.details,
        }


class InspectionError(Exception):
    """A file could not be inspected (truncated, malformed, unreadable).

    The message is one readable line that says what is wrong and, where it helps, what to do.
    It must never contain file content.
    """


class ScanError(Record):
    """A file that could not be inspected, or a problem with the scan itself."""

    def __init__(self, path: str, message: str, blob: str = "") -> None:
        self.path = path
        self.message = message
        self.blob = blob  # the git blob that could not be inspected (a baseline may accept it)

    @property
    def fingerprint(self) -> str:
        """What a baseline records to accept this error: the blob, so that the same bytes
        pass and any other content is inspected again. Errors without a blob have none."""
        return f"blob:{self.blob}" if self.blob else ""

    def to_json(self) -> dict[str, str]:
        return {"path": self.path, "message": self.message}
