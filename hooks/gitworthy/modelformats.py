"""Recognize serialized models by their content: magic bytes, protobuf fields, a zip's names.

`detect(file, limit)` reads only what identifies a format: `file.head()` (64 KiB; 1 MiB for
HDF5 attribute names), a zip's central directory and its members' first bytes, or the first
64 KiB *decompressed* of a compressed stream. Pickles it finds (plain, joblib-compressed,
inside zips, after a NumPy header) are walked with `gitworthy.pickles` to list their imports.

Reading strategy (bounded):
- zips are opened with `zipfile` when the stream can seek (working-tree files, blobs up to
  1 MiB); a blob larger than 1 MiB arrives as a pipe and is spooled to a temporary file up to
  the scan limit (`max-scan-mb`), beyond which the file is reported as not inspectable;
- compressed streams are decompressed in bounded steps (`max_length`), never more than the
  scan limit in total: a zip or compression bomb costs at most `max-scan-mb` of CPU, and
  never memory;
- nothing is ever unpickled, imported or executed.
"""
from __future__ import annotations

import bz2
import io
import json
import lzma
import re
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from gitworthy import pickles
from gitworthy.findings import InspectionError
from gitworthy.pickles import PickleScan

HEAD = 64 * 1024
HDF5_WINDOW = 1 << 20
WINDOW = 64 * 1024           # decompressed bytes used to recognize a compressed stream
MAX_ZIP_MEMBERS = 10_000     # members whose first bytes are looked at
HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
TORCH_STORAGE = re.compile(r"(?:\A|/)data/\d+\Z")
PICKLE_NAMES = (".pkl", ".pickle", ".joblib", ".dill", ".cloudpickle", ".pck", ".pt", ".pth")


@dataclass
class Detection:
    """A model format recognized in one file."""

    format: str                  # "PyTorch checkpoint"
    how: str                     # "zip archive holding archive/data.pkl"
    flavor: str = "pyfunc"       # the MLflow flavor for the hint (mlflow.<flavor>.log_model)
    pickles: list[tuple[str, PickleScan]] = field(default_factory=list)  # (where, walk)
    code: list[tuple[str, str]] = field(default_factory=list)  # (what, why it runs code)


KERAS_LAMBDA = re.compile(rb'"class_name":\s*"(?:Lambda|TFOpLambda)"')
LAMBDA_WHY = ("a Keras Lambda layer stores Python bytecode that runs when the model is "
              "loaded (Keras 2, or Keras 3 with safe_mode=False)")
TF_FILE_OPS = {b"ReadFile": "the TensorFlow ReadFile op reads any file when the graph runs",
               b"WriteFile": "the TensorFlow WriteFile op writes any file when the graph runs"}


def _code_in(window: bytes) -> list[tuple[str, str]]:
    """Code a Keras/TensorFlow model carries, found in its config or op list bytes."""
    found = []
    if KERAS_LAMBDA.search(window):
        found.append(("Keras Lambda layer", LAMBDA_WHY))
    for op, why in TF_FILE_OPS.items():
        if re.search(rb"[\x00-\x20\"]" + op + rb"[\x00-\x20\"]", window):
            found.append((f"TensorFlow op {op.decode()}", why))
    return found


# --------------------------------------------------------------------------- small helpers


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if pos >= len(buf) or shift > 63:
            raise ValueError("varint")
        byte = buf[pos]
        value |= (byte & 0x7F) << shift
        pos += 1
        if not byte & 0x80:
            return value, pos
        shift += 7


