"""Coverage-guided fuzz target (atheris) for the pickle walker and the model sniffers.

Run on demand, never in CI:

    pip install atheris
    python tests/fuzz/fuzz_pickles.py -max_total_time=600 -max_len=4096 CORPUS_DIR

Any exception other than InspectionError from `modelformats.detect`, or any exception from
`pickles.walk` / `pickles.probe`, is a bug (the walker reports bad input in `scan.error`).

Seed corpus: the cases of tests/peer_cases.py under 4 KiB plus a benign pickle (170 files).
Runs so far (a shared 2-core machine, about 200-250 executions/s once instrumented):
- run 1: a zip member with an empty name crashed `ZipInfo.is_dir()` (IndexError) after about
  600 executions; fixed (members are filtered on the name).
- run 2: a central directory whose offsets put a local header before the start of the file
  made `seek` fail (ValueError) after about 700 executions; fixed (such members are read
  through zipfile, which reports them).
- run 3: 137,000 executions in about 9 minutes, coverage 3,103 edges, no crash.
Both findings are regression tests in tests/properties_test.py.
"""
from __future__ import annotations

import contextlib
import io
import sys

from gitworthy import modelformats, pickles
from gitworthy.findings import InspectionError
from gitworthy.sources import File


class Memory(File):
    def __init__(self, data: bytes) -> None:
        self.path, self.size, self._data = "blob", len(data), data

    def _open(self) -> io.BytesIO:  # type: ignore[override]
        return io.BytesIO(self._data)


def one_input(data: bytes) -> None:
    pickles.probe(data)
    scan = pickles.walk(data, limit=1 << 20)
    assert scan.opcodes <= len(data) + 1
    with contextlib.suppress(InspectionError):
        modelformats.detect(Memory(data), 1 << 20)


def main() -> None:
    import atheris

    with atheris.instrument_imports():
        pass  # gitworthy is imported above: instrument it explicitly
    atheris.instrument_all()
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
