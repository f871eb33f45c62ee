"""The `gitworthy` command: output formats, exit codes, explain, config, ignores, baseline."""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import Repo, gitworthy_exe, run, scan_json

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def dirty(repo: Repo) -> Repo:
    repo.write("etl.py", "x = 1\n")
    repo.write("etl_old.py", "x = 0\n")
    repo.write("data/members.csv", "id,name\n" + "1,a\n" * 200_000)
    repo.add()
    return repo


def test_json_output_is_the_contract(dirty: Repo, capsys) -> None:
    code, result = scan_json("--staged", capsys=capsys)
    assert code == 1
    assert set(result) == {"version", "tool", "findings", "errors", "stats"}
    assert result["version"] == 1 and result["tool"]["name"] == "gitworthy"
    assert set(result["stats"]) == {"files", "bytes_read", "seconds"}
    assert result["stats"]["files"] == 3
    for finding in result["findings"]:
        assert set(finding) == {"check", "rule", "path", "line", "severity", "message", "hint",
                                "fingerprint", "details"}
        assert finding["severity"] in ("error", "warning")


def test_sarif_output_validates_against_the_official_schema(dirty: Repo, capsys) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((FIXTURES / "sarif-schema-2.1.0.json").read_text())
    code, out, _ = run("scan", "--staged", "--format", "sarif", capsys=capsys)
    document = json.loads(out)
    jsonschema.Draft7Validator(schema).validate(document)
    results = document["runs"][0]["results"]
    assert {r["ruleId"] for r in results} == {"versioned-filename", "large-data-file"}
    rules = document["runs"][0]["tool"]["driver"]["rules"]
    assert all(r["help"]["text"] for r in rules)


def test_text_output_groups_by_file_with_hints_and_summary(dirty: Repo, capsys) -> None:
    code, out, _ = run("scan", "--staged", capsys=capsys)
    assert code == 1
    assert "etl_old.py: error check-adhoc-filenames [versioned-filename]" in out
    assert "    hint: " in out
    assert "\033[" not in out  # no colours when not on a terminal
    assert out.rstrip().splitlines()[-1].startswith("gitworthy blocked: 2 findings")


def test_markdown_and_github_formats(dirty: Repo, capsys) -> None:
    _, markdown, _ = run("scan", "--staged", "--format", "markdown", capsys=capsys)
    assert "etl_old.py" in markdown and "|" in markdown
    _, annotations, _ = run("scan", "--staged", "--format", "github", capsys=capsys)
    assert any(line.startswith("::error file=etl_old.py") for line in annotations.splitlines())


def test_output_file(dirty: Repo, capsys) -> None:
    code, out, err = run("scan", "--staged", "--format", "json", "--output", "r.json",
                         capsys=capsys)
    assert code == 1 and out == ""
    assert json.loads(Path("r.json").read_text())["findings"]
    assert "gitworthy blocked" in err


def test_clean_scan_exits_0(repo: Repo, capsys) -> None:
    repo.write("src/etl.py", "x = 1\n")
    repo.add()
    code, out, _ = run("scan", "--staged", capsys=capsys)
    assert code == 0 and "gitworthy passed: no findings" in out


def test_fail_on_never_and_severity_warning(dirty: Repo, capsys) -> None:
    assert run("scan", "--staged", "--fail-on", "never", capsys=capsys)[0] == 0
    dirty.write(".gitworthy.toml", '[check-adhoc-filenames]\nseverity = "warning"\n'
                                   '[check-large-files]\nseverity = "warning"\n')
    assert run("scan", "--staged", capsys=capsys)[0] == 0
    assert run("scan", "--staged", "--fail-on", "warning", capsys=capsys)[0] == 1


def test_check_selection(dirty: Repo, capsys) -> None:
    _, result = scan_json("--staged", "--check", "check-adhoc-filenames", capsys=capsys)
    assert {f["check"] for f in result["findings"]} == {"check-adhoc-filenames"}


