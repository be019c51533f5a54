"""geomap's incident layers on a folium map, in a real headless Chromium, offline."""

from __future__ import annotations

import base64
import struct
import zlib

import folium
import pytest

from geomap.render._assets import FOLIUM_LOCAL
from geomap.render._folium import _ICON_ASSETS, to_folium
from geomap.render._synthetic import synthetic_incidents
from pagekit import MARKERS, open_map, pin_count, pinned, type_checkbox, visible_count

pytestmark = pytest.mark.browser

NASTY = "He said <script>window.__pwned=1</script> and \"'` then </blockquote><img src=x onerror=window.__pwned=2>"
USER_DOT = "path.user-dot"


def png_tile() -> str:
    """A 1x1 grey PNG as a data: URL: a tile layer that needs no network."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(b"\x00\x80")) + chunk(b"IEND", b""))
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


@pytest.fixture(scope="session")
def incidents():
    gdf = synthetic_incidents(40)
    gdf.loc[gdf.index[6], "sentence"] = NASTY  # Chisinau
    return gdf


def user_dot(m):
    """A layer of the user's own, added after the incident layers."""
    folium.CircleMarker([50.45, 30.52], radius=9, color="#00aa00", class_name="user-dot",
                        tooltip="mine").add_to(m)


@pytest.fixture(scope="session")
def pages(incidents, tmp_path_factory):
    folder = tmp_path_factory.mktemp("folium")
    m = to_folium(incidents, title="Folium <map>")
    user_dot(m)
    m.save(str(folder / "plain.html"))
    tiled = folium.Map(location=[48, 30], zoom_start=5,
                       tiles=folium.TileLayer(tiles=png_tile(), attr="test tiles", name="Grey tiles"))
    user_dot(tiled)  # before the incident layers this time
    to_folium(incidents, tiled)
    tiled.save(str(folder / "tiled.html"))
    packed = to_folium(incidents, compress=True)
    packed.save(str(folder / "packed.html"))
    return folder


def test_incident_layers_and_a_user_layer_on_one_map(page, pages, incidents, artifacts):
    open_map(page, pages / "plain.html")
    assert page.title() == "Folium <map>"
    assert page.locator(".folium-map.geomap").count() == 1  # geomap built on folium's map
    assert page.evaluate("Object.keys(window).filter(k => /^map_[0-9a-f]+$/.test(k)).length") == 1
    assert visible_count(page) == len(incidents)
    assert pin_count(page) == len(pinned(incidents))
    assert page.locator(".geomap-legend-row").count() == incidents["incident_type"].nunique()
    assert page.locator(".geomap-panel .geomap-search").count() == 1
    assert page.locator("input[data-date='from']").count() == 1
    assert page.locator(".leaflet-control-layers").count() == 1
    assert page.locator(USER_DOT).count() == 1
    assert page.locator(".geomap.geomap-offline").count() == 1  # no tiles: offline outlines
    page.screenshot(path=str(artifacts / "folium-plain.png"))


@pytest.mark.parametrize("type_id", ["air_strike", "naval_attack"])
def test_toggling_a_type_changes_the_markers_not_the_user_layer(page, pages, incidents, type_id):
    open_map(page, pages / "plain.html")
    expected = int((incidents["incident_type"] == type_id).sum())
    assert expected > 0
    type_checkbox(page, type_id).uncheck()
    assert visible_count(page) == len(incidents) - expected
    assert pin_count(page) == int((pinned(incidents)["incident_type"] != type_id).sum())
    assert page.locator(f"{MARKERS}.geomap-t-{type_id}").count() == 0
    assert page.locator(USER_DOT).count() == 1
    assert type_id not in page.evaluate("location.hash") and "types=" in page.evaluate("location.hash")
    type_checkbox(page, type_id).check()
    assert pin_count(page) == len(pinned(incidents))


def test_region_filter_and_fragment(page, pages, incidents):
    open_map(page, pages / "plain.html", "types=air_strike,shelling")
    expected = incidents["incident_type"].isin(["air_strike", "shelling"])
    assert visible_count(page) == int(expected.sum())
    assert pin_count(page) == int(pinned(incidents)["incident_type"].isin(["air_strike", "shelling"]).sum())
    page.goto("about:blank")
    open_map(page, pages / "plain.html")
    page.check("input[data-region='RU-KDA']")
    inside = int((incidents["region_code"] == "RU-KDA").sum())
    assert visible_count(page) == inside
    assert pin_count(page) == int((pinned(incidents)["region_code"] == "RU-KDA").sum())
    assert page.evaluate("location.hash") == "#region=RU-KDA"
    assert page.locator(USER_DOT).count() == 1


def test_popup_text_stays_text(page, pages, incidents):
    open_map(page, pages / "plain.html")
    index = int(incidents.index.get_loc(incidents.index[6]))
    page.evaluate(f"document.querySelector('.geomap').geomap.openPopup({index})")
    assert page.locator(".leaflet-popup .geomap-popup-quote").text_content() == NASTY
    assert page.evaluate("window.__pwned") is None
    assert page.locator(".leaflet-popup script, .leaflet-popup img").count() == 0


