"""A store-only run (``geomap extract ... --store S.gpkg`` without ``-o``) streams: it holds one
article's candidates at a time, however long the input, and stores what a run with ``-o`` stores.

Counted, not timed: the run is the real CLI in this process, reading JSON lines from a stdin that
hands out one line per read; at every read the live candidate objects
(:class:`geomap.incidents.merge.Report`) are counted. A run that kept its candidates (as one
with ``-o`` must, for the cross-article merge) would hold hundreds by the end.
"""

from __future__ import annotations

import gc
import io
import json
import sqlite3
from pathlib import Path

from click.testing import CliRunner

from geomap.cli import cli
from geomap.incidents.merge import Report

PLACES = ["Odesa", "Kherson", "Mykolaiv", "Kharkiv", "Sumy", "Novorossiysk", "Tuapse", "Belgorod",
          "Kursk", "Bryansk", "Zaporizhzhia", "Dnipro", "Poltava", "Chernihiv", "Sevastopol"]
TEMPLATES = ["Drones attacked {p} overnight, officials said.",
             "Russian forces shelled {p} on Tuesday, the regional governor said.",
             "A missile strike hit the port of {p}, local authorities reported."]
ARTICLES = 360


def feed_lines() -> list[bytes]:
    """Varied articles: every (template, place, day) differs, so most incidents are new."""
    lines = []
    for n in range(ARTICLES):
        text = TEMPLATES[n % 3].format(p=PLACES[(n // 3) % len(PLACES)])
        date = f"2025-{1 + (n // 45) % 12:02d}-{1 + n % 28:02d}"
        lines.append((json.dumps({"id": f"a{n:04d}", "date": date, "text": text}) + "\n").encode())
    return lines


def live_reports() -> int:
    return sum(type(o) is Report for o in gc.get_objects())


class CountingStdin(io.RawIOBase):
    """A stdin that gives one JSON line per read and counts the live candidates at each one
    (every 8th read, to keep the test quick), once past the reader's first 64 KB."""

    def __init__(self, lines: list[bytes]):
        self._lines = list(lines)
        self._given = 0
        self.counts: list[int] = []

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if not self._lines:
            self.counts.append(live_reports())  # after the last article
            return 0
        if self._given > 64 * 1024 and len(self._lines) % 8 == 0:
            self.counts.append(live_reports())
        line = self._lines.pop(0)
        if len(line) > len(buffer):  # the rest of the line at the next read
            line, rest = line[:len(buffer)], line[len(buffer):]
            self._lines.insert(0, rest)
        buffer[:len(line)] = line
        self._given += len(line)
        return len(line)


def stored(path: Path) -> list[tuple]:
    con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return con.execute("SELECT id, confidence, sources, reports, sentence FROM incidents ORDER BY id").fetchall()
    finally:
        con.close()


def test_a_store_only_run_holds_one_articles_candidates_and_stores_what_a_file_run_does(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    lines = feed_lines() * 4  # each article again under its id: repeats, as a re-fed archive has
    assert sum(map(len, lines)) > 2 * 64 * 1024  # most of them come after the reader's first 64 KB
    stdin = CountingStdin(lines)
    gc.collect()
    runner = CliRunner()
    streamed = runner.invoke(cli, ["extract", "-", "--store", "streamed.gpkg"], input=stdin)
    assert streamed.exit_code == 0, streamed.output
    assert len(stdin.counts) > 20
    # one article's candidates at most (each of these articles reports one or two incidents)
    assert max(stdin.counts) <= 4, stdin.counts

    # the same input with -o: the run keeps its candidates until the end, and the store is the same
    kept = CountingStdin(lines)
    with_file = runner.invoke(cli, ["extract", "-", "-o", "x.geojson", "--store", "with-file.gpkg"], input=kept)
    assert with_file.exit_code == 0, with_file.output
    assert max(kept.counts) > 100, "the counting cannot tell a run that keeps its candidates"
    assert stored(tmp_path / "streamed.gpkg") == stored(tmp_path / "with-file.gpkg")
    assert len(stored(tmp_path / "streamed.gpkg")) > 100
    assert f"{len(stored(tmp_path / 'streamed.gpkg'))} new incidents from {len(lines)} articles" in streamed.output