def proto_fields(buf: bytes, limit: int = 64) -> list[tuple[int, int, Any]]:
    """Top-level protobuf fields (number, wire type, value) decodable from the first bytes.

    A length-delimited field's value is its bytes (cut at the window's end). Stops at the
    end of the window or at the first byte that is not a valid tag.
    """
    fields: list[tuple[int, int, Any]] = []
    pos = 0
    try:
        while pos < len(buf) and len(fields) < limit:
            tag, pos = _varint(buf, pos)
            number, wire = tag >> 3, tag & 7
            if number == 0 or wire not in (0, 1, 2, 5):
                break
            value: int | bytes
            if wire == 0:
                value, pos = _varint(buf, pos)
            elif wire == 1:
                value, pos = buf[pos:pos + 8], pos + 8
            elif wire == 5:
                value, pos = buf[pos:pos + 4], pos + 4
            else:
                size, pos = _varint(buf, pos)
                value, pos = buf[pos:pos + size], pos + size
            fields.append((number, wire, value))
    except ValueError:
        pass
    return fields


class Inflated(io.RawIOBase):
    """A decompressing stream (zlib, gzip, bz2, xz, lzma-alone, lz4) read in bounded steps."""

    def __init__(self, raw: pickles.Stream, kind: str) -> None:
        self.raw, self.kind = raw, kind
        if kind in ("zlib", "gzip"):
            self.d: Any = zlib.decompressobj(31 if kind == "gzip" else 15)
        elif kind == "bz2":
            self.d = bz2.BZ2Decompressor()
        elif kind in ("xz", "lzma"):
            self.d = lzma.LZMADecompressor(lzma.FORMAT_AUTO)
        else:
            import lz4.frame  # optional: only when an lz4 stream is met

            self.d = lz4.frame.LZ4FrameDecompressor()

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self.raw.close()
        super().close()

    def readinto(self, buffer: Any) -> int:
        want = len(buffer)
        while True:
            if self.kind in ("zlib", "gzip"):
                if self.d.eof:
                    return 0
                data = self.d.unconsumed_tail or self.raw.read(65536)
                if not data:
                    return 0
                out = self.d.decompress(data, want)
            else:
                if self.d.eof:
                    return 0
                data = self.raw.read(65536) if self.d.needs_input else b""
                if self.d.needs_input and not data:
                    return 0
                out = self.d.decompress(data, want)
            if out:
                buffer[: len(out)] = out
                return len(out)


COMPRESSED = (  # (kind, test on the first bytes)
    ("gzip", lambda h: h[:2] == b"\x1f\x8b"),
    ("bz2", lambda h: h[:3] == b"BZh"),
    ("xz", lambda h: h[:6] == b"\xfd7zXZ\x00"),
    ("lzma", lambda h: h[:3] == b"\x5d\x00\x00"),
    ("lz4", lambda h: h[:4] == b"\x04\x22\x4d\x18"),
    ("zlib", lambda h: len(h) > 1 and h[0] == 0x78 and (h[0] * 256 + h[1]) % 31 == 0),
)


def compression(head: bytes) -> str | None:
    for kind, test in COMPRESSED:
        if test(head):
            return kind
    return None


def inflate_window(head: bytes, kind: str) -> bytes:
    """The first WINDOW decompressed bytes of a compressed head, or b'' when it is not one."""
    try:
        return Inflated(io.BytesIO(head), kind).read(WINDOW) or b""
    except (zlib.error, OSError, EOFError, lzma.LZMAError, ValueError, ImportError, RuntimeError):
        return b""


# --------------------------------------------------------------------------- pickles


FRAMEWORKS = (  # (module prefix, name, MLflow flavor)
    ("sklearn", "scikit-learn", "sklearn"), ("xgboost", "XGBoost", "xgboost"),
    ("lightgbm", "LightGBM", "lightgbm"), ("catboost", "CatBoost", "catboost"),
    ("torch", "PyTorch", "pytorch"), ("statsmodels", "statsmodels", "statsmodels"),
    ("keras", "Keras", "tensorflow"), ("tensorflow", "TensorFlow", "tensorflow"),
    ("transformers", "Hugging Face transformers", "transformers"),
    ("prophet", "Prophet", "prophet"), ("spacy", "spaCy", "spacy"),
    ("pandas", "pandas", "pyfunc"), ("numpy", "NumPy", "pyfunc"),
)


