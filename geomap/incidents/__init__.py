"""Incidents: pair each place with the incident type the text reports there.

    >>> import geomap
    >>> gdf = geomap.extract("date 2025-11-29\\nRussian drones struck an oil depot in Odesa overnight.")
    >>> gdf[["incident_type", "place", "date"]].values.tolist()
    [['air_strike', 'Odesa', '2025-11-29']]

Stages (each a pure function, each module documents its rules):

``sentences``  split the text, keeping offsets;
``classify``   cues from the taxonomy lexicon per sentence -> types with a confidence
               (negation and speculation lower it);
``pairing``    the role of every place in the sentence (locative, target, speaker, container,
               actor, ...) -> (type, place) pairs;
``dates``      the article date plus the sentence's date words -> date and date_precision;
``merge``      container suppression and de-duplication in an article, then corroboration
               across articles -> one record per (type, place, date);
the run around these stages (reading, geoparsing, merging across articles, the GeoDataFrame
and its regions) is :mod:`geomap.pipeline`, which ``geomap.extract`` and the CLI call.
"""

from __future__ import annotations

from collections.abc import Iterable
from time import perf_counter
from typing import TYPE_CHECKING

from ..errors import UsageError
from ..models import Article, Mention
from .classify import classify, find_cues
from .dates import find_dates, incident_date, is_future
from .lexicon import Lexicon
from .merge import Candidate, merge_article
from .pairing import items_from_mentions, pair_sentence
from .sentences import split_sentences
from .taxonomy import INCIDENT_TYPES, MAP_TYPES, load_taxonomy

if TYPE_CHECKING:  # pragma: no cover
    from ..pipeline import Timings

__all__ = ["INCIDENT_TYPES", "Candidate", "article_candidates", "check_types", "load_taxonomy"]


def article_candidates(article: Article, mentions: list[Mention], lexicon: Lexicon,
                       types: frozenset[str] | None = None,
                       timings: Timings | None = None) -> list[Candidate]:
    """Every (type, place, date) one article reports, merged within the article (not across
    articles); ``mentions`` from the geoparser. ``timings`` receives the seconds spent on dates
    (``dates``) and on the in-article merge (``merge``)."""
    clock = perf_counter
    dating = 0.0
    text = article.text
    key = article.source or article.url or article.id
    out: list[Candidate] = []
    previous = None
    mentions = sorted(mentions, key=lambda m: m.start)
    acled = lexicon.taxonomy.types  # ACLED's event_type and sub_event_type of each type
    for sent in split_sentences(text):
        items = items_from_mentions(mentions, sent.start, sent.end)
        if not items and not previous:  # no place, and no earlier place an anaphor could take:
            continue                    # nothing to pair, so its cues are not even looked for
        cues = find_cues(sent.text, lexicon, types)
        evidence = classify(sent.text, lexicon, types, cues=cues) if cues else {}
        if not items and not (evidence and previous):  # no place, and no anaphor can have one
            previous = None if not evidence else previous
            continue
        pairs, items = pair_sentence(sent.text, items, cues, evidence, lexicon, previous)
        previous = items
        if not pairs:
            continue
        t0 = clock()
        refs = find_dates(sent.text, article.date, is_future(sent.text))
        whens = [incident_date(sent.text, [p.start, p.cue.start], article.date, article.date_precision, refs)
                 for p in pairs]
        dating += clock() - t0
        for p, when in zip(pairs, whens):
            conf = p.evidence.confidence * p.factor * (0.75 + 0.25 * _mention_conf(mentions, sent.start + p.start))
            if when.future:
                if not p.evidence.speculative:
                    conf *= lexicon.scoring.speculation_factor
                if p.type not in lexicon.scoring.announced_types:
                    conf *= lexicon.scoring.speculation_factor
            out.append(Candidate(
                incident_type=p.type, place=p.place, mention=p.mention, kind=p.kind,
                geo_precision=p.geo_precision, date=when.date, date_precision=when.precision,
                sentence=sent.text, confidence=round(conf, 4), article=key, source=article.source,
                title=article.title, url=article.url, container=p.container, date_default=when.default,
                future=when.future, speaker_fallback=p.speaker_fallback, role=p.role,
                event_type=acled[p.type].event_type, sub_event_type=acled[p.type].sub_event_type))
    t0 = clock()
    merged = merge_article(out)
    if timings is not None:
        timings.add("dates", dating)
        timings.add("merge", clock() - t0)
    return merged


def _mention_conf(mentions: list[Mention], pos: int) -> float:
    for m in mentions:
        if m.start <= pos < m.end:
            return float(m.confidence)
    return 1.0  # an anaphor: its antecedent's confidence is already in the pairing factor


def check_types(types: Iterable[str] | None) -> frozenset[str] | None:
    if types is None:
        return None
    chosen = frozenset(t.strip() for t in types if t and t.strip())
    unknown = sorted(chosen - set(MAP_TYPES))
    if unknown:
        raise UsageError(f"unknown incident type(s) {', '.join(unknown)}; choose from {', '.join(MAP_TYPES)}")
    return chosen or None
