"""Judging samples: a column is flagged by its values (enough of them are an entity), with its
name as evidence; text is flagged line by line; names of columns are judged too.

Values are recognized by `values` (patterns, checksums, no presidio). Context is always the
value's own: its cell and its column's name, or its line. A value that only has the shape of
an entity (nine digits, a date) counts only with such context. Person names need evidence in
the values themselves (title words, given names), not only a column called `name`.

Results are remembered by content for the whole run (a history scan sees the same notebook
outputs and table samples in many versions of a file): same values, same context, same verdict.
The memory is keyed by a digest of the values, not the values themselves, so that it stays a
few megabytes over ten thousand files.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from gitworthy.pii.entities import (
    NAME_MAX,
    context_words,
    denied,
    given_name,
    has_context,
    header_evidence,
    is_free_text,
    name_evidence,
    name_shape,
    person_header,
)
from gitworthy.pii.mask import mask
from gitworthy.pii.values import STRONG, WEAK, find, find_lines

# `gitworthy: allow` on a line of text allows that line (not the file)
PRAGMA = re.compile(r"gitworthy:\s*allow(?:[ \t]+([\w,\- \t]+))?")
PRAGMA_NAMES = {"check-pii", "pii-in-data", "pii-in-notebook-output"}
MEMO_MAX = 20_000


@dataclass(frozen=True)
class Settings:
    """The thresholds of one run (from the check's options)."""

    min_score: float = 0.5          # presidio score a name needs (NER model only)
    min_fraction: float = 0.3       # share of a column's sampled values that must be an entity
    header_min_fraction: float = 0.1  # the same when the column's name announces the entity
    min_count: int = 2              # matched values a column needs (fewer when fewer sampled)
    sample_values: int = 200        # values per column judged (free text: all rows)
    ner_model: str = ""
    entities: frozenset[str] = frozenset()   # only these (empty: all)
    ignored: frozenset[str] = frozenset()    # never these

    def wanted(self, entity: str) -> bool:
        return entity not in self.ignored and (not self.entities or entity in self.entities)

    @classmethod
    def from_options(cls, options: dict[str, Any]) -> Settings:
        return cls(min_score=float(options["min-score"]),
                   min_fraction=float(options["min-fraction"]),
                   header_min_fraction=float(options["header-min-fraction"]),
                   min_count=int(options["min-count"]),
                   sample_values=int(options["sample-values"]),
                   ner_model=options["ner-model"],
                   entities=frozenset(e.upper() for e in options["entities"]),
                   ignored=frozenset(e.upper() for e in options["ignore-entities"]))


@dataclass
class Hit:
    """An entity found in one column or one stretch of text; `example` shows only its shape."""

    entity: str
    count: int
    sampled: int
    example: str
    column: str | None = None
    line: int | None = None


@dataclass
class Tally:
    """What the samples of one column showed, accumulated over batches."""

    sampled: int = 0
    free_text: int = 0
    batches: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)
    distinct: dict[str, set[int]] = field(default_factory=dict)  # a few value hashes
    names: Counter[str] = field(default_factory=Counter)  # "shape", "evidence", "given"
    name_values: set[int] = field(default_factory=set)    # distinct name-shaped values

    def add(self, other: Tally) -> None:
        self.sampled += other.sampled
        self.free_text += other.free_text
        self.batches += other.batches
        self.counts.update(other.counts)
        self.names.update(other.names)
        for entity, example in other.examples.items():
            self.examples.setdefault(entity, example)
        for entity, seen in other.distinct.items():
            mine = self.distinct.setdefault(entity, set())
            mine.update(list(seen)[: max(0, 8 - len(mine))])
        if len(self.name_values) < 1000:
            self.name_values.update(other.name_values)


def _evenly(values: list[str], limit: int) -> list[str]:
    if len(values) <= limit:
        return values
    step = len(values) / limit
    return [values[int(i * step)] for i in range(limit)]


_MEMO: dict[tuple[Any, ...], Any] = {}


