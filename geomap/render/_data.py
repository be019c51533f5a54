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
#: From this many incidents a clustered page builds one cluster index per type in typed arrays
#: (``static/js/clusters.js``) instead of one shared markercluster group: a type toggle adds or
#: removes one layer, and the pins of 100,000 incidents are placed in under 1 s instead of
#: 3.5-6 s (``python -m bench maps``), at the price of clusters that no longer mix types. Smaller
#: maps share one markercluster group.
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
    from .._region_names import display_name

    pairs = gdf[[key_column, name_column]].dropna().drop_duplicates(subset=[key_column])
    names = {str(k): str(v) for k, v in zip(pairs[key_column], pairs[name_column]) if _text(v)}
    if kind == "admin1":  # files written before a curated name still show it (geomap._region_names)
        names = {k: display_name(k, v) for k, v in names.items()}
    return names


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
        return points.x.round(5).tolist(), points.y.round(5).tolist()
    return gdf["lon"].astype(float).round(5).tolist(), gdf["lat"].astype(float).round(5).tolist()


# ----------------------------------------------------------------------------- payload

class _Strings:
    """A string table: each distinct string once, referenced by index (-1 for none)."""

    def __init__(self) -> None:
        self.items: list[str] = []
        self._index: dict[str, int] = {}

    def add(self, value: Any) -> int:
        text = value if type(value) is str else _text(value)  # a str skips _text's checks
        if not text:
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


def _int(value: Any, default: int) -> int:
    try:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return default
        return int(value)
    except (TypeError, ValueError):
        return default


def _factor(gdf: Any, name: str, fn: Any = None) -> tuple[Any, list[Any]]:
    """A column as codes and values: ``codes[i]`` indexes ``values`` (-1: missing), ``values`` the
    distinct entries in order of first appearance, each passed through ``fn`` when given. Work
    per distinct value, not per row, so 100,000 incidents at a few hundred places cost little.
    Text, integer and boolean columns only (and columns with no value at all): other kinds
    (floats, numbers beside strings) come back one code per row, so values that compare equal but
    print differently (1 and 1.0, 0.0 and -0.0) are never merged."""
    import numpy as np

    if name not in gdf.columns:
        return np.full(len(gdf), -1, dtype=np.int64), []
    series = gdf[name]
    if not series.notna().any():  # nothing there (a column of NaN reads as numbers)
        return np.full(len(gdf), -1, dtype=np.int64), []
    exact = pd.api.types.is_integer_dtype(series.dtype) or pd.api.types.is_bool_dtype(series.dtype)
    if exact or pd.api.types.infer_dtype(series, skipna=True) in ("string", "empty"):
        codes, uniques = pd.factorize(series)
        values = list(uniques)
    else:
        values = series.tolist()
        codes = np.arange(len(values), dtype=np.int64)
    return codes, [fn(v) for v in values] if fn is not None else values


def _take(values: list[Any], codes: Any, missing: Any) -> list[Any]:
    """``values[code]`` for each code, ``missing`` where the code is -1."""
    import numpy as np

    table = np.empty(len(values) + 1, dtype=object)
    table[:len(values)] = values
    table[len(values)] = missing
    return list(table[codes].tolist())


def _texts(gdf: Any, name: str) -> list[str | None]:
    """A column's values as :func:`_text` makes them (None for missing or empty)."""
    codes, values = _factor(gdf, name, _text)
    return _take(values, codes, None)


def _ints(gdf: Any, name: str, default: int) -> list[int]:
    """A column's values as :func:`_int` makes them."""
    if name not in gdf.columns:
        return [default] * len(gdf)
    codes, uniques = pd.factorize(gdf[name])  # 1, 1.0 and True merge here: they are one int
    return _take([_int(v, default) for v in uniques], codes, default)


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
    import numpy as np

    coarse = np.asarray(_ints(gdf, "geo_precision", 1), dtype=object) == 3
    codes, kinds = _factor(gdf, "kind", lambda k: _AREA_OF_KIND.get((_text(k) or "").lower()))
    first = np.asarray(_take(kinds, codes, None), dtype=object)
    present = {kind: np.asarray([v is not None for v in _texts(gdf, column)], dtype=bool)
               for kind, column in REGION_COLUMNS.items()}
    result = np.full(len(gdf), None, dtype=object)
    pending = coarse.astype(bool)
    for kind in REGION_COLUMNS:  # the place's own kind first, when it has that region
        hit = pending & (first == kind) & present[kind]
        result[hit] = kind
        pending &= ~hit
    for kind in ("admin1", "country", "water"):  # else the smallest region holding it
        hit = pending & present[kind]
        result[hit] = kind
        pending &= ~hit
    return list(result.tolist())


