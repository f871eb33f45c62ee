"""check-secrets: detect-secrets' plugins and filters on text and notebooks, the data-work
plugins, pragmas, both baselines, git sources, and that no secret value is ever printed.

Every fake credential is built at test time from pieces, so this file holds no literal secret
(the repository scans itself).
"""
from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from gitworthy import sources
from gitworthy.checks import secrets as check_secrets
from gitworthy.config import Config
from gitworthy.engine import load_baseline, scan, write_baseline
from gitworthy.secrets import prefilter, reading
from gitworthy.secrets.scanner import mask, scanner

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
RNG = random.Random(20261124)
UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
LETTERS = UPPER + UPPER.lower()
ALNUM = LETTERS + "0123456789"


def pick(alphabet: str, n: int) -> str:
    return "".join(RNG.choice(alphabet) for _ in range(n))


# Fake credentials of each kind, assembled from pieces.
AWS_ID = "AK" + "IA" + pick(UPPER + "234567", 16)
AWS_SECRET = pick(ALNUM, 18) + "/" + pick(ALNUM, 12) + "+" + pick(ALNUM, 8)
DB_PASSWORD = pick(LETTERS, 6) + "$" + pick(ALNUM, 7) + "!"
PLAIN_PASSWORD = pick(LETTERS, 8) + pick("0123456789", 4)
HF_TOKEN = "h" + "f_" + pick(LETTERS, 34)
DATABRICKS = "da" + "pi" + pick("0123456789abcdef", 32)
GOOGLE_KEY = "AI" + "za" + pick(ALNUM, 35)
AZURE_KEY = pick(ALNUM, 86) + "=="
PEM = "-----BEGIN " + "PRIVATE KEY-----"
ALL_SECRETS = (AWS_ID, AWS_SECRET, DB_PASSWORD, PLAIN_PASSWORD, HF_TOKEN, DATABRICKS,
               GOOGLE_KEY, AZURE_KEY)


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com",
         "-c", "commit.gpgsign=false", *args],
        cwd=repo, check=True, capture_output=True, text=True,
    ).stdout


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "repo"
    path.mkdir()
    git(path, "init", "-q", "-b", "main")
    monkeypatch.chdir(path)
    return path


def write(repo: Path, name: str, text: str) -> Path:
    path = repo / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def findings(repo: Path, *names: str, **options: object):
    """Run check-secrets through the engine over working-tree files."""
    config = Config()
    if options:
        config.sections["check-secrets"] = dict(options)
    report = scan(sources.from_paths([str(repo / n) for n in names], cwd=repo),
                  ["check-secrets"], config)
    assert not report.internal_error, report.errors
    return report


def types(report) -> list[str]:
    return [f.details["secret_type"] for f in report.findings]


def notebook(cells: list) -> str:
    nb = nbformat.v4.new_notebook()
    nb.cells = cells
    return nbformat.writes(nb)


# --------------------------------------------------------------------------- positives


KINDS = [
    ("etl.py", f'engine = create_engine("postgresql://analyst:{DB_PASSWORD}@warehouse/sales")\n',
     "Connection String Password"),
    ("config.yaml", f"db:\n  url: mysql+pymysql://root:{PLAIN_PASSWORD}@10.0.0.5/crm\n",
     "Connection String Password"),
    ("conn.json", json.dumps({"odbc": "Driver={ODBC Driver 18};Server=tcp:dw.example.net;"
                                      f"Uid=etl;Pwd={DB_PASSWORD};"}) + "\n",
     "Connection String Password"),
    ("jobs.yaml", (f'jdbc: "jdbc:sqlserver://dw:1433;databaseName=dw;user=etl;'
                   f'password={PLAIN_PASSWORD}"\n'), "Connection String Password"),
    (".env", f"MONGO_URL=mongodb+srv://app:{PLAIN_PASSWORD}@cluster0.ab1cd.mongodb.net/db\n",
     "Connection String Password"),
    ("cache.py", f'REDIS_URL = "redis://:{PLAIN_PASSWORD}@cache:6379/0"\n',
     "Connection String Password"),
    ("snow.yaml", f"url: snowflake://etl:{DB_PASSWORD}@acme-xy12345/analytics\n",
     "Connection String Password"),
    ("load.py", f'df = spark.read.parquet("s3a://{AWS_ID}:{AWS_SECRET}@bucket/path")\n',
     "AWS Access Key"),
    ("aws.py", f's3 = boto3.client("s3", aws_access_key_id="{AWS_ID}")\n', "AWS Access Key"),
    (".env", (f"AZURE_STORAGE=DefaultEndpointsProtocol=https;AccountName=acme;AccountKey="
              f"{AZURE_KEY};EndpointSuffix=core.windows.net\n"),
     "Azure Storage Account access key"),
    ("sa.json", json.dumps({"type": "service_account", "project_id": "acme-ml",
                            "private_key": PEM + "\nMIIEvQIBADANBg\n-----END PRIVATE KEY-----\n",
                            "client_email": "etl@acme-ml.iam.gserviceaccount.com"}, indent=2),
     "Private Key"),
    ("databricks.yaml", f"host: https://adb-1.azuredatabricks.net\ntoken: {DATABRICKS}\n",
     "Databricks Token"),
    ("hub.py", f"login(token={HF_TOKEN})\n", "Hugging Face Token"),
    ("maps.py", f'gmaps = googlemaps.Client(key="{GOOGLE_KEY}")\n', "Google API Key"),
    ("settings.py", f'DB_PASSWORD = "{PLAIN_PASSWORD}"\n', "Secret Keyword"),
]


