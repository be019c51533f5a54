"""The taxonomy's colours and icons are checked before they reach a page (issue 10, item 20).

Reproducer: a taxonomy whose ``icon`` holds ``<script>`` or an ``onload`` handler, or whose
``colour`` closes the attribute, put that markup into every page as it was.
"""

from __future__ import annotations

import pytest

from geomap.errors import DataError
from geomap.incidents.markup import MarkupError, clean_colour, clean_icon
from geomap.incidents.taxonomy import load_taxonomy
from support.incidents_helpers import taxonomy_copy

HOSTILE_ICONS = [
    "<script>window.__pwned=1</script>",
    '<path d="M0 0" onload="window.__pwned=1"/>',
    '<image href="https://example.org/x.png" width="24" height="24"/>',
    '<a href="javascript:alert(1)"><path d="M0 0"/></a>',
    '<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject>',
    '<path d="M0 0" style="fill:url(https://example.org/)"/>',
    '<path d="url(javascript:alert(1))"/>',
    '<circle r="1" fill="url(#x)"/>',
    '<use href="#x"/>',
    '</svg><script>window.__pwned=1</script><svg>',
    "<path d='M0 0'/>&amp;",
    '<!DOCTYPE x [<!ENTITY a "b">]><path d="M0 0"/>',
    "<text>hello</text>",
    '<path d="M0 0">text</path>',
]
HOSTILE_COLOURS = ['red" onload="x', "red;background:url(x)", "javascript:alert(1)", "#12345",
                   "expression(alert(1))", "", "url(#x)"]


def test_the_bundled_icons_and_colours_pass_unchanged():
    for kind in load_taxonomy():
        assert clean_icon(kind.icon) == kind.icon
        assert clean_colour(kind.colour) == kind.colour


@pytest.mark.parametrize("icon", HOSTILE_ICONS)
def test_hostile_icons_are_refused(icon):
    with pytest.raises(MarkupError):
        clean_icon(icon)


@pytest.mark.parametrize("colour", HOSTILE_COLOURS)
def test_hostile_colours_are_refused(colour):
    with pytest.raises(MarkupError):
        clean_colour(colour)


def test_shapes_are_rebuilt_not_copied():
    assert clean_icon('<g transform="rotate(45 12 12)"><rect x="2" y="2" width="20" height="20" '
                      'fill="none" stroke="currentColor"/></g>') == (
        '<g transform="rotate(45 12 12)"><rect x="2" y="2" width="20" height="20" fill="none" '
        'stroke="currentColor"/></g>')
    assert clean_colour("Crimson") == "Crimson" and clean_colour("#0af8") == "#0af8"


def test_a_taxonomy_with_a_hostile_icon_is_refused_by_name(tmp_path):
    air = load_taxonomy()["air_strike"]
    path = taxonomy_copy(tmp_path, f"icon = '{air.icon}'", "icon = '<script>alert(1)</script>'")
    with pytest.raises(DataError, match=r"type air_strike: element <script> is not allowed in an icon"):
        load_taxonomy(path)


def test_a_taxonomy_with_a_hostile_colour_is_refused_by_name(tmp_path):
    air = load_taxonomy()["air_strike"]
    path = taxonomy_copy(tmp_path, f'colour = "{air.colour}"', "colour = 'red\" onmouseover=\"x'")
    with pytest.raises(DataError, match=r"type air_strike: colour 'red\" onmouseover=\"x' is not a CSS colour"):
        load_taxonomy(path)


@pytest.mark.parametrize("value", ["M0 0L24 24", "a&b<c>d", 'say "x"', "it's", "both \"'\" quotes",
                                   "tab\there\nnew\rline", "", "&amp;"])
def test_quoteattr_is_saxutils_quoteattr(value):
    """markup's own quoteattr (saxutils' module loads urllib and email at start-up) quotes alike."""
    from xml.sax.saxutils import quoteattr as reference

    from geomap.incidents.markup import quoteattr

    assert quoteattr(value) == reference(value)
