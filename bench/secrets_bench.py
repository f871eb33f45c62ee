"""check-secrets against detect-secrets-hook, side by side, on the same generated file list.

    .venv/bin/python bench/secrets_bench.py [--files 300] [--data-mb 1.1 1.1 0.5] [--repeat 5]
    .venv/bin/python bench/secrets_bench.py --csv-mb 6 50 [--repeat 1] [--before REV]

Generates a tree of .py, .yaml, .ipynb, .json and .env files (a few of them holding fake
credentials built at run time), then runs `detect-secrets-hook --no-verify FILES` (no network
verification, like gitworthy) and `check-secrets FILES`, alternating, `--repeat` times each,
and prints the median and best wall time of each, the throughput ratio, and how many of the
planted credentials each found. `--data-mb` adds CSV files of customer records of those sizes
(a data-science repository keeps its data beside its code), each with one token planted.

With `--csv-mb`, each size instead makes one CSV of Faker-like customer rows (names, emails,
phones, quoted addresses, timestamps, amounts) with one fake token planted near the end, and
times detect-secrets-hook, check-secrets, and check-secrets as of `--before` (a git revision,
by default the one before the line prefilter; its `hooks` package is extracted with `git
archive` into a temp dir), all with --max-kb raised so the file is scanned, not refused.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import random
import statistics
import string
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parent.parent
BEFORE = "e91d8ac"  # check-secrets before the line prefilter and block streaming
FIRST = ("Ann", "Bob", "Chloé", "Dmitri", "Eva", "Farid", "Grace", "Hiro", "Ines", "Jamal")
LAST = ("Smith", "Dubois", "Müller", "Okafor", "Tanaka", "García", "Nowak", "Rossi", "Lee")
STREETS = ("Main St", "Rue de la Paix", "Hauptstraße", "Oak Avenue", "High Street")
CITIES = ("Springfield", "Lyon", "Berlin", "Lagos", "Osaka", "Madrid", "Kraków", "Milan")
PY_BODY = '''"""Feature engineering for the churn model."""
import os

import pandas as pd


def load(path: str) -> pd.DataFrame:
    frame = pd.read_parquet(path)
    frame["tenure_days"] = (frame["end"] - frame["start"]).dt.days
    return frame.dropna(subset=["customer_id"])


def aggregate_{i}(frame: pd.DataFrame, window: int = {i}) -> pd.DataFrame:
    grouped = frame.groupby("customer_id").rolling(window).mean()
    password = os.environ["WAREHOUSE_PASSWORD"]
    url = f"postgresql://analyst:{{password}}@warehouse/sales"
    return grouped.reset_index()
'''
YAML_BODY = '''# training configuration
run_name: churn-{i}
data:
  train: s3://acme-ml/churn/train.parquet
  test: s3://acme-ml/churn/test.parquet
model:
  kind: gradient_boosting
  learning_rate: 0.{i}
  max_depth: 6
  n_estimators: 400
tracking:
  uri: http://mlflow.internal:5000
  experiment: churn
'''


def fake_secrets(rng: random.Random) -> list[str]:
    """Lines holding fake credentials, built from pieces (no literal secret in this file)."""
    letters = string.ascii_letters
    return [
        'AWS_KEY = "' + "AK" + "IA" + "".join(rng.choice(string.ascii_uppercase + "234567")
                                             for _ in range(16)) + '"',
        'HF_TOKEN = "' + "hf" + "_" + "".join(rng.choice(letters) for _ in range(34)) + '"',
        'DB = "postgresql://etl:' + "".join(rng.choice(letters) for _ in range(14))
        + '@warehouse/dw"',
    ]


def generate(root: Path, count: int, seed: int = 7, planted: set[str] | None = None
             ) -> list[Path]:
    rng = random.Random(seed)
    files: list[Path] = []
    planted = set() if planted is None else planted
    for i in range(count):
        kind = ("py", "py", "yaml", "ipynb", "json", "env")[i % 6]
        path = root / f"pkg{i % 10}" / f"module_{i}.{kind}" if kind != "env" else \
            root / f"svc{i}" / ".env"
        path.parent.mkdir(parents=True, exist_ok=True)
        secret = rng.choice(fake_secrets(rng)) if i % 17 == 0 else ""
        if kind == "py":
            body = "\n".join(PY_BODY.format(i=i + k) for k in range(6)) + secret + "\n"
        elif kind == "yaml":
            body = YAML_BODY.format(i=i) + (f"extra: '{secret}'\n" if secret else "")
        elif kind == "env":
            body = f"LOG_LEVEL=info\nWORKERS={i % 8}\nREGION=eu-west-1\n{secret}\n"
        elif kind == "json":
            body = json.dumps({"run": i, "metrics": {"auc": 0.8, "f1": 0.7},
                               "params": {"depth": 6, "note": secret}}, indent=2)
        else:
            cells = [{"cell_type": "code", "execution_count": k, "metadata": {},
                      "source": PY_BODY.format(i=k).splitlines(keepends=True),
                      "outputs": [{"output_type": "stream", "name": "stdout",
                                   "text": [f"rows: {k * 1000}\n", "done\n"]}]}
                     for k in range(8)]
            cells[0]["source"].append(secret)
            body = json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {},
                               "cells": cells}, indent=1)
        path.write_text(body)
        files.append(path)
        if secret:
            planted.add(str(path.relative_to(root)))
    return files


def reported_paths(out: str) -> set[str]:
    """The files a tool reported: detect-secrets-hook's `Location:    path:line`, gitworthy's
    `path:line: error check-secrets ...` (or `path: error ...` for a notebook)."""
    found = set()
    for line in out.splitlines():
        if line.startswith("Location:"):
            found.add(line.split(None, 1)[1].rsplit(":", 1)[0])
        elif " check-secrets " in line and ": error" in line:
            found.add(line.split(": error", 1)[0].rsplit(":", 1)[0] if line.split(": error", 1)[0]
                      .rsplit(":", 1)[-1].isdigit() else line.split(": error", 1)[0])
    return found


def write_csv(path: Path, megabytes: float, seed: int = 11) -> None:
    """Faker-like customer rows up to `megabytes` (a quoted hex `customer_uid` column, as CRM
    exports have), with one fake token 90% of the way in."""
    rng = random.Random(seed)
    target = int(megabytes * 1024 * 1024)
    token = "hf" + "_" + "".join(rng.choice(string.ascii_letters) for _ in range(34))
    written = 0
    planted = False
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("id,customer_uid,first_name,last_name,email,phone,address,city,signup,amount\n")
        row = 0
        while written < target:
            buf = io.StringIO()
            for _ in range(1000):
                row += 1
                first, last = rng.choice(FIRST), rng.choice(LAST)
                uid = f"{rng.getrandbits(128):032x}"  # a quoted hash id, as exports write
                buf.write(f'{row},"{uid}",{first},{last},{first.lower()}.{row}@example.org,'
                          f'+33 6 {rng.randint(10, 99)} {rng.randint(10, 99)} '
                          f'{rng.randint(10, 99)} {rng.randint(10, 99)},'
                          f'"{rng.randint(1, 200)} {rng.choice(STREETS)}, Apt {rng.randint(1, 9)}",'
                          f'{rng.choice(CITIES)},2024-{rng.randint(1, 12):02d}-'
                          f'{rng.randint(1, 28):02d} {rng.randint(0, 23):02d}:'
                          f'{rng.randint(0, 59):02d}:00,{rng.uniform(1, 999):.2f}\n')
            if not planted and written > target * 0.9:
                buf.write(f"{row + 1},,Token,Leak,t@example.org,,,\"{token}\",,\n")
                planted = True
            text = buf.getvalue()
            out.write(text)
            written += len(text.encode())
        if not planted:  # a file smaller than one chunk of rows
            out.write(f"{row + 1},,Token,Leak,t@example.org,,,\"{token}\",,\n")


def timed(argv: list[str], cwd: Path, env: dict[str, str] | None = None
          ) -> tuple[float, int, str]:
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False, env=env)
    return time.perf_counter() - started, done.returncode, done.stdout


def cpu_timed(argv: list[str], cwd: Path, env: dict[str, str] | None = None
              ) -> tuple[float, float, int, str]:
    """Wall time and CPU time (user + system, of the child) of one run: on a shared machine
    the CPU time is the steadier measure of the work done."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    seconds, code, out = timed(argv, cwd, env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return seconds, cpu, code, out


