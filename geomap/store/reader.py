"""Reading the store: one read transaction (a consistent snapshot), filters answered in SQL."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from ..errors import InputError, UsageError
from ..export import build_frame
from ..models import INCIDENT_COLUMNS
from .blob import decode_geometries
from .database import (
    BUSY_TIMEOUT,
    DAMAGE,
    Layout,
    check_file,
    connect,
    layout,
    open_error,
    quote,
    writable,
)
from .records import from_db


@contextlib.contextmanager
def reader(path: str | os.PathLike[str]) -> Iterator[tuple[sqlite3.Connection, Layout]]:
    """A read-only connection holding one read transaction (a consistent snapshot)."""
    path = Path(path)
    if not path.exists():
        raise InputError("no such incident store", source=str(path))
    check_file(path)
    # read-only media, or a folder where -shm cannot be made: read the file as it is
    con = connect(path, "ro", BUSY_TIMEOUT, immutable=not writable(path))
    try:
        try:
            con.execute("BEGIN")
            lay = layout(con, path)
            yield con, lay
            con.execute("COMMIT")
        except DAMAGE as exc:
            raise open_error(exc, path) from exc
    finally:
        con.close()


def _date_text(value: Any, name: str) -> str:
    import datetime as dt

    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return dt.date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise UsageError(f"{name} must be a date as YYYY-MM-DD, not {value!r}") from None


def _filters(lay: Layout, bbox: Sequence[float] | None, types: Iterable[str] | None,
             since: Any, until: Any, has_rtree: bool) -> tuple[str, list[Any]]:
    where: list[str] = []
    params: list[Any] = []
    if bbox is not None:
        try:
            west, south, east, north = (float(v) for v in bbox)
        except (TypeError, ValueError):
            raise UsageError(f"bbox must be (west, south, east, north), not {bbox!r}") from None
        if south > north:
            raise UsageError(f"bbox south ({south}) is north of its north ({north})")
        # west > east crosses the antimeridian: two longitude ranges
        ranges = [(west, east)] if west <= east else [(west, 180.0), (-180.0, east)]
        if has_rtree:
            rtree = quote(f"rtree_{lay.table}_{lay.geom}")
            parts = [f"SELECT id FROM {rtree} WHERE maxx >= ? AND minx <= ? "
                     "AND maxy >= ? AND miny <= ?" for _ in ranges]
            where.append(f"{quote(lay.fid)} IN ({' UNION '.join(parts)})")
        else:
            parts = ["(lon BETWEEN ? AND ? AND lat BETWEEN ? AND ?)" for _ in ranges]
            where.append("(" + " OR ".join(parts) + ")")
        for lo, hi in ranges:
            params += [lo, hi, south, north]
    if types is not None:
        types = [types] if isinstance(types, str) else list(types)
        where.append(f"incident_type IN ({', '.join('?' * len(types))})" if types else "0")
        params += types
    if since is not None:
        where.append("date >= ?")
        params.append(_date_text(since, "since"))
    if until is not None:
        where.append("date <= ?")
        params.append(_date_text(until, "until"))
    return (" WHERE " + " AND ".join(where)) if where else "", params


def read_store(path: str | os.PathLike[str], *, bbox: Sequence[float] | None = None,
               types: Iterable[str] | None = None, since: Any = None, until: Any = None) -> Any:
    """The stored incidents (in the order first stored) as the canonical incidents GeoDataFrame.

    ``bbox`` is (west, south, east, north) in degrees (west > east crosses the antimeridian) and is
    answered from the spatial index; ``types`` keeps those incident types; ``since``/``until``
    (inclusive, ``date`` or "YYYY-MM-DD") keep dated incidents in that range. The rows come from one
    read transaction, so a concurrent writer never shows half an upsert.
    """
    cols = list(INCIDENT_COLUMNS)
    with reader(path) as (con, lay):
        has_rtree = con.execute("SELECT 1 FROM sqlite_master WHERE name = ?",
                                (f"rtree_{lay.table}_{lay.geom}",)).fetchone() is not None
        where, params = _filters(lay, bbox, types, since, until, has_rtree)
        rows = con.execute(
            f"SELECT {quote(lay.geom)}, {', '.join(quote(c) for c in cols)} "
            f"FROM {quote(lay.table)}{where} ORDER BY {quote(lay.fid)}", params).fetchall()
    try:
        geoms = decode_geometries([r[0] for r in rows])
        columns = {c: [from_db(r[i + 1], c) for r in rows] for i, c in enumerate(cols)}
    except (ValueError, TypeError) as exc:
        raise InputError(f"the store holds a broken record ({exc})", source=str(path)) from exc
    return build_frame(columns, geoms)
