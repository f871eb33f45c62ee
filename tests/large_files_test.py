from __future__ import annotations

import hashlib
import shutil
import subprocess

import pytest
from gitworthy.checks import large_files

from tests.conftest import Repo, scan_json

KB = 1024


def lfs_pointer(content: bytes = b"the real data", size: int = 12345) -> str:
    """A pointer as git-lfs writes it (spec v1): the content's SHA-256 and its size."""
    oid = hashlib.sha256(content).hexdigest()
    return f"version https://git-lfs.github.com/spec/v1\noid sha256:{oid}\nsize {size}\n"


def rules(result: dict) -> list[tuple[str, str]]:
    return [(f["path"], f["rule"]) for f in result["findings"]]


def test_csv_over_limit_fails(repo: Repo, capsys) -> None:
    repo.write("data/claims.csv", "a,b\n" + "1,2\n" * 200 * KB)
    repo.add()
    code, result = scan_json("--staged", "--check", "check-large-files", capsys=capsys)
    assert code == 1
    assert rules(result) == [("data/claims.csv", "large-data-file")]
    assert "CSV" in result["findings"][0]["message"]
    assert "dvc add data/claims.csv" in result["findings"][0]["hint"]


def test_small_csv_passes(repo: Repo, capsys) -> None:
    repo.write("data/small.csv", "a,b\n1,2\n")
    repo.add()
    code, result = scan_json("--staged", capsys=capsys)
    assert code == 0 and result["findings"] == []


def test_parquet_recognized_by_content_under_another_name(repo: Repo, capsys) -> None:
    repo.write("blob", b"PAR1" + b"\x00" * 600 * KB)
    repo.add()
    _, result = scan_json("--staged", "--check", "check-large-files", capsys=capsys)
    assert "Parquet" in result["findings"][0]["message"]


def test_large_python_file_below_hard_limit_passes(repo: Repo, capsys) -> None:
    repo.write("generated.py", "x = 1\n" * 150 * KB)
    repo.add()
    code, _ = scan_json("--staged", "--check", "check-large-files", capsys=capsys)
    assert code == 0


