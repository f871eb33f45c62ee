"""The result cache: a second run reuses verdicts and reports the same, and no cache entry
that gitworthy did not write itself, for this content, check, options and code, is used."""
from __future__ import annotations

import json
import os
import random
import re
import time
from pathlib import Path

import pytest
from gitworthy import cache, sources
from gitworthy.checks import load
from gitworthy.config import Config
from gitworthy.engine import _tasks
from gitworthy.findings import Finding
from gitworthy.runner import Verdict, judge

from tests.conftest import Repo, run
from tests.runner_test import CARS, PEOPLE, _notebook

RNG = random.Random(20261128)
HF_TOKEN = "h" + "f_" + "".join(RNG.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJ")
                                for _ in range(34))
STATS = re.compile(r"(\d+) verdicts reused, (\d+) stored, (\d+) cache files rejected")


@pytest.fixture
def cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The cache switched on, with its folder and key in temp folders: the cache folder."""
    monkeypatch.delenv("GITWORTHY_NO_CACHE", raising=False)
    for name in (*cache.CI_VARIABLES, cache.KEY_VARIABLE, "GITWORTHY_CACHE_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache-home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config-home"))
    return tmp_path / "cache-home" / "gitworthy"


def _repository(repo: Repo) -> None:
    repo.write("data/customers.csv", PEOPLE)
    repo.write("data/mtcars.csv", CARS)
    repo.write("notebooks/explore.ipynb", _notebook())
    repo.write("src/hub.py", f'import os\n\nTOKEN = "{HF_TOKEN}"\n')
    repo.write("src/train.py", "def train(x):\n    return x * 2\n")
    repo.write("etl_old.py", "x = 0\n")
    repo.add()
    repo.commit("files")


def _scan(*argv: str, capsys: pytest.CaptureFixture[str]) -> tuple[dict, tuple[int, ...]]:
    """The JSON report without its timing, and the cache's (reused, stored, rejected)."""
    code, out, err = run("scan", "--format", "json", "--progress", "never", "--cache-stats",
                         *argv, capsys=capsys)
    document = json.loads(out)
    document["stats"].pop("seconds")
    document["exit"] = code
    counts = STATS.search(err)
    return document, tuple(int(n) for n in counts.groups()) if counts else ()


def _segments(folder: Path) -> list[Path]:
    return sorted((folder / cache.FORMAT).glob("*.seg"))


def _lines(folder: Path) -> tuple[Path, bytes, list[bytes]]:
    """The one segment file: its path, MAC and lines (entry id, space, verdict)."""
    [segment] = _segments(folder)
    mac, _, body = segment.read_bytes().partition(b"\n")
    return segment, mac, body.splitlines()


def test_second_run_reuses_every_verdict_and_reports_the_same(repo: Repo, cached: Path,
                                                              capsys) -> None:
    _repository(repo)
    first, (reused, stored, _) = _scan("--all", capsys=capsys)
    # check-secrets on all six files, check-pii on the two CSV files and the notebook
    # (code is not data to it: nothing to remember), check-notebook-outputs on the notebook
    assert reused == 0 and stored >= 10, "every content check's verdicts are remembered"
    second, counts = _scan("--all", capsys=capsys)
    assert counts == (stored, 0, 0)
    assert {f["check"] for f in first["findings"]} >= {"check-pii", "check-secrets",
                                                       "check-notebook-outputs",
                                                       "check-adhoc-filenames"}
    assert second["stats"]["bytes_read"] < first["stats"]["bytes_read"]
    for document in (first, second):
        document["stats"].pop("bytes_read")
    assert second == first


def test_output_is_byte_identical_with_and_without_the_cache(repo: Repo, cached: Path,
                                                             capsys) -> None:
    _repository(repo)
    outputs = []
    for argv in (["--no-cache"], [], []):  # without, cold, warm
        for fmt in ("sarif", "text"):
            code, out, _ = run("scan", "--history", "--format", fmt, "--progress", "never",
                               *argv, capsys=capsys)
            outputs.append((code, re.sub(r"scanned in [\d.]+s", "", out)))
    assert outputs[0:2] == outputs[2:4] == outputs[4:6]
    assert "check-pii" in outputs[1][1] and _segments(cached)


