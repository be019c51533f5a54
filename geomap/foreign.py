"""Incidents from other tools' tables: points with whatever columns they have.

A GeoJSON, GeoPackage, GeoParquet or CSV that lacks geomap's own columns (``place_id``, ``kind``,
``sentence``, ...) is read here, so ``geomap map`` can draw any table of points. Only a location
is needed: a point geometry, or latitude and longitude columns. Type, date, place and text are
taken from the columns that ``data/imports/columns.toml`` names (one table of names, users may edit
it), or from the columns a caller names (``columns={"type": "category"}``; the CLI's
``--type-column``, ``--date-column``, ``--place-column``, ``--text-column``).

The type of a row is, in this order: ACLED's ``sub_event_type`` read through the taxonomy's ACLED
mapping (:meth:`~geomap.incidents.taxonomy.Taxonomy.from_acled`; an ACLED export maps directly);
a geomap type id or label; else the "other" layer (:data:`~geomap.incidents.taxonomy.OTHER`),
never a refusal: other tools name types geomap does not know. Regions come from the point
(:func:`geomap.region_join.assign_regions`), as for extracted incidents.

A row without a usable location, or with a date that is not a date, is named (by CSV line,
GeoJSON feature or row) and skipped; a table with no location column at all is refused as a
whole, so a failed read writes no map.
"""

from __future__ import annotations

import functools
import hashlib
import math
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ._paths import data_path
from .errors import DataError, InputError

#: The fields a foreign table may fill, as ``data/imports/columns.toml`` names them.
FIELDS = ("latitude", "longitude", "type", "sub_type", "date", "place", "text", "source", "url", "title",
          "precision")
#: The fields a caller may map to a column by name (the CLI's ``--FIELD-column`` options).
MAPPABLE = ("type", "date", "place", "text")


def _key(name: str) -> str:
    """A column name compared without case, spaces, hyphens or underscores."""
    return re.sub(r"[\s_-]+", "", str(name)).casefold()


@functools.lru_cache(maxsize=4)
def _names(path: str) -> dict[str, tuple[str, ...]]:
    try:
        with open(path, "rb") as handle:
            table = tomllib.load(handle).get("columns", {})
    except FileNotFoundError as exc:
        raise DataError(f"{path} is missing: restore data/imports/columns.toml from git") from exc
    except tomllib.TOMLDecodeError as exc:
        raise DataError(f"{path} is not valid TOML: {exc}") from exc
    missing = [f for f in FIELDS if f not in table]
    if missing:
        raise DataError(f"{path} lacks the column names of {', '.join(missing)}")
    return {f: tuple(str(n) for n in table[f]) for f in FIELDS}


def column_names() -> dict[str, tuple[str, ...]]:
    """Field -> the column names read as it, first match wins (``data/imports/columns.toml``)."""
    return _names(str(data_path("imports", "columns.toml")))


def find_columns(columns: Iterable[str], mapping: Mapping[str, str] | None = None, *,
                 source: str | None = None) -> dict[str, str]:
    """Field -> the table's column read as it: ``mapping``'s choice, else the first name of
    :func:`column_names` the table has. A mapped column the table lacks is an InputError."""
    by_key: dict[str, str] = {}
    for c in columns:
        by_key.setdefault(_key(c), str(c))
    found: dict[str, str] = {}
    for field, name in (mapping or {}).items():
        if field not in FIELDS:
            raise InputError(f"unknown field {field!r} to map a column to; use one of {', '.join(MAPPABLE)}",
                             source=source)
        column = by_key.get(_key(name))
        if column is None:
            raise InputError(f"no column {name!r} for the {field} (the table has "
                             f"{', '.join(sorted(set(by_key.values()))) or 'no columns'})", source=source)
        found[field] = column
    taken = set(found.values())
    for field, names in column_names().items():
        if field in found:
            continue
        column = next((by_key[_key(n)] for n in names if _key(n) in by_key and by_key[_key(n)] not in taken), None)
        if column is not None:
            found[field] = column
            taken.add(column)
    return found


