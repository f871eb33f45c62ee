"""Blocks data files and binaries over a size limit, and any file over a hard limit.

Git LFS pointers pass; a path that .gitattributes routes to LFS but whose content is not a
pointer fails; a DVC-tracked output committed to git fails at any size.
"""
from __future__ import annotations

import shlex
from collections.abc import Iterator, Sequence
from typing import Any

from gitworthy.filetypes import DATA_EXTENSIONS, human_size, is_binary, is_lfs_pointer, sniff_format
from gitworthy.findings import Finding, Rule
from gitworthy.hook import run_hook
from gitworthy.sources import Context, DiskFile, File

ID = "check-large-files"
OPTIONS: dict[str, Any] = {"max-kb": 500, "hard-limit-kb": 10240}

LARGE_DATA = Rule(
    id="large-data-file", check=ID,
    summary="A data, media, archive or binary file over the size limit (default 500 KB).",
    what="Flags binary files and data files (CSV, Parquet, HDF5, NumPy, Excel, images, audio, "
         "archives, ...) larger than `max-kb`, recognized by their content as well as their "
         "extension, in new and in modified files.",
    why="Git keeps every version of every file forever. A 50 MB CSV committed and then "
        "updated ten times makes every clone download 500 MB, and binary diffs cannot be "
        "reviewed. Data changes on its own schedule and wants a versioned store, not code "
        "review.",
    example="Bad:  git add data/claims_2024.csv            (38 MB)\n"
            "Good: dvc add data/claims_2024.csv && git add data/claims_2024.csv.dvc\n"
            "Good: git lfs track '*.parquet' && git add .gitattributes data/claims.parquet",
    fix="Unstage it (`git rm --cached PATH`), then version the data with DVC (`dvc add PATH`, "
        "commit the small .dvc file), keep it in object storage and commit the code that "
        "fetches it, or, if the team has chosen Git LFS, `git lfs track` its pattern.",
)
LARGE_FILE = Rule(
    id="large-file", check=ID,
    summary="Any file, text included, over the hard limit (default 10 MB).",
    what="Flags every file larger than `hard-limit-kb`, whatever its type: generated JSON, "
         "log files, SQL dumps, minified bundles.",
    why="A file this size is generated, not written by a person: nobody can review it, it "
        "slows every clone and checkout, and hosting services reject files over 100 MB.",
    example="Bad:  git add logs/training.log               (64 MB)\n"
            "Good: echo 'logs/' >> .gitignore",
    fix="Unstage it (`git rm --cached PATH`) and add it to .gitignore; commit the code that "
        "generates it. Keep needed artifacts in object storage or Git LFS.",
)
LFS_NOT_POINTER = Rule(
    id="lfs-not-a-pointer", check=ID,
    summary="A file that .gitattributes routes to Git LFS was staged as its real content.",
    what="Flags files whose path has `filter=lfs` in .gitattributes but whose staged content "
         "is the file itself, not a Git LFS pointer.",
    why="This happens when Git LFS is not installed on the committer's machine: the large "
        "file lands in git history after all, and stays there even after LFS is fixed.",
    example="Bad:  git add model_inputs.parquet   (git-lfs not installed: 80 MB in history)\n"
            "Good: git lfs install && git rm --cached model_inputs.parquet && "
            "git add model_inputs.parquet",
    fix="Run `git lfs install`, then re-add the file: `git rm --cached PATH && git add PATH`. "
        "`git lfs ls-files` should then list it.",
)
DVC_OUTPUT = Rule(
    id="dvc-output-committed", check=ID,
    summary="A file that DVC tracks (a .dvc file declares it) was committed to git too.",
    what="Flags files under a path that a `.dvc` file declares as a DVC output, at any size.",
    why="DVC keeps the data in its cache and remote and git keeps only the small .dvc file. "
        "Committing the output as well duplicates the data in git history and makes the two "
        "disagree as soon as the data changes.",
    example="Bad:  git add data/raw/members.csv   (data/raw.dvc declares data/raw)\n"
            "Good: dvc add data/raw && git add data/raw.dvc",
    fix="Unstage it (`git rm -r --cached PATH`), make sure DVC's .gitignore entry for it is "
        "committed, and push the data with `dvc push`.",
)
RULES = (LARGE_DATA, LARGE_FILE, LFS_NOT_POINTER, DVC_OUTPUT)


