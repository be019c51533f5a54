"""Resources that Dask ships to workers: they pickle as paths and settings, reopen the index on
first use, share one instance per process, and an empty cache is built once however many
processes ask for it."""

from __future__ import annotations

import pickle
import subprocess
import sys
import threading

import pytest

from geomap.errors import DataError

TEXT = ("Drones struck an oil depot near Tuapse in Krasnodar Krai overnight; the Black Sea Fleet left "
        "Sevastopol, and officials in Chisinau met the mayor of Rostov-on-Don.")

# run in a fresh interpreter: unpickle what stdin holds, geoparse TEXT, print the mentions
_WORKER = """
import pickle, sys
parser = pickle.loads(sys.stdin.buffer.read())
print(repr([(m.start, m.end, m.kind, m.place and m.place.id, m.confidence) for m in parser(sys.argv[1])]))
print(parser.gazetteer._path is None)
"""


def _mentions(parser, text=TEXT):
    return [(m.start, m.end, m.kind, m.place and m.place.id, m.confidence) for m in parser(text)]


def test_geoparser_pickles_small_and_parses_alike_in_another_process():
    from geomap.toponyms import default_geoparser

    parser = default_geoparser()
    data = pickle.dumps(parser)
    assert len(data) < 500  # a path and settings, not 100 MB of caches
    done = subprocess.run([sys.executable, "-c", _WORKER, TEXT], input=data, capture_output=True, check=True)
    found, unopened = done.stdout.decode().splitlines()
    assert found == repr(_mentions(parser))
    assert unopened == "False"  # the worker found its own index


def test_unpickled_resources_are_shared_in_a_process():
    from geomap.gazetteer import Gazetteer
    from geomap.toponyms import Geoparser, default_geoparser

    parser = default_geoparser()
    assert pickle.loads(pickle.dumps(parser)) is parser
    explicit = Gazetteer(parser.gazetteer.path)
    custom = Geoparser(explicit)
    again = pickle.loads(pickle.dumps(custom))
    assert again is not custom and again.gazetteer is not explicit
    assert again.gazetteer._path == explicit.path  # the same index, reopened ...
    assert pickle.loads(pickle.dumps(custom)) is again  # ... once per process
    assert _mentions(again) == _mentions(parser)


def test_reopened_gazetteer_serves_several_threads():
    from geomap.gazetteer import Gazetteer

    gaz = pickle.loads(pickle.dumps(Gazetteer(Gazetteer().path)))
    answers: dict[int, list] = {}

    def look(n):
        answers[n] = [gaz.search(q)[0][0].id for q in ("Krasnodar", "Rostov region", "the Black Sea")]

    threads = [threading.Thread(target=look, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(answers) == 4 and all(a == answers[0] for a in answers.values())
    assert answers[0][1] == "ne1:RU-ROS"


def test_recognizer_and_taxonomy_pickle_as_references():
    from geomap.incidents.taxonomy import load_taxonomy
    from geomap.toponyms import default_geoparser

    recognizer = default_geoparser().recognizer
    data = pickle.dumps(recognizer)
    assert len(data) < 500
    copy = pickle.loads(data)
    assert copy.gaz is recognizer.gaz and copy.lex is recognizer.lex and not copy._lookup_memo
    taxonomy = load_taxonomy()
    assert len(pickle.dumps(taxonomy)) < 200
    assert pickle.loads(pickle.dumps(taxonomy)) is taxonomy


def test_edited_taxonomy_pickles_by_value(tmp_path):
    import dataclasses

    from geomap.incidents.taxonomy import load_taxonomy

    taxonomy = load_taxonomy()
    edited = dataclasses.replace(taxonomy, negation=("never",))
    copy = pickle.loads(pickle.dumps(edited))
    assert copy.negation == ("never",) and copy.types == taxonomy.types


_RACER = """
import sys, time
from pathlib import Path
from geomap.gazetteer.index import _build_once

def build(tmp):
    with open(sys.argv[2], "a") as log:
        log.write("built\\n")
    time.sleep(1.0)
    tmp.write_text("index")

print(_build_once(Path(sys.argv[1]), build))
"""


def test_racing_processes_build_an_empty_cache_once(tmp_path):
    target, log = tmp_path / "cache" / "gazetteer-test.sqlite", tmp_path / "builds.log"
    racers = [subprocess.Popen([sys.executable, "-c", _RACER, str(target), str(log)], stdout=subprocess.PIPE)
              for _ in range(3)]
    outs = [r.communicate(timeout=120)[0].decode().strip() for r in racers]
    assert [r.returncode for r in racers] == [0, 0, 0]
    assert outs == [str(target)] * 3
    assert log.read_text().splitlines() == ["built"]
    assert target.read_text() == "index"
    assert sorted(p.name for p in target.parent.iterdir()) == ["gazetteer-test.lock", "gazetteer-test.sqlite"]


def test_unbuildable_cache_says_how_to_build_it(tmp_path):
    from geomap.gazetteer.index import _build_once

    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    with pytest.raises(DataError, match=r"geomap index build --to .*not-a-folder"):
        _build_once(blocked / "gazetteer-x.sqlite", lambda tmp: None)


def test_index_command_reuses_a_prebuilt_index(tmp_path, monkeypatch):
    """A folder that holds the index (here a link to the cached one) serves as GEOMAP_CACHE_DIR."""
    from click.testing import CliRunner

    from geomap.cli import cli
    from geomap.gazetteer import load_gazetteer

    cached = load_gazetteer().path
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / cached.name).symlink_to(cached)
    result = CliRunner().invoke(cli, ["index", "build", "--to", str(shared)])
    assert result.exit_code == 0, result.output
    assert f"already built: {shared / cached.name}" in result.output
    monkeypatch.setenv("GEOMAP_CACHE_DIR", str(shared))
    result = CliRunner().invoke(cli, ["index", "path"])
    assert result.exit_code == 0 and result.output.strip() == str(shared / cached.name)
