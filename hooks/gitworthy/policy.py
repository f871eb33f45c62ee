"""The policy a scan applies, read as it is at a git revision or in the working tree.

The policy is everything in the repository that can switch a finding off: the configuration
(`.gitworthy.toml`, or `[tool.gitworthy]` in pyproject.toml), `.gitworthyignore`, the baseline
file and detect-secrets' `.secrets.baseline`. CI reads it at the pull request's base
(`gitworthy scan --policy-ref BASE`) so that a pull request cannot relax its own check, and
`changed(root, base, head)` names the policy files a range changes.

    policy = load(root, ref="origin/main")          # or ref=None: the working tree
    scan(source, policy.config.checks, policy.config, policy.baseline)   # with
    source.context.policy_ref = policy.ref          # .gitworthyignore and .secrets.baseline
"""
from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from gitworthy import git
from gitworthy.config import Config, ConfigError, load_config, parse_toml
from gitworthy.records import Record

TYPE_CHECKING = False  # typing costs a hook's start-up 2 ms; mypy reads the block
if TYPE_CHECKING:
    from gitworthy.engine import Baseline

CONFIG_FILES = (".gitworthy.toml", "pyproject.toml")
IGNORE_FILE = ".gitworthyignore"
SECRETS_BASELINE = ".secrets.baseline"


class Policy(Record):
    """The configuration and baseline of one scan, and where they were read."""

    def __init__(self, config: Config, baseline: Baseline | None, ref: str | None,
                 files: list[str]) -> None:
        self.config = config
        self.baseline = baseline
        self.ref = ref        # the revision they were read at; None: the working tree
        self.files = files    # repository paths of the policy files that apply

    def describe(self) -> str:
        """Where the policy came from, for a person: `the policy at 1a2b3c4d5e6f`."""
        if self.ref is None:
            return "the policy in the working tree"
        return f"the policy at {self.ref[:12]}"


def read_file(root: Path | None, ref: str | None, name: str) -> bytes | None:
    """A repository file's bytes at `ref` (a commit id, as `resolve_ref` gives; read with
    `git cat-file`, never the working tree), or in the working tree when `ref` is None;
    None when there is no such file. A relative `name` is relative to the repository root;
    an absolute one outside the repository is read from disk whatever `ref` is."""
    relative = _in_repo(root, name)
    if ref is None or relative is None or root is None:
        path = Path(name) if Path(name).is_absolute() else (root or Path.cwd()) / name
        try:
            return path.read_bytes() if path.is_file() else None
        except OSError as exc:
            raise ConfigError(f"{name}: cannot read: {exc.strerror}") from None
    return _blob_at(str(root), ref, relative)


@lru_cache(maxsize=64)
def _blob_at(root: str, ref: str, path: str) -> bytes | None:
    try:
        kind = git.run(["cat-file", "-t", f"{ref}:{path}"], cwd=root).strip()
    except git.GitError:
        return None  # no such path at that revision
    if kind != b"blob":
        return None
    return git.run(["cat-file", "blob", f"{ref}:{path}"], cwd=root)


def _in_repo(root: Path | None, name: str) -> str | None:
    """`name` relative to the repository root (forward slashes), or None outside it."""
    if root is None:
        return None
    path = Path(name)
    if not path.is_absolute():
        return path.as_posix()
    for base in (root, root.resolve()):
        try:
            return path.relative_to(base).as_posix()
        except ValueError:
            continue
    return None


def resolve_ref(root: Path | None, ref: str) -> str:
    """The commit a revision names; ConfigError when there is none (say what to fetch)."""
    if root is None:
        raise ConfigError("--policy-ref needs a git repository")
    try:
        out = git.run(["rev-parse", "--verify", "-q", f"{ref}^{{commit}}"], cwd=root)
    except git.GitError:
        raise ConfigError(f"--policy-ref {ref}: no such commit here (fetch it first: "
                          f"`git fetch origin {ref}`)") from None
    return out.decode().strip()


def load(root: Path | None, ref: str | None = None, config: str | None = None,
         baseline: str | None = None, use_baseline: bool = True) -> Policy:
    """The policy at `ref` (a commit, branch or tag; None: the working tree). `config` and
    `baseline` are the --config and --baseline paths when given (relative to the current
    directory); inside the repository they are read at `ref` too."""
    commit = resolve_ref(root, ref) if ref is not None else None
    given = {name: str(Path(name).absolute()) for name in (config, baseline) if name}

    def read(name: str) -> bytes | None:
        return read_file(root, commit, given.get(name, name))

    settings = load_config(config, root, read)
    files = [*([_in_repo(root, given[config]) or config] if config else CONFIG_FILES),
             IGNORE_FILE]
    chosen = (baseline or settings.baseline) if use_baseline else ""
    accepted = None
    if chosen:
        files.append(_in_repo(root, given.get(chosen, chosen)) or chosen)
        accepted = _baseline(chosen, read)
    files.append(_secrets_baseline(settings))
    return Policy(settings, accepted, commit, list(dict.fromkeys(files)))


def _secrets_baseline(config: Config) -> str:
    name = config.sections.get("check-secrets", {}).get("secrets-baseline")
    return str(name) if name else SECRETS_BASELINE


def _baseline(name: str, read: Callable[[str], bytes | None]) -> Baseline:
    """The findings a gitworthy baseline file accepts, with what each entry binds."""
    import json

    from gitworthy.engine import Baseline

    data = read(name)
    if data is None:
        raise ConfigError(f"{name}: baseline file not found (write one: gitworthy baseline)")
    try:
        return Baseline((entry["fingerprint"], entry) for entry in json.loads(data)["findings"])
    except (ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"{name}: not a gitworthy baseline file ({type(exc).__name__})") \
            from None


def changed(root: Path, base: str, head: str, config: str | None = None) -> list[str]:
    """The policy files whose content differs between `base` and `head` (pyproject.toml
    only when its `[tool.gitworthy]` table differs). Both sides' policy files count, so a
    baseline that head's configuration newly points at is listed too."""
    base_commit, head_commit = resolve_ref(root, base), resolve_ref(root, head)
    names: list[str] = []
    for commit in (base_commit, head_commit):
        try:
            side = load(root, commit, config, use_baseline=False)
            names += [*side.files, side.config.baseline]
        except ConfigError:  # a broken configuration on one side: its plain files still count
            names += [config or "", *CONFIG_FILES, IGNORE_FILE, SECRETS_BASELINE]
    out = []
    for name in dict.fromkeys(n for n in names if n):
        before, after = (read_file(root, c, name) for c in (base_commit, head_commit))
        if before == after:
            continue
        if Path(name).name == "pyproject.toml" and _tool_table(before) == _tool_table(after):
            continue
        out.append(name)
    return out


def _tool_table(data: bytes | None) -> object:
    """pyproject.toml's [tool.gitworthy] table (the text when it is not valid TOML)."""
    if data is None:
        return None
    try:
        return parse_toml(data, "pyproject.toml").get("tool", {}).get("gitworthy")
    except ConfigError:
        return data
