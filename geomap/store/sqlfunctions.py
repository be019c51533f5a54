"""The SQL functions GDAL's GeoPackage triggers call (``ST_MinX`` ... ``GPKG_IsAssignable``).

GDAL registers them on its own connections; a plain :mod:`sqlite3` connection must register them
itself, or every insert into the layer fails in the R-tree triggers.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from .blob import blob_bounds, parse_blob


def _st_bound(index: int) -> Callable[[bytes | None], float | None]:
    def fn(blob: bytes | None) -> float | None:
        bounds = blob_bounds(blob)
        return None if bounds is None else bounds[index]
    return fn


def _st_is_empty(blob: bytes | None) -> int | None:
    if blob is None:
        return None
    return int(blob_bounds(blob) is None)


def _st_srid(blob: bytes | None) -> int | None:
    return None if blob is None else parse_blob(blob)[0]


def _st_geometry_type(blob: bytes | None) -> str | None:
    if blob is None:
        return None
    import shapely

    return str(shapely.from_wkb(parse_blob(blob)[2]).geom_type.upper())


def _gpkg_is_assignable(expected: str | None, actual: str | None) -> int:
    if expected is None or actual is None:
        return 0
    expected, actual = expected.upper(), actual.upper()
    return int(expected == actual or expected == "GEOMETRY"
               or (expected == "MULTIPOINT" and actual == "POINT"))


def register_functions(con: sqlite3.Connection) -> None:
    """Register the functions on ``con``."""
    for name, fn in (("ST_MinX", _st_bound(0)), ("ST_MaxX", _st_bound(1)),
                     ("ST_MinY", _st_bound(2)), ("ST_MaxY", _st_bound(3)),
                     ("ST_IsEmpty", _st_is_empty), ("ST_SRID", _st_srid),
                     ("ST_GeometryType", _st_geometry_type)):
        con.create_function(name, 1, fn, deterministic=True)
    con.create_function("GPKG_IsAssignable", 2, _gpkg_is_assignable, deterministic=True)
