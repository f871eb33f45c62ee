"""check-pii on the real-world set (tests/realworld/pii), and how values are judged."""
from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from gitworthy.pii.values import EVIDENCE, STRONG, WEAK, find
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from tests.conftest import Repo, run, scan_json
from tests.realworld.pii.build import build, score

CHECKOUT = Path(__file__).resolve().parent.parent


def pii(*argv: str, capsys) -> tuple[int, dict]:
    return scan_json(*argv, "--check", "check-pii", capsys=capsys)


def found(result: dict) -> set[tuple[str | None, str]]:
    return {(f["details"].get("column"), f["details"]["entity"]) for f in result["findings"]}


# ---------------------------------------------------------------- the real-world set

def test_real_world_set_precision_and_recall_are_at_least_095(repo: Repo, capsys) -> None:
    cases = build(repo.root)
    _, result = pii(*[c["file"] for c in cases], capsys=capsys)
    # files only the format readers can open (CR-only CSV) are measured by the bench script
    measured = score(cases, result["findings"], skip_needs=frozenset({"readers"}))
    assert measured["precision"] >= 0.95, measured["false_positives"]
    assert measured["recall"] >= 0.95, measured["missed"]


def test_given_name_list_is_what_its_generator_writes() -> None:
    proc = subprocess.run([sys.executable, str(CHECKOUT / "bench/make_given_names.py"),
                           "--check"], capture_output=True, text=True)
    assert proc.returncode == 0, "run python bench/make_given_names.py"


# ---------------------------------------------------------------- values for what they are

def entities(text: str) -> list[tuple[str, str, int]]:
    return [(m.entity, text[m.start:m.end], m.level) for m in find(text)]


@pytest.mark.parametrize("text", [
    "118.44108623570081", "-4111111111111111.5", "1.2345678901234567e+18", "4.111111111111111e15",
    "loss: 0.1234 - accuracy: 0.9876", "41111111111111112222", "4111111111111111_2",
    "/tmp/4111111111111111/model.ckpt", "0.0.0.0", "127.0.0.1", "192.168.1.20",
])
def test_digits_of_decimals_exponents_longer_numbers_and_paths_are_never_ids(text: str) -> None:
    assert [e for e in entities(text) if e[0] != "MEMBER_ID"] == []


@pytest.mark.parametrize("text, entity, level", [
    ("123-45-6789", "US_SSN", STRONG), ("912-78-1234", "US_ITIN", STRONG),
    ("123456789", "US_SSN", EVIDENCE), ("4111 1111 1111 1111", "CREDIT_CARD", STRONG),
    ("4111111111111111", "CREDIT_CARD", WEAK), ("DE89 3704 0044 0532 0130 00", "IBAN_CODE", STRONG),
    ("81.2.69.160", "IP_ADDRESS", STRONG), ("2.2.3.0", "IP_ADDRESS", WEAK),
    ("2a02:1f:3c:44:9:aa:bc:12", "IP_ADDRESS", STRONG), ("2a02:810d::1:2", "IP_ADDRESS", STRONG),
    ("1EG4-TE5-MK73", "US_MBI", STRONG), ("1EG4TE5MK73", "US_MBI", WEAK),
    ("05 34 55 34 91", "PHONE_NUMBER", STRONG), ("+33 5 63 08 37 78", "PHONE_NUMBER", STRONG),
    ("(212) 555-0175", "PHONE_NUMBER", STRONG), ("+49 30 901820", "PHONE_NUMBER", STRONG),
    ("0161 496 0000", "PHONE_NUMBER", STRONG), ("+91 98765 43210", "PHONE_NUMBER", STRONG),
    ("2125550175", "PHONE_NUMBER", EVIDENCE),
    ("12345678Z", "ES_NIF", STRONG), ("X1234567L", "ES_NIF", STRONG),
    ("RSSMRA85T10A562S", "IT_FISCAL_CODE", STRONG), ("AB 12 34 56 C", "UK_NINO", STRONG),
    ("2 84 05 75 056 101 12", "FR_NIR", WEAK), ("44051401359", "PL_PESEL", WEAK),
    ("130 692 544", "CA_SIN", WEAK), ("2345 6789 0124", "IN_AADHAAR", WEAK),
])
def test_values_are_recognized_with_their_checksums(text: str, entity: str, level: int) -> None:
    assert (entity, text, level) in entities(text)


@pytest.mark.parametrize("text", [
    "123-45-6780x", "000-12-3456", "ZZ 12 34 56 C",
    "12345678A", "RSSMRA85T10A562T",  # pragma: allowlist secret
    "2 84 05 75 056 101 13", "130 692 545", "DE89 3704 0044 0532 0130 01", "13:55:36",
    "00:1a:2b:3c:4d:5e", "fe80::1", "0EG4-TE5-MK73", "978-0-417-77631-6", "0-669-07439-X",
])
def test_near_misses_are_not_entities(text: str) -> None:
    strong = [e for e in entities(text) if e[2] != EVIDENCE]
    assert strong == []


