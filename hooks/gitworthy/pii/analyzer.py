"""The presidio engine, built explicitly: no model download, no network, ever.

`AnalyzerEngine()` with defaults downloads a 382 MB spaCy model, and tldextract (behind the
e-mail recognizer) fetches a suffix list over the network. Here the engine runs on a blank
spaCy English pipeline whose lemmas are the lowercased tokens (so presidio's context words
still boost scores), tldextract uses its bundled suffix list, and a spaCy NER model is loaded
only when the user names one they installed (`ner-model`).

Importing this module imports presidio and spaCy (about a second): only do it when a file
holds candidate values.
"""
from __future__ import annotations

import logging
import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol, cast

import spacy
from presidio_analyzer import (
    AnalyzerEngine,
    EntityRecognizer,
    Pattern,
    PatternRecognizer,
    RecognizerRegistry,
)
from presidio_analyzer.context_aware_enhancers import LemmaContextAwareEnhancer
from presidio_analyzer.nlp_engine import NlpArtifacts, SpacyNlpEngine
from presidio_analyzer.predefined_recognizers import PhoneRecognizer, UsNpiRecognizer

from gitworthy.findings import InspectionError
from gitworthy.pii.entities import NEEDS_EVIDENCE

PHONE_FORMAT = re.compile(r"^\+|\(\d{3}\)|\d{3}[-. ]\d{3}[-. ]\d{4}")
MAX_TEXT = 4_000  # characters per analyze() call: presidio's context search is quadratic in a
# text's tokens, and spaCy refuses texts over 1M characters
# National formats are parsed for these regions (presidio's default has 8, each a full pass
# over the text); numbers written with a +country code are found whatever the region.
PHONE_REGIONS = ("US", "GB")
# presidio recognizers whose entities are not personal data on their own, or too noisy
DROPPED = {"DateRecognizer", "UrlRecognizer", "UuidRecognizer", "MacAddressRecognizer",
           "SpacyRecognizer"}

for _name in ("presidio-analyzer", "presidio_analyzer", "tldextract", "filelock"):
    logging.getLogger(_name).setLevel(logging.ERROR)  # never log analysed text


def _offline_tldextract() -> None:
    """Point tldextract at the suffix list it ships with: no network, no cache writes."""
    import tldextract.tldextract as tld

    tld.TLD_EXTRACTOR = tld.TLDExtract(suffix_list_urls=(), cache_dir=None,
                                       fallback_to_snapshot=True)


class _BlankEngine(SpacyNlpEngine):
    """A spaCy NLP engine over an in-memory pipeline (blank, or an installed NER model)."""

    def __init__(self, nlp: Any, has_ner: bool) -> None:
        super().__init__(models=[{"lang_code": "en", "model_name": "gitworthy"}])
        # presidio types `nlp` as None (its unannotated `self.nlp = None`); it is a dict
        self.nlp = {"en": nlp}  # type: ignore[assignment]
        self.has_ner = has_ner

    def load(self) -> None:  # already loaded; never download
        pass

    def _doc_to_nlp_artifact(self, doc: Any, language: str) -> NlpArtifacts:
        if self.has_ner:
            entities = self._get_entities(doc)
            scores = self._get_scores_for_entities(doc)
            entities, scores = self._get_updated_entities(entities, scores)
        else:
            entities, scores = [], []
        return NlpArtifacts(entities=entities, tokens=doc,
                            tokens_indices=[t.idx for t in doc],
                            lemmas=[_lemma(t.lower_) for t in doc],
                            nlp_engine=self, language=language, scores=scores)


def _lemma(word: str) -> str:
    """A crude English lemma without a model, enough for context words: `called` -> `call`,
    `phones` -> `phone`, `verified` -> `verify` (`address`, `ssn` stay as they are)."""
    if len(word) > 4 and word.endswith("ied"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("ed", "ing")):
        return word[:-2] if word.endswith("ed") else word[:-3]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


class _ContextEnhancer(LemmaContextAwareEnhancer):
    """presidio's context enhancer, with the token of a match found by bisection instead of a
    scan from the start of the text for every result (quadratic on joined samples)."""

    @staticmethod
    def _find_index_of_match_token(word: str, start: int, tokens: Any,
                                   tokens_indices: list[int]) -> int:
        i = bisect_right(tokens_indices, start) - 1
        if i < 0 or (tokens_indices[i] != start and start >= tokens_indices[i] + len(tokens[i])):
            i += 1
        if i >= len(tokens_indices):
            raise ValueError("match outside the analysed tokens")
        return i


