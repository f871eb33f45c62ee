"""Bounded samples of data files: tables of columns, or lines of text.

Large files are sampled: the head plus windows spread through the file, within a byte and row
budget, so memory and time stay bounded on a multi-GB CSV. `exhaustive` reads everything, in
batches. Every reader yields `Table` or `Text` parts; none loads a whole large file.
"""
from __future__ import annotations

import codecs
import csv
import io
import json
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO, Any

from gitworthy.findings import InspectionError
from gitworthy.sources import File

SPREAD_WINDOWS = 8
CHUNK = 1024 * 1024
MAX_FIELD = 16 * 1024 * 1024
MAX_CELL = 1024 * 1024             # characters of one decoded Parquet dictionary value
MAX_PARQUET_GROUP = 512 * 1024 * 1024  # a row group unpacking past this is reported, not read
MAX_COLUMNS = 2048                 # a table wider than this is reported, not read
MAX_WORKBOOK_XML = 256 * 1024 * 1024  # an xlsx whose sheets and strings unpack past this
MAX_JSON_BYTES = 32 * 1024 * 1024  # larger JSON documents are sampled as text


class NotText(InspectionError):
    """Binary content under a text extension (.csv, .txt, ...)."""


@dataclass
class Budget:
    """How much of a file to read."""

    rows: int = 1000             # sampled rows (or lines) per file
    bytes: int = 4 * 1024 * 1024  # sampled bytes per file
    exhaustive: bool = False      # read everything (in batches of `rows`)


@dataclass
class Table:
    """Sampled rows of one table; `where` names the sheet or notebook output."""

    columns: list[str]
    rows: list[list[str]]
    where: str = ""

    def values(self, index: int) -> list[str]:
        return [row[index] for row in self.rows if index < len(row) and row[index]]


@dataclass
class Text:
    """Sampled lines: (1-based line number or None when not known, text)."""

    lines: Sequence[tuple[int | None, str]] = field(default_factory=list)
    where: str = ""


# ---------------------------------------------------------------- windows of lines

def _detect_encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\0" in head[:8000]:
        raise NotText("binary content under a text file name: not inspected for personal data")
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 4:  # a character cut by the end of the window
            return "utf-8"
    return "cp1252" if _decodes(head, "cp1252") else "latin-1"


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
        return True
    except UnicodeDecodeError:
        return False


def _skip(stream: IO[bytes], position: int, target: int) -> None:
    """Move a stream forward to `target`: seek when possible, else read and discard."""
    if stream.seekable():
        stream.seek(target)
        return
    while position < target:
        data = stream.read(min(CHUNK, target - position))
        if not data:
            return
        position += len(data)


def windows(file: File, budget: Budget, lines: bool = True) -> Iterator[tuple[bool, str]]:
    """(is_head, text of whole lines) windows of a file: all of it when it fits the budget
    (or `exhaustive`), else the head and SPREAD_WINDOWS windows spread through the rest.

    The first window starts at the top of the file; the others start after a line break.
    With `lines=False` windows are cut anywhere (for one-line documents such as minified JSON).
    """
    head = file.head(64 * 1024)
    encoding = _detect_encoding(head)
    with file.open() as stream:
        if budget.exhaustive or file.size <= budget.bytes:
            yield from _all_windows(stream, encoding, budget.exhaustive)
            return
        head_size = budget.bytes // 2
        data = stream.read(head_size)
        if not lines:
            data += b"\n"
        if b"\n" not in data:
            raise InspectionError(f"no line break in the first {head_size // 1024} KB: not a "
                                  "line-based file gitworthy can sample (a huge single line)")
        yield True, _decode(data[: data.rindex(b"\n") + 1], encoding)
        position = len(data)
        size = (budget.bytes - head_size) // SPREAD_WINDOWS
        rest = file.size - position
        for i in range(SPREAD_WINDOWS):
            target = position + (rest * (i + 1)) // (SPREAD_WINDOWS + 1)
            target -= target % 2 if encoding == "utf-16" else 0
            current = stream.tell() if stream.seekable() else position
            if target < current:
                continue
            _skip(stream, current, target)
            data = stream.read(size)
            position = target + len(data)
            if not lines:
                data = b"\n" + data + b"\n"
            start, end = data.find(b"\n"), data.rfind(b"\n")
            if start < 0 or end <= start:
                continue
            yield False, _decode(data[start + 1: end + 1], encoding)


