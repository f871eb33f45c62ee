"""Blocks data files and binaries over a size limit, and any file over a hard limit.

Data is recognised by its content as well as its name (CSV rows in `orders.txt` too). Size
limits may be set per gitignore-style pattern. Git LFS pointers pass, unless their real size is
over `lfs-max-kb` or .gitattributes no longer routes them to LFS; a path routed to LFS whose
content is not a pointer fails; an output that a `.dvc` file, `dvc.yaml` or `dvc.lock` declares
fails at any size, and so does run output (TensorBoard events, `mlruns/`, `wandb/`, ...).
"""
from __future__ import annotations

import posixpath
import re
import shlex
from collections.abc import Iterator, Sequence
from functools import lru_cache

from gitworthy.filetypes import (
    DATA_EXTENSIONS,
    HEAD_SAMPLE,
    LFS_POINTER_MAX,
    SOURCE_SUFFIXES,
    human_size,
    is_binary,
    is_lfs_pointer,
    sniff_format,
    sniff_text_data,
)
from gitworthy.findings import Finding, Rule
from gitworthy.hook import run_hook
from gitworthy.sources import Context, DiskFile, File

TYPE_CHECKING = False  # typing costs a hook's start-up 2 ms; mypy reads the block
if TYPE_CHECKING:
    from typing import Any

ID = "check-large-files"
OPTIONS: dict[str, Any] = {
    "max-kb": 500,          # data, media, archives and binaries
    "hard-limit-kb": 10240,  # any file
    "limits": {},           # per gitignore-style pattern, in KB: {"*.png" = 200, "data/**" = 0}
    "lfs-max-kb": 0,        # the real size of files in Git LFS (0: no limit)
}

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
    summary="A file that DVC tracks (a .dvc file, dvc.yaml or dvc.lock declares it) was "
            "committed to git too.",
    what="Flags files under a path that a `.dvc` file, or the `outs` of a stage in `dvc.yaml` "
         "or `dvc.lock`, declares as a DVC output, at any size (`cache: false` outputs pass: "
         "they are meant for git).",
    why="DVC keeps the data in its cache and remote and git keeps only the small .dvc file. "
        "Committing the output as well duplicates the data in git history and makes the two "
        "disagree as soon as the data changes.",
    example="Bad:  git add data/raw/members.csv   (data/raw.dvc declares data/raw)\n"
            "Good: dvc add data/raw && git add data/raw.dvc",
    fix="Unstage it (`git rm -r --cached PATH`), make sure DVC's .gitignore entry for it is "
        "committed, and push the data with `dvc push`.",
)
LFS_TOO_LARGE = Rule(
    id="lfs-file-too-large", check=ID,
    summary="A file stored in Git LFS is larger than the LFS limit (`lfs-max-kb`, off by default).",
    what="Reads the real size that a Git LFS pointer records and flags it when it exceeds "
         "`lfs-max-kb`: LFS storage and bandwidth are quotas too.",
    why="Every clone and CI job downloads LFS files at checkout: a 4 GB model in LFS costs the "
        "same bandwidth as one in git, and hosted LFS quotas run out. Beyond some size the data "
        "belongs in object storage or DVC, fetched only where it is needed.",
    example="Bad:  models/llm-7b.safetensors   (LFS pointer for 13.5 GB)\n"
            "Good: dvc add models/llm-7b.safetensors   (or a model registry)",
    fix="Move it to DVC or object storage (`git rm --cached PATH`, `dvc add PATH`), or raise "
        "`lfs-max-kb` if the team accepts the cost.",
)
LFS_NOT_ROUTED = Rule(
    id="lfs-pointer-not-routed", check=ID,
    summary="A Git LFS pointer whose path .gitattributes no longer routes to LFS.",
    what="Flags files whose content is a Git LFS pointer while `.gitattributes` has no "
         "`filter=lfs` for their path (the attribute was removed or the file was moved).",
    why="git treats the pointer as the file itself: every checkout shows three lines of "
        "pointer text instead of the data, and code that loads the file fails or, worse, "
        "reads the pointer as data.",
    example="Bad:  .gitattributes loses `*.h5 filter=lfs ...`; model.h5 stays a pointer\n"
            "Good: git lfs track '*.h5' && git add .gitattributes",
    fix="Route the path to LFS again (`git lfs track 'PATTERN'`, commit .gitattributes), or "
        "replace the pointer with the real content where it should leave LFS "
        "(`git lfs migrate export --include=PATH`).",
)
RUN_ARTIFACT = Rule(
    id="run-artifact", check=ID,
    summary="Experiment-tracking output (TensorBoard events, `mlruns/`, `lightning_logs/`, "
            "`wandb/`) at any size.",
    what="Flags what training runs write, whatever its size: TensorBoard event files "
         "(`events.out.tfevents.*`), MLflow's `mlruns/` and `mlartifacts/`, PyTorch "
         "Lightning's `lightning_logs/`, Weights & Biases' `wandb/run-*`, Hydra run folders "
         "(`.hydra/`), CatBoost's `catboost_info/`, Ray Tune's `ray_results/`, Neptune's "
         "`.neptune/`. One finding per run folder.",
    why="Run output is regenerated by every run and grows without bound: a few small files "
        "today are thousands of event files and checkpoints next month, each kept in history "
        "forever. The tracking server (or object storage) is where runs are compared.",
    example="Bad:  git add -A    (adds mlruns/0/3f2a.../metrics/loss)\n"
            "Good: echo 'mlruns/' >> .gitignore; log to `mlflow server` or W&B",
    fix="`git rm -r --cached FOLDER`, add the folder to .gitignore, and keep runs in the "
        "tracking server or object storage.",
)
RULES = (LARGE_DATA, LARGE_FILE, LFS_NOT_POINTER, DVC_OUTPUT, LFS_TOO_LARGE, LFS_NOT_ROUTED,
         RUN_ARTIFACT)

