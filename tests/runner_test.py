"""Scale: --jobs gives the same report as one process, identical content is judged once,
progress on stderr, and an interrupted scan reports what it found so far."""
from __future__ import annotations

import json
import os
import pickle
import signal
import subprocess
import sys

import nbformat
import pytest
from gitworthy import sources
from gitworthy.config import Config
from gitworthy.engine import scan
from gitworthy.findings import Finding
from gitworthy.runner import CHUNK_FILES, POOL_MIN_FILES, Verdict, repath

from tests.conftest import Repo, gitworthy_exe, run

PEOPLE = ("customer_id,full_name,email,city\n"
          "1001,Maria Gonzalez,maria.gonzalez@example.org,Sevilla\n"
          "1002,Kenji Watanabe,kenji.w@example.net,Osaka\n"
          "1003,Aisha Bello,aisha.bello@example.com,Lagos\n"
          "1004,Lars Eriksson,lars.e@example.org,Uppsala\n")
CARS = "name,mpg,cyl\nMazda RX4,21.0,6\nDatsun 710,22.8,4\nHornet 4 Drive,21.4,6\n"


def _notebook() -> str:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("df.describe()", execution_count=1)
    cell.outputs = [nbformat.v4.new_output(
        "execute_result", {"text/plain": "\n".join(f"{i * 0.37:.4f}" for i in range(40_000))},
        execution_count=1)]
    nb.cells = [cell]
    return nbformat.writes(nb)


def _mixed_repository(repo: Repo, copies: int = 2 * CHUNK_FILES + 1) -> None:
    """Files of every kind, enough for the worker pool to start and to send several chunks;
    a copy of the customers in the last chunk reuses the verdict on the first."""
    assert copies >= POOL_MIN_FILES
    for i in range(copies):
        repo.write(f"src/step_{i}.py", f"def step_{i}(x):\n    return x + {i}\n")
    repo.write("data/customers.csv", PEOPLE)
    repo.write("zz_exports/customers.csv", PEOPLE)
    repo.write("data/mtcars.csv", CARS)
    repo.write("notebooks/explore.ipynb", _notebook())
    repo.write("models/model.pkl", pickle.dumps({"weights": list(range(300))}, protocol=4))
    repo.write("etl_old.py", "x = 0\n")
    repo.write("etl.py", "x = 1\n")
    repo.add()
    repo.commit("files")


def _json(*argv: str, capsys: pytest.CaptureFixture[str]) -> dict:
    code, out, _ = run("scan", "--format", "json", "--progress", "never", *argv,
                       capsys=capsys)
    document = json.loads(out)
    document["stats"].pop("seconds")
    document["exit"] = code
    return document


def test_jobs_give_the_same_report_in_the_same_order_as_one_process(repo: Repo,
                                                                      capsys) -> None:
    _mixed_repository(repo)
    one = _json("--all", "--jobs", "1", capsys=capsys)
    two = _json("--all", "--jobs", "2", capsys=capsys)
    assert one["findings"], "the repository has findings to compare"
    assert {f["check"] for f in one["findings"]} >= {"check-pii", "check-adhoc-filenames",
                                                     "check-serialized-models"}
    assert {"data/customers.csv", "zz_exports/customers.csv"} <= {
        f["path"] for f in one["findings"] if f["check"] == "check-pii"}
    assert two == one


def test_history_with_jobs_matches_one_process(repo: Repo, capsys) -> None:
    _mixed_repository(repo)
    repo.write("data/customers.csv", PEOPLE + "1005,Nia Okafor,nia.okafor@example.com,Accra\n")
    repo.add()
    repo.commit("more customers")
    assert _json("--history", "--jobs", "2", capsys=capsys) == _json(
        "--history", "--jobs", "1", capsys=capsys)


