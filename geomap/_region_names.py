"""Region display names: one policy for every list, filter, page and static map.

A region is shown by its layer's name (Natural Earth's English name), except where that is an
older exonym beside the official romanisation that the places inside it use ("Odessa" region,
"Odesa" city): then by the name in ``data/curated/region_names.toml``, keyed by ISO 3166-2 code.
"""

from __future__ import annotations

import functools
import tomllib
from typing import Any

from ._paths import data_path


@functools.cache
def _names() -> dict[str, str]:
    path = data_path("curated", "region_names.toml")
    try:
        with open(path, "rb") as handle:
            table = tomllib.load(handle).get("display", {})
    except FileNotFoundError:
        return {}
    return {str(code).upper(): str(name) for code, name in table.items()}


def display_name(code: Any, name: Any) -> Any:
    """The name a region of ISO 3166-2 ``code`` is shown by; ``name`` (its layer's) when no
    other is curated."""
    if isinstance(code, str) and code:
        return _names().get(code.upper(), name)
    return name


def display_names(codes: Any, names: Any) -> list[Any]:
    """:func:`display_name` of each (code, name) pair."""
    return [display_name(c, n) for c, n in zip(codes, names, strict=True)]
