"""check-pii: personal data in data files and notebook outputs, judged per column, never leaked."""
from __future__ import annotations

import csv
import io
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from faker import Faker
from gitworthy.pii.mask import mask
from nbformat.v4 import new_code_cell, new_notebook, new_output

from tests.conftest import Repo, run, scan_json

COLUMNS = ["member_id", "first_name", "last_name", "ssn", "dob", "email", "phone", "plan",
           "premium"]


def fake_rows(n: int, seed: int = 1234) -> list[list[str]]:
    fake = Faker("en_US")
    fake.seed_instance(seed)
    return [[f"M{fake.random_number(digits=9, fix_len=True)}", fake.first_name(),
             fake.last_name(), fake.ssn(), fake.date_of_birth().isoformat(), fake.email(),
             fake.phone_number(), fake.random_element(["gold", "silver"]),
             f"{fake.pyfloat(min_value=50, max_value=900, right_digits=2)}"] for _ in range(n)]


def to_csv(rows: list[list[str]], header: list[str] = COLUMNS, delimiter: str = ",") -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def columns(result: dict) -> dict[str, str]:
    """column -> entity of every pii finding."""
    return {f["details"]["column"]: f["details"]["entity"] for f in result["findings"]
            if "column" in f["details"]}


def pii(*argv: str, capsys) -> tuple[int, dict]:
    return scan_json(*argv, "--check", "check-pii", capsys=capsys)


def npi(rng: random.Random) -> str:
    body = "1" + "".join(str(rng.randint(0, 9)) for _ in range(8))
    digits = [int(d) for d in "80840" + body]
    total = 0
    for i, d in enumerate(reversed(digits)):  # the check digit will be rightmost: double odd i
        d = d * 2 if i % 2 == 0 else d
        total += d - 9 if d > 9 else d
    return body + str((10 - total % 10) % 10)


# ---------------------------------------------------------------- columns

def test_member_table_columns_are_named_with_their_entities(repo: Repo, capsys) -> None:
    repo.write("data/members.csv", to_csv(fake_rows(300)))
    code, result = pii("data/members.csv", capsys=capsys)
    assert code == 1
    assert columns(result) == {
        "member_id": "MEMBER_ID", "first_name": "PERSON", "last_name": "PERSON",
        "ssn": "US_SSN", "dob": "DATE_OF_BIRTH", "email": "EMAIL_ADDRESS",
        "phone": "PHONE_NUMBER"}
    assert {f["rule"] for f in result["findings"]} == {"pii-in-data"}


def test_message_gives_count_in_sample_and_masked_example(repo: Repo, capsys) -> None:
    repo.write("members.csv", to_csv(fake_rows(50)))
    _, result = pii("members.csv", "--check", "check-pii", capsys=capsys)
    ssn = next(f for f in result["findings"] if f["details"]["column"] == "ssn")
    assert "column 'ssn' holds US social security numbers: 50 of 50 sampled values" in \
        ssn["message"]
    assert ssn["details"]["masked_example"] == "***-**-****"


def test_one_stray_ssn_in_an_amount_column_does_not_fire(repo: Repo, capsys) -> None:
    rows = [[str(i), f"{i * 3.5:.2f}"] for i in range(200)] + [["201", "536-90-4399"]]
    repo.write("claims.csv", to_csv(rows, header=["claim", "amount"]))
    code, result = pii("claims.csv", capsys=capsys)
    assert code == 0 and result["findings"] == []


def test_random_ten_digit_ids_are_not_nhs_or_npi_without_evidence(repo: Repo, capsys) -> None:
    rng = random.Random(5)
    rows = [[str(rng.randint(10**9, 10**10 - 1)), "x"] for _ in range(300)]
    repo.write("orders.csv", to_csv(rows, header=["order_ref", "flag"]))
    code, result = pii("orders.csv", capsys=capsys)
    assert code == 0, result["findings"]


def test_npi_column_named_npi_is_flagged(repo: Repo, capsys) -> None:
    rng = random.Random(9)
    repo.write("providers.csv", to_csv([[npi(rng), "clinic"] for _ in range(100)],
                                       header=["npi", "kind"]))
    _, result = pii("providers.csv", capsys=capsys)
    assert columns(result) == {"npi": "US_NPI"}


