"""The offline geocoder: geopy's interface over the bundled gazetteer, no network ever."""

from __future__ import annotations

from dataclasses import asdict, fields
from typing import Any

from ..errors import UsageError
from ..models import Place

__all__ = ["OfflineGeocoder", "place_address", "place_location"]


def place_address(place: Place, gazetteer) -> str:
    """A human-readable address: "Krasnodar, Krasnodar Krai, Russia"."""
    parts = [place.name]
    if place.kind in ("city", "facility") and place.admin1 and place.admin1 != place.name:
        parts.append(place.admin1)
    if place.kind != "country" and place.country:
        country = gazetteer.country(place.country)
        if country is not None:
            parts.append(country.name)
    return ", ".join(parts)


_PLACE_FIELDS = tuple(f.name for f in fields(Place))


def place_location(place: Place, gazetteer, score: float | None = None, source: str = "offline"):
    """Wrap a gazetteer entry as a ``geopy.location.Location`` (the entry goes in ``.raw``)."""
    from geopy.location import Location

    raw = {name: getattr(place, name) for name in _PLACE_FIELDS}  # flat: no deep copy as asdict does
    raw["bbox"] = list(place.bbox) if place.bbox else None
    raw["alt_names"] = list(place.alt_names)
    raw["score"] = score
    raw["geomap_source"] = source
    return Location(place_address(place, gazetteer), (place.lat, place.lon), raw)


def _parse_point(query: Any) -> tuple[float, float]:
    """Accept what geopy accepts: a Point, (lat, lon), or "lat, lon"."""
    try:
        from geopy.point import Point

        point = Point(query)
    except (TypeError, ValueError) as exc:
        raise UsageError(f"reverse() needs a point as (lat, lon) or 'lat, lon', got {query!r}") from exc
    return point.latitude, point.longitude


class OfflineGeocoder:
    """Geocode place names from the offline gazetteer, with geopy's ``geocode``/``reverse`` calls.

    Results are ranked by the query's kind hints ("... region" asks for an admin-1 region,
    "... Sea" for water), then prominence (population, kind), then how the name matched.

    >>> geocoder = OfflineGeocoder()
    >>> geocoder.geocode("Rostov region").raw["admin1_code"]
    'RU-ROS'
    """

    def __init__(self, gazetteer=None, **_ignored: Any):
        self._gazetteer = gazetteer

    @property
    def gazetteer(self):
        if self._gazetteer is None:
            from ..gazetteer import load_gazetteer

            self._gazetteer = load_gazetteer()
        return self._gazetteer

    def geocode(self, query: str, *, exactly_one: bool = True, limit: int | None = None,
                country_codes: str | list[str] | None = None, featuretype: str | None = None,
                timeout: Any = None, **_ignored: Any):
        """Best match (``exactly_one=True``) or a ranked list of matches; None when nothing matches.

        ``country_codes`` restricts to countries (ISO alpha-2) and ``featuretype`` to a kind
        ("city", "admin1", "country", "water", "physical"; Nominatim's "state" means admin1).
        """
        if not isinstance(query, str) or not query.strip():
            raise UsageError("geocode() needs a non-empty place name")
        kinds = None
        if featuretype:
            kinds = ({"state": "admin1", "settlement": "city"}.get(featuretype, featuretype),)
        codes = [country_codes] if isinstance(country_codes, str) else list(country_codes or [None])
        ranked: list[tuple[Place, float]] = []
        for code in codes:
            ranked += self.gazetteer.search(query, kinds=kinds, country=code,
                                            limit=1 if exactly_one else (limit or 10))
        if not ranked:
            return None
        if len(codes) > 1:
            ranked.sort(key=lambda item: -item[1])
        if exactly_one:
            return place_location(ranked[0][0], self.gazetteer, ranked[0][1])
        return [place_location(place, self.gazetteer, score) for place, score in ranked[: limit or len(ranked)]]

    def reverse(self, query: Any, *, exactly_one: bool = True, timeout: Any = None, **_ignored: Any):
        """The nearest city and the smallest region containing the point.

        The city is the most populous town of 15,000+ within 15 km, else the nearest settlement
        within 100 km. The Location's point is that city's, or the query point; ``raw``
        holds ``city`` (an entry dict or None) and ``regions`` (containing regions, smallest first).
        """
        from geopy.location import Location

        lat, lon = _parse_point(query)
        # a town people know (15,000+) when one is close, else any settlement: the centre of Kyiv
        # is "Kyiv", not the neighbourhood whose point happens to be nearest
        city = (self.gazetteer.nearest_city(lat, lon, max_km=15.0, min_population=15_000, largest=True)
                or self.gazetteer.nearest_city(lat, lon, max_km=100.0))
        try:
            from ..regions import regions_containing

            regions = regions_containing(lat, lon)
        except ImportError:  # pragma: no cover - regions ship with the package
            regions = []
        names = [city.name] if city else []
        names += [r.name for r in regions if r.name not in names]
        if not names:
            return None
        raw = {"city": asdict(city) if city else None, "regions": [asdict(r) for r in regions],
               "geomap_source": "offline"}
        point = (city.lat, city.lon) if city else (lat, lon)
        location = Location(", ".join(names), point, raw)
        return location if exactly_one else [location]