def test_explain_a_rule_has_the_four_parts(capsys) -> None:
    code, out, _ = run("explain", "versioned-filename", capsys=capsys)
    assert code == 0
    for part in ("## What it does", "## Why is this bad?", "## Example", "## How to fix"):
        assert part in out


def test_explain_lists_every_rule_and_rejects_unknown(capsys) -> None:
    code, out, _ = run("explain", capsys=capsys)
    assert code == 0 and "large-data-file" in out and "backup-file" in out
    code, _, err = run("explain", "no-such-rule", capsys=capsys)
    assert code == 2 and "no rule or check named" in err


@pytest.mark.parametrize("content, expected", [
    ("[tool.gitworthy]\nfail_on = 'error'\n",
     "pyproject.toml: [tool.gitworthy] fail_on: unknown key"),
    ("[tool.gitworthy.check-large-files]\nmaxkb = 1\n", "check-large-files.maxkb: unknown key"),
    ("[tool.gitworthy.check-large-files]\nmax-kb = 'big'\n", "max-kb must be a whole number"),
    ("[tool.gitworthy]\nfail-on = 'sometimes'\n", "fail-on must be one of"),
    ("[tool.gitworthy\n", "pyproject.toml: not valid TOML"),
])
def test_bad_configuration_is_one_line_and_exit_2(repo: Repo, capsys, content: str,
                                                  expected: str) -> None:
    repo.write("pyproject.toml", content)
    code, out, err = run("scan", ".", capsys=capsys)
    assert code == 2 and out == ""
    assert expected in err and len(err.strip().splitlines()) == 1


def test_gitworthyignore_and_exclude(dirty: Repo, capsys) -> None:
    dirty.write(".gitworthyignore", "data/\n")
    dirty.write(".gitworthy.toml", '[check-adhoc-filenames]\nexclude = ["etl_*.py"]\n')
    code, result = scan_json("--staged", capsys=capsys)
    assert code == 0 and result["findings"] == []


def test_inline_pragma_allows_a_line(repo: Repo, capsys) -> None:
    from gitworthy.engine import _allowed_by_pragma
    from gitworthy.findings import Finding
    from gitworthy.sources import DiskFile

    path = repo.write("conf.py", "a = 1\nkey = 'x'  # gitworthy: allow check-secrets\n")
    file = DiskFile("conf.py", path)
    finding = Finding("check-secrets", "secret", "conf.py", "m", "h", line=2)
    assert _allowed_by_pragma(file, finding)
    other = Finding("check-pii", "pii", "conf.py", "m", "h", line=2)
    assert not _allowed_by_pragma(file, other)
    assert not _allowed_by_pragma(file, Finding("check-secrets", "s", "conf.py", "m", "h", line=1))


def test_baseline_accepts_recorded_findings_and_new_ones_still_fail(dirty: Repo,
                                                                    capsys) -> None:
    code, out, _ = run("baseline", "--staged", capsys=capsys)
    assert code == 0 and "wrote 2 accepted findings" in out
    assert run("scan", "--staged", "--baseline", ".gitworthy-baseline.json",
               capsys=capsys)[0] == 0
    dirty.write("train_final.py", "x\n")
    dirty.add()
    code, result = scan_json("--staged", "--baseline", ".gitworthy-baseline.json",
                             capsys=capsys)
    assert code == 1 and [f["path"] for f in result["findings"]] == ["train_final.py"]


def test_baseline_from_config_and_broken_baseline(dirty: Repo, capsys) -> None:
    run("baseline", "--staged", capsys=capsys)
    dirty.write(".gitworthy.toml", 'baseline = ".gitworthy-baseline.json"\n')
    assert run("scan", "--staged", capsys=capsys)[0] == 0
    dirty.write(".gitworthy-baseline.json", "not json")
    code, _, err = run("scan", "--staged", capsys=capsys)
    assert code == 2 and "not a gitworthy baseline file" in err