def test_itins_are_not_reported_as_ssns(repo: Repo, capsys) -> None:
    rng = random.Random(1)
    rows = "".join(f"9{rng.randint(10, 99)}-{rng.choice([70, 78, 88, 90, 99])}-"
                   f"{rng.randint(1000, 9999)}\n" for _ in range(40))
    repo.write("taxpayers.csv", "tax_id\n" + rows)
    _, result = pii("taxpayers.csv", capsys=capsys)
    assert found(result) == {("tax_id", "US_ITIN")}


# ---------------------------------------------------------------- context

def test_context_words_are_whole_words_on_the_value_s_own_line(repo: Repo, capsys) -> None:
    rng = random.Random(2)
    lines = [f"n{rng.randint(10**7, 10**8 - 1)} status bus minibus {rng.randint(10**8, 10**9 - 1)}"
             for _ in range(100)]
    lines += ["passport check", f"{rng.randint(10**8, 10**9 - 1)}"]  # the word is a line above
    repo.write("classes.txt", "\n".join(lines) + "\n")
    code, result = pii("classes.txt", capsys=capsys)
    assert code == 0, result["findings"]
    repo.write("classes.txt", "\n".join(lines) + f"\npassport {rng.randint(10**8, 10**9 - 1)}\n")
    _, result = pii("classes.txt", capsys=capsys)
    assert [(f["line"], f["details"]["entity"]) for f in result["findings"]] == [
        (len(lines) + 1, "US_PASSPORT")]


def test_the_same_values_are_judged_by_their_own_column_name(repo: Repo, capsys) -> None:
    rng = random.Random(3)
    ids = [f"{rng.randint(100, 665)}{rng.randint(10, 99)}{rng.randint(1000, 9999)}"
           for _ in range(60)]
    repo.write("t.csv", "order_ref,ssn,shipment\n" + "".join(f"{v},{v},{v}\n" for v in ids))
    _, result = pii("t.csv", capsys=capsys)
    assert found(result) == {("ssn", "US_SSN")}


# ---------------------------------------------------------------- names

def test_name_columns_need_names_in_their_values(repo: Repo, capsys) -> None:
    repo.write("cars.csv", "name,mpg\n" + "".join(
        f"{m},{20 + i % 9}\n" for i, m in enumerate(["ford torino", "chevrolet chevelle malibu",
                                                     "plymouth satellite", "amc rebel sst"] * 10)))
    repo.write("passengers.csv", "Name,Fare\n" + "".join(
        f'"{last}, {title} {first}",{7.25 + i}\n' for i, (last, title, first) in enumerate(
            [("Braund", "Mr.", "Owen Harris"), ("Cumings", "Mrs.", "John Bradley"),
             ("Heikkinen", "Miss.", "Laina"), ("Allen", "Mr.", "William Henry")] * 10)))
    _, result = pii("cars.csv", "passengers.csv", capsys=capsys)
    assert {(f["path"], f["details"]["entity"]) for f in result["findings"]} == {
        ("passengers.csv", "PERSON")}


def test_french_headers_and_national_phone_formats(repo: Repo, capsys) -> None:
    from faker import Faker

    fake = Faker("fr_FR")
    fake.seed_instance(4)
    rng = random.Random(4)
    rows = "".join(
        f"{fake.last_name()};{fake.first_name()};0{rng.randint(1, 7)} "
        f"{' '.join(f'{rng.randint(0, 99):02d}' for _ in range(4))};"
        f"{fake.date_of_birth().strftime('%d/%m/%Y')};{fake.city()}\n" for _ in range(60))
    repo.write("clients.csv", "Nom;Prénom;Téléphone;Date de naissance;Ville\n" + rows)
    _, result = pii("clients.csv", capsys=capsys)
    assert found(result) == {("Nom", "PERSON"), ("Prénom", "PERSON"),
                             ("Téléphone", "PHONE_NUMBER"),
                             ("Date de naissance", "DATE_OF_BIRTH")}


# ---------------------------------------------------------------- nothing printed, cost

