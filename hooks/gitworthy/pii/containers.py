"""Data inside containers, for check-pii: compressed files (gzip, bz2, xz, zstd), zip and tar
archives, SQLite databases, Arrow/Feather files and NumPy arrays (`.npy`, `.npz`).

Every reader is bounded: archives judge at most MAX_MEMBERS data members, a member is
decompressed to at most MAX_UNPACKED bytes (its head is sampled beyond that) and fails when it
expands more than MAX_RATIO times; databases are copied to a private temp file, opened read-only
and immutable, and read a bounded number of rows per table under an instruction budget. Nothing
is executed or unpickled: NumPy arrays of objects are left to check-serialized-models.
"""
from __future__ import annotations

import ast
import functools
import io
import lzma
import os
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO, Any

from gitworthy.findings import InspectionError
from gitworthy.pii.readers import (
    CHUNK,
    MAX_RATIO,
    SPREAD_WINDOWS,
    Budget,
    Table,
    Text,
    _cell,
    _picks,
    arrow_cells,
    seekable,
)
from gitworthy.sources import File

MAX_MEMBERS = 16                 # data members of one archive that are judged
MAX_ENTRIES = 10_000             # archive entries listed
MAX_UNPACKED = 64 * 1024 * 1024  # bytes of one member decompressed (its head is sampled)
MIN_BOMB = 8 * 1024 * 1024       # expansion is judged beyond this many bytes
MAX_DEPTH = 2                    # archives in archives: three levels are opened
MAX_DATABASE = 512 * 1024 * 1024  # larger SQLite files are not copied
MAX_TABLES = 64                  # tables of one database that are read
SQL_STEPS = 20_000               # progress callbacks (of 1000 VM steps) per database

# What reading corrupt compressed data raises.
CORRUPT: tuple[type[Exception], ...] = (OSError, EOFError, ValueError, zlib.error,
                                        lzma.LZMAError, zipfile.BadZipFile)

Part = Table | Text
Reader = Callable[[File, Budget], Iterator[Part]]


class MemberFile(File):
    """One member of an archive (or the content of a compressed file), decompressed."""

    def __init__(self, path: str, data: bytes | str, size: int) -> None:
        self.path, self.size = path, size
        self._data = data  # the bytes, or the path of a private temp file

    def _open(self) -> IO[bytes]:
        if isinstance(self._data, bytes):
            return io.BytesIO(self._data)
        return open(self._data, "rb")


def _bomb(name: str, unpacked: int, packed: int) -> InspectionError:
    return InspectionError(
        f"{name} expands more than {MAX_RATIO} times ({packed // 1024} KB to over "
        f"{unpacked // 1048576} MB): not inspected for personal data (a decompression bomb?); "
        "keep such files out of git")


@contextmanager
def unpacked(path: str, stream: IO[bytes], packed: Callable[[], int]) -> Iterator[MemberFile]:
    """A decompressing stream as a MemberFile: up to MAX_UNPACKED bytes, in memory when small,
    else in a private temp file; `packed()` tells how many compressed bytes were read so far."""
    buffer = io.BytesIO()
    spill: IO[bytes] | None = None
    directory = None
    size = 0
    try:
        while size < MAX_UNPACKED:
            data = stream.read(min(CHUNK, MAX_UNPACKED - size))
            if not data:
                break
            size += len(data)
            if size > MIN_BOMB and size > MAX_RATIO * max(1, packed()):
                raise _bomb(path.rsplit("/", 1)[-1], size, packed())
            if spill is None and size > 8 * CHUNK:
                directory = tempfile.mkdtemp(prefix="gitworthy-")
                spill = open(os.path.join(directory, "member"), "wb")  # noqa: SIM115
                spill.write(buffer.getvalue())
                buffer = io.BytesIO()
            (spill or buffer).write(data)
        if spill is None:
            yield MemberFile(path, buffer.getvalue(), size)
        else:
            spill.close()
            yield MemberFile(path, spill.name, size)
    except CORRUPT as exc:
        if isinstance(exc, InspectionError):
            raise
        raise InspectionError(f"{path.rsplit('/', 1)[-1]}: compressed data is corrupt or "
                              "truncated: not inspected for personal data") from None
    finally:
        if spill is not None:
            spill.close()
        if directory is not None:
            shutil.rmtree(directory, ignore_errors=True)