def csv_bench(sizes: list[float], repeat: int, before: str) -> int:
    """detect-secrets-hook, check-secrets before and after, on one big CSV per size."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "repo"
        old = Path(tmp) / "before"
        root.mkdir()
        old.mkdir()
        subprocess.run(["git", "init", "-q"], cwd=root, check=True)
        archive = subprocess.run(["git", "archive", before, "hooks"], cwd=ROOT,
                                 capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(old)], input=archive, check=True)
        env_old = {**os.environ, "PYTHONPATH": str(old / "hooks")}
        print(f"check-secrets before = {before}; {repeat} run(s) each")
        for megabytes in sizes:
            path = root / f"customers_{megabytes:g}mb.csv"
            write_csv(path, megabytes)
            limit = str(int(megabytes * 1024) + 1024)
            tools = {
                "detect-secrets-hook": ([str(BIN / "detect-secrets-hook"), "--no-verify",
                                         path.name], None),
                f"check-secrets {before}": ([sys.executable, "-m", "gitworthy.checks.secrets",
                                             "--max-kb", limit, path.name], env_old),
                "check-secrets now": ([str(BIN / "check-secrets"), "--max-kb", limit,
                                       path.name], None),
            }
            size = path.stat().st_size / 1024 / 1024
            lines = sum(1 for _ in path.open("rb"))
            print(f"{path.name}: {size:.1f} MB, {lines} lines")
            for name, (argv, env) in tools.items():
                runs = [timed(argv, root, env) for _ in range(repeat)]
                seconds = [r[0] for r in runs]
                code, out = runs[-1][1], runs[-1][2]
                reported = sum(1 for line in out.splitlines()
                               if line.startswith("Location:") or ": error check-secrets" in line)
                print(f"  {name:24s} median {statistics.median(seconds):7.2f}s  "
                      f"best {min(seconds):7.2f}s  exit {code}  findings {reported}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=300)
    parser.add_argument("--compare", metavar="REV",
                        help="also time check-secrets as of this git revision (e.g. main)")
    parser.add_argument("--data-mb", type=float, nargs="*", default=[1.1, 1.1, 0.5],
                        metavar="MB", help="CSV files of customer records added to the tree")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--csv-mb", type=float, nargs="+", metavar="MB",
                        help="time one big CSV per size instead of the tree of files")
    parser.add_argument("--before", default=BEFORE,
                        help="git revision of check-secrets to compare with (--csv-mb)")
    args = parser.parse_args()
    if args.csv_mb:
        return csv_bench(args.csv_mb, args.repeat, args.before)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "repo"
        root.mkdir()
        subprocess.run(["git", "init", "-q"], cwd=root, check=True)
        planted: set[str] = set()
        files = [str(p.relative_to(root)) for p in generate(root, args.files, planted=planted)]
        for k, megabytes in enumerate(args.data_mb):
            path = root / "data" / f"customers_{k}.csv"
            path.parent.mkdir(exist_ok=True)
            write_csv(path, megabytes, seed=11 + k)
            files.append(str(path.relative_to(root)))
            planted.add(str(path.relative_to(root)))
        tools = {
            "detect-secrets-hook": [str(BIN / "detect-secrets-hook"), "--no-verify", *files],
            "check-secrets": [str(BIN / "check-secrets"), *files],
        }
        env: dict[str, dict[str, str] | None] = {name: None for name in tools}
        if args.compare:
            old = Path(tmp) / "compare"
            old.mkdir()
            archive = subprocess.run(["git", "archive", args.compare, "hooks"], cwd=ROOT,
                                     capture_output=True, check=True).stdout
            subprocess.run(["tar", "-x", "-C", str(old)], input=archive, check=True)
            name = f"check-secrets {args.compare}"
            tools[name] = [sys.executable, "-m", "gitworthy.checks.secrets", *files]
            env[name] = {**os.environ, "PYTHONPATH": str(old / "hooks")}
        times: dict[str, list[float]] = {name: [] for name in tools}
        cpus: dict[str, list[float]] = {name: [] for name in tools}
        outputs: dict[str, tuple[int, str]] = {}
        for _ in range(args.repeat):
            for name, argv in tools.items():
                seconds, cpu, code, out = cpu_timed(argv, root, env[name])
                times[name].append(seconds)
                cpus[name].append(cpu)
                outputs[name] = (code, out)
        size = sum((root / f).stat().st_size for f in files)
        print(f"{len(files)} files ({len(args.data_mb)} CSV), {size / 1048576:.1f} MB, "
              f"{len(planted)} with a planted credential; {args.repeat} runs each, alternating")
        for name, values in times.items():
            code, out = outputs[name]
            found = reported_paths(out)
            print(f"{name:20s} wall median {statistics.median(values):7.3f}s  best "
                  f"{min(values):7.3f}s  CPU median {statistics.median(cpus[name]):7.3f}s  "
                  f"{size / 1048576 / statistics.median(values):6.2f} MB/s  exit {code}  "
                  f"planted found {len(planted & found)}/{len(planted)}  "
                  f"other files reported {len(found - planted)}")
        ratio = statistics.median(times["detect-secrets-hook"]) / statistics.median(
            times["check-secrets"])
        cpu_ratio = statistics.median(cpus["detect-secrets-hook"]) / statistics.median(
            cpus["check-secrets"])
        print(f"check-secrets throughput = {ratio:.1f}x detect-secrets-hook's (wall time), "
              f"{cpu_ratio:.1f}x (CPU time)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
