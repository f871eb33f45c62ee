"""ONE gitworthy comment per pull request, found again by a hidden marker and kept up to date."""
from __future__ import annotations

from typing import Any

from gitworthy.github.client import GitHubClient, GitHubError

MARKER = "<!-- gitworthy:pr-comment -->"


def marker_for(key: str = "") -> str:
    """The hidden marker; a `key` lets two jobs keep separate comments on one PR."""
    safe = "".join(c for c in key if c.isalnum() or c in "-_.")[:64]
    return f"<!-- gitworthy:pr-comment{':' + safe if safe else ''} -->"


def find(client: GitHubClient, number: int, marker: str = MARKER) -> dict[str, Any] | None:
    """The action's earlier comment: the first one that starts with the marker, a bot's
    comment preferred (a person quoting the marker must not be edited)."""
    candidates = [c for c in client.comments(number)
                  if str(c.get("body") or "").lstrip().startswith(marker)]
    bots = [c for c in candidates if (c.get("user") or {}).get("type") == "Bot"]
    matches = bots or candidates
    return matches[0] if matches else None


def upsert(client: GitHubClient, number: int, body: str, *, marker: str = MARKER,
           create: bool = True, fallback: str = "") -> str:
    """Create or update the comment; returns what happened: created, updated, unchanged,
    or skipped (nothing to say and no earlier comment: an all-clear is not worth a new one).

    When GitHub refuses the body as too large (422), `fallback` (a short version) is sent.
    """
    existing = find(client, number, marker)
    if existing is None and not create:
        return "skipped"
    if existing is not None and existing.get("body") == body:
        return "unchanged"
    for attempt, text in enumerate((body, fallback)):
        try:
            if existing is None:
                client.create_comment(number, text)
                return "created"
            client.update_comment(existing["id"], text)
            return "updated"
        except GitHubError as exc:
            if exc.status != 422 or not fallback or attempt:
                raise
    raise AssertionError("unreachable")  # pragma: no cover
