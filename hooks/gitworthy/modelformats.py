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
import lzma
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator

from gitworthy import pickles
from gitworthy.findings import InspectionError
from gitworthy.pickles import PickleScan
from gitworthy.records import Record

TYPE_CHECKING = False  # typing costs a hook's start-up 2 ms; mypy reads the block
if TYPE_CHECKING:
    from typing import Any

HEAD = 64 * 1024
HDF5_WINDOW = 1 << 20
WINDOW = 64 * 1024           # decompressed bytes used to recognize a compressed stream
MAX_ZIP_MEMBERS = 10_000     # members whose first bytes are looked at
HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
TORCH_STORAGE = re.compile(r"(?:\A|/)data/\d+\Z")
PICKLE_NAMES = (".pkl", ".pickle", ".joblib", ".dill", ".cloudpickle", ".pck", ".pt", ".pth")


class Detection(Record):
    """A model format recognized in one file."""

    def __init__(self, format: str, how: str, flavor: str = "pyfunc",
                 pickles: list[tuple[str, PickleScan]] | None = None,
                 code: list[tuple[str, str]] | None = None,
                 errors: list[tuple[str, str]] | None = None) -> None:
        self.format = format    # "PyTorch checkpoint"
        self.how = how          # "zip archive holding archive/data.pkl"
        self.flavor = flavor    # the MLflow flavor for the hint (mlflow.<flavor>.log_model)
        self.pickles: list[tuple[str, PickleScan]] = [] if pickles is None else pickles
        self.code: list[tuple[str, str]] = [] if code is None else code  # (what, why)
        self.errors: list[tuple[str, str]] = [] if errors is None else errors  # (where, why)

    def merge(self, where: str, inner: Detection) -> None:
        """Take in what was found inside one of this container's members."""
        self.pickles += [(_join(where, w), scan) for w, scan in inner.pickles]
        self.code += [(f"{what} in {where}", why) for what, why in inner.code]
        self.errors += [(_join(where, w), why) for w, why in inner.errors]


def _join(outer: str, inner: str) -> str:
    return f"{outer}/{inner}" if inner else outer


class Budget:
    """Bytes one file may cost, shared by everything inside it (members, nested archives),
    so that neither a bomb nor ten thousand members multiply the scan limit."""

    def __init__(self, limit: int) -> None:
        self.left = limit

    def spend(self, n: int) -> None:
        self.left -= n

    def check(self, what: str) -> None:
        if self.left <= 0:
            raise InspectionError(f"{what}: stopped at the scan limit (--max-scan-mb); "
                                  "its content is not all known")


KERAS_CLASS = re.compile(rb'"class_name"\s*:\s*"((?:[^"\\]|\\.){1,200})"')
LAMBDA_WHY = ("a Keras Lambda layer stores Python bytecode that runs when the model is "
              "loaded (Keras 2, or Keras 3 with safe_mode=False)")
TF_FILE_OPS = {b"ReadFile": "the TensorFlow ReadFile op reads any file when the graph runs",
               b"WriteFile": "the TensorFlow WriteFile op writes any file when the graph runs",
               b"PyFunc": "the TensorFlow PyFunc op calls a Python function when the graph runs",
               b"PyFuncStateless": "the TensorFlow PyFuncStateless op calls a Python function",
               b"EagerPyFunc": "the TensorFlow EagerPyFunc op calls a Python function"}