def _inside(where: str, parts: Iterator[Part]) -> Iterator[Part]:
    """Parts of a member, their place prefixed with the member's name."""
    for part in parts:
        part.where = f"{where}, {part.where}" if part.where else where
        yield part


def _member_parts(member: MemberFile, name: str, depth: int, budget: Budget) -> Iterator[Part]:
    from gitworthy import pii

    kind = pii.file_kind(member)
    if kind is None:
        return
    if depth >= MAX_DEPTH and kind in ("compressed", "zip", "tar"):
        raise InspectionError(f"{name}: archives nested more than {MAX_DEPTH + 1} deep: not "
                              "inspected for personal data; unpack them")
    yield from _inside(f"member {name!r}", pii.read(member, kind, budget, depth + 1))


# ---------------------------------------------------------------- compressed files

def _decompressor(head: bytes, stream: IO[bytes]) -> IO[bytes]:
    """A decompressing reader of gzip, bz2, xz or zstd data."""
    if head.startswith(b"\x1f\x8b"):
        import gzip

        return gzip.GzipFile(fileobj=stream, mode="rb")  # type: ignore[return-value]
    if head.startswith(b"BZh"):
        import bz2

        return bz2.BZ2File(stream)
    if head.startswith(b"\xfd7zXZ\x00"):
        import lzma

        return lzma.LZMAFile(stream)
    if head.startswith(b"\x28\xb5\x2f\xfd"):
        import pyarrow as pa

        return pa.CompressedInputStream(stream, "zstd")  # type: ignore[no-any-return]
    raise InspectionError("not gzip, bz2, xz or zstd data under a compressed file name: not "
                          "inspected for personal data; give the file its real extension")


COMPRESSED = (".gz", ".bz2", ".xz", ".zst", ".zstd", ".tgz")


def inner_name(name: str) -> str:
    """`members.csv.gz` -> `members.csv`, `x.tgz` -> `x.tar`; a bare `x.gz` -> `x`."""
    lower = name.lower()
    if lower.endswith(".tgz"):
        return name[:-4] + ".tar"
    for suffix in COMPRESSED:
        if lower.endswith(suffix):
            return name[: -len(suffix)]
    return name


def read_compressed(file: File, budget: Budget, depth: int = 0) -> Iterator[Part]:
    """The decompressed content, judged as what its name (without the compression suffix)
    or its content says it is; a tar inside is read as an archive."""
    head = file.head(512)
    name = inner_name(file.name) if file.suffix in COMPRESSED else file.name
    with file.open() as raw:
        start = file.bytes_read
        stream = _decompressor(head, raw)
        with unpacked(name, stream, lambda: file.bytes_read - start) as member:
            if member.head(512)[257:262] == b"ustar" or name.lower().endswith(".tar"):
                yield from read_tar(member, budget, depth + 1, name)
                return
            yield from _member_parts(member, name, depth, budget)


# ---------------------------------------------------------------- zip and tar archives

