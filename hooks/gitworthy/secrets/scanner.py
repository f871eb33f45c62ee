"""detect-secrets' plugins and filters, configured once and applied to lines of text.

Nothing here imports detect-secrets at import time, nor when the scanner is made: it is
loaded the first time a line reaches the plugins (the prefilter kept it).
"""
from __future__ import annotations

import io
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import cached_property

from gitworthy.findings import InspectionError
from gitworthy.records import Record
from gitworthy.secrets.prefilter import (
    CONTEXT,
    DETECT_SECRETS_PLUGINS,
    GITWORTHY_PLUGINS,
    _fold,
    candidate_lines,
    candidate_offsets,
    known_plugins_unchanged,
    plugin_needs,
    prefilter,
)

TYPE_CHECKING = False  # typing costs a hook's start-up 2 ms; mypy reads the block
if TYPE_CHECKING:
    from typing import Any

    Filter = tuple[Callable[..., bool], tuple[str, ...]]  # a filter and the names it takes

# detect-secrets' plugin that judges any string by the name it is assigned to. Its
# `is_indirect_reference` filter (`x = call(...)` lines) exists for it: `password =
# get_password()` names no value. The plugins that recognise a credential by its own format
# ignore that filter, so `create_engine("...u:p@h")` and `boto3.client(aws_access_key_id=
# "AKIA...")` are caught, and so do the high-entropy plugins, which need evidence on the line
# anyway (`gitworthy.secrets.filters`): `Client(api_key="<random>")` is caught.
GENERIC = frozenset({"KeywordDetector"})
INDIRECT = "detect_secrets.filters.heuristic.is_indirect_reference"
ALLOWLIST = "detect_secrets.filters.allowlist.is_line_allowlisted"
NON_TEXT = "detect_secrets.filters.heuristic.is_non_text_file"
INVALID_FILE = "detect_secrets.filters.common.is_invalid_file"  # needs a file on disk
YAML_SUFFIXES = (".yaml", ".yml", ".eyaml")  # the files detect-secrets parses as YAML
MAX_LINE = 4096        # longer lines are scanned in overlapping windows of this many characters
OVERLAP = 256


class Hit(Record):
    """One potential secret: where (1-based line), what kind, and the value (never output)."""

    def __init__(self, line: int, type: str, value: str) -> None:
        self.line = line
        self.type = type
        self.value = value

    @property
    def hashed(self) -> str:
        """detect-secrets' `hashed_secret` (sha1 of the value)."""
        import hashlib

        return hashlib.sha1(self.value.encode("utf-8", "surrogateescape")).hexdigest()


class _Engine(Record):
    """detect-secrets' plugins and filters, sorted into the stages the scanner runs."""

    def __init__(self, plugins: list[tuple[Any, bool]],  # (plugin, whether it is generic)
                 needs: list[tuple[re.Pattern[str] | None, re.Pattern[str] | None] | None],
                 file_filters: list[Filter], line_filters: list[Filter],
                 indirect: list[Filter], secret_filters: list[Filter]) -> None:
        self.plugins = plugins
        self.needs = needs
        self.file_filters = file_filters
        self.line_filters = line_filters
        self.indirect = indirect
        self.secret_filters = secret_filters


def mask(value: str) -> str:
    """What a report may show of a secret: its first two characters, if it is long enough."""
    return f"{value[:2]}***" if len(value) >= 12 else "***"


