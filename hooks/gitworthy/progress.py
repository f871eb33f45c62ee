"""Progress of a long scan on stderr: a live line on a terminal once a run has taken two
seconds, and a plain line every 30 seconds in a log (CI, or stderr redirected)."""
from __future__ import annotations

import os
import time
from typing import TextIO

LIVE_DELAY, LIVE_EVERY, LOG_EVERY = 2.0, 0.1, 30.0


class Progress:
    """Called after each file with (files done, files in all, the file's path)."""

    def __init__(self, stream: TextIO, mode: str = "auto") -> None:
        self.stream = stream
        self.live = stream.isatty()
        self.delay = 0.0 if mode == "always" else LIVE_DELAY if self.live else LOG_EVERY
        self.every = LIVE_EVERY if self.live else 0.0 if mode == "always" else LOG_EVERY
        self.enabled = mode != "never"
        self.started = self.last = time.monotonic()
        self.shown = False

    def __call__(self, done: int, total: int, path: str) -> None:
        now = time.monotonic()
        if not self.enabled or now - self.started < self.delay or (
                self.shown and now - self.last < self.every):
            return
        self.last, self.shown = now, True
        safe = "".join(c if c.isprintable() else "?" for c in path)
        line = f"gitworthy: {done}/{total} files, {now - self.started:.0f}s elapsed, {safe}"
        if self.live:
            width = _columns() - 1
            self.stream.write(f"\r{line[:width]}\033[K")
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def close(self) -> None:
        """Clear the live line before the report is printed."""
        if self.live and self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()


def _columns() -> int:
    try:
        return os.get_terminal_size(2).columns
    except OSError:
        return 80
