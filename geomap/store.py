"""The incident store: a GeoPackage that accumulates incidents across runs, upserted by ``id``.

The store is an ordinary GeoPackage (layer ``incidents``, EPSG:4326 points, the columns of
:data:`geomap.models.INCIDENT_COLUMNS`, ``sources`` as JSON text) that GDAL, pyogrio, geopandas and
QGIS open like any other. geomap creates it with pyogrio (so the GeoPackage tables, the R-tree
spatial index and its triggers are GDAL's own), adds a UNIQUE index on ``id``, and from then on
writes through :mod:`sqlite3` directly:

* geometries are standard GeoPackage blobs (``GP`` magic, version 0, flags byte with little-endian
  byte order and no envelope for points, srs_id 4326, then ISO WKB); the functions GDAL's R-tree
  triggers call (``ST_IsEmpty``, ``ST_MinX`` ...) are registered on the connection, so every insert
  keeps the spatial index right; ``gpkg_contents`` extents and ``last_change`` are kept up to date;
* the database runs in WAL mode with a busy timeout, and every upsert is ONE ``BEGIN IMMEDIATE``
  transaction: two writer processes take turns instead of corrupting the file, a reader always
  sees the state after some whole upsert, and a writer killed mid-upsert loses only that upsert.

Merge rule, when an incoming incident has an ``id`` that is already stored:

* ``sources`` becomes the ordered union (stored ones first, no duplicates), and ``reports`` the
  number of distinct sources (a record without any source keeps the larger ``reports``);
* ``confidence`` becomes the maximum of the two;
* the evidence (``mention``, ``sentence``, ``source``, ``title``, ``url``, taken together so the
  quote always matches its article) stays the first one seen, unless the incoming record has a
  strictly higher confidence, which then replaces it;
* every other column keeps its stored value; a stored missing value (None) is filled in from the
  incoming record.

The rule is idempotent: upserting the same incidents again changes nothing (and writes nothing).
An incoming record whose ``sources`` is empty counts its ``source`` as its one source.

For incremental use (one upsert per article, so that a crash keeps every finished article), open
the store once::

    with open_store("incidents.gpkg") as store:
        for article in articles:
            store.upsert(incidents_of(article))   # one committed transaction each
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import sqlite3
import struct
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from .errors import GeomapError, InputError, OutputError, UsageError
from .export import (
    COLUMN_KINDS, LAYER, _build, _COERCE, _gpkg_frame, empty_incidents,
    incidents_frame, sanitize_incidents,
)
from .models import INCIDENT_COLUMNS

#: Columns that travel together: the quote and the article it came from.
EVIDENCE_COLUMNS: tuple[str, ...] = ("mention", "sentence", "source", "title", "url")
#: SRS id of the store's geometries (WGS 84).
SRS_ID = 4326
#: How long a writer waits for another writer's transaction before giving up (seconds).
BUSY_TIMEOUT = 60.0

_ENVELOPE_SIZES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}
_UNIQUE_INDEX = "incidents_id_unique"


@dataclass(frozen=True, slots=True)
class StoreResult:
    """What one upsert did: incidents newly stored, merged into a changed record, or unchanged."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.inserted + self.updated + self.unchanged

    def __add__(self, other: StoreResult) -> StoreResult:
        return StoreResult(self.inserted + other.inserted, self.updated + other.updated,
                           self.unchanged + other.unchanged)


# --- GeoPackage geometry blobs ---


def point_blob(x: float, y: float, srs_id: int = SRS_ID) -> bytes:
    """A GeoPackage geometry blob of a 2D point: header (no envelope, little endian) + ISO WKB."""
    flags = 0b0000_0001  # bit 0: little-endian header; envelope code 0; not empty; standard
    return b"GP" + bytes((0, flags)) + struct.pack("<i", srs_id) + struct.pack("<BIdd", 1, 1, x, y)


