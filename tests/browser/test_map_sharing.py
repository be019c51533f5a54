"""Sharing and export from the page: the view and open incident in the URL fragment, downloads of
the incidents shown, print with the title and active filters, and dark mode; Chromium, offline."""

from __future__ import annotations

import csv
import io
import json

import pytest

from geomap.render import make_map
from geomap.render._synthetic import synthetic_incidents
from pagekit import open_map, type_checkbox, visible_count

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
VIEWPORTS = pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])


def unfold_panel(page):
    """Open the filter panel (folded at first on a phone)."""
    if page.eval_on_selector(".geomap-panel details", "e => !e.open"):
        page.click(".geomap-panel summary")


@pytest.fixture(scope="module")
def incidents():
    gdf = synthetic_incidents(40).copy()
    gdf.loc[gdf.index[0], "sentence"] = '=HYPERLINK("http://x") said "they", then left'
    return gdf


@pytest.fixture(scope="module")
def map_path(incidents, tmp_path_factory):
    path = tmp_path_factory.mktemp("share") / "map.html"
    make_map(incidents, title="Sharing test").save(path)
    return path


@VIEWPORTS
def test_view_and_open_incident_in_the_fragment(page, map_path, viewport):
    page.set_viewport_size(viewport)
    open_map(page, map_path)
    assert page.evaluate("location.hash") == ""  # the first fit is no view of the reader's
    page.evaluate("document.querySelector('.geomap').geomap.map.setView([45.3, 36.5], 7) && null")
    page.wait_for_function("location.hash.includes('at=7/45.3')")
    page.evaluate("document.querySelector('.geomap').geomap.openPopup(3)")
    shared = page.evaluate("location.hash").lstrip("#")
    assert "open=3" in shared
    # the shared link opens the same view with the same popup
    page.goto("about:blank")
    open_map(page, map_path, shared)
    at = page.evaluate("(() => { const m = document.querySelector('.geomap').geomap.map, c = m.getCenter(); "
                       "return [m.getZoom(), +c.lat.toFixed(1), +c.lng.toFixed(1)]; })()")
    assert at[0] == 7
    assert page.locator(".leaflet-popup .geomap-popup-placename").count() == 1
    assert page.evaluate("document.querySelector('.geomap').geomap.openIncident") == 3
    page.locator(".leaflet-popup-close-button").click()
    assert "open=" not in page.evaluate("location.hash")


@VIEWPORTS
def test_download_the_incidents_shown(page, map_path, incidents, tmp_path, viewport):
    page.set_viewport_size(viewport)
    open_map(page, map_path)
    unfold_panel(page)
    if viewport is PHONE:  # the layer control is folded too: the filter by the fragment
        page.evaluate("(() => { const g = document.querySelector('.geomap').geomap; g.setFragment('types=' + "
                      "g.data.types.map(t => t.id).filter(t => t !== 'naval_attack').join(',')); })()")
    else:
        type_checkbox(page, "naval_attack").uncheck()
    shown = incidents[incidents["incident_type"] != "naval_attack"]
    assert visible_count(page) == len(shown)
    with page.expect_download() as info:
        page.click("button.geomap-download[data-format='csv']")
    assert info.value.suggested_filename == "sharing-test.csv"
    path = tmp_path / "shown.csv"
    info.value.save_as(path)
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert len(rows) == len(shown)
    assert sorted(r["incident_type"] for r in rows) == sorted(shown["incident_type"])
    first = next(r for r in rows if r["place"] == "Kyiv" and r["date"] == incidents.iloc[0]["date"])
    assert first["sentence"] == "'" + incidents.iloc[0]["sentence"]  # no formula in a spreadsheet
    with page.expect_download() as info:
        page.click("button.geomap-download[data-format='geojson']")
    info.value.save_as(tmp_path / "shown.geojson")
    data = json.loads((tmp_path / "shown.geojson").read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection" and len(data["features"]) == len(shown)
    lon, lat = data["features"][0]["geometry"]["coordinates"]
    assert -180 <= lon <= 180 and -90 <= lat <= 90


@VIEWPORTS
def test_print_keeps_the_title_and_the_active_filters(page, map_path, viewport):
    page.set_viewport_size(viewport)
    open_map(page, map_path)
    unfold_panel(page)
    page.check("input[data-region='RU-KDA']")
    page.click(".geomap-panel summary")  # folded again: paper shows the title and filters all the same
    page.emulate_media(media="print")
    title = page.locator(".geomap-panel summary")
    assert title.is_visible() and "Sharing test" in title.text_content()
    summary = page.locator(".geomap-print-summary")
    assert summary.is_visible() and "Regions: Krasnodar Krai" in summary.text_content()
    assert "Types: all" in summary.text_content()
    assert not page.locator(".leaflet-control-layers").is_visible()
    assert not page.locator(".geomap-search").is_visible()
    page.emulate_media(media="screen")
    assert not summary.is_visible()


@VIEWPORTS
def test_dark_mode(page, map_path, artifacts, viewport):
    page.set_viewport_size(viewport)
    page.emulate_media(color_scheme="dark")
    open_map(page, map_path)
    background = page.eval_on_selector(".geomap-panel", "e => getComputedStyle(e).backgroundColor")
    assert background == "rgb(32, 33, 36)"
    # and its text light
    colour = page.eval_on_selector(".geomap-panel", "e => getComputedStyle(e).color")
    assert sum(int(v) for v in colour[4:-1].split(",")) > 3 * 180, colour
    page.screenshot(path=str(artifacts / f"map-dark-{viewport['width']}.png"))
    page.emulate_media(color_scheme="light")
    assert page.eval_on_selector(".geomap-panel", "e => getComputedStyle(e).backgroundColor") != background
