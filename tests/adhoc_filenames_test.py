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
    "report (copy).ipynb", "data_15-01-2024.csv", "sales_01.15.2024.xlsx",
    "analysis_v2_edited.ipynb", "etl.py.save", "etl.py.save.1", "budget_planet_v2_final.xlsx",
    "planet_v2.csv", "ｒｅｐｏｒｔ＿ｖ２.ipynb", "eda-Copy1.ipynb", "resnet_v2_final.py",
]
NOT_FLAGGED = [
    "api/v2/routes.py", "migrations/0002_add_field.py", "CHANGELOG.md", "utf8.py", "ipv4.py",
    "md5sum.py", "s3_utils.py", "version.py", "docs/adr/0001-use-git.md",
    "date=2020-01-15/part-0.parquet", "finalize.py", "old_faithful_geyser.csv",
    "whats_new.md", "mobilenet_v2.py", "efficientnet_v2.py", "IPv4Address.py", "train2.py",
    "deep_copy.py", "new_user_signup.py", "backup_utils.py", "2020-01-15-report.ipynb",
    "1.0-jqp-initial-data-exploration.ipynb", "part-00000.parquet", "python3.py",
    "ssd_mobilenet_v2.py", "resnet50_v2.py", "inception_v3.py", "yolov5s.pt", "api/v2/app.py",
    "old_faithful.csv", "figures/fig-2.png", "saved_model.py", "untitled_helpers.py",
    "release_notes_2024.md", "covid_19.csv",
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


def test_prefix_word_flagged_only_beside_its_sibling(repo: Repo, capsys) -> None:
    assert findings(repo, capsys, "old_etl.py") == {}
    assert findings(repo, capsys, "etl.py")["old_etl.py"] == ["versioned-filename"]


def test_figure_numbering_is_not_a_version(repo: Repo, capsys) -> None:
    assert findings(repo, capsys, "figures/bias-variance.png",
                    "figures/bias-variance-2.png") == {}
    assert "etl-2.py" in findings(repo, capsys, "etl.py", "etl-2.py")


@pytest.mark.parametrize("path", ["Untitled.ipynb", "notebooks/Untitled3.ipynb",
                                  "Untitled-1.ipynb", "untitled.txt"])
def test_untitled_notebook_is_flagged_with_a_rename_command(repo: Repo, capsys,
                                                            path: str) -> None:
    found = findings(repo, capsys, path)
    assert found == {path: ["untitled-file"]}


def test_folder_copied_by_hand_is_one_finding(repo: Repo, capsys) -> None:
    names = ["eda.ipynb", "features.ipynb", "train.ipynb"]
    paths = [f"notebooks/{n}" for n in names] + [f"notebooks_v1/{n}" for n in names]
    paths += ["api/app.py", "api/v2/app.py", "reports_final/summary.md"]
    repo.write("notebooks_v1/scratch.py", "x\n")
    found = findings(repo, capsys, *paths)
    assert found == {"notebooks_v1": ["versioned-filename"]}


def test_folder_with_a_version_but_different_files_is_left_alone(repo: Repo, capsys) -> None:
    assert findings(repo, capsys, "models/train.py", "models_v2/serve.py") == {}
