"""check-pii readers: every format personal data is kept in is read (or reported as not
inspected), with samples spread over the whole file; files are written by the libraries that
make them, with planted member records (positives) and real scikit-learn tables (negatives)."""
from __future__ import annotations

import bz2
import csv
import gzip
import io
import json
import lzma
import sqlite3
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
from faker import Faker

from tests.conftest import Repo, scan_json

MEMBER_COLUMNS = ["member_id", "full_name", "email", "phone", "ssn", "plan", "premium"]


def members(n: int, seed: int = 7) -> list[list[str]]:
    fake = Faker("en_US")
    fake.seed_instance(seed)
    return [[f"M{fake.random_number(digits=8, fix_len=True)}", fake.name(), fake.email(),
             fake.phone_number(), fake.ssn(), fake.random_element(["gold", "silver"]),
             f"{fake.pyfloat(min_value=50, max_value=900, right_digits=2)}"] for _ in range(n)]


def members_csv(n: int = 40, newline: str = "\n") -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=newline)
    writer.writerow(MEMBER_COLUMNS)
    writer.writerows(members(n))
    return out.getvalue()


def iris_csv() -> str:
    """A real table with no personal data: scikit-learn's bundled iris measurements."""
    from sklearn.datasets import load_iris

    return load_iris(as_frame=True).frame.to_csv(index=False)


def pii(*argv: str, capsys) -> tuple[int, dict]:
    return scan_json(*argv, "--check", "check-pii", capsys=capsys)


def entities(result: dict) -> set[tuple[str, str]]:
    """(path, entity) of every finding."""
    return {(f["path"], f["details"]["entity"]) for f in result["findings"]}


def errors(result: dict) -> dict[str, str]:
    return {e["path"]: e["message"] for e in result["errors"]}


# ---------------------------------------------------------------- dialects and line endings

def test_cr_only_churn_csv_has_its_surname_column_judged(repo: Repo, capsys) -> None:
    fake = Faker("en_GB")
    fake.seed_instance(3)
    header = "RowNumber,CustomerId,Surname,CreditScore,Geography,Gender,Age,Tenure,Balance,Exited"
    rows = [f"{i},{15_600_000 + i},{fake.last_name()},{fake.random_int(350, 850)},France,"
            f"Female,{fake.random_int(18, 92)},{fake.random_int(0, 10)},"
            f"{fake.pyfloat(min_value=0, max_value=250_000, right_digits=2)},"
            f"{fake.random_int(0, 1)}" for i in range(1, 10_001)]
    repo.write("Churn_Modelling.csv", "\r".join([header, *rows]) + "\r")
    code, result = pii("Churn_Modelling.csv", capsys=capsys)
    assert result["errors"] == []
    assert {f["details"]["column"] for f in result["findings"]} == {"Surname"}


def test_cr_only_log_is_read_line_by_line(repo: Repo, capsys) -> None:
    lines = ["INFO job started"] * 30 + ["WARN mail bounced for grace.hopper@example.org"]
    repo.write("mail.log", "\r".join(lines) + "\r")
    _, result = pii("mail.log", capsys=capsys)
    assert [(f["details"]["entity"], f["line"]) for f in result["findings"]] == [
        ("EMAIL_ADDRESS", 31)]


def test_semicolon_csv_with_decimal_commas_and_quoted_line_breaks(repo: Repo, capsys) -> None:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["Nummer", "E-Mail", "Betrag", "Notiz"])
    for i, row in enumerate(members(30)):
        writer.writerow([i, row[2], row[6].replace(".", ","), "Zeile eins\nZeile zwei"])
    repo.write("export.csv", out.getvalue().encode("cp1252"))
    _, result = pii("export.csv", capsys=capsys)
    assert {f["details"]["column"] for f in result["findings"]} == {"E-Mail"}


def test_gzip_bytes_named_csv_are_read_as_the_csv_they_hold(repo: Repo, capsys) -> None:
    repo.write("members.csv", gzip.compress(members_csv().encode()))
    _, result = pii("members.csv", capsys=capsys)
    assert ("members.csv", "EMAIL_ADDRESS") in entities(result) and result["errors"] == []


