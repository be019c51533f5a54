"""More real points for approximate settlements (tools/build_postal_points.py): the postal-file
reader and the matcher on rows and settlements written here, and the index built from the shipped
``ua_postal_points.json``."""

from __future__ import annotations

import json

import pytest

from geomap._paths import data_path
from geomap.gazetteer import load_gazetteer
from geomap.geometry import haversine_km
from tools.build_postal_points import match_postal, new_places, postal_points


def village(sid, uk, lat, lon, *, oblast="UA-23", approx="hromada"):
    rec = {"id": f"katottg:{sid}", "uk": uk, "names": [uk], "kind": "city", "admin1_code": oblast,
           "lat": lat, "lon": lon}
    if approx:
        rec["approx"] = approx
    return rec


def line(place, lat, lon, accuracy="4", code="71100"):
    return "\t".join(["UA", code, place, "Zaporizka", "26", "", "", "", "", str(lat), str(lon), accuracy])


def north_is_zaporizhzhia(points):
    """A stand-in for the admin-1 polygons: everything north of 46.5 is Zaporizhzhia oblast."""
    return ["UA-23" if lat > 46.5 else None for lat, _ in points]


def test_only_feature_points_are_read_once_each():
    text = "\n".join([
        line("Степове", 47.6, 35.6), line("Степове", 47.6, 35.6, code="71101"),  # two codes, one place
        line("Лугове", 47.7, 35.7, accuracy="1"),  # an estimate: no use
        line("Лугове", 47.8, 35.8, accuracy="3"),  # a centroid: no use
        line("Вишневе", "x", 35.9), "UA\t71102\ttoo short",
    ])
    assert postal_points(text) == [("Степове", 47.6, 35.6, "71100")]


def test_a_point_names_a_settlement_of_the_oblast_that_holds_it():
    settlements = [village("A1", "Степове", 47.50, 35.50), village("B1", "Степове", 47.50, 35.50, oblast="UA-65")]
    out, stats, _ = match_postal([("степове", 47.6, 35.6, "0")], settlements, {}, north_is_zaporizhzhia)
    assert out == [{"id": "katottg:A1", "lat": 47.6, "lon": 35.6}] and stats == {"matched": 1}
    # the same name south of the line lies in no oblast of the stand-in
    out, stats, _ = match_postal([("Степове", 46.4, 35.6, "0")], settlements, {}, north_is_zaporizhzhia)
    assert out == [] and stats == {"outside Ukraine's oblasts": 1}


def test_namesakes_far_points_and_disagreeing_points_leave_a_settlement_as_it_is():
    twins = [village("T1", "Лугове", 47.50, 35.50), village("T2", "Лугове", 47.50, 35.50)]
    assert match_postal([("Лугове", 47.55, 35.52, "0")], twins, {}, north_is_zaporizhzhia)[1] == {"ambiguous": 1}
    far = [village("F1", "Дальнє", 47.50, 35.50)]
    assert match_postal([("Дальнє", 47.50, 36.30, "0")], far, {}, north_is_zaporizhzhia)[1] == {"far": 1}
    one = [village("D1", "Вишневе", 47.50, 35.50)]
    out, stats, _ = match_postal([("Вишневе", 47.52, 35.49, "0"), ("Вишневе", 47.62, 35.59, "0")], one, {},
                                 north_is_zaporizhzhia)
    assert out == [] and stats == {"points disagree": 2}


def test_placed_and_exact_settlements_are_not_moved_but_checked():
    settlements = [village("W1", "Вільне", 47.50, 35.50), village("E1", "Токмак", 47.25, 35.71, approx=None),
                   village("N1", "Нове", 47.80, 35.20)]
    points = [("Вільне", 47.51, 35.51, "0"), ("Токмак", 47.26, 35.70, "0"), ("Нове", 47.81, 35.21, "0")]
    out, stats, checks = match_postal(points, settlements, {"katottg:W1": (47.515, 35.515)}, north_is_zaporizhzhia)
    assert [p["id"] for p in out] == ["katottg:N1"]
    assert stats == {"matched": 1, "settlement has a war-report point": 1, "settlement has its own point": 1}
    assert checks["war-report point"] == [pytest.approx(haversine_km(47.51, 35.51, 47.515, 35.515))]
    assert checks["own point"] == [pytest.approx(haversine_km(47.26, 35.70, 47.25, 35.71))]


