"""Shared ways of reading a geomap page in the browser tests (imported by the test modules)."""

from __future__ import annotations

MARKERS = ".leaflet-marker-pane .geomap-marker"


def open_map(page, path, fragment=""):
    """Open a saved map (optionally with a URL fragment) and wait for its first markers."""
    page.goto(path.as_uri() + (f"#{fragment}" if fragment else ""))
    page.wait_for_selector(".geomap[data-ready]", state="attached", timeout=60_000)


def visible_count(page) -> int:
    """How many incidents the page says pass the current filters."""
    return int(page.get_attribute(".geomap", "data-visible"))


def marker_count(page) -> int:
    """How many single markers (not clusters) are drawn."""
    return page.locator(MARKERS).count()


def type_checkbox(page, type_id):
    """The layer-control checkbox of one incident type."""
    return page.locator(f".leaflet-control-layers-overlays label:has([data-type='{type_id}']) input")


# every incident placed as a pin in the marker groups, alone or inside a cluster, on screen or
# off it (the first view fits the theatre: far pins are placed but outside the view)
_PINS_PLACED = "() => document.querySelector('.geomap').geomap.placedIds().length"
# those drawn in the current view (markercluster draws only what is near the view)
_PINS_ON_SCREEN = "() => document.querySelector('.geomap').geomap.onScreenCount()"


def pin_count(page) -> int:
    """How many incidents are placed as pins (alone or in a cluster); the page's count must agree,
    and no more than those are drawn in the view."""
    page.wait_for_selector(".geomap[data-loaded]", state="attached", timeout=60_000)
    placed = page.evaluate(_PINS_PLACED)
    assert placed == int(page.get_attribute(".geomap", "data-pins"))
    assert page.evaluate(_PINS_ON_SCREEN) <= placed
    return placed


def pinned(incidents):
    """The incidents a map draws as pins: all but those located only by an area (geo_precision 3)."""
    return incidents[incidents["geo_precision"].fillna(1).astype(int) != 3]
