"""A baseline entry binds what it accepted: a model's content, a large file's size."""
from __future__ import annotations

import json
import pickle
import sys
from pathlib import Path

from tests.conftest import run, scan_json

sys.path.insert(0, str(Path(__file__).parent))
import peer_cases  # noqa: E402


def _model() -> bytes:
    return pickle.dumps({"coef": [0.25, -1.5, 3.0], "intercept": 0.1}, protocol=4)


def _cars(rows: int) -> str:
    return "name,mpg,cyl\n" + "".join(f"Mazda RX4 {i},21.{i % 10},6\n" for i in range(rows))


def _accept(repo, capsys) -> dict:
    code, out, _ = run("baseline", "--all", "--output", "accepted.json", capsys=capsys)
    assert code == 0, out
    return json.loads((repo.root / "accepted.json").read_text())


def test_model_entry_binds_its_content_hash(repo, capsys):
    repo.write("models/churn.pkl", _model())
    repo.add()
    repo.commit()
    entries = _accept(repo, capsys)["findings"]
    assert all(len(e["sha256"]) == 64 for e in entries if e["path"] == "models/churn.pkl")
    code, report = scan_json("--all", "--baseline", "accepted.json", capsys=capsys)
    assert code == 0 and report["findings"] == []


def test_model_swapped_for_an_executable_pickle_is_reported(repo, capsys):
    repo.write("models/churn.pkl", _model())
    repo.add()
    repo.commit()
    _accept(repo, capsys)
    repo.write("models/churn.pkl", peer_cases.SYSTEM)
    code, report = scan_json("--all", "--baseline", "accepted.json", capsys=capsys)
    rules = {f["rule"] for f in report["findings"]}
    assert code == 1 and {"serialized-model", "unsafe-pickle"} <= rules


def test_model_changed_to_other_harmless_bytes_is_reported_again(repo, capsys):
    repo.write("models/churn.pkl", _model())
    repo.add()
    repo.commit()
    _accept(repo, capsys)
    repo.write("models/churn.pkl", pickle.dumps({"coef": [9.0]}, protocol=4))
    code, report = scan_json("--all", "--baseline", "accepted.json", capsys=capsys)
    assert code == 1 and [f["rule"] for f in report["findings"]] == ["serialized-model"]


def test_large_csv_entry_binds_its_size(repo, capsys):
    repo.write("data/cars.csv", _cars(26_000))  # about 600 KB: over the 500 KB limit
    repo.add()
    repo.commit()
    entries = _accept(repo, capsys)["findings"]
    accepted = next(e for e in entries if e["rule"] == "large-data-file")
    assert accepted["size"] == (repo.root / "data/cars.csv").stat().st_size
    code, report = scan_json("--all", "--baseline", "accepted.json", "--check",
                             "check-large-files", capsys=capsys)
    assert code == 0
    repo.write("data/cars.csv", _cars(360_000))  # grown to about 8.7 MB
    code, report = scan_json("--all", "--baseline", "accepted.json", "--check",
                             "check-large-files", capsys=capsys)
    assert code == 1 and report["findings"][0]["rule"] == "large-data-file"


def test_baseline_without_bindings_is_still_read(repo, capsys):
    repo.write("models/churn.pkl", _model())
    repo.add()
    repo.commit()
    entries = _accept(repo, capsys)["findings"]
    for entry in entries:
        entry.pop("sha256", None)
        entry.pop("size", None)
    (repo.root / "old.json").write_text(json.dumps({"version": 1, "findings": entries}))
    code, report = scan_json("--all", "--baseline", "old.json", capsys=capsys)
    assert code == 0 and report["findings"] == []