def test_same_content_under_two_paths_is_read_once_and_reported_for_both(repo: Repo) -> None:
    repo.write("raw/customers.csv", PEOPLE)
    repo.add()
    repo.commit("one copy")
    once = scan(sources.tracked(repo.root), ["check-pii"], Config())
    repo.write("clean/customers.csv", PEOPLE)
    repo.add()
    repo.commit("a second copy")
    twice = scan(sources.tracked(repo.root), ["check-pii"], Config())
    assert twice.bytes_read == once.bytes_read  # the copy was not read again
    assert {f.path for f in twice.findings} == {"raw/customers.csv", "clean/customers.csv"}
    for finding in twice.findings:
        assert finding.path in finding.hint
        other = ({"raw/customers.csv", "clean/customers.csv"} - {finding.path}).pop()
        assert other not in finding.hint


def test_a_blob_moved_in_history_is_judged_once(repo: Repo) -> None:
    repo.write("customers.csv", PEOPLE)
    repo.add()
    first = repo.commit("add")
    (repo.root / "archive").mkdir()
    repo.git("mv", "customers.csv", "archive/customers.csv")
    second = repo.commit("move")
    report = scan(sources.history(repo.root), ["check-pii"], Config())
    alone = scan(sources.from_paths([str(repo.root / "archive/customers.csv")], cwd=repo.root),
                 ["check-pii"], Config())
    assert report.bytes_read == alone.bytes_read
    commits = {f.path: f.details["commit"] for f in report.findings}
    assert commits == {"customers.csv": first, "archive/customers.csv": second}


def test_path_dependent_checks_still_run_for_every_path(repo: Repo) -> None:
    repo.write("etl.py", "x = 1\n")
    repo.write("etl_v2.py", "x = 1\n")
    repo.add()
    report = scan(sources.staged(repo.root), ["check-adhoc-filenames"], Config())
    assert [f.path for f in report.findings] == ["etl_v2.py"]


def test_repath_changes_the_path_and_no_other_text() -> None:
    finding = Finding("check-pii", "pii-in-data", "a.csv", "column 'data.csv' holds names",
                      "git rm --cached a.csv; see x/a.csv.bak", line=3)
    [moved] = repath(Verdict([finding]), "a.csv", "old/a.csv").findings
    assert moved.path == "old/a.csv"
    assert moved.message == "column 'data.csv' holds names"
    assert moved.hint == "git rm --cached old/a.csv; see x/a.csv.bak"
    assert moved.fingerprint != finding.fingerprint and moved.line == 3


def test_repath_replaces_quoted_paths_in_hints() -> None:
    finding = Finding("check-pii", "pii-in-data", "my data.csv", "holds names",
                      "git rm --cached 'my data.csv'")
    [moved] = repath(Verdict([finding]), "my data.csv", "old copies/my data.csv").findings
    assert moved.hint == "git rm --cached 'old copies/my data.csv'"


def test_content_is_reused_only_between_paths_quoted_alike(repo: Repo) -> None:
    repo.write("raw/customers.csv", PEOPLE)
    repo.write("old copies/customers.csv", PEOPLE)
    repo.add()
    report = scan(sources.staged(repo.root), ["check-pii"], Config())
    hints = {f.path: f.hint for f in report.findings}
    assert "old copies/customers.csv" in hints["old copies/customers.csv"]
    assert "raw/" not in hints["old copies/customers.csv"]
    assert "raw/customers.csv" in hints["raw/customers.csv"]


