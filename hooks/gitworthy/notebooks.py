"""Reading Jupyter notebooks defensively, for any check that looks inside them.

    from gitworthy.notebooks import iter_cells
    for cell in iter_cells(file):                 # file: a gitworthy.sources.File
        cell.index, cell.kind, cell.source        # 0-based index, "code"/"markdown"/"raw", text
        for out in cell.outputs:                  # code cells only; [] for the others
            out.index, out.kind, out.mime, out.text, out.size

A cell unpacks as `(index, kind, source, outputs)`. Every output is reduced to text a person
could read: stream text, `text/plain`, `text/html` turned into text (tables become one row per
line, cells separated by tabs; `out.tables` keeps them as rows), error tracebacks without colour
codes. Images and other binary payloads give `text == ""` but keep their `size`.

Records kept as data are tables too (`out.tables`, first row the column names): pandas'
table schema (`application/vnd.dataresource+json`) and the data of Vega/Vega-Lite charts
(Altair's `data.values` and `datasets`). `markdown_tables(source)` reads tables pasted into a
markdown cell (pipe tables, HTML tables), `widget_tables(nb)` the records a data-grid widget
saved in the notebook's metadata (ipydatagrid, qgrid, ...).

`load()` parses the notebook once (bounded size) and raises `InspectionError` with one readable
line when it is not a notebook gitworthy understands: not JSON, not nbformat 4, too large.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any, NamedTuple

from gitworthy.findings import InspectionError
from gitworthy.sources import File

MAX_NOTEBOOK_BYTES = 64 * 1024 * 1024  # larger notebooks are not parsed (memory stays bounded)
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
TEXT_MIMES = ("text/plain", "text/markdown", "text/latex", "application/json")


@dataclass(frozen=True)
class Output:
    """One stored output of a code cell, as text."""

    index: int                 # position in the cell's outputs, 0-based
    kind: str                  # output_type: stream, execute_result, display_data, error
    mime: str                  # the richest MIME type stored ("image/png", "text/html", ...)
    text: str                  # readable text ("" for images and other binary payloads)
    size: int                  # bytes this output takes in the .ipynb file
    tables: list[list[list[str]]] = field(default_factory=list)  # HTML tables: rows of cells
    # Every text payload as stored, (MIME type or field, text): stream text, the traceback
    # without colour codes, each `data` entry but binary images and PDFs (vendor JSON too).
    payloads: tuple[tuple[str, str], ...] = ()


class Cell(NamedTuple):
    """One cell: unpacks as (index, kind, source, outputs)."""

    # The field shadows tuple.index (a method) on purpose: `cell.index` is the public API.
    index: int  # type: ignore[assignment]
    kind: str
    source: str
    outputs: list[Output]


def load(file: File, max_bytes: int = MAX_NOTEBOOK_BYTES, v3: bool = False) -> dict[str, Any]:
    """The notebook as a dict, checked to be nbformat 4 (or 3, upgraded in memory to the
    shape of 4, when `v3`); InspectionError otherwise."""
    if file.size > max_bytes:
        raise InspectionError(
            f"notebook is {file.size / 1048576:.0f} MB, too large to parse safely "
            f"(limit {max_bytes // 1048576} MB); strip its outputs: nbstripout {file.name}")
    with file.open() as stream:
        raw = stream.read(max_bytes + 1)
    return parse(raw, v3)


def parse(raw: bytes, v3: bool = False) -> dict[str, Any]:
    """Parse notebook bytes; InspectionError (no content in the message) when malformed."""
    if raw[:3] == b"\xef\xbb\xbf":
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InspectionError(f"not a valid notebook: not UTF-8 (byte {exc.start})") from None
    try:
        nb = json.loads(text)
    except RecursionError:
        raise InspectionError("not a valid notebook: JSON nested too deeply") from None
    except json.JSONDecodeError as exc:
        raise InspectionError(f"not a valid notebook: not JSON ({exc.msg} at line {exc.lineno}, "
                              f"column {exc.colno})") from None
    if not isinstance(nb, dict):
        raise InspectionError("not a valid notebook: the top level is not a JSON object")
    version = nb.get("nbformat")
    if version == 3 and v3:
        nb = upgrade_v3(nb)
    elif version != 4:
        shown = version if isinstance(version, int) else "missing"
        raise InspectionError(
            f"unsupported notebook format (nbformat {shown}, expected 4); upgrade it: "
            "jupyter nbconvert --to notebook --nbformat 4")
    if not isinstance(nb.get("cells"), list):
        raise InspectionError("not a valid notebook: no list of cells")
    return nb


# nbformat 3 stored output payloads under short keys; nbformat 4 under MIME types.
V3_KEYS = {"text": "text/plain", "html": "text/html", "latex": "text/latex",
           "json": "application/json", "javascript": "application/javascript",
           "markdown": "text/markdown", "svg": "image/svg+xml", "png": "image/png",
           "jpeg": "image/jpeg", "pdf": "application/pdf"}
V3_TYPES = {"pyout": "execute_result", "pyerr": "error"}


def upgrade_v3(nb: dict[str, Any]) -> dict[str, Any]:
    """An nbformat 3 notebook in the shape of 4 (cells out of worksheets, `input` as `source`,
    output payloads under MIME types), for reading only: never written back."""
    worksheets = nb.get("worksheets")
    cells = [c for w in worksheets if isinstance(w, dict) for c in (w.get("cells") or [])
             if isinstance(c, dict)] if isinstance(worksheets, list) else []
    upgraded = []
    for cell in cells:
        outputs = []
        for out in cell.get("outputs") or []:
            if not isinstance(out, dict):
                continue
            kind = out.get("output_type")
            kind = V3_TYPES.get(kind, kind) if isinstance(kind, str) else "unknown"
            if kind == "stream":
                outputs.append({"output_type": kind, "name": out.get("stream", "stdout"),
                                "text": out.get("text", "")})
            elif kind == "error":
                outputs.append({k: out.get(k) for k in ("ename", "evalue", "traceback")}
                               | {"output_type": kind})
            else:
                data = {mime: out[key] for key, mime in V3_KEYS.items() if key in out}
                outputs.append({"output_type": kind, "data": data,
                                "metadata": out.get("metadata", {})})
        source = cell.get("source", cell.get("input", ""))
        upgraded.append({**cell, "source": source, "outputs": outputs})
    return {**nb, "nbformat": 3, "cells": upgraded}


def text_of(value: Any) -> str:
    """nbformat stores multiline strings as a string or a list of strings."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "".join(v for v in value if isinstance(v, str))
    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False)


