"""Where the bytes come from: working-tree paths, the git index, a diff range, or history.

A check sees every file through the same small `File` interface, whatever its source, and
never reads more than it asks for: `head()` for the first bytes, `open()` to stream.
"""
from __future__ import annotations

import contextlib
import io
import os
import stat
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path

from gitworthy import git
from gitworthy.findings import InspectionError
from gitworthy.records import Record

TYPE_CHECKING = False  # typing costs a hook's start-up 2 ms; mypy reads the block
if TYPE_CHECKING:
    import subprocess
    from typing import IO, Any

    from _typeshed import WriteableBuffer

HEAD_BYTES = 64 * 1024
SMALL_BLOB = 1024 * 1024  # blobs up to this size come through the shared cat-file process


class File:
    """One file to judge: a repo-relative path, a size, and lazy access to its bytes."""

    path: str
    size: int
    is_symlink: bool = False
    commit: str | None = None  # history mode: the commit that introduced this content

    def head(self, n: int = HEAD_BYTES) -> bytes:
        """The first `n` bytes (fewer if the file is shorter)."""
        if n <= HEAD_BYTES:
            return self._head[:n]
        with self.open() as stream:
            return stream.read(n)

    @cached_property
    def _head(self) -> bytes:
        with self.open() as stream:
            return stream.read(HEAD_BYTES)

    bytes_read: int = 0

    def open(self) -> IO[bytes]:
        """A binary stream of the whole content; read it in chunks, never all at once."""
        head = self.__dict__.get("_head")
        if head is not None and len(head) == self.size:  # a small file, already read whole:
            raw: IO[bytes] = io.BytesIO(head)            # the other checks read it from here
        else:
            raw = self._open()
        # _Counted implements the binary-stream interface; typeshed's IO is nominal, not a Protocol.
        return _Counted(raw, self)  # type: ignore[return-value]

    def _open(self) -> IO[bytes]:
        raise NotImplementedError

    def content_id(self) -> str:
        """A digest of the content: files with equal ids hold the same bytes."""
        import hashlib

        digest = hashlib.sha256(b"l" if self.is_symlink else b"f")
        with self._open() as stream:  # not counted: hashing is the engine's, not a check's
            while chunk := stream.read(1024 * 1024):
                digest.update(chunk)
        return digest.hexdigest()

    def release(self) -> None:
        """Forget cached bytes once the file is judged (a scan holds thousands of files)."""
        self.__dict__.pop("_head", None)

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def suffix(self) -> str:
        """The lower-cased extension with its dot (`.csv`), or ''."""
        name = self.name
        dot = name.rfind(".")
        return name[dot:].lower() if dot > 0 else ""


class DiskFile(File):
    """A file in the working tree (or anywhere on disk). Symlinks are never followed:
    like git, gitworthy sees a link as the short text of its target."""

    def __init__(self, path: str, location: Path) -> None:
        self.path = path
        self.location = location
        try:
            info = location.lstat()
        except FileNotFoundError as exc:
            raise InspectionError("file not found (deleted or moved while scanning?)") from exc
        except OSError as exc:
            raise InspectionError(f"cannot read file: {exc.strerror}") from exc
        self.is_symlink = stat.S_ISLNK(info.st_mode)
        if self.is_symlink:
            self._target = os.fsencode(os.readlink(location))
            self.size = len(self._target)
        elif stat.S_ISREG(info.st_mode):
            self.size = info.st_size
        else:
            raise InspectionError("not a regular file (a device, socket or pipe): not scanned")

    def _open(self) -> IO[bytes]:
        if self.is_symlink:
            return io.BytesIO(self._target)
        try:
            return open(self.location, "rb")
        except FileNotFoundError as exc:
            raise InspectionError("file not found (deleted or moved while scanning?)") from exc
        except OSError as exc:
            raise InspectionError(f"cannot read file: {exc.strerror}") from exc


class _Counted(io.BufferedIOBase):
    """A read-only stream that adds what is read to its file's `bytes_read`."""

    def __init__(self, raw: IO[bytes], file: File) -> None:
        self._raw, self._file = raw, file

    def readable(self) -> bool:
        return True

    def read(self, n: int | None = -1) -> bytes:
        data = self._raw.read(-1 if n is None else n)
        self._file.bytes_read += len(data)
        return data

    def read1(self, n: int = -1) -> bytes:
        return self.read(n)

    # Seeking passes through when the underlying stream can (files on disk, small blobs), so
    # zipfile can read a central directory without reading the whole archive.
    def seekable(self) -> bool:
        return self._raw.seekable()

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self._raw.seek(offset, whence)

    def tell(self) -> int:
        return self._raw.tell()

    def readline(self, limit: int | None = -1) -> bytes:
        data = self._raw.readline(-1 if limit is None else limit)
        self._file.bytes_read += len(data)
        return data

    def close(self) -> None:
        self._raw.close()
        super().close()


