"""Incident maps: layered Leaflet pages (self-contained, CDN or embeddable) and static PNG/SVG.

>>> m = make_map(incidents, title="Strikes", types=["air_strike"])
>>> m.save("maps/strikes.html").name
'strikes.html'
>>> save_static(incidents, "maps/strikes.png", title="Strikes").suffix
'.png'
"""

from __future__ import annotations

from ._folium import IncidentLayer, to_folium
from ._make import make_map, prepare
from ._map import CLUSTER_THRESHOLD, IncidentMap, write_assets
from ._static import save_static

__all__ = ["CLUSTER_THRESHOLD", "IncidentLayer", "IncidentMap", "make_map", "prepare", "save_static", "to_folium",
           "write_assets"]
