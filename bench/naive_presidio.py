"""The naive way to look for personal data: every file's text through presidio's analyze().

    python bench/naive_presidio.py FILE...

The anchor for check-pii in bench/suite.py: no sampling, no cheap tests first, each file's
text analyzed in chunks of 4,000 characters (presidio's context search is quadratic in a
text's length). It uses the same offline presidio engine as gitworthy (no model download),
so the difference measured is what gitworthy does around it. Prints the number of results.
"""
from __future__ import annotations

import sys

from gitworthy.pii.analyzer import get_analyzer


def main(paths: list[str]) -> int:
    engine = get_analyzer()
    found = 0
    for path in paths:
        with open(path, encoding="utf-8", errors="replace") as fh:
            text = fh.read()
        for start in range(0, len(text), 4000):
            found += len(engine.analyze(text[start:start + 4000], language="en"))
    print(found)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