def _code_in(window: bytes) -> list[tuple[str, str]]:
    """Code a Keras/TensorFlow model carries, found in its config or op list bytes."""
    import json  # here, as in the others: a hook judging code files never needs it

    found = []
    for match in KERAS_CLASS.finditer(window):
        try:  # JSON escapes decoded: "\u004cambda" is Lambda to Keras
            name = json.loads(b'"' + match.group(1) + b'"')
        except ValueError:
            continue
        if name in ("Lambda", "TFOpLambda"):
            found.append(("Keras Lambda layer", LAMBDA_WHY))
            break
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
    """A decompressing stream (zlib, gzip, raw deflate, bz2, xz, lzma-alone, lz4, zstd)
    read in bounded steps; at most `cap` decompressed bytes, then an error (bombs stop)."""

    def __init__(self, raw: pickles.Stream, kind: str, cap: int = 1 << 62) -> None:
        self.raw, self.kind, self.cap, self.out = raw, kind, cap, 0
        if kind == "zstd":
            import zstandard  # only when a zstd stream is met

            source: Any = raw
            self.d: Any = zstandard.ZstdDecompressor().stream_reader(
                source, read_across_frames=True, closefd=False)
            self._zstd_error: type[Exception] = zstandard.ZstdError
        elif kind in ("zlib", "gzip", "deflate"):
            self.kind = "zlib"
            self.d = zlib.decompressobj({"gzip": 31, "zlib": 15, "deflate": -15}[kind])
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
        want = min(len(buffer), 1 << 20)
        if self.out >= self.cap:
            raise OSError(f"decompressed data passes the {self.cap >> 20} MiB scan limit")
        got = self._inflate(buffer, want)
        self.out += got
        return got

    def _inflate(self, buffer: Any, want: int) -> int:
        if self.kind == "zstd":
            try:
                data = self.d.read(want)
            except self._zstd_error as exc:
                raise OSError(f"corrupt zstd stream ({exc})") from None
            buffer[: len(data)] = data
            return len(data)
        while True:
            if self.kind == "zlib":
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
    ("zstd", lambda h: h[:4] == b"\x28\xb5\x2f\xfd"),
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
    except ImportError as exc:
        raise InspectionError(f"{kind} stream: the library that reads it is missing ({exc.name})"
                              ) from None
    except (zlib.error, OSError, EOFError, lzma.LZMAError, ValueError, RuntimeError):
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


# --------------------------------------------------------------------------- parts


class _Window(io.RawIOBase):
    """Bytes [start, start + size) of a seekable stream, read with their own position, so
    several views share one file (zip members read from their local headers, spools)."""

    def __init__(self, raw: Any, start: int, size: int, owner: bool = False) -> None:
        self.raw, self.start, self.size, self.owner, self.at = raw, start, size, owner, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.at, io.SEEK_END: self.size}[whence]
        self.at = max(0, base + offset)
        return self.at

    def tell(self) -> int:
        return self.at

    def readinto(self, buffer: Any) -> int:
        want = min(len(buffer), self.size - self.at)
        if want <= 0:
            return 0
        self.raw.seek(self.start + self.at)
        data = self.raw.read(want)
        buffer[: len(data)] = data
        self.at += len(data)
        return len(data)

    def close(self) -> None:
        if self.owner:
            self.raw.close()
        super().close()


class Part:
    """Bytes inside a file (an archive member, a decompressed stream) behind the interface
    `detect` uses on files: `size`, `head(n)` and `open()` (each open starts over)."""

    def __init__(self, opener: Any, size: int) -> None:
        self._opener, self.size = opener, size
        self._head: bytes | None = None

    def open(self) -> Any:
        return self._opener()

    def head(self, n: int = HEAD) -> bytes:
        if self._head is None or (n > len(self._head) and len(self._head) >= HEAD):
            with self.open() as stream:
                data = stream.read(max(n, HEAD))
            self._head = data[:HEAD] if n <= HEAD else data
            return data[:n]
        return self._head[:n]


def _spool(stream: Any, budget: Budget, what: str, first: bytes = b"") -> Part:
    """A non-seekable stream copied to a temporary file (in memory up to 8 MiB), at most the
    budget; the Part reads the copy, which lives until the process collects it."""
    import tempfile

    spool = tempfile.SpooledTemporaryFile(max_size=8 << 20)  # noqa: SIM115 - owned by the Part
    spool.write(first)
    copied = len(first)
    while chunk := stream.read(1 << 20):
        copied += len(chunk)
        if copied > budget.left:
            spool.close()
            raise InspectionError(f"{what} is larger than what is left of the scan limit "
                                  f"({max(budget.left, 0) >> 20} MiB): raise --max-scan-mb")
        spool.write(chunk)
    budget.spend(copied)
    return Part(lambda: _Window(spool, 0, copied), copied)


