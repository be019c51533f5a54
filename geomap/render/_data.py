"""From an incidents GeoDataFrame to what a map needs: filtering and a compact page payload.

Region membership comes from each incident's columns (``country``, ``region_code``, ``water``),
computed upstream in Python: the page never does point-in-polygon. The payload is columnar (one
array per field, strings interned in one table) so 100,000 incidents stay a few MB of JSON.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..errors import UsageError
from ..incidents.taxonomy import MAP_TYPES, load_taxonomy
from . import _basemap, _names, _outlines

#: Region kinds the map filters by, and the incident column holding each one's key.
REGION_COLUMNS: dict[str, str] = {"country": "country", "admin1": "region_code", "water": "water"}
#: What ``geo_precision`` means (ACLED's scale).
GEO_PRECISION = {1: "exact place", 2: "near the place / part of a region", 3: "region or larger area"}
DATE_PRECISION = {1: "day", 2: "week", 3: "month"}
#: From this many incidents a clustered page keeps one cluster group per type: a type toggle adds
#: or removes one layer (``python -m bench maps``: 0.42-0.91 s at 100k with one shared group),
#: at the price of clusters that no longer mix types. Smaller maps share one group.
TYPE_GROUPS_FROM = 20_000


@dataclass(frozen=True, slots=True)
class RegionKey:
    """A region as the map knows it: its kind and the key found in the incident columns."""

    kind: str
    key: str
    name: str

    @property
    def column(self) -> str | None:
        """The incident column holding this region's key (None for a shape-only area)."""
        return REGION_COLUMNS.get(self.kind)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    text = str(value)
    return text if text else None


# ----------------------------------------------------------------------------- filters

def parse_types(types: Iterable[str] | str | None) -> tuple[str, ...] | None:
    """Incident type ids from a list or comma-separated strings, in order; checked by
    :func:`geomap.incidents.check_types` (the one validator)."""
    from ..incidents import check_types

    if types is None:
        return None
    if isinstance(types, str):
        types = [types]
    wanted: list[str] = []
    for item in types:
        wanted.extend(part.strip() for part in str(item).split(",") if part.strip())
    check_types(wanted)
    return tuple(dict.fromkeys(wanted))


def _region_key(region: Any) -> RegionKey:
    kind = getattr(region, "kind", None)
    if kind in ("admin1", "region"):
        kind = "admin1"
    if kind in ("sea", "ocean", "water"):
        kind = "water"
    if kind not in REGION_COLUMNS:
        # curated areas (Crimea, Donbas) have no column: filter them by their shape
        region_id = getattr(region, "id", None)
        if region_id is None:
            raise UsageError(f"{region!r} is not a region: name one that `geomap regions` lists")
        return RegionKey("shape", str(region_id), str(getattr(region, "name", region_id)))
    code = getattr(region, "code", None) or getattr(region, "id", None) or region.name
    if kind == "water":  # the water column may hold the sea's id, code or name
        code = getattr(region, "code", None) or getattr(region, "name", None)
    return RegionKey(kind, str(code), str(getattr(region, "name", code)))


def resolve_regions(regions: Iterable[Any] | None, gdf: Any = None) -> list[RegionKey]:
    """Region names (as `geomap regions` lists them) or Region objects -> map region keys.

    Names go through ``geomap.regions.resolve_region``. Codes found in the incidents' columns
    ("RU-KDA", "UA", a sea's name) are accepted as they are.
    """
    if regions is None:
        return []
    if isinstance(regions, str):
        regions = [regions]
    keys: list[RegionKey] = []
    for region in regions:
        if not isinstance(region, str):
            keys.append(_region_key(region))
            continue
        direct = _direct_key(region, gdf)
        if direct is not None:
            keys.append(direct)
            continue
        try:
            from ..regions import resolve_region
        except ImportError as exc:  # pragma: no cover - the regions module ships with geomap
            raise UsageError(f"unknown region {region!r}: use a code from the incidents "
                             "(country, region_code or water column)") from exc
        keys.append(_region_key(resolve_region(region)))
    return keys


def _direct_key(text: str, gdf: Any) -> RegionKey | None:
    if gdf is None or len(gdf) == 0:
        return None
    folded = text.strip().casefold()
    for kind, column in REGION_COLUMNS.items():
        if column not in gdf.columns:
            continue
        values = gdf[column].dropna().astype(str)
        hit = values[values.str.casefold() == folded]
        if len(hit):
            key = hit.iloc[0]
            return RegionKey(kind, key, region_name(gdf, kind, key))
    return None


