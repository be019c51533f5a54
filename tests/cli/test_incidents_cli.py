"""`geomap extract` end to end with the real offline geoparser, and geomap.extract's frame."""

from __future__ import annotations

import json

from click.testing import CliRunner

from geomap._paths import data_path
from geomap.cli import cli
from geomap.incidents.taxonomy import INCIDENT_TYPES

EXAMPLES = data_path("examples")


def test_extract_examples_to_geojson_and_back(tmp_path):
    out = tmp_path / "incidents.geojson"
    result = CliRunner().invoke(cli, ["extract", str(EXAMPLES), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["type"] == "FeatureCollection" and "crs" not in doc
    props = [f["properties"] for f in doc["features"]]
    assert props and all(f["geometry"]["type"] == "Point" for f in doc["features"])
    assert {"id", "incident_type", "place", "confidence", "sources", "reports"} <= set(props[0])
    assert {p["incident_type"] for p in props} == set(INCIDENT_TYPES)
    # ids are stable across runs
    again = tmp_path / "again.csv"
    assert CliRunner().invoke(cli, ["extract", str(EXAMPLES), "-o", str(again), "-q"]).exit_code == 0
    from geomap.export import read_incidents
    assert sorted(read_incidents(again)["id"]) == sorted(p["id"] for p in props)


def test_extract_types_filter_and_usage_errors(tmp_path):
    out = tmp_path / "x.gpkg"
    runner = CliRunner()
    ok = runner.invoke(cli, ["extract", str(EXAMPLES), "-o", str(out), "--types", "protest,diplomacy", "-q"])
    assert ok.exit_code == 0, ok.output
    from geomap.export import read_incidents
    assert set(read_incidents(out)["incident_type"]) <= {"protest", "diplomacy"}
    assert runner.invoke(cli, ["extract", str(EXAMPLES), "-o", str(out), "--types", "bombing"]).exit_code == 2
    assert runner.invoke(cli, ["extract", str(EXAMPLES)]).exit_code == 2
    assert runner.invoke(cli, ["extract", str(tmp_path / "missing.txt"), "-o", str(out)]).exit_code == 2


def test_extract_bad_input_exits_1_and_keeps_the_rest(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("date 2025-11-29\nRussian drones struck an oil depot in Odesa overnight.\n", encoding="utf-8")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "Drones struck Kherson.", "date": "2025-11-29"}\n{not json\n', encoding="utf-8")
    out = tmp_path / "out.parquet"
    result = CliRunner().invoke(cli, ["extract", str(good), str(bad), "-o", str(out), "-q"])
    assert result.exit_code == 1
    from geomap.export import read_incidents
    places = set(read_incidents(out)["place"])
    assert "Odesa" in places or "Odessa" in places


def test_extract_api_returns_geodataframe():
    import geomap
    gdf = geomap.extract("date 2025-11-29\nRussian artillery shelled Kherson on Saturday.")
    assert gdf.crs.to_epsg() == 4326
    row = gdf.iloc[0]
    assert row["incident_type"] == "shelling" and row["country"] == "UA" and row["date"] == "2025-11-29"
    assert row["geo_precision"] == 1 and row["region_code"]
