from __future__ import annotations

import pytest
from gitworthy.checks import adhoc_filenames

from tests.conftest import Repo, scan_json

FLAGGED = [
    "model_v2_final.pkl", "etl.py.bak", "analysis (1).ipynb", "etl_2020-01-15.py",
    "etl_20200115.py", "clean_2021_03_09.sql", "model_final_v2_FINAL.ipynb",
    "Copy of report.xlsx", "report - Copy.xlsx", "model-v3.py", "model.v1.py",
    "notes~", "#notes#", ".notes.swp", "merge.py.orig",
    "nb/.ipynb_checkpoints/eda-checkpoint.ipynb",
    "trainModelV2.py", "etl_old.py", "report_FINAL.docx",
]
NOT_FLAGGED = [
    "api/v2/routes.py", "migrations/0002_add_field.py", "CHANGELOG.md", "utf8.py", "ipv4.py",
    "md5sum.py", "s3_utils.py", "version.py", "docs/adr/0001-use-git.md",
    "date=2020-01-15/part-0.parquet", "finalize.py", "old_faithful_geyser.csv",
    "whats_new.md", "mobilenet_v2.py", "efficientnet_v2.py", "IPv4Address.py", "train2.py",
    "deep_copy.py", "new_user_signup.py", "backup_utils.py", "2020-01-15-report.ipynb",
    "1.0-jqp-initial-data-exploration.ipynb", "part-00000.parquet", "python3.py",
]


def findings(repo: Repo, capsys, *paths: str) -> dict[str, list[str]]:
    for path in paths:
        repo.write(path, "x\n")
    repo.add()
    _, result = scan_json("--staged", "--check", "check-adhoc-filenames", capsys=capsys)
    out: dict[str, list[str]] = {}
    for f in result["findings"]:
        out.setdefault(f["path"], []).append(f["rule"])
    return out


@pytest.mark.parametrize("name", FLAGGED)
def test_versioned_or_backup_name_is_flagged(repo: Repo, capsys, name: str) -> None:
    assert name in findings(repo, capsys, name)


@pytest.mark.parametrize("name", NOT_FLAGGED)
def test_ordinary_name_is_not_flagged(repo: Repo, capsys, name: str) -> None:
    assert findings(repo, capsys, name) == {}


def test_undecorated_sibling_is_named(repo: Repo, capsys) -> None:
    repo.write("etl.py", "x\n")
    repo.add()
    repo.commit()
    repo.write("etl_2020-01-15.py", "y\n")
    repo.add()
    _, result = scan_json("--staged", capsys=capsys)
    (finding,) = result["findings"]
    assert "etl.py is in the repository too" in finding["message"]


def test_ambiguous_word_flagged_only_beside_its_sibling(repo: Repo, capsys) -> None:
    assert findings(repo, capsys, "etl_new.py") == {}
    assert "etl_new.py" in findings(repo, capsys, "etl.py")


def test_combined_decorations_are_all_named(repo: Repo, capsys) -> None:
    repo.write("model_final_v2_FINAL.ipynb", "{}")
    repo.add()
    _, result = scan_json("--staged", capsys=capsys)
    message = result["findings"][0]["message"]
    assert "`final`" in message and "`v2`" in message and "`FINAL`" in message


def test_allow_pattern_from_config(repo: Repo, capsys) -> None:
    repo.write(".gitworthy.toml", '[check-adhoc-filenames]\nallow = ["api_v2.py"]\n')
    assert findings(repo, capsys, "api_v2.py") == {}


def test_extra_pattern_from_hook_args(repo: Repo, capsys) -> None:
    repo.write("report_draft.md", "x\n")
    code = adhoc_filenames.main(["--extra-patterns", "*_draft.*", "report_draft.md"])
    assert code == 1
    assert "report_draft.md" in capsys.readouterr().out


def test_odd_filenames_are_reported_with_shell_quoting(repo: Repo, capsys) -> None:
    name = "résumé data (1).csv"
    assert name in findings(repo, capsys, name)
    repo.write("new\nline_v2.py", "x\n")
    repo.add()
    _, result = scan_json("--staged", capsys=capsys)
    assert "new\nline_v2.py" in {f["path"] for f in result["findings"]}