def iter_cells(source: File | dict[str, Any]) -> Iterator[Cell]:
    """Every cell of a notebook (a File, or a dict from `load`), in order."""
    nb = load(source) if isinstance(source, File) else source
    for index, cell in enumerate(nb["cells"]):
        if not isinstance(cell, dict):
            continue
        cell_type = cell.get("cell_type")
        kind = cell_type if isinstance(cell_type, str) else "unknown"
        outputs = cell.get("outputs") if kind == "code" else None
        parsed = [output_of(i, o) for i, o in enumerate(outputs or []) if isinstance(o, dict)]
        yield Cell(index, kind, text_of(cell.get("source")), parsed)


def output_size(output: dict[str, Any]) -> int:
    """Bytes an output takes in the file (as JSON, roughly as Jupyter writes it)."""
    return len(json.dumps(output, ensure_ascii=False).encode("utf-8"))


def output_of(index: int, output: dict[str, Any]) -> Output:
    """One nbformat output dict as an Output."""
    output_type = output.get("output_type")
    kind = output_type if isinstance(output_type, str) else "unknown"
    size = output_size(output)
    found = payloads(output)
    if kind == "stream":
        return Output(index, kind, f"stream/{output.get('name', 'stdout')}",
                      text_of(output.get("text")), size, payloads=found)
    if kind == "error":
        lines = output.get("traceback")
        trace = "\n".join(ANSI.sub("", t) for t in lines if isinstance(t, str)) \
            if isinstance(lines, list) else ""
        text = trace or f"{text_of(output.get('ename'))}: {text_of(output.get('evalue'))}"
        return Output(index, kind, "error", text, size, payloads=found)
    raw_data = output.get("data")
    data: dict[str, Any] = raw_data if isinstance(raw_data, dict) else {}
    mime = richest_mime(data)
    tables: list[list[list[str]]] = []
    if "text/html" in data:
        html = html_content(text_of(data["text/html"]))
        tables = html.tables  # a DataFrame: the html holds every cell, text/plain a summary
        plain = text_of(data.get("text/plain"))
        text = html.text
        if not tables and plain.strip() and not _is_repr(plain):
            text = f"{text}\n{plain}" if text else plain
    else:
        text = "\n".join(text_of(data[m]) for m in TEXT_MIMES if m in data)
    for name, value in data.items():
        tables.extend(data_tables(name, value))
    return Output(index, kind, mime, text, size, tables, found)


