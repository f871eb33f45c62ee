"""Verdicts remembered across runs, so that a second `gitworthy scan` judges only what changed.

What is cached: the verdict of a check that declares `reuse_key` (it judges content, not
paths) on one content, with no error. The entry's lookup key is a digest of the content (the
git blob id, or SHA-256 of a work-tree file), the check id, the check's effective options,
its reuse key, and the environment: gitworthy's version and the bytes of its own code and
data, Python's version and the distributions installed beside it (detect-secrets, presidio,
spaCy models...). Changing any of them misses. Path-dependent checks, errors and files that
could not be inspected are never cached. The baseline, `.gitworthyignore`, pragmas and
severities apply after judging, so they are not part of the key (a detect-secrets baseline
does change judging: check-secrets' `reuse_key` then says "not reusable").

Why a poisoned cache cannot hide a finding:

- The cache is a folder of segment files, one per run that judged something new. Each
  segment is authenticated as a whole: HMAC-SHA256 over its bytes, under a random key this
  machine's user made on first use (`$XDG_CONFIG_HOME/gitworthy/cache.key`, mode 0600,
  outside the cache folder) or given in `GITWORTHY_CACHE_KEY`. Inside, each verdict is filed
  under its entry id, another HMAC of everything the verdict depends on (so the cache names
  no content either). Nothing read from the cache is parsed before its segment's MAC
  verifies.
- So a verdict is used only if gitworthy itself, holding the key, wrote it after really
  judging the same content with the same check, options and code: it says what judging
  again would say. A segment restored from another machine or written by a pull request has
  another key; a segment edited, truncated, or with a verdict moved under another entry id
  (a clean verdict moved onto a secret's blob) fails its MAC and is skipped whole. Whatever
  is skipped is a miss: the file is judged again, never taken as clean. Replaying an older
  authentic segment gives the same verdicts, because the entry id binds everything the
  verdict depends on.
- Whoever can read the key can forge segments, but the key sits beside the user's own
  gitworthy installation, which that person could equally edit. A CI job must therefore
  never hold `GITWORTHY_CACHE_KEY` while it runs untrusted code; the Action uses no cache,
  and in any CI the cache is off unless `GITWORTHY_CACHE_KEY` is set.
- A work-tree file is stored only if it did not change (size, times, inode) from before it
  was hashed to after it was judged, so a verdict is never filed under other bytes.

Segments are written whole at the end of a run (temp file, then rename) and never changed,
so concurrent runs and `--jobs` are safe (only the main process reads and writes the
cache). Past MAX_SEGMENTS segments or MAX_BYTES, a run merges them into one: the verdicts
it used first, then the newest, up to the bound. One file per run, not per verdict: creating
thousands of small files cost more than judging them.
"""
from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import shlex
import stat
import sys
import time
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gitworthy import __version__
from gitworthy.findings import Finding, InspectionError, Severity
from gitworthy.runner import Verdict, repath
from gitworthy.sources import Context, File

if TYPE_CHECKING:
    from gitworthy.runner import Checks

FORMAT = "v1"
MAX_BYTES = 32 * 1024 * 1024   # verdicts read and kept, and one segment's bound (~150,000)
MAX_SEGMENTS = 8                # more segment files than this are merged into one
KEY_VARIABLE = "GITWORTHY_CACHE_KEY"
CI_VARIABLES = ("CI", "GITHUB_ACTIONS", "GITLAB_CI", "TF_BUILD", "BITBUCKET_BUILD_NUMBER",
                "JENKINS_URL")


class CacheUnavailable(Exception):
    """The cache cannot be used (a bad key file); the scan runs without it."""


@dataclass(frozen=True)
class Wanted:
    """A verdict to store once judged: its entry id, and the work-tree file's state."""

    entry: str
    stamp: tuple[int, ...] | None