def test_history_reuses_what_a_scan_of_all_files_judged(repo: Repo, cached: Path,
                                                        capsys) -> None:
    _repository(repo)
    _, (_, stored, _) = _scan("--history", capsys=capsys)
    _, (reused, stored_again, _) = _scan("--history", capsys=capsys)
    assert (reused, stored_again) == (stored, 0)


def test_edited_verdict_is_ignored_and_the_finding_still_reported(repo: Repo, cached: Path,
                                                                  capsys) -> None:
    _repository(repo)
    before, _ = _scan("--all", capsys=capsys)
    segment, mac, lines = _lines(cached)
    edited = [line.split(b" ")[0] + b' {"path":"data/customers.csv","findings":[]}'
              if b"check-pii" in line else line for line in lines]
    assert edited != lines
    segment.write_bytes(mac + b"\n" + b"\n".join(edited) + b"\n")
    after, (reused, stored, rejected) = _scan("--all", capsys=capsys)
    assert (reused, rejected) == (0, 1), "the whole segment is rejected and judged again"
    assert after["findings"] == before["findings"]


def test_clean_verdict_moved_onto_a_finding_is_ignored(repo: Repo, cached: Path,
                                                       capsys) -> None:
    _repository(repo)
    before, _ = _scan("--all", capsys=capsys)
    segment, mac, lines = _lines(cached)
    clean = next(line for line in lines if line.endswith(b'"findings":[]}'))
    moved = [line.split(b" ")[0] + b" " + clean.split(b" ", 1)[1]
             if b'"check":' in line else line for line in lines]  # every finding's verdict
    segment.write_bytes(mac + b"\n" + b"\n".join(moved) + b"\n")
    after, (_, _, rejected) = _scan("--all", capsys=capsys)
    assert rejected == 1
    assert after["findings"] == before["findings"]


