"""check-secrets reads every text a credential can hide in (UTF-16 and other BOM encodings,
gzip-compressed text, .xlsx sheets, notebook metadata and every output type, any extension),
numbers notebook cells from 0, and lets a known value be allowed in each file's own syntax.

Fake credentials are built from pieces at test time (the repository scans itself).
"""
from __future__ import annotations

import gzip
import json
import random

import nbformat
import openpyxl
from gitworthy import sources
from gitworthy.config import Config
from gitworthy.engine import scan

RNG = random.Random(20261128)
ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
TOKEN = "gh" + "p_" + "".join(RNG.choice(ALNUM) for _ in range(36))
PRAGMA = "pragma: allowlist " + "secret"


def check(repo, *names: str):
    report = scan(sources.from_paths([str(repo.root / n) for n in names], cwd=repo.root),
                  ["check-secrets"], Config())
    assert not report.internal_error, report.errors
    return report


def lines_found(repo, name: str) -> list[int | None]:
    report = check(repo, name)
    assert report.errors == []
    return [f.line for f in report.findings]


# --------------------------------------------------------------------------- encodings


def test_utf16_with_bom_as_powershell_writes_it(repo):
    repo.write("secrets.env", ("\ufeffREGION=eu-west-1\r\nGITHUB_TOKEN=" + TOKEN + "\r\n")
               .encode("utf-16-le"))
    assert lines_found(repo, "secrets.env") == [2]


def test_utf16_without_bom_is_detected(repo):
    repo.write("notes.txt", ("deploy with\n" + TOKEN + "\n").encode("utf-16-be"))
    assert lines_found(repo, "notes.txt") == [2]


def test_utf32_with_bom(repo):
    repo.write("conf.ini", ("[gh]\ntoken = " + TOKEN + "\n").encode("utf-32"))
    assert lines_found(repo, "conf.ini") == [2]


def test_gzip_compressed_env_file(repo):
    repo.write(".env.gz", gzip.compress(f"DEBUG=0\nGH_TOKEN={TOKEN}\n".encode()))
    assert lines_found(repo, ".env.gz") == [2]


def test_gzip_of_binary_data_is_skipped_quietly(repo):
    repo.write("weights.bin.gz", gzip.compress(bytes(range(256)) * 64))
    report = check(repo, "weights.bin.gz")
    assert report.findings == [] and report.errors == []


def test_xlsx_sheet_cell(repo):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Zugangsdaten"
    sheet.append(["Dienst", "Benutzer", "Schlüssel"])
    sheet.append(["GitHub CI", "ci-bot", TOKEN])
    book.save(repo.root / "zugang.xlsx")
    assert lines_found(repo, "zugang.xlsx") == [2]


def test_opendocument_sheet_is_read_whatever_its_name(repo):
    """LibreOffice's .ods (written here by pandas' odf writer), and the same bytes under a
    name that says nothing: recognised by the `mimetype` an .ods stores first."""
    import pandas as pd

    frame = pd.DataFrame({"Dienst": ["Warehouse", "GitHub CI"], "Schlüssel": ["-", TOKEN]})
    frame.to_excel(repo.root / "zugang.ods", engine="odf", index=False)
    assert lines_found(repo, "zugang.ods") == [3]
    (repo.root / "export.dat").write_bytes((repo.root / "zugang.ods").read_bytes())
    assert lines_found(repo, "export.dat") == [3]


def test_unreadable_or_oversized_workbook_is_reported_not_passed(repo):
    repo.write("broken.xlsx", b"PK\x03\x04" + bytes(range(256)) * 8)
    report = check(repo, "broken.xlsx")
    assert report.findings == [] and "not a readable workbook" in report.errors[0].message
    book = openpyxl.Workbook()
    book.active.append(["token", TOKEN])
    book.save(repo.root / "zugang.xlsx")
    config = Config()
    config.sections["check-secrets"] = {"max-kb": 1}
    report = scan(sources.from_paths([str(repo.root / "zugang.xlsx")], cwd=repo.root),
                  ["check-secrets"], config)
    assert report.findings == [] and "max-kb" in report.errors[0].message