def test_mbi_column_is_flagged_and_a_leading_zero_is_not_an_mbi(repo: Repo, capsys) -> None:
    rng = random.Random(3)
    letters = "ACDEFGHJKMNPQRTUVWXY"

    def mbi(first: str) -> str:
        a = lambda: rng.choice(letters)  # noqa: E731
        d = lambda: str(rng.randint(0, 9))  # noqa: E731
        return f"{first}{a()}{d()}{d()}{a()}{d()}{d()}{a()}{a()}{d()}{d()}"

    repo.write("good.csv", to_csv([[mbi(str(rng.randint(1, 9)))] for _ in range(60)],
                                  header=["medicare_id"]))
    repo.write("bad.csv", to_csv([[mbi("0")] for _ in range(60)], header=["medicare_id"]))
    _, result = pii("good.csv", "bad.csv", capsys=capsys)
    assert [(f["path"], f["details"]["entity"]) for f in result["findings"]] == [
        ("good.csv", "US_MBI")]


def test_dates_are_dates_of_birth_only_in_a_birth_column(repo: Repo, capsys) -> None:
    rows = [[f"19{50 + i % 40}-0{1 + i % 9}-1{i % 9}", f"2023-0{1 + i % 9}-1{i % 9}"]
            for i in range(100)]
    repo.write("people.csv", to_csv(rows, header=["BirthDate", "visit_date"]))
    _, result = pii("people.csv", capsys=capsys)
    assert columns(result) == {"BirthDate": "DATE_OF_BIRTH"}


def test_name_column_of_a_placeholder_is_not_a_person(repo: Repo, capsys) -> None:
    repo.write("t.csv", "id,name\n" + "1,a\n" * 500)
    code, _ = pii("t.csv", capsys=capsys)
    assert code == 0


def test_free_text_notes_with_emails_are_flagged(repo: Repo, capsys) -> None:
    fake = Faker()
    fake.seed_instance(2)
    rows = [[str(i), f"{fake.sentence(nb_words=8)} Contact {fake.email()} about it."]
            for i in range(40)]
    repo.write("tickets.csv", to_csv(rows, header=["id", "comment"]))
    _, result = pii("tickets.csv", capsys=capsys)
    assert columns(result) == {"comment": "EMAIL_ADDRESS"}


def test_thresholds_are_configurable(repo: Repo, capsys) -> None:
    rows = [[f"user{i}@example.com" if i < 20 else "none"] for i in range(100)]
    repo.write("contacts.csv", to_csv(rows, header=["contact"]))
    assert pii("contacts.csv", capsys=capsys)[0] == 0
    repo.write(".gitworthy.toml", '[check-pii]\n"min-fraction" = 0.15\n')
    assert columns(pii("contacts.csv", capsys=capsys)[1]) == {"contact": "EMAIL_ADDRESS"}


def test_ignore_entities_and_columns(repo: Repo, capsys) -> None:
    repo.write("members.csv", to_csv(fake_rows(40)))
    repo.write(".gitworthy.toml", '[check-pii]\n"ignore-entities" = ["PERSON", "us_ssn"]\n'
                                  '"ignore-columns" = ["e*", "PHONE"]\n')
    _, result = pii("members.csv", capsys=capsys)
    assert set(columns(result)) == {"member_id", "dob"}


# ---------------------------------------------------------------- formats

def test_tsv_semicolon_and_utf16_are_read(repo: Repo, capsys) -> None:
    rows = fake_rows(60)
    repo.write("a.tsv", to_csv(rows, delimiter="\t"))
    repo.write("b.csv", to_csv(rows, delimiter=";"))
    repo.write("c.csv", to_csv(rows).encode("utf-16"))
    _, result = pii("a.tsv", "b.csv", "c.csv", capsys=capsys)
    ssn = {f["path"] for f in result["findings"] if f["details"]["column"] == "ssn"}
    assert ssn == {"a.tsv", "b.csv", "c.csv"}


def test_latin1_csv_is_read(repo: Repo, capsys) -> None:
    repo.write("l.csv", ("nom,courriel\n" + "".join(
        f"Ren\xe9 {i},ren{i}@caf\xe9.example.com\n" for i in range(30))).encode("latin-1"))
    _, result = pii("l.csv", capsys=capsys)
    assert columns(result) == {"courriel": "EMAIL_ADDRESS"}