# --------------------------------------------------------------------------- zips


def _open_zip(file: Any, budget: Budget) -> tuple[zipfile.ZipFile, Any]:
    stream = file.open()
    if not stream.seekable():
        try:
            part = _spool(stream, budget, "zip archive arriving as a stream (a large git blob)")
        finally:
            stream.close()
        stream = part.open()
    try:
        return zipfile.ZipFile(stream), stream
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        stream.close()
        raise InspectionError(f"zip archive is corrupt or truncated ({exc})") from exc


ZIP_METHODS = {0: None, 8: "deflate", 12: "bz2"}


def _member(zf: zipfile.ZipFile, stream: Any, info: zipfile.ZipInfo, budget: Budget) -> Part:
    """A zip member read from its local header, as loaders built on other zip readers do
    (torch's, numpy's): whatever its flag bits (encrypted, patched, strong encryption are
    only claims until the bytes are read), its CRC, or a central-directory name that differs
    from the local one. Other compression methods go through zipfile."""
    method = ZIP_METHODS.get(info.compress_type, "zipfile")
    if method == "zipfile":
        return Part(lambda: zf.open(info), info.file_size)
    try:
        stream.seek(max(info.header_offset, 0))
        local = stream.read(30) if info.header_offset >= 0 else b""
    except (OSError, ValueError):  # an offset a corrupt central directory made up
        local = b""
    if len(local) < 30 or local[:4] != b"PK\x03\x04":
        return Part(lambda: zf.open(info), info.file_size)
    name_len, extra_len = struct.unpack("<HH", local[26:30])
    start = info.header_offset + 30 + name_len + extra_len
    raw = lambda: _Window(stream, start, info.compress_size)  # noqa: E731
    if method is None:
        return Part(raw, info.compress_size)
    return Part(lambda: Inflated(raw(), method, max(budget.left, 0)), info.file_size)


def _member_head(part: Part, n: int) -> bytes:
    try:
        return part.head(n)
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


def detect_zip(file: Any, budget: Budget, depth: int = 0) -> Detection | None:
    zf, stream = _open_zip(file, budget)
    try:
        return _classify_zip(zf, stream, budget, depth)
    finally:
        zf.close()
        stream.close()


def walk_part(opener: Any, budget: Budget, what: str = "") -> PickleScan:
    """Walk a pickle (both as joblib.load and pickle.load read it), charged to the budget."""
    if budget.left <= 0:
        scan = PickleScan()
        scan.error = "not walked: the scan limit was spent on the rest of the file"
        return scan
    try:
        scan = pickles.walk_both(opener, budget.left)
    except (zipfile.BadZipFile, NotImplementedError, *pickles.STREAM_ERRORS) as exc:
        scan = PickleScan()
        scan.error = f"{what or 'stream'} cannot be read ({type(exc).__name__})"
    budget.spend(scan.bytes)
    return scan


