"""Breadth: gitleaks' own true and false cases, through check-secrets and detect-secrets alone.

    .venv/bin/python bench/gitleaks_cases.py [--missed] [--false-alarms]

The cases (tests/fixtures/gitleaks/cases.json, made by extract.py there) are written one per
file into a temp dir (a case that gitleaks checks under a path keeps that file name), then
scanned by `gitworthy scan --check check-secrets` (in process) and by `detect-secrets scan
--all-files` (its default plugins and filters). A true case counts as found when the tool
reports anything in its file; a false case counts as a false alarm the same way.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "fixtures" / "gitleaks"))

from extract import load  # noqa: E402


def write_cases(where: Path) -> dict[str, tuple[str, str]]:
    """Every case as a file: relative path -> (rule, "tps"/"fps")."""
    index: dict[str, tuple[str, str]] = {}
    for rule, kinds in load().items():
        for kind in ("tps", "fps"):
            for n, (name, text) in enumerate(kinds[kind]):
                path = f"{kind}/{rule}/{n}/{name}"
                (where / path).parent.mkdir(parents=True, exist_ok=True)
                (where / path).write_text(text + "\n", encoding="utf-8")
                index[path] = (rule, kind)
    return index


def gitworthy_flags(where: Path) -> set[str]:
    from gitworthy import sources
    from gitworthy.config import Config
    from gitworthy.engine import scan

    report = scan(sources.from_paths([str(where)], cwd=where), ["check-secrets"], Config())
    return {f.path for f in report.findings}


def detect_secrets_flags(where: Path) -> set[str]:
    done = subprocess.run([str(Path(sys.executable).with_name("detect-secrets")), "scan",
                           "--all-files"], cwd=where, capture_output=True, text=True, check=True)
    return {path for path, hits in json.loads(done.stdout)["results"].items() if hits}


def tally(index: dict[str, tuple[str, str]], flagged: set[str]) -> tuple[int, int, Counter]:
    found = sum(1 for p, (_, k) in index.items() if k == "tps" and p in flagged)
    alarms = sum(1 for p, (_, k) in index.items() if k == "fps" and p in flagged)
    missed = Counter(r for p, (r, k) in index.items() if k == "tps" and p not in flagged)
    return found, alarms, missed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--missed", action="store_true", help="list the rules missed")
    parser.add_argument("--false-alarms", action="store_true", help="list the false alarms")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        where = Path(tmp)
        index = write_cases(where)
        subprocess.run(["git", "init", "-q"], cwd=where, check=True)
        tps = sum(1 for _, k in index.values() if k == "tps")
        fps = len(index) - tps
        rules = len({r for r, _ in index.values()})
        print(f"{rules} rules, {tps} true cases, {fps} false cases")
        for tool, flags in (("check-secrets", gitworthy_flags),
                            ("detect-secrets", detect_secrets_flags)):
            flagged = flags(where)
            found, alarms, missed = tally(index, flagged)
            never = sorted(r for r in missed if not any(
                p in flagged for p, (r2, k) in index.items() if r2 == r and k == "tps"))
            print(f"{tool:15} recall {found}/{tps} = {found / tps:.1%}, false alarms "
                  f"{alarms}/{fps}, rules never caught {len(never)}")
            if args.missed and tool == "check-secrets":
                print("  missed:", ", ".join(f"{r} ({n})" for r, n in missed.most_common()))
            if args.false_alarms and tool == "check-secrets":
                for p in sorted(p for p in flagged if index.get(p, ("", ""))[1] == "fps"):
                    print("  false alarm:", p, repr((where / p).read_text()[:160]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
