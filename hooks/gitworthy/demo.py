"""A small data-science repository with the usual anti-patterns, for `gitworthy demo`.

Everything is generated here from the standard library: no real person's data, no real key.
"""
from __future__ import annotations

import json
import pickle
import random
import string
import subprocess
import tempfile
from pathlib import Path

FIRST = ["Maria", "James", "Aiko", "Dmitri", "Fatima", "Lucas", "Priya", "Noah", "Elena", "Omar"]
LAST = ["Garcia", "Smith", "Tanaka", "Ivanov", "Hassan", "Silva", "Patel", "Brown", "Rossi"]


def _members(rows: int, rng: random.Random) -> list[list[str]]:
    out = []
    for i in range(rows):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        ssn = f"{rng.randint(100, 665):03d}-{rng.randint(10, 99):02d}-{rng.randint(1000, 9999)}"
        out.append([f"M{100000 + i}", f"{first} {last}", ssn,
                    f"{first.lower()}.{last.lower()}@example.com",
                    f"19{rng.randint(40, 99)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                    f"{rng.uniform(50, 5000):.2f}"])
    return out


def _settings(rng: random.Random) -> str:
    """A settings module with a made-up AWS key pair pasted in, as people do "for now"."""
    key_id = "AKIA" + "".join(rng.choice(string.ascii_uppercase + string.digits)
                              for _ in range(16))
    secret = "".join(rng.choice(string.ascii_letters + string.digits + "/+") for _ in range(40))
    return f"AWS_ACCESS_KEY_ID = '{key_id}'\nAWS_SECRET_ACCESS_KEY = '{secret}'\n"


def _notebook(table: list[list[str]]) -> dict:
    shown = "\n".join("  ".join(row) for row in table[:5])
    return {
        "nbformat": 4, "nbformat_minor": 5,
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                    "language": "python"}},
        "cells": [
            {"cell_type": "code", "id": "load", "execution_count": 1, "metadata": {},
             "source": "import pandas as pd\ndf = pd.read_csv('data/members.csv')\ndf.head()",
             "outputs": [{"output_type": "execute_result", "execution_count": 1,
                          "metadata": {}, "data": {"text/plain": shown}}]},
        ],
    }


def make_demo_repo(directory: Path | None = None) -> Path:
    """Create the demo repository, stage everything, and return its path."""
    root = Path(directory or tempfile.mkdtemp(prefix="gitworthy-demo-"))
    root.mkdir(parents=True, exist_ok=True)
    rng = random.Random(7)
    table = _members(9000, rng)
    header = "member_id,name,ssn,email,date_of_birth,claim_amount\n"
    files = {
        "etl.py": "import pandas as pd\n\n\ndef run():\n"
                  "    return pd.read_csv('/Users/dwhitfield/claims.csv')\n",  # gitworthy: allow
        "etl_old.py": "def run():\n    return 'the old way'\n",
        "train_model_final_v2.py": "print('training')\n",
        "report.py.bak": "print('report')\n",
        "data/members.csv": header + "".join(",".join(r) + "\n" for r in table),
        "notebooks/eda (1).ipynb": json.dumps(_notebook(table), indent=1),
        "settings.py": _settings(rng),
    }
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    with open(root / "model.bin", "wb") as fh:
        pickle.dump({"weights": [0.1, 0.2, 0.3], "intercept": 0.5}, fh, protocol=4)

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)

    git("init", "-q")
    git("add", "-A")
    return root