class BlobReader:
    """Reads git blobs: small ones through ONE persistent `git cat-file --batch`, large ones
    streamed by their own `git cat-file blob` so that only what is read crosses the pipe."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._batch: subprocess.Popen[bytes] | None = None

    def small(self, sha: str) -> bytes:
        if self._batch is None:
            import subprocess

            self._batch = subprocess.Popen(
                ["git", "cat-file", "--batch"], cwd=self.root,
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            )
        assert self._batch.stdin and self._batch.stdout
        self._batch.stdin.write(f"{sha}\n".encode())
        self._batch.stdin.flush()
        header = self._batch.stdout.readline().split()
        if len(header) != 3:
            raise InspectionError(f"git object {sha[:12]} is missing from the repository")
        data = self._batch.stdout.read(int(header[2]) + 1)
        return data[:-1]

    def __getstate__(self) -> dict[str, object]:
        return {"root": self.root, "_batch": None}  # a worker starts its own process

    def stream(self, sha: str) -> _ProcessStream:
        return _ProcessStream(["git", "cat-file", "blob", sha], self.root)

    def close(self) -> None:
        if self._batch is not None:
            self._batch.stdin.close()  # type: ignore[union-attr]
            self._batch.wait()
            self._batch = None


class _ProcessStream(io.RawIOBase):
    """stdout of a process as a readable stream; closing it stops the process."""

    def __init__(self, argv: list[str], cwd: Path) -> None:
        import subprocess  # here: a hook on work-tree files never starts a process

        self._proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.PIPE,
                                      stderr=subprocess.DEVNULL)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        assert self._proc.stdout
        view = memoryview(buffer).cast("B")
        data = self._proc.stdout.read(len(view))
        view[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self._proc.kill()
            self._proc.wait()
            if self._proc.stdout:
                self._proc.stdout.close()
        super().close()


class BlobFile(File):
    """Content stored in git (the index or a commit), read without touching the work tree."""

    def __init__(self, path: str, sha: str, size: int, reader: BlobReader,
                 is_symlink: bool = False, commit: str | None = None) -> None:
        self.path, self.sha, self.size, self.reader = path, sha, size, reader
        self.is_symlink, self.commit = is_symlink, commit

    def _open(self) -> IO[bytes]:
        if self.size <= SMALL_BLOB:
            return io.BytesIO(self._small)
        return io.BufferedReader(self.reader.stream(self.sha))

    @cached_property
    def _small(self) -> bytes:
        return self.reader.small(self.sha)

    def content_id(self) -> str:
        return f"{'l' if self.is_symlink else 'f'}{self.sha}"

    def release(self) -> None:
        super().release()
        self.__dict__.pop("_small", None)

    def __getstate__(self) -> dict[str, object]:
        """A small blob travels to a worker process with its bytes (the shared cat-file
        process stays here); a large one is streamed by the worker itself."""
        state = dict(self.__dict__)
        if self.size <= SMALL_BLOB and "_small" not in state:
            state["_small"] = self.reader.small(self.sha)
        return state


class Context(Record):
    """What a check may know about the repository beyond the one file it judges.

    Everything is computed on first use, so a check that does not ask costs nothing.
    """

    def __init__(self, root: Path | None, scanned: Sequence[str] = (), staged: bool = False,
                 on_disk: bool = False, policy_ref: str | None = None, history: bool = False,
                 revision: str = "", memo: dict[str, Any] | None = None,
                 _attrs: dict[str, dict[str, str]] | None = None,
                 _policy: dict[tuple[str | None, str], bytes | None] | None = None) -> None:
        self.root = root                  # work-tree root, or None outside git
        self.scanned = scanned            # the paths of this scan
        self.staged = staged              # content comes from the index
        self.on_disk = on_disk            # content comes from the work tree
        self.policy_ref = policy_ref      # the commit policy files are read at (None: work tree)
        self.history = history            # every blob ever committed (paths may be long gone)
        self.revision = revision          # where other files are read from ("" = the index)
        self.memo: dict[str, Any] = {} if memo is None else memo  # derived once per scan
        self._attrs: dict[str, dict[str, str]] = {} if _attrs is None else _attrs
        self._policy: dict[tuple[str | None, str], bytes | None] = (
            {} if _policy is None else _policy)

    @cached_property
    def paths(self) -> frozenset[str]:
        """Every path the repository holds (tracked plus those scanned): for sibling and
        folder logic such as `etl.py` beside `etl_old.py`, or an `MLmodel` in a folder."""
        tracked: list[str] = []
        if self.root is not None:
            with contextlib.suppress(git.GitError):
                tracked = git.split_z(git.run(["ls-files", "-z"], cwd=self.root))
        return frozenset(tracked) | frozenset(self.scanned)

    @cached_property
    def head_paths(self) -> frozenset[str]:
        """The paths in HEAD's tree (empty before the first commit, or outside git)."""
        if self.root is None:
            return frozenset()
        try:
            out = git.run(["ls-tree", "-r", "-z", "--name-only", "HEAD"], cwd=self.root)
        except git.GitError:
            return frozenset()
        return frozenset(git.split_z(out))

    def exists(self, path: str) -> bool:
        """Whether the repository holds `path`: on disk when the scan reads the work tree
        (no git call), else among `paths`."""
        if self.on_disk:
            return os.path.lexists(os.path.join(self.root or os.getcwd(), path))
        return path in self.paths

    def policy_file(self, name: str) -> bytes | None:
        """A policy file (`.gitworthyignore`, `.secrets.baseline`) as the scan's policy sees
        it: at `policy_ref`, else in the work tree; None when there is none. Read once per
        scan (a check may ask for every file)."""
        key = (self.policy_ref, name)
        if key not in self._policy:
            from gitworthy.policy import read_file

            self._policy[key] = read_file(self.root, self.policy_ref, name)
        return self._policy[key]

    def attribute(self, path: str, attr: str) -> str | None:
        """A gitattribute's value for a path (`filter` -> `lfs`), one batched call per attribute."""
        if self.root is None:
            return None
        if attr not in self._attrs:
            try:
                self._attrs[attr] = git.check_attr(self.root, attr, list(self.scanned),
                                                   cached=self.staged)
            except git.GitError:
                self._attrs[attr] = {}
        values = self._attrs[attr]
        if path not in values and path not in self.scanned:
            with contextlib.suppress(git.GitError):
                values.update(git.check_attr(self.root, attr, [path], cached=self.staged))
        return values.get(path)

    def read(self, path: str, limit: int = 1024 * 1024) -> bytes | None:
        """Up to `limit` bytes of another file of the repository (`dvc.yaml` for a data
        file), from the same place as the scanned content; None when it is not there."""
        if self.on_disk or self.root is None:
            location = (self.root or Path.cwd()) / path
            try:
                with open(location, "rb") as fh:
                    return fh.read(limit)
            except OSError:
                return None
        try:
            sha = git.run(["rev-parse", "--verify", "-q", f"{self.revision}:{path}"],
                          cwd=self.root).strip()
        except git.GitError:
            return None
        with io.BufferedReader(_ProcessStream(["git", "cat-file", "blob", sha.decode()],
                                              self.root)) as stream:
            return stream.read(limit)

    def index_head(self, path: str, n: int = 1024) -> bytes | None:
        """The first bytes of the content staged for `path`, or None if it is not in the index."""
        if self.root is None:
            return None
        try:
            sha = git.run(["rev-parse", "--verify", "-q", f":{path}"], cwd=self.root).strip()
        except git.GitError:
            return None
        with _ProcessStream(["git", "cat-file", "blob", sha.decode()], self.root) as stream:
            return stream.read(n)


