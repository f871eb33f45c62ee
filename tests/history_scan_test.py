"""`scan --history`: hints that point at `gitworthy history`, missing objects reported once,
and the per-rule line of the text report."""
from __future__ import annotations

from tests.conftest import Repo, run, scan_json

KB = 1024


def _csv(rows: int) -> str:
    return "id;ville;montant\n" + "".join(f"{i};Saint-Étienne;{i * 1.37:.2f}\n"
                                         for i in range(rows))


def test_history_hint_points_at_gitworthy_history_not_git_rm(repo: Repo, capsys) -> None:
    repo.write("data/old claims.csv", _csv(40_000))
    repo.add()
    repo.commit("add data")
    repo.git("rm", "-q", "data/old claims.csv")
    repo.write("data/live.csv", _csv(40_000))
    repo.add()
    repo.commit("replace data")
    _, result = scan_json("--history", "--check", "check-large-files", capsys=capsys)
    hints = {f["path"]: f["hint"] for f in result["findings"]}
    assert "gitworthy history" in hints["data/old claims.csv"]
    assert "git rm" not in hints["data/old claims.csv"]
    assert "still at HEAD: keep data out of git: `git rm --cached data/live.csv`" in hints[
        "data/live.csv"]


def test_missing_object_is_reported_once_whatever_the_checks(repo: Repo, capsys) -> None:
    repo.write("notebooks/eda.ipynb", '{"cells": [], "metadata": {}, "nbformat": 4, '
                                      '"nbformat_minor": 5}\n')
    repo.add()
    repo.commit()
    sha = repo.git("rev-parse", "HEAD:notebooks/eda.ipynb").strip()
    (repo.root / ".git" / "objects" / sha[:2] / sha[2:]).unlink()
    code, result = scan_json("--history", capsys=capsys)
    assert code == 1
    [error] = result["errors"]
    assert error["path"] == "notebooks/eda.ipynb" and "is missing" in error["message"]


def test_text_report_has_a_line_per_rule(repo: Repo, capsys) -> None:
    for name in ("etl_v2.py", "etl_final.py", "model.py.bak"):
        repo.write(name, "x = 1\n")
    repo.add()
    _, out, _ = run("scan", "--staged", capsys=capsys)
    assert ("by rule: versioned-filename (check-adhoc-filenames) 2, "
            "backup-file (check-adhoc-filenames) 1") in out


def test_baseline_accepts_an_old_notebook_that_cannot_be_inspected_by_blob(repo: Repo,
                                                                           capsys) -> None:
    repo.write("notebooks/eda.ipynb", '{"cells": [{"cell_type": "code", "source": "x"\n')
    repo.add()
    repo.commit("a notebook saved half-way")
    repo.write("notebooks/eda.ipynb", '{"cells": [], "metadata": {}, "nbformat": 4, '
                                      '"nbformat_minor": 5}\n')
    repo.add()
    repo.commit("fixed")
    code, result = scan_json("--history", capsys=capsys)
    assert code == 1 and {e["path"] for e in result["errors"]} == {"notebooks/eda.ipynb"}
    code, out, _ = run("baseline", "--history", "--output", "base.json", capsys=capsys)
    assert code == 0 and "1 file version(s) that could not be inspected" in out
    code, result = scan_json("--history", "--baseline", "base.json", capsys=capsys)
    assert (code, result["errors"]) == (0, [])
    repo.write("notebooks/eda.ipynb", '{"cells": [ broken again\n')  # other bytes: inspected
    repo.add()
    repo.commit("broken again")
    code, result = scan_json("--history", "--baseline", "base.json", capsys=capsys)
    assert code == 1 and len({e["path"] for e in result["errors"]}) == 1
