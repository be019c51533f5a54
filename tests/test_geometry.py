"""The one containment test (geomap.geometry.contains) on places written for these tests, and
the stages that ask it: resolution, pairing and merging agree on what lies inside what."""

from __future__ import annotations

import dataclasses
import inspect

import pytest

from geomap.geometry import DISTRICT_KM, contains, haversine_km, in_box
from geomap.models import Place

UKRAINE = Place("cc:UA", "Ukraine", "country", 49.0, 32.0, country="UA")
MOLDOVA = Place("cc:MD", "Moldova", "country", 47.0, 28.5, country="MD")
DONETSK_OBLAST = Place("ne1:UA-14", "Donetsk Oblast", "admin1", 48.0, 37.8, bbox=(36.5, 46.9, 39.0, 49.3),
                       country="UA", admin1="Donetsk Oblast", admin1_code="UA-14")
KHARKIV_OBLAST = Place("ne1:UA-63", "Kharkiv Oblast", "admin1", 49.6, 36.4, bbox=(34.8, 48.5, 38.1, 50.5),
                       country="UA", admin1="Kharkivska", admin1_code="UA-63")
BAKHMUT_DISTRICT = Place("adm2:bakhmut", "Bakhmut Raion", "admin2", 48.6, 38.0, country="UA",
                         admin1_code="UA-14")
KRAMATORSK = Place("gn:1", "Kramatorsk", "city", 48.72, 37.56, country="UA", admin1="Donetsk Oblast",
                   admin1_code="UA-14")
SOLEDAR = Place("gn:2", "Soledar", "city", 48.68, 38.09, country="UA", admin1_code="UA-14")
MARIUPOL = Place("gn:3", "Mariupol", "city", 47.1, 37.55, country="UA", admin1_code="UA-14")
IZIUM = Place("gn:4", "Izium", "city", 49.21, 37.26, country="UA", admin1_code="UA-63")
BLACK_SEA = Place("water:black_sea", "Black Sea", "water", 43.4, 34.0, bbox=(27.4, 40.9, 41.8, 46.6))
AZOV = Place("water:azov", "Sea of Azov", "water", 46.0, 36.5, bbox=(34.8, 45.2, 39.3, 47.3))
BERING = Place("water:bering", "Bering Sea", "water", 58.0, -178.0, bbox=(162.0, 51.0, -157.0, 66.0))
EUROPE = Place("macro:europe", "Europe", "physical", 50.0, 15.0, bbox=(-25.0, 34.0, 45.0, 72.0))


def without_code(place: Place, **changes) -> Place:
    """The same place as the gazetteer has it where GeoNames gives no ISO 3166-2 code."""
    return dataclasses.replace(place, admin1_code=None, **changes)


def test_a_place_never_contains_itself():
    for place in (UKRAINE, DONETSK_OBLAST, BAKHMUT_DISTRICT, KRAMATORSK, BLACK_SEA, EUROPE):
        assert not contains(place, place)


def test_a_country_holds_its_places_and_no_other_country():
    for inner in (DONETSK_OBLAST, BAKHMUT_DISTRICT, KRAMATORSK):
        assert contains(UKRAINE, inner)
    assert not contains(UKRAINE, MOLDOVA)
    assert not contains(MOLDOVA, KRAMATORSK)
    nowhere = Place("x:1", "Somewhere", "city", 48.0, 37.0)  # no country known
    assert not contains(UKRAINE, nowhere)
    assert not contains(Place("x:2", "No code", "country", 0.0, 0.0), nowhere)


def test_a_region_holds_the_places_of_its_code():
    assert contains(DONETSK_OBLAST, KRAMATORSK)
    assert contains(DONETSK_OBLAST, BAKHMUT_DISTRICT)
    assert not contains(KHARKIV_OBLAST, KRAMATORSK)
    assert contains(KHARKIV_OBLAST, IZIUM)
    # the code decides even where the box says otherwise (boxes overlap at their corners)
    assert DONETSK_OBLAST.bbox and in_box(DONETSK_OBLAST.bbox, IZIUM.lat, IZIUM.lon)
    assert not contains(DONETSK_OBLAST, IZIUM)


