"""Person names and places in free text: presidio over a spaCy NER model the user installed.

Only used when the configuration names a model (`ner-model`): every other entity is
recognized by `values` without presidio. The engine is built explicitly: no model download,
no network, ever (`AnalyzerEngine()` with defaults downloads a 382 MB spaCy model, and
tldextract fetches a suffix list), and it holds only the NER recognizer.

Importing this module imports presidio and spaCy (about a second).
"""
from __future__ import annotations

import logging
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import spacy
from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
from presidio_analyzer.nlp_engine import NlpArtifacts, SpacyNlpEngine

from gitworthy.findings import InspectionError

MAX_TEXT = 4_000  # characters per analyze() call: spaCy refuses texts over 1M characters
NER_ENTITIES = frozenset({"PERSON", "LOCATION"})

for _name in ("presidio-analyzer", "presidio_analyzer"):
    logging.getLogger(_name).setLevel(logging.ERROR)  # never log analysed text


class _ModelEngine(SpacyNlpEngine):
    """A spaCy NLP engine over an installed NER model, loaded by us (never downloaded)."""

    def __init__(self, nlp: Any) -> None:
        super().__init__(models=[{"lang_code": "en", "model_name": "gitworthy"}])
        # presidio types `nlp` as None (its unannotated `self.nlp = None`); it is a dict
        self.nlp = {"en": nlp}  # type: ignore[assignment]

    def load(self) -> None:  # already loaded; never download
        pass

    def _doc_to_nlp_artifact(self, doc: Any, language: str) -> NlpArtifacts:
        entities = self._get_entities(doc)
        scores = self._get_scores_for_entities(doc)
        entities, scores = self._get_updated_entities(entities, scores)
        return NlpArtifacts(entities=entities, tokens=doc, tokens_indices=[t.idx for t in doc],
                            lemmas=[t.lower_ for t in doc], nlp_engine=self,
                            language=language, scores=scores)


def _load_ner(model: str) -> Any:
    """An installed spaCy pipeline by package name or path; never downloads."""
    if not (spacy.util.is_package(model) or Path(model).exists()):
        raise InspectionError(
            f"ner-model {model!r} is not installed; install it into the hook's environment "
            f"(python -m spacy download {model}) or remove ner-model from the configuration")
    return spacy.load(model, exclude=["parser", "lemmatizer", "textcat"])


@lru_cache(maxsize=4)
def get_analyzer(ner_model: str) -> AnalyzerEngine:
    """The engine for a model, built once per process."""
    engine = _ModelEngine(_load_ner(ner_model))
    registry = RecognizerRegistry(supported_languages=["en"])
    registry.add_nlp_recognizer(nlp_engine=engine)
    return AnalyzerEngine(registry=registry, nlp_engine=engine, supported_languages=["en"])


@dataclass(frozen=True)
class Match:
    """One accepted entity in one analysed line."""

    line: int      # index into the lines given to `analyze_lines`
    entity: str
    start: int     # offsets into that line
    end: int
    score: float


def _resolve_overlaps(results: list[Any]) -> list[Any]:
    """Keep the best of overlapping spans (an e-mail beats the URL inside it)."""
    kept: list[Any] = []
    for r in sorted(results, key=lambda r: (-r.score, -(r.end - r.start))):
        if all(r.end <= k.start or r.start >= k.end for k in kept):
            kept.append(r)
    return kept


def analyze_lines(lines: Sequence[str], ner_model: str, min_score: float = 0.5) -> list[Match]:
    """Names and places in many short texts, in few presidio calls: distinct lines are joined
    into chunks (one line each) and every result is mapped back to its line. Lines longer
    than a chunk are cut into pieces (a name across a cut may be missed)."""
    analyzer = get_analyzer(ner_model)
    owners: dict[str, list[int]] = {}
    for i, line in enumerate(lines):
        owners.setdefault(line, []).append(i)
    distinct = list(owners)
    matches: list[Match] = []
    for chunk, pieces in _chunks(distinct):
        results = analyzer.analyze(chunk, language="en")
        results = _resolve_overlaps([r for r in results if r.entity_type in NER_ENTITIES
                                     and r.score >= min_score])
        starts = [p[0] for p in pieces]
        for r in results:
            start, slot, offset = pieces[bisect_right(starts, r.start) - 1]
            for i in owners[distinct[slot]]:
                matches.append(Match(i, r.entity_type, r.start - start + offset,
                                     r.end - start + offset, r.score))
    return matches


def _chunks(lines: Sequence[str]) -> Iterable[tuple[str, list[tuple[int, int, int]]]]:
    """(text of at most about MAX_TEXT characters, [(start in text, line index, offset of
    the piece in its line)])."""
    parts: list[str] = []
    pieces: list[tuple[int, int, int]] = []
    size = 0
    room = MAX_TEXT - 1
    for i, line in enumerate(lines):
        line = line.replace("\n", " ")
        for offset in range(0, max(len(line), 1), room):
            piece = line[offset: offset + room]
            if parts and size + len(piece) + 1 > MAX_TEXT:
                yield "\n".join(parts), pieces
                parts, pieces, size = [], [], 0
            pieces.append((size, i, offset))
            parts.append(piece)
            size += len(piece) + 1
    if parts:
        yield "\n".join(parts), pieces