def _parse_blob(blob: bytes) -> tuple[int, bool, bytes, tuple[float, ...] | None]:
    """(srs_id, empty, wkb, envelope) of a GeoPackage geometry blob."""
    if len(blob) < 8 or blob[:2] != b"GP":
        raise ValueError("not a GeoPackage geometry blob")
    if blob[2] != 0:
        raise ValueError(f"unsupported GeoPackage blob version {blob[2]}")
    flags = blob[3]
    if flags & 0b0010_0000:
        raise ValueError("extended GeoPackage geometries are not supported")
    order = "<" if flags & 1 else ">"
    code = (flags >> 1) & 0b111
    if code not in _ENVELOPE_SIZES:
        raise ValueError(f"invalid envelope code {code}")
    size = _ENVELOPE_SIZES[code]
    (srs_id,) = struct.unpack(order + "i", blob[4:8])
    envelope = struct.unpack(order + "d" * (size // 8), blob[8:8 + size]) if size else None
    return srs_id, bool(flags & 0b0001_0000), bytes(blob[8 + size:]), envelope


def _blob_bounds(blob: bytes | None) -> tuple[float, float, float, float] | None:
    """(minx, maxx, miny, maxy) of a blob, None when NULL or empty."""
    if blob is None:
        return None
    _, empty, wkb, envelope = _parse_blob(blob)
    if empty:
        return None
    if envelope is not None:
        return envelope[0], envelope[1], envelope[2], envelope[3]
    if len(wkb) == 21 and wkb[0] in (0, 1):  # 2D point, the common case
        order = "<" if wkb[0] == 1 else ">"
        gtype, x, y = struct.unpack(order + "Idd", wkb[1:])
        if gtype == 1:
            return (None if math.isnan(x) else (x, x, y, y))
    import shapely

    geom = shapely.from_wkb(wkb)
    if geom.is_empty:
        return None
    minx, miny, maxx, maxy = geom.bounds
    return minx, maxx, miny, maxy


def _st_bound(index: int):
    def fn(blob: bytes | None) -> float | None:
        bounds = _blob_bounds(blob)
        return None if bounds is None else bounds[index]
    return fn


def _st_is_empty(blob: bytes | None) -> int | None:
    if blob is None:
        return None
    return int(_blob_bounds(blob) is None)


def _st_srid(blob: bytes | None) -> int | None:
    return None if blob is None else _parse_blob(blob)[0]


def _st_geometry_type(blob: bytes | None) -> str | None:
    if blob is None:
        return None
    import shapely

    return shapely.from_wkb(_parse_blob(blob)[2]).geom_type.upper()


def _gpkg_is_assignable(expected: str | None, actual: str | None) -> int:
    if expected is None or actual is None:
        return 0
    expected, actual = expected.upper(), actual.upper()
    return int(expected == actual or expected == "GEOMETRY"
               or (expected == "MULTIPOINT" and actual == "POINT"))


def _register_functions(con: sqlite3.Connection) -> None:
    """The SQL functions that GDAL's GeoPackage triggers call (GDAL registers them itself)."""
    for name, fn in (("ST_MinX", _st_bound(0)), ("ST_MaxX", _st_bound(1)),
                     ("ST_MinY", _st_bound(2)), ("ST_MaxY", _st_bound(3)),
                     ("ST_IsEmpty", _st_is_empty), ("ST_SRID", _st_srid),
                     ("ST_GeometryType", _st_geometry_type)):
        con.create_function(name, 1, fn, deterministic=True)
    con.create_function("GPKG_IsAssignable", 2, _gpkg_is_assignable, deterministic=True)


def _decode_geometries(blobs: Sequence[bytes | None]) -> list[Any]:
    import shapely

    out: list[Any] = []
    for blob in blobs:
        if blob is None:
            out.append(None)
            continue
        _, empty, wkb, _ = _parse_blob(blob)
        geom = None if empty else shapely.from_wkb(wkb)
        out.append(None if geom is None or geom.is_empty else geom)
    return out


# --- opening and creating ---


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _uri(path: Path, mode: str) -> str:
    return f"{path.resolve().as_uri()}?mode={mode}"


def _create_store(path: Path) -> None:
    """Create an empty store at ``path`` with pyogrio, without ever clobbering an existing file.

    The GeoPackage is built in a temporary file beside ``path`` and hard-linked into place, so two
    processes creating the same store at once end up sharing the one that won.
    """
    import pyogrio

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".gpkg", dir=path.parent)
    except OSError as exc:
        raise OutputError(f"cannot create the store {path}: {exc.strerror or exc}") from exc
    os.close(fd)
    tmp = Path(name)
    tmp.unlink()
    try:
        pyogrio.write_dataframe(_gpkg_frame(empty_incidents()), tmp, layer=LAYER, driver="GPKG",
                                geometry_type="Point")
        con = sqlite3.connect(tmp, isolation_level=None)
        try:
            con.execute(f"CREATE UNIQUE INDEX {_quote(_UNIQUE_INDEX)} ON {_quote(LAYER)} (id)")
            con.execute(f'CREATE INDEX "incidents_date" ON {_quote(LAYER)} (date)')
            con.execute("PRAGMA journal_mode=WAL")
        finally:
            con.close()
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another process created it first: use theirs
        except OSError:  # a file system without hard links
            if not path.exists():
                os.replace(tmp, path)
    except GeomapError:
        raise
    except Exception as exc:
        raise OutputError(f"cannot create the store {path}: {exc}") from exc
    finally:
        for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm"), Path(f"{tmp}-journal")):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()


@dataclass(frozen=True, slots=True)
class _Layout:
    table: str
    fid: str
    geom: str
    columns: tuple[str, ...]


def _layout(con: sqlite3.Connection, path: Path) -> _Layout:
    """Check that ``con`` is a GeoPackage with an incidents layer, and describe that layer."""
    try:
        row = con.execute("SELECT g.column_name FROM gpkg_contents c JOIN gpkg_geometry_columns g "
                          "ON g.table_name = c.table_name WHERE c.table_name = ? "
                          "AND c.data_type = 'features'", (LAYER,)).fetchone()
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            raise InputError("not a GeoPackage (no gpkg_contents table)",
                             source=str(path)) from None
        raise
    if row is None:
        raise InputError(f"not an incident store: no {LAYER!r} layer", source=str(path))
    geom = row[0]
    info = con.execute(f"PRAGMA table_info({_quote(LAYER)})").fetchall()
    columns = tuple(r[1] for r in info)
    pk = [r[1] for r in info if r[5]]
    missing = [c for c in INCIDENT_COLUMNS if c not in columns]
    if missing or len(pk) != 1:
        what = f"lacks the column(s) {', '.join(missing)}" if missing else "has no integer key"
        raise InputError(f"not an incident store: layer {LAYER!r} {what}", source=str(path))
    return _Layout(LAYER, pk[0], geom, columns)


def _has_unique_id(con: sqlite3.Connection) -> bool:
    for _, name, unique, *_ in con.execute(f"PRAGMA index_list({_quote(LAYER)})"):
        if unique:
            cols = [r[2] for r in con.execute(f"PRAGMA index_info({_quote(name)})")]
            if cols == ["id"]:
                return True
    return False


def _connect(path: Path, mode: str, timeout: float) -> sqlite3.Connection:
    try:
        con = sqlite3.connect(_uri(path, mode), uri=True, isolation_level=None, timeout=timeout)
    except sqlite3.Error as exc:
        raise InputError(f"cannot open the store ({exc})", source=str(path)) from exc
    con.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
    return con


def _open_error(exc: sqlite3.Error, path: Path) -> InputError:
    return InputError(f"not a readable incident store ({exc})", source=str(path))


# --- rows ---


def _from_db(value: Any, column: str) -> Any:
    kind = COLUMN_KINDS[column]
    if kind == "list":
        return _COERCE["list"](value if value is not None else "[]")
    if kind == "text" and isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return _COERCE[kind](value)


def _to_db(value: Any, column: str) -> Any:
    kind = COLUMN_KINDS[column]
    if kind == "list":
        return json.dumps(list(value), ensure_ascii=False)
    if kind == "float" and isinstance(value, float) and math.isnan(value):
        return None
    return value


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


def _gt(a: float, b: float) -> bool:
    """``a > b`` where NaN (unknown) is lower than any number."""
    if math.isnan(a):
        return False
    return math.isnan(b) or a > b


def _prepare(rec: dict[str, Any]) -> dict[str, Any]:
    """An incoming record with its sources de-duplicated (its ``source`` if it lists none)."""
    sources = list(dict.fromkeys(rec["sources"] or ([rec["source"]] if rec["source"] else [])))
    return {**rec, "sources": sources, "reports": len(sources) or rec["reports"]}


def merge_incident(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """The stored record ``old`` merged with the incoming ``new`` (see the module docstring)."""
    old, new = _prepare(old), _prepare(new)
    out = dict(old)
    sources = list(dict.fromkeys([*old["sources"], *new["sources"]]))
    out["sources"] = sources
    out["reports"] = len(sources) or max(old["reports"], new["reports"])
    if _gt(new["confidence"], old["confidence"]):
        out["confidence"] = new["confidence"]
        for c in EVIDENCE_COLUMNS:
            out[c] = new[c]
    skip = {"id", "sources", "reports", "confidence", *EVIDENCE_COLUMNS}
    for c in INCIDENT_COLUMNS:
        if c not in skip and out[c] is None and new[c] is not None:
            out[c] = new[c]
    if out.get("geometry") is None and new.get("geometry") is not None:
        out["geometry"] = new["geometry"]
    return out


def _records(table: Any) -> list[dict[str, Any]]:
    """Sanitised canonical records (with ``geometry``) of a table or an iterable of Incidents."""
    if not isinstance(table, pd.DataFrame):
        table = incidents_frame(table)
    table = sanitize_incidents(table)
    records = table[list(INCIDENT_COLUMNS)].to_dict("records")
    for rec, geom in zip(records, table.geometry.array, strict=True):
        rec["geometry"] = geom
        for c in INCIDENT_COLUMNS:  # numpy scalars -> Python values
            if COLUMN_KINDS[c] == "float":
                rec[c] = float(rec[c])
            elif COLUMN_KINDS[c] == "int":
                rec[c] = int(rec[c])
        if rec["id"] is None:
            raise UsageError("every incident needs an id to be stored; one has none")
    return records


def _xy(geom: Any) -> tuple[float, float] | None:
    if geom is None or geom.is_empty:
        return None
    if geom.geom_type == "Point":
        return float(geom.x), float(geom.y)
    c = geom.representative_point()
    return float(c.x), float(c.y)


# --- the store ---


class IncidentStore:
    """An open incident store; each :meth:`upsert` is one committed transaction.

    ``create`` makes a new store when ``path`` does not exist. Not for sharing between threads;
    any number of processes may hold the same store open at once.
    """

    def __init__(self, path: str | os.PathLike[str], *, create: bool = True,
                 timeout: float = BUSY_TIMEOUT):
        self.path = Path(path)
        if self.path.is_dir():
            raise InputError("is a folder, not an incident store", source=str(self.path))
        if not self.path.exists():
            if not create:
                raise InputError("no such incident store", source=str(self.path))
            _create_store(self.path)
        self._con = _connect(self.path, "rw", timeout)
        try:
            _register_functions(self._con)
            self._con.execute("PRAGMA journal_mode=WAL")
            self._layout = _layout(self._con, self.path)
            if not _has_unique_id(self._con):
                self._add_unique_index()
        except sqlite3.Error as exc:
            self._con.close()
            raise _open_error(exc, self.path) from exc
        except BaseException:
            self._con.close()
            raise

    def _add_unique_index(self) -> None:
        """Make a GeoPackage written by ``write_incidents`` usable as a store."""
        try:
            self._con.execute("BEGIN IMMEDIATE")
            try:
                self._con.execute(f"CREATE UNIQUE INDEX IF NOT EXISTS {_quote(_UNIQUE_INDEX)} "
                                  f"ON {_quote(LAYER)} (id)")
                self._con.execute("COMMIT")
            except BaseException:
                self._con.execute("ROLLBACK")
                raise
        except sqlite3.IntegrityError:
            raise InputError("cannot be used as a store: some incident ids occur more than once",
                             source=str(self.path)) from None

    def __enter__(self) -> IncidentStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection (the last one to close folds the WAL back into the file)."""
        self._con.close()

    def upsert(self, table: Any) -> StoreResult:
        """Insert new incidents and merge known ones (by ``id``), all in ONE transaction.

        ``table`` is an incidents GeoDataFrame or an iterable of :class:`~geomap.models.Incident`.
        Raises :class:`UsageError` for a table that is not an incidents table and
        :class:`OutputError` when the store cannot be written (then nothing of this call is kept).
        """
        incoming: dict[str, dict[str, Any]] = {}
        for rec in _records(table):
            known = incoming.get(rec["id"])
            incoming[rec["id"]] = _prepare(rec) if known is None else merge_incident(known, rec)
        if not incoming:
            return StoreResult()
        try:
            return self._upsert(incoming)
        except sqlite3.Error as exc:
            raise OutputError(f"{self.path}: could not update the store, nothing of this batch "
                              f"was kept ({exc})") from exc

    def _upsert(self, incoming: dict[str, dict[str, Any]]) -> StoreResult:
        con, lay = self._con, self._layout
        table, geom_col = _quote(lay.table), _quote(lay.geom)
        cols = list(INCIDENT_COLUMNS)
        select = (f"SELECT {_quote(lay.fid)}, {geom_col}, "
                  f"{', '.join(_quote(c) for c in cols)} FROM {table} WHERE id IN ")
        insert = (f"INSERT INTO {table} ({geom_col}, {', '.join(_quote(c) for c in cols)}) "
                  f"VALUES (?{', ?' * len(cols)})")
        inserted = updated = unchanged = 0
        points: list[tuple[float, float]] = []
        con.execute("BEGIN IMMEDIATE")
        try:
            stored: dict[str, tuple[int, dict[str, Any]]] = {}
            ids = list(incoming)
            for start in range(0, len(ids), 500):
                chunk = ids[start:start + 500]
                query = select + f"({', '.join('?' * len(chunk))})"
                for fid, blob, *values in con.execute(query, chunk):
                    rec = {c: _from_db(v, c) for c, v in zip(cols, values, strict=True)}
                    rec["geometry"] = _decode_geometries([blob])[0]
                    stored[rec["id"]] = (fid, rec)
            for id_, new in incoming.items():
                if id_ not in stored:
                    xy = _xy(new["geometry"])
                    blob = point_blob(*xy) if xy else None
                    con.execute(insert, [blob, *(_to_db(new[c], c) for c in cols)])
                    if xy:
                        points.append(xy)
                    inserted += 1
                    continue
                fid, old = stored[id_]
                merged = merge_incident(old, new)
                changed = [c for c in cols if not _same(merged[c], old[c])]
                sets, params = [_quote(c) + " = ?" for c in changed], [_to_db(merged[c], c)
                                                                       for c in changed]
                if old["geometry"] is None and merged["geometry"] is not None:
                    xy = _xy(merged["geometry"])
                    if xy:
                        sets.append(f"{geom_col} = ?")
                        params.append(point_blob(*xy))
                        points.append(xy)
                if not sets:
                    unchanged += 1
                    continue
                con.execute(f"UPDATE {table} SET {', '.join(sets)} WHERE {_quote(lay.fid)} = ?",
                            [*params, fid])
                updated += 1
            if inserted or updated:
                self._touch_contents(points)
            con.execute("COMMIT")
        except BaseException:
            if con.in_transaction:
                con.execute("ROLLBACK")
            raise
        return StoreResult(inserted, updated, unchanged)

    def _touch_contents(self, points: list[tuple[float, float]]) -> None:
        """Grow the layer's extent in gpkg_contents to cover ``points``; stamp last_change."""
        con = self._con
        row = con.execute("SELECT min_x, min_y, max_x, max_y FROM gpkg_contents "
                          "WHERE table_name = ?", (self._layout.table,)).fetchone()
        xs = [p[0] for p in points] + [v for v in (row[0], row[2]) if v is not None]
        ys = [p[1] for p in points] + [v for v in (row[1], row[3]) if v is not None]
        extent = (min(xs), min(ys), max(xs), max(ys)) if xs and ys else (None,) * 4
        con.execute("UPDATE gpkg_contents SET min_x = ?, min_y = ?, max_x = ?, max_y = ?, "
                    "last_change = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE table_name = ?",
                    (*extent, self._layout.table))


def open_store(path: str | os.PathLike[str], *, create: bool = True,
               timeout: float = BUSY_TIMEOUT) -> IncidentStore:
    """Open (and by default create) the incident store at ``path``; use it as a context manager."""
    return IncidentStore(path, create=create, timeout=timeout)


def upsert_store(path: str | os.PathLike[str], gdf: Any) -> StoreResult:
    """Upsert the incidents ``gdf`` into the store at ``path`` (created if missing) in ONE
    transaction and return what changed. See the module docstring for the merge rule."""
    with open_store(path) as store:
        return store.upsert(gdf)


# --- reading ---


@contextlib.contextmanager
def _reader(path: str | os.PathLike[str]):
    """A read-only connection holding one read transaction (a consistent snapshot)."""
    path = Path(path)
    if not path.exists():
        raise InputError("no such incident store", source=str(path))
    if path.is_dir():
        raise InputError("is a folder, not an incident store", source=str(path))
    con = _connect(path, "ro", BUSY_TIMEOUT)
    try:
        try:
            con.execute("BEGIN")
            layout = _layout(con, path)
            yield con, layout
            con.execute("COMMIT")
        except sqlite3.Error as exc:
            raise _open_error(exc, path) from exc
    finally:
        con.close()


def _date_text(value: Any, name: str) -> str:
    import datetime as dt

    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return dt.date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise UsageError(f"{name} must be a date as YYYY-MM-DD, not {value!r}") from None


def _filters(layout: _Layout, bbox: Sequence[float] | None, types: Iterable[str] | None,
             since: Any, until: Any, has_rtree: bool) -> tuple[str, list[Any]]:
    where: list[str] = []
    params: list[Any] = []
    if bbox is not None:
        try:
            west, south, east, north = (float(v) for v in bbox)
        except (TypeError, ValueError):
            raise UsageError(f"bbox must be (west, south, east, north), not {bbox!r}") from None
        if south > north:
            raise UsageError(f"bbox south ({south}) is north of its north ({north})")
        # west > east crosses the antimeridian: two longitude ranges
        ranges = [(west, east)] if west <= east else [(west, 180.0), (-180.0, east)]
        if has_rtree:
            rtree = _quote(f"rtree_{layout.table}_{layout.geom}")
            parts = [f"SELECT id FROM {rtree} WHERE maxx >= ? AND minx <= ? "
                     "AND maxy >= ? AND miny <= ?" for _ in ranges]
            where.append(f"{_quote(layout.fid)} IN ({' UNION '.join(parts)})")
        else:
            parts = ["(lon BETWEEN ? AND ? AND lat BETWEEN ? AND ?)" for _ in ranges]
            where.append("(" + " OR ".join(parts) + ")")
        for lo, hi in ranges:
            params += [lo, hi, south, north]
    if types is not None:
        types = [types] if isinstance(types, str) else list(types)
        where.append(f"incident_type IN ({', '.join('?' * len(types))})" if types else "0")
        params += types
    if since is not None:
        where.append("date >= ?")
        params.append(_date_text(since, "since"))
    if until is not None:
        where.append("date <= ?")
        params.append(_date_text(until, "until"))
    return (" WHERE " + " AND ".join(where)) if where else "", params


def read_store(path: str | os.PathLike[str], *, bbox: Sequence[float] | None = None,
               types: Iterable[str] | None = None, since: Any = None, until: Any = None) -> Any:
    """The stored incidents (in the order first stored) as the canonical incidents GeoDataFrame.

    ``bbox`` is (west, south, east, north) in degrees (west > east crosses the antimeridian) and is
    answered from the spatial index; ``types`` keeps those incident types; ``since``/``until``
    (inclusive, ``date`` or "YYYY-MM-DD") keep dated incidents in that range. The rows come from one
    read transaction, so a concurrent writer never shows half an upsert.
    """
    cols = list(INCIDENT_COLUMNS)
    with _reader(path) as (con, layout):
        has_rtree = con.execute("SELECT 1 FROM sqlite_master WHERE name = ?",
                                (f"rtree_{layout.table}_{layout.geom}",)).fetchone() is not None
        where, params = _filters(layout, bbox, types, since, until, has_rtree)
        rows = con.execute(
            f"SELECT {_quote(layout.geom)}, {', '.join(_quote(c) for c in cols)} "
            f"FROM {_quote(layout.table)}{where} ORDER BY {_quote(layout.fid)}", params).fetchall()
    try:
        geoms = _decode_geometries([r[0] for r in rows])
        columns = {c: [_from_db(r[i + 1], c) for r in rows] for i, c in enumerate(cols)}
    except (ValueError, TypeError) as exc:
        raise InputError(f"the store holds a broken record ({exc})", source=str(path)) from exc
    return _build(columns, geoms)


def store_stats(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Counts of the stored incidents: total, reports, distinct sources, and by type, country,
    region (``region_code``, else the country code), and day (``date``; undated ones under
    "undated"). Every mapping is ordered by count, then key."""
    def grouped(con: sqlite3.Connection, expr: str, missing: str) -> dict[str, int]:
        rows = con.execute(f"SELECT COALESCE({expr}, ?) AS k, COUNT(*) AS n FROM {_quote(LAYER)} "
                           "GROUP BY k ORDER BY n DESC, k", (missing,)).fetchall()
        return {k: n for k, n in rows}

    with _reader(path) as (con, _):
        total, reports, first, last = con.execute(
            f"SELECT COUNT(*), COALESCE(SUM(reports), 0), MIN(date), MAX(date) "
            f"FROM {_quote(LAYER)}").fetchone()
        (distinct_sources,) = con.execute(
            f"SELECT COUNT(DISTINCT j.value) FROM {_quote(LAYER)} AS t, "
            "json_each(CASE WHEN json_valid(t.sources) THEN t.sources ELSE '[]' END) AS j"
        ).fetchone()
        by_day = grouped(con, "date", "undated")
        stats = {
            "path": str(path),
            "incidents": total,
            "reports": reports,
            "sources": distinct_sources,
            "first_date": first,
            "last_date": last,
            "by_type": grouped(con, "incident_type", "unknown"),
            "by_country": grouped(con, "country", "unknown"),
            "by_region": grouped(con, "COALESCE(region_code, country)", "unknown"),
            "by_day": dict(sorted(by_day.items())),
        }
    return stats


def format_stats(stats: dict[str, Any]) -> str:
    """``store_stats`` as readable text."""
    lines = [
        f"{stats['path']}: {stats['incidents']} incidents from {stats['sources']} sources "
        f"({stats['reports']} reports)",
    ]
    if stats["first_date"]:
        lines.append(f"dates: {stats['first_date']} to {stats['last_date']}")
    for key, title in (("by_type", "by type"), ("by_country", "by country"),
                       ("by_region", "by region"), ("by_day", "by day")):
        counts = stats[key]
        if not counts:
            continue
        lines.append("")
        lines.append(f"{title}:")
        width = max(len(str(k)) for k in counts)
        lines += [f"  {str(k):<{width}}  {n:>6}" for k, n in counts.items()]
    return "\n".join(lines) + "\n"


__all__ = [
    "EVIDENCE_COLUMNS", "IncidentStore", "StoreResult", "format_stats", "merge_incident",
    "open_store", "point_blob", "read_store", "store_stats", "upsert_store",
]
