"""Hostile inputs for every parser and check, generated at test time (never committed).

`build(root)` writes one file per case under `root` (a git work tree) and returns
{path: what it is}. Paths are str, except names that are not UTF-8 (bytes). Everything here
is made by the libraries that write the formats (zipfile, tarfile, py7zr, h5py, openpyxl,
nbformat's JSON layout) and then cut, inflated, nested or lied about; nothing is executed.

Sizes are chosen so the whole set builds in a few seconds: the bombs are small on disk and
large when unpacked (an xlsx whose shared strings inflate to 1.5 GiB is about 2 MB).
"""
from __future__ import annotations

import io
import json
import os
import pickle
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

from tests.model_files import tar_gz, zip_bytes

Case = Callable[[], bytes]
CASES: dict[str, tuple[str, Case]] = {}


def case(path: str, what: str) -> Callable[[Case], Case]:
    def register(make: Case) -> Case:
        CASES[path] = (what, make)
        return make
    return register


def _zip(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    """Deflated, unless `method` says otherwise (the hostile cases' default)."""
    return zip_bytes(members, method)


def _deflate_bomb(chunk: bytes, repeats: int) -> tuple[bytes, int]:
    """A raw deflate stream of `chunk` repeated: compressed once, its block repeated (a full
    flush makes every block identical). Returns (stream, inflated size)."""
    first = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = first.compress(chunk) + first.flush(zlib.Z_FULL_FLUSH)
    block = first.compress(chunk) + first.flush(zlib.Z_FULL_FLUSH)
    return head + block * (repeats - 1) + first.flush(), len(chunk) * repeats


def _zip_raw(name: str, deflated: bytes, size: int, crc: int = 0) -> bytes:
    """A one-member zip around an already deflated stream (sizes as given)."""
    encoded = name.encode()
    local = struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(deflated),
                        size & 0xFFFFFFFF, len(encoded), 0) + encoded
    central = struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, 8, 0, 0, crc,
                          len(deflated), size & 0xFFFFFFFF, len(encoded), 0, 0, 0, 0, 0, 0)
    central += encoded
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 1, 1, len(central),
                      len(local) + len(deflated), 0)
    return local + deflated + central + end


# --------------------------------------------------------------------------- pickles

case("pickles/binbytes8_terabyte.pkl", "BINBYTES8 whose length claims a terabyte")(
    lambda: b"\x80\x04\x8e" + struct.pack("<Q", 1 << 40) + b"weights")
case("pickles/truncated.pkl", "a pickle cut in half")(
    lambda: pickle.dumps({"coef": [0.5] * 2000, "classes": ["a", "b"]}, protocol=4)[:6000])
case("pickles/deep_marks.pkl", "100,000 MARKs and nothing else")(
    lambda: b"\x80\x04" + b"(" * 100_000 + b".")
case("pickles/many_imports.joblib", "286 KB of valid opcodes: thousands of distinct imports")(
    lambda: b"\x80\x02" + b"".join(b"cmodule%d\nClass%d\n0" % (i, i) for i in range(12_000))
    + b"N.")
case("pickles/memo_flood.pkl", "a memo written at a million indexes")(
    lambda: b"\x80\x04N" + b"".join(b"r" + struct.pack("<I", i) for i in range(0, 1 << 20, 7))
    + b".")
case("pickles/long_text_argument.pkl", "a protocol-0 string without end of line")(
    lambda: b"S'" + b"a" * (1 << 20))
case("pickles/huge_long.pkl", "a LONG of 100,000 digits")(lambda: b"L" + b"9" * 100_000 + b"L\n.")
case("pickles/empty_stack_ops.pkl", "REDUCE and BUILD on an empty stack")(
    lambda: b"\x80\x04Rb.")

case("pickles/joblib_absurd_shape.joblib", "a joblib array whose shape claims 2^60 items")(
    lambda: b"\x80\x04\x8c\x13joblib.numpy_pickle\x8c\x11NumpyArrayWrapper\x93)\x81}("
    b"\x8c\x05shape\x8a\x08" + struct.pack("<q", 1 << 60) + b"\x85\x8c\x05dtype"
    b"\x8c\x05numpy\x8c\x05dtype\x93\x8c\x02f8\x89\x88\x87R}b\x8c\x05order\x8c\x01C"
    b"ub.")

# --------------------------------------------------------------------------- models

