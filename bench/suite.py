"""The benchmark suite: gitworthy side by side with the anchor tools, on one synthetic
data-science repository, in one run. Run on demand, never in CI.

    .venv/bin/python bench/suite.py [--scale small|large] [--runs 5] [--slow-runs 3]
                                    [--work DIR] [--markdown docs/benchmarks.md]

Makes (once, in --work) the repository of bench/synthetic_repo.py and a bench venv with the
anchors: pre-commit, pre-commit-hooks, picklescan, modelscan, nbstripout, nb-clean,
detect-secrets, and gitworthy itself installed from this checkout as pre-commit installs it
(a regular, not editable, install). Then, for each group, it runs every command of the group
in turn, alternating, `--runs` times (`--slow-runs` for whole-repository scans), and prints the
median wall-clock time of each and its ratio to the group's anchor (the first row). The
machines are shared and noisy: compare ratios within one run, not times between runs; the CPU
column (user + system time of the whole process tree) is steadier than wall time when other
work competes for the cores.
Peak memory is the largest proportional set size (PSS: shared pages counted once) of the
whole process tree, workers included, sampled every 20 ms.
"""
from __future__ import annotations

import argparse
import os
import platform
import shlex
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import synthetic_repo
import yaml

CHECKOUT = Path(__file__).resolve().parent.parent
ANCHORS = ["pre-commit", "pre-commit-hooks", "picklescan", "modelscan", "nbstripout",
           "nb-clean", "detect-secrets"]
HOOKS = ["check-large-files", "check-adhoc-filenames", "check-serialized-models",
         "check-secrets", "check-pii", "check-notebook-outputs", "check-local-paths"]
# As users get them: the manifest's require_serial (one process, not one per core) carries over.
SERIAL = {hook["id"] for hook in yaml.safe_load((CHECKOUT / ".pre-commit-hooks.yaml").read_text())
          if hook.get("require_serial")}
PRE_COMMIT_CONFIG = "repos:\n- repo: local\n  hooks:\n" + "".join(
    f"  - {{id: '{hook}', name: '{hook}', entry: '{hook}', language: system, "
    f"require_serial: {'true' if hook in SERIAL else 'false'}}}\n"
    for hook in ["true", *HOOKS])


@dataclass
class Row:
    label: str
    argv: list[str]
    cwd: Path
    goal: float | None = None  # the ratio to the anchor this row must stay under
    times: list[float] = field(default_factory=list)
    peak_mb: float = 0.0
    exits: set[int] = field(default_factory=set)  # 1 is a tool's "found something"
    cpu: list[float] = field(default_factory=list)  # user + system seconds, whole tree

    @property
    def median(self) -> float:
        return statistics.median(self.times)


@dataclass
class Group:
    title: str
    rows: list[Row]
    runs: int
    note: str = ""


