"""The PNG of the view from the page ("PNG" beside the downloads), on the page and inside a
sandboxed embed: the map's size, the base map, the pins of the types shown in their colours and
none of a type switched off; desktop and phone, offline (the conftest blocks every non-local
request)."""

from __future__ import annotations

import io

import geopandas as gpd
import pytest
from PIL import Image
from shapely.geometry import Point

from geomap.incidents.taxonomy import load_taxonomy
from geomap.render import make_map
from pagekit import open_map, type_checkbox

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}
LAND = (0xF3, 0xF0, 0xE8)  # the offline base map's land (markers.js: _borderStyle)

# three places far apart (no cluster at the fitted view), one type each
PLACES = (("Kyiv", 50.45, 30.52, "air_strike", "UA-30", "Kyiv City"),
          ("Odesa", 46.48, 30.73, "naval_attack", "UA-51", "Odesa Oblast"),
          ("Kharkiv", 49.99, 36.23, "shelling", "UA-63", "Kharkiv Oblast"))


@pytest.fixture(scope="module")
def the_map():
    rows = [{"incident_type": t, "place": name, "mention": name, "lat": lat, "lon": lon, "country": "UA",
             "country_name": "Ukraine", "region": region, "region_code": code, "geo_precision": 1,
             "date": "2025-11-29", "sentence": f"A report from {name} <b>in bold</b>."}
            for name, lat, lon, t, code, region in PLACES]
    gdf = gpd.GeoDataFrame(rows, geometry=[Point(r["lon"], r["lat"]) for r in rows], crs="EPSG:4326")
    return make_map(gdf, title="Snapshot <test>")


@pytest.fixture(scope="module")
def map_path(the_map, tmp_path_factory):
    return the_map.save(tmp_path_factory.mktemp("snapshot") / "map.html")


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _near(pixel, colour, tolerance=12) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel[:3], colour))


def _pixels_near(image, x, y, colour, radius=13, scale=1) -> int:
    """How many pixels of the box of ``radius`` CSS pixels around (x, y) are close to ``colour``."""
    x0, y0, r = round(x * scale), round(y * scale), round(radius * scale)
    count = 0
    for px in range(max(0, x0 - r), min(image.width, x0 + r + 1)):
        for py in range(max(0, y0 - r), min(image.height, y0 + r + 1)):
            count += _near(image.getpixel((px, py)), colour)
    return count


def _download_png(page, tmp_path, frame=None):
    with page.expect_download() as info:
        (frame or page).click("button.geomap-download[data-format='png']")
    assert info.value.suggested_filename == "snapshot-test.png"
    path = tmp_path / "view.png"
    info.value.save_as(path)
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return Image.open(io.BytesIO(data)).convert("RGB")


def _position(page, lat, lon):
    return page.evaluate(f"(() => {{ const p = document.querySelector('.geomap').geomap.map"
                         f".latLngToContainerPoint([{lat}, {lon}]); return [p.x, p.y]; }})()")


@pytest.mark.parametrize(("viewport", "scale"), [(DESKTOP, 1), (PHONE, 2)], ids=["desktop", "phone"])
def test_png_of_the_view(browser, viewport, scale, map_path, tmp_path):
    from conftest import LOCAL_SCHEMES

    context = browser.new_context(viewport=viewport, device_scale_factor=scale)
    page = context.new_page()
    blocked, errors = [], []
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(LOCAL_SCHEMES)
                  else (blocked.append(route.request.url), route.abort()))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        open_map(page, map_path)
        if viewport is PHONE:  # the panel starts folded on a phone
            page.click(".geomap-panel summary")
        if viewport is DESKTOP:
            type_checkbox(page, "naval_attack").uncheck()
        else:  # the layer control is folded too: the filter by the fragment
            page.evaluate("document.querySelector('.geomap').geomap.setFragment('types=air_strike,shelling')")
        page.wait_for_selector(".geomap[data-visible='2']", state="attached")
        # every place in view, clear of the image's title (top left) and legend (bottom right)
        page.evaluate("document.querySelector('.geomap').geomap.map.fitBounds([[46.4, 30.4], [50.5, 36.3]], "
                      "{paddingTopLeft: [40, 170], paddingBottomRight: [40, 150], animate: false}) && null")
        size = page.evaluate("(() => { const s = document.querySelector('.geomap').geomap.map.getSize(); "
                             "return [s.x, s.y]; })()")
        image = _download_png(page, tmp_path)
        assert image.size == (size[0] * scale, size[1] * scale)
        colours = load_taxonomy()
        for name, lat, lon, type_id, *_ in PLACES:
            x, y = _position(page, lat, lon)
            assert 0 <= x < size[0] and 0 <= y < size[1], f"{name} is outside the view"
            found = _pixels_near(image, x, y, _rgb(colours[type_id].colour), scale=scale)
            if type_id == "naval_attack":  # switched off: not drawn
                assert found == 0, f"{name}'s {type_id} pin is in the image"
            else:
                assert found >= 20 * scale * scale, f"{name}'s {type_id} pin is missing ({found} pixels)"
        # the offline base map is drawn: land covers a good share of the image
        sample = [image.getpixel((x, y)) for x in range(0, image.width, 7) for y in range(0, image.height, 7)]
        assert sum(_near(p, LAND, 3) for p in sample) > 0.15 * len(sample)
        # the title panel (top left) is drawn over the map
        assert _near(image.getpixel((12 * scale, 12 * scale)), (255, 255, 255), 6)
    finally:
        context.close()
    assert blocked == [], f"the page tried the network: {blocked}"
    assert errors == [], f"console errors: {errors}"