def read_zip(file: File, budget: Budget, depth: int = 0) -> Iterator[Part]:
    """The data members of a zip archive (by name, or by content when they have none)."""
    import zipfile

    from gitworthy import pii

    with seekable(file) as stream:
        try:
            archive = zipfile.ZipFile(stream)
            entries = archive.infolist()[:MAX_ENTRIES]
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            raise InspectionError("not a readable zip archive (corrupt or truncated): not "
                                  "inspected for personal data") from None
        judged = 0
        for info in entries:
            if info.is_dir() or judged >= MAX_MEMBERS:
                continue
            probe = MemberFile(info.filename, b"", info.file_size)
            if pii.file_kind(probe, by_name=True) is None and "." in probe.name:
                continue
            if info.flag_bits & 0x1:
                raise InspectionError(f"{probe.name}: encrypted zip member: not inspected for "
                                      "personal data; keep encrypted data out of git")
            judged += 1
            try:
                with archive.open(info) as member_stream:  # reads at most compress_size
                    packed = functools.partial(int, info.compress_size)
                    with unpacked(probe.name, member_stream, packed) as member:
                        yield from _member_parts(member, info.filename, depth, budget)
            except (zipfile.BadZipFile, NotImplementedError, RuntimeError):
                raise InspectionError(f"{probe.name}: zip member could not be read (corrupt or "
                                      "an unsupported compression): not inspected") from None


TAR_CORRUPT = "tar archive is corrupt or truncated: not inspected for personal data"


def read_tar(file: File, budget: Budget, depth: int = 0, label: str = "") -> Iterator[Part]:
    """The data members of a tar archive, streamed (compressed tars too)."""
    import tarfile

    from gitworthy import pii

    judged = 0
    with file.open() as raw:
        start = file.bytes_read
        try:
            archive = tarfile.open(fileobj=raw, mode="r|*")  # noqa: SIM115 -- `with` below
        except (tarfile.TarError, OSError, EOFError):
            raise InspectionError("not a readable tar archive (corrupt or truncated): not "
                                  "inspected for personal data") from None
        with archive:
            try:
                for count, info in enumerate(archive):
                    if count >= MAX_ENTRIES or judged >= MAX_MEMBERS:
                        break
                    if not info.isreg():
                        continue
                    probe = MemberFile(info.name, b"", info.size)
                    if pii.file_kind(probe, by_name=True) is None and "." in probe.name:
                        continue
                    stream = archive.extractfile(info)
                    if stream is None:
                        continue
                    judged += 1
                    with unpacked(probe.name, stream, lambda: file.bytes_read - start) as member:
                        yield from _member_parts(member, info.name, depth, budget)
            except tarfile.TarError:
                raise InspectionError(TAR_CORRUPT) from None
            except CORRUPT:
                raise InspectionError(TAR_CORRUPT) from None


# ---------------------------------------------------------------- SQLite

