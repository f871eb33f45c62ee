"""ONE gitworthy comment per pull request, found again by a hidden marker and kept up to date."""
from __future__ import annotations

from collections.abc import Collection
from typing import Any

from gitworthy.github.client import GitHubClient, GitHubError

MARKER = "<!-- gitworthy:pr-comment -->"
DEFAULT_AUTHORS = ("github-actions[bot]",)  # the workflow token's user


def marker_for(key: str = "") -> str:
    """The hidden marker; a `key` lets two jobs keep separate comments on one PR."""
    safe = "".join(c for c in key if c.isalnum() or c in "-_.")[:64]
    return f"<!-- gitworthy:pr-comment{':' + safe if safe else ''} -->"


def authors_for(client: GitHubClient) -> tuple[str, ...]:
    """The logins whose comments are the action's own: the token's user (an app's token
    comments as `NAME[bot]`), else the workflow token's `github-actions[bot]`."""
    login = client.viewer_login()
    return (login, f"{login}[bot]") if login else DEFAULT_AUTHORS


def find(client: GitHubClient, number: int, marker: str = MARKER,
         authors: Collection[str] = DEFAULT_AUTHORS) -> dict[str, Any] | None:
    """The action's earlier comment: the first one that starts with the marker and was
    written by one of `authors` (anyone can quote the marker; only our own is edited)."""
    for item in client.comments(number):
        if (str(item.get("body") or "").lstrip().startswith(marker)
                and (item.get("user") or {}).get("login") in authors):
            return item
    return None


def upsert(client: GitHubClient, number: int, body: str, *, marker: str = MARKER,
           create: bool = True, fallback: str = "",
           authors: Collection[str] = DEFAULT_AUTHORS) -> str:
    """Create or update the comment; returns what happened: created, updated, unchanged,
    or skipped (nothing to say and no earlier comment: an all-clear is not worth a new one).

    When GitHub refuses the body as too large (422), `fallback` (a short version) is sent.
    """
    existing = find(client, number, marker, authors)
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
