"""The package type-checks: mypy on `gitworthy` with the [tool.mypy] config."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_mypy_passes_on_hooks() -> None:
    result = subprocess.run([sys.executable, "-m", "mypy", "-p", "gitworthy"], cwd=ROOT,
                            capture_output=True, text=True, check=False)
    print(result.stdout, result.stderr, sep="\n")
    assert result.returncode == 0, f"mypy failed:\n{result.stdout}{result.stderr}"
