"""Sentence-level classification: which incident types a sentence reports, and how surely.

A sentence reports type T when it contains a strong cue of T that no longer cue of another type
covers ("air raid" covers the law-enforcement cue "raid"). Weak cues raise the confidence of a
strong cue; on their own they report T only when pairing finds a place as their direct target
("struck Kherson") -- :attr:`TypeEvidence.has_strong` tells pairing which case it is.

Confidence (numbers from ``[scoring]`` in the taxonomy file)::

    base = strong + per_extra_cue * (distinct cues - 1), at most max_cue   (weak only: weak_target ...)
    x negation_factor    when every cue of the type has a negation within modifier_window words
    x speculation_factor when every cue of the type has a speculation word ("could", "will",
                         "suspected", ...) that is not itself a cue of the type ("detained a suspect")
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .lexicon import Lexicon, PhraseIndex, load_lexicon

_WORD = re.compile(r"\S+")


def _starts(lx: Lexicon, text: str) -> dict | None:
    """Where the lexicon's alternations can begin in ``text`` (see :class:`PhraseIndex`, which
    keeps the last text's answer: classify() reuses find_cues()'s scan)."""
    return None if lx.index is None else lx.index.starts(text)


def _finditer(lx: Lexicon, key: object, pattern: re.Pattern[str], text: str):
    starts = _starts(lx, text)
    if starts is None:
        return pattern.finditer(text)
    if key not in starts:
        return ()
    return PhraseIndex.finditer(pattern, text, starts[key])


@dataclass(frozen=True, slots=True)
class Cue:
    """A lexicon match in a sentence; offsets are relative to the sentence text."""

    type: str
    strong: bool
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class TypeEvidence:
    """Everything a sentence says for one incident type."""

    type: str
    cues: tuple[Cue, ...]
    has_strong: bool
    base: float
    negated: bool
    speculative: bool
    confidence: float


def find_cues(text: str, lexicon: Lexicon | None = None, types: frozenset[str] | None = None) -> list[Cue]:
    """All cues in ``text``, minus those covered by a longer cue of another type, by position."""
    lx = lexicon or load_lexicon()
    cues: list[Cue] = []
    starts = _starts(lx, text)
    for type_id in lx.type_ids:
        if types is not None and type_id not in types:
            continue
        for strong, table in ((True, lx.strong), (False, lx.weak)):
            if type_id not in table:
                continue
            if starts is None:
                matches = table[type_id].finditer(text)
            else:
                key = ("strong" if strong else "weak", type_id)
                if key not in starts:
                    continue  # before table[type_id]: a pattern compiles on first use
                matches = PhraseIndex.finditer(table[type_id], text, starts[key])
            for m in matches:
                cues.append(Cue(type_id, strong, m.start(), m.end(), m.group(0)))
    if not cues:
        return cues
    # a longer cue of another type that covers a cue, or that starts earlier and runs into it, owns
    # those words: "air raid" covers "raid"; "sea drones attacked" is naval, not "drones attacked"
    kept = [c for c in cues if not any(
        o.type != c.type and (o.strong or not c.strong) and (
            (o.start <= c.start and c.end <= o.end and (o.end - o.start) > (c.end - c.start))
            or (o.start < c.start < o.end < c.end))
        for o in cues)]
    kept.sort(key=lambda c: (c.start, -c.end))
    return kept


def _words_between(text: str, a: int, b: int) -> int:
    if b <= a:
        return 0
    return len(_WORD.findall(text, a, b))


def _near(text: str, cue: Cue, spans: list[tuple[int, int]], window: int) -> bool:
    for start, end in spans:
        if end <= cue.start:
            if _words_between(text, end, cue.start) <= window:
                return True
        elif start >= cue.end:
            if _words_between(text, cue.end, start) <= window:
                return True
        else:
            return True
    return False


def modifier_spans(text: str, pattern: re.Pattern[str] | None, lexicon: Lexicon | None = None,
                   key: str = "") -> list[tuple[int, int]]:
    if pattern is None:
        return []
    if lexicon is not None and key:
        return [(m.start(), m.end()) for m in _finditer(lexicon, key, pattern, text)]
    return [(m.start(), m.end()) for m in pattern.finditer(text)]


def classify(text: str, lexicon: Lexicon | None = None, types: frozenset[str] | None = None,
             cues: list[Cue] | None = None) -> dict[str, TypeEvidence]:
    """The incident types ``text`` (one sentence) gives evidence for, keyed by type id.

    >>> ev = classify("Russian drones struck an oil depot overnight.")
    >>> sorted(ev), ev["air_strike"].has_strong
    (['air_strike'], True)
    """
    lx = lexicon or load_lexicon()
    sc = lx.scoring
    if cues is None:
        cues = find_cues(text, lx, types)
    if not cues:
        return {}
    negations = modifier_spans(text, lx.negation, lx, "negation")
    speculations = modifier_spans(text, lx.speculation, lx, "speculation")
    by_type: dict[str, list[Cue]] = {}
    for cue in cues:
        by_type.setdefault(cue.type, []).append(cue)
    out: dict[str, TypeEvidence] = {}
    for type_id, tcues in by_type.items():
        has_strong = any(c.strong for c in tcues)
        distinct = len({c.text.lower() for c in tcues})
        base = (sc.strong if has_strong else sc.weak_target) + sc.per_extra_cue * (distinct - 1)
        base = min(base, sc.max_cue)
        relevant = [c for c in tcues if c.strong] or tcues
        negated = bool(negations) and all(_near(text, c, negations, sc.modifier_window) for c in relevant)
        # a modifier that is itself a cue of this type reports it, it does not hedge it: "police
        # detained a suspect" is no speculation about the arrest, "investigators suspect arson" is
        # (a word of the cue itself, not a word inside the gap of a "drones ~ struck" cue)
        hedges = [s for s in speculations if not any(c.start == s[0] or c.end == s[1] for c in tcues)]
        speculative = bool(hedges) and all(_near(text, c, hedges, sc.modifier_window) for c in relevant)
        conf = base * (sc.negation_factor if negated else 1.0) * (sc.speculation_factor if speculative else 1.0)
        out[type_id] = TypeEvidence(type_id, tuple(tcues), has_strong, base, negated, speculative, conf)
    return out
