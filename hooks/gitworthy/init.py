"""`gitworthy init`: set a repository up in one command.

Adds the gitworthy hooks to `.pre-commit-config.yaml` (keeping its other hooks and comments)
for the pre-commit, pre-merge-commit and pre-push stages, adds `.gitignore` entries for
data-science outputs, with `--lfs` routes the data and model formats the repository holds to
Git LFS in `.gitattributes`, writes a starter `[tool.gitworthy]` section, records today's
findings in a baseline (so adopting the hooks blocks only new problems), installs the git
hooks through pre-commit and, with `--workflow`, writes a GitHub workflow.

Every step computes the file's new text first: `--dry-run` prints the changes as diffs and
writes nothing, and a second run finds nothing to change.
"""
from __future__ import annotations

import difflib
import re
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from gitworthy import __version__, git
from gitworthy.checks import CHECKS

UPSTREAM = "https://github.com/gitworthy/gitworthy"
CONFIG = ".pre-commit-config.yaml"
BASELINE = ".gitworthy-baseline.json"
WORKFLOW = ".github/workflows/gitworthy.yml"
HOOK_TYPES = ("pre-commit", "pre-merge-commit", "pre-push")
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
# Outputs of data-science tools that never belong in git, ignored whether present or not.
COMMON_IGNORES = (".ipynb_checkpoints/", "mlruns/", "mlartifacts/", "lightning_logs/",
                  "wandb/", "events.out.tfevents.*", "catboost_info/", "multirun/")
# Folders ignored when the repository has them: raw data, and model folders without code.
DATA_FOLDERS = ("data/raw", "data/external", "data/interim")
MODEL_FOLDERS = ("models", "model", "checkpoints", "artifacts")
CODE_SUFFIXES = (".py", ".r", ".jl", ".ipynb", ".md", ".sql", ".sh", ".yaml", ".yml", ".toml",
                 ".json", ".txt", ".cfg")
# Formats routed to Git LFS by --lfs when present: binary data and serialized models.
LFS_DATA = (".parquet", ".pq", ".feather", ".arrow", ".avro", ".orc", ".xlsx", ".xls", ".xlsm",
            ".ods", ".sas7bdat", ".xpt", ".dta", ".sav", ".zsav", ".h5", ".hdf5", ".hdf", ".nc",
            ".npy", ".npz", ".mat", ".rds", ".rdata", ".rda", ".sqlite", ".sqlite3", ".duckdb",
            ".tfrecord", ".csv", ".tsv", ".gz", ".zip", ".tar", ".bz2", ".xz", ".zst", ".7z")
LFS_MODELS = (".pkl", ".pickle", ".joblib", ".dill", ".pt", ".pth", ".ckpt", ".onnx",
              ".safetensors", ".gguf", ".keras", ".pb", ".tflite", ".mlmodel", ".model",
              ".bst", ".cbm", ".msgpack")
STARTER = """\
baseline = "{baseline}"   # findings accepted when gitworthy was adopted: only new ones block
# exclude = ["tests/fixtures/**"]

# [{prefix}check-large-files]
# max-kb = 500
# limits = {{ "*.png" = 200, "data/**" = 0 }}
# [{prefix}check-local-paths]
# allow-prefixes = ["/opt/shared/"]
"""


class InitError(Exception):
    """Setting up failed; the message says why and what to do."""


@dataclass
class Change:
    """One file's text before (None: new file) and after a step."""

    path: str
    before: str | None
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after

    def diff(self) -> str:
        lines = difflib.unified_diff(
            (self.before or "").splitlines(keepends=True), self.after.splitlines(keepends=True),
            "/dev/null" if self.before is None else f"a/{self.path}", f"b/{self.path}")
        return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
                       for line in lines)


def repository_root() -> Path:
    root = git.toplevel(Path.cwd())
    if root is None:
        raise InitError("not inside a git work tree: run `git init` first")
    return root


