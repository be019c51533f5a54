"""Optional raster tiles for a page (``--tiles osm|carto|URL``), off by default.

Tiles need the network; the offline base map (outlines, water, labels) stays in the page beneath
the tile layer, so a page opened offline, or before tiles load, still shows its context. The
tile layer's attribution is shown in the map's corner as its provider asks.
"""

from __future__ import annotations

import re
from typing import Any

from ..errors import UsageError

#: name -> the tile layer geomap.js adds (url template, attribution text, subdomains, max zoom)
PRESETS: dict[str, dict[str, Any]] = {
    "osm": {"name": "OpenStreetMap", "url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
            "attribution": "\u00a9 OpenStreetMap contributors", "subdomains": "", "maxZoom": 19},
    "carto": {"name": "CartoDB Positron", "url": "https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png",
              "attribution": "\u00a9 OpenStreetMap contributors \u00a9 CARTO", "subdomains": "abcd", "maxZoom": 19},
}

_TEMPLATE = re.compile(r"^https?://[^\s\"'<>]+$", re.IGNORECASE)


def tile_layer(value: str | None, attribution: str | None = None) -> dict[str, Any] | None:
    """The tile layer for ``--tiles``: a preset's name, or an http(s) URL template holding
    ``{z}``, ``{x}`` and ``{y}``; None for no tiles. ``attribution`` (plain text, escaped by the
    page) names a custom server's data; it defaults to the server's host."""
    if value is None or value == "" or value.lower() == "none":
        return None
    preset = PRESETS.get(value.lower())
    if preset is not None:
        return dict(preset, attribution=attribution or preset["attribution"])
    if not _TEMPLATE.match(value) or not all(part in value for part in ("{z}", "{x}", "{y}")):
        raise UsageError(f"--tiles {value!r}: give osm, carto or a tile URL template such as "
                         "https://tiles.example.org/{z}/{x}/{y}.png")
    host = value.split("/")[2]
    return {"name": f"Tiles from {host}", "url": value, "attribution": attribution or f"Tiles: {host}",
            "subdomains": "abc" if "{s}" in value else "", "maxZoom": 19}
