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
WATER_ATTRIBUTION = " \u00b7 water: GSHHG"


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


def _view(lons: list[float], lats: list[float], pinned: list[int], shapes: _Areas) -> tuple[list[int], tuple[float, float, float, float]]:
    """The pins the map's extent fits (the theatre, see :mod:`._theatre`) and that extent."""
    from ._theatre import theatre

    if pinned:
        fitted = [pinned[k] for k in theatre([lons[i] for i in pinned], [lats[i] for i in pinned])]
        return fitted, _extent([lons[i] for i in fitted], [lats[i] for i in fitted])
    if shapes.geometries:
        return [], _extent(*_bounds_points(shapes.geometries))
    return [], _extent([], [])


WATER_COLOUR, RIVER_COLOUR = "#dce9f2", "#8fb8d6"


def _draw_water(ax: Any, west: float, south: float, east: float, north: float, tolerance: float) -> bool:
    """Lakes and rivers of the base map's detail layer inside the extent (True when any)."""
    from . import _basemap

    frame = _basemap._table("water")
    if frame is None or not len(frame):
        return False
    near = frame.cx[west:east, south:north]
    # the zoom a web map would show this extent at: the same features as the page there
    zoom = math.log2(360 / max(east - west, 1e-6) * A4_WIDTH_IN * 96 / 256)
    near = near[near["minzoom"] <= max(zoom + 1, 5)]
    if not len(near):
        return False
    near = near.set_geometry(near.geometry.simplify(tolerance))
    lakes, rivers = near[near["kind"] == "lake"], near[near["kind"] == "river"]
    if len(lakes):
        lakes.plot(ax=ax, facecolor=WATER_COLOUR, edgecolor=RIVER_COLOUR, linewidth=0.3, zorder=1.5)
    if len(rivers):
        rivers.plot(ax=ax, color=RIVER_COLOUR, linewidth=0.6, zorder=1.6)
    return True


def _overlaps(box: Any, boxes: list[Any]) -> bool:
    return any(box.x0 < b.x1 and b.x0 < box.x1 and box.y0 < b.y1 and b.y0 < box.y1 for b in boxes)


def _place_labels(fig: Any, ax: Any, incidents: Any, shown: list[int], lons: list[float], lats: list[float],
                  renderer: Any) -> int:
    """Label the places of the shown pins, the place with most incidents first, each beside its
    pin (right, left, above or below) where it overlaps no other label, pin or the scale bar;
    a place with no free spot stays unlabelled. Returns how many were placed."""
    from matplotlib.transforms import Bbox

    if "place" not in incidents.columns or not shown:
        return 0
    from ._names import display_names

    names = display_names(incidents)  # the page's spelling: the article's, when it names the place
    places: dict[str, list[int]] = {}
    for i in shown:
        name = names[i]
        if isinstance(name, str) and name:
            places.setdefault(name, []).append(i)
    to_pixels = ax.transData.transform
    frame = ax.get_window_extent(renderer)
    pins = [Bbox.from_bounds(x - 5, y - 5, 10, 10) for x, y in (to_pixels((lons[i], lats[i])) for i in shown)]
    taken: list[Any] = list(pins) + [t.get_window_extent(renderer) for t in ax.texts]
    placed = 0
    offsets = (((7, 0), "left", "center"), ((-7, 0), "right", "center"), ((0, 7), "center", "bottom"),
               ((0, -7), "center", "top"))
    for name, rows in sorted(places.items(), key=lambda item: (-len(item[1]), item[0])):
        x, y = to_pixels((sum(lons[i] for i in rows) / len(rows), sum(lats[i] for i in rows) / len(rows)))
        for (dx, dy), ha, va in offsets:
            text = ax.annotate(name, (x, y), xycoords="figure pixels", xytext=(dx, dy), textcoords="offset points",
                               ha=ha, va=va, fontsize=6.5, color="#222", zorder=5, gid="place-label",
                               bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "alpha": 0.7,
                                     "edgecolor": "none"})
            box = text.get_window_extent(renderer)
            inside = frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1
            others = [b for b in taken if not (abs(b.x0 + 5 - x) < 0.5 and abs(b.y0 + 5 - y) < 0.5)]
            if inside and not _overlaps(box, others):
                taken.append(box)
                placed += 1
                break
            text.remove()
    return placed


