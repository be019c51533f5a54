"""Display names: one spelling policy for the gazetteer, the base map's labels and every export.

A GeoNames city that Ukraine's settlement register (KATOTTG, ``ua_settlements.json``) also lists
is shown by the register's official romanisation (KMU 2010: "Zaporizhzhia", "Kryvyi Rih",
"Izmail"), not GeoNames' older spelling ("Zaporizhzhya", "Kryvyy Rih", "Izmayil"), which stays a
name the gazetteer matches.
"""

from __future__ import annotations

from collections.abc import Iterable


def official_names(settlements: Iterable[dict]) -> dict[int, str]:
    """GeoNames id -> official (KMU 2010) name, from ``ua_settlements.json``'s records."""
    out: dict[int, str] = {}
    for rec in settlements:
        gid = rec.get("geonameid")
        if gid and int(gid) not in out:
            out[int(gid)] = rec["names"][0]
    return out
