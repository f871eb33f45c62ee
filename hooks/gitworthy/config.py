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
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gitworthy.checks import CHECKS, load

FAIL_ON = ("error", "warning", "never")
SEVERITIES = ("critical", "error", "warning")
COMMON_CHECK_KEYS: dict[str, Any] = {"severity": "", "exclude": [], "enabled": True}
TOP_KEYS: dict[str, Any] = {"exclude": [], "fail-on": "error", "baseline": "", "checks": []}


class ConfigError(Exception):
    """Bad configuration: one line that names the file and the key."""


@dataclass
class Config:
    """The merged configuration of one run."""

    source: str = "defaults"
    exclude: list[str] = field(default_factory=list)
    fail_on: str = "error"
    baseline: str = ""
    checks: list[str] = field(default_factory=lambda: list(CHECKS))
    sections: dict[str, dict[str, Any]] = field(default_factory=dict)

    def options(self, check_id: str) -> dict[str, Any]:
        """A check's options: its defaults, then the config file's section."""
        module = load(check_id)
        return {**COMMON_CHECK_KEYS, **module.OPTIONS, **self.sections.get(check_id, {})}


def typed(value: Any, default: Any, where: str) -> Any:
    """`value` if it has the type of `default`; otherwise a ConfigError naming `where`."""
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


def _read_toml(path: Path) -> dict[str, Any]:
    if sys.version_info >= (3, 11):  # imported here: most hook runs have no config file
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from exc


def load_config(explicit: str | None, root: Path | None) -> Config:
    """The configuration in force: `--config FILE`, else `.gitworthy.toml`, else the
    `[tool.gitworthy]` table of pyproject.toml at the repository root, else defaults."""
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise ConfigError(f"{explicit}: configuration file not found")
        data = _read_toml(path)
        if path.name == "pyproject.toml":
            return parse(data.get("tool", {}).get("gitworthy", {}), str(explicit),
                         "[tool.gitworthy] ")
        return parse(data, str(explicit))
    base = root or Path.cwd()
    dedicated = base / ".gitworthy.toml"
    if dedicated.is_file():
        return parse(_read_toml(dedicated), ".gitworthy.toml")
    pyproject = base / "pyproject.toml"
    if pyproject.is_file():
        table = _read_toml(pyproject).get("tool", {}).get("gitworthy")
        if table is not None:
            if not isinstance(table, dict):
                raise ConfigError("pyproject.toml: [tool.gitworthy] must be a table")
            return parse(table, "pyproject.toml", "[tool.gitworthy] ")
    return Config()
