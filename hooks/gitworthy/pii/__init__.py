"""Personal data in data files and notebook outputs, for check-pii.

    kind = file_kind(file)                     # "csv", "json", ..., or None (not data)
    for located in scan(file, kind, options):  # Located(hit, where): where = "cell 3, output 0"
        ...

Modules: `entities` (names, column-name evidence, cheap value tests), `mask` (masked
examples), `readers` (bounded samples of each format), `judge` (columns and text),
`analyzer` (the presidio engine; imported only when some value needs it).
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

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

KINDS: dict[str, str] = {
    ".csv": "csv", ".tsv": "csv", ".psv": "csv", ".json": "json", ".jsonl": "jsonl",
    ".ndjson": "jsonl", ".txt": "text", ".log": "text", ".parquet": "parquet", ".pq": "parquet",
    ".xlsx": "excel", ".xlsm": "excel", ".xls": "excel", ".ipynb": "notebook",
}
# Text files that are documentation or tooling, not data.
NOT_DATA = re.compile(r"(?i)^(requirements.*|constraints.*|license.*|licence.*|copying.*|"
                      r"notice.*|authors.*|changelog.*|changes.*|history.*|readme.*|"
                      r"contributing.*|contributors.*|maintainers.*|codeowners|robots|"
                      r"cmakelists|dependencies|"
                      r"package(-lock)?|tsconfig|composer|\.?eslintrc|\.?prettierrc|"
                      r"pyrightconfig|manifest)\.(txt|json)$")

NOT_DATA_DIRS = frozenset({"docs", "doc", ".github", ".vscode", ".devcontainer", ".idea",
                           "node_modules", "site-packages", ".venv", "venv"})


@dataclass
class Located:
    hit: Hit
    where: str = ""  # "sheet 'members'", "cell 3, output 1 (stream)", "cell 4 source"
    also: list[str] = field(default_factory=list)  # more places with the same column/entity


def file_kind(file: File) -> str | None:
    """The format check-pii reads this file as, or None when it is not data."""
    kind = KINDS.get(file.suffix)
    if kind is None or file.is_symlink or NOT_DATA.match(file.name):
        return None
    folders = file.path.lower().split("/")[:-1]
    if kind in ("text", "json") and NOT_DATA_DIRS.intersection(folders):
        return None  # documentation and tool settings, not data
    return kind


def budget_of(options: dict[str, Any]) -> Budget:
    return Budget(rows=max(1, options["sample-rows"]), bytes=max(4096,
                  options["max-sample-kb"] * 1024), exhaustive=options["exhaustive"])


def scan(file: File, kind: str, options: dict[str, Any]) -> Iterator[Located]:
    """Every entity check-pii reports for one file."""
    yield from _scan(file, kind, options)


def _scan(file: File, kind: str, options: dict[str, Any]) -> Iterator[Located]:
    from gitworthy import filetypes

    if filetypes.is_lfs_pointer(file.head(1024)) or file.size == 0:
        return
    settings = Settings.from_options(options)
    budget = budget_of(options)
    if budget.exhaustive:  # every value of every row goes to the analyzer
        settings = replace(settings, sample_values=1 << 62)
    if kind == "notebook":
        yield from merge_places(_notebook(file, options, settings))
        return
    from gitworthy.pii import readers

    reader = {"csv": readers.read_csv, "json": readers.read_json, "jsonl": readers.read_jsonl,
              "text": readers.read_text, "parquet": readers.read_parquet,
              "excel": readers.read_excel}[kind]
    yield from judge_parts(reader(file, budget), settings)


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
    from gitworthy.notebooks import iter_cells, load

    try:
        nb = load(file)
    except InspectionError as exc:
        raise InspectionError(f"notebook not inspected for personal data: {exc}") from None
    for cell in iter_cells(nb):
        if options["notebook-sources"] and cell.source.strip():
            lines = list(enumerate(cell.source.splitlines(), 1))
            for located in judge_parts(iter([Text(lines)]), settings):
                yield Located(located.hit, f"cell {cell.index} source")
        for out in cell.outputs:
            where = f"cell {cell.index}, output {out.index} ({out.kind})"
            parts: list[Table | Text] = []
            for table in out.tables:
                header, *rows = table
                parts.append(Table(header, rows, where))
            if not out.tables and out.text.strip():
                lines = list(enumerate(out.text.splitlines(), 1))
                parts.append(Text(lines[: max(1, options["sample-rows"])], where))
            for located in judge_parts(iter(parts), settings):
                yield Located(located.hit, where)
