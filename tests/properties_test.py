"""Property-based tests (hypothesis): the sniffers, the pickle opcode walker, the notebook
reader, the CSV sampler and the file-name matcher never raise anything but InspectionError on
any input, stay bounded and give the same answer twice.

Inputs are random bytes and random *structured* inputs (opcode soups, CSV-ish text, notebook
JSON with arbitrary values) so the properties reach past the first byte.
"""
from __future__ import annotations

import io
import json
import pickletools

from gitworthy import filetypes, modelformats, notebooks, pickles
from gitworthy.checks import adhoc_filenames
from gitworthy.findings import InspectionError
from gitworthy.pii import readers
from gitworthy.sources import File
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
OPCODES = [op.code.encode("latin-1") for op in pickletools.opcodes]


class Memory(File):
    """File bytes held in memory: the File interface every check reads through."""

    def __init__(self, path: str, data: bytes) -> None:
        self.path, self.size, self._data = path, len(data), data

    def _open(self) -> io.BytesIO:  # type: ignore[override]
        return io.BytesIO(self._data)


# opcode soups: valid opcode bytes with short random arguments, sometimes after a PROTO
opcode_soup = st.lists(st.tuples(st.sampled_from(OPCODES), st.binary(max_size=9)),
                       max_size=60).map(lambda ops: b"".join(o + a for o, a in ops))
pickle_like = st.one_of(st.binary(max_size=512), opcode_soup,
                        opcode_soup.map(lambda b: b"\x80\x04" + b))


@SETTINGS
@given(pickle_like)
def test_walker_never_raises_and_is_bounded_and_deterministic(data):
    first = pickles.walk(data)
    second = pickles.walk(data)
    assert first.opcodes <= len(data) + 1
    assert (first.globals, first.error, first.opcodes) == (second.globals, second.error,
                                                            second.opcodes)
    assert first.error is not None or first.pickles >= 1


@SETTINGS
@given(pickle_like)
def test_probe_never_raises_and_is_deterministic(data):
    assert pickles.probe(data) == pickles.probe(data)


@SETTINGS
@given(st.one_of(pickle_like, st.binary(max_size=2048).map(lambda b: b"PK\x03\x04" + b),
                 st.binary(max_size=256).map(lambda b: b"\x1f\x8b" + b),
                 st.binary(max_size=256).map(lambda b: b"7z\xbc\xaf\x27\x1c" + b),
                 st.binary(max_size=256).map(lambda b: b"CBM1" + b),
                 st.binary(max_size=256).map(lambda b: b"\x89HDF\r\n\x1a\n" + b)))
def test_model_sniffer_raises_only_inspection_errors(data):
    answers = []
    for _ in range(2):
        try:
            found = modelformats.detect(Memory("blob", data), 1 << 20)
            answers.append(None if found is None else (found.format, len(found.pickles)))
        except InspectionError as exc:
            answers.append(str(exc))
    assert answers[0] == answers[1]


@SETTINGS
@given(st.binary(max_size=600))
def test_format_sniffers_never_raise(data):
    assert filetypes.sniff_format(data) == filetypes.sniff_format(data)
    filetypes.is_lfs_pointer(data)
    filetypes.is_binary(data)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                 max_size=4),
    max_leaves=30)
cells = st.lists(st.fixed_dictionaries(
    {"cell_type": st.sampled_from(["code", "markdown"]) | json_values,
     "source": st.text(max_size=30) | json_values,
     "outputs": st.lists(st.fixed_dictionaries({"output_type": st.sampled_from(
         ["stream", "execute_result"]) | json_values, "text": st.text() | json_values,
         "data": st.dictionaries(st.sampled_from(["text/plain", "text/html"]), json_values)}),
         max_size=3) | json_values}), max_size=4)


@SETTINGS
@given(st.one_of(cells.map(lambda c: json.dumps({"cells": c, "nbformat": 4,
                                                   "nbformat_minor": 5}).encode()),
                 st.binary(max_size=300)))
def test_notebook_reader_raises_only_inspection_errors(data):
    try:
        nb = notebooks.parse(data)
    except InspectionError:
        return
    for cell in notebooks.iter_cells(nb):
        assert cell is not None


csv_text = st.lists(st.lists(st.text(alphabet=st.characters(codec="utf-8"), max_size=12),
                             min_size=1, max_size=6), max_size=30).map(
    lambda rows: "\n".join(",".join(r) for r in rows))


@SETTINGS
@given(st.one_of(csv_text.map(str.encode), st.binary(max_size=400),
                 csv_text.map(lambda t: t.encode("utf-16"))))
def test_csv_sampler_raises_only_inspection_errors_and_is_bounded(data):
    file = Memory("data.csv", data)
    try:
        tables = list(readers.read_csv(file, readers.Budget(rows=50)))
    except InspectionError:
        return
    for table in tables:
        assert len(table.rows) <= 50
        assert len(table.columns) <= readers.MAX_COLUMNS


@SETTINGS
@given(st.text(st.characters(blacklist_characters="/\0"), min_size=1, max_size=60))
def test_filename_matcher_never_raises_and_is_deterministic(name):  # any legal file name
    base, extension = adhoc_filenames.split_name(name)
    assert adhoc_filenames.decorations(base) == adhoc_filenames.decorations(base)


# Inputs the atheris target (tests/fuzz/fuzz_pickles.py) found crashing the zip reader,
# rebuilt: a member with an empty name (ZipInfo.is_dir() fails on it), and a central directory
# whose offset makes a member's local header start before the file.


def _fuzz_findings() -> list[bytes]:
    import struct
    import sys
    import zipfile
    import zlib
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent / "hostile"))
    import generate  # tests/hostile/generate.py

    empty_name = generate._zip_raw("", zlib.compress(b"(lp0\n.")[2:-4], 6)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("data.pkl", b"\x80\x04\x8c\x08builtins\x8c\x04eval\x93.")
    data = bytearray(buffer.getvalue())
    end = data.rindex(b"PK\x05\x06")
    (offset,) = struct.unpack_from("<I", data, end + 16)
    struct.pack_into("<I", data, end + 16, offset + 20_000)  # the header "before" the file
    return [empty_name, bytes(data)]


def test_fuzz_findings_raise_only_inspection_errors():
    import contextlib

    for data in _fuzz_findings():
        with contextlib.suppress(InspectionError):
            modelformats.detect(Memory("blob", data), 1 << 20)