def test_any_file_over_hard_limit_fails(repo: Repo, capsys) -> None:
    repo.write("huge.log", "line\n" * (11 * KB * KB // 5))
    repo.add()
    _, result = scan_json("--staged", "--check", "check-large-files", capsys=capsys)
    assert rules(result) == [("huge.log", "large-file")]


def test_modified_file_growing_past_the_limit_fails(repo: Repo, capsys) -> None:
    repo.write("data/grow.csv", "a\n1\n")
    repo.add()
    repo.commit()
    repo.write("data/grow.csv", "a\n" + "1\n" * 300 * KB)
    repo.add()
    _, result = scan_json("--staged", capsys=capsys)
    assert ("data/grow.csv", "large-data-file") in rules(result)


def test_lfs_pointer_passes(repo: Repo, capsys) -> None:
    repo.write(".gitattributes", "*.parquet filter=lfs diff=lfs merge=lfs -text\n")
    repo.write("data/big.parquet", lfs_pointer())
    repo.add()
    code, result = scan_json("--staged", capsys=capsys)
    assert code == 0, result


def test_lfs_routed_file_staged_as_content_fails(repo: Repo, capsys) -> None:
    repo.write(".gitattributes", "*.parquet filter=lfs diff=lfs merge=lfs -text\n")
    repo.write("data/big.parquet", b"PAR1" + b"\x01" * 700 * KB)
    repo.add()
    code, result = scan_json("--staged", capsys=capsys)
    assert code == 1
    assert rules(result) == [("data/big.parquet", "lfs-not-a-pointer")]
    assert "git lfs install" in result["findings"][0]["hint"]


@pytest.mark.skipif(shutil.which("git-lfs") is None, reason="git-lfs is not installed")
def test_real_git_lfs_working_tree_file_passes_when_index_holds_pointer(repo: Repo,
                                                                         capsys) -> None:
    repo.git("lfs", "install", "--local")
    repo.git("lfs", "track", "*.h5")
    repo.write("weights.h5", b"\x89HDF\r\n\x1a\n" + b"\x02" * 800 * KB)
    repo.add()
    assert repo.git("lfs", "ls-files").strip().endswith("weights.h5")
    code, result = scan_json("--all", capsys=capsys)  # the work tree holds the real content
    assert code == 0, result
    code, result = scan_json("--staged", capsys=capsys)
    assert code == 0, result


def test_dvc_tracked_output_committed_fails_at_any_size(repo: Repo, capsys) -> None:
    repo.write("data/raw.dvc", "outs:\n- md5: abc\n  path: raw\n")
    repo.write("data/raw/members.csv", "id\n1\n")
    repo.add()
    _, result = scan_json("--staged", capsys=capsys)
    assert ("data/raw/members.csv", "dvc-output-committed") in rules(result)
    assert "data/raw.dvc" in result["findings"][0]["message"]


def test_threshold_from_config(repo: Repo, capsys) -> None:
    repo.write(".gitworthy.toml", "[check-large-files]\nmax-kb = 2000\n")
    repo.write("data/mid.csv", "a\n" + "1\n" * 400 * KB)
    repo.add()
    code, _ = scan_json("--staged", capsys=capsys)
    assert code == 0


def test_hook_flag_overrides_config(repo: Repo, capsys) -> None:
    repo.write(".gitworthy.toml", "[check-large-files]\nmax-kb = 2000\n")
    repo.write("mid.npy", b"\x93NUMPY" + b"\x00" * 50 * KB)
    assert large_files.main(["--max-kb", "10", "mid.npy"]) == 1
    assert "NumPy" in capsys.readouterr().out


def test_symlink_is_never_followed(repo: Repo, capsys) -> None:
    big = repo.write("outside.bin", b"\x00" * 700 * KB)
    (repo.root / "link.bin").symlink_to(big)
    assert large_files.main(["link.bin"]) == 0


def test_staged_sizes_come_from_one_batched_git_call(repo: Repo, monkeypatch,
                                                     capsys) -> None:
    for i in range(30):
        repo.write(f"src/m{i}.py", "x = 1\n")
    repo.add()
    calls: list[list[str]] = []
    real_run = subprocess.run

    def counting_run(args, *a, **kw):  # counts git processes, still runs them for real
        calls.append(list(args))
        return real_run(args, *a, **kw)

    monkeypatch.setattr(subprocess, "run", counting_run)
    code, _ = scan_json("--staged", "--check", "check-large-files", capsys=capsys)
    assert code == 0
    assert len([c for c in calls if "cat-file" in c]) == 1


def test_bad_hook_flag_value_is_one_line_and_exit_2(repo: Repo, capsys) -> None:
    repo.write("a.csv", "x\n")
    assert large_files.main(["--max-kb", "-5", "a.csv"]) == 2
    err = capsys.readouterr().err
    assert "--max-kb must be a whole number >= 0" in err and len(err.strip().splitlines()) == 1


def _orders_csv(rows: int, newline: str = "\n") -> str:
    """Order rows shaped like a shop export: ids, dates, floats, non-English names."""
    header = "order_id;date;client;montant_ttc;quantité"
    names = ["Élodie Durand", "Łukasz Wójcik", "Søren Kjær", "Ana Núñez", "Zoë Brontë"]
    lines = [header] + [f"{100000 + i};2024-{1 + i % 12:02d}-{1 + i % 28:02d};"
                        f"{names[i % 5]};{(i * 37.31) % 999:.2f};{1 + i % 7}" for i in range(rows)]
    return newline.join(lines) + newline


@pytest.mark.parametrize("name", ["exports/orders.txt", "exports/orders", "exports/orders.out"])
@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_csv_rows_are_data_whatever_the_name(repo: Repo, capsys, name: str,
                                             newline: str) -> None:
    repo.write(name, _orders_csv(16_000, newline))  # ~700 KB: under the hard limit
    repo.add()
    _, result = scan_json("--staged", "--check", "check-large-files", capsys=capsys)
    assert rules(result) == [(name, "large-data-file")]
    assert "CSV file" in result["findings"][0]["message"]


def test_prose_and_logs_under_the_hard_limit_are_not_data(repo: Repo, capsys) -> None:
    from faker import Faker

    fake = Faker(["en_US", "fr_FR"])
    Faker.seed(14)
    repo.write("notes/chapter.txt", "\n".join(fake.paragraph(nb_sentences=4)
                                              for _ in range(3000)))
    repo.write("logs/train.log",
               "".join(f"2024-01-01 12:00:{i % 60:02d},{i % 1000:03d} INFO epoch {i}, loss 0.5\n"
                       for i in range(12_000)))
    repo.add()
    code, result = scan_json("--staged", "--check", "check-large-files", capsys=capsys)
    assert (code, rules(result)) == (0, [])


def test_arff_and_jsonl_are_text_data(repo: Repo, capsys) -> None:
    arff = ("% UCI-style header\n@RELATION iris\n@ATTRIBUTE sepallength NUMERIC\n"
            "@ATTRIBUTE class {Iris-setosa,Iris-versicolor}\n@DATA\n"
            + "5.1,3.5,1.4,0.2,Iris-setosa\n" * 25_000)
    repo.write("data/iris.arff", arff)
    repo.write("dump", "".join(f'{{"id": {i}, "price": {i * 0.37:.2f}}}\n' for i in range(30_000)))
    repo.add()
    _, result = scan_json("--staged", "--check", "check-large-files", capsys=capsys)
    found = {f["path"]: f["message"] for f in result["findings"]}
    assert "ARFF" in found["data/iris.arff"] and "JSON Lines" in found["dump"]


def test_container_formats_are_named_by_their_extension(repo: Repo, capsys) -> None:
    import gzip

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for i in range(2000):
        sheet.append([i, f"client {i}", i * 1.5])
    book.save(repo.root / "budget.xlsx")
    import random

    payload = random.Random(14).randbytes(40 * KB)  # doubles as R writes them: incompressible
    repo.write("model_inputs.rda", gzip.compress(b"RDX3\nX\n" + payload))
    assert large_files.main(["--max-kb", "1", "budget.xlsx", "model_inputs.rda"]) == 1
    out = capsys.readouterr().out
    assert "Excel workbook file" in out and "R data file" in out
    assert "zip archive" not in out and "gzip archive" not in out
    assert "dvc add budget.xlsx" in out


def test_run_artifacts_are_flagged_at_any_size_once_per_run_folder(repo: Repo, capsys) -> None:
    repo.write("mlruns/0/3f2a9c/metrics/loss", "1700000000000 0.52 0\n")
    repo.write("mlruns/0/3f2a9c/params/lr", "0.001")
    repo.write("lightning_logs/version_0/hparams.yaml", "lr: 0.001\n")
    repo.write("wandb/run-20240101_120000-abc123de/files/config.yaml", "lr: 0.001\n")
    repo.write("runs/Jan01_12-00-00_host/events.out.tfevents.1704110400.host.1234.0",
               b"\x18\x00\x00\x00\x00\x00\x00\x00\xa3\x7fK\"\t\x00\x00\x80\xd9\xfa\xe7\xd8A")
    repo.write("src/wandb/__init__.py", "# a package called wandb, not a run\n")
    repo.add()
    _, result = scan_json("--staged", "--check", "check-large-files", capsys=capsys)
    assert sorted(rules(result)) == [
        ("lightning_logs", "run-artifact"), ("mlruns", "run-artifact"),
        ("runs/Jan01_12-00-00_host", "run-artifact"),
        ("wandb", "run-artifact"),
    ]
    hints = " ".join(f["hint"] for f in result["findings"])
    assert "git lfs" not in hints and "git rm -r --cached mlruns" in hints


def test_dvc_yaml_and_lock_outs_are_dvc_outputs(repo: Repo, capsys) -> None:
    repo.write("pipelines/churn/dvc.yaml", """\
stages:
  prepare:
    cmd: python prepare.py
    deps: [prepare.py]
    outs:
      - data/prepared
  train:
    cmd: python train.py
    outs:
      - model.joblib
      - plots/roc.json:
          cache: false
    metrics:
      - metrics.json:
          cache: false
""")
    repo.write("pipelines/churn/dvc.lock", """\
schema: '2.0'
stages:
  featurize:
    cmd: python featurize.py
    outs:
    - path: features/train.parquet
      md5: 0c1f8b0f1e5d7a2c3b4a596877665544
      size: 1024
    - path: plots/roc.json
      md5: 1c1f8b0f1e5d7a2c3b4a596877665544
""")
    repo.write("pipelines/churn/data/prepared/train.csv", "id,label\n1,0\n")
    repo.write("pipelines/churn/features/train.parquet", b"PAR1" + b"\x00" * 64 + b"PAR1")
    repo.write("pipelines/churn/plots/roc.json", '{"fpr": [0, 1]}\n')
    repo.write("pipelines/churn/metrics.json", '{"auc": 0.91}\n')
    repo.write("pipelines/churn/prepare.py", "print('prepare')\n")
    repo.add()
    _, result = scan_json("--staged", "--check", "check-large-files", capsys=capsys)
    assert sorted(rules(result)) == [
        ("pipelines/churn/data/prepared/train.csv", "dvc-output-committed"),
        ("pipelines/churn/features/train.parquet", "dvc-output-committed"),
    ]


def test_size_limits_per_pattern(repo: Repo, capsys) -> None:
    repo.write(".gitworthy.toml",
               '[check-large-files]\nlimits = {"*.png" = 200, "data/**" = 0}\n')
    repo.write("figures/roc.png", b"\x89PNG\r\n\x1a\n" + b"\x01" * 300 * KB)
    repo.write("figures/small.png", b"\x89PNG\r\n\x1a\n" + b"\x01" * 100 * KB)
    repo.write("data/lookup.csv", "code,label\nA,alpha\n")
    repo.write("src/etl.py", "x = 1\n")
    repo.add()
    _, result = scan_json("--staged", "--check", "check-large-files", capsys=capsys)
    found = {f["path"]: f for f in result["findings"]}
    assert sorted(found) == ["data/lookup.csv", "figures/roc.png"]
    assert "limit 200 KB for *.png" in found["figures/roc.png"]["message"]
    assert "limit 0 KB for data/**" in found["data/lookup.csv"]["message"]


def test_size_limit_per_pattern_as_hook_flag(repo: Repo, capsys) -> None:
    repo.write("figures/roc.png", b"\x89PNG\r\n\x1a\n" + b"\x01" * 300 * KB)
    assert large_files.main(["figures/roc.png"]) == 0
    assert large_files.main(["--limits", "*.png=200", "figures/roc.png"]) == 1
    assert large_files.main(["--limits", "*.png", "figures/roc.png"]) == 2


def test_lfs_size_limit_reads_the_real_size_from_the_pointer(repo: Repo, capsys) -> None:
    repo.write(".gitattributes", "*.safetensors filter=lfs diff=lfs merge=lfs -text\n")
    repo.write("models/llm.safetensors", lfs_pointer(size=13_500_000_000))
    repo.write("models/small.safetensors", lfs_pointer(size=20_000))
    repo.write(".gitworthy.toml", "[check-large-files]\nlfs-max-kb = 2000000\n")
    repo.add()
    _, result = scan_json("--staged", "--check", "check-large-files", capsys=capsys)
    assert rules(result) == [("models/llm.safetensors", "lfs-file-too-large")]
    assert "12.6 GB" in result["findings"][0]["message"]


def test_lfs_pointer_no_longer_routed_to_lfs(repo: Repo, capsys) -> None:
    repo.write(".gitattributes", "*.h5 filter=lfs diff=lfs merge=lfs -text\n")
    repo.write("models/weights.h5", lfs_pointer())
    repo.add()
    repo.commit()
    repo.write(".gitattributes", "*.csv text eol=lf\n")
    repo.add()
    code, result = scan_json("--all", "--check", "check-large-files", capsys=capsys)
    assert code == 1
    assert rules(result) == [("models/weights.h5", "lfs-pointer-not-routed")]
    assert result["findings"][0]["hint"] == "`git lfs track '*.h5' && git add .gitattributes`"
