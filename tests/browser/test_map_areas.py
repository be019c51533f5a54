"""Country- and sea-level incidents (issue 12, item 4) drawn as areas, never as a precise pin, and
left out of the first view: on the page (desktop and phone) and in the static SVG/PNG, which
Chromium opens offline like any reader's browser. "Sanctions against Russia" must not become a
pin in Siberia, nor stretch the view from the front to 98 E."""

from __future__ import annotations

import geopandas as gpd
import pytest
from click.testing import CliRunner
from shapely.geometry import Point

from geomap.cli import cli
from geomap.export import write_incidents
from geomap.render import make_map
from geomap.render._static import static_figure
from pagekit import open_map

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}

# (place, lon, lat, type, geo_precision, kind, country, country name, region code, region, water)
ROWS = [("Kharkiv", 36.23, 49.99, "air_strike", 1, "city", "UA", "Ukraine", "UA-63", "Kharkiv", None),
        ("Kupiansk", 37.61, 49.71, "shelling", 1, "city", "UA", "Ukraine", "UA-63", "Kharkiv", None),
        ("Pokrovsk", 37.18, 48.28, "ground_fighting", 1, "city", "UA", "Ukraine", "UA-14", "Donetsk", None),
        ("Zaporizhzhia", 35.14, 47.84, "air_strike", 1, "city", "UA", "Ukraine", "UA-23", "Zaporizhzhia", None),
        # located only by the country: the gazetteer's point for Russia lies in Siberia
        ("Russia", 98.6, 59.7, "diplomacy", 3, "country", "RU", "Russia", None, None, None),
        # and only by a sea
        ("Black Sea", 34.0, 43.4, "naval_attack", 3, "water", None, None, None, None, "Black Sea")]
FRONT = [r for r in ROWS if r[4] != 3]


@pytest.fixture(scope="module")
def incidents():
    records = [{"id": f"t{k}", "place_id": f"test:{k}", "lon": lon, "lat": lat, "date_precision": 1,
                "confidence": 0.9, "place": p, "mention": p, "incident_type": t, "geo_precision": gp, "kind": kind, "country": cc,
                "country_name": cn, "region_code": code, "region": region, "water": water,
                "date": "2025-11-2" + str(k), "sentence": f"A report about {p}."}
               for k, (p, lon, lat, t, gp, kind, cc, cn, code, region, water) in enumerate(ROWS)]
    return gpd.GeoDataFrame(records, geometry=[Point(r[1], r[2]) for r in ROWS], crs="EPSG:4326")


@pytest.fixture(scope="module")
def map_path(incidents, tmp_path_factory):
    return make_map(incidents, title="Areas").save(tmp_path_factory.mktemp("areas") / "map.html")


def _bounds(page):
    return page.evaluate("(() => { const b = document.querySelector('.geomap').geomap.map.getBounds(); "
                         "return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]; })()")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_country_and_sea_incidents_are_areas_out_of_the_first_view(page, map_path, viewport, artifacts):
    page.set_viewport_size(viewport)
    open_map(page, map_path)
    assert int(page.get_attribute(".geomap", "data-visible")) == len(ROWS)
    page.wait_for_selector(".geomap[data-loaded]", state="attached")
    # no pin for either: every pin placed is a front incident
    placed = page.evaluate("""() => { const m = document.querySelector('.geomap').geomap;
        return m.placedIds().map(i => m.strings[m.cols.place[i]]).sort(); }""")
    assert placed == sorted(r[0] for r in FRONT)
    # the first view is the front, not Siberia (nor the whole Black Sea coast's far side)
    west, south, east, north = _bounds(page)
    for _, lon, lat, *_ in FRONT:
        assert west <= lon <= east and south <= lat <= north
    assert east < 60, f"the first view stretches to {east:.1f} E"
    # each is a shaded area with its count, and the area opens its incidents
    assert page.locator("path.geomap-area").count() == 2
    if page.eval_on_selector("details.geomap-legend", "e => !e.open"):
        page.click("details.geomap-legend summary")  # folded on a phone
    button = page.locator(".geomap-area-button:has-text('Russia')")
    assert int(button.locator(".geomap-count").text_content()) == 1
    button.click()
    page.locator(".leaflet-popup .geomap-area-incident").first.click()
    assert page.locator(".leaflet-popup .geomap-popup-placename").text_content() == "Russia"
    page.screenshot(path=str(artifacts / f"areas-{viewport['width']}.png"))


def test_static_maps_hatch_the_areas_and_fit_the_front(page, incidents, tmp_path, artifacts):
    """The SVG written by `geomap map --svg` (no -o: the title comes from the filters), opened in
    Chromium offline: the title, the hatched areas in the legend and on the map, a scale bar, the
    front's place labels; the extent (the PNG's too: one figure) leaves Siberia out."""
    source = tmp_path / "incidents.gpkg"
    write_incidents(incidents, source)
    svg, png = tmp_path / "map.svg", tmp_path / "map.png"
    result = CliRunner().invoke(cli, ["map", str(source), "--svg", str(svg), "--png", str(png)])
    assert result.exit_code == 0, result.output
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page.goto(svg.as_uri())
    texts = page.evaluate("[...document.querySelectorAll('text')].map(t => t.textContent.trim())")
    assert "Incidents" in texts  # the title from the (empty) filters
    assert "Located only by country, sea or region (2)" in texts
    assert any(t.endswith(" km") for t in texts)  # the scale bar
    assert {"Kharkiv", "Pokrovsk", "Zaporizhzhia"} <= set(texts) and "Russia" not in texts
    assert not any("outside this view" in t for t in texts)  # the areas are not pins left out
    # the hatch is drawn on the map (a pattern-filled shape with an area on screen)
    hatched = page.evaluate("""[...document.querySelectorAll('[style*="url(#"], [fill^="url(#"]')]
        .map(e => e.getBBox()).filter(b => b.width * b.height > 100).length""")
    assert hatched >= 2  # the legend's swatch and at least one area
    page.screenshot(path=str(artifacts / "areas-static-svg.png"))
    west, east = static_figure(incidents, title="Areas").axes[0].get_xlim()
    assert west < 35.14 and east > 37.61 and east < 60
