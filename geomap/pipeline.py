"""The one pipeline from articles to incidents: ``geomap.extract()``, ``geomap extract`` and
``geomap map`` all run it.

Per article: **geoparse** (recognition and offline resolution, :mod:`geomap.toponyms`), then
**resolve** (with ``geocoder=``, each place's point from that geocoder, e.g. Nominatim; see
:mod:`geomap.geocoders.relocate`), then **classify + pair** (incident cues and the place each is
reported at, with **dates**, merged within the article; :mod:`geomap.incidents`). Across
articles: **merge** (corroboration, one row per type, place and day), **frame** (the incidents
GeoDataFrame) and **regions** (country, admin-1 and water by spatial join).

One :class:`Timings` object receives the seconds per stage, and a
:class:`~geomap.batch.BatchReport` the inputs and articles that failed:

>>> from geomap._paths import data_path
>>> pipe, report = Pipeline(), BatchReport()
>>> gdf = pipe.run(geomap.read_articles(data_path("examples"), on_error=report.record), report=report)
>>> (report.ok, report.failures, len(gdf) > 0, pipe.timings.seconds["geoparse"] > 0)
(8, [], True, True)
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import functools
import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from time import perf_counter
from typing import TYPE_CHECKING, Any

from ._gc import batch_gc
from .batch import BatchReport, BatchStopped, run_batch
from .errors import UsageError
from .models import Article, Mention

if TYPE_CHECKING:  # pragma: no cover
    import geopandas

    from .incidents.merge import Report
    from .incidents.taxonomy import Taxonomy

__all__ = ["STAGES", "Pipeline", "Timings", "as_articles", "extract", "incidents_records", "records_frame"]

#: The stages :class:`Timings` reports, in pipeline order.
STAGES = ("geoparse", "resolve", "classify+pair", "dates", "merge", "frame", "regions")

Geoparser = Callable[[str], list[Mention]]


@dataclass
class Timings:
    """Seconds spent per stage (:data:`STAGES`), summed over every article and call."""

    seconds: dict[str, float] = field(default_factory=dict)

    def add(self, stage: str, seconds: float) -> None:
        self.seconds[stage] = self.seconds.get(stage, 0.0) + seconds

    @contextlib.contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time the block as stage ``name``."""
        started = perf_counter()
        try:
            yield
        finally:
            self.add(name, perf_counter() - started)