def _classify_zip(zf: zipfile.ZipFile, stream: Any, budget: Budget,
                  depth: int) -> Detection | None:
    infos = [i for i in zf.infolist() if not i.filename.endswith("/")]  # is_dir() fails on ""
    names = [i.filename for i in infos]
    base = {n.rsplit("/", 1)[-1] for n in names}
    found: list[tuple[str, PickleScan]] = []
    inner: list[tuple[str, Detection]] = []
    errors: list[tuple[str, str]] = []
    npy_objects: list[str] = []
    npy_count = 0
    data_pkl = next((n for n in names if n == "data.pkl" or n.endswith("/data.pkl")), None)
    for info in infos[:MAX_ZIP_MEMBERS]:
        name = info.filename
        lower = name.lower()
        if data_pkl and TORCH_STORAGE.search(name):
            continue  # torch tensor storages (data/0, data/1...): raw numbers, not pickles
        part = _member(zf, stream, info, budget)
        head = _member_head(part, 4096)
        if lower.endswith(".npy"):
            npy_count += 1
            header = _npy_header(head)
            if header and _npy_has_objects(header[0]):
                npy_objects.append(name)
                skip = header[1]
                found.append((name, walk_part(lambda p=part, k=skip: _Skipped(p.open(), k),
                                              budget, "zip member")))
            continue
        # A member pickle.load would run is walked: with a PROTO header or imports under any
        # name; plain headerless values only under a pickle-like name (.pkl, .pt...), since
        # text members of jars and wheels can decode as a few protocol-0 opcodes.
        found_probe = pickles.probe(head)
        named = lower.endswith(PICKLE_NAMES)
        if found_probe.is_pickle and (named or found_probe.headed or found_probe.imports):
            found.append((name, walk_part(part.open, budget, "zip member")))
        elif info.flag_bits & 0x41 and (named or name == data_pkl):
            errors.append((name, "encrypted member: its content cannot be read"))
        elif _container(head):
            if depth >= MAX_DEPTH:
                errors.append((name, f"an archive nested deeper than {MAX_DEPTH} levels: "
                                     "not looked into"))
                continue
            nested = _inside(part, head, budget, depth + 1)
            if nested is not None:
                inner.append((name, nested))
    detection = _zip_kind(zf, names, base, data_pkl, npy_objects, npy_count, found, inner)
    if detection is None and errors:
        detection = Detection("zip archive", "")  # nothing known inside: only the errors
    if detection is not None:
        for where, nested in inner:
            detection.merge(where, nested)
        detection.errors += errors
    return detection


def _zip_kind(zf: zipfile.ZipFile, names: list[str], base: set[str], data_pkl: str | None,
              npy_objects: list[str], npy_count: int, found: list[tuple[str, PickleScan]],
              inner: list[tuple[str, Detection]]) -> Detection | None:
    if data_pkl and any(n.endswith("/constants.pkl") or "/code/" in n for n in names):
        return Detection("TorchScript module", f"zip archive holding {data_pkl} and code/",
                         "pytorch", found)
    if data_pkl:
        return Detection("PyTorch checkpoint", f"zip archive holding {data_pkl}", "pytorch", found)
    if "config.json" in names and any(n.endswith(".weights.h5") for n in names):
        config = _zip_read(zf, "config.json", HDF5_WINDOW)
        return Detection("Keras model (.keras)", "zip archive holding config.json and "
                         "model.weights.h5", "tensorflow", found,
                         [c for c in _code_in(config) if c[0].startswith("Keras")])
    if "schema.json" in names:
        skops = _skops(zf, names)
        if skops is not None:
            skops.pickles = found
            return skops
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
    if inner:
        first = inner[0][1]
        return Detection(f"zip archive holding a {first.format}",
                         f"zip archive holding {inner[0][0]}", first.flavor)
    return None


def _zip_read(zf: zipfile.ZipFile, name: str, n: int) -> bytes:
    try:
        with zf.open(name) as member:
            return member.read(n)
    except (zipfile.BadZipFile, OSError, NotImplementedError, RuntimeError, EOFError,
            zlib.error, lzma.LZMAError, ValueError, KeyError):
        return b""


SKOPS_CODE_LOADERS = (b"OperatorFuncNode", b"MethodNode")


def _skops(zf: zipfile.ZipFile, names: list[str]) -> Detection | None:
    """A skops zip: schema.json describes every object. Loaders that call functions by name
    (OperatorFuncNode, MethodNode) are code; a schema.json that cannot be read as skops's is
    reported as not inspectable rather than passed."""
    schema = _zip_read(zf, "schema.json", HDF5_WINDOW)
    skops_like = b"__class__" in schema and (b"_skops_version" in schema
                                            or b"protocol" in schema)
    operator_members = [n for n in names if "OperatorFuncNode" in n]
    if not skops_like and not operator_members and not (
            len(names) <= 2 and schema.lstrip()[:1] == b"{"):
        return None
    found = Detection("scikit-learn skops model", "zip archive holding a skops schema.json",
                      "sklearn")
    loaders = [n.decode() for n in SKOPS_CODE_LOADERS if n in schema]
    for what in loaders + operator_members[:3]:
        found.code.append((f"skops {what}", "skops resolves and calls a function by name when "
                           "the model is loaded with these types trusted (CVE-2025-54412)"))
    if not skops_like:
        found.errors.append(("schema.json", "a skops schema.json without skops's object "
                             "fields: what the model loads cannot be known"))
    return found