class _MbiRecognizer(PatternRecognizer):
    """Medicare Beneficiary Identifier, CMS format: 11 characters, the first a digit 1-9,
    letters from a set without S, L, O, I, B, Z (presidio's pattern also accepts a leading 0)."""

    A = "[AC-HJKMNP-RT-Y]"
    AN = "[0-9AC-HJKMNP-RT-Y]"
    BODY = (f"[1-9]{A}{AN}[0-9]", f"{A}{AN}[0-9]", f"{A}{A}[0-9][0-9]")

    def __init__(self) -> None:
        plain, dashed = "".join(self.BODY), "-".join(self.BODY)
        super().__init__(
            supported_entity="US_MBI", name="GitworthyMbiRecognizer",
            patterns=[Pattern("MBI", rf"\b{plain}\b", 0.4), Pattern("MBI dashed", rf"\b{dashed}\b",
                                                                    0.5)],
            context=["medicare", "mbi", "beneficiary", "cms", "hicn", "medicaid"],
            global_regex_flags=0)  # case-sensitive: CMS issues upper case


def _dob_recognizer() -> PatternRecognizer:
    """Dates that only count near words like DOB or birth (DATE_OF_BIRTH needs evidence)."""
    year = r"(?:19|20)\d\d"
    month = r"(?:0?[1-9]|1[0-2])"
    day = r"(?:0?[1-9]|[12]\d|3[01])"
    months = (r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?")
    patterns = [
        Pattern("iso date", rf"\b{year}[-/.]{month}[-/.]{day}\b", 0.1),
        Pattern("us date", rf"\b{month}[-/.]{day}[-/.](?:{year}|\d\d)\b", 0.1),
        Pattern("eu date", rf"\b{day}[-/.]{month}[-/.]{year}\b", 0.1),
        Pattern("long date", rf"\b{day}\s+{months}\s+{year}\b|\b{months}\s+{day},?\s+{year}\b",
                0.1),
    ]
    return PatternRecognizer(supported_entity="DATE_OF_BIRTH", name="GitworthyDobRecognizer",
                             patterns=patterns,
                             context=["dob", "birth", "birthday", "born", "birthdate", "bday"])


def _member_id_recognizer() -> PatternRecognizer:
    """Member, patient and subscriber IDs: only next to those words (MEMBER_ID needs evidence)."""
    return PatternRecognizer(
        supported_entity="MEMBER_ID", name="GitworthyMemberIdRecognizer",
        patterns=[Pattern("member id", r"\b(?=[A-Z0-9-]{6,20}\b)(?=[A-Z0-9-]*\d)[A-Z0-9-]+\b",
                          0.05)],
        context=["member", "subscriber", "patient", "mrn", "enrollee", "beneficiary",
                 "policyholder", "insured"])


def _load_ner(model: str) -> Any:
    """An installed spaCy pipeline by package name or path; never downloads."""
    if not (spacy.util.is_package(model) or Path(model).exists()):
        raise InspectionError(
            f"ner-model {model!r} is not installed; install it into the hook's environment "
            f"(python -m spacy download {model}) or remove ner-model from the configuration")
    return spacy.load(model, exclude=["parser", "lemmatizer", "textcat"])


class _Named(Protocol):
    name: str


def _recognizer_name(recognizer: EntityRecognizer) -> str:
    """A recognizer's name: presidio sets it in branches mypy cannot type (always a str)."""
    return cast(_Named, recognizer).name


@lru_cache(maxsize=4)
def get_analyzer(ner_model: str = "") -> AnalyzerEngine:
    """The engine for a configuration, built once per process."""
    _offline_tldextract()
    nlp = _load_ner(ner_model) if ner_model else spacy.blank("en")
    engine = _BlankEngine(nlp, has_ner=bool(ner_model))
    registry = RecognizerRegistry(supported_languages=["en"])
    registry.load_predefined_recognizers(nlp_engine=engine, languages=["en"])
    registry.recognizers = [r for r in registry.recognizers if _recognizer_name(r) not in DROPPED]
    for recognizer in registry.recognizers:
        # one full pass of phonenumbers per region
        if _recognizer_name(recognizer) == "PhoneRecognizer":
            cast(PhoneRecognizer, recognizer).supported_regions = PHONE_REGIONS
    if ner_model:
        registry.add_nlp_recognizer(nlp_engine=engine)
    for recognizer in (_MbiRecognizer(), UsNpiRecognizer(), _dob_recognizer(),
                       _member_id_recognizer()):
        registry.add_recognizer(recognizer)
    return AnalyzerEngine(registry=registry, nlp_engine=engine, supported_languages=["en"],
                          context_aware_enhancer=_ContextEnhancer())


@dataclass(frozen=True)
class Match:
    """One accepted entity in one analysed line."""

    line: int      # index into the lines given to `analyze_lines`
    entity: str
    start: int     # offsets into that line
    end: int
    score: float


def _accepted(result: Any, min_score: float, text: str) -> bool:
    explanation = result.analysis_explanation
    boosted = bool(explanation and explanation.supportive_context_word)
    if result.entity_type in NEEDS_EVIDENCE:
        return boosted
    if result.entity_type == "PHONE_NUMBER" and result.score >= 0.4 and min_score <= 0.5:
        # a valid number written the way phone numbers are: (212) 555-0175, +1-212-...
        return PHONE_FORMAT.search(text[result.start:result.end]) is not None or boosted
    return result.score >= min_score or (boosted and result.score >= 0.4)


def _resolve_overlaps(results: list[Any]) -> list[Any]:
    """Keep the best of overlapping spans (an e-mail beats the URL inside it)."""
    kept: list[Any] = []
    for r in sorted(results, key=lambda r: (-r.score, -(r.end - r.start))):
        if all(r.end <= k.start or r.start >= k.end for k in kept):
            kept.append(r)
    return kept


# (ner model, min score, prefix, line) -> what it holds: a notebook shows the same rows in
# many outputs (df.head() after every step), a table repeats values. Process memory only,
# bounded, emptied by `forget()` after each file.
_SEEN: dict[tuple[str, float, str, str], tuple[tuple[str, int, int, float], ...]] = {}
_SEEN_MAX = 50_000


def forget() -> None:
    """Drop the values remembered from the file just scanned."""
    _SEEN.clear()


def analyze_lines(lines: Sequence[str], ner_model: str = "", min_score: float = 0.5,
                  prefix: str = "") -> list[Match]:
    """Analyse many short texts in few presidio calls: they are joined into chunks of
    newline-separated lines (with `prefix`, e.g. a column's header words, before each so that
    context words apply) and every result is mapped back to its line. Lines longer than a
    chunk are cut into pieces (an entity across a cut may be missed). Identical lines (in
    this call or earlier ones for the same file) are analysed once."""
    analyzer = get_analyzer(ner_model)
    owners: dict[str, list[int]] = {}
    for i, line in enumerate(lines):
        owners.setdefault(line, []).append(i)
    todo = [line for line in owners if (ner_model, min_score, prefix, line) not in _SEEN]
    found: dict[str, list[tuple[str, int, int, float]]] = {line: [] for line in todo}
    for chunk, pieces in _chunks(todo, prefix):
        results = analyzer.analyze(chunk, language="en", return_decision_process=True)
        results = _resolve_overlaps([r for r in results if _accepted(r, min_score, chunk)])
        starts = [p[0] for p in pieces]
        for r in results:
            start, slot, offset = pieces[bisect_right(starts, r.start) - 1]
            base = start + len(prefix)
            if r.start < base:
                continue  # inside the prefix (a header word), not a value
            found[todo[slot]].append((r.entity_type, r.start - base + offset,
                                      r.end - base + offset, r.score))
    if len(_SEEN) + len(found) > _SEEN_MAX:
        _SEEN.clear()
    for line, hits in found.items():
        _SEEN[(ner_model, min_score, prefix, line)] = tuple(hits)
    matches: list[Match] = []
    for line, indexes in owners.items():
        fresh = found.get(line)
        hits = fresh if fresh is not None else list(_SEEN[(ner_model, min_score, prefix, line)])
        for entity, begin, end, score in hits:
            matches.extend(Match(i, entity, begin, end, score) for i in indexes)
    return matches


def _chunks(lines: Sequence[str], prefix: str) -> Iterable[tuple[str, list[tuple[int, int,
                                                                                   int]]]]:
    """(text of at most about MAX_TEXT characters, [(start in text, line index, offset of
    the piece in its line)])."""
    parts: list[str] = []
    pieces: list[tuple[int, int, int]] = []
    size = 0
    room = max(100, MAX_TEXT - len(prefix) - 1)
    for i, line in enumerate(lines):
        line = line.replace("\n", " ")
        for offset in range(0, max(len(line), 1), room):
            piece = prefix + line[offset: offset + room]
            if parts and size + len(piece) + 1 > MAX_TEXT:
                yield "\n".join(parts), pieces
                parts, pieces, size = [], [], 0
            pieces.append((size, i, offset))
            parts.append(piece)
            size += len(piece) + 1
    if parts:
        yield "\n".join(parts), pieces
