"""Counts of a store's incidents (``geomap store stats``), answered in SQL."""

from __future__ import annotations

import os
import sqlite3
from typing import Any

from ..export import LAYER
from .database import quote
from .reader import reader


def store_stats(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Counts of the stored incidents: total, reports, distinct sources, and by type, country,
    region (``region_code``, else the country code), and day (``date``; undated ones under
    "undated"). Every mapping is ordered by count, then key."""
    def grouped(con: sqlite3.Connection, expr: str, missing: str) -> dict[str, int]:
        rows = con.execute(f"SELECT COALESCE({expr}, ?) AS k, COUNT(*) AS n FROM {quote(LAYER)} "
                           "GROUP BY k ORDER BY n DESC, k", (missing,)).fetchall()
        return {k: n for k, n in rows}

    with reader(path) as (con, _):
        total, reports, first, last = con.execute(
            f"SELECT COUNT(*), COALESCE(SUM(reports), 0), MIN(date), MAX(date) "
            f"FROM {quote(LAYER)}").fetchone()
        (distinct_sources,) = con.execute(
            f"SELECT COUNT(DISTINCT j.value) FROM {quote(LAYER)} AS t, "
            "json_each(CASE WHEN json_valid(t.sources) THEN t.sources ELSE '[]' END) AS j"
        ).fetchone()
        by_day = grouped(con, "date", "undated")
        stats = {
            "path": str(path),
            "incidents": total,
            "reports": reports,
            "sources": distinct_sources,
            "first_date": first,
            "last_date": last,
            "by_type": grouped(con, "incident_type", "unknown"),
            "by_country": grouped(con, "country", "unknown"),
            "by_region": grouped(con, "COALESCE(region_code, country)", "unknown"),
            "by_day": dict(sorted(by_day.items())),
        }
    return stats


def format_stats(stats: dict[str, Any]) -> str:
    """``store_stats`` as readable text."""
    lines = [
        f"{stats['path']}: {stats['incidents']} incidents from {stats['sources']} sources "
        f"({stats['reports']} reports)",
    ]
    if stats["first_date"]:
        lines.append(f"dates: {stats['first_date']} to {stats['last_date']}")
    for key, title in (("by_type", "by type"), ("by_country", "by country"),
                       ("by_region", "by region"), ("by_day", "by day")):
        counts = stats[key]
        if not counts:
            continue
        lines.append("")
        lines.append(f"{title}:")
        width = max(len(str(k)) for k in counts)
        lines += [f"  {str(k):<{width}}  {n:>6}" for k, n in counts.items()]
    return "\n".join(lines) + "\n"
