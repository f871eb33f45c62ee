"""Judges files with the checks, in this process or in worker processes, and hands the
verdicts back in the files' order, so that every `--jobs` gives the same report.

The main process lists the files and reads git blobs (one shared `git cat-file --batch`);
workers (forked on Linux) only run checks, and import what a check needs when a file needs
it. Small files are sent in chunks; a bounded number of chunks and bytes are in flight, and
verdicts judged ahead of a slow file wait for it, so memory stays bounded whatever the
repository's size.

Nothing is judged twice: when the same content comes again (one blob under several paths
or in several versions), a check that declares `reuse_key(file, options, context)` is not
run again; its verdict is re-pathed. The key names what besides the bytes the check's
judgement depends on (a suffix, a file name); None means "judge this path on its own".
Checks without `reuse_key` depend on the path itself and run for every path.
"""
from __future__ import annotations

import re
import shlex
from collections import Counter, deque
from collections.abc import Callable, Hashable, Iterator, Sequence
from pathlib import Path

from gitworthy.findings import Finding, InspectionError
from gitworthy.records import Record
from gitworthy.sources import Context, File

TYPE_CHECKING = False  # typing costs a hook's start-up 2 ms; mypy reads the block
if TYPE_CHECKING:
    from types import ModuleType
    from typing import Any

    from gitworthy.cache import Cache

    Checks = dict[str, tuple[ModuleType, dict[str, Any]]]  # check id -> (module, options)

IN_FLIGHT_PER_JOB = 4  # chunks sent per worker and not yet judged
IN_FLIGHT_BYTES = 32 * 1024 * 1024  # small blobs travel with their bytes: bound what waits
WINDOW = 1024  # files judged ahead of the first one not yet judged (their verdicts wait)
CHUNK_FILES, CHUNK_BYTES = 32, 1024 * 1024  # files sent to a worker at once: at most these
# Starting worker processes costs a fraction of a second: worth it only for many files or
# much content (a pre-commit hook's batch of a few files stays in this process).
POOL_MIN_FILES, POOL_MIN_BYTES = 16, 16 * 1024 * 1024


def cores() -> int:
    """The cores this process may run on: the default number of jobs."""
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
        os.cpu_count() or 1)


class Verdict(Record):
    """What one check said about one file."""

    def __init__(self, findings: list[Finding] | None = None, errors: list[str] | None = None,
                 internal_error: bool = False) -> None:
        self.findings: list[Finding] = [] if findings is None else findings
        self.errors: list[str] = [] if errors is None else errors  # one line each, no content
        self.internal_error = internal_error


class Judged(Record):
    """One file's verdicts, by check id, and the bytes the checks read."""

    def __init__(self, file: File, verdicts: dict[str, Verdict], bytes_read: int = 0) -> None:
        self.file = file
        self.verdicts = verdicts
        self.bytes_read = bytes_read


def judge(file: File, check_ids: Sequence[str], checks: Checks, context: Context) -> Judged:
    """Run the named checks on one file."""
    verdicts = {cid: run_check(checks[cid][0], file, checks[cid][1], context)
                for cid in check_ids}
    return Judged(file, verdicts, file.bytes_read)


def run_check(module: Any, file: File, options: dict[str, Any], context: Context) -> Verdict:
    """One check on one file; what goes wrong becomes an error line, never a traceback."""
    try:
        return Verdict(list(module.check(file, options, context)))
    except InspectionError as exc:
        return Verdict(errors=[f"{module.ID}: {exc}"])
    except OSError as exc:
        return Verdict(errors=[f"{module.ID}: cannot read file: "
                               f"{exc.strerror or type(exc).__name__}"])
    except MemoryError:
        return Verdict(errors=[f"{module.ID}: file too large to inspect"])
    except Exception as exc:  # noqa: BLE001 -- a bug in a check: say so, never print content
        where = exc.__traceback__
        while where is not None and where.tb_next is not None:
            where = where.tb_next
        line = f"{Path(where.tb_frame.f_code.co_filename).name}:{where.tb_lineno}" if where else "?"
        return Verdict(errors=[f"{module.ID}: internal error {type(exc).__name__} at {line} "
                               "(please report it; the file was not inspected)"],
                       internal_error=True)


