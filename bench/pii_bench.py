"""check-pii benchmark: throughput against naive presidio and plain parsing, accuracy of the
no-model configuration, peak memory on a 1 GB CSV. Everything is generated in a temp dir.

    .venv/bin/python bench/pii_bench.py                 # full run (1 GB memory test included)
    .venv/bin/python bench/pii_bench.py --skip-gb       # without the 1 GB file
    .venv/bin/python bench/pii_bench.py --rows 20000 --naive-rows 100   # quicker

Side by side, in one run, on the same files:
- parse:     csv.reader over the whole CSV (json.load for notebooks): the floor of any reader.
- naive:     presidio `analyze()` once per cell (per output text for notebooks), on the same
             blank spaCy pipeline (presidio's default engine would download a
             382 MB model). It is far too slow for the whole file: it runs on the first
             `--naive-rows` rows and its MB/s is extrapolated from that slice.
- gitworthy: `check-pii` in a fresh process (cold: imports and engine build included) and in
             process (warm: engine built), default options (sampled).
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HEADER = ["member_id", "first_name", "last_name", "ssn", "dob", "email", "phone",
          "street_address", "city", "state", "zip", "plan", "premium", "claim_amount",
          "visit_date", "notes"]
MB = 1024 * 1024


# ---------------------------------------------------------------- data

def pools(seed: int = 42, size: int = 5000) -> dict[str, list[str]]:
    """Faker values per column; rows are drawn from these pools (fast for 100k+ rows)."""
    from faker import Faker

    fake = Faker("en_US")
    fake.seed_instance(seed)
    return {
        "first_name": [fake.first_name() for _ in range(size)],
        "last_name": [fake.last_name() for _ in range(size)],
        "ssn": [fake.ssn() for _ in range(size)],
        "dob": [fake.date_of_birth().isoformat() for _ in range(size)],
        "email": [fake.email() for _ in range(size)],
        "phone": [fake.phone_number() for _ in range(size)],
        "street_address": [fake.street_address() for _ in range(size)],
        "city": [fake.city() for _ in range(size)],
        "state": [fake.state_abbr() for _ in range(size)],
        "zip": [fake.zipcode() for _ in range(size)],
        "visit_date": [fake.date_between("-2y").isoformat() for _ in range(size)],
        "notes": [fake.sentence(nb_words=10) for _ in range(size)],
    }


def member_rows(n: int, pool: dict[str, list[str]], seed: int = 1) -> list[list[str]]:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        row = []
        for name in HEADER:
            if name == "member_id":
                row.append(f"M{100000000 + i * 7919 % 899999999}")
            elif name == "plan":
                row.append(rng.choice(["gold", "silver", "bronze"]))
            elif name in ("premium", "claim_amount"):
                row.append(f"{rng.uniform(10, 2000):.2f}")
            else:
                row.append(rng.choice(pool[name]))
        rows.append(row)
    return rows


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)


def write_notebooks(directory: Path, pool: dict[str, list[str]], count: int) -> list[Path]:
    """Notebooks like real EDA: DataFrame HTML outputs of member rows (the first two show the
    same rows, as df.head() before and after a step does), training logs, a plot."""
    import base64

    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

    rng = random.Random(3)
    paths = []
    for n in range(count):
        cells = [new_markdown_cell("# Member analysis")]
        for k in range(4):
            # df.head() twice (before and after a transform: the same rows), then two samples
            rows = member_rows(20, pool, seed=n * 10 + max(k, 1))
            html = ("<table class='dataframe'><thead><tr><th></th>"
                    + "".join(f"<th>{h}</th>" for h in HEADER) + "</tr></thead><tbody>"
                    + "".join(f"<tr><th>{i}</th>" + "".join(f"<td>{v}</td>" for v in r)
                              + "</tr>" for i, r in enumerate(rows)) + "</tbody></table>")
            text = "\n".join("  ".join(r[:7]) for r in rows)
            cells.append(new_code_cell(f"df.sample({k})", execution_count=2 * k + 1, outputs=[
                new_output("execute_result", execution_count=2 * k + 1,
                           data={"text/html": html, "text/plain": text})]))
            log = "".join(f"epoch {e} loss {rng.random():.4f}\n" for e in range(50))
            cells.append(new_code_cell("train()", execution_count=2 * k + 2, outputs=[
                new_output("stream", name="stdout", text=log + f"contact {rows[k][5]}\n"),
                new_output("display_data", data={
                    "image/png": base64.b64encode(os.urandom(20_000)).decode(),
                    "text/plain": "<Figure size 640x480>"})]))
        path = directory / f"eda_{n:02d}.ipynb"
        nbformat.write(new_notebook(cells=cells), str(path))
        paths.append(path)
    return paths


# ---------------------------------------------------------------- engines

def naive_analyzer():
    """presidio's AnalyzerEngine with every default recognizer, on a blank spaCy pipeline
    (the default engine would download a model; tldextract uses its bundled suffix list)."""
    import spacy
    import tldextract.tldextract as tld
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NlpArtifacts, SpacyNlpEngine

    class BlankEngine(SpacyNlpEngine):
        def __init__(self) -> None:
            super().__init__(models=[{"lang_code": "en", "model_name": "blank"}])
            self.nlp = {"en": spacy.blank("en")}

        def load(self) -> None:
            pass

        def _doc_to_nlp_artifact(self, doc, language):
            return NlpArtifacts(entities=[], tokens=doc, tokens_indices=[t.idx for t in doc],
                                lemmas=[t.lower_ for t in doc], nlp_engine=self,
                                language=language, scores=[])

    tld.TLD_EXTRACTOR = tld.TLDExtract(suffix_list_urls=(), cache_dir=None,
                                       fallback_to_snapshot=True)
    engine = BlankEngine()
    registry = RecognizerRegistry(supported_languages=["en"])
    registry.load_predefined_recognizers(nlp_engine=engine, languages=["en"])
    return AnalyzerEngine(registry=registry, nlp_engine=engine, supported_languages=["en"])


def gitworthy_options() -> dict:
    from gitworthy.config import Config

    return Config().options("check-pii")


def gitworthy_warm(paths: list[Path]) -> tuple[float, list]:
    from gitworthy.checks import pii
    from gitworthy.pii.values import phone_valid
    from gitworthy.sources import DiskFile

    options = gitworthy_options()
    phone_valid("+1 212 555 0175")  # warm: phonenumbers imported (a hook pays it, see cold)
    started = time.perf_counter()
    findings = []
    for path in paths:
        findings += list(pii.check(DiskFile(path.name, path), options, None))
    return time.perf_counter() - started, findings


def gitworthy_cold(paths: list[Path]) -> tuple[float, int]:
    """A fresh process, like a pre-commit hook: imports, engine build, scan."""
    exe = Path(sys.executable).with_name("check-pii")
    started = time.perf_counter()
    proc = subprocess.run([str(exe), *map(str, paths)], capture_output=True, text=True,
                          cwd=paths[0].parent)
    return time.perf_counter() - started, proc.returncode


# ---------------------------------------------------------------- throughput

def csv_throughput(path: Path, naive_rows: int) -> dict:
    size = path.stat().st_size
    started = time.perf_counter()
    with open(path, newline="", encoding="utf-8") as fh:
        cells = sum(len(row) for row in csv.reader(fh))
    parse = time.perf_counter() - started

    analyzer = naive_analyzer()
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        next(reader)
        rows = [row for _, row in zip(range(naive_rows), reader, strict=False)]
    slice_bytes = sum(len(",".join(r)) + 1 for r in rows)
    started = time.perf_counter()
    for row in rows:
        for value in row:
            analyzer.analyze(value, language="en")
    naive = time.perf_counter() - started

    cold, code = gitworthy_cold([path])
    warm, findings = gitworthy_warm([path])
    return {"file_mb": size / MB, "cells": cells, "parse_s": parse, "naive_slice_rows": len(rows),
            "naive_slice_mb": slice_bytes / MB, "naive_slice_s": naive,
            "naive_mb_s": slice_bytes / MB / naive, "parse_mb_s": size / MB / parse,
            "cold_s": cold, "cold_mb_s": size / MB / cold, "warm_s": warm,
            "warm_mb_s": size / MB / warm, "findings": len(findings), "exit": code}


def notebook_throughput(paths: list[Path]) -> dict:
    from gitworthy.notebooks import iter_cells, load
    from gitworthy.sources import DiskFile

    size = sum(p.stat().st_size for p in paths)
    started = time.perf_counter()
    for p in paths:
        json.loads(p.read_bytes())
    parse = time.perf_counter() - started

    analyzer = naive_analyzer()
    sample = paths[:2]
    sample_bytes = sum(p.stat().st_size for p in sample)
    started = time.perf_counter()
    for p in sample:
        for cell in iter_cells(load(DiskFile(p.name, p))):
            for out in cell.outputs:
                if out.text:
                    analyzer.analyze(out.text, language="en")
    naive = time.perf_counter() - started
    cold, code = gitworthy_cold(paths)
    warm, findings = gitworthy_warm(paths)
    return {"file_mb": size / MB, "notebooks": len(paths), "parse_mb_s": size / MB / parse,
            "naive_sample_notebooks": len(sample), "naive_mb_s": sample_bytes / MB / naive,
            "cold_s": cold, "cold_mb_s": size / MB / cold, "warm_s": warm,
            "warm_mb_s": size / MB / warm, "findings": len(findings), "exit": code}


# ---------------------------------------------------------------- accuracy

def labeled_columns(rows: int, seed: int = 11) -> tuple[list[str], list[list[str]],
                                                        dict[str, str | None]]:
    """A table whose columns are labelled with the entity they hold (None: no PII)."""
    from faker import Faker

    fake = Faker("en_US")
    fake.seed_instance(seed)
    uk = Faker("en_GB")
    uk.seed_instance(seed)
    rng = random.Random(seed)

    def npi() -> str:
        body = rng.choice("12") + "".join(rng.choice("0123456789") for _ in range(8))
        total = 0
        for i, d in enumerate(reversed([int(c) for c in "80840" + body])):
            d = d * 2 if i % 2 == 0 else d
            total += d - 9 if d > 9 else d
        return body + str((10 - total % 10) % 10)

    def mbi() -> str:
        a = "ACDEFGHJKMNPQRTUVWXY"
        d = "0123456789"
        c = rng.choice
        return (c("123456789") + c(a) + c(d) + c(d) + c(a) + c(d) + c(d) + c(a) + c(a)
                + c(d) + c(d))

    spec: list[tuple[str, str | None, object]] = [
        ("ssn", "US_SSN", fake.ssn), ("email", "EMAIL_ADDRESS", fake.email),
        ("phone", "PHONE_NUMBER", fake.phone_number),
        ("date_of_birth", "DATE_OF_BIRTH", lambda: fake.date_of_birth().isoformat()),
        ("medicare_id", "US_MBI", mbi), ("npi", "US_NPI", npi),
        ("member_id", "MEMBER_ID", lambda: f"W{fake.random_number(digits=9, fix_len=True)}"),
        ("first_name", "PERSON", fake.first_name), ("patient_name", "PERSON", fake.name),
        ("street_address", "LOCATION", fake.street_address),
        ("card_number", "CREDIT_CARD", fake.credit_card_number),
        ("iban", "IBAN_CODE", fake.iban), ("client_ip", "IP_ADDRESS", fake.ipv4),
        ("social_security_number", "US_SSN", lambda: fake.ssn().replace("-", "")),
        ("birth_date", "DATE_OF_BIRTH", lambda: fake.date_of_birth().strftime("%m/%d/%Y")),
        ("mobile", "PHONE_NUMBER", uk.phone_number),         # UK formats
        ("contact", "EMAIL_ADDRESS", fake.email),            # announced by values, not name
        ("ref", "US_SSN", fake.ssn),                         # no name evidence at all
        # negatives: numbers and codes that look like identifiers, dates that are not births
        ("claim_amount", None, lambda: f"{rng.uniform(1, 9999):.2f}"),
        ("order_ref", None, lambda: str(rng.randint(10**9, 10**10 - 1))),
        ("visit_date", None, lambda: fake.date_between("-2y").isoformat()),
        ("zip", None, fake.zipcode), ("plan_code", None, lambda: f"PLN-{rng.randint(100, 999)}"),
        ("product_name", None, lambda: fake.word().title() + " " + fake.word()),
        ("uuid", None, lambda: str(fake.uuid4())),
        ("quantity", None, lambda: str(rng.randint(1, 500))),
        ("score", None, lambda: f"{rng.random():.6f}"),
        ("timestamp", None, lambda: str(rng.randint(1_600_000_000, 1_700_000_000))),
        ("notes", None, lambda: fake.sentence(nb_words=9)),
        ("transaction_id", None, lambda: str(rng.randint(10**15, 10**16 - 1))),  # Luhn ~10%
        ("sku", None, lambda: f"{fake.lexify('??').upper()}-{rng.randint(10000, 99999)}-X"),
        ("build_version", None, lambda: f"{rng.randint(1, 9)}.{rng.randint(0, 30)}."
                                        f"{rng.randint(0, 99)}"),
        ("balance", None, lambda: f"{rng.uniform(-5000, 100000):.2f}"),
        ("isbn", None, fake.isbn13), ("hex_hash", None, lambda: fake.sha1()[:12]),
    ]
    header = [name for name, _, _ in spec]
    table = [[str(make()) for _, _, make in spec] for _ in range(rows)]
    return header, table, {name: label for name, label, _ in spec}


def accuracy(rows: int, naive_rows: int, tmp: Path) -> dict:
    header, table, labels = labeled_columns(rows)
    path = tmp / "labeled.csv"
    write_csv(path, table, header)
    _, findings = gitworthy_warm([path])
    predicted = {(f.details["column"], f.details["entity"]) for f in findings}
    truth = {(c, e) for c, e in labels.items() if e}
    tp = len(predicted & truth)
    col = {"precision": tp / max(1, len(predicted)), "recall": tp / len(truth),
           "missed": sorted(truth - predicted), "false": sorted(predicted - truth)}

    # cell level, both tools, on the naive slice: a PII cell counts as found when the tool
    # gives it its true entity (gitworthy: its column was flagged with that entity).
    analyzer = naive_analyzer()
    n_tp = n_fp = a_tp = a_fp = g_tp = g_fp = positives = 0
    flagged = dict(predicted)
    started = time.perf_counter()
    for row in table[:naive_rows]:
        for name, value in zip(header, row, strict=True):
            label = labels[name]
            positives += label is not None
            found = analyzer.analyze(value, language="en")
            entities = {r.entity_type for r in found if r.score >= 0.5}
            if label in entities:
                n_tp += 1
            elif entities:
                n_fp += 1
            every = {r.entity_type for r in found}  # presidio's default threshold is 0
            if label in every:
                a_tp += 1
            elif every:
                a_fp += 1
            if name in flagged:
                g_tp += flagged[name] == label
                g_fp += flagged[name] != label
    naive_s = time.perf_counter() - started
    cells = {"naive_recall": n_tp / positives, "naive_precision": n_tp / max(1, n_tp + n_fp),
             "naive_any_score_recall": a_tp / positives,
             "naive_any_score_precision": a_tp / max(1, a_tp + a_fp),
             "gitworthy_recall": g_tp / positives,
             "gitworthy_precision": g_tp / max(1, g_tp + g_fp), "cells": naive_rows * len(header),
             "naive_s": naive_s}
    return {"columns": col, "cells": cells}


def labeled_lines(count: int, seed: int = 21) -> list[tuple[str, str | None]]:
    """Log/notes lines, half of them holding one entity (label), half numbers that are not."""
    from faker import Faker

    fake = Faker("en_US")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    positive = [
        (lambda: f"Customer wrote from {fake.email()} about the refund", "EMAIL_ADDRESS"),
        (lambda: f"verified identity, SSN {fake.ssn()} on file", "US_SSN"),
        (lambda: f"called back at {fake.phone_number()} after lunch", "PHONE_NUMBER"),
        (lambda: f"member DOB {fake.date_of_birth().isoformat()} confirmed", "DATE_OF_BIRTH"),
        (lambda: f"paid with card {fake.credit_card_number()} yesterday", "CREDIT_CARD"),
        (lambda: f"login from {fake.ipv4()} blocked", "IP_ADDRESS"),
    ]
    negative = [
        lambda: f"batch {rng.randint(1, 999)} processed {rng.randint(1000, 99999)} rows in "
                f"{rng.random() * 100:.2f}s",
        lambda: f"order {rng.randint(10**6, 10**7)} shipped, total {rng.uniform(5, 900):.2f}",
        lambda: f"epoch {rng.randint(1, 50)} loss {rng.random():.4f} acc {rng.random():.4f}",
        lambda: f"released version {rng.randint(1, 9)}.{rng.randint(0, 20)} on "
                f"{fake.date_between('-1y').isoformat()}",
        lambda: fake.sentence(nb_words=10),
    ]
    lines: list[tuple[str, str | None]] = []
    for i in range(count):
        if i % 2:
            make, label = rng.choice(positive)
            lines.append((make(), label))
        else:
            lines.append((rng.choice(negative)(), None))
    return lines


def text_accuracy(count: int) -> dict:
    """Line-level recall/precision on free text: gitworthy's text judge (recognizers with
    checksums, same-line context) against naive analyze() per line, both without a model."""
    from gitworthy.pii.judge import Settings, judge_text

    lines = labeled_lines(count)
    settings = Settings()
    started = time.perf_counter()
    found: dict[int, set[str]] = {}
    for i, (text, _) in enumerate(lines):
        for hit in judge_text([(i, text)], settings):
            found.setdefault(i, set()).add(hit.entity)
    ours_s = time.perf_counter() - started
    analyzer = naive_analyzer()
    started = time.perf_counter()
    naive = {i: {r.entity_type for r in analyzer.analyze(text, language="en") if r.score >= 0.5}
             for i, (text, _) in enumerate(lines)}
    naive_s = time.perf_counter() - started

    def score(pred: dict[int, set[str]]) -> tuple[float, float]:
        positives = sum(1 for _, label in lines if label)
        tp = sum(1 for i, (_, label) in enumerate(lines) if label and label in pred.get(i, ()))
        flagged = sum(1 for i in range(len(lines)) if pred.get(i))
        return tp / positives, tp / max(1, flagged)

    (g_r, g_p), (n_r, n_p) = score(found), score(naive)
    return {"lines": count, "gitworthy_recall": g_r, "gitworthy_precision": g_p,
            "naive_recall": n_r, "naive_precision": n_p, "gitworthy_s": ours_s,
            "naive_s": naive_s}


# ---------------------------------------------------------------- memory

PEAK = ("import resource, sys, time\nfrom gitworthy.checks.pii import main\n"
        "t = time.perf_counter(); rc = main(sys.argv[1:])\n"
        "print('SECONDS', time.perf_counter() - t)\n"
        "print('PEAK_KB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
        "raise SystemExit(0)")


def peak(path: Path, *extra: str) -> dict:
    """Seconds and peak RSS of check-pii on one file, in a fresh process."""
    proc = subprocess.run([sys.executable, "-c", PEAK, str(path), *extra], capture_output=True,
                          text=True, cwd=path.parent)
    values = dict(line.split() for line in proc.stdout.splitlines()
                  if line.startswith(("SECONDS", "PEAK_KB")))
    return {"seconds": float(values["SECONDS"]), "peak_mb": int(values["PEAK_KB"]) / 1024}


def gigabyte(tmp: Path, pool: dict[str, list[str]], target_mb: int) -> dict:
    path = tmp / "huge.csv"
    block = io.StringIO()
    writer = csv.writer(block)
    writer.writerows(member_rows(20_000, pool, seed=5))
    chunk = block.getvalue().encode()
    with open(path, "wb") as fh:
        fh.write((",".join(HEADER) + "\n").encode())
        while fh.tell() < target_mb * MB:
            fh.write(chunk)
    size = path.stat().st_size
    results = {"sampled": peak(path)}
    started = time.perf_counter()
    with open(path, newline="", encoding="utf-8") as fh:
        for _ in csv.reader(fh):
            pass
    results["parse_only_s"] = time.perf_counter() - started
    baseline = subprocess.run([sys.executable, "-c",
                               "import resource; import gitworthy.pii.judge, phonenumbers;"
                               "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"],
                              capture_output=True, text=True, cwd=ROOT)
    results["import_only_peak_mb"] = int(baseline.stdout.strip()) / 1024
    results["file_mb"] = size / MB
    path.unlink()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--naive-rows", type=int, default=300,
                        help="rows the naive baseline analyses (then extrapolated)")
    parser.add_argument("--notebooks", type=int, default=20)
    parser.add_argument("--labeled-rows", type=int, default=2000)
    parser.add_argument("--labeled-lines", type=int, default=2000)
    parser.add_argument("--gb-mb", type=int, default=1024, help="size of the memory test file")
    parser.add_argument("--skip-gb", action="store_true")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="gitworthy-pii-bench-"))
    report: dict = {"python": sys.version.split()[0], "cpus": os.cpu_count()}
    try:
        pool = pools()
        csv_path = tmp / "members.csv"
        write_csv(csv_path, member_rows(args.rows, pool))
        report["csv"] = csv_throughput(csv_path, args.naive_rows)
        report["csv"]["exhaustive"] = peak(csv_path, "--exhaustive")
        report["csv"]["speedup_cold"] = report["csv"]["cold_mb_s"] / report["csv"]["naive_mb_s"]
        report["csv"]["speedup_warm"] = report["csv"]["warm_mb_s"] / report["csv"]["naive_mb_s"]
        nb_dir = tmp / "notebooks"
        nb_dir.mkdir()
        report["notebooks"] = notebook_throughput(write_notebooks(nb_dir, pool, args.notebooks))
        nb = report["notebooks"]
        nb["speedup_cold"] = nb["cold_mb_s"] / nb["naive_mb_s"]
        nb["speedup_warm"] = nb["warm_mb_s"] / nb["naive_mb_s"]
        report["accuracy"] = accuracy(args.labeled_rows, min(args.naive_rows, args.labeled_rows),
                                      tmp)
        report["accuracy"]["text"] = text_accuracy(args.labeled_lines)
        if not args.skip_gb:
            report["memory"] = gigabyte(tmp, pool, args.gb_mb)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(json.dumps(report, indent=2, default=str))
    _summary(report)
    return 0


def _summary(r: dict) -> None:
    c, n, a = r["csv"], r["notebooks"], r["accuracy"]
    print(f"\nCSV {c['file_mb']:.1f} MB, {c['cells']:,} cells:")
    print(f"  parse only (csv.reader)      {c['parse_mb_s']:8.2f} MB/s")
    print(f"  naive presidio (per cell)    {c['naive_mb_s']:8.4f} MB/s  (first "
          f"{c['naive_slice_rows']} rows, extrapolated)")
    print(f"  gitworthy cold (new process) {c['cold_mb_s']:8.2f} MB/s  "
          f"{c['speedup_cold']:,.0f}x naive ({c['cold_s']:.2f} s)")
    print(f"  gitworthy warm (in process)  {c['warm_mb_s']:8.2f} MB/s  "
          f"{c['speedup_warm']:,.0f}x naive ({c['warm_s']:.2f} s)")
    e = c["exhaustive"]
    print(f"  gitworthy --exhaustive       {c['file_mb'] / e['seconds']:8.2f} MB/s  "
          f"({e['seconds']:.1f} s, peak RSS {e['peak_mb']:.0f} MB)")
    print(f"Notebooks {n['notebooks']} files, {n['file_mb']:.1f} MB:")
    print(f"  parse only (json.loads)      {n['parse_mb_s']:8.2f} MB/s")
    print(f"  naive presidio (per output)  {n['naive_mb_s']:8.4f} MB/s")
    print(f"  gitworthy cold / warm        {n['cold_mb_s']:8.2f} / {n['warm_mb_s']:.2f} MB/s  "
          f"{n['speedup_cold']:,.0f}x / {n['speedup_warm']:,.0f}x naive")
    cl, ce = a["columns"], a["cells"]
    print(f"Accuracy (no model, {ce['cells']:,} labelled cells for the cell-level figures):"
          f" columns precision {cl['precision']:.2f} recall "
          f"{cl['recall']:.2f}; cells recall gitworthy {ce['gitworthy_recall']:.2f} vs naive "
          f"{ce['naive_recall']:.2f}, precision {ce['gitworthy_precision']:.2f} vs "
          f"{ce['naive_precision']:.2f} (naive at presidio's default threshold 0: recall "
          f"{ce['naive_any_score_recall']:.2f}, precision {ce['naive_any_score_precision']:.2f})")
    t = a["text"]
    print(f"  free text, {t['lines']:,} labelled lines: recall gitworthy "
          f"{t['gitworthy_recall']:.2f} vs naive {t['naive_recall']:.2f}, precision "
          f"{t['gitworthy_precision']:.2f} vs {t['naive_precision']:.2f} "
          f"({t['gitworthy_s']:.2f} s vs {t['naive_s']:.2f} s)")
    if cl["missed"] or cl["false"]:
        print(f"  missed columns: {cl['missed']}; false columns: {cl['false']}")
    if "memory" in r:
        m = r["memory"]
        print(f"Memory: {m['file_mb']:.0f} MB CSV sampled in {m['sampled']['seconds']:.2f} s, "
              f"peak RSS {m['sampled']['peak_mb']:.0f} MB (imports alone "
              f"{m['import_only_peak_mb']:.0f} MB); csv.reader over it {m['parse_only_s']:.1f} s")


if __name__ == "__main__":
    raise SystemExit(main())
