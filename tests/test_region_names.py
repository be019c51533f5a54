"""Region display names (geomap/_region_names.py, data/curated/region_names.toml): Ukraine's
regions by the national romanisation (KMU 2010) of their Ukrainian names ("Odesa" region beside
"Odesa" city), in region lists, the spatial join, the gazetteer, filters, pages, static maps and
every file or store read, whatever an older file holds; the layer's old name still finds the
region."""

from __future__ import annotations

import json
import sqlite3
import tomllib

import geopandas as gpd
from click.testing import CliRunner
from shapely.geometry import Point

import geomap
from geomap import regions
from geomap._paths import data_path
from geomap._region_names import display_name
from geomap._romanise import kmu2010
from geomap.cli import cli
from geomap.region_join import load_regions
from geomap.render import make_map
from geomap.store import upsert_store
from geomap.store.sqlfunctions import register_functions


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


def _curated():
    with open(data_path("curated", "region_names.toml"), "rb") as handle:
        return tomllib.load(handle)


def test_every_ukrainian_region_follows_the_national_romanisation():
    table = _curated()
    layer = load_regions("admin1")
    ukrainian = layer[layer["country"] == "UA"]
    assert len(ukrainian) == 27
    # each is named by the policy: its Ukrainian name romanised, or (the two units not named by a
    # place) Ukraine's own English name
    assert set(ukrainian["code"]) == set(table["ukraine"]) | {c for c in table["display"] if c.startswith("UA-")}
    for code, uk in table["ukraine"].items():
        assert regions.resolve_region(code).name == kmu2010(uk), code
    shown = dict(zip(ukrainian["code"], ukrainian["name"]))
    assert shown["UA-51"] == "Odesa" and shown["UA-23"] == "Zaporizhzhia" and shown["UA-48"] == "Mykolaiv"


def test_the_gazetteer_names_the_region_by_its_display_name():
    gazetteer = geomap.load_gazetteer()
    region = gazetteer.get("ne1:UA-51")
    assert region.name == "Odesa" and "Odessa" in region.alt_names  # the old name still finds it
    found = gazetteer.search("Odessa Oblast", limit=1)
    assert [(p.id, p.name) for p, _ in found] == [("ne1:UA-51", "Odesa")]


OLD = {"id": "0123456789ab", "incident_type": "shelling", "place": "Odessa", "place_id": "ne1:UA-51",
       "mention": "the region", "kind": "admin1", "lat": 46.48, "lon": 30.73, "country": "UA",
       "country_name": "Ukraine", "region": "Odessa", "region_code": "UA-51", "geo_precision": 2,
       "date": "2025-11-20", "date_precision": 1, "confidence": 0.8,
       "sentence": "Shelling hit villages in the region."}


def _old_geojson(path):
    """A file as geomap wrote it before the curated name: "Odessa" for the region and the place."""
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [OLD["lon"], OLD["lat"]]},
         "properties": OLD}]}), encoding="utf-8")
    return path


def _old_store(tmp_path):
    """A store filled before the curated name: its rows say "Odessa" (set in the file itself)."""
    store = tmp_path / "old.gpkg"
    frame = geomap.read_incidents(_old_geojson(tmp_path / "old.geojson"))
    upsert_store(store, frame)
    con = sqlite3.connect(store)
    register_functions(con)
    with con:
        con.execute("UPDATE incidents SET region = 'Odessa', place = 'Odessa'")
    assert con.execute("SELECT region, place FROM incidents").fetchall() == [("Odessa", "Odessa")]
    con.close()
    return store


def test_an_older_file_reads_with_the_display_names(tmp_path):
    gdf = geomap.read_incidents(_old_geojson(tmp_path / "old.geojson"))
    assert list(gdf["region"]) == ["Odesa"] and list(gdf["place"]) == ["Odesa"]
    assert gdf["region_code"].tolist() == ["UA-51"] and gdf["place_id"].tolist() == ["ne1:UA-51"]


def test_an_older_store_shows_the_display_names_everywhere(tmp_path):
    store = _old_store(tmp_path)
    assert list(geomap.read_store(store)["region"]) == ["Odesa"]
    out = tmp_path / "export.csv"
    result = CliRunner().invoke(cli, ["store", "export", str(store), "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "Odesa" in text and "Odessa" not in text
    svg = tmp_path / "map.svg"
    page = tmp_path / "map.html"
    result = CliRunner().invoke(cli, ["map", str(store), "-o", str(page), "--svg", str(svg)])
    assert result.exit_code == 0, result.output
    assert ">Odesa<" in svg.read_text(encoding="utf-8")  # the static map's place label


def test_a_frame_given_to_make_map_shows_the_region_place_by_its_display_name():
    frame = gpd.GeoDataFrame([{k: v for k, v in OLD.items() if k not in ("lat", "lon")}],
                             geometry=[Point(OLD["lon"], OLD["lat"])], crs="EPSG:4326")
    payload = make_map(frame).payload
    assert [payload["strings"][k] for k in payload["cols"]["place"]] == ["Odesa"]
