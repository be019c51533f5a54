"""The incident store: a real GeoPackage, real sqlite3, real writer processes."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import struct
import subprocess
import sys
from dataclasses import asdict, replace
from pathlib import Path

import pandas.testing as pdt
import pyogrio
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geomap.cli import main as cli_main
from geomap.errors import InputError, OutputError, UsageError
from geomap.export import empty_incidents, incidents_frame, read_incidents, write_incidents
from geomap.models import Incident
from geomap.store import (
    StoreResult, format_stats, merge_incident, open_store, read_store, store_stats, upsert_store,
)
from support.paths import REPO

WORKER = REPO / "tests" / "support" / "store_worker.py"


def make(id_: str, **changes) -> Incident:
    base = Incident(
        id=id_, incident_type="air_strike", place="Rostov-on-Don", place_id="gn:501175",
        mention="Rostov", kind="city", lat=47.2313, lon=39.7233, country="RU",
        country_name="Russia", region="Rostov Oblast", region_code="RU-ROS", water=None,
        geo_precision=1, date="2024-05-02", date_precision=1,
        sentence="Drones struck an oil depot near Rostov.", source="a1", title="Strike",
        url="https://example.org/a1", confidence=0.6, geonameid=501175, sources=["a1"], reports=1)
    return replace(base, **changes)


def dump(path: Path) -> list[str]:
    con = sqlite3.connect(path)
    try:
        return list(con.iterdump())
    finally:
        con.close()


def integrity(path: Path) -> str:
    con = sqlite3.connect(path)
    try:
        return con.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        con.close()


def worker(store: Path, prefix: str, batches: int, size: int, shared: int = 0,
           source: str = "w") -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(WORKER), str(store), "--prefix", prefix, "--batches", str(batches),
         "--size", str(size), "--shared", str(shared), "--source", source],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO)


# --- upsert semantics ---


def test_upsert_twice_changes_nothing(tmp_path):
    store = tmp_path / "s.gpkg"
    gdf = incidents_frame([make("a"), make("b", lon=30.5, lat=50.4, sources=["a1", "a2"])])
    assert upsert_store(store, gdf) == StoreResult(inserted=2)
    first_rows, first_dump = read_store(store), dump(store)
    assert upsert_store(store, gdf) == StoreResult(unchanged=2)
    pdt.assert_frame_equal(read_store(store), first_rows)
    assert dump(store) == first_dump
    assert first_rows["reports"].tolist() == [1, 2]


def test_sources_merge_across_upserts(tmp_path):
    store = tmp_path / "s.gpkg"
    upsert_store(store, incidents_frame([make("a"), make("b", lon=30.0)]))
    result = upsert_store(store, incidents_frame([
        make("a", sources=["a2", "a1"], source="a2", sentence="later, less sure", confidence=0.4,
             country_name=None),
        make("c", lon=31.0)]))
    assert result == StoreResult(inserted=1, updated=1, unchanged=0)
    rows = read_store(store).set_index("id")
    assert rows.loc["a", "sources"] == ["a1", "a2"]
    assert rows.loc["a", "reports"] == 2
    # lower confidence: the first sentence stays; a1 keeps its 0.6, a2 gets its share of the 0.4
    # the record spreads over two sources (1 - 0.6 ** 0.5), and the two corroborate
    assert rows.loc["a", "sentence"] == "Drones struck an oil depot near Rostov."
    a2 = 1 - 0.6 ** 0.5
    assert rows.loc["a", "confidence"] == round(1 - 0.4 * (1 - a2), 3) == 0.69
    assert rows.loc["a", "country_name"] == "Russia"
    # a third report with higher confidence replaces the evidence as a whole
    upsert_store(store, incidents_frame([make("a", sources=["a3"], source="a3", title=None,
                                              sentence="Officials confirmed it.",
                                              confidence=0.9)]))
    a = read_store(store).set_index("id").loc["a"]
    assert (a["sources"], a["reports"]) == (["a1", "a2", "a3"], 3)
    assert a["confidence"] == round(1 - 0.4 * (1 - a2) * 0.1, 3)
    assert (a["sentence"], a["source"], a["title"]) == ("Officials confirmed it.", "a3", None)


def test_duplicate_ids_in_one_batch_merge(tmp_path):
    store = tmp_path / "s.gpkg"
    result = upsert_store(store, [make("a"), make("a", sources=["a2"], source="a2")])
    assert result == StoreResult(inserted=1)
    assert read_store(store)["sources"].tolist() == [["a1", "a2"]]


def test_missing_values_are_filled_in(tmp_path):
    store = tmp_path / "s.gpkg"
    upsert_store(store, [make("a", region=None, geonameid=None)])
    assert upsert_store(store, [make("a")]) == StoreResult(updated=1)
    row = read_store(store).iloc[0]
    assert (row["region"], row["geonameid"]) == ("Rostov Oblast", 501175)


def test_record_without_sources_counts_its_source(tmp_path):
    store = tmp_path / "s.gpkg"
    upsert_store(store, [make("a", sources=[], source="x")])
    assert read_store(store)["sources"].tolist() == [["x"]]


texts = st.text(max_size=5)
records = st.builds(
    lambda s, src, conf, title: make("a", sentence=s or "s", sources=src, confidence=conf,
                                     title=title, source=src[0] if src else None),
    texts, st.lists(st.sampled_from(["a1", "a2", "a3", "a4"]), max_size=3),
    st.floats(0, 1), st.one_of(st.none(), texts))


@settings(max_examples=60, deadline=None)
@given(records, records)
def test_merge_is_idempotent(a, b):
    def as_dict(inc):
        return {**asdict(inc), "geometry": None}

    once = merge_incident(as_dict(a), as_dict(b), corroboration=True)
    assert merge_incident(once, as_dict(b), corroboration=True) == once
    assert merge_incident(once, as_dict(a), corroboration=True) == once
    assert once["confidence"] >= min(0.99, max(a.confidence, b.confidence)) - 0.0005
    flat = merge_incident(as_dict(a), as_dict(b), corroboration=False)
    assert flat["confidence"] <= max(a.confidence, b.confidence)  # no corroboration: never above both
    assert once["reports"] == len(once["sources"]) or once["sources"] == []
    assert len(set(once["sources"])) == len(once["sources"])


def test_failed_upsert_keeps_nothing_of_the_batch(tmp_path, monkeypatch):
    store = tmp_path / "s.gpkg"
    upsert_store(store, [make("a")])
    before = dump(store)
    import geomap.store.writer as store_module

    calls = []
    original = store_module.point_blob

    def failing_blob(x, y, srs_id=4326):
        calls.append(1)
        if len(calls) > 1:
            raise sqlite3.OperationalError("disk I/O error (simulated)")
        return original(x, y, srs_id)

    monkeypatch.setattr(store_module, "point_blob", failing_blob)
    with pytest.raises(OutputError, match="this upsert was rolled back, everything stored before it is kept"):
        upsert_store(store, [make("a", sources=["a9"]), make("b", lon=1.0), make("c", lon=2.0)])
    assert len(calls) == 2  # the first insert happened inside the transaction
    assert dump(store) == before


# --- a valid GeoPackage for GDAL ---


def test_store_is_a_geopackage_gdal_reads_and_filters(tmp_path):
    store = tmp_path / "s.gpkg"
    points = {"odesa": (30.73, 46.48), "rostov": (39.72, 47.23), "sevastopol": (33.52, 44.62),
              "chisinau": (28.86, 47.01)}
    upsert_store(store, [make(k, lon=x, lat=y) for k, (x, y) in list(points.items())[:2]])
    upsert_store(store, [make(k, lon=x, lat=y) for k, (x, y) in list(points.items())[2:]])
    assert integrity(store) == "ok"
    info = pyogrio.read_info(store, layer="incidents")
    assert info["crs"] == "EPSG:4326" and info["geometry_type"] == "Point"
    assert info["features"] == 4
    gdal = pyogrio.read_dataframe(store, layer="incidents")
    assert sorted(gdal["id"]) == sorted(points)
    for row in gdal.itertuples():
        assert (row.geometry.x, row.geometry.y) == points[row.id]
    assert json.loads(gdal.set_index("id").loc["odesa", "sources"]) == ["a1"]
    # the spatial index filled by GDAL's triggers answers bbox queries
    box = (30.0, 44.0, 34.0, 47.0)
    inside = sorted(k for k, (x, y) in points.items()
                    if box[0] <= x <= box[2] and box[1] <= y <= box[3])
    assert inside == ["odesa", "sevastopol"]
    assert sorted(pyogrio.read_dataframe(store, layer="incidents", bbox=box)["id"]) == inside
    # attributes tables: each source's confidence for each incident, the articles' content hashes
    assert [list(x) for x in pyogrio.list_layers(store)] == [["incidents", "Point"],
                                                             ["incident_sources", None],
                                                             ["article_hashes", None]]
    sources = pyogrio.read_dataframe(store, layer="incident_sources", read_geometry=False)
    assert sorted(sources["incident_id"]) == sorted(points) and set(sources["source"]) == {"a1"}
    assert sorted(read_store(store, bbox=box)["id"]) == inside
    con = sqlite3.connect(store)
    try:
        assert con.execute("SELECT COUNT(*) FROM rtree_incidents_geom").fetchone() == (4,)
        extent = con.execute("SELECT min_x, min_y, max_x, max_y, srs_id FROM gpkg_contents "
                             "WHERE table_name = 'incidents'").fetchone()
        blob = con.execute("SELECT geom FROM incidents WHERE id = 'odesa'").fetchone()[0]
        (journal,) = con.execute("PRAGMA journal_mode").fetchone()
        (app_id,) = con.execute("PRAGMA application_id").fetchone()
        unique = [r for r in con.execute("PRAGMA index_list(incidents)") if r[2]]
    finally:
        con.close()
    assert extent == (28.86, 44.62, 39.72, 47.23, 4326)
    assert blob[:2] == b"GP" and blob[2] == 0 and blob[3] == 0b1
    assert struct.unpack("<i", blob[4:8]) == (4326,)
    assert struct.unpack("<BIdd", blob[8:]) == (1, 1, 30.73, 46.48)
    assert journal == "delete"  # WAL while writers have it open; one file at rest
    assert app_id == 0x47504B47  # "GPKG"
    assert unique, "the id column needs a UNIQUE index"


def test_read_store_filters(tmp_path):
    store = tmp_path / "s.gpkg"
    upsert_store(store, [
        make("a", incident_type="air_strike", date="2024-05-01", lon=30.0, lat=46.0),
        make("b", incident_type="shelling", date="2024-05-03", lon=38.0, lat=47.0),
        make("c", incident_type="shelling", date=None, lon=179.5, lat=50.0),
        make("d", incident_type="protest", date="2024-05-09", lon=-179.5, lat=50.0)])
    assert read_store(store, types=["shelling"])["id"].tolist() == ["b", "c"]
    assert read_store(store, since="2024-05-02")["id"].tolist() == ["b", "d"]
    assert read_store(store, until="2024-05-03")["id"].tolist() == ["a", "b"]
    assert read_store(store, types=["air_strike", "shelling"],
                      until="2024-05-01")["id"].tolist() == ["a"]
    assert read_store(store, bbox=(179.0, 49.0, -179.0, 51.0))["id"].tolist() == ["c", "d"]
    assert read_store(store, types=[]).empty
    with pytest.raises(UsageError):
        read_store(store, since="May 2024")
    with pytest.raises(UsageError):
        read_store(store, bbox=(0, 10, 1, 5))


def test_read_store_has_read_incidents_dtypes(tmp_path):
    store = tmp_path / "s.gpkg"
    upsert_store(store, [make("a", geonameid=None, water="Black Sea")])
    got = read_store(store)
    out = write_incidents(got, tmp_path / "x.parquet")
    pdt.assert_frame_equal(read_incidents(out), got)
    assert got.dtypes.to_dict() == empty_incidents().dtypes.to_dict()
    assert read_store(tmp_path / "s.gpkg").crs.to_epsg() == 4326


def test_a_written_geopackage_can_become_a_store(tmp_path):
    path = write_incidents(incidents_frame([make("a"), make("b", lon=1.0)]), tmp_path / "x.gpkg")
    assert upsert_store(path, [make("a", sources=["z"])]) == StoreResult(updated=1)
    assert read_store(path).set_index("id").loc["a", "sources"] == ["a1", "z"]
    dup = write_incidents(incidents_frame([make("a"), make("a")]), tmp_path / "dup.gpkg")
    with pytest.raises(InputError, match="more than once"):
        upsert_store(dup, [make("c")])


def test_bad_stores_are_input_errors(tmp_path):
    with pytest.raises(InputError, match="no such"):
        read_store(tmp_path / "missing.gpkg")
    with pytest.raises(InputError, match="no such"):
        open_store(tmp_path / "missing.gpkg", create=False)
    junk = tmp_path / "junk.gpkg"
    junk.write_bytes(b"this is not a database at all" * 200)
    with pytest.raises(InputError, match="junk.gpkg"):
        read_store(junk)
    with pytest.raises(InputError):
        upsert_store(junk, [make("a")])
    other = tmp_path / "other.gpkg"
    import geopandas as gpd
    from shapely.geometry import Point

    gpd.GeoDataFrame({"name": ["x"]}, geometry=[Point(0, 0)], crs=4326).to_file(
        other, layer="roads", engine="pyogrio")
    with pytest.raises(InputError, match="no 'incidents' layer"):
        store_stats(other)
    with pytest.raises(UsageError):
        upsert_store(tmp_path / "s.gpkg", [make(None)])


def test_unwritable_store_location_is_an_output_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputError):
        upsert_store(blocker / "s.gpkg", [make("a")])


def test_stats(tmp_path):
    store = tmp_path / "s.gpkg"
    upsert_store(store, [
        make("a", incident_type="air_strike", date="2024-05-01", sources=["x", "y"]),
        make("b", incident_type="shelling", date="2024-05-01", region_code=None, country="UA",
             sources=["y"]),
        make("c", incident_type="shelling", date=None, sources=["z"])])
    stats = store_stats(store)
    assert stats["incidents"] == 3 and stats["reports"] == 4 and stats["sources"] == 3
    assert stats["by_type"] == {"shelling": 2, "air_strike": 1}
    assert stats["by_region"] == {"RU-ROS": 2, "UA": 1}
    assert stats["by_country"] == {"RU": 2, "UA": 1}
    assert stats["by_day"] == {"2024-05-01": 2, "undated": 1}
    text = format_stats(stats)
    assert "3 incidents from 3 sources (4 reports)" in text
    assert "shelling" in text and "RU-ROS" in text


# --- CLI ---


def test_cli_stats_export_add(tmp_path, capsys):
    store = tmp_path / "s.gpkg"
    upsert_store(store, [make("a"), make("b", incident_type="shelling", lon=30.0, lat=46.0)])
    assert cli_main(["store", "stats", str(store), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["by_type"] == {"air_strike": 1, "shelling": 1}
    assert cli_main(["store", "stats", str(store)]) == 0
    assert "2 incidents" in capsys.readouterr().out
    out = tmp_path / "out.geojson"
    assert cli_main(["store", "export", str(store), "-o", str(out), "--type", "shelling"]) == 0
    assert read_incidents(out)["id"].tolist() == ["b"]
    assert cli_main(["store", "export", str(store), "-o", str(out),
                     "--bbox", "35,45,41,49"]) == 0
    assert read_incidents(out)["id"].tolist() == ["a"]
    extra = write_incidents(incidents_frame([make("c", lon=1.0)]), tmp_path / "c.csv")
    broken = tmp_path / "broken.geojson"
    broken.write_text("{not json")
    assert cli_main(["store", "add", str(store), str(extra), str(broken)]) == 1
    assert "broken.geojson" in capsys.readouterr().err
    assert sorted(read_store(store)["id"]) == ["a", "b", "c"]


def test_cli_exit_codes(tmp_path, capsys):
    assert cli_main(["store", "stats", str(tmp_path / "missing.gpkg")]) == 1
    assert "no such incident store" in capsys.readouterr().err
    store = tmp_path / "s.gpkg"
    upsert_store(store, [make("a")])
    assert cli_main(["store", "export", str(store), "-o", str(tmp_path / "x.txt")]) == 2
    assert "unknown extension" in capsys.readouterr().err
    assert cli_main(["store", "export", str(store), "-o", str(tmp_path / "x.csv"),
                     "--bbox", "1,2,3"]) == 2
    assert cli_main(["store", "--help"]) == 0
    assert "Examples" in capsys.readouterr().out


# --- real processes ---


def test_killed_writer_keeps_every_committed_batch(tmp_path):
    store = tmp_path / "s.gpkg"
    size, wanted = 40, 5
    proc = worker(store, "k", batches=100_000, size=size)
    committed = []
    try:
        for line in proc.stdout:
            committed.append(int(line.split()[1]))
            if len(committed) == wanted:
                break
        assert len(committed) == wanted, proc.stderr.read()
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    rows = read_store(store)  # a read-only reader first: it must cope with the hot WAL
    assert integrity(store) == "ok"
    gdal = pyogrio.read_dataframe(store, layer="incidents")
    assert sorted(gdal["id"]) == sorted(rows["id"])
    batches = {int(i.split("-")[1]) for i in rows["id"]}
    assert set(committed) <= batches
    assert len(rows) == size * len(batches)  # whole batches only, never half of one
    # the store stays writable after the crash
    assert upsert_store(store, [make("after")]).inserted == 1
    assert integrity(store) == "ok"


def test_two_writers_serialise(tmp_path):
    store = tmp_path / "s.gpkg"  # both processes race to create it too
    batches, size, shared = 12, 10, 5
    procs = [worker(store, "a", batches, size, shared, source="A"),
             worker(store, "b", batches, size, shared, source="B")]
    for proc in procs:
        out, err = proc.communicate()
        assert proc.returncode == 0, err
        assert len(out.splitlines()) == batches
    assert integrity(store) == "ok"
    rows = read_store(store).set_index("id")
    assert len(rows) == 2 * batches * size + batches * shared
    own = rows[~rows.index.str.startswith("shared-")]
    assert (own["reports"] == 1).all()
    assert sorted(own["sources"].map(tuple).unique()) == [("A",), ("B",)]
    both = rows[rows.index.str.startswith("shared-")]
    assert len(both) == batches * shared
    assert (both["reports"] == 2).all()
    assert all(sorted(s) == ["A", "B"] for s in both["sources"])
    assert pyogrio.read_info(store, layer="incidents")["features"] == len(rows)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".s.gpkg")]


def test_reader_sees_whole_batches_while_a_writer_writes(tmp_path):
    store = tmp_path / "s.gpkg"
    size, batches = 25, 25
    upsert_store(store, [make("seed")])
    proc = worker(store, "r", batches, size)
    seen = []
    try:
        for _line in proc.stdout:
            for _ in range(2):  # read between (and, by chance, during) commits
                rows = read_store(store)
                assert (len(rows) - 1) % size == 0, len(rows)
                seen.append(len(rows))
                stats = store_stats(store)
                assert (stats["incidents"] - 1) % size == 0
        proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        err = proc.stderr.read()
        proc.stderr.close()
    assert proc.returncode == 0, err
    assert seen and max(seen) <= 1 + size * batches
    assert len(read_store(store)) == 1 + size * batches


# --- the pipeline's rows and grouped commits ---


def test_rows_straight_from_candidates_are_the_rows_of_the_frame(tmp_path):
    """upsert_records(Pipeline.store_records(...)) stores what upsert(Pipeline.frame(...)) stores:
    the same coerced, sanitised values and regions, without a GeoDataFrame per article."""
    import geomap
    from geomap._paths import data_path
    from geomap.models import Article
    from geomap.pipeline import Pipeline
    from geomap.store import records as store_records

    pipe = Pipeline()
    articles = list(geomap.read_articles(data_path("examples")))
    odd = articles[0]
    articles.append(Article(id="odd", text=odd.text.replace("overnight", "over\x00night \ud800"),
                            date=odd.date, title="A \ud800 title\x00", source="odd\x00source"))
    compared = 0
    with open_store(tmp_path / "rows.gpkg") as fast, open_store(tmp_path / "frame.gpkg") as slow:
        for article in articles:
            found = pipe.article(article)
            rows = [store_records.canonical(r) for r in pipe.store_records(found)]
            frame = store_records.records(pipe.frame(found, min_confidence=0.0))
            assert [{**r, "geometry": r["geometry"].wkt} for r in rows] == \
                   [{**r, "geometry": r["geometry"].wkt} for r in frame]
            compared += len(rows)
            fast.upsert_records(pipe.store_records(found), min_confidence=pipe.min_confidence)
            slow.upsert(pipe.frame(found, min_confidence=0.0), min_confidence=pipe.min_confidence)
    assert compared >= 10
    import re

    def timeless(path):  # the gpkg_contents change stamps differ by milliseconds
        return [re.sub(r"'\d{4}-\d\d-\d\dT[\d:.]+Z'", "'T'", line) for line in dump(path)]

    assert timeless(tmp_path / "rows.gpkg") == timeless(tmp_path / "frame.gpkg")


def test_grouped_upserts_commit_together_and_a_failed_one_keeps_the_group(tmp_path, monkeypatch):
    store = tmp_path / "s.gpkg"
    upsert_store(store, [make("seed")])
    with open_store(store, commit_every=3600) as grouped:
        grouped.upsert([make("a")], article=("hash-a", "a1"))
        grouped.upsert([make("b", lon=1.0)], article=("hash-b", "b1"))
        assert grouped.known(["hash-a", "hash-b", "hash-c"]) == {"hash-a", "hash-b"}
        assert sorted(read_store(store)["id"]) == ["seed"]  # another reader: not committed yet
        assert grouped.committed == 0
        import geomap.store.writer as store_module

        original = store_module.point_blob

        def failing_blob(x, y, srs_id=4326):
            raise sqlite3.OperationalError("disk I/O error (simulated)")

        monkeypatch.setattr(store_module, "point_blob", failing_blob)
        with pytest.raises(OutputError, match="this upsert was rolled back"):
            grouped.upsert([make("c", lon=2.0)], article=("hash-c", "c1"))
        monkeypatch.setattr(store_module, "point_blob", original)
        # the failed upsert is gone, the group's earlier ones are committed
        assert grouped.committed == 2
        assert sorted(read_store(store)["id"]) == ["a", "b", "seed"]
        grouped.upsert([make("d", lon=3.0)], article=("hash-d", "d1"))
    assert sorted(read_store(store)["id"]) == ["a", "b", "d", "seed"]  # close() commits
    with open_store(store) as again:
        assert again.known(["hash-a", "hash-c", "hash-d"]) == {"hash-a", "hash-d"}
    assert integrity(store) == "ok"
