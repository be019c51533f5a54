"""The offline gazetteer and geocoder: the lookups a news desk in the Black Sea region needs.

Asserts on entry ids, ISO codes, kinds and countries (never on scores), through geopy's interface
(`OfflineGeocoder().geocode(...)`, the entry in `Location.raw`) and `Gazetteer.search`.
"""

from __future__ import annotations

import os
import shutil

import pytest

from geomap._paths import data_dir
from geomap.errors import DataError, UsageError
from geomap.gazetteer import load_gazetteer
from geomap.gazetteer.names import fold, loose_key, name_key, split_kind_hint
from geomap.geocoders.offline import OfflineGeocoder

DATA = data_dir()


@pytest.fixture(scope="module")
def geocoder():
    return OfflineGeocoder()


@pytest.fixture(scope="module")
def gaz():
    return load_gazetteer()


def entry(geocoder, query, **kwargs):
    location = geocoder.geocode(query, **kwargs)
    assert location is not None, f"no match for {query!r}"
    return location.raw


def top(gaz, query, **kwargs):
    found = gaz.search(query, **kwargs)
    assert found, f"no match for {query!r}"
    return found[0][0]


# --------------------------------------------------------------------------- cities and regions


def test_krasnodar_is_the_city(geocoder, gaz):
    raw = entry(geocoder, "Krasnodar")
    assert (raw["kind"], raw["country"], raw["admin1_code"]) == ("city", "RU", "RU-KDA")
    assert raw["id"].startswith("gn:") and raw["geonameid"] == 542420
    assert top(gaz, "Krasnodar").id == raw["id"]


@pytest.mark.parametrize("query", ["Krasnodar Krai", "Krasnodar region", "Krasnodarskiy kray", "Kuban",
                                   "krasnodar krai"])
def test_krasnodar_krai_spellings(geocoder, gaz, query):
    raw = entry(geocoder, query)
    assert (raw["kind"], raw["country"], raw["admin1_code"]) == ("admin1", "RU", "RU-KDA")
    place = top(gaz, query)
    assert (place.kind, place.admin1_code) == ("admin1", "RU-KDA")


@pytest.mark.parametrize("query", ["Rostov region", "Rostov Oblast", "Rostov oblast"])
def test_rostov_region_is_the_oblast(geocoder, gaz, query):
    raw = entry(geocoder, query)
    assert (raw["kind"], raw["country"], raw["admin1_code"]) == ("admin1", "RU", "RU-ROS")
    assert top(gaz, query).admin1_code == "RU-ROS"


def test_rostov_on_don_and_rostov_veliky_are_distinct_cities(geocoder, gaz):
    on_don = entry(geocoder, "Rostov-on-Don")
    veliky = entry(geocoder, "Rostov Veliky")
    assert (on_don["kind"], on_don["admin1_code"]) == ("city", "RU-ROS")
    assert (veliky["kind"], veliky["country"], veliky["admin1_code"]) == ("city", "RU", "RU-YAR")
    assert on_don["id"] != veliky["id"]
    # the hyphens do not matter
    assert top(gaz, "Rostov on Don").id == on_don["id"]


@pytest.mark.parametrize("query", ["Chisinau", "Kishinev", "Chișinău", "CHISINAU", "Chişinău"])
def test_chisinau_spellings(geocoder, query):
    raw = entry(geocoder, query)
    assert (raw["kind"], raw["country"], raw["geonameid"]) == ("city", "MD", 618426)


@pytest.mark.parametrize("query", ["Kyiv", "Kiev"])
def test_kyiv_spellings(geocoder, query):
    raw = entry(geocoder, query)
    assert (raw["kind"], raw["country"], raw["geonameid"]) == ("city", "UA", 703448)


@pytest.mark.parametrize("query", ["Odesa", "Odessa"])
def test_odesa_is_in_ukraine_not_texas(geocoder, query):
    raw = entry(geocoder, query)
    assert (raw["kind"], raw["country"], raw["admin1_code"]) == ("city", "UA", "UA-51")
    # Odessa, Texas exists and is found when asked for
    texas = entry(geocoder, query, country_codes="US")
    assert (texas["country"], texas["admin1_code"]) == ("US", "US-TX")


def test_odesa_region_and_donetsk_oblast(geocoder):
    odesa = entry(geocoder, "Odesa region")
    assert (odesa["kind"], odesa["admin1_code"]) == ("admin1", "UA-51")
    donetsk = entry(geocoder, "Donetsk Oblast")
    assert (donetsk["kind"], donetsk["country"], donetsk["admin1_code"]) == ("admin1", "UA", "UA-14")