class Pipeline:
    """The stages, set up once for a run: taxonomy, types, threshold, geoparser and geocoder.

    ``geoparser`` is ``text -> list[Mention]`` (default :func:`geomap.geoparse`, offline);
    ``geocoder`` anything with geopy's ``geocode`` (``geomap.get_geocoder("nominatim", ...)``):
    its answers replace the offline points; ``None`` or ``"offline"`` keeps the gazetteer's.
    """

    def __init__(self, *, geoparser: Geoparser | None = None, geocoder: Any = None,
                 taxonomy: Taxonomy | str | None = None, types: Iterable[str] | None = None,
                 min_confidence: float | None = None, timings: Timings | None = None):
        from .incidents import check_types
        from .incidents.lexicon import load_lexicon

        self.lexicon = load_lexicon(taxonomy)
        self.types = check_types(types)
        self.min_confidence = (self.lexicon.scoring.min_confidence if min_confidence is None
                               else float(min_confidence))
        self.geoparser = geoparser
        self.relocate = None
        if geocoder is not None and geocoder != "offline" and not _offline(geocoder):
            from .geocoders.relocate import Relocator

            self.relocate = Relocator(geocoder)
        self.timings = timings if timings is not None else Timings()

    def article(self, article: Article) -> list[Report]:
        """Every (type, place, date) one article reports, merged within the article."""
        from .incidents import article_candidates

        with self.timings.stage("geoparse"):
            mentions = self._geoparse(article.text)
        if self.relocate is not None:
            with self.timings.stage("resolve"):
                mentions = self.relocate(mentions)
        started = perf_counter()
        inner = Timings()
        found = article_candidates(article, mentions, self.lexicon, self.types, timings=inner)
        self.timings.add("classify+pair", perf_counter() - started - sum(inner.seconds.values()))
        for stage, seconds in inner.seconds.items():
            self.timings.add(stage, seconds)
        return found

    def records(self, candidates: list[Report], *,
                min_confidence: float | None = None) -> list[dict[str, Any]]:
        """Merge candidates across articles; the rows at or above the confidence threshold
        (``min_confidence``, default the pipeline's)."""
        from .incidents.merge import merge_incidents

        threshold = self.min_confidence if min_confidence is None else min_confidence
        with self.timings.stage("merge"):
            merged = merge_incidents(candidates, self.lexicon.scoring.corroboration)
            return [r for r in merged if r["confidence"] >= threshold]

    def store_records(self, candidates: list[Report], *, regions: bool = True) -> list[dict[str, Any]]:
        """One article's rows for the incident store, without a frame: merged, at every
        confidence (the store holds back what is below the threshold until corroborated), with
        their regions (:func:`with_regions`; ``regions=False`` leaves them to the caller, who
        may join many articles' rows at once)."""
        records = self.records(candidates, min_confidence=0.0)
        if not regions:
            return records
        with self.timings.stage("regions"):
            return with_regions(records)

    def frame(self, candidates: list[Report], *,
              min_confidence: float | None = None) -> geopandas.GeoDataFrame:
        """Candidates -> the incidents GeoDataFrame (merged, thresholded, regions assigned)."""
        return records_frame(self.records(candidates, min_confidence=min_confidence),
                             timings=self.timings)

    def run(self, articles: Iterable[Article], *, report: BatchReport | None = None,
            progress: bool | None = False, strict: bool = False,
            each: Callable[[Article, list[Report]], Any] | None = None) -> geopandas.GeoDataFrame:
        """Run every article through the pipeline and return the incidents frame
        (:meth:`run_records`, then :func:`records_frame`)."""
        with batch_gc():
            return records_frame(self.run_records(articles, report=report, progress=progress, strict=strict,
                                                  each=each), timings=self.timings)

    def run_records(self, articles: Iterable[Article], *, report: BatchReport | None = None,
                    progress: bool | None = False, strict: bool = False,
                    each: Callable[[Article, list[Report]], Any] | None = None,
                    keep: bool = True) -> list[dict[str, Any]]:
        """Run every article through the pipeline and return the merged records at or above the
        threshold, without their regions.

        Without ``report`` the first failing article raises. With one, failures are recorded
        there and the run goes on (``strict`` stops at the first, keeping what was done);
        ``progress`` draws a bar on stderr (None: when it is a terminal). ``each`` receives every
        article with its candidates as it is done (the store's per-article upsert). With
        ``keep=False`` no candidate outlives its article's ``each`` and nothing is returned: a run
        that only feeds the store holds one article's candidates at a time, whatever the corpus.
        """
        candidates: list[Report] = []

        def process(article: Article) -> None:
            found = self.article(article)
            if keep:
                candidates.extend(found)
            if each is not None:
                each(article, found)

        with batch_gc():
            if report is None:
                for article in articles:
                    process(article)
            else:
                with contextlib.suppress(BatchStopped):
                    run_batch(articles, process, progress=progress, strict=strict, report=report)
            return self.records(candidates)

    def _geoparse(self, text: str) -> list[Mention]:
        if self.geoparser is None:
            from .toponyms import geoparse  # lazy: the gazetteer index loads on first use

            self.geoparser = geoparse
        return self.geoparser(text)


def _offline(geocoder: Any) -> bool:
    """Whether ``geocoder`` is geomap's offline one: its answers are the gazetteer's, which the
    resolve stage never takes over the geoparser's own place (see
    :func:`geomap.geocoders.relocate.place_from_location`), so asking it would only cost time
    (and geopy's import at every start-up)."""
    from .geocoders.offline import OfflineGeocoder

    return isinstance(geocoder, OfflineGeocoder)


def as_articles(articles_or_texts: Article | str | Iterable[Article | str],
                reference_date: _dt.date | None = None) -> list[Article]:
    """Normalise the input of :func:`extract` to Articles.

    A string is one article text, its header read as a text file's is (a ``date YYYY-MM-DD``
    line or front matter dates it; an impossible date there raises :class:`InputError`); a
    string with no text gives no article. An Article is taken as the reader made it. Either
    without a date takes ``reference_date``.
    """
    from .articles.header import article_from_parts, split_header

    if isinstance(articles_or_texts, (str, Article)):
        articles_or_texts = [articles_or_texts]
    out = []
    for n, item in enumerate(articles_or_texts):
        if isinstance(item, str):
            header, body = split_header(item.replace("\r\n", "\n").replace("\r", "\n"), None)
            if not body.strip():
                continue  # no text, no incidents (the readers call this an error for a file)
            digest = hashlib.sha1(item.encode("utf-8", "surrogatepass")).hexdigest()[:12]
            out.append(article_from_parts(id=digest, text=body, source=f"<text {n + 1}>", header=header,
                                          title=None, default_date=(reference_date, 1)))
        elif isinstance(item, Article):
            if item.date is None and reference_date is not None:
                item = Article(id=item.id, text=item.text, date=reference_date, title=item.title,
                               url=item.url, source=item.source, published=item.published)
            out.append(item)
        else:
            raise UsageError(f"extract() takes Articles or strings, not {type(item).__name__}: "
                             "read files with geomap.read_articles(...) first")
    return out