def test_binary_data_with_a_csv_name_and_non_utf8_text(repo: Repo, capsys) -> None:
    repo.write("fake.csv", b"\x00\xff\xfe" * 300_000)
    repo.write("latin1.csv", "caf\xe9,1\n".encode("latin-1") * 100_000)
    repo.add()
    code, result = scan_json("--staged", capsys=capsys)
    assert code == 1 and {f["path"] for f in result["findings"]} == {"fake.csv", "latin1.csv"}
    assert [(e["path"], e["message"].split(":")[0]) for e in result["errors"]] == [
        ("fake.csv", "check-pii")]  # binary under a data name: not inspected, and says so


def test_not_a_regular_file_is_an_error_line(repo: Repo, capsys) -> None:
    import os

    os.mkfifo(repo.root / "pipe")
    code, result = scan_json("pipe", capsys=capsys)
    assert code == 1 and "not a regular file" in result["errors"][0]["message"]


def test_installed_command_exit_codes(dirty: Repo) -> None:
    exe = gitworthy_exe()
    assert subprocess.run([exe, "scan", "--staged"], capture_output=True).returncode == 1
    assert subprocess.run([exe, "scan", "--bogus"], capture_output=True).returncode == 2
    assert subprocess.run([exe, "explain"], capture_output=True).returncode == 0


def test_demo_repository_shows_findings(tmp_path: Path, capsys) -> None:
    code, out, _ = run("demo", str(tmp_path / "demo"), capsys=capsys)
    assert code == 0
    assert "etl_old.py" in out and "data/members.csv" in out and "gitworthy blocked" in out


def test_file_name_that_is_not_utf8_is_reported_escaped(repo: Repo) -> None:
    (repo.root / os.fsdecode(b"etl_\xff_v2.py")).write_text("x")
    repo.add()
    proc = subprocess.run([gitworthy_exe(), "scan", "--staged", "--format", "json"],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 1, proc.stderr
    assert json.loads(proc.stdout)["findings"][0]["path"] == os.fsdecode(b"etl_\xff_v2.py")


def test_pragma_on_a_line_after_a_huge_single_line(repo: Repo) -> None:
    from gitworthy.engine import _allowed_by_pragma
    from gitworthy.findings import Finding
    from gitworthy.sources import DiskFile

    path = repo.write("big.txt", "x" * 5_000_000 + "\nvalue  # gitworthy: allow\nplain\n")
    file = DiskFile("big.txt", path)
    assert _allowed_by_pragma(file, Finding("c", "r", "big.txt", "m", "h", line=2))
    assert not _allowed_by_pragma(file, Finding("c", "r", "big.txt", "m", "h", line=3))


def test_diff_against_a_missing_base_says_how_to_fetch(repo: Repo, capsys) -> None:
    repo.commit()
    code, _, err = run("scan", "--diff", "no-such-branch", capsys=capsys)
    assert code == 2 and "git fetch" in err


def test_critical_findings_block_and_map_to_sarif_error(repo: Repo, capsys) -> None:
    import pickle

    class Exploit:
        def __reduce__(self):
            return (os.system, ("true",))

    repo.write("weights.dat", pickle.dumps(Exploit()))
    repo.add()
    code, result = scan_json("--staged", capsys=capsys)
    assert code == 1
    severities = {f["rule"]: f["severity"] for f in result["findings"]}
    assert severities["unsafe-pickle"] == "critical"
    _, out, _ = run("scan", "--staged", "--format", "sarif", capsys=capsys)
    sarif = json.loads(out)["runs"][0]
    assert {r["level"] for r in sarif["results"]} == {"error"}
    rules = {r["id"]: r for r in sarif["tool"]["driver"]["rules"]}
    assert rules["unsafe-pickle"]["properties"]["security-severity"] == "9.0"
    _, text, _ = run("scan", "--staged", capsys=capsys)
    assert "1 critical" in text


def test_summary_counts_files_not_error_entries(repo: Repo, capsys) -> None:
    repo.write("broken.ipynb", '{"cells": [ not json')
    repo.add()
    code, out, _ = run("scan", "--staged", capsys=capsys)
    assert code == 1
    assert out.count("broken.ipynb: could not inspect") >= 2  # several checks say so
    assert "1 file could not be inspected" in out.splitlines()[-1]
