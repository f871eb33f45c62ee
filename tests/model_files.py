"""Generate model files whose library is too heavy for CI, to each format's documented layout.

PyTorch, TensorFlow, Keras, CatBoost, Core ML, llama.cpp and R are not installed in CI; these
functions write the bytes those libraries write, following their published layouts, so the
tests (and bench/models_bench.py) can check detection without them. Each function says which
layout it follows. Files made by libraries that *are* installed (scikit-learn, joblib, ONNX,
h5py, safetensors, XGBoost, LightGBM) are made by those libraries in the tests instead.

Nothing here is a real model: tensors are a few zero bytes.
"""
from __future__ import annotations

import gzip
import io
import json
import pickle
import struct
import sys
import tarfile
import types
import zipfile
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

TORCH_LEGACY_MAGIC = 0x1950A86A20F9469CFC6C


@contextmanager
def fake_modules(names: dict[str, dict[str, Any]]) -> Iterator[None]:
    """Modules that exist only while pickling, so pickle writes their real import paths."""
    saved = {name: sys.modules.get(name) for name in names}
    try:
        for name, attrs in names.items():
            module = types.ModuleType(name)
            for attr, value in attrs.items():
                if callable(value):
                    value.__module__, value.__qualname__ = name, attr
                setattr(module, attr, value)
            sys.modules[name] = module
        yield
    finally:
        for name, old in saved.items():
            if old is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = old


def _rebuild_tensor_v2(*args: Any) -> None:  # stands in for torch._utils._rebuild_tensor_v2
    raise AssertionError("never called")


class FloatStorage:  # stands in for torch.FloatStorage (pickled by reference)
    pass


class _Tensor:
    """Pickles like a torch.Tensor: _rebuild_tensor_v2(storage, offset, size, stride, ...)."""

    def __init__(self, key: str, numel: int) -> None:
        self.key, self.numel = key, numel

    def __reduce__(self) -> tuple[Any, ...]:
        storage = ("storage", FloatStorage, self.key, "cpu", self.numel)
        return (_rebuild_tensor_v2, (_Persistent(storage), 0, (self.numel,), (1,), False,
                                     OrderedDict()))


class _Persistent:
    def __init__(self, pid: tuple[Any, ...]) -> None:
        self.pid = pid


class _TorchPickler(pickle.Pickler):
    def persistent_id(self, obj: Any) -> Any:
        return obj.pid if isinstance(obj, _Persistent) else None


def _torch_pickle(obj: Any) -> bytes:
    buf = io.BytesIO()
    with fake_modules({"torch._utils": {"_rebuild_tensor_v2": _rebuild_tensor_v2},
                       "torch": {"FloatStorage": FloatStorage}}):
        _TorchPickler(buf, protocol=2).dump(obj)
    return buf.getvalue()


def state_dict() -> OrderedDict[str, Any]:
    return OrderedDict([("linear.weight", _Tensor("0", 4)), ("linear.bias", _Tensor("1", 2))])


