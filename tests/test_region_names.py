"""Region display names (geomap/_region_names.py, data/curated/region_names.toml): the official
romanisation the places inside use ("Odesa" region beside "Odesa" city), in region lists, the
spatial join, filters, pages; the layer's old name still finds the region."""

from __future__ import annotations

import geopandas as gpd
from shapely.geometry import Point

from geomap import regions
from geomap._region_names import display_name
from geomap.render import make_map


def test_the_curated_name_wins_and_others_stay():
    assert display_name("UA-51", "Odessa") == "Odesa"
    assert display_name("ua-51", "Odessa") == "Odesa"
    assert display_name("UA-63", "Kharkiv") == "Kharkiv"
    assert display_name(None, "Black Sea") == "Black Sea"


def test_region_lists_and_lookups_show_the_display_name():
    for query in ("Odessa", "Odesa", "UA-51", "Odes'ka Oblast'"):
        assert regions.resolve_region(query).name == "Odesa", query
    assert "Odesa" in {r.name for r in regions.list_regions("odes")}
    assert "Odessa" not in {r.name for r in regions.list_regions("odes")}


def test_the_spatial_join_writes_the_display_name():
    joined = regions.regions_at([(30.73, 46.48)])[0]  # the city of Odesa (lon, lat)
    assert "Odesa" in joined and "UA-51" in joined and "Odessa" not in joined


def test_a_page_from_an_older_file_shows_the_display_name():
    # a file written before the curated name: its region column says "Odessa"
    frame = gpd.GeoDataFrame(
        {"incident_type": ["air_strike"], "place": ["Odesa"], "country": ["UA"], "country_name": ["Ukraine"],
         "region": ["Odessa"], "region_code": ["UA-51"], "geo_precision": [1]},
        geometry=[Point(30.73, 46.48)], crs="EPSG:4326")
    names = {r["key"]: r["name"] for r in make_map(frame).payload["regions"]}
    assert names["UA-51"] == "Odesa"
    assert make_map(frame, regions=["Odessa"]).title == "Incidents in Odesa"
