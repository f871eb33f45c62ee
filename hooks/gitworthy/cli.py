"""The `gitworthy` command: scan, baseline, explain, init, history, ci, demo."""
from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from gitworthy import __version__, git
from gitworthy.checks import CHECKS, all_rules
from gitworthy.config import ConfigError
from gitworthy.engine import EXIT_ERROR, EXIT_OK, Report, scan, write_baseline
from gitworthy.findings import Rule
from gitworthy.progress import Progress
from gitworthy.runner import cores
from gitworthy.sources import Source

if TYPE_CHECKING:
    from gitworthy.cache import Cache

FORMATS = ("text", "json", "sarif", "markdown", "github", "gitlab", "junit")
DEFAULT_BASELINE = ".gitworthy-baseline.json"


def _scan_options(parser: argparse.ArgumentParser) -> None:
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--staged", action="store_true",
                      help="the staged content, read from the index")
    mode.add_argument("--diff", metavar="BASE[...HEAD]",
                      help="files changed in a range, content at its head")
    mode.add_argument("--all", action="store_true", help="all tracked files")
    mode.add_argument("--history", action="store_true",
                      help="every blob ever committed, with the commit that added it")
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="files or directories (default: .); directories respect .gitignore")
    parser.add_argument("--check", action="append", metavar="ID", choices=list(CHECKS),
                        help="run only this check (repeatable)")
    parser.add_argument("--config", metavar="FILE", help="configuration file")
    parser.add_argument("--baseline", metavar="FILE", help="baseline of accepted findings")
    parser.add_argument("--fail-on", choices=("error", "warning", "never"))
    parser.add_argument("--policy-ref", metavar="REV",
                        help="read the configuration, .gitworthyignore and baselines as they "
                             "are at REV (a pull request's base), not in the working tree")
    parser.add_argument("--jobs", "-j", type=_jobs, default=cores(), metavar="N",
                        help="judge files in N processes (default: the number of cores)")
    parser.add_argument("--progress", choices=("auto", "always", "never"), default="auto",
                        help="progress on stderr: auto (a live line on a terminal after 2 s, "
                             "a line every 30 s in logs), always, never")
    parser.add_argument("--no-cache", action="store_true",
                        help="judge every file again, without the result cache")
    parser.add_argument("--cache-dir", metavar="DIR",
                        help="the result cache's folder (default: $XDG_CACHE_HOME/gitworthy "
                             "or ~/.cache/gitworthy)")
    parser.add_argument("--cache-stats", action="store_true",
                        help="say on stderr how many verdicts came from the cache")


def _jobs(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"expected a number of processes (1 or more), got "
                                         f"{value!r}")
    return int(value)


def output_format(value: str) -> tuple[str, str]:
    """`FORMAT=FILE` of --output-format."""
    fmt, sep, path = value.partition("=")
    if not sep or not path or fmt not in FORMATS:
        raise argparse.ArgumentTypeError(
            f"expected FORMAT=FILE with FORMAT one of {', '.join(FORMATS)}, not {value!r}")
    return fmt, path


