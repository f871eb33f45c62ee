"""gitworthy.notebooks: reading real nbformat notebooks defensively, outputs as text."""
from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from gitworthy import notebooks
from gitworthy.findings import InspectionError
from gitworthy.sources import DiskFile
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

DATAFRAME_HTML = (
    '<div><style scoped>.dataframe tbody tr th {vertical-align: top;}</style>'
    '<table border="1" class="dataframe"><thead><tr style="text-align: right;">'
    "<th></th><th>name</th><th>plan</th></tr></thead><tbody>"
    "<tr><th>0</th><td>Ada Byron</td><td>gold</td></tr>"
    "<tr><th>1</th><td>Alan Turing</td><td>silver</td></tr></tbody></table></div>"
)


def write(tmp_path: Path, nb: object, name: str = "nb.ipynb") -> DiskFile:
    path = tmp_path / name
    if isinstance(nb, (bytes, str)):
        path.write_bytes(nb if isinstance(nb, bytes) else nb.encode())
    else:
        nbformat.write(nb, str(path))
    return DiskFile(name, path)


def sample() -> nbformat.NotebookNode:
    return new_notebook(cells=[
        new_markdown_cell("# Title"),
        new_code_cell("df", execution_count=1, outputs=[
            new_output("execute_result", execution_count=1,
                       data={"text/html": DATAFRAME_HTML, "text/plain": "  name plan"}),
        ]),
        new_code_cell("print('hi')", execution_count=2, outputs=[
            new_output("stream", name="stderr", text=["warn", "ing\n"]),
            new_output("error", ename="ValueError", evalue="bad",
                       traceback=["\x1b[0;31mValueError\x1b[0m: bad value"]),
            new_output("display_data", data={"image/png": "iVBORw0KGgo=",
                                             "text/plain": "<Figure>"}),
        ]),
    ])


def test_cells_unpack_as_index_kind_source_outputs(tmp_path: Path) -> None:
    cells = list(notebooks.iter_cells(write(tmp_path, sample())))
    index, kind, source, outputs = cells[0]
    assert (index, kind, source, outputs) == (0, "markdown", "# Title", [])
    assert [(c.index, c.kind) for c in cells] == [(0, "markdown"), (1, "code"), (2, "code")]


def test_dataframe_html_becomes_table_rows_and_text(tmp_path: Path) -> None:
    out = list(notebooks.iter_cells(write(tmp_path, sample())))[1].outputs[0]
    assert out.kind == "execute_result" and out.mime == "text/html"
    assert out.tables == [[["", "name", "plan"], ["0", "Ada Byron", "gold"],
                           ["1", "Alan Turing", "silver"]]]
    assert "Ada Byron\tgold" in out.text and "vertical-align" not in out.text


def test_stream_list_text_is_joined_and_named(tmp_path: Path) -> None:
    out = list(notebooks.iter_cells(write(tmp_path, sample())))[2].outputs[0]
    assert (out.index, out.mime, out.text) == (0, "stream/stderr", "warning\n")


def test_traceback_loses_colour_codes(tmp_path: Path) -> None:
    out = list(notebooks.iter_cells(write(tmp_path, sample())))[2].outputs[1]
    assert out.kind == "error" and out.text == "ValueError: bad value"


def test_image_output_has_size_but_only_its_text_alternative(tmp_path: Path) -> None:
    out = list(notebooks.iter_cells(write(tmp_path, sample())))[2].outputs[2]
    assert out.mime == "image/png" and out.text == "<Figure>" and out.size > 20


def test_not_json_is_one_readable_error(tmp_path: Path) -> None:
    with pytest.raises(InspectionError, match=r"not JSON \(.* at line 1, column 2\)"):
        notebooks.load(write(tmp_path, "{oops"))


def test_nbformat_3_is_refused_with_the_upgrade_command(tmp_path: Path) -> None:
    old = json.dumps({"nbformat": 3, "nbformat_minor": 0, "worksheets": [], "metadata": {}})
    with pytest.raises(InspectionError, match="nbformat 3.*nbconvert --to notebook"):
        notebooks.load(write(tmp_path, old))


def test_json_that_is_not_a_notebook_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InspectionError, match="nbformat missing"):
        notebooks.load(write(tmp_path, '{"a": 1}'))


def test_non_utf8_notebook_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InspectionError, match="not UTF-8"):
        notebooks.load(write(tmp_path, b'{"cells": "\xff"}'))


def test_huge_notebook_is_refused_before_reading(tmp_path: Path) -> None:
    file = write(tmp_path, '{"nbformat": 4, "cells": [' + " " * 2000 + "]}")
    with pytest.raises(InspectionError, match="too large to parse safely"):
        notebooks.load(file, max_bytes=1000)


def test_strip_outputs_leaves_a_valid_notebook(tmp_path: Path) -> None:
    nb = json.loads(json.dumps(sample()))
    nb["cells"][1]["metadata"]["ExecuteTime"] = {"start_time": "x"}
    assert notebooks.strip_outputs(nb) is True
    stripped = nbformat.reads(notebooks.dumps(nb), as_version=4)
    nbformat.validate(stripped)
    code = [c for c in stripped.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None and not c.metadata for c in code)


def test_strip_outputs_of_a_clean_notebook_changes_nothing(tmp_path: Path) -> None:
    nb = json.loads(json.dumps(sample()))
    notebooks.strip_outputs(nb)
    assert notebooks.strip_outputs(nb) is False


def test_dumps_matches_nbformat_writer(tmp_path: Path) -> None:
    nb = sample()
    assert notebooks.dumps(json.loads(nbformat.writes(nb))) == nbformat.writes(nb) + "\n"
