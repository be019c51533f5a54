"""Fuzzing the exporters' round trip (GeoJSON, GPKG, Parquet, CSV, the store) and the page payload.

Every incident field takes hostile values: any Unicode (NUL, lone surrogates, RTL marks, line
separators), spreadsheet formulas, markup, template syntax, huge and tiny numbers. What is written
must read back as :func:`geomap.export.sanitize_incidents` says, in every format and through the
store, and the page payload must parse back to the same strings without ever closing its script.
Budget: ``support.fuzzing.budget`` (small in CI, ``make fuzz`` for a long run).
"""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

import pandas as pd
import pandas.testing as pdt
from hypothesis import given
from hypothesis import strategies as st

from geomap.export import read_incidents, sanitize_incidents, write_incidents
from geomap.incidents.taxonomy import INCIDENT_TYPES
from geomap.render import make_map
from geomap.render._map import json_for_script
from geomap.render._synthetic import synthetic_incidents
from geomap.store import read_store, upsert_store
from support.fuzzing import budget
from support.pagedata import payload_of

_special = st.sampled_from([
    "\x00", "\r", "\n", "\r\n", "\t", "\x1b", "\x7f", "\u2028", "\u2029", "\u202e", "\ufeff",
    "=HYPERLINK(\"x\")", "+1", "-1", "@A1", "'", "'=", "</script>", "<!--", "{{ 7*7 }}", "{%", "{#",
    "${x}", "`", "\"", "&amp;", "\ud800", "\udfff", "🇺🇦", "Київ",
])
hostile_text = st.lists(st.one_of(st.text(st.characters(exclude_categories=()), max_size=12), _special),
                        max_size=6).map("".join)
optional_text = st.one_of(st.none(), hostile_text)


@st.composite
def incident_tables(draw):
    n = draw(st.integers(1, 4))
    gdf = synthetic_incidents(n, seed=draw(st.integers(0, 1000)))
    for column in ("sentence", "mention", "place", "title", "url", "source", "country_name", "region"):
        gdf[column] = pd.Series([draw(optional_text) for _ in range(n)], dtype=object, index=gdf.index)
    gdf["incident_type"] = [draw(st.sampled_from(INCIDENT_TYPES)) for _ in range(n)]
    gdf["confidence"] = [draw(st.floats(0, 1)) for _ in range(n)]
    gdf["sources"] = pd.Series([draw(st.lists(hostile_text, max_size=3)) for _ in range(n)],
                               dtype=object, index=gdf.index)
    gdf["reports"] = [len(s) for s in gdf["sources"]]
    gdf["geonameid"] = [draw(st.one_of(st.none(), st.integers(0, 2**40))) for _ in range(n)]
    return gdf


@budget
@given(gdf=incident_tables(), suffix=st.sampled_from([".geojson", ".gpkg", ".parquet", ".csv"]))
def test_files_read_back_what_was_written(gdf, suffix):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"x{suffix}"
        write_incidents(gdf, path)
        back = read_incidents(path)
    pdt.assert_frame_equal(back.drop(columns="geometry"), sanitize_incidents(gdf).drop(columns="geometry"),
                           check_exact=False, rtol=1e-12)


@budget
@given(gdf=incident_tables())
def test_the_store_reads_back_what_was_stored_and_a_second_upsert_changes_nothing(gdf):
    gdf = gdf.drop_duplicates("id")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "s.gpkg"
        first = upsert_store(path, gdf)
        again = upsert_store(path, gdf)
        back = read_store(path)
    assert first.inserted == len(gdf) and again.unchanged == len(gdf)
    want = sanitize_incidents(gdf)
    # the store counts a record's own source when it lists none
    want["sources"] = [s if s else ([src] if src else []) for s, src in zip(want["sources"], want["source"])]
    want["sources"] = [list(dict.fromkeys(s)) for s in want["sources"]]
    want["reports"] = [len(s) or r for s, r in zip(want["sources"], want["reports"])]
    pdt.assert_frame_equal(back.drop(columns="geometry").reset_index(drop=True),
                           want.drop(columns="geometry").reset_index(drop=True), check_exact=False, rtol=1e-12)


@budget
@given(value=st.recursive(st.one_of(st.none(), st.booleans(), st.integers(-2**53, 2**53),
                                    st.floats(allow_nan=False, allow_infinity=False), hostile_text),
                          lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                  st.dictionaries(hostile_text, inner, max_size=4)),
                          max_leaves=20))
def test_the_payload_never_closes_its_script_and_parses_back(value):
    text = json_for_script(value)
    assert not re.search(r"</|<!--|[\u2028\u2029<>&]", text)
    assert json.loads(text) == without_surrogates(value)  # UTF-8 cannot hold lone surrogates


def without_surrogates(value):
    if isinstance(value, str):
        return re.sub("[\ud800-\udfff]", "\ufffd", value)
    if isinstance(value, list):
        return [without_surrogates(v) for v in value]
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            out[without_surrogates(k)] = without_surrogates(v)
        return out
    return value


@budget
@given(gdf=incident_tables())
def test_every_string_of_a_map_reaches_the_payload_as_text(gdf):
    page = make_map(gdf, title="Fuzz").to_html()
    assert page.count("<script") == page.count("</script>")
    strings = set(payload_of(page)["strings"])
    for value in sanitize_incidents(gdf)["sentence"]:
        if value is not None:
            assert value.strip() in {s.strip() for s in strings} or value in strings
