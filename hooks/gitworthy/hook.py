"""A check's face as a pre-commit hook: its command line, and a run over the named files
printed as text. The engine returns reports; this module renders them."""
from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from gitworthy import git
from gitworthy.checks import load
from gitworthy.config import FAIL_ON, SEVERITIES, ConfigError, load_config, typed
from gitworthy.engine import EXIT_ERROR, load_baseline, scan
from gitworthy.report import text
from gitworthy.sources import from_paths


def hook_parser(check_id: str) -> argparse.ArgumentParser:
    """The hook's command line: file names, --config/--baseline/--fail-on, and every option
    of the check as a flag (`max-kb` -> `--max-kb`). A hook may add flags of its own."""
    module = load(check_id)
    parser = argparse.ArgumentParser(prog=check_id, description=module.__doc__)
    parser.add_argument("filenames", nargs="*")
    parser.add_argument("--config", help="configuration file (default: .gitworthy.toml or "
                                         "pyproject.toml at the repository root)")
    parser.add_argument("--baseline", help="baseline file of accepted findings")
    parser.add_argument("--fail-on", choices=FAIL_ON)
    parser.add_argument("--severity", choices=SEVERITIES)
    for name, default in module.OPTIONS.items():
        flag = f"--{name}"
        if isinstance(default, bool):
            parser.add_argument(flag, action=argparse.BooleanOptionalAction, default=None)
        elif isinstance(default, list):
            parser.add_argument(flag, action="append", metavar="PATTERN")
        elif name in getattr(module, "CHOICES", {}):
            parser.add_argument(flag, choices=module.CHOICES[name])
        elif isinstance(default, dict):
            parser.add_argument(flag, action="append", metavar="PATTERN=N")
        else:
            parser.add_argument(flag, type=type(default) if default != "" else str,
                                metavar=name.upper().replace("-", "_"))
    return parser


def run_hook(check_id: str, argv: Sequence[str] | None = None,
             args: argparse.Namespace | None = None) -> int:
    """A check as a pre-commit hook: judge the named files, print text, return the exit code.
    Flags override the configuration. `args`: already parsed by `hook_parser`."""
    module = load(check_id)
    if args is None:
        args = hook_parser(check_id).parse_args(argv)
    text.safe_output()

    try:
        root = git.toplevel(Path.cwd())
        config = load_config(args.config, root)
        section = config.sections.setdefault(check_id, {})
        for name, default in {**module.OPTIONS, "severity": ""}.items():
            value = getattr(args, name.replace("-", "_"))
            if value is not None:
                section[name] = typed(value, default, f"{check_id} --{name}")
        if args.fail_on:
            config.fail_on = args.fail_on
        baseline_path = args.baseline or config.baseline
        baseline = load_baseline(baseline_path) if baseline_path else None
    except ConfigError as exc:
        print(f"{check_id}: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    report = scan(from_paths(args.filenames), [check_id], config, baseline)
    output = text.render(report, config.fail_on, color=sys.stdout.isatty())
    if report.findings or report.errors:
        sys.stdout.write(output)
    return report.exit_code(config.fail_on)