#: The columns whose names the page's search box matches (the place, the article's own spelling,
#: the region, country and sea that hold it).
SEARCH_COLUMNS = ("place", "mention", "region", "country_name", "water")


def _groups(*codes: Any) -> tuple[Any, Any]:
    """Rows grouped by their tuple of codes: each row's group (numbered in order of first
    appearance) and each group's first row."""
    import numpy as np

    n = len(codes[0]) if codes else 0
    if n == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    frame = pd.DataFrame({str(k): c for k, c in enumerate(codes)})
    group = frame.groupby(list(frame.columns), sort=False).ngroup().to_numpy()
    _, first = np.unique(group, return_index=True)
    return group, first


def _series_codes(values: Sequence[Any]) -> tuple[Any, list[Any]]:
    """:func:`_factor` for a list."""
    return _factor(pd.DataFrame({"v": pd.Series(list(values), dtype=object)}), "v")


def _interned(strings: _Strings, codes: Any, values: list[Any]) -> list[int]:
    """String-table indices of a factored column, added in order of first appearance (the order
    a row-by-row pass adds them in)."""
    return _take([strings.add(v) for v in values], codes, -1)


def search_names(gdf: Any, strings: _Strings, alternates: Sequence[str] | None = None) -> list[int]:
    """For each incident, the string-table index of every name it can be found by, one a line:
    the :data:`SEARCH_COLUMNS` and the place's other gazetteer names (``alternates``, one a line;
    see :mod:`geomap.render._names`)."""
    factored = [_factor(gdf, name) for name in SEARCH_COLUMNS]
    factored.append(_series_codes(alternates if alternates is not None else [""] * len(gdf)))
    group, first = _groups(*(codes for codes, _ in factored))
    found: list[int] = []  # incidents at one place share their names: once per distinct row
    for row in first.tolist():
        values = [values[codes[row]] if codes[row] >= 0 else None for codes, values in factored]
        names = dict.fromkeys(t for v in map(_text, values) if v is not None for t in v.split("\n") if t)
        found.append(strings.add("\n".join(names)) if names else -1)
    return _take(found, group, -1)


def acled_pairs(gdf: Any) -> tuple[list[list[str]], list[int]]:
    """ACLED's (event_type, sub_event_type) of each incident: the distinct pairs, sorted, and each
    incident's index into them. An incident without its own (an older file) takes its type's
    mapping from the taxonomy, so every incident has one."""
    taxonomy = load_taxonomy()
    factored = [_factor(gdf, "incident_type"), _factor(gdf, "event_type", _text),
                _factor(gdf, "sub_event_type", _text)]
    group, first = _groups(*(codes for codes, _ in factored))
    keys = []  # one per distinct row, in order of first appearance
    for row in first.tolist():
        t, e, s = (values[codes[row]] if codes[row] >= 0 else None for codes, values in factored)
        keys.append((e or taxonomy[t].event_type, s or taxonomy[t].sub_event_type))
    pairs = sorted(set(keys), key=lambda k: (k[0].casefold(), k[1].casefold()))
    index = {k: i for i, k in enumerate(pairs)}
    return [list(p) for p in pairs], _take([index[k] for k in keys], group, -1)


def _articles(gdf: Any, strings: _Strings) -> tuple[list[list[int]], list[int]]:
    """Source articles: (title, url, source) string indices once per article, and each incident's
    index into them (-1: none of the three)."""
    factored = [_factor(gdf, "title"), _factor(gdf, "url"), _factor(gdf, "source")]
    group, first = _groups(*(codes for codes, _ in factored))
    articles: list[list[int]] = []
    article_index: dict[tuple[int, int, int], int] = {}
    of_group: list[int] = []
    for row in first.tolist():  # an article's rows share it: once per distinct row
        title, url, source = (values[codes[row]] if codes[row] >= 0 else None for codes, values in factored)
        triple = (strings.add(title), strings.add(public_url(url)), strings.add(public_source(source)))
        if triple == (-1, -1, -1):
            of_group.append(-1)
            continue
        found = article_index.get(triple)
        if found is None:
            found = article_index[triple] = len(articles)
            articles.append(list(triple))
        of_group.append(found)
    return articles, _take(of_group, group, -1)


