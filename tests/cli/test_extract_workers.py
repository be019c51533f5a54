"""`geomap extract --workers N`: a real local Dask cluster gives what a serial run gives, names
the same failed inputs, and writes partitioned GeoParquet to a folder."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from geomap._paths import data_path
from geomap.batch import BatchReport, Failure

pytest.importorskip("distributed")

FEED = ('{"id": "a", "text": "Drones struck an oil depot in Tuapse overnight.", "date": "2025-11-29"}\n'
        '{"id": "b", "body": "no text here"}\n'
        'not json\n'
        '{"id": "c", "text": "Protesters gathered in Chisinau on Sunday.", "date": "2025-11-30"}\n')


def _geomap(*args, cwd):
    done = subprocess.run([sys.executable, "-m", "geomap", "extract", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300)
    summary = [line for line in done.stderr.splitlines()
               if not line.startswith(("INFO", "20")) and "distributed." not in line and not _DASK_TRACEBACK.match(line)]
    return done.returncode, summary


# a traceback that a worker process or the scheduler logs itself (a lost connection at shutdown
# under load): Dask's, not geomap's summary, which these tests compare
_DASK_TRACEBACK = re.compile(r'^(?:Traceback \(most recent call last\):|  File "|    \S|\^+$|[\w.]+(?:Error|Exception):)')


def test_workers_give_the_serial_result_and_name_the_same_failures(tmp_path):
    (tmp_path / "feed.jsonl").write_text(FEED, encoding="utf-8")
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    inputs = ["feed.jsonl", "empty.txt", str(data_path("examples"))]
    serial = _geomap(*inputs, "-o", "serial.geojson", cwd=tmp_path)
    parallel = _geomap(*inputs, "--workers", "2", "-o", "dask.geojson", cwd=tmp_path)
    assert serial[0] == parallel[0] == 1
    assert parallel[1] == [line.replace("serial.geojson", "dask.geojson") for line in serial[1]]
    assert "  feed.jsonl:2: no \"text\" field (fields found: id, body)" in serial[1]
    assert (tmp_path / "serial.geojson").read_bytes() == (tmp_path / "dask.geojson").read_bytes()

    code, _ = _geomap(*inputs, "--workers", "2", "-o", "parts/", "-q", cwd=tmp_path)
    assert code == 1
    import geopandas

    from geomap.export import read_incidents

    parts = geopandas.read_parquet(tmp_path / "parts")
    assert sorted(parts["id"]) == sorted(read_incidents(tmp_path / "serial.geojson")["id"])


def test_strict_workers_keep_what_a_strict_serial_run_keeps(tmp_path):
    (tmp_path / "feed.jsonl").write_text(FEED, encoding="utf-8")
    serial = _geomap("feed.jsonl", "--strict", "-o", "serial.geojson", cwd=tmp_path)
    parallel = _geomap("feed.jsonl", "--strict", "--workers", "2", "-o", "dask.geojson", cwd=tmp_path)
    assert serial[0] == parallel[0] != 0
    assert parallel[1] == [line.replace("serial.geojson", "dask.geojson") for line in serial[1]]
    kept = (tmp_path / "serial.geojson").read_bytes()
    assert b"Tuapse" in kept and b"Chisinau" not in kept  # the article before the failure, not the one after
    assert (tmp_path / "dask.geojson").read_bytes() == kept


def test_workers_and_scheduler_are_exclusive(tmp_path):
    code, lines = _geomap(str(data_path("examples")), "--workers", "2", "--scheduler", "tcp://127.0.0.1:1",
                          "-o", "x.geojson", cwd=tmp_path)
    assert code == 2 and any("not both" in line for line in lines)


def test_workers_refuse_an_output_that_is_an_input(tmp_path):
    """The Dask path checks its outputs as the serial path does, before any cluster starts."""
    feed = tmp_path / "feed.csv"
    feed.write_text("text\nDrones struck Tuapse.\n", encoding="utf-8")
    code, lines = _geomap("feed.csv", "--workers", "1", "-o", "feed.csv", cwd=tmp_path)
    assert code == 2 and any("refusing to write feed.csv: it is also an input" in line for line in lines), lines
    assert feed.read_text(encoding="utf-8") == "text\nDrones struck Tuapse.\n"


def test_worker_failures_take_their_serial_place():
    from geomap.cli import _dask

    report = BatchReport(failures=[Failure("a.txt", None, "empty file"), Failure("b.jsonl", 3, "malformed")])
    # the first read failure came before article 0, the second before article 2
    worker = [(1, 1, Failure("x.jsonl:2", None, "boom")), (2 * _dask.PARTITION_SIZE - 1, 2, Failure("late", None, "bad"))]
    _dask._place_failures(report, worker, count=2 * _dask.PARTITION_SIZE)
    assert [f.source for f in report.failures] == ["a.txt", "x.jsonl:2", "b.jsonl", "late"]
    assert report.ok == 2 * _dask.PARTITION_SIZE - 2


def test_articles_go_to_the_workers_as_they_are_read(tmp_path, monkeypatch):
    """The client holds the articles of a few partitions at a time, however long the input,
    and the result is still the serial one."""
    import json

    import geomap
    from geomap.cli import _dask
    from geomap.cli._inputs import InputOptions

    places = ["Tuapse", "Odesa", "Kharkiv", "Belgorod", "Novorossiysk", "Kherson"]
    lines = [json.dumps({"id": f"a{n}", "date": f"2025-11-{1 + n % 9:02d}",
                         "text": f"Drones struck an oil depot in {places[n % 6]} overnight, officials said. "
                                 f"Police in {places[(n + 1) % 6]} detained two men."}) for n in range(24)]
    lines.insert(11, "not json")
    feed = tmp_path / "feed.jsonl"
    feed.write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setattr(_dask, "PARTITION_SIZE", 3)
    monkeypatch.setattr(_dask, "AHEAD_PER_WORKER", 1)
    held = []
    take = _dask._Batch.take

    def counting_take(batch):
        held.append(sum(1 for part in batch.sent if part.articles))
        take(batch)

    monkeypatch.setattr(_dask._Batch, "take", counting_take)
    with _dask.dask_client(2, None) as client:
        frame, report = _dask.extract(InputOptions(paths=(str(feed),)), client, types=None, min_confidence=None,
                                      folder=None, progress=False)
    assert report.ok == 24 and [f.line for f in report.failures] == [12]
    assert len(held) == 8 and max(held) == 3  # 2 workers x 1 ahead, and the one just sent
    serial = geomap.extract(list(geomap.read_articles([str(feed)], on_error=lambda exc: None)))
    geomap.write_incidents(frame, tmp_path / "dask.geojson")
    geomap.write_incidents(serial, tmp_path / "serial.geojson")
    assert len(serial) > 10
    assert (tmp_path / "dask.geojson").read_bytes() == (tmp_path / "serial.geojson").read_bytes()


def test_the_local_workers_collect_garbage_as_a_batch_does():
    """The workers `--workers` starts do nothing but the batch: full collections of their heap
    come at most as often as in a serial batch (geomap._gc), between tasks too."""
    import gc

    from geomap._gc import FULL_EVERY
    from geomap.cli._dask import dask_client

    with dask_client(1, None) as client:
        thresholds = list(client.run(gc.get_threshold).values())
    assert len(thresholds) == 1 and thresholds[0][2] >= FULL_EVERY