def _read(root: Path, path: str) -> str | None:
    try:
        return (root / path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise InitError(f"{path}: cannot read it ({exc}); fix or remove it, then run init "
                        "again") from None


def hook_block(repo_url: str, rev: str, hook_ids: Sequence[str], indent: str = "  ") -> str:
    hooks = "".join(f"{indent}    - id: {hook_id}\n" for hook_id in hook_ids)
    return f"{indent}- repo: {repo_url}\n{indent}  rev: {rev}\n{indent}  hooks:\n{hooks}"


def precommit_config(text: str | None, repo_url: str, rev: str,
                     hook_ids: Sequence[str]) -> str:
    """The config with the gitworthy hooks added at the end of `repos:` and the hook types
    to install; other hooks, comments and order stay as they are."""
    stages = f"default_install_hook_types: [{', '.join(HOOK_TYPES)}]\n"
    if text is None:
        return stages + "repos:\n" + hook_block(repo_url, rev, hook_ids)
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InitError(f"{CONFIG} is not valid YAML ({str(exc).splitlines()[0]}): fix it "
                        "first") from None
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    if not isinstance(data, dict) or "gitworthy" not in text and repo_url not in text:
        start = next((i for i, line in enumerate(lines) if re.match(r"repos:\s*(#.*)?$", line)),
                     None)
        if start is None:
            raise InitError(f"{CONFIG}: no block-style `repos:` list to add to, so it is not "
                            f"edited automatically; add this under `repos:`\n"
                            f"{hook_block(repo_url, rev, hook_ids)}")
        end = next((i for i in range(start + 1, len(lines))
                    if re.match(r"[^\s#\-]", lines[i])), len(lines))
        while end > start + 1 and re.match(r"\s*(#.*)?$", lines[end - 1]):
            end -= 1  # blank lines and comments above the next key belong to it
        item = next((re.match(r"(\s*)- ", line) for line in lines[start + 1:end]
                     if re.match(r"\s*- ", line)), None)
        lines[end:end] = [hook_block(repo_url, rev, hook_ids, item.group(1) if item else "  ")]
    if not any(line.startswith("default_install_hook_types:") for line in lines):
        start = next((i for i, line in enumerate(lines) if line.startswith("repos:")), 0)
        lines.insert(start, stages)
    return "".join(lines)


def _present(root: Path) -> list[str]:
    """Tracked and untracked-but-not-ignored paths."""
    out = git.run(["ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=root)
    return git.split_z(out)


def gitignore(text: str | None, paths: Sequence[str]) -> str:
    """.gitignore with the common data-science outputs and the raw-data and model folders
    this repository has added (entries already there are not repeated)."""
    have = {line.strip().strip("/") for line in (text or "").splitlines()}
    wanted = list(COMMON_IGNORES)
    for folder in DATA_FOLDERS:
        if any(p.startswith(folder + "/") for p in paths):
            wanted.append(folder + "/")
    for folder in MODEL_FOLDERS:
        inside = [p for p in paths if p.startswith(folder + "/")]
        if inside and not any(p.lower().endswith(CODE_SUFFIXES) for p in inside):
            wanted.append(folder + "/")
    missing = [entry for entry in wanted if entry.strip("/") not in have]
    if not missing:
        return text or ""
    base = (text or "").rstrip("\n")
    block = "# gitworthy init: outputs of data-science tools, kept out of git\n"
    return (base + "\n\n" if base else "") + block + "".join(f"{e}\n" for e in missing)


def lfs_patterns(paths: Sequence[str]) -> list[str]:
    """`*.ext` for every data or model format the repository holds."""
    found = {Path(p).suffix.lower() for p in paths}
    return [f"*{ext}" for ext in (*LFS_DATA, *LFS_MODELS) if ext in found]


def gitattributes(text: str | None, patterns: Sequence[str]) -> str:
    """.gitattributes routing `patterns` to Git LFS (patterns already routed are kept)."""
    routed = {line.split()[0] for line in (text or "").splitlines()
              if "filter=lfs" in line and line.split()}
    missing = [p for p in patterns if p not in routed]
    if not missing:
        return text or ""
    base = (text or "").rstrip("\n")
    block = "# gitworthy init --lfs: data and model formats in this repository, in Git LFS\n"
    return (base + "\n\n" if base else "") + block + "".join(
        f"{p} filter=lfs diff=lfs merge=lfs -text\n" for p in missing)


def config_section(root: Path, baseline: bool) -> Change:
    """A starter `[tool.gitworthy]` in pyproject.toml (or .gitworthy.toml), or the baseline
    key added to the section that is already there."""
    baseline_line = f'baseline = "{BASELINE}"\n'
    pyproject = _read(root, "pyproject.toml")
    if pyproject is not None:
        starter = STARTER.format(baseline=BASELINE, prefix="tool.gitworthy.")
        header = re.search(r"^\[tool\.gitworthy\][ \t]*(#.*)?\n", pyproject, re.M)
        if header is None and "[tool.gitworthy." not in pyproject:
            lines = starter if baseline else starter.split("\n", 1)[1]
            return Change("pyproject.toml", pyproject,
                          pyproject.rstrip("\n") + "\n\n[tool.gitworthy]\n" + lines)
        if header is not None and baseline and not re.search(
                r"^baseline\s*=", pyproject[header.end():].split("\n[", 1)[0], re.M):
            after = pyproject[:header.end()] + baseline_line + pyproject[header.end():]
            return Change("pyproject.toml", pyproject, after)
        return Change("pyproject.toml", pyproject, pyproject)
    dedicated = _read(root, ".gitworthy.toml")
    if dedicated is None:
        starter = STARTER.format(baseline=BASELINE, prefix="")
        return Change(".gitworthy.toml", None, starter if baseline else starter.split("\n", 1)[1])
    top = dedicated.split("\n[", 1)[0]
    if baseline and not re.search(r"^baseline\s*=", top, re.M):
        return Change(".gitworthy.toml", dedicated, baseline_line + dedicated)
    return Change(".gitworthy.toml", dedicated, dedicated)


def baseline_text(root: Path) -> tuple[str | None, int]:
    """The baseline of today's findings (None when there are none) and their number."""
    from gitworthy.config import load_config
    from gitworthy.engine import scan, write_baseline
    from gitworthy.sources import tracked

    config = load_config(None, root)
    report = scan(tracked(root), config.checks, config)
    if not report.findings:
        return None, 0
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / BASELINE
        write_baseline(str(target), report.findings)
        return target.read_text(encoding="utf-8"), len(report.findings)


# `python -m pre_commit` in the repository would put the repository first on sys.path (a
# `pre_commit/` folder there would run); this runs the installed one, whatever the cwd.
RUN_PRE_COMMIT = ("import runpy, sys; sys.path[:] = [p for p in sys.path if p not in ('', '.')]; "
                  "sys.argv[0] = 'pre-commit'; runpy.run_module('pre_commit', "
                  "run_name='__main__', alter_sys=True)")


def install_git_hooks(root: Path) -> str:
    types = [arg for hook_type in HOOK_TYPES for arg in ("--hook-type", hook_type)]
    proc = subprocess.run([sys.executable, "-c", RUN_PRE_COMMIT, "install", *types], cwd=root,
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        lines = (proc.stderr or proc.stdout).strip().splitlines()
        raise InitError(f"pre-commit install failed: {lines[-1] if lines else proc.returncode}")
    return f"installed the git hooks ({', '.join(HOOK_TYPES)}) with pre-commit"


def _apply(root: Path, change: Change, dry_run: bool, steps: list[str], why: str) -> None:
    if not change.changed:
        steps.append(f"{change.path}: unchanged")
        return
    if dry_run:
        steps.append(change.diff().rstrip("\n"))
        return
    target = root / change.path
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "w", encoding="utf-8", newline="") as fh:
        fh.write(change.after)
    steps.append(f"{'wrote' if change.before is None else 'updated'} {change.path}: {why}")


def init(repo_url: str = UPSTREAM, rev: str | None = None,
         hook_ids: Sequence[str] | None = None, baseline: bool = True, install: bool = True,
         workflow: bool = False, lfs: bool = False, dry_run: bool = False) -> list[str]:
    """Set the current repository up; returns one line (or one diff) per step."""
    root = repository_root()
    steps: list[str] = []
    hooks = list(hook_ids or CHECKS)
    before = _read(root, CONFIG)
    _apply(root, Change(CONFIG, before, precommit_config(before, repo_url,
                                                         rev or f"v{__version__}", hooks)),
           dry_run, steps, f"{len(hooks)} gitworthy hooks on {', '.join(HOOK_TYPES)}")
    if before is not None and ("gitworthy" in before or repo_url in before):
        missing = [h for h in hooks if not re.search(rf"id:\s*{re.escape(h)}\b", before)]
        if missing:
            steps.append(f"{CONFIG} already uses gitworthy without {', '.join(missing)}: add "
                         + ", ".join(f"`- id: {h}`" for h in missing) + " under its hooks")
    paths = _present(root)
    before = _read(root, ".gitignore")
    _apply(root, Change(".gitignore", before, gitignore(before, paths)), dry_run, steps,
           "outputs of data-science tools")
    if lfs:
        patterns = lfs_patterns(paths)
        before = _read(root, ".gitattributes")
        change = Change(".gitattributes", before, gitattributes(before, patterns))
        _apply(root, change, dry_run, steps, f"{', '.join(patterns)} in Git LFS")
        if change.changed:
            steps.append("files already committed stay in git until `git lfs install && git add "
                         "--renormalize .` (their history: see `gitworthy history`)")
    accepted, count = baseline_text(root) if baseline else (None, 0)
    if accepted is not None:
        _apply(root, Change(BASELINE, _read(root, BASELINE), accepted), dry_run, steps,
               f"accepted {count} existing findings (new ones still block; fix these over "
               "time)")
    elif baseline:
        steps.append("no findings today: no baseline needed")
    _apply(root, config_section(root, accepted is not None), dry_run, steps,
           "[tool.gitworthy] settings")
    if workflow:
        text = WORKFLOW_TEXT.format(major=__version__.split(".")[0] or "0")
        before = _read(root, WORKFLOW)
        _apply(root, Change(WORKFLOW, before, before if before is not None else text), dry_run,
               steps, "the Action on pull requests")
    if dry_run:
        steps.append("dry run: nothing written" + (", `pre-commit install` not run"
                                                     if install else ""))
    elif install:
        steps.append(install_git_hooks(root))
    return steps

