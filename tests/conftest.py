"""Shared fixtures: real git repositories in temp dirs, and the gitworthy command."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from gitworthy.cli import main as cli_main

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
}


class Repo:
    """A real git repository in a temp dir, with helpers to write, stage and commit."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def git(self, *args: str, check: bool = True) -> str:
        proc = subprocess.run(["git", *args], cwd=self.root, capture_output=True, text=True,
                              env={**os.environ, **GIT_ENV}, check=False)
        if check and proc.returncode != 0:
            raise AssertionError(f"git {' '.join(args)} failed: {proc.stderr}")
        return proc.stdout

    def write(self, path: str, content: str | bytes) -> Path:
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            content = content.encode()
        target.write_bytes(content)
        return target

    def add(self, *paths: str) -> None:
        self.git("add", "--", *(paths or (".",)))

    def commit(self, message: str = "commit") -> str:
        self.git("commit", "-q", "--no-verify", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD").strip()


@pytest.fixture(autouse=True)
def _git_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)


@pytest.fixture(autouse=True, scope="session")
def _no_result_cache() -> Iterator[None]:
    """Scans in tests judge every file and leave the user's cache folder alone, module-scoped
    fixtures' scans too; the cache's own tests (cache_test.py) switch it on in temp folders."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GITWORTHY_NO_CACHE", "1")
        yield


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Repo:
    root = tmp_path / "repo"
    root.mkdir()
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True,
                   env={**os.environ, **GIT_ENV})
    monkeypatch.chdir(root)
    return Repo(root)


def run(*argv: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run `gitworthy ARGV` in-process: (exit code, stdout, stderr)."""
    code = cli_main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def scan_json(*argv: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    code, out, _ = run("scan", "--format", "json", *argv, capsys=capsys)
    return code, json.loads(out)


def gitworthy_exe() -> str:
    """The installed console script (next to this Python)."""
    return str(Path(sys.executable).with_name("gitworthy"))


CHECKOUT = Path(__file__).resolve().parent.parent


def checkout_head() -> str:
    """The commit of this checkout that pre-commit installs the hooks from."""
    return subprocess.run(["git", "rev-parse", "HEAD"], cwd=CHECKOUT, capture_output=True,
                          text=True, check=True).stdout.strip()


@pytest.fixture(scope="session")
def hook_home(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """One hook cache for the session, so each runner builds the hook environment once."""
    home = tmp_path_factory.mktemp("hook-home")
    return {"PRE_COMMIT_HOME": str(home / "pre-commit"), "PREK_HOME": str(home / "prek")}