def incidents_records(articles_or_texts: Article | str | Iterable[Article | str], *,
                      geoparser: Geoparser | None = None, geocoder: Any = None,
                      min_confidence: float | None = None, reference_date: _dt.date | None = None,
                      types: Iterable[str] | None = None, taxonomy: Taxonomy | str | None = None,
                      timings: Timings | None = None) -> list[dict[str, Any]]:
    """Like :func:`extract` but returns the merged records (dicts with the incident columns)."""
    pipe = Pipeline(geoparser=geoparser, geocoder=geocoder, taxonomy=taxonomy, types=types,
                    min_confidence=min_confidence, timings=timings)
    candidates: list[Report] = []
    for article in as_articles(articles_or_texts, reference_date):
        candidates.extend(pipe.article(article))
    return pipe.records(candidates)


def extract(articles_or_texts: Article | str | Iterable[Article | str], *,
            geoparser: Geoparser | None = None, geocoder: Any = None,
            min_confidence: float | None = None, reference_date: _dt.date | None = None,
            types: Iterable[str] | None = None, taxonomy: Taxonomy | str | None = None,
            timings: Timings | None = None) -> geopandas.GeoDataFrame:
    """Extract incidents from articles or texts as a GeoDataFrame (EPSG:4326, Point geometry).

    Parameters
    ----------
    articles_or_texts
        An :class:`~geomap.models.Article`, a text (a leading ``date YYYY-MM-DD`` line or front
        matter dates it), or an iterable of them.
    geoparser
        ``text -> list[Mention]``; default :func:`geomap.geoparse` (offline gazetteer).
    geocoder
        Where the places' points come from: ``None`` (the offline gazetteer) or a geocoder with
        geopy's interface, e.g. ``geomap.get_geocoder("nominatim", user_agent=...)`` (cached,
        rate limited, offline answer with a warning when the service fails). Only place names
        are sent, never article text.
    min_confidence
        Drop incidents below this confidence (default ``[scoring] min_confidence``, 0.4).
    reference_date
        The date of articles that carry none; relative dates ("yesterday") resolve against it.
    types
        Only these incident type ids.
    taxonomy
        A :class:`~geomap.incidents.taxonomy.Taxonomy` or the path of a taxonomy file.
    timings
        A :class:`Timings` that receives the seconds spent per stage (:data:`STAGES`).

    Returns one row per incident with the columns of :data:`geomap.models.INCIDENT_COLUMNS`.
    """
    pipe = Pipeline(geoparser=geoparser, geocoder=geocoder, taxonomy=taxonomy, types=types,
                    min_confidence=min_confidence, timings=timings)
    return pipe.run(as_articles(articles_or_texts, reference_date))


def records_frame(records: list[dict[str, Any]], *, timings: Timings | None = None) -> geopandas.GeoDataFrame:
    """Merged records -> GeoDataFrame (EPSG:4326) with regions assigned by spatial join."""
    from .export import incidents_frame
    from .models import Incident

    clock = timings if timings is not None else Timings()
    with clock.stage("regions"):
        records = with_regions(records)
    with clock.stage("frame"):
        return incidents_frame([Incident(**r) for r in records])


def with_regions(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The records (changed in place) with country, admin-1 and water from the spatial join of
    their points: for a gazetteer place at its own point, the join made when the index was built
    (no polygons loaded); else :func:`geomap.region_join.regions_at` (each distinct point joined once
    per process). The gazetteer's values stay where the join finds none. A country-level incident
    has no admin-1 region: its representative point lies in some admin-1 unit, the incident does
    not. Both the incidents frame and the store's per-article rows are made here."""
    from .region_join import JOIN_COLUMNS, regions_at

    if not records:
        return records
    points = [(_coordinate(r["lon"]), _coordinate(r["lat"])) for r in records]
    joined: list[tuple[str | None, ...] | None] = [None] * len(records)
    ids = {r["place_id"] for r in records if isinstance(r.get("place_id"), str)}
    if ids:
        from .gazetteer import load_gazetteer

        # the gazetteer's own points were joined when its index was built
        at_place = load_gazetteer().joined_regions(ids)
        for i, rec in enumerate(records):
            hit = at_place.get(str(rec.get("place_id")))
            if hit is not None and (hit[0], hit[1]) == points[i]:
                joined[i] = hit[2]
    rest = [i for i, values in enumerate(joined) if values is None]  # relocated points, other ids
    for i, values in zip(rest, regions_at([points[i] for i in rest]), strict=True):
        joined[i] = values
    for rec, found in zip(records, joined, strict=True):
        for col, value in zip(JOIN_COLUMNS, found or (None,) * len(JOIN_COLUMNS), strict=True):
            if value is not None:
                rec[col] = value
        if rec["kind"] == "country":
            rec["region"] = rec["region_code"] = None
        if not isinstance(rec["country_name"], str):
            rec["country_name"] = _country_name(rec["country"])
    return records


def _coordinate(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


@functools.cache
def _country_name(code: Any) -> str | None:
    if not isinstance(code, str) or not code:
        return None
    import pycountry

    country = pycountry.countries.get(alpha_2=code.upper())
    return getattr(country, "common_name", None) or getattr(country, "name", None) if country else None