def judge_all(tasks: Sequence[tuple[File, list[str]]], checks: Checks, context: Context,
              jobs: int = 1, cache: Cache | None = None) -> Iterator[Judged]:
    """(file, ids of the checks it needs) -> its verdicts, in the order of `tasks`. With a
    `cache`, verdicts remembered from earlier runs are reused and new ones remembered."""
    keys = _reuse_keys(tasks, checks, context)
    recalled, wanted = cache.lookup(tasks, checks, context) if cache else ({}, {})
    claimed: set[Hashable] = set()   # keys whose first file was sent to be judged
    done: dict[Hashable, tuple[str, Verdict]] = {}  # key -> (path judged, verdict)

    def to_judge(index: int) -> list[str]:
        fresh = [cid for cid in tasks[index][1]
                 if (index, cid) not in recalled and keys.get((index, cid)) not in claimed]
        claimed.update(keys[index, cid] for cid in fresh if (index, cid) in keys)
        return fresh

    for index, judged in enumerate(_ordered(tasks, to_judge, checks, context, jobs)):
        for cid in tasks[index][1]:
            key = keys.get((index, cid))
            if (index, cid) in recalled:
                judged.verdicts[cid] = recalled.pop((index, cid))
            elif cid in judged.verdicts:
                if cache and (index, cid) in wanted:
                    cache.store(wanted.pop((index, cid)), judged.file, judged.verdicts[cid])
                if key is not None:
                    done[key] = (judged.file.path, judged.verdicts[cid])
            elif key is not None:
                path, verdict = done[key]
                judged.verdicts[cid] = repath(verdict, path, judged.file.path)
        judged.verdicts = {cid: judged.verdicts[cid] for cid in tasks[index][1]}
        yield judged


def _reuse_keys(tasks: Sequence[tuple[File, list[str]]], checks: Checks,
                context: Context) -> dict[tuple[int, str], Hashable]:
    """(task index, check id) -> reuse key, for content that occurs more than once.

    Files are first grouped by size and by what else the check's verdict depends on (its
    `reuse_key`, and whether the path needs quoting); content is hashed only within a group
    of two or more, since no other file can share the key (ten thousand files of which
    many have equal sizes are not all read twice to be told apart)."""
    reusable = {cid for cid, (module, _) in checks.items() if hasattr(module, "reuse_key")}
    candidates = [i for i, (_, check_ids) in enumerate(tasks) if reusable.intersection(check_ids)]
    by_size = Counter(tasks[i][0].size for i in candidates)
    groups: dict[tuple[int, str, Hashable, bool], list[int]] = {}
    for index in candidates:
        file, check_ids = tasks[index]
        if by_size[file.size] < 2:  # a unique size is unique content
            continue
        for cid in sorted(reusable.intersection(check_ids)):
            module, options = checks[cid]
            extra = module.reuse_key(file, options, context)
            if extra is not None:  # hints quote paths: reuse only between paths quoted alike
                plain = shlex.quote(file.path) == file.path
                groups.setdefault((file.size, cid, extra, plain), []).append(index)
    ids: dict[int, str | None] = {}
    keys: dict[tuple[int, str], Hashable] = {}
    for (_, cid, extra, plain_path), members in groups.items():
        if len(members) < 2:
            continue
        for index in members:
            if index not in ids:
                try:
                    ids[index] = tasks[index][0].content_id()
                except (OSError, InspectionError):
                    ids[index] = None  # judged on its own; the check reports what it cannot read
        repeated = {c for c, n in Counter(ids[i] for i in members).items() if n > 1 and c}
        for index in members:
            if ids[index] in repeated:
                keys[index, cid] = (ids[index], cid, extra, plain_path)
    return keys


def repath(verdict: Verdict, old: str, new: str) -> Verdict:
    """A verdict on the same content under another path: findings name the new path.
    Both paths need shell quoting, or neither (see `_reuse_keys`)."""
    if old == new:
        return verdict
    quoted_old, quoted_new = shlex.quote(old), shlex.quote(new)
    bare = re.compile(rf"(?<![\w./-]){re.escape(old)}(?![\w./-])")

    def swap(text: str) -> str:
        if quoted_old != old:
            text = text.replace(quoted_old, quoted_new)
        return bare.sub(lambda _: new, text)

    return Verdict([f.replace(path=new, message=swap(f.message), hint=swap(f.hint))
                    for f in verdict.findings], list(verdict.errors), verdict.internal_error)


# --------------------------------------------------------------------------- processes

_WORKER: tuple[Checks, Context] | None = None


