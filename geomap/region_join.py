"""Which admin-1 region and water body each point lies in: the region layers and the spatial join.

The one join every stage uses (the pipeline's regions stage, the store's rows, other tools' data
and the gazetteer index build, which stores each place's regions). It needs only the polygons in
``geomap/data/regions/``, never the gazetteer, so the index build can call it; region names,
lookups and shapes are :mod:`geomap.regions`.

Heavy libraries (geopandas, shapely) load inside the functions: importing this module is cheap.
"""

from __future__ import annotations

import functools
import threading
from typing import TYPE_CHECKING, Any

from ._paths import data_path
from .errors import DataError, UsageError

if TYPE_CHECKING:  # pragma: no cover
    import geopandas

LAYERS = ("countries", "admin1", "water")
#: Points off every polygon get the nearest admin-1 unit within this distance (degrees, ~20 km).
COAST_DISTANCE = 0.18
#: Points in the water this close to land (degrees, ~2 km: the simplification error of the
#: coastline) also get the nearest admin-1 unit: harbours, quays, cities on the shore.
SHORE_DISTANCE = 0.02

_LOCK = threading.Lock()
@functools.cache
def _load(layer: str) -> geopandas.GeoDataFrame:
    import geopandas as gpd
    import shapely

    path = data_path("regions", f"{layer}.parquet")
    if not path.exists():
        raise DataError(f"region data {path} is missing: reinstall geomap, or run `make data` "
                        "in a checkout to build it")
    try:
        gdf = gpd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several types for a damaged file
        raise DataError(f"cannot read {path} ({exc}): reinstall geomap, or "
                        "rebuild it with `make data` in a checkout") from exc
    shapely.prepare(gdf.geometry.values)
    if layer == "admin1" and {"code", "name"} <= set(gdf.columns):
        from ._region_names import display_names

        gdf["name"] = display_names(gdf["code"], gdf["name"])  # the one display policy
    return gdf


def load_regions(layer: str) -> geopandas.GeoDataFrame:
    """The polygons of one layer: "admin1", "countries" or "water" (cached; do not mutate)."""
    if layer not in LAYERS:
        raise UsageError(f"unknown region layer {layer!r}: use one of {', '.join(LAYERS)}")
    with _LOCK:
        return _load(layer)


def points_of(gdf: geopandas.GeoDataFrame) -> Any:
    """Each row's point in EPSG:4326 (a point inside the shape for rows that are not points)."""
    import numpy as np
    import shapely

    geoms = gdf.geometry.values
    if gdf.crs is not None and not gdf.crs.equals("EPSG:4326"):
        geoms = gdf.geometry.to_crs("EPSG:4326").values
    pts = np.asarray(geoms, dtype=object)
    kinds = shapely.get_type_id(pts)
    if np.any((kinds != 0) & (kinds != -1)):
        # not points: use a point inside each shape
        pts = np.where(kinds == 0, pts, shapely.point_on_surface(pts))
    return pts


def _hits(frame: geopandas.GeoDataFrame, pts: Any) -> tuple[Any, Any]:
    """(point index, polygon index) pairs where the point lies in the polygon: candidates from
    the bounding-box tree, then one vectorised test against the prepared polygons."""
    import shapely

    p_i, g_i = frame.sindex.query(pts)
    if len(p_i):
        geoms = frame.geometry.values
        shapely.prepare(geoms)
        ok = shapely.intersects(geoms[g_i], pts[p_i])
        p_i, g_i = p_i[ok], g_i[ok]
    return p_i, g_i


def _nearest_within(frame: geopandas.GeoDataFrame, pts: Any, dist: float) -> tuple[Any, Any]:
    """(point index, polygon index) of the nearest polygon within ``dist`` of each point that has
    one: bounding-box candidates, a vectorised prepared ``dwithin`` test, then distances for the
    few survivors only."""
    import numpy as np
    import shapely

    x, y = shapely.get_x(pts), shapely.get_y(pts)
    boxes = shapely.box(x - dist, y - dist, x + dist, y + dist)
    p_i, g_i = frame.sindex.query(boxes)
    if not len(p_i):
        return p_i, g_i
    geoms = frame.geometry.values
    shapely.prepare(geoms)
    ok = shapely.dwithin(geoms[g_i], pts[p_i], dist)
    p_i, g_i = p_i[ok], g_i[ok]
    d = shapely.distance(geoms[g_i], pts[p_i])
    order = np.lexsort((d, p_i))
    p_i, g_i = p_i[order], g_i[order]
    first = np.unique(p_i, return_index=True)[1]
    return p_i[first], g_i[first]


def _join(vpts: Any) -> tuple[Any, Any]:
    """(admin-1 row, water row) of each valid point (-1 where there is none); the rules of
    :func:`assign_regions`."""
    import numpy as np

    n = len(vpts)
    admin1 = _load("admin1")
    water = _water_bodies()
    a_idx = np.full(n, -1, dtype=np.int64)
    w_idx = np.full(n, -1, dtype=np.int64)
    if not n:
        return a_idx, w_idx
    # admin-1 and water: the smallest area holding each point (Natural Earth's Moscow
    # Oblast has no hole where the city of Moscow is; a strait lies inside its sea's box)
    for frame, areas_of, idx in ((admin1, _admin1_areas, a_idx), (water, _water_areas, w_idx)):
        p_i, g_i = _hits(frame, vpts)
        if len(p_i):
            order = np.lexsort((areas_of()[g_i], p_i))
            p_s, g_s = p_i[order], g_i[order]
            first = np.unique(p_s, return_index=True)
            idx[first[0]] = g_s[first[1]]
    # nearest admin-1 for points off land
    need = a_idx < 0
    near_d = np.where(w_idx >= 0, SHORE_DISTANCE, COAST_DISTANCE)
    for dist in (SHORE_DISTANCE, COAST_DISTANCE):
        sel = need & (near_d == dist)
        if sel.any():
            q_i, g_i = _nearest_within(admin1, vpts[sel], dist)
            a_idx[np.flatnonzero(sel)[q_i]] = g_i
    return a_idx, w_idx