def region_names(gdf: Any, kind: str) -> dict[str, str]:
    """Display names of the region keys in ``gdf``'s column for ``kind`` (from its name column)."""
    name_column = {"country": "country_name", "admin1": "region"}.get(kind)
    key_column = REGION_COLUMNS[kind]
    if not name_column or name_column not in gdf.columns or key_column not in gdf.columns:
        return {}
    pairs = gdf[[key_column, name_column]].dropna().drop_duplicates(subset=[key_column])
    return {str(k): str(v) for k, v in zip(pairs[key_column], pairs[name_column]) if _text(v)}


def region_name(gdf: Any, kind: str, key: str, names: dict[str, str] | None = None) -> str:
    """A display name for a region key, from the incidents' own name columns or the outlines."""
    names = region_names(gdf, kind) if names is None else names
    if key in names:
        return names[key]
    row = _outlines.lookup(kind, key)
    if row is not None and "name" in row.index and _text(row["name"]):
        return str(row["name"])
    return key


def in_regions(gdf: Any, regions: Sequence[RegionKey]) -> pd.Series:
    """Boolean mask: incidents inside any of ``regions`` (by their region columns)."""
    mask = pd.Series(False, index=gdf.index)
    for region in regions:
        if region.kind == "shape":
            from ..regions import filter_by_regions

            inside = filter_by_regions(gdf, [region.key]) if len(gdf) else gdf
            mask |= gdf.index.isin(inside.index)
            continue
        if region.column not in gdf.columns:
            continue
        column = gdf[region.column].astype("string").str.casefold()
        mask |= (column == region.key.casefold()).fillna(False).astype(bool)
    return mask


def filter_incidents(gdf: Any, *, regions: Sequence[RegionKey] = (), types: Sequence[str] | None = None,
                     since: _dt.date | None = None, until: _dt.date | None = None) -> Any:
    """The incidents that match every given filter (regions OR'ed, filters AND'ed)."""
    mask = pd.Series(True, index=gdf.index)
    if regions:
        mask &= in_regions(gdf, regions)
    if types is not None:
        mask &= gdf["incident_type"].isin(list(types))
    if since is not None or until is not None:
        dates = pd.to_datetime(gdf["date"], errors="coerce", format="mixed").dt.date
        if since is not None:
            mask &= dates.map(lambda d: d is not None and not pd.isna(d) and d >= since).astype(bool)
        if until is not None:
            mask &= dates.map(lambda d: d is not None and not pd.isna(d) and d <= until).astype(bool)
    return gdf[mask]


def check_incidents(gdf: Any) -> None:
    """Raise a UsageError when ``gdf`` lacks the columns a map needs."""
    needed = {"incident_type"}
    missing = sorted(needed - set(gdf.columns))
    if missing:
        raise UsageError(f"the incidents table lacks column(s) {', '.join(missing)}: "
                         "make it with `geomap extract` or geomap.extract()")
    if "geometry" not in gdf.columns and not {"lon", "lat"} <= set(gdf.columns):
        raise UsageError("the incidents table has neither a geometry nor lon/lat columns")


def coordinates(gdf: Any) -> tuple[list[float], list[float]]:
    """Longitudes and latitudes, from the Point geometry (or lon/lat when there is none)."""
    if "geometry" in gdf.columns and hasattr(gdf, "geometry") and len(gdf):
        geoms = gdf.geometry
        if geoms.crs is not None and geoms.crs.to_epsg() != 4326:
            geoms = geoms.to_crs(4326)
        points = geoms.representative_point() if not (geoms.geom_type == "Point").all() else geoms
        return list(points.x.round(5)), list(points.y.round(5))
    return list(gdf["lon"].astype(float).round(5)), list(gdf["lat"].astype(float).round(5))


# ----------------------------------------------------------------------------- payload

class _Strings:
    """A string table: each distinct string once, referenced by index (-1 for none)."""

    def __init__(self) -> None:
        self.items: list[str] = []
        self._index: dict[str, int] = {}

    def add(self, value: Any) -> int:
        text = _text(value)
        if text is None:
            return -1
        found = self._index.get(text)
        if found is None:
            found = self._index[text] = len(self.items)
            self.items.append(text)
        return found


_WEB_URL = re.compile(r"^https?://", re.IGNORECASE)


def public_url(value: Any) -> str | None:
    """An http(s) address as it is; anything else (a file: URL, a local path) is left out."""
    text = _text(value)
    return text if text is not None and _WEB_URL.match(text.strip()) else None


