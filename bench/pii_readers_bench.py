"""check-pii readers benchmark: time to read (sample) and to judge one file of each format
check-pii reads, and peak memory on a tiny Parquet file holding one long dictionary value.
Everything is generated in a temp dir by the library that writes the format.

    .venv/bin/python bench/pii_readers_bench.py                # 10,000-row tables
    .venv/bin/python bench/pii_readers_bench.py --rows 50000 --repeat 7
    .venv/bin/python bench/pii_readers_bench.py --baseline /tmp/main/hooks   # memory before

Per format, medians of `--repeat` runs in this process, alternating formats:
- read:  the reader alone (bounded sample of tables or lines), no judging.
- scan:  `pii.scan` (read + judge; the analyzer is built once before timing).
Memory: peak RSS of a `check-pii` hook run in a fresh process on the Parquet file, with this
tree's code and, given `--baseline DIR` (a `hooks/` directory of another version), with that.
"""
from __future__ import annotations

import argparse
import gzip
import io
import json
import sqlite3
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "hooks"))

COLUMNS = ["member_id", "full_name", "email", "phone", "ssn", "plan", "premium"]


def members(n: int) -> list[list[str]]:
    from faker import Faker

    fake = Faker("en_US")
    fake.seed_instance(11)
    pool = [[fake.name(), fake.email(), fake.phone_number(), fake.ssn()] for _ in range(2000)]
    return [[f"M{10_000_000 + i}", *pool[i % 2000], "gold" if i % 3 else "silver",
             f"{(i * 37) % 900 + 50}.{i % 100:02d}"] for i in range(n)]


def write_all(directory: Path, n: int) -> dict[str, Path]:
    """One file per format, each holding the same `n`-row member table."""
    import altair as alt
    import nbformat
    import numpy as np
    import openpyxl
    import pandas as pd
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    rows = members(n)
    frame = pd.DataFrame(rows, columns=COLUMNS)
    text = frame.to_csv(index=False)
    files: dict[str, Path] = {}

    def path(name: str) -> Path:
        files[name] = directory / name
        return files[name]

    path("members.csv").write_text(text)
    path("members_cr.csv").write_bytes(text.replace("\n", "\r").encode())
    path("members.csv.gz").write_bytes(gzip.compress(text.encode()))
    with zipfile.ZipFile(path("members.zip"), "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("export/members.csv", text)
    with tarfile.open(path("members.tar.gz"), "w:gz") as archive:
        info = tarfile.TarInfo("members.csv")
        info.size = len(text.encode())
        archive.addfile(info, io.BytesIO(text.encode()))
    db = sqlite3.connect(path("members.sqlite"))
    frame.to_sql("members", db, index=False)
    db.close()
    frame.to_parquet(path("members.parquet"), row_group_size=max(1, n // 10))
    frame.to_feather(path("members.feather"))
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("members")
    sheet.append(COLUMNS)
    for row in rows:
        sheet.append(row)
    book.save(path("members.xlsx"))
    np.savez(path("members.npz"), email=np.array([r[2] for r in rows]),
             premium=frame["premium"].astype(float).to_numpy())
    path("members.html").write_text(frame.to_html(index=False))
    frame.to_xml(path("members.xml"), parser="etree", index=False)
    log = "".join(f"2024-05-01 12:00:{i % 60:02d} INFO step {i} loss {1 / (i + 1):.6f}\n"
                  for i in range(1400))
    path("train.log").write_text(log + "WARN report sent to ada.byron@example.org\n")
    with alt.renderers.enable("mimetype"):
        bundle, _ = alt.Chart(frame.head(500)).mark_point().encode(
            x="premium", y="plan")._repr_mimebundle_()
    chart = {k[:-5] + "+json" if k.endswith(".json") else k: v for k, v in bundle.items()}
    with pd.option_context("display.html.table_schema", True):
        resource = json.loads(json.dumps(frame.head(500)._repr_data_resource_()))
    nb = new_notebook(cells=[new_code_cell("df", execution_count=1, outputs=[
        new_output("execute_result", execution_count=1, data={
            "text/html": frame.head(50).to_html(), "text/plain": repr(frame.head(5))}),
        new_output("display_data", data=json.loads(json.dumps(chart))),
        new_output("display_data", data={"application/vnd.dataresource+json": resource}),
        new_output("stream", name="stdout", text=log)])])
    nbformat.write(nb, str(path("analysis.ipynb")))
    return files


def median_seconds(action: Callable[[], object], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return times


def peak_memory(hooks: Path, file: Path) -> str:
    code = ("import resource, sys\nsys.path.insert(0, sys.argv[1])\n"
            "from gitworthy.checks.pii import main\nrc = main([sys.argv[2]])\n"
            "print(rc, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)")
    proc = subprocess.run([sys.executable, "-I", "-c", code, str(hooks), file.name],
                          cwd=file.parent, capture_output=True, text=True, timeout=600)
    if proc.returncode not in (0, 1) or not proc.stdout.strip():
        return f"failed ({proc.stderr.strip().splitlines()[-1:] or proc.returncode})"
    rc, megabytes = proc.stdout.split()[-2:]
    return f"{megabytes} MB peak (exit {rc})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--baseline", type=Path, help="a hooks/ directory to compare memory")
    args = parser.parse_args()

    from gitworthy import pii
    from gitworthy.checks.pii import OPTIONS
    from gitworthy.sources import DiskFile

    options = dict(OPTIONS)
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        files = write_all(directory, args.rows)
        handles = {name: DiskFile(name, p) for name, p in files.items()}
        kinds = {name: pii.file_kind(f) for name, f in handles.items()}
        budget = pii.budget_of(options)
        list(pii.scan(handles["members.csv"], "csv", options))  # build the analyzer once
        reads: dict[str, list[float]] = {n: [] for n in files}
        scans: dict[str, list[float]] = {n: [] for n in files}
        found: dict[str, int] = {}
        for _ in range(args.repeat):  # formats alternate within each round
            for name, file in handles.items():
                kind = kinds[name]
                assert kind is not None, name
                reads[name] += median_seconds(lambda f=file, k=kind: list(
                    pii.read(f, k, budget)), 1)
                scans[name] += median_seconds(lambda f=file, k=kind: found.__setitem__(
                    f.path, len(list(pii.scan(f, k, options)))), 1)
        print(f"{args.rows:,} rows per table; medians of {args.repeat} runs (seconds)")
        print(f"{'file':<18}{'kind':<12}{'KB':>8}{'read':>9}{'scan':>9}  findings")
        for name, path in files.items():
            print(f"{name:<18}{kinds[name]:<12}{path.stat().st_size // 1024:>8}"
                  f"{statistics.median(reads[name]):>9.3f}{statistics.median(scans[name]):>9.3f}"
                  f"  {found[name]}")

        import pyarrow as pa
        import pyarrow.parquet as pq

        value = pa.array(["x" * 1_500_000])
        column = pa.DictionaryArray.from_arrays(pa.array([0] * 1000, pa.int32()), value)
        bomb = directory / "tiny.parquet"
        pq.write_table(pa.table({"note": column}), bomb, compression="zstd",
                       compression_level=22)
        print(f"\nParquet of {bomb.stat().st_size} bytes, one 1.5 MB value on 1000 rows:")
        print(f"  this tree: {peak_memory(ROOT / 'hooks', bomb)}")
        if args.baseline:
            print(f"  baseline:  {peak_memory(args.baseline, bomb)}")


if __name__ == "__main__":
    main()