def open_cache(directory: str | None, env: Mapping[str, str]) -> Cache | None:
    """The cache a scan uses: None when switched off (`GITWORTHY_NO_CACHE`, or in CI without
    `GITWORTHY_CACHE_KEY`). Raises CacheUnavailable with one line when the key is unsafe."""
    if env.get("GITWORTHY_NO_CACHE"):
        return None
    given = env.get(KEY_VARIABLE, "")
    if not given and any(env.get(name, "").strip().lower() not in ("", "0", "false")
                         for name in CI_VARIABLES):
        return None
    root = Path(directory or env.get("GITWORTHY_CACHE_DIR")
                or _user_folder(env, "XDG_CACHE_HOME", ".cache") / "gitworthy")
    if given:
        if len(given) < 32:
            raise CacheUnavailable(f"{KEY_VARIABLE} is shorter than 32 characters: "
                                   "no cache used (make one: openssl rand -hex 32)")
        secret = given.encode("utf-8", "surrogateescape")
        key = hashlib.sha256(b"gitworthy cache key\0" + secret).digest()
    else:
        key = _key_file(_user_folder(env, "XDG_CONFIG_HOME", ".config") / "gitworthy"
                        / "cache.key")
    return Cache(root, key)


def _user_folder(env: Mapping[str, str], variable: str, default: str) -> Path:
    """An XDG base folder (a relative value is ignored, as the XDG specification says)."""
    if env.get(variable) and os.path.isabs(env[variable]):
        return Path(env[variable])
    try:
        return Path.home() / default
    except RuntimeError:  # no HOME and no user entry: never a folder in the scanned repo
        raise CacheUnavailable(f"no home folder for the cache: no cache used (set "
                               f"{variable}, or --no-cache)") from None


def _key_file(path: Path) -> bytes:
    """The key in `path`, made on first use: 32 random bytes, readable by this user only."""
    if not path.exists():
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            temp = path.with_name(f".{path.name}.{os.getpid()}")
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(os.urandom(32).hex() + "\n")
            with contextlib.suppress(FileExistsError):  # another run made one first
                os.link(temp, path)
            temp.unlink()
        except OSError as exc:
            raise CacheUnavailable(f"{path}: cannot make the cache key "
                                   f"({exc.strerror or type(exc).__name__}): no cache used"
                                   ) from None
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
                     | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as fh:
            info = os.fstat(fh.fileno())
            text = fh.read(200).strip() if stat.S_ISREG(info.st_mode) else b""
    except OSError as exc:
        raise CacheUnavailable(f"{path}: cannot read the cache key "
                               f"({exc.strerror or type(exc).__name__}): no cache used"
                               ) from None
    if os.name == "posix" and (info.st_uid != os.getuid() or info.st_mode & 0o077):
        raise CacheUnavailable(f"{path}: the cache key must belong to you with mode 0600 "
                               "(chmod 600 it, or delete it to make a new one): no cache used")
    if len(text) != 64 or not all(c in b"0123456789abcdef" for c in text):
        raise CacheUnavailable(f"{path}: not a gitworthy cache key (delete it to make a new "
                               "one): no cache used")
    return bytes.fromhex(text.decode())


