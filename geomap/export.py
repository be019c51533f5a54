"""Incident files: write the incidents GeoDataFrame to GeoJSON, GeoPackage, GeoParquet or CSV, and
read any of them back to the same columns and dtypes.

The incidents table (see :mod:`geomap.models`) has the columns ``INCIDENT_COLUMNS`` plus a Point
``geometry`` (lon/lat, EPSG:4326). In memory the dtypes are fixed (:data:`COLUMN_KINDS`):

* text columns are ``object`` holding ``str`` or ``None`` (never NaN);
* ``lat``, ``lon``, ``confidence`` are ``float64``;
* ``geo_precision``, ``date_precision``, ``reports`` are ``int64``;
* ``geonameid`` is ``object`` holding ``int`` or ``None``;
* ``sources`` is ``object`` holding a ``list`` of ``str``.

Formats, chosen by the file's extension (or ``driver=``):

=================== ===================================================================
``.geojson .json``  RFC 7946 FeatureCollection: WGS84 lon/lat, no ``crs`` member, full
                    float precision, ``sources`` a JSON array; written and read by geomap
                    itself (exact round trip, nothing lost in a C parser).
``.gpkg``           GeoPackage through pyogrio, layer ``incidents``; ``sources`` as JSON text.
``.parquet``        GeoParquet through ``GeoDataFrame.to_parquet``; ``sources`` a list column.
``.geoparquet``
``.csv``            UTF-8 CSV: every column (``lat``/``lon`` included) plus ``geometry`` as
                    WKT; ``sources`` as JSON text; missing values are empty cells. A text
                    cell starting with ``= + - @``, TAB or CR (or ``'``) gets a leading ``'``
                    so spreadsheets show it as text, not a formula (OWASP); reading removes
                    it again. On reading, ``geometry`` is optional (points are then built
                    from ``lon``/``lat``), fields of any size are read, and an unterminated
                    quote is an error that names its line.
=================== ===================================================================

**Text sanitisation on write** (the same in every format, so all formats read back alike):
NUL characters (U+0000) are removed, because SQLite/GDAL text and C strings end at them; lone
surrogates (U+D800..U+DFFF, which UTF-8 cannot encode) become U+FFFD; and a text value that is empty
after that is written as missing (``None``), because CSV cannot tell an empty cell from a missing
one. Every other character, control characters and newlines included, is kept exactly.
:func:`sanitize_text` is the rule; ``read_incidents(write_incidents(df))`` equals
``sanitize_incidents(df)``. Columns that are not incident columns are not written.

Output is atomic (:func:`geomap._atomic.atomic_path`): a failed write leaves the previous file
intact and no temporary file behind.

:func:`write_records` writes the pipeline's records (dicts) byte for byte as
``write_incidents(incidents_frame(...))`` would; GeoJSON and CSV straight from the values, so
``geomap extract -o x.geojson`` never loads pandas or geopandas (about half its start-up).
numpy and pandas load only in the functions that need them.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as _dt
import json
import math
import os
import re
import sys
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any

from ._atomic import atomic_path
from ._csv import field_limit
from .errors import GeomapError, InputError, OutputError, UsageError
from .models import COLUMN_DEFAULTS, INCIDENT_COLUMNS, Incident

#: Layer name inside GeoPackages written by geomap (and of the incident store).
LAYER = "incidents"
#: EPSG code of every incidents table.
CRS = "EPSG:4326"

#: extension -> format name
FORMATS: dict[str, str] = {
    ".geojson": "GeoJSON",
    ".json": "GeoJSON",
    ".gpkg": "GPKG",
    ".parquet": "Parquet",
    ".geoparquet": "Parquet",
    ".csv": "CSV",
}
_DRIVER_ALIASES = {
    "geojson": "GeoJSON", "json": "GeoJSON", "gpkg": "GPKG", "geopackage": "GPKG",
    "parquet": "Parquet", "geoparquet": "Parquet", "csv": "CSV",
}

# --- column kinds, from the Incident dataclass (its annotations are the source of truth) ---

_ANNOTATION_KINDS = {
    "str": "text", "str | None": "text", "float": "float", "int": "int",
    "int | None": "optint", "list[str]": "list",
}


def _column_kinds() -> dict[str, str]:
    kinds = {}
    for f in fields(Incident):
        kind = _ANNOTATION_KINDS.get(str(f.type))
        if kind is None:  # pragma: no cover - guards future edits of models.Incident
            raise TypeError(f"geomap.export does not know how to store Incident.{f.name}: {f.type}")
        kinds[f.name] = kind
    return kinds


#: column -> "text" | "float" | "int" | "optint" | "list"
COLUMN_KINDS: dict[str, str] = _column_kinds()
TEXT_COLUMNS = tuple(c for c, k in COLUMN_KINDS.items() if k == "text")
LIST_COLUMNS = tuple(c for c, k in COLUMN_KINDS.items() if k == "list")



# --- sanitising and coercing values ---

_SURROGATES = re.compile("[\ud800-\udfff]")


def sanitize_text(value: str | None) -> str | None:
    """The write-time text rule: drop NUL, replace lone surrogates with U+FFFD, empty -> None."""
    if value is None:
        return None
    value = _SURROGATES.sub("\ufffd", value.replace("\x00", ""))
    return value or None


def sanitize_list_item(value: str) -> str:
    """:func:`sanitize_text` for one item of a list column (an empty item stays empty)."""
    return _SURROGATES.sub("\ufffd", value.replace("\x00", ""))


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    pd = sys.modules.get("pandas")  # pandas' own missing values exist only once it is loaded
    return pd is not None and (value is pd.NA or value is pd.NaT)


def _is_instance(value: Any, module: str, *names: str) -> bool:
    """``isinstance(value, module.name...)`` without importing ``module`` (no value can be of
    its types before it is loaded)."""
    loaded = sys.modules.get(module)
    return loaded is not None and isinstance(value, tuple(getattr(loaded, n) for n in names))


def _text(value: Any) -> str | None:
    if _is_missing(value):
        return None
    if isinstance(value, _dt.datetime):  # pandas' Timestamp too
        return value.date().isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    return str(value)


def _float(value: Any) -> float:
    if _is_missing(value) or value == "":
        return math.nan
    return float(value)


def _optint(value: Any) -> int | None:
    if _is_missing(value) or value == "":
        return None
    if isinstance(value, str):
        value = float(value) if any(ch in value for ch in ".eE") else int(value)
    if isinstance(value, float) or _is_instance(value, "numpy", "floating"):
        if not float(value).is_integer():
            raise ValueError(f"{value!r} is not a whole number")
    return int(value)


def _int(value: Any) -> int:
    result = _optint(value)
    if result is None:
        raise ValueError("missing value")
    return result


def _strlist(value: Any) -> list[str]:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    if isinstance(value, str):
        if not value.strip():
            return []
        parsed = json.loads(value)
        if not isinstance(parsed, list):
            raise ValueError("expected a JSON array of strings")
        value = parsed
    if isinstance(value, list | tuple) or _is_instance(value, "numpy", "ndarray") \
            or _is_instance(value, "pandas", "Series"):
        return [str(v) for v in list(value) if not _is_missing(v)]
    raise ValueError(f"expected a list of strings, got {type(value).__name__}")


#: Column kind -> the function that turns a raw value into its canonical Python value.
COERCE: dict[str, Callable[[Any], Any]] = {
    "text": _text, "float": _float, "int": _int, "optint": _optint, "list": _strlist,
}
_DTYPES = {"text": object, "float": "float64", "int": "int64", "optint": object, "list": object}


def _column(values: list[Any], kind: str) -> Any:
    import pandas as pd

    return pd.Series(values, dtype=_DTYPES[kind])


# --- building frames ---


def empty_incidents() -> Any:
    """An incidents GeoDataFrame with no rows, but every column in its dtype."""
    return build_frame({c: [] for c in INCIDENT_COLUMNS}, [])


def incidents_frame(records: Iterable[Incident]) -> Any:
    """The incidents GeoDataFrame of ``records`` (in order), geometry at each record's lon/lat."""
    return build_frame(_incident_columns(records), None)