@pytest.mark.parametrize(("name", "text", "secret_type"), KINDS)
def test_finds_each_kind_of_credential(repo, name, text, secret_type):
    write(repo, name, text)
    report = findings(repo, name)
    assert secret_type in types(report)
    assert all(f.rule == "hardcoded-secret" for f in report.findings)


def test_reports_the_line_of_the_secret(repo):
    write(repo, "a.py", f'import os\n\n\nTOKEN = "{HF_TOKEN}"\n')
    [finding] = findings(repo, "a.py").findings
    assert finding.line == 4


def test_finds_an_s3_secret_key_that_basic_auth_misses(repo):
    write(repo, "load.py", f'path = "s3://{AWS_ID}:{AWS_SECRET}@bucket/key"\n')
    assert "Connection String Password" in types(findings(repo, "load.py"))


def test_finds_a_secret_in_a_yaml_comment(repo):
    write(repo, "conf.yaml", f"run: churn\n# old: postgresql://etl:{PLAIN_PASSWORD}@dw/db\n")
    [finding] = findings(repo, "conf.yaml").findings
    assert finding.line == 2


def test_finds_a_secret_at_the_end_of_a_huge_line(repo):
    write(repo, "dump.json", '{"rows": [' + "1," * 500_000 + f'1], "token": "{HF_TOKEN}"}}\n')
    assert types(findings(repo, "dump.json")) == ["Hugging Face Token"]


def test_reports_the_line_in_a_crlf_file(repo):
    (repo / "win.py").write_bytes(f'import os\r\n\r\nTOKEN = "{HF_TOKEN}"\r\n'.encode())
    [finding] = findings(repo, "win.py").findings
    assert finding.line == 3


def test_renamed_detect_secrets_baseline_is_not_flagged(repo):
    write(repo, "settings.py", f'DB_PASSWORD = "{PLAIN_PASSWORD}"\n')
    git(repo, "add", "settings.py")
    baseline = subprocess.run([str(BIN / "detect-secrets"), "scan"], cwd=repo, check=True,
                              capture_output=True, text=True).stdout
    write(repo, "ci/secrets.json", baseline)
    assert findings(repo, "ci/secrets.json").findings == []


def test_finds_a_secret_in_a_latin1_file(repo):
    (repo / "legacy.py").write_bytes(
        f'# caf\xe9\nDB_PASSWORD = "{PLAIN_PASSWORD}"\n'.encode("latin-1"))
    assert types(findings(repo, "legacy.py")) == ["Secret Keyword"]


def test_finds_a_secret_in_an_oddly_named_file(repo):
    write(repo, "notes/ünïcode file (1).txt", f"token {HF_TOKEN}\n")
    assert types(findings(repo, "notes/ünïcode file (1).txt")) == ["Hugging Face Token"]


# --------------------------------------------------------------------------- notebooks


def test_notebook_secret_in_code_cell_reports_the_cell(repo):
    write(repo, "eda.ipynb", notebook([
        nbformat.v4.new_markdown_cell("# EDA"),
        nbformat.v4.new_code_cell("import os\n" f'token = "{HF_TOKEN}"'),
    ]))
    [finding] = findings(repo, "eda.ipynb").findings
    assert finding.rule == "secret-in-notebook"
    assert finding.line is None
    assert finding.details["cell"] == 1 and finding.details["part"] == "source"
    assert finding.details["cell_line"] == 2
    assert "cell 1 source" in finding.message


def test_notebook_secret_in_printed_environment_output(repo):
    cell = nbformat.v4.new_code_cell("import os\nprint(os.environ)")
    cell.outputs = [nbformat.v4.new_output(
        "stream", name="stdout",
        text=f"environ({{'PATH': '/usr/bin', 'DATABRICKS_TOKEN': '{DATABRICKS}'}})\n")]
    write(repo, "env.ipynb", notebook([cell]))
    [finding] = findings(repo, "env.ipynb").findings
    assert finding.details["part"] == "output 0 (stream/stdout)"
    assert types(findings(repo, "env.ipynb")) == ["Databricks Token"]
    assert "nbconvert --clear-output" in finding.hint


def test_notebook_secret_in_traceback_output(repo):
    cell = nbformat.v4.new_code_cell("engine.connect()")
    cell.outputs = [nbformat.v4.new_output(
        "error", ename="OperationalError", evalue="connection failed",
        traceback=[(f"\x1b[0;31mOperationalError\x1b[0m: postgresql://etl:{DB_PASSWORD}"
                    "@dw:5432/sales refused")])]
    write(repo, "err.ipynb", notebook([cell]))
    assert types(findings(repo, "err.ipynb")) == ["Connection String Password"]


def test_notebook_secret_in_html_output(repo):
    cell = nbformat.v4.new_code_cell("df")
    cell.outputs = [nbformat.v4.new_output(
        "execute_result", execution_count=1,
        data={"text/html": f"<td>{AWS_ID}</td>", "text/plain": "df"})]
    write(repo, "df.ipynb", notebook([cell]))
    assert types(findings(repo, "df.ipynb")) == ["AWS Access Key"]


def test_notebook_cell_reading_the_environment_passes(repo):
    write(repo, "ok.ipynb", notebook([nbformat.v4.new_code_cell(
        'import os\npassword = os.environ["DB_PASSWORD"]\n'
        'url = f"postgresql://etl:{password}@dw/sales"')]))
    assert findings(repo, "ok.ipynb").findings == []


