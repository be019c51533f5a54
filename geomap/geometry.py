"""Where places lie relative to each other, from the gazetteer's facts alone (codes, points and
boxes, no shapes): the product's one containment test, and great-circle distance.

Three stages ask whether one place holds another:

- resolution (:mod:`geomap.toponyms.resolve`): a named container favours the candidates inside
  it ("Paris, Texas", "Huliaipole in the Zaporizhzhia region");
- pairing (:mod:`geomap.incidents.pairing`): a country or region named right after a place is
  that place's container, not a place of its own ("a refinery in Russia's Krasnodar region");
- merging (:mod:`geomap.incidents.merge`): a country- or region-level incident gives way to the
  same report at a place inside it ("Kyiv and other parts of Ukraine").

What "inside" means is decided here, once; which kinds of container a stage considers is that
stage's decision (pairing and merging only consider countries and admin-1 regions).

>>> from geomap.models import Place
>>> ukraine = Place("cc:UA", "Ukraine", "country", 49.0, 32.0, country="UA")
>>> kyiv_oblast = Place("ne1:UA-32", "Kyiv Oblast", "admin1", 50.3, 30.5, country="UA",
...                     admin1="Kyiv Oblast", admin1_code="UA-32")
>>> bucha = Place("gn:1", "Bucha", "city", 50.55, 30.21, country="UA", admin1_code="UA-32")
>>> contains(ukraine, bucha), contains(kyiv_oblast, bucha), contains(bucha, kyiv_oblast)
(True, True, False)
>>> contains(ukraine, ukraine)
False
"""

from __future__ import annotations

import math

from .models import Place

__all__ = ["DISTRICT_KM", "contains", "haversine_km", "in_box"]

#: A district (admin-2: raion, county, hromada) has a point but no code of its own in the
#: gazetteer: it holds the cities and facilities of its admin-1 region this close to its point.
DISTRICT_KM = 80.0


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km.

    >>> round(haversine_km(50.45, 30.52, 46.48, 30.73))  # Kyiv to Odesa
    442
    """
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


def in_box(box: tuple[float, float, float, float], lat: float, lon: float) -> bool:
    """Whether a point lies in a (west, south, east, north) box; a box whose west edge is east
    of its east edge crosses the antimeridian (the Bering Sea).

    >>> in_box((162.0, 51.0, -157.0, 66.0), 58.0, 179.5), in_box((162.0, 51.0, -157.0, 66.0), 58.0, 0.0)
    (True, False)
    """
    west, south, east, north = box
    if not south <= lat <= north:
        return False
    return west <= lon <= east if west <= east else (lon >= west or lon <= east)


def in_region_box(region: Place, place: Place) -> bool:
    """Whether a city or facility of ``region``'s country lies in that admin-1 region's box.

    For "Nikopol, Kherson": a report (or the gazetteer) can give a border town to the
    neighbouring region, so a region named after a place it does not :func:`contain` still
    qualifies that place when the place lies within the region's box.
    """
    return (region.kind == "admin1" and place.kind in ("city", "facility") and region.bbox is not None
            and place.country == region.country and in_box(region.bbox, place.lat, place.lon))


def contains(outer: Place, inner: Place) -> bool:
    """Whether ``inner`` lies inside ``outer``; a place never contains itself.

    - a **country** holds every other place of its ISO code;
    - an **admin-1 region** holds the cities, facilities, districts and natural features of its
      ISO 3166-2 code; where either lacks a code (about 190 regions and 1,600 cities of the
      gazetteer), the place's admin-1 name in the same country decides, and failing that the
      region's box; regions and seas are never inside a region;
    - a **district** (admin-2) holds the cities and facilities of its admin-1 region within
      :data:`DISTRICT_KM` of its point;
    - a **sea** or **natural feature** holds the points in its box, countries' included (the
      curated macro-regions, such as the European Union, are natural features with a box).
    """
    if outer.id == inner.id:
        return False
    kind = outer.kind
    if kind == "country":
        return inner.kind != "country" and inner.country is not None and inner.country == outer.country
    if kind == "admin1":
        if inner.kind in ("country", "admin1", "water"):
            return False
        if outer.admin1_code and inner.admin1_code:
            return outer.admin1_code == inner.admin1_code
        if inner.country is None or inner.country != outer.country:
            return False
        if inner.admin1:
            return inner.admin1.casefold() in (outer.name.casefold(), (outer.admin1 or "").casefold())
        return outer.bbox is not None and in_box(outer.bbox, inner.lat, inner.lon)
    if kind == "admin2":
        return (inner.kind in ("city", "facility") and inner.admin1_code is not None
                and inner.admin1_code == outer.admin1_code
                and haversine_km(outer.lat, outer.lon, inner.lat, inner.lon) <= DISTRICT_KM)
    if kind in ("physical", "water"):
        return outer.bbox is not None and in_box(outer.bbox, inner.lat, inner.lon)
    return False