# --------------------------------------------------------------------------- containers

MAX_DEPTH = 3                # archives inside archives inside archives, no deeper
SEVEN_ZIP = b"7z\xbc\xaf\x27\x1c"


def _is_tar(head: bytes) -> bool:
    return head[257:262] == b"ustar"


def _container(head: bytes) -> bool:
    """Bytes that hold other bytes: compressed streams, zip, tar, 7z."""
    return (compression(head) is not None or head.startswith((b"PK\x03\x04", SEVEN_ZIP))
            or _is_tar(head))


def _inside(part: Any, head: bytes, budget: Budget, depth: int) -> Detection | None:
    """What a member that is itself a container holds (a .joblib.gz in a zip...)."""
    try:
        return _detect(part, budget, depth)
    except InspectionError as exc:
        return Detection("archive that may hold a model", "a container inside the archive",
                         errors=[("", str(exc))])


def _tar(part: Any, budget: Budget, depth: int, outer: str = "tar archive") -> Detection | None:
    """A tar archive, read as a stream: members that hold a model or a container are copied
    (bounded) and looked into; the others are skipped."""
    import tarfile

    found = Detection(outer, "")
    members = 0
    with part.open() as stream:
        try:
            with tarfile.open(fileobj=stream, mode="r|") as tar:
                for member in tar:
                    members += 1
                    if members > MAX_ZIP_MEMBERS:
                        found.errors.append(("", f"more than {MAX_ZIP_MEMBERS} members: the "
                                             "rest were not looked at"))
                        break
                    if not member.isfile():
                        continue
                    data = tar.extractfile(member)
                    if data is None:
                        continue
                    head = data.read(HEAD)
                    if not _interesting(head):
                        continue
                    inner = _inside(_spool(data, budget, member.name, head), head, budget,
                                    depth + 1)
                    if inner is not None:
                        if not found.how:
                            found.how = f"{outer} holding {member.name}"
                            found.format = f"{outer} holding a {inner.format}"
                            found.flavor = inner.flavor
                        found.merge(member.name, inner)
        except (tarfile.TarError, EOFError, OSError, ValueError, zlib.error,
                lzma.LZMAError) as exc:
            if not found.how:
                raise InspectionError(f"{outer} is corrupt or truncated "
                                      f"({type(exc).__name__})") from None
            found.errors.append(("", f"archive is corrupt after its first members "
                                     f"({type(exc).__name__})"))
    return found if found.how else None


def _interesting(head: bytes) -> bool:
    """A member worth copying out of a stream to look into."""
    return bool(head) and (_container(head) or pickles.probe(head).is_pickle
                           or _magic(head, len(head)) is not None
                           or head.startswith(b"\x93NUMPY") or head.startswith(HDF5_SIGNATURE))