def test_notebook_cell_allowlisted_by_detect_secrets_pragma(repo):
    write(repo, "ok.ipynb", notebook([nbformat.v4.new_code_cell(
        f'token = "{HF_TOKEN}"  # pragma: allowlist secret')]))
    assert findings(repo, "ok.ipynb").findings == []


def test_notebook_cell_allowed_by_gitworthy_pragma(repo):
    write(repo, "ok.ipynb", notebook([nbformat.v4.new_code_cell(
        f'token = "{HF_TOKEN}"  # gitworthy: allow check-secrets')]))
    assert findings(repo, "ok.ipynb").findings == []


def test_malformed_notebook_is_an_error_entry(repo):
    write(repo, "broken.ipynb", '{"cells": [{"cell_type": "code", "source": ["x = 1"\n')
    report = findings(repo, "broken.ipynb")
    assert report.findings == []
    [error] = report.errors
    assert "not a valid notebook" in error.message
    assert report.exit_code("error") == 1


def test_json_that_is_not_a_notebook_is_an_error_entry(repo):
    write(repo, "list.ipynb", "[1, 2, 3]\n")
    [error] = findings(repo, "list.ipynb").errors
    assert "not a valid notebook" in error.message


def test_nbformat3_notebook_is_read(repo):
    write(repo, "old.ipynb", json.dumps({"nbformat": 3, "worksheets": [{"cells": [
        {"cell_type": "code", "input": [f'key = "{GOOGLE_KEY}"'], "outputs": []}]}]}))
    assert types(findings(repo, "old.ipynb")) == ["Google API Key"]


# --------------------------------------------------------------------------- negatives


def test_password_from_environment_passes(repo):
    write(repo, "etl.py", 'import os\npassword = os.environ["DB_PASSWORD"]\n'
                          'pwd = os.getenv("PGPASSWORD")\n'
                          'url = f"postgresql://etl:{password}@dw/sales"\n')
    assert findings(repo, "etl.py").findings == []


def test_placeholder_url_in_docs_passes(repo):
    write(repo, "README.md", "Set `DATABASE_URL=postgresql://user:password@localhost/db`,\n"
                             "or `redis://:<password>@host:6379`.\n")
    assert findings(repo, "README.md").findings == []


def test_pinned_revisions_and_checksums_pass(repo):
    sha, md5 = pick("0123456789abcdef", 40), pick("0123456789abcdef", 32)
    write(repo, ".pre-commit-config.yaml",
          f"repos:\n  - repo: https://github.com/gitworthy/gitworthy\n    rev: {sha}  # frozen\n")
    write(repo, "data/train.csv.dvc", f"outs:\n- md5: {md5}\n  size: 1024\n  path: train.csv\n")
    write(repo, ".github/workflows/ci.yml", f"steps:\n  - uses: actions/checkout@{sha}\n")
    report = findings(repo, ".pre-commit-config.yaml", "data/train.csv.dvc",
                      ".github/workflows/ci.yml")
    assert report.findings == []


def test_hex_token_under_a_secret_name_is_still_found(repo):
    write(repo, "ci.yml", f"api_token: {pick('0123456789abcdef', 40)}\n")
    assert "Hex High Entropy String" in types(findings(repo, "ci.yml"))


def test_documented_example_keys_pass(repo):
    example_id = "AKIA" + "IOSFODNN7" + "EXAMPLE"
    documented_sk = "wJalrXUtnFEMI/K7MDENG/" + "bPxRfiCY" + "EXAMPLEKEY"
    write(repo, "docs/aws.md", f'```\naws_access_key_id = {example_id}\n'
                               f'aws_secret_access_key = "{documented_sk}"\n```\n')
    assert findings(repo, "docs/aws.md").findings == []


def test_example_key_marked_with_pragma_passes(repo):
    write(repo, "docs/setup.md", f"Example key: `{AWS_ID}` <!-- pragma: allowlist secret -->\n")
    assert findings(repo, "docs/setup.md").findings == []


def test_allowlist_nextline_pragma_passes(repo):
    write(repo, "a.py", f'# pragma: allowlist nextline secret\nTOKEN = "{HF_TOKEN}"\n')
    assert findings(repo, "a.py").findings == []


def test_gitworthy_pragma_passes(repo):
    write(repo, "a.py", f'TOKEN = "{HF_TOKEN}"  # gitworthy: allow check-secrets\n')
    report = findings(repo, "a.py")
    assert report.findings == [] and report.allowed == 1


def test_binary_file_is_skipped(repo):
    (repo / "blob.txt").write_bytes(b"\0\1\2" + HF_TOKEN.encode())
    report = findings(repo, "blob.txt")
    assert report.findings == [] and report.errors == []


def test_symlink_is_not_followed(repo):
    write(repo, "real.py", f'TOKEN = "{HF_TOKEN}"\n')
    (repo / "link.py").symlink_to("real.py")
    report = findings(repo, "link.py")
    assert report.findings == [] and report.errors == []


def test_file_over_max_kb_is_an_error_entry(repo):
    write(repo, "big.csv", "a,b\n" + "1,2\n" * 1000)
    report = findings(repo, "big.csv", **{"max-kb": 1})
    [error] = report.errors
    assert "max-kb" in error.message


