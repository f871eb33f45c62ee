"""`gitworthy report merge`: the reports of many repositories as one table."""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import GIT_ENV, run

PEOPLE = ("customer_id,full_name,email\n1001,Maria Gonzalez,maria.gonzalez@example.org\n"
          "1002,Kenji Watanabe,kenji.w@example.net\n1003,Aisha Bello,aisha.b@example.com\n")


def _repository(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True)
    env = {**os.environ, **GIT_ENV}
    subprocess.run(["git", "init", "-q"], cwd=root, check=True, env=env)
    for name, content in files.items():
        (root / name).write_text(content)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True, env=env)
    return root


@pytest.fixture
def reports(tmp_path: Path, capsys, monkeypatch) -> list[Path]:
    """Two repositories scanned the way a matrix job does: one JSON, one SARIF, each in the
    folder its artifact is downloaded to."""
    churn = _repository(tmp_path / "src" / "churn", {"customers.csv": PEOPLE,
                                                     "etl_old.py": "x = 0\n", "etl.py": "x=1\n"})
    clean = _repository(tmp_path / "src" / "clean", {"main.py": "print('hi')\n"})
    out = []
    for repo, fmt in ((churn, "json"), (clean, "sarif")):
        target = tmp_path / "reports" / repo.name / f"gitworthy.{fmt}"
        target.parent.mkdir(parents=True)
        monkeypatch.chdir(repo)
        run("scan", "--staged", "--format", fmt, "--output", str(target), capsys=capsys)
        out.append(target)
    return out


def test_merge_makes_one_row_per_repository_named_by_folder(reports, capsys) -> None:
    code, out, _ = run("report", "merge", *map(str, reports), capsys=capsys)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[:5] == ["repository", "files", "critical", "error", "warning"]
    churn = next(x for x in lines if x.startswith("churn"))
    clean = next(x for x in lines if x.startswith("clean"))
    assert "check-pii" in churn and clean.split()[2:5] == ["0", "0", "0"]
    assert lines[-1].startswith("all")


def test_merge_json_counts_findings_from_json_and_sarif_alike(reports, tmp_path, capsys,
                                                              monkeypatch) -> None:
    sarif_churn = tmp_path / "churn.sarif"
    monkeypatch.chdir(tmp_path / "src" / "churn")
    run("scan", "--staged", "--format", "sarif", "--output", str(sarif_churn), capsys=capsys)
    code, out, _ = run("report", "merge", "--format", "json", str(reports[0]),
                       str(sarif_churn), capsys=capsys)
    assert code == 0
    from_json, from_sarif = json.loads(out)["repositories"]
    assert from_json["findings"] == from_sarif["findings"]
    assert from_json["checks"] == from_sarif["checks"]
    assert from_json["findings"]["error"] >= 1


def test_merge_markdown_is_a_table(reports, capsys) -> None:
    _, out, _ = run("report", "merge", "--format", "markdown", *map(str, reports),
                    capsys=capsys)
    assert out.splitlines()[1].startswith("| --- |")
    assert "| **all** |" in out


def test_merge_rejects_a_file_that_is_not_a_report(tmp_path, capsys) -> None:
    bogus = tmp_path / "notes.json"
    bogus.write_text('{"hello": 1}')
    code, _, err = run("report", "merge", str(bogus), capsys=capsys)
    assert code == 2 and "neither a gitworthy JSON report nor SARIF" in err