# Folders that experiment trackers and trainers write their runs to.
RUN_FOLDERS = {
    "mlruns": "MLflow runs", "mlartifacts": "MLflow artifacts",
    "lightning_logs": "PyTorch Lightning logs", "wandb": "Weights & Biases runs",
    ".neptune": "Neptune runs", "catboost_info": "CatBoost training logs",
    "ray_results": "Ray Tune results", ".hydra": "a Hydra run folder",
}
WANDB_RUN = re.compile(
    r"^(?:offline-)?run-\d{8}_\d{6}-\w+$|^latest-run$|^debug(?:-internal)?\.log$")
LFS_SIZE = re.compile(rb"^size (\d+)$", re.M)


def run_artifact(path: str) -> tuple[str, str] | None:
    """(what it is, the run folder or file to report) for run output, else None."""
    parts = path.split("/")
    for i, part in enumerate(parts[:-1]):
        if part not in RUN_FOLDERS:
            continue
        if part == "wandb" and not WANDB_RUN.match(parts[i + 1]):
            continue  # a package or a module called wandb, not a run folder
        folder = "/".join(parts[: i if part == ".hydra" else i + 1])
        if folder:
            return RUN_FOLDERS[part], folder
    if parts[-1].startswith("events.out.tfevents."):
        return "TensorBoard event files", "/".join(parts[:-1]) or path
    return None


def describe(file: File) -> tuple[str, str] | None:
    """(format, kind) of a data/media/archive/binary file, or None for code and prose: the
    first bytes first, the extension where the bytes only name a container (an .xlsx is a
    zip, an .rda is gzip), then rows of text data whatever the file is called."""
    head = file.head(512)
    sniffed = sniff_format(head)
    by_name = DATA_EXTENSIONS.get(file.suffix)
    if sniffed and sniffed[1] == "archive" and by_name and by_name != sniffed[0]:
        return by_name, "media" if file.suffix in (".docx", ".pptx") else "data"
    if sniffed:
        return sniffed
    if by_name:
        return by_name, "data"
    if is_binary(file.head(8000)):
        return "binary", "binary"
    if file.suffix not in SOURCE_SUFFIXES:
        text_format = sniff_text_data(file.head(HEAD_SAMPLE))
        if text_format:
            return text_format, "data"
    return None


def _parse_dvc(declaration: str, context: Context) -> tuple[set[str], set[str]]:
    """(cached outputs, `cache: false` outputs) a dvc.yaml or dvc.lock declares, repo-relative."""
    memo = context.memo.setdefault("dvc-files", {})
    if declaration not in memo:
        memo[declaration] = _read_dvc(declaration, context)
    return memo[declaration]