def _incident_columns(records: Iterable[Incident]) -> dict[str, list[Any]]:
    """The coerced column values of ``records`` (what :func:`incidents_frame` puts in a frame)."""
    cols: dict[str, list[Any]] = {c: [] for c in INCIDENT_COLUMNS}
    for rec in records:
        for c in INCIDENT_COLUMNS:
            value = getattr(rec, c)
            cols[c].append(list(value) if c in LIST_COLUMNS else value)
    return {c: [COERCE[COLUMN_KINDS[c]](v) for v in vals] for c, vals in cols.items()}


def _points(lon_values: list[Any], lat_values: list[Any]) -> list[Any]:
    """Shapely points at lon/lat, None where either is not finite."""
    import numpy as np
    import shapely

    lon = np.asarray(lon_values, dtype="float64")
    lat = np.asarray(lat_values, dtype="float64")
    ok = np.isfinite(lon) & np.isfinite(lat)
    geoms = np.full(len(lon), None, dtype=object)
    if ok.any():
        geoms[ok] = shapely.points(lon[ok], lat[ok])
    return list(geoms)


def build_frame(columns: Mapping[str, list[Any]], geometry: list[Any] | None) -> Any:
    """A GeoDataFrame from already-coerced column values; points from lon/lat when no geometry.
    Region names are the curated display names (:mod:`geomap._region_names`), whatever the
    source holds (a store written before a name was curated)."""
    import geopandas as gpd

    from ._region_names import apply as region_display_names

    named = {c: list(columns[c]) for c in ("region", "region_code", "place", "place_id")}
    region_display_names(named)
    data = {c: _column(named[c] if c in named else list(columns[c]), COLUMN_KINDS[c]) for c in INCIDENT_COLUMNS}
    if geometry is None:
        geometry = _points(data["lon"], data["lat"])
    return gpd.GeoDataFrame(data, geometry=gpd.GeoSeries(geometry, crs=CRS), crs=CRS)


