"""What a commit of ordinary code pays for each gitworthy hook, side by side with the anchors.

    python bench/commit_bench.py [--runs 15]

Makes a temp git repository with ten ordinary .py files staged, plus one with a 2 GB sparse
data file, then times (median of --runs, wall clock):

- `python -c pass`: the floor every Python hook pays;
- pre-commit-hooks' `check-added-large-files` (the anchor; installed if missing);
- gitworthy's hook entry points, each beside its anchor where there is one
  (detect-secrets-hook for check-secrets);
- `gitworthy scan --staged` (all checks) on the same files;

and reports how many bytes gitworthy read of the 2 GB file (it should read only its head).

Both tools are installed the way pre-commit installs them, as regular (not editable)
packages, in a fresh virtualenv in a temp dir: an editable install alone adds ~18 ms of
import-hook set-up to every start.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@example.com",
       "GIT_COMMITTER_NAME": "b", "GIT_COMMITTER_EMAIL": "b@example.com"}


def timed(argv: list[str], cwd: Path, runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, cwd=cwd, capture_output=True, env=ENV, check=False)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def make_repo(root: Path, big: bool) -> list[str]:
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    names = []
    for i in range(10):
        name = f"src/module_{i}.py"
        (root / "src").mkdir(exist_ok=True)
        (root / name).write_text("def f(x):\n    return x + 1\n" * 50)
        names.append(name)
    if big:
        with open(root / "data.parquet", "wb") as fh:
            fh.write(b"PAR1")
            fh.truncate(2 * 1024**3)
        names.append("data.parquet")
    subprocess.run(["git", "add", "-A"], cwd=root, check=True, env=ENV)
    return names


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        venv = Path(tmp) / "venv"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q"]
        subprocess.run([*pip, "pre-commit-hooks", "pathspec", "detect-secrets"], check=True)
        subprocess.run([*pip, "--no-deps", str(CHECKOUT)], check=True)
        python = venv / "bin" / "python"
        BIN = venv / "bin"
        repo = Path(tmp) / "code"
        files = make_repo(repo, big=False)
        rows = [
            ("python -c pass", [str(python), "-c", "pass"]),
            ("pre-commit-hooks check-added-large-files",
             [str(BIN / "check-added-large-files"), *files]),
            ("gitworthy check-large-files", [str(BIN / "check-large-files"), *files]),
            ("gitworthy check-adhoc-filenames", [str(BIN / "check-adhoc-filenames"), *files]),
            ("gitworthy check-serialized-models",
             [str(BIN / "check-serialized-models"), *files]),
            ("gitworthy check-pii", [str(BIN / "check-pii"), *files]),
            ("gitworthy check-notebook-outputs", [str(BIN / "check-notebook-outputs"), *files]),
            ("gitworthy check-local-paths", [str(BIN / "check-local-paths"), *files]),
            ("detect-secrets-hook (anchor)", [str(BIN / "detect-secrets-hook"), *files]),
            ("gitworthy check-secrets", [str(BIN / "check-secrets"), *files]),
            ("gitworthy scan --staged (all checks)", [str(BIN / "gitworthy"), "scan", "--staged"]),
        ]
        print(f"commit of 10 staged .py files, median of {args.runs} runs")
        for label, argv in rows:
            print(f"  {label:<42} {timed(argv, repo, args.runs):7.1f} ms")

        big_repo = Path(tmp) / "big"
        make_repo(big_repo, big=True)
        start = time.perf_counter()
        out = subprocess.run([str(BIN / "gitworthy"), "scan", "--staged", "--check",
                              "check-large-files", "--format", "json"], cwd=big_repo,
                             capture_output=True, text=True, env=ENV, check=False).stdout
        elapsed = (time.perf_counter() - start) * 1000
        stats = json.loads(out)["stats"]
        print(f"2 GB staged Parquet file: {elapsed:.0f} ms, {stats['bytes_read']} bytes read "
              f"by the checks")


if __name__ == "__main__":
    main()