def test_unknown_binary_named_as_data_blocks_and_says_what_to_do(repo: Repo, capsys) -> None:
    repo.write("extract.csv", b"\x00\x01ENC" + bytes(range(256)) * 40)
    repo.write("dump.dat", b"\x07\x00\x00\x00" + bytes(range(256)) * 40)
    code, result = pii("extract.csv", "dump.dat", capsys=capsys)
    assert code == 1 and result["findings"] == []
    message = errors(result)["extract.csv"]
    assert "not inspected for personal data; give the file its real extension" in message
    assert "dump.dat" not in errors(result)  # .dat is a name binary formats use too


def test_compressed_file_that_is_not_compressed_is_an_error(repo: Repo, capsys) -> None:
    repo.write("members.csv.gz", members_csv())
    code, result = pii("members.csv.gz", capsys=capsys)
    assert code == 1 and "not gzip, bz2, xz or zstd data" in errors(result)["members.csv.gz"]


# ---------------------------------------------------------------- Parquet and Excel by default

def test_parquet_and_excel_readers_are_default_dependencies() -> None:  # not extras
    from importlib.metadata import requires

    plain = {r.split(">")[0].split("=")[0].strip() for r in requires("gitworthy") or []
             if "extra ==" not in r}
    assert {"pyarrow", "python-calamine"} <= plain


def test_parquet_of_one_long_dictionary_value_stays_small_in_memory(repo: Repo) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    value = pa.array(["x" * 1_500_000])
    column = pa.DictionaryArray.from_arrays(pa.array([0] * 1000, pa.int32()), value)
    pq.write_table(pa.table({"note": column}), repo.root / "tiny.parquet",
                   compression="zstd", compression_level=22)
    assert (repo.root / "tiny.parquet").stat().st_size < 4096
    code = ("import resource, sys\nfrom gitworthy.checks.pii import main\nrc = main(['tiny."
            "parquet'])\nprint(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)\n"
            "sys.exit(rc)")
    proc = subprocess.run([sys.executable, "-c", code], cwd=repo.root, capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stdout
    assert int(proc.stdout.split()[-1]) < 600  # MB of peak memory (1.5 GB before)


def test_numeric_parquet_partition_passes(repo: Repo, capsys) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq
    from sklearn.datasets import load_diabetes

    frame = load_diabetes(as_frame=True).frame
    pq.write_table(pa.Table.from_pandas(frame), repo.root / "part-00000.parquet")
    code, result = pii("part-00000.parquet", capsys=capsys)
    assert code == 0 and result["findings"] == [] and result["errors"] == []


# ---------------------------------------------------------------- sampling over the whole file

def test_log_with_personal_data_after_line_1000_is_seen(repo: Repo, capsys) -> None:
    lines = [f"2024-05-01 12:{i // 60 % 60:02d}:{i % 60:02d} INFO epoch {i} step ok"
             for i in range(1400)]
    lines[1250] = "2024-05-01 13:00:00 WARN password reset sent to ada.byron@example.org"
    repo.write("train.log", "\n".join(lines) + "\n")
    assert 55_000 < (repo.root / "train.log").stat().st_size < 70_000
    _, result = pii("train.log", capsys=capsys)
    assert [(f["details"]["entity"], f["line"]) for f in result["findings"]] == [
        ("EMAIL_ADDRESS", 1251)]


def test_xlsx_with_personal_data_after_row_1001_is_seen(repo: Repo, capsys) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["id", "contact", "score"])
    for i in range(1500):
        sheet.append([i, "", i / 7])
    for i, row in enumerate(members(300)):
        sheet.append([1500 + i, row[2], 0.5])
    book.save(repo.root / "scores.xlsx")
    _, result = pii("scores.xlsx", capsys=capsys)
    assert {(f["details"]["column"], f["details"]["entity"]) for f in result["findings"]} == {
        ("contact", "EMAIL_ADDRESS")}


def test_large_csv_with_personal_data_only_in_its_tail_is_seen(repo: Repo, capsys) -> None:
    body = "".join(f"{i},,{i * 0.37:.3f}\n" for i in range(300_000))
    tail = "".join(f"{300_000 + i},{row[2]},1.0\n" for i, row in enumerate(members(400)))
    repo.write("events.csv", "id,email,value\n" + body + tail)
    repo.write(".gitworthy.toml", '[check-pii]\n"max-sample-kb" = 512\n')
    _, result = pii("events.csv", capsys=capsys)
    assert result["stats"]["bytes_read"] < 1024 * 1024
    assert {f["details"]["column"] for f in result["findings"]} == {"email"}


