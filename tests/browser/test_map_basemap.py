"""The offline base map at working zoom (issue 12): rivers, lakes and settlement labels by zoom,
the first view on the theatre, raster tiles (--tiles) above the offline layers.

Offline Chromium (the conftest blocks every non-local request).
"""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import Point

from geomap.render import make_map
from pagekit import open_map

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
VIEWPORTS = pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])

# a front around Donetsk and Nikopol, talks far away in Geneva and Washington
FRONT = [("Donetsk", 37.80, 48.02, "shelling"), ("Horlivka", 38.02, 48.30, "shelling"),
         ("Pokrovsk", 37.18, 48.28, "ground_fighting"), ("Kramatorsk", 37.56, 48.72, "air_strike"),
         ("Nikopol", 34.39, 47.57, "shelling"), ("Zaporizhzhia", 35.14, 47.84, "air_strike"),
         ("Kurakhove", 37.28, 47.98, "ground_fighting"), ("Marhanets", 34.63, 47.64, "shelling"),
         ("Geneva", 6.14, 46.20, "diplomacy"), ("Washington", -77.04, 38.90, "diplomacy")]


@pytest.fixture(scope="module")
def incidents():
    rows = [{"incident_type": t, "place": name, "date": f"2025-11-0{k % 9 + 1}", "geo_precision": 1,
             "sentence": f"Reported near {name}.", "geometry": Point(lon, lat)}
            for k, (name, lon, lat, t) in enumerate(FRONT)]
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")


@pytest.fixture(scope="module")
def pages(incidents, tmp_path_factory):
    folder = tmp_path_factory.mktemp("basemap")
    make_map(incidents, title="Front", cluster=False).save(folder / "map.html")
    make_map(incidents, title="Front", cluster=False, tiles="osm").save(folder / "tiles.html")
    return folder


LABELS = ".geomap-place"


def _labels(page):
    return page.evaluate(f"""() => [...document.querySelectorAll('{LABELS}')].map(e => {{
        const r = e.getBoundingClientRect();
        return {{name: e.textContent, x0: r.left, y0: r.top, x1: r.right, y1: r.bottom,
                 seen: r.right > 0 && r.bottom > 0 && r.left < innerWidth && r.top < innerHeight}}; }})""")


def _zoom_to(page, lat, lon, zoom):
    page.evaluate(f"() => {{ document.querySelector('.geomap').geomap.map.setView([{lat}, {lon}], {zoom}, {{animate: false}}); }}")
    page.wait_for_timeout(300)


@VIEWPORTS
def test_labels_at_working_zoom_and_not_at_zoom_5(page, pages, artifacts, viewport):
    page.set_viewport_size(viewport)
    open_map(page, pages / "map.html")
    _zoom_to(page, 48.0, 37.8, 5)
    assert [label for label in _labels(page) if label["seen"]] == []
    _zoom_to(page, 48.0, 37.8, 9)
    seen = [label for label in _labels(page) if label["seen"]]
    names = {label["name"] for label in seen}
    if viewport is DESKTOP:
        assert {"Donetsk", "Horlivka", "Pokrovsk"} <= names and len(seen) > 15
    else:  # a phone's view at zoom 9 is about 1 degree wide
        assert {"Donetsk", "Horlivka"} <= names and len(seen) > 6
    # collision-free: no two label boxes overlap (a pixel of anti-aliasing allowed)
    for i, a in enumerate(seen):
        for b in seen[i + 1:]:
            assert not (a["x0"] < b["x1"] - 1 and b["x0"] < a["x1"] - 1
                        and a["y0"] < b["y1"] - 1 and b["y0"] < a["y1"] - 1), (a["name"], b["name"])
    # labels are text: the page's script put no markup of the data in them
    assert page.evaluate(f"[...document.querySelectorAll('{LABELS}')].every(e => e.children.length === 0)")
    page.screenshot(path=str(artifacts / f"basemap-donetsk-z9-{viewport['width']}.png"))


WATER_PIXELS = """() => {
    const canvas = document.querySelector('.leaflet-geomapWater-pane canvas');
    if (!canvas) return 0;
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let n = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i + 3] > 0) n++;
    return n; }"""


def test_rivers_and_the_kakhovka_reservoir_are_drawn(page, pages, artifacts):
    open_map(page, pages / "map.html")
    _zoom_to(page, 47.57, 34.39, 9)  # Nikopol, on the reservoir
    assert page.evaluate(WATER_PIXELS) > 20_000
    kinds = page.evaluate("""() => { const kinds = {};
        document.querySelector('.geomap').geomap.water.eachLayer(tier => tier.eachLayer(l => {
            kinds[l.feature.properties.k] = (kinds[l.feature.properties.k] || 0) + 1; }));
        return kinds; }""")
    assert kinds.get("r", 0) > 5 and kinds.get("l", 0) > 0
    page.screenshot(path=str(artifacts / "basemap-nikopol-z9.png"))


@VIEWPORTS
def test_first_view_fits_the_theatre_not_the_far_pins(page, pages, viewport):
    page.set_viewport_size(viewport)
    open_map(page, pages / "map.html")
    bounds = page.evaluate("""() => { const b = document.querySelector('.geomap').geomap.map.getBounds();
        return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]; }""")
    west, south, east, north = bounds
    assert west < 34.39 and east > 38.02 and south < 47.57 and north > 48.72  # the whole front
    assert west > 6.14 and east - west < 15  # Geneva and Washington left out of the fit
    # they are still on the map: the page counts and draws them
    assert int(page.get_attribute(".geomap", "data-pins")) == len(FRONT)


def test_tiles_over_the_offline_layers(page, pages, artifacts):
    open_map(page, pages / "tiles.html")
    _zoom_to(page, 48.0, 37.8, 9)
    page.wait_for_timeout(300)
    # the tile layer is on and asked for tiles (the test blocks the network: they stay blank)
    tiles = page.evaluate("[...document.querySelectorAll('.leaflet-tile-pane img')].map(i => i.src)")
    assert tiles and all(src.startswith("https://tile.openstreetmap.org/9/") for src in tiles)
    assert any(url.startswith("https://tile.openstreetmap.org/") for url in page.blocked)
    # the offline layers are still there, beneath the tiles
    z = page.evaluate("""() => Object.fromEntries(['tile', 'geomapBase', 'geomapWater', 'geomapLabels'].map(
        p => [p, +getComputedStyle(document.querySelector('.leaflet-' + p + '-pane')).zIndex]))""")
    assert z["geomapBase"] < z["tile"] and z["geomapWater"] < z["tile"] and z["geomapLabels"] < z["tile"]
    assert page.evaluate(WATER_PIXELS) > 0 and any(label["seen"] for label in _labels(page))
    assert "OpenStreetMap contributors" in page.inner_text(".leaflet-control-attribution")
    checked = page.evaluate("""() => [...document.querySelectorAll('.leaflet-control-layers-base label')]
        .filter(l => l.querySelector('input').checked).map(l => l.textContent.trim())""")
    assert checked == ["OpenStreetMap"]
    page.screenshot(path=str(artifacts / "basemap-tiles-offline.png"))
    # the tile requests (and the browser's notes that they failed) were the point of this test
    page.blocked.clear()
    page.errors[:] = [e for e in page.errors if e != "Failed to load resource: net::ERR_FAILED"]