class Scanner:
    """detect-secrets' plugins and filters, configured once, applied to lines of text.

    Does what `detect_secrets.core.scan.scan_file` does (transformers, then line-based plugins
    through the configured filters, eager transformers when nothing was found), but on text
    the engine read from any source, with the filters sorted into their stages once instead
    of matched by introspection on every line.

    Lazy: the prefilter is built from the plugins' names alone, and detect-secrets (about
    70 ms of imports, most of it `requests`) is loaded when a line first needs its plugins;
    a commit of code without a line any plugin could report on never loads it.
    """

    def __init__(self, disabled: Sequence[str] = ()) -> None:
        self.disabled = tuple(disabled)
        if not known_plugins_unchanged():
            self._load()  # an unknown detect-secrets: ask it for its plugins, scan every line
            return
        unknown = sorted(set(disabled) - DETECT_SECRETS_PLUGINS - set(GITWORTHY_PLUGINS))
        if unknown:
            raise InspectionError(
                f"disable-plugins names unknown plugin(s) {', '.join(unknown)} (known: "
                f"{', '.join(sorted(DETECT_SECRETS_PLUGINS | set(GITWORTHY_PLUGINS)))})")
        names = [n for n in (*sorted(DETECT_SECRETS_PLUGINS), *GITWORTHY_PLUGINS)
                 if n not in disabled]
        self.candidates = prefilter(names)
        self._skipped: dict[str, bool] = {}
        self._last: tuple[str | None, list[int]] = (None, [])

    @cached_property
    def _engine(self) -> _Engine:
        return self._load()

    def _load(self) -> _Engine:
        from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
        from detect_secrets.settings import get_filters, get_plugins, get_settings

        from gitworthy.secrets import filters as secret_filters
        from gitworthy.secrets import plugins as secret_plugins

        disabled = self.disabled
        mapping: dict[str, type] = get_mapping_from_secret_type_to_class()
        known = {c.__name__ for c in mapping.values()}
        ours = {c.__name__: c for c in secret_plugins.PLUGINS}
        unknown = sorted(set(disabled) - known - set(ours))
        if unknown:
            raise InspectionError(f"disable-plugins names unknown plugin(s) {', '.join(unknown)}"
                                  f" (known: {', '.join(sorted(known | set(ours)))})")
        settings = get_settings()
        settings.clear()  # detect-secrets' default filters; no verification (no network)
        settings.configure_plugins([{"name": n} for n in sorted(known) if n not in disabled])
        settings.disable_filters(INVALID_FILE, *secret_filters.REPLACED)
        settings.filters.update({path: {} for path in secret_filters.FILTERS})
        get_plugins.cache_clear()
        get_filters.cache_clear()
        plugins = [(p, type(p).__name__ in GENERIC) for p in get_plugins()]
        plugins += [(c(), False) for n, c in ours.items() if n not in disabled]
        filters = get_filters()
        line_filters = _stage(filters, {"line"}, {"filename", "line", "context"})
        engine = _Engine(
            plugins=plugins,
            needs=[plugin_needs(type(p).__name__) for p, _ in plugins],
            # Files are judged by their content (binary, text, encoding), not by their
            # extension: detect-secrets' extension list skips text files such as `.prefs`.
            file_filters=[f for f in _stage(filters, {"filename"}, {"filename"})
                          if getattr(f[0], "path", "") != NON_TEXT],
            line_filters=[f for f in line_filters if getattr(f[0], "path", "") != INDIRECT],
            indirect=[f for f in line_filters if getattr(f[0], "path", "") == INDIRECT],
            secret_filters=_stage(filters, {"secret"},
                                  {"filename", "secret", "plugin", "line", "context"}),
        )
        if "candidates" not in vars(self):  # no prefilter was built from names: from plugins
            self.candidates = prefilter([type(p).__name__ for p, _ in plugins])
            self._skipped = {}
            self._last = (None, [])
        elif {type(p).__name__ for p, _ in plugins} != set(
                n for n in (*DETECT_SECRETS_PLUGINS, *GITWORTHY_PLUGINS) if n not in disabled):
            raise InspectionError("detect-secrets' plugins are not the ones gitworthy's "
                                  "prefilter knows: reinstall gitworthy's dependencies")
        self._engine = engine
        return engine

    def _offsets(self, text: str) -> list[int]:
        """`candidate_offsets` of a block, remembered for the last block asked about (a small
        file's text is asked about twice: whether to load the plugins, and which lines)."""
        assert self.candidates is not None
        if self._last[0] is not text:
            self._last = (text, candidate_offsets(self.candidates, text))
        return self._last[1]

    @property
    def plugins(self) -> list[tuple[Any, bool]]:
        """The enabled plugins (detect-secrets' and gitworthy's), each with whether it is
        the generic, name-based one (loads detect-secrets)."""
        return self._engine.plugins

    def skips_file(self, name: str) -> bool:
        """detect-secrets' file filters: lock files, swagger files (loads detect-secrets).
        The scanner asks itself when a file's first line reaches the plugins."""
        if name not in self._skipped:
            self._skipped[name] = any(_call(f, names, filename=name)
                                      for f, names in self._engine.file_filters)
        return self._skipped[name]

    def nothing_to_find(self, text: str, name: str) -> bool:
        """Whether no line of `text` can reach the plugins, read raw or as detect-secrets'
        transformers rewrite it (`key: "value"` lines, from keys and values of the text:
        each need is found within one of them, never across the quotes and colons the
        transformer adds). Decoding YAML escapes (`\\x41`) and ini interpolation (`%(x)s`)
        can make text a need matches, so text with either goes the whole way."""
        if self.candidates is None or self._offsets(text):
            return False
        return "%(" not in text and not ("\\" in text and name.endswith(YAML_SUFFIXES))

    def scan_text(self, text: str, name: str, prefilter: bool = True) -> list[Hit]:
        """Every potential secret of a file, like detect-secrets' `scan_file`, plus the raw
        lines of a file its transformers rewrote (they drop YAML and ini comments)."""
        if prefilter and self.nothing_to_find(text, name):
            return []
        lines = split(text)
        transformed = _transformed(text, name, eager=False)
        hits = self.scan_lines(transformed or lines, name, prefilter)
        if transformed:
            hits = self._unless_allowed(hits, lines, name)
            hits += self.scan_lines(lines, name, prefilter)
        if not hits:
            eager = _transformed(text, name, eager=True)
            if eager:
                hits = self._unless_allowed(self.scan_lines(eager, name, prefilter), lines,
                                            name)
        return hits

    def _unless_allowed(self, hits: list[Hit], lines: list[str], name: str) -> list[Hit]:
        """The hits found in transformed lines (which lose their comments) whose value is not
        on a raw line a pragma allows (`-- pragma: allowlist secret` in SQL, say)."""
        from detect_secrets.filters.allowlist import is_line_allowlisted
        from detect_secrets.util.code_snippet import get_code_snippet

        allowed = {n for n, line in enumerate(lines, 1) if "pragma" in line
                   or n > 1 and "pragma" in lines[n - 2]}
        if not allowed:
            return hits
        return [h for h in hits if not any(
            h.value in lines[n - 1] and is_line_allowlisted(name, lines[n - 1],
                                                            get_code_snippet(lines, n))
            for n in allowed)]

    def scan_lines(self, lines: list[str], name: str, prefilter: bool = True) -> list[Hit]:
        """Potential secrets in `lines` (line numbers start at 1), after every filter."""
        if prefilter and self.candidates is not None:
            numbers: Iterable[int] = candidate_lines(self.candidates, lines)
        else:
            numbers = range(1, len(lines) + 1)
        hits: list[Hit] = []
        for number in numbers:
            hits += self.scan_line(lines, number, number, name)
        return hits

    def scan_stream(self, blocks: Iterable[str], name: str, prefilter: bool = True
                    ) -> tuple[list[Hit], dict[int, str]]:
        """`scan_lines` over a file read block by block (each block whole lines, joined by
        newlines), holding one block and a few lines of context in memory. Returns the hits
        and the text of their lines."""
        use = self.candidates if prefilter else None
        kept: list[str] = []    # lines from number `base` on (context of pending candidates)
        base = 1
        todo: deque[int] = deque()  # candidate line numbers not scanned yet
        hits: list[Hit] = []
        texts: dict[int, str] = {}
        for block in blocks:
            first = base + len(kept)
            new = split(block)
            if use is None:
                todo.extend(range(first, first + len(new)))
            else:
                todo.extend(first + i for i in self._offsets(block))
            kept += new
            ready = base + len(kept) - 1 - CONTEXT  # lines whose following context is read
            while todo and todo[0] <= ready:
                number = todo.popleft()
                found = self.scan_line(kept, number - base + 1, number, name)
                if found:
                    hits += found
                    texts[number] = kept[number - base]
            keep_from = min(todo[0] if todo else ready + 1, ready + 1) - CONTEXT
            if keep_from > base:
                del kept[:keep_from - base]
                base = keep_from
        for number in todo:
            found = self.scan_line(kept, number - base + 1, number, name)
            if found:
                hits += found
                texts[number] = kept[number - base]
        return hits, texts

    def scan_line(self, lines: list[str], index: int, number: int, name: str) -> list[Hit]:
        """Potential secrets in `lines[index - 1]` (reported as line `number`)."""
        from detect_secrets.util.code_snippet import get_code_snippet

        hits: list[Hit] = []
        line = lines[index - 1].rstrip()
        if not line or self.skips_file(name):
            return hits
        engine = self._engine
        context = get_code_snippet(lines, index)
        judged = line if len(line) <= MAX_LINE else line[-MAX_LINE:]
        # detect-secrets' allowlist filter matches `pragma:` on the line or the one before
        pragma = "pragma" in line or index > 1 and "pragma" in lines[index - 2]
        if any(_call(f, n, filename=name, line=judged, context=context)
               for f, n in engine.line_filters if pragma or getattr(f, "path", "") != ALLOWLIST):
            return hits
        indirect: bool | None = None  # asked when a generic plugin would run
        for window in _windows(line):
            folded = _fold(window)
            for (plugin, generic), needs in zip(engine.plugins, engine.needs, strict=True):
                if needs is not None and not (needs[0] and needs[0].search(window)
                                              or needs[1] and needs[1].search(folded)):
                    continue  # nothing this plugin looks for is on the line
                if generic:
                    if indirect is None:
                        indirect = any(_call(f, n, filename=name, line=judged, context=context)
                                       for f, n in engine.indirect)
                    if indirect:
                        continue
                for found in plugin.analyze_line(filename=name, line=window,
                                                 line_number=number, context=context):
                    value = found.secret_value
                    if value and not any(
                        _call(f, n, filename=name, secret=value, plugin=plugin, line=window,
                              context=context)
                        for f, n in engine.secret_filters
                    ):
                        hits.append(Hit(number, found.type, value))
        return hits


