"""check-serialized-models side by side with picklescan and modelscan, on the same files.

    .venv/bin/pip install picklescan modelscan   # the anchors (not dependencies of gitworthy)
    .venv/bin/python bench/models_bench.py [--big-mb 200] [--repeat 3]

Generates model files in a temporary directory (real libraries where installed, the
documented layouts of tests/model_files.py otherwise), then for each file prints what each
tool says and its time: gitworthy's format and unsafe imports, picklescan's dangerous globals,
modelscan's issues (or "skipped" when it does not scan the file). Times are the best of
`--repeat` runs, per file, in milliseconds. `--big-mb` adds a large joblib file to compare
time on a big pickle.
"""
from __future__ import annotations

import argparse
import io
import logging
import os
import pickle
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import model_files  # tests/model_files.py
from gitworthy.checks import serialized_models as sm
from gitworthy.findings import InspectionError
from gitworthy.sources import Context, DiskFile


class Evil:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


def make_files(directory: Path, big_mb: int) -> list[Path]:
    """Every format we can make here, plus negatives; returns the paths."""
    import h5py
    import joblib
    from sklearn.linear_model import LogisticRegression

    x = np.random.default_rng(0).random((200, 4))
    y = x[:, 0] > 0.5
    model = LogisticRegression().fit(x, y)
    made: dict[str, Callable[[Path], object]] = {
        "sklearn_p2.pkl": lambda p: p.write_bytes(pickle.dumps(model, protocol=2)),
        "sklearn_p0.pkl": lambda p: p.write_bytes(pickle.dumps(model, protocol=0)),
        "sklearn_p5.pkl": lambda p: p.write_bytes(pickle.dumps(model, protocol=5)),
        "weights.dat": lambda p: p.write_bytes(pickle.dumps(model, protocol=4)),
        "noextension": lambda p: p.write_bytes(pickle.dumps(model, protocol=4)),
        "evil_os_system.pkl": lambda p: p.write_bytes(pickle.dumps(Evil(), protocol=2)),
        "evil_after_array.joblib": lambda p: joblib.dump(
            {"w": np.zeros(100_000), "x": Evil()}, p),
        "evil_in_torch_zip.pt": lambda p: model_files.torch_zip(
            p, data_pkl=pickle.dumps(Evil(), protocol=2)),
        "torch_zip.pt": model_files.torch_zip,
        "torchscript.pt": model_files.torchscript_zip,
        "torch_legacy.pth": model_files.torch_legacy,
        "model.keras": model_files.keras_zip,
        "saved_model.pb": lambda p: p.write_bytes(model_files.saved_model_pb()),
        "model.tflite": lambda p: p.write_bytes(model_files.tflite()),
        "model.gguf": lambda p: p.write_bytes(model_files.gguf()),
        "model.ggml": lambda p: p.write_bytes(model_files.ggml()),
        "model.cbm": lambda p: p.write_bytes(model_files.catboost()),
        "model.mlmodel": lambda p: p.write_bytes(model_files.coreml()),
        "model.pmml": lambda p: p.write_bytes(model_files.pmml()),
        "model.rds": lambda p: p.write_bytes(model_files.rds()),
        "model.skops": model_files.skops_zip,
        "objects.npz": lambda p: np.savez(p, o=np.array([Evil(), 1], dtype=object)),
        "keras_model.h5": _keras_h5,
        "evil_keras_lambda.h5": lambda p: _keras_h5(p, lambda_layer=True),
        "model.py": lambda p: p.write_text("import torch\nmodel = torch.nn.Linear(2, 2)\n"),
        "model_config.json": lambda p: p.write_text('{"n_estimators": 100}'),
        "plain_data.h5": lambda p: h5py.File(p, "w").create_dataset("t", data=np.arange(99.0)),
        "csvs.zip": _csv_zip,
    }
    for compress in ("zlib", "gzip", "bz2", "xz", "lzma", "lz4"):
        made[f"sklearn_{compress}.joblib"] = (
            lambda p, c=compress: joblib.dump(model, p, compress=(c, 3)))
    made["sklearn.joblib"] = lambda p: joblib.dump(model, p)
    try:
        import onnx
        from onnx import TensorProto, helper

        def _onnx(p: Path) -> None:
            graph = helper.make_graph(
                [helper.make_node("Relu", ["x"], ["y"])], "g",
                [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])],
                [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])])
            onnx.save(helper.make_model(graph), p)

        made["model.onnx"] = _onnx
    except ImportError:
        pass
    try:
        from safetensors.numpy import save_file

        made["model.safetensors"] = lambda p: save_file({"w": np.zeros((4, 4), "f4")}, p)
    except ImportError:
        pass
    try:
        import xgboost

        booster = xgboost.XGBClassifier(n_estimators=2).fit(x, y)
        made["xgb.json"] = lambda p: booster.save_model(p)
        made["xgb.ubj"] = lambda p: booster.save_model(p)
    except ImportError:
        pass
    try:
        import lightgbm

        lgbm = lightgbm.LGBMClassifier(n_estimators=2, verbose=-1).fit(x, y)
        made["lightgbm.txt"] = lambda p: lgbm.booster_.save_model(p)
    except ImportError:
        pass
    if big_mb:
        made[f"big_{big_mb}mb.joblib"] = lambda p: joblib.dump(
            {"w": np.zeros(big_mb << 17), "m": model}, p)
        made[f"big_{big_mb}mb.pkl"] = lambda p: p.write_bytes(pickle.dumps(
            {"w": np.zeros(big_mb << 17), "m": model}, protocol=4))
    paths = []
    for name, make in made.items():
        path = directory / name
        try:
            make(path)
        except Exception as exc:  # noqa: BLE001 - an optional library failing: skip the file
            print(f"(skipped {name}: {type(exc).__name__})", file=sys.stderr)
            continue
        paths.append(path)
    return paths