def save_static(incidents: Any, path: str | os.PathLike[str], *, title: str | None = None,
                dpi: int = 200) -> Path:
    """Draw ``incidents`` on the offline outlines and write a PNG, SVG or PDF (by extension);
    see :func:`static_figure` for what the map shows. Written atomically."""
    import matplotlib

    target = Path(path)
    fmt = _FORMATS.get(target.suffix.lower())
    if fmt is None:
        raise UsageError(f"cannot tell the image format of {target.name}: use .png, .svg or .pdf")
    with matplotlib.rc_context(_RC):
        fig = static_figure(incidents, title=title, dpi=dpi)
        metadata = {"Date": None} if fmt == "svg" else ({"CreationDate": None} if fmt == "pdf" else {})
        with atomic_path(target) as tmp:
            fig.savefig(tmp, format=fmt, dpi=dpi, metadata=metadata)
    return target


#: text.parse_math off: a title or label with "$" ("$5m and $10m") is text, never mathtext
_RC = {"svg.fonttype": "none", "svg.hashsalt": "geomap", "text.parse_math": False, "font.size": 8,
       "font.family": "DejaVu Sans"}


def static_figure(incidents: Any, *, title: str | None = None, dpi: int = 200) -> Any:
    """The static map of ``incidents`` as a matplotlib Figure (A4 text width).

    The extent fits the theatre (the densest cluster of pins, :mod:`._theatre`); the footer says
    how many incidents lie outside it. Lakes and rivers, a scale bar, the places of the pins
    (labelled where they fit), a marker shape per type as well as its taxonomy colour, incidents
    located only by a country, sea or region as hatched areas. The legend lists each type
    present with its count, and the page is cut to what it holds.
    """
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    taxonomy = load_taxonomy()
    from ._data import area_kinds, coordinates  # the same coordinate rules as the page

    lons, lats = coordinates(incidents) if len(incidents) else ([], [])
    # incidents located only by a country, sea or large region: their region is hatched, no dot
    areas = area_kinds(incidents) if len(incidents) else []
    shapes = _area_shapes(incidents, areas)
    pinned = [i for i, kind in enumerate(areas) if kind is None or (kind, i) not in shapes.members]
    fitted, (west, south, east, north) = _view(lons, lats, pinned, shapes)
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
    top = 0.55 if title else 0.15  # inches above the map for the title
    footer = 0.3  # inches under the legend for the counts and attribution

    with matplotlib.rc_context(_RC):
        fig = Figure(figsize=(A4_WIDTH_IN, map_height + top + footer + 1.0), dpi=dpi)
        FigureCanvasAgg(fig)
        height = fig.get_figheight()
        ax = fig.add_axes((0.02, (footer + 1.0) / height, 0.96, map_height / height))
        ax.set_facecolor(WATER_COLOUR)
        tolerance = (east - west) / 1500  # finer than a printed line at A4 width
        countries = _outlines.table("country")
        if countries is not None and len(countries):
            near = countries.cx[west - 5:east + 5, south - 5:north + 5]
            near = near.set_geometry(near.geometry.simplify(tolerance))
            near.plot(ax=ax, facecolor="#f3f0e8", edgecolor="#8a8a8a", linewidth=0.5, zorder=1)
        water = _draw_water(ax, west, south, east, north, tolerance)
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
        legend = None
        if types:
            columns = min(3, max(len(present), 1))
            legend = ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.01), ncol=columns, fontsize=7.5,
                               frameon=False, handletextpad=0.3, columnspacing=1.5, borderaxespad=0.2)
        else:
            ax.text(0.5, 0.5, "No incidents", transform=ax.transAxes, ha="center", va="center")
        # the legend's real height sets the page's: no empty band under it
        renderer = fig.canvas.get_renderer()
        legend_in = (legend.get_window_extent(renderer).height / fig.dpi + 0.1) if legend is not None else 0.0
        height = top + map_height + legend_in + footer
        fig.set_size_inches(A4_WIDTH_IN, height)
        ax.set_position((0.02, (footer + legend_in) / height, 0.96, map_height / height))
        shown = [i for i in pinned if west <= lons[i] <= east and south <= lats[i] <= north]
        _place_labels(fig, ax, incidents, shown, lons, lats, fig.canvas.get_renderer())
        if title:
            fig.suptitle(title, fontsize=12, fontweight="bold", y=1 - 0.12 / height, va="top")
        dates = sorted(str(d)[:10] for d in incidents.get("date", []) if isinstance(d, str) and d)
        span = f" \u00b7 {dates[0]} to {dates[-1]}" if dates and dates[0] != dates[-1] else (
            f" \u00b7 {dates[0]}" if dates else "")
        outside = len(pinned) - len(shown)
        away = f" \u00b7 {outside} outside this view" if outside else ""
        fig.text(0.02, 0.1 / height, f"{len(types)} incidents{span}{away}", fontsize=7, color="#333")
        fig.text(0.98, 0.1 / height, ATTRIBUTION + (WATER_ATTRIBUTION if water else ""), fontsize=7,
                 color="#555", ha="right")
    return fig