def test_a_region_never_holds_a_region_a_sea_or_a_country():
    assert not contains(DONETSK_OBLAST, KHARKIV_OBLAST)
    assert not contains(DONETSK_OBLAST, AZOV)
    assert not contains(DONETSK_OBLAST, UKRAINE)


def test_without_codes_the_admin1_name_decides_then_the_box():
    by_name = without_code(KRAMATORSK, admin1="donetsk oblast")
    assert contains(DONETSK_OBLAST, by_name)                         # case does not matter
    assert contains(KHARKIV_OBLAST, without_code(IZIUM, admin1="Kharkivska"))  # the region's own admin-1 name
    elsewhere = without_code(KRAMATORSK, admin1="Luhansk Oblast")
    assert not contains(DONETSK_OBLAST, elsewhere)                  # a named other region beats the box
    unnamed = without_code(KRAMATORSK, admin1=None)
    assert contains(DONETSK_OBLAST, unnamed)                        # the box, in the same country
    assert not contains(KHARKIV_OBLAST, without_code(MARIUPOL, admin1=None))  # outside its box
    assert not contains(DONETSK_OBLAST, without_code(KRAMATORSK, admin1=None, country="RU"))
    assert not contains(without_code(DONETSK_OBLAST, bbox=None), unnamed)


def test_a_district_holds_its_regions_cities_near_its_point():
    assert haversine_km(BAKHMUT_DISTRICT.lat, BAKHMUT_DISTRICT.lon, SOLEDAR.lat, SOLEDAR.lon) < DISTRICT_KM
    assert contains(BAKHMUT_DISTRICT, SOLEDAR)
    assert haversine_km(BAKHMUT_DISTRICT.lat, BAKHMUT_DISTRICT.lon, MARIUPOL.lat, MARIUPOL.lon) > DISTRICT_KM
    assert not contains(BAKHMUT_DISTRICT, MARIUPOL)
    near_but_other_region = Place("gn:5", "Borderland", "city", 48.9, 38.1, country="UA", admin1_code="UA-09")
    assert not contains(BAKHMUT_DISTRICT, near_but_other_region)
    assert not contains(BAKHMUT_DISTRICT, DONETSK_OBLAST)


def test_seas_and_natural_features_hold_the_points_in_their_box():
    sevastopol = Place("gn:6", "Sevastopol", "city", 44.6, 33.5, country="UA")
    assert contains(BLACK_SEA, sevastopol)
    assert not contains(BLACK_SEA, KRAMATORSK)
    assert contains(EUROPE, MOLDOVA)       # a macro-region holds countries
    assert not contains(Place("water:nobox", "A sea", "water", 0.0, 0.0), sevastopol)


@pytest.mark.parametrize("lon,inside", [(179.5, True), (-170.0, True), (162.0, True), (0.0, False), (-150.0, False)])
def test_boxes_across_the_antimeridian(lon, inside):
    assert contains(BERING, Place("x:ship", "A ship", "facility", 58.0, lon)) is inside


def test_haversine_is_symmetric_and_zero_on_a_point():
    assert haversine_km(50.0, 30.0, 50.0, 30.0) == 0.0
    there = haversine_km(50.0, 30.0, 46.0, 31.0)
    assert there == pytest.approx(haversine_km(46.0, 31.0, 50.0, 30.0))
    assert 440 < there < 460


def test_no_stage_keeps_a_containment_test_of_its_own():
    """Resolution, pairing and merging ask geomap.geometry; none defines "inside" again."""
    from geomap.incidents import merge
    from geomap.incidents.pairing import roles
    from geomap.toponyms import resolve

    for module in (resolve, roles, merge):
        assert module.contains is contains, module.__name__
        own = {name for name, value in vars(module).items()
               if inspect.isfunction(value) and value.__module__ == module.__name__}
        assert not own & {"contains", "_contains", "inside", "_inside", "in_box"}, (module.__name__, own)
