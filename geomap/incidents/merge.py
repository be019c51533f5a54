"""Merging: one incident per type, place and day, however many sentences and articles report it.

Within one article:

1. **containers** -- a country- or region-level incident is dropped when the same article reports
   the same type at a place inside it ("air attacks on Kyiv and other parts of Ukraine" keeps Kyiv;
   inside as :func:`geomap.geometry.contains` says, districts included); a speaker fallback is
   dropped when the same type has a directly paired place in that country;
2. **dates** -- an incident whose date only came from the article (no date words in its clause) or
   that is undated joins the same type at the same place with an explicit date in that article
   ("the Florida meeting" joins "travel to Florida ... on November 30");
3. several sentences with the same id keep the most confident one.

Across articles, records with the same id (a hash of type, place id and date or "undated") merge:
``sources`` lists every article, ``reports`` counts them, and the confidence is
:func:`combined_confidence` of each article's best confidence. The incident store
(:mod:`geomap.store`) keeps those per-article confidences and applies the same function, so an
incident's confidence does not depend on how its articles were split into runs.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..geometry import contains
from ..models import INCIDENT_COLUMNS, Place, pickled_by_slots


def incident_id(incident_type: str, place_id: str, date: _dt.date | str | None) -> str:
    """Stable id: a short hash of (type, place id, ISO date or "undated").

    >>> incident_id("air_strike", "gn:703448", "2025-11-29") == incident_id("air_strike", "gn:703448", _dt.date(2025, 11, 29))
    True
    """
    day = date.isoformat() if isinstance(date, _dt.date) else (date or "undated")
    return hashlib.sha1(f"{incident_type}|{place_id}|{day}".encode()).hexdigest()[:12]


@pickled_by_slots
@dataclass(slots=True)
class Report:
    """One incident as one sentence of one article reports it."""

    incident_type: str
    place: Place
    mention: str
    kind: str
    geo_precision: int
    date: _dt.date | None
    date_precision: int
    sentence: str
    confidence: float
    article: str                       # the article's key: source, url or id
    source: str | None = None
    title: str | None = None
    url: str | None = None
    container: Place | None = None
    date_default: bool = False
    future: bool = False
    speaker_fallback: bool = False
    role: str = ""
    sentences: list[str] = field(default_factory=list)
    event_type: str | None = None
    sub_event_type: str | None = None

    @property
    def id(self) -> str:
        return incident_id(self.incident_type, self.place.id, self.date)


def suppress_containers(cands: list[Report]) -> list[Report]:
    """Drop coarse incidents covered by finer ones of the same type in the same article."""
    keep = []
    for c in cands:
        finer = [o for o in cands if o is not c and o.article == c.article and o.incident_type == c.incident_type]
        if c.place.kind in ("country", "admin1") and any(
                contains(c.place, o.place) for o in finer if not o.speaker_fallback):
            continue
        if c.speaker_fallback and any(
                not o.speaker_fallback and (o.place.country == c.place.country or contains(o.place, c.place))
                for o in finer):
            continue
        keep.append(c)
    return keep


def _better(a: Report, b: Report) -> Report:
    ka = (a.confidence, not a.date_default, -a.geo_precision, -a.date_precision)
    kb = (b.confidence, not b.date_default, -b.geo_precision, -b.date_precision)
    return a if ka >= kb else b


def merge_article(cands: list[Report]) -> list[Report]:
    """Apply container suppression, date joining and same-id merging within one article."""
    cands = suppress_containers(cands)
    explicit: dict[tuple[str, str], list[Report]] = {}
    for c in cands:
        if not c.date_default and c.date is not None:
            explicit.setdefault((c.incident_type, c.place.id), []).append(c)
    by_id: dict[str, Report] = {}
    for c in cands:
        if c.date_default or c.date is None:
            targets = explicit.get((c.incident_type, c.place.id))
            if targets:
                anchor = min(targets, key=lambda t: abs(((t.date or _dt.date.min) - (c.date or t.date)).days))
                c.date, c.date_precision, c.date_default = anchor.date, anchor.date_precision, False
                c.future = anchor.future
        key = c.id
        if key in by_id:
            best = _better(by_id[key], c)
            other = c if best is by_id[key] else by_id[key]
            best.sentences = _unique(best.sentences + [best.sentence] + other.sentences + [other.sentence])
            best.date_precision = min(best.date_precision, other.date_precision)
            if best.container is None:
                best.container = other.container
            by_id[key] = best
        else:
            by_id[key] = c
    return list(by_id.values())


def combined_confidence(per_source: Iterable[float], corroboration: bool = True) -> float:
    """THE confidence of an incident from the best confidence of each source that reports it.

    With ``corroboration`` (the taxonomy's ``[scoring] corroboration``) several sources give
    ``1 - prod(1 - c)``, capped at 0.99 and rounded to 3 decimals (a run rounds each article's
    confidence to 3 decimals first); otherwise the highest one, as it is. A run (:func:`merge_incidents`) and the store both call this,
    on the same per-source values, so the result is the same however the articles were batched.
    NaN (unknown) values are ignored; with none left the result is NaN.
    """
    values = [float(c) for c in per_source if not math.isnan(float(c))]
    if not values:
        return math.nan
    if corroboration and len(values) > 1:
        miss = 1.0
        for conf in values:
            miss *= 1.0 - conf
        return round(min(0.99, 1.0 - miss), 3)
    return max(values)


def _unique(items: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        seen.setdefault(item, None)
    return list(seen)


def merge_incidents(cands: list[Report], corroboration: bool = True) -> list[dict]:
    """Merge candidates (already merged per article) across articles into incident records.

    Each record has every column of :data:`geomap.models.INCIDENT_COLUMNS`; region fields come
    from the gazetteer entry (and its container) and are refined later by the spatial join.
    """
    groups: dict[str, list[Report]] = {}
    for c in cands:
        groups.setdefault(c.id, []).append(c)
    records = []
    for key, group in groups.items():
        best = group[0]
        for c in group[1:]:
            best = _better(best, c)
        per_article: dict[str, float] = {}
        for c in group:
            per_article[c.article] = max(per_article.get(c.article, 0.0), round(c.confidence, 3))
        confidence = combined_confidence(per_article.values(), corroboration)
        container = best.container or next((c.container for c in group if c.container), None)
        records.append(_record(key, best, container, confidence, list(per_article),
                               min(c.date_precision for c in group)))
    records.sort(key=lambda r: (r["date"] or "9999", r["incident_type"], r["place"]))
    return records


def _record(key: str, c: Report, container: Place | None, confidence: float, sources: list[str],
            date_precision: int) -> dict:
    place = c.place
    region = region_code = None
    if place.kind == "admin1":
        region, region_code = place.name, place.admin1_code
    elif container is not None and container.kind == "admin1":
        region, region_code = container.name, container.admin1_code
    elif place.admin1:
        region, region_code = place.admin1, place.admin1_code
    record = {
        "id": key, "incident_type": c.incident_type, "place": place.name, "place_id": place.id,
        "mention": c.mention, "kind": place.kind, "lat": float(place.lat), "lon": float(place.lon),
        "country": place.country, "country_name": None, "region": region, "region_code": region_code,
        "water": place.name if place.kind == "water" else None, "geo_precision": int(c.geo_precision),
        "date": c.date.isoformat() if c.date else None, "date_precision": int(date_precision),
        "sentence": c.sentence, "source": c.source, "title": c.title, "url": c.url,
        "confidence": confidence, "geonameid": place.geonameid, "sources": sources, "reports": len(sources),
        "event_type": c.event_type, "sub_event_type": c.sub_event_type,
        "location_note": f"approximate: {place.approximate}" if place.approximate else None,
    }
    if tuple(record) != INCIDENT_COLUMNS:  # pragma: no cover - guards edits of models.Incident
        raise RuntimeError("geomap.incidents.merge._record does not follow models.INCIDENT_COLUMNS")
    return record