def _parsed(text: str, delimiter: str) -> list[list[str]]:
    dialect = csv.excel()
    dialect.delimiter = delimiter
    return [r for r in csv.reader(io.StringIO(text, newline=""), dialect) if r]


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_csv_rows_read_line_by_line_are_the_rows_the_csv_parser_gives(newline: str) -> None:
    """Unquoted CSV is split line by line and only where sampled; whatever the text, the rows
    (and the rows of one width, which a window keeps) are exactly csv.reader's."""
    from gitworthy.pii import readers

    german = "Kunden-Nr;Vorname;Nachname;Betrag\n1001;Jürgen;Groß;12,50\n\n1002;Anna;Koch;7,00\n"
    quoted = members_csv(30) + '99,"Harris, Owen","o.h@example.org","555",x,y,"1\n2"\n'
    texts = [members_csv(200, newline), iris_csv().replace("\n", newline), german, quoted,
             "a,b\n\0,c\n"]
    for text in texts:
        for delimiter in ",;\t|":
            dialect = csv.excel()
            dialect.delimiter = delimiter
            rows = readers._rows(text, dialect)
            want = _parsed(text, delimiter)
            assert list(rows) == want and [rows[i] for i in range(len(rows))] == want
            assert list(rows[3:50]) == want[3:50]
            if isinstance(rows, readers._PlainRows):
                assert list(rows.of_width(len(want[0]))) == [r for r in want
                                                             if len(r) == len(want[0])]
    dialect = csv.excel()
    assert isinstance(readers._rows(members_csv(5), dialect), readers._PlainRows)
    assert not isinstance(readers._rows(quoted, dialect), readers._PlainRows)


# ---------------------------------------------------------------- compressed files and archives

@pytest.mark.parametrize("name, pack", [
    ("members.csv.gz", gzip.compress),
    ("members.csv.bz2", bz2.compress),
    ("members.csv.xz", lzma.compress),
])
def test_compressed_csv_is_read(repo: Repo, capsys, name: str, pack) -> None:
    repo.write(name, pack(members_csv().encode()))
    code, result = pii(name, capsys=capsys)
    assert code == 1 and (name, "EMAIL_ADDRESS") in entities(result)
    assert all("member 'members.csv'" in f["details"]["where"] for f in result["findings"])


def test_zstd_csv_is_read(repo: Repo, capsys) -> None:
    import pyarrow as pa

    sink = pa.BufferOutputStream()
    with pa.CompressedOutputStream(sink, "zstd") as out:
        out.write(members_csv().encode())
    repo.write("members.csv.zst", sink.getvalue().to_pybytes())
    _, result = pii("members.csv.zst", capsys=capsys)
    assert ("members.csv.zst", "EMAIL_ADDRESS") in entities(result)


