"""The base map's pieces kept between runs (geomap/render/_diskcache.py): made once, made again
when their data or code changes or the stored file is damaged, and never needed to work."""

from __future__ import annotations

import json
import os

import pytest

from geomap.render import _diskcache


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("GEOMAP_CACHE_DIR", str(tmp_path / "cache"))
    source = tmp_path / "table.parquet"
    source.write_bytes(b"first version")
    code = tmp_path / "maker.py"
    code.write_text("# the code that makes it\n")
    return tmp_path / "cache" / "render", source, code


def counting(text):
    calls = []

    def make():
        calls.append(1)
        return text

    return make, calls


def test_made_once_then_read(cache):
    folder, source, code = cache
    make, calls = counting('{"a": [1, 2]}')
    assert _diskcache.cached_json([str(code)], [source], "key", make) == '{"a": [1, 2]}'
    assert _diskcache.cached_json([str(code)], [source], "key", make) == '{"a": [1, 2]}'
    assert len(calls) == 1
    assert len(list(folder.glob("*.json"))) == 1
    other, other_calls = counting("[3]")
    assert _diskcache.cached_json([str(code)], [source], "another key", other) == "[3]"
    assert len(other_calls) == 1


def test_a_changed_source_or_code_makes_it_again(cache):
    folder, source, code = cache
    make, calls = counting("[1]")
    _diskcache.cached_json([str(code)], [source], "key", make)
    source.write_bytes(b"second version, longer")
    _diskcache.cached_json([str(code)], [source], "key", make)
    assert len(calls) == 2
    code.write_text("# the code that makes it, changed\n")
    _diskcache._source_hash.cache_clear()
    _diskcache.cached_json([str(code)], [source], "key", make)
    assert len(calls) == 3
    source.unlink()  # a missing file is part of the key too
    _diskcache.cached_json([str(code)], [source], "key", make)
    assert len(calls) == 4


def test_a_damaged_file_is_made_again(cache):
    folder, source, code = cache
    make, calls = counting('{"ok": true}')
    _diskcache.cached_json([str(code)], [source], "key", make)
    (stored,) = folder.glob("*.json")
    stored.write_text('{"ok": tr')
    assert json.loads(_diskcache.cached_json([str(code)], [source], "key", make)) == {"ok": True}
    assert len(calls) == 2


def test_works_without_a_writable_cache(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would be")
    monkeypatch.setenv("GEOMAP_CACHE_DIR", str(blocker))
    make, calls = counting("[7]")
    assert _diskcache.cached_json([__file__], [], "key", make) == "[7]"
    assert _diskcache.cached_json([__file__], [], "key", make) == "[7]"
    assert len(calls) == 2


def test_keeps_the_most_recently_used(cache, monkeypatch):
    folder, source, code = cache
    monkeypatch.setattr(_diskcache, "MAX_FILES", 3)
    for k in range(3):
        _diskcache.cached_json([str(code)], [source], f"key {k}", lambda: "[0]")
    first = next(f for f in folder.glob("*.json"))
    old = first.stat().st_mtime_ns - 10**9
    for f in folder.glob("*.json"):
        os.utime(f, ns=(old, old))
    make, calls = counting("[0]")
    _diskcache.cached_json([str(code)], [source], "key 0", make)  # used again: now the newest
    assert calls == []
    _diskcache.cached_json([str(code)], [source], "key 3", lambda: "[0]")
    assert len(list(folder.glob("*.json"))) == 3
    _diskcache.cached_json([str(code)], [source], "key 0", make)
    assert calls == []  # kept: the least recently used went instead