def _output_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=FORMATS, default="text")
    parser.add_argument("--output", metavar="FILE", help="write the report to FILE")
    parser.add_argument("--output-format", action="append", type=output_format, default=[],
                        metavar="FORMAT=FILE",
                        help="also write the report in FORMAT to FILE (repeatable: one scan, "
                             "several reports)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gitworthy",
        description="Keep data sets, models, PII, secrets and ad-hoc copies out of git.")
    parser.add_argument("--version", action="version", version=f"gitworthy {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    scan_cmd = commands.add_parser("scan", help="scan files and report findings")
    _scan_options(scan_cmd)
    _output_options(scan_cmd)

    baseline_cmd = commands.add_parser(
        "baseline", help="record the current findings as accepted (scan options apply)")
    _scan_options(baseline_cmd)
    baseline_cmd.add_argument("--output", metavar="FILE",
                              help=f"baseline file to write (default: {DEFAULT_BASELINE})")

    explain_cmd = commands.add_parser("explain", help="a rule's documentation")
    explain_cmd.add_argument("rule", nargs="?", help="rule or check id (none: list them)")
    explain_cmd.add_argument("--table", action="store_true",
                             help="every rule as a Markdown table (the README's rule table)")

    init_cmd = commands.add_parser(
        "init", help="set this repository up: hooks, .gitignore, LFS, config, baseline")
    init_cmd.add_argument("--hook", action="append", metavar="ID", choices=list(CHECKS),
                          help="hooks to add (repeatable; default: all)")
    init_cmd.add_argument("--rev", help="the gitworthy revision to pin (default: this version)")
    init_cmd.add_argument("--repo-url", help="where the hooks come from (a fork or a mirror)")
    init_cmd.add_argument("--no-baseline", action="store_true",
                          help="do not accept today's findings in a baseline")
    init_cmd.add_argument("--no-install", action="store_true",
                          help="do not run `pre-commit install`")
    init_cmd.add_argument("--workflow", action="store_true",
                          help="also write a GitHub workflow that runs the Action")
    init_cmd.add_argument("--lfs", action="store_true",
                          help="route the data and model formats present to Git LFS")
    init_cmd.add_argument("--dry-run", action="store_true",
                          help="print every change as a diff and write nothing")

    history_cmd = commands.add_parser(
        "history", help="what weighs the history down, and a plan to purge it")
    history_cmd.add_argument("--top", type=int, default=20, help="paths to list (default 20)")
    history_cmd.add_argument("--min-kb", type=int, default=500,
                             help="list paths whose versions weigh at least this (default 500)")
    history_cmd.add_argument("--format", choices=("text", "json"), default="text")
    history_cmd.add_argument("--no-scan", action="store_true",
                             help="do not look for secrets and personal data (faster)")

    report_cmd = commands.add_parser("report", help="work with reports already written")
    report_actions = report_cmd.add_subparsers(dest="action", required=True)
    merge_cmd = report_actions.add_parser(
        "merge", help="many repositories' JSON or SARIF reports as one table")
    merge_cmd.add_argument("files", nargs="+", metavar="FILE")
    merge_cmd.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    merge_cmd.add_argument("--output", metavar="FILE", help="write the table to FILE")

    ci_cmd = commands.add_parser(
        "ci", help="the right scan for the CI system this runs in (merge request, push)")
    ci_cmd.add_argument("--base", metavar="REV",
                        help="scan what HEAD adds since REV, with the policy read at REV "
                             "(for a CI system gitworthy does not recognise)")
    ci_cmd.add_argument("--check", action="append", metavar="ID", choices=list(CHECKS),
                        help="run only this check (repeatable)")
    ci_cmd.add_argument("--config", metavar="FILE", help="configuration file")
    ci_cmd.add_argument("--fail-on", choices=("error", "warning", "never"))
    _output_options(ci_cmd)

    demo_cmd = commands.add_parser(
        "demo", help="make a small repository full of anti-patterns and scan it")
    demo_cmd.add_argument("directory", nargs="?", help="where to make it (default: a temp dir)")
    return parser


def _source(args: argparse.Namespace) -> Source:
    from gitworthy import sources

    if args.paths and (args.staged or args.diff or args.all or args.history):
        raise ConfigError("give either paths or one of --staged, --diff, --all, --history")
    if args.staged:
        return sources.staged()
    if args.diff:
        return sources.diff(args.diff)
    if args.all:
        return sources.tracked()
    if args.history:
        return sources.history()
    return sources.from_paths(args.paths or ["."])


def run_scan(args: argparse.Namespace, use_baseline: bool = True,
             bind: bool = False) -> tuple[Report, str]:
    """The scan that parsed `scan` arguments ask for: its Report and the fail-on in force."""
    from gitworthy import policy

    chosen = policy.load(git.toplevel(Path.cwd()), args.policy_ref, args.config,
                         args.baseline, use_baseline)
    config = chosen.config
    if args.fail_on:
        config.fail_on = args.fail_on
    source = _source(args)
    source.context.policy_ref = chosen.ref
    cache = _cache(args)
    progress = Progress(sys.stderr, args.progress)
    try:
        report = scan(source, args.check or config.checks, config, chosen.baseline,
                      jobs=args.jobs, progress=progress, bind=bind, cache=cache)
    finally:
        progress.close()
    if cache is not None:
        cache.close()
        if args.cache_stats:
            print(cache.summary(), file=sys.stderr)
    if report.incomplete:
        print(f"gitworthy: interrupted after {report.files} of {len(source.files)} files: "
              "the report below is incomplete", file=sys.stderr)
    return report, config.fail_on


def _cache(args: argparse.Namespace) -> Cache | None:
    """The result cache of a scan (gitworthy.cache), or None: `--no-cache`, switched off,
    or unusable (said in one line on stderr)."""
    if args.no_cache:
        return None
    import os

    from gitworthy.cache import CacheUnavailable, open_cache

    try:
        return open_cache(args.cache_dir, os.environ)
    except CacheUnavailable as exc:
        print(f"gitworthy: {exc}", file=sys.stderr)
        return None


def _terminate_as_interrupt() -> None:
    """SIGTERM (a CI job's timeout) ends a scan like Ctrl-C: with the report so far."""
    import signal

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)


