"""git.toplevel finds the work tree as git does, and without starting git where it can."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from gitworthy import git

from tests.conftest import GIT_ENV, Repo


def git_says(cwd: Path) -> Path | None:
    proc = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=cwd, capture_output=True,
                          text=True, env={**os.environ, **GIT_ENV}, check=False)
    return Path(proc.stdout.strip()) if proc.returncode == 0 else None


def toplevel(cwd: Path) -> Path | None:
    git._toplevel.cache_clear()
    return git.toplevel(cwd)


def test_toplevel_from_the_root_and_a_subfolder_is_what_git_says(repo: Repo) -> None:
    (repo.root / "src" / "pkg").mkdir(parents=True)
    for cwd in (repo.root, repo.root / "src" / "pkg"):
        assert toplevel(cwd) == git_says(cwd) == repo.root.resolve()


def test_toplevel_needs_no_git_process_in_a_plain_repository(
        repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    (repo.root / "notebooks").mkdir()
    monkeypatch.setenv("PATH", "")  # git cannot be started: the answer comes from the folders
    assert toplevel(repo.root / "notebooks") == repo.root.resolve()


def test_toplevel_of_a_linked_work_tree_and_through_a_symbolic_link(
        repo: Repo, tmp_path: Path) -> None:
    repo.commit("first")
    linked = tmp_path / "linked"
    repo.git("worktree", "add", "-q", str(linked))
    alias = tmp_path / "alias"
    alias.symlink_to(linked, target_is_directory=True)
    for cwd in (linked, alias):
        assert toplevel(cwd) == git_says(cwd) == linked.resolve()


def test_toplevel_outside_any_repository_is_none(tmp_path: Path) -> None:
    if git_says(tmp_path) is not None:
        pytest.skip("the temporary folder is inside a git repository on this machine")
    assert toplevel(tmp_path) is None


def test_toplevel_asks_git_where_the_environment_or_folders_are_unusual(
        repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inside = repo.root / ".git" / "refs"
    assert toplevel(inside) == git_says(inside)  # git has no work tree there
    bare = repo.root / "mirror.git"
    repo.git("init", "-q", "--bare", str(bare))
    assert toplevel(bare / "refs") == git_says(bare / "refs")  # a bare repository: none
    not_a_repo = repo.root / "vendored"
    (not_a_repo / ".git").mkdir(parents=True)  # an empty .git folder: git looks further up
    assert toplevel(not_a_repo) == git_says(not_a_repo) == repo.root.resolve()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.setenv("GIT_DIR", str(repo.root / ".git"))
    monkeypatch.setenv("GIT_WORK_TREE", str(repo.root))
    assert toplevel(elsewhere) == git_says(elsewhere) == repo.root.resolve()
