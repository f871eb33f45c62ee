"""check-notebook-outputs: large stored outputs, require-empty mode, --fix like nbstripout."""
from __future__ import annotations

import base64
import os
import subprocess
from pathlib import Path

import nbformat
import pytest
from gitworthy.checks import notebook_outputs
from nbformat.v4 import new_code_cell, new_notebook, new_output

from tests.conftest import GIT_ENV, Repo, scan_json

CHECKOUT = Path(__file__).resolve().parent.parent


def png(kb: int) -> str:
    return base64.b64encode(os.urandom(kb * 768)).decode()  # base64: 4 chars per 3 bytes


def notebook(*outputs: list, counts: bool = True) -> str:
    cells = [new_code_cell(f"cell_{i}()", execution_count=(i + 1) if counts else None,
                           outputs=outs) for i, outs in enumerate(outputs)]
    return nbformat.writes(new_notebook(cells=cells))


def image(kb: int) -> dict:
    return new_output("display_data", data={"image/png": png(kb), "text/plain": "<Figure>"})


def stream(text: str) -> dict:
    return new_output("stream", name="stdout", text=text)


def findings(result: dict) -> list[tuple[str, str]]:
    return [(f["rule"], f["message"]) for f in result["findings"]]


def test_small_outputs_pass(repo: Repo, capsys) -> None:
    repo.write("eda.ipynb", notebook([stream("ok\n")], [image(5)]))
    code, result = scan_json("eda.ipynb", "--check", "check-notebook-outputs", capsys=capsys)
    assert code == 0 and result["findings"] == []


def test_one_large_image_names_cell_output_and_kind(repo: Repo, capsys) -> None:
    repo.write("eda.ipynb", notebook([stream("ok\n")], [stream("x\n"), image(150)]))
    code, result = scan_json("eda.ipynb", "--check", "check-notebook-outputs", capsys=capsys)
    assert code == 1
    [(rule, message)] = findings(result)
    assert rule == "notebook-output-too-large"
    assert message.startswith("cell 1, output 1: embedded PNG image of 1")
    assert "limit 100 KB per output" in message


def test_many_outputs_over_total_limit_name_the_largest(repo: Repo, capsys) -> None:
    repo.write("eda.ipynb", notebook(*[[image(90)] for _ in range(7)]))
    _, result = scan_json("eda.ipynb", "--check", "check-notebook-outputs", capsys=capsys)
    [(rule, message)] = findings(result)
    assert rule == "notebook-outputs-too-large"
    assert "in 7 output(s) (limit 500 KB); largest: cell" in message


def test_long_stream_is_named_as_a_stream(repo: Repo, capsys) -> None:
    repo.write("train.ipynb", notebook([stream("epoch 1 loss 0.5\n" * 8000)]))
    _, result = scan_json("train.ipynb", "--check", "check-notebook-outputs", capsys=capsys)
    assert "stdout stream of" in findings(result)[0][1]


def test_limits_are_configurable(repo: Repo, capsys) -> None:
    repo.write("eda.ipynb", notebook([image(30)]))
    repo.write(".gitworthy.toml", '[check-notebook-outputs]\n"max-output-kb" = 20\n')
    _, result = scan_json("eda.ipynb", "--check", "check-notebook-outputs", capsys=capsys)
    assert [r for r, _ in findings(result)] == ["notebook-output-too-large"]


def test_require_empty_fails_on_execution_counts_alone(repo: Repo, capsys) -> None:
    repo.write("clean.ipynb", notebook([]))
    repo.write(".gitworthy.toml", '[check-notebook-outputs]\n"require-empty" = true\n')
    _, result = scan_json("clean.ipynb", "--check", "check-notebook-outputs", capsys=capsys)
    [(rule, message)] = findings(result)
    assert rule == "notebook-outputs-present" and "0 output(s) and 1 execution count" in message


def test_require_empty_passes_a_stripped_notebook(repo: Repo, capsys) -> None:
    repo.write("clean.ipynb", notebook([], counts=False))
    code, _ = scan_json("clean.ipynb", "--check", "check-notebook-outputs", capsys=capsys)
    assert code == 0


@pytest.mark.parametrize("content, expected", [
    ("{not json", "not a valid notebook: not JSON"),
    ('{"nbformat": 3, "worksheets": []}', "unsupported notebook format (nbformat 3"),
    ('{"nbformat": 4, "cells": ' + '"x' * 1 + '"}', "not a valid notebook: no list of cells"),
    ("\x00\x01binary", "not a valid notebook: not JSON"),
])
def test_malformed_notebook_is_one_error_line(repo: Repo, capsys, content: str,
                                              expected: str) -> None:
    repo.write("bad.ipynb", content)
    code, result = scan_json("bad.ipynb", "--check", "check-notebook-outputs", capsys=capsys)
    assert code == 1 and result["findings"] == []
    [error] = result["errors"]
    assert expected in error["message"] and "\n" not in error["message"]