def test_user_tiles_join_the_layer_control(page, pages, incidents, artifacts):
    open_map(page, pages / "tiled.html")
    assert pin_count(page) == len(pinned(incidents))
    assert page.locator(USER_DOT).count() == 1
    base = page.locator(".leaflet-control-layers-base label")
    names = [text.strip() for text in base.all_text_contents()]
    assert "Grey tiles" in names and "Offline outlines" in names
    checked = page.locator(".leaflet-control-layers-base label:has(input:checked)").all_text_contents()
    assert [text.strip() for text in checked] == ["Grey tiles"]
    assert page.locator("img.leaflet-tile").count() > 0  # the data: tiles drawn
    # the offline outlines lie beneath the tiles (which cover them where they load)
    assert page.evaluate(UNDER_TILES) is True
    page.screenshot(path=str(artifacts / "folium-tiled.png"))
    # back to the offline outlines: the user's tiles go, the outlines stay
    page.locator(".leaflet-control-layers-base label:has-text('Offline outlines') input").check()
    assert page.locator("img.leaflet-tile").count() == 0
    assert page.evaluate(UNDER_TILES) is True


# geomap's outline canvas is drawn (land pixels painted) in a pane below folium's tile pane
UNDER_TILES = """(() => { const m = document.querySelector('.geomap').geomap.map;
    const base = m.getPane('geomapBase'), tiles = m.getPane('tilePane');
    const canvas = base.querySelector('canvas');
    if (!canvas || +getComputedStyle(base).zIndex >= +getComputedStyle(tiles).zIndex) return false;
    const d = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let painted = 0; for (let i = 3; i < d.length; i += 4) { if (d[i]) painted++; }
    return painted > d.length / 40; })()"""


def test_folium_markers_icons_and_popups_beside_the_incident_layers(page, incidents, tmp_path, artifacts):
    """A default folium.Map (OpenStreetMap tiles) with folium's own Marker, Icon and popup, and
    geomap's layers: all work offline; only the tiles and folium's style links stay unloaded."""
    m = folium.Map(location=[48, 30], zoom_start=5)
    folium.Marker([50.45, 30.52], popup=folium.Popup("<b>Field office</b>"), tooltip="office",
                  icon=folium.Icon(color="red", icon="info-sign")).add_to(m)
    folium.Marker([46.48, 30.73], popup="plain popup").add_to(m)
    to_folium(incidents, m)
    folium.CircleMarker([45.04, 38.98], radius=7, popup="after").add_to(m)
    m.save(str(tmp_path / "default.html"))
    open_map(page, tmp_path / "default.html")
    assert visible_count(page) == len(incidents) and pin_count(page) == len(pinned(incidents))
    icon = page.locator(".leaflet-marker-pane .awesome-marker-icon-red")
    assert icon.count() == 1  # folium.Icon drawn by awesome-markers
    icon.click()
    assert page.locator(".leaflet-popup-content b").text_content() == "Field office"
    page.locator(".leaflet-popup-close-button").click()
    plain = page.locator(".leaflet-marker-pane img.leaflet-marker-icon")  # Leaflet's default icon
    assert plain.count() == 1 and plain.evaluate("e => e.complete && e.naturalWidth") == 25
    assert page.evaluate("typeof window.jQuery") == "function"
    assert page.evaluate(UNDER_TILES) is True  # offline: the land is drawn under the blank tiles
    page.screenshot(path=str(artifacts / "folium-default-map.png"))
    # what the page could not load offline: OpenStreetMap tiles and folium's icon-font links
    fonts = {url for name, url in folium.Map.default_js + folium.Map.default_css
             if name in _ICON_ASSETS and name not in FOLIUM_LOCAL}
    assert page.blocked and all(url in fonts or "tile.openstreetmap.org" in url for url in page.blocked)
    assert all(e.startswith("Failed to load resource") for e in page.errors)
    page.blocked.clear()
    page.errors.clear()



def test_compressed_payload_renders(page, pages, incidents):
    open_map(page, pages / "packed.html")
    assert page.get_attribute("script[id$='-data']", "data-encoding") == "gzip+base64"
    assert pin_count(page) == len(pinned(incidents))


def test_template_syntax_in_text_shows_literally(page, incidents, tmp_path):
    """{{ }}, {% %} and {# #} in an article reach the popup as text (never as Jinja source)."""
    jinja = "Struck {{ 7*7 }} {{cite}} {% raw %} {# note {%- endfor %}"
    gdf = incidents.copy()
    gdf.loc[gdf.index[6], "sentence"] = jinja
    to_folium(gdf).save(str(tmp_path / "jinja.html"))
    open_map(page, tmp_path / "jinja.html")
    index = int(gdf.index.get_loc(gdf.index[6]))
    page.evaluate(f"document.querySelector('.geomap').geomap.openPopup({index})")
    assert page.locator(".leaflet-popup .geomap-popup-quote").text_content() == jinja
