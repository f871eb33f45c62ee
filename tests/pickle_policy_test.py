"""--pickle-policy allowlist: every import outside the list known safe in ML pickles is
reported; real models of the common libraries pass it, an unknown callable does not."""
from __future__ import annotations

import pickle
import sys
from pathlib import Path

import joblib
import numpy as np
import pytest
from gitworthy.checks import serialized_models as sm
from gitworthy.config import ConfigError, parse
from gitworthy.sources import Context, DiskFile

sys.path.insert(0, str(Path(__file__).parent))
import model_files  # noqa: E402
import peer_cases  # noqa: E402

STRICT = {**sm.OPTIONS, "pickle-policy": "allowlist"}


def rules(path: Path, options=STRICT) -> list[str]:
    return [f.rule for f in sm.check(DiskFile(path.name, path), dict(options), Context(None, []))]


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    from lightgbm import LGBMClassifier
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from xgboost import XGBClassifier

    root = tmp_path_factory.mktemp("models")
    rng = np.random.default_rng(0)
    features = rng.normal(size=(60, 3))
    target = (features[:, 0] > 0).astype(int)
    pipeline = make_pipeline(StandardScaler(), RandomForestClassifier(n_estimators=3))
    joblib.dump(pipeline.fit(features, target), root / "pipeline.joblib")
    from scipy.sparse import csr_matrix

    cars = {"name": np.array(["Mazda RX4", "Datsun 710"]), "mpg": np.array([21.0, 22.8]),
            "counts": csr_matrix(np.eye(3))}
    (root / "cars.pkl").write_bytes(pickle.dumps(cars, protocol=5))
    (root / "xgb.pkl").write_bytes(pickle.dumps(XGBClassifier(n_estimators=2).fit(features,
                                                                                  target)))
    (root / "lgbm.pkl").write_bytes(pickle.dumps(
        LGBMClassifier(n_estimators=2, verbose=-1).fit(features, target)))
    model_files.torch_zip(root / "weights.pt")
    return root


@pytest.mark.parametrize("name", ["pipeline.joblib", "cars.pkl", "xgb.pkl", "lgbm.pkl",
                                  "weights.pt"])
def test_real_models_pass_the_allowlist(models, name):
    assert rules(models / name) == ["serialized-model"]


def test_unknown_callable_is_reported_only_in_strict_mode(tmp_path):
    path = tmp_path / "model.pkl"
    path.write_bytes(peer_cases.call("mytools.jobs", "run_job", ("nightly",)))
    assert "pickle-import-not-allowed" in rules(path)
    assert rules(path, sm.OPTIONS) == ["serialized-model"]


def test_dangerous_import_stays_unsafe_in_strict_mode(tmp_path):
    path = tmp_path / "model.pkl"
    path.write_bytes(peer_cases.SYSTEM)
    found = rules(path)
    assert "unsafe-pickle" in found and "pickle-import-not-allowed" not in found


def test_policy_in_config_is_validated():
    config = parse({"check-serialized-models": {"pickle-policy": "allowlist"}}, "t.toml")
    assert config.options("check-serialized-models")["pickle-policy"] == "allowlist"
    with pytest.raises(ConfigError, match="pickle-policy must be one of"):
        parse({"check-serialized-models": {"pickle-policy": "strict"}}, "t.toml")


def test_hook_takes_the_policy_flag(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "model.pkl").write_bytes(peer_cases.call("mytools.jobs", "run_job", ()))
    assert sm.main(["--pickle-policy", "allowlist", "model.pkl"]) == 1
    assert "pickle-import-not-allowed" in capsys.readouterr().out
