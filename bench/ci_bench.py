"""What `gitworthy ci` costs over the scan it runs, on a merge request in GitLab CI.

The repository of tests/ci_test.py (main, and a feature branch that adds a model and a
credential); alternating, in one run: `gitworthy scan --diff BASE...HEAD` in a full clone,
`gitworthy ci` in the same clone (detection, policy read at the target, the scan), and
`gitworthy ci` in a fresh depth-1 clone (it fetches the base and deepens). Medians of 7.

    python bench/ci_bench.py
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.ci_test import CI_PREFIXES, GIT_ENV, Upstream, request_variables, run_ci
from tests.conftest import gitworthy_exe

RUNS = 7


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def main() -> int:
    os.environ.update(GIT_ENV)
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        upstream = Upstream(base / "upstream")
        full = upstream.clone(base / "full", depth=None)
        variables = request_variables("gitlab", upstream, base)
        env = {k: v for k, v in os.environ.items() if not k.startswith(CI_PREFIXES)}
        diff = ["--diff", f"{upstream.fork_point}...{upstream.head}"]
        times: dict[str, list[float]] = {"scan --diff (full clone)": [], "ci (full clone)": [],
                                         "ci (depth-1 clone)": []}
        for i in range(RUNS):
            times["scan --diff (full clone)"].append(timed(partial(
                subprocess.run, [gitworthy_exe(), "scan", *diff], cwd=full, env=env,
                capture_output=True)))
            times["ci (full clone)"].append(timed(partial(run_ci, full, variables)))
            shallow = upstream.clone(base / f"shallow-{i}")
            times["ci (depth-1 clone)"].append(timed(partial(run_ci, shallow, variables)))
    for label, values in times.items():
        print(f"gitworthy {label:<28} {statistics.median(values):6.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
