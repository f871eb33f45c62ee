"""The few git calls gitworthy needs, through subprocess (fast to start, no import cost)."""
from __future__ import annotations

import os
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

TYPE_CHECKING = False  # typing costs a hook's start-up 2 ms; mypy reads the block
if TYPE_CHECKING:
    from typing import Literal

# Variables that change where git finds the repository: with any of them set, ask git.
DISCOVERY_VARIABLES = ("GIT_DIR", "GIT_WORK_TREE", "GIT_CEILING_DIRECTORIES",
                       "GIT_DISCOVERY_ACROSS_FILESYSTEM", "GIT_COMMON_DIR")


class GitError(Exception):
    """A git command failed; the message is git's own first line."""


def run(args: Sequence[str], cwd: Path | str | None = None, input: bytes | None = None) -> bytes:
    """Run `git ARGS` and return its stdout; raise GitError with git's message on failure."""
    import subprocess  # here: a hook run on a few files may never need git

    try:
        proc = subprocess.run(
            ["git", "-c", "core.quotepath=off", *args],
            cwd=cwd, input=input, capture_output=True, check=False,
        )
    except FileNotFoundError as exc:
        raise GitError("git is not installed or not on PATH") from exc
    if proc.returncode != 0:
        lines = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(lines[0] if lines else f"git {args[0]} failed ({proc.returncode})")
    return proc.stdout


def toplevel(cwd: Path | str = ".") -> Path | None:
    """The root of the work tree that holds `cwd`, or None outside a repository."""
    return _toplevel(str(Path(cwd).absolute()))


@lru_cache(maxsize=16)
def _toplevel(cwd: str) -> Path | None:
    try:
        found = _discover(os.path.realpath(cwd))
    except OSError:  # a folder gone or unreadable: git says what it makes of it
        found = False
    if found is not False:
        return found
    try:
        out = run(["rev-parse", "--show-toplevel"], cwd=cwd)
    except GitError:
        return None
    return Path(out.decode("utf-8", "surrogateescape").rstrip("\n"))


def _discover(directory: str) -> Path | None | Literal[False]:
    """The work tree that holds `directory` (a real path), found as git finds it but without
    starting git (a hook's start-up): the nearest folder with a `.git` repository folder or
    `gitdir:` file; None when there is none up to the file-system root. False when only git
    can tell: the environment redirects discovery, `directory` is inside a `.git` folder or
    a bare repository, a `.git` is neither of the two, or the walk reaches another file system
    (where git stops)."""
    if any(name in os.environ for name in DISCOVERY_VARIABLES):
        return False
    device = os.stat(directory).st_dev
    while True:
        if os.path.basename(directory) == ".git" or (
                os.path.isfile(os.path.join(directory, "HEAD"))
                and os.path.isdir(os.path.join(directory, "objects"))):
            return False
        dot_git = os.path.join(directory, ".git")
        if os.path.isdir(dot_git):
            return Path(directory) if os.path.isfile(os.path.join(dot_git, "HEAD")) else False
        if os.path.isfile(dot_git):
            return Path(directory) if _is_gitfile(dot_git) else False
        if os.path.lexists(dot_git):
            return False
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        if os.stat(parent).st_dev != device:
            return False
        directory = parent


def _is_gitfile(path: str) -> bool:
    """A `.git` file of a linked work tree or a submodule: `gitdir: PATH`."""
    try:
        with open(path, "rb") as fh:
            return fh.read(8) == b"gitdir: "
    except OSError:
        return False


def split_z(out: bytes) -> list[str]:
    """Split NUL-terminated git output into paths (undecodable bytes survive as surrogates)."""
    return [p.decode("utf-8", "surrogateescape") for p in out.split(b"\0") if p]


def blob_sizes(root: Path, shas: Sequence[str], on_disk: bool = False) -> dict[str, int]:
    """Sizes of many objects (content, or packed on disk) in ONE `git cat-file --batch-check`
    call."""
    if not shas:
        return {}
    field = "%(objectsize:disk)" if on_disk else "%(objectsize)"
    out = run(["cat-file", f"--batch-check=%(objectname) {field}"], cwd=root,
              input="".join(f"{s}\n" for s in shas).encode())
    sizes = {}
    for line in out.decode().splitlines():
        sha, _, size = line.partition(" ")
        if size.isdigit():
            sizes[sha] = int(size)
    return sizes


def check_attr(root: Path, attr: str, paths: Sequence[str], cached: bool = False) -> dict[str, str]:
    """The value of one gitattribute for many paths, in one call (`unspecified` omitted)."""
    if not paths:
        return {}
    args = ["check-attr", "--stdin", "-z"] + (["--cached"] if cached else []) + [attr]
    data = "".join(f"{p}\0" for p in paths).encode("utf-8", "surrogateescape")
    fields = run(args, cwd=root, input=data).split(b"\0")
    values = {}
    for i in range(0, len(fields) - 2, 3):
        path = fields[i].decode("utf-8", "surrogateescape")
        value = fields[i + 2].decode("utf-8", "replace")
        if value != "unspecified":
            values[path] = value
    return values


def is_shallow(cwd: Path | None = None) -> bool:
    """True in a shallow clone."""
    try:
        return run(["rev-parse", "--is-shallow-repository"], cwd=cwd).strip() == b"true"
    except GitError:
        return False


def merge_base(base: str, head: str, cwd: Path | None = None) -> str | None:
    """The best common ancestor of two commits, or None when they share no history here."""
    try:
        return run(["merge-base", base, head], cwd=cwd).decode().strip() or None
    except GitError:
        return None