class _SpoolFactory:
    """py7zr writer factory: each member goes to a bounded temporary file."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.products: dict[str, _CappedSpool] = {}

    def create(self, filename: str) -> _CappedSpool:
        product = _CappedSpool(self.cap)
        self.products[filename] = product
        return product


class _CappedSpool:
    """A py7zr output: keeps at most `cap` bytes and remembers whether more came."""

    def __init__(self, cap: int) -> None:
        import tempfile

        self.cap, self.written, self.overflow = cap, 0, False
        self.file = tempfile.SpooledTemporaryFile(max_size=8 << 20)  # noqa: SIM115

    def write(self, data: bytes | bytearray) -> int:
        room = self.cap - self.written
        if len(data) > room:
            self.overflow = True
            data = data[:max(room, 0)]
        self.file.write(data)
        self.written += len(data)
        return len(data)

    def read(self, size: int | None = None) -> bytes:
        return self.file.read(-1 if size is None else size)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self.file.seek(offset, whence)

    def flush(self) -> None:
        self.file.flush()

    def size(self) -> int:
        return self.written

    def close(self) -> None:
        pass  # kept open: its bytes are looked at after the extraction


def _seven_zip(part: Any, budget: Budget, depth: int) -> Detection | None:
    """A 7z archive (py7zr): members unpacked to bounded temporary files, then looked into."""
    try:
        import py7zr
    except ImportError:
        raise InspectionError("7z archive: py7zr is not installed, its members cannot be "
                              "looked at (pip install py7zr)") from None
    stream = part.open()
    if not stream.seekable():
        with stream:
            stream = _spool(stream, budget, "7z archive").open()
    found = Detection("7z archive", "")
    try:
        with stream, py7zr.SevenZipFile(stream) as archive:
            if archive.needs_password():
                raise InspectionError("7z archive is encrypted: its members cannot be read")
            infos = [i for i in archive.list() if not i.is_directory]
            total = sum(int(i.uncompressed or 0) for i in infos)
            if len(infos) > MAX_ZIP_MEMBERS or total > budget.left:
                raise InspectionError(f"7z archive unpacks to {total >> 20} MiB in {len(infos)} "
                                      "members, past the scan limit (--max-scan-mb)")
            factory = _SpoolFactory(max(budget.left, 0))
            archive.extractall(factory=factory)  # type: ignore[arg-type]
    except InspectionError:
        raise
    except Exception as exc:  # noqa: BLE001 - py7zr raises many types on hostile input
        raise InspectionError(f"7z archive could not be read ({type(exc).__name__})") from None
    for name, product in factory.products.items():
        budget.spend(product.written)
        if product.overflow:
            found.errors.append((name, "unpacks past the scan limit"))
            continue
        size = product.written
        spool = product.file
        inner_part = Part(lambda f=spool, n=size: _Window(f, 0, n), size)
        head = inner_part.head(HEAD)
        if not _interesting(head):
            continue
        inner = _inside(inner_part, head, budget, depth + 1)
        if inner is not None:
            if not found.how:
                found.how = f"7z archive holding {name}"
                found.format = f"7z archive holding a {inner.format}"
                found.flavor = inner.flavor
            found.merge(name, inner)
    return found if found.how or found.errors else None


# --------------------------------------------------------------------------- single files


def _broken_safetensors(head: bytes, size: int) -> str | None:
    """Why a file shaped like safetensors (8-byte length, then a JSON tensor table) cannot be
    read: a header length past the file's end, or a table that is not JSON."""
    if len(head) < 10 or head[8:10] not in (b'{"', b"{ ", b"{\n") or b'"dtype"' not in head:
        return None
    (n,) = struct.unpack("<Q", head[:8])
    if n + 8 > size or n > 100 << 20:
        return f"header length field claims {n} bytes in a file of {size}"
    if n + 8 <= len(head):
        import json

        try:
            json.loads(head[8:8 + n])
        except ValueError:
            return "the JSON tensor table does not parse"
    return None


def _safetensors(head: bytes, size: int) -> bool:
    if len(head) < 10:
        return False
    (n,) = struct.unpack("<Q", head[:8])
    if not 2 <= n <= 100 << 20 or n + 8 > size or head[8:9] != b"{":
        return False
    if n + 8 <= len(head):
        import json

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


OP_NAME = re.compile(rb"\A[A-Z][A-Za-z0-9_>]{1,100}\Z")


def _graph_ops(head: bytes) -> list[bytes]:
    """The op names of a SavedModel's first graph: SavedModel.meta_graphs (2) ->
    MetaGraphDef.graph_def (2) -> GraphDef.node (1) -> NodeDef.op (2)."""
    fields = proto_fields(head, 8)
    if fields and fields[0] == (1, 0, 1):  # saved_model_schema_version
        fields = fields[1:]
    if not fields or fields[0][:2] != (2, 2):
        return []
    ops: list[bytes] = []
    for number, wire, graph in proto_fields(fields[0][2], 16):
        if (number, wire) != (2, 2):
            continue
        for n_number, n_wire, node in proto_fields(graph, 4096):
            if (n_number, n_wire) != (1, 2):
                return ops if ops else []
            op = next((v for n, w, v in proto_fields(node, 4) if (n, w) == (2, 2)), b"")
            if not OP_NAME.match(op):
                return ops
            ops.append(op)
    return ops