def test_jsonl_and_json_are_judged_by_key_path(repo: Repo, capsys) -> None:
    fake = Faker()
    fake.seed_instance(8)
    records = [{"id": i, "contact": {"email": fake.email(), "ssn": fake.ssn()}} for i in
               range(50)]
    repo.write("m.jsonl", "".join(json.dumps(r) + "\n" for r in records))
    repo.write("m.json", json.dumps({"members": records}))
    _, result = pii("m.jsonl", "m.json", capsys=capsys)
    got = {(f["path"], f["details"]["column"], f["details"]["entity"])
           for f in result["findings"]}
    assert got == {("m.jsonl", "contact.email", "EMAIL_ADDRESS"),
                   ("m.jsonl", "contact.ssn", "US_SSN"),
                   ("m.json", "members[].contact.email", "EMAIL_ADDRESS"),
                   ("m.json", "members[].contact.ssn", "US_SSN")}


def test_log_file_reports_first_line_and_count(repo: Repo, capsys) -> None:
    lines = ["INFO start"] * 10 + ["WARN retry for bob.smith@example.org"] + ["INFO ok"] * 5
    lines += ["ERROR user ssn: 536-90-4399 rejected"]
    repo.write("app.log", "\n".join(lines) + "\n")
    _, result = pii("app.log", capsys=capsys)
    found = {f["details"]["entity"]: (f["line"], f["message"]) for f in result["findings"]}
    assert found["EMAIL_ADDRESS"][0] == 11 and found["US_SSN"][0] == 17
    assert "e-mail addresses in 1 line (e.g. ***@***.org)" in found["EMAIL_ADDRESS"][1]


def test_parquet_and_excel_are_read_through_their_extras(repo: Repo, capsys) -> None:
    import openpyxl
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = fake_rows(80)
    table = pa.table({name: [r[i] for r in rows] for i, name in enumerate(COLUMNS)})
    pq.write_table(table, repo.root / "m.parquet", row_group_size=20)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "members"
    sheet.append(COLUMNS)
    for row in rows:
        sheet.append(row)
    book.save(repo.root / "m.xlsx")
    _, result = pii("m.parquet", "m.xlsx", capsys=capsys)
    ssn = {(f["path"], f["details"].get("where", "")) for f in result["findings"]
           if f["details"]["column"] == "ssn"}
    assert ssn == {("m.parquet", ""), ("m.xlsx", "sheet 'members'")}


def test_parquet_without_pyarrow_is_an_error_not_a_pass(repo: Repo) -> None:
    repo.write("m.parquet", b"PAR1" + b"\0" * 100 + b"PAR1")
    code = ("import sys; sys.modules['pyarrow'] = None; sys.modules['pyarrow.parquet'] = None\n"
            "from gitworthy.checks.pii import main; raise SystemExit(main(['m.parquet']))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=repo.root, capture_output=True,
                          text=True)
    assert proc.returncode == 1
    assert "Parquet file not inspected for personal data: pyarrow is missing" in proc.stdout


