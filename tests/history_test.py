"""`gitworthy history` on a real repository whose history holds a deleted data set."""
from __future__ import annotations

from tests.conftest import Repo, run


def test_history_lists_heavy_paths_including_deleted_ones(repo: Repo, capsys) -> None:
    repo.write("src/etl.py", "x = 1\n")
    repo.write("data/claims.csv", "id,amount\n" + "1,2.5\n" * 200_000)
    repo.add()
    first = repo.commit("add data")
    repo.write("data/claims.csv", "id,amount\n" + "2,3.5\n" * 200_000)
    repo.add()
    repo.commit("update data")
    repo.git("rm", "-q", "data/claims.csv")
    repo.commit("remove data")
    code, out, _ = run("history", capsys=capsys)
    assert code == 0
    (row,) = [line for line in out.splitlines() if "data/claims.csv (" in line]
    assert row.split()[2:4] == ["2", "no"]  # two versions, no longer at HEAD
    assert first[:12] in row
    assert "src/etl.py" not in out
    assert "git filter-repo --invert-paths --path data/claims.csv" in out
    assert "rotate the credentials" in out


def test_history_of_a_light_repository_has_nothing_to_purge(repo: Repo, capsys) -> None:
    repo.write("README.md", "hello\n")
    repo.add()
    repo.commit()
    code, out, _ = run("history", capsys=capsys)
    assert code == 0 and "nothing to purge" in out


def test_history_quotes_odd_paths(repo: Repo, capsys) -> None:
    repo.write("my data (1).csv", "a\n" * 400_000)
    repo.add()
    repo.commit()
    _, out, _ = run("history", capsys=capsys)
    assert "--path 'my data (1).csv'" in out
