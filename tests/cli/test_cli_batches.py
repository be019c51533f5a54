"""Batches through the real ``geomap`` command (``python -m geomap`` in a subprocess).

What issue 6 promises, end to end: bad inputs are reported by file (and line) with the reason and
never sink the batch (exit code 1), ``--strict`` stops at the first one, usage errors exit 2; the
incident store is idempotent, survives ``kill -9`` mid-batch with every committed article kept,
and takes two writers at once; ``geomap map --store`` and ``geomap store stats`` read it back;
progress bars only on a terminal, ``--quiet``/``--verbose``; every command's ``--help`` has
examples.

The commands run in a temporary folder with the environment untouched (GEOMAP_* included), so
the gazetteer index cached in ``~/.cache/geomap`` is reused.
"""

from __future__ import annotations

import errno
import fcntl
import io
import json
import os
import pty
import re
import shutil
import signal
import sqlite3
import struct
import subprocess
import sys
import termios
import time
import tomllib
from pathlib import Path

import pyogrio
import pytest

import geomap
from geomap.models import INCIDENT_COLUMNS
from support.cli import command, geomap_cli
from support.cli import env as cli_env
from support.feed import FifoFeed
from support.paths import BAD_INPUTS as BAD

EXPECTATIONS = tomllib.loads((BAD / "expectations.toml").read_text(encoding="utf-8"))["files"]

#: Good articles in every format, about real places around the Black Sea:
#: file name -> (content, (incident type, place) it reports). Names sort among the bad inputs.
GOOD: dict[str, tuple[str, tuple[str, str]]] = {
    "novorossiysk.txt": (
        "date 2025-11-28\nNaval drones attacked the port of Novorossiysk overnight, "
        "the governor of Krasnodar region said.\n",
        ("naval_attack", "Novorossiysk"),
    ),
    "odesa.md": (
        "---\ndate: 2025-11-26\ntitle: Missile strike on Odesa port\n---\n"
        "# Missile strike on Odesa port\n\nA missile strike hit the port of **Odesa** overnight, "
        "damaging grain warehouses, officials said.\n",
        ("air_strike", "Odesa"),
    ),
    "talks.html": (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>Talks in Chișinău</title>\n'
        '<meta property="article:published_time" content="2025-11-24T09:00:00Z"></head>\n'
        "<body><nav>Home | World</nav><article><h1>Talks in Chișinău</h1>\n"
        "<p>Moldovan and Romanian foreign ministers held talks in Chișinău on Monday about "
        "Black Sea shipping.</p>\n</article><footer>© News</footer></body></html>\n",
        ("diplomacy", "Chisinau"),
    ),
    "rostov.csv": (
        'id,date,text\nrostov-1,2025-11-25,"Drones were shot down over Rostov region overnight, '
        'the governor said."\n',
        ("air_strike", "Rostov"),
    ),
}
GOOD_SOURCES = {"novorossiysk.txt": "batch/novorossiysk.txt", "odesa.md": "batch/odesa.md",
                "talks.html": "batch/talks.html", "rostov.csv": "batch/rostov.csv:2"}

#: What a store dump compares: every incident column, the geometry blob, and the extent row.
DUMP_COLUMNS = ", ".join(f'"{c}"' for c in (*INCIDENT_COLUMNS, "geom"))


def failure_lines(folder: str) -> list[str]:
    """The summary line the corpus must produce for each failure, as ``  path[:line]: reason``."""
    lines = []
    for name, expected in EXPECTATIONS.items():
        for err in expected["errors"]:
            where = f"{folder}/{name}" + (f":{err['line']}" if "line" in err else "")
            lines.append(f"  {where}: {err['reason']}")
    return lines


def make_batch(root: Path) -> Path:
    """``root/batch``: the good articles and every file of tests/bad_inputs (not the toml)."""
    batch = root / "batch"
    batch.mkdir()
    for path in BAD.iterdir():
        if path.name in EXPECTATIONS:
            shutil.copyfile(path, batch / path.name)
    for name, (content, _) in GOOD.items():
        (batch / name).write_text(content, encoding="utf-8")
    return batch


def store_dump(path: Path) -> tuple[list[tuple], tuple]:
    """Every stored incident (ordered by id) and the layer's gpkg_contents row, read-only."""
    con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        rows = con.execute(f"SELECT {DUMP_COLUMNS} FROM incidents ORDER BY id").fetchall()
        contents = con.execute("SELECT min_x, min_y, max_x, max_y, last_change FROM gpkg_contents "
                               "WHERE table_name = 'incidents'").fetchone()
    finally:
        con.close()
    return rows, contents