def _stage(filters: list[Any], required: set[str], provided: set[str]
           ) -> list[tuple[Callable[..., bool], tuple[str, ...]]]:
    """The filters detect-secrets runs at one stage: those that take the stage's required
    arguments and no argument the stage cannot give (as its `_is_filtered_out` selects)."""
    return [(f, tuple(sorted(f.injectable_variables))) for f in filters
            if required <= f.injectable_variables <= provided]


def _call(function: Callable[..., bool], names: tuple[str, ...], **values: Any) -> bool:
    """A filter's verdict; a filter that rejects its arguments does not apply (as in
    detect-secrets' `_is_filtered_out`)."""
    try:
        return bool(function(**{n: values[n] for n in names}))
    except TypeError:
        return False


def _windows(line: str) -> Iterator[str]:
    """A line, or overlapping windows of a huge one (minified JSON, a one-line data dump)."""
    if len(line) <= MAX_LINE:
        yield line
        return
    for start in range(0, len(line), MAX_LINE - OVERLAP):
        yield line[start:start + MAX_LINE]
        if start + MAX_LINE >= len(line):
            return


def split(text: str) -> list[str]:
    """Lines as git and editors number them: split at newlines only."""
    return text.split("\n")


class _Named(io.StringIO):
    """The `NamedIO` detect-secrets' transformers read (a text stream with a name)."""

    def __init__(self, text: str, name: str) -> None:
        super().__init__(text)
        self.name = name


def _transformed(text: str, name: str, eager: bool) -> list[str] | None:
    """detect-secrets' transformers (YAML values, ini/.env `key = "value"` lines), or None."""
    from detect_secrets.transformers import get_transformed_file

    try:
        named: Any = _Named(text, name)
        return get_transformed_file(named, use_eager_transformers=eager)
    except Exception:  # noqa: BLE001 - a parser choking on odd input: the raw lines still count
        return None


_SCANNERS: dict[tuple[str, ...], Scanner] = {}


def scanner(disabled: Sequence[str] = ()) -> Scanner:
    """The configured scanner (detect-secrets' settings are global: configure on change)."""
    key = tuple(sorted(disabled))
    if key not in _SCANNERS:
        _SCANNERS.clear()
        _SCANNERS[key] = Scanner(key)
    return _SCANNERS[key]
