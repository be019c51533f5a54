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


# every incident drawn as a pin, alone or inside a cluster on screen (each cluster counts its pins)
_PINS_ON_SCREEN = "() => document.querySelector('.geomap').geomap.onScreenCount()"


def pin_count(page) -> int:
    """How many incidents are drawn as pins (alone or in a cluster); the page's count must agree."""
    page.wait_for_selector(".geomap[data-loaded]", state="attached", timeout=60_000)
    on_screen = page.evaluate(_PINS_ON_SCREEN)
    assert on_screen == int(page.get_attribute(".geomap", "data-pins"))
    return on_screen


def pinned(incidents):
    """The incidents a map draws as pins: all but those located only by an area (geo_precision 3)."""
    return incidents[incidents["geo_precision"].fillna(1).astype(int) != 3]
