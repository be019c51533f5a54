"""Incidents: pair each place with the incident type the text reports there.

    >>> import geomap
    >>> gdf = geomap.extract("date 2025-11-29\\nRussian drones struck an oil depot in Odesa overnight.")
    >>> gdf[["incident_type", "place", "date"]].values.tolist()     # doctest: +SKIP
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
then the records become a GeoDataFrame (EPSG:4326) and a spatial join assigns country, admin-1
region and water body (``geomap.regions.assign_regions``).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
from time import perf_counter
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from ..errors import UsageError
from ..models import Article, Mention
from .classify import classify, find_cues
from .dates import find_dates, incident_date, is_future, split_date_header
from .lexicon import Lexicon, load_lexicon
from .merge import Report, merge_article, merge_incidents
from .pairing import items_from_mentions, pair_sentence
from .sentences import split_sentences
from .taxonomy import INCIDENT_TYPES, Taxonomy, load_taxonomy

if TYPE_CHECKING:  # pragma: no cover
    import geopandas

__all__ = ["INCIDENT_TYPES", "Report", "article_candidates", "as_articles", "candidates_frame", "check_types",
           "extract", "incidents_records", "load_taxonomy", "records_frame"]

Geoparser = Callable[[str], list[Mention]]


def as_articles(articles_or_texts: Article | str | Iterable[Article | str],
                reference_date: _dt.date | None = None) -> list[Article]:
    """Normalise the input of :func:`extract` to Articles.

    A string is one article text; a leading ``date YYYY-MM-DD`` line gives its date. An Article
    without a date (and a string without a date line) takes ``reference_date``.
    """
    if isinstance(articles_or_texts, (str, Article)):
        articles_or_texts = [articles_or_texts]
    out = []
    for n, item in enumerate(articles_or_texts):
        if isinstance(item, str):
            date, body = split_date_header(item)
            digest = hashlib.sha1(item.encode("utf-8", "surrogatepass")).hexdigest()[:12]
            out.append(Article(id=digest, text=body, date=date or reference_date,
                               source=f"<text {n + 1}>"))
        elif isinstance(item, Article):
            date, body = split_date_header(item.text)
            if date is not None or (item.date is None and reference_date is not None):
                item = Article(id=item.id, text=body, date=item.date or date or reference_date,
                               date_precision=item.date_precision, title=item.title, url=item.url,
                               source=item.source)
            out.append(item)
        else:
            raise UsageError(f"extract() takes Articles or strings, not {type(item).__name__}: "
                             "read files with geomap.read_articles(...) first")
    return out


def _default_geoparser() -> Geoparser:
    from ..toponyms import geoparse  # lazy: the gazetteer index loads on first use
    return geoparse


def article_candidates(article: Article, mentions: list[Mention], lexicon: Lexicon,
                       types: frozenset[str] | None = None,
                       timings: dict[str, float] | None = None) -> list[Report]:
    """Every (type, place, date) one article reports, merged within the article (not across
    articles); ``mentions`` from the geoparser. ``timings`` receives the seconds spent on dates
    (``dates``) and on the in-article merge (``merge``)."""
    clock = perf_counter
    dating = 0.0
    text = article.text
    key = article.source or article.url or article.id
    out: list[Report] = []
    previous = None
    mentions = sorted(mentions, key=lambda m: m.start)
    acled = lexicon.taxonomy.types
    for sent in split_sentences(text):
        cues = find_cues(sent.text, lexicon, types)
        evidence = classify(sent.text, lexicon, types, cues=cues) if cues else {}
        items = items_from_mentions(mentions, sent.start, sent.end)
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
            out.append(Report(
                incident_type=p.type, place=p.place, mention=p.mention, kind=p.kind,
                geo_precision=p.geo_precision, date=when.date, date_precision=when.precision,
                sentence=sent.text, confidence=round(conf, 4), article=key, source=article.source,
                title=article.title, url=article.url, container=p.container, date_default=when.default,
                future=when.future, speaker_fallback=p.speaker_fallback, role=p.role,
                event_type=acled[p.type].event_type, sub_event_type=acled[p.type].sub_event_type))
    t0 = clock()
    merged = merge_article(out)
    if timings is not None:
        timings["dates"] = timings.get("dates", 0.0) + dating
        timings["merge"] = timings.get("merge", 0.0) + (clock() - t0)
    return merged


def _mention_conf(mentions: list[Mention], pos: int) -> float:
    for m in mentions:
        if m.start <= pos < m.end:
            return float(m.confidence)
    return 1.0  # an anaphor: its antecedent's confidence is already in the pairing factor


def incidents_records(articles_or_texts: Article | str | Iterable[Article | str], *,
                      geoparser: Geoparser | None = None, min_confidence: float | None = None,
                      reference_date: _dt.date | None = None, types: Iterable[str] | None = None,
                      taxonomy: Taxonomy | str | None = None,
                      timings: dict[str, float] | None = None) -> list[dict[str, Any]]:
    """Like :func:`extract` but returns the merged records (dicts with the incident columns)."""
    lexicon = load_lexicon(taxonomy)
    type_set = check_types(types)
    threshold = lexicon.scoring.min_confidence if min_confidence is None else float(min_confidence)
    parse = geoparser or _default_geoparser()
    clock = timings if timings is not None else {}
    cands: list[Report] = []
    for article in as_articles(articles_or_texts, reference_date):
        t0 = perf_counter()
        mentions = parse(article.text)
        t1 = perf_counter()
        inner: dict[str, float] = {}
        cands.extend(article_candidates(article, mentions, lexicon, type_set, timings=inner))
        t2 = perf_counter()
        clock["geoparse"] = clock.get("geoparse", 0.0) + (t1 - t0)
        clock["classify+pair"] = clock.get("classify+pair", 0.0) + (t2 - t1) - sum(inner.values())
        for stage, seconds in inner.items():
            clock[stage] = clock.get(stage, 0.0) + seconds
    t0 = perf_counter()
    records = [r for r in merge_incidents(cands, lexicon.scoring.corroboration) if r["confidence"] >= threshold]
    clock["merge"] = clock.get("merge", 0.0) + (perf_counter() - t0)
    return records


def check_types(types: Iterable[str] | None) -> frozenset[str] | None:
    if types is None:
        return None
    chosen = frozenset(t.strip() for t in types if t and t.strip())
    unknown = sorted(chosen - set(INCIDENT_TYPES))
    if unknown:
        raise UsageError(f"unknown incident type(s) {', '.join(unknown)}; choose from {', '.join(INCIDENT_TYPES)}")
    return chosen or None


def extract(articles_or_texts: Article | str | Iterable[Article | str], *, geoparser: Geoparser | None = None,
            min_confidence: float | None = None, reference_date: _dt.date | None = None,
            types: Iterable[str] | None = None, taxonomy: Taxonomy | str | None = None,
            timings: dict[str, float] | None = None) -> geopandas.GeoDataFrame:
    """Extract incidents from articles or texts as a GeoDataFrame (EPSG:4326, Point geometry).

    Parameters
    ----------
    articles_or_texts
        An :class:`~geomap.models.Article`, a text (a leading ``date YYYY-MM-DD`` line dates it), or
        an iterable of them.
    geoparser
        ``text -> list[Mention]``; default :func:`geomap.geoparse` (offline gazetteer).
    min_confidence
        Drop incidents below this confidence (default ``[scoring] min_confidence``, 0.4).
    reference_date
        The date of articles that carry none; relative dates ("yesterday") resolve against it.
    types
        Only these incident type ids.
    timings
        A dict that receives seconds spent per stage (``geoparse``, ``classify+pair`` -- sentences,
        cues, roles and pairs --, ``dates``, ``merge`` -- in each article and across them --,
        ``frame``, ``regions``), summed over calls.

    Returns one row per incident with the columns of :data:`geomap.models.INCIDENT_COLUMNS`.
    """
    clock = timings if timings is not None else {}
    records = incidents_records(articles_or_texts, geoparser=geoparser, min_confidence=min_confidence,
                                reference_date=reference_date, types=types, taxonomy=taxonomy, timings=clock)
    return records_frame(records, timings=clock)


def candidates_frame(cands: list[Report], *, min_confidence: float | None = None,
                     taxonomy: Taxonomy | str | None = None,
                     timings: dict[str, float] | None = None) -> geopandas.GeoDataFrame:
    """Merge per-article candidates (from :func:`article_candidates`) into the incidents frame."""
    lexicon = load_lexicon(taxonomy)
    threshold = lexicon.scoring.min_confidence if min_confidence is None else float(min_confidence)
    records = [r for r in merge_incidents(cands, lexicon.scoring.corroboration) if r["confidence"] >= threshold]
    return records_frame(records, timings=timings)


def records_frame(records: list[dict[str, Any]], *, timings: dict[str, float] | None = None) -> geopandas.GeoDataFrame:
    """Merged records -> GeoDataFrame (EPSG:4326) with regions assigned by spatial join."""
    clock = timings if timings is not None else {}
    t0 = perf_counter()
    gdf = _frame(records)
    t1 = perf_counter()
    gdf = _assign_regions(gdf)
    clock["frame"] = clock.get("frame", 0.0) + (t1 - t0)
    clock["regions"] = clock.get("regions", 0.0) + (perf_counter() - t1)
    return gdf


def _frame(records: list[dict]) -> geopandas.GeoDataFrame:
    from ..export import incidents_frame
    from ..models import Incident

    return incidents_frame([Incident(**r) for r in records])


_REGION_COLUMNS = ("country", "country_name", "region", "region_code", "water")


def _assign_regions(gdf: geopandas.GeoDataFrame) -> geopandas.GeoDataFrame:
    """Spatial join of country, admin-1 and water; gazetteer values stay where the join finds none."""
    from ..regions import assign_regions

    before = gdf[list(_REGION_COLUMNS)].copy()
    if len(gdf):
        gdf = assign_regions(gdf)
        for col in _REGION_COLUMNS:
            if col in gdf.columns:
                gdf[col] = gdf[col].where(gdf[col].notna(), before[col].values)
            else:
                gdf[col] = before[col].values
    if len(gdf):
        # a country's representative point lies in some admin-1 unit, but the incident does not
        coarse = (gdf["kind"] == "country").to_numpy()
        if coarse.any():
            gdf.loc[coarse, ["region", "region_code"]] = None
    if gdf["country_name"].isna().any():
        gdf["country_name"] = [name if isinstance(name, str) else _country_name(code)
                               for name, code in zip(gdf["country_name"], gdf["country"])]
    return gdf


def _country_name(code: Any) -> str | None:
    if not isinstance(code, str) or not code:
        return None
    import pycountry

    country = pycountry.countries.get(alpha_2=code.upper())
    return getattr(country, "common_name", None) or getattr(country, "name", None) if country else None