def _digest(texts: Sequence[str]) -> bytes:
    """128 bits of BLAKE2 over texts, each prefixed with its length (no two lists of texts
    share the encoding)."""
    import hashlib

    joined = "".join(f"{len(text)}:{text}" for text in texts)
    return hashlib.blake2b(joined.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def _remember(key: tuple[Any, ...], value: Any) -> Any:
    if len(_MEMO) >= MEMO_MAX:
        _MEMO.clear()
    _MEMO[key] = value
    return value


def tally_column(name: str, values: list[str], settings: Settings, tally: Tally) -> None:
    """Add one batch of a column's values to its tally."""
    values = [v.strip() for v in values if v and v.strip()]
    if not values:
        return
    key = ("column", name, settings, _digest(values))
    batch = _MEMO.get(key)
    if batch is None:
        batch = _remember(key, _tally_batch(name, values, settings))
    tally.add(batch)


def _tally_batch(name: str, values: list[str], settings: Settings) -> Tally:
    free = is_free_text(values)
    if not free:
        values = _evenly(values, settings.sample_values)
    tally = Tally(sampled=len(values), free_text=int(free), batches=1)
    evidence = header_evidence(name)
    header_words = context_words(name)
    people = "PERSON" in evidence or not evidence
    for value in values:
        counted: set[str] = set()
        cell_words: frozenset[str] | None = None
        for m in find(value):
            if m.entity in counted or denied(m.entity, header_words):
                continue
            ok = m.level == STRONG or m.entity in evidence or \
                has_context(m.entity, header_words)
            if not ok and (m.level == WEAK and not free):
                ok = True  # counted by share: a column of them is the entity
            if not ok:
                cell_words = cell_words if cell_words is not None else context_words(value)
                ok = has_context(m.entity, cell_words)
            if ok:
                counted.add(m.entity)
                _count(tally, m.entity, value, value[m.start:m.end])
        if "LOCATION" in evidence and _address_like(value):
            _count(tally, "LOCATION", value, value)
        if people and not free:
            _tally_name(tally, value)
    if settings.ner_model:
        from gitworthy.pii.analyzer import analyze_lines

        for named in analyze_lines(values, settings.ner_model, settings.min_score):
            value = values[named.line]
            _count(tally, named.entity, value, value[named.start:named.end])
    return tally


def _count(tally: Tally, entity: str, value: str, shown: str) -> None:
    tally.counts[entity] += 1
    if entity not in tally.examples:  # the first value's mask is the example
        tally.examples[entity] = mask(shown, entity)
    seen = tally.distinct.setdefault(entity, set())
    if len(seen) < 8:
        seen.add(hash(value))


def _tally_name(tally: Tally, value: str) -> None:
    facts = _name_facts(value) if len(value) <= NAME_MAX else None
    if facts is None:
        return
    tally.names["shape"] += 1
    if len(tally.name_values) < 1000:
        tally.name_values.add(hash(value))
    tally.names["evidence"] += facts[0]
    tally.names["given"] += facts[1]
    if "PERSON" not in tally.examples:
        tally.examples["PERSON"] = mask(value, "PERSON")


@lru_cache(maxsize=16384)  # names repeat down a column and across files
def _name_facts(value: str) -> tuple[bool, bool] | None:
    """(shows it is a name, is a given name) for a value shaped like a name, else None."""
    if name_shape(value) is None:
        return None
    return name_evidence(value), given_name(value)


def _address_like(value: str) -> bool:
    return 6 <= len(value) <= 120 and re.search(r"[^\W\d_]{2}", value) is not None and \
        any(c.isdigit() for c in value)


def decide_column(name: str, tally: Tally, settings: Settings) -> list[Hit]:
    """The entities a column holds, by the thresholds."""
    if not tally.sampled:
        return []
    evidence = header_evidence(name)
    free = tally.free_text * 2 > tally.batches
    shown = safe_column(name)
    hits = []
    for entity, count in tally.counts.most_common():
        if not count or not settings.wanted(entity) or count < min(settings.min_count,
                                                                    tally.sampled):
            continue
        if len(tally.distinct.get(entity, ())) < min(settings.min_count, 2):
            continue  # one value repeated (a placeholder, a default) is not a person's data
        fraction = count / tally.sampled
        if entity in evidence:
            ok = fraction >= settings.header_min_fraction
        else:
            ok = free or fraction >= settings.min_fraction
        if ok:
            hits.append(Hit(entity, count, tally.sampled, tally.examples[entity], column=shown))
    person = _person_count(name, tally, settings)
    if person and settings.wanted("PERSON") and "PERSON" not in tally.counts:
        hits.append(Hit("PERSON", person, tally.sampled, tally.examples["PERSON"], column=shown))
    return hits


def _person_count(name: str, tally: Tally, settings: Settings) -> int:
    """How many values are person names, when the values show that the column holds them."""
    kind = person_header(name)
    shape, evidence = tally.names["shape"], tally.names["evidence"]
    if shape < min(settings.min_count, tally.sampled) or len(tally.name_values) < 2:
        return 0  # one name repeated is a placeholder
    sampled = tally.sampled
    if kind == "given":
        ok = tally.names["given"] >= 0.3 * sampled
    elif kind == "surname":  # capitalised words, most of them different: not categories
        ok = shape >= 0.8 * sampled and len(tally.name_values) >= min(0.3 * sampled, 20)
    elif kind == "full":  # `Owen Harris`, `Braund, Mr. Owen`, or first names alone
        ok = evidence >= 0.3 * sampled or tally.names["given"] >= 0.5 * sampled
    else:
        ok = not header_evidence(name) and evidence >= 0.6 * sampled
    counted = {"given": tally.names["given"], "surname": shape}.get(
        kind or "", max(evidence, tally.names["given"]))
    return counted if ok else 0


MAX_LINE_CHARS = 20_000  # characters of one line analysed (bounds presidio on giant lines)


def judge_text(lines: Sequence[tuple[int | None, str]], settings: Settings) -> list[Hit]:
    """Entities in lines of text: one Hit per entity (first line, count of lines)."""
    key = ("text", settings, _digest([f"{number}:{text}" for number, text in lines]))
    hits = _MEMO.get(key)
    if hits is None:
        hits = _remember(key, _judge_text(lines, settings))
    return [replace(h) for h in hits]


def _judge_text(lines: Sequence[tuple[int | None, str]], settings: Settings) -> list[Hit]:
    counts: Counter[str] = Counter()
    first: dict[str, tuple[int | None, str]] = {}
    kept = [i for i, (_, text) in enumerate(lines)
            if "gitworthy" not in text or not _allowed(text)]
    texts = [lines[i][1][:MAX_LINE_CHARS] for i in kept]  # a 5 MB line: its start, sampled
    seen: set[tuple[str, int]] = set()
    line_words: dict[int, frozenset[str]] = {}
    for k, m in find_lines(texts):
        if (m.entity, k) in seen or not settings.wanted(m.entity):
            continue
        if k not in line_words:
            line_words[k] = context_words(texts[k])
        if denied(m.entity, line_words[k]):
            continue
        if m.level != STRONG and not has_context(m.entity, line_words[k]):
            continue
        seen.add((m.entity, k))
        counts[m.entity] += 1
        if m.entity not in first:
            first[m.entity] = (lines[kept[k]][0], mask(texts[k][m.start:m.end], m.entity))
    if settings.ner_model and kept:
        from gitworthy.pii.analyzer import analyze_lines

        for name in analyze_lines(texts, settings.ner_model, settings.min_score):
            if settings.wanted(name.entity) and (name.entity, name.line) not in seen:
                seen.add((name.entity, name.line))
                counts[name.entity] += 1
                first.setdefault(name.entity, (lines[kept[name.line]][0], mask(
                    texts[name.line][name.start:name.end], name.entity)))
    return [Hit(entity, count, len(lines), first[entity][1], line=first[entity][0])
            for entity, count in counts.most_common()]


def _allowed(text: str) -> bool:
    match = PRAGMA.search(text)
    if match is None:
        return False
    names = [n for n in re.split(r"[,\s]+", match.group(1) or "") if n]
    return not names or bool(PRAGMA_NAMES.intersection(names))


# ---------------------------------------------------------------- names of columns

def safe_column(name: str) -> str:
    """A column name fit to print: personal data in it (a JSON key that is an e-mail
    address, a person's name as a header) is replaced by what it is."""
    if name_evidence(name):
        return "<person name>"
    shown = name
    for m in reversed(find(name)):
        if m.level == STRONG:
            shown = f"{shown[:m.start]}<{m.entity}>{shown[m.end:]}"
    return shown


def judge_headers(columns: Sequence[str], settings: Settings) -> list[Hit]:
    """Personal data used as column names: a transposed table of people, JSON keyed by
    e-mail address. One Hit per entity, counting the columns."""
    counts: Counter[str] = Counter()
    names = [c for c in columns if c and c.strip()]
    for column in names:
        entities = {m.entity for m in find(column) if m.level == STRONG}
        if name_evidence(column):
            entities.add("PERSON")
        counts.update(e for e in entities if settings.wanted(e))
    hits = []
    for entity, count in counts.items():
        # names as headers: most of the columns, not one `Grace Period` among many
        if entity == "PERSON" and (count < 2 or count * 2 < len(names)):
            continue
        hits.append(Hit(entity, count, len(names), mask("", entity), column="column names"))
    return hits