def describe(file: File) -> tuple[str, str] | None:
    """(format, kind) of a data/media/archive/binary file, or None for text, from the first
    bytes first and the extension second."""
    head = file.head(512)
    sniffed = sniff_format(head)
    if sniffed:
        return sniffed
    if file.suffix in DATA_EXTENSIONS:
        return DATA_EXTENSIONS[file.suffix], "data"
    if is_binary(file.head(8000)):
        return "binary", "binary"
    return None


def dvc_declaration(path: str, context: Context) -> str | None:
    """The .dvc file that declares `path` or one of its folders as a DVC output."""
    parts = path.split("/")
    for i in range(len(parts), 0, -1):
        candidate = "/".join(parts[:i]) + ".dvc"
        if context.exists(candidate):
            return candidate
    return None


def _is_pointer_in_git(file: File, context: Context) -> bool:
    """For a working-tree file: does the index hold an LFS pointer for it (git-lfs smudged
    the real content into the work tree)? Blob sources are already what git stores."""
    if not isinstance(file, DiskFile):
        return False
    staged = context.index_head(file.path)
    return staged is not None and is_lfs_pointer(staged)


def _hint_for(kind: str, suffix: str, path: str) -> str:
    pattern = f"*{suffix}" if suffix else path
    path = shlex.quote(path)
    if kind == "data":
        return (f"keep data out of git: `git rm --cached {path}`, then `dvc add {path}` (commit "
                f"the .dvc file) or object storage; or Git LFS: `git lfs track '{pattern}'`")
    return (f"`git rm --cached {path}`, then store it in Git LFS (`git lfs track '{pattern}'`) "
            "or object storage")


def check(file: File, options: dict[str, Any], context: Context) -> Iterator[Finding]:
    """Judge one file by its size and its first bytes only."""
    if file.is_symlink or (file.size < 1024 and is_lfs_pointer(file.head(1024))):
        return
    if not file.path.endswith(".dvc"):
        declared = dvc_declaration(file.path, context)
        if declared:
            yield DVC_OUTPUT.finding(
                file.path, f"tracked by DVC ({declared}) but committed to git as well",
                f"`git rm -r --cached {shlex.quote(file.path)}` and keep it in DVC (`dvc push`)",
                key=declared)
            return
    limit = options["max-kb"] * 1024
    hard_limit = options["hard-limit-kb"] * 1024
    described = describe(file) if file.size > limit else None
    if described is None and file.size <= hard_limit:
        return
    if context.attribute(file.path, "filter") == "lfs":
        if not _is_pointer_in_git(file, context):
            yield LFS_NOT_POINTER.finding(
                file.path, f"routed to Git LFS by .gitattributes, but staged as its "
                           f"{human_size(file.size)} content, not an LFS pointer",
                f"`git lfs install`, then `git rm --cached {shlex.quote(file.path)} && "
                f"git add {shlex.quote(file.path)}`")
        return
    if described is not None:
        name, kind = described
        what = f"{name} file" if kind != "binary" else "binary file"
        yield LARGE_DATA.finding(
            file.path, f"{what} of {human_size(file.size)} (limit {options['max-kb']} KB)",
            _hint_for(kind, file.suffix, file.path), details={"size": file.size, "format": name})
    else:
        yield LARGE_FILE.finding(
            file.path, f"file of {human_size(file.size)} (hard limit "
                       f"{options['hard-limit-kb']} KB for any file)",
            f"`git rm --cached {shlex.quote(file.path)}`, add it to .gitignore and commit the "
            "code that makes it; or Git LFS / object storage", details={"size": file.size})


def main(argv: Sequence[str] | None = None) -> int:
    return run_hook(ID, argv)


if __name__ == "__main__":
    raise SystemExit(main())