def _read_dvc(declaration: str, context: Context) -> tuple[set[str], set[str]]:
    cached: set[str] = set()
    uncached: set[str] = set()
    data = context.read(declaration)
    try:
        import yaml

        doc = yaml.safe_load(data) if data else None
    except Exception:  # noqa: BLE001 -- a broken dvc.yaml is DVC's error to report, not ours
        return cached, uncached
    stages = doc.get("stages") if isinstance(doc, dict) else None
    base = declaration.rpartition("/")[0]
    for stage in stages.values() if isinstance(stages, dict) else ():
        if isinstance(stage, dict) and isinstance(stage.get("do"), dict):
            stage = stage["do"]  # foreach / matrix stages
        entries = stage.get("outs") if isinstance(stage, dict) else None
        for entry in entries if isinstance(entries, list) else ():
            options: Any = {}
            if isinstance(entry, str):
                out = entry
            elif isinstance(entry, dict) and "path" in entry:  # dvc.lock
                out = entry["path"]
            elif isinstance(entry, dict) and len(entry) == 1:
                out, options = next(iter(entry.items()))
            else:
                continue
            if not isinstance(out, str) or "${" in out:
                continue
            target = posixpath.normpath(posixpath.join(base, out))
            if isinstance(options, dict) and options.get("cache") is False:
                uncached.add(target)  # meant to be committed to git (metrics, small plots)
            else:
                cached.add(target)
    return cached, uncached


def _dvc_outs(declaration: str, context: Context) -> set[str]:
    """The cached outputs a dvc.yaml or dvc.lock declares; what the stage file beside a
    dvc.lock marks `cache: false` is left out."""
    cached, uncached = _parse_dvc(declaration, context)
    if declaration.endswith("dvc.lock"):
        stages = declaration[: -len("dvc.lock")] + "dvc.yaml"
        if context.exists(stages):
            uncached = uncached | _parse_dvc(stages, context)[1]
    return cached - uncached


def dvc_declaration(path: str, context: Context) -> str | None:
    """The .dvc file, dvc.yaml or dvc.lock that declares `path` or one of its folders as a
    DVC output."""
    parts = path.split("/")
    if context.exists(path + ".dvc"):
        return path + ".dvc"
    for i in range(len(parts) - 1, 0, -1):
        candidate = "/".join(parts[:i]) + ".dvc"
        if _folder_has(candidate, context):
            return candidate
    for i in range(len(parts) - 1, -1, -1):
        folder = "/".join(parts[:i])
        for name in ("dvc.yaml", "dvc.lock"):
            declaration = f"{folder}/{name}" if folder else name
            if _folder_has(declaration, context):
                outs = _dvc_outs(declaration, context)
                for j in range(len(parts), 0, -1):
                    if "/".join(parts[:j]) in outs:
                        return declaration
    return None


def _folder_has(path: str, context: Context) -> bool:
    """`context.exists` for what a folder declares, asked once per scan (files share folders)."""
    known = context.memo.setdefault("dvc-exists", {})
    if path not in known:
        known[path] = context.exists(path)
    return known[path]


def limit_for(path: str, options: dict[str, Any]) -> tuple[int, str]:
    """The size limit in KB for a path: the last matching `limits` pattern, else `max-kb`."""
    chosen = (options["max-kb"], "")
    for pattern, kb in options["limits"].items():
        if _spec(pattern).match_file(path):
            chosen = (kb, pattern)
    return chosen


@lru_cache(maxsize=64)
def _spec(pattern: str) -> Any:
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines([pattern])


def _is_pointer_in_git(file: File, context: Context) -> bool:
    """For a working-tree file: does the index hold an LFS pointer for it (git-lfs smudged
    the real content into the work tree)? Blob sources are already what git stores."""
    if not isinstance(file, DiskFile):
        return False
    staged = context.index_head(file.path)
    return staged is not None and is_lfs_pointer(staged)


