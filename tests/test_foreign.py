"""Maps from other tools' data: tables of points without geomap's columns (GeoJSON, GeoPackage,
GeoParquet, CSV, all written here with the real writers), an ACLED-shaped export with ACLED's
types, column mapping, the "other" layer, and no map replaced after a failed read. The rows are
written for these tests."""

from __future__ import annotations

import csv
import json

import geopandas as gpd
import pyogrio
import pytest
import shapely
from click.testing import CliRunner

import geomap
from geomap.cli import cli
from geomap.errors import InputError
from geomap.foreign import find_columns
from geomap.incidents.taxonomy import OTHER, load_taxonomy
from support.acled_rows import ACLED_ROWS, write_acled_csv
from support.pagedata import payload_of

# (category, day, town, note, lon, lat): a tool's own vocabulary, one type geomap does not know
ROWS = [
    ("Shelling / artillery", "2025-11-02", "Kupiansk", "Test note: shells fell near the depot.", 37.61, 49.71),
    ("air_strike", "2025-11-03", "Odesa", "Test note: a drone hit a port shed.", 30.73, 46.48),
    ("Checkpoint set up", "2025-11-04", "Zaporizhzhia", "Test note: a new checkpoint.", 35.14, 47.84),
]


def tool_frame() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"what": [r[0] for r in ROWS], "when": [r[1] for r in ROWS], "where": [r[2] for r in ROWS],
         "story": [r[3] for r in ROWS]},
        geometry=shapely.points([r[4] for r in ROWS], [r[5] for r in ROWS]), crs="EPSG:4326")


def check(gdf, *, mapped: bool):
    assert list(gdf["lon"].round(2)) == [r[4] for r in ROWS]
    assert list(gdf["lat"].round(2)) == [r[5] for r in ROWS]
    assert list(gdf["region_code"].str[:3]) == ["UA-"] * 3  # regions from the point
    if mapped:
        assert list(gdf["incident_type"]) == ["shelling", "air_strike", OTHER]
        assert list(gdf["date"]) == [r[1] for r in ROWS]
        assert list(gdf["place"]) == [r[2] for r in ROWS]
        assert list(gdf["sentence"]) == [r[3] for r in ROWS]


@pytest.mark.parametrize("suffix", [".gpkg", ".parquet", ".geojson"])
def test_points_of_another_tool_map_with_mapped_columns(tmp_path, suffix):
    path = tmp_path / f"theirs{suffix}"
    frame = tool_frame()
    if suffix == ".parquet":
        frame.to_parquet(path)
    else:
        pyogrio.write_dataframe(frame, path, driver="GPKG" if suffix == ".gpkg" else "GeoJSON")
    only_location = geomap.read_incidents(path)  # no option: only the location is known
    check(only_location, mapped=False)
    assert set(only_location["incident_type"]) == {OTHER}
    gdf = geomap.read_incidents(path, columns={"type": "what", "date": "when", "place": "where",
                                               "text": "story"})
    check(gdf, mapped=True)
    # the other layer is a real layer: its own type entry, label and colour in the page
    types = {t["id"]: t for t in geomap.make_map(gdf).payload["types"]}
    assert types[OTHER]["label"] == load_taxonomy()[OTHER].label
    assert types[OTHER]["colour"] not in {t["colour"] for k, t in types.items() if k != OTHER}


def test_projected_points_are_read_in_lon_lat(tmp_path):
    path = tmp_path / "metres.gpkg"
    pyogrio.write_dataframe(tool_frame().to_crs(3857), path, driver="GPKG")
    check(geomap.read_incidents(path), mapped=False)


def test_csv_with_common_latitude_longitude_names(tmp_path):
    for lat, lon in (("latitude", "longitude"), ("Lat", "Lng"), ("y", "x"), ("LAT", "long")):
        path = tmp_path / f"{lat}-{lon}.csv"
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["type", "date", "place", "description", lat, lon])
            writer.writerows([r[0], r[1], r[2], r[3], r[5], r[4]] for r in ROWS)
        gdf = geomap.read_incidents(path)
        check(gdf, mapped=True)


def test_an_acled_export_maps_with_acled_types(tmp_path):
    path = write_acled_csv(tmp_path / "acled.csv")
    rows = ACLED_ROWS
    gdf = geomap.read_incidents(path)
    assert list(gdf["incident_type"]) == ["shelling", "remote_explosive", "territory_change", OTHER]
    assert list(gdf["sub_event_type"]) == [r[2] for r in rows]  # ACLED's own, kept
    assert list(gdf["date"]) == ["2025-11-02", "2025-11-04", "2025-11-05", "2025-11-06"]
    assert list(gdf["geo_precision"]) == [1, 2, 1, 3]
    assert list(gdf["sentence"]) == [r[7] for r in rows]
    # the same mapping both ways: what geomap writes for a type reads back as that type
    tax = load_taxonomy()
    for t in tax:
        assert tax.from_acled(t.sub_event_type) in (t.id, *[u.id for u in tax if u.id != t.id
                                                            and u.sub_event_type == t.sub_event_type], OTHER)
        assert all(tax.from_acled(s) == t.id for s in t.acled_reads)


def test_bad_rows_are_named_and_skipped(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("lat,lon,date\n49.7,37.6,2025-11-02\nnorth,37.6,2025-11-02\n49.7,37.6,the day after\n"
                    ",,2025-11-03\n91,37.6,2025-11-02\n", encoding="utf-8")
    errors: list[InputError] = []
    gdf = geomap.read_incidents(path, on_error=errors.append)
    assert len(gdf) == 1
    assert [e.line for e in errors] == [3, 4, 5, 6]
    assert "not numbers" in str(errors[0]) and "not a date" in str(errors[1])
    assert "no location" in str(errors[2]) and "not on the globe" in str(errors[3])


def test_a_table_without_location_is_refused_and_a_mapped_column_must_exist(tmp_path):
    path = tmp_path / "nowhere.csv"
    path.write_text("place,date\nKupiansk,2025-11-02\n", encoding="utf-8")
    with pytest.raises(InputError, match="no location"):
        geomap.read_incidents(path)
    with pytest.raises(InputError, match="no column 'kind'"):
        find_columns(["lat", "lon"], {"type": "kind"})


def test_cli_maps_another_tools_file_and_a_failed_read_keeps_the_map(tmp_path):
    good = tmp_path / "theirs.geojson"
    good.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [r[4], r[5]]},
         "properties": {"kind_of_event": r[0], "when": r[1]}} for r in ROWS]}), encoding="utf-8")
    out = tmp_path / "map.html"
    result = CliRunner().invoke(cli, ["map", str(good), "-o", str(out), "--type-column", "kind_of_event",
                                      "--date-column", "when"])
    assert result.exit_code == 0, result.output
    payload = payload_of(out.read_text(encoding="utf-8"))
    assert [t["id"] for t in payload["types"]] == ["air_strike", "shelling", OTHER]
    before = out.read_bytes()
    broken = tmp_path / "nowhere.csv"
    broken.write_text("place,date\nKupiansk,2025-11-02\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["map", str(broken), "-o", str(out)])
    assert result.exit_code == 1 and "no location" in result.output and "no map written" in result.output
    assert out.read_bytes() == before
    result = CliRunner().invoke(cli, ["map", str(good), "-o", str(out), "--type-column", "missing"])
    assert result.exit_code == 1 and "no column 'missing'" in result.output
    assert out.read_bytes() == before