def test_huge_single_line_notebook_is_parsed_within_limit(repo: Repo, capsys) -> None:
    big = notebook([image(700)]).replace("\n", "")
    repo.write("one-line.ipynb", big)
    _, result = scan_json("one-line.ipynb", "--check", "check-notebook-outputs", capsys=capsys)
    [(rule, message)] = findings(result)  # one finding per notebook
    assert rule == "notebook-outputs-too-large"
    assert "largest: cell 0, output 0: embedded PNG image of" in message


def test_fix_strips_and_exits_1_then_0(repo: Repo, capsys) -> None:
    path = repo.write("eda.ipynb", notebook([stream("hi\n")], [image(200)]))
    assert notebook_outputs.main(["--fix", "eda.ipynb"]) == 1
    nb = nbformat.read(str(path), as_version=4)
    nbformat.validate(nb)
    assert all(c.outputs == [] and c.execution_count is None for c in nb.cells)
    assert "stripped notebook outputs" in capsys.readouterr().out
    assert notebook_outputs.main(["--fix", "eda.ipynb"]) == 0


def test_fix_leaves_a_clean_notebook_byte_for_byte(repo: Repo) -> None:
    path = repo.write("clean.ipynb", notebook([], counts=False))
    before = path.read_bytes()
    assert notebook_outputs.main(["--fix", "--max-kb", "10", "clean.ipynb"]) == 0
    assert path.read_bytes() == before


def test_fix_on_a_malformed_notebook_reports_it(repo: Repo, capsys) -> None:
    repo.write("bad.ipynb", "{nope")
    assert notebook_outputs.main(["--fix", "bad.ipynb"]) == 1
    assert "not a valid notebook: not JSON" in capsys.readouterr().out


def test_staged_content_is_judged_not_the_work_tree(repo: Repo, capsys) -> None:
    repo.write("eda.ipynb", notebook([image(150)]))
    repo.add()
    repo.write("eda.ipynb", notebook([], counts=False))
    code, result = scan_json("--staged", "--check", "check-notebook-outputs", capsys=capsys)
    assert code == 1 and findings(result)[0][0] == "notebook-output-too-large"


def test_pre_commit_runs_the_fixer_and_blocks_the_commit(repo: Repo, tmp_path: Path) -> None:
    rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=CHECKOUT, capture_output=True,
                         text=True, check=True).stdout.strip()
    repo.write(".pre-commit-config.yaml", f"repos:\n- repo: {CHECKOUT}\n  rev: {rev}\n  hooks:\n"
                                          "  - id: check-notebook-outputs\n    args: [--fix]\n")
    path = repo.write("eda.ipynb", notebook([image(150)]))
    repo.add()
    env = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(tmp_path / "pc-home")}
    pre_commit = str(Path(os.sys.executable).with_name("pre-commit"))
    proc = subprocess.run([pre_commit, "run", "--files", "eda.ipynb"], cwd=repo.root,
                          capture_output=True, text=True, env=env)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "stripped notebook outputs" in proc.stdout
    assert nbformat.read(str(path), as_version=4).cells[0].outputs == []


def test_every_large_output_is_listed_in_one_finding(repo: Repo, capsys) -> None:
    repo.write("eda.ipynb", notebook(*[[image(110)] for _ in range(17)]))
    _, result = scan_json("eda.ipynb", "--check", "check-notebook-outputs", capsys=capsys)
    [finding] = result["findings"]
    assert finding["rule"] == "notebook-outputs-too-large"
    assert len(finding["details"]["parts"]) == 17
    assert finding["details"]["parts"][0]["where"].startswith("cell ")


def test_markdown_attachments_and_widget_state_count_toward_the_size(repo: Repo,
                                                                     capsys) -> None:
    nb = new_notebook(cells=[nbformat.v4.new_markdown_cell(
        "![roc.png](attachment:roc.png)",
        attachments={"roc.png": {"image/png": png(400)}}), new_code_cell("x = 1")])
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {
        "state": {"a1": {"model_name": "FloatProgressModel", "state": {"value": png(200)}}},
        "version_major": 2, "version_minor": 0}}
    repo.write("report.ipynb", nbformat.writes(nb))
    _, result = scan_json("report.ipynb", "--check", "check-notebook-outputs", capsys=capsys)
    [finding] = result["findings"]
    assert finding["rule"] == "notebook-outputs-too-large"
    assert "cell 0: attachment roc.png of" in finding["message"]
    assert "notebook metadata: widget state of" in finding["message"]
    assert "save pasted images as files" in finding["hint"]


def _keep(cell: dict, how: str) -> dict:
    if how == "metadata":
        cell["metadata"]["keep_output"] = True
    else:
        cell["metadata"]["tags"] = ["keep_output"]
    return cell