def _saved_model(head: bytes) -> bool:
    fields = proto_fields(head, 4)
    if (len(fields) >= 2 and fields[0] == (1, 0, 1) and fields[1][:2] == (2, 2)
            and any(op in head for op in SAVED_MODEL_OPS)):
        return True
    return bool(_graph_ops(head))


def _keras_metadata(head: bytes) -> bool:
    """keras_metadata.pb of a Keras SavedModel: SavedMetadata.nodes (1) whose metadata is
    Keras's JSON (identifiers _tf_keras_layer, _tf_keras_network...)."""
    fields = proto_fields(head, 4)
    return bool(fields) and all(f[:2] == (1, 2) for f in fields) and b"_tf_keras_" in head


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
        return Detection("CatBoost model", "CBM1 magic", "catboost")  # pickles: see _catboost
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
    broken = _broken_safetensors(head, size)
    if broken:
        return Detection("safetensors weights", "8-byte header length and a tensor table",
                         "transformers", errors=[("", broken)])
    if _onnx(head):
        return Detection("ONNX model", "protobuf ModelProto fields (ir_version, graph)", "onnx")
    if _coreml(head):
        return Detection("Core ML model", "protobuf Model fields (specificationVersion, "
                         "description, model type)", "pyfunc")
    if _saved_model(head):
        code = _code_in(head) + [
            (f"TensorFlow op {op.decode()}", TF_FILE_OPS[op]) for op in _graph_ops(head)
            if op in TF_FILE_OPS]
        return Detection("TensorFlow SavedModel graph", "protobuf SavedModel fields and "
                         "TensorFlow op names", "tensorflow", code=list(dict.fromkeys(code)))
    kind = _r_object(head)
    if kind:
        return Detection(kind, "R serialization header", "pyfunc")
    return None


HDF5_SUPERBLOCK = {0: 56, 1: 64, 2: 48, 3: 48}  # smallest superblock of each version


def _hdf5(file: Any, head: bytes) -> Detection | None:
    offset = next((o for o in (0, 512, 1024, 2048) if head[o:o + 8] == HDF5_SIGNATURE), None)
    if offset is None:
        return None
    version = head[offset + 8] if len(head) > offset + 8 else -1
    if len(head) < offset + HDF5_SUPERBLOCK.get(version, 48):
        raise InspectionError(f"HDF5 file cut inside its superblock ({len(head)} bytes, "
                              f"superblock version {version}): truncated or corrupt")
    window = file.head(HDF5_WINDOW) if file.size > len(head) else head
    if b"model_config" in window:
        return Detection("Keras model (HDF5)", "HDF5 file with a model_config attribute",
                         "tensorflow", code=[c for c in _code_in(window)
                                             if c[0].startswith("Keras")])
    if b"keras_version" in window or b"layer_names" in window:
        return Detection("Keras weights (HDF5)", "HDF5 file with keras_version/layer_names "
                         "attributes", "tensorflow")
    return None  # plain HDF5 data: check-large-files judges it


def _pickle_file(file: Any, budget: Budget) -> Detection:
    scan = walk_part(file.open, budget)
    name, flavor = describe_pickle(scan)
    if scan.first_value == pickles.TORCH_LEGACY_MAGIC:
        return Detection("PyTorch checkpoint (legacy format)", "torch magic number pickle",
                         "pytorch", [("", scan)])
    return Detection(name, "pickle opcodes from the first byte", flavor, [("", scan)])


def _npy(file: Any, head: bytes, budget: Budget) -> Detection | None:
    header = _npy_header(head)
    if not header or not _npy_has_objects(header[0]):
        return None
    scan = walk_part(lambda: _Skipped(file.open(), header[1]), budget)
    return Detection("NumPy array of Python objects (pickled)", "NumPy header with dtype "
                     "object", "pyfunc", [("", scan)])


