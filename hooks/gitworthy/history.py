"""`gitworthy history`: what weighs a repository's history down, and a plan to clean it.

Git keeps every version of every file. A data set committed once and deleted later still
makes every clone download it. This command weighs every path ever committed on any ref
(content size, and packed size on disk as git stores it), by path, extension and folder, and
prints a plan that matches what each file is:

- data, models and binaries: purged from history when they are gone from HEAD, moved to Git
  LFS (`git lfs migrate import`) or DVC when still in use;
- notebooks: history rewritten with their outputs stripped (a `git filter-repo` blob
  callback running this project's own stripping), never deleted;
- files where check-secrets or check-pii finds something: purged, or their values replaced
  when the file is code still in use, plus "rotate / report";
- code, configuration and documentation: listed, never purged.

"In use" means at HEAD or at the tip of any branch or tag.

It never rewrites history itself.
"""
from __future__ import annotations

import posixpath
import shlex
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from gitworthy import git
from gitworthy.filetypes import DATA_EXTENSIONS, SOURCE_SUFFIXES, human_size, is_binary
from gitworthy.sources import BlobFile, Source, history

MODEL_SUFFIXES = frozenset((".pkl", ".pickle", ".joblib", ".dill", ".pt", ".pth", ".ckpt",
                            ".onnx", ".safetensors", ".gguf", ".keras", ".pb", ".tflite",
                            ".mlmodel", ".model", ".bst", ".cbm", ".msgpack", ".h5"))
DOC_NAMES = ("readme", "license", "licence", "copying", "notice", "changelog", "changes",
             "authors", "contributing", "code_of_conduct", "citation", "makefile",
             "dockerfile", "requirements", "pipfile", "procfile", "manifest")
SENSITIVE_CHECKS = ("check-secrets", "check-pii")
STRIP_CALLBACK = ("from gitworthy.history import strip_notebook_blob as strip; "
                  "blob.data = strip(blob.data)")


@dataclass
class PathWeight:
    """One path's weight in history: its distinct versions, their content and packed size."""

    path: str
    size: int = 0
    disk: int = 0
    versions: int = 0
    first_commit: str = ""
    at_head: bool = False  # at HEAD or at the tip of a branch or tag: still in use
    kind: str = ""        # data | model | binary | notebook | code | other
    sensitive: list[str] = field(default_factory=list)  # rules of secrets / PII findings
    shas: set[str] = field(default_factory=set)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        del data["shas"]
        return data


@dataclass
class Weights:
    """Everything `gitworthy history` reports."""

    paths: list[PathWeight]
    size: int                 # distinct blobs, content
    disk: int                 # distinct blobs, packed on disk
    missing: list[tuple[str, str]] = field(default_factory=list)  # (path, message)
    scanned: bool = False     # whether secrets and PII were looked for

    def group(self, key: str) -> list[dict[str, Any]]:
        """Weights summed per `extension` or per `directory`, heaviest first."""
        sums: dict[str, dict[str, Any]] = {}
        for w in self.paths:
            if key == "extension":
                name = w.path.rsplit("/", 1)[-1]
                label = name[name.rfind("."):].lower() if name.rfind(".") > 0 else "(none)"
            else:
                label = posixpath.dirname(w.path) or "."
            entry = sums.setdefault(label, {key: label, "size": 0, "disk": 0, "paths": 0})
            entry["size"] += w.size
            entry["disk"] += w.disk
            entry["paths"] += 1
        return sorted(sums.values(), key=lambda e: (-e["disk"], -e["size"], e[key]))


