"""Configuration: `[tool.gitworthy]` in pyproject.toml or `.gitworthy.toml` (same keys).

    [tool.gitworthy]
    exclude = ["tests/fixtures/**"]      # gitignore-style patterns, for every check
    fail-on = "error"                    # error | warning | never
    baseline = ".gitworthy-baseline.json"
    checks = ["check-large-files"]       # which checks `gitworthy scan` runs (default: all)

    [tool.gitworthy.check-large-files]
    max-kb = 1000                        # the check's own options
    severity = "warning"                 # every check: severity, exclude, enabled

Unknown keys, values of the wrong type and broken TOML are errors that name the file and key.
"""
from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from pathlib import Path

from gitworthy.checks import CHECKS, load
from gitworthy.records import Record

TYPE_CHECKING = False  # typing costs a hook's start-up 2 ms; mypy reads the block
if TYPE_CHECKING:
    from typing import Any

FAIL_ON = ("error", "warning", "never")
SEVERITIES = ("critical", "error", "warning")
COMMON_CHECK_KEYS: dict[str, Any] = {"severity": "", "exclude": [], "enabled": True}
TOP_KEYS: dict[str, Any] = {"exclude": [], "fail-on": "error", "baseline": "", "checks": []}


class ConfigError(Exception):
    """Bad configuration: one line that names the file and the key."""


class Config(Record):
    """The merged configuration of one run."""

    def __init__(self, source: str = "defaults", exclude: list[str] | None = None,
                 fail_on: str = "error", baseline: str = "", checks: list[str] | None = None,
                 sections: dict[str, dict[str, Any]] | None = None) -> None:
        self.source = source
        self.exclude: list[str] = [] if exclude is None else exclude
        self.fail_on = fail_on
        self.baseline = baseline
        self.checks: list[str] = list(CHECKS) if checks is None else checks
        self.sections: dict[str, dict[str, Any]] = {} if sections is None else sections

    def options(self, check_id: str) -> dict[str, Any]:
        """A check's options: its defaults, then the config file's section."""
        module = load(check_id)
        return {**COMMON_CHECK_KEYS, **module.OPTIONS, **self.sections.get(check_id, {})}


def typed(value: Any, default: Any, where: str) -> Any:
    """`value` if it has the type of `default`; otherwise a ConfigError naming `where`.
    A table of whole numbers may come from the command line as `KEY=N` strings."""
    if isinstance(default, dict):
        if isinstance(value, list):  # hook flags: --limits '*.png=200'
            pairs = [v.rpartition("=") for v in value if isinstance(v, str)]
            if len(pairs) != len(value) or any(not key or not sep for key, sep, _ in pairs):
                raise ConfigError(f"{where} must be KEY=NUMBER, not {value!r}")
            try:
                value = {key: int(number) for key, _, number in pairs}
            except ValueError:
                raise ConfigError(f"{where} must be KEY=NUMBER, not {value!r}") from None
        if not isinstance(value, dict) or not all(
                isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool) and v >= 0
                for k, v in value.items()):
            raise ConfigError(f"{where} must be a table of whole numbers >= 0, not {value!r}")
        return value
    if isinstance(default, bool):
        ok = isinstance(value, bool)
    elif isinstance(default, (int, float)):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0
        if ok and isinstance(default, int) and not isinstance(value, int):
            ok = False
    elif isinstance(default, list):
        ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
    else:
        ok = isinstance(value, str)
    if not ok:
        kind = {bool: "true or false", int: "a whole number >= 0", float: "a number >= 0",
                list: "a list of strings", str: "a string"}[type(default)]
        raise ConfigError(f"{where} must be {kind}, not {value!r}")
    return value