def has_location_columns(columns: Iterable[str]) -> bool:
    """Whether a table's header names a latitude and a longitude column."""
    found = find_columns(columns)
    return "latitude" in found and "longitude" in found


def is_native(table: Any) -> bool:
    """Whether ``table`` has every column of geomap's own incident files that has no default."""
    from .models import COLUMN_DEFAULTS, INCIDENT_COLUMNS

    return all(c in table.columns for c in INCIDENT_COLUMNS if c not in COLUMN_DEFAULTS)


def _missing(value: Any) -> bool:
    import pandas as pd

    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _text(value: Any) -> str | None:
    return None if _missing(value) else str(value).strip()


def _coordinate(value: Any) -> float:
    if _missing(value):
        return math.nan
    if isinstance(value, str):
        value = value.strip().replace(",", ".") if value.count(",") == 1 and "." not in value else value.strip()
    return float(value)


def _type_of(taxonomy: Any) -> Callable[[str | None, str | None], str]:
    """(type text, sub_event_type text) -> type id."""
    from .incidents.taxonomy import MAP_TYPES, OTHER

    by_name: dict[str, str] = {}
    for type_id in MAP_TYPES:
        by_name[_key(type_id)] = type_id
        by_name[_key(taxonomy[type_id].label)] = type_id

    @functools.lru_cache(maxsize=4096)
    def type_of(kind: str | None, sub: str | None) -> str:
        if sub:
            found = taxonomy.from_acled(sub)
            if found != OTHER:
                return found
        return by_name.get(_key(kind), OTHER) if kind else OTHER

    return type_of


