"""check-local-paths: hard-coded paths to one person's machine, share or cloud drive."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from gitworthy.checks.local_paths import find_paths

from tests.conftest import Repo, run, scan_json

POSITIVES = [
    ('df = pd.read_csv("/Users/jane.doe/Desktop/churn.csv")', "home-directory-path"),
    ("DATA = '/home/mkowalski/projects/churn/data'", "home-directory-path"),
    ('path = "C:\\\\Users\\\\jsmith\\\\Documents\\\\sales.xlsx"', "home-directory-path"),
    ('path = r"C:\\Users\\jsmith\\Documents\\sales.xlsx"', "home-directory-path"),
    ('path = "c:/users/jsmith/sales.xlsx"', "home-directory-path"),
    ("p = '/mnt/c/Users/jsmith/data.csv'", "home-directory-path"),
    ('url = "file:///Users/jane/data/x.csv"', "home-directory-path"),
    ("prefix: /home/jane/miniconda3/envs/churn", "home-directory-path"),
    ("#!/home/jane/venv/bin/python", "home-directory-path"),
    ('src = r"Z:\\finance\\claims.csv"', "network-share-path"),
    ('src = "\\\\\\\\fs01\\\\finance\\\\claims.csv"', "network-share-path"),
    ('src = r"\\\\fs01\\finance\\claims.csv"', "network-share-path"),
    ('MODEL_DIR = "~/Dropbox/projects/churn/models"', "cloud-drive-path"),
    ("p = '/content/drive/MyDrive/data.csv'", "cloud-drive-path"),
    ('p = r"C:\\Users\\jane\\OneDrive - Contoso\\data.csv"', "cloud-drive-path"),
    ("p = '/Users/jane/Library/Mobile Documents/com~apple~CloudDocs/x.csv'",
     "cloud-drive-path"),
]
NEGATIVES = [
    "#!/usr/bin/env python", 'lib = "/usr/lib/python3"', 'open("/tmp/x.csv")',
    'p = Path.home() / "data"', 'p = os.path.expanduser("~") + "/data"',
    'p = os.path.expanduser("~/data")', 'p = f"/home/{user}/data"',
    'p = "/home/" + getpass.getuser()', 'p = "$HOME/data"', 'p = "/home/$USER/x"',
    'p = "%USERPROFILE%\\\\Documents"', 'p = r"C:\\Users\\%USERNAME%\\x"',
    'p = "C:\\\\Program Files\\\\R\\\\bin"', 'print("C:\\\\Program Files (x86)\\\\Steam")',
    "C:/Windows/System32",
    'k = r"HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\OneDrive"',  # pragma: allowlist secret
    'k = "HKCU:\\Software\\Microsoft\\Windows"',
    'url = "https://example.com/home/jane/x"',
    'url = "https://github.com/Users/jane"', "s3://bucket/home/jane/x",
    'rx = re.compile(r"^/home/(\\w+)/")', 'rx = re.compile(r"/Users/[^/]+/")',
    's = "\\\\n\\\\t"', 's = "\\\\x00\\\\x01"', 'p = "/home"', "cd /home/user/project",
    'x = "a/b/home/jane"', 'print(f"{x:/>10}")', "const re = {a:/^x$/}",
    'p = "~/.cache/torch"', 'p = "..\\\\data\\\\raw"', 'p = "data\\\\raw\\\\x.csv"',
    "import dropbox", 'p = Path.home() / "Dropbox" / "x"', "git@github.com:jane/repo.git",
    'sep = "\\\\"', "echo $PATH:/usr/local/bin",
]


@pytest.mark.parametrize(("line", "rule"), POSITIVES)
def test_local_path_is_found_and_its_user_name_masked(line: str, rule: str) -> None:
    hits = list(find_paths(line, 1, []))
    assert [h.rule.id for h in hits] == [rule]
    for name in ("jane", "jsmith", "mkowalski", "fs01"):
        assert name not in hits[0].shown


@pytest.mark.parametrize("line", NEGATIVES)
def test_not_a_local_path(line: str) -> None:
    assert list(find_paths(line, 1, [])) == []


def test_allowed_prefix_passes_written_either_way() -> None:
    assert list(find_paths("p = '/home/jovyan/work/x.csv'", 1, ["/home/jovyan/"])) == []
    assert list(find_paths('p = "C:\\\\Users\\\\build\\\\x"', 1, ["C:\\Users\\build"])) == []


def _notebook(path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("Data is in `/Users/jane/Desktop/claims.csv` on my Mac."),
        nbformat.v4.new_code_cell("import pandas as pd\ndf = pd.read_csv(DATA_DIR / 'a.csv')",
                                  outputs=[nbformat.v4.new_output(
                                      "error", ename="FileNotFoundError",
                                      evalue="[Errno 2] No such file or directory",
                                      traceback=['File "/home/mkowalski/.venv/lib/python3.11/'
                                                 'site-packages/pandas/io/parsers.py", line 3'])]),
        nbformat.v4.new_code_cell("claims = pd.read_excel(r'\\\\fs01\\finance\\claims.xlsx')"),
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))


def test_repository_with_local_paths_in_code_config_and_notebooks(
        repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.write("src/load.py", "import pandas as pd\n\n"
                              "def load():\n"
                              "    return pd.read_csv('/Users/jane.doe/Desktop/churn.csv')\n"
                              "# also /Users/jane.doe/Desktop/churn_2.csv\n")
    repo.write("environment.yml", "name: churn\nprefix: /home/mkowalski/miniconda3/envs/churn\n")
    _notebook(repo.root / "notebooks" / "eda.ipynb")
    repo.write("docs/setup.md", "Clone into `/Users/jane/src` or `C:\\Users\\jane\\src`.\n")
    repo.write("README.md", "Put the data in /home/jane/data.\n")
    repo.write("Dockerfile", "FROM python:3.11\nWORKDIR /home/app\nCOPY . /home/app/src\n")
    repo.write("run.sh", "#!/usr/bin/env bash\n"
                         "python -m churn --data \"$HOME/data\" --out /tmp/x\n")
    code, report = scan_json(".", "--check", "check-local-paths", capsys=capsys)
    got = sorted((f["path"], f["rule"], f["line"]) for f in report["findings"])
    assert got == [
        ("environment.yml", "home-directory-path", 2),
        ("notebooks/eda.ipynb", "home-directory-path", None),
        ("notebooks/eda.ipynb", "network-share-path", None),
        ("src/load.py", "home-directory-path", 4),
    ]
    assert code == 1
    text = json.dumps(report)
    for name in ("jane", "mkowalski", "fs01"):
        assert name not in text
    by_rule = {f["rule"]: f for f in report["findings"] if f["path"].endswith(".ipynb")}
    assert "output of cell 1" in by_rule["home-directory-path"]["message"]
    assert "cell 2" in by_rule["network-share-path"]["message"]
    load_py = next(f for f in report["findings"] if f["path"] == "src/load.py")
    assert "1 more place" in load_py["message"]
    assert "environment variable" in load_py["hint"]


def test_allow_prefixes_from_configuration(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.write("etl.py", "SRC = '/home/jovyan/work/data/raw.csv'\n")
    assert scan_json(".", "--check", "check-local-paths", capsys=capsys)[0] == 1
    repo.write(".gitworthy.toml", '[check-local-paths]\nallow-prefixes = ["/home/jovyan/"]\n')
    code, report = scan_json(".", "--check", "check-local-paths", capsys=capsys)
    assert (code, report["findings"]) == (0, [])


def test_hook_entry_point_blocks_and_explain_knows_the_rules(
        repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.write("train.py", "OUT = r'Z:\\models\\churn'\n")
    proc = subprocess.run([str(Path(sys.executable).with_name("check-local-paths")), "train.py"],
                          cwd=repo.root, capture_output=True, text=True)
    assert proc.returncode == 1 and "network-share-path" in proc.stdout
    code, out, _ = run("explain", "check-local-paths", capsys=capsys)
    assert code == 0 and "cloud-drive-path" in out and "environment variable" in out