def stats_json(store: str, cwd: Path) -> dict:
    result = geomap_cli("store", "stats", store, "--json", cwd=cwd)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def count_incidents(path: Path) -> int:
    """Incidents in a store being written by another process (0 until the file exists)."""
    if not path.exists():
        return 0
    try:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
        try:
            return con.execute("SELECT COUNT(*) FROM incidents").fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error:  # not readable yet (no WAL index, layer not there): try again
        return 0


def check_store_file(path: Path) -> int:
    """The store is a sound SQLite file and GeoPackage that GDAL reads; returns its row count."""
    con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        n = con.execute("SELECT COUNT(*) FROM incidents").fetchone()[0]
        with_geom = con.execute("SELECT COUNT(*) FROM incidents WHERE geom IS NOT NULL").fetchone()[0]
        assert con.execute('SELECT COUNT(*) FROM "rtree_incidents_geom"').fetchone()[0] == with_geom
        assert con.execute("SELECT COUNT(*) FROM incidents GROUP BY id HAVING COUNT(*) > 1").fetchall() == []
    finally:
        con.close()
    gdf = pyogrio.read_dataframe(path, layer="incidents")
    assert len(gdf) == n and gdf.crs.to_epsg() == 4326
    frame = geomap.read_store(path)
    assert len(frame) == n
    assert all(r == len(s) == len(set(s)) for r, s in zip(frame["reports"], frame["sources"]))
    return n


# ------------------------------------------------------------------ articles, generated

PLACES = ["Odesa", "Kherson", "Mykolaiv", "Sevastopol", "Novorossiysk", "Tuapse", "Taganrog",
          "Kerch", "Izmail", "Constanta", "Batumi", "Varna", "Belgorod", "Kursk", "Anapa"]
TEMPLATES = ["Drones struck an oil depot in {p} overnight, officials said.",
             "Artillery shelled {p} overnight, damaging houses, the regional governor said.",
             "A missile strike hit the port of {p}, local authorities reported."]