def test_corrupt_xls_is_an_error_that_says_so(repo: Repo, capsys) -> None:
    repo.write("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500)
    code, result = pii("old.xls", capsys=capsys)
    assert code == 1 and "not a readable Excel workbook" in result["errors"][0]["message"]


def test_binary_content_with_a_csv_name_is_an_error(repo: Repo, capsys) -> None:
    repo.write("x.csv", b"\x00\x01\x02\x03" + bytes(range(256)) * 20)
    code, result = pii("x.csv", capsys=capsys)
    assert code == 1 and result["findings"] == []
    assert result["errors"][0]["message"].startswith(
        "check-pii: binary content of an unknown format under a text data name: not inspected")


def test_huge_single_line_csv_is_an_error(repo: Repo, capsys) -> None:
    repo.write("one.csv", "a," * 3_000_000)
    repo.write(".gitworthy.toml", '[check-pii]\n"max-sample-kb" = 1024\n')
    code, result = pii("one.csv", capsys=capsys)
    assert code == 1 and "no line break in the first 512 KB" in result["errors"][0]["message"]


def test_broken_json_is_an_error(repo: Repo, capsys) -> None:
    repo.write("b.json", '{"ssn": "078-05-1120", ')
    code, result = pii("b.json", capsys=capsys)
    assert code == 1 and result["errors"][0]["message"].endswith(
        "not valid JSON: not inspected for personal data")


# ---------------------------------------------------------------- sampling and memory

def big_csv(rows_before: int, pii_rows: int) -> str:
    """Harmless rows, then member rows further down (only the spread windows see them)."""
    rng = random.Random(1)
    header = ["id", "email", "amount", "comment"]
    body = [[str(i), "", f"{rng.random() * 100:.2f}", "routine claim processed ok"]
            for i in range(rows_before)]
    fake = Faker()
    fake.seed_instance(4)
    body += [[str(i), fake.email(), "1.00", "routine"] for i in range(pii_rows)]
    return to_csv(body, header=header)


def test_large_csv_is_sampled_within_the_byte_budget(repo: Repo, capsys) -> None:
    repo.write("big.csv", big_csv(120_000, 60_000))
    repo.write(".gitworthy.toml", '[check-pii]\n"max-sample-kb" = 512\n')
    _, result = pii("big.csv", capsys=capsys)
    size = (repo.root / "big.csv").stat().st_size
    assert size > 6_000_000 and result["stats"]["bytes_read"] < 700 * 1024
    assert columns(result) == {"email": "EMAIL_ADDRESS"}


def test_exhaustive_reads_every_row(repo: Repo, capsys) -> None:
    text = big_csv(30_000, 3)
    lines = text.splitlines(keepends=True)
    moved = lines[:15_000] + lines[-3:] + lines[15_000:-3]  # the e-mails mid-file, mid-batch
    repo.write("big.csv", "".join(moved))
    _, sampled = pii("big.csv", "--check", "check-pii", capsys=capsys)
    repo.write(".gitworthy.toml", '[check-pii]\nexhaustive = true\n"min-count" = 1\n'
                                  '"min-fraction" = 0\n')
    _, full = pii("big.csv", capsys=capsys)
    assert sampled["findings"] == []
    assert columns(full) == {"email": "EMAIL_ADDRESS"}
    assert full["stats"]["bytes_read"] >= (repo.root / "big.csv").stat().st_size


def test_staged_large_blob_is_sampled_through_a_pipe(repo: Repo, capsys) -> None:
    repo.write("big.csv", big_csv(60_000, 30_000))
    repo.add()
    _, result = pii("--staged", capsys=capsys)
    assert columns(result) == {"email": "EMAIL_ADDRESS"}


# ---------------------------------------------------------------- notebooks

def member_notebook(rows: list[list[str]], with_source: bool = False) -> str:
    html = "<table><thead><tr><th></th>" + "".join(f"<th>{c}</th>" for c in COLUMNS[:6])
    html += "</tr></thead><tbody>" + "".join(
        f"<tr><th>{i}</th>" + "".join(f"<td>{v}</td>" for v in r[:6]) + "</tr>"
        for i, r in enumerate(rows)) + "</tbody></table>"
    source = f"lookup('{rows[0][5]}')" if with_source else "df.head()"
    cells = [
        new_code_cell(source, execution_count=1, outputs=[new_output(
            "execute_result", execution_count=1,
            data={"text/html": html, "text/plain": "DataFrame"})]),
        new_code_cell("print(row)", execution_count=2, outputs=[
            new_output("stream", name="stdout", text="ok\n"),
            new_output("stream", name="stdout", text=f"member ssn {rows[1][3]}\n")]),
        new_code_cell("fail()", execution_count=3, outputs=[new_output(
            "error", ename="KeyError", evalue="x",
            traceback=[f"\x1b[31mKeyError\x1b[0m: no member {rows[2][5]}"])]),
    ]
    return nbformat.writes(new_notebook(cells=cells))


def test_notebook_outputs_report_cell_and_output(repo: Repo, capsys) -> None:
    repo.write("eda.ipynb", member_notebook(fake_rows(5)))
    code, result = pii("eda.ipynb", capsys=capsys)
    assert code == 1
    got = {(f["details"]["where"], f["details"].get("column"), f["details"]["entity"])
           for f in result["findings"]}
    assert ("cell 0, output 0 (execute_result)", "ssn", "US_SSN") in got
    assert ("cell 0, output 0 (execute_result)", "email", "EMAIL_ADDRESS") in got
    assert ("cell 1, output 1 (stream)", None, "US_SSN") in got
    assert ("cell 2, output 0 (error)", None, "EMAIL_ADDRESS") in got
    assert {f["rule"] for f in result["findings"]} == {"pii-in-notebook-output"}


def test_notebook_source_is_scanned_only_when_configured(repo: Repo, capsys) -> None:
    repo.write("eda.ipynb", member_notebook(fake_rows(5), with_source=True))
    _, plain = pii("eda.ipynb", capsys=capsys)
    repo.write(".gitworthy.toml", '[check-pii]\n"notebook-sources" = true\n')
    _, with_source = pii("eda.ipynb", capsys=capsys)
    where = {f["details"]["where"] for f in with_source["findings"]}
    assert "cell 0 source" in where
    assert "cell 0 source" not in {f["details"]["where"] for f in plain["findings"]}


# ---------------------------------------------------------------- cost and leaks

def test_code_docs_and_name_only_tables_never_import_presidio(repo: Repo) -> None:
    repo.write("train.py", "EMAIL = 'someone@example.com'  # 078-05-1120\n")
    repo.write("README.md", "Contact someone@example.com\n")
    repo.write("requirements.txt", "pandas==2.2.0\n")
    repo.write("names.csv", "first_name,plan\nAda,gold\nAlan,silver\nGrace,gold\n")
    code = ("import sys\nfrom gitworthy.checks.pii import main\n"
            "rc = main(['train.py', 'README.md', 'requirements.txt', 'names.csv'])\n"
            "assert 'presidio_analyzer' not in sys.modules and 'spacy' not in sys.modules\n"
            "raise SystemExit(rc)")
    proc = subprocess.run([sys.executable, "-c", code], cwd=repo.root, capture_output=True,
                          text=True)
    assert proc.returncode == 1, proc.stderr  # names.csv: PERSON by column name
    assert "names.csv" in proc.stdout and "train.py" not in proc.stdout


def test_no_seeded_value_appears_in_any_output_format(repo: Repo, capsys) -> None:
    rows = fake_rows(120, seed=99)
    repo.write("data/members.csv", to_csv(rows))
    repo.write("data/members.jsonl", "".join(
        json.dumps(dict(zip(COLUMNS, r, strict=True))) + "\n" for r in rows))
    repo.write("notebooks/eda.ipynb", member_notebook(rows[:8]))
    repo.add()
    seeded = {v for r in rows for v in r[:7]}  # ids, names, SSNs, DOBs, e-mails, phones
    seeded |= {f"{r[1]} {r[2]}" for r in rows}
    for fmt in ("text", "json", "sarif", "markdown", "github"):
        code, out, err = run("scan", "--staged", "--check", "check-pii", "--format", fmt,
                             capsys=capsys)
        assert code == 1 and "members.csv" in out, fmt
        leaked = sorted(v for v in seeded if len(v) > 3 and (v in out or v in err))
        assert leaked == [], f"{fmt} output leaks {len(leaked)} seeded values"


def test_masks_keep_the_shape_and_no_part_of_the_value() -> None:
    assert mask("123-45-6789", "US_SSN") == "***-**-****"
    assert mask("john.doe@example.com", "EMAIL_ADDRESS") == "***@***.com"
    assert mask("Maria Lopez", "PERSON") == "*** ***"
    assert mask("4111 1111 1111 1111", "CREDIT_CARD") == "**** **** **** ****"
    assert mask("1984-03-12", "DATE_OF_BIRTH") == "****-**-**"
    assert mask("12345", "MEMBER_ID") == "*****"


@pytest.mark.parametrize("header, entity", [
    ("PatientDOB", "DATE_OF_BIRTH"), ("member_ssn", "US_SSN"), ("E-mail", "EMAIL_ADDRESS"),
    ("subscriberId", "MEMBER_ID"), ("LastName", "PERSON"), ("file_name", None),
])
def test_column_names_announce_entities(header: str, entity: str | None) -> None:
    from gitworthy.pii.entities import header_evidence

    assert header_evidence(header) == ({entity} if entity else set())


def test_emails_are_checked_offline_without_a_traceback(repo: Repo) -> None:
    repo.write("contacts.csv", "email\n" + "".join(f"u{i}@example.org\n" for i in range(20)))
    dead = "http://127.0.0.1:9"
    env = {**os.environ, "HTTP_PROXY": dead, "HTTPS_PROXY": dead, "http_proxy": dead,
           "https_proxy": dead, "HOME": str(repo.root / "home"), "XDG_CACHE_HOME":
           str(repo.root / "cache")}
    proc = subprocess.run([sys.executable, "-m", "gitworthy.checks.pii", "contacts.csv"],
                          cwd=repo.root, capture_output=True, text=True, env=env)
    assert proc.returncode == 1 and "e-mail addresses" in proc.stdout
    assert proc.stderr == ""
    assert not (repo.root / "cache").exists()  # no suffix list fetched or cached


def test_ner_model_that_is_not_installed_is_an_error_saying_so(repo: Repo, capsys) -> None:
    repo.write("notes.txt", "Call 212-555-0175 about the claim\n")
    repo.write(".gitworthy.toml", '[check-pii]\n"ner-model" = "en_core_web_nothere"\n')
    code, result = pii("notes.txt", capsys=capsys)
    assert code == 1
    message = result["errors"][0]["message"]
    assert "ner-model 'en_core_web_nothere' is not installed" in message
    assert "python -m spacy download en_core_web_nothere" in message


def test_minified_json_too_large_to_parse_is_sampled_as_text(repo: Repo, capsys) -> None:
    records = [{"id": i, "email": f"member{i}@example.org", "amount": 12.5} for i in range(500)]
    filler = [{"id": i, "amount": 1.0, "comment": "x" * 60} for i in range(400_000)]
    repo.write("dump.json", json.dumps({"members": records + filler}, separators=(",", ":")))
    _, result = pii("dump.json", capsys=capsys)
    assert (repo.root / "dump.json").stat().st_size > 32 * 1024 * 1024
    assert [f["details"]["entity"] for f in result["findings"]] == ["EMAIL_ADDRESS"]
    assert result["stats"]["bytes_read"] < 5 * 1024 * 1024


def test_pre_commit_blocks_a_member_csv_without_printing_values(repo: Repo,
                                                                tmp_path: Path) -> None:
    checkout = Path(__file__).resolve().parent.parent
    rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=checkout, capture_output=True,
                         text=True, check=True).stdout.strip()
    repo.write(".pre-commit-config.yaml", f"repos:\n- repo: {checkout}\n  rev: {rev}\n"
                                          "  hooks:\n  - id: check-pii\n")
    rows = fake_rows(40, seed=5)
    repo.write("data/members.csv", to_csv(rows))
    repo.write("train.py", "print('hello')\n")
    repo.add()
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pc-home")}
    proc = subprocess.run([str(Path(sys.executable).with_name("pre-commit")), "run"],
                          cwd=repo.root, capture_output=True, text=True, env=env)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "data/members.csv" in proc.stdout and "***-**-" in proc.stdout
    assert not [v for r in rows for v in r[:7] if v in proc.stdout + proc.stderr]