def describe_pickle(scan: PickleScan) -> tuple[str, str]:
    """('pickle (protocol 4, joblib) of a scikit-learn RandomForestClassifier', flavor)."""
    kinds = [f"protocol {scan.protocol}"]
    modules = [g.module for g in scan.globals]
    if any(m.startswith("joblib") for m in modules):
        kinds.append("joblib")
    if any(m.startswith("cloudpickle") for m in modules):
        kinds.append("cloudpickle")
    if any(m.startswith("dill") for m in modules):
        kinds.append("dill")
    text = f"pickle ({', '.join(kinds)})"
    for prefix, name, flavor in FRAMEWORKS:
        for g in scan.globals:
            if g.module == prefix or g.module.startswith(prefix + "."):
                return f"{text} of a {name} {g.name}", flavor
    return text, "pyfunc"


class _Skipped(io.RawIOBase):
    """A stream from `skip` bytes on (the pickle after a .npy header)."""

    def __init__(self, raw: pickles.Stream, skip: int) -> None:
        self.raw = raw
        while skip > 0:
            chunk = raw.read(min(skip, 65536))
            if not chunk:
                break
            skip -= len(chunk)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.raw.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self.raw.close()
        super().close()


# --------------------------------------------------------------------------- zips


def _open_zip(file: Any, limit: int) -> tuple[zipfile.ZipFile, IO[bytes]]:
    stream = file.open()
    if not stream.seekable():
        spool = tempfile.SpooledTemporaryFile(max_size=8 << 20)  # noqa: SIM115 - caller closes
        copied = 0
        while chunk := stream.read(1 << 20):
            copied += len(chunk)
            if copied > limit:
                stream.close()
                spool.close()
                raise InspectionError(
                    f"zip archive larger than the {limit >> 20} MiB scan limit arrived as a "
                    "stream (a large git blob): raise --max-scan-mb or scan the working tree")
            spool.write(chunk)
        stream.close()
        spool.seek(0)
        stream = spool  # type: ignore[assignment]
    try:
        return zipfile.ZipFile(stream), stream
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        stream.close()
        raise InspectionError(f"zip archive is corrupt or truncated ({exc})") from exc


def _member_head(zf: zipfile.ZipFile, info: zipfile.ZipInfo, n: int) -> bytes:
    try:
        with zf.open(info) as member:
            return member.read(n)
    except (zipfile.BadZipFile, OSError, NotImplementedError, RuntimeError, EOFError,
            zlib.error, lzma.LZMAError, ValueError):
        return b""


def _npy_header(head: bytes) -> tuple[str, int] | None:
    """(dtype description, header length) of a .npy file's first bytes."""
    if not head.startswith(b"\x93NUMPY") or len(head) < 10:
        return None
    major = head[6]
    if major == 1:
        (size,), start = struct.unpack("<H", head[8:10]), 10
    else:
        if len(head) < 12:
            return None
        (size,), start = struct.unpack("<I", head[8:12]), 12
    text = head[start:start + size].decode("latin-1")
    match = re.search(r"'descr':\s*(.+?),\s*'fortran_order'", text)
    return (match.group(1) if match else "?"), start + size


def _npy_has_objects(descr: str) -> bool:
    return bool(re.search(r"'\|?O\d*'", descr))


def detect_zip(file: Any, limit: int) -> Detection | None:
    zf, stream = _open_zip(file, limit)
    try:
        return _classify_zip(zf, limit)
    finally:
        zf.close()
        stream.close()


def _walk_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int,
                 skip: int = 0) -> PickleScan:
    try:
        return pickles.walk_both(lambda: _Skipped(zf.open(info), skip), limit)
    except (zipfile.BadZipFile, NotImplementedError, *pickles.STREAM_ERRORS) as exc:
        scan = PickleScan()
        scan.error = f"zip member cannot be read ({exc})"
        return scan