def test_disabled_plugin_does_not_report(repo):
    write(repo, "hub.py", f"login({HF_TOKEN})\n")
    assert types(findings(repo, "hub.py")) == ["Hugging Face Token"]
    report = findings(repo, "hub.py", **{"disable-plugins": ["HuggingFaceTokenDetector"]})
    assert report.findings == []


def test_unknown_disabled_plugin_is_an_error(repo):
    write(repo, "a.py", "x = 1\n")
    [error] = findings(repo, "a.py", **{"disable-plugins": ["NoSuchDetector"]}).errors
    assert "NoSuchDetector" in error.message


def test_gitworthy_baseline_file_is_not_flagged(repo):
    write(repo, "a.py", f'TOKEN = "{HF_TOKEN}"\n')
    write_baseline(str(repo / "gitworthy-baseline.json"), findings(repo, "a.py").findings)
    assert findings(repo, "gitworthy-baseline.json").findings == []


# --------------------------------------------------------------------------- baselines


def test_detect_secrets_baseline_accepts_known_secrets(repo):
    write(repo, "settings.py", f'DB_PASSWORD = "{PLAIN_PASSWORD}"\nTOKEN = "{HF_TOKEN}"\n')
    git(repo, "add", "settings.py")
    baseline = subprocess.run([str(BIN / "detect-secrets"), "scan"], cwd=repo, check=True,
                              capture_output=True, text=True).stdout
    write(repo, ".secrets.baseline", baseline)
    report = findings(repo, "settings.py", ".secrets.baseline")
    assert report.findings == [] and report.errors == []


def test_detect_secrets_baseline_does_not_accept_new_secrets(repo):
    write(repo, "settings.py", f'DB_PASSWORD = "{PLAIN_PASSWORD}"\n')
    git(repo, "add", "settings.py")
    baseline = subprocess.run([str(BIN / "detect-secrets"), "scan"], cwd=repo, check=True,
                              capture_output=True, text=True).stdout
    write(repo, ".secrets.baseline", baseline)
    write(repo, "settings.py", f'DB_PASSWORD = "{PLAIN_PASSWORD}"\nTOKEN = "{HF_TOKEN}"\n')
    assert types(findings(repo, "settings.py")) == ["Hugging Face Token"]


def test_detect_secrets_baseline_exclusions_apply(repo):
    write(repo, "fixtures/creds.py", f'TOKEN = "{HF_TOKEN}"\n')
    write(repo, "docs.py", f'KEY = "{GOOGLE_KEY}"  # EXAMPLE\n')
    write(repo, "real.py", f'KEY = "{GOOGLE_KEY}"\n')
    baseline = subprocess.run(
        [str(BIN / "detect-secrets"), "scan", "--exclude-files", "^fixtures/",
         "--exclude-lines", "# EXAMPLE$"], cwd=repo, check=True, capture_output=True,
        text=True).stdout
    write(repo, ".secrets.baseline", baseline)
    report = findings(repo, "fixtures/creds.py", "docs.py", "real.py")
    assert [f.path for f in report.findings] == ["real.py"]


def test_malformed_detect_secrets_baseline_is_an_error(repo):
    write(repo, "a.py", f'TOKEN = "{HF_TOKEN}"\n')
    write(repo, ".secrets.baseline", "{not json")
    [error] = findings(repo, "a.py").errors
    assert ".secrets.baseline" in error.message


def test_gitworthy_baseline_survives_moving_the_line(repo):
    write(repo, "a.py", f'TOKEN = "{HF_TOKEN}"\n')
    write_baseline(str(repo / "base.json"), findings(repo, "a.py").findings)
    write(repo, "a.py", f'import os\n\n\nTOKEN = "{HF_TOKEN}"\n')
    report = scan(sources.from_paths([str(repo / "a.py")], cwd=repo), ["check-secrets"],
                  Config(), load_baseline(str(repo / "base.json")))
    assert report.findings == [] and report.baselined == 1


def test_finding_key_is_type_and_detect_secrets_hash(repo):
    write(repo, "a.py", f'TOKEN = "{HF_TOKEN}"\n')
    [finding] = findings(repo, "a.py").findings
    import hashlib
    assert finding.key == "Hugging Face Token:" + hashlib.sha1(HF_TOKEN.encode()).hexdigest()


# --------------------------------------------------------------------------- git sources


def test_staged_content_is_scanned_not_the_work_tree(repo):
    write(repo, "etl.py", f'TOKEN = "{HF_TOKEN}"\n')
    git(repo, "add", "etl.py")
    write(repo, "etl.py", 'TOKEN = os.environ["HF_TOKEN"]\n')
    report = scan(sources.staged(repo), ["check-secrets"], Config())
    assert types(report) == ["Hugging Face Token"]


def test_history_finds_a_secret_removed_later(repo):
    write(repo, "etl.py", f'TOKEN = "{HF_TOKEN}"\n')
    git(repo, "add", "etl.py")
    git(repo, "commit", "-q", "--no-verify", "-m", "add")
    first = git(repo, "rev-parse", "HEAD").strip()
    write(repo, "etl.py", 'TOKEN = os.environ["HF_TOKEN"]\n')
    git(repo, "commit", "-q", "--no-verify", "-am", "fix")
    [finding] = scan(sources.history(repo), ["check-secrets"], Config()).findings
    assert finding.details["commit"] == first


# --------------------------------------------------------------------------- output