def public_source(value: Any) -> str | None:
    """Where an article came from, as a page may show it: a file's name, never its folders.

    ``source`` holds the path the article was read from (``/home/ana/reports/a.txt:12``); a
    published map must not reveal the author's folders, so only ``a.txt:12`` is kept.
    """
    text = _text(value)
    if text is None:
        return None
    if _WEB_URL.match(text):
        return text
    if text.lower().startswith("file:"):
        text = text[5:]
    name = re.split(r"[\\/]", text.rstrip("/\\"))[-1]
    return name or None


def _column(gdf: Any, name: str) -> list[Any]:
    if name in gdf.columns:
        return gdf[name].tolist()
    return [None] * len(gdf)


def _int(value: Any, default: int) -> int:
    try:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return default
        return int(value)
    except (TypeError, ValueError):
        return default


def _day(value: Any) -> int | None:
    """Days since 1970-01-01 (negative before it); None when undated."""
    text = _text(value)
    if text is None:
        return None
    try:
        return _dt.date.fromisoformat(text[:10]).toordinal() - _dt.date(1970, 1, 1).toordinal()
    except ValueError:
        return None


#: Which region column locates a coarse incident, by the kind of place it was given as.
_AREA_OF_KIND = {"country": "country", "admin1": "admin1", "region": "admin1", "water": "water",
                 "sea": "water", "ocean": "water"}


def area_kinds(gdf: Any) -> list[str | None]:
    """For each incident located only by a country, sea or large region (geo_precision 3), the
    kind of region that locates it ("country", "admin1" or "water"); None for the others and for
    those with no region at all. Maps draw that region, not a pin.

    The place's own kind says which region it is ("Russia" a country, "the Black Sea" a sea);
    otherwise the smallest region holding it (admin-1, then country, then sea)."""
    gp = [_int(v, 1) for v in _column(gdf, "geo_precision")]
    kinds = [_text(k) for k in _column(gdf, "kind")]
    keys = {kind: [_text(v) for v in _column(gdf, column)] for kind, column in REGION_COLUMNS.items()}
    result: list[str | None] = []
    for i, precision in enumerate(gp):
        found = None
        if precision == 3:
            first = _AREA_OF_KIND.get((kinds[i] or "").lower())
            for kind in ([first] if first else []) + ["admin1", "country", "water"]:
                if keys[kind][i] is not None:
                    found = kind
                    break
        result.append(found)
    return result


#: The columns whose names the page's search box matches (the place, the article's own spelling,
#: the region, country and sea that hold it).
SEARCH_COLUMNS = ("place", "mention", "region", "country_name", "water")


def search_names(gdf: Any, strings: _Strings, alternates: Sequence[str] | None = None) -> list[int]:
    """For each incident, the string-table index of every name it can be found by, one a line:
    the :data:`SEARCH_COLUMNS` and the place's other gazetteer names (``alternates``, one a line;
    see :mod:`geomap.render._names`)."""
    columns = [_column(gdf, name) for name in SEARCH_COLUMNS]
    columns.append(list(alternates) if alternates is not None else [""] * len(gdf))
    result: list[int] = []
    seen: dict[tuple[Any, ...], int] = {}  # incidents at one place share their names
    for values in zip(*columns):
        found = seen.get(values)
        if found is None:
            names = dict.fromkeys(t for v in map(_text, values) if v is not None for t in v.split("\n") if t)
            found = seen[values] = strings.add("\n".join(names)) if names else -1
        result.append(found)
    return result


def acled_pairs(gdf: Any) -> tuple[list[list[str]], list[int]]:
    """ACLED's (event_type, sub_event_type) of each incident: the distinct pairs, sorted, and each
    incident's index into them. An incident without its own (an older file) takes its type's
    mapping from the taxonomy, so every incident has one."""
    taxonomy = load_taxonomy()
    types = gdf["incident_type"].tolist()
    events, subs = _column(gdf, "event_type"), _column(gdf, "sub_event_type")
    keys = []
    for t, e, s in zip(types, events, subs, strict=True):
        e, s = _text(e), _text(s)
        keys.append((e or taxonomy[t].event_type, s or taxonomy[t].sub_event_type))
    pairs = sorted(set(keys), key=lambda k: (k[0].casefold(), k[1].casefold()))
    index = {k: i for i, k in enumerate(pairs)}
    return [list(p) for p in pairs], [index[k] for k in keys]


