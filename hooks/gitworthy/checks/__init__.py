"""The checks: one module each, every one an independent pre-commit hook.

A check module is small and uniform:

    ID = "check-something"                 # the hook id
    RULES = (Rule(...), ...)               # its rules' documentation (gitworthy.findings.Rule)
    OPTIONS = {"max-kb": 500}              # defaults; config keys and hook flags, typed by value
    def check(file, options, context) -> Iterator[Finding]   # judge ONE file
    def main(argv=None) -> int: return run_hook(ID, argv)    # the hook's entry point
    def reuse_key(file, options, context) -> Hashable | None  # optional, see below

`check` never prints, exits, walks the tree or talks to git (the context does that, lazily),
and imports heavy libraries only when a file needs them. It raises
`gitworthy.findings.InspectionError` with one readable line when a file cannot be inspected.

`reuse_key` says that the check judges content, not paths: the same bytes under another path
with an equal key get the same findings, re-pathed (`file.path` in messages and hints is
replaced), so a scan judges each distinct content once (`gitworthy.runner`). The key holds
whatever else the verdict depends on (the suffix, the file name, the kind of data the path
announces); None judges this path on its own. A check without `reuse_key` depends on the path
itself (file names, folders, LFS and DVC rules) and runs for every path. The verdict is also
remembered across runs (`gitworthy.cache`, keyed by content, options, the key and
gitworthy's code), so it must not depend on anything else: a policy file that changes the
verdict (a detect-secrets baseline) makes `reuse_key` return None.
"""
from __future__ import annotations

import importlib
from types import ModuleType

from gitworthy.findings import Rule

# hook id -> module; the engine imports a module only when its check runs.
CHECKS: dict[str, str] = {
    "check-large-files": "gitworthy.checks.large_files",
    "check-adhoc-filenames": "gitworthy.checks.adhoc_filenames",
    "check-serialized-models": "gitworthy.checks.serialized_models",
    "check-secrets": "gitworthy.checks.secrets",  # pragma: allowlist secret
    "check-pii": "gitworthy.checks.pii",
    "check-notebook-outputs": "gitworthy.checks.notebook_outputs",
    "check-local-paths": "gitworthy.checks.local_paths",
}


def load(check_id: str) -> ModuleType:
    return importlib.import_module(CHECKS[check_id])


def all_rules() -> dict[str, Rule]:
    """Every rule of every check, by rule id."""
    return {rule.id: rule for cid in CHECKS for rule in load(cid).RULES}