case("models/npy_object_header_absurd.npy", "a .npy of objects whose header length lies")(
    lambda: b"\x93NUMPY\x02\x00" + struct.pack("<I", 1 << 31)
    + b"{'descr': '|O', 'fortran_order': False, 'shape': (3,), }")
case("models/gguf_truncated.gguf", "a GGUF header cut after its magic")(lambda: b"GGUF\x03")
case("data/deep.jsonl", "JSON Lines nested 100,000 deep")(
    lambda: b"[" * 100_000 + b"]" * 100_000 + b"\n")
case("data/bigint.json", "a JSON document holding a 5,000-digit number")(
    lambda: b'{"id": ' + b"9" * 5000 + b"}")


@case("models/safetensors_header_2_62.safetensors", "safetensors header length 2^62")
def _safetensors() -> bytes:
    table = b'{"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}'
    return struct.pack("<Q", 1 << 62) + table + bytes(4)


@case("models/hdf5_cut_in_superblock.h5", "an HDF5 file cut inside its superblock")
def _hdf5_cut() -> bytes:
    import h5py

    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as h5:
        h5.attrs["model_config"] = "{}"
    return buffer.getvalue()[:20]


@case("models/torch_truncated.pt", "a PyTorch zip cut in half")
def _torch_cut() -> bytes:
    data = _zip({"archive/data.pkl": pickle.dumps({"w": [0.0] * 500}),
                 "archive/version": b"3\n"}, zipfile.ZIP_STORED)
    return data[: len(data) // 2]


@case("models/onnx_truncated.onnx", "an ONNX model cut after its first fields")
def _onnx_cut() -> bytes:
    import onnx
    from onnx import TensorProto, helper

    graph = helper.make_graph([helper.make_node("Relu", ["x"], ["y"])], "g",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])])
    return onnx.helper.make_model(graph).SerializeToString()[:40]


for _bit in range(16):
    case(f"models/zip_flag_{1 << _bit:#06x}.zip", f"a zip with flag bit {1 << _bit:#x} set")(
        lambda b=_bit: __import__("peer_cases")._flag(
            _zip({"data.pkl": pickle.dumps({"w": [1.0]}, protocol=4)}, zipfile.ZIP_STORED),
            1 << b))
case("models/zip_bad_crc.zip", "a zip whose member fails its CRC")(
    lambda: _zip({"data.pkl": pickle.dumps({"w": "0123456789"})},
                 zipfile.ZIP_STORED).replace(b"0123456789", b"9876543210"))
case("models/zip_renamed_entry.zip", "a zip whose central directory renames its entry")(
    lambda: _zip({"data.pkl": pickle.dumps([1, 2])}).replace(b"data.pkl", b"datap.kl", 1))
case("models/zip_empty_member_name.zip", "a zip member with an empty name (found by fuzzing)")(
    lambda: _zip_raw("", zlib.compress(pickle.dumps([1]))[2:-4], len(pickle.dumps([1]))))
case("models/zip_prefix.zip", "64 bytes before the first local header")(
    lambda: bytes(64) + _zip({"model.pkl": pickle.dumps([1, 2])}))


@case("models/zip_duplicate_entries.zip", "two members of the same name")
def _zip_duplicates() -> bytes:
    import warnings

    buffer = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buffer, "w") as zf:
        warnings.simplefilter("ignore")
        zf.writestr("data.pkl", pickle.dumps([1]))
        zf.writestr("data.pkl", pickle.dumps([2]))
    return buffer.getvalue()


@case("archives/zip_bomb.zip", "a zip member that inflates to 1 GiB")
def _zip_bomb(repeats: int = 1024) -> bytes:
    stream, size = _deflate_bomb(b"\x80\x04(" + b"K\x00" * ((1 << 19) - 2), repeats)
    return _zip_raw("model.pkl", stream, size)


case("archives/nested_zip_bomb.zip", "zips in zips, five deep, a bomb at the bottom")(
    lambda: _nest(_zip_bomb(64), 5))


def _nest(data: bytes, depth: int) -> bytes:
    for level in range(depth):
        data = _zip({f"level{level}.zip": data, f"copy{level}.zip": data})
    return data


case("archives/truncated.tar.gz", "a gzip-compressed tar cut in half")(
    lambda: tar_gz({"df.pkl": pickle.dumps(list(range(5000)))})[:3000])