def foreign_incidents(table: Any, *, mapping: Mapping[str, str] | None = None, source: str | None = None,
                      on_error: Callable[[InputError], None] | None = None,
                      where: Callable[[int], tuple[str, int | None]] | None = None) -> tuple[Any, list[int]]:
    """``table`` (another tool's points) as an incidents table, and the input row of each of its rows.

    Rows that cannot be mapped are passed to ``on_error`` (raised without it) and left out; the
    returned positions let the caller name later problems by the input's row.
    """
    import geopandas as gpd
    import numpy as np
    import pandas as pd
    import shapely

    from .dates import read_date
    from .incidents.taxonomy import load_taxonomy
    from .region_join import assign_regions

    def locate(i: int) -> tuple[str, int | None]:
        return where(i) if where is not None else (f"row {i + 1}: ", None)

    found = find_columns([c for c in table.columns if c != _geometry_name(table)], mapping, source=source)
    n = len(table)
    lat = [math.nan] * n
    lon = [math.nan] * n
    bad: dict[int, str] = {}
    geometry = _points(table)
    if geometry is not None:
        for i, g in enumerate(geometry):
            if g is None or g.is_empty:
                continue
            if g.geom_type != "Point":
                bad[i] = f"a {g.geom_type}, not a point: only points are mapped"
                continue
            lon[i], lat[i] = float(g.x), float(g.y)
    if "latitude" in found and "longitude" in found:
        for i, (y, x) in enumerate(zip(table[found["latitude"]].tolist(), table[found["longitude"]].tolist(),
                                       strict=True)):
            if i in bad or not math.isnan(lat[i]):
                continue  # the geometry, where there is one, is the location
            try:
                lat[i], lon[i] = _coordinate(y), _coordinate(x)
            except (TypeError, ValueError):
                bad[i] = f"latitude {str(y)[:40]!r}, longitude {str(x)[:40]!r} are not numbers"
    elif geometry is None:
        raise InputError("no location: the table has neither point geometries nor latitude and longitude "
                         f"columns (named {', '.join(column_names()['latitude'])} and "
                         f"{', '.join(column_names()['longitude'])})", source=source)
    for i in range(n):
        if i not in bad and (math.isnan(lat[i]) or math.isnan(lon[i])):
            bad[i] = "no location (no point and no latitude/longitude)"

    def values(field: str) -> list[Any]:
        return table[found[field]].tolist() if field in found else [None] * n

    taxonomy = load_taxonomy()
    type_of = _type_of(taxonomy)
    kinds, subs = values("type"), values("sub_type")
    own_event = table["event_type"].tolist() if "event_type" in table.columns else [None] * n
    own_sub = table["sub_event_type"].tolist() if "sub_event_type" in table.columns else [None] * n
    dates: list[str | None] = [None] * n
    date_precision = [1] * n
    for i, value in enumerate(values("date")):
        if i in bad or _missing(value):
            continue
        try:
            read = read_date(value if not isinstance(value, str) else value.strip())
        except (InputError, TypeError, ValueError) as exc:
            bad[i] = f"date {str(value)[:40]!r} is not a date ({exc})"
            continue
        dates[i], date_precision[i] = read.date.isoformat(), read.precision
    for i in sorted(bad):
        prefix, line = locate(i)
        error = InputError(prefix + bad[i], source=source, line=line)
        if on_error is None:
            raise error
        on_error(error)

    keep = [i for i in range(n) if i not in bad]
    places, texts = values("place"), values("text")
    sources, urls, titles, precisions = values("source"), values("url"), values("title"), values("precision")
    rows: dict[str, list[Any]] = {c: [] for c in (
        "id", "incident_type", "place", "place_id", "mention", "kind", "lat", "lon", "geo_precision", "date",
        "date_precision", "sentence", "source", "title", "url", "confidence", "event_type", "sub_event_type")}
    for i in keep:
        t = type_of(_text(kinds[i]), _text(subs[i]))
        place = _text(places[i])
        text = _text(texts[i]) or ""
        url = _text(urls[i])
        src = _text(sources[i])
        if url is None and src is not None and re.match(r"https?://", src, re.I):
            url = src
        try:
            precision = int(float(precisions[i])) if not _missing(precisions[i]) else 1
        except (TypeError, ValueError):
            precision = 1
        digest = hashlib.sha1(f"{t}|{lat[i]:.5f}|{lon[i]:.5f}|{dates[i]}|{place}|{text}".encode()).hexdigest()
        rows["id"].append("x" + digest[:15])
        rows["incident_type"].append(t)
        rows["place"].append(place or f"{lat[i]:.4f}, {lon[i]:.4f}")
        rows["place_id"].append("")
        rows["mention"].append(place or "")
        rows["kind"].append("point")
        rows["lat"].append(lat[i])
        rows["lon"].append(lon[i])
        rows["geo_precision"].append(precision if precision in (1, 2, 3) else 1)
        rows["date"].append(dates[i])
        rows["date_precision"].append(date_precision[i])
        rows["sentence"].append(text)
        rows["source"].append(src)
        rows["title"].append(_text(titles[i]))
        rows["url"].append(url)
        rows["confidence"].append(math.nan)  # another tool's: unknown
        rows["event_type"].append(_text(own_event[i]) or taxonomy[t].event_type)
        rows["sub_event_type"].append(_text(own_sub[i]) or taxonomy[t].sub_event_type)
    frame = pd.DataFrame(rows)
    pts = shapely.points(np.asarray(rows["lon"], dtype="float64"), np.asarray(rows["lat"], dtype="float64"))
    gdf = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(pts, crs="EPSG:4326"), crs="EPSG:4326")
    return assign_regions(gdf), keep


def _geometry_name(table: Any) -> str | None:
    import geopandas as gpd

    if isinstance(table, gpd.GeoDataFrame) and table._geometry_column_name in table.columns:
        return str(table._geometry_column_name)
    return None


def _points(table: Any) -> list[Any] | None:
    """The table's geometries in EPSG:4326 (None when it has none)."""
    name = _geometry_name(table)
    if name is None:
        return None
    geo = table.geometry
    if geo.crs is not None and not geo.crs.equals("EPSG:4326"):
        geo = geo.to_crs("EPSG:4326")
    result = list(geo.array)
    return None if all(g is None for g in result) and len(result) else result
