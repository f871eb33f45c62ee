"""Hooks start light: run as pre-commit runs them (the installed console script, on a commit's
code files), they import only what their check needs and start no git process. Not a timed
test: it lists the modules Python reports importing (`-X importtime`)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import Repo

# What a hook on ordinary code files must not pay for: dataclasses and inspect (about 10 ms),
# typing (2 ms), subprocess (no git call is needed), hashing (no fingerprint without a
# baseline), config parsers with no config file, the engine's worker pool, and every reader.
HEAVY = frozenset({
    "dataclasses", "inspect", "typing", "subprocess", "hashlib", "tomllib", "tomli", "yaml",
    "json",
    "pathspec", "multiprocessing", "concurrent.futures", "csv", "tempfile", "zipfile",
    "gitworthy.pii", "gitworthy.notebooks", "presidio_analyzer", "spacy", "pyarrow",
    "python_calamine", "detect_secrets", "git",
})
ALLOWED = {
    # it sniffs every file's bytes for a model, whatever the file is called
    "check-serialized-models": {"zipfile"},
}
HOOKS = ["check-large-files", "check-adhoc-filenames", "check-serialized-models", "check-pii",
         "check-notebook-outputs", "check-local-paths"]


def imported(hook: str, files: list[str], cwd: Path) -> set[str]:
    script = Path(sys.executable).with_name(hook)
    proc = subprocess.run([sys.executable, "-X", "importtime", str(script), *files], cwd=cwd,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return {line.rsplit("|", 1)[1].strip() for line in proc.stderr.splitlines()
            if line.startswith("import time:") and "|" in line}


@pytest.fixture
def code_commit(repo: Repo) -> list[str]:
    # Names like `step_2.py` would make check-adhoc-filenames ask git whether `step.py` is
    # there, as it must; sizes all differ, or the engine hashes the files to judge equal
    # content once.
    files = []
    for i, step in enumerate(["load", "clean", "features", "train", "evaluate", "report"]):
        path = f"src/pipeline/{step}.py"
        repo.write(path, f'"""{step}."""\nimport pandas as pd\n\n\ndef run(df):\n'
                         f'    return df.assign(n={i}){" + 0" * i}\n')
        files.append(path)
    for package in ("src", "src/pipeline"):  # empty, so of equal size: judged alike once
        repo.write(f"{package}/__init__.py", "")
        files.append(f"{package}/__init__.py")
    repo.write("README.md", "# Pipeline\n")
    repo.add()
    return [*files, "README.md"]


@pytest.mark.parametrize("hook", HOOKS)
def test_a_hook_on_code_files_imports_nothing_heavy(hook: str, repo: Repo,
                                                    code_commit: list[str]) -> None:
    modules = imported(hook, code_commit, repo.root)
    assert f"gitworthy.checks.{hook[len('check-'):].replace('-', '_')}" in modules
    assert sorted(modules & (HEAVY - ALLOWED.get(hook, set()))) == []


def test_a_config_file_is_parsed_only_when_there_is_one(repo: Repo,
                                                        code_commit: list[str]) -> None:
    parser = "tomllib" if sys.version_info >= (3, 11) else "tomli"
    assert parser not in imported("check-large-files", code_commit, repo.root)
    repo.write(".gitworthy.toml", "[check-large-files]\nmax-kb = 100\n")
    assert parser in imported("check-large-files", code_commit, repo.root)


def test_check_secrets_on_code_without_a_credential_word_imports_nothing_heavy(
        repo: Repo) -> None:
    """check-secrets loads detect-secrets (and `requests` with it) only for a line the
    prefilter keeps: one with a credential-like word, even inside another word (`df.assign`
    holds `sig`, as in `sig=` of a signed URL). Code without one costs no more than the other
    hooks."""
    files = []
    for i, step in enumerate(["load", "clean", "features", "train"]):
        path = f"src/{step}.py"
        repo.write(path, f'"""{step}."""\nimport pandas as pd\n\n\ndef run(df):\n'
                         f'    return df.dropna().head({i + 10})\n')
        files.append(path)
    repo.add()
    modules = imported("check-secrets", files, repo.root)
    assert "gitworthy.checks.secrets" in modules
    assert sorted(modules & HEAVY) == []
    repo.write("src/train.py", "def run(df):\n    return df.assign(n=1)\n")
    assert "detect_secrets" in imported("check-secrets", files, repo.root)
