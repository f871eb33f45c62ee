"""A small client for the few GitHub REST endpoints the action uses (issue comments).

Standard library only (urllib). The token travels in the Authorization header and nowhere
else: not in URLs, messages or exceptions. 5xx answers and rate limits are retried with
backoff; 401/403/404 become a GitHubError with a message that says what to do.
"""
from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

USER_AGENT = "gitworthy-action"
LINK_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')
MAX_PAGES = 200  # 100 comments a page: 20,000 comments is more than any PR has


class GitHubError(Exception):
    """A request failed; `status` is the HTTP status (0 when the server was not reached)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    data: Any


def _explain(status: int, method: str, path: str, server_message: str) -> str:
    """One readable line for a failed request, with the usual cause and fix."""
    what = f"GitHub API {method} {path} answered {status}"
    if server_message:
        what += f" ({server_message[:200]})"
    hints = {
        401: "the token is missing, expired or invalid: check the github-token input",
        403: "the token may not write here: pull requests from forks get a read-only token; "
             "otherwise give the job `permissions: pull-requests: write`",
        404: "not found, or the token cannot see this repository: check the github-token input "
             "and the job's permissions",
        422: "GitHub refused the content (too long or malformed)",
    }
    hint = hints.get(status)
    return f"{what}: {hint}" if hint else what


class GitHubClient:
    """Issue-comment calls against `api_url` (GITHUB_API_URL; GitHub Enterprise Server works)."""

    def __init__(self, api_url: str, token: str, repository: str, *, retries: int = 4,
                 backoff: float = 1.0, timeout: float = 30.0,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.api_url = api_url.rstrip("/")
        self._token = token
        self.repository = repository
        self.retries = retries
        self.backoff = backoff
        self.timeout = timeout
        self._sleep = sleep

    def __repr__(self) -> str:  # never show the token
        return f"GitHubClient({self.api_url!r}, repository={self.repository!r})"

    # -- transport ---------------------------------------------------------------------

    def request(self, method: str, url: str, body: Any = None) -> Response:
        """One call, retried on 5xx, 429 and secondary rate limits; raises GitHubError."""
        if not url.startswith(("http://", "https://")):
            url = self.api_url + url
        shown = url.removeprefix(self.api_url)
        data = json.dumps(body).encode() if body is not None else None
        for attempt in range(self.retries + 1):
            request = urllib.request.Request(url, data=data, method=method, headers={
                "Accept": "application/vnd.github+json",
                "Authorization": f"Bearer {self._token}",
                "X-GitHub-Api-Version": "2022-11-28",
                "User-Agent": USER_AGENT,
                **({"Content-Type": "application/json"} if data is not None else {}),
            })
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                    raw = answer.read()
                    headers = {k.lower(): v for k, v in answer.headers.items()}
                    return Response(answer.status, headers, json.loads(raw) if raw else None)
            except urllib.error.HTTPError as exc:
                headers = {k.lower(): v for k, v in (exc.headers or {}).items()}
                message = _server_message(exc)
                delay = self._retry_delay(exc.code, headers, message, attempt)
                if delay is None:
                    raise GitHubError(exc.code, _explain(exc.code, method, shown, message)) \
                        from None
            except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
                reason = getattr(exc, "reason", exc)
                if attempt >= self.retries:
                    raise GitHubError(0, f"GitHub API {method} {shown} not reachable: "
                                         f"{reason}") from None
                delay = self.backoff * 2 ** attempt
            self._sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    def _retry_delay(self, status: int, headers: dict[str, str], message: str,
                     attempt: int) -> float | None:
        """Seconds to wait before retrying, or None when the failure is final."""
        if attempt >= self.retries:
            return None
        rate_limited = status == 429 or (status == 403 and (
            "rate limit" in message.lower() or headers.get("x-ratelimit-remaining") == "0"))
        if not (status >= 500 or rate_limited):
            return None
        if headers.get("retry-after", "").isdigit():
            return min(float(headers["retry-after"]), 120.0)
        if rate_limited and headers.get("x-ratelimit-reset", "").isdigit():
            return min(max(float(headers["x-ratelimit-reset"]) - time.time(), 1.0), 120.0)
        return self.backoff * 2 ** attempt

    def paginate(self, path: str) -> Iterator[Any]:
        """Every item of a list endpoint, following the Link header's rel="next"."""
        url: str | None = path
        for _ in range(MAX_PAGES):
            if url is None:
                return
            answer = self.request("GET", url)
            yield from answer.data or []
            match = LINK_NEXT.search(answer.headers.get("link", ""))
            url = match.group(1) if match else None

    # -- endpoints ---------------------------------------------------------------------

    def comments(self, number: int) -> Iterator[dict[str, Any]]:
        """All comments of an issue or pull request, oldest first."""
        return self.paginate(f"/repos/{self.repository}/issues/{number}/comments?per_page=100")

    def create_comment(self, number: int, body: str) -> dict[str, Any]:
        return self.request("POST", f"/repos/{self.repository}/issues/{number}/comments",
                            {"body": body}).data

    def update_comment(self, comment_id: int, body: str) -> dict[str, Any]:
        return self.request("PATCH", f"/repos/{self.repository}/issues/comments/{comment_id}",
                            {"body": body}).data

    def pull_request(self, number: int) -> dict[str, Any]:
        """One pull request (`head.sha`, `state`, ...)."""
        data = self.request("GET", f"/repos/{self.repository}/pulls/{number}").data
        return data if isinstance(data, dict) else {}

    def viewer_login(self) -> str | None:
        """The login of the token's user (GraphQL `viewer`: works for the workflow token,
        an app's and a person's), or None when GitHub does not say."""
        base = self.api_url[:-len("/v3")] if self.api_url.endswith("/api/v3") else self.api_url
        try:
            answer = self.request("POST", f"{base}/graphql",
                                  {"query": "query { viewer { login } }"})
        except GitHubError:
            return None
        data = answer.data if isinstance(answer.data, dict) else {}
        login = ((data.get("data") or {}).get("viewer") or {}).get("login")
        return login if isinstance(login, str) and login else None

    def pull_request_files(self, number: int) -> list[dict[str, Any]]:
        """The files a pull request changes (`filename`, `status`, `previous_filename`).
        GitHub lists at most 3,000; a list that long may be incomplete."""
        return list(self.paginate(f"/repos/{self.repository}/pulls/{number}/files"
                                  "?per_page=100"))


def _server_message(exc: urllib.error.HTTPError) -> str:
    """GitHub's own `message` field of an error answer (one line), or ''."""
    try:
        data = json.loads(exc.read() or b"{}")
    except (ValueError, OSError):
        return ""
    message = data.get("message", "") if isinstance(data, dict) else ""
    return " ".join(str(message).split())