def classify(path: str, size: int = 0, head: bytes | None = None) -> str:
    """What a path holds, from its name first and its first bytes second. JSON and XML under
    100 KB are configuration; larger ones are data."""
    name = path.rsplit("/", 1)[-1].lower()
    suffix = name[name.rfind("."):] if name.rfind(".") > 0 else ""
    if suffix == ".ipynb":
        return "notebook"
    if suffix in MODEL_SUFFIXES:
        return "model"
    if suffix in (".json", ".xml", ".geojson") and size < 100 * 1024:
        return "code"
    if (suffix in SOURCE_SUFFIXES and suffix != ".log") or suffix in (".txt",) or (
            name.startswith(DOC_NAMES) or name.startswith(".") or "/." in f"/{path}"
            and suffix not in DATA_EXTENSIONS):
        return "code"
    if suffix in DATA_EXTENSIONS:
        return "data"
    if head is not None and is_binary(head):
        return "binary"
    return "other"


def in_use(root: Path, head: frozenset[str]) -> frozenset[str]:
    """Paths at HEAD or at the tip of any branch, tag or remote branch: what someone still
    uses, whichever branch they work on."""
    paths = set(head)
    try:
        refs = git.run(["for-each-ref", "--format=%(objectname)",
                        "refs/heads", "refs/tags", "refs/remotes"], cwd=root).decode().split()
        trees = git.run(["rev-parse", *(f"{r}^{{tree}}" for r in set(refs))],
                        cwd=root).decode().split() if refs else []
    except git.GitError:
        return frozenset(paths)
    for tree in sorted(set(trees)):
        paths.update(git.split_z(git.run(["ls-tree", "-r", "-z", "--name-only", tree],
                                         cwd=root)))
    return frozenset(paths)


def _sensitive(source: Source) -> dict[str, list[str]]:
    """Rules of check-secrets and check-pii findings, per path, over every version (the
    repository's configuration and ignore file apply)."""
    from gitworthy.config import load_config
    from gitworthy.engine import scan

    found: dict[str, list[str]] = {}
    report = scan(source, list(SENSITIVE_CHECKS), load_config(None, source.context.root))
    for finding in report.findings:
        rules = found.setdefault(finding.path, [])
        if finding.rule not in rules:
            rules.append(finding.rule)
    return found


def weigh(cwd: Path | None = None, sensitive: bool = True) -> Weights:
    """Every path ever committed, heaviest on disk first, with what it holds."""
    source = history(cwd)
    root = source.context.root
    assert root is not None
    at_head = in_use(root, source.context.head_paths)
    disk = git.blob_sizes(root, sorted({f.sha for f in source.files if isinstance(f, BlobFile)}),
                          on_disk=True)
    weights: dict[str, PathWeight] = {}
    distinct: dict[str, tuple[int, int]] = {}
    for file in source.files:
        assert isinstance(file, BlobFile)
        entry = weights.setdefault(file.path, PathWeight(
            file.path, at_head=file.path in at_head, first_commit=file.commit or ""))
        if file.sha not in entry.shas:
            entry.shas.add(file.sha)
            entry.versions += 1
            entry.size += file.size
            entry.disk += disk.get(file.sha, 0)
        distinct[file.sha] = (file.size, disk.get(file.sha, 0))
    heads = {f.path: f for f in source.files}
    for entry in weights.values():
        head = heads[entry.path]
        kind = classify(entry.path, head.size)
        if kind == "other" and not head.is_symlink:
            kind = classify(entry.path, head.size, head.head(8000))
        entry.kind = kind
    found = _sensitive(source) if sensitive else {}
    for path, rules in found.items():
        if path in weights:
            weights[path].sensitive = rules
    ranked = sorted(weights.values(), key=lambda w: (-w.disk, -w.size, w.path))
    return Weights(ranked, sum(s for s, _ in distinct.values()),
                   sum(d for _, d in distinct.values()), list(source.errors), sensitive)


@dataclass
class Plan:
    """What to do with each heavy or sensitive path."""

    purge: list[PathWeight] = field(default_factory=list)        # gone from HEAD: delete
    lfs: list[PathWeight] = field(default_factory=list)          # in use: move to Git LFS
    notebooks: list[PathWeight] = field(default_factory=list)    # strip outputs in history
    sensitive_purge: list[PathWeight] = field(default_factory=list)
    sensitive_replace: list[PathWeight] = field(default_factory=list)  # code in use
    kept: list[PathWeight] = field(default_factory=list)         # code, config and docs

    def to_json(self) -> dict[str, list[str]]:
        return {name: [w.path for w in getattr(self, name)] for name in (
            "purge", "lfs", "notebooks", "sensitive_purge", "sensitive_replace", "kept")}