def test_donetsk_is_the_ukrainian_city(geocoder, gaz):
    raw = entry(geocoder, "Donetsk")
    assert (raw["kind"], raw["country"], raw["admin1_code"]) == ("city", "UA", "UA-14")
    # the small town of the same name in Rostov Oblast is a candidate, but not the first
    ranked = [place for place, _ in gaz.search("Donetsk", kinds=("city",))]
    assert ranked[0].country == "UA"
    assert any(p.country == "RU" and p.admin1_code == "RU-ROS" for p in ranked[1:])


@pytest.mark.parametrize("query,place_id", [("Black Sea", "water:black-sea"), ("the Black Sea", "water:black-sea"),
                                            ("Sea of Azov", "water:sea-of-azov"),
                                            ("Kerch Strait", "water:kerch-strait")])
def test_water_bodies(geocoder, gaz, query, place_id):
    raw = entry(geocoder, query)
    assert (raw["id"], raw["kind"]) == (place_id, "water")
    assert raw["bbox"] is not None
    assert top(gaz, query).id == place_id


def test_moldova_is_the_country(geocoder):
    raw = entry(geocoder, "Moldova")
    assert (raw["id"], raw["kind"], raw["country"]) == ("cc:MD", "country", "MD")


def test_florida_is_the_us_state_not_the_cuban_town(geocoder, gaz):
    raw = entry(geocoder, "Florida")
    assert (raw["kind"], raw["country"], raw["admin1_code"]) == ("admin1", "US", "US-FL")
    cuban = entry(geocoder, "Florida", featuretype="city")
    assert cuban["country"] == "CU"


def test_paris_is_in_france(geocoder):
    raw = entry(geocoder, "Paris")
    assert (raw["kind"], raw["country"], raw["geonameid"]) == ("city", "FR", 2988507)


def test_paris_admin1_is_the_paris_department(geocoder):
    """The entry's region must hold the city: not Aude (FR-11) or any other far-off department."""
    raw = entry(geocoder, "Paris")
    assert raw["admin1_code"] == "FR-75", (raw["admin1_code"], raw["admin1"])


@pytest.mark.parametrize("query", ["Afipsky", "Afipskiy"])
def test_afipsky_transliterations(geocoder, query):
    raw = entry(geocoder, query)
    assert (raw["kind"], raw["country"], raw["admin1_code"]) == ("city", "RU", "RU-KDA")


def test_taganrog(geocoder):
    raw = entry(geocoder, "Taganrog")
    assert (raw["kind"], raw["country"], raw["admin1_code"]) == ("city", "RU", "RU-ROS")


def test_crimea_is_in_ukraine(geocoder, gaz):
    # the region entry is filed under Ukraine (ISO 3166 / UN border policy)
    region = entry(geocoder, "Crimea", country_codes="UA")
    assert region["kind"] in ("admin1", "physical") and region["admin1_code"] == "UA-43"
    assert entry(geocoder, "Autonomous Republic of Crimea")["admin1_code"] == "UA-43"
    assert not gaz.search("Crimea", country="RU")
    # and so is the best match for the bare name
    raw = entry(geocoder, "Crimea")
    assert raw["country"] == "UA", (raw["id"], raw["kind"], raw["country"])


def test_gagauzia(geocoder):
    raw = entry(geocoder, "Gagauzia")
    assert (raw["kind"], raw["country"], raw["admin1_code"]) == ("admin1", "MD", "MD-GA")


@pytest.mark.parametrize("query,code", [("Russian", "RU"), ("Moldovan", "MD"), ("Ukrainian", "UA")])
def test_demonyms_give_the_country(geocoder, gaz, query, code):
    raw = entry(geocoder, query)
    assert (raw["id"], raw["kind"]) == (f"cc:{code}", "country")
    assert top(gaz, query).id == f"cc:{code}"


def test_unknown_names_give_none(geocoder, gaz):
    assert geocoder.geocode("Qzxvwplkt") is None
    assert gaz.search("Qzxvwplkt") == []
    with pytest.raises(UsageError):
        geocoder.geocode("   ")


# --------------------------------------------------------------------------- options


def test_country_codes_restrict_the_answer(geocoder):
    assert entry(geocoder, "Paris", country_codes="US")["country"] == "US"
    assert entry(geocoder, "Paris", country_codes=["us"])["country"] == "US"
    assert entry(geocoder, "Donetsk", country_codes="RU")["admin1_code"] == "RU-ROS"
    both = geocoder.geocode("Paris", exactly_one=False, country_codes=["US", "FR"], limit=20)
    assert {loc.raw["country"] for loc in both} == {"US", "FR"}
    assert geocoder.geocode("Krasnodar", country_codes="MD") is None