def build_payload(gdf: Any, *, title: str, cluster: bool, heat: bool, view: dict[str, Any]) -> dict[str, Any]:
    """The JSON the page's script reads: incidents as columns, regions, outlines, types."""
    taxonomy = load_taxonomy()
    strings = _Strings()
    types_present = [t for t in MAP_TYPES if t in set(gdf["incident_type"])]
    type_index = {t: i for i, t in enumerate(types_present)}
    type_counts = gdf["incident_type"].value_counts()
    types = [{"id": t, "label": taxonomy[t].label, "colour": taxonomy[t].colour,
              "svg": taxonomy[t].svg(16), "count": int(type_counts.get(t, 0))} for t in types_present]

    # regions: key -> index, in kind order, each with its parent country
    regions: list[dict[str, Any]] = []
    region_index: dict[tuple[str, str], int] = {}
    region_columns: dict[str, list[int]] = {}
    for kind, column in REGION_COLUMNS.items():
        values = [_text(v) for v in _column(gdf, column)]
        counts = pd.Series([v for v in values if v is not None], dtype="object").value_counts()
        parents: dict[str, str | None] = {}
        if kind == "admin1":
            for key, country in zip(values, _column(gdf, "country")):
                if key is not None and key not in parents:
                    parents[key] = _text(country)
        names = region_names(gdf, kind)
        named = {key: region_name(gdf, kind, key, names) for key in counts.index}
        for key in sorted(named, key=lambda k: named[k].casefold()):
            region_index[(kind, key)] = len(regions)
            entry: dict[str, Any] = {"key": key, "kind": kind, "name": named[key],
                                     "count": int(counts[key])}
            if kind == "admin1" and parents.get(key):
                entry["parent"] = parents[key]
            geometry = _outlines.outline(kind, key)
            if geometry is not None:
                entry["outline"] = geometry
            regions.append(entry)
        region_columns[kind] = [region_index[(kind, v)] if v is not None else -1 for v in values]

    lons, lats = coordinates(gdf)
    countries_with_incidents = tuple(sorted({r["key"] for r in regions if r["kind"] == "country"}))
    base = _outlines.base_map(countries_with_incidents)

    # source articles: (title, url, source) once per article, referenced by index
    articles: list[list[int]] = []
    article_index: dict[tuple[int, int, int], int] = {}
    article_column: list[int] = []
    public: dict[tuple[Any, Any, Any], tuple[int, int, int]] = {}  # an article's rows share it
    for row in zip(_column(gdf, "title"), _column(gdf, "url"), _column(gdf, "source")):
        triple = public.get(row)
        if triple is None:
            title_, url, source = row
            triple = public[row] = (strings.add(title_), strings.add(public_url(url)),
                                    strings.add(public_source(source)))
        if triple == (-1, -1, -1):
            article_column.append(-1)
            continue
        found = article_index.get(triple)
        if found is None:
            found = article_index[triple] = len(articles)
            articles.append(list(triple))
        article_column.append(found)

    area = [region_columns[kind][i] if kind else -1 for i, kind in enumerate(area_kinds(gdf))]
    # rivers, lakes and settlement labels around the pinned incidents (areas get none)
    detail = _basemap.detail([lons[i] for i, a in enumerate(area) if a < 0],
                             [lats[i] for i, a in enumerate(area) if a < 0])

    acled, acled_column = acled_pairs(gdf)
    display, alternates = _names.place_names(_column(gdf, "place"), _column(gdf, "mention"),
                                             _column(gdf, "place_id"))
    days = [_day(v) for v in _column(gdf, "date")]
    known_days = [d for d in days if d is not None]
    payload: dict[str, Any] = {
        "title": title,
        "n": len(gdf),
        "cluster": cluster,
        "typeGroups": cluster and len(gdf) >= TYPE_GROUPS_FROM,
        "heat": heat,
        "view": view,
        "types": types,
        "regions": regions,
        "acled": acled,
        "base": base,
        "detail": detail,
        "precision": {str(k): v for k, v in GEO_PRECISION.items()},
        "datePrecision": {str(k): v for k, v in DATE_PRECISION.items()},
        "dayRange": [min(known_days), max(known_days)] if known_days else None,
        "cols": {
            "lon": lons,
            "lat": lats,
            "type": [type_index[t] for t in gdf["incident_type"]],
            "day": days,
            "date": [strings.add(v) for v in _column(gdf, "date")],
            "dp": [_int(v, 1) for v in _column(gdf, "date_precision")],
            "place": [strings.add(v) for v in display],  # the article's spelling (see _names)
            "names": search_names(gdf, strings, alternates),
            "gp": [_int(v, 1) for v in _column(gdf, "geo_precision")],
            "area": area,
            "country": region_columns["country"],
            "admin1": region_columns["admin1"],
            "water": region_columns["water"],
            "sentence": [strings.add(v) for v in _column(gdf, "sentence")],
            "article": article_column,
            "reports": [_int(v, 1) for v in _column(gdf, "reports")],
            "acled": acled_column,
        },
        "articles": articles,
        "strings": strings.items,
    }
    return payload