def _ordered(tasks: Sequence[tuple[File, list[str]]], to_judge: Callable[[int], list[str]],
             checks: Checks, context: Context, jobs: int) -> Iterator[Judged]:
    """Judge every task, in order; with jobs > 1 in a pool of worker processes, a bounded
    number of files (and of bytes sent with them) in flight."""
    total = sum(file.size for file, _ in tasks)
    if jobs <= 1 or len(tasks) < 2 or (len(tasks) < POOL_MIN_FILES and total < POOL_MIN_BYTES):
        for index, (file, _) in enumerate(tasks):
            yield judge(file, to_judge(index), checks, context)
        return
    import pickle
    from concurrent.futures import FIRST_COMPLETED, Future, wait

    pool = _pool(min(jobs, len(tasks)), checks, context)
    window: deque[tuple[File, Future[list[tuple[dict[str, Verdict], int]]], int]] = deque()
    running: dict[Future[Any], int] = {}  # sent and not yet judged -> bytes sent with it
    chunk: list[tuple[File, bytes, list[str]]] = []  # files to send together

    def send() -> None:
        future = pool.submit(_work, [payload for _, payload, _ in chunk],
                             [check_ids for _, _, check_ids in chunk])
        running[future] = sum(len(payload) for _, payload, _ in chunk)
        window.extend((file, future, position) for position, (file, _, _) in enumerate(chunk))
        chunk.clear()

    try:
        for index, (file, _) in enumerate(tasks):
            check_ids = to_judge(index)
            try:  # pickled here, not in the pool's feeder thread: cat-file is not shared
                chunk.append((file, pickle.dumps(file, protocol=pickle.HIGHEST_PROTOCOL),
                              check_ids))
            except (InspectionError, OSError):  # unreadable: judged here, the checks say why
                if chunk:
                    send()
                judged = judge(file, check_ids, checks, context)
                here: Future[list[tuple[dict[str, Verdict], int]]] = Future()
                here.set_result([(judged.verdicts, judged.bytes_read)])
                window.append((file, here, 0))
            file.release()
            # Small files travel in chunks (a task costs the pool a tenth of a millisecond,
            # more than judging a small code file); a large one, slow to judge, alone.
            if not chunk or (len(chunk) < CHUNK_FILES and index + 1 < len(tasks) and
                             sum(f.size for f, _, _ in chunk) < CHUNK_BYTES):
                continue
            send()
            # Files are judged in any order and handed back in theirs: a slow file holds
            # back the report, not the other workers (up to WINDOW files judged ahead).
            while True:
                running = {f: n for f, n in running.items() if not f.done()}
                if window and window[0][1].done():
                    yield _result(*window.popleft())
                elif len(running) < jobs * IN_FLIGHT_PER_JOB and len(window) < WINDOW and \
                        sum(running.values()) <= IN_FLIGHT_BYTES:
                    break
                else:  # the window holds every running file: it is not empty
                    wait(running, return_when=FIRST_COMPLETED)
        while window:
            yield _result(*window.popleft())
        pool.shutdown(wait=True)  # every file judged: the workers are idle and end at once
    finally:
        _stop(pool)


def _pool(workers: int, checks: Checks, context: Context) -> Any:
    """Worker processes that judge files. On Linux they are forked from this process, with
    the checks (and whatever heavy library this process already loaded) in memory they share
    until one writes to it: starting one takes milliseconds, not an interpreter's start-up and
    imports. Elsewhere (fork is unsafe on macOS, absent on Windows) they are spawned."""
    import multiprocessing
    import sys
    from concurrent.futures import ProcessPoolExecutor

    method = "fork" if sys.platform.startswith("linux") else "spawn"
    if method == "fork":
        import gc

        gc.collect()
        gc.freeze()  # objects from before the fork stay out of the workers' collections,
        # so that collecting does not write to (and copy) the pages they share
    options = [(cid, opts) for cid, (_, opts) in checks.items()]
    return ProcessPoolExecutor(workers, multiprocessing.get_context(method),
                               initializer=_start_worker, initargs=(options, context))


class WorkerLost(Exception):
    """A worker process died (killed from outside, or out of memory)."""


def _result(file: File, future: Any, position: int) -> Judged:
    from concurrent.futures import BrokenExecutor

    try:
        verdicts, bytes_read = future.result()[position]
    except BrokenExecutor:
        raise WorkerLost(f"a worker process stopped while judging {file.path} (killed, or "
                         "out of memory?): the scan is incomplete") from None
    return Judged(file, verdicts, bytes_read)


def _stop(pool: Any) -> None:
    """Stop the workers now, even in the middle of a file (an interrupted run); nothing to
    do after a clean shutdown."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    # Let the pool's manager thread finish closing its pipes before the interpreter exits
    # (it may otherwise race the exit's own wake-up call and print "Bad file descriptor").
    manager = getattr(pool, "_executor_manager_thread", None)
    if manager is not None:
        manager.join(timeout=2.0)
    import gc

    gc.unfreeze()


def _start_worker(options: list[tuple[str, dict[str, Any]]], context: Context) -> None:
    import signal

    from gitworthy.checks import load

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the main process decides what Ctrl-C does
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a forked worker inherits the scan's handler
    global _WORKER
    _WORKER = ({cid: (load(cid), opts) for cid, opts in options}, context)


def _work(payloads: list[bytes], check_ids: list[list[str]]
          ) -> list[tuple[dict[str, Verdict], int]]:
    import pickle

    assert _WORKER is not None
    verdicts = []
    for payload, ids in zip(payloads, check_ids, strict=True):
        file = pickle.loads(payload)  # our own File, from our pipe
        judged = judge(file, ids, *_WORKER)
        file.release()
        verdicts.append((judged.verdicts, judged.bytes_read))
    return verdicts