@pytest.mark.parametrize("how", ["metadata", "tag"])
def test_keep_output_cells_are_neither_counted_nor_stripped(repo: Repo, capsys,
                                                            how: str) -> None:
    nb = new_notebook(cells=[_keep(new_code_cell("plot()", execution_count=1,
                                                 outputs=[image(300)]), how),
                             new_code_cell("print(1)", execution_count=2,
                                           outputs=[stream("1\n")])])
    path = repo.write("report.ipynb", nbformat.writes(nb))
    code, _ = scan_json("report.ipynb", "--check", "check-notebook-outputs", capsys=capsys)
    assert code == 0
    assert notebook_outputs.main(["--fix", "report.ipynb"]) == 1
    cells = nbformat.read(str(path), as_version=4).cells
    assert len(cells[0].outputs) == 1 and cells[1].outputs == []


def test_fix_with_max_size_strips_only_the_large_outputs(repo: Repo, capsys) -> None:
    path = repo.write("eda.ipynb", notebook([stream("loss 0.42\n"), image(150)]))
    assert notebook_outputs.main(["--fix", "--max-size", "10", "eda.ipynb"]) == 1
    [cell] = nbformat.read(str(path), as_version=4).cells
    assert [o.output_type for o in cell.outputs] == ["stream"]


def _cell(source: str, count: int, **metadata: object) -> dict:
    outputs = [new_output("stream", name="stdout", text="loss 0.42\n"),
               new_output("execute_result", data={"text/plain": "0.91"}, execution_count=count),
               image(3)]
    cell = new_code_cell(source, execution_count=count, outputs=outputs)
    cell.metadata.update(metadata)
    return cell


# The cases of nbstripout's own test suite (tests/e2e_notebooks and test_keep_output_tags),
# rebuilt with nbformat: each is stripped by nbstripout and by --fix, and the files compared.
NBSTRIPOUT_CASES = {
    "metadata": [_cell("df.describe()", 1, collapsed=False, scrolled=True,
                       ExecuteTime={"end_time": "2024-01-01T10:00:00.1Z"})],
    "keep_output_metadata": [_cell("print('kept')", 1, keep_output=True), _cell("x", 2)],
    "keep_output_tags": [_cell("print('kept')", 1, tags=["keep_output", "parameters"])],
    "init_cells": [_cell("%load_ext autoreload", 1, init_cell=True), _cell("x", 2)],
    "execution_timing": [_cell("x = 1", 1, execution={
        "iopub.execute_input": "2024-01-01T10:00:00.1Z",
        "shell.execute_reply": "2024-01-01T10:00:01Z"})],
    "hidden_and_collapsed_headings": [
        nbformat.v4.new_markdown_cell("# Überblick ✓", metadata={"heading_collapsed": True}),
        _cell("x", 1, hidden=True)],
    "unicode": [_cell("print('Ünïcödé ✓ 数据')", 1)],
    "nochange": [new_code_cell("x = 1", execution_count=None)],
}


@pytest.mark.parametrize("case", [*NBSTRIPOUT_CASES, "widgets", "notebook_keep_output",
                                  "max_size"])
def test_fix_matches_nbstripout(tmp_path: Path, case: str) -> None:
    nbstripout = Path(os.sys.executable).with_name("nbstripout")
    if not nbstripout.exists():
        pytest.skip("nbstripout is not installed (pip install -e '.[test]')")
    cells = NBSTRIPOUT_CASES.get(case) or [_cell("x", 1), _cell("y", 2)]
    nb = new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3",
                                                            "display_name": "Python 3"}})
    nb.metadata["signature"] = "sha256:0f3a"
    if case == "widgets":
        nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {
            "state": {}, "version_major": 2, "version_minor": 0}}
    if case == "notebook_keep_output":
        nb.metadata["keep_output"] = True
    theirs, ours = tmp_path / "theirs.ipynb", tmp_path / "ours.ipynb"
    nbformat.write(nb, str(theirs))
    nbformat.write(nb, str(ours))
    # --keep-id: gitworthy keeps cell ids on purpose (see the README); max-size in bytes
    # (nbstripout's 1k = 1000 characters, --max-size 1 = 1 KB of JSON: the same outputs here)
    extra = ["--max-size", "1k"] if case == "max_size" else []
    subprocess.run([str(nbstripout), "--keep-id", *extra, str(theirs)], check=True)
    notebook_outputs.main(["--fix", *(["--max-size", "1"] if extra else []), str(ours)])
    assert ours.read_bytes() == theirs.read_bytes()


def test_contradicting_keep_output_metadata_and_tag_is_an_error(repo: Repo, capsys) -> None:
    nb = new_notebook(cells=[_cell("x", 1, keep_output=False, tags=["keep_output"])])
    repo.write("bad.ipynb", nbformat.writes(nb))
    code, result = scan_json("bad.ipynb", "--check", "check-notebook-outputs", capsys=capsys)
    assert code == 1 and "keep_output" in result["errors"][0]["message"]