def read_sqlite(file: File, budget: Budget, depth: int = 0) -> Iterator[Table]:
    """Rows of every table, spread over each table (head, tail, evenly between), from a
    private copy opened read-only and immutable; queries stop after SQL_STEPS."""
    import sqlite3
    from urllib.parse import quote

    if file.size > MAX_DATABASE:
        raise InspectionError(f"SQLite database of {file.size // 1048576} MB, over the "
                              f"{MAX_DATABASE // 1048576} MB gitworthy copies to read: not "
                              "inspected for personal data; keep databases out of git")
    with tempfile.TemporaryDirectory(prefix="gitworthy-") as directory:
        path = os.path.join(directory, "copy.sqlite")
        with file.open() as stream, open(path, "wb") as copy:
            shutil.copyfileobj(stream, copy, CHUNK)
        steps = [0]

        def stop() -> int:
            steps[0] += 1
            return 1 if steps[0] > SQL_STEPS else 0

        try:
            db = sqlite3.connect(f"file:{quote(path)}?mode=ro&immutable=1", uri=True)
        except sqlite3.Error:
            raise InspectionError("not a readable SQLite database: not inspected") from None
        try:
            db.set_progress_handler(stop, 1000)
            db.execute("PRAGMA trusted_schema = OFF")
            tables = [name for name, sql in db.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'table'")
                if not str(name).startswith("sqlite_")
                and not str(sql or "").upper().startswith("CREATE VIRTUAL")][:MAX_TABLES]
            per_table = max(1, budget.rows)
            for name in tables:
                quoted = '"' + str(name).replace('"', '""') + '"'
                cursor = db.execute(f"SELECT * FROM {quoted} LIMIT 0")  # noqa: S608
                columns = [d[0] for d in cursor.description]
                (count,) = db.execute(f"SELECT count(*) FROM {quoted}").fetchone()  # noqa: S608
                rows: list[list[str]] = []
                window = max(1, per_table // (SPREAD_WINDOWS + 1))
                offsets = [0] if count <= per_table else [
                    (count - window) * i // SPREAD_WINDOWS for i in range(SPREAD_WINDOWS + 1)]
                limit = per_table if count <= per_table else window
                for offset in offsets:
                    for row in db.execute(f"SELECT * FROM {quoted} LIMIT ? OFFSET ?",  # noqa: S608
                                          (limit, offset)):
                        rows.append([_sql_cell(v) for v in row])
                yield Table(columns, rows, where=f"table {name!r}")
        except sqlite3.Error as exc:
            why = "it took too long" if "interrupt" in str(exc) else "it is corrupt or uses " \
                  "features gitworthy does not read"
            raise InspectionError(f"SQLite database could not be read ({why}): not inspected "
                                  "for personal data") from None
        finally:
            db.close()


def _sql_cell(value: Any) -> str:
    if isinstance(value, bytes):
        try:
            return _cell(value[:4096].decode("utf-8"))
        except UnicodeDecodeError:
            return ""  # a binary blob: not text a person reads
    return _cell(value)


# ---------------------------------------------------------------- Arrow / Feather

def read_arrow(file: File, budget: Budget, depth: int = 0) -> Iterator[Table]:
    """Rows spread over an Arrow IPC file (Feather v2) or stream: record batches first, last
    and evenly between, evenly spaced rows within each."""
    try:
        import pyarrow as pa
        import pyarrow.ipc as ipc
    except ImportError:
        raise InspectionError("Arrow/Feather file not inspected for personal data: pyarrow is "
                              "missing from this environment (pip install pyarrow)") from None
    if file.head(4) == b"FEA1":
        raise InspectionError("Feather v1 file not inspected for personal data; rewrite it as "
                              "Feather v2 (pyarrow.feather.write_feather) or Parquet")
    with _mapped(file) as source:
        try:
            try:
                reader: Any = ipc.open_file(source)
                count = reader.num_record_batches
                batches: Iterator[Any] = (reader.get_batch(i) for i in _picks(count))
                per = max(1, budget.rows // max(1, min(count, SPREAD_WINDOWS + 1)))
            except pa.ArrowInvalid:
                source.seek(0)
                batches = iter(ipc.open_stream(source))
                per = max(1, budget.rows // (SPREAD_WINDOWS + 1))
            names: list[str] = []
            rows: list[list[str]] = []
            for n, batch in enumerate(batches):
                if n > 4 * SPREAD_WINDOWS:  # an IPC stream: its head is sampled
                    break
                names = batch.schema.names
                height = batch.num_rows
                take = [height * i // per for i in range(min(per, height))]
                picked = batch.take(pa.array(take, pa.int64())) if take else batch
                columns = [arrow_cells(picked.column(i)) for i in range(picked.num_columns)]
                rows.extend([c[r] for c in columns] for r in range(picked.num_rows))
        except (pa.ArrowException, OSError):
            raise InspectionError("not a readable Arrow/Feather file (truncated or corrupt): "
                                  "not inspected for personal data") from None
    if names:
        yield Table(names, rows)


@contextmanager
def _mapped(file: File) -> Iterator[Any]:
    """A memory map of the file (copied to a private temp file when it is not on disk), so
    that only the batches read are paged in."""
    import pyarrow as pa

    location = getattr(file, "location", None)
    if location is not None and not file.is_symlink:
        with pa.memory_map(str(location)) as source:
            yield source
        return
    with tempfile.TemporaryDirectory(prefix="gitworthy-") as directory:
        path = os.path.join(directory, "copy.arrow")
        with file.open() as stream, open(path, "wb") as copy:
            shutil.copyfileobj(stream, copy, CHUNK)
        with pa.memory_map(path) as source:
            yield source


# ---------------------------------------------------------------- NumPy .npy / .npz

def npy_header(stream: IO[bytes]) -> tuple[str | list[Any], bool, tuple[int, ...]]:
    """(descr, fortran_order, shape) of a .npy stream, which is left at the first data byte.
    The header is a Python literal, read with ast.literal_eval (never executed)."""
    magic = stream.read(8)
    if len(magic) < 8 or not magic.startswith(b"\x93NUMPY"):
        raise InspectionError("not a NumPy .npy array")
    size_bytes = 2 if magic[6] == 1 else 4
    length = int.from_bytes(stream.read(size_bytes), "little")
    if length > 65536:
        raise InspectionError("NumPy header too large: not inspected")
    try:
        header = ast.literal_eval(stream.read(length).decode("latin-1"))
        descr, fortran, shape = header["descr"], bool(header["fortran_order"]), header["shape"]
        shape = tuple(int(n) for n in shape)
    except (ValueError, SyntaxError, KeyError, TypeError, MemoryError, RecursionError):
        raise InspectionError("NumPy header is malformed: not inspected") from None
    return descr, fortran, shape


def _npy_table(name: str, stream: IO[bytes], budget: Budget) -> Table | None:
    """Sampled strings of a text array (`<U`, `|S`); None for numbers, objects, records."""
    descr, fortran, shape = npy_header(stream)
    if not isinstance(descr, str) or len(descr) < 3 or descr[1] not in "US":
        return None  # numbers carry no names; object arrays are check-serialized-models'
    width = int(descr[2:] or 0)
    size = width * (4 if descr[1] == "U" else 1)
    count = 1
    for n in shape:
        count *= n
    if not size or not count:
        return None
    columns = 1 if fortran or len(shape) < 2 else shape[-1]
    rows = count // columns
    wanted = range(rows) if rows <= budget.rows else [rows * i // budget.rows
                                                      for i in range(budget.rows)]
    encoding = "utf-32-le" if descr[0] in "<|=" else "utf-32-be"
    table: list[list[str]] = []
    position = 0
    for row in wanted:
        offset = row * columns * size
        if offset > position:
            _forward(stream, offset - position)
            position = offset
        raw = stream.read(columns * size)
        position += len(raw)
        if len(raw) < columns * size:
            break
        items = [raw[i * size:(i + 1) * size] for i in range(columns)]
        table.append([_cell(item.decode(encoding, "replace").rstrip("\0") if descr[1] == "U"
                            else item.rstrip(b"\0").decode("utf-8", "replace"))
                      for item in items])
    header = [name] if columns == 1 else [f"{name}[{i}]" for i in range(columns)]
    return Table(header, table, where=f"array {name!r}")


def _forward(stream: IO[bytes], n: int) -> None:
    if stream.seekable():
        stream.seek(n, io.SEEK_CUR)
        return
    while n > 0:
        data = stream.read(min(CHUNK, n))
        if not data:
            return
        n -= len(data)


def read_numpy(file: File, budget: Budget, depth: int = 0) -> Iterator[Table]:
    """Text arrays of a .npy file or of every array in a .npz archive."""
    import zipfile

    with seekable(file) as stream:
        if stream.read(6) == b"\x93NUMPY":
            stream.seek(0)
            table = _npy_table(file.name.rsplit(".", 1)[0], stream, budget)
            if table is not None:
                yield table
            return
        stream.seek(0)
        try:
            archive = zipfile.ZipFile(stream)
            entries = [i for i in archive.infolist()[:MAX_ENTRIES] if i.filename.endswith(".npy")]
            for info in entries[: MAX_MEMBERS * 4]:
                with archive.open(info) as member:
                    table = _npy_table(info.filename[:-4], member, budget)
                if table is not None:
                    yield table
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError):
            raise InspectionError("not a readable NumPy .npz archive (corrupt or truncated): "
                                  "not inspected for personal data") from None
