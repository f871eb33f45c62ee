"""`gitworthy history` on real-shaped repositories: notebooks at HEAD, deleted data, renamed
models, secrets and personal data in old commits, missing objects."""
from __future__ import annotations

import base64
import json
import os
import random
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from tests.conftest import GIT_ENV, Repo, run

KB = 1024


def _claims(seed: int, rows: int = 30_000) -> str:
    rng = random.Random(seed)
    return "id,region,amount\n" + "".join(
        f"{i},{rng.choice(['Nord', 'Île-de-France', 'Bretagne'])},{rng.uniform(10, 900):.2f}\n"
        for i in range(rows))


def _chapter(title: str, seed: int) -> str:
    rng = random.Random(seed)
    figure = base64.b64encode(rng.randbytes(120 * KB)).decode()
    cells = [new_markdown_cell(f"# {title}"),
             new_code_cell("import numpy as np\nnp.random.seed(0)\nplt.plot(x, y)",
                           execution_count=seed, outputs=[
                               new_output("stream", name="stdout", text=f"loss {rng.random()}\n"),
                               new_output("display_data", data={"image/png": figure,
                                                                "text/plain": "<Figure>"})])]
    return nbformat.writes(new_notebook(cells=cells))


@pytest.fixture
def textbook(repo: Repo) -> Repo:
    """A course repository: chapters as notebooks re-run three times, a data set committed
    and deleted, a model renamed, and the usual small files."""
    import joblib

    repo.write("README.md", "# Data science course\n" + "Read the chapters in order.\n" * 400)
    repo.write("LICENSE", "MIT License\n" + "Permission is hereby granted...\n" * 40)
    repo.write("requirements.txt", "numpy\npandas\nscikit-learn\n")
    repo.write(".gitignore", ".ipynb_checkpoints/\n")
    repo.write("src/prepare.py", "import pandas as pd\n" * 50)
    repo.write("data/raw/claims.csv", _claims(1))
    (repo.root / "models").mkdir()
    joblib.dump({"coef": [random.Random(3).random() for _ in range(40_000)]},
                repo.root / "models" / "model.pkl")
    for run_number in range(3):
        for n, title in enumerate(("Intro", "Regression", "Trees")):
            repo.write(f"chapters/0{n}-{title.lower()}.ipynb",
                       _chapter(title, 10 * run_number + n))
        repo.add()
        repo.commit(f"re-run the chapters ({run_number})")
    repo.git("rm", "-q", "data/raw/claims.csv")
    repo.git("mv", "models/model.pkl", "models/churn-2024.pkl")
    repo.commit("data moved to object storage; model renamed")
    return repo


def _report(capsys, *args: str) -> dict:
    code, out, _ = run("history", "--no-scan", "--format", "json", *args, capsys=capsys)
    assert code == 0
    return json.loads(out)


def test_plan_never_purges_code_configuration_or_documentation(textbook: Repo,
                                                               capsys) -> None:
    report = _report(capsys, "--min-kb", "0", "--top", "100")
    plan = report["plan"]
    assert plan["purge"] == ["data/raw/claims.csv", "models/model.pkl"]
    assert plan["lfs"] == ["models/churn-2024.pkl"]
    assert sorted(plan["notebooks"]) == ["chapters/00-intro.ipynb",
                                         "chapters/01-regression.ipynb",
                                         "chapters/02-trees.ipynb"]
    for kept in ("README.md", "LICENSE", "requirements.txt", ".gitignore", "src/prepare.py"):
        assert kept in plan["kept"]
    _, text, _ = run("history", "--no-scan", "--min-kb", "0", "--top", "100", capsys=capsys)
    [purge] = [line for line in text.splitlines() if "--invert-paths" in line]
    assert purge.strip() == ("git filter-repo --invert-paths --path data/raw/claims.csv "
                             "--path models/model.pkl")
    assert "git lfs migrate import --everything --include=models/churn-2024.pkl" in text
    assert "--blob-callback" in text


def test_sizes_on_disk_are_reported_beside_content_sizes(textbook: Repo, capsys) -> None:
    textbook.git("gc", "-q")
    report = _report(capsys, "--min-kb", "100")
    claims = next(p for p in report["paths"] if p["path"] == "data/raw/claims.csv")
    assert 0 < claims["disk"] < claims["size"]  # CSV compresses in the pack
    assert report["total"]["disk"] < report["total"]["size"]
    assert {e["extension"] for e in report["extensions"]} >= {".ipynb", ".csv", ".pkl"}
    assert {d["directory"] for d in report["directories"]} >= {"chapters", "data/raw"}
    chapter = next(p for p in report["paths"] if p["path"] == "chapters/00-intro.ipynb")
    assert (chapter["versions"], chapter["at_head"], chapter["kind"]) == (3, True, "notebook")


