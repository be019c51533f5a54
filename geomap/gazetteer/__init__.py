"""The offline gazetteer: look names up in the cached SQLite index and rank the candidates.

>>> gaz = load_gazetteer()
>>> gaz.search("Rostov region")[0][0].admin1_code
'RU-ROS'
"""

from __future__ import annotations

import functools
import math
import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..geometry import haversine_km
from ..models import Place
from .index import ABBREVIATION, AFTER_COMMA, ALTERNATE, DEMONYM, PRIMARY, KeyFilters, ensure_index
from .names import loose_key, name_key, split_kind_hint

__all__ = ["Candidate", "Gazetteer", "load_gazetteer", "name_key", "prominence"]

_MISSING = object()

#: Prominence of areas without a population figure, on the log10(population) scale of cities.
#: An admin-1 region ranks like a city of 100,000 people, so a bigger same-named city wins
#: ("Krasnodar" is the city) and a smaller one loses ("Florida" is the US state, not the Cuban town).
AREA_PROMINENCE = {"admin1": 5.0, "admin2": 4.0, "water": 6.5, "physical": 5.5, "facility": 3.0}
#: Countries rank above everything else of the same name.
COUNTRY_PROMINENCE = 9.0
#: Score bonus by how a name matched.
MATCH_BONUS = {"primary": 1.0, "alternate": 0.3, "demonym": 0.0, "loose": 0.0}
#: Bonus when the query's words ask for the candidate's kind ("... region" -> admin1).
KIND_HINT_BONUS = 6.0


#: Prominence of settlements without a population figure (KATOTTG's categories), below any
#: GeoNames city of 500 people (2.7): a town ranks above a village of the same name.
SETTLEMENT_PROMINENCE = {"city": 2.6, "urban-type settlement": 2.4, "village": 2.0, "rural settlement": 1.8}