def make_plan(weights: Weights, top: int, min_kb: int) -> Plan:
    plan = Plan()
    heavy = [w for w in weights.paths if w.disk >= min_kb * 1024 or w.size >= min_kb * 1024]
    for w in [w for w in weights.paths if w.sensitive]:
        in_use = w.at_head and w.kind in ("code", "notebook", "other")
        (plan.sensitive_replace if in_use else plan.sensitive_purge).append(w)
    for w in heavy[:top]:
        if w.sensitive:
            continue
        if w.kind == "notebook":
            plan.notebooks.append(w)
        elif w.kind == "code" or (w.kind == "other" and w.at_head):
            plan.kept.append(w)
        elif w.at_head:
            plan.lfs.append(w)
        else:
            plan.purge.append(w)
    return plan


def strip_notebook_blob(data: bytes) -> bytes:
    """A `git filter-repo --blob-callback` helper: a notebook's bytes with outputs stripped
    (cells marked keep_output keep theirs); anything else, or a broken notebook, unchanged."""
    if b'"nbformat"' not in data or b'"cells"' not in data:
        return data
    from gitworthy import notebooks
    from gitworthy.findings import InspectionError

    try:
        nb = notebooks.parse(data)
        if not notebooks.strip_outputs(nb):
            return data
    except (InspectionError, AttributeError, TypeError):
        return data
    return notebooks.dumps(nb).encode("utf-8")


def _row(w: PathWeight) -> str:
    where = "yes" if w.at_head else "no"
    return (f"{human_size(w.size):>10}  {human_size(w.disk):>10}  {w.versions:>8}  {where:>7}"
            f"  {w.kind:<8}  {w.path} ({w.first_commit[:12]})")


def _paths(items: list[PathWeight]) -> str:
    return " ".join(f"--path {shlex.quote(w.path)}" for w in items)


def render(weights: Weights, top: int, min_kb: int) -> str:
    """The report and the plan as text."""
    plan = make_plan(weights, top, min_kb)
    lines = [f"History holds {human_size(weights.size)} of distinct file content, "
             f"{human_size(weights.disk)} packed on disk, in {len(weights.paths)} paths.", ""]
    if weights.missing:
        lines += [f"warning: {len(weights.missing)} object(s) are missing from this clone "
                  "(partial or damaged: `git fetch --refetch`, `git fsck`); their sizes are "
                  "unknown and not counted:"]
        lines += [f"  {path}: {message}" for path, message in weights.missing[:10]]
        lines.append("")
    heavy = [w for w in weights.paths if w.disk >= min_kb * 1024 or w.size >= min_kb * 1024]
    if heavy:
        lines.append(f"{'content':>10}  {'on disk':>10}  {'versions':>8}  {'at HEAD':>7}  "
                     f"{'kind':<8}  path (first commit)")
        lines += [_row(w) for w in heavy[:top]]
        for key in ("extension", "directory"):
            lines += ["", f"By {key}:"]
            lines += [f"{human_size(g['size']):>10}  {human_size(g['disk']):>10}  "
                      f"{g['paths']:>5} paths  {g[key]}" for g in weights.group(key)[:8]]
        lines.append("")
    if not (plan.purge or plan.lfs or plan.notebooks or plan.sensitive_purge
            or plan.sensitive_replace):
        lines.append(f"Nothing to purge: no data, model, binary or notebook weighs {min_kb} KB "
                     "or more across its versions, and no secret or personal data was found"
                     if weights.scanned else
                     f"Nothing to purge: no data, model, binary or notebook weighs {min_kb} KB "
                     "or more across its versions (secrets and personal data not looked for).")
        if plan.kept:
            lines.append("Kept (code, configuration and documentation are never purged): "
                         + ", ".join(shlex.quote(w.path) for w in plan.kept))
        return "\n".join(lines) + "\n"
    lines += _plan_text(plan, weights)
    return "\n".join(lines) + "\n"