def test_featuretype_restricts_the_kind(geocoder):
    assert entry(geocoder, "Rostov", featuretype="state")["admin1_code"] == "RU-ROS"
    assert entry(geocoder, "Rostov", featuretype="admin1")["admin1_code"] == "RU-ROS"
    city = entry(geocoder, "Krasnodar Krai", featuretype="city")
    assert (city["kind"], city["admin1_code"]) == ("city", "RU-KDA")
    kyiv = geocoder.geocode("Kyiv", exactly_one=False, featuretype="admin1")
    assert kyiv and all(loc.raw["kind"] == "admin1" for loc in kyiv)
    assert geocoder.geocode("Black Sea", featuretype="country") is None


def test_search_kinds_and_country(gaz):
    assert all(p.kind == "admin1" for p, _ in gaz.search("Kyiv", kinds=("admin1",)))
    assert {p.country for p, _ in gaz.search("Odessa", country="us")} == {"US"}


def test_exactly_one_false_gives_a_ranked_list(geocoder, gaz):
    many = geocoder.geocode("Odessa", exactly_one=False, limit=5)
    assert isinstance(many, list) and 2 <= len(many) <= 5
    ids = [loc.raw["id"] for loc in many]
    assert len(set(ids)) == len(ids)
    assert ids[0] == entry(geocoder, "Odessa")["id"]
    assert many[0].raw["country"] == "UA"
    assert any(loc.raw["admin1_code"] == "US-TX" for loc in many[1:])
    # best first, and the same order as Gazetteer.search
    scores = [loc.raw["score"] for loc in many]
    assert scores == sorted(scores, reverse=True)
    assert ids == [place.id for place, _ in gaz.search("Odessa", limit=5)]
    assert len(geocoder.geocode("Odessa", exactly_one=False, limit=2)) == 2


def test_location_is_a_geopy_location(geocoder):
    from geopy.location import Location

    loc = geocoder.geocode("Taganrog")
    assert isinstance(loc, Location)
    assert (loc.latitude, loc.longitude) == (loc.raw["lat"], loc.raw["lon"])
    assert 47.0 < loc.latitude < 47.5 and 38.7 < loc.longitude < 39.2
    assert "Russia" in loc.address


# --------------------------------------------------------------------------- reverse


def test_reverse_in_kyiv(geocoder):
    loc = geocoder.reverse((50.4501, 30.5234))
    assert loc is not None
    assert "Kyiv" in loc.address
    assert loc.raw["city"]["id"] == "gn:703448"  # the city of Kyiv, not the nearest neighbourhood
    assert loc.raw["city"]["country"] == "UA" and loc.raw["city"]["admin1_code"] == "UA-30"
    region_ids = [r["id"] for r in loc.raw["regions"]]
    assert "ne1:UA-30" in region_ids and "cc:UA" in region_ids
    # "lat, lon" strings are accepted too
    assert geocoder.reverse("50.4501, 30.5234").address == loc.address


def test_reverse_in_the_black_sea(geocoder):
    loc = geocoder.reverse((43.3, 34.0))
    assert loc is not None
    assert loc.raw["city"] is None
    assert [r["id"] for r in loc.raw["regions"]][:1] == ["water:black-sea"]
    assert loc.address.startswith("Black Sea")


def test_reverse_rejects_non_points(geocoder):
    with pytest.raises(UsageError):
        geocoder.reverse("not a point")


# --------------------------------------------------------------------------- names.py


def test_fold():
    assert fold("Chișinău") == "Chisinau"
    assert fold("Chişinău") == "Chisinau"  # cedilla as well as comma below
    assert fold("Łódź") == "Lodz"
    assert fold("Kyïv") == "Kyiv"
    assert fold("Zaporizhzh’ya") == "Zaporizhzhya"
    assert fold("Ceadîr-Lunga") == "Ceadir-Lunga"


def test_name_key():
    assert name_key("Rostov-on-Don") == "rostov on don"
    assert name_key("the Black Sea") == "black sea"
    assert name_key("  CHIȘINĂU ") == "chisinau"
    assert name_key("Ust’-Luga") == "ust luga"
    assert name_key("Theodosia") == "theodosia"  # only the word "the" is dropped
    assert name_key("...") == ""


def test_loose_key_merges_transliterations():
    def same(a, b):
        return loose_key(name_key(a)) == loose_key(name_key(b))

    assert same("Afipskiy", "Afipsky")
    assert same("Afipskij", "Afipsky")
    assert same("Kiew", "Kiev")
    assert same("Zaporizhzhya", "Zaporizhzhia")
    assert same("Zaporozhye", "Zaporozhe")
    assert same("Kherson", "Herson")
    assert not same("Kyiv", "Kherson")
    assert not same("Rostov", "Rovno")


