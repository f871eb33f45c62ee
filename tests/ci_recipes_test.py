"""The CI recipes shipped in ci/: each parses, and the `gitworthy ci` command it runs does
what the recipe expects (the report files its next steps publish) in a merge-request-like
repository, with that system's variables."""
from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from tests.ci_test import Upstream, request_variables, run_ci
from tests.conftest import CHECKOUT

RECIPES = CHECKOUT / "ci"


def gitworthy_command(line: str, macros: dict[str, str] | None = None) -> list[str]:
    """The arguments after `gitworthy` in a recipe's command line, macros expanded."""
    for name, value in (macros or {}).items():
        line = line.replace(name, value)
    argv = shlex.split(line)
    assert argv[0].endswith("/bin/gitworthy"), argv  # the venv's console script, never -m
    assert argv[1] == "ci"
    return argv[2:]


def output_files(args: list[str]) -> dict[str, str]:
    pairs = [args[i + 1] for i, a in enumerate(args) if a == "--output-format"]
    return dict(p.split("=", 1) for p in pairs)


@pytest.fixture
def upstream(tmp_path: Path) -> Upstream:
    return Upstream(tmp_path / "upstream")


def test_gitlab_template_fills_the_code_quality_widget_and_test_report(
        upstream: Upstream, tmp_path: Path) -> None:
    template = yaml.safe_load((RECIPES / "gitlab/gitworthy.gitlab-ci.yml").read_text())
    job = template["gitworthy"]
    assert not any(line.startswith("python -m") for line in job["before_script"])
    [line] = [s for s in job["script"] if " ci " in s]
    args = gitworthy_command(line)
    reports = job["artifacts"]["reports"]
    assert output_files(args) == {"gitlab": reports["codequality"], "junit": reports["junit"]}
    assert job["artifacts"]["when"] == "always"  # the reports matter most when the job fails

    checkout = upstream.clone(tmp_path / "checkout", depth=int(job["variables"]["GIT_DEPTH"]))
    run = run_ci(checkout, request_variables("gitlab", upstream, tmp_path), *args)
    assert run.returncode == 1, run.stderr
    issues = json.loads((checkout / reports["codequality"]).read_text())
    assert {i["location"]["path"] for i in issues} == {"models/churn_lr.pkl", "src/settings.py"}
    junit = ET.parse(checkout / reports["junit"]).getroot()
    assert int(junit.get("failures")) >= 2


def test_azure_pipeline_publishes_junit_and_sarif(upstream: Upstream, tmp_path: Path) -> None:
    pipeline = yaml.safe_load((RECIPES / "azure/azure-pipelines.yml").read_text())
    steps = pipeline["steps"]
    [line] = [s["script"] for s in steps if "script" in s and " ci" in s["script"]]
    staging = tmp_path / "staging"
    macros = {"$(Build.ArtifactStagingDirectory)": str(staging)}
    args = gitworthy_command(line, macros)
    files = output_files(args)
    tests = next(s for s in steps if s.get("task") == "PublishTestResults@2")["inputs"]
    sarif = next(s for s in steps if s.get("task") == "AdvancedSecurity-Publish@1")["inputs"]
    assert tests["testResultsFormat"] == "JUnit"
    assert files["junit"] == tests["testResultsFiles"].replace(*next(iter(macros.items())))

    checkout = upstream.clone(tmp_path / "checkout")
    run = run_ci(checkout, request_variables("azure", upstream, tmp_path), *args)
    assert run.returncode == 1, run.stderr
    assert ET.parse(files["junit"]).getroot().tag == "testsuites"
    sarif_dir = Path(sarif["SarifsInputDirectory"].replace("$(Build.ArtifactStagingDirectory)",
                                                           str(staging)))
    [published] = list(sarif_dir.glob("*.sarif"))
    results = json.loads(published.read_text())["runs"][0]["results"]
    assert {"serialized-model"} <= {r["ruleId"] for r in results}


def test_bitbucket_pipeline_writes_its_test_report(upstream: Upstream, tmp_path: Path) -> None:
    pipeline = yaml.safe_load((RECIPES / "bitbucket/bitbucket-pipelines.yml").read_text())
    step = pipeline["pipelines"]["pull-requests"]["**"][0]["step"]
    assert step == pipeline["pipelines"]["branches"]["main"][0]["step"]
    [line] = [s for s in step["script"] if " ci" in s]
    args = gitworthy_command(line)
    junit = output_files(args)["junit"]
    assert junit.split("/")[0] == "test-results"  # where Pipelines looks for test reports

    checkout = upstream.clone(tmp_path / "checkout", depth=50)
    run = run_ci(checkout, request_variables("bitbucket", upstream, tmp_path), *args)
    assert run.returncode == 1, run.stderr
    cases = ET.parse(checkout / junit).getroot().iter("testcase")
    assert any(c.find("failure") is not None and c.get("name") == "models/churn_lr.pkl"
               for c in cases)


def test_jenkinsfile_publishes_what_gitworthy_writes(upstream: Upstream, tmp_path: Path) -> None:
    text = (RECIPES / "jenkins/Jenkinsfile").read_text()
    [line] = re.findall(r"sh '(.*/bin/gitworthy\" ci .*)'", text)
    args = gitworthy_command(line)
    [published] = re.findall(r"junit testResults: '([^']+)'", text)
    assert output_files(args)["junit"] == published
    assert "python -m gitworthy" not in text

    checkout = upstream.clone(tmp_path / "checkout", depth=None)
    run = run_ci(checkout, request_variables("jenkins", upstream, tmp_path), *args)
    assert run.returncode == 1, run.stderr
    assert ET.parse(checkout / published).getroot().get("failures") != "0"


def test_pre_commit_ci_config_is_valid_and_names_our_hooks(tmp_path: Path) -> None:
    path = RECIPES / "pre-commit-ci/.pre-commit-config.yaml"
    config = yaml.safe_load(path.read_text())
    known_ci_keys = {"autofix_commit_msg", "autofix_prs", "autoupdate_branch",
                     "autoupdate_commit_msg", "autoupdate_schedule", "skip", "submodules"}
    assert set(config["ci"]) <= known_ci_keys
    manifest = yaml.safe_load((CHECKOUT / ".pre-commit-hooks.yaml").read_text())
    ids = {hook["id"] for hook in manifest}
    assert {hook["id"] for hook in config["repos"][0]["hooks"]} == ids
    proc = subprocess.run([sys.executable, "-m", "pre_commit", "validate-config", str(path)],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Unexpected key" not in proc.stdout + proc.stderr


@pytest.mark.parametrize("path", sorted(p.relative_to(RECIPES).as_posix()
                                        for p in RECIPES.rglob("*.y*ml")))
def test_recipe_yaml_parses(path: str) -> None:
    assert isinstance(yaml.safe_load((RECIPES / path).read_text()), dict)