#: Largest ``reports`` (and other counts) a record may claim: an int32, like GeoPackage's INTEGER readers.
MAX_COUNT = 2**31 - 1
#: Per-record hook: called with one InputError per bad record, which is then skipped.
RecordErrorHandler = Callable[[InputError], None]


def _bad_records(columns: dict[str, list[Any]], geometry: list[Any] | None) -> dict[int, str]:
    """Row index -> why the record cannot be mapped: an unknown type, coordinates that are not
    finite numbers on the globe, counts and confidences out of range."""
    from .incidents.taxonomy import MAP_TYPES

    known = MAP_TYPES
    bad: dict[int, str] = {}
    for i, t in enumerate(columns["incident_type"]):
        if t not in known:
            bad[i] = (f"unknown incident_type {t!r} (the taxonomy has {', '.join(known)})"
                      if t is not None else "no incident_type")
    for i, (lat, lon) in enumerate(zip(columns["lat"], columns["lon"], strict=True)):
        if i in bad or (math.isnan(lat) and math.isnan(lon)):  # not located: kept, never drawn
            continue
        if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
            bad[i] = f"coordinates lat={lat!r}, lon={lon!r} are not on the globe"
    if geometry is not None:
        import numpy as np
        import shapely

        bounds = shapely.bounds(np.asarray(geometry, dtype=object))
        for i, (minx, miny, maxx, maxy) in enumerate(bounds):
            if i in bad or geometry[i] is None:
                continue
            if not (np.isfinite([minx, miny, maxx, maxy]).all() and -180 <= minx <= maxx <= 180
                    and -90 <= miny <= maxy <= 90):
                bad[i] = "geometry coordinates are not finite longitudes and latitudes"
    for c in ("reports", "geo_precision", "date_precision", "geonameid"):
        for i, v in enumerate(columns[c]):
            if i not in bad and v is not None and not 0 <= v <= (MAX_COUNT if c != "geonameid" else 2**63 - 1):
                bad[i] = f"{c} {v!r} is out of range"
    for i, v in enumerate(columns["confidence"]):
        if i not in bad and not math.isnan(v) and not 0.0 <= v <= 1.0:
            bad[i] = f"confidence {v!r} is not between 0 and 1"
    return bad


