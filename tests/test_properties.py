"""Property-based tests: geoparse, extract and map never crash on arbitrary text, and what they
produce is well-formed (spans inside the text, the standard incidents frame, files that read back,
HTML that never carries article text as markup).

Texts are drawn from four families: any Unicode (control characters, NUL, RTL marks, emoji,
combining marks, lone surrogates), very long words, HTML-like text (tags, entities, <script>,
quotes, backticks) and real place names glued with random punctuation.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import geopandas as gpd
import pandas.testing as pdt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import geomap
from geomap.export import sanitize_incidents
from geomap.models import INCIDENT_COLUMNS, MENTION_KINDS
from geomap.render import make_map

INJECTED = "<script>window.__x=1</script>"
FORMATS = (".geojson", ".gpkg", ".parquet", ".csv")

# ------------------------------------------------------------------ strategies

_any_char = st.characters(exclude_categories=())  # every code point, surrogates included
_surrogate = st.integers(0xD800, 0xDFFF).map(chr)
_special = st.sampled_from([
    "\x00", "\r", "\n", "\r\n", "\t", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\u2028", "\u2029",
    "\u200b", "\u200d", "\u200e", "\u200f", "\u202e", "\u2066", "\ufeff", "\ufffd", "\u0301",
    "🚀", "👨‍👩‍👧", "🇺🇦", "עברית", "العربية", "Київ", "Ростов", "東京", "ﬁ", "İ", "ß", "Σ",
])


def _text(alphabet, max_size):
    return st.text(alphabet, max_size=max_size)


def _pieces(*parts, max_size=80):
    return st.lists(st.one_of(*parts), max_size=max_size).map("".join)


#: any Unicode, with the awkward characters (and clusters) made frequent
any_unicode = _pieces(_any_char, _any_char, _surrogate, _special)
#: the same without lone surrogates (for the map property: see test_map_of_lone_surrogates)
any_encodable = _pieces(_any_char.filter(lambda c: not "\ud800" <= c <= "\udfff"), _special)

long_words = st.builds(
    lambda ch, n, before, after: before + ch * n + after,
    st.sampled_from(["a", "Ж", "字", "🚀", "-", ".", "Kyiv", "\u0301", " "]),
    st.integers(500, 20_000), st.sampled_from(["", "Kyiv ", "Odesa."]), st.sampled_from(["", " Black Sea"]),
)

PLACES = ["Kyiv", "Black Sea", "the Black Sea", "Rostov region", "Chișinău", "Chisinau", "U.S.",
          "the U.S.", "Odesa", "Crimea", "Krasnodar Krai", "Sevastopol", "Novorossiysk", "Moldova"]
CUES = ["Drones struck", "talks in", "shelled", "explosions in", "a missile hit", "officials said",
        "near", "over", "in", "the governor of", "Russian", "Ukrainian", "not", "may have"]
PUNCT = ["", " ", " ", ".", ",", ";", ":", "!", "?", "…", "—", "-", "'", "’s", "\"", "(", ")",
         "«", "»", "\n", "\n\n", "\t", "\u00a0", "/", "&", "%"]
HTML_BITS = ["<p>", "</p>", "<b>", "</b>", "<br/>", INJECTED, "</script>", "<script>", "<!--", "-->",
             "&amp;", "&lt;", "&gt;", "&quot;", "&#39;", "&#x3C;script&#x3E;", "&nbsp;", "`", "${x}",
             "'", '"', '<img src=x onerror="alert(1)">', '<a href="javascript:alert(1)">',
             "<![CDATA[", "]]>", "<style>body{}</style>", "\\u003c", "</title>", "<title>"]

place_text = st.lists(st.one_of(st.sampled_from(PLACES), st.sampled_from(CUES), st.sampled_from(PUNCT),
                                st.sampled_from(PUNCT)), max_size=40).map("".join)
html_text = st.lists(st.one_of(st.sampled_from(HTML_BITS), st.sampled_from(PLACES), st.sampled_from(CUES),
                               st.sampled_from(PUNCT), _text(_any_char, 8)), max_size=40).map("".join)
texts = st.one_of(any_unicode, long_words, place_text, html_text)

#: Sentences that report an incident at a real place, with markup and odd characters inside.
REPORTS = ["Drones struck an oil depot in {p} overnight{x}, officials said.",
           "A missile strike hit the port of {p}{x}, local authorities reported.",
           "Artillery shelled {p} overnight{x}, damaging houses, the governor said.",
           "Foreign ministers held peace talks in {p}{x} on Monday."]
REPORT_PLACES = ["Odesa", "Kherson", "Sevastopol", "Novorossiysk", "Chișinău", "Istanbul", "Batumi",
                 "Taganrog", "Kerch"]
INSIDE = ["", " " + INJECTED, " <b>&amp;</b>", " `rm -rf` \"quoted\" 'single'", " ${alert(1)}",
          " \x01\x1b\x7f", " 🚀 \u202e", " </script><!--", " &lt;script&gt;"]


def incident_texts(filler):
    """A paragraph of ``filler``, a report sentence (with something inside it), more filler."""
    def text(before: str, report: str, place: str, inside: str, after: str) -> str:
        return f"{before}\n\n{report.format(p=place, x=inside)}\n\n{after}"

    return st.builds(text, filler, st.sampled_from(REPORTS), st.sampled_from(REPORT_PLACES),
                     st.sampled_from(INSIDE), filler)


SETTINGS = settings(max_examples=50, deadline=None)


@pytest.fixture(scope="module")
def geoparser():
    """One geoparser for the whole module (the one ``geomap.geoparse`` and ``geomap.extract`` use)."""
    from geomap.toponyms import default_geoparser

    return default_geoparser()


# ------------------------------------------------------------------ checks


def check_mentions(text: str, mentions: list) -> None:
    starts = [m.start for m in mentions]
    assert starts == sorted(starts)
    for m in mentions:
        assert 0 <= m.start < m.end <= len(text)
        assert text[m.start:m.end] == m.text
        assert 0.0 <= m.confidence <= 1.0
        assert m.kind in MENTION_KINDS
        if m.place is not None:
            assert -90 <= m.place.lat <= 90 and -180 <= m.place.lon <= 180


def check_frame(gdf, text: str) -> None:
    assert isinstance(gdf, gpd.GeoDataFrame)
    assert list(gdf.columns) == [*INCIDENT_COLUMNS, "geometry"]
    assert gdf.crs is not None and gdf.crs.to_epsg() == 4326
    assert gdf["id"].is_unique
    for row in gdf.itertuples(index=False):
        assert 0.0 <= row.confidence <= 1.0
        assert -90 <= row.lat <= 90 and -180 <= row.lon <= 180
        assert (row.geometry.x, row.geometry.y) == (row.lon, row.lat)
        assert row.reports == len(row.sources) >= 1
        assert row.sentence in text and row.mention in row.sentence


def check_round_trips(gdf) -> None:
    expected = sanitize_incidents(gdf)
    with tempfile.TemporaryDirectory() as tmp:
        for ext in FORMATS:
            got = geomap.read_incidents(geomap.write_incidents(gdf, Path(tmp) / f"incidents{ext}"))
            pdt.assert_frame_equal(got, expected, obj=f"read back from {ext}")
            assert got.crs.to_epsg() == 4326


def check_html(the_map, gdf) -> None:
    page = the_map.to_html()
    assert "<script>window.__x" not in page
    assert "<script>window.__x" not in the_map.to_embed()
    if any(INJECTED in s for s in gdf["sentence"]):
        # the quote did reach the page's data, escaped
        assert "window.__x" in json.dumps(the_map.payload, ensure_ascii=False)
        assert "\\u003cscript\\u003ewindow.__x" in page


# ------------------------------------------------------------------ properties


@SETTINGS
@given(text=texts)
def test_geoparse_never_raises_and_spans_stay_inside(geoparser, text):
    check_mentions(text, geoparser(text))


@settings(max_examples=20, deadline=None)
@given(text=st.one_of(place_text, html_text))
def test_public_geoparse_agrees(geoparser, text):
    from geomap.toponyms import geoparse

    assert geoparse(text) == geoparser(text)


def test_geomap_geoparse_stays_a_function_after_extract():
    # a fresh interpreter: which of the two comes first decides what `geomap.geoparse` is
    code = ("import geomap\n"
            "geomap.extract(['Drones struck an oil depot in Odesa overnight.'])\n"
            "print([m.text for m in geomap.geoparse('Talks in Chisinau and Kyiv.')])\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parents[1])
    assert done.returncode == 0, done.stderr.strip().splitlines()[-1]
    assert done.stdout == "['Chisinau', 'Kyiv']\n"


@SETTINGS
@given(text=texts)
def test_extract_and_map_never_raise(geoparser, text):
    gdf = geomap.extract([text])
    check_frame(gdf, text)
    check_html(make_map(gdf, title=text[:200] or None), gdf)


@settings(max_examples=30, deadline=None)
@given(text=incident_texts(any_unicode))
def test_incidents_in_odd_text_are_found_and_read_back(geoparser, text):
    gdf = geomap.extract([text])
    check_frame(gdf, text)
    assert len(gdf) >= 1  # the report sentence is found whatever surrounds it
    check_round_trips(gdf)


@settings(max_examples=40, deadline=None)
@given(text=incident_texts(st.one_of(any_encodable, html_text, place_text)))
def test_article_text_never_becomes_markup(geoparser, text):
    gdf = geomap.extract([text])
    check_frame(gdf, text)
    check_html(make_map(gdf, title=text[:100]), gdf)


def test_map_of_lone_surrogates():
    text = "Drones struck an oil depot in Odesa overnight \ud800, officials said."
    gdf = geomap.extract([text])
    assert len(gdf) == 1
    check_html(make_map(gdf, title="Odesa \udc00"), gdf)