def render(report: Report, fmt: str, fail_on: str, color: bool = False) -> str:
    """The report in one of FORMATS."""
    from importlib import import_module

    if fmt == "text":
        from gitworthy.report import text

        return text.render(report, fail_on, color=color)
    return import_module(f"gitworthy.report.{fmt}").render(report, fail_on)


def write_reports(report: Report, args: argparse.Namespace, fail_on: str,
                  to_stdout: bool = True) -> None:
    """The report in `--format` (to `--output`, or to stdout unless not `to_stdout`), and in
    every `--output-format`."""
    for fmt, path in args.output_format:
        _write(Path(path), render(report, fmt, fail_on))
    to_terminal = not args.output and sys.stdout.isatty()
    output = render(report, args.format, fail_on, color=to_terminal)
    if args.output:
        _write(Path(args.output), output)
        if args.format != "text":
            from gitworthy.report.text import summary

            print(summary(report, fail_on), file=sys.stderr)
    elif to_stdout:
        sys.stdout.write(output)


def _write(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", errors="backslashreplace")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot write the report: "
                          f"{exc.strerror or type(exc).__name__}") from None


def cmd_scan(args: argparse.Namespace) -> int:
    report, fail_on = run_scan(args)
    write_reports(report, args, fail_on)
    return report.exit_code(fail_on)


def cmd_baseline(args: argparse.Namespace) -> int:
    report, _ = run_scan(args, use_baseline=False, bind=True)
    if report.incomplete:
        return EXIT_ERROR  # a baseline of part of the findings would hide the rest later
    target = args.output or args.baseline or DEFAULT_BASELINE
    write_baseline(target, report.findings, report.errors, report.bindings)
    blobs = len({e.blob for e in report.errors if e.blob})
    accepted = f" and {blobs} file version(s) that could not be inspected (by blob)" if (
        blobs) else ""
    print(f"gitworthy: wrote {len(report.findings)} accepted findings{accepted} to {target}; "
          f"use it with `gitworthy scan --baseline {target}` or `baseline = \"{target}\"` "
          "in [tool.gitworthy]")
    for error in report.errors:
        if not error.blob:
            print(f"{error.path}: could not inspect: {error.message}", file=sys.stderr)
    return EXIT_OK if not report.internal_error else EXIT_ERROR


def rules_table(rules: Iterable[Rule]) -> str:
    """The README's rule table, from the rules' own documentation."""
    lines = ["| Hook | Rule | Severity | What it blocks |", "|---|---|---|---|"]
    lines += [f"| `{r.check}` | `{r.id}` | {r.severity.value} | {r.summary} |" for r in rules]
    return "\n".join(lines) + "\n"


def cmd_explain(args: argparse.Namespace) -> int:
    rules = all_rules()
    if args.table:
        print(rules_table(rules.values()), end="")
        return EXIT_OK
    if not args.rule:
        for check_id in CHECKS:
            print(check_id)
            for rule in rules.values():
                if rule.check == check_id:
                    print(f"  {rule.id:<28} {rule.summary}")
        print("\nSee one with: gitworthy explain RULE")
        return EXIT_OK
    chosen = [r for r in rules.values() if args.rule in (r.id, r.check)]
    if not chosen:
        print(f"gitworthy: error: no rule or check named {args.rule!r} "
              "(list them: gitworthy explain)", file=sys.stderr)
        return EXIT_ERROR
    print("\n\n".join(rule.explain() for rule in chosen), end="")
    return EXIT_OK


