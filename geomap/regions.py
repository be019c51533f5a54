"""Regions by name (countries, admin-1 units, seas and curated areas): lookup, shapes and filtering.

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
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import UsageError
from .region_join import (
    COAST_DISTANCE,
    JOIN_COLUMNS,
    LAYERS,
    SHORE_DISTANCE,
    assign_regions,
    load_regions,
    points_of,
    regions_at,
)

#: The spatial join lives in :mod:`geomap.region_join` (the gazetteer index build needs it, and
#: this module needs the gazetteer); its public names stay importable from here.
__all__ = ["COAST_DISTANCE", "JOIN_COLUMNS", "LAYERS", "SHORE_DISTANCE", "Region", "assign_regions",
           "filter_by_regions", "list_regions", "load_regions", "region_shape", "regions_at",
           "regions_containing", "resolve_region"]

if TYPE_CHECKING:  # pragma: no cover
    import geopandas
    import shapely

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


def _row_region(layer: str, row: dict[str, Any]) -> Region:
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
        self.names: dict[str, list[tuple[tuple[int, int], str]]] = {}  # norm name -> [(rank, id)]
        self.search_keys: dict[str, list[str]] = {}
        self.children: dict[str, list[str]] = {}
        for li, layer in enumerate(LAYERS):
            gdf = load_regions(layer)
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


def _row_geometry(region_id: str) -> shapely.Geometry:
    idx = _index()
    region = idx.regions.get(region_id)
    if region is None:
        raise UsageError(f"unknown region id {region_id!r}")
    gdf = load_regions(region.layer)
    pos = _positions(region.layer)[region_id]
    return gdf.geometry.values[pos]


@functools.cache
def _positions(layer: str) -> dict[str, int]:
    return {rid: i for i, rid in enumerate(load_regions(layer)["id"])}


@functools.lru_cache(maxsize=256)
def region_shape(region_id: str | Region) -> shapely.Geometry:
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


def _gazetteer_box(place_id: str) -> shapely.Geometry:
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
        gdf = load_regions(layer)
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
    gdf = load_regions("water")
    return {i: p for i, p in zip(gdf["id"], gdf["parent"]) if isinstance(p, str)}


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
    pts = points_of(gdf)
    mask = np.zeros(len(gdf), dtype=bool)
    ok = np.array([p is not None and not p.is_empty for p in pts], dtype=bool)
    for shape in shapes:
        mask[ok] |= shapely.intersects(shape, pts[ok].astype(object))
    return gdf[mask].copy()