def parse(table: Mapping[str, Any], source: str, prefix: str = "") -> Config:
    """Validate one configuration table (the body of [tool.gitworthy])."""
    config = Config(source=source)
    for key, value in table.items():
        where = f"{source}: {prefix}{key}"
        if key in CHECKS:
            if not isinstance(value, dict):
                raise ConfigError(f"{where} must be a table ([{prefix}{key}])")
            known = {**COMMON_CHECK_KEYS, **load(key).OPTIONS}
            section = {}
            for option, option_value in value.items():
                if option not in known:
                    raise ConfigError(f"{where}.{option}: unknown key "
                                      f"(known: {', '.join(sorted(known))})")
                section[option] = typed(option_value, known[option], f"{where}.{option}")
            for option, values in getattr(load(key), "CHOICES", {}).items():
                if option in section and section[option] not in values:
                    raise ConfigError(f"{where}.{option} must be one of {', '.join(values)}, "
                                      f"not {section[option]!r}")
            if section.get("severity", "") not in ("", *SEVERITIES):
                raise ConfigError(f"{where}.severity must be one of {', '.join(SEVERITIES)}")
            config.sections[key] = section
        elif key in TOP_KEYS:
            value = typed(value, TOP_KEYS[key], where)
            if key == "fail-on" and value not in FAIL_ON:
                raise ConfigError(f"{where} must be one of {', '.join(FAIL_ON)}, not {value!r}")
            if key == "checks":
                for check_id in value:
                    if check_id not in CHECKS:
                        raise ConfigError(f"{where}: unknown check {check_id!r} "
                                          f"(known: {', '.join(CHECKS)})")
            setattr(config, key.replace("-", "_"), value or getattr(config, key.replace("-", "_")))
        else:
            raise ConfigError(f"{where}: unknown key (known: "
                              f"{', '.join([*TOP_KEYS, *CHECKS])})")
    return config


def parse_toml(data: bytes, name: str) -> dict[str, Any]:
    """A TOML document's table; ConfigError naming `name` when it is not valid TOML."""
    if sys.version_info >= (3, 11):  # imported here: most hook runs have no config file
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    try:
        return tomllib.loads(data.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{name}: not valid TOML: {exc}") from exc


def from_table(data: Mapping[str, Any], name: str) -> Config:
    """The configuration a parsed file holds: a whole `.gitworthy.toml`-style file, or the
    `[tool.gitworthy]` table when the file is a pyproject.toml."""
    if Path(name).name == "pyproject.toml":
        table = data.get("tool", {}).get("gitworthy", {})
        if not isinstance(table, dict):
            raise ConfigError(f"{name}: [tool.gitworthy] must be a table")
        return parse(table, name, "[tool.gitworthy] ")
    return parse(data, name)


def load_config(explicit: str | None, root: Path | None,
                read: Callable[[str], bytes | None] | None = None) -> Config:
    """The configuration in force: `--config FILE`, else `.gitworthy.toml`, else the
    `[tool.gitworthy]` table of pyproject.toml at the repository root, else defaults.

    `read(name)` gives a repository file's bytes or None (default: the working tree under
    `root`); `gitworthy.policy` passes one that reads a git revision instead.
    """
    if read is None:
        base = root or Path.cwd()

        def read(name: str) -> bytes | None:
            path = Path(name) if Path(name).is_absolute() else base / name
            return _read_toml_bytes(path)

    if explicit:
        data = read(explicit)
        if data is None:
            raise ConfigError(f"{explicit}: configuration file not found")
        return from_table(parse_toml(data, explicit), explicit)
    dedicated = read(".gitworthy.toml")
    if dedicated is not None:
        return parse(parse_toml(dedicated, ".gitworthy.toml"), ".gitworthy.toml")
    pyproject = read("pyproject.toml")
    if pyproject is not None:
        table = parse_toml(pyproject, "pyproject.toml")
        if table.get("tool", {}).get("gitworthy") is not None:
            return from_table(table, "pyproject.toml")
    return Config()


def _read_toml_bytes(path: Path) -> bytes | None:
    """A file's bytes, None when there is no such file; ConfigError when it cannot be read."""
    if not path.is_file():
        return None
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from exc
