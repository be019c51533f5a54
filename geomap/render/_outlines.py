"""Offline outlines for maps: the base map and the outlines of regions that hold incidents.

Reads ``data/regions/countries.parquet`` and ``admin1.parquet`` (columns ``id, code, name, country,
geometry``) and, when present, a sea-areas table (``water.parquet`` or ``seas.parquet``). Outlines
are simplified hard and their coordinates rounded: a base map of every country costs a few hundred
kB, not tens of MB. Missing files give a map without a base map, never an error: tile layers and
the incidents still work.
"""

from __future__ import annotations

import functools
import json
import logging
from pathlib import Path
from typing import Any

import numpy as np

from .._paths import data_path
from ._diskcache import cached_json

log = logging.getLogger(__name__)

#: Simplification tolerance (degrees) and coordinate rounding (decimals) per use. A region's own
#: outline is simplified relative to its size (1/300 of its larger side, within these bounds).
BASE_COUNTRIES = (0.1, 2)
BASE_ADMIN1 = (0.04, 2)
SELECTED = (0.004, 3)
SELECTED_MAX = 0.08

_WATER_FILES = ("water.parquet", "seas.parquet", "sea.parquet")


def _regions_dir() -> Path:
    return data_path("regions")


@functools.lru_cache(maxsize=16)
def _read(path: str) -> Any:
    import geopandas as gpd

    file = Path(path)
    if not file.exists():
        log.info("no outlines at %s: the map has no offline base map for them", file)
        return None
    frame = gpd.read_parquet(file)
    if frame.crs is not None and frame.crs.to_epsg() != 4326:
        frame = frame.to_crs(4326)
    if file.name == "admin1.parquet" and {"code", "name"} <= set(frame.columns):
        from .._region_names import display_names

        frame["name"] = display_names(frame["code"], frame["name"])
    return frame


def table(kind: str) -> Any:
    """The outlines GeoDataFrame of ``kind`` ("country", "admin1" or "water"), or None."""
    folder = _regions_dir()
    if kind == "country":
        return _read(str(folder / "countries.parquet"))
    if kind == "admin1":
        return _read(str(folder / "admin1.parquet"))
    for name in _WATER_FILES:
        frame = _read(str(folder / name))
        if frame is not None:
            return frame
    return None


def _polygons(geom: Any) -> list[Any]:
    kind = geom.geom_type
    if kind == "Polygon":
        return [geom]
    if kind in ("MultiPolygon", "GeometryCollection"):
        return [p for part in geom.geoms for p in _polygons(part)]
    return []


def _ring(coords: Any, scale: int, minimum: int = 4) -> list[int]:
    """A ring (or a line, ``minimum=2``) as integers: the first point at 1/scale degree, then the
    steps between points; empty when rounding leaves fewer than ``minimum`` points."""
    q = np.round(np.asarray(coords)[:, :2] * scale).astype(np.int64)
    keep = np.ones(len(q), dtype=bool)
    keep[1:] = np.any(q[1:] != q[:-1], axis=1)  # drop points that rounding merged
    q = q[keep]
    if len(q) < minimum:
        return []
    steps = np.vstack([q[:1], np.diff(q, axis=0)])
    return steps.ravel().tolist()


def _compact(geom: Any, tolerance: float, decimals: int, *, relative: bool = False) -> dict[str, Any] | None:
    """A polygonal geometry simplified, quantised to 10**-decimals degree and delta-encoded.

    ``{"s": scale, "p": [polygon, ...]}``, each polygon a list of rings (outer first), each ring a
    flat list ``[x0, y0, dx1, dy1, ...]`` of integers; the page (``static/js/decode.js``) turns it back into GeoJSON.
    Delta-encoded integers take about half the bytes of GeoJSON coordinates.
    """
    import shapely

    if geom is None or geom.is_empty:
        return None
    if relative:
        west, south, east, north = geom.bounds
        tolerance = min(max(tolerance, max(east - west, north - south) / 300), SELECTED_MAX)
    scale = 10 ** decimals
    polygons = []
    for part in _polygons(geom):
        if part.area < tolerance * tolerance * 4:  # islands smaller than the tolerance vanish
            continue
        simple = shapely.simplify(part, tolerance, preserve_topology=True)
        for poly in _polygons(simple):
            rings = [_ring(poly.exterior.coords, scale)]
            if not rings[0]:
                continue
            rings += [r for r in (_ring(i.coords, scale) for i in poly.interiors) if r]
            polygons.append(rings)
    return {"s": scale, "p": polygons} if polygons else None


def _key_columns(kind: str) -> tuple[str, ...]:
    return ("code", "id", "name") if kind != "water" else ("code", "id", "name")


def lookup(kind: str, key: str) -> Any:
    """The row of region ``key`` (code, id or name) in the ``kind`` table, or None."""
    frame = table(kind)
    if frame is None or not key:
        return None
    for column in _key_columns(kind):
        if column in frame.columns:
            hits = frame[frame[column].astype(str).str.casefold() == key.casefold()]
            if len(hits):
                return hits.iloc[0]
    return None


def _sources(kind: str | None) -> list[Path]:
    """The files a piece reads (:func:`table`), for the disk cache's key: the base map (None)
    the countries and admin-1 tables, a region's outline its kind's table."""
    if kind is None:
        names: tuple[str, ...] = ("countries.parquet", "admin1.parquet")
    else:
        names = {"country": ("countries.parquet",), "admin1": ("admin1.parquet",)}.get(kind, _WATER_FILES)
    return [_regions_dir() / name for name in names]


@functools.lru_cache(maxsize=4096)
def _outline(folder: str, kind: str, key: str, tolerance: float, decimals: int) -> str | None:
    def make() -> str:
        row = lookup(kind, key)
        geometry = _compact(row.geometry, tolerance, decimals, relative=True) if row is not None else None
        return json.dumps(geometry, separators=(",", ":"))

    text = cached_json([__file__], _sources(kind), json.dumps([folder, kind, key, tolerance, decimals]), make)
    return text if text != "null" else None


def outline(kind: str, key: str, quality: tuple[float, int] = SELECTED) -> dict[str, Any] | None:
    """The simplified, compact-encoded geometry of one region (see :func:`_compact`), or None."""
    text = _outline(str(_regions_dir()), kind, key, *quality)
    return json.loads(text) if text else None


@functools.lru_cache(maxsize=64)
def _base(folder: str, countries: tuple[str, ...]) -> str:
    return cached_json([__file__], _sources(None), json.dumps(["base", folder, list(countries)]),
                       lambda: _make_base(countries))


def _make_base(countries: tuple[str, ...]) -> str:
    features: list[dict[str, Any]] = []
    frame = table("country")
    if frame is not None:
        for geom in frame.geometry:
            geometry = _compact(geom, *BASE_COUNTRIES)
            if geometry:
                features.append({"k": "c", "g": geometry})
    admin1 = table("admin1")
    if admin1 is not None and countries and "country" in admin1.columns:
        wanted = admin1[admin1["country"].astype(str).isin(countries)]
        for geom in wanted.geometry:
            geometry = _compact(geom, *BASE_ADMIN1)
            if geometry:
                features.append({"k": "a", "g": geometry})
    return json.dumps(features, separators=(",", ":"))


def base_map(countries: tuple[str, ...]) -> list[dict[str, Any]]:
    """Every country's outline (``{"k": "c", "g": compact geometry}``) plus the admin-1 outlines
    of ``countries`` (``"k": "a"``); geometries as :func:`_compact` encodes them."""
    return json.loads(_base(str(_regions_dir()), tuple(sorted(countries))))
