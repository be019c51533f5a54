"""Incident files, written and read for real with pyogrio, pyarrow and the json/csv modules."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace

import geopandas as gpd
import numpy as np
import pandas as pd
import pandas.testing as pdt
import pyarrow as pa
import pyarrow.parquet as pq
import pyogrio
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import Point

import geomap.export as export
from geomap.errors import InputError, OutputError, UsageError
from geomap.export import (
    empty_incidents, incidents_frame, normalize_incidents, read_incidents, sanitize_incidents,
    sanitize_text, write_incidents,
)
from geomap.models import INCIDENT_COLUMNS, Incident

EXTENSIONS = [".geojson", ".json", ".gpkg", ".parquet", ".geoparquet", ".csv"]
FORMAT_EXTENSIONS = [".geojson", ".gpkg", ".parquet", ".csv"]

EXPECTED_DTYPES = {
    **{c: np.dtype(object) for c in INCIDENT_COLUMNS},
    "lat": np.dtype("float64"), "lon": np.dtype("float64"), "confidence": np.dtype("float64"),
    "geo_precision": np.dtype("int64"), "date_precision": np.dtype("int64"),
    "reports": np.dtype("int64"),
}


def make(id_: str, **changes) -> Incident:
    base = Incident(
        id=id_, incident_type="naval_attack", place="Sevastopol", place_id="gn:694423",
        mention="Sevastopol", kind="city", lat=44.6167, lon=33.5254, country="UA",
        country_name="Ukraine", region="Sevastopol", region_code="UA-40", water="Black Sea",
        geo_precision=1, date="2024-05-02", date_precision=1,
        sentence="Sea drones attacked ships off Sevastopol.", source="art-1", title="Attack",
        url="https://example.org/1", confidence=0.8, geonameid=694423, sources=["art-1"],
        reports=1)
    return replace(base, **changes)


def sample():
    return incidents_frame([
        make("a"),
        make("b", place="Ростов-на-Дону", mention="Ростове", lat=47.2313, lon=39.7233,
             sentence='He said "<script>alert(\'x\')</script>" & left; «кавычки» — 東京 🚀',
             title="Quotes \", commas, and\nnew lines\r\n", url=None, water=None, date=None,
             geonameid=None, region=None, region_code=None, country_name=None,
             sources=["art-1", "art,2", 'art"3'], reports=3, confidence=1 / 3),
        make("c", lat=-0.1, lon=-179.999999, sources=[], reports=1, title=None, source=None,
             date_precision=3, geo_precision=4),
    ])


def assert_same(got, expected):
    pdt.assert_frame_equal(got, expected)
    assert got.crs.to_epsg() == 4326
    assert got.geometry.name == "geometry"


# --- round trips ---


@pytest.mark.parametrize("ext", EXTENSIONS)
def test_round_trip(tmp_path, ext):
    gdf = sample()
    path = write_incidents(gdf, tmp_path / f"incidents{ext}")
    assert path == tmp_path / f"incidents{ext}"
    got = read_incidents(path)
    assert_same(got, gdf)  # nothing in the sample needs sanitising
    assert got.dtypes.drop("geometry").to_dict() == EXPECTED_DTYPES
    assert got.loc[1, "sources"] == ["art-1", "art,2", 'art"3']
    assert got.loc[2, "sources"] == []
    assert got.loc[1, "date"] is None and got.loc[1, "geonameid"] is None
    assert got.loc[0, "geonameid"] == 694423 and type(got.loc[0, "geonameid"]) is int
    assert [(p.x, p.y) for p in got.geometry] == list(zip(gdf["lon"], gdf["lat"], strict=True))
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"incidents{ext}"]


@pytest.mark.parametrize("ext", FORMAT_EXTENSIONS)
def test_empty_round_trip(tmp_path, ext):
    empty = empty_incidents()
    assert list(empty.columns) == [*INCIDENT_COLUMNS, "geometry"]
    assert empty.dtypes.drop("geometry").to_dict() == EXPECTED_DTYPES
    assert_same(read_incidents(write_incidents(empty, tmp_path / f"e{ext}")), empty)


@pytest.mark.parametrize("ext", FORMAT_EXTENSIONS)
def test_driver_overrides_extension(tmp_path, ext):
    path = write_incidents(sample(), tmp_path / "incidents.dat", driver=ext.lstrip("."))
    assert_same(read_incidents(path, driver=ext.lstrip(".")), sample())


def test_incidents_frame_matches_records():
    records = [make("a"), make("b", lon=1.5, lat=-2.5, sources=["x", "y"], reports=2)]
    gdf = incidents_frame(records)
    assert list(gdf.columns) == [*INCIDENT_COLUMNS, "geometry"]
    assert gdf.loc[1, "sources"] == ["x", "y"]
    assert (gdf.geometry[1].x, gdf.geometry[1].y) == (1.5, -2.5)
    assert gdf.crs.to_epsg() == 4326
    assert [Incident(**{c: row[c] for c in INCIDENT_COLUMNS})
            for row in gdf.to_dict("records")] == records


# --- what each format looks like inside ---


def test_geojson_is_rfc7946(tmp_path):
    gdf = sample()
    path = write_incidents(gdf, tmp_path / "i.geojson")
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["type"] == "FeatureCollection"
    assert "crs" not in doc
    assert len(doc["features"]) == 3
    for feature, row in zip(doc["features"], gdf.itertuples(), strict=True):
        assert feature["type"] == "Feature"
        assert "crs" not in feature and "crs" not in feature["geometry"]
        assert feature["geometry"] == {"type": "Point", "coordinates": [row.lon, row.lat]}
        lon, lat = feature["geometry"]["coordinates"]
        assert -180 <= lon <= 180 and -90 <= lat <= 90
        assert isinstance(feature["properties"]["sources"], list)
        assert feature["id"] == row.id
    assert doc["features"][1]["properties"]["sentence"] == gdf.loc[1, "sentence"]
    # GDAL reads it as WGS84 lon/lat too
    gdal = pyogrio.read_dataframe(path)
    assert gdal.crs.to_epsg() == 4326
    assert (gdal.geometry.x.tolist(), gdal.geometry.y.tolist()) == (gdf["lon"].tolist(),
                                                                    gdf["lat"].tolist())


def test_geopackage_layer_and_json_lists(tmp_path):
    path = write_incidents(sample(), tmp_path / "i.gpkg")
    assert [name for name, _ in pyogrio.list_layers(path)] == ["incidents"]
    raw = pyogrio.read_dataframe(path, layer="incidents")
    assert json.loads(raw.loc[1, "sources"]) == ["art-1", "art,2", 'art"3']
    con = sqlite3.connect(path)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert con.execute("SELECT srs_id FROM gpkg_geometry_columns").fetchone() == (4326,)
    finally:
        con.close()


def test_geoparquet_keeps_list_columns(tmp_path):
    path = write_incidents(sample(), tmp_path / "i.parquet")
    schema = pq.read_schema(path)
    assert b"geo" in schema.metadata
    assert schema.field("sources").type == pa.list_(pa.string())
    assert pq.read_table(path).column("sources").to_pylist()[1] == ["art-1", "art,2", 'art"3']


def test_csv_has_lon_lat_and_geometry_is_optional(tmp_path):
    path = write_incidents(sample(), tmp_path / "i.csv")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert {"lon", "lat", "geometry"} <= set(frame.columns)
    assert json.loads(frame.loc[1, "sources"]) == ["art-1", "art,2", 'art"3']
    frame.drop(columns="geometry").to_csv(tmp_path / "nogeom.csv", index=False)
    assert_same(read_incidents(tmp_path / "nogeom.csv"), sample())


def test_plain_parquet_without_geometry_reads_from_lon_lat(tmp_path):
    pd.DataFrame(sample().drop(columns="geometry")).to_parquet(tmp_path / "plain.parquet")
    assert_same(read_incidents(tmp_path / "plain.parquet"), sample())


# --- normalising tables ---


def test_normalize_fills_defaults_and_converts():
    frame = pd.DataFrame([{c: getattr(make("a"), c) for c in INCIDENT_COLUMNS}])
    frame = frame.drop(columns=["sources", "reports", "water", "geonameid"])
    frame["date"] = [pd.Timestamp("2024-05-02")]
    frame["extra"] = ["dropped"]
    got = normalize_incidents(frame)
    assert list(got.columns) == [*INCIDENT_COLUMNS, "geometry"]
    row = got.iloc[0]
    assert (row["sources"], row["reports"], row["water"], row["geonameid"]) == ([], 1, None, None)
    assert row["date"] == "2024-05-02"
    assert (row.geometry.x, row.geometry.y) == (33.5254, 44.6167)


def test_normalize_reprojects():
    gdf = sample().to_crs(3857)
    got = normalize_incidents(gdf)
    assert got.crs.to_epsg() == 4326
    assert np.allclose(got.geometry.x, sample()["lon"]) and np.allclose(got.geometry.y,
                                                                         sample()["lat"])


def test_normalize_rejects_non_incident_tables():
    with pytest.raises(UsageError, match="missing column"):
        normalize_incidents(pd.DataFrame({"id": ["a"]}))
    frame = sample()
    frame["geo_precision"] = pd.Series(["high", 1, 1], dtype=object)
    with pytest.raises(UsageError, match="geo_precision"):
        normalize_incidents(pd.DataFrame(frame))
    with pytest.raises(UsageError):
        write_incidents([1, 2, 3], "x.geojson")


# --- errors ---


def test_unknown_extension_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError) as info:
        write_incidents(sample(), tmp_path / "i.shp")
    for ext in (".geojson", ".gpkg", ".parquet", ".csv"):
        assert ext in str(info.value)
    with pytest.raises(UsageError):
        write_incidents(sample(), tmp_path / "i.geojson", driver="kml")
    assert not list(tmp_path.iterdir())


def test_unwritable_location_is_an_output_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    for ext in FORMAT_EXTENSIONS:
        with pytest.raises(OutputError):
            write_incidents(sample(), blocker / f"i{ext}")
    folder = tmp_path / "taken.geojson"
    folder.mkdir()
    with pytest.raises(OutputError):
        write_incidents(sample(), folder)  # a folder sits where the file should go
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize("ext", FORMAT_EXTENSIONS)
def test_unreadable_files_are_input_errors(tmp_path, ext):
    with pytest.raises(InputError, match="no such file"):
        read_incidents(tmp_path / f"missing{ext}")
    broken = tmp_path / f"broken{ext}"
    broken.write_bytes(b'\x00\x01not what you think{"' * 50)
    with pytest.raises(InputError) as info:
        read_incidents(broken)
    assert str(broken) in str(info.value)


def test_wrong_content_is_an_input_error(tmp_path):
    (tmp_path / "x.geojson").write_text('{"type": "Feature", "properties": {}}')
    with pytest.raises(InputError, match="FeatureCollection"):
        read_incidents(tmp_path / "x.geojson")
    (tmp_path / "x.csv").write_text("id,place\na,b\n")  # not geomap's columns, and no location
    with pytest.raises(InputError, match="no location"):
        read_incidents(tmp_path / "x.csv")
    (tmp_path / "ragged.csv").write_text(",".join([*INCIDENT_COLUMNS]) + "\na,b\n")
    with pytest.raises(InputError, match=r"ragged.csv:2"):
        read_incidents(tmp_path / "ragged.csv")
    with pytest.raises(InputError, match="unknown extension"):
        read_incidents(tmp_path / "x.txt")
    (tmp_path / "d.gpkg").mkdir()
    with pytest.raises(InputError, match="folder"):
        read_incidents(tmp_path / "d.gpkg")


# --- atomic output ---


@pytest.mark.parametrize("ext", FORMAT_EXTENSIONS)
def test_failed_write_keeps_the_old_file(tmp_path, monkeypatch, ext):
    target = tmp_path / f"i{ext}"
    write_incidents(sample().iloc[:1], target)
    before = target.read_bytes()
    fmt = export.FORMATS[ext]
    real = export._WRITERS[fmt]
    written = []

    def half_then_fail(table, tmp):
        real(table, tmp)  # the new file is complete on disk ...
        written.append(tmp.stat().st_size)
        raise RuntimeError("crash before the rename")  # ... but the writer dies

    monkeypatch.setitem(export._WRITERS, fmt, half_then_fail)
    with pytest.raises(RuntimeError, match="crash"):
        write_incidents(sample(), target)
    assert written and written[0] > 0
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == [target.name]
    assert len(read_incidents(target)) == 1


# --- sanitising arbitrary text ---


def test_sanitize_rule():
    assert sanitize_text("a\x00b") == "ab"
    assert sanitize_text("\x00") is None
    assert sanitize_text("") is None
    assert sanitize_text(None) is None
    assert sanitize_text("x\ud800y") == "x\ufffdy"
    kept = "tab\there\nnl\r\x01\x1b\x7f\u2028 <script>\"'"
    assert sanitize_text(kept) == kept


@pytest.mark.parametrize("ext", FORMAT_EXTENSIONS)
def test_sanitised_on_write(tmp_path, ext):
    gdf = incidents_frame([make("a", sentence="nul\x00here", title="", place="\ud83d",
                                sources=["s\x00", ""])])
    got = read_incidents(write_incidents(gdf, tmp_path / f"i{ext}"))
    row = got.iloc[0]
    assert (row["sentence"], row["title"], row["place"]) == ("nulhere", None, "\ufffd")
    assert row["sources"] == ["s", ""]


# any code point, control characters included; surrogates and NUL/quotes/markup made frequent
_chars = st.characters(exclude_categories=())
any_text = st.text(st.one_of(_chars, _chars, _chars, st.integers(0xD800, 0xDFFF).map(chr),
                             st.sampled_from("\x00\r\n\t\x1b\"'<>&")), max_size=30)


@pytest.mark.parametrize("ext", FORMAT_EXTENSIONS)
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sentence=any_text, place=any_text, title=st.one_of(st.none(), any_text),
       sources=st.lists(any_text, max_size=3))
def test_arbitrary_text_survives(tmp_path, ext, sentence, place, title, sources):
    gdf = incidents_frame([make("p", sentence=sentence, place=place, title=title,
                                sources=sources), make("q", lon=0.0, lat=0.0)])
    path = write_incidents(gdf, tmp_path / f"prop{ext}")
    expected = sanitize_incidents(gdf)
    assert_same(read_incidents(path), expected)
    row = expected.iloc[0]
    for value in (row["sentence"], row["place"], row["title"]):
        assert value is None or (value and "\x00" not in value)
    if sentence and "\x00" not in sentence and not any("\ud800" <= ch <= "\udfff"
                                                       for ch in sentence):
        assert row["sentence"] == sentence  # everything else is kept exactly


def test_geodataframe_without_crs_is_taken_as_wgs84(tmp_path):
    gdf = gpd.GeoDataFrame(pd.DataFrame(sample().drop(columns="geometry")),
                           geometry=[Point(1, 2), Point(3, 4), Point(5, 6)])
    got = read_incidents(write_incidents(gdf, tmp_path / "i.geojson"))
    assert [(p.x, p.y) for p in got.geometry] == [(1, 2), (3, 4), (5, 6)]