case("archives/not_really.7z", "7z magic then junk")(
    lambda: b"7z\xbc\xaf\x27\x1c\x00\x04" + os.urandom(64))
@case("archives/gzip_bomb.pkl.gz", "a gzip pickle that inflates to 1 GiB")
def _gzip_bomb() -> bytes:
    stream, size = _deflate_bomb(b"\x80\x04(" + b"K\x00" * ((1 << 19) - 2), 1024)
    return (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff" + stream
            + struct.pack("<II", 0, size & 0xFFFFFFFF))


@case("archives/truncated.7z", "a 7z archive cut in half")
def _seven_cut() -> bytes:
    import py7zr

    buffer = io.BytesIO()
    with py7zr.SevenZipFile(buffer, "w") as archive:
        archive.writestr(pickle.dumps(list(range(3000))), "df.pkl")
    data = buffer.getvalue()
    return data[: len(data) // 2]


# --------------------------------------------------------------------------- notebooks


def _nb(cells: object, nbformat: object = 4) -> bytes:
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": nbformat,
                       "nbformat_minor": 5}).encode()


case("notebooks/not_json.ipynb", "a notebook that is not JSON")(lambda: b"{\"cells\": [")
case("notebooks/wrong_types.ipynb", "cells of the wrong JSON types")(
    lambda: _nb([1, "text", {"cell_type": "code", "source": 5, "outputs": "x",
                             "metadata": [], "execution_count": "one"}]))
case("notebooks/cells_not_a_list.ipynb", "cells as an object")(lambda: _nb({"a": 1}))
case("notebooks/wrong_nbformat.ipynb", "an nbformat 3 notebook (worksheets)")(
    lambda: json.dumps({"worksheets": [{"cells": []}], "nbformat": 3}).encode())
case("notebooks/giant_output_line.ipynb", "one 5 MB output line")(
    lambda: _nb([{"cell_type": "code", "source": "print(x)", "metadata": {}, "execution_count": 1,
                  "outputs": [{"output_type": "stream", "name": "stdout",
                               "text": "0.123456789," * 400_000}]}]))
case("notebooks/deep_nesting.ipynb", "JSON nested 100,000 deep")(
    lambda: b'{"cells": ' + b"[" * 100_000 + b"]" * 100_000 + b"}")
case("notebooks/bigint.ipynb", "a 5,000-digit integer")(
    lambda: b'{"cells": [], "nbformat": 4, "nbformat_minor": 5, "metadata": {"n": '
    + b"7" * 5000 + b"}}")
case("notebooks/outputs_wrong_types.ipynb", "outputs whose data are numbers and lists")(
    lambda: _nb([{"cell_type": "code", "source": [], "metadata": {}, "execution_count": 1,
                  "outputs": [{"output_type": "execute_result", "data": [1, 2],
                               "metadata": {}, "execution_count": 1},
                              {"output_type": "display_data", "data": {"text/plain": 5},
                               "metadata": {}}, 7]}]))

# --------------------------------------------------------------------------- data


case("data/binary.csv", "a CSV that is binary")(lambda: os.urandom(4096))
case("data/utf16.csv", "a UTF-16 CSV")(
    lambda: "name,city\nZoë Müller,Zürich\nJosé García,Sevilla\n".encode("utf-16"))
case("data/mixed_encodings.csv", "UTF-8 and Latin-1 lines mixed (read: PII found in it)")(
    lambda: "name,email\nZoë Müller,zoe.mueller@example.org\n".encode()
    + b"".join(f"José García {i},jose.garcia{i}@example.org\n".encode("latin-1")
               for i in range(50)))
case("data/one_huge_line.csv", "a 20 MB line without newline")(lambda: b"1," * 10_000_000)
case("data/columns_100k.csv", "100,000 columns")(
    lambda: (",".join(f"c{i}" for i in range(100_000)) + "\n"
             + ",".join("1.5" for _ in range(100_000)) + "\n").encode())
case("data/cr_only.csv", "a CR-only CSV")(
    lambda: b"name,mpg\rMazda RX4,21.0\rDatsun 710,22.8\r")


