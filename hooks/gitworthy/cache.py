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

- Every entry is authenticated: HMAC-SHA256, under a random key this machine's user made
  on first use (`$XDG_CONFIG_HOME/gitworthy/cache.key`, mode 0600, outside the cache
  folder) or given in `GITWORTHY_CACHE_KEY`. The MAC covers the lookup key and the verdict,
  and the entry's file name is another HMAC of the lookup key. Nothing read from the cache
  is parsed before its MAC verifies.
- So an entry is accepted only if gitworthy itself, holding the key, wrote it after really
  judging the same content with the same check, options and code: it says what judging
  again would say. A cache restored from another machine or written by a pull request has
  another key; an entry edited, truncated, or copied to another name (a clean verdict moved
  to a secret's blob) fails its MAC. Every entry that fails is a miss: the file is judged
  again, never taken as clean. Replaying an older valid entry for the same lookup key gives
  the same verdict, because the key binds everything the verdict depends on.
- Whoever can read the key can forge entries, but the key sits beside the user's own
  gitworthy installation, which that person could equally edit. A CI job must therefore
  never hold `GITWORTHY_CACHE_KEY` while it runs untrusted code; the Action uses no cache,
  and in any CI the cache is off unless `GITWORTHY_CACHE_KEY` is set.
- A work-tree file is stored only if it did not change (size, times, inode) from before it
  was hashed to after it was judged, so a verdict is never filed under other bytes.

Entries are small files written atomically (temp file, then rename), so concurrent runs
and `--jobs` are safe (only the main process reads and writes the cache). The folder is
pruned, oldest used first, when it grows past MAX_BYTES (checked at most hourly).
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
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from gitworthy import __version__
from gitworthy.findings import Finding, InspectionError, Severity
from gitworthy.runner import Checks, Verdict, repath
from gitworthy.sources import Context, File

FORMAT = "v1"
MAX_BYTES = 256 * 1024 * 1024   # the folder's size on disk before the oldest entries go
MAX_ENTRY = 1024 * 1024          # a larger entry is not read
PRUNE_EVERY = 3600               # seconds between two looks at the folder's size
TOUCH_AFTER = 86400              # a hit refreshes its entry's age at most once a day
KEY_VARIABLE = "GITWORTHY_CACHE_KEY"
CI_VARIABLES = ("CI", "GITHUB_ACTIONS", "GITLAB_CI", "TF_BUILD", "BITBUCKET_BUILD_NUMBER",
                "JENKINS_URL")


class CacheUnavailable(Exception):
    """The cache cannot be used (a bad key file); the scan runs without it."""


@dataclass(frozen=True)
class Wanted:
    """A verdict to store once judged: its lookup key, and the work-tree file's state."""

    lookup: bytes
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
    home = Path.home()
    root = Path(directory or env.get("GITWORTHY_CACHE_DIR")
                or Path(env.get("XDG_CACHE_HOME") or home / ".cache") / "gitworthy")
    if given:
        if len(given) < 32:
            raise CacheUnavailable(f"{KEY_VARIABLE} is shorter than 32 characters: "
                                   "no cache used (make one: openssl rand -hex 32)")
        key = hashlib.sha256(b"gitworthy cache key\0" + given.encode()).digest()
    else:
        config = Path(env.get("XDG_CONFIG_HOME") or home / ".config") / "gitworthy"
        key = _key_file(config / "cache.key")
    return Cache(root, key)


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
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as fh:
            info = os.fstat(fh.fileno())
            text = fh.read(200).strip()
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
    for entry in sys.path:
        with contextlib.suppress(OSError):
            installed.update(n for n in os.listdir(entry or ".")
                             if n.endswith((".dist-info", ".egg-info")))
    digest.update("\0".join(sorted(installed)).encode())
    return digest.hexdigest()


class Cache:
    """Authenticated verdicts in a folder; counts what it reused, stored and rejected."""

    def __init__(self, root: Path, key: bytes, env_digest: str | None = None) -> None:
        self.root, self.key = root, key
        self.env_digest = env_digest or environment()
        self.hits = self.stored = self.rejected = 0

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
            for cid in reusable.intersection(check_ids):
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
                lookup = self._lookup_key(content[0], cid, options, extra, file.path)
                remembered = self._read(lookup)
                if remembered is None:
                    wanted[index, cid] = Wanted(lookup, content[1])
                else:
                    self.hits += 1
                    found[index, cid] = repath(remembered[1], remembered[0], file.path)
        return found, wanted

    def _lookup_key(self, content: str, check_id: str, options: dict[str, Any],
                    extra: Hashable, path: str) -> bytes:
        quoted = shlex.quote(path) == path  # re-pathing needs paths quoted alike
        raw = json.dumps([self.env_digest, check_id, options, content, repr(extra), quoted],
                         sort_keys=True, default=repr)
        return hashlib.sha256(raw.encode("utf-8", "surrogateescape")).digest()

    def _location(self, lookup: bytes) -> Path:
        name = hmac.new(self.key, b"name\0" + lookup, hashlib.sha256).hexdigest()
        return self.root / FORMAT / name[:2] / name[2:]

    def _mac(self, lookup: bytes, payload: bytes) -> bytes:
        return hmac.new(self.key, b"entry\0" + lookup + b"\0" + payload,
                        hashlib.sha256).hexdigest().encode()

    def _read(self, lookup: bytes) -> tuple[str, Verdict] | None:
        """The entry for `lookup` if it is there and authentic; else None (judge again)."""
        location = self._location(lookup)
        try:
            fd = os.open(location, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
                         | getattr(os, "O_NONBLOCK", 0))
        except FileNotFoundError:
            return None
        except OSError:  # a link, a folder, no permission: not ours
            self.rejected += 1
            return None
        with os.fdopen(fd, "rb") as fh:
            info = os.fstat(fh.fileno())
            data = fh.read(MAX_ENTRY + 1) if stat.S_ISREG(info.st_mode) else b""
        mac, _, payload = data.partition(b"\n")
        if len(data) > MAX_ENTRY or not hmac.compare_digest(mac, self._mac(lookup, payload)):
            self.rejected += 1
            return None
        try:
            remembered = _decode(payload)
        except (ValueError, KeyError, TypeError):
            self.rejected += 1
            return None
        if time.time() - info.st_mtime > TOUCH_AFTER:
            with contextlib.suppress(OSError):
                os.utime(location)  # recently used: pruned last
        return remembered

    # ------------------------------------------------------------------ storing

    def store(self, wanted: Wanted, file: File, verdict: Verdict) -> None:
        """Remember a verdict judged in this run: only a clean judgement (no error) of bytes
        that did not change meanwhile, and only what reads back exactly."""
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
        location = self._location(wanted.lookup)
        try:
            location.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            temp = location.with_name(f".tmp-{location.name[:16]}-{os.getpid()}")
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC
                         | getattr(os, "O_NOFOLLOW", 0), 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(self._mac(wanted.lookup, payload) + b"\n" + payload)
            os.replace(temp, location)
        except OSError:
            return  # a full or read-only disk: the scan goes on without remembering
        self.stored += 1

    def close(self) -> None:
        """Prune the folder (oldest used first) when this run added to it, at most hourly."""
        if not self.stored:
            return
        marker = self.root / FORMAT / "pruned"
        with contextlib.suppress(OSError):
            if time.time() - marker.stat().st_mtime < PRUNE_EVERY:
                return
        prune(self.root / FORMAT, MAX_BYTES)
        with contextlib.suppress(OSError):
            marker.touch()

    def summary(self) -> str:
        return (f"gitworthy: cache {self.root}: {self.hits} verdicts reused, {self.stored} "
                f"stored, {self.rejected} rejected (not authentic)")


def prune(folder: Path, limit: int) -> None:
    """Delete the least recently used entries until the folder holds at most `limit` bytes
    on disk (and temp files a stopped run left behind)."""
    entries: list[tuple[float, int, str]] = []
    now = time.time()
    with contextlib.suppress(OSError), os.scandir(folder) as shards:
        for shard in shards:
            if not shard.is_dir(follow_symlinks=False):
                continue
            with contextlib.suppress(OSError), os.scandir(shard.path) as members:
                for member in members:
                    with contextlib.suppress(OSError):
                        info = member.stat(follow_symlinks=False)
                        if member.name.startswith(".tmp-") and now - info.st_mtime < 3600:
                            continue
                        size = getattr(info, "st_blocks", 0) * 512 or info.st_size
                        entries.append((info.st_mtime, size, member.path))
    total = sum(size for _, size, _ in entries)
    for _, size, path in sorted(entries):
        if total <= limit:
            break
        with contextlib.suppress(OSError):
            os.unlink(path)
        total -= size


def _stamp(file: File) -> tuple[int, ...] | None:
    """A work-tree file's state (None for git blobs, which never change)."""
    location = getattr(file, "location", None)
    if location is None:
        return None
    info = os.stat(location, follow_symlinks=False)
    return info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino


_FIELDS = tuple(f.name for f in fields(Finding))


def _encode(path: str, verdict: Verdict) -> bytes:
    findings = [{name: getattr(f, name) for name in _FIELDS} for f in verdict.findings]
    # key order kept: details print in the order the check wrote them
    return json.dumps({"path": path, "findings": findings}, separators=(",", ":")).encode()


def _decode(payload: bytes) -> tuple[str, Verdict]:
    data = json.loads(payload)
    findings = [Finding(**{**f, "severity": Severity(f["severity"])}) for f in data["findings"]]
    if not isinstance(data["path"], str):
        raise TypeError("path")
    return data["path"], Verdict(findings)