def environment() -> str:
    """A digest of what judging depends on besides content and options: gitworthy's version
    and its own files, Python, and the distributions installed on `sys.path`."""
    digest = hashlib.sha256(f"{FORMAT}\0{__version__}\0{sys.version}\0".encode())
    package = Path(__file__).parent
    for path in sorted(package.rglob("*")):
        if "__pycache__" not in path.parts and path.is_file():
            digest.update(path.relative_to(package).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    installed: set[str] = set()
    for entry in filter(None, sys.path):  # not the working directory
        with contextlib.suppress(OSError):
            installed.update(n for n in os.listdir(entry)
                             if n.endswith((".dist-info", ".egg-info")))
    digest.update("\0".join(sorted(installed)).encode())
    return digest.hexdigest()


class Cache:
    """Authenticated verdicts in a folder of segment files; counts what it reused, stored
    and rejected."""

    def __init__(self, root: Path, key: bytes, env_digest: str | None = None) -> None:
        self.root, self.key = root, key
        self.folder = root / FORMAT
        self.env_digest = env_digest or environment()
        self.hits = self.stored = self.rejected = 0
        self._entries: dict[str, bytes] | None = None  # entry id -> payload, loaded lazily
        self._segments: list[Path] = []   # the segment files loaded (or found foreign)
        self._loaded_bytes = 0
        self._used: dict[str, bytes] = {}  # what this run reused or judged: kept on pruning
        self._new: dict[str, bytes] = {}   # judged in this run: the next segment

    # ------------------------------------------------------------------ lookups

    def lookup(self, tasks: Sequence[tuple[File, list[str]]], checks: Checks,
               context: Context) -> tuple[dict[tuple[int, str], Verdict],
                                          dict[tuple[int, str], Wanted]]:
        """(task index, check id) -> the remembered verdict, re-pathed to the task's file;
        and the lookups that missed, to `store` once judged."""
        found: dict[tuple[int, str], Verdict] = {}
        wanted: dict[tuple[int, str], Wanted] = {}
        reusable = {cid for cid, (module, _) in checks.items() if hasattr(module, "reuse_key")}
        for index, (file, check_ids) in enumerate(tasks):
            content: tuple[str, tuple[int, ...] | None] | None = None
            for cid in sorted(reusable.intersection(check_ids)):
                module, options = checks[cid]
                try:
                    extra = module.reuse_key(file, options, context)
                    if extra is not None and content is None:
                        stamp = _stamp(file)
                        content = file.content_id(), stamp
                except (OSError, InspectionError):
                    break  # judged as usual; the check says what it cannot read
                if extra is None or content is None:
                    continue
                entry = self._entry_id(content[0], cid, options, extra, file.path)
                remembered = self._recall(entry)
                if remembered is None:
                    wanted[index, cid] = Wanted(entry, content[1])
                else:
                    self.hits += 1
                    found[index, cid] = repath(remembered[1], remembered[0], file.path)
        return found, wanted

    def _entry_id(self, content: str, check_id: str, options: dict[str, Any],
                  extra: Hashable, path: str) -> str:
        """What the verdict depends on, as a keyed digest (it names no content)."""
        quoted = shlex.quote(path) == path  # re-pathing needs paths quoted alike
        raw = json.dumps([self.env_digest, check_id, options, content, repr(extra), quoted],
                         sort_keys=True, default=repr)
        return hmac.new(self.key, b"entry\0" + raw.encode("utf-8", "surrogateescape"),
                        hashlib.sha256).hexdigest()[:32]

    def _mac(self, body: bytes) -> bytes:
        return hmac.new(self.key, b"segment\0" + body, hashlib.sha256).hexdigest().encode()

    def _recall(self, entry: str) -> tuple[str, Verdict] | None:
        if self._entries is None:
            self._entries = self._load()
        payload = self._entries.get(entry)
        if payload is None:
            return None
        try:
            remembered = _decode(payload)
        except (ValueError, KeyError, TypeError):  # authentic but unreadable: judge again
            return None
        self._used[entry] = payload
        return remembered

    def _load(self) -> dict[str, bytes]:
        """Every authentic entry, newest segment first, up to MAX_BYTES. A segment whose
        MAC does not verify (edited, truncated, another key's) is skipped whole."""
        entries: dict[str, bytes] = {}
        with contextlib.suppress(OSError):
            names = sorted((n for n in os.listdir(self.folder) if n.endswith(".seg")),
                           reverse=True)
            for name in names:
                path = self.folder / name
                self._segments.append(path)
                if self._loaded_bytes > MAX_BYTES:
                    continue  # past the bound: dropped on the next pruning
                body = self._read_segment(path)
                if body is None:
                    self.rejected += 1
                    continue
                self._loaded_bytes += len(body)
                for line in body.splitlines():
                    entry, _, payload = line.partition(b" ")
                    entries.setdefault(entry.decode("ascii", "replace"), payload)
        return entries

    def _read_segment(self, path: Path) -> bytes | None:
        """A segment's body if its MAC verifies, else None. Nothing is parsed before."""
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
                         | getattr(os, "O_NONBLOCK", 0))
        except OSError:  # a link, a folder, no permission: not ours
            return None
        with os.fdopen(fd, "rb") as fh:
            regular = stat.S_ISREG(os.fstat(fh.fileno()).st_mode)
            data = fh.read(MAX_BYTES + 66) if regular else b""
        mac, _, body = data.partition(b"\n")
        if len(body) > MAX_BYTES or not hmac.compare_digest(mac, self._mac(body)):
            return None
        return body

    # ------------------------------------------------------------------ storing

    def store(self, wanted: Wanted, file: File, verdict: Verdict) -> None:
        """Remember a verdict judged in this run: only a clean judgement (no error) of bytes
        that did not change meanwhile, and only what reads back exactly. Written on close."""
        if verdict.errors or verdict.internal_error:
            return
        try:
            if wanted.stamp is not None and _stamp(file) != wanted.stamp:
                return
        except OSError:
            return
        payload = _encode(file.path, verdict)
        try:
            if _decode(payload) != (file.path, verdict):
                return  # details that JSON would change (a tuple): judged again next time
        except (ValueError, KeyError, TypeError):
            return
        self._new[wanted.entry] = self._used[wanted.entry] = payload
        self.stored += 1

    def close(self) -> None:
        """Write what this run judged as one new segment (temp file, then rename). With
        MAX_SEGMENTS segments, more than MAX_BYTES, or a foreign segment, merge them into
        one instead: what this run judged and reused first, then the newest, up to
        MAX_BYTES; the segments merged go."""
        merge = (len(self._segments) >= MAX_SEGMENTS or self._loaded_bytes > MAX_BYTES
                 or self.rejected > 0)
        if not self._new and not merge:
            return
        groups = [self._new, self._used, self._entries or {}] if merge else [self._new]
        entries: dict[str, bytes] = {}
        size = 0
        for group in groups:
            for entry, payload in group.items():
                if entry in entries:
                    continue
                size += len(entry) + len(payload) + 2
                if size > MAX_BYTES:
                    break
                entries[entry] = payload
        body = b"".join(f"{k} ".encode() + v + b"\n" for k, v in entries.items())
        name = f"{time.time_ns():020d}-{os.getpid()}-{os.urandom(4).hex()}"
        try:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            temp = self.folder / f".{name}.tmp"
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(self._mac(body) + b"\n" + body)
            os.replace(temp, self.folder / f"{name}.seg")
        except OSError:
            return  # a full or read-only disk: the next run judges again
        if merge:
            for path in self._segments:
                with contextlib.suppress(OSError):
                    path.unlink()
            _remove_stale_temps(self.folder)

    def summary(self) -> str:
        return (f"gitworthy: cache {self.root}: {self.hits} verdicts reused, {self.stored} "
                f"stored, {self.rejected} cache files rejected (not authentic)")