def test_notebook_plan_runs_under_git_filter_repo(textbook: Repo, tmp_path: Path,
                                                  capsys) -> None:
    filter_repo = Path(os.sys.executable).with_name("git-filter-repo")
    if not filter_repo.exists():
        pytest.skip("git-filter-repo is not installed (pip install -e '.[test]')")
    mirror = tmp_path / "mirror.git"
    subprocess.run(["git", "clone", "-q", "--mirror", str(textbook.root), str(mirror)],
                   check=True)
    _, text, _ = run("history", "--no-scan", "--min-kb", "100", capsys=capsys)
    [command] = [line.strip() for line in text.splitlines() if "--blob-callback" in line]
    env = {**os.environ, **GIT_ENV, "PATH": f"{filter_repo.parent}{os.pathsep}"
                                            f"{os.environ['PATH']}"}
    subprocess.run(command, shell=True, cwd=mirror, env=env, check=True, capture_output=True)
    log = subprocess.run(["git", "rev-list", "--all"], cwd=mirror, capture_output=True,
                         text=True, check=True).stdout.split()
    assert len(log) == 4  # every commit kept
    for commit in log:
        for path in ("chapters/00-intro.ipynb", "chapters/02-trees.ipynb"):
            blob = subprocess.run(["git", "show", f"{commit}:{path}"], cwd=mirror,
                                  capture_output=True, text=True)
            if blob.returncode == 0:
                nb = nbformat.reads(blob.stdout, as_version=4)
                assert all(c.get("outputs", []) == [] for c in nb.cells)
    readme = subprocess.run(["git", "show", "HEAD:README.md"], cwd=mirror, capture_output=True,
                            text=True, check=True).stdout
    assert readme == (textbook.root / "README.md").read_text()


def test_secrets_and_personal_data_get_purge_or_replace_and_rotate(repo: Repo,
                                                                  capsys) -> None:
    from faker import Faker

    fake = Faker("fr_FR")
    Faker.seed(14)
    repo.write("exports/members.csv", "name,email,phone\n" + "".join(
        f"{fake.name()},{fake.email()},{fake.phone_number()}\n" for _ in range(300)))
    key = "AKIA" + "QZ4XNB7RD2KW5YTM"  # split: the repository's own scan stays clean
    repo.write("src/upload.py", f'AWS_ACCESS_KEY_ID = "{key}"\n')
    repo.add()
    repo.commit("export members")
    repo.git("rm", "-q", "exports/members.csv")
    repo.write("src/upload.py", 'AWS_ACCESS_KEY_ID = os.environ["AWS_ACCESS_KEY_ID"]\n')
    repo.add()
    repo.commit("remove export, read the key from the environment")
    code, out, _ = run("history", "--format", "json", capsys=capsys)
    plan = json.loads(out)["plan"]
    assert plan["sensitive_purge"] == ["exports/members.csv"]
    assert plan["sensitive_replace"] == ["src/upload.py"]
    _, text, _ = run("history", capsys=capsys)
    assert "--invert-paths --path exports/members.csv" in text
    assert "--replace-text" in text and "rotate every credential" in text
    assert key not in text and key not in out


def test_missing_objects_are_a_warning(textbook: Repo, capsys) -> None:
    sha = textbook.git("rev-parse", "HEAD:README.md").strip()
    (textbook.root / ".git" / "objects" / sha[:2] / sha[2:]).unlink()
    report = _report(capsys)
    assert [m["path"] for m in report["missing"]] == ["README.md"]
    _, text, _ = run("history", "--no-scan", capsys=capsys)
    assert "warning: 1 object(s) are missing" in text


def test_history_of_a_light_repository_has_nothing_to_purge(repo: Repo, capsys) -> None:
    repo.write("README.md", "hello\n")
    repo.add()
    repo.commit()
    code, out, _ = run("history", capsys=capsys)
    assert code == 0 and "Nothing to purge" in out


def test_history_quotes_odd_paths(repo: Repo, capsys) -> None:
    repo.write("my data (1).csv", _claims(5))
    repo.add()
    repo.commit()
    repo.git("rm", "-q", "my data (1).csv")
    repo.commit()
    _, out, _ = run("history", "--no-scan", capsys=capsys)
    assert "--path 'my data (1).csv'" in out


def test_strip_callback_leaves_other_blobs_alone() -> None:
    from gitworthy.history import strip_notebook_blob

    for data in (b"id,amount\n1,2\n", b'{"nbformat": 4, "cells": "broken"', b"\x00\x01"):
        assert strip_notebook_blob(data) == data
    assert shutil is not None
