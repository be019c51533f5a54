"""Static incident maps (PNG, SVG, PDF) for reports: matplotlib over the offline outlines.

Same colours, labels and attribution as the HTML map; sized for an A4 page width.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

from .._atomic import atomic_path
from ..errors import UsageError
from ..incidents.taxonomy import MAP_TYPES, load_taxonomy
from . import _outlines

#: A4 width minus 2 cm margins, in inches; height follows the map's shape within limits.
A4_WIDTH_IN = 7.5
_FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf"}
ATTRIBUTION = "Outlines: Natural Earth \u00b7 incidents: geomap from news reports"


def _extent(lons: list[float], lats: list[float]) -> tuple[float, float, float, float]:
    if not lons:
        return (-10.0, 34.0, 45.0, 60.0)
    west, east, south, north = min(lons), max(lons), min(lats), max(lats)
    span_x, span_y = max(east - west, 2.0), max(north - south, 1.5)
    cx, cy = (west + east) / 2, (south + north) / 2
    pad = 0.12
    return (cx - span_x * (0.5 + pad), max(-85.0, cy - span_y * (0.5 + pad)),
            cx + span_x * (0.5 + pad), min(85.0, cy + span_y * (0.5 + pad)))


AREA_COLOUR = "#263238"
#: A marker shape per incident type (in taxonomy order), so types differ by more than colour.
SHAPES = ("o", "s", "^", "D", "v", "P", "X", "*", "h", "p", "<", ">")


def type_shape(type_id: str) -> str:
    """The matplotlib marker of an incident type."""
    return SHAPES[MAP_TYPES.index(type_id) % len(SHAPES)] if type_id in MAP_TYPES else "o"


def _scale_bar(ax: Any, west: float, east: float, south: float, north: float) -> None:
    """A scale bar of a round length, about a fifth of the map's width, in the lower left."""
    mid = math.radians((south + north) / 2)
    km_per_degree = 111.32 * max(math.cos(mid), 0.01)
    target = (east - west) * km_per_degree / 5
    step = 10 ** math.floor(math.log10(target))
    length = max(m * step for m in (1, 2, 5) if m * step <= target)
    x0 = west + (east - west) * 0.03
    y0 = south + (north - south) * 0.04
    x1 = x0 + length / km_per_degree
    ax.plot([x0, x1], [y0, y0], color="#222", linewidth=2.2, solid_capstyle="butt", zorder=4)
    ax.text((x0 + x1) / 2, y0 + (north - south) * 0.012, f"{length:g} km", ha="center", va="bottom",
            fontsize=7, color="#222", zorder=4)


class _Areas:
    """The outlines of the regions that locate coarse incidents: ``geometries`` by (kind, key),
    ``members`` the (kind, row) pairs drawn as an area."""

    def __init__(self) -> None:
        self.geometries: dict[tuple[str, str], Any] = {}
        self.members: set[tuple[str, int]] = set()


def _area_shapes(incidents: Any, areas: list[str | None]) -> _Areas:
    from ._data import REGION_COLUMNS

    shapes = _Areas()
    for i, kind in enumerate(areas):
        if kind is None:
            continue
        key = str(incidents[REGION_COLUMNS[kind]].iloc[i])
        if (kind, key) not in shapes.geometries:
            row = _outlines.lookup(kind, key)
            if row is None or row.geometry is None or row.geometry.is_empty:
                continue
            shapes.geometries[(kind, key)] = row.geometry
        shapes.members.add((kind, i))
    return shapes


def _bounds_points(geometries: dict[tuple[str, str], Any]) -> tuple[list[float], list[float]]:
    lons: list[float] = []
    lats: list[float] = []
    for geom in geometries.values():
        west, south, east, north = geom.bounds
        lons += [west, east]
        lats += [south, north]
    return lons, lats


