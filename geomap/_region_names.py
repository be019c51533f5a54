"""Region display names: one policy for every list, filter, page, popup, static map and file read.

A region is shown by its layer's name (Natural Earth's English name), except where
``data/curated/region_names.toml`` names it, keyed by ISO 3166-2 code: Ukraine's regions by the
national romanisation (KMU 2010, :mod:`geomap._romanise`) of their Ukrainian name ("Odesa", not
Natural Earth's older exonym "Odessa", beside the city "Odesa"), and a few names as given.

The names are applied where region names are read (the region layers, the gazetteer's index
build) and again to every incidents table geomap builds (:func:`apply`, from
``export.build_frame``): a file or store written before a name was curated shows the curated
name too, on the page, in popups, static maps and exports.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import MutableMapping
from typing import Any

from ._paths import data_path

#: The region layer's ids of admin-1 regions: "ne1:" and the ISO 3166-2 code (geomap/regions.py).
ADMIN1_ID = "ne1:"


@functools.cache
def _names() -> dict[str, str]:
    path = data_path("curated", "region_names.toml")
    try:
        with open(path, "rb") as handle:
            table = tomllib.load(handle)
    except FileNotFoundError:
        return {}
    names = {}
    if table.get("ukraine"):
        from ._romanise import kmu2010

        names.update({str(code).upper(): kmu2010(str(uk)) for code, uk in table["ukraine"].items()})
    names.update({str(code).upper(): str(name) for code, name in table.get("display", {}).items()})
    return names


def display_name(code: Any, name: Any) -> Any:
    """The name a region of ISO 3166-2 ``code`` is shown by; ``name`` (its layer's) when no
    other is curated."""
    if isinstance(code, str) and code:
        return _names().get(code.upper(), name)
    return name


def display_names(codes: Any, names: Any) -> list[Any]:
    """:func:`display_name` of each (code, name) pair."""
    return [display_name(c, n) for c, n in zip(codes, names, strict=True)]


def display_place(place_id: Any, place: Any) -> Any:
    """A place's name, or its region's display name when the place is an admin-1 region
    (``place_id`` "ne1:UA-51")."""
    if isinstance(place_id, str) and place_id.startswith(ADMIN1_ID):
        return display_name(place_id[len(ADMIN1_ID):], place)
    return place


def apply(columns: MutableMapping[str, list[Any]]) -> None:
    """Put the display names into an incidents table's columns (in place): ``region`` by
    ``region_code``, and ``place`` where the place is an admin-1 region."""
    names = _names()
    if not names:
        return
    if "region" in columns and "region_code" in columns:
        columns["region"] = display_names(columns["region_code"], columns["region"])
    if "place" in columns and "place_id" in columns:
        columns["place"] = [display_place(i, p) for i, p in zip(columns["place_id"], columns["place"], strict=True)]
