"""The REST client and the ONE-comment logic, against a local server that behaves like
GitHub's issue-comment endpoints (no github.com)."""
from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from gitworthy.github import comment
from gitworthy.github.client import GitHubClient, GitHubError

TOKEN = "ghs_faketoken0123456789abcdef"
REPO = "octo/data-repo"


class FakeGitHub:
    """A threaded HTTP server on 127.0.0.1 with GitHub's issue-comment REST endpoints.

    - GET  /repos/O/R/issues/N/comments?per_page=&page=   (Link header pagination)
    - POST /repos/O/R/issues/N/comments                   (create)
    - PATCH /repos/O/R/issues/comments/ID                 (update)
    - GET  /repos/O/R/pulls/N/files?per_page=&page=       (a PR's files; 404 unless set)
    - GET  /repos/O/R/pulls/N                             (a PR, from `pulls`; 404 unless set)
    - POST /graphql                                       (`viewer { login }` only)
    Knobs: `read_only` (writes answer 403 like a fork PR's token), `max_body` (422 above it),
    `failures` (statuses answered once each before serving normally), `rate_limit_once`.
    It lives as long as the `with` block of the test that uses it, however long that takes.
    """

    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.comments: dict[int, list[dict[str, Any]]] = {}
        self.pr_files: dict[int, list[dict[str, Any]]] = {}
        self.pulls: dict[int, dict[str, Any]] = {}
        self.next_id = 1000
        self.read_only = False
        self.max_body = 65536
        self.failures: list[int] = []
        self.rate_limit_once = False
        self.viewer = "github-actions"  # the token's user, as GraphQL's viewer names it
        self.requests: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.02,),
                                       daemon=True)

    def __enter__(self) -> FakeGitHub:  # noqa: PYI034
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def add_comment(self, number: int, body: str, user: str = "github-actions[bot]",
                    kind: str = "Bot") -> dict[str, Any]:
        with self.lock:
            self.next_id += 1
            item = {"id": self.next_id, "body": body, "user": {"login": user, "type": kind}}
            self.comments.setdefault(number, []).append(item)
            return item

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _send(self, status: int, data: Any, headers: dict[str, str] | None = None) -> None:
                raw = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(raw)

            def _body(self) -> dict[str, Any]:
                length = int(self.headers.get("Content-Length") or 0)
                return json.loads(self.rfile.read(length) or b"{}")

            def _handle(self, method: str) -> None:
                url = urlsplit(self.path)
                body = self._body() if method in ("POST", "PATCH") else {}
                with fake.lock:
                    fake.requests.append({"method": method, "path": self.path,
                                          "headers": dict(self.headers), "body": body})
                    failure = fake.failures.pop(0) if fake.failures else None
                    rate_limit = fake.rate_limit_once
                    fake.rate_limit_once = False
                if self.headers.get("Authorization") != f"Bearer {fake.token}":
                    return self._send(401, {"message": "Bad credentials"})
                if failure:
                    return self._send(failure, {"message": "Server Error"})
                if rate_limit:
                    return self._send(403, {"message": "You have exceeded a secondary rate "
                                                       "limit. Please wait a few minutes."},
                                      {"Retry-After": "0"})
                listing = re.fullmatch(rf"/repos/{REPO}/issues/(\d+)/comments", url.path)
                single = re.fullmatch(rf"/repos/{REPO}/issues/comments/(\d+)", url.path)
                files = re.fullmatch(rf"/repos/{REPO}/pulls/(\d+)/files", url.path)
                pull = re.fullmatch(rf"/repos/{REPO}/pulls/(\d+)", url.path)
                if method == "GET" and pull and int(pull.group(1)) in fake.pulls:
                    return self._send(200, fake.pulls[int(pull.group(1))])
                if method == "POST" and url.path == "/graphql":
                    return self._send(200, {"data": {"viewer": {"login": fake.viewer}}})
                if method == "GET" and listing:
                    with fake.lock:
                        items = list(fake.comments.get(int(listing.group(1)), []))
                    return self._list(items, parse_qs(url.query), url.path)
                if method == "GET" and files and int(files.group(1)) in fake.pr_files:
                    items = fake.pr_files[int(files.group(1))]
                    return self._list(items, parse_qs(url.query), url.path)
                if method in ("POST", "PATCH") and fake.read_only:
                    return self._send(403, {"message": "Resource not accessible by integration"})
                if method in ("POST", "PATCH") and len(body.get("body", "")) > fake.max_body:
                    return self._send(422, {"message": "Validation Failed", "errors": [
                        {"message": "body is too long (maximum is 65536 characters)"}]})
                if method == "POST" and listing:
                    item = fake.add_comment(int(listing.group(1)), body["body"])
                    return self._send(201, item)
                if method == "PATCH" and single:
                    with fake.lock:
                        for items in fake.comments.values():
                            for item in items:
                                if item["id"] == int(single.group(1)):
                                    item["body"] = body["body"]
                                    return self._send(200, item)
                return self._send(404, {"message": "Not Found"})

            def _list(self, items: list[Any], query: dict[str, list[str]], path: str) -> None:
                per_page = min(int(query.get("per_page", ["30"])[0]), 100)
                page = int(query.get("page", ["1"])[0])
                pages = max(1, -(-len(items) // per_page))
                chunk = items[(page - 1) * per_page: page * per_page]
                links = []
                if page < pages:
                    links.append(f'<{fake.url}{path}?per_page={per_page}&page={page + 1}>; '
                                 'rel="next"')
                    links.append(f'<{fake.url}{path}?per_page={per_page}&page={pages}>; '
                                 'rel="last"')
                self._send(200, chunk, {"Link": ", ".join(links)} if links else {})

            def do_GET(self) -> None:
                self._handle("GET")

            def do_POST(self) -> None:
                self._handle("POST")

            def do_PATCH(self) -> None:
                self._handle("PATCH")

        return Handler


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    with FakeGitHub() as server:
        yield server


def client_for(fake: FakeGitHub, token: str = TOKEN, retries: int = 3) -> GitHubClient:
    return GitHubClient(fake.url, token, REPO, retries=retries, backoff=0.01)


def test_lists_every_comment_across_pages(fake: FakeGitHub) -> None:
    for i in range(250):
        fake.add_comment(7, f"comment {i}", user="someone", kind="User")
    bodies = [c["body"] for c in client_for(fake).comments(7)]
    assert bodies == [f"comment {i}" for i in range(250)]
    assert sum(r["method"] == "GET" for r in fake.requests) == 3


def test_first_upsert_creates_the_comment(fake: FakeGitHub) -> None:
    outcome = comment.upsert(client_for(fake), 7, f"{comment.MARKER}\nfindings")
    assert outcome == "created"
    assert [c["body"] for c in fake.comments[7]] == [f"{comment.MARKER}\nfindings"]


def test_second_upsert_updates_in_place(fake: FakeGitHub) -> None:
    client = client_for(fake)
    comment.upsert(client, 7, f"{comment.MARKER}\nfirst")
    outcome = comment.upsert(client, 7, f"{comment.MARKER}\nsecond")
    assert outcome == "updated"
    assert [c["body"] for c in fake.comments[7]] == [f"{comment.MARKER}\nsecond"]


def test_marker_on_a_later_page_is_found(fake: FakeGitHub) -> None:
    for i in range(150):
        fake.add_comment(7, f"chatter {i}", user="someone", kind="User")
    mine = fake.add_comment(7, f"{comment.MARKER}\nold")
    comment.upsert(client_for(fake), 7, f"{comment.MARKER}\nnew")
    assert mine["body"] == f"{comment.MARKER}\nnew"
    assert len(fake.comments[7]) == 151


def test_all_clear_without_earlier_comment_posts_nothing(fake: FakeGitHub) -> None:
    outcome = comment.upsert(client_for(fake), 7, f"{comment.MARKER}\nall clear", create=False)
    assert outcome == "skipped"
    assert fake.comments == {}


def test_same_body_is_not_sent_again(fake: FakeGitHub) -> None:
    client = client_for(fake)
    comment.upsert(client, 7, f"{comment.MARKER}\nsame")
    assert comment.upsert(client, 7, f"{comment.MARKER}\nsame") == "unchanged"
    assert sum(r["method"] == "PATCH" for r in fake.requests) == 0


def test_a_persons_comment_with_the_marker_is_never_edited(fake: FakeGitHub) -> None:
    human = fake.add_comment(7, f"{comment.MARKER} quoted by a person", user="ann", kind="User")
    client = client_for(fake)
    assert comment.upsert(client, 7, f"{comment.MARKER}\nnew",
                          authors=comment.authors_for(client)) == "created"
    assert fake.comments[7][0] == human and len(fake.comments[7]) == 2


def test_another_bots_comment_with_the_marker_is_never_edited(fake: FakeGitHub) -> None:
    other = fake.add_comment(7, f"{comment.MARKER}\nfake", user="mallory-bot[bot]", kind="Bot")
    bot = fake.add_comment(7, f"{comment.MARKER}\nold")
    client = client_for(fake)
    assert comment.upsert(client, 7, f"{comment.MARKER}\nnew",
                          authors=comment.authors_for(client)) == "updated"
    assert fake.comments[7][0]["body"] == other["body"] == f"{comment.MARKER}\nfake"
    assert fake.comments[7][1]["id"] == bot["id"] and bot["body"].endswith("new")


def test_an_apps_token_edits_its_own_comment(fake: FakeGitHub) -> None:
    fake.viewer = "data-guard"
    fake.add_comment(7, f"{comment.MARKER}\nby the workflow token")
    mine = fake.add_comment(7, f"{comment.MARKER}\nold", user="data-guard[bot]")
    client = client_for(fake)
    assert comment.authors_for(client) == ("data-guard", "data-guard[bot]")
    assert comment.upsert(client, 7, f"{comment.MARKER}\nnew",
                          authors=comment.authors_for(client)) == "updated"
    assert mine["body"].endswith("new")


def test_comment_key_keeps_separate_comments(fake: FakeGitHub) -> None:
    client = client_for(fake)
    for key in ("lint", "data"):
        marker = comment.marker_for(key)
        comment.upsert(client, 7, f"{marker}\n{key}", marker=marker)
    assert len(fake.comments[7]) == 2


def test_server_error_is_retried_then_succeeds(fake: FakeGitHub) -> None:
    fake.failures = [502]
    assert comment.upsert(client_for(fake), 7, f"{comment.MARKER}\nx") == "created"
    assert len(fake.comments[7]) == 1


def test_secondary_rate_limit_is_retried(fake: FakeGitHub) -> None:
    fake.rate_limit_once = True
    assert comment.upsert(client_for(fake), 7, f"{comment.MARKER}\nx") == "created"


def test_persistent_server_errors_give_up_with_the_status(fake: FakeGitHub) -> None:
    fake.failures = [500] * 10
    with pytest.raises(GitHubError) as caught:
        list(client_for(fake, retries=2).comments(7))
    assert caught.value.status == 500
    assert len(fake.requests) == 3


def test_read_only_token_gets_a_403_that_names_forks(fake: FakeGitHub) -> None:
    fake.read_only = True
    with pytest.raises(GitHubError) as caught:
        comment.upsert(client_for(fake), 7, f"{comment.MARKER}\nx")
    assert caught.value.status == 403
    assert "fork" in str(caught.value) and "pull-requests: write" in str(caught.value)


def test_bad_token_gets_a_401_that_names_the_input(fake: FakeGitHub) -> None:
    with pytest.raises(GitHubError) as caught:
        list(client_for(fake, token="wrong").comments(7))
    assert caught.value.status == 401
    assert "github-token" in str(caught.value)


def test_unknown_pull_request_gets_a_404_message(fake: FakeGitHub) -> None:
    with pytest.raises(GitHubError) as caught:
        client_for(fake).update_comment(424242, "x")
    assert caught.value.status == 404
    assert "permissions" in str(caught.value)


def test_oversize_body_falls_back_to_the_short_version(fake: FakeGitHub) -> None:
    fake.max_body = 100
    outcome = comment.upsert(client_for(fake), 7, f"{comment.MARKER}\n" + "x" * 500,
                             fallback=f"{comment.MARKER}\nshort")
    assert outcome == "created"
    assert [c["body"] for c in fake.comments[7]] == [f"{comment.MARKER}\nshort"]


def test_token_travels_only_in_the_authorization_header(fake: FakeGitHub) -> None:
    client = client_for(fake)
    comment.upsert(client, 7, f"{comment.MARKER}\nx")
    fake.read_only = True
    with pytest.raises(GitHubError) as caught:
        comment.upsert(client, 7, f"{comment.MARKER}\ny")
    assert TOKEN not in str(caught.value) and TOKEN not in repr(client)
    for request in fake.requests:
        assert TOKEN not in request["path"]
        assert TOKEN not in json.dumps(request["body"])
        assert request["headers"]["Authorization"] == f"Bearer {TOKEN}"


def test_pull_request_files_are_listed_across_pages(fake: FakeGitHub) -> None:
    fake.pr_files[7] = [{"filename": f"data/part-{i}.csv", "status": "added"}
                        for i in range(130)]
    files = client_for(fake).pull_request_files(7)
    assert [f["filename"] for f in files] == [f"data/part-{i}.csv" for i in range(130)]


def test_unreachable_server_is_a_readable_error() -> None:
    with FakeGitHub() as gone:
        url = gone.url
    client = GitHubClient(url, TOKEN, REPO, retries=1, backoff=0.01)
    with pytest.raises(GitHubError) as caught:
        list(client.comments(7))
    assert caught.value.status == 0
    assert "not reachable" in str(caught.value)
