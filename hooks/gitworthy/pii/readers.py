"""Bounded samples of data files: tables of columns, or lines of text.

Large files are sampled: the head, the tail and windows evenly spaced between them, within a
byte and row budget, so memory and time stay bounded on a multi-GB CSV. Rows and lines beyond
the row budget are thinned evenly over the whole file (`Spread`), never cut after the head.
`exhaustive` reads everything, in batches. Every reader yields `Table` or `Text` parts; none
loads a whole large file. Archives, compressed files and databases are in `pii.containers`.
"""
from __future__ import annotations

import codecs
import csv
import io
import json
import re
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import IO, Any

from gitworthy.findings import InspectionError
from gitworthy.sources import File

SPREAD_WINDOWS = 8
CHUNK = 1024 * 1024
MAX_FIELD = 16 * 1024 * 1024
MAX_COLUMNS = 2048                 # a table wider than this is reported, not read
MAX_JSON_BYTES = 32 * 1024 * 1024  # larger JSON documents are sampled as text
MAX_CELL = 2048  # characters of one value that are judged (a cell may hold megabytes)
MAX_INFLATED = 256 * 1024 * 1024  # a compressed part may expand to this much...
MAX_RATIO = 200                   # ...or this many times its size, whichever is more
TEXT_LINES = 4  # a text file samples up to `rows` * TEXT_LINES lines (a 60 KB log: all)
MAX_HTML = 1024 * 1024  # bytes of an HTML page sampled (parsed in pure Python)
MAX_WORKBOOK = 256 * 1024 * 1024  # larger Excel files are not read (calamine loads a sheet)


class NotText(InspectionError):
    """Binary content under a text extension (.csv, .txt, ...)."""


@dataclass
class Budget:
    """How much of a file to read."""

    rows: int = 1000             # sampled rows (or lines) per file
    bytes: int = 4 * 1024 * 1024  # sampled bytes per file
    exhaustive: bool = False      # read everything (in batches of `rows`)