def save_static(incidents: Any, path: str | os.PathLike[str], *, title: str | None = None,
                dpi: int = 200) -> Path:
    """Draw ``incidents`` on the offline outlines and write a PNG, SVG or PDF (by extension).

    The legend lists each incident type present with its count, in the taxonomy's colours; the
    attribution names the outline and incident sources. Written atomically.
    """
    import matplotlib
    from matplotlib.figure import Figure

    target = Path(path)
    fmt = _FORMATS.get(target.suffix.lower())
    if fmt is None:
        raise UsageError(f"cannot tell the image format of {target.name}: use .png, .svg or .pdf")
    taxonomy = load_taxonomy()
    from ._data import coordinates  # the same coordinate rules as the page

    from ._data import area_kinds

    lons, lats = coordinates(incidents) if len(incidents) else ([], [])
    # incidents located only by a country, sea or large region: their region is hatched, no dot
    areas = area_kinds(incidents) if len(incidents) else []
    shapes = _area_shapes(incidents, areas)
    pinned = [i for i, kind in enumerate(areas) if kind is None or (kind, i) not in shapes.members]
    if pinned:
        west, south, east, north = _extent([lons[i] for i in pinned], [lats[i] for i in pinned])
    elif shapes.geometries:
        west, south, east, north = _extent(*_bounds_points(shapes.geometries))
    else:
        west, south, east, north = _extent([], [])
    mid_lat = (south + north) / 2
    aspect = 1 / max(math.cos(math.radians(mid_lat)), 0.2)
    map_ratio = (north - south) * aspect / (east - west)
    map_height = min(max(A4_WIDTH_IN * 0.96 * map_ratio, 3.0), 9.0)
    box_ratio = map_height / (A4_WIDTH_IN * 0.96)
    if box_ratio > map_ratio:  # the map box is taller than the incidents' extent: show more latitude
        extra = ((east - west) * box_ratio / aspect - (north - south)) / 2
        south, north = south - extra, north + extra
    else:  # wider: show more longitude
        extra = ((north - south) * aspect / box_ratio - (east - west)) / 2
        west, east = west - extra, east + extra
    present = [t for t in MAP_TYPES if len(incidents) and (incidents["incident_type"] == t).any()]
    legend_rows = math.ceil((len(present) + (1 if shapes.geometries else 0)) / 3)
    # inches above the map for the title, below it for the legend (3 columns) and attribution
    top, bottom = (0.55 if title else 0.15), 0.4 + 0.2 * legend_rows + (0.15 if legend_rows else 0)
    height = map_height + top + bottom

    # text.parse_math off: a title or label with "$" ("$5m and $10m") is text, never mathtext
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "geomap", "text.parse_math": False,
                                "font.size": 8, "font.family": "DejaVu Sans"}):
        fig = Figure(figsize=(A4_WIDTH_IN, height), dpi=dpi)
        ax = fig.add_axes((0.02, bottom / height, 0.96, map_height / height))
        ax.set_facecolor("#dce9f2")
        tolerance = (east - west) / 1500  # finer than a printed line at A4 width
        countries = _outlines.table("country")
        if countries is not None and len(countries):
            near = countries.cx[west - 5:east + 5, south - 5:north + 5]
            near = near.set_geometry(near.geometry.simplify(tolerance))
            near.plot(ax=ax, facecolor="#f3f0e8", edgecolor="#8a8a8a", linewidth=0.5, zorder=1)
        admin1 = _outlines.table("admin1")
        codes = set(incidents["country"].dropna().astype(str)) if "country" in incidents.columns else set()
        if admin1 is not None and codes and "country" in admin1.columns:
            wanted = admin1[admin1["country"].astype(str).isin(codes)]
            wanted = wanted.cx[west - 2:east + 2, south - 2:north + 2]
            if len(wanted):
                wanted = wanted.set_geometry(wanted.geometry.simplify(tolerance))
                wanted.plot(ax=ax, facecolor="none", edgecolor="#b5b0a5", linewidth=0.3, zorder=2)
        if shapes.geometries:
            import geopandas as gpd

            hatched = gpd.GeoSeries(list(shapes.geometries.values()), crs="EPSG:4326")
            hatched = hatched.simplify(tolerance)
            hatched.plot(ax=ax, facecolor="none", edgecolor=AREA_COLOUR, hatch="////", linewidth=0.8,
                         linestyle="--", zorder=2.5)
            ax.fill([], [], facecolor="none", edgecolor=AREA_COLOUR, hatch="////", linestyle="--",
                    label=f"Located only by country, sea or region ({len(shapes.members)})")
        types = list(incidents["incident_type"]) if len(incidents) else []
        pinned_set = set(pinned)
        for type_id in MAP_TYPES:
            index = [i for i, t in enumerate(types) if t == type_id and i in pinned_set]
            if not index:
                continue
            kind = taxonomy[type_id]
            ax.scatter([lons[i] for i in index], [lats[i] for i in index], s=46, c=kind.colour,
                       marker=type_shape(type_id), edgecolors="white", linewidths=0.7, zorder=3,
                       label=f"{kind.label} ({len(index)})")
        _scale_bar(ax, west, east, south, north)
        ax.set_xlim(west, east)
        ax.set_ylim(south, north)
        ax.set_aspect(aspect, adjustable="box")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_xlabel("")
        ax.set_ylabel("")
        if types:
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.01), ncol=min(3, len(present)),
                      fontsize=7.5, frameon=False, handletextpad=0.3, columnspacing=1.5)
        else:
            ax.text(0.5, 0.5, "No incidents", transform=ax.transAxes, ha="center", va="center")
        if title:
            fig.suptitle(title, fontsize=12, fontweight="bold", y=1 - 0.12 / height, va="top")
        dates = sorted(str(d)[:10] for d in incidents.get("date", []) if isinstance(d, str) and d)
        span = f" \u00b7 {dates[0]} to {dates[-1]}" if dates and dates[0] != dates[-1] else (
            f" \u00b7 {dates[0]}" if dates else "")
        fig.text(0.02, 0.1 / height, f"{len(types)} incidents{span}", fontsize=7, color="#333")
        fig.text(0.98, 0.1 / height, ATTRIBUTION, fontsize=7, color="#555", ha="right")
        metadata = {"Date": None} if fmt == "svg" else ({"CreationDate": None} if fmt == "pdf" else {})
        with atomic_path(target) as tmp:
            fig.savefig(tmp, format=fmt, dpi=dpi, metadata=metadata)
    return target
