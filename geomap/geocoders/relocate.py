"""The pipeline's resolve stage with a geocoder: each place's point from that geocoder's answer.

The geoparser has already decided which place a mention names (with the document's context:
"Odessa" in a Ukrainian story is the Ukrainian city); a geocoder such as Nominatim is then asked
for that name, within that place's country, and its point, box and id replace the offline ones.
When the geocoder answers with its offline fallback (the service failed; it has warned), or
finds nothing, the geoparser's own place is kept. Only the mention's words are sent, never the
article text; each distinct (name, country) is asked once per run (and the geocoder's own cache
keeps answers across runs).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from ..models import Mention, Place

__all__ = ["Relocator", "place_from_location"]


class Relocator:
    """``mentions -> mentions`` with each place located by ``geocoder`` (geopy's interface)."""

    def __init__(self, geocoder: Any):
        if not callable(getattr(geocoder, "geocode", None)):
            raise TypeError(f"a geocoder needs a geocode() method (geopy's interface), got {geocoder!r}")
        self.geocoder = geocoder
        self._answers: dict[tuple[str, str | None], Place | None] = {}

    def __call__(self, mentions: list[Mention]) -> list[Mention]:
        out = []
        for mention in mentions:
            place = mention.place
            if place is None or mention.kind == "demonym":
                out.append(mention)
                continue
            located = self._locate(mention.text, place)
            out.append(mention if located is None else dataclasses.replace(mention, place=located))
        return out

    def _locate(self, name: str, like: Place) -> Place | None:
        key = (name, like.country)
        if key not in self._answers:
            options = {"country_codes": like.country.lower()} if like.country else {}
            location = self.geocoder.geocode(name, exactly_one=True, **options)
            self._answers[key] = place_from_location(location, like) if location is not None else None
        return self._answers[key]


def place_from_location(location: Any, like: Place) -> Place | None:
    """The place ``like`` at the point ``location`` gives (None for an offline answer).

    The name, kind and admin-1 stay the geoparser's (the map's labels and filters use them); the
    id names the answering service (``nominatim:relation/2904811``) so incidents placed online
    never merge with offline ones by mistake.
    """
    raw = getattr(location, "raw", None) or {}
    source = str(raw.get("geomap_source") or "online")
    if source == "offline":
        return None
    service = source.removeprefix("cache:")
    if raw.get("osm_type") and raw.get("osm_id"):
        ident = f"{service}:{raw['osm_type']}/{raw['osm_id']}"
    else:
        ident = f"{service}:{location.latitude:.5f},{location.longitude:.5f}"
    bbox = like.bbox
    box = raw.get("boundingbox")
    if isinstance(box, (list, tuple)) and len(box) == 4:  # Nominatim: south, north, west, east
        try:
            south, north, west, east = (float(v) for v in box)
            bbox = (west, south, east, north)
        except (TypeError, ValueError):
            pass
    code = (raw.get("address") or {}).get("country_code") if isinstance(raw.get("address"), dict) else None
    return dataclasses.replace(like, id=ident, lat=float(location.latitude), lon=float(location.longitude),
                               bbox=bbox, country=code.upper() if isinstance(code, str) and code else like.country,
                               source=source, geonameid=None, approximate=None)
