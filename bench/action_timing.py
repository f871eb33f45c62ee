"""Time the GitHub Action's `run:` steps for a typical pull request, install included.

Runs the real action.yml the way tests/action_test.py does (a shallow checkout of a pull
request's merge ref, a local fake of the REST API), three times:
  1. cold: the virtual environment built with an empty pip cache (first run, no cache hit)
  2. warm: again with the pip cache the first run filled (what actions/cache restores)
  3. preinstalled: GITWORTHY_ACTION_PYTHON set, so only the scan step runs

    python bench/action_timing.py
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pytest

from tests import action_test as at
from tests.github_client_test import FakeGitHub


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp, FakeGitHub() as fake:
        base = Path(tmp)
        with pytest.MonkeyPatch.context() as mp:
            for key, value in at.GIT_ENV.items():
                mp.setenv(key, value)
            origin = at.origin.__wrapped__(base)  # the same repository as the tests
            head = at.sha_of(origin, "feature")
            merge = origin.merge_ref(1, head)
            event = at.pr_event(1, at.sha_of(origin, "main"), head)
            for label, install in (("cold pip cache", True), ("warm pip cache", True),
                                   ("preinstalled", False)):
                workspace = at.checkout(origin.root, base / "workspace", "refs/pull/1/merge")
                started = time.perf_counter()
                run = at.run_action(workspace, base, "pull_request", event, fake.url, sha=merge,
                                    install=install)
                seconds = time.perf_counter() - started
                steps = ", ".join(f"{k} {v:.1f}s" for k, v in run.seconds.items())
                print(f"{label:>15}: whole action {seconds:6.1f}s ({steps}), exit {run.code}, "
                      f"{run.outputs['findings']} findings, comments {len(fake.comments[1])}")
                if run.code not in (0, 1):
                    print(run.stdout)
                    return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
