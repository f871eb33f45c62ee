"""Count the peer scanners' malicious cases (tests/peer_cases.py) that a gitworthy checkout
catches, per peer: `unsafe-...` findings alone, and `unsafe-...` or `...-not-inspectable`.

    python bench/peer_cases_count.py                  # this checkout
    python bench/peer_cases_count.py --hooks OTHER/hooks   # another checkout, side by side

Run on demand (not in CI). Nothing is loaded: gitworthy only reads the files.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
import peer_cases  # noqa: E402


def _key(path: str) -> str:
    return "/".join(Path(path).parts[-2:])


def count(hooks: Path) -> dict[str, tuple[int, int, int]]:
    with tempfile.TemporaryDirectory() as tmp:
        written = peer_cases.write_all(Path(tmp))
        proc = subprocess.run(
            [sys.executable, "-I", "-c", "import sys; sys.path.insert(0, sys.argv.pop(1)); "
             "from gitworthy.cli import main; sys.exit(main(sys.argv[1:]))", str(hooks),
             "scan", "--format", "json", "--check", "check-serialized-models", tmp],
            capture_output=True, text=True, cwd=tmp, env={**os.environ}, check=False)
        report = json.loads(proc.stdout)
        rules: dict[str, set[str]] = {}
        for finding in report["findings"]:
            rules.setdefault(_key(finding["path"]), set()).add(finding["rule"])
        for error in report["errors"]:
            rules.setdefault(_key(error["path"]), set()).add("error")
        total: Counter[str] = Counter()
        unsafe: Counter[str] = Counter()
        caught: Counter[str] = Counter()
        for case_id, path in written.items():
            peer = case_id.split("/")[0]
            found = rules.get(_key(str(path)), set())
            total[peer] += 1
            unsafe[peer] += any(r.startswith("unsafe-") for r in found)
            caught[peer] += any(r.startswith("unsafe-") or r.endswith("-not-inspectable")
                                or r == "error" for r in found)
        return {peer: (unsafe[peer], caught[peer], total[peer]) for peer in sorted(total)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hooks", type=Path, default=ROOT / "hooks")
    args = parser.parse_args()
    for peer, (unsafe, caught, total) in count(args.hooks).items():
        print(f"{peer:12} unsafe {unsafe:3}/{total}   unsafe or not inspectable {caught:3}/{total}")


if __name__ == "__main__":
    main()