def _all_windows(stream: IO[bytes], encoding: str, unbounded: bool) -> Iterator[tuple[bool,
                                                                                       str]]:
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    first = True
    pending = ""
    while True:
        data = stream.read(CHUNK)
        text = pending + decoder.decode(data, final=not data)
        if not data:
            if text:
                yield first, text
            return
        cut = text.rfind("\n")
        if cut < 0:
            if len(text) > MAX_FIELD:
                raise InspectionError(f"a line longer than {MAX_FIELD // 1048576} MB: not a "
                                      "line-based file gitworthy can read")
            pending = text
            continue
        yield first, text[: cut + 1]
        first, pending = False, text[cut + 1:]


def _decode(data: bytes, encoding: str) -> str:
    return data.decode(encoding, errors="replace")


# ---------------------------------------------------------------- CSV / TSV

def _dialect(sample: str, suffix: str) -> type[csv.Dialect] | csv.Dialect:
    default = {".tsv": "\t", ".psv": "|"}.get(suffix, ",")
    try:
        return csv.Sniffer().sniff(sample[:32768], delimiters=default + ",\t;|")
    except csv.Error:
        dialect = csv.excel()
        dialect.delimiter = default  # type: ignore[misc]
        return dialect


def _looks_like_data(row: list[str]) -> bool:
    """A first row of values rather than column names."""
    from gitworthy.pii.entities import is_candidate

    cells = [c.strip() for c in row if c.strip()]
    return bool(cells) and (any(is_candidate(c) for c in cells)
                            or all(c.replace(".", "", 1).lstrip("-").isdigit() for c in cells))


def read_csv(file: File, budget: Budget) -> Iterator[Table]:
    """Tables of sampled rows: one for a sampled file, batches of `rows` when exhaustive."""
    csv.field_size_limit(max(csv.field_size_limit(), MAX_FIELD))
    header: list[str] | None = None
    dialect: Any = None
    batch: list[list[str]] = []
    for is_head, text in windows(file, budget):
        if dialect is None:
            dialect = _dialect(text, file.suffix)
        try:
            rows = [r for r in csv.reader(io.StringIO(text), dialect) if r]
        except csv.Error as exc:
            if is_head:
                raise InspectionError(f"malformed CSV: {str(exc).split(':')[0]}") from None
            continue
        if header is None:
            if not rows:
                return
            _check_width(len(rows[0]))
            if _looks_like_data(rows[0]):
                header = [f"column {i + 1}" for i in range(len(rows[0]))]
            else:
                header, rows = [c.strip() for c in rows[0]], rows[1:]
        if not is_head:
            rows = [r for r in rows if len(r) == len(header)]  # drop rows cut by the window
        batch.extend(rows)
        if budget.exhaustive and len(batch) >= budget.rows:
            yield Table(header, batch)
            batch = []
    if header is not None:
        yield Table(header, batch if budget.exhaustive else _spread(batch, budget.rows))


def _spread(rows: list[Any], limit: int) -> list[Any]:
    """At most `limit` items: the first half, then evenly spaced ones from the rest."""
    if len(rows) <= limit:
        return rows
    half = limit // 2
    rest = rows[half:]
    step = len(rest) / (limit - half)
    return rows[:half] + [rest[int(i * step)] for i in range(limit - half)]


# ---------------------------------------------------------------- JSON and JSON Lines

