"""Failures on the output side (issue 10): bad records, failed runs, unwritable targets, a store
that cannot be written mid-run, outputs that are inputs, links, leftovers of killed writers.

Each test starts from the issue's reproducer and runs the real ``geomap`` command.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

import geomap
from geomap.export import write_incidents
from geomap.render._synthetic import synthetic_incidents
from geomap.store import open_store
from support.cli import command, env, geomap_cli
from support.feed import FifoFeed


@pytest.fixture
def good(tmp_path):
    """Six good incidents as GeoJSON, and the parsed document to break copies of."""
    path = tmp_path / "good.geojson"
    write_incidents(synthetic_incidents(6), path)
    return path, json.loads(path.read_text(encoding="utf-8"))


def broken_copy(tmp_path, doc, name, feature, **changes):
    doc = json.loads(json.dumps(doc))
    props = doc["features"][feature]["properties"]
    for key, value in changes.items():
        if key == "coordinates":
            doc["features"][feature]["geometry"]["coordinates"] = value
        else:
            props[key] = value
    path = tmp_path / name
    path.write_text(json.dumps(doc), encoding="utf-8")  # NaN/Infinity as JSON's usual extension
    return path


@pytest.mark.parametrize("changes, reason", [
    ({"incident_type": "alien_invasion"}, "unknown incident_type 'alien_invasion'"),
    ({"coordinates": [float("nan"), 45.0]}, "geometry coordinates are not finite"),
    ({"coordinates": [float("inf"), 45.0]}, "geometry coordinates are not finite"),
    ({"coordinates": [1e308, 45.0], "lon": 1e308}, "not on the globe"),
    ({"reports": 1e30}, "is out of range"),
    ({"confidence": 7.0}, "confidence 7.0 is not between 0 and 1"),
])
def test_a_bad_record_is_named_and_skipped(tmp_path, good, changes, reason):
    _, doc = good
    bad = broken_copy(tmp_path, doc, "bad.geojson", 2, **changes)
    result = geomap_cli("map", "bad.geojson", "-o", "m.html", cwd=tmp_path)
    assert "Traceback" not in result.stderr
    assert result.returncode == 1, result.stderr
    assert f"error: {bad.name}: feature 3: " in result.stderr and reason in result.stderr
    assert "wrote m.html (5 incidents)" in result.stderr  # the map shows the rest


def test_a_store_with_an_unknown_type_can_still_be_mapped(tmp_path, good):
    """`store add` used to accept an unknown type, and that store could never be mapped."""
    _, doc = good
    broken_copy(tmp_path, doc, "bad.geojson", 0, incident_type="alien_invasion")
    added = geomap_cli("store", "add", "s.gpkg", "bad.geojson", cwd=tmp_path)
    assert added.returncode == 1 and "unknown incident_type 'alien_invasion'" in added.stderr
    assert len(geomap.read_store(tmp_path / "s.gpkg")) == 5
    mapped = geomap_cli("map", "--store", "s.gpkg", "-o", "m.html", cwd=tmp_path)
    assert mapped.returncode == 0, mapped.stderr


def test_a_failed_run_leaves_existing_outputs_as_they_were(tmp_path, good):
    path, _ = good
    first = geomap_cli("map", path.name, "-o", "keep.html", "--png", "keep.png", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    before = {name: (tmp_path / name).read_bytes() for name in ("keep.html", "keep.png")}
    (tmp_path / "broken.gpkg").write_bytes(b"this is not a database at all" * 40)
    result = geomap_cli("map", "--store", "broken.gpkg", "-o", "keep.html", "--png", "keep.png",
                        cwd=tmp_path)
    assert result.returncode == 1
    assert "broken.gpkg: not a readable incident store" in result.stderr
    assert "no map written (no input could be read); keep.html, keep.png left as they were" in result.stderr
    assert {name: (tmp_path / name).read_bytes() for name in before} == before


def fsize_limit(limit: int):
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def unwritable_folder(tmp_path) -> Path:
    """A folder this process cannot create files in (root writes anywhere but sysfs)."""
    if os.geteuid() == 0:
        return Path("/sys")
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    return folder


@pytest.mark.parametrize("flag, name", [("-o", "m.html"), ("--embed", "m.html"),
                                        ("--png", "m.png"), ("--svg", "m.svg")])
def test_unwritable_output_is_a_clear_error(tmp_path, good, flag, name):
    path, _ = good
    folder = unwritable_folder(tmp_path)
    target = str(folder / name)
    args = ["-o", target, "--embed"] if flag == "--embed" else [flag, target]
    result = geomap_cli("map", path.name, *args, cwd=tmp_path)
    assert "Traceback" not in result.stderr
    assert result.returncode == 1
    assert f"cannot write {target}: " in result.stderr and "is unchanged" in result.stderr


@pytest.mark.parametrize("flag, name", [("-o", "m.html"), ("--png", "m.png"), ("--svg", "m.svg")])
def test_a_full_disk_is_a_clear_error_and_keeps_the_old_file(tmp_path, good, flag, name):
    path, _ = good
    (tmp_path / name).write_bytes(b"the previous version")
    done = subprocess.run(command("map", path.name, flag, name), cwd=tmp_path, env=env(),
                          capture_output=True, text=True, preexec_fn=fsize_limit(20_000), timeout=300)
    assert "Traceback" not in done.stderr
    assert done.returncode == 1
    assert f"cannot write {name}: File too large" in done.stderr
    assert (tmp_path / name).read_bytes() == b"the previous version"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_extract_to_a_full_disk_is_a_clear_error(tmp_path):
    (tmp_path / "a.txt").write_text("date 2025-10-03\nDrones struck an oil depot in Tuapse overnight.\n")
    done = subprocess.run(command("extract", "a.txt", "-o", "out.geojson"), cwd=tmp_path, env=env(),
                          capture_output=True, text=True, preexec_fn=fsize_limit(200), timeout=300)
    assert "Traceback" not in done.stderr and done.returncode == 1
    assert "cannot write out.geojson: File too large" in done.stderr
    assert not (tmp_path / "out.geojson").exists()


def test_a_store_locked_mid_run_keeps_what_it_kept_and_the_output_gets_everything(tmp_path):
    """extract --store: a lock held longer than the writer waits. The -o file still gets every
    article, and the message says how many articles the store kept."""
    lines = [(json.dumps({"id": f"a{k}", "date": "2025-10-03",
                          "text": f"Drones struck an oil depot in {place} overnight, officials said."})
              + "\n").encode() for k, place in enumerate(["Tuapse", "Kherson", "Odesa", "Mykolaiv", "Kerch",
                                                          "Anapa"] * 5)]
    open_store(tmp_path / "s.gpkg").close()  # an empty store
    # the run gets 10 articles, then waits for the rest until the store is locked
    with FifoFeed(tmp_path / "feed.jsonl", b"".join(lines[:10]), b"".join(lines[10:])) as feed:
        proc = subprocess.Popen(command("extract", "feed.jsonl", "-o", "out.geojson", "--store", "s.gpkg",
                                        "--commit-every", "0"),
                                cwd=tmp_path, env={**env(), "GEOMAP_STORE_TIMEOUT": "1"},
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        con = sqlite3.connect(tmp_path / "s.gpkg", isolation_level=None, timeout=60)
        deadline = time.monotonic() + 240
        while proc.poll() is None and time.monotonic() < deadline:  # the first committed article
            if con.execute("SELECT COUNT(*) FROM incident_sources").fetchone()[0]:
                break
            time.sleep(0.02)
        con.execute("BEGIN IMMEDIATE")
        feed.release()
        try:
            _, stderr = proc.communicate(timeout=300)
        finally:
            con.execute("ROLLBACK")
            con.close()
    assert "Traceback" not in stderr and proc.returncode == 1, stderr
    kept = int(stderr.split("the store kept the first ")[1].split()[0])
    assert 1 <= kept <= 10
    assert "run the same command again to add the rest" in stderr
    stored = geomap.read_store(tmp_path / "s.gpkg")
    assert len({s for sources in stored["sources"] for s in sources}) == kept
    written = geomap.read_incidents(tmp_path / "out.geojson")
    assert written["reports"].sum() == 30  # every article reached -o
    again = geomap_cli("extract", "feed.jsonl", "--store", "s.gpkg", "-q", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert sorted(geomap.read_store(tmp_path / "s.gpkg")["id"]) == sorted(written["id"])


@pytest.mark.parametrize("command_args", [
    ("extract", "feed.csv", "-o", "feed.csv"),
    ("extract", "feed.csv", "-o", "link.csv"),
    ("extract", "folder", "-o", "folder/b.csv"),
    ("extract", "feed.csv", "--store", "feed.csv"),
    ("store", "add", "good.geojson", "good.geojson"),
    ("map", "good.geojson", "-o", "good.geojson"),
    ("map", "good.geojson", "--png", "good.geojson"),
    ("store", "export", "s.gpkg", "-o", "s.gpkg"),
])
def test_an_output_that_is_an_input_is_refused(tmp_path, good, command_args):
    (tmp_path / "feed.csv").write_text("text\nDrones struck Tuapse.\n", encoding="utf-8")
    (tmp_path / "link.csv").symlink_to("feed.csv")
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "b.csv").write_text("text\nDrones struck Tuapse.\n", encoding="utf-8")
    geomap_cli("store", "add", "s.gpkg", "good.geojson", cwd=tmp_path)
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    result = geomap_cli(*command_args, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "refusing to write" in result.stderr and "it is also an input" in result.stderr
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before


def test_output_onto_a_link_writes_through_it(tmp_path, good):
    path, _ = good
    (tmp_path / "maps").mkdir()
    (tmp_path / "maps" / "real.html").write_text("old", encoding="utf-8")
    (tmp_path / "latest.html").symlink_to("maps/real.html")
    result = geomap_cli("map", path.name, "-o", "latest.html", "-v", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "latest.html").is_symlink()
    assert (tmp_path / "maps" / "real.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert "latest.html is a symbolic link: writing through it to" in result.stderr


def test_leftovers_of_a_killed_writer_are_cleaned(tmp_path, good):
    path, _ = good
    gone = subprocess.Popen(["true"])  # a process id that is surely gone after wait()
    gone.wait()
    leftovers = [tmp_path / f".m.html.{gone.pid}.abc123.html", tmp_path / f".s.gpkg.{gone.pid}.x1.gpkg",
                 tmp_path / f".s.gpkg.{gone.pid}.x1.gpkg-wal"]
    live = tmp_path / f".m.html.{os.getpid()}.live99.html"  # a live writer's file stays
    for p in [*leftovers, live]:
        p.write_text("partial", encoding="utf-8")
    assert geomap_cli("map", path.name, "-o", "m.html", cwd=tmp_path).returncode == 0
    assert geomap_cli("store", "add", "s.gpkg", path.name, cwd=tmp_path).returncode == 0
    assert [p for p in leftovers if p.exists()] == []
    assert live.exists()


def test_date_garbage_is_refused_with_incident_files_only(tmp_path, good):
    path, _ = good
    result = geomap_cli("map", path.name, "--date", "garbage", "-o", "m.html", cwd=tmp_path)
    assert result.returncode == 2
    assert "--date" in result.stderr and not (tmp_path / "m.html").exists()


def test_map_reads_an_articles_csv_and_takes_the_input_options(tmp_path):
    (tmp_path / "feed.csv").write_text(
        "id,date,text\n"
        "a1,2025-10-03,\"Drones struck an oil depot in Tuapse overnight, officials said.\"\n"
        "a2,2025-10-03,\"Artillery shelled Kherson overnight, the governor said.\"\n", encoding="utf-8")
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "odesa.md").write_text("A missile strike hit the port of Odesa on 4 October 2025.\n")
    (tmp_path / "notes" / "skip.txt").write_text("Drones struck Kerch on 4 October 2025.\n")
    result = geomap_cli("map", "feed.csv", "notes", "--glob", "*.md", "-o", "m.html", "-q",
                        "--max-size", "1", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # -q: nothing unless something failed
    page = (tmp_path / "m.html").read_text(encoding="utf-8")
    assert "Tuapse" in page and "Kherson" in page and "Odesa" in page and "Kerch" not in page
    (tmp_path / "notes" / "bad.md").write_bytes(b"\x00\x01binary")
    strict = geomap_cli("map", "notes", "feed.csv", "--strict", "-o", "s.html", cwd=tmp_path)
    assert strict.returncode == 1 and "--strict" in strict.stderr
    assert not (tmp_path / "s.html").exists()