class Spread:
    """At most `limit` items of a stream of unknown length, spread over all of it: the first
    half of the budget, the last items, and items evenly spaced in between (the stride doubles
    whenever the middle fills up, so memory stays bounded)."""

    def __init__(self, limit: int) -> None:
        self.limit = max(2, limit)
        self.head: list[Any] = []
        self.middle: list[Any] = []
        self.tail: list[Any] = []
        self.stride = 1
        self.seen = 0

    def add(self, item: Any) -> None:
        self.seen += 1
        if len(self.head) < self.limit // 2:
            self.head.append(item)
            return
        self.tail.append(item)
        if len(self.tail) <= max(1, self.limit // 8):
            return
        item = self.tail.pop(0)
        if (self.seen - len(self.head)) % self.stride == 0:
            self.middle.append(item)
            if len(self.middle) > self.limit - len(self.head) - self.limit // 8:
                self.middle = self.middle[1::2]
                self.stride *= 2

    def items(self) -> list[Any]:
        return self.head + self.middle + self.tail


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
        raise NotText(not_text_message(head))
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 4:  # a character cut by the end of the window
            return "utf-8"
    return "cp1252" if _decodes(head, "cp1252") else "latin-1"


def not_text_message(head: bytes) -> str:
    """Why a file named as text data cannot be read, and what to do."""
    from gitworthy.filetypes import sniff_format

    sniffed = sniff_format(head)
    what = f"{sniffed[0]} content" if sniffed else "binary content of an unknown format"
    return (f"{what} under a text data name: not inspected for personal data; give the file "
            "its real extension (or convert it to CSV) so it can be checked")


def _newline(head: bytes) -> bytes:
    """The line break of a file: LF (also for CRLF), or CR alone (old Mac and Excel exports)."""
    return b"\r" if b"\r" in head and b"\n" not in head else b"\n"


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
    (or `exhaustive`), else the head, then SPREAD_WINDOWS windows evenly spaced through the
    rest, the last one ending at the end of the file.

    The first window starts at the top of the file; the others start after a line break.
    Line breaks come out as LF whatever the file uses (CR-only files are read too).
    With `lines=False` windows are cut anywhere (for one-line documents such as minified JSON).
    """
    head = file.head(64 * 1024)
    encoding = _detect_encoding(head)
    eol = _newline(head)
    with file.open() as stream:
        if budget.exhaustive or file.size <= budget.bytes:
            yield from _all_windows(stream, encoding, eol)
            return
        head_size = budget.bytes // 2
        data = stream.read(head_size)
        if not lines:
            data += eol
        if eol not in data:
            raise InspectionError(f"no line break in the first {head_size // 1024} KB: not a "
                                  "line-based file gitworthy can sample (a huge single line)")
        yield True, _decode(data[: data.rindex(eol) + 1], encoding, eol)
        position = base = len(data)
        size = (budget.bytes - head_size) // SPREAD_WINDOWS
        rest = max(0, file.size - base - size)
        for i in range(SPREAD_WINDOWS):
            target = base + (rest * (i + 1)) // SPREAD_WINDOWS  # the last one is the tail
            target -= target % 2 if encoding == "utf-16" else 0
            current = stream.tell() if stream.seekable() else position
            if target < current:
                continue
            _skip(stream, current, target)
            data = stream.read(size)
            position = target + len(data)
            if not lines:
                data = eol + data + eol
            elif position >= file.size:
                data += eol  # the last line may have no line break
            start, end = data.find(eol), data.rfind(eol)
            if start < 0 or end <= start:
                continue
            yield False, _decode(data[start + 1: end + 1], encoding, eol)


def _all_windows(stream: IO[bytes], encoding: str, eol: bytes = b"\n") -> Iterator[
        tuple[bool, str]]:
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    first = True
    pending = ""
    while True:
        data = stream.read(CHUNK)
        text = pending + decoder.decode(data, final=not data)
        if eol == b"\r":
            text = text.replace("\r", "\n")
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


def _decode(data: bytes, encoding: str, eol: bytes = b"\n") -> str:
    text = data.decode(encoding, errors="replace")
    return text.replace("\r", "\n") if eol == b"\r" else text


# ---------------------------------------------------------------- CSV / TSV

def looks_like_csv(head: bytes) -> bool:
    """Whether the first bytes of a file with no telling name are delimited rows: at least
    three lines that split into the same number (two or more) of fields on one delimiter."""
    try:
        encoding = _detect_encoding(head)
    except NotText:
        return False
    text = _decode(head, encoding, _newline(head))
    lines = [line for line in text.split("\n")[:41] if line.strip()]
    if len(head) >= 64 * 1024 or not text.endswith("\n"):
        lines = lines[:-1]  # the last line may be cut
    lines = lines[:40]
    if len(lines) < 3 or lines[0].lstrip().startswith(("#!", "<", "{", "[")):
        return False
    for delimiter in ",\t;|":
        try:
            widths = {len(row) for row in csv.reader(lines, delimiter=delimiter)}
        except csv.Error:
            continue
        if len(widths) == 1 and widths.pop() >= 2:
            return True
    return False


def _looks_like_data(row: list[str]) -> bool:
    """A first row of values rather than column names."""
    from gitworthy.pii.entities import is_candidate

    cells = [c.strip() for c in row if c.strip()]
    return bool(cells) and (any(is_candidate(c) for c in cells)
                            or all(c.replace(".", "", 1).lstrip("-").isdigit() for c in cells))


def read_csv(file: File, budget: Budget) -> Iterator[Table]:
    """Tables of sampled rows: one for a sampled file, batches of `rows` when exhaustive.
    A file within the byte budget gives rows spread over all of it; a larger one gives half
    the rows from its head and the other half shared by the windows down to its tail."""
    csv.field_size_limit(max(csv.field_size_limit(), MAX_FIELD))
    header: list[str] | None = None
    dialect: Any = None
    batch: list[list[str]] = []
    windowed = not budget.exhaustive and file.size > budget.bytes
    share = max(1, (budget.rows - budget.rows // 2) // SPREAD_WINDOWS)
    sample = Spread(budget.rows)
    for is_head, text in windows(file, budget):
        if dialect is None:
            dialect = _dialect(text, file.suffix)
        try:
            rows = _rows(text, dialect)
        except csv.Error as exc:
            if is_head:
                raise InspectionError(f"malformed CSV: {str(exc).split(':')[0]}") from None
            continue
        if header is None:
            rows = _without_preamble(rows)
            if not rows:
                return
            _check_width(len(rows[0]))
            if _looks_like_data(rows[0]):
                header = [f"column {i + 1}" for i in range(len(rows[0]))]
            else:
                header, rows = [c.strip() for c in rows[0]], rows[1:]
        if not is_head:  # drop rows cut by the window
            rows = rows.of_width(len(header)) if isinstance(rows, _PlainRows) else \
                [r for r in rows if len(r) == len(header)]
        if budget.exhaustive:
            batch.extend(rows)
            if len(batch) >= budget.rows:
                yield Table(header, batch)
                batch = []
        elif windowed:
            batch.extend(_spread(rows, budget.rows // 2 if is_head else share))
        else:
            for row in rows:
                sample.add(row)
    if header is not None:
        yield Table(header, batch if budget.exhaustive or windowed else sample.items())


def _rows(text: str, dialect: csv.Dialect) -> Sequence[list[str]]:
    """The non-empty rows of CSV text. Text without quote characters, carriage returns or
    NULs has one row per line, split at the delimiter: those are split only when read (of
    a 2 MB window only the sampled rows are)."""
    quote = dialect.quotechar
    if quote and quote not in text and "\r" not in text and "\0" not in text and \
            dialect.escapechar is None and not dialect.skipinitialspace and \
            len(text) < csv.field_size_limit():
        return _PlainRows([line for line in text.split("\n") if line], dialect.delimiter)
    return [r for r in csv.reader(io.StringIO(text, newline=""), dialect) if r]


class _PlainRows(Sequence[list[str]]):
    """Lines of delimited text without quoting, as rows split when read: what `csv.reader`
    gives for them, row for row."""

    def __init__(self, lines: list[str], delimiter: str) -> None:
        self.lines, self.delimiter = lines, delimiter

    def __len__(self) -> int:
        return len(self.lines)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return _PlainRows(self.lines[index], self.delimiter)
        return self.lines[index].split(self.delimiter)

    def __iter__(self) -> Iterator[list[str]]:
        return (line.split(self.delimiter) for line in self.lines)

    def of_width(self, width: int) -> _PlainRows:
        """The rows of `width` fields."""
        return _PlainRows([line for line in self.lines
                           if line.count(self.delimiter) == width - 1], self.delimiter)


def _without_preamble(rows: Sequence[list[str]]) -> Sequence[list[str]]:
    """The rows from the first one as wide as most (a title, notes or a copied Git LFS pointer
    above the table is skipped, up to 20 lines)."""
    widths = [len(r) for r in rows[:200]]
    if not widths:
        return rows
    common = max(set(widths), key=widths.count)
    for i, row in enumerate(rows[:20]):
        if len(row) == common:
            return rows[i:]
    return rows


def _dialect(sample: str, suffix: str) -> csv.Dialect:
    """The delimiter that splits the most rows of the sample into the same number (two or
    more) of fields; the file's own delimiter (`.tsv`, `.psv`) or a comma wins ties."""
    default = {".tsv": "\t", ".psv": "|"}.get(suffix, ",")
    text = sample[:65536]
    if "\n" in text[:-1]:
        text = text[: text.rindex("\n", 0, len(text) - 1) + 1]  # whole lines only
    best, score = default, 0.0
    for delimiter in dict.fromkeys(default + ",;\t|"):
        try:
            widths = [len(r) for r in csv.reader(io.StringIO(text, newline=""),
                                                 delimiter=delimiter) if r]
        except csv.Error:
            continue
        if not widths:
            continue
        common = max(set(widths), key=widths.count)
        fit = widths.count(common) / len(widths) if common >= 2 else 0.0
        if fit > score:
            best, score = delimiter, fit
    dialect = csv.excel()
    dialect.delimiter = best  # type: ignore[misc]
    return dialect


def _spread(rows: Sequence[Any], limit: int) -> list[Any]:
    """At most `limit` items: the first half, then evenly spaced ones from the rest."""
    if len(rows) <= limit:
        return list(rows)
    half = limit // 2
    rest = rows[half:]
    step = len(rest) / (limit - half)
    return list(rows[:half]) + [rest[int(i * step)] for i in range(limit - half)]


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
    """Lines of text, numbered where the number is known: every line of a file within the
    byte budget up to `rows` * TEXT_LINES lines, else lines spread evenly over the whole file
    (head, tail and in between); everything when exhaustive."""
    contiguous = budget.exhaustive or file.size <= budget.bytes
    sample = Spread(budget.rows * TEXT_LINES)
    seen = 0
    for is_head, text in windows(file, budget):
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        if budget.exhaustive:
            yield Text([(seen + i + 1, line) for i, line in enumerate(lines)])
        else:
            known = contiguous or is_head
            for i, line in enumerate(lines):
                sample.add((seen + i + 1 if known else None, line))
        if contiguous or is_head:
            seen += len(lines)
    if not budget.exhaustive:
        yield Text(sample.items())


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


def _missing_reader(fmt: str, package: str) -> InspectionError:
    return InspectionError(
        f"{fmt} file not inspected for personal data: {package} is missing from this "
        f"environment (it is a dependency of gitworthy; reinstall it: pip install {package})")


def _check_width(columns: int) -> None:
    if columns > MAX_COLUMNS:
        raise InspectionError(f"{columns} columns, more than the {MAX_COLUMNS} gitworthy reads "
                              "per table: not inspected for personal data")


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return text[:MAX_CELL]


def arrow_cells(array: Any) -> list[str]:
    """The values of a pyarrow array as strings of at most MAX_CELL characters, without ever
    materialising a long value once per row (a dictionary-encoded column repeats one)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    kind = array.type
    if pa.types.is_dictionary(kind):
        values = _truncated(array.dictionary, pa, pc)
        return _cells_of(pc.take(values, array.indices))
    return _cells_of(_truncated(array, pa, pc))


def _truncated(array: Any, pa: Any, pc: Any) -> Any:
    kind = array.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return pc.utf8_slice_codeunits(array, 0, MAX_CELL)
    if pa.types.is_binary(kind) or pa.types.is_large_binary(kind):
        return pc.binary_slice(array, 0, MAX_CELL)
    return array


def _cells_of(array: Any) -> list[str]:
    return [_cell(v.decode("utf-8", "replace") if isinstance(v, bytes) else v)
            for v in array.to_pylist()]


def _check_inflation(name: str, uncompressed: int, compressed: int) -> None:
    if uncompressed > MAX_INFLATED and uncompressed > MAX_RATIO * max(1, compressed):
        raise InspectionError(
            f"a column of this {name} file expands {uncompressed // max(1, compressed)} times "
            f"to {uncompressed // 1048576} MB: not inspected for personal data (a "
            "decompression bomb?); keep such files out of git")


def read_parquet(file: File, budget: Budget) -> Iterator[Table]:
    """Sampled rows from row groups spread through the file (first, last, evenly between).
    Text columns are read dictionary-encoded and cut to MAX_CELL characters, so a long value
    repeated on every row costs its length once; batches shrink for wide rows."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise _missing_reader("Parquet", "pyarrow") from None
    with seekable(file) as stream:
        try:
            schema = pq.ParquetFile(stream).schema_arrow
            texts = [f.name for f in schema if pa.types.is_string(f.type) or pa.types.is_binary(
                f.type) or pa.types.is_large_string(f.type) or pa.types.is_large_binary(f.type)]
            stream.seek(0)
            parquet = pq.ParquetFile(stream, read_dictionary=texts)
        except Exception:  # noqa: BLE001 -- pyarrow raises several types for a bad file
            raise InspectionError("not a readable Parquet file (truncated or corrupt)") from None
        names = parquet.schema_arrow.names
        _check_width(len(names))
        meta = parquet.metadata
        groups = parquet.num_row_groups
        picks = list(range(groups)) if budget.exhaustive else _picks(groups)
        per_group = budget.rows if budget.exhaustive else max(1, budget.rows // len(picks or [0]))
        rows: list[list[str]] = []
        try:
            for group in picks:
                info = meta.row_group(group)
                for c in range(info.num_columns):
                    chunk = info.column(c)
                    _check_inflation("Parquet", chunk.total_uncompressed_size,
                                     chunk.total_compressed_size)
                wide = info.total_byte_size // max(1, info.num_rows)
                size = max(1, min(per_group, budget.bytes // max(1, wide)))
                for batch in parquet.iter_batches(batch_size=size, row_groups=[group]):
                    columns = [arrow_cells(batch.column(i)) for i in range(batch.num_columns)]
                    rows.extend([c[r] for c in columns] for r in range(batch.num_rows))
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


def _picks(count: int) -> list[int]:
    """Indexes of at most SPREAD_WINDOWS + 1 parts out of `count`: first, last, evenly between."""
    if count <= SPREAD_WINDOWS + 1:
        return list(range(count))
    return sorted({(count - 1) * i // SPREAD_WINDOWS for i in range(SPREAD_WINDOWS + 1)})


def read_excel(file: File, budget: Budget) -> Iterator[Table]:
    """Rows of every worksheet (first non-empty row = column names), spread over the whole
    sheet: the head, the tail and evenly spaced rows between. python-calamine (Rust) reads
    .xlsx/.xlsm/.xlsb, legacy .xls and .ods; a workbook whose sheets would expand beyond
    MAX_INFLATED (and MAX_RATIO times) is not opened."""
    try:
        from python_calamine import CalamineWorkbook, SheetTypeEnum
    except ImportError:
        raise _missing_reader("Excel", "python-calamine") from None
    if file.size > MAX_WORKBOOK:
        raise InspectionError(f"Excel workbook of {file.size // 1048576} MB, over the "
                              f"{MAX_WORKBOOK // 1048576} MB gitworthy reads: not inspected for "
                              "personal data; keep large workbooks out of git")
    with seekable(file) as stream:
        if stream.read(4) == b"PK\x03\x04":
            _check_workbook_zip(stream)
        stream.seek(0)
        try:
            book = CalamineWorkbook.from_filelike(stream)
            sheets = [m.name for m in book.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet]
        except Exception:  # noqa: BLE001 -- calamine raises its own errors for bad files
            raise InspectionError("not a readable Excel workbook (corrupt, encrypted or not a "
                                  "workbook): not inspected for personal data") from None
        try:
            for name in sheets:
                try:
                    rows = book.get_sheet_by_name(name).iter_rows()
                except Exception:  # noqa: BLE001
                    raise InspectionError(f"Excel sheet {name!r} could not be read: not "
                                          "inspected for personal data") from None
                yield from _sheet_tables(rows, budget, f"sheet {name!r}")
        finally:
            book.close()


def _sheet_tables(rows: Iterator[list[Any]], budget: Budget, where: str) -> Iterator[Table]:
    header: list[str] | None = None
    sample = Spread(budget.rows)
    batch: list[list[str]] = []
    for row in rows:
        cells = [_excel_cell(v) for v in row]
        if header is None:
            if any(cells):
                header = [c or f"column {i + 1}" for i, c in enumerate(cells)]
                _check_width(len("\0".join(cells).rstrip("\0").split("\0")))
        elif budget.exhaustive:
            batch.append(cells)
            if len(batch) >= budget.rows:
                yield Table(header, batch, where)
                batch = []
        else:
            sample.add(cells)
    if header is not None:
        yield Table(header, batch if budget.exhaustive else sample.items(), where)


def _excel_cell(value: Any) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))  # Excel keeps every number as a float: 15634602.0 is an ID
    return _cell(value)


def _check_workbook_zip(stream: IO[bytes]) -> None:
    """Refuse a workbook whose parts would expand without bound (a zip bomb)."""
    import zipfile

    stream.seek(0)
    try:
        entries = zipfile.ZipFile(stream).infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise InspectionError("not a readable Excel workbook (corrupt zip): not inspected for "
                              "personal data") from None
    unpacked = sum(e.file_size for e in entries)
    packed = sum(e.compress_size for e in entries)
    if unpacked > MAX_INFLATED and unpacked > MAX_RATIO * max(1, packed):
        raise InspectionError(
            f"Excel workbook expands {unpacked // max(1, packed)} times to "
            f"{unpacked // 1048576} MB: not inspected for personal data (a decompression "
            "bomb?); keep such files out of git")


# ---------------------------------------------------------------- HTML and XML exports

def read_html(file: File, budget: Budget) -> Iterator[Table | Text]:
    """Tables of an HTML page (pandas `to_html`, a saved report) by column, and its other text
    as lines; a large page is sampled in windows, each parsed on its own."""
    from gitworthy.notebooks import html_content

    budget = replace(budget, bytes=min(budget.bytes, MAX_HTML))  # html.parser: ~2 MB/s
    for is_head, text in windows(file, budget):
        content = html_content(text)
        for number, rows in enumerate(content.tables, 1):
            header, *body = rows
            names = [c or f"column {i + 1}" for i, c in enumerate(header)]
            yield Table(names, body, where=f"table {number}" if is_head else "")
        lines = [line for line in content.text.splitlines() if "\t" not in line]
        if lines:
            yield Text([(None, line) for line in lines[: budget.rows * TEXT_LINES]])


XML_ENTITY = re.compile(rb"<!ENTITY", re.IGNORECASE)


def read_xml(file: File, budget: Budget) -> Iterator[Table]:
    """Values of an XML export by element path (`row/email`, `row/@id`), streamed; entity
    declarations are refused (no expansion bombs), reading stops after the byte budget."""
    import xml.etree.ElementTree as ET

    if XML_ENTITY.search(file.head(64 * 1024)):
        raise InspectionError("XML with entity declarations not inspected for personal data "
                              "(entities can expand without bound); export the data as CSV")
    columns: dict[str, Spread] = {}
    path: list[str] = []
    limit = None if budget.exhaustive else max(budget.bytes, 4 * 1024 * 1024)
    with file.open() as raw:
        stream = _Capped(raw, limit)
        try:
            for event, element in ET.iterparse(stream, events=("start", "end")):
                tag = element.tag.rsplit("}", 1)[-1]
                if event == "start":
                    path.append(tag)
                    where = "/".join(path[1:])
                    for key, value in element.attrib.items():
                        _keep(columns, f"{where}/@{key.rsplit('}', 1)[-1]}", value, budget)
                    continue
                if len(element) == 0 and element.text and element.text.strip():
                    _keep(columns, "/".join(path[1:]) or tag, element.text.strip(), budget)
                path.pop()
                element.clear()
        except ET.ParseError:
            if not stream.capped:
                raise InspectionError("not well-formed XML: not inspected for personal "
                                      "data") from None
    if columns:
        names = list(columns)
        values = [columns[n].items() for n in names]
        height = max(len(v) for v in values)
        yield Table(names, [[v[i] if i < len(v) else "" for v in values] for i in range(height)])


def _keep(columns: dict[str, Spread], name: str, value: str, budget: Budget) -> None:
    if len(columns) < 4096 or name in columns:
        columns.setdefault(name, Spread(budget.rows)).add(_cell(value))


class _Capped(io.RawIOBase):
    """A stream that ends after `limit` bytes (None: never)."""

    def __init__(self, raw: IO[bytes], limit: int | None) -> None:
        self.raw, self.left, self.capped = raw, limit, False

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:  # type: ignore[override]
        if self.left is not None:
            if self.left <= 0:
                self.capped = True
                return b""
            n = self.left if n is None or n < 0 else min(n, self.left)
        data = self.raw.read(n)
        if self.left is not None:
            self.left -= len(data)
        return data
