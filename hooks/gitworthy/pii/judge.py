"""Judging samples: a column is flagged by its values (enough of them are an entity), or by its
name when the values agree; text is flagged per entity found.

Presidio is called only for values that could hold a pattern entity (an '@' or four digits),
many values per call, with the column's name before each value so context words apply.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from gitworthy.pii.entities import (
    HEADER_ONLY,
    agrees,
    header_evidence,
    is_candidate,
    is_free_text,
    words,
)
from gitworthy.pii.mask import mask


@dataclass(frozen=True)
class Settings:
    """The thresholds of one run (from the check's options)."""

    min_score: float = 0.5          # presidio score a value needs to count
    min_fraction: float = 0.3       # share of a column's sampled values that must be an entity
    header_min_fraction: float = 0.1  # the same when the column's name announces the entity
    min_count: int = 2              # matched values a column needs (fewer when fewer sampled)
    sample_values: int = 200        # values per column sent to presidio (free text: all rows)
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
    """An entity found in one column or one stretch of text; `example` is masked."""

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

    def add(self, entity: str, values: list[str]) -> None:
        """Count matched values (and remember a few distinct ones, hashed)."""
        self.counts[entity] += len(values)
        seen = self.distinct.setdefault(entity, set())
        for value in values:
            if len(seen) >= 8:
                break
            seen.add(hash(value))


def _evenly(values: list[str], limit: int) -> list[str]:
    if len(values) <= limit:
        return values
    step = len(values) / limit
    return [values[int(i * step)] for i in range(limit)]


def tally_column(name: str, values: list[str], settings: Settings, tally: Tally) -> None:
    """Add one batch of a column's values to its tally."""
    values = [v.strip() for v in values if v and v.strip()]
    if not values:
        return
    free = is_free_text(values)
    if not free:
        values = _evenly(values, settings.sample_values)
    tally.batches += 1
    tally.free_text += free
    tally.sampled += len(values)
    evidence = header_evidence(name)
    found: dict[str, set[int]] = {}
    for entity in evidence & HEADER_ONLY:
        found[entity] = {i for i, v in enumerate(values) if agrees(entity, v)}
        if found[entity]:
            tally.examples.setdefault(entity, mask(values[min(found[entity])], entity))
    if settings.ner_model:
        candidates = list(range(len(values)))
    else:
        candidates = [i for i, v in enumerate(values) if is_candidate(v)]
    if candidates:
        from gitworthy.pii.analyzer import analyze_lines

        prefix = words(name).replace("_", " ") + ": " if words(name) else ""
        lines = [values[i] for i in candidates]
        for m in analyze_lines(lines, settings.ner_model, settings.min_score, prefix):
            found.setdefault(m.entity, set()).add(candidates[m.line])
            tally.examples.setdefault(m.entity, mask(lines[m.line][m.start:m.end], m.entity))
    for entity, rows in found.items():
        tally.add(entity, [values[i] for i in rows])


def decide_column(name: str, tally: Tally, settings: Settings) -> list[Hit]:
    """The entities a column holds, by the thresholds."""
    if not tally.sampled:
        return []
    evidence = header_evidence(name)
    free = tally.free_text * 2 > tally.batches
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
        elif entity in HEADER_ONLY and not settings.ner_model:
            ok = False  # a name or an address needs the column name (or a NER model)
        else:
            ok = free or fraction >= settings.min_fraction
        if ok:
            hits.append(Hit(entity, count, tally.sampled, tally.examples[entity], column=name))
    return hits


MAX_LINE_CHARS = 20_000  # characters of one line analysed (bounds presidio on giant lines)


def judge_text(lines: Sequence[tuple[int | None, str]], settings: Settings) -> list[Hit]:
    """Entities in lines of text: one Hit per entity (first line, count of lines)."""
    if settings.ner_model:
        picked = list(range(len(lines)))
    else:  # candidate lines, each with the line before it (context words such as "SSN:")
        keep: set[int] = set()
        for i, (_, text) in enumerate(lines):
            if is_candidate(text):
                keep.update((i - 1, i) if i else (i,))
        picked = sorted(keep)
    if not picked:
        return []
    from gitworthy.pii.analyzer import analyze_lines

    texts = [lines[i][1][:MAX_LINE_CHARS] for i in picked]  # a 5 MB line: its start, sampled
    counts: Counter[str] = Counter()
    first: dict[str, tuple[int | None, str]] = {}
    seen: set[tuple[str, int]] = set()
    for m in analyze_lines(texts, settings.ner_model, settings.min_score):
        if not settings.wanted(m.entity) or (m.entity, m.line) in seen:
            continue
        seen.add((m.entity, m.line))
        counts[m.entity] += 1
        number = lines[picked[m.line]][0]
        first.setdefault(m.entity, (number, mask(texts[m.line][m.start:m.end], m.entity)))
    return [Hit(entity, count, len(lines), first[entity][1], line=first[entity][0])
            for entity, count in counts.most_common()]