def _remove_stale_temps(folder: Path) -> None:
    """Temp files of runs that stopped before renaming them, an hour on."""
    with contextlib.suppress(OSError):
        for name in os.listdir(folder):
            path = folder / name
            with contextlib.suppress(OSError):
                if name.endswith(".tmp") and time.time() - path.stat().st_mtime > 3600:
                    path.unlink()


def _stamp(file: File) -> tuple[int, ...] | None:
    """A work-tree file's state (None for git blobs, which never change)."""
    location = getattr(file, "location", None)
    if location is None:
        return None
    info = os.stat(location, follow_symlinks=False)
    return info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino


FINDING_FIELDS = ("check", "rule", "path", "message", "hint", "severity", "line", "key",
                  "details")


def _encode(path: str, verdict: Verdict) -> bytes:
    findings = [{name: getattr(f, name) for name in FINDING_FIELDS} for f in verdict.findings]
    # key order kept: details print in the order the check wrote them
    return json.dumps({"path": path, "findings": findings}, separators=(",", ":")).encode()


def _decode(payload: bytes) -> tuple[str, Verdict]:
    data = json.loads(payload)
    findings = [Finding(**{**f, "severity": Severity(f["severity"])}) for f in data["findings"]]
    if not isinstance(data["path"], str):
        raise TypeError("path")
    return data["path"], Verdict(findings)
