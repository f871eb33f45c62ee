"""check-pii on the real-world PII set: precision, recall and per-file hook timings.

    python bench/pii_realworld.py                       # this checkout
    python bench/pii_realworld.py --rev 863de46         # and an older commit, side by side
    python bench/pii_realworld.py --rev main --timings 5 # plus per-file hook run times

The set (tests/realworld/pii/: manifest.json, build.py) is written to a temporary git
repository. Each code version scans it with `gitworthy scan --format json --check check-pii`;
findings are scored against the manifest. With --timings N every file is given to the
`check-pii` hook entry point in a fresh process (as pre-commit does), N times, the versions
alternating; medians are reported. An older commit is exported with `git archive` and run
from its own `hooks/` directory.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.realworld.pii.build import build, score  # noqa: E402

RUN = ("import sys; sys.path.insert(0, sys.argv[1]); from {module} import main; "
       "raise SystemExit(main(sys.argv[2:]))")


def export(rev: str, into: Path) -> Path:
    """The `hooks/` directory of a commit, written under `into`."""
    data = subprocess.run(["git", "archive", rev, "hooks"], cwd=ROOT, capture_output=True,
                          check=True).stdout
    with tarfile.open(fileobj=BytesIO(data)) as tar:
        tar.extractall(into, filter="data")
    return into / "hooks"


def run(code: Path, module: str, args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", RUN.format(module=module), str(code), *args],
                          cwd=cwd, capture_output=True, text=True, check=False)


def findings(code: Path, repo: Path, files: list[str]) -> list[dict]:
    proc = run(code, "gitworthy.cli", ["scan", "--format", "json", "--check", "check-pii",
                                       *files], repo)
    if proc.returncode == 2:
        raise SystemExit(f"scan failed: {proc.stdout[-500:]}{proc.stderr[-2000:]}")
    report = json.loads(proc.stdout)
    for error in report["errors"]:
        print(f"  not inspected: {error['path']}: {error['message']}")
    return report["findings"]


def show(name: str, result: dict) -> None:
    print(f"{name}: precision {result['precision']:.2f}  recall {result['recall']:.2f}  "
          f"(TP {result['tp']}, FP {result['fp']}, FN {result['fn']})")
    for fp in result["false_positives"]:
        print(f"    false positive: {fp}")
    for fn in result["missed"]:
        print(f"    missed:         {fn}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rev", action="append", default=[],
                        help="an older commit to measure beside this checkout")
    parser.add_argument("--timings", type=int, default=0, help="hook runs per file and version")
    parser.add_argument("--only", nargs="*", help="only these files of the set")
    parser.add_argument("--large", action="store_true",
                        help="also time two large files: an 890 KB CSV of 229 float columns "
                             "and a 4 MB notebook of training output")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / "repo"
        repo.mkdir()
        subprocess.run(["git", "init", "-q", repo], check=True)
        cases = build(repo)
        files = [c["file"] for c in cases if not args.only or c["file"] in args.only]
        cases = [c for c in cases if c["file"] in files]
        versions = {f"{rev}": export(rev, Path(tmp) / f"rev{i}")
                    for i, rev in enumerate(args.rev)}
        versions["this checkout"] = ROOT / "hooks"
        for name, code in versions.items():
            found = findings(code, repo, files)
            show(f"{name} (all {len(cases)} files)", score(cases, found))
            needy = [c for c in cases if c.get("needs")]
            if needy:
                result = score(cases, found, skip_needs=frozenset({"readers"}))
                print(f"  without the {len(needy)} file(s) marked `needs: readers`: precision "
                      f"{result['precision']:.2f}  recall {result['recall']:.2f}")
        if args.timings:
            (repo / "train.py").write_text("print('no data here')\n")  # the floor: start-up
            extra = large_files(repo) if args.large else []
            timings(versions, repo, ["train.py", *files, *extra], args.timings)
    return 0


def large_files(repo: Path) -> list[str]:
    """Files of a few MB, for timing only (not in the manifest)."""
    import random

    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    rng = random.Random(7)
    rows = [",".join(f"c{i}" for i in range(229))]
    rows += [",".join(repr(rng.gauss(0, 1000)) for _ in range(229)) for _ in range(220)]
    (repo / "large").mkdir(exist_ok=True)
    (repo / "large/floats_229.csv").write_text("\n".join(rows) + "\n")
    log = ("".join(f"step {s}: loss={rng.random()!r} acc={rng.random()!r} "
                   f"lr={rng.random() / 1000!r}\n" for s in range(1500)) for _ in range(20))
    cells = [new_code_cell(f"train(fold={k})", outputs=[new_output("stream", name="stdout",
                                                                   text=text)])
             for k, text in enumerate(log)]
    nbformat.write(new_notebook(cells=cells), str(repo / "large/training_log.ipynb"))
    return ["large/floats_229.csv", "large/training_log.ipynb"]


def timings(versions: dict[str, Path], repo: Path, files: list[str], runs: int) -> None:
    """Median wall time of one `check-pii FILE` hook run per file and version."""
    times: dict[tuple[str, str], list[float]] = {}
    env_note = f"{os.cpu_count()} CPUs"
    for _ in range(runs):
        for file in files:
            for name, code in versions.items():  # alternating versions, same conditions
                started = time.perf_counter()
                run(code, "gitworthy.checks.pii", [file], repo)
                times.setdefault((name, file), []).append(time.perf_counter() - started)
    names = list(versions)
    print(f"\ncheck-pii hook run per file, median of {runs} ({env_note}); seconds")
    print(f"{'file':40} {'KB':>6} " + " ".join(f"{n[:14]:>14}" for n in names))
    for file in files:
        size = (repo / file).stat().st_size / 1024
        cells = " ".join(f"{statistics.median(times[(n, file)]):14.3f}" for n in names)
        print(f"{file:40} {size:6.0f} {cells}")
    for n in names:
        total = statistics.median([sum(statistics.median(times[(n, f)]) for f in files)])
        print(f"{'sum of medians':40} {'':6} {n[:14]:>14} {total:8.2f}")


if __name__ == "__main__":
    raise SystemExit(main())