def tree_pss_mb(pid: int) -> float:
    """Memory of a process and all its descendants, from /proc: the proportional set size
    (pages shared between the processes, such as libraries, counted once in all)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                parent = int(fh.read().rsplit(b")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(entry))
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        stack += children.get(current, [])
        try:
            with open(f"/proc/{current}/smaps_rollup", "rb") as fh:
                for line in fh:
                    if line.startswith(b"Pss:"):
                        total += int(line.split()[1])
                        break
        except OSError:
            continue
    return total / 1024


def timed(row: Row, env: dict[str, str]) -> None:
    start = time.perf_counter()
    proc = subprocess.Popen(row.argv, cwd=row.cwd, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    peak = 0.0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(0.02):
            peak = max(peak, tree_pss_mb(proc.pid))

    sampler = threading.Thread(target=sample)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)  # usage includes the waited-for descendants
    row.times.append(time.perf_counter() - start)
    proc.returncode = os.waitstatus_to_exitcode(status)
    row.exits.add(proc.returncode)
    row.cpu.append(usage.ru_utime + usage.ru_stime)
    done.set()
    sampler.join()
    row.peak_mb = max(row.peak_mb, peak)


def bench_venv(work: Path, reinstall: bool = True) -> Path:
    venv = work / "anchors"
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q"]
    if not (venv / "bin" / "nbstripout").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([*pip, *ANCHORS, str(CHECKOUT)], check=True)
    if reinstall:
        subprocess.run([*pip, "--no-deps", "--force-reinstall", str(CHECKOUT)], check=True,
                       stdout=subprocess.DEVNULL)
    return venv / "bin"


def groups(repo: Path, history_repo: Path, big_csv: Path | None, bin_: Path, runs: int,
           slow: int) -> list[Group]:
    files = subprocess.run(["git", "ls-files"], cwd=repo, capture_output=True, text=True,
                           check=True).stdout.split("\n")[:-1]
    under = lambda top, suffixes=("",): [f for f in files if f.startswith(top)  # noqa: E731
                                         and f.endswith(suffixes)]
    code20 = sorted(under("src/", (".py",)))[:20]
    models = under("models/")
    notebooks = under("notebooks/", (".ipynb",))
    secrets_sample = sorted(under("src/pkg_0/")) + under("configs/")
    data = under("data/raw/") + under("data/json/")
    gw, jobs = str(bin_ / "gitworthy"), str(len(os.sched_getaffinity(0)))
    report = ["--progress", "never", "--format", "json", "--output", os.devnull]
    scan = [gw, "scan", "--no-cache", *report]
    read_floor = ["bash", "-c", "git ls-files -z | xargs -0 cat > /dev/null"]
    pre_commit = [str(bin_ / "pre-commit"), "run", "-c", ".bench-pre-commit.yaml"]
    out = [
        Group("scan --all, every check", [
            Row("read floor: git ls-files -z | xargs -0 cat", read_floor, repo),
            Row("gitworthy scan --all --jobs 1", [*scan, "--all", "--jobs", "1"], repo),
            Row(f"gitworthy scan --all --jobs {jobs}", [*scan, "--all"], repo,
                goal=100.0 if len(files) < 1000 else 30.0),
            *cached_scans(gw, report, ["--all", "--jobs", "1"], repo),
        ], slow),
        Group("a commit of 20 code files, through pre-commit", [
            Row("pre-commit, a trivial hook (the framework's floor)",
                [*pre_commit, "true", "--files", *code20], repo),
            *(Row(hook, [*pre_commit, hook, "--files", *code20], repo, goal=1.5)
              for hook in HOOKS),
        ], runs),
        Group(f"large files, all {len(files)} tracked files", [
            Row("pre-commit-hooks check-added-large-files --enforce-all",
                [str(bin_ / "check-added-large-files"), "--enforce-all", *files], repo),
            Row("gitworthy check-large-files", [str(bin_ / "check-large-files"), *files], repo,
                goal=1.5),
        ], runs),
        Group(f"serialized models, {len(models)} files in models/", [
            Row("picklescan -p models", [str(bin_ / "picklescan"), "-p", "models"], repo),
            Row("modelscan -p models", [str(bin_ / "modelscan"), "-p", "models"], repo),
            Row("gitworthy check-serialized-models",
                [str(bin_ / "check-serialized-models"), *models], repo, goal=1.5),
        ], runs),
        Group(f"notebook outputs, {len(notebooks)} notebooks", [
            Row("nbstripout --verify", [str(bin_ / "nbstripout"), "--verify", *notebooks],
                repo),
            Row("nb-clean check", [str(bin_ / "nb-clean"), "check", *notebooks], repo),
            Row("gitworthy check-notebook-outputs",
                [str(bin_ / "check-notebook-outputs"), *notebooks], repo, goal=1.0),
        ], runs),
        Group(f"secrets, a sample of {len(secrets_sample)} code and config files", [
            Row("detect-secrets-hook", [str(bin_ / "detect-secrets-hook"), *secrets_sample],
                repo),
            Row("gitworthy check-secrets", [str(bin_ / "check-secrets"), *secrets_sample],
                repo),
        ], runs),
        Group(f"personal data, {len(data)} small data files", [
            Row("naive presidio analyze() loop",
                [str(bin_ / "python"), str(CHECKOUT / "bench" / "naive_presidio.py"), *data],
                repo),
            Row("gitworthy check-pii", [str(bin_ / "check-pii"), *data], repo),
        ], slow),
        Group("--history over 1,000 more commits", [
            Row("git rev-list --objects --all | git cat-file --batch",
                ["bash", "-c", "git rev-list --objects --all | cut -d' ' -f1 | "
                 "git cat-file --batch > /dev/null"], history_repo),
            Row("gitworthy scan --history --jobs 1",
                [*scan, "--history", "--jobs", "1"], history_repo),
            Row(f"gitworthy scan --history --jobs {jobs}", [*scan, "--history"],
                history_repo),
            *cached_scans(gw, report, ["--history", "--jobs", "1"], history_repo),
            Row("gitworthy scan --jobs 1 of the distinct blobs, written out as files",
                [*scan, "--jobs", "1", "."], distinct_blobs(history_repo)),
        ], slow, note="goal: history --jobs 1 at most 3x the anchor plus the last row"),
    ]
    if big_csv is not None:
        out.append(Group(f"one CSV of {big_csv.stat().st_size // 1048576} MB", [
            Row("cat", ["cat", str(big_csv)], big_csv.parent),
            Row("gitworthy scan big.csv", [*scan, str(big_csv)], big_csv.parent),
        ], slow))
    return out


def cached_scans(gw: str, report: list[str], argv: list[str], repo: Path) -> list[Row]:
    """A scan with the result cache emptied first (judge and store), then the same scan
    again (every content verdict from the cache): they run in turn, so the second is warm."""
    cache = ["--cache-dir", str(repo.parent / f"result-cache-{repo.name}")]
    cold = shlex.join(["rm", "-rf", cache[1]]) + " && exec " + shlex.join(
        [gw, "scan", *cache, *report, *argv])
    shown = " ".join(argv)
    return [Row(f"gitworthy scan {shown}, result cache emptied first", ["bash", "-c", cold],
                repo),
            Row(f"gitworthy scan {shown}, warm result cache", [gw, "scan", *cache, *report,
                                                               *argv], repo)]


def distinct_blobs(repo: Path) -> Path:
    """Every blob of the history once, under its first path's file name, as plain files
    (what judging the distinct blobs costs without any history machinery)."""
    target = repo.parent / "distinct-blobs"
    if target.is_dir():
        return target
    listing = subprocess.run(["git", "rev-list", "--objects", "--all"], cwd=repo,
                             capture_output=True, check=True).stdout.decode().splitlines()
    named = {line.split(" ", 1)[0]: line.split(" ", 1)[1] for line in listing if " " in line}
    kinds = subprocess.run(["git", "cat-file", "--batch-check"], cwd=repo, check=True,
                           input="\n".join(named).encode(), capture_output=True).stdout
    for line in kinds.decode().splitlines():
        sha, kind, _ = line.split()
        if kind == "blob":
            path = target / sha[:2] / sha / named[sha].rsplit("/", 1)[-1]
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(subprocess.run(["git", "cat-file", "blob", sha], cwd=repo,
                                            capture_output=True, check=True).stdout)
    return target


def table(all_groups: list[Group]) -> str:
    lines = ["| group | command | median | ratio to anchor | goal | CPU (ratio) | peak memory "
             "| exit |", "|---|---|---:|---:|---|---:|---:|---|"]
    for group in all_groups:
        anchor = group.rows[0].median
        anchor_cpu = statistics.median(group.rows[0].cpu)
        for row in group.rows:
            ratio = row.median / anchor if anchor else float("inf")
            cpu = statistics.median(row.cpu)
            cpu_ratio = f"{cpu / anchor_cpu:.2f}x" if anchor_cpu else "-"
            goal = ""
            if row.goal is not None:
                goal = f"≤ {row.goal:g}x: {'reached' if ratio <= row.goal else 'missed'}"
            label = row.label.replace("|", "\\|")
            lines.append(f"| {group.title} | {label} | {row.median:.3f} s | "
                         f"{ratio:.2f}x | {goal} | {cpu:.3f} s ({cpu_ratio}) | "
                         f"{row.peak_mb:.0f} MB | "
                         f"{','.join(map(str, sorted(row.exits)))} |")
        if group.note:
            lines.append(f"| {group.title} | *{group.note}* | | | | | | |")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=synthetic_repo.SCALES, default="small")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--slow-runs", type=int, default=3)
    parser.add_argument("--work", type=Path,
                        default=Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
                        / "gitworthy-bench")
    parser.add_argument("--big-csv-mb", type=int, default=0,
                        help="also scan one CSV of this size (1024 for the memory bound)")
    parser.add_argument("--keep-install", action="store_true",
                        help="measure the gitworthy already in the bench venv")
    parser.add_argument("--only", help="run only the groups whose title contains this")
    parser.add_argument("--markdown", type=Path, help="also write the table to this file")
    args = parser.parse_args()

    args.work.mkdir(parents=True, exist_ok=True)
    bin_ = bench_venv(args.work, not args.keep_install)
    repo = synthetic_repo.make(args.work / args.scale / "repo", args.scale)
    history_repo = synthetic_repo.make(args.work / args.scale / "history", args.scale, 1000)
    big = None
    if args.big_csv_mb:
        synthetic_repo.make(repo, args.scale, csv_mb=args.big_csv_mb)
        big = repo.parent / "big.csv"
    for root in (repo, history_repo):
        (root / ".bench-pre-commit.yaml").write_text(PRE_COMMIT_CONFIG)
        subprocess.run(["git", "update-index", "--add", ".bench-pre-commit.yaml"], cwd=root,
                       check=True)  # pre-commit refuses an unstaged configuration
    env = {**os.environ, "PATH": f"{bin_}{os.pathsep}{os.environ['PATH']}",
           "PRE_COMMIT_HOME": str(args.work / "pre-commit-cache"),
           "GITWORTHY_CACHE_KEY": os.urandom(32).hex()}  # the result-cache rows, even in CI
    env.pop("GITWORTHY_NO_CACHE", None)
    chosen = [g for g in groups(repo, history_repo, big, bin_, args.runs, args.slow_runs)
              if not args.only or args.only in g.title]
    for group in chosen:
        print(f"{group.title}: {group.runs} runs, alternating", file=sys.stderr)
        for _ in range(group.runs):
            for row in group.rows:
                timed(row, env)
    command = "python bench/suite.py " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    tracked = subprocess.run(["git", "ls-files"], cwd=repo, capture_output=True, check=True)
    header = (f"`{command}` on {platform.machine()}, {os.cpu_count()} cores, Python "
              f"{platform.python_version()}; {args.scale} repository "
              f"({len(tracked.stdout.splitlines())} files); medians of alternating runs.\n\n")
    result = header + table(chosen)
    print(result)
    if args.markdown:
        args.markdown.write_text(result, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
