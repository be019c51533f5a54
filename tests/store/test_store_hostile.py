"""The store against files that are not stores, read-only media and damaged pages (issue 10, 9-11).

Reproducers: opening a file as a store switched it to WAL and left -wal/-shm beside it, turned
a 0-byte file into a database and changed another tool's GeoPackage before refusing it; a store
in a read-only folder could not be read at all; damaged pages gave a UnicodeDecodeError traceback.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Point

from geomap.errors import InputError, OutputError
from geomap.render._synthetic import synthetic_incidents
from geomap.store import open_store, read_store, store_stats, upsert_store
from support.cli import geomap_cli


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


def other_tools_geopackage(path: Path) -> Path:
    gdf = gpd.GeoDataFrame({"name": ["a well"]}, geometry=[Point(30, 46)], crs="EPSG:4326")
    gdf.to_file(path, layer="wells", driver="GPKG")
    return path


def plain_sqlite(path: Path) -> Path:
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE notes (x TEXT)")
    con.execute("INSERT INTO notes VALUES ('keep me')")
    con.commit()
    con.close()
    return path


@pytest.mark.parametrize("make, message", [
    (lambda p: p.write_bytes(b""), "an empty file"),
    (lambda p: p.write_text("id,text\n1,hello\n"), "file is not a database"),
    (plain_sqlite, "not a GeoPackage"),
    (other_tools_geopackage, "no 'incidents' layer"),
])
def test_a_file_that_is_not_a_store_is_refused_unchanged(tmp_path, make, message):
    path = tmp_path / "x.gpkg"
    make(path)
    before = snapshot(tmp_path)
    for attempt in (lambda: open_store(path), lambda: read_store(path), lambda: store_stats(path),
                    lambda: upsert_store(path, synthetic_incidents(2))):
        with pytest.raises(InputError, match=message):
            attempt()
    result = geomap_cli("store", "add", "x.gpkg", "/dev/null", cwd=tmp_path)
    assert result.returncode == 1 and message in result.stderr and "Traceback" not in result.stderr
    assert snapshot(tmp_path) == before  # not a byte changed, no -wal/-shm/-journal beside it


@contextlib.contextmanager
def read_only_folder(folder: Path):
    """Make ``folder`` read-only for this process: chmod for a user, chattr +i for root."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(0o755)
        return
    done = subprocess.run(["chattr", "+i", str(folder)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot make a read-only folder as root here: {done.stderr.strip()}")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=True)


def test_a_store_in_a_read_only_folder_can_be_read(tmp_path):
    folder = tmp_path / "media"
    folder.mkdir()
    store = folder / "s.gpkg"
    gdf = synthetic_incidents(5)
    upsert_store(store, gdf)
    with read_only_folder(folder):
        assert not os.access(folder, os.W_OK)
        before = snapshot(folder)
        assert sorted(read_store(store)["id"]) == sorted(gdf["id"])
        assert store_stats(store)["incidents"] == 5
        result = geomap_cli("map", "--store", str(store), "-o", "m.html", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        with pytest.raises(OutputError, match="the store is read-only"):
            open_store(store)
        assert snapshot(folder) == before
    assert "5 incidents" in result.stderr


def test_reading_leaves_no_wal_or_shm_behind(tmp_path):
    store = tmp_path / "s.gpkg"
    upsert_store(store, synthetic_incidents(3))
    with open_store(store) as opened:
        opened.upsert(synthetic_incidents(4))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.gpkg"]
    read_store(store)
    store_stats(store)
    assert geomap_cli("store", "stats", "s.gpkg", cwd=tmp_path).returncode == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.gpkg"]
    con = sqlite3.connect(store)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one file at rest
    con.close()


def damaged_text(store: Path) -> None:
    """Turn the bytes of one stored sentence into bytes that are not UTF-8."""
    data = bytearray(store.read_bytes())
    marker = b"Distinct sentence 00001"
    at = data.find(marker)
    assert at > 0
    data[at:at + 4] = b"\xff\xfe\xfd\xfc"
    store.write_bytes(bytes(data))


def damaged_pages(store: Path) -> None:
    """Overwrite every page after the first two with noise."""
    data = bytearray(store.read_bytes())
    page = int.from_bytes(data[16:18], "big") or 65536
    for start in range(2 * page, len(data), page):
        data[start:start + page] = bytes((i * 131 + 7) % 256 for i in range(min(page, len(data) - start)))
    store.write_bytes(bytes(data))


ALL = [["store", "stats", "s.gpkg"], ["map", "--store", "s.gpkg", "-o", "m.html"],
       ["store", "export", "s.gpkg", "-o", "x.csv"],
       ["extract", "a.txt", "--store", "s.gpkg", "-o", "out.geojson"]]


@pytest.mark.parametrize("damage, commands", [(damaged_text, ALL[1:3]), (damaged_pages, ALL)])
def test_damaged_stores_are_named_not_a_traceback(tmp_path, damage, commands):
    """(Counting (stats) or adding (extract) need not read a damaged sentence: they may work.)"""
    store = tmp_path / "s.gpkg"
    gdf = synthetic_incidents(4)
    gdf["sentence"] = [f"Distinct sentence {i:05d} of the test." for i in range(4)]
    upsert_store(store, gdf)
    damage(store)
    with pytest.raises(InputError, match="not a readable incident store"):
        read_store(store)
    (tmp_path / "a.txt").write_text("date 2025-10-03\nDrones struck an oil depot in Tuapse overnight.\n")
    for args in commands:
        result = geomap_cli(*args, cwd=tmp_path)
        assert "Traceback" not in result.stderr, result.stderr
        assert result.returncode == 1, result.stderr
        assert "not a readable incident store" in result.stderr