#: The columns the spatial join sets, in the order :func:`regions_at` gives them.
JOIN_COLUMNS = ("country", "country_name", "region", "region_code", "water")
#: (layer, column) each of :data:`JOIN_COLUMNS` is read from.
_JOIN_SOURCES = (("admin1", "country"), ("admin1", "country_name"), ("admin1", "name"),
                 ("admin1", "code"), ("water", "name"))


def joined_values(valid: Any, vpts: Any) -> list[Any]:
    """Per column of :data:`JOIN_COLUMNS`, an object array (None where the join finds nothing,
    or the point is not valid) over all points."""
    import numpy as np

    a_idx, w_idx = _join(vpts)
    n = len(valid)
    rows = {"admin1": a_idx, "water": w_idx}
    out = []
    for layer, col in _JOIN_SOURCES:
        idx = rows[layer]
        values = _join_column(layer, col)
        res = np.full(n, None, dtype=object)
        ok = idx >= 0
        res[np.flatnonzero(valid)[ok]] = values[idx[ok]]
        out.append(np.array([v if isinstance(v, str) else None for v in res], dtype=object))
    return out


@functools.cache
def _join_column(layer: str, column: str) -> Any:
    """One column of the admin-1 layer or of :func:`_water_bodies`, as Python objects."""
    frame = _load("admin1") if layer == "admin1" else _water_bodies()
    return frame[column].to_numpy(dtype=object)


def assign_regions(gdf: geopandas.GeoDataFrame) -> geopandas.GeoDataFrame:
    """A copy of ``gdf`` (points, EPSG:4326) with columns country, country_name, region,
    region_code and water set by spatial join.

    Rules: a point on land gets its admin-1 unit (and country). A point in the water gets the
    smallest water body that holds it (a strait before its sea); if it is also within ~2 km of
    land (:data:`SHORE_DISTANCE`, the coastline's simplification error: harbours, quays) it gets
    the nearest admin-1 unit too. A point in neither (a lake, a river mouth, a sea no IHO area
    covers) gets the nearest admin-1 unit within ~20 km (:data:`COAST_DISTANCE`), else nothing.
    Curated land areas (Crimea, Donbas) are not written to any column: use
    :func:`regions_containing` or :func:`filter_by_regions` for them.
    """
    import numpy as np
    import pandas as pd

    out = gdf.copy()
    pts = points_of(out)
    valid = np.array([p is not None and not p.is_empty for p in pts], dtype=bool)
    for col, values in zip(JOIN_COLUMNS, joined_values(valid, pts[valid]), strict=True):
        out[col] = pd.Series(values, index=out.index, dtype=object)
    return out


#: Joined regions per point, so that a run (and the store's per-article rows) joins each place
#: once instead of once per article; bounded (cleared when full).
_POINT_CACHE: dict[tuple[float, float], tuple[str | None, ...]] = {}
POINT_CACHE_SIZE = 200_000


def regions_at(points: list[tuple[float, float]]) -> list[tuple[str | None, ...]]:
    """The :data:`JOIN_COLUMNS` values of each (lon, lat) point, as :func:`assign_regions` sets
    them (all None for a point that is not finite). The points not seen before in this process
    are joined together, in one vectorised pass (shapely loads only then)."""
    known: dict[tuple[float, float], tuple[str | None, ...]] = {}
    todo = []
    for point in dict.fromkeys(points):
        hit = _POINT_CACHE.get(point)
        if hit is None:
            todo.append(point)
        else:
            known[point] = hit
    if todo:
        import numpy as np
        import shapely

        xy = np.asarray(todo, dtype="float64").reshape(-1, 2)
        valid = np.isfinite(xy).all(axis=1)
        pts = np.full(len(todo), None, dtype=object)
        if valid.any():
            pts[valid] = shapely.points(xy[valid, 0], xy[valid, 1])
        columns = joined_values(valid, pts[valid])
        fresh = {point: tuple(col[i] for col in columns) for i, point in enumerate(todo)}
        known.update(fresh)
        with _LOCK:
            if len(_POINT_CACHE) + len(fresh) > POINT_CACHE_SIZE:
                _POINT_CACHE.clear()
            _POINT_CACHE.update(fresh)
    return [known[point] for point in points]


@functools.cache
def _water_bodies() -> geopandas.GeoDataFrame:
    """The water layer without the curated land areas."""
    water = _load("water")
    return water[water["kind"] == "water"].reset_index(drop=True)


@functools.cache
def _admin1_areas() -> Any:
    """Areas of the admin-1 layer, in its order (square degrees: only for ordering)."""
    import shapely

    return shapely.area(_load("admin1").geometry.values)


@functools.cache
def _water_areas() -> Any:
    """Areas of :func:`_water_bodies`, in its order."""
    import shapely

    return shapely.area(_water_bodies().geometry.values)
