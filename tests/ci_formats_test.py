"""GitLab Code Quality and JUnit reports, and several report formats from one scan."""
from __future__ import annotations

import json
import os
import pickle
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from gitworthy.engine import Report
from gitworthy.findings import Finding, ScanError, Severity
from gitworthy.report import gitlab, junit

from tests.conftest import Repo, run

# A credential-shaped value made at test time, so the repository holds no secret.
AWS_KEY = "AKIA" + "J7QX2WZ4NVB5HK3D"

# The fields GitLab documents for a Code Quality issue ("Code Quality report format"):
# description, check_name, fingerprint, severity (info|minor|major|critical|blocker),
# location.path and location.lines.begin.
GITLAB_SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["description", "check_name", "fingerprint", "severity", "location"],
        "properties": {
            "description": {"type": "string", "minLength": 1},
            "check_name": {"type": "string", "minLength": 1},
            "fingerprint": {"type": "string", "minLength": 1},
            "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
            "location": {
                "type": "object",
                "required": ["path", "lines"],
                "properties": {
                    "path": {"type": "string", "minLength": 1},
                    "lines": {"type": "object", "required": ["begin"],
                              "properties": {"begin": {"type": "integer", "minimum": 1}}},
                },
            },
        },
    },
}


class Evil:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


@pytest.fixture
def project(repo: Repo) -> Repo:
    """A data-science repository with a model, an unsafe pickle, a credential, a copy kept
    by name (configured as a warning), a broken notebook and clean code, all staged."""
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(7)
    x = rng.normal(size=(80, 4))
    model = LogisticRegression().fit(x, x[:, 0] > 0)
    repo.write("models/churn_lr.pkl", pickle.dumps(model, protocol=4))
    repo.write("models/loader.pkl", pickle.dumps(Evil(), protocol=2))
    repo.write("src/settings.py", f'S3_BUCKET = "churn-data"\nAWS_ACCESS_KEY_ID = "{AWS_KEY}"\n')
    repo.write("src/etl_old.py", "import pandas as pd\n")
    repo.write("src/train.py", "from sklearn.linear_model import LogisticRegression\n")
    repo.write("notebooks/explore.ipynb", '{"cells": [ {"cell_type": "code", ')
    repo.write(".gitworthy.toml", '[check-adhoc-filenames]\nseverity = "warning"\n')
    repo.add()
    return repo


def test_gitlab_report_has_the_fields_gitlab_documents(project: Repo, capsys) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    code, out, _ = run("scan", "--staged", "--format", "gitlab", capsys=capsys)
    issues = json.loads(out)
    jsonschema.Draft7Validator(GITLAB_SCHEMA).validate(issues)
    assert code == 1
    by_rule = {i["check_name"]: i for i in issues}
    assert by_rule["unsafe-pickle"]["severity"] == "critical"
    assert by_rule["serialized-model"]["severity"] == "major"
    assert by_rule["versioned-filename"]["severity"] == "minor"
    assert by_rule["versioned-filename"]["location"]["path"] == "src/etl_old.py"
    secret = next(i for i in issues if i["location"]["path"] == "src/settings.py")
    assert secret["location"]["lines"]["begin"] == 2
    assert by_rule["gitworthy-not-inspected"]["location"]["path"] == "notebooks/explore.ipynb"
    assert len({i["fingerprint"] for i in issues}) == len(issues)  # GitLab keys on it
    assert AWS_KEY[4:] not in out and AWS_KEY[-8:] not in out


def test_gitlab_fingerprint_survives_an_edit_above_the_finding(project: Repo, capsys) -> None:
    _, before, _ = run("scan", "--staged", "--format", "gitlab", capsys=capsys)
    project.write("src/settings.py", f'# bucket\nS3 = "x"\nAWS_ACCESS_KEY_ID = "{AWS_KEY}"\n')
    project.add()
    _, after, _ = run("scan", "--staged", "--format", "gitlab", capsys=capsys)

    def secret(out: str) -> dict:
        return next(i for i in json.loads(out) if i["location"]["path"] == "src/settings.py")

    assert secret(after)["location"]["lines"]["begin"] == 3
    assert secret(after)["fingerprint"] == secret(before)["fingerprint"]


def test_gitlab_report_of_a_clean_scan_is_an_empty_array(repo: Repo, capsys) -> None:
    repo.write("src/train.py", "import numpy as np\n")
    repo.add()
    code, out, _ = run("scan", "--staged", "--format", "gitlab", capsys=capsys)
    assert code == 0 and json.loads(out) == []