def _compressed(file: Any, head: bytes, budget: Budget, depth: int) -> Detection | None:
    """A compressed stream: what its first decompressed bytes are, looked into as a file."""
    kind = compression(head)
    if kind is None:
        return None
    window = inflate_window(head, kind)
    if not window:
        return None
    r_kind = _r_object(window)
    if r_kind:
        return Detection(r_kind, f"{kind}-compressed R serialization header", "pyfunc")
    if depth >= MAX_DEPTH or not _interesting(window):
        return None
    cap = max(budget.left, 0)
    inner = Part(lambda: Inflated(file.open(), kind, cap), max(file.size, len(window)))
    inner._head = window
    if _is_tar(window):
        return _tar(inner, budget, depth, f"{kind}-compressed tar archive")
    if window.startswith((b"PK\x03\x04", SEVEN_ZIP)):
        found = _inside(inner, window, budget, depth + 1)
        if found is not None:
            found.format = f"{kind}-compressed {found.format}"
        return found
    found = _detect(inner, budget, depth + 1)
    if found is not None and found.pickles and found.how.startswith("pickle"):
        found.format = found.format.replace("pickle (", f"{kind}-compressed pickle (", 1)
        found.how = f"{kind} stream holding pickle opcodes"
    elif found is not None:
        found.format = f"{kind}-compressed {found.format}"
    return found


def _catboost(file: Any, head: bytes, budget: Budget) -> Detection | None:
    """CBM1 magic: a pickle right after it (a loader that skips the magic runs it) is walked."""
    if not head.startswith(b"CBM1"):
        return None
    found = Detection("CatBoost model", "CBM1 magic", "catboost")
    for skip in (4, 8):
        if pickles.probe(head[skip:]).is_pickle:
            found.pickles.append(("", walk_part(lambda k=skip: _Skipped(file.open(), k),
                                                budget)))
            break
    return found


def _zip_end(file: Any, head: bytes) -> bool:
    """A zip's end record in the last 64 KiB (a zip with bytes before its first entry)."""
    if file.size < 22:
        return False
    if file.size <= len(head):  # the whole file is in the head: no second read
        return b"PK\x05\x06" in head[-65557:]
    with file.open() as stream:
        if not stream.seekable():
            return False
        stream.seek(max(0, file.size - 65557))
        return b"PK\x05\x06" in stream.read(65557)


def detect(file: Any, limit: int) -> Detection | None:
    """The model format of one file, or None. Raises InspectionError when it cannot tell."""
    return _detect(file, Budget(limit), 0)


def _detect(file: Any, budget: Budget, depth: int) -> Detection | None:
    head = file.head(HEAD)
    if not head:
        return None
    if pickles.probe(head).is_pickle:  # what pickle.load runs, whatever the outer format
        return _pickle_file(file, budget)
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return detect_zip(file, budget, depth)
    for probe in (lambda: _catboost(file, head, budget), lambda: _magic(head, file.size),
                  lambda: _hdf5(file, head), lambda: _npy(file, head, budget),
                  lambda: _compressed(file, head, budget, depth),
                  lambda: _tar(file, budget, depth) if _is_tar(head) else None,
                  lambda: _seven_zip(file, budget, depth) if head.startswith(SEVEN_ZIP) else None,
                  lambda: _keras_saved_metadata(file, head)):
        found = probe()
        if found:
            return found
    if _zip_end(file, head):  # bytes before the first entry: zipfile finds the archive from its end
        try:
            return detect_zip(file, budget, depth)
        except InspectionError:
            return None
    return None


def _keras_saved_metadata(file: Any, head: bytes) -> Detection | None:
    if not _keras_metadata(head):
        return None
    window = file.head(HDF5_WINDOW) if file.size > len(head) else head
    return Detection("Keras SavedModel metadata", "protobuf SavedMetadata with Keras layer "
                     "JSON", "tensorflow", code=[c for c in _code_in(window)
                                                 if c[0].startswith("Keras")])


def iter_unsafe(detection: Detection) -> Iterator[tuple[str, pickles.Global, str]]:
    """(where, import, reason) for every dangerous import in the detection's pickles."""
    for where, scan in detection.pickles:
        for item in scan.globals:
            reason = pickles.dangerous(item)
            if reason:
                yield where, item, reason
