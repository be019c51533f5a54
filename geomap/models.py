"""The typed data that flows between geomap's stages.

articles -> mentions -> places -> incidents (a GeoDataFrame, EPSG:4326) -> maps and exports.

All records are frozen dataclasses: stages never mutate what an earlier stage produced.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import MISSING, dataclass, field, fields
from typing import Any, TypeVar

#: Kinds of gazetteer entry, most specific last.
PLACE_KINDS = ("country", "admin1", "admin2", "water", "physical", "city", "facility")
#: A mention is a place of one of the kinds above, or a demonym ("Russian") that refers to a country.
MENTION_KINDS = PLACE_KINDS + ("demonym",)


_Record = TypeVar("_Record", bound=type)


def pickled_by_slots(cls: _Record) -> _Record:
    """Pickle a slots dataclass as its class and a tuple of its field values.

    Dataclasses with slots otherwise pickle through ``dataclasses.fields()`` (frozen) or
    copyreg's dict of slots: a candidate with its place takes 9.4 µs to pickle and 6.7 to
    unpickle instead of 7.3 and 5.8. The Dask workers ship every candidate of an article to the
    worker that merges its incident id.
    """
    names: tuple[str, ...] = tuple(getattr(cls, "__slots__"))  # noqa: B009  (type has no __slots__ to mypy)
    # each slot's own setter: it fills a frozen instance as unpickling must, without __setattr__
    _SLOT_SETTERS[cls] = tuple(cls.__dict__[name].__set__ for name in names)

    def __reduce__(self: Any) -> tuple[Any, tuple[type, tuple[Any, ...]]]:
        return _from_slots, (cls, tuple([getattr(self, name) for name in names]))

    setattr(cls, "__reduce__", __reduce__)  # noqa: B010  (a method mypy would not let be assigned)
    return cls


_SLOT_SETTERS: dict[type, tuple[Any, ...]] = {}


def _from_slots(cls: type, values: tuple[Any, ...]) -> Any:
    """The object :func:`pickled_by_slots` pickled, rebuilt without ``__init__`` (as pickle does)."""
    obj: Any = object.__new__(cls)
    for set_slot, value in zip(_SLOT_SETTERS[cls], values, strict=True):
        set_slot(obj, value)
    return obj


@pickled_by_slots
@dataclass(frozen=True, slots=True)
class Article:
    """One news text with what is known about it.

    ``date`` is the publication (report) date, the day as the source wrote it; ``date_precision``
    follows ACLED (1 day, 2 week, 3 month). ``published`` is the moment when the source gives a
    time, time-zone aware when it names a zone. ``source`` names where it came from (a path, a
    path with a line, or ``<stdin>``).
    """

    id: str
    text: str
    date: _dt.date | None = None
    date_precision: int = 1
    title: str | None = None
    url: str | None = None
    source: str | None = None
    published: _dt.datetime | None = None


@pickled_by_slots
@dataclass(frozen=True, slots=True)
class Place:
    """A gazetteer entry: a named place with a representative point inside its shape.

    ``id`` is stable across rebuilds ("gn:618426" for a GeoNames city, "ne1:RU-KDA" for an
    admin-1 region, "cc:MD" for a country, "water:..." / "phys:..." for curated areas).
    ``bbox`` is (west, south, east, north). ``country`` is ISO 3166-1 alpha-2, ``admin1_code``
    ISO 3166-2 where known.
    """

    id: str
    name: str
    kind: str
    lat: float
    lon: float
    bbox: tuple[float, float, float, float] | None = None
    country: str | None = None
    admin1: str | None = None
    admin1_code: str | None = None
    population: int = 0
    alt_names: tuple[str, ...] = ()
    source: str = ""
    geonameid: int | None = None
    approximate: str | None = None  # "hromada centre": the entry has no point of its own
    feature: str | None = None      # what kind of city or area: "village", "raion", "county", ...


@pickled_by_slots
@dataclass(frozen=True, slots=True)
class Mention:
    """A span of article text that names a place (or a demonym that refers to a country).

    ``start``/``end`` are Python string offsets into the article text, end-exclusive.
    ``place`` is the resolved gazetteer entry, or None when the name could not be resolved.
    For a demonym, ``kind`` is "demonym" and ``place`` is the country it refers to.
    """

    start: int
    end: int
    text: str
    kind: str
    place: Place | None
    confidence: float


@dataclass(frozen=True, slots=True)
class Incident:
    """One incident: an incident type reported at a place on a date, with its evidence.

    These fields are the columns of the incidents GeoDataFrame (plus a Point ``geometry`` at
    ``lon``/``lat``). ``id`` is stable across runs: it is derived from type, place and date, so
    the same incident reported by several articles merges into one record whose ``sources``
    lists them and whose ``reports`` counts them.
    """

    id: str
    incident_type: str
    place: str
    place_id: str
    mention: str
    kind: str
    lat: float
    lon: float
    country: str | None
    country_name: str | None
    region: str | None
    region_code: str | None
    water: str | None
    geo_precision: int
    date: str | None
    date_precision: int
    sentence: str
    source: str | None
    title: str | None
    url: str | None
    confidence: float
    geonameid: int | None
    sources: list[str] = field(default_factory=list)
    reports: int = 1
    event_type: str | None = None      # ACLED's, from the taxonomy's mapping of incident_type
    sub_event_type: str | None = None
    location_note: str | None = None   # "approximate: hromada centre" when the place has no point of its own


#: Column order of the incidents GeoDataFrame (``geometry`` comes last).
INCIDENT_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(Incident))


def _defaults() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields(Incident):
        if f.default is not MISSING:
            out[f.name] = f.default
        elif f.default_factory is not MISSING:
            out[f.name] = f.default_factory
        elif "None" in str(f.type):
            out[f.name] = None
    return out


#: columns that may be absent from an input table, with the value they take then
#: (a callable is a factory, as in ``dataclasses``)
COLUMN_DEFAULTS: dict[str, Any] = _defaults()
