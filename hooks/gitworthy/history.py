"""`gitworthy history`: what weighs a repository's history down, and a plan to purge it.

Git keeps every version of every file. A data set committed once and deleted later still
makes every clone download it. This command lists the paths whose versions weigh the most
across all refs (deleted ones included) and prints the commands that remove them from
history, with what that costs the team.
"""
from __future__ import annotations

import contextlib
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from gitworthy import git
from gitworthy.filetypes import human_size
from gitworthy.sources import BlobFile, history


@dataclass
class PathWeight:
    """One path's weight in history: its distinct versions and their total size."""

    path: str
    size: int = 0
    versions: int = 0
    first_commit: str = ""
    at_head: bool = False
    shas: set[str] = field(default_factory=set)


def weigh(cwd: Path | None = None) -> tuple[list[PathWeight], int]:
    """Every path ever committed, heaviest first, and the total size of distinct blobs."""
    source = history(cwd)
    root = source.context.root
    at_head: set[str] = set()
    with contextlib.suppress(git.GitError):  # no commit yet: nothing at HEAD
        at_head = set(git.split_z(git.run(["ls-tree", "-r", "-z", "--name-only", "HEAD"],
                                          cwd=root)))
    weights: dict[str, PathWeight] = {}
    distinct: dict[str, int] = {}
    for file in source.files:
        assert isinstance(file, BlobFile)
        entry = weights.setdefault(file.path, PathWeight(file.path, at_head=file.path in at_head,
                                                         first_commit=file.commit or ""))
        if file.sha not in entry.shas:
            entry.shas.add(file.sha)
            entry.versions += 1
            entry.size += file.size
        distinct[file.sha] = file.size
    ranked = sorted(weights.values(), key=lambda w: (-w.size, w.path))
    return ranked, sum(distinct.values())


def render(ranked: list[PathWeight], total: int, top: int, min_kb: int) -> str:
    heavy = [w for w in ranked if w.size >= min_kb * 1024][:top]
    lines = [f"History holds {human_size(total)} of distinct file content in "
             f"{len(ranked)} paths.", ""]
    if not heavy:
        lines.append(f"No path weighs {min_kb} KB or more across its versions: nothing to purge.")
        return "\n".join(lines) + "\n"
    lines.append(f"{'weight':>10}  {'versions':>8}  {'at HEAD':>7}  path (first commit)")
    for w in heavy:
        lines.append(f"{human_size(w.size):>10}  {w.versions:>8}  {'yes' if w.at_head else 'no':>7}"
                     f"  {w.path} ({w.first_commit[:12]})")
    share = sum(w.size for w in heavy) / total if total else 0
    subject = "This path is" if len(heavy) == 1 else f"These {len(heavy)} paths are"
    paths = " ".join(f"--path {shlex.quote(w.path)}" for w in heavy)
    lines += [
        "",
        f"{subject} {share:.0%} of the history's file content.",
        "",
        "To purge them (rewrites every commit since they were added):",
        "  1. Move what is still needed out of git first: `dvc add PATH` or object storage for",
        "     data, a model registry for models, or `git lfs migrate import --everything",
        "     --include=PATTERN` to keep them versioned through Git LFS instead.",
        "  2. On a fresh mirror clone, with git-filter-repo (pip install git-filter-repo):",
        f"       git filter-repo --invert-paths {paths}",
        "  3. Force-push every branch and tag, and have everyone re-clone: old clones and",
        "     forks still hold the purged files, and hosted pull-request refs may too.",
        "  4. If any of these held secrets or personal data, rewriting history does not",
        "     un-leak them: rotate the credentials and follow your data-incident process.",
        "",
        "Then keep them out: gitworthy init (pre-commit hooks) and the GitHub Action.",
    ]
    return "\n".join(lines) + "\n"