def test_ner_model_given_as_a_path_is_loaded_and_used(repo: Repo, capsys) -> None:
    import spacy

    nlp = spacy.blank("en")  # an untrained NER pipeline: real spaCy, no download
    nlp.add_pipe("ner").add_label("PERSON")
    nlp.initialize()
    nlp.to_disk(repo.root / "tiny-ner")
    repo.write("notes.txt", "member bob@example.org\nno digits here at all\n")
    repo.write(".gitworthy.toml", f'[check-pii]\n"ner-model" = "{repo.root / "tiny-ner"}"\n')
    code, result = pii("notes.txt", capsys=capsys)
    assert result["errors"] == []
    assert [f["details"]["entity"] for f in result["findings"]] == ["EMAIL_ADDRESS"]


def test_same_table_in_many_outputs_is_one_finding_per_column(repo: Repo, capsys) -> None:
    rows = fake_rows(6)
    nb = nbformat.reads(member_notebook(rows), as_version=4)
    nb.cells.append(nbformat.from_dict({**nb.cells[0], "execution_count": 9, "id": "again"}))
    nb.cells[-1]["outputs"][0]["execution_count"] = 9
    repo.write("eda.ipynb", nbformat.writes(nb))
    _, result = pii("eda.ipynb", capsys=capsys)
    ssn = [f for f in result["findings"] if f["details"].get("column") == "ssn"]
    assert len(ssn) == 1
    assert ssn[0]["message"].startswith(
        "cell 0, output 0 (execute_result) and 1 more output(s): column 'ssn' holds US social "
        "security numbers: 12 of 12 sampled values")
    assert ssn[0]["details"]["also"] == ["cell 3, output 0 (execute_result)"]


def test_docs_and_tool_settings_are_not_data(repo: Repo, capsys) -> None:
    emails = "".join(f"maintainer{i}@example.org\n" for i in range(5))
    repo.write("docs/contacts.txt", emails)
    repo.write(".vscode/settings.json", json.dumps({"emails": emails.split()}))
    repo.write("CONTRIBUTORS.txt", emails)
    repo.write("data/contacts.txt", emails)
    _, result = pii("docs", ".vscode", "CONTRIBUTORS.txt", "data", capsys=capsys)
    assert {f["path"] for f in result["findings"]} == {"data/contacts.txt"}