def test_no_secret_value_in_any_output(repo):
    cell = nbformat.v4.new_code_cell(f'key = "{GOOGLE_KEY}"')
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=f"{AWS_SECRET}\n"
                                           f"aws_secret_access_key = '{AWS_SECRET}'\n")]
    write(repo, "nb.ipynb", notebook([cell]))
    write(repo, "all.py", "\n".join([
        f'AWS = ("{AWS_ID}", "{AWS_SECRET}")',
        f'url = "postgresql://etl:{DB_PASSWORD}@dw/db"',
        f'DB_PASSWORD = "{PLAIN_PASSWORD}"',
        f'HF = "{HF_TOKEN}"', f'DBX = "{DATABRICKS}"', f'KEY = "{GOOGLE_KEY}"',
        f'AZ = "AccountName=a;AccountKey={AZURE_KEY};"',
    ]) + "\n")
    done = subprocess.run([str(BIN / "check-secrets"), "all.py", "nb.ipynb"], cwd=repo,
                          capture_output=True, text=True, check=False)
    report = findings(repo, "all.py", "nb.ipynb")
    as_json = json.dumps([f.to_json() for f in report.findings])
    assert done.returncode == 1 and len(report.findings) >= 8
    for secret in ALL_SECRETS:
        for output in (done.stdout, done.stderr, as_json):
            assert secret not in output
            assert secret[2:14] not in output


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "markdown", "github"])
def test_no_secret_value_in_any_report_format(repo, fmt):
    write(repo, "etl.py", f'engine = create_engine("postgresql://etl:{DB_PASSWORD}@dw/db")\n')
    cell = nbformat.v4.new_code_cell("print(os.environ)")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=f"{HF_TOKEN}\n")]
    write(repo, "nb.ipynb", notebook([cell]))
    git(repo, "add", ".")
    done = subprocess.run([str(BIN / "gitworthy"), "scan", "--staged", "--check",
                           "check-secrets", "--format", fmt], cwd=repo, capture_output=True,
                          text=True, check=False)
    assert done.returncode == 1, done.stderr
    assert "etl.py" in done.stdout and "nb.ipynb" in done.stdout
    for secret in (DB_PASSWORD, HF_TOKEN):
        assert secret[2:] not in done.stdout + done.stderr


def test_masked_form_shows_two_characters_at_most():
    assert mask(HF_TOKEN) == HF_TOKEN[:2] + "***"
    assert mask("short") == "***"


