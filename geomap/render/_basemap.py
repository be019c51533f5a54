"""The base map's detail near the incidents: rivers, lakes and settlement labels.

Reads ``data/basemap/water.parquet`` and ``places.parquet`` (built by ``tools/build_basemap.py``
from GSHHG and GeoNames; see data/README.md). A page carries only the detail around its own
incidents: every 1-degree cell holding a pinned incident, widened by :data:`MARGIN_CELLS` cells
each way, so a map of Donbas carries Donbas' rivers and towns, and a map of 100,000 incidents
costs no more than its places do. Each feature keeps the first zoom at which the page shows it
(``minzoom``), and labels were placed collision-free zoom by zoom at build time: the page
draws what the zoom asks for and never measures text.

Missing files give a page without the detail layers, never an error.
"""

from __future__ import annotations

import functools
import json
from typing import Any

import numpy as np

from .._paths import data_path
from ._diskcache import cached_json
from ._outlines import __file__ as _outlines_file
from ._outlines import _compact, _ring

#: Cells (1 degree) around each pinned incident whose detail a page carries.
MARGIN_CELLS = 2
#: Coordinates to 1/1000 degree (about 100 m): finer than a pixel to zoom 10.
DECIMALS = 3
#: At most this many labels in a page (the most populous first): a bound for maps spread wide.
MAX_LABELS = 6000


@functools.lru_cache(maxsize=2)
def _table(name: str) -> Any:
    import geopandas as gpd

    path = data_path("basemap", f"{name}.parquet")
    if not path.exists():
        return None
    return gpd.read_parquet(path)


def cells(lons: list[float], lats: list[float]) -> set[tuple[int, int]]:
    """The 1-degree cells (floor of lon, lat) within :data:`MARGIN_CELLS` of any point."""
    if not lons:
        return set()
    core = set(zip(np.floor(np.asarray(lons)).astype(int).tolist(), np.floor(np.asarray(lats)).astype(int).tolist()))
    reach = range(-MARGIN_CELLS, MARGIN_CELLS + 1)
    return {(x + dx, y + dy) for x, y in core for dx in reach for dy in reach if -90 <= y + dy < 90}


def _area(found: set[tuple[int, int]]) -> Any:
    import shapely

    boxes = [shapely.box(x, y, x + 1, y + 1) for x, y in found]
    return shapely.union_all(boxes)


def _lines(geom: Any, scale: int) -> list[list[int]]:
    kind = geom.geom_type
    if kind == "LineString":
        ring = _ring(geom.coords, scale, minimum=2)
        return [ring] if ring else []
    if kind in ("MultiLineString", "GeometryCollection"):
        return [r for part in geom.geoms for r in _lines(part, scale)]
    return []


def _water(area: Any) -> list[dict[str, Any]]:
    import shapely

    frame = _table("water")
    if frame is None:
        return []
    hits = frame.iloc[frame.sindex.query(area, predicate="intersects")].sort_index()
    features: list[dict[str, Any]] = []
    scale = 10 ** DECIMALS
    for kind, zoom, geom in zip(hits["kind"], hits["minzoom"], hits.geometry):
        clipped = shapely.intersection(geom, area)
        if clipped.is_empty:
            continue
        if kind == "river":
            lines = _lines(clipped, scale)
            if lines:
                features.append({"k": "r", "z": int(zoom), "g": {"s": scale, "l": lines}})
        else:
            polygon = _compact(clipped, 0.0, DECIMALS)
            if polygon:
                features.append({"k": "l", "z": int(zoom), "g": polygon})
    return features


def _labels(found: set[tuple[int, int]]) -> dict[str, list[Any]]:
    frame = _table("places")
    empty: dict[str, list[Any]] = {"lon": [], "lat": [], "name": [], "z": []}
    if frame is None:
        return empty
    x, y = frame.geometry.x.to_numpy(), frame.geometry.y.to_numpy()
    keys = np.floor(x).astype(np.int64) * 1000 + np.floor(y).astype(np.int64)
    wanted = np.fromiter((cx * 1000 + cy for cx, cy in found), dtype=np.int64, count=len(found))
    rows = np.flatnonzero(np.isin(keys, wanted))[:MAX_LABELS]  # the table is sorted by zoom, population
    return {"lon": np.round(x[rows], 4).tolist(), "lat": np.round(y[rows], 4).tolist(),
            "name": frame["name"].to_numpy()[rows].tolist(), "z": frame["minzoom"].to_numpy()[rows].tolist()}


@functools.lru_cache(maxsize=16)
def _detail(key: tuple[tuple[int, int], ...]) -> str:
    found = set(key)
    if not found:
        return json.dumps({"water": [], "labels": {"lon": [], "lat": [], "name": [], "z": []}})
    sources = [data_path("basemap", f"{name}.parquet") for name in ("water", "places")]
    return cached_json([__file__, _outlines_file], sources, json.dumps(key), lambda: json.dumps(
        {"water": _water(_area(found)), "labels": _labels(found)}, separators=(",", ":"), ensure_ascii=False))


def detail(lons: list[float], lats: list[float]) -> dict[str, Any]:
    """Rivers and lakes (``water``: ``{"k": "r"|"l", "z": minzoom, "g": geometry}``, lines as
    ``{"s": scale, "l": [flat delta-encoded line, ...]}``, lakes as :func:`_outlines._compact`
    encodes polygons) and ``labels`` (columns lon, lat, name, z) around the given points."""
    return json.loads(_detail(tuple(sorted(cells(lons, lats)))))