BINARY_MIME = re.compile(r"^(?:image/(?!svg)|application/pdf$|audio/|video/)")


def payloads(output: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """Every text an output stores, as (MIME type or field, text): what a scan for
    secrets must read, whatever the type (vendor JSON, widget state, HTML as written)."""
    stream = output.get("name") if output.get("output_type") == "stream" else None
    found = [(f"stream/{stream}" if key == "text" and isinstance(stream, str) else key,
              text_of(output.get(key))) for key in ("text", "ename", "evalue") if output.get(key)]
    trace = output.get("traceback")
    if isinstance(trace, list):
        found.append(("traceback", "\n".join(ANSI.sub("", t) for t in trace
                                             if isinstance(t, str))))
    data = output.get("data")
    if isinstance(data, dict):
        found += [(mime, text_of(value)) for mime, value in data.items()
                  if isinstance(mime, str) and not BINARY_MIME.match(mime)]
    return tuple((key, text) for key, text in found if text)


def _is_repr(plain: str) -> bool:
    """`<IPython.core.display.HTML object>`, `alt.Chart(...)`: a placeholder, not content."""
    stripped = plain.strip()
    return stripped.startswith("<") and stripped.endswith(">") and "\n" not in stripped


MAX_RECORDS = 100_000  # records of one output or widget turned into rows


def records_table(records: Any) -> list[list[str]] | None:
    """A list of JSON objects (records) as rows, the first row the union of their keys;
    None when `records` is not a list of at least one object of scalar values."""
    if not isinstance(records, list) or not records:
        return None
    rows = [r for r in records[:MAX_RECORDS] if isinstance(r, dict)]
    if len(rows) * 2 < min(len(records), MAX_RECORDS):
        return None
    columns: dict[str, None] = {}
    for row in rows:
        columns.update((str(k), None) for k in row)
    names = list(columns)
    return [names] + [[_scalar(row.get(n)) for n in names] for row in rows]


def _scalar(value: Any) -> str:
    if value is None or isinstance(value, (dict, list)):
        return ""
    return str(value)


def data_tables(mime: str, value: Any) -> list[list[list[str]]]:
    """Tables of records in one rich output: pandas' table schema, Vega/Vega-Lite data."""
    if isinstance(value, str) and "json" in mime:
        try:
            value = json.loads(value)
        except (ValueError, RecursionError):
            return []
    if not isinstance(value, dict):
        return []
    found: list[Any] = []
    if mime == "application/vnd.dataresource+json":
        found.append(value.get("data"))
    elif mime.startswith(("application/vnd.vegalite.", "application/vnd.vega.")):
        found.extend(_chart_data(value, 0))
    tables = [records_table(r) for r in found]
    return [t for t in tables if t]


def _chart_data(spec: Any, depth: int) -> list[Any]:
    """Inline records of a Vega/Vega-Lite spec: `data.values`, `datasets`, Vega's `data[]`,
    and those of layered, concatenated or faceted sub-charts."""
    if depth > 8 or not isinstance(spec, dict):
        return []
    found: list[Any] = []
    data = spec.get("data")
    for item in data if isinstance(data, list) else [data]:
        if isinstance(item, dict):
            found.append(item.get("values"))
    datasets = spec.get("datasets")
    if isinstance(datasets, dict):
        found.extend(datasets.values())
    for key in ("layer", "hconcat", "vconcat", "concat", "spec"):
        children = spec.get(key)
        for child in children if isinstance(children, list) else [children]:
            found.extend(_chart_data(child, depth + 1))
    return found


PIPE_ROW = re.compile(r"^\s*\|?(.+\|.+?)\|?\s*$")
PIPE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


def markdown_tables(source: str) -> list[list[list[str]]]:
    """Tables pasted into a markdown cell: pipe tables (a header row, a `---|---` rule, rows)
    and HTML tables."""
    tables: list[list[list[str]]] = []
    lines = source.splitlines()
    i = 0
    while i + 1 < len(lines):
        if PIPE_ROW.match(lines[i]) and PIPE_RULE.match(lines[i + 1]):
            table = [_pipe_cells(lines[i])]
            i += 2
            while i < len(lines) and PIPE_ROW.match(lines[i]):
                table.append(_pipe_cells(lines[i]))
                i += 1
            tables.append(table)
        else:
            i += 1
    if "<table" in source.lower():
        tables.extend(html_content(source).tables)
    return tables


def _pipe_cells(line: str) -> list[str]:
    cells = re.split(r"(?<!\\)\|", line.strip())
    if cells and not cells[0].strip():
        cells = cells[1:]
    if cells and not cells[-1].strip():
        cells = cells[:-1]
    return [c.strip() for c in cells]


def widget_tables(nb: dict[str, Any]) -> list[list[list[str]]]:
    """Records saved by data-grid widgets in the notebook's metadata (widget state): any list
    of records in a widget's state, or a JSON string of records (qgrid's `_df_json`)."""
    metadata = nb.get("metadata")
    widgets = metadata.get("widgets") if isinstance(metadata, dict) else None
    if not isinstance(widgets, dict):
        return []
    tables: list[list[list[str]]] = []
    budget = [10_000]  # JSON nodes visited
    _widget_walk(widgets, tables, 0, budget)
    return tables


def _widget_walk(value: Any, tables: list[list[list[str]]], depth: int, budget: list[int]) -> None:
    budget[0] -= 1
    if depth > 12 or budget[0] < 0:
        return
    if isinstance(value, str) and value[:1] in "[{" and len(value) > 2:
        try:
            value = json.loads(value)
        except (ValueError, RecursionError):
            return
        if isinstance(value, dict) and "data" in value:  # pandas orient="table" or "split"
            value = value["data"]
    if isinstance(value, list):
        table = records_table(value)
        if table is not None:
            tables.append(table)
            return
        for item in value[:100]:
            _widget_walk(item, tables, depth + 1, budget)
    elif isinstance(value, dict):
        if "data" in value and "schema" in value:  # a table: its field list is not records
            value = {"data": value["data"]}
        for item in value.values():
            _widget_walk(item, tables, depth + 1, budget)


MIME_ORDER = ("image/png", "image/jpeg", "image/svg+xml", "image/gif", "application/pdf",
              "application/vnd.jupyter.widget-view+json", "application/javascript",
              "text/html", "application/json", "text/markdown", "text/latex", "text/plain")


def richest_mime(data: dict[str, Any]) -> str:
    """The MIME type that names what an output mostly is (images before html before text)."""
    for mime in MIME_ORDER:
        if mime in data:
            return mime
    return next(iter(data), "none")


@dataclass
class HtmlContent:
    text: str
    tables: list[list[list[str]]]


class _HtmlText(HTMLParser):
    """Text and tables from an HTML fragment: one table row per line, cells tab-separated."""

    BLOCK = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "table"}
    SKIP = {"script", "style"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.tables: list[list[list[str]]] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self._skip += 1
        elif tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag in ("td", "th") and self._cell is not None:
            if self._row is not None:
                self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if self.tables:
                self.tables[-1].append(self._row)
            self.parts.append("\t".join(self._row) + "\n")
            self._row = None
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._cell is not None:
            self._cell.append(data)
        elif self._row is None:
            self.parts.append(data)


def html_content(html: str) -> HtmlContent:
    """Readable text and the tables of an HTML output (a pandas DataFrame, say)."""
    parser = _HtmlText()
    try:
        parser.feed(html)
        parser.close()
    except (AssertionError, ValueError):  # html.parser gives up on some broken markup
        pass
    text = re.sub(r"\n\s*\n+", "\n", "".join(parser.parts)).strip()
    return HtmlContent(text, [t for t in parser.tables if t])


# Cell metadata that records a run, not the notebook (what nbstripout drops too).
RUN_METADATA = ("collapsed", "scrolled", "execution", "ExecuteTime", "heading_collapsed",
                "hidden")


def keeps_output(cell: dict[str, Any], default: bool = False) -> bool:
    """Whether a cell asks to keep its outputs, as nbstripout reads it: `init_cell`, the
    `keep_output` metadata or the `keep_output` tag. A cell whose metadata and tags disagree
    is an InspectionError (nbstripout refuses it too)."""
    metadata = cell.get("metadata")
    if not isinstance(metadata, dict):
        return default
    if "init_cell" in metadata:
        return bool(metadata["init_cell"])
    tags = metadata.get("tags")
    tagged = isinstance(tags, list) and "keep_output" in tags
    if "keep_output" in metadata:
        if tagged and not metadata["keep_output"]:
            raise InspectionError("a cell's metadata says keep_output false but its tags say "
                                  "keep_output: make them agree")
        return bool(metadata["keep_output"]) or tagged
    return tagged or default


def strip_outputs(nb: dict[str, Any], max_bytes: int = 0) -> bool:
    """Remove outputs, execution counts and run metadata in place, like nbstripout: cells that
    ask to keep their outputs (`keep_output`, see `keeps_output`) keep them, and with
    `max_bytes` outputs up to that size stay.

    Returns True when something changed. The result stays valid nbformat 4 (code cells keep
    `outputs: []` and `execution_count: null`)."""
    before = json.dumps(nb, sort_keys=True)
    metadata = nb.get("metadata")
    default = isinstance(metadata, dict) and bool(metadata.get("keep_output", False))
    for cell in nb.get("cells", []):
        if not isinstance(cell, dict):
            continue
        outputs = cell.get("outputs")
        if isinstance(outputs, list):
            if not keeps_output(cell, default):
                outputs = [o for o in outputs if max_bytes and output_size(o) <= max_bytes]
            for output in outputs:
                if isinstance(output, dict) and "execution_count" in output:
                    output["execution_count"] = None
            cell["outputs"] = outputs
        if cell.get("cell_type") == "code":
            cell["execution_count"] = None
        cell_metadata = cell.get("metadata")
        if isinstance(cell_metadata, dict):
            for key in RUN_METADATA:
                cell_metadata.pop(key, None)
    if isinstance(metadata, dict):
        for key in ("signature", "widgets"):
            metadata.pop(key, None)
    return json.dumps(nb, sort_keys=True) != before


def dumps(nb: dict[str, Any]) -> str:
    """A notebook as Jupyter and nbformat write it (indent 1, sorted keys, final newline)."""
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False,
                      separators=(",", ": ")) + "\n"