def _plan_text(plan: Plan, weights: Weights) -> list[str]:
    steps: list[str] = ["Plan (run on a fresh mirror clone, `git clone --mirror`, with "
                        "git-filter-repo: pip install git-filter-repo):"]
    number = 0

    def step(title: str, *body: str) -> None:
        nonlocal number
        number += 1
        steps.extend(["", f"  {number}. {title}", *(f"       {b}" for b in body)])

    if plan.sensitive_purge or plan.sensitive_replace:
        rotate = ("Rewriting history does not un-leak them: rotate every credential and "
                  "report the personal data through your data-incident process first.")
        if plan.sensitive_purge:
            step("Secrets or personal data in files to remove from every commit "
                 f"({', '.join(sorted({r for w in plan.sensitive_purge for r in w.sensitive}))}):",
                 f"git filter-repo --sensitive-data-removal --invert-paths "
                 f"{_paths(plan.sensitive_purge)}", rotate)
        if plan.sensitive_replace:
            step("Secrets or personal data inside code still in use: replace the values in "
                 "every commit, keep the files:",
                 "git filter-repo --sensitive-data-removal --replace-text replacements.txt   "
                 "# one line per value: VALUE==>***REMOVED***",
                 "files: " + ", ".join(shlex.quote(w.path) for w in plan.sensitive_replace),
                 rotate)
    if plan.purge:
        step("Data, models and binaries no longer at HEAD: remove them from history:",
             f"git filter-repo --invert-paths {_paths(plan.purge)}")
    if plan.lfs:
        patterns = ",".join(w.path for w in plan.lfs)
        step("Data, models and binaries still in use: keep them versioned through Git LFS "
             "(or move them to DVC / object storage, then purge them like the above):",
             f"git lfs migrate import --everything --include={shlex.quote(patterns)}")
    if plan.notebooks:
        step("Notebooks: keep them, rewrite their history with the outputs stripped "
             "(gitworthy must be importable by git-filter-repo's Python):",
             f"git filter-repo --blob-callback {shlex.quote(STRIP_CALLBACK)}",
             "notebooks: " + ", ".join(shlex.quote(w.path) for w in plan.notebooks),
             "then: check-notebook-outputs --fix (or nbstripout --install) so new outputs "
             "stay out")
    steps += ["", f"  {number + 1}. Force-push every branch and tag, and have everyone "
              "re-clone: old clones and forks still hold the old objects, and hosted "
              "pull-request refs may too."]
    if plan.kept:
        steps += ["", "Kept (code, configuration and documentation are never purged): "
                  + ", ".join(shlex.quote(w.path) for w in plan.kept)]
    if not weights.scanned:
        steps += ["", "Secrets and personal data were not looked for (--no-scan)."]
    steps += ["", "Then keep them out: gitworthy init (pre-commit hooks) and the GitHub Action."]
    return steps


def render_json(weights: Weights, top: int, min_kb: int) -> dict[str, Any]:
    """The report and the plan as JSON (`gitworthy history --format json`)."""
    from gitworthy import __version__

    heavy = [w for w in weights.paths if w.disk >= min_kb * 1024 or w.size >= min_kb * 1024]
    return {
        "version": 1, "tool": {"name": "gitworthy", "version": __version__},
        "total": {"size": weights.size, "disk": weights.disk, "paths": len(weights.paths)},
        "missing": [{"path": p, "message": m} for p, m in weights.missing],
        "paths": [w.to_json() for w in heavy[:top]],
        "extensions": weights.group("extension")[:top],
        "directories": weights.group("directory")[:top],
        "plan": make_plan(weights, top, min_kb).to_json(),
        "secrets_and_pii_scanned": weights.scanned,
    }