def normalize_incidents(table: Any, *, source: str | None = None,
                        on_error: RecordErrorHandler | None = None,
                        where: Callable[[int], tuple[str, int | None]] | None = None) -> Any:
    """``table`` (a (Geo)DataFrame with the incident columns) in the canonical columns and dtypes.

    Missing optional columns take their defaults; extra columns are dropped; a table without
    geometry gets points at lon/lat; a projected table is converted to EPSG:4326. Raises
    :class:`UsageError` (or :class:`InputError` when ``source`` names the file it came from) when a
    required column is missing. A record that cannot be mapped (a value of the wrong type, an
    unknown incident type, coordinates that are NaN, infinite or off the globe, a count out of
    range) is an :class:`InputError`: passed to ``on_error`` and skipped, or raised when there is
    no ``on_error``. ``where(i)`` names row ``i`` as (prefix of the reason, line number).
    """
    import geopandas as gpd
    import pandas as pd

    def problem(message: str) -> GeomapError:
        if source is not None:
            return InputError(message, source=source)
        return UsageError(f"incidents table: {message}")

    def locate(i: int) -> tuple[str, int | None]:
        return where(i) if where is not None else (f"row {i + 1}: ", None)

    if not isinstance(table, pd.DataFrame):
        raise problem(f"expected a GeoDataFrame of incidents, got {type(table).__name__}")
    missing = [c for c in INCIDENT_COLUMNS if c not in table.columns and c not in COLUMN_DEFAULTS]
    if missing and len(table) == 0 and not [c for c in table.columns if c != "geometry"]:
        return empty_incidents()  # e.g. a GeoJSON FeatureCollection without features
    if missing:
        raise problem(f"missing column(s) {', '.join(missing)}; an incidents table needs "
                      f"{', '.join(INCIDENT_COLUMNS)}")
    n = len(table)
    raw: dict[str, list[Any]] = {}
    for c in INCIDENT_COLUMNS:
        if c in table.columns:
            raw[c] = table[c].tolist()
        else:
            default = COLUMN_DEFAULTS[c]
            raw[c] = [default() if callable(default) else default for _ in range(n)]
    columns, bad = _coerce_columns(raw)
    geometry = None
    if isinstance(table, gpd.GeoDataFrame) and table._geometry_column_name in table.columns:
        geo = table.geometry
        if geo.crs is not None and not geo.crs.equals(CRS):
            geo = geo.to_crs(CRS)
        geometry = list(geo.array)
        geometry = [None if g is None or g.is_empty else g for g in geometry]
    for i, why in _bad_records(columns, geometry).items():
        bad.setdefault(i, why)
    if bad:
        errors = []
        for i in sorted(bad):
            prefix, line = locate(i)
            message = prefix + bad[i]
            errors.append(InputError(message, source=source, line=line) if source is not None
                          else UsageError(f"incidents table: {message}"))
        if on_error is None:
            raise errors[0]
        for error in errors:
            on_error(error if isinstance(error, InputError) else InputError(str(error)))
        keep = [i for i in range(n) if i not in bad]
        columns = {c: [v[i] for i in keep] for c, v in columns.items()}
        geometry = None if geometry is None else [geometry[i] for i in keep]
    return build_frame(columns, geometry)


def _coerce_columns(raw: Mapping[str, list[Any]]) -> tuple[dict[str, list[Any]], dict[int, str]]:
    """Every incident column's values in their canonical types, and row -> why for the values
    that have none (the row's value is then the column's fallback)."""
    columns: dict[str, list[Any]] = {}
    bad: dict[int, str] = {}
    for c in INCIDENT_COLUMNS:
        kind = COLUMN_KINDS[c]
        coerce = COERCE[kind]
        fallback = COERCE[kind](None) if kind not in ("int",) else 0
        values = []
        for i, v in enumerate(raw[c]):
            try:
                values.append(coerce(v))
            except (TypeError, ValueError, OverflowError) as exc:
                bad.setdefault(i, f"column {c!r}: {_short(v)} is not valid ({exc})")
                values.append(fallback)
        columns[c] = values
    return columns, bad


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