def _walk(value: Any, path: str, out: dict[str, list[str]], depth: int = 0) -> None:
    """Collect scalar values by key path (`members[].contact.email`), lists flattened."""
    if depth > 64:
        return
    if isinstance(value, dict):
        for key, item in value.items():
            _walk(item, f"{path}.{key}" if path else str(key), out, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _walk(item, f"{path}[]", out, depth + 1)
    elif isinstance(value, str):
        if value:
            out.setdefault(path or "value", []).append(value)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        out.setdefault(path or "value", []).append(str(value))


def _table(columns: dict[str, list[str]], limit: int) -> Table:
    """Columns of values as a Table (rows are positional; columns are judged on their own)."""
    names = list(columns)
    sampled = [_spread(columns[n], limit) for n in names]
    height = max((len(v) for v in sampled), default=0)
    rows = [[v[i] if i < len(v) else "" for v in sampled] for i in range(height)]
    return Table(names, rows)


def read_json(file: File, budget: Budget) -> Iterator[Table | Text]:
    """A JSON document by key path; too large to parse safely: sampled as text."""
    if file.size > MAX_JSON_BYTES:
        for _, text in windows(file, budget, lines=False):  # minified JSON has no line breaks
            items = (item for line in text.splitlines() for item in line.split(","))
            yield Text([(None, item) for item in items][: budget.rows * 4])
        return
    with file.open() as stream:
        raw = stream.read()
    try:
        document = json.loads(raw.decode(_detect_encoding(raw[:65536])))
    except (ValueError, RecursionError):
        raise InspectionError("not valid JSON: not inspected for personal data") from None
    columns: dict[str, list[str]] = {}
    _walk(document, "", columns)
    yield _table(columns, budget.rows)


def read_jsonl(file: File, budget: Budget) -> Iterator[Table]:
    """JSON Lines: sampled records by key path; lines that are not JSON are skipped."""
    columns: dict[str, list[str]] = {}
    parsed = failed = 0
    for _, text in windows(file, budget):
        for line in text.splitlines():
            if not line.strip():
                continue
            try:
                _walk(json.loads(line), "", columns)
                parsed += 1
            except (ValueError, RecursionError):
                failed += 1
        if budget.exhaustive and parsed >= budget.rows:
            yield _table(columns, parsed)
            columns, parsed = {}, 0
    if failed and not parsed and not columns:
        raise InspectionError("not JSON Lines: no line parses as JSON")
    if columns:
        yield _table(columns, budget.rows if not budget.exhaustive else max(parsed, 1))


# ---------------------------------------------------------------- plain text and logs

def read_text(file: File, budget: Budget) -> Iterator[Text]:
    """Lines of text (at most `rows` from the head and `rows / 8` from each spread window
    unless exhaustive), numbered where the number is known."""
    contiguous = budget.exhaustive or file.size <= budget.bytes
    seen = 0
    for is_head, text in windows(file, budget):
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        if contiguous or is_head:
            shown = lines if budget.exhaustive else lines[: budget.rows]
            yield Text([(seen + i + 1, line) for i, line in enumerate(shown)])
            seen += len(lines)
        else:
            yield Text([(None, line) for line in lines[: max(1, budget.rows // SPREAD_WINDOWS)]])


# ---------------------------------------------------------------- Parquet and Excel

@contextmanager
def seekable(file: File) -> Iterator[IO[bytes]]:
    """A seekable binary stream of the file (a large git blob is spooled to a temp file)."""
    with file.open() as stream:
        if stream.seekable():
            yield stream
            return
        with tempfile.TemporaryFile() as spool:
            shutil.copyfileobj(stream, spool, CHUNK)
            spool.seek(0)
            yield spool


def _missing_extra(fmt: str, extra: str, package: str) -> InspectionError:
    return InspectionError(
        f"{fmt} file not inspected for personal data: {package} is not installed; install the "
        f"extra (pip install 'gitworthy[{extra}]', or additional_dependencies: [{package}] in "
        ".pre-commit-config.yaml)")


def _cells(column: Any) -> list[Any]:
    """A column's values; a dictionary column's distinct values are decoded once (a value
    longer than MAX_CELL characters is reported, as a CSV line longer than MAX_FIELD is)."""
    if hasattr(column, "dictionary") and hasattr(column, "indices"):
        values = [_cell(v) for v in column.dictionary.to_pylist()]
        if any(len(v) > MAX_CELL for v in values):
            raise InspectionError(f"a value longer than {MAX_CELL >> 20} MB of text: not "
                                  "inspected for personal data")
        return [None if i is None else values[i] for i in column.indices.to_pylist()]
    return list(column.to_pylist())


def _check_width(columns: int) -> None:
    if columns > MAX_COLUMNS:
        raise InspectionError(f"{columns} columns, more than the {MAX_COLUMNS} gitworthy reads "
                              "per table: not inspected for personal data")


def _check_unpacked_size(stream: IO[bytes]) -> None:
    """An xlsx is a zip: its sheets and shared strings must unpack to a readable size (the
    sizes are the zip's own; reading never passes them) before openpyxl parses them."""
    import zipfile

    try:
        with zipfile.ZipFile(stream) as zf:
            total = sum(i.file_size for i in zf.infolist() if i.filename.endswith(".xml"))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise InspectionError("not a readable Excel workbook (corrupt or encrypted)") from None
    finally:
        stream.seek(0)
    if total > MAX_WORKBOOK_XML:
        raise InspectionError(f"workbook unpacks to {total >> 20} MB of XML, past the "
                              f"{MAX_WORKBOOK_XML >> 20} MB gitworthy reads: not inspected")


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def read_parquet(file: File, budget: Budget) -> Iterator[Table]:
    """Sampled rows from the first row group and row groups spread through the file."""
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise _missing_extra("Parquet", "parquet", "pyarrow") from None
    with seekable(file) as stream:
        try:
            names = pq.ParquetFile(stream).schema_arrow.names
            _check_width(len(names))
            stream.seek(0)
            # dictionary columns stay dictionaries: one 1.5 MB string used by a thousand rows
            # is decoded once, not a thousand times
            parquet = pq.ParquetFile(stream, read_dictionary=names)
        except InspectionError:
            raise
        except Exception:  # noqa: BLE001 -- pyarrow raises several types for a bad file
            raise InspectionError("not a readable Parquet file (truncated or corrupt)") from None
        groups = parquet.num_row_groups
        picks = list(range(groups)) if budget.exhaustive else sorted(
            {0, *(groups * (i + 1) // (SPREAD_WINDOWS + 1) for i in range(SPREAD_WINDOWS))}
            & set(range(groups)))
        for group in picks:
            meta = parquet.metadata.row_group(group)
            unpacked = sum(meta.column(i).total_uncompressed_size for i in range(meta.num_columns))
            if unpacked > MAX_PARQUET_GROUP:
                raise InspectionError(f"a row group unpacks to {unpacked >> 20} MB, past the "
                                      f"{MAX_PARQUET_GROUP >> 20} MB gitworthy reads: "
                                      "not inspected")
        per_group = budget.rows if budget.exhaustive else max(1, budget.rows // len(picks or [0]))
        rows: list[list[str]] = []
        try:
            for group in picks:
                for batch in parquet.iter_batches(batch_size=per_group, row_groups=[group]):
                    columns = [_cells(batch.column(i)) for i in range(batch.num_columns)]
                    rows.extend([_cell(c[r]) for c in columns] for r in range(batch.num_rows))
                    if not budget.exhaustive:
                        break
                    yield Table(names, rows)
                    rows = []
        except InspectionError:
            raise
        except Exception:  # noqa: BLE001
            raise InspectionError("Parquet file could not be read (corrupt row group)") from None
        if rows:
            yield Table(names, rows)


def read_excel(file: File, budget: Budget) -> Iterator[Table]:
    """The first rows of every sheet (first row = column names)."""
    if file.suffix == ".xls" or file.head(8).startswith(b"\xd0\xcf\x11\xe0"):
        raise InspectionError("legacy .xls workbook not inspected for personal data; save it "
                              "as .xlsx or CSV to have it checked")
    try:
        import openpyxl
    except ImportError:
        raise _missing_extra("Excel", "excel", "openpyxl") from None
    with seekable(file) as stream:
        _check_unpacked_size(stream)
        try:
            book = openpyxl.load_workbook(stream, read_only=True, data_only=True)
        except Exception:  # noqa: BLE001 -- zipfile, KeyError, XML errors for bad files
            raise InspectionError("not a readable Excel workbook (corrupt or encrypted)") from None
        try:
            for sheet in book.worksheets:
                limit = None if budget.exhaustive else budget.rows + 1
                rows = [[_cell(v) for v in row] for row in sheet.iter_rows(
                    values_only=True, max_row=limit, max_col=MAX_COLUMNS + 1)]
                _check_width(max((len("\0".join(r).rstrip("\0").split("\0")) for r in rows
                                  if any(r)), default=0))
                if not rows:
                    continue
                header = [c or f"column {i + 1}" for i, c in enumerate(rows[0])]
                yield Table(header, rows[1:], where=f"sheet {sheet.title!r}")
        finally:
            book.close()