def test_jobs_must_be_a_positive_number(repo: Repo, capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        run("scan", "--all", "--jobs", "0", capsys=capsys)
    assert exit_info.value.code == 2
    assert "--jobs" in capsys.readouterr().err


def test_progress_always_writes_a_line_per_file_to_a_log(repo: Repo) -> None:
    repo.write("a.py", "x = 1\n")
    repo.write("b.py", "y = 2\n")
    repo.add()
    repo.commit()
    proc = subprocess.run([gitworthy_exe(), "scan", "--all", "--progress", "always"],
                          cwd=repo.root, capture_output=True, text=True, check=False)
    lines = [x for x in proc.stderr.splitlines() if x.startswith("gitworthy: ")]
    assert [x.split(",")[0] for x in lines] == ["gitworthy: 1/2 files", "gitworthy: 2/2 files"]
    assert lines[-1].endswith("b.py") and "elapsed" in lines[-1]
    assert proc.returncode == 0


def test_progress_auto_is_silent_in_a_log_for_a_short_run(repo: Repo) -> None:
    repo.write("a.py", "x = 1\n")
    repo.add()
    repo.commit()
    proc = subprocess.run([gitworthy_exe(), "scan", "--all"], cwd=repo.root,
                          capture_output=True, text=True, check=False)
    assert proc.stderr == "" and proc.returncode == 0


@pytest.mark.parametrize(("signum", "jobs"), [(signal.SIGINT, "1"), (signal.SIGTERM, "2")])
def test_an_interrupted_scan_prints_what_it_found_marked_incomplete(repo: Repo, signum: int,
                                                                    jobs: str) -> None:
    for i in range(400):  # far more than can be judged between the first line and the signal
        repo.write(f"exports/batch_{i:03}.csv", PEOPLE.replace("1001", f"{i}"))
    repo.add()
    repo.commit("exports")
    proc = subprocess.Popen(
        [gitworthy_exe(), "scan", "--all", "--jobs", jobs, "--progress", "always",
         "--format", "json", "--check", "check-pii"],
        cwd=repo.root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    assert proc.stderr is not None
    first = proc.stderr.readline()
    assert first.startswith("gitworthy: 1/400 files"), first
    proc.send_signal(signum)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 2
    document = json.loads(out)
    assert document["stats"]["incomplete"] is True
    assert 1 <= document["stats"]["files"] < 400
    assert document["findings"], "what was found before the signal is reported"
    assert "incomplete" in err and "Traceback" not in err


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_an_interrupted_baseline_writes_nothing(repo: Repo) -> None:
    for i in range(300):
        repo.write(f"exports/batch_{i:03}.csv", PEOPLE.replace("1001", f"{i}"))
    repo.add()
    repo.commit("exports")
    proc = subprocess.Popen(
        [gitworthy_exe(), "baseline", "--all", "--jobs", "1", "--progress", "always",
         "--check", "check-pii"],
        cwd=repo.root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    assert proc.stderr.readline().startswith("gitworthy: 1/300 files")
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=120)
    assert proc.returncode == 2
    assert not (repo.root / ".gitworthy-baseline.json").exists()


@pytest.mark.skipif(sys.platform == "win32", reason="a POSIX terminal")
def test_progress_on_a_terminal_is_one_live_line_cleared_before_the_report(repo: Repo) -> None:
    import pty

    repo.write("a.py", "x = 1\n")
    repo.write("b.py", "y = 2\n")
    repo.add()
    repo.commit()
    controller, terminal = pty.openpty()
    proc = subprocess.Popen([gitworthy_exe(), "scan", "--all", "--progress", "always"],
                            cwd=repo.root, stdout=subprocess.PIPE, stderr=terminal)
    os.close(terminal)
    seen = b""
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        seen += chunk
    proc.communicate(timeout=60)
    os.close(controller)
    assert b"\rgitworthy: 1/2 files" in seen and b"\n" not in seen
    assert seen.endswith(b"\r\x1b[K")  # the line is gone before the report is printed
    assert proc.returncode == 0


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_blob_missing_from_the_object_store_is_an_error_line(repo: Repo, capsys,
                                                               jobs: str) -> None:
    for i in range(POOL_MIN_FILES + 2):
        repo.write(f"src/step_{i}.py", f"def step_{i}(x):\n    return x * {i}\n")
    repo.add()
    sha = repo.git("rev-parse", ":src/step_3.py").strip()
    (repo.root / ".git" / "objects" / sha[:2] / sha[2:]).unlink()
    document = _json("--staged", "--jobs", jobs, capsys=capsys)
    assert document["exit"] == 1
    assert [e["path"] for e in document["errors"]] == ["src/step_3.py"]  # once, not per check
    assert document["stats"]["files"] == POOL_MIN_FILES + 1  # the others are all judged