def _hint_for(kind: str, suffix: str, path: str) -> str:
    pattern = shlex.quote(f"*{suffix}" if suffix in DATA_EXTENSIONS else path)
    path = shlex.quote(path)
    if kind == "data":
        return (f"keep data out of git: `git rm --cached {path}`, then `dvc add {path}` (commit "
                f"the .dvc file) or object storage; or Git LFS: `git lfs track {pattern}`")
    return (f"`git rm --cached {path}`, then store it in Git LFS (`git lfs track {pattern}`) "
            "or object storage")


def _pointer_findings(file: File, head: bytes, options: dict[str, Any],
                      context: Context) -> Iterator[Finding]:
    """A Git LFS pointer: its real size against `lfs-max-kb`, and whether LFS still owns it."""
    size = LFS_SIZE.search(head)
    real = int(size.group(1)) if size else 0
    if options["lfs-max-kb"] and real > options["lfs-max-kb"] * 1024:
        yield LFS_TOO_LARGE.finding(
            file.path, f"Git LFS file of {human_size(real)} (LFS limit {options['lfs-max-kb']} "
                       "KB)",
            f"`git rm --cached {shlex.quote(file.path)}`, then `dvc add "
            f"{shlex.quote(file.path)}` or object storage", details={"size": real})
    if context.root is not None and not context.history and (
            context.attribute(file.path, "filter") != "lfs"):
        pattern = shlex.quote(f"*{file.suffix}" if file.suffix else file.path)
        yield LFS_NOT_ROUTED.finding(
            file.path, "is a Git LFS pointer, but .gitattributes does not route this path to "
                       "LFS: checkouts get the pointer text, not the data",
            f"`git lfs track {pattern} && git add .gitattributes`", details={"size": real})


def check(file: File, options: dict[str, Any], context: Context) -> Iterator[Finding]:
    """Judge one file by its path, its size and its first bytes only."""
    if file.is_symlink:
        return
    if file.size < LFS_POINTER_MAX and is_lfs_pointer(head := file.head(LFS_POINTER_MAX)):
        yield from _pointer_findings(file, head, options, context)
        return
    artifact = run_artifact(file.path)
    if artifact:
        what, folder = artifact
        recursive = "-r " if folder != file.path else ""
        ignore = shlex.quote(folder + "/" if recursive else folder)
        yield RUN_ARTIFACT.finding(
            folder, f"{what} committed to git ({folder}{'/' if recursive else ''}): run output "
                    "belongs in the tracking server, not in history",
            f"`git rm {recursive}--cached {shlex.quote(folder)} && echo {ignore} >> .gitignore`",
            key=what)
        return
    if not file.path.endswith((".dvc", "dvc.yaml", "dvc.lock")):
        declared = dvc_declaration(file.path, context)
        if declared:
            yield DVC_OUTPUT.finding(
                file.path, f"tracked by DVC ({declared}) but committed to git as well",
                f"`git rm -r --cached {shlex.quote(file.path)}` and keep it in DVC (`dvc push`)",
                key=declared)
            return
    limit_kb, pattern = limit_for(file.path, options)
    hard_limit = options["hard-limit-kb"] * 1024
    over = file.size > limit_kb * 1024
    described = describe(file) if over else None
    if pattern:
        if not over:
            return
    elif described is None and file.size <= hard_limit:
        return
    if context.attribute(file.path, "filter") == "lfs":
        if not _is_pointer_in_git(file, context):
            yield LFS_NOT_POINTER.finding(
                file.path, f"routed to Git LFS by .gitattributes, but staged as its "
                           f"{human_size(file.size)} content, not an LFS pointer",
                f"`git lfs install`, then `git rm --cached {shlex.quote(file.path)} && "
                f"git add {shlex.quote(file.path)}`")
        return
    limit_text = f"limit {limit_kb} KB for {pattern}" if pattern else f"limit {limit_kb} KB"
    if described is not None:
        name, kind = described
        what = f"{name} file" if kind != "binary" else "binary file"
        yield LARGE_DATA.finding(
            file.path, f"{what} of {human_size(file.size)} ({limit_text})",
            _hint_for(kind, file.suffix, file.path), details={"size": file.size, "format": name})
    elif pattern:
        yield LARGE_FILE.finding(
            file.path, f"file of {human_size(file.size)} ({limit_text})",
            f"`git rm --cached {shlex.quote(file.path)}`, then `dvc add "
            f"{shlex.quote(file.path)}`, object storage or Git LFS", details={"size": file.size})
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