def test_zip_holding_a_csv_is_read_and_a_numeric_one_passes(repo: Repo, capsys) -> None:
    with zipfile.ZipFile(repo.root / "export.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("readme.md", "Customer export")
        archive.writestr("export/customers.csv", members_csv())
    with zipfile.ZipFile(repo.root / "iris.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("iris.csv", iris_csv())
    code, result = pii("export.zip", "iris.zip", capsys=capsys)
    found = {f["details"]["where"] for f in result["findings"]}
    assert found == {"member 'export/customers.csv'"} and result["errors"] == []
    assert {f["path"] for f in result["findings"]} == {"export.zip"}


def test_tar_gz_of_data_files_is_read(repo: Repo, capsys) -> None:
    with tarfile.open(repo.root / "snapshot.tar.gz", "w:gz") as archive:
        for name, text in (("snapshot/iris.csv", iris_csv()),
                           ("snapshot/members.jsonl", "".join(
                               json.dumps(dict(zip(MEMBER_COLUMNS, row, strict=True))) + "\n"
                               for row in members(30)))):
            info = tarfile.TarInfo(name)
            info.size = len(text.encode())
            archive.addfile(info, io.BytesIO(text.encode()))
    _, result = pii("snapshot.tar.gz", capsys=capsys)
    assert {f["details"]["where"] for f in result["findings"]} == {
        "member 'snapshot/members.jsonl'"}


def test_decompression_bomb_is_not_inspected(repo: Repo, capsys) -> None:
    repo.write("zeros.csv.gz", gzip.compress(b"0," * 20_000_000, compresslevel=9))
    code, result = pii("zeros.csv.gz", capsys=capsys)
    assert code == 1 and "a decompression bomb?" in errors(result)["zeros.csv.gz"]


def test_corrupt_compressed_files_and_archives_are_errors_not_crashes(repo: Repo,
                                                                      capsys) -> None:
    def damaged(data: bytes) -> bytes:
        middle = bytearray(data)
        for i in range(len(middle) // 3, len(middle) // 3 + 40, 2):
            middle[i] ^= 0xFF
        return bytes(middle)

    repo.write("members.csv.gz", damaged(gzip.compress(members_csv(200).encode())))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("members.csv", members_csv(200))
    repo.write("export.zip", damaged(buffer.getvalue()))
    code, result = pii("members.csv.gz", "export.zip", capsys=capsys)
    assert code == 1 and set(errors(result)) == {"members.csv.gz", "export.zip"}
    assert all("corrupt" in m and "internal error" not in m for m in errors(result).values())


def test_archives_are_opened_three_levels_deep_and_no_deeper(repo: Repo, capsys) -> None:
    def zipped(name: str, data: bytes) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr(name, data)
        return buffer.getvalue()

    three = zipped("in2.zip", zipped("in1.zip", zipped("members.csv", members_csv().encode())))
    repo.write("three.zip", three)
    repo.write("four.zip", zipped("in3.zip", three))
    code, result = pii("three.zip", "four.zip", capsys=capsys)
    assert ("three.zip", "EMAIL_ADDRESS") in entities(result)
    assert "archives nested more than 3 deep" in errors(result)["four.zip"]


def test_compressed_model_is_not_data(repo: Repo, capsys) -> None:
    repo.write("model.pkl.gz", gzip.compress(b"\x80\x04\x95" + bytes(200)))
    code, result = pii("model.pkl.gz", capsys=capsys)
    assert code == 0 and result["findings"] == [] and result["errors"] == []


# ---------------------------------------------------------------- databases and binary tables

def test_sqlite_database_tables_are_read(repo: Repo, capsys) -> None:
    from sklearn.datasets import load_wine

    db = sqlite3.connect(repo.root / "app.db")
    db.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT, email TEXT, "
               "phone TEXT)")
    db.executemany("INSERT INTO customers (name, email, phone) VALUES (?, ?, ?)",
                   [(r[1], r[2], r[3]) for r in members(2000)])
    load_wine(as_frame=True).frame.to_sql("wine", db, index=False)
    db.commit()
    db.close()
    code, result = pii("app.db", capsys=capsys)
    assert code == 1 and result["errors"] == []
    assert {f["details"]["where"] for f in result["findings"]} == {"table 'customers'"}
    assert "email" in {f["details"]["column"] for f in result["findings"]}


def test_sqlite_that_is_corrupt_is_an_error(repo: Repo, capsys) -> None:
    repo.write("broken.sqlite", b"SQLite format 3\x00" + b"\xff" * 2000)
    code, result = pii("broken.sqlite", capsys=capsys)
    assert code == 1 and "not inspected" in errors(result)["broken.sqlite"]


def test_feather_is_read_and_numeric_feather_passes(repo: Repo, capsys) -> None:
    import pandas as pd
    from sklearn.datasets import load_breast_cancer

    pd.DataFrame(members(200), columns=MEMBER_COLUMNS).to_feather(repo.root / "m.feather")
    load_breast_cancer(as_frame=True).frame.to_feather(repo.root / "cancer.feather")
    _, result = pii("m.feather", "cancer.feather", capsys=capsys)
    assert ("m.feather", "EMAIL_ADDRESS") in entities(result)
    assert {f["path"] for f in result["findings"]} == {"m.feather"}


def test_npz_string_arrays_are_read_without_pickle(repo: Repo, capsys) -> None:
    import numpy as np
    from sklearn.datasets import load_iris

    iris = load_iris()
    rows = members(100)
    np.savez(repo.root / "arrays.npz", emails=np.array([r[2] for r in rows]),
             x=iris.data, target_names=iris.target_names)
    np.savez_compressed(repo.root / "iris.npz", x=iris.data, y=iris.target,
                        names=np.array(iris.feature_names))
    _, result = pii("arrays.npz", "iris.npz", capsys=capsys)
    assert {(f["path"], f["details"]["where"]) for f in result["findings"]} == {
        ("arrays.npz", "array 'emails'")}


# ---------------------------------------------------------------- HTML and XML exports

def test_html_and_xml_table_exports_are_read(repo: Repo, capsys) -> None:
    import pandas as pd

    frame = pd.DataFrame(members(60), columns=MEMBER_COLUMNS)
    (repo.root / "report.html").write_text(frame.to_html(index=False))
    frame.to_xml(repo.root / "members.xml", parser="etree", index=False)
    _, result = pii("report.html", "members.xml", capsys=capsys)
    found = {(f["path"], f["details"]["column"]) for f in result["findings"]
             if f["details"]["entity"] == "EMAIL_ADDRESS"}
    assert found == {("report.html", "email"), ("members.xml", "row/email")}


def test_numeric_html_and_xml_exports_pass(repo: Repo, capsys) -> None:
    import pandas as pd

    frame = pd.read_csv(io.StringIO(iris_csv()))
    frame.columns = [c.replace(" (cm)", "").replace(" ", "_") for c in frame.columns]
    (repo.root / "iris.html").write_text(frame.to_html())
    frame.to_xml(repo.root / "iris.xml", parser="etree")
    code, result = pii("iris.html", "iris.xml", capsys=capsys)
    assert code == 0 and result["findings"] == [] and result["errors"] == []


def test_xml_with_entity_declarations_is_not_expanded(repo: Repo, capsys) -> None:
    laughs = '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {chr(98 + i)} "&{chr(97 + i)};&{chr(97 + i)};">' for i in range(9)) + \
        "]><rows><row>&j;</row></rows>"
    repo.write("laughs.xml", laughs)
    code, result = pii("laughs.xml", capsys=capsys)
    assert code == 1 and "entity declarations" in errors(result)["laughs.xml"]


# ---------------------------------------------------------------- data whatever its name

def test_csv_without_extension_or_named_dat_or_txt_is_read_by_content(repo: Repo,
                                                                       capsys) -> None:
    text = members_csv(30)
    repo.write("data/customers", text)
    repo.write("data/customers.dat", text)
    repo.write("data/customers.txt", text)
    repo.write("Makefile", "all:\n\tpython a.py, b.py\n\tpython c.py, d.py\n\tx, y\n")
    _, result = pii("data", "Makefile", capsys=capsys)
    assert {(f["path"], f["details"].get("column")) for f in result["findings"]
            if f["details"]["entity"] == "EMAIL_ADDRESS"} == {
        ("data/customers", "email"), ("data/customers.dat", "email"),
        ("data/customers.txt", "email")}


def test_csv_saved_under_an_excel_name_is_read_as_csv(repo: Repo, capsys) -> None:
    repo.write("members.xlsx", members_csv(30))
    code, result = pii("members.xlsx", capsys=capsys)
    assert ("members.xlsx", "EMAIL_ADDRESS") in entities(result) and result["errors"] == []


def test_json_records_are_data_whatever_the_name_or_folder(repo: Repo, capsys) -> None:
    records = json.dumps([dict(zip(MEMBER_COLUMNS, row, strict=True)) for row in members(30)],
                         indent=2)
    repo.write("history.json", records)
    repo.write("docs/data/customers.json", records)
    repo.write("docs/conf.json", json.dumps({"authors": ["a@example.org", "b@example.org"]}))
    _, result = pii("history.json", "docs", capsys=capsys)
    assert {p for p, e in entities(result) if e == "EMAIL_ADDRESS"} == {
        "history.json", "docs/data/customers.json"}


def test_rows_behind_a_fake_lfs_pointer_header_are_read(repo: Repo, capsys) -> None:
    pointer = ("version https://git-lfs.github.com/spec/v1\noid sha256:" + "a" * 64 +
               "\nsize 123456\n")
    rows = "".join(f"{r[1]},{r[2]},{r[4]}\n" for r in members(6))
    repo.write("members.csv", pointer + rows)
    repo.write("real.csv", pointer)
    _, result = pii("members.csv", "real.csv", capsys=capsys)
    assert {p for p, _ in entities(result)} == {"members.csv"}


def test_no_value_of_any_new_format_is_printed(repo: Repo, capsys) -> None:
    rows = members(40)
    repo.write("members.csv.gz", gzip.compress(members_csv(40).encode()))
    db = sqlite3.connect(repo.root / "people.sqlite")
    db.execute("CREATE TABLE people (name TEXT, email TEXT, ssn TEXT)")
    db.executemany("INSERT INTO people VALUES (?, ?, ?)", [(r[1], r[2], r[4]) for r in rows])
    db.commit()
    db.close()
    for fmt in ("text", "json", "sarif", "markdown"):
        from tests.conftest import run

        _, out, err = run("scan", "--check", "check-pii", "--format", fmt, "members.csv.gz",
                          "people.sqlite", capsys=capsys)
        for row in rows:
            for value in (row[1], row[2], row[4]):
                assert value not in out + err


def test_archive_member_paths_stay_inside_the_finding(repo: Repo, capsys) -> None:
    with zipfile.ZipFile(repo.root / "x.zip", "w") as archive:
        archive.writestr("../../etc/members.csv", members_csv(20))
    _, result = pii("x.zip", capsys=capsys)
    assert not (Path(repo.root).parent.parent / "etc" / "members.csv").exists()
    assert {f["path"] for f in result["findings"]} == {"x.zip"}


# ---------------------------------------------------------------- notebook outputs

def member_frame(n: int = 30):
    import pandas as pd

    return pd.DataFrame(members(n), columns=MEMBER_COLUMNS)


def iris_frame():
    from sklearn.datasets import load_iris

    frame = load_iris(as_frame=True).frame
    frame.columns = [c.replace(" (cm)", "").replace(" ", "_") for c in frame.columns]
    return frame


def notebook(*outputs, markdown: str = "", metadata: dict | None = None) -> str:
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    cells = [new_markdown_cell(markdown or "# Analysis"),
             new_code_cell("show()", execution_count=1, outputs=list(outputs))]
    nb = new_notebook(cells=cells, metadata=metadata or {})
    nbformat.validate(nb)
    return nbformat.writes(nb)


def table_schema_output(frame):
    import pandas as pd
    from nbformat.v4 import new_output

    with pd.option_context("display.html.table_schema", True):
        resource = json.loads(json.dumps(frame._repr_data_resource_()))
    return new_output("execute_result", execution_count=1, data={
        "application/vnd.dataresource+json": resource, "text/plain": repr(frame.head(2))})


def altair_output(frame, x: str, y: str):
    import altair as alt
    from nbformat.v4 import new_output

    with alt.renderers.enable("mimetype"):
        bundle, _ = alt.Chart(frame).mark_point().encode(x=x, y=y)._repr_mimebundle_()
    # Jupyter stores JSON payloads under `...+json` keys (Altair 5: vnd.vegalite.v5+json);
    # Altair 6 names its bundle `vnd.vegalite.v6.json`, which nbformat's schema rejects.
    data = {k[:-5] + "+json" if k.endswith(".json") else k: v for k, v in bundle.items()}
    return new_output("display_data", data=json.loads(json.dumps(data)))


def notebook_entities(repo: Repo, text: str, capsys) -> set[tuple[str, str]]:
    repo.write("analysis.ipynb", text)
    _, result = pii("analysis.ipynb", capsys=capsys)
    assert result["errors"] == []
    return {(f["details"]["where"], f["details"]["entity"]) for f in result["findings"]}


def test_pandas_table_schema_output_is_read(repo: Repo, capsys) -> None:
    found = notebook_entities(repo, notebook(table_schema_output(member_frame())), capsys)
    assert ("cell 1, output 0 (execute_result)", "EMAIL_ADDRESS") in found


def test_altair_chart_records_are_read(repo: Repo, capsys) -> None:
    found = notebook_entities(repo, notebook(altair_output(member_frame(), "premium", "email")),
                              capsys)
    assert ("cell 1, output 0 (display_data)", "EMAIL_ADDRESS") in found


def test_html_output_that_is_not_a_table_is_read(repo: Repo, capsys) -> None:
    from nbformat.v4 import new_output

    rows = members(5)
    html = "<h3>Escalations</h3><ul>" + "".join(
        f"<li>{r[1]} &lt;{r[2]}&gt; called about claim {i}</li>" for i, r in enumerate(rows))
    output = new_output("display_data", data={
        "text/html": html + "</ul>", "text/plain": "<IPython.core.display.HTML object>"})
    assert ("cell 1, output 0 (display_data)", "EMAIL_ADDRESS") in notebook_entities(
        repo, notebook(output), capsys)


def test_markdown_cell_with_a_pasted_table_is_read(repo: Repo, capsys) -> None:
    rows = members(8)
    table = "| Name | E-mail | SSN |\n|---|---|---|\n" + "".join(
        f"| {r[1]} | {r[2]} | {r[4]} |\n" for r in rows)
    found = notebook_entities(repo, notebook(markdown="Customers who complained:\n\n" + table),
                              capsys)
    assert ("cell 0 (markdown table)", "EMAIL_ADDRESS") in found
    assert ("cell 0 (markdown table)", "US_SSN") in found


def test_data_grid_widget_state_is_read(repo: Repo, capsys) -> None:
    # The shape ipydatagrid saves (DataGridModel state `_data`: pandas' orient="table").
    frame = member_frame(20)
    data = json.loads(frame.to_json(orient="table"))
    state = {"state": {"7f3a": {"model_module": "ipydatagrid", "model_name": "DataGridModel",
                                "model_module_version": "^1.1.0",
                                "state": {"_data": {**data, "fields": []}}}},
             "version_major": 2, "version_minor": 0}
    metadata = {"widgets": {"application/vnd.jupyter.widget-state+json": state}}
    found = notebook_entities(repo, notebook(metadata=metadata), capsys)
    assert ("widget state (notebook metadata)", "EMAIL_ADDRESS") in found


def test_stream_with_personal_data_after_1000_progress_lines_is_seen(repo: Repo,
                                                                     capsys) -> None:
    from nbformat.v4 import new_output

    progress = "".join(f"Epoch {i}/1500 - loss: {1 / (i + 1):.5f} - acc: 0.{i % 97:02d}\n"
                       for i in range(1500))
    text = progress + "Sent report to grace.hopper@example.org\n"
    found = notebook_entities(repo, notebook(new_output("stream", name="stdout", text=text)),
                              capsys)
    assert found == {("cell 1, output 0 (stream)", "EMAIL_ADDRESS")}


def test_error_output_is_read(repo: Repo, capsys) -> None:
    from nbformat.v4 import new_output

    output = new_output("error", ename="KeyError", evalue="'ada.byron@example.org'",
                        traceback=["\x1b[0;31mKeyError\x1b[0m: 'ada.byron@example.org'"])
    assert ("cell 1, output 0 (error)", "EMAIL_ADDRESS") in notebook_entities(
        repo, notebook(output), capsys)


def test_numeric_charts_schemas_and_markdown_metrics_pass(repo: Repo, capsys) -> None:
    from nbformat.v4 import new_output

    iris = iris_frame()
    metrics = "| model | accuracy | f1 |\n|---|---|---|\n| logistic | 0.953 | 0.951 |\n" \
              "| forest | 0.967 | 0.966 |\n"
    progress = "".join(f"Epoch {i}/1500 - loss: {1 / (i + 1):.5f}\n" for i in range(1500))
    text = notebook(table_schema_output(iris), altair_output(iris, "sepal_length", "petal_width"),
                    new_output("stream", name="stdout", text=progress), markdown=metrics)
    assert notebook_entities(repo, text, capsys) == set()


# ---------------------------------------------------------------- the pre-commit hook

def test_pre_commit_hook_environment_reads_parquet_and_excel(repo: Repo,
                                                             hook_home: dict[str, str]) -> None:
    import os

    import openpyxl
    import pyarrow as pa
    import pyarrow.parquet as pq
    from sklearn.datasets import load_diabetes

    from tests.conftest import CHECKOUT, GIT_ENV, checkout_head

    repo.write(".pre-commit-config.yaml", f"repos:\n- repo: {CHECKOUT}\n  rev: "
                                          f"{checkout_head()}\n  hooks:\n  - id: check-pii\n")
    pq.write_table(pa.Table.from_pandas(load_diabetes(as_frame=True).frame),
                   repo.root / "part-00000.parquet")
    book = openpyxl.Workbook()
    book.active.append(MEMBER_COLUMNS)
    for row in members(40):
        book.active.append(row)
    book.save(repo.root / "members.xlsx")
    repo.add()
    proc = subprocess.run([str(Path(sys.executable).with_name("pre-commit")), "run",
                           "--all-files"], cwd=repo.root, capture_output=True, text=True,
                          env={**os.environ, **GIT_ENV, **hook_home})
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "members.xlsx: error check-pii [pii-in-data] sheet 'Sheet': column 'email'" in \
        proc.stdout
    assert "part-00000.parquet" not in proc.stdout  # read, and nothing personal in it