class Source(Record):
    """The files of one scan and the context they are judged in."""

    def __init__(self, files: list[File], context: Context,
                 errors: list[tuple[str, str]] | None = None) -> None:
        self.files = files
        self.context = context
        self.errors: list[tuple[str, str]] = [] if errors is None else errors  # (path, message)


def link_problem(location: Path, root: Path | None) -> str | None:
    """Why a symbolic link's target cannot be scanned (links are never followed: the target
    is scanned only as a file of its own, which a link out of the repository, a dangling
    link or a loop does not have), or None."""
    try:
        target = location.resolve(strict=True)
    except FileNotFoundError:
        return "a dangling symbolic link (its target does not exist): not followed"
    except (RuntimeError, OSError):
        return "a symbolic link loop: not followed"
    if root is not None and not target.is_relative_to(root.resolve()):
        return ("a symbolic link to outside the repository: not followed, its target was "
                "not scanned")
    return None


def _require_repo(cwd: Path) -> Path:
    root = git.toplevel(cwd)
    if root is None:
        raise git.GitError("not inside a git repository (this mode reads git, plain paths do not)")
    return root


def _display(location: Path, bases: Sequence[Path]) -> str:
    """A path as findings show it: repo-relative with forward slashes where possible
    (`bases`: the work-tree root and the current directory, resolved and as given)."""
    absolute = location.absolute()
    for base in bases:
        try:
            return absolute.relative_to(base).as_posix()
        except ValueError:
            continue
    return absolute.as_posix()