def torch_zip(path: Path, data_pkl: bytes | None = None, name: str = "archive") -> Path:
    """torch.save (zip, the default since 1.6): `<name>/data.pkl` (protocol 2, tensors as
    persistent ids), `<name>/byteorder`, `<name>/data/<key>` raw storages, `<name>/version`,
    stored uncompressed (PyTorch's PyTorchStreamWriter layout)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr(f"{name}/data.pkl", data_pkl or _torch_pickle(state_dict()))
        zf.writestr(f"{name}/byteorder", "little")
        zf.writestr(f"{name}/data/0", b"\x80\x02" + bytes(14))  # storages may start like PROTO
        zf.writestr(f"{name}/data/1", bytes(8))
        zf.writestr(f"{name}/version", "3\n")
        zf.writestr(f"{name}/.data/serialization_id", "1234567890")
    return path


def torchscript_zip(path: Path) -> Path:
    """torch.jit.save: data.pkl, constants.pkl, code/__torch__/*.py and version."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("model/data.pkl", _torch_pickle(state_dict()))
        zf.writestr("model/constants.pkl", pickle.dumps((), protocol=2))
        zf.writestr("model/code/__torch__/model.py", "class Model(Module):\n  pass\n")
        zf.writestr("model/data/0", bytes(16))
        zf.writestr("model/version", "6\n")
    return path


def torch_legacy(path: Path) -> Path:
    """torch.save(_use_new_zipfile_serialization=False): five pickles (magic number, protocol
    version, sys info, the object, storage keys) then each storage as int64 size + bytes."""
    with open(path, "wb") as fh:
        for obj in (TORCH_LEGACY_MAGIC, 1001,
                    {"protocol_version": 1001, "little_endian": True,
                     "type_sizes": {"short": 2, "int": 4, "long": 4}}):
            pickle.dump(obj, fh, protocol=2)
        fh.write(_torch_pickle(state_dict()))
        pickle.dump(["0", "1"], fh, protocol=2)
        fh.writelines(struct.pack("<q", numel) + bytes(4 * numel) for numel in (4, 2))
    return path


def evil_pickle(command: str = "echo pwned", protocol: int = 2) -> bytes:
    """A pickle whose loading calls os.system(command): the classic __reduce__ payload."""
    import os

    class Evil:
        def __reduce__(self) -> tuple[Any, ...]:
            return (os.system, (command,))

    return pickle.dumps(Evil(), protocol=protocol)


def _proto_varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def proto_field(number: int, value: int | bytes | str) -> bytes:
    """One protobuf field: varint for ints, length-delimited for bytes/str."""
    if isinstance(value, int):
        return _proto_varint(number << 3) + _proto_varint(value)
    data = value.encode() if isinstance(value, str) else value
    return _proto_varint(number << 3 | 2) + _proto_varint(len(data)) + data


def saved_model_pb(ops: tuple[str, ...] = ("VarHandleOp", "StatefulPartitionedCall",
                                           "SaveV2")) -> bytes:
    """tensorflow/core/protobuf/saved_model.proto: SavedModel{saved_model_schema_version=1,
    meta_graphs=[MetaGraphDef{meta_info_def=MetaInfoDef{stripped_op_list=OpList{op=[OpDef
    {name}]}, tags=["serve"], tensorflow_version, tensorflow_git_version}}]}."""
    op_list = b"".join(proto_field(1, proto_field(1, name)) for name in ops)
    info = (proto_field(2, op_list) + proto_field(4, "serve") + proto_field(5, "2.15.0")
            + proto_field(6, "v2.15.0-rc1-8-g6887368d6d4"))
    return proto_field(1, 1) + proto_field(2, proto_field(1, info))


def saved_model_dir(root: Path) -> Path:
    """A SavedModel directory: saved_model.pb, variables/variables.{index,data-*}, assets/."""
    (root / "variables").mkdir(parents=True, exist_ok=True)
    (root / "saved_model.pb").write_bytes(saved_model_pb())
    (root / "variables" / "variables.index").write_bytes(bytes(48))
    (root / "variables" / "variables.data-00000-of-00001").write_bytes(bytes(64))
    (root / "fingerprint.pb").write_bytes(proto_field(1, 12345))
    return root


def tflite() -> bytes:
    """A FlatBuffer with file identifier "TFL3" at bytes 4-8 (TFLite schema.fbs)."""
    return struct.pack("<I", 16) + b"TFL3" + bytes(8) + struct.pack("<I", 3) + bytes(44)


def keras_zip(path: Path, layers: list[dict[str, Any]] | None = None) -> Path:
    """Keras 3 `.keras`: a zip of config.json, metadata.json and model.weights.h5 (HDF5)."""
    import h5py

    weights = io.BytesIO()
    with h5py.File(weights, "w") as h5:
        h5.create_group("layers/dense/vars").create_dataset("0", data=[[0.0, 1.0]])
    config = {"module": "keras", "class_name": "Sequential",
              "config": {"layers": layers or []}}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("metadata.json", json.dumps({"keras_version": "3.3.3"}))
        zf.writestr("config.json", json.dumps(config))
        zf.writestr("model.weights.h5", weights.getvalue())
    return path


def gguf() -> bytes:
    """GGUF v3 header (llama.cpp gguf.md): magic, version, tensor count, metadata count, one
    metadata pair general.architecture = "llama"."""
    key = b"general.architecture"
    value = b"llama"
    return (b"GGUF" + struct.pack("<IQQ", 3, 0, 1) + struct.pack("<Q", len(key)) + key
            + struct.pack("<I", 8) + struct.pack("<Q", len(value)) + value)


def ggml() -> bytes:
    """Legacy GGJT (llama.cpp before GGUF): uint32 magic 0x67676a74 little-endian, version."""
    return struct.pack("<II", 0x67676A74, 3) + bytes(56)


def catboost() -> bytes:
    """CatBoost binary model (save_model default, format cbm): 'CBM1' then a flatbuffer."""
    return b"CBM1" + struct.pack("<I", 64) + bytes(64)


def coreml() -> bytes:
    """Core ML Model.proto: specificationVersion=1 (field 1), description=2 with one input
    FeatureDescription, then a model type field (treeEnsembleRegressor = 302)."""
    description = proto_field(1, proto_field(1, "x")) + proto_field(10, proto_field(1, "y"))
    return proto_field(1, 4) + proto_field(2, description) + proto_field(302, b"\x0a\x00")


def pmml() -> bytes:
    """PMML 4.4: an XML document whose root element is PMML."""
    return (b'<?xml version="1.0" encoding="UTF-8"?>\n<!-- exported -->\n'
            b'<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4">\n'
            b'<Header/><DataDictionary numberOfFields="1"/></PMML>\n')


def rds() -> bytes:
    """saveRDS default: gzip of R's XDR serialization ('X\\n', version 3, R version...)."""
    return gzip.compress(b"X\n" + struct.pack(">III", 3, 0x040300, 0x030500) + bytes(32))


def rdata() -> bytes:
    """save(): gzip of 'RDX3\\n' followed by an XDR serialization."""
    return gzip.compress(b"RDX3\nX\n" + struct.pack(">III", 3, 0x040300, 0x030500) + bytes(32))


def skops_zip(path: Path) -> Path:
    """skops.io.dump: a zip with schema.json (__class__, __module__, __loader__, protocol,
    _skops_version) and .npy files for arrays."""
    schema = {"__class__": "LogisticRegression", "__module__": "sklearn.linear_model._logistic",
              "__loader__": "ObjectNode", "protocol": 1, "_skops_version": "0.10.0",
              "content": {}}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("schema.json", json.dumps(schema))
    return path


def mlflow_folder(root: Path) -> Path:
    """mlflow.sklearn.save_model: MLmodel (YAML with flavors), model.pkl, conda.yaml,
    python_env.yaml, requirements.txt."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "MLmodel").write_text(
        "artifact_path: model\nflavors:\n  python_function:\n    loader_module: mlflow.sklearn\n"
        "  sklearn:\n    pickled_model: model.pkl\n    serialization_format: cloudpickle\n")
    (root / "model.pkl").write_bytes(pickle.dumps({"coef": [1.0, 2.0]}, protocol=4))
    (root / "conda.yaml").write_text("dependencies:\n- python=3.11\n")
    (root / "requirements.txt").write_text("scikit-learn==1.5.0\n")
    return root


def hf_folder(root: Path) -> Path:
    """A Hugging Face model folder: config.json (architectures, model_type) and
    model.safetensors, plus tokenizer files."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "config.json").write_text(json.dumps({"architectures": ["BertModel"],
                                                  "model_type": "bert"}))
    header = json.dumps({"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}).encode()
    (root / "model.safetensors").write_bytes(struct.pack("<Q", len(header)) + header + bytes(8))
    (root / "tokenizer.json").write_text("{}")
    return root


def coreml_package(root: Path) -> Path:
    """A Core ML .mlpackage directory: Manifest.json (itemInfoEntries naming
    com.apple.CoreML) and Data/com.apple.CoreML/model.mlmodel."""
    data = root / "Data" / "com.apple.CoreML"
    data.mkdir(parents=True, exist_ok=True)
    (root / "Manifest.json").write_text(json.dumps({
        "fileFormatVersion": "1.0.0", "rootModelIdentifier": "A",
        "itemInfoEntries": {"A": {"author": "com.apple.CoreML", "path": "model.mlmodel"}}}))
    (data / "model.mlmodel").write_bytes(coreml())
    return root


def zip_bytes(members: dict[str, bytes], method: int = zipfile.ZIP_STORED) -> bytes:
    """A zip archive holding these members (stored, unless `method` says otherwise)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def tar_gz(members: dict[str, bytes]) -> bytes:
    """A gzip-compressed tar archive holding these members."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()
