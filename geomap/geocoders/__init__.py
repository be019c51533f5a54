"""Geocoders with geopy's interface: the offline gazetteer by default, geopy's online services on request.

``get_geocoder("offline")`` (the default) answers from the bundled gazetteer with no network;
``get_geocoder("nominatim", user_agent=...)`` and friends wrap geopy's clients with a rate limiter,
a persistent cache and an offline fallback (see :mod:`geomap.geocoders.online`).
"""

from __future__ import annotations

from typing import Any

from .offline import OfflineGeocoder

__all__ = ["OfflineGeocoder", "get_geocoder"]


def get_geocoder(name: str = "offline", **options: Any):
    """Return a geocoder by name: "offline" or any geopy service name ("nominatim", "photon", ...)."""
    if name == "offline":
        return OfflineGeocoder(**options)
    from .online import online_geocoder

    return online_geocoder(name, **options)