def test_values_used_as_names_are_never_printed(repo: Repo, capsys) -> None:
    emails = [f"zq{i}.smith@example.org" for i in range(30)]
    repo.write("stats.json", json.dumps({e: {"opened": i} for i, e in enumerate(emails)}))
    people = ["Owen Harris", "Laina Heikkinen", "William Allen", "Florence Thayer"]
    html = ("<table><thead><tr><th></th>" + "".join(f"<th>{p}</th>" for p in people)
            + "</tr></thead><tbody><tr><th>age</th>" + "".join(
                f"<td>{20 + i}</td>" for i in range(4)) + "</tr></tbody></table>")
    nb = new_notebook(cells=[new_code_cell("df.set_index('name').T", outputs=[new_output(
        "execute_result", execution_count=1, data={"text/html": html, "text/plain": "df"})])])
    repo.write("eda.ipynb", nbformat.writes(nb))
    for fmt in ("text", "json", "sarif", "markdown", "github"):
        code, out, err = run("scan", "eda.ipynb", "stats.json", "--check", "check-pii",
                             "--format", fmt, capsys=capsys)
        assert code == 1 and "column names" in out, fmt
        shown = out + err
        leaked = [v for v in emails + people + [p.split()[0] for p in people] if v in shown]
        assert leaked == [], fmt
        assert "smith" not in shown.lower() and "example.org" not in shown, fmt


def test_a_pragma_allows_its_line_not_the_file(repo: Repo, capsys) -> None:
    lines = ["fixture: test@example.org  # gitworthy: allow"]
    lines += [f"user{i}@example.org" for i in range(300)]
    repo.write("mailing.txt", "\n".join(lines) + "\n")
    code, result = pii("mailing.txt", capsys=capsys)
    assert code == 1
    [finding] = result["findings"]
    assert finding["line"] == 2 and finding["details"]["count"] == 300


def test_notebooks_and_csvs_are_judged_without_importing_presidio(repo: Repo) -> None:
    repo.write("m.csv", "email,phone,amount\n" + "".join(
        f"u{i}@example.org,(212) 555-01{i:02d},{i * 1.5}\n" for i in range(40)))
    nb = new_notebook(cells=[new_code_cell("print(x)", outputs=[new_output(
        "stream", name="stdout", text="contact ann@example.org, 118.44108623570081\n")])])
    repo.write("eda.ipynb", nbformat.writes(nb))
    code = ("import sys\nfrom gitworthy.checks.pii import main\n"
            "rc = main(['m.csv', 'eda.ipynb'])\n"
            "assert 'presidio_analyzer' not in sys.modules and 'spacy' not in sys.modules\n"
            "raise SystemExit(rc)")
    proc = subprocess.run([sys.executable, "-c", code], cwd=repo.root, capture_output=True,
                          text=True)
    assert proc.returncode == 1, proc.stderr
    assert "m.csv" in proc.stdout and "eda.ipynb" in proc.stdout


# ---------------------------------------------------------------- fingerprints

def test_notebook_findings_stay_baselined_when_cells_are_added_above(repo: Repo,
                                                                     capsys) -> None:
    big = "x" * 120_000
    cells = [new_code_cell("print(df.to_string())", outputs=[
        new_output("stream", name="stdout", text=f"{big}\ncontact ann@example.org\n"
                   "and bob@example.org\n")])]
    repo.write("eda.ipynb", nbformat.writes(new_notebook(cells=cells)))
    checks = ("--check", "check-pii", "--check", "check-notebook-outputs")
    assert run("baseline", "eda.ipynb", *checks, capsys=capsys)[0] == 0
    cells = [new_markdown_cell("# Notes"), new_code_cell("import pandas as pd"), *cells]
    repo.write("eda.ipynb", nbformat.writes(new_notebook(cells=cells)))
    code, result = scan_json("eda.ipynb", *checks, "--baseline", ".gitworthy-baseline.json",
                             capsys=capsys)
    assert code == 0 and result["findings"] == []


def test_history_judges_each_output_and_column_sample_once(repo: Repo, capsys,
                                                           monkeypatch) -> None:
    from gitworthy.pii import judge

    judged: list[str] = []
    real = judge._tally_batch

    def counting(name: str, values: list[str], settings: judge.Settings) -> judge.Tally:
        judged.append(name)
        return real(name, values, settings)

    monkeypatch.setattr(judge, "_tally_batch", counting)
    judge._MEMO.clear()
    html = ("<table><tr><th>email</th><th>score</th></tr>" + "".join(
        f"<tr><td>u{i}@example.org</td><td>{i / 7!r}</td></tr>" for i in range(12))
        + "</table>")
    cells = [new_code_cell("df.head(12)", outputs=[new_output(
        "execute_result", execution_count=1, data={"text/html": html, "text/plain": "df"})])]
    for version in range(4):  # four commits: a markdown cell added above each time
        cells.insert(0, new_markdown_cell(f"# Step {version}"))
        repo.write("eda.ipynb", nbformat.writes(new_notebook(cells=cells)))
        repo.add()
        repo.commit(f"step {version}")
    code, result = pii("--history", capsys=capsys)
    assert code == 1 and {f["details"].get("column") for f in result["findings"]} == {"email"}
    assert sorted(judged) == ["email", "score"]  # once, not once per version
