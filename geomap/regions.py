"""Region polygons (countries, admin-1 units, seas and curated areas): assignment and filtering.

The polygons come from ``geomap/data/regions/*.parquet`` (built by ``make data``, see
``tools/build_regions.py`` for sources and the border policy: ISO 3166 / UN view,
Crimea and Sevastopol are Ukraine's, marked occupied). Three layers:

* ``countries`` (ids ``cc:XX``), ``admin1`` (ids ``ne1:<ISO 3166-2>``),
* ``water``: IHO seas (``water:...``, a partition: the Sea of Azov is not inside the Black Sea's
  polygon; a sea's full shape, :func:`region_shape`, adds its parts, e.g. the Mediterranean's
  Adriatic) and curated areas, water (straits, bays) and land (``phys:...``: Crimea, Donbas).

Heavy libraries (geopandas, shapely) load inside the functions: importing this module is cheap.
"""

from __future__ import annotations

import difflib
import functools
import re
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
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
_GENERIC = re.compile(
    r"\s+(region|oblast|oblast'|krai|kray|province|governorate|republic|county|district|state)$")


@dataclass(frozen=True, slots=True)
class Region:
    """A named region usable in region filters.

    ``layer`` is "countries", "admin1" or "water"; ``kind`` is "country", "admin1", "water" or
    "physical"; ``code`` is the ISO 3166-1 alpha-2 / ISO 3166-2 code where there is one;
    ``country`` the alpha-2 code of the country it lies in (None for seas).
    """

    id: str
    code: str | None
    name: str
    layer: str
    kind: str
    country: str | None = None