def sanitize_incidents(gdf: Any) -> Any:
    """``gdf`` normalised, with :func:`sanitize_text` applied to every text value and list item."""
    out = normalize_incidents(gdf)
    clean = _sanitized({c: out[c].tolist() for c in (*TEXT_COLUMNS, *LIST_COLUMNS)})
    for c in TEXT_COLUMNS:
        out[c] = _column(clean[c], "text")
    for c in LIST_COLUMNS:
        out[c] = _column(clean[c], "list")
    return out


def _sanitized(columns: Mapping[str, list[Any]]) -> dict[str, list[Any]]:
    """``columns`` with :func:`sanitize_text` applied to every text value and list item."""
    out = dict(columns)
    for c in TEXT_COLUMNS:
        out[c] = [sanitize_text(v) for v in columns[c]]
    for c in LIST_COLUMNS:
        out[c] = [[sanitize_list_item(s) for s in v] for v in columns[c]]
    return out


# --- format detection ---


def check_output_path(path: str | os.PathLike[str], driver: str | None = None) -> str:
    """The format an output path will be written in; UsageError for an unsupported extension.

    Lets a command refuse a bad ``-o`` before it does any work.
    """
    return _format_of(Path(path), driver)


def _format_of(path: Path, driver: str | None) -> str:
    if driver is not None:
        fmt = _DRIVER_ALIASES.get(driver.lower().lstrip("."))
        if fmt is None:
            raise UsageError(f"unknown incident file format {driver!r}; use one of "
                             f"{', '.join(sorted(set(_DRIVER_ALIASES.values())))}")
        return fmt
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise UsageError(f"cannot tell the format of {path}: unknown extension "
                         f"{path.suffix or '(none)'!r}; use one of {', '.join(FORMATS)}")
    return fmt


# --- writing ---


def write_incidents(gdf: Any, path: str | os.PathLike[str], *, driver: str | None = None) -> Path:
    """Write the incidents table to ``path`` atomically, in the format of its extension.

    ``driver`` overrides the extension ("GeoJSON", "GPKG", "Parquet", "CSV"). Text is sanitised
    (see the module docstring). Raises :class:`UsageError` for an unknown format or a table that is
    not an incidents table, :class:`OutputError` when the file cannot be written.
    """
    path = Path(path)
    fmt = _format_of(path, driver)
    table = sanitize_incidents(gdf)
    return _write(path, lambda tmp: _WRITERS[fmt](table, tmp))


def write_records(records: Iterable[Mapping[str, Any]], path: str | os.PathLike[str], *,
                  driver: str | None = None) -> Path:
    """Write merged incident records (dicts of the incident columns, as
    :func:`geomap.pipeline.with_regions` leaves them) to ``path``: the very bytes of
    ``write_incidents(incidents_frame(records))``. GeoJSON and CSV are written from the values,
    without a frame, so a run that writes them never loads pandas or geopandas."""
    from .models import Incident

    path = Path(path)
    fmt = _format_of(path, driver)
    incidents = [Incident(**r) for r in records]
    if fmt not in _COLUMN_WRITERS:
        return write_incidents(incidents_frame(incidents), path, driver=driver)
    columns, bad = _coerce_columns(_incident_columns(incidents))  # as write_incidents' normalising
    for i, why in _bad_records(columns, None).items():  # the points are at lon/lat, checked here
        bad.setdefault(i, why)
    if bad:
        first = min(bad)
        raise UsageError(f"incidents table: row {first + 1}: {bad[first]}")
    clean = _sanitized(columns)
    return _write(path, lambda tmp: _COLUMN_WRITERS[fmt](clean, None, tmp))