def _classify_zip(zf: zipfile.ZipFile, limit: int) -> Detection | None:
    infos = [i for i in zf.infolist() if not i.is_dir()]
    names = [i.filename for i in infos]
    base = {n.rsplit("/", 1)[-1] for n in names}
    found: list[tuple[str, PickleScan]] = []
    npy_objects: list[str] = []
    npy_count = 0
    data_pkl = next((n for n in names if n == "data.pkl" or n.endswith("/data.pkl")), None)
    for info in infos[:MAX_ZIP_MEMBERS]:
        name = info.filename
        lower = name.lower()
        if data_pkl and TORCH_STORAGE.search(name):
            continue  # torch tensor storages (data/0, data/1...): raw numbers, not pickles
        if lower.endswith(".npy"):
            npy_count += 1
            head = _member_head(zf, info, 4096)
            header = _npy_header(head)
            if header and _npy_has_objects(header[0]):
                npy_objects.append(name)
                found.append((name, _walk_member(zf, info, limit, skip=header[1])))
            continue
        # Members whose first bytes decode as a pickle are walked: with a PROTO header under
        # any name, headerless (protocol 0/1) only under a pickle-like name (.pkl, .pt...),
        # since text members of jars and wheels can decode as a few protocol-0 opcodes.
        named = lower.endswith(PICKLE_NAMES)
        head = _member_head(zf, info, 4096)
        if head and pickles.looks_like_pickle(head)[0] and (named or head[:1] == b"\x80"):
            found.append((name, _walk_member(zf, info, limit)))
    if data_pkl and any(n.endswith("/constants.pkl") or "/code/" in n for n in names):
        return Detection("TorchScript module", f"zip archive holding {data_pkl} and code/",
                         "pytorch", found)
    if data_pkl:
        return Detection("PyTorch checkpoint", f"zip archive holding {data_pkl}", "pytorch", found)
    if "config.json" in names and any(n.endswith(".weights.h5") for n in names):
        config = _member_head(zf, zf.getinfo("config.json"), HDF5_WINDOW)
        return Detection("Keras model (.keras)", "zip archive holding config.json and "
                         "model.weights.h5", "tensorflow", found,
                         [c for c in _code_in(config) if c[0].startswith("Keras")])
    if "schema.json" in names:
        schema = _member_head(zf, zf.getinfo("schema.json"), 4096)
        if b"__class__" in schema and (b"_skops_version" in schema or b"protocol" in schema):
            return Detection("scikit-learn skops model", "zip archive holding a skops "
                             "schema.json", "sklearn", found)
    if npy_objects:
        return Detection("NumPy archive of Python objects (pickled)",
                         f".npz zip holding object arrays ({', '.join(npy_objects[:3])})",
                         "pyfunc", found)
    if npy_count and npy_count == len(names):
        return None  # a plain .npz of numbers is data (check-large-files judges its size)
    if found:
        where = ", ".join(n for n, _ in found[:3])
        return Detection("zip archive of pickles", f"zip archive holding {where}", "pyfunc",
                         found)
    if "Manifest.json" in base and any("com.apple.CoreML" in n for n in names):
        return Detection("Core ML package", "zip holding an .mlpackage", "pyfunc")
    return None


# --------------------------------------------------------------------------- single files


def _safetensors(head: bytes, size: int) -> bool:
    if len(head) < 10:
        return False
    (n,) = struct.unpack("<Q", head[:8])
    if not 2 <= n <= 100 << 20 or n + 8 > size or head[8:9] != b"{":
        return False
    if n + 8 <= len(head):
        try:
            header = json.loads(head[8:8 + n])
        except ValueError:
            return False
        tensors = [v for k, v in header.items() if k != "__metadata__"] \
            if isinstance(header, dict) else None
        return tensors is not None and all(
            isinstance(v, dict) and "dtype" in v and "data_offsets" in v for v in tensors)
    return b'"dtype"' in head and b'"data_offsets"' in head


