"""Place names on the page: the one display spelling, and the other names search matches.

**Display policy: the article's own spelling.** A popup, the area lists, the page's CSV/GeoJSON
downloads and the static maps' labels (:func:`display_names`) name an incident's place as the
article wrote it ("Kupiansk", "Zaporizhzhia", "Izmail")
when that mention is a name of the same gazetteer entry (its primary or an alternate name: "the
port city" or a demonym is not); otherwise the gazetteer's name (a region's: its display name,
:mod:`geomap._region_names`). Readers see the spelling of the
report they are checking, and no GeoNames transliteration ("Kupyansk", "Izmayil") they never read.

**Search by every name the gazetteer knows.** Each place also carries its gazetteer names in Latin
script, ASCII-folded and lower-cased ("kupyansk", "kupiansk", "koupiansk"), deduplicated and
bounded (:data:`MAX_ALTERNATES` names of at most :data:`MAX_NAME_LENGTH` characters, the first the
gazetteer lists), so "Kupyansk" finds what an article called Kupiansk. The gazetteer is read only
when its index is already built (a map never starts an index build); places it does not know
(other tools' points) keep their own name.
"""

from __future__ import annotations

from typing import Any

from .._region_names import display_place
from ..gazetteer.names import fold, is_latin_name, name_key

#: At most this many alternate names per place in the page (what they cost: ``python -m bench maps``
#: and the README).
MAX_ALTERNATES = 12
#: Longer alternates ("Zaporizzsjai terület") are left out: long names are descriptions, not spellings.
MAX_NAME_LENGTH = 32


def _gazetteer() -> Any:
    """The shared gazetteer when its index exists, else None (no build from a map)."""
    from ..gazetteer import load_gazetteer
    from ..gazetteer.index import index_path

    try:
        if load_gazetteer.cache_info().currsize or index_path().exists():
            return load_gazetteer()
    except OSError:
        return None
    return None


def searchable(name: str) -> str:
    """A name as the page's search compares it: ASCII-folded, lower-case."""
    return fold(name).lower()


def place_names(places: list[Any], mentions: list[Any], place_ids: list[Any]) -> tuple[list[Any], list[str]]:
    """For each incident: its display name (see the module's policy) and its alternate names for
    search, one a line ("" when none)."""
    gazetteer = _gazetteer()
    cache: dict[tuple[Any, Any, Any], tuple[Any, str]] = {}
    display: list[Any] = []
    alternates: list[str] = []
    for row in zip(places, mentions, place_ids, strict=True):
        found = cache.get(row)
        if found is None:
            found = cache[row] = _names(gazetteer, *row)
        display.append(found[0])
        alternates.append(found[1])
    return display, alternates


def display_names(gdf: Any) -> list[Any]:
    """Each incident's place as every map shows it (the module's policy): the page's popups and
    lists, its downloads and the static maps' labels all take it from here."""
    def column(name: str) -> list[Any]:
        return gdf[name].tolist() if name in gdf.columns else [None] * len(gdf)

    return place_names(column("place"), column("mention"), column("place_id"))[0]


def _names(gazetteer: Any, place: Any, mention: Any, place_id: Any) -> tuple[Any, str]:
    place = display_place(place_id, place)  # a region: its display name (geomap._region_names)
    entry = gazetteer.get(place_id) if gazetteer is not None and isinstance(place_id, str) and place_id else None
    if entry is None:
        return place, ""
    names = [entry.name, *entry.alt_names]
    keys = {name_key(n) for n in names}
    shown = place
    if isinstance(mention, str) and mention.strip() and is_latin_name(mention) and name_key(mention) in keys:
        shown = mention.strip()
    seen = {searchable(str(shown))} if shown else set()
    out: list[str] = []
    for n in names:
        if len(out) >= MAX_ALTERNATES:
            break
        if len(n) > MAX_NAME_LENGTH or not is_latin_name(n):
            continue
        folded = searchable(n)
        if folded not in seen:
            seen.add(folded)
            out.append(folded)
    return shown, "\n".join(out)