def test_extension_detect_secrets_skips_is_read(repo):
    repo.write("user.prefs", f'user_pref("extensions.github.token", "{TOKEN}");\n')
    assert lines_found(repo, "user.prefs") == [1]


# --------------------------------------------------------------------------- notebooks


def notebook(cells: list, metadata: dict | None = None) -> str:
    nb = nbformat.v4.new_notebook()
    nb.cells = cells
    nb.metadata.update(metadata or {})
    return nbformat.writes(nb)


def test_papermill_parameters_in_notebook_metadata(repo):
    repo.write("run.ipynb", notebook(
        [nbformat.v4.new_code_cell("print(1)")],
        {"papermill": {"parameters": {"github_token": TOKEN, "alpha": 0.5}}}))
    [finding] = check(repo, "run.ipynb").findings
    assert finding.details["cell"] is None and finding.details["part"] == "metadata"
    assert "notebook metadata" in finding.message


def test_vendor_mime_output_names_cell_and_output(repo):
    cell = nbformat.v4.new_code_cell("display(config)")
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="loaded 3 rows\n"),
        nbformat.v4.new_output("display_data", data={
            "application/vnd.databricks.v1+json": {"config": {"token": TOKEN}},
            "text/plain": "<Config>"})]
    repo.write("cfg.ipynb", notebook([nbformat.v4.new_markdown_cell("# Setup"), cell]))
    [finding] = check(repo, "cfg.ipynb").findings
    assert finding.details["cell"] == 1
    assert finding.details["part"] == "output 1 (application/vnd.databricks.v1+json)"
    assert "cell 1 output 1" in finding.message


def test_cell_numbers_match_nbformat_and_check_pii(repo):
    cells = [nbformat.v4.new_markdown_cell("# A"), nbformat.v4.new_code_cell("x = 1"),
             nbformat.v4.new_code_cell(f'TOKEN = "{TOKEN}"')]
    repo.write("nb.ipynb", notebook(cells))
    [finding] = check(repo, "nb.ipynb").findings
    assert nbformat.reads((repo.root / "nb.ipynb").read_text(), 4).cells[
        finding.details["cell"]].source.startswith("TOKEN")


# --------------------------------------------------------------------------- allowing


def test_html_comment_pragma(repo):
    repo.write("page.html", f'<meta name="ci" content="{TOKEN}"> <!-- {PRAGMA} -->\n')
    assert lines_found(repo, "page.html") == []


def test_dockerfile_pragma_above_a_continuation_line(repo):
    repo.write("Dockerfile", "FROM python:3.11-slim\n"
                             "RUN pip install mlflow && \\\n"
                             f"    # {PRAGMA.replace('allowlist', 'allowlist nextline')}\n"
                             f"    git clone https://{TOKEN}@github.com/acme/models.git\n")
    assert lines_found(repo, "Dockerfile") == []


def test_yaml_and_sql_comment_pragmas(repo):
    repo.write("ci.yml", f"env:\n  GH_TOKEN: {TOKEN}  # {PRAGMA}\n")
    repo.write("load.sql", f"SELECT '{TOKEN}' AS token;  -- {PRAGMA}\n")
    assert lines_found(repo, "ci.yml") == [] and lines_found(repo, "load.sql") == []


def test_notebook_cell_pragma(repo):
    repo.write("nb.ipynb", notebook([nbformat.v4.new_code_cell(f'T = "{TOKEN}"  # {PRAGMA}')]))
    assert check(repo, "nb.ipynb").findings == []


def test_hint_names_the_way_that_works_for_the_file(repo):
    repo.write("page.html", f'<meta content="{TOKEN}">\n')
    repo.write("Dockerfile", f"FROM python:3.11\nENV GH_TOKEN={TOKEN}\n")
    repo.write("conf.json", json.dumps({"token": TOKEN}) + "\n")
    hints = {f.path: f.hint for f in check(repo, "page.html", "Dockerfile", "conf.json").findings}
    assert "<!-- pragma: allowlist" in hints["page.html"]
    assert "allowlist nextline" in hints["Dockerfile"]
    assert "baseline" in hints["conf.json"] and "pragma" not in hints["conf.json"]