def from_paths(paths: Sequence[str], cwd: Path | None = None) -> Source:
    """Working-tree files. Directories recurse and respect .gitignore (inside or outside git)."""
    cwd = cwd or Path.cwd()
    root = git.toplevel(cwd)
    here = Path.cwd()
    bases = [b for base in (root, here) if base is not None for b in (base.resolve(), base)]
    # pre-commit passes repo-relative names from the root: they are shown as they are
    plain = root is not None and here.resolve() == root.resolve()
    files: list[File] = []
    errors: list[tuple[str, str]] = []
    for raw in paths:
        location = Path(raw)
        if location.is_dir() and not location.is_symlink():
            members = _walk(location, git.toplevel(location))  # its own repository, or none
        else:
            members = [location]
        for member in members:
            if plain and members[0] is location and _is_plain(raw):
                shown = raw.replace(os.sep, "/")
            else:
                shown = _display(member, bases)
            _add_disk_file(shown, member, root, files, errors)
    scanned = [f.path for f in files]
    return Source(files, Context(root, scanned, on_disk=True), errors)


def _is_plain(raw: str) -> bool:
    """A relative name without `.`, `..` or doubled separators: already what findings show."""
    parts = raw.replace(os.sep, "/").split("/")
    return not os.path.isabs(raw) and all(p not in ("", ".", "..") for p in parts)


def _walk(directory: Path, root: Path | None) -> list[Path]:
    if root is not None:
        out = git.run(["ls-files", "-z", "--cached", "--others", "--exclude-standard", "--",
                       str(directory.absolute())], cwd=root)
        return sorted(root / p for p in set(git.split_z(out)) if (root / p).is_file()
                      or (root / p).is_symlink())
    import pathspec

    found: list[Path] = []
    ignores: list[tuple[Path, pathspec.GitIgnoreSpec]] = []
    for dirpath, dirnames, filenames in os.walk(directory):
        here = Path(dirpath)
        ignore_file = here / ".gitignore"
        if ignore_file.is_file():
            lines = ignore_file.read_text("utf-8", "replace").splitlines()
            ignores.append((here, pathspec.GitIgnoreSpec.from_lines(lines)))

        def ignored(p: Path, is_dir: bool) -> bool:
            for base, spec in ignores:
                if base == p or base in p.parents:
                    rel = p.relative_to(base).as_posix() + ("/" if is_dir else "")
                    if spec.match_file(rel):
                        return True
            return False

        dirnames[:] = sorted(d for d in dirnames if d != ".git" and not ignored(here / d, True))
        found.extend(here / f for f in sorted(filenames) if not ignored(here / f, False))
    return found


def _blob_files(root: Path, entries: list[tuple[str, str, str]], reader: BlobReader,
                commits: dict[tuple[str, str], str] | None = None,
                ) -> tuple[list[File], list[tuple[str, str]]]:
    """(mode, sha, path) entries -> BlobFiles, sizes from one batched call; gitlinks skipped.
    A blob missing from the object store is one error entry, not a file every check fails on."""
    entries = [e for e in entries if e[0] != "160000"]
    sizes = git.blob_sizes(root, sorted({sha for _, sha, _ in entries}))
    files: list[File] = []
    errors: list[tuple[str, str]] = []
    for mode, sha, path in entries:
        commit = (commits or {}).get((sha, path))
        if sha not in sizes:
            added = f", added in {commit[:12]}" if commit else ""
            errors.append((path, f"git object {sha[:12]} is missing from the repository"
                                 f"{added} (a partial or damaged clone: `git fetch --refetch`, "
                                 "`git fsck`); not inspected"))
            continue
        files.append(BlobFile(path, sha, sizes[sha], reader, is_symlink=mode == "120000",
                              commit=commit))
    return files, errors


def _raw_entries(out: bytes) -> list[tuple[str, str, str]]:
    """Parse `git diff --raw -z` output into (new mode, new sha, path) of added/changed files."""
    tokens = out.split(b"\0")
    entries = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.startswith(b":"):
            meta = token[1:].decode().split()
            status = meta[4]
            i += 1
            if status[0] in "RC":  # old path, new path
                i += 1
            path = tokens[i].decode("utf-8", "surrogateescape")
            if status[0] != "D":
                entries.append((meta[1], meta[3], path))
        i += 1
    return entries


