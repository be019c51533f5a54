"""Ukraine's settlements from KATOTTG and the "Village, Oblast" convention (sentences written here)."""

from __future__ import annotations

import json

import pytest

import geomap
from geomap._paths import data_path
from geomap.gazetteer import load_gazetteer
from geomap.toponyms import geoparse
from tools.build_settlements import russian_forms


@pytest.fixture(scope="module")
def settlements():
    return json.loads(data_path("gazetteer", "ua_settlements.json").read_text(encoding="utf-8"))


def test_russian_spelling_follows_general_rules():
    assert "клещеевка" in russian_forms("кліщіївка")      # -іївка -> -еевка, і -> е
    assert russian_forms("роботине") == ["роботино"]      # -ине -> -ино
    assert russian_forms("новотроїцьке") == ["новотроицкое"]
    assert russian_forms("мар'їнка") == ["марьинка"]      # the apostrophe is a soft sign


def test_every_settlement_has_a_region_and_a_point_in_ukraine(settlements):
    cities = [r for r in settlements if r["kind"] == "city"]
    assert len(cities) > 25_000  # KATOTTG lists about 29,700 settlements
    for rec in settlements:
        assert rec["admin1_code"].startswith("UA-") and rec["names"]
        assert 44.0 < rec["lat"] < 52.5 and 22.0 < rec["lon"] < 40.3
    approx = {r.get("approx") for r in cities if not r.get("geonameid")}
    assert approx <= {"hromada", "raion"}


def test_soft_o_and_mixed_systems_spellings_find_the_settlement(settlements):
    by_uk = {r["uk"]: r for r in settlements if r["kind"] == "city"}
    # "ьо" is "o" in all three systems but "yo" in English reports
    assert "Verkhnyosadove" in by_uk["Верхньосадове"]["names"]
    # a two-word name written half in KMU 2010, half in BGN/PCGN
    assert "Pryiatne Svidannya" in by_uk["Приятне Свідання"]["names"]
    gaz = load_gazetteer()
    assert gaz.search("Verkhnyosadove", limit=1)[0][0].admin1_code == "UA-43"


def test_official_and_russian_derived_spellings_find_one_village():
    gaz = load_gazetteer()
    official = gaz.search("Klishchiivka", limit=1)[0][0]
    assert official.admin1_code == "UA-14"
    assert gaz.search("Kleshcheevka", limit=1)[0][0].id == official.id
    assert gaz.search("Robotino", limit=1)[0][0].admin1_code == "UA-23"


def test_region_after_a_comma_chooses_the_namesake_and_is_no_second_place():
    gdf = geomap.extract("date 2024-05-03\nArtillery shelled Vesele, Kherson region, overnight.")
    assert len(gdf) == 1
    row = gdf.iloc[0]
    assert row.place == "Vesele" and row.region_code == "UA-65" and row.incident_type == "shelling"
    # a bare region name works the same way, and "near" lowers the precision
    gdf = geomap.extract("date 2024-05-03\nTroops shelled positions near Kramatorsk, Donetsk.")
    assert gdf["place"].tolist() == ["Kramatorsk"] and gdf.iloc[0].geo_precision == 2


def test_region_that_holds_no_such_place_locates_the_report():
    # Robotyne is in Zaporizhzhia oblast only: "Robotyne, Sumy" cannot be that village
    mentions = geoparse("Shells hit Robotyne, Sumy region.")
    assert {m.place.admin1_code for m in mentions} == {"UA-59"}



def test_a_border_town_given_to_the_neighbouring_region_stays_the_town():
    # Nikopol is in Dnipropetrovsk oblast, across the reservoir from Kherson oblast: a report
    # that writes "Nikopol, Kherson" means the town, not the middle of Kherson oblast
    gdf = geomap.extract("date 2024-05-03\nArtillery shelled the outskirts of Nikopol, Kherson region.")
    assert gdf["place"].tolist() == ["Nikopol"] and gdf.iloc[0].region_code == "UA-12"

def test_a_list_after_the_comma_stays_a_list():
    mentions = geoparse("Missiles hit Kramatorsk, Donetsk and Kharkiv.")
    kinds = {m.text: m.kind for m in mentions}
    assert kinds["Donetsk"] == "city" and kinds["Kharkiv"] == "city"


def test_a_geonames_city_is_one_settlement_and_shown_by_its_official_spelling(settlements):
    linked = [r["geonameid"] for r in settlements if r.get("geonameid")]
    assert len(linked) == len(set(linked)) > 3_800  # an old name in GeoNames' alternates claims no second village
    # a city that shares its name with villages of its oblast, and cities the simplified
    # outlines leave in the river or the sea, are linked too
    by_gid = {r["geonameid"]: r for r in settlements if r.get("geonameid")}
    assert by_gid[687700]["names"][0] == "Zaporizhzhia" and by_gid[706448]["names"][0] == "Kherson"
    gaz = load_gazetteer()
    for written, shown in (("Zaporizhzhya", "Zaporizhzhia"), ("Izmayil", "Izmail"), ("Kupyansk", "Kupiansk")):
        mentions = geoparse(f"Missiles struck {written} overnight.")
        assert [m.place.name for m in mentions] == [shown]
        assert written in mentions[0].place.alt_names  # GeoNames' spelling stays a name
    assert gaz.get("gn:687700").name == "Zaporizhzhia"


def test_base_map_labels_use_the_gazetteers_spelling():
    import geopandas

    names = set(geopandas.read_parquet(data_path("basemap", "places.parquet"))["name"])
    assert {"Zaporizhzhia", "Kryvyi Rih", "Izmail", "Huliaipole"} <= names
    assert not names & {"Zaporizhzhya", "Kryvyy Rih", "Izmayil", "Hulyaypole"}