def test_png_with_the_heat_map_and_dark_mode(page, map_path, tmp_path):
    page.emulate_media(color_scheme="dark")
    open_map(page, map_path)
    page.evaluate("(() => { const g = document.querySelector('.geomap').geomap; g.heat.addTo(g.map); })()")
    image = _download_png(page, tmp_path)
    size = page.evaluate("(() => { const s = document.querySelector('.geomap').geomap.map.getSize(); "
                         "return [s.x, s.y]; })()")
    assert image.size == tuple(size)
    sample = [image.getpixel((x, y)) for x in range(0, image.width, 7) for y in range(0, image.height, 7)]
    assert sum(_near(p, (0x2B, 0x30, 0x35), 3) for p in sample) > 0.15 * len(sample)  # dark land
    x, y = _position(page, 50.45, 30.52)  # the heat spot over Kyiv is drawn (not land any more)
    assert not _near(image.getpixel((round(x), round(y))), (0x2B, 0x30, 0x35), 10)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_png_of_the_view_inside_a_sandboxed_embed(page, the_map, viewport, tmp_path):
    """The embed is a sandboxed srcdoc frame (an opaque origin): its PNG button still saves the
    frame's view, the size of the frame, with the pins of the types shown."""
    page.set_viewport_size(viewport)
    host = tmp_path / "host.html"
    host.write_text("<!DOCTYPE html><html><body><h1>Report</h1><div style='width:100%'>"
                    f"{the_map.to_embed(height=500)}</div></body></html>", encoding="utf-8")
    page.goto(host.as_uri())
    assert "allow-downloads" in page.get_attribute("iframe.geomap-embed", "sandbox")
    frame = next(f for f in page.frames if f != page.main_frame)
    frame.wait_for_selector(".geomap[data-loaded]", state="attached", timeout=60_000)
    if frame.eval_on_selector(".geomap-panel details", "e => !e.open"):
        frame.click(".geomap-panel summary")  # folded in a small frame
    frame.evaluate("document.querySelector('.geomap').geomap.setFragment('types=air_strike,shelling')")
    frame.wait_for_selector(".geomap[data-visible='2']", state="attached")
    frame.evaluate("document.querySelector('.geomap').geomap.map.fitBounds([[46.4, 30.4], [50.5, 36.3]], "
                   "{paddingTopLeft: [30, 170], paddingBottomRight: [30, 150], animate: false}) && null")
    image = _download_png(page, tmp_path, frame)
    box = page.locator("iframe.geomap-embed").bounding_box()
    assert image.size == (round(box["width"]), round(box["height"]))
    colours = load_taxonomy()
    for name, lat, lon, type_id, *_ in PLACES:
        x, y = _position(frame, lat, lon)
        found = _pixels_near(image, x, y, _rgb(colours[type_id].colour))
        if type_id == "naval_attack":
            assert found == 0, f"{name}'s {type_id} pin is in the image"
        else:
            assert found >= 20, f"{name}'s {type_id} pin is missing ({found} pixels)"
    # the filtered incidents' CSV leaves the sandbox too
    with page.expect_download() as info:
        frame.click("button.geomap-download[data-format='csv']")
    info.value.save_as(tmp_path / "shown.csv")
    rows = (tmp_path / "shown.csv").read_text(encoding="utf-8").splitlines()
    assert len(rows) == 3 and sorted(r.split(",")[0] for r in rows[1:]) == ["air_strike", "shelling"]