@case("data/shared_strings_bomb.xlsx", "an xlsx whose shared strings inflate to 1.5 GiB")
def _xlsx_bomb() -> bytes:
    book = _xlsx(1, 1)
    with zipfile.ZipFile(io.BytesIO(book)) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    stream, size = _deflate_bomb(b"<si><t>ab</t></si>" * 58_255, 1500)
    bomb = _zip_raw("xl/sharedStrings.xml", stream, size)
    with zipfile.ZipFile(io.BytesIO(bomb)) as zf:
        info = zf.infolist()[0]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in members.items():
            if name != "xl/sharedStrings.xml":
                out.writestr(name, data)
    # append the bomb member by hand: zipfile cannot write a pre-deflated stream
    return _append_member(buffer.getvalue(), info.filename, stream, size)


def _append_member(archive: bytes, name: str, deflated: bytes, size: int) -> bytes:
    end = archive.rindex(b"PK\x05\x06")
    (entries, cd_size, cd_offset) = struct.unpack("<HII", archive[end + 10:end + 20])
    body, central = archive[:cd_offset], archive[cd_offset:end]
    encoded = name.encode()
    local = struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 0, 0, len(deflated),
                        size & 0xFFFFFFFF, len(encoded), 0) + encoded
    entry = struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, 8, 0, 0, 0,
                        len(deflated), size & 0xFFFFFFFF, len(encoded), 0, 0, 0, 0, 0,
                        len(body)) + encoded
    central += entry
    new_end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, entries + 1, entries + 1,
                          len(central), len(body) + len(local) + len(deflated), 0)
    return body + local + deflated + central + new_end


def _xlsx(rows: int, columns: int) -> bytes:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("data")
    for r in range(rows):
        sheet.append([r * 0.5 + c for c in range(columns)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


case("data/columns_16384.xlsx", "an xlsx of 16,384 numeric columns")(lambda: _xlsx(4, 16_384))
case("data/truncated.parquet", "a Parquet file cut in half")(lambda: _parquet()[:300])


def _parquet() -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    pq.write_table(pa.table({"name": ["Mazda RX4", "Datsun 710"] * 50,
                             "mpg": [21.0, 22.8] * 50}), buffer)
    return buffer.getvalue()


@case("data/dictionary_string.parquet", "one dictionary-encoded 16 MB string")
def _parquet_dictionary() -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    pq.write_table(pa.table({"note": ["x" * (16 << 20)] * 4}), buffer, use_dictionary=True,
                   compression="zstd")
    return buffer.getvalue()


# --------------------------------------------------------------------------- names


NAMES: dict[str | bytes, str] = {
    "names/new\nline.pkl": "a name with a newline",
    "names/ctrl\x1b[2J\x1b[32mPASSED\x1b[0m.pkl": "escape sequences in a name",
    "names/rtl\u202egpj.pkl": "a right-to-left override in a name",
    b"names/latin1_\xe9t\xe9.pkl": "a name that is not UTF-8",
    "names/-rf.pkl": "a name that looks like an option",
    "names/--all.pkl": "a name that looks like a long option",
}


def build(root: Path) -> dict[str | bytes, str]:
    """Write every case under root; returns {path: what}. Non-UTF-8 paths are bytes."""
    made: dict[str | bytes, str] = {}
    for path, (what, make) in CASES.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(make())
        made[path] = what
    evil = pickle.dumps({"w": [0.5]}, protocol=4)[:-1] + b"\xff"  # a broken pickle
    for name, what in NAMES.items():
        raw = os.fsencode(root) + b"/" + (name if isinstance(name, bytes) else os.fsencode(name))
        os.makedirs(os.path.dirname(raw), exist_ok=True)
        with open(raw, "wb") as fh:
            fh.write(evil)
        made[name] = what
    return made


def special(root: Path) -> dict[str, str]:
    """Files git can track but that are not regular files (links), and ones it cannot (a
    FIFO): made after `git add` by the caller where needed."""
    links = root / "links"
    links.mkdir(exist_ok=True)
    (links / "outside.pkl").symlink_to("/etc/passwd")
    (links / "to_dir").symlink_to("/usr")
    (links / "dangling.pkl").symlink_to("nowhere.pkl")
    (links / "loop_a").symlink_to("loop_b")
    (links / "loop_b").symlink_to("loop_a")
    return {"links/outside.pkl": "a symlink outside the repository",
            "links/to_dir": "a symlink to a directory outside",
            "links/dangling.pkl": "a dangling symlink",
            "links/loop_a": "a symlink loop", "links/loop_b": "a symlink loop"}