def _write(path: Path, write: Callable[[Path], None]) -> Path:
    """``write(tmp)`` then ``tmp`` onto ``path`` (atomic), errors as :class:`OutputError`."""
    try:
        with atomic_path(path) as tmp:
            write(tmp)
    except GeomapError:
        raise
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from exc
    except Exception as exc:  # pyogrio / pyarrow errors are not OSErrors
        if type(exc).__module__.split(".")[0] in {"pyogrio", "pyarrow"}:
            raise OutputError(f"cannot write {path}: {exc}") from exc
        raise
    return path


def _json_value(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _geojson_geometry(geom: Any) -> dict[str, Any] | None:
    import shapely

    if geom is None or geom.is_empty:
        return None
    if geom.geom_type == "Point":
        return {"type": "Point", "coordinates": [float(geom.x), float(geom.y)]}
    shape: dict[str, Any] = json.loads(shapely.to_geojson(geom))
    return shape


def _frame_columns(table: Any) -> tuple[dict[str, list[Any]], list[Any]]:
    """A canonical incidents frame's column values (Python objects) and geometries."""
    return {c: table[c].tolist() for c in INCIDENT_COLUMNS}, list(table.geometry.array)


def _point_geometry(lon: float, lat: float) -> dict[str, Any] | None:
    """The GeoJSON geometry of the point a frame would hold at lon/lat (none when not finite)."""
    if not (math.isfinite(lon) and math.isfinite(lat)):
        return None
    return {"type": "Point", "coordinates": [lon, lat]}


def _write_geojson(columns: Mapping[str, list[Any]], geometry: list[Any] | None, tmp: Path) -> None:
    """Features of ``columns`` with ``geometry`` (None: the points at lon/lat)."""
    rows = [dict(zip(INCIDENT_COLUMNS, values, strict=True))
            for values in zip(*(columns[c] for c in INCIDENT_COLUMNS), strict=True)]
    with open(tmp, "w", encoding="utf-8", newline="\n") as handle:
        handle.write('{"type":"FeatureCollection","features":[')
        for i, row in enumerate(rows):
            feature = {
                "type": "Feature",
                "id": row["id"],
                "geometry": (_point_geometry(row["lon"], row["lat"]) if geometry is None
                             else _geojson_geometry(geometry[i])),
                "properties": {k: _json_value(v) for k, v in row.items()},
            }
            if feature["id"] is None:
                del feature["id"]
            handle.write(("," if i else "") + "\n")
            handle.write(json.dumps(feature, ensure_ascii=False, allow_nan=False))
        handle.write("\n]}\n")
        handle.flush()
        os.fsync(handle.fileno())


def gpkg_frame(table: Any) -> Any:
    """The table as pyogrio should write it to a GeoPackage: lists as JSON, geonameid Int64."""
    import pandas as pd

    out = table.copy()
    for c in LIST_COLUMNS:
        out[c] = _column([json.dumps(v, ensure_ascii=False) for v in out[c].tolist()], "text")
    for c, kind in COLUMN_KINDS.items():
        if kind == "optint":
            out[c] = pd.array(out[c].tolist(), dtype="Int64")
    return out


@contextlib.contextmanager
def _quiet_gdal_extension_warnings() -> Iterator[None]:
    """GDAL warns when a GeoPackage's name does not end in .gpkg (``driver="GPKG"``); that is the
    caller's choice, not a problem."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=RuntimeWarning,
                                message=r".*(extension should be|non conformant file extension)")
        yield


def _write_gpkg(table: Any, tmp: Path) -> None:
    import pyogrio

    geoms = [g for g in table.geometry.array if g is not None]
    geometry_type = "Point" if all(g.geom_type == "Point" for g in geoms) else "Unknown"
    with _quiet_gdal_extension_warnings():
        pyogrio.write_dataframe(gpkg_frame(table), tmp, layer=LAYER, driver="GPKG",
                                geometry_type=geometry_type)


def _write_parquet(table: Any, tmp: Path) -> None:
    import pandas as pd

    out = table.copy()
    for c, kind in COLUMN_KINDS.items():
        if kind == "optint":
            out[c] = pd.array(out[c].tolist(), dtype="Int64")
        elif kind == "text":  # a string column even when every value is missing, so the parts of
            out[c] = pd.array(out[c].tolist(), dtype="string")  # a partitioned output share one schema
    out.to_parquet(tmp, index=False)


#: A text cell starting with one of these is a formula to a spreadsheet (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralize_formula(text: str) -> str:
    """A text cell a spreadsheet shows as text: OWASP's leading ``'`` before ``= + - @ TAB CR``.

    A cell that already starts with ``'`` gets one more, so :func:`restore_formula` can undo it
    exactly and a CSV round trip keeps every value.
    """
    return "'" + text if text.startswith(FORMULA_STARTS) or text.startswith("'") else text


def restore_formula(text: str) -> str:
    """The value :func:`neutralize_formula` was given."""
    if text.startswith("'") and text[1:].startswith((*FORMULA_STARTS, "'")):
        return text[1:]
    return text


def _csv_cell(value: Any, kind: str) -> str:
    if kind == "list":
        return json.dumps(value, ensure_ascii=False)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        return repr(value)
    if kind == "text":
        return neutralize_formula(str(value))
    return str(value)


def _write_csv(columns: Mapping[str, list[Any]], geometry: list[Any] | None, tmp: Path) -> None:
    """Rows of ``columns`` with ``geometry`` as WKT (None: the points at lon/lat)."""
    import numpy as np
    import shapely

    if geometry is None:
        geometry = _points(columns["lon"], columns["lat"])
    wkt = shapely.to_wkt(np.asarray(geometry, dtype=object), rounding_precision=-1)
    with open(tmp, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow([*INCIDENT_COLUMNS, "geometry"])
        records = zip(*(columns[c] for c in INCIDENT_COLUMNS), strict=True)
        for row, geom in zip(records, wkt, strict=True):
            writer.writerow([_csv_cell(v, COLUMN_KINDS[c]) for c, v in zip(INCIDENT_COLUMNS, row)]
                            + [geom or ""])
        handle.flush()
        os.fsync(handle.fileno())


#: Writers of column values (None geometry: the points at lon/lat), for frames and records alike.
_COLUMN_WRITERS: dict[str, Callable[[Mapping[str, list[Any]], list[Any] | None, Path], None]] = {
    "GeoJSON": _write_geojson, "CSV": _write_csv,
}
_WRITERS: dict[str, Callable[[Any, Path], None]] = {
    "GeoJSON": lambda table, tmp: _write_geojson(*_frame_columns(table), tmp),
    "GPKG": _write_gpkg, "Parquet": _write_parquet,
    "CSV": lambda table, tmp: _write_csv(*_frame_columns(table), tmp),
}

# --- reading ---


def read_incidents(path: str | os.PathLike[str], *, driver: str | None = None,
                   on_error: RecordErrorHandler | None = None, columns: Mapping[str, str] | None = None) -> Any:
    """Read an incident file written by :func:`write_incidents` (or a compatible one), or another
    tool's table of points (:mod:`geomap.foreign`: a file without geomap's own columns, or any file
    when ``columns`` maps fields to its columns, e.g. ``{"type": "category", "date": "day"}``).

    Returns the canonical GeoDataFrame (dtypes as in the module docstring). Raises
    :class:`InputError` when the file is missing, not in a supported format, or unreadable. A
    record that cannot be mapped (see :func:`normalize_incidents`) is passed to ``on_error``
    (named by CSV line, GeoJSON feature or row) and skipped; without ``on_error`` it is raised.
    """
    path = Path(path)
    try:
        fmt = _format_of(path, driver)
    except UsageError as exc:
        raise InputError(str(exc), source=str(path)) from None
    if not path.exists():
        raise InputError("no such file", source=str(path))
    if path.is_dir():
        raise InputError("is a folder, not an incident file", source=str(path))
    try:
        table = _READERS[fmt](path)
    except GeomapError:
        raise
    except Exception as exc:  # parsers raise many kinds; each means "this file is broken"
        raise InputError(f"not a readable {fmt} incident file ({type(exc).__name__}: {exc})",
                         source=str(path)) from exc
    where: Callable[[int], tuple[str, int | None]] = {
        "CSV": lambda i: ("", i + 2), "GeoJSON": lambda i: (f"feature {i + 1}: ", None)}.get(
        fmt, lambda i: (f"row {i + 1}: ", None))
    from . import foreign

    if columns or not foreign.is_native(table):
        table, rows = foreign.foreign_incidents(table, mapping=columns, source=str(path), on_error=on_error,
                                                where=where)
        first_where = where

        def where(i: int) -> tuple[str, int | None]:  # the input's row, not the kept one's
            return first_where(rows[i])
    return normalize_incidents(table, source=str(path), on_error=on_error, where=where)


def _read_geojson(path: Path) -> Any:
    import geopandas as gpd
    import pandas as pd
    import shapely.geometry

    with open(path, encoding="utf-8") as handle:
        doc = json.load(handle)
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" \
            or not isinstance(doc.get("features"), list):
        raise InputError("not a GeoJSON FeatureCollection", source=str(path))
    props, geoms = [], []
    for i, feature in enumerate(doc["features"]):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            raise InputError(f"feature {i + 1} is not a GeoJSON Feature", source=str(path))
        properties = feature.get("properties") or {}
        if not isinstance(properties, dict):
            raise InputError(f"feature {i + 1}: properties is not an object", source=str(path))
        props.append(properties)
        geom = feature.get("geometry")
        geoms.append(shapely.geometry.shape(geom) if geom else None)
    keys = list(dict.fromkeys(k for p in props for k in p))
    frame = pd.DataFrame({k: pd.Series([p.get(k) for p in props], dtype=object) for k in keys},
                         index=pd.RangeIndex(len(props)))
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs=CRS), crs=CRS)


def _read_gpkg(path: Path) -> Any:
    import pyogrio

    with _quiet_gdal_extension_warnings():
        layers = [name for name, _ in pyogrio.list_layers(path)]
        if not layers:
            raise InputError("the GeoPackage has no layers", source=str(path))
        layer = LAYER if LAYER in layers else layers[0]
        return pyogrio.read_dataframe(path, layer=layer)


def _read_parquet(path: Path) -> Any:
    import geopandas as gpd
    import pandas as pd
    import pyarrow.parquet as pq

    metadata = pq.read_schema(path).metadata or {}
    if b"geo" in metadata:
        return gpd.read_parquet(path)
    return pd.read_parquet(path)  # plain Parquet: points come from lon/lat


def _read_csv(path: Path) -> Any:
    import geopandas as gpd
    import pandas as pd
    import shapely

    with open(path, encoding="utf-8-sig", newline="") as handle, field_limit():
        reader = csv.reader(handle, strict=True)
        try:
            header = next(reader, None)
            if header is None:
                raise InputError("empty CSV file (no header)", source=str(path))
            rows = list(reader)
        except csv.Error as exc:
            raise InputError(f"malformed CSV ({exc})", source=str(path), line=reader.line_num) from None
    width = len(header)
    for i, row in enumerate(rows):
        if len(row) != width:
            raise InputError(f"has {len(row)} fields, the header has {width}",
                             source=str(path), line=i + 2)
    frame = pd.DataFrame(rows, columns=header, dtype=object)
    for c in header:
        if COLUMN_KINDS.get(c) == "text":
            frame[c] = pd.Series([restore_formula(v) if v != "" else None for v in frame[c]],
                                 dtype=object)
    if "geometry" in frame.columns:
        wkt = frame.pop("geometry").tolist()
        geoms = shapely.from_wkt([w or None for w in wkt], on_invalid="raise")
        return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs=CRS), crs=CRS)
    return frame


_READERS: dict[str, Callable[[Path], Any]] = {
    "GeoJSON": _read_geojson, "GPKG": _read_gpkg, "Parquet": _read_parquet, "CSV": _read_csv,
}