def in_moldova_west_of_30(points):
    """A stand-in for the admin-1 polygons: Moldova's "MD-CU" is everything west of 30 E."""
    return [("Chisinau", "MD-CU") if lon < 30 else ("Odesa", "UA-51") for _, lon in points]


def test_villages_cities500_lacks_are_added_once_inside_the_country():
    known = {"durlesti": [(47.02, 28.76)]}
    rows = [("Durleşti", 47.0178, 28.7625, "MD-2003"),  # cities500 has it (name folded, 0.3 km away)
            ("Durlesti", 46.50, 28.30, "MD-5000"),  # a namesake 60 km off is another village
            ("Codru", 46.9753, 28.8194, "MD-2011"), ("Codru", 46.9800, 28.8200, "MD-2012"),  # one place
            ("Palanca", 46.40, 30.10, "MD-4000"),  # its point is over the border
            ("", 46.9, 28.9, "MD-6000")]
    out, stats = new_places(rows, "MD", known, in_moldova_west_of_30)
    assert [(p["id"], p["name"], p["admin1_code"]) for p in out] == [
        ("gnpostal:MD:MD-5000:durlesti", "Durlesti", "MD-CU"), ("gnpostal:MD:MD-2011:codru", "Codru", "MD-CU")]
    assert out[1] == {"id": "gnpostal:MD:MD-2011:codru", "name": "Codru", "country": "MD", "admin1_code": "MD-CU",
                      "lat": 46.9753, "lon": 28.8194}
    assert stats == {"a cities500 place": 1, "added": 2, "repeated": 1, "outside the country": 1, "no name": 1}


# --------------------------------------------------------------------------- the shipped data and the index


@pytest.fixture(scope="module")
def shipped():
    postal = json.loads(data_path("gazetteer", "ua_postal_points.json").read_text(encoding="utf-8"))
    war = {p["id"] for p in json.loads(data_path("gazetteer", "ua_points.json").read_text(encoding="utf-8"))}
    settlements = json.loads(data_path("gazetteer", "ua_settlements.json").read_text(encoding="utf-8"))
    return postal, war, {s["id"]: s for s in settlements}


def test_shipped_postal_points_only_fill_what_the_war_report_points_leave(shipped):
    postal, war, settlements = shipped
    assert len(postal) > 5000
    assert set(postal[0]) == {"id", "lat", "lon"}
    for p in postal:
        rec = settlements[p["id"]]
        assert p["id"] not in war and rec["approx"] in ("hromada", "raion") and not rec.get("geonameid")
        assert haversine_km(p["lat"], p["lon"], rec["lat"], rec["lon"]) <= 80


def test_the_index_gives_a_postal_matched_settlement_its_point(shipped):
    postal, _, settlements = shipped
    gaz = load_gazetteer()
    for p in postal[:: max(1, len(postal) // 40)]:
        place = gaz.get(p["id"])
        assert place is not None, p["id"]
        assert (place.lat, place.lon) == (p["lat"], p["lon"]) and place.approximate is None
        assert place.admin1_code == settlements[p["id"]]["admin1_code"]


def test_shipped_postal_places_are_villages_of_moldova_and_romania_in_the_index():
    places = json.loads(data_path("gazetteer", "postal_places.json").read_text(encoding="utf-8"))
    assert len(places) > 5000 and {p["country"] for p in places} == {"MD", "RO"}
    assert len({p["id"] for p in places}) == len(places)
    gaz = load_gazetteer()
    for rec in places[:: max(1, len(places) // 40)]:
        place = gaz.get(rec["id"])
        assert place is not None, rec["id"]
        assert (place.name, place.country, place.admin1_code) == (rec["name"], rec["country"], rec["admin1_code"])
        assert place.admin1_code.startswith(rec["country"] + "-") and place.admin1 and place.approximate is None