def build_payload(gdf: Any, *, title: str, cluster: bool, heat: bool, view: dict[str, Any]) -> dict[str, Any]:
    """The JSON the page's script reads: incidents as columns, regions, outlines, types.

    Columns are worked out once per distinct value or row (:func:`_factor`, :func:`_groups`), in
    the order a row-by-row pass meets them, so the payload is the one that pass would write."""
    import numpy as np

    taxonomy = load_taxonomy()
    strings = _Strings()
    if len(gdf) and gdf["incident_type"].isna().any():
        raise UsageError(f"{int(gdf['incident_type'].isna().sum())} incident(s) have no incident_type: "
                         "give each a type (geomap extract does) or leave them out")
    present = set(gdf["incident_type"])
    types_present = [t for t in MAP_TYPES if t in present]
    type_index = {t: i for i, t in enumerate(types_present)}
    type_counts = gdf["incident_type"].value_counts()
    types = [{"id": t, "label": taxonomy[t].label, "colour": taxonomy[t].colour,
              "svg": taxonomy[t].svg(16), "count": int(type_counts.get(t, 0))} for t in types_present]

    # regions: key -> index, in kind order, each with its parent country
    regions: list[dict[str, Any]] = []
    region_index: dict[tuple[str, str], int] = {}
    region_columns: dict[str, list[int]] = {}
    for kind, column in REGION_COLUMNS.items():
        codes, keys = _factor(gdf, column, _text)
        values = _take(keys, codes, None)
        counts = pd.Series([v for v in values if v is not None], dtype="object").value_counts()
        parents: dict[str, str | None] = {}
        if kind == "admin1":
            country_codes, countries = _factor(gdf, "country", _text)
            key_of = np.asarray(codes)
            _, first = np.unique(np.where(key_of >= 0, key_of, len(keys)), return_index=True)
            for row in sorted(first.tolist()):  # each key's first row, as a row-by-row pass finds it
                key = values[row]
                if key is not None and key not in parents:
                    parents[key] = countries[country_codes[row]] if country_codes[row] >= 0 else None
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
        region_columns[kind] = _take([region_index[(kind, k)] if k is not None else -1 for k in keys], codes, -1)

    lons, lats = coordinates(gdf)
    countries_with_incidents = tuple(sorted({r["key"] for r in regions if r["kind"] == "country"}))
    base = _outlines.base_map(countries_with_incidents)

    articles, article_column = _articles(gdf, strings)

    kinds = np.asarray(area_kinds(gdf), dtype=object)
    area_of = np.full(len(gdf), -1, dtype=np.int64)
    for kind in REGION_COLUMNS:
        hit = kinds == kind
        area_of[hit] = np.asarray(region_columns[kind], dtype=np.int64)[hit]
    area = area_of.tolist()
    # rivers, lakes and settlement labels around the pinned incidents (areas get none)
    pinned = area_of < 0
    detail = _basemap.detail(np.asarray(lons, dtype=float)[pinned].tolist(),
                             np.asarray(lats, dtype=float)[pinned].tolist())

    acled, acled_column = acled_pairs(gdf)
    place_factored = [_factor(gdf, "place"), _factor(gdf, "mention"), _factor(gdf, "place_id")]
    group, first = _groups(*(codes for codes, _ in place_factored))
    rows = [[values[codes[r]] if codes[r] >= 0 else None for r in first.tolist()] for codes, values in place_factored]
    display_of, alternates_of = _names.place_names(*rows)  # once per distinct place row
    date_codes, dates = _factor(gdf, "date")
    days = _take([_day(v) for v in dates], date_codes, None)
    known_days = [d for d in days if d is not None]
    type_codes, type_values = _factor(gdf, "incident_type")
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
            "type": _take([type_index[t] for t in type_values], type_codes, None),
            "day": days,
            "date": _interned(strings, date_codes, dates),
            "dp": _ints(gdf, "date_precision", 1),
            # the article's spelling (see _names)
            "place": _take(_interned(strings, *_series_codes(display_of)), group, -1),
            "names": search_names(gdf, strings, _take(alternates_of, group, "")),
            "gp": _ints(gdf, "geo_precision", 1),
            "area": area,
            "country": region_columns["country"],
            "admin1": region_columns["admin1"],
            "water": region_columns["water"],
            "sentence": _interned(strings, *_factor(gdf, "sentence")),
            "article": article_column,
            "reports": _ints(gdf, "reports", 1),
            "acled": acled_column,
        },
        "articles": articles,
        "strings": strings.items,
    }
    return payload
