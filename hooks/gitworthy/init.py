"""`gitworthy init`: set a repository up in one command.

Adds the gitworthy hooks to `.pre-commit-config.yaml`, records today's findings in a baseline
(so adopting the hooks blocks only new problems), installs the git hook through pre-commit,
and optionally writes a GitHub workflow that runs the Action on pull requests.
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from gitworthy import __version__
from gitworthy.checks import CHECKS

UPSTREAM = "https://github.com/gitworthy/gitworthy"
CONFIG = ".pre-commit-config.yaml"
BASELINE = ".gitworthy-baseline.json"
WORKFLOW = ".github/workflows/gitworthy.yml"
WORKFLOW_TEXT = """\
name: gitworthy
on:
  pull_request:
  push:
    branches: [main]
permissions:
  contents: read
  pull-requests: write
jobs:
  gitworthy:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: gitworthy/gitworthy@v{major}
"""


class InitError(Exception):
    """Setting up failed; the message says why and what to do."""


def repository_root() -> Path:
    """The work tree root, found with GitPython from the current directory."""
    import git

    try:
        repo = git.Repo(Path.cwd(), search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise InitError("not inside a git repository: run `git init` first") from None
    if repo.working_tree_dir is None:
        raise InitError("this is a bare repository: run init in a work tree")
    return Path(repo.working_tree_dir)


def hook_block(repo_url: str, rev: str, hook_ids: list[str]) -> str:
    hooks = "".join(f"      - id: {hook_id}\n" for hook_id in hook_ids)
    return f"  - repo: {repo_url}\n    rev: {rev}\n    hooks:\n{hooks}"


def add_hooks(root: Path, repo_url: str, rev: str, hook_ids: list[str]) -> str:
    """Add the hooks to .pre-commit-config.yaml; returns what was done, in words."""
    config = root / CONFIG
    block = hook_block(repo_url, rev, hook_ids)
    if not config.exists():
        config.write_text(f"repos:\n{block}", encoding="utf-8")
        return f"wrote {CONFIG} with {len(hook_ids)} gitworthy hooks"
    text = config.read_text(encoding="utf-8")
    if repo_url in text or "gitworthy" in text:
        return f"{CONFIG} already uses gitworthy: left as it is"
    top_keys = re.findall(r"^([A-Za-z_][\w-]*):", text, re.M)
    if not top_keys or top_keys[-1] != "repos":
        raise InitError(f"{CONFIG}: `repos:` is not its last section, so it is not edited "
                        f"automatically; add this under `repos:`\n{block}")
    config.write_text(text.rstrip("\n") + "\n" + block, encoding="utf-8")
    return f"added {len(hook_ids)} gitworthy hooks to {CONFIG}"


def write_baseline(root: Path) -> str:
    """Accept today's findings in the baseline and point the configuration at it."""
    from gitworthy.config import load_config
    from gitworthy.engine import scan
    from gitworthy.engine import write_baseline as save
    from gitworthy.sources import tracked

    config = load_config(None, root)
    report = scan(tracked(root), config.checks, config, bind=True)
    if not report.findings:
        return "no findings today: no baseline needed"
    save(str(root / BASELINE), report.findings, report.bindings)
    settings = root / ".gitworthy.toml"
    pyproject = root / "pyproject.toml"
    configured = settings.exists() or (
        pyproject.exists() and "[tool.gitworthy" in pyproject.read_text("utf-8", "replace"))
    if configured:
        note = f"; set `baseline = \"{BASELINE}\"` in your gitworthy configuration"
    else:
        settings.write_text(f'baseline = "{BASELINE}"\n', encoding="utf-8")
        note = " and .gitworthy.toml to use it"
    return (f"accepted {len(report.findings)} existing findings in {BASELINE}{note} "
            "(new ones still block; fix these over time)")


# `python -m pre_commit` in the repository would put the repository first on sys.path (a
# `pre_commit/` folder there would run); this runs the installed one, whatever the cwd.
RUN_PRE_COMMIT = ("import runpy, sys; sys.path[:] = [p for p in sys.path if p not in ('', '.')]; "
                  "sys.argv[0] = 'pre-commit'; runpy.run_module('pre_commit', "
                  "run_name='__main__', alter_sys=True)")


def install_git_hook(root: Path) -> str:
    proc = subprocess.run([sys.executable, "-c", RUN_PRE_COMMIT, "install"], cwd=root,
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        lines = (proc.stderr or proc.stdout).strip().splitlines()
        raise InitError(f"pre-commit install failed: {lines[-1] if lines else proc.returncode}")
    return "installed the git hook (pre-commit install)"


def init(repo_url: str = UPSTREAM, rev: str | None = None, hook_ids: list[str] | None = None,
         baseline: bool = True, install: bool = True, workflow: bool = False) -> list[str]:
    """Set the current repository up; returns one line per step taken."""
    root = repository_root()
    steps = [add_hooks(root, repo_url, rev or f"v{__version__}", hook_ids or list(CHECKS))]
    if baseline:
        steps.append(write_baseline(root))
    if workflow:
        target = root / WORKFLOW
        if target.exists():
            steps.append(f"{WORKFLOW} exists: left as it is")
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(WORKFLOW_TEXT.format(major=__version__.split(".")[0] or "0"),
                              encoding="utf-8")
            steps.append(f"wrote {WORKFLOW} (the Action on pull requests)")
    if install:
        steps.append(install_git_hook(root))
    return steps