def test_split_kind_hint():
    assert split_kind_hint("rostov region") == ("rostov", "admin1")
    assert split_kind_hint("donetsk oblast") == ("donetsk", "admin1")
    assert split_kind_hint("krasnodar krai") == ("krasnodar", "admin1")
    assert split_kind_hint("region of murcia") == ("murcia", "admin1")
    assert split_kind_hint("black sea") == ("black sea", "water")
    assert split_kind_hint("sea of azov") == ("sea of azov", "water")
    assert split_kind_hint("kerch strait") == ("kerch strait", "water")
    assert split_kind_hint("kyiv") == ("kyiv", None)
    assert split_kind_hint("region") == ("region", None)


# --------------------------------------------------------------------------- index cache key


@pytest.fixture()
def tmp_data(tmp_path, monkeypatch):
    """A private copy of data/ and an empty cache folder (nothing is built here)."""
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    cache = tmp_path / "cache"
    monkeypatch.setenv("GEOMAP_DATA_DIR", str(data))
    monkeypatch.setenv("GEOMAP_CACHE_DIR", str(cache))
    return data, cache


def test_index_fingerprint_follows_its_inputs(tmp_data):
    from geomap.gazetteer.index import _fingerprint, index_path

    data, cache = tmp_data
    before = _fingerprint()
    assert _fingerprint() == before  # stable while nothing changes
    path = index_path()
    assert path.parent == cache and not path.exists()
    assert before in path.name

    aliases = data / "curated" / "macro_regions.toml"
    aliases.write_text(aliases.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    after = _fingerprint()
    assert after != before
    assert index_path() != path

    # a touched file (same content, new date) does not: checkouts of the same data share an index
    water = data / "regions" / "water.parquet"
    stat = water.stat()
    os.utime(water, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert _fingerprint() == after
    # changed content does
    water.write_bytes(water.read_bytes() + b"\0")
    assert _fingerprint() not in (before, after)
    assert not list(cache.glob("gazetteer-*.sqlite"))  # checking the key never builds


def test_index_fingerprint_names_a_missing_input(tmp_data):
    from geomap.gazetteer.index import _fingerprint

    data, _ = tmp_data
    (data / "gazetteer" / "countries.json").unlink()
    with pytest.raises(DataError, match="countries.json"):
        _fingerprint()


def test_us_county_points_lie_in_their_state(geocoder):
    # counties come from us-atlas polygons: each point must sit in its own county's state
    raw = entry(geocoder, "Laurel County")
    assert (raw["kind"], raw["admin1_code"]) == ("admin2", "US-KY")
    assert 36.9 < raw["lat"] < 37.4 and -84.4 < raw["lon"] < -83.8
    from geomap.regions import regions_containing

    codes = {r.code for r in regions_containing(raw["lat"], raw["lon"])}
    assert "US-KY" in codes


# --------------------------------------------------------------------------- key filters


def test_key_filters_never_refuse_a_stored_key(gaz):
    """The precomputed filters pass every key the names table holds, with a longest-name bound
    at least the key's word count; most keys that are not names are refused."""
    import random

    from geomap.gazetteer.index import KeyFilters

    filters = KeyFilters.load(gaz._db)
    rows = gaz._db.execute("SELECT key, loose FROM names WHERE rowid % 97 = 0").fetchall()
    assert len(rows) > 3000
    for key, loose in rows:
        assert filters.has(key) and filters.has(loose, loose=True), key
        words = key.split(" ")
        assert filters.longest_from(words[0]) >= len(words), key
    stored = {key for key, _ in gaz._db.execute("SELECT key, loose FROM names WHERE key LIKE 'zq%'")}
    rng = random.Random(7)
    made_up = {"zq" + "".join(rng.choice("bcdfghjklmnpqrstvwxz") for _ in range(9)) for _ in range(2000)} - stored
    assert sum(filters.has(word) for word in made_up) <= 5
    assert sum(filters.longest_from(word) > 0 for word in made_up) <= 5


def test_preloaded_filters_change_no_answer():
    """A geoparser with the key filters finds exactly what one that asks SQLite for every
    word sequence finds."""
    from geomap.gazetteer import Gazetteer
    from geomap.toponyms import Geoparser

    text = ("Drones struck an oil depot near Tuapse in Krasnodar Krai overnight, and Ukrainian forces "
            "shelled the Belgorod region. In Odesa, SBU officers detained two men; the Black Sea Fleet "
            "left Sevastopol. Officials in Chisinau and Tbilisi met in Geneva with Rostov-on-Don's mayor.")
    fast = Geoparser()
    slow_gaz = Gazetteer(fast.gazetteer.path)
    slow = Geoparser(slow_gaz)
    slow_gaz._filters = None  # as if never preloaded: every lookup goes to SQLite
    assert [(m.start, m.end, m.kind, m.place and m.place.id) for m in fast(text)] == \
           [(m.start, m.end, m.kind, m.place and m.place.id) for m in slow(text)]
    assert len(fast(text)) >= 8
