"""Personal data in data files and notebook outputs, for check-pii.

    kind = file_kind(file)                     # "csv", "json", ..., or None (not data)
    for located in scan(file, kind, options):  # Located(hit, where): where = "cell 3, output 0"
        ...

A file is data by its name (`.csv`, `.parquet`, `.csv.gz`, ...) or, when the name says
nothing or says text (`.txt`, `.dat`, no extension), by its content (CSV rows, JSON records,
gzip or SQLite magic bytes). Content that contradicts a data name (binary bytes in a `.csv`)
is an error that says so: the file was not inspected.

Modules: `entities` (names, column-name evidence, cheap value tests), `mask` (masked
examples), `readers` (bounded samples of text formats, Parquet, Excel), `containers`
(compressed files, archives, SQLite, Arrow, NumPy), `judge` (columns and text), `analyzer`
(the presidio engine; imported only when some value needs it).
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from gitworthy.filetypes import READ_BY_CONTENT as BY_CONTENT_ONLY
from gitworthy.filetypes import READER_KINDS as KINDS
from gitworthy.findings import InspectionError
from gitworthy.pii.judge import (
    Hit,
    Settings,
    Tally,
    decide_column,
    judge_headers,
    judge_text,
    tally_column,
)
from gitworthy.pii.readers import Budget, Table, Text
from gitworthy.sources import File

# What magic bytes say a file is, whatever its name (`filetypes.sniff_format` names).
BY_CONTENT: dict[str, str] = {
    "Parquet": "parquet", "Arrow/Feather": "arrow", "Feather v1": "arrow",
    "SQLite database": "sqlite", "NumPy array": "numpy", "gzip archive": "compressed",
    "bzip2 archive": "compressed", "xz archive": "compressed", "zstd archive": "compressed",
    "zip archive": "zip", "tar archive": "tar",
}
ZIP_BASED = frozenset({"excel", "numpy"})  # zip archives (or OLE files) by design
# Extensionless files that are tooling, never data.
NOT_DATA_BARE = re.compile(r"(?i)^(makefile|dockerfile|containerfile|jenkinsfile|procfile|"
                           r"vagrantfile|gemfile|rakefile|license|licence|copying|notice|"
                           r"authors|readme|changelog|codeowners|owners|\..*)$")
RECORDS = re.compile(rb"\A(\xef\xbb\xbf)?\s*\[\s*\{")
# Text files that are documentation or tooling, not data.
NOT_DATA = re.compile(r"(?i)^(requirements.*|constraints.*|license.*|licence.*|copying.*|"
                      r"notice.*|authors.*|changelog.*|changes.*|history.*|readme.*|"
                      r"contributing.*|contributors.*|maintainers.*|codeowners|robots|"
                      r"cmakelists|dependencies|"
                      r"package(-lock)?|tsconfig|composer|\.?eslintrc|\.?prettierrc|"
                      r"pyrightconfig|manifest)\.(txt|json|xml|html?)$")

NOT_DATA_DIRS = frozenset({"docs", "doc", ".github", ".vscode", ".devcontainer", ".idea",
                           "node_modules", "site-packages", ".venv", "venv", "_build", "_site",
                           "htmlcov"})


@dataclass
class Located:
    hit: Hit
    where: str = ""  # "sheet 'members'", "cell 3, output 1 (stream)", "cell 4 source"
    also: list[str] = field(default_factory=list)  # more places with the same column/entity


def file_kind(file: File, by_name: bool = False) -> str | None:
    """The format check-pii reads this file as, or None when it is not data.

    The name decides first; text names and extensionless files are then judged by content
    (`by_name=True` skips reading: an archive member before it is unpacked). Raises
    `readers.NotText` when binary content of no readable format sits under a text data name.
    """
    if file.is_symlink:
        return None
    kind = KINDS.get(file.suffix)
    folders = file.path.lower().split("/")[:-1]
    excluded = NOT_DATA.match(file.name) is not None or (
        kind in ("text", "json", "html", "xml") and bool(NOT_DATA_DIRS.intersection(folders)))
    if by_name:
        return None if excluded or (kind is None and file.suffix) else kind or "text"
    if kind is None and (file.suffix not in BY_CONTENT_ONLY or NOT_DATA_BARE.match(file.name)):
        return None
    if kind == "notebook" or (kind in ZIP_BASED and excluded):
        return None if excluded else kind
    head = file.head()
    if kind in ZIP_BASED:  # a CSV saved under an Excel name is still read
        from gitworthy.pii.readers import looks_like_csv

        return "csv" if kind == "excel" and looks_like_csv(head) else kind
    if excluded:  # JSON records are data whatever the name or folder (history.json, docs/)
        return "json" if kind == "json" and RECORDS.match(head) else None
    from gitworthy.filetypes import sniff_format

    sniffed = sniff_format(head)
    if sniffed is not None and sniffed[0] in BY_CONTENT:
        return BY_CONTENT[sniffed[0]]
    if kind not in (None, "text") or not head or file.suffix == ".db":
        return kind
    from gitworthy.pii.readers import NotText, looks_like_csv, not_text_message

    if b"\0" in head[:8000]:
        if kind is None or file.suffix == ".dat":
            return None  # a binary file of no data format, unnamed or `.dat`: not data
        raise NotText(not_text_message(head))
    if looks_like_csv(head):
        return "csv"
    if RECORDS.match(head):
        return "json"
    return kind


def read(file: File, kind: str, budget: Budget, depth: int = 0) -> Iterator[Table | Text]:
    """The parts (tables, text) of one file of a given kind, bounded by the budget."""
    from gitworthy.pii import containers, readers

    if kind in ("compressed", "zip", "tar", "sqlite", "arrow", "numpy"):
        container = {"compressed": containers.read_compressed, "zip": containers.read_zip,
                     "tar": containers.read_tar, "sqlite": containers.read_sqlite,
                     "arrow": containers.read_arrow, "numpy": containers.read_numpy}[kind]
        yield from container(file, budget, depth)
        return
    if kind == "notebook":  # a notebook in an archive: its places, judged as one file
        for _, parts in notebook_parts(file, budget):
            yield from parts
        return
    reader = {"csv": readers.read_csv, "json": readers.read_json, "jsonl": readers.read_jsonl,
              "text": readers.read_text, "parquet": readers.read_parquet,
              "excel": readers.read_excel, "html": readers.read_html,
              "xml": readers.read_xml}[kind]
    yield from reader(file, budget)


def budget_of(options: dict[str, Any]) -> Budget:
    return Budget(rows=max(1, options["sample-rows"]), bytes=max(4096,
                  options["max-sample-kb"] * 1024), exhaustive=options["exhaustive"])


def scan(file: File, kind: str, options: dict[str, Any]) -> Iterator[Located]:
    """Every entity check-pii reports for one file."""
    yield from _scan(file, kind, options)


def _scan(file: File, kind: str, options: dict[str, Any]) -> Iterator[Located]:
    from gitworthy import filetypes

    if file.size == 0 or (file.size < 1024 and filetypes.is_lfs_pointer(file.head(1024))):
        return
    settings = Settings.from_options(options)
    budget = budget_of(options)
    if budget.exhaustive:  # every value of every row goes to the analyzer
        settings = replace(settings, sample_values=1 << 62)
    if kind == "notebook":
        yield from merge_places(_notebook(file, options, settings))
        return
    yield from judge_parts(read(file, kind, budget), settings)


def judge_parts(parts: Iterator[Table | Text], settings: Settings) -> Iterator[Located]:
    """Tallies columns across batches of the same table, judges text as it comes."""
    tallies: dict[tuple[str, str], Tally] = {}
    headers: dict[str, list[str]] = {}
    text_hits: dict[str, Located] = {}
    for part in parts:
        if isinstance(part, Text):
            for hit in judge_text(part.lines, settings):
                known = text_hits.get(hit.entity)
                if known is None:
                    text_hits[hit.entity] = Located(hit, part.where)
                else:
                    known.hit.count += hit.count
                    known.hit.sampled += hit.sampled
            continue
        headers.setdefault(part.where, part.columns)
        for index, name in enumerate(part.columns):
            tally = tallies.setdefault((part.where, name), Tally())
            tally_column(name, part.values(index), settings, tally)
    for (where, name), tally in tallies.items():
        for hit in decide_column(name, tally, settings):
            yield Located(hit, where)
    for where, columns in headers.items():  # people or addresses used as column names
        for hit in judge_headers(columns, settings):
            yield Located(hit, where)
    yield from text_hits.values()


def merge_places(found: Iterator[Located]) -> Iterator[Located]:
    """One Located per (column, entity): a notebook shows the same table in many outputs."""
    merged: dict[tuple[str | None, str], Located] = {}
    for located in found:
        key = (located.hit.column, located.hit.entity)
        first = merged.get(key)
        if first is None:
            merged[key] = located
        else:
            first.hit.count += located.hit.count
            first.hit.sampled += located.hit.sampled
            first.also.append(located.where)
    yield from merged.values()


def _notebook(file: File, options: dict[str, Any], settings: Settings) -> Iterator[Located]:
    """Each place of a notebook judged on its own (an output, a markdown table, ...)."""
    for where, parts in notebook_parts(file, budget_of(options), options["notebook-sources"]):
        for located in judge_parts(iter(parts), settings):
            yield Located(located.hit, where)


def notebook_parts(file: File, budget: Budget, sources: bool = False) -> Iterator[
        tuple[str, list[Table | Text]]]:
    """(place, parts) of a notebook: every output of every code cell (text spread over head,
    tail and between; tables and records), tables pasted into markdown cells, records saved
    by data-grid widgets, and with `sources` the code of every cell."""
    from gitworthy.notebooks import iter_cells, load, markdown_tables, widget_tables
    from gitworthy.pii.readers import TEXT_LINES, Spread

    try:
        nb = load(file)
    except InspectionError as exc:
        raise InspectionError(f"notebook not inspected for personal data: {exc}") from None
    limit = budget.rows * TEXT_LINES

    def spread(text: str, where: str) -> Text:
        sample = Spread(limit)
        for item in enumerate(text.splitlines(), 1):
            sample.add(item)
        return Text(sample.items(), where)

    def tables(found: list[list[list[str]]], where: str) -> list[Table | Text]:
        return [Table(header, rows, where) for header, *rows in found if header]

    for cell in iter_cells(nb):
        if sources and cell.source.strip():
            where = f"cell {cell.index} source"
            yield where, [spread(cell.source, where)]
        if cell.kind == "markdown":
            where = f"cell {cell.index} (markdown table)"
            yield where, tables(markdown_tables(cell.source), where)
        for out in cell.outputs:
            where = f"cell {cell.index}, output {out.index} ({out.kind})"
            parts = tables(out.tables, where)
            if not out.tables and out.text.strip():
                parts.append(spread(out.text, where))
            yield where, parts
    where = "widget state (notebook metadata)"
    yield where, tables(widget_tables(nb), where)