ONNX_FIELDS = {1: 0, 2: 2, 3: 2, 4: 2, 5: 0, 6: 2, 7: 2, 8: 2, 14: 2, 20: 2, 25: 2}


def _onnx(head: bytes) -> bool:
    fields = proto_fields(head)
    if not fields or fields[0][:2] != (1, 0) or not 1 <= fields[0][2] <= 30:
        return False
    numbers = set()
    for number, wire, _ in fields:
        if ONNX_FIELDS.get(number) != wire:
            return False
        numbers.add(number)
    return bool(numbers & {7, 8})


def _coreml(head: bytes) -> bool:
    fields = proto_fields(head)
    if len(fields) < 3 or fields[0][:2] != (1, 0) or not 1 <= fields[0][2] <= 20:
        return False
    return fields[1][:2] == (2, 2) and any(n >= 200 and w == 2 for n, w, _ in fields[2:])


SAVED_MODEL_OPS = (b"serve", b"VarHandleOp", b"StatefulPartitionedCall", b"SaveV2",
                   b"RestoreV2", b"Placeholder")


def _saved_model(head: bytes) -> bool:
    fields = proto_fields(head, 4)
    return (len(fields) >= 2 and fields[0] == (1, 0, 1) and fields[1][:2] == (2, 2)
            and any(op in head for op in SAVED_MODEL_OPS))


PMML = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:\w+:)?PMML\b",
                  re.DOTALL)
R_WORKSPACE = (b"RDX2\n", b"RDX3\n", b"RDA2\n", b"RDA3\n", b"RDB2\n", b"RDB3\n")


R_SERIALIZED = re.compile(
    rb"\A(?:X\n\x00\x00\x00[\x02\x03]|B\n[\x02\x03]\x00\x00\x00|A\n[23]\n\d+\n\d+\n)")
XGBOOST_JSON = re.compile(rb"\A\s*\{\s*\"learner\"\s*:\s*\{")
XGBOOST_KEYS = (b'"gradient_booster"', b'"learner_model_param"', b'"attributes"')


def _r_object(data: bytes) -> str | None:
    """R's serialization: save() workspaces (RDX3...) and saveRDS() objects (X/B/A formats)."""
    if data.startswith(R_WORKSPACE):
        return "R workspace (.RData)"
    if R_SERIALIZED.match(data):
        return "R serialized object (saveRDS)"
    return None


def _magic(head: bytes, size: int) -> Detection | None:
    """Formats recognized from fixed bytes at the start."""
    if head.startswith(b"GGUF") and len(head) >= 8 and 1 <= struct.unpack("<I", head[4:8])[0] <= 9:
        return Detection("GGUF model", "GGUF magic and version", "pyfunc")
    if head[:4] in (b"lmgg", b"fmgg", b"tjgg", b"algg"):
        return Detection("GGML model", f"GGML magic '{head[:4][::-1].decode()}'", "pyfunc")
    if head[4:8] == b"TFL3" and size >= 16:
        return Detection("TensorFlow Lite model", "FlatBuffer identifier TFL3", "tensorflow")
    if head.startswith(b"CBM1"):
        return Detection("CatBoost model", "CBM1 magic", "catboost")
    if head.startswith(b"binf"):
        return Detection("XGBoost model (binary)", "binf magic", "xgboost")
    if XGBOOST_JSON.match(head) and any(key in head for key in XGBOOST_KEYS):
        return Detection("XGBoost model (JSON)", "JSON object with a \"learner\" key", "xgboost")
    if head[:1] == b"{" and head[1:2] in b"iUIlLL" and b"learner" in head[:24]:
        return Detection("XGBoost model (UBJSON)", "UBJSON object with a learner key", "xgboost")
    if re.match(rb"\Atree\r?\nversion=v\d", head):
        return Detection("LightGBM model (text)", "'tree' and 'version=' header", "lightgbm")
    if PMML.match(head[:8192]):
        return Detection("PMML model", "XML root element PMML", "pyfunc")
    if _safetensors(head, size):
        return Detection("safetensors weights", "8-byte header length and a JSON tensor "
                         "table", "transformers")
    if _onnx(head):
        return Detection("ONNX model", "protobuf ModelProto fields (ir_version, graph)", "onnx")
    if _coreml(head):
        return Detection("Core ML model", "protobuf Model fields (specificationVersion, "
                         "description, model type)", "pyfunc")
    if _saved_model(head):
        return Detection("TensorFlow SavedModel graph", "protobuf SavedModel fields and "
                         "TensorFlow op names", "tensorflow", code=_code_in(head))
    kind = _r_object(head)
    if kind:
        return Detection(kind, "R serialization header", "pyfunc")
    return None