def test_cache_written_under_another_key_is_not_used(repo: Repo, cached: Path, capsys,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    _repository(repo)
    monkeypatch.setenv(cache.KEY_VARIABLE, "another machine's key, at least 32 characters")
    _, (_, stored, _) = _scan("--all", capsys=capsys)
    monkeypatch.setenv(cache.KEY_VARIABLE, "this machine's own key, at least 32 characters")
    _, counts = _scan("--all", capsys=capsys)
    assert counts == (0, stored, 1)
    assert len(_segments(cached)) == 1, "the foreign segment was dropped"
    _, counts = _scan("--all", capsys=capsys)
    assert counts == (stored, 0, 0)


@pytest.mark.parametrize("damage", ["truncated", "garbage", "fifo", "link"])
def test_damaged_segment_is_a_miss_never_clean(repo: Repo, cached: Path, capsys,
                                               damage: str) -> None:
    _repository(repo)
    before, _ = _scan("--all", capsys=capsys)
    [segment] = _segments(cached)
    data = segment.read_bytes()
    segment.unlink()
    if damage == "truncated":
        segment.write_bytes(data[:len(data) // 2])
    elif damage == "garbage":
        segment.write_bytes(os.urandom(len(data)))
    elif damage == "fifo":
        os.mkfifo(segment)  # opening it must not wait for a writer
    else:
        segment.symlink_to("/dev/zero")
    after, (reused, _, rejected) = _scan("--all", capsys=capsys)
    assert (reused, rejected) == (0, 1)
    assert after["findings"] == before["findings"]


def test_changed_options_miss(repo: Repo, cached: Path, capsys) -> None:
    _repository(repo)
    _scan("--all", "--check", "check-pii", capsys=capsys)
    repo.write(".gitworthy.toml", '[check-pii]\nignore-columns = ["full_name"]\n')
    after, (reused, _, _) = _scan("--all", "--check", "check-pii", capsys=capsys)
    assert reused == 0
    assert {f["details"].get("column") for f in after["findings"]} == {"email"}


def test_another_gitworthy_version_or_installed_library_misses(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    today = cache.environment()
    monkeypatch.setattr(cache, "__version__", "99.0.0")
    assert cache.environment() != today
    monkeypatch.undo()
    (tmp_path / "site" / "detect_secrets-9.9.9.dist-info").mkdir(parents=True)
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    assert cache.environment() != today


def test_files_not_inspected_are_never_remembered(repo: Repo, cached: Path, capsys) -> None:
    _repository(repo)
    repo.write(".gitworthy.toml", "[check-secrets]\nmax-kb = 1\n")
    repo.write("src/big.py", "x = 1\n" * 400)
    repo.add()
    repo.commit("a file over the limit")
    first, (_, stored, _) = _scan("--all", "--check", "check-secrets", capsys=capsys)
    second, (reused, stored_again, _) = _scan("--all", "--check", "check-secrets",
                                              capsys=capsys)
    assert "src/big.py" in [e["path"] for e in first["errors"]]
    assert second["errors"] == first["errors"]
    assert reused == stored and stored_again == 0
    assert reused + len(first["errors"]) == first["stats"]["files"]


def test_work_tree_file_changed_while_judged_is_not_stored(repo: Repo, cached: Path) -> None:
    _repository(repo)
    source = sources.tracked()
    checks = {"check-pii": (load("check-pii"), Config().options("check-pii"))}
    tasks = [t for t in _tasks(source, checks, Config()) if t[0].path == "data/customers.csv"]
    store = cache.open_cache(None, os.environ)
    assert store is not None
    _, wanted = store.lookup(tasks, checks, source.context)
    judged = judge(tasks[0][0], ["check-pii"], checks, source.context)
    time.sleep(0.01)
    repo.write("data/customers.csv", CARS)  # edited in the meantime
    store.store(wanted[0, "check-pii"], tasks[0][0], judged.verdicts["check-pii"])
    store.close()
    assert store.stored == 0 and not _segments(cached)


def test_key_is_private_and_a_loose_key_is_refused(repo: Repo, cached: Path, tmp_path: Path,
                                                   capsys) -> None:
    _repository(repo)
    _scan("--all", capsys=capsys)
    key = tmp_path / "config-home" / "gitworthy" / "cache.key"
    assert key.stat().st_mode & 0o777 == 0o600
    assert not key.is_relative_to(cached)
    key.chmod(0o644)
    code, out, err = run("scan", "--all", "--cache-stats", capsys=capsys)
    assert "mode 0600" in err and "no cache used" in err
    assert "verdicts reused" not in err and code == 1 and "check-pii" in out


def test_ci_uses_no_cache_without_a_key(repo: Repo, cached: Path, capsys,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    _repository(repo)
    monkeypatch.setenv("CI", "true")
    _, counts = _scan("--all", capsys=capsys)
    assert counts == () and not cached.exists()
    monkeypatch.setenv(cache.KEY_VARIABLE, "a repository secret of 32 characters or more")
    _, (_, stored, _) = _scan("--all", capsys=capsys)
    assert stored and not (cached.parent.parent / "config-home" / "gitworthy").exists()


def test_no_cache_and_cache_dir(repo: Repo, cached: Path, tmp_path: Path, capsys) -> None:
    _repository(repo)
    _, counts = _scan("--all", "--no-cache", capsys=capsys)
    assert counts == () and not cached.exists()
    _, (_, stored, _) = _scan("--all", "--cache-dir", str(tmp_path / "elsewhere"),
                              capsys=capsys)
    assert stored and _segments(tmp_path / "elsewhere") and not cached.exists()


def test_jobs_reuse_the_cache_with_the_same_report(repo: Repo, cached: Path, capsys) -> None:
    _repository(repo)
    for i in range(20):
        repo.write(f"src/step_{i}.py", f"def step_{i}(x):\n    return x + {i}\n")
    repo.add()
    repo.commit("more files")
    one, _ = _scan("--all", "--jobs", "1", "--no-cache", capsys=capsys)
    cold, (_, stored, _) = _scan("--all", "--jobs", "2", capsys=capsys)
    warm, (reused, _, _) = _scan("--all", "--jobs", "2", capsys=capsys)
    for document in (one, cold, warm):
        document["stats"].pop("bytes_read")
    assert reused == stored and cold == warm == one


def test_segments_are_merged_and_the_cache_stays_bounded(repo: Repo, cached: Path, capsys,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    _repository(repo)
    monkeypatch.setattr(cache, "MAX_SEGMENTS", 2)
    stored = 0
    for check in ("check-pii", "check-secrets", "check-notebook-outputs"):
        stored += _scan("--all", "--check", check, capsys=capsys)[1][1]
    assert len(_segments(cached)) == 1, "the third run merged the two before it"
    _, counts = _scan("--all", capsys=capsys)
    assert counts == (stored, 0, 0)
    monkeypatch.setattr(cache, "MAX_BYTES", 600)
    before, _ = _scan("--all", capsys=capsys)  # over the bound: merged into 600 bytes
    [segment] = _segments(cached)
    assert segment.stat().st_size <= 600 + 65
    after, (reused, _, _) = _scan("--all", capsys=capsys)
    assert 0 < reused < stored and after["findings"] == before["findings"]


def test_verdict_that_json_would_change_is_not_stored(repo: Repo, cached: Path) -> None:
    _repository(repo)
    store = cache.open_cache(None, os.environ)
    assert store is not None
    file = sources.tracked().files[0]
    finding = Finding("check-pii", "pii-in-data", file.path, "m", "h", details={"cells": (1, 2)})
    store.store(cache.Wanted("k" * 32, None), file, Verdict([finding]))
    store.close()
    assert store.stored == 0 and not _segments(cached)


def test_concurrent_runs_share_the_cache_safely(repo: Repo, cached: Path, capsys) -> None:
    import subprocess

    from tests.conftest import gitworthy_exe

    _repository(repo)
    argv = [gitworthy_exe(), "scan", "--all", "--jobs", "1", "--format", "json",
            "--progress", "never"]
    runs = [subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            for _ in range(3)]
    outputs = [json.loads(run.communicate()[0])["findings"] for run in runs]
    after, (reused, stored, rejected) = _scan("--all", capsys=capsys)
    assert (stored, rejected) == (0, 0) and reused > 0
    assert outputs[0] == outputs[1] == outputs[2] == after["findings"]


def test_key_that_is_not_a_plain_file_is_refused_without_waiting(repo: Repo, cached: Path,
                                                                 tmp_path: Path,
                                                                 capsys) -> None:
    _repository(repo)
    key = tmp_path / "config-home" / "gitworthy" / "cache.key"
    key.parent.mkdir(parents=True)
    os.mkfifo(key, 0o600)
    code, out, err = run("scan", "--all", "--cache-stats", capsys=capsys)
    assert "not a gitworthy cache key" in err and "check-pii" in out and code == 1
    assert not cached.exists()


def test_detect_secrets_baseline_is_never_overruled_by_the_cache(repo: Repo, cached: Path,
                                                                 capsys) -> None:
    import subprocess
    import sys

    _repository(repo)
    before, _ = _scan("--all", "--check", "check-secrets", capsys=capsys)
    assert [f["path"] for f in before["findings"]] == ["src/hub.py"]
    baseline = subprocess.run([str(Path(sys.executable).with_name("detect-secrets")), "scan"],
                              cwd=repo.root, check=True, capture_output=True, text=True).stdout
    repo.write(".secrets.baseline", baseline)
    accepted, counts = _scan("--all", "--check", "check-secrets", capsys=capsys)
    assert accepted["findings"] == [] and counts == (0, 0, 0)
    (repo.root / ".secrets.baseline").unlink()
    again, (reused, stored, _) = _scan("--all", "--check", "check-secrets", capsys=capsys)
    assert again["findings"] == before["findings"] and reused > 0 and stored == 0


def test_verdict_reused_under_another_path_names_the_new_path(repo: Repo, cached: Path,
                                                              capsys) -> None:
    _repository(repo)
    _scan("data", capsys=capsys)
    (repo.root / "archive" / "2023").mkdir(parents=True)
    (repo.root / "data" / "customers.csv").rename(repo.root / "archive" / "2023" /
                                                  "customers.csv")
    warm, (reused, _, _) = _scan("archive", capsys=capsys)
    fresh, _ = _scan("archive", "--no-cache", capsys=capsys)
    assert reused > 0 and warm["findings"] and warm["findings"] == fresh["findings"]
    assert all(f["path"] == "archive/2023/customers.csv" and "data/" not in f["hint"]
               and "archive/2023/customers.csv" in f["hint"] for f in warm["findings"])


def test_every_field_of_a_finding_is_remembered() -> None:
    import inspect

    assert tuple(inspect.signature(Finding).parameters) == cache.FINDING_FIELDS
