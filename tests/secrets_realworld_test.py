"""check-secrets on real-shaped files of the kinds that raised false alarms in real
data-science repositories (tests/realworld/secrets/): subresource-integrity hashes, Dockerfile
checksums, base64 PNGs in an HTML export, macOS temp folders in TensorFlow logs, placeholders,
Google's public demo key, lockfiles, pip hashes, git SHAs and UUIDs. None is a credential; the
same contexts must not hide one that is.
"""
from __future__ import annotations

import random
import shutil
from pathlib import Path

from gitworthy import sources
from gitworthy.config import Config
from gitworthy.engine import scan

REALWORLD = Path(__file__).resolve().parent / "realworld" / "secrets"
RNG = random.Random(20261128)
ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def pick(alphabet: str, n: int) -> str:
    return "".join(RNG.choice(alphabet) for _ in range(n))


def check(repo, *names: str):
    report = scan(sources.from_paths([str(repo.root / n) for n in names], cwd=repo.root),
                  ["check-secrets"], Config())
    assert not report.internal_error, report.errors
    return report


def test_no_false_alarm_on_real_world_files(repo):
    shutil.copytree(REALWORLD, repo.root / "project")
    report = check(repo, "project")
    assert report.errors == []
    assert report.files == len(list(REALWORLD.iterdir()))
    assert [(f.path, f.line, f.details.get("secret_type")) for f in report.findings] == []


def test_secret_assigned_beside_integrity_hashes_is_found(repo):
    token = pick(ALNUM, 40)
    page = (REALWORLD / "churn_analysis.html").read_text()
    repo.write("report.html", page.replace("</body>", f'<script>const API_SECRET = "{token}";'
                                                      "</script>\n</body>"))
    [finding] = check(repo, "report.html").findings
    assert finding.line == page[:page.index("</body>")].count("\n") + 1


def test_high_entropy_string_with_a_secret_name_is_found(repo):
    repo.write("settings.py", f'CLIENT_SECRET = "{pick(ALNUM, 32)}"\n'
                              f'client = Client(api_key="{pick(ALNUM, 36)}")\n')
    assert [f.line for f in check(repo, "settings.py").findings] == [1, 2]


def test_high_entropy_string_without_evidence_passes(repo):
    repo.write("ids.py", f'CACHE_BUSTER = "{pick(ALNUM, 32)}"\n')
    assert check(repo, "ids.py").findings == []


def test_hex_secret_next_to_a_checksum_is_found(repo):
    repo.write("Dockerfile", (REALWORLD / "Dockerfile").read_text()
               + f'ENV API_KEY="{pick("0123456789abcdef", 40)}"\n')
    [finding] = check(repo, "Dockerfile").findings
    assert finding.line == len((REALWORLD / "Dockerfile").read_text().splitlines()) + 1


def test_real_token_shape_passes_only_when_it_is_a_placeholder(repo):
    repo.write("hub.py", 'TOKEN = "hf_' + "x" * 34 + '"\n'
                         'OTHER = "hf_' + pick(ALNUM[:52], 34) + '"\n')
    assert [f.line for f in check(repo, "hub.py").findings] == [2]