def test_hook_exits_zero_on_clean_files(repo):
    write(repo, "clean.py", "import os\nTOKEN = os.environ['HF_TOKEN']\n")
    done = subprocess.run([str(BIN / "check-secrets"), "clean.py"], cwd=repo,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0 and done.stdout == ""


def test_importing_the_check_does_not_import_detect_secrets():
    code = ("import sys, gitworthy.checks.secrets; "
            "print(any(m.startswith('detect_secrets') for m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "False"


def test_binary_only_commit_does_not_import_detect_secrets(tmp_path):
    (tmp_path / "model.bin").write_bytes(b"\0" * 100)
    code = ("import sys; from gitworthy.checks.secrets import main; code = main(['model.bin']); "
            "print(code, any(m.startswith('detect_secrets') for m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                          text=True, check=True)
    assert done.stdout.strip() == "0 False"


def test_own_sources_hold_no_secret():
    files = ["tests/secrets_test.py", "hooks/gitworthy/checks/secrets.py",
             *(str(p.relative_to(ROOT)) for p in (ROOT / "hooks/gitworthy/secrets").glob("*.py")),
             "bench/secrets_bench.py"]
    done = subprocess.run([str(BIN / "check-secrets"), *files], cwd=ROOT, capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stdout


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_runs_under_the_pre_commit_framework(repo, tmp_path):
    write(repo, "etl.py", f'TOKEN = "{HF_TOKEN}"\n')
    write(repo, "clean.py", "x = 1\n")
    git(repo, "add", ".")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    done = subprocess.run(
        [str(BIN / "pre-commit"), "try-repo", str(ROOT), "check-secrets", "--files", "etl.py",
         "clean.py"], cwd=repo, capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "etl.py:1" in done.stdout and "Hugging Face Token" in done.stdout
    assert HF_TOKEN not in done.stdout


# --------------------------------------------------------------------------- the prefilter
#
# The prefilter only decides which lines reach detect-secrets' plugins; these tests run the
# check with and without it over a corpus of every planted credential kind plus random lines
# built around what the plugins look for, and demand identical findings.

HEX = "0123456789abcdef"
B64 = ALNUM + "+/=_-"


def b64url(text: str) -> str:
    import base64
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def detect_secrets_kinds() -> list[str]:
    """A line for each of detect-secrets' own format plugins (fake values, built here)."""
    jwt = ".".join([b64url('{"alg":"HS256","typ":"JWT"}'), b64url('{"sub":"etl"}'),
                    pick(ALNUM, 43)])
    return [
        f'GH = "{"gh" + "p_" + pick(ALNUM, 36)}"',
        f'SLACK = "{"xo" + "xb-" + pick("0123456789", 11) + "-" + pick(HEX, 24)}"',
        f'hook = "https://hooks.slack.com/services/T{pick(UPPER, 8)}/B{pick(UPPER, 8)}/x1"',
        f'STRIPE = "{"sk" + "_live_" + pick(ALNUM, 24)}"',
        f"auth = '{jwt}'",
        f'SG = "{"S" + "G." + pick(ALNUM, 22) + "." + pick(ALNUM, 43)}"',
        f'TWILIO = "{"A" + "C" + pick(HEX, 32)}"',
        f'MC = "{pick(HEX, 32) + "-u" + "s12"}"',
        f'TG = "{pick("123456789", 9) + ":" + pick(ALNUM, 35)}"',
        f'OPENAI = "{"sk-" + pick(ALNUM, 20) + "T3Blbk" + "FJ" + pick(ALNUM, 20)}"',
        f'PYPI = "{"pypi-AgEIcHlwaS5v" + "cmc" + pick(ALNUM, 70)}"',
        f'SQ = "{"sq0" + "csp-" + pick(ALNUM, 43)}"',
        f'GL = "{"glp" + "at-" + pick(ALNUM, 20)}"',
        f'DISCORD = "{"M" + pick(ALNUM, 23) + "." + pick(ALNUM, 6) + "." + pick(ALNUM, 27)}"',
        f"artifactory_token: {'AK' + 'C' + pick(ALNUM, 12)}",
        f"//registry.npmjs.org/:_authToken={'npm' + '_' + pick(ALNUM, 36)}",
        f'ibm_cloud_iam_key = "{pick(ALNUM, 44)}"',
        f'cos_hmac_secret_access_key = "{pick(HEX, 48)}"',
        f'cloudant_password = "{pick(HEX, 64)}"',
        f'softlayer_api_key = "{pick(HEX, 64)}"',
        f"server = {RNG.randint(11, 99)}.{RNG.randint(1, 250)}.{RNG.randint(1, 250)}.7",
        "key_file = PuTTY-User-Key-File-" + "2: ssh-rsa",
        PEM,
    ]


FRAGMENTS = ("password", "passwd", "pwd", "secret", "api_key", "apikey", "token", "auth_key",
             "private_key", "db_pass", "aws", "key", "cl_pw", "ibm_iam_key", "contraseña")
JOINERS = (" = ", ": ", ":=", " == ", " => ", " ", "=", "('", '("', "[0] = ", " != ", ";")


def fuzz_line(rng: random.Random) -> str:
    """A random line mixing keywords, assignments, quotes, URLs and random runs."""
    parts: list[str] = []
    for _ in range(rng.randint(1, 4)):
        kind = rng.randrange(9)
        alphabet = rng.choice((HEX, B64, ALNUM, LETTERS, "0123456789"))
        run = "".join(rng.choice(alphabet) for _ in range(rng.choice((6, 8, 9, 12, 21, 22,
                                                                        23, 30, 40, 44))))
        quote = rng.choice(("'", '"', "`", ""))
        if kind == 0:
            name = rng.choice(FRAGMENTS)
            name = rng.choice((name, name.upper(), name.title(), "Müller_" + name.upper()))
            parts.append(name + rng.choice(JOINERS) + quote + run + quote)
        elif kind == 1:
            parts.append(f"{quote}{run}{quote}")
        elif kind == 2:
            parts.append(f"{rng.choice(('postgresql', 'redis', 's3', 'https'))}://"
                         f"{rng.choice(('etl', ''))}:{run}@{rng.choice(('dw', 'localhost'))}/x")
        elif kind == 3:
            parts.append(f"jdbc:sqlserver://dw;{rng.choice(('password', 'PWD'))}={run}")
        elif kind == 4:
            parts.append(f"https://acct.blob.core.windows.net/c?sv=2022&sig={run}{run}")
        elif kind == 5:
            parts.append(rng.choice(detect_secrets_kinds()))
        elif kind == 6:
            parts.append(f"{rng.randint(1, 255)}.{rng.randint(0, 255)}."
                         f"{rng.randint(0, 255)}.{rng.randint(0, 255)}")
        elif kind == 7:
            parts.append("# pragma: allowlist nextline secret")
        else:
            parts.append(f"{rng.randint(0, 9999)},{run},ok")
    return rng.choice((" ", ", ", "\t", "; ")).join(parts)


def corpus(repo: Path) -> list[str]:
    """Every planted kind in its own file, and random lines in each file type."""
    rng = random.Random(5)
    names: list[str] = []
    for i, (name, text, _) in enumerate(KINDS):
        names.append(str(write(repo, f"kinds/{i}/{name}", text).relative_to(repo)))
    write(repo, "kinds/ds.py", "\n".join(detect_secrets_kinds()) + "\n")
    names.append("kinds/ds.py")
    # quoted runs of n distinct characters: the shortest the entropy plugins report
    runs = [f'v{n} = "{"".join(rng.sample(alphabet, n))}"'
            for alphabet in ("abcdef0123456789", ALNUM) for n in range(6, len(alphabet) // 2)]
    write(repo, "kinds/entropy.py", "\n".join(runs) + "\n")
    names.append("kinds/entropy.py")
    for suffix in ("py", "yaml", "env", "ini", "json", "csv", "txt", "go", "java", "js", "tf",
                   "cfg", "toml", "md"):
        lines = [fuzz_line(rng) for _ in range(300)]
        if suffix in ("ini", "cfg"):
            lines.insert(0, "[global]")
        write(repo, f"fuzz/data.{suffix}", "\n".join(lines) + "\n")
        names.append(f"fuzz/data.{suffix}")
    ini = "\n".join(f"{rng.choice(FRAGMENTS)}_{i} = {pick(B64, rng.choice((20, 23, 30)))}"
                    for i in range(100))
    write(repo, "fuzz/app.txt", ini + "\n")  # parsed by the eager ini transformer
    yaml_values = "\n".join(f"k{i}: {pick(B64, rng.choice((20, 23, 30)))}" for i in range(100))
    write(repo, "fuzz/values.yml", yaml_values + "\n")
    cells = [nbformat.v4.new_code_cell("\n".join(fuzz_line(rng) for _ in range(20)))
             for _ in range(10)]
    cells[3].outputs = [nbformat.v4.new_output(
        "stream", text="\n".join(fuzz_line(rng) for _ in range(20)))]
    write(repo, "fuzz/nb.ipynb", notebook(cells))
    return names + ["fuzz/app.txt", "fuzz/values.yml", "fuzz/nb.ipynb"]


def finding_set(report) -> set[tuple]:
    return {(f.path, f.rule, f.line, f.key, f.message) for f in report.findings}


def test_prefilter_loses_no_finding(repo):
    names = corpus(repo)
    fast = findings(repo, *names)
    slow = findings(repo, *names, prefilter=False)
    assert finding_set(fast) == finding_set(slow)
    found = {f.details["secret_type"] for f in slow.findings}
    assert len(slow.findings) > 300 and len(found) >= 20, sorted(found)


def test_prefilter_knows_every_enabled_plugin():
    scan = scanner()
    assert scan.candidates is not None, [
        type(p).__name__ for p, _ in scan.plugins if prefilter.needs(type(p).__name__) is None]


def test_plugin_names_known_without_detect_secrets_are_its_plugins():
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
    from gitworthy.secrets.plugins import PLUGINS

    classes = get_mapping_from_secret_type_to_class().values()
    assert {c.__name__ for c in classes} == prefilter.DETECT_SECRETS_PLUGINS
    assert {c.__module__.rsplit(".", 1)[1] for c in classes} == prefilter.DETECT_SECRETS_MODULES
    assert prefilter.known_plugins_unchanged()
    assert tuple(c.__name__ for c in PLUGINS) == prefilter.GITWORTHY_PLUGINS


def test_keyword_needs_cover_every_denylisted_keyword():
    from detect_secrets.plugins.keyword import DENYLIST

    words = prefilter.KEYWORDS.split("|")
    for keyword in DENYLIST:
        assert any(w in run for w in words for run in prefilter._literal_runs(keyword)), keyword


def test_a_commit_of_code_without_candidate_lines_never_loads_detect_secrets(repo):
    write(repo, "etl.py", "import os\n\n\ndef load(path):\n    return open(path).read()\n")
    write(repo, "nb.ipynb", notebook([nbformat.v4.new_code_cell("print(1 + 1)")]))
    write(repo, "conf.yaml", "run: churn\nsteps: [load, fit]\n")
    probe = ("import sys\nfrom gitworthy.checks import secrets\ncode = secrets.main(sys.argv[1:])\n"
             "print(code, 'detect_secrets' in sys.modules, 'requests' in sys.modules)")
    clean = subprocess.run([sys.executable, "-c", probe, "etl.py", "nb.ipynb", "conf.yaml"],
                           cwd=repo, capture_output=True, text=True, check=True)
    assert clean.stdout.split()[-3:] == ["0", "False", "False"], clean.stdout
    write(repo, "leak.py", f'TOKEN = "{HF_TOKEN}"\n')
    leak = subprocess.run([sys.executable, "-c", probe, "etl.py", "leak.py"], cwd=repo,
                          capture_output=True, text=True, check=True)
    assert leak.stdout.split()[-3:] == ["1", "True", "True"], leak.stdout


def test_reuse_key_groups_only_paths_detect_secrets_file_filters_treat_alike():
    scan = scanner()
    paths = ["package-lock.json", "web/package-lock.json", "api/swagger/spec.json",
             "docs/swagger-ui.html", "spec.json", "Swagger/spec.json", "yarn.lock", "a/yarn.lock",
             "src/etl.py", "lib/etl.py", "poetry.lock", "deps/poetry.lock"]
    keys: dict = {}
    for path in paths:
        name = path.rsplit("/", 1)[-1]
        key = (name, path if "swagger" in path.lower() else "")
        keys.setdefault(key, set()).add(scan.skips_file(path))
    assert all(len(verdicts) == 1 for verdicts in keys.values()), keys
    assert {True, False} <= set().union(*keys.values())


def test_escaped_token_in_yaml_is_still_found(repo):
    token = HF_TOKEN.replace("h", "\\x68", 1)  # "\x68f_..." decodes to the token
    write(repo, "vars.yaml", f'note: "{token}"\n')
    found = findings(repo, "vars.yaml")
    assert [f.details["secret_type"] for f in found.findings] == ["Hugging Face Token"]


def test_prefilter_skips_ordinary_data_lines():
    scan = scanner()
    rows = "id,name,city,amount\n" + "".join(f"{i},Ann Lee,Lyon,{i * 3.5}\n" for i in range(999))
    assert list(prefilter.candidate_offsets(scan.candidates, rows)) == []


def test_token_patterns_spelled_out_match_what_they_match():
    from gitworthy.secrets.formats import FORMATS

    rng = random.Random(3)
    lines = [fuzz_line(rng) for _ in range(3000)] + detect_secrets_kinds()
    lines += [f'x = "{prefix}{pick(ALNUM + "_-", 120)}.{pick(ALNUM, 60)}.{pick(ALNUM, 90)}"'
              for prefix in ("hf_", "api_org_", "pk.", "sk.", "sk_test_", "rk_live_", "t1.",
                             "AQVN", "xoxb-1-", "ghp_", "fo1_", "dp.pt.", "DP.ST.")]
    split = 0
    for row in FORMATS:
        flags = re.IGNORECASE if row.pattern.startswith("(?i)") else 0
        pattern = prefilter._unanchored(row.pattern.removeprefix("(?i)"))  # as the prefilter
        whole = re.compile(pattern, flags)
        parts = [re.compile(p, flags) for p in prefilter.spelled_out(pattern)]
        split += len(parts) > 1
        for line in lines:
            assert bool(whole.search(line)) == any(p.search(line) for p in parts), (row.name, line)
            for part in parts:
                match = part.search(line)
                start = prefilter.leading_literal(part.pattern)
                assert not match or match.group(0).lower().startswith(start.lower()), part
    assert split >= 6


def test_patterns_by_first_character_match_the_lines_they_match():
    options = ["A3T[A-Z0-9]|ABIA|ACCA|AKIA|ASIA", "AC[a-z0-9]{32}", r"\.(?<=[0-9]\.)[0-9]{1,3}",
               "ghp_", "gho_", "glpat-", r"hooks\.slack\.com/", "-us[0-9]", "k", "ke", "key",
               "[MNO][a-z]{3}"]
    grouped = [re.compile(p) for p in prefilter.by_first_character(options)]
    assert len(grouped) == 7  # A . g h - k, and [MNO] on its own
    rng = random.Random(6)
    lines = [fuzz_line(rng) for _ in range(2000)] + detect_secrets_kinds() + [
        "ABIA", "AKIAX", "x3T0", "A3T0", "v1.2.3", "ghp_x", "gho_", "glpat-1", "-us1", "Maaa"]
    for line in lines:
        assert (any(p.search(line) for p in grouped)
                == any(re.search(o, line) for o in options)), line


def test_fewest_words_match_the_lines_all_needs_match():
    needs = ["api_?key|auth_?key|password|pwd|secret", "key|pw|pass|token",
             r"xox[abposr]-|hooks\.slack\.com", "passw?d|password|pwd", "aws"]
    words = prefilter.fewest_words(needs)
    assert "password" not in words.split("|") and "api_?key" not in words.split("|")
    rng = random.Random(4)
    lines = [fuzz_line(rng).lower() for _ in range(3000)] + ["xoxp-1", "hooks.slack.com", "pw"]
    for line in lines:
        assert bool(re.search(words, line)) == any(re.search(n, line) for n in needs), line


def test_case_insensitive_token_formats_are_found_in_either_case(repo):
    token = "clo" + "jars_" + pick("abcdefghijklmnopqrstuvwxyz0123456789", 60)
    write(repo, "deploy.sh", f"echo {token.upper()}\necho {token}\n")
    found = findings(repo, "deploy.sh")
    assert sorted(f.line for f in found.findings) == [1, 2]


def test_urls_without_a_user_or_password_are_not_candidate_lines():
    scan = scanner()
    config = ("tracking: http://mlflow.internal:5000/#/experiments\n"
              "train: s3://acme-ml/churn/train.parquet\n")
    assert prefilter.candidate_offsets(scan.candidates, config) == []
    for url in (f"postgresql://etl:{DB_PASSWORD}@dw/sales", f"redis://:{DB_PASSWORD}@cache:6379",
                f"s3://{AWS_ID}:{AWS_SECRET}@bucket"):
        assert prefilter.candidate_offsets(scan.candidates, f"dsn: {url}") == [0], url


def test_streamed_blocks_find_what_the_whole_text_finds(repo):
    rng = random.Random(9)
    text = "id,comment\n" + "\n".join(fuzz_line(rng) for _ in range(400)) + "\n"
    write(repo, "notes.txt", text)
    [file] = sources.from_paths(["notes.txt"], cwd=repo).files
    scan = scanner()
    assert reading.streams(file.path, text)
    whole = scan.scan_text(text, file.path, prefilter=False)
    for size in (7, 97, 4096):
        streamed, lines = scan.scan_stream(reading.blocks(file, size), file.path)
        assert sorted(streamed, key=repr) == sorted(whole, key=repr)
        assert all(lines[h.line] == text.split("\n")[h.line - 1] for h in streamed)
    assert len(whole) > 50


def test_files_a_transformer_parses_are_not_streamed():
    assert not reading.streams("conf.yaml", "a: 1\nb: 2\n")
    assert not reading.streams("setup.cfg", "[metadata]\nname = x\n")
    assert not reading.streams("app.txt", "user = etl\ntoken = abc\n")
    assert reading.streams("rows.csv", "id,name\n1,a\n")
    assert reading.streams("etl.py", "import os\n")


def test_big_csv_is_streamed_not_read_whole(repo):
    import tracemalloc

    row = "1042,Jane Doe,jane.doe@example.org,221B Baker Street,London,2024-03-01 10:15:00\n"
    write(repo, "big.csv", "id,name,email,address,city,ts\n" + row * 60_000)  # 5 MB
    [file] = sources.from_paths(["big.csv"], cwd=repo).files
    options = {**check_secrets.OPTIONS, "max-kb": 1 << 20}
    scanner()
    tracemalloc.start()
    try:
        assert list(check_secrets.check(file, options, sources.Context(repo))) == []
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < file.size // 2, peak  # a few blocks, not the 5 MB file