def staged(cwd: Path | None = None) -> Source:
    """The content staged for the next commit, read from the index (not the work tree)."""
    root = _require_repo(cwd or Path.cwd())
    out = git.run(["diff", "--cached", "--raw", "-z", "--no-abbrev", "-M",
                   "--diff-filter=ACMRT"], cwd=root)
    files, errors = _blob_files(root, _raw_entries(out), BlobReader(root))
    return Source(files, Context(root, [f.path for f in files], staged=True), errors)


def _add_disk_file(shown: str, location: Path, root: Path | None, files: list[File],
                   errors: list[tuple[str, str]]) -> None:
    """A work-tree file for a source, or an error line when it cannot be opened or is a
    symbolic link that leaves the repository, dangles or loops."""
    try:
        file = DiskFile(shown, location)
    except InspectionError as exc:
        errors.append((shown, str(exc)))
        return
    files.append(file)
    problem = link_problem(location, root) if file.is_symlink else None
    if problem:
        errors.append((shown, problem))


def tracked(cwd: Path | None = None) -> Source:
    """Every tracked file as it stands in the work tree (deleted ones are not there to judge)."""
    root = _require_repo(cwd or Path.cwd())
    files: list[File] = []
    errors: list[tuple[str, str]] = []
    # dict.fromkeys: during a merge a conflicted path is listed once per stage
    for path in dict.fromkeys(git.split_z(git.run(["ls-files", "-z", "--cached"], cwd=root))):
        location = root / path
        if not os.path.lexists(location) or (location.is_dir() and not location.is_symlink()):
            continue  # a pending deletion, or a submodule
        _add_disk_file(path, location, root, files, errors)
    return Source(files, Context(root, [f.path for f in files], on_disk=True), errors)


def diff(spec: str, cwd: Path | None = None) -> Source:
    """Files added or changed in a range (`BASE`, `BASE...HEAD`, `BASE..HEAD`), content at
    the range's head. A bare BASE means BASE...HEAD: what this branch adds since it forked."""
    root = _require_repo(cwd or Path.cwd())
    if "..." not in spec and ".." not in spec:
        spec = f"{spec}...HEAD"
    head = spec.split("..")[-1].lstrip(".") or "HEAD"
    try:
        out = git.run(["diff", "--raw", "-z", "--no-abbrev", "-M", "--diff-filter=ACMRT", spec,
                       "--"], cwd=root)
    except git.GitError as exc:
        raise git.GitError(f"{exc} (in a shallow clone, fetch the base first: "
                           "`git fetch --deepen=100` or `git fetch origin BASE`)") from None
    files, errors = _blob_files(root, _raw_entries(out), BlobReader(root))
    context = Context(root, [f.path for f in files], revision=head)
    context.__dict__["paths"] = frozenset(
        git.split_z(git.run(["ls-tree", "-r", "-z", "--name-only", head], cwd=root))
    )
    return Source(files, context, errors)


def history(cwd: Path | None = None, revs: Sequence[str] = ("--all",)) -> Source:
    """Every blob ever committed on any ref (or in the commits `revs` select for
    `git rev-list`, such as `BASE..HEAD`), judged once per path it was stored under, with
    the commit that first introduced it there (parents come before children)."""
    root = _require_repo(cwd or Path.cwd())
    commits = git.run(["rev-list", *revs, "--topo-order", "--reverse", "--"], cwd=root)
    out = git.run(["diff-tree", "--stdin", "-r", "-m", "--root", "--no-renames", "-z",
                   "--no-abbrev", "--diff-filter=AMT"], cwd=root, input=commits)
    seen: dict[tuple[str, str], str] = {}
    entries: list[tuple[str, str, str]] = []
    commit = ""
    tokens = out.split(b"\0")
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.startswith(b":"):
            meta = token[1:].decode().split()
            path = tokens[i + 1].decode("utf-8", "surrogateescape")
            mode, sha = meta[1], meta[3]
            if (sha, path) not in seen:
                seen[sha, path] = commit
                entries.append((mode, sha, path))
            i += 2
        else:
            if token:
                commit = token.decode().strip()
            i += 1
    files, errors = _blob_files(root, entries, BlobReader(root), commits=seen)
    context = Context(root, [f.path for f in files], history=True, revision="HEAD")
    return Source(files, context, errors)