def _norm(text: str) -> str:
    """Case-, diacritic- and punctuation-insensitive form of a name."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = re.sub(r"[\u2019'`ʼ]", "", text)
    text = re.sub(r"[\W_]+", " ", text)
    return text.strip()


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


def _row_region(layer: str, row: dict) -> Region:
    if layer == "countries":
        return Region(row["id"], row["code"], row["name"], layer, "country", row["code"])
    if layer == "admin1":
        code = row["code"] if isinstance(row["code"], str) else None
        country = row["country"] if isinstance(row["country"], str) else None
        return Region(row["id"], code, row["name"], layer, "admin1", country)
    return Region(row["id"], None, row["name"], layer, row["kind"], None)


class _Index:
    """All regions with their name keys, for lookup and search."""

    def __init__(self) -> None:
        self.regions: dict[str, Region] = {}
        self.names: dict[str, list[tuple[int, str]]] = {}  # norm name -> [(rank, id)]
        self.search_keys: dict[str, list[str]] = {}
        self.children: dict[str, list[str]] = {}
        for li, layer in enumerate(LAYERS):
            gdf = _load(layer)
            cols = [c for c in ("id", "code", "name", "country", "kind", "alt_names", "parent")
                    if c in gdf.columns]
            for row in gdf[cols].to_dict("records"):
                region = _row_region(layer, row)
                self.regions[region.id] = region
                keys = [region.name]
                alts = row.get("alt_names")
                alt_list = [] if alts is None else [a for a in alts if isinstance(a, str)]
                # primary names rank before alternates; countries before admin-1 before water
                self._add(region.name, (0, li), region.id)
                if region.code:
                    self._add(region.code, (0, li), region.id)
                    keys.append(region.code)
                for alt in alt_list:
                    self._add(alt, (1, li), region.id)
                keys.extend(alt_list)
                self.search_keys[region.id] = sorted({_norm(k) for k in keys})
                parent = row.get("parent")
                if isinstance(parent, str):
                    self.children.setdefault(parent, []).append(region.id)

    def _add(self, name: str, rank: tuple[int, int], rid: str) -> None:
        key = _norm(name)
        if key:
            self.names.setdefault(key, []).append((rank, rid))


@functools.lru_cache(maxsize=1)
def _index() -> _Index:
    return _Index()


def list_regions(search: str | None = None) -> list[Region]:
    """Regions usable in filters, countries first; ``search`` is a case- and diacritic-insensitive
    substring of a name, alternate name or code."""
    idx = _index()
    regions = list(idx.regions.values())
    if search:
        needle = _norm(search)
        regions = [r for r in regions if any(needle in k for k in idx.search_keys[r.id])]
    order = {layer: i for i, layer in enumerate(LAYERS)}
    return sorted(regions, key=lambda r: (order[r.layer], r.name.casefold(), r.id))


def resolve_region(name_or_code: str | Region) -> Region:
    """The region a name, code or id names: "RU-KDA", "Krasnodar Krai", "Black Sea", "MD",
    "Moldova", "cc:MD", "ne1:RU-KDA". Ambiguous names prefer primary names over alternates and
    countries over admin-1 units over seas. Unknown names raise UsageError with close matches."""
    if isinstance(name_or_code, Region):
        return name_or_code
    idx = _index()
    text = str(name_or_code).strip()
    if text in idx.regions:
        return idx.regions[text]
    for prefix in ("ne1:", "cc:"):
        if (prefix + text.upper()) in idx.regions:
            return idx.regions[prefix + text.upper()]
    key = _norm(text)
    candidates = [key]
    stripped = _GENERIC.sub("", key)
    if stripped != key:
        candidates.append(stripped)
    for k in candidates:
        hits = idx.names.get(k)
        if hits:
            return idx.regions[min(hits)[1]]
    close = difflib.get_close_matches(key, list(idx.names), n=5, cutoff=0.75)
    names = []
    for k in close:
        r = idx.regions[min(idx.names[k])[1]]
        label = f"{r.name} ({r.code or r.id})"
        if label not in names:
            names.append(label)
    hint = f" Did you mean: {', '.join(names)}?" if names else ""
    raise UsageError(f"unknown region {text!r}.{hint} `geomap regions TEXT` lists "
                     "the names.")


def _row_geometry(region_id: str):
    idx = _index()
    region = idx.regions.get(region_id)
    if region is None:
        raise UsageError(f"unknown region id {region_id!r}")
    gdf = _load(region.layer)
    pos = _positions(region.layer)[region_id]
    return gdf.geometry.values[pos]


@functools.cache
def _positions(layer: str) -> dict[str, int]:
    return {rid: i for i, rid in enumerate(_load(layer)["id"])}


@functools.lru_cache(maxsize=256)
def region_shape(region_id: str | Region):
    """The (multi)polygon of a region; a sea's shape includes its parts (e.g. its gulfs).

    Any incident's ``place_id`` that names an area works: admin-1 regions, countries, seas and
    curated areas give their polygons; the gazetteer's large regions without a polygon
    ("macro:balkans") give their bounding box. A city's id raises UsageError: it is a point.
    """
    import shapely

    if isinstance(region_id, str) and region_id.startswith(("macro:", "gn:", "us2:")):
        return _gazetteer_box(region_id)
    rid = region_id.id if isinstance(region_id, Region) else resolve_region(region_id).id
    idx = _index()
    ids, todo = [], [rid]
    while todo:
        cur = todo.pop()
        if cur in ids:
            continue
        ids.append(cur)
        todo.extend(idx.children.get(cur, []))
    geoms = [_row_geometry(i) for i in ids]
    shape = geoms[0] if len(geoms) == 1 else shapely.union_all(geoms)
    shapely.prepare(shape)
    return shape


def _gazetteer_box(place_id: str):
    """The bounding box of a gazetteer entry that has no polygon in the region layers."""
    import shapely

    from .gazetteer import load_gazetteer

    place = load_gazetteer().get(place_id)
    if place is None:
        raise UsageError(f"unknown place id {place_id!r}")
    if place.bbox is None:
        raise UsageError(f"{place.name} ({place_id}) is a point, not an area: it has no shape")
    shape = shapely.box(*place.bbox)
    shapely.prepare(shape)
    return shape


def regions_containing(lat: float, lon: float) -> list[Region]:
    """Every region whose shape holds the point, smallest first."""
    import shapely

    point = shapely.Point(lon, lat)
    idx = _index()
    found: list[tuple[float, Region]] = []
    seen: set[str] = set()
    for layer in LAYERS:
        gdf = _load(layer)
        geoms = gdf.geometry.values
        hits = gdf.sindex.query(point, predicate="intersects")
        for i in hits:
            rid = gdf["id"].iat[i]
            found.append((float(shapely.area(geoms[i])), idx.regions[rid]))
            seen.add(rid)
    # seas whose full shape holds the point through one of their parts
    parents = {}
    for rid in list(seen):
        p = _parent_map().get(rid)
        while p:
            parents[p] = True
            p = _parent_map().get(p)
    for pid in parents:
        if pid not in seen:
            found.append((float(shapely.area(region_shape(pid))), idx.regions[pid]))
    found.sort(key=lambda t: t[0])
    return [r for _, r in found]


@functools.lru_cache(maxsize=1)
def _parent_map() -> dict[str, str]:
    gdf = _load("water")
    return {i: p for i, p in zip(gdf["id"], gdf["parent"]) if isinstance(p, str)}


def _points(gdf) -> Any:
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


def _hits(frame, pts) -> tuple[Any, Any]:
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


def _nearest_within(frame, pts, dist: float) -> tuple[Any, Any]:
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


def _join(vpts) -> tuple[Any, Any]:
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


def _joined_values(valid: Any, vpts: Any) -> list[Any]:
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
    pts = _points(out)
    valid = np.array([p is not None and not p.is_empty for p in pts], dtype=bool)
    for col, values in zip(JOIN_COLUMNS, _joined_values(valid, pts[valid]), strict=True):
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
        columns = _joined_values(valid, pts[valid])
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


def filter_by_regions(gdf: geopandas.GeoDataFrame,
                      regions: Iterable[str | Region] | str | Region) -> geopandas.GeoDataFrame:
    """The rows of ``gdf`` whose point lies in any of ``regions`` (names, codes, ids or Regions)."""
    import numpy as np
    import shapely

    if isinstance(regions, (str, Region)):
        regions = [regions]
    shapes = [region_shape(resolve_region(r).id) for r in regions]
    if not shapes:
        return gdf.iloc[0:0].copy()
    pts = _points(gdf)
    mask = np.zeros(len(gdf), dtype=bool)
    ok = np.array([p is not None and not p.is_empty for p in pts], dtype=bool)
    for shape in shapes:
        mask[ok] |= shapely.intersects(shape, pts[ok].astype(object))
    return gdf[mask].copy()