def _keras_h5(path: Path, lambda_layer: bool = False) -> None:
    import json

    import h5py

    layers = [{"class_name": "Lambda", "config": {"function": ["4wEAAAAA", None, None]}}]
    config = {"class_name": "Sequential", "config": {"layers": layers if lambda_layer else []}}
    with h5py.File(path, "w") as h5:
        h5.attrs["keras_version"] = "2.15.0"
        h5.attrs["backend"] = "tensorflow"
        h5.attrs["model_config"] = json.dumps(config)
        h5.create_dataset("model_weights/dense/kernel", data=np.zeros((4, 2)))


def _csv_zip(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("a.csv", "x,y\n1,2\n")


def run_gitworthy(path: Path) -> str:
    file = DiskFile(path.name, path)
    try:
        found = list(sm.check(file, dict(sm.OPTIONS), Context(None, [])))
    except InspectionError as exc:
        return f"error: {exc}"
    fmt = next((f.details.get("format", "") for f in found if f.rule == "serialized-model"), "-")
    unsafe = [f.details["callable"] for f in found if f.rule == "unsafe-pickle"]
    unsafe += [f.details["code"] for f in found if f.rule == "unsafe-model-code"]
    broken = [f for f in found if f.rule == "pickle-not-inspectable"]
    return fmt[:48] + (f" UNSAFE {','.join(unsafe)}" if unsafe else "") + (
        " NOT-INSPECTABLE" if broken else "")


def run_picklescan(path: Path) -> str:
    from picklescan.scanner import SafetyLevel, scan_file_path

    try:
        result = scan_file_path(str(path))
    except Exception as exc:  # noqa: BLE001 - the anchor tool failing is a result
        return f"error {type(exc).__name__}"
    bad = sorted({f"{g.module}.{g.name}" for g in result.globals
                  if g.safety == SafetyLevel.Dangerous})
    if bad:
        return "DANGEROUS " + ",".join(bad)
    if result.scan_err:
        return "scan error"
    return f"{len(result.globals)} globals" if result.globals else "-"


def run_modelscan(path: Path) -> str:
    from modelscan.modelscan import ModelScan

    report = ModelScan().scan(path)
    issues = sorted({i.get("operator", "?") for i in report.get("issues", [])})
    if issues:
        return "ISSUES " + ",".join(issues)
    if report["summary"]["skipped"]["total_skipped"] and not report["summary"]["scanned"][
            "total_scanned"]:
        return "skipped"
    if report.get("errors"):
        return "error"
    return "scanned, clean"


def best_ms(func: Callable[[Path], str], path: Path, repeat: int) -> tuple[str, float]:
    best, out = float("inf"), ""
    for _ in range(repeat):
        start = time.perf_counter()
        out = func(path)
        best = min(best, time.perf_counter() - start)
    return out, best * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--big-mb", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    logging.disable(logging.CRITICAL)  # picklescan and modelscan log every file
    tools: list[tuple[str, Callable[[Path], str]]] = [("gitworthy", run_gitworthy)]
    for name, module, func in (("picklescan", "picklescan", run_picklescan),
                               ("modelscan", "modelscan", run_modelscan)):
        try:
            __import__(module)
            tools.append((name, func))
        except ImportError:
            print(f"({name} not installed: pip install {name})", file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        paths = make_files(Path(tmp), args.big_mb)
        totals = dict.fromkeys((t for t, _ in tools), 0.0)
        recognized = dict.fromkeys((t for t, _ in tools), 0)
        caught = dict.fromkeys((t for t, _ in tools), 0)
        malicious = [p for p in paths if p.name.startswith("evil") or p.name == "objects.npz"]
        for path in paths:
            size = path.stat().st_size
            print(f"\n{path.name} ({size:,} bytes)")
            for name, func in tools:
                sink = io.StringIO()
                stdout, sys.stdout = sys.stdout, sink  # modelscan prints progress
                try:
                    out, ms = best_ms(func, path, args.repeat)
                finally:
                    sys.stdout = stdout
                totals[name] += ms
                recognized[name] += not out.startswith(("-", "skipped", "error", "scan error"))
                caught[name] += path in malicious and any(
                    word in out for word in ("UNSAFE", "DANGEROUS", "ISSUES"))
                print(f"  {name:<10} {ms:9.2f} ms  {out}")
        print(f"\n{len(paths)} files. Per tool: total time (best of {args.repeat}), files it "
              f"recognized and scanned, malicious files caught (of {len(malicious)}):")
        for name, _ in tools:
            print(f"  {name:<10} {totals[name]:9.1f} ms  recognized {recognized[name]:3d}"
                  f"  caught {caught[name]}/{len(malicious)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