def article_spec(k: int) -> tuple[str, str]:
    """The text and date of generated article number k (different k, mostly different incidents)."""
    return TEMPLATES[(k // 15) % 3].format(p=PLACES[k % 15]), f"2025-10-{1 + (k // 45) % 28:02d}"


def jsonl_lines(prefix: str, ks: list[int]) -> list[bytes]:
    """One JSON line per article spec ``k`` (ids ``prefix0000``, ...)."""
    lines = []
    for n, k in enumerate(ks):
        text, date = article_spec(k)
        lines.append((json.dumps({"id": f"{prefix}{n:04d}", "date": date, "text": text}) + "\n").encode())
    return lines


def write_jsonl(path: Path, prefix: str, ks: list[int]) -> Path:
    path.write_bytes(b"".join(jsonl_lines(prefix, ks)))
    return path


def fed_in_two(path: Path, prefix: str, ks: list[int], first: int) -> FifoFeed:
    """``path`` as a FIFO that gives a run its first ``first`` articles, the rest only when
    released: a kill or a lock "mid-run" then surely comes before the run's end."""
    lines = jsonl_lines(prefix, ks)
    return FifoFeed(path, b"".join(lines[:first]), b"".join(lines[first:]))


# ------------------------------------------------------------------ (a) + (b) + (e): a mixed batch


@pytest.fixture(scope="module")
def batch_run(tmp_path_factory):
    """One run over the mixed folder (plus binary.bin, which folders skip) into a file and a store."""
    root = tmp_path_factory.mktemp("batch")
    make_batch(root)
    result = geomap_cli("extract", "batch", "batch/binary.bin", "-o", "out.geojson",
                        "--store", "s.gpkg", cwd=root)
    return root, result, store_dump(root / "s.gpkg"), stats_json("s.gpkg", root)


def test_bad_inputs_never_sink_the_batch(batch_run):
    root, result, _, _ = batch_run
    assert result.returncode == 1, result.stderr
    # every bad file is named, with its line and reason, in the summary on stderr
    expected = failure_lines("batch")
    assert "  batch/binary.bin: binary file (not text)" in expected
    summary = [line for line in result.stderr.splitlines() if line.startswith("  ")]
    assert sorted(summary) == sorted(expected)
    read = sum(e["articles"] for e in EXPECTATIONS.values()) + len(GOOD)
    assert f"\n{read} articles processed, {len(expected)} inputs failed:\n" in "\n" + result.stderr
    assert result.stdout == ""
    # the good incidents were written, each with the article that reports it
    incidents = geomap.read_incidents(root / "out.geojson")
    found = {(t, p, s) for t, p, sources in zip(incidents["incident_type"], incidents["place"],
                                                incidents["sources"]) for s in sources}
    for name, (_, (incident_type, place)) in GOOD.items():
        assert (incident_type, place, GOOD_SOURCES[name]) in found, name
    # what readable records the bad files hold is kept too
    assert any(s.startswith("batch/malformed.jsonl:") for sources in incidents["sources"] for s in sources)
    assert f"{len(incidents)} incidents from {read} articles -> out.geojson and store s.gpkg" in result.stderr


def test_file_and_store_hold_the_same_incidents(batch_run):
    root, _, _, stats = batch_run
    written = geomap.read_incidents(root / "out.geojson")
    stored = geomap.read_store(root / "s.gpkg")
    assert stats["incidents"] == len(stored) > 0
    assert sorted(written["id"]) == sorted(stored["id"])
    by_id = dict(zip(stored["id"], stored["sources"]))
    for id_, sources, reports in zip(written["id"], written["sources"], written["reports"]):
        assert sorted(by_id[id_]) == sorted(sources) and reports == len(sources)


def test_strict_stops_at_the_first_failure(tmp_path):
    make_batch(tmp_path)
    result = geomap_cli("extract", "--strict", "batch", "batch/binary.bin", "-o", "out.geojson",
                        cwd=tmp_path)
    assert result.returncode == 1
    names = sorted(p.name for p in (tmp_path / "batch").iterdir())
    first_bad = next(n for n in names if EXPECTATIONS.get(n, {}).get("errors"))
    before = names[:names.index(first_bad)]
    assert all(n in GOOD or not EXPECTATIONS[n]["errors"] for n in before)
    assert first_bad != names[-1]  # there is more after it, which must not be read
    reason = EXPECTATIONS[first_bad]["errors"][0]["reason"]
    ok = sum(1 if n in GOOD else EXPECTATIONS[n]["articles"] for n in before)
    assert result.stderr.endswith(
        f"{ok} articles processed, 1 input failed (stopped at the first failure: --strict):\n"
        f"  batch/{first_bad}: {reason}\n")
    # what was done before the failure is kept; nothing after it was read
    sources = {s for ss in geomap.read_incidents(tmp_path / "out.geojson")["sources"] for s in ss}
    assert sources and all(s.split(":")[0] in {f"batch/{n}" for n in before} for s in sources)


def test_missing_input_is_a_usage_error(tmp_path):
    (tmp_path / "a.txt").write_text("date 2025-11-29\nDrones struck Odesa overnight.\n", encoding="utf-8")
    result = geomap_cli("extract", "a.txt", "nope/missing.txt", "-o", "out.geojson", cwd=tmp_path)
    assert result.returncode == 2
    assert ("Error: no such file or folder: 'nope/missing.txt'; check the path "
            "(use - to read standard input)") in result.stderr
    assert "Try 'geomap extract --help' for help." in result.stderr
    assert not (tmp_path / "out.geojson").exists()
    nowhere = geomap_cli("extract", "a.txt", cwd=tmp_path)
    assert nowhere.returncode == 2
    assert "say where the incidents go: -o FILE (and/or --store FILE)" in nowhere.stderr


def test_stdin_and_encodings(tmp_path):
    text = "date 2025-11-27\nRussian and Ukrainian delegations held peace talks in Istanbul.\n"
    result = geomap_cli("extract", "-", "-o", "out.csv", cwd=tmp_path, input=text.encode("utf-16"))
    assert result.returncode == 0, result.stderr
    got = geomap.read_incidents(tmp_path / "out.csv")
    assert list(zip(got["incident_type"], got["place"], got["date"], got["sources"])) == [
        ("diplomacy", "Istanbul", "2025-11-27", ["<stdin>"])]


def test_same_input_twice_changes_nothing(batch_run):
    root, first, dump, stats = batch_run
    assert dump[0] and stats["incidents"] == len(dump[0])
    again = geomap_cli("extract", "batch", "batch/binary.bin", "--store", "s.gpkg", cwd=root)
    assert again.returncode == 1
    assert stats_json("s.gpkg", root) == stats
    assert store_dump(root / "s.gpkg") == dump  # rows, extent and last_change: nothing written
    check_store_file(root / "s.gpkg")


def test_map_and_stats_read_the_store(batch_run):
    root, _, _, stats = batch_run
    result = geomap_cli("map", "--store", "s.gpkg", "-o", "m.html", cwd=root)
    assert result.returncode == 0, result.stderr
    assert f"wrote m.html ({stats['incidents']} incidents)" in result.stderr
    page = (root / "m.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "GeoMap.fromScript(" in page

    text = geomap_cli("store", "stats", "s.gpkg", cwd=root)
    assert text.returncode == 0, text.stderr
    assert text.stdout.startswith(
        f"s.gpkg: {stats['incidents']} incidents from {stats['sources']} sources "
        f"({stats['reports']} reports)\n")
    sections = re.split(r"\n\n(?=by )", text.stdout)
    for key, title in (("by_type", "by type"), ("by_region", "by region"), ("by_day", "by day")):
        assert stats[key], key
        section = next(s for s in sections if s.startswith(f"{title}:\n"))
        rows = [line.split() for line in section.strip().splitlines()[1:]]
        assert {k: int(n) for k, n in rows} == stats[key]
    assert sum(stats["by_type"].values()) == sum(stats["by_day"].values()) == stats["incidents"]
    for name, (_, (incident_type, _place)) in GOOD.items():
        assert stats["by_type"][incident_type] >= 1, name
    assert "2025-11-28" in stats["by_day"] and "RU-KDA" in stats["by_region"]


# ------------------------------------------------------------------ (c) kill -9 mid-batch


def kill_when(args, cwd, ready, before_kill=lambda: None):
    """Run ``geomap ARGS`` until ``ready()`` holds, call ``before_kill()`` while it still runs,
    then kill -9 it; returns what ``before_kill`` returned. A run that ends first fails the test."""
    proc = subprocess.Popen(command(*args), cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=cli_env())
    try:
        deadline = time.monotonic() + 300
        while proc.poll() is None and not ready():
            assert time.monotonic() < deadline, "the run never reached the state to kill it in"
            time.sleep(0.005)
        assert proc.poll() is None, "the run ended before it could be killed: " + proc.stderr.read().decode()
        result = before_kill()
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    return result


def test_killed_run_leaves_a_valid_store_and_resumes(tmp_path):
    ks = [k - 1 if k % 10 == 9 else k for k in range(150)]
    store = tmp_path / "s.gpkg"
    # a commit after every article, so that the kill surely comes between two of them

    def read_while_writing() -> tuple[int, int]:
        # a reader while the writer writes: whole upserts only
        seen = count_incidents(store)
        during = geomap.read_store(store)
        assert len(during) >= seen
        assert all(r == len(s) for r, s in zip(during["reports"], during["sources"]))
        return seen, count_incidents(store)

    with fed_in_two(tmp_path / "big.jsonl", "a", ks, first=100):  # then a regular file of all 150
        seen, before_kill = kill_when(
            ("extract", "big.jsonl", "--store", "s.gpkg", "--commit-every", "0", "-q"), tmp_path,
            ready=lambda: count_incidents(store) >= 5, before_kill=read_while_writing)

    after = check_store_file(store)  # integrity, R-tree, GDAL and geomap.read_store all fine
    assert after >= before_kill >= seen  # every article committed before the kill is kept
    killed = store_dump(store)[0]

    resumed = geomap_cli("extract", "big.jsonl", "--store", "s.gpkg", "-q", cwd=tmp_path)
    assert (resumed.returncode, resumed.stderr, resumed.stdout) == (0, "", "")
    fresh = geomap_cli("extract", "big.jsonl", "--store", "fresh.gpkg", "-q", cwd=tmp_path)
    assert fresh.returncode == 0, fresh.stderr
    final, reference = store_dump(store)[0], store_dump(tmp_path / "fresh.gpkg")[0]
    assert final == reference
    assert after < len(final), "the kill came after the last article: nothing was tested"
    assert check_store_file(store) == len(final)
    final_by_id = {row[0]: row for row in final}
    sources_at = INCIDENT_COLUMNS.index("sources")
    for row in killed:
        assert set(json.loads(row[sources_at])) <= set(json.loads(final_by_id[row[0]][sources_at]))
    reports = stats_json("fresh.gpkg", tmp_path)["reports"]
    assert reports == 150 and max(len(json.loads(r[sources_at])) for r in final) >= 2


# ------------------------------------------------------------------ (d) two writers at once


def test_two_concurrent_writers_on_overlapping_inputs(tmp_path):
    write_jsonl(tmp_path / "part1.jsonl", "p", list(range(0, 40)))
    write_jsonl(tmp_path / "part2.jsonl", "q", list(range(40, 80)))
    # the shared file repeats ten articles of each part and adds ten of its own
    write_jsonl(tmp_path / "shared.jsonl", "s", [*range(0, 10), *range(40, 50), *range(80, 90)])
    procs = [subprocess.Popen(command("extract", *inputs, "--store", "same.gpkg", "-q"), cwd=tmp_path,
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              env=cli_env())
             for inputs in (("part1.jsonl", "shared.jsonl"), ("shared.jsonl", "part2.jsonl"))]
    outputs = [p.communicate(timeout=300) for p in procs]
    for p, (out, err) in zip(procs, outputs):
        assert (p.returncode, out, err) == (0, b"", b""), err.decode()

    reference = geomap_cli("extract", "part1.jsonl", "shared.jsonl", "part2.jsonl",
                           "--store", "ref.gpkg", "-q", cwd=tmp_path)
    assert reference.returncode == 0, reference.stderr
    n = check_store_file(tmp_path / "same.gpkg")

    def key(frame):
        return {i: (t, p, d, sorted(s), r, c) for i, t, p, d, s, r, c in zip(
            frame["id"], frame["incident_type"], frame["place"], frame["date"], frame["sources"],
            frame["reports"], frame["confidence"])}

    got, want = key(geomap.read_store(tmp_path / "same.gpkg")), key(geomap.read_store(tmp_path / "ref.gpkg"))
    assert got == want and len(got) == n
    # the shared articles were read by both processes but count once; repeats count twice
    assert stats_json("same.gpkg", tmp_path)["reports"] == 40 + 40 + 30
    assert max(v[4] for v in got.values()) >= 2


# ------------------------------------------------------------------ (f) progress, quiet, verbose


def run_on_a_terminal(args: list[object], cwd: Path) -> tuple[int, bytes, bytes]:
    """Run geomap with stderr on a pseudo-terminal; return the exit code, stdout and what the
    terminal showed."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    try:
        proc = subprocess.Popen(command(*args), cwd=cwd, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=slave, env=cli_env())
    finally:
        os.close(slave)
    chunks = []
    try:
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError as exc:  # EIO: the terminal's last writer is gone
                if exc.errno != errno.EIO:
                    raise
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(master)
    out, _ = proc.communicate(timeout=300)
    return proc.returncode, out, b"".join(chunks)


def test_progress_bar_only_on_a_terminal_and_quiet_and_verbose(tmp_path):
    write_jsonl(tmp_path / "feed.jsonl", "f", list(range(20)))
    shutil.copyfile(BAD / "cp1251.txt", tmp_path / "cp1251.txt")
    piped = geomap_cli("extract", "feed.jsonl", "cp1251.txt", "-o", "a.geojson", cwd=tmp_path)
    assert piped.returncode == 0
    assert "\r" not in piped.stderr and "articles/s" not in piped.stderr and "INFO" not in piped.stderr
    n = len(geomap.read_incidents(tmp_path / "a.geojson"))
    assert piped.stderr == f"{n} incidents from 21 articles -> a.geojson\n21 articles processed.\n"

    # on a terminal: tqdm's bar, and with --verbose the log too
    code, out, shown = run_on_a_terminal(["extract", "feed.jsonl", "cp1251.txt", "-o", "b.geojson",
                                          "--verbose"], tmp_path)
    assert (code, out) == (0, b"")
    assert b"\rarticles: " in shown and b" articles/s]" in shown
    assert b"geomap: INFO: cp1251.txt: decoded as cp1251" in shown
    assert b"21 articles processed." in shown
    # --quiet: nothing at all on success, even on a terminal
    code, out, shown = run_on_a_terminal(["extract", "feed.jsonl", "-o", "c.geojson", "--quiet"], tmp_path)
    assert (code, out, shown) == (0, b"", b"")
    assert (tmp_path / "c.geojson").exists()
    # --quiet still lists what failed
    quiet_failure = geomap_cli("extract", "feed.jsonl", BAD / "empty.txt", "-o", "e.geojson", "-q",
                               cwd=tmp_path)
    assert (quiet_failure.returncode, quiet_failure.stdout) == (1, "")
    assert quiet_failure.stderr == (f"20 articles processed, 1 input failed:\n"
                                    f"  {BAD / 'empty.txt'}: empty file\n")


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _gazetteer_build_bar(monkeypatch, **logging_options) -> str:
    """What the gazetteer index build would show on a terminal, logging set up as the CLI does."""
    from geomap.cli._inputs import setup_logging
    from geomap.gazetteer import index

    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    restore = setup_logging(**logging_options)
    try:
        for _ in index._progress(range(3), 3, "building gazetteer index", None):
            pass
    finally:
        restore()
    return terminal.getvalue()


def test_gazetteer_build_shows_a_bar_on_a_terminal(monkeypatch):
    assert "building gazetteer index" in _gazetteer_build_bar(monkeypatch)


def test_quiet_also_hides_the_gazetteer_build_bar(monkeypatch):
    assert _gazetteer_build_bar(monkeypatch, quiet=True) == ""


# ------------------------------------------------------------------ (g) help and usage errors


def listed_commands(cwd: Path) -> list[str]:
    result = geomap_cli("--help", cwd=cwd)
    assert result.returncode == 0
    block = result.stdout.split("\nCommands:\n", 1)[1]
    return [line.split()[0] for line in block.splitlines() if line.startswith("  ")]


def test_every_command_has_help_with_examples(tmp_path):
    commands = listed_commands(tmp_path)
    assert {"geocode", "regions", "geoparse", "extract", "map", "store", "demo"} <= set(commands)
    store = geomap_cli("store", "--help", cwd=tmp_path)
    subcommands = [line.split()[0] for line in store.stdout.split("\nCommands:\n", 1)[1].splitlines()
                   if line.startswith("  ")]
    assert "stats" in subcommands
    for args in [[c] for c in commands] + [["store", s] for s in subcommands]:
        result = geomap_cli(*args, "--help", cwd=tmp_path)
        assert result.returncode == 0, args
        assert result.stdout.startswith(f"Usage: geomap {' '.join(args)} "), args
        example = re.search(r"^  Examples?:\n((?:    geomap .*\n)+)", result.stdout, re.M)
        assert example, f"geomap {' '.join(args)} --help has no Example section"
        assert any(f"geomap {' '.join(args)}" in line for line in example.group(1).splitlines()), args


@pytest.mark.parametrize("args", [["extract", "--bogus", "x.txt"], ["store", "stats", "--bogus", "s.gpkg"],
                                  ["map", "--bogus"], ["geocode", "--bogus", "Kyiv"]])
def test_unknown_option_exits_2_with_a_hint(tmp_path, args):
    result = geomap_cli(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert "Error: No such option '--bogus'" in result.stderr
    command_path = " ".join(args[:args.index("--bogus")])
    assert f"Try 'geomap {command_path} --help' for help." in result.stderr
    assert result.stdout == ""


def test_unknown_command_exits_2(tmp_path):
    result = geomap_cli("extarct", "x.txt", cwd=tmp_path)
    assert result.returncode == 2
    assert "No such command 'extarct'" in result.stderr and "Try 'geomap --help' for help." in result.stderr


# ------------------------------------------------------------------ bugs found (see the report)


def test_store_keeps_what_the_output_file_keeps(tmp_path):
    """-o and --store of one run must hold the same incidents, whatever --min-confidence is.

    The store gets per-article incidents (no corroboration across articles), so an incident that
    only clears --min-confidence when two articles report it is written to -o but not stored,
    while the summary says it went to both.
    """
    write_jsonl(tmp_path / "twice.jsonl", "t", [0, 1, 2, 0, 1, 2])
    result = geomap_cli("extract", "twice.jsonl", "-o", "out.geojson", "--store", "s.gpkg",
                        "--min-confidence", "0.9", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    written = geomap.read_incidents(tmp_path / "out.geojson")
    stored = geomap.read_store(tmp_path / "s.gpkg")
    assert len(written) > 0
    assert sorted(written["id"]) == sorted(stored["id"])
    assert dict(zip(written["id"], written["confidence"])) == dict(zip(stored["id"], stored["confidence"]))


def test_bad_output_name_is_refused_before_any_work(tmp_path):
    """A usage error (unknown -o extension) must come before the batch runs, not after it."""
    write_jsonl(tmp_path / "feed.jsonl", "f", list(range(5)))
    result = geomap_cli("extract", "feed.jsonl", "-o", "out.xyz", "--store", "s.gpkg", cwd=tmp_path)
    assert result.returncode == 2
    assert "cannot tell the format of out.xyz: unknown extension '.xyz'" in result.stderr
    assert not (tmp_path / "s.gpkg").exists()  # nothing done before the usage error


def test_one_odd_article_does_not_sink_the_map(tmp_path):
    lines = ['{"id": "s1", "date": "2025-11-29", "text": "Drones struck an oil depot in Odesa '
             'overnight \\ud800, officials said."}',
             '{"id": "s2", "date": "2025-11-29", "text": "Artillery shelled Kherson overnight, '
             'officials said."}']
    (tmp_path / "feed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = geomap_cli("map", "feed.jsonl", "-o", "m.html", cwd=tmp_path)
    assert "Traceback" not in result.stderr
    assert result.returncode == 0, result.stderr
    assert "wrote m.html (2 incidents)" in result.stderr


def test_map_over_the_mixed_folder_keeps_what_extract_keeps(batch_run):
    # `geomap map` straight from articles: the same incidents as `extract`, every bad file named
    root, _, _, _ = batch_run
    result = geomap_cli("map", "batch", "batch/binary.bin", "-o", "from-articles.html", cwd=root)
    assert result.returncode == 1, result.stderr
    errors = {line[len("error: "):] for line in result.stderr.splitlines() if line.startswith("error: ")}
    assert errors == {line.strip() for line in failure_lines("batch")}
    extracted = geomap.read_incidents(root / "out.geojson")
    assert f"wrote from-articles.html ({len(extracted)} incidents)" in result.stderr


# ------------------------------------------------------------------ (f) grouped commits, --skip-known


def sources_in(path: Path, table: str) -> set[str]:
    """The sources a store's attributes table names: ``article_hashes`` (the articles whose content
    hashes it holds) or ``incident_sources`` (every source it has seen, held incidents' too)."""
    con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return {s for (s,) in con.execute(f"SELECT source FROM {table}")}
    finally:
        con.close()


def hashed_sources(path: Path) -> set[str]:
    return sources_in(path, "article_hashes")


def stored_sources(path: Path) -> set[str]:
    return sources_in(path, "incident_sources")


def summary_counts(stderr: str) -> tuple[int, int]:
    """(articles processed, known articles skipped) from a run's summary line."""
    found = re.search(r"incidents from (\d+) articles \((\d+) known articles skipped\)", stderr)
    assert found, stderr
    return int(found[1]), int(found[2])


def test_a_kill_loses_only_the_open_group_and_skip_known_redoes_it(tmp_path):
    """Commits grouped by time: a kill -9 keeps every committed group whole (the articles'
    hashes with their incidents) and loses the open one; --skip-known then processes exactly
    the articles whose hashes were not committed, and the store ends as one run would leave it."""
    ks = [k % 120 for k in range(700)]  # repeats: incidents that later articles corroborate
    store = tmp_path / "s.gpkg"
    # the kill comes while the run waits for its last 300 articles: after one commit at least
    # (400 articles take far longer than 0.05 s), before the run could commit them all
    with fed_in_two(tmp_path / "big.jsonl", "g", ks, first=400):
        kill_when(("extract", "big.jsonl", "--store", "s.gpkg", "--commit-every", "0.05", "-q"),
                  tmp_path, ready=lambda: count_incidents(store) > 0)
    check_store_file(store)
    hashed = hashed_sources(store)
    assert 0 < len(hashed) < len(ks), "the kill came after the last commit: nothing was tested"
    # whole articles only: an article's incidents are committed exactly when its hash is
    assert stored_sources(store) == hashed

    resumed = geomap_cli("extract", "big.jsonl", "--store", "s.gpkg", "--skip-known", cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    assert summary_counts(resumed.stderr) == (len(ks) - len(hashed), len(hashed))
    fresh = geomap_cli("extract", "big.jsonl", "--store", "fresh.gpkg", "-q", cwd=tmp_path)
    assert fresh.returncode == 0, fresh.stderr
    assert store_dump(store)[0] == store_dump(tmp_path / "fresh.gpkg")[0]
    assert hashed_sources(store) == hashed_sources(tmp_path / "fresh.gpkg") == stored_sources(store)


@pytest.mark.parametrize("workers", [[], ["--workers", "2"]], ids=["serial", "dask"])
def test_skip_known_over_a_growing_archive_processes_only_the_new_articles(tmp_path, workers):
    archive = tmp_path / "archive"
    archive.mkdir()
    write_jsonl(archive / "a.jsonl", "a", list(range(30)))
    first = geomap_cli("extract", "archive", "--store", "s.gpkg", "--skip-known", *workers, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert summary_counts(first.stderr) == (30, 0)
    # the archive grows: new articles, some of them new reports of stored incidents
    write_jsonl(archive / "b.jsonl", "b", [*range(20, 40), *range(0, 5)])
    second = geomap_cli("extract", "archive", "--store", "s.gpkg", "--skip-known", *workers,
                        "-o", "new.geojson", cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert summary_counts(second.stderr) == (25, 30)
    assert geomap.read_incidents(tmp_path / "new.geojson")["reports"].sum() == 25  # the new ones only
    whole = geomap_cli("extract", "archive", "--store", "whole.gpkg", cwd=tmp_path)
    assert whole.returncode == 0, whole.stderr
    assert store_dump(tmp_path / "s.gpkg")[0] == store_dump(tmp_path / "whole.gpkg")[0]
    again = geomap_cli("extract", "archive", "--store", "s.gpkg", "--skip-known", *workers, cwd=tmp_path)
    assert summary_counts(again.stderr) == (0, 55)
    assert store_dump(tmp_path / "s.gpkg")[0] == store_dump(tmp_path / "whole.gpkg")[0]


def held_ids(path: Path) -> set[str]:
    """Incidents whose sources the store keeps but that are below the threshold so far."""
    con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return {i for (i,) in con.execute("SELECT DISTINCT incident_id FROM incident_sources WHERE "
                                          "incident_id NOT IN (SELECT id FROM incidents)")}
    finally:
        con.close()


#: Reports below 0.7 alone (speculative: "may have", "reportedly"), above it with a second report.
HEDGED = ["Russian drones may have hit the port of Novorossiysk, a local channel said.",
          "Shelling reportedly hit Kherson overnight."]
SURE = ["Drones struck an oil depot in Tuapse overnight."]


def _feed(path: Path, prefix: str, texts: list[str]) -> None:
    path.write_text("".join(json.dumps({"id": f"{prefix}{n}", "date": "2025-10-03", "text": text}) + "\n"
                            for n, text in enumerate(texts)), encoding="utf-8")


@pytest.mark.parametrize("workers", [[], ["--workers", "2"]], ids=["serial", "dask"])
def test_a_later_run_corroborates_what_an_earlier_run_held_back(tmp_path, workers):
    """An incident below --min-confidence reaches the store as its sources, with --workers as in
    a serial run, so the next run's report of it lifts it: two runs end as one run over both."""
    _feed(tmp_path / "first.jsonl", "a", [*HEDGED, *SURE])
    _feed(tmp_path / "second.jsonl", "b", [*SURE, *reversed(HEDGED)])
    shown: list[set[str]] = []
    held: list[set[str]] = []
    for feed in ("first.jsonl", "second.jsonl"):
        done = geomap_cli("extract", feed, "--store", "s.gpkg", "--min-confidence", "0.7", *workers, "-q",
                          cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        shown.append({row[0] for row in store_dump(tmp_path / "s.gpkg")[0]})
        held.append(held_ids(tmp_path / "s.gpkg"))
    assert len(shown[0]) == 1 and len(held[0]) == 2  # Tuapse shown; Novorossiysk and Kherson held
    assert shown[1] == shown[0] | held[0] and not held[1]  # both lifted by the second run
    whole = geomap_cli("extract", "first.jsonl", "second.jsonl", "--store", "whole.gpkg",
                       "--min-confidence", "0.7", "-q", cwd=tmp_path)
    assert whole.returncode == 0, whole.stderr
    assert store_dump(tmp_path / "s.gpkg")[0] == store_dump(tmp_path / "whole.gpkg")[0]
    assert stored_sources(tmp_path / "s.gpkg") == stored_sources(tmp_path / "whole.gpkg")


def test_skip_known_needs_a_store(tmp_path):
    write_jsonl(tmp_path / "feed.jsonl", "f", [0])
    result = geomap_cli("extract", "feed.jsonl", "-o", "x.geojson", "--skip-known", cwd=tmp_path)
    assert result.returncode == 2 and "--skip-known needs --store" in result.stderr


def test_a_store_written_by_workers_is_the_serial_store(tmp_path):
    """--workers --store upserts what a serial run upserts (one article at a time, in input
    order), so every confidence, source list and quote is the serial one, corroboration and
    incidents held below --min-confidence until a later report included."""
    write_jsonl(tmp_path / "feed.jsonl", "w", [*range(45), *range(0, 45, 3), *range(0, 45, 5)])
    for name, extra in (("serial.gpkg", []), ("dask.gpkg", ["--workers", "2"])):
        done = geomap_cli("extract", "feed.jsonl", "--store", name, "--min-confidence", "0.8", *extra, "-q",
                          cwd=tmp_path)
        assert done.returncode == 0, done.stderr
    serial, dask = store_dump(tmp_path / "serial.gpkg")[0], store_dump(tmp_path / "dask.gpkg")[0]
    assert serial == dask
    conf = INCIDENT_COLUMNS.index("confidence")
    reports = INCIDENT_COLUMNS.index("reports")
    assert any(row[reports] >= 2 for row in serial) and len({row[conf] for row in serial}) >= 2
    assert stored_sources(tmp_path / "serial.gpkg") == stored_sources(tmp_path / "dask.gpkg")