def test_junit_has_one_case_per_file_and_check(project: Repo, capsys) -> None:
    code, out, _ = run("scan", "--staged", "--format", "junit", capsys=capsys)
    root = ET.fromstring(out.encode())
    assert root.tag == "testsuites"
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert "check-serialized-models" in suites and "check-secrets" in suites
    files = 7  # six files and the config
    for suite in suites.values():
        cases = suite.findall("testcase")
        assert len(cases) == int(suite.get("tests")) == files
        assert all(c.get("classname") == suite.get("name") and c.get("name") for c in cases)
        failed = [c for c in cases if c.find("failure") is not None]
        errored = [c for c in cases if c.find("error") is not None]
        assert int(suite.get("failures")) == len(failed)
        assert int(suite.get("errors")) == len(errored)
    assert int(root.get("tests")) == files * len(suites)
    assert sum(int(s.get("failures")) for s in suites.values()) == int(root.get("failures"))


def test_junit_failures_errors_and_warnings_follow_the_exit_code(project: Repo, capsys) -> None:
    _, out, _ = run("scan", "--staged", "--format", "junit", capsys=capsys)
    root = ET.fromstring(out.encode())

    def case(check: str, path: str) -> ET.Element:
        found = root.find(f"testsuite[@name='{check}']/testcase[@name='{path}']")
        assert found is not None
        return found

    failure = case("check-serialized-models", "models/loader.pkl").find("failure")
    assert failure is not None and failure.get("type") in ("unsafe-pickle", "serialized-model")
    assert "unsafe-pickle" in (failure.text or "") and "hint:" in (failure.text or "")
    error = case("check-notebook-outputs", "notebooks/explore.ipynb").find("error")
    assert error is not None and "could not inspect" in error.get("message", "")
    warning = case("check-adhoc-filenames", "src/etl_old.py")
    assert warning.find("failure") is None  # a warning does not fail with --fail-on error
    assert "versioned-filename" in (warning.findtext("system-out") or "")
    clean = case("check-serialized-models", "src/train.py")
    assert list(clean) == []
    assert AWS_KEY[4:] not in out and AWS_KEY[-8:] not in out


def test_junit_holds_names_xml_cannot(tmp_path: Path) -> None:
    path = "data/caf\udce9 \x01report (1).csv"  # undecodable byte and a control character
    finding = Finding("check-adhoc-filenames", "copy-suffix", path, "a copy kept by name",
                      "keep one file", Severity.ERROR)
    report = Report(findings=[finding], errors=[ScanError(path, "check-pii: truncated")],
                    checks=["check-adhoc-filenames", "check-pii"], scanned=[path], files=1)
    root = ET.fromstring(junit.render(report).encode())
    names = {c.get("name") for c in root.iter("testcase")}
    assert names == {"data/caf\\udce9 \\x01report (1).csv"}
    assert root.get("failures") == "1" and root.get("errors") == "1"
    issues = json.loads(gitlab.render(report))
    assert len(issues) == 2


def test_junit_folds_clean_files_of_a_very_large_scan(monkeypatch) -> None:
    monkeypatch.setattr(junit, "MAX_CASES", 10)
    paths = [f"src/module_{i}.py" for i in range(20)]
    finding = Finding("check-secrets", "secret", "src/module_3.py", "a credential",
                      "rotate it", line=4)
    report = Report(findings=[finding], checks=["check-secrets", "check-local-paths"],
                    scanned=paths, files=20)
    root = ET.fromstring(junit.render(report).encode())
    secrets = root.find("testsuite[@name='check-secrets']")
    assert secrets is not None
    assert [c.get("name") for c in secrets] == ["src/module_3.py",
                                                 "19 other files: nothing found"]
    assert root.find("testsuite[@name='check-local-paths']/testcase").get("name") == \
        "20 other files: nothing found"


def test_one_scan_writes_several_formats(project: Repo, capsys) -> None:
    code, out, _ = run("scan", "--staged", "--format", "text",
                       "--output-format", "gitlab=reports/gl.json",
                       "--output-format", "sarif=reports/out.sarif",
                       "--output-format", "junit=reports/junit.xml", capsys=capsys)
    assert code == 1
    assert out.rstrip().splitlines()[-1].startswith("gitworthy blocked")
    gl = json.loads(Path("reports/gl.json").read_text())
    sarif = json.loads(Path("reports/out.sarif").read_text())
    not_inspected = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert len(gl) == len(sarif["runs"][0]["results"]) + len(not_inspected) > 5
    assert ET.parse("reports/junit.xml").getroot().tag == "testsuites"


@pytest.mark.parametrize("value", ["gitlab", "yaml=out.yml", "sarif="])
def test_bad_output_format_is_a_usage_error(repo: Repo, capsys, value: str) -> None:
    with pytest.raises(SystemExit) as exc:
        run("scan", "--output-format", value, capsys=capsys)
    assert exc.value.code == 2
    assert "FORMAT=FILE" in capsys.readouterr().err
