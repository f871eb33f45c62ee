"""Every hostile input gets a verdict: no traceback, one line naming the file, counted as not
inspected (a finding or an `errors` entry, exit 1), never as clean, within bounded memory.

The repository of all cases is generated once per session (tests/hostile/generate.py) and
scanned by ONE `gitworthy scan --all`, as a user would run it. The scan limit is lowered to
64 MiB in the repository's config so the bombs stop early; the bounds are sizes and counts,
never wall-clock time.
"""
from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate  # tests/hostile/generate.py  # noqa: E402

from tests.conftest import GIT_ENV, gitworthy_exe  # noqa: E402

CONFIG = b'[check-serialized-models]\nmax-scan-mb = 64\n'
MEMORY_BOUND_MB = 1024  # peak resident memory of the whole scan, stated in the README


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True,
                   env={**os.environ, **GIT_ENV})


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> tuple[Path, dict[str | bytes, str]]:
    root = tmp_path_factory.mktemp("hostile")
    _git(root, "init", "-q", "-b", "main")
    made = generate.build(root)
    made.update(generate.special(root))
    (root / ".gitworthy.toml").write_bytes(CONFIG)
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "--no-verify", "-m", "hostile inputs")
    return root, made


def _scan(root: Path, *args: str) -> tuple[int, str, str]:
    proc = subprocess.run([gitworthy_exe(), "scan", *args], cwd=root, capture_output=True,
                          timeout=900, check=False)  # a hang guard only, never a speed goal
    return (proc.returncode, proc.stdout.decode("utf-8", "backslashreplace"),
            proc.stderr.decode("utf-8", "backslashreplace"))


@pytest.fixture(scope="module")
def report(hostile) -> tuple[int, dict, str, int]:
    root, _ = hostile
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    code, out, err = _scan(root, "--all", "--format", "json")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return code, json.loads(out), err, max(peak, before) >> 10


# Hostile in shape but readable within the bounds, so a clean verdict is a real one: the
# readers sample them (values cut to the characters judged, CR-only lines read as lines).
READ_WITHIN_BOUNDS = {
    "data/dictionary_string.parquet": "read dictionary-encoded, each value cut when judged",
    "data/cr_only.csv": "a CR-only CSV of cars is read as lines and holds no personal data",
}


def _key(path: str | bytes) -> str:
    return path.decode("utf-8", "surrogateescape") if isinstance(path, bytes) else path


def test_scan_all_finishes_without_a_traceback_and_exits_1(report):
    code, data, err, _ = report
    assert code == 1
    assert "Traceback" not in err
    assert "internal error" not in json.dumps(data["errors"])


@pytest.mark.parametrize("path", sorted(
    [*(c for c in generate.CASES if c not in READ_WITHIN_BOUNDS), *generate.NAMES,
     "links/outside.pkl", "links/dangling.pkl", "links/loop_a", "links/loop_b",
     "links/to_dir"], key=_key))
def test_every_case_is_reported_never_clean(report, path):
    _, data, _, _ = report
    shown = json.loads(json.dumps(_key(path)))
    reported = {f["path"] for f in data["findings"]} | {e["path"] for e in data["errors"]}
    assert shown in reported, f"{_key(path)!r} passed silently"


@pytest.mark.parametrize("path", sorted(READ_WITHIN_BOUNDS))
def test_cases_read_within_bounds_are_read_not_errors(report, path):
    _, data, _, _ = report
    assert path not in {e["path"] for e in data["errors"]}
    assert data["stats"]["files"] >= len(generate.CASES)


def test_scan_all_memory_is_bounded(report):
    assert report[3] < MEMORY_BOUND_MB


def test_text_output_names_each_file_on_one_line_and_prints_no_escape(hostile):
    root, _ = hostile
    code, out, err = _scan(root, "names/")
    assert code == 1 and "Traceback" not in err
    assert "\x1b" not in out and "\u202e" not in out
    assert "names/ctrl\\x1b[2J\\x1b[32mPASSED\\x1b[0m.pkl: error" in out
    assert "names/new\\nline.pkl: error" in out


@pytest.mark.parametrize("fmt", ["sarif", "github", "markdown", "junit", "gitlab"])
def test_every_format_survives_names_that_are_not_utf8(hostile, fmt):
    root, _ = hostile
    code, out, err = _scan(root, "names/", "--format", fmt)
    if "invalid choice" in err:
        pytest.skip(f"--format {fmt} is not in this build")
    assert code == 1 and "Traceback" not in err and out


def test_fifo_and_vanished_paths_are_errors(hostile):
    root, _ = hostile
    fifo = root / "named_pipe.csv"
    os.mkfifo(fifo)
    try:
        code, out, err = _scan(root, "named_pipe.csv", "missing.csv")
    finally:
        fifo.unlink()
    assert code == 1 and "Traceback" not in err
    assert "named_pipe.csv: could not inspect: not a regular file" in out
    assert "missing.csv: could not inspect: file not found" in out


def test_repository_in_the_middle_of_a_merge(tmp_path):
    root = tmp_path / "merging"
    root.mkdir()
    _git(root, "init", "-q", "-b", "main")
    (root / "train.py").write_text("lr = 0.1\n")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "base")
    _git(root, "checkout", "-q", "-b", "other")
    (root / "train.py").write_text("lr = 0.2\n")
    _git(root, "commit", "-q", "-am", "other")
    _git(root, "checkout", "-q", "main")
    (root / "train.py").write_text("lr = 0.3\n")
    _git(root, "commit", "-q", "-am", "main")
    subprocess.run(["git", "merge", "other"], cwd=root, capture_output=True,
                   env={**os.environ, **GIT_ENV}, check=False)
    code, out, err = _scan(root, "--all", "--format", "json")
    assert "Traceback" not in err and code in (0, 1)
    assert json.loads(out)["stats"]["files"] == 1  # the conflicted path once, not per stage