def cmd_init(args: argparse.Namespace) -> int:
    from gitworthy.init import UPSTREAM, InitError, init

    try:
        steps = init(args.repo_url or UPSTREAM, args.rev, args.hook,
                     baseline=not args.no_baseline, install=not args.no_install,
                     workflow=args.workflow, lfs=args.lfs, dry_run=args.dry_run)
    except InitError as exc:
        print(f"gitworthy: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    for step in steps:
        print(step if step.startswith(("---", "/dev/null")) else f"gitworthy init: {step}")
    return EXIT_OK


def cmd_history(args: argparse.Namespace) -> int:
    from gitworthy.history import render as render_history
    from gitworthy.history import render_json, weigh

    weights = weigh(sensitive=not args.no_scan)
    if args.format == "json":
        import json

        print(json.dumps(render_json(weights, args.top, args.min_kb), indent=2))
    else:
        print(render_history(weights, args.top, args.min_kb), end="")
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    from gitworthy.report import merge

    output = merge.render(merge.merge([Path(f) for f in args.files]), args.format)
    if args.output:
        Path(args.output).write_text(output, encoding="utf-8")
    else:
        sys.stdout.write(output)
    return EXIT_OK


def cmd_ci(args: argparse.Namespace) -> int:
    import os
    from contextlib import nullcontext

    from gitworthy import ci

    system = ci.detect(os.environ)
    annotations = args.format == "github" and not args.output  # they must stay commands
    with system.commands_off() if system else nullcontext():
        try:
            chosen = ci.plan(os.environ, args.base)
        except ci.CIError as exc:
            print(f"gitworthy ci: error: {exc}", file=sys.stderr)
            return EXIT_ERROR
        for line in (f"{chosen.system}: scanning {chosen.describe}", *chosen.notes,
                     f"policy: {chosen.policy_note}",
                     f"the same on your machine: {chosen.reproduce()}"):
            print(f"gitworthy ci: {line}", file=sys.stderr, flush=True)
        argv = ["scan", *chosen.scan_args]
        if chosen.policy_ref:
            argv += ["--policy-ref", chosen.policy_ref]
        for check in args.check or ():
            argv += ["--check", check]
        if args.config:
            argv += ["--config", args.config]
        if args.fail_on:
            argv += ["--fail-on", args.fail_on]
        report, fail_on = run_scan(build_parser().parse_args(argv))
        write_reports(report, args, fail_on, to_stdout=not annotations)
    if annotations:
        sys.stdout.write(render(report, "github", fail_on))
    return report.exit_code(fail_on)


def cmd_demo(args: argparse.Namespace) -> int:
    from gitworthy.demo import make_demo_repo

    directory = make_demo_repo(Path(args.directory) if args.directory else None)
    print(f"gitworthy demo: a data-science repository with its anti-patterns staged, in "
          f"{directory}\n$ gitworthy scan --staged\n")
    import os

    os.chdir(directory)
    scan_args = build_parser().parse_args(["scan", "--staged"])
    code = cmd_scan(scan_args)
    print(f"\n(exit code {code}: a commit with these files would be blocked)")
    return EXIT_OK if code == 1 else EXIT_ERROR


def main(argv: Sequence[str] | None = None) -> int:
    from gitworthy.report.text import safe_output

    safe_output()
    args = build_parser().parse_args(argv)
    if args.command in ("scan", "baseline", "ci"):
        _terminate_as_interrupt()
    handler = {"scan": cmd_scan, "baseline": cmd_baseline, "explain": cmd_explain,
               "init": cmd_init, "history": cmd_history, "report": cmd_report,
               "demo": cmd_demo, "ci": cmd_ci}[args.command]
    try:
        return handler(args)
    except (ConfigError, git.GitError) as exc:
        print(f"gitworthy: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("gitworthy: interrupted", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:
        return EXIT_ERROR


if __name__ == "__main__":
    raise SystemExit(main())