def _hdf5(file: Any, head: bytes) -> Detection | None:
    if not any(head[o:o + 8] == HDF5_SIGNATURE for o in (0, 512, 1024, 2048)):
        return None
    window = file.head(HDF5_WINDOW) if file.size > len(head) else head
    if b"model_config" in window:
        return Detection("Keras model (HDF5)", "HDF5 file with a model_config attribute",
                         "tensorflow", code=[c for c in _code_in(window)
                                             if c[0].startswith("Keras")])
    if b"keras_version" in window or b"layer_names" in window:
        return Detection("Keras weights (HDF5)", "HDF5 file with keras_version/layer_names "
                         "attributes", "tensorflow")
    return None  # plain HDF5 data: check-large-files judges it


def _pickle_file(file: Any, head: bytes, limit: int) -> Detection | None:
    ok, _ = pickles.looks_like_pickle(head)
    if not ok:
        return None
    scan = pickles.walk_both(file.open, limit)
    name, flavor = describe_pickle(scan)
    how = "pickle opcodes from the first byte"
    if scan.first_value == pickles.TORCH_LEGACY_MAGIC:
        return Detection("PyTorch checkpoint (legacy format)", "torch magic number pickle",
                         "pytorch", [("", scan)])
    return Detection(name, how, flavor, [("", scan)])


def _npy(file: Any, head: bytes, limit: int) -> Detection | None:
    header = _npy_header(head)
    if not header or not _npy_has_objects(header[0]):
        return None
    scan = pickles.walk_both(lambda: _Skipped(file.open(), header[1]), limit)
    return Detection("NumPy array of Python objects (pickled)", "NumPy header with dtype "
                     "object", "pyfunc", [("", scan)])


def _compressed(file: Any, head: bytes, limit: int) -> Detection | None:
    kind = compression(head)
    if kind is None:
        return None
    window = inflate_window(head, kind)
    if not window:
        return None
    r_kind = _r_object(window)
    if r_kind:
        return Detection(r_kind, f"{kind}-compressed R serialization header", "pyfunc")
    ok, _ = pickles.looks_like_pickle(window)
    if not ok:
        return None
    scan = pickles.walk_both(lambda: Inflated(file.open(), kind), limit)
    name, flavor = describe_pickle(scan)
    name = name.replace("pickle (", f"{kind}-compressed pickle (", 1)
    return Detection(name, f"{kind} stream holding pickle opcodes", flavor, [("", scan)])


def detect(file: Any, limit: int) -> Detection | None:
    """The model format of one file, or None. Raises InspectionError when it cannot tell."""
    head = file.head(HEAD)
    if not head:
        return None
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return detect_zip(file, limit)
    for probe in (lambda: _magic(head, file.size), lambda: _hdf5(file, head),
                  lambda: _npy(file, head, limit), lambda: _compressed(file, head, limit),
                  lambda: _pickle_file(file, head, limit)):
        found = probe()
        if found:
            return found
    return None


def iter_unsafe(detection: Detection) -> Iterator[tuple[str, pickles.Global, str]]:
    """(where, import, reason) for every dangerous import in the detection's pickles."""
    for where, scan in detection.pickles:
        for item in scan.globals:
            reason = pickles.dangerous(item)
            if reason:
                yield where, item, reason