def prominence(place: Place) -> float:
    """How well-known a place is, on a log10(population) scale."""
    if place.kind == "country":
        return COUNTRY_PROMINENCE + math.log10(max(place.population, 1)) / 10
    if place.kind == "city":
        if not place.population and place.feature in SETTLEMENT_PROMINENCE:
            return SETTLEMENT_PROMINENCE[place.feature]
        return math.log10(max(place.population, 1))
    return AREA_PROMINENCE.get(place.kind, 4.0)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A gazetteer entry that a name may refer to, with how the name matched it."""

    place: Place
    match: str      # "primary" | "alternate" | "demonym" | "loose"
    surface: str    # the stored spelling that matched
    abbreviation: bool = False
    after_comma: bool = False  # a state abbreviation, only valid as "Paris, Tenn."
    prior: float = 0.0         # prominence plus match bonus, set by Gazetteer.candidates

    @classmethod
    def make(cls, place: Place, match: str, surface: str, abbreviation: bool = False,
             after_comma: bool = False) -> "Candidate":
        return cls(place, match, surface, abbreviation, after_comma, prominence(place) + MATCH_BONUS[match])


class Gazetteer:
    """Read-only access to the cached index; safe to share between threads.

    Pickles as its index path (or "the default index") and whether its key filters were
    loaded, so a Dask worker reopens the index itself on first use instead of receiving its
    caches; unpickling in one process gives one shared instance per index (warm caches for
    every task). Without an explicit path, each process uses the index of its own cache folder
    (``GEOMAP_CACHE_DIR``), built there once if missing.
    """

    def __init__(self, path: str | Path | None = None):
        self._explicit = Path(path) if path else None
        self._path: Path | None = self._explicit or ensure_index()
        self._reset(preload=False)

    @property
    def path(self) -> Path:
        """The index file (a gazetteer reopened in a worker finds it on first use)."""
        if self._path is None:
            self._path = ensure_index()
        return self._path

    def _reset(self, preload: bool) -> None:
        self._local = threading.local()
        self._places: dict[int, Place] = {}
        self._lookups: dict[tuple[str, bool], tuple[Candidate, ...]] = {}
        self._filters: KeyFilters | None = None
        self._preload = preload  # load the key filters on first lookup (set when unpickled)
        self._longest: dict[str, int] = {}
        self._ids: dict[str, int | None] = {}

    def __reduce__(self):
        return _reopen, (self._explicit and str(self._explicit), self._preload or self._filters is not None)

    def preload_keys(self) -> None:
        """Load the index's key filters, so most misses never touch SQLite.

        One read of about 6 MB (a few ms); worth it for geoparsing many texts, where most
        looked-up word sequences are not names. Single geocoder queries do not need it.
        """
        if self._filters is None:
            self._filters = KeyFilters.load(self._db)
        self._preload = True

    def _key_filters(self) -> KeyFilters | None:
        if self._filters is None and self._preload:
            self.preload_keys()
        return self._filters

    def longest_name_from(self, first_word: str) -> int:
        """At least as many words as the longest name starting with this key word has (0: none).

        Needs :meth:`preload_keys`; without it, answers a safe upper bound.
        """
        filters = self._key_filters()
        if filters is None:
            return 99
        hit = self._longest.get(first_word)
        if hit is None:
            if len(self._longest) > 200_000:
                self._longest.clear()
            hit = self._longest[first_word] = filters.longest_from(first_word)
        return hit

    @property
    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(f"file:{self.path}?mode=ro&immutable=1", uri=True)
            self._local.db = db
        return db

    # ------------------------------------------------------------------ primitive lookups
    _PLACE_COLUMNS = ("p.rowid,p.id,p.name,p.kind,p.lat,p.lon,p.west,p.south,p.east,p.north,p.country,"
                      "p.admin1,p.admin1_code,p.population,p.source,p.geonameid,p.alt_names,p.approx,p.feature")

    def _row_place(self, row: tuple) -> Place:
        """A Place from a places row (cached by rowid, so each entry is built once)."""
        place = self._places.get(row[0])
        if place is None:
            (rowid, pid, name, kind, lat, lon, west, south, east, north, country, admin1, admin1_code,
             population, source, geonameid, alt_names, approx, feature) = row
            place = Place(id=pid, name=name, kind=kind, lat=lat, lon=lon,
                          bbox=(west, south, east, north) if west is not None else None,
                          country=country, admin1=admin1, admin1_code=admin1_code,
                          population=population, alt_names=tuple(filter(None, alt_names.split("|"))),
                          source=source, geonameid=geonameid, approximate=approx, feature=feature)
            self._places[rowid] = place
        return place

    def _place(self, rowid: int) -> Place:
        place = self._places.get(rowid)
        if place is None:
            row = self._db.execute(f"SELECT {self._PLACE_COLUMNS} FROM places p WHERE p.rowid=?",
                                   (rowid,)).fetchone()
            place = self._row_place(row)
        return place

    def candidates(self, key: str, *, loose: bool = False) -> tuple[Candidate, ...]:
        """Every entry whose name has this key (exact), or whose loose key matches (loose=True)."""
        cache_key = (key, loose)
        hit = self._lookups.get(cache_key)
        if hit is not None:
            return hit
        filters = self._key_filters()
        if filters is not None and not filters.has(loose_key(key) if loose else key, loose=loose):
            return ()
        column, value = ("loose", loose_key(key)) if loose else ("key", key)
        rows = self._db.execute(f"SELECT n.flags, n.surface, {self._PLACE_COLUMNS} FROM names n "
                                f"JOIN places p ON p.rowid = n.place WHERE n.{column}=?", (value,)).fetchall()
        out = []
        for flags, surface, *place_row in rows:
            if loose:
                match = "loose"
            elif flags & PRIMARY:
                match = "primary"
            elif flags & (ALTERNATE | ABBREVIATION | AFTER_COMMA):
                match = "alternate"
            elif flags & DEMONYM:
                match = "demonym"
            else:  # pragma: no cover - every stored name has a flag
                continue
            out.append(Candidate.make(self._row_place(place_row), match, surface, bool(flags & ABBREVIATION),
                                      bool(flags & AFTER_COMMA) and not flags & PRIMARY))
        result = tuple(out)
        if len(self._lookups) > 200_000:
            self._lookups.clear()
        self._lookups[cache_key] = result
        return result

    def has_key(self, key: str) -> bool:
        """True when some entry has a name with this key (cheap; cached)."""
        return bool(self.candidates(key))

    def get(self, place_id: str) -> Place | None:
        """The entry with this stable id ("gn:618426", "ne1:RU-KDA", "cc:MD", ...)."""
        rowid = self._ids.get(place_id, _MISSING)
        if rowid is _MISSING:
            row = self._db.execute("SELECT rowid FROM places WHERE id=?", (place_id,)).fetchone()
            rowid = self._ids[place_id] = row[0] if row else None
        return self._place(rowid) if rowid is not None else None

    def joined_regions(self, place_ids: Iterable[str]) -> dict[str, tuple[float, float, tuple[str | None, ...]]]:
        """Place id -> (lon, lat, the spatial join of that point: country, country_name, region,
        region_code, water), computed when the index was built (:mod:`.index`)."""
        wanted = list(dict.fromkeys(place_ids))
        out: dict[str, tuple[float, float, tuple[str | None, ...]]] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            for id_, lon, lat, *values in self._db.execute(
                    "SELECT p.id, p.lon, p.lat, r.country, r.country_name, r.region, r.region_code, r.water "
                    "FROM places p JOIN place_regions r ON r.place = p.rowid "
                    f"WHERE p.id IN ({', '.join('?' * len(chunk))})", chunk):
                out[id_] = (lon, lat, tuple(values))
        return out

    def country(self, code: str) -> Place | None:
        """The country entry for an ISO alpha-2 code."""
        return self.get(f"cc:{code.upper()}")

    def admin1(self, code: str) -> Place | None:
        """The admin-1 entry for an ISO 3166-2 code."""
        return self.get(f"ne1:{code.upper()}")

    def nearest_city(self, lat: float, lon: float, max_km: float = 100.0, min_population: int = 0,
                     largest: bool = False) -> Place | None:
        """The nearest city within max_km (an R-tree window, then exact great-circle distance);
        with ``largest=True`` the most populous one within max_km instead."""
        dlat = max_km / 111.0
        dlon = max_km / (111.0 * max(math.cos(math.radians(lat)), 0.05))
        rows = self._db.execute(
            "SELECT p.rowid, p.lat, p.lon FROM city_rtree r JOIN places p ON p.rowid=r.rowid "
            "WHERE r.min_lat>=? AND r.max_lat<=? AND r.min_lon>=? AND r.max_lon<=? AND p.population>=?",
            (lat - dlat, lat + dlat, lon - dlon, lon + dlon, min_population)).fetchall()
        rows = [r for r in rows if haversine_km(lat, lon, r[1], r[2]) <= max_km]
        if not rows:
            return None
        if largest:
            return max((self._place(r[0]) for r in rows), key=lambda p: (p.population, p.id))
        return self._place(min(rows, key=lambda r: haversine_km(lat, lon, r[1], r[2]))[0])

    # ------------------------------------------------------------------ ranked search
    def search(self, query: str, *, kinds: tuple[str, ...] | None = None, limit: int = 10,
               country: str | None = None) -> list[tuple[Place, float]]:
        """Rank the entries a free-text query may mean; best first, with a score.

        The query's own words steer the kind ("Rostov region" -> admin-1, "Black Sea" -> water);
        then prominence (population, kind) and match quality decide. ``country`` (ISO alpha-2)
        restricts the answer to one country, as geopy's ``country_codes`` does.
        """
        key = name_key(query)
        if not key:
            return []
        base, hint = split_kind_hint(key)
        pool: dict[str, tuple[Candidate, float]] = {}

        def consider(cands, bonus=0.0):
            for cand in cands:
                if kinds and cand.place.kind not in kinds:
                    continue
                if country and cand.place.country != country.upper():
                    continue
                score = cand.prior + bonus
                if hint and cand.place.kind == hint:
                    score += KIND_HINT_BONUS
                if cand.match == "demonym":
                    score -= 3.0  # "Russian" alone is a weaker way to say Russia
                prev = pool.get(cand.place.id)
                if prev is None or score > prev[1]:
                    pool[cand.place.id] = (cand, score)

        consider(self.candidates(key))
        if base != key:
            consider(self.candidates(base), bonus=-0.5)
        if not pool:
            consider(self.candidates(key, loose=True), bonus=-1.0)
            if base != key:
                consider(self.candidates(base, loose=True), bonus=-1.5)
        ranked = sorted(pool.values(), key=lambda item: (-item[1], item[0].place.id))
        return [(cand.place, round(score, 3)) for cand, score in ranked[:limit]]


@functools.lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    """The shared gazetteer (built on first use, then opened from the cache)."""
    return Gazetteer()


_REOPENED: dict[str | None, Gazetteer] = {}
_REOPEN_LOCK = threading.Lock()


def _reopen(path: str | None, preload: bool) -> Gazetteer:
    """Unpickle a gazetteer: one instance per index and process (no file is opened yet; the
    key filters only ever spare lookups, so one instance serves with and without them)."""
    if path is None and load_gazetteer.cache_info().currsize:
        gaz = load_gazetteer()  # this process has the default open already
        gaz._preload = gaz._preload or preload
        return gaz
    with _REOPEN_LOCK:
        gaz = _REOPENED.get(path)
        if gaz is None:
            gaz = _REOPENED[path] = Gazetteer.__new__(Gazetteer)
            gaz._explicit = Path(path) if path else None
            gaz._path = gaz._explicit
            gaz._reset(preload)
        gaz._preload = gaz._preload or preload
        return gaz
