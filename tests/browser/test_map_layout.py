"""The page as people use it: phones and small embeds, keyboard and screen readers, tooltips.

Desktop 1366x768 and phone 390x844, offline (the conftest blocks every non-local request).
"""

from __future__ import annotations

import pytest

from geomap.render import make_map
from geomap.render._synthetic import synthetic_incidents
from pagekit import MARKERS, open_map, pin_count, pinned

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def incidents():
    return synthetic_incidents(40)


@pytest.fixture(scope="module")
def pages(incidents, tmp_path_factory):
    folder = tmp_path_factory.mktemp("layout")
    the_map = make_map(incidents, title="Layout test", cluster=False)
    the_map.save(folder / "map.html")
    host = ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>Report</title></head><body>"
            "<div id='column' style='width:605px'>"
            f"{the_map.to_embed(aspect='16:9', link='https://example.org/full-map.html')}"
            "</div></body></html>")
    (folder / "host.html").write_text(host, encoding="utf-8")
    return folder


def folded(page, selector):
    return page.eval_on_selector(selector, "e => !e.open")


def test_phone_starts_with_controls_folded(page, pages, incidents, artifacts):
    page.set_viewport_size(PHONE)
    open_map(page, pages / "map.html")
    assert folded(page, ".geomap-panel details") and folded(page, "details.geomap-legend")
    assert page.locator(".leaflet-control-layers-expanded").count() == 0  # the layer control too
    # the count stays in view, and the controls leave most of the map free
    assert page.locator(".geomap-status").is_visible()
    covered = page.evaluate("""() => [...document.querySelectorAll(
        '.geomap-panel, .leaflet-control-layers, .geomap-legend')].reduce(
        (sum, e) => sum + e.offsetWidth * e.offsetHeight, 0) / (innerWidth * innerHeight)""")
    assert covered < 0.12
    assert pin_count(page) == len(pinned(incidents))
    page.screenshot(path=str(artifacts / "layout-phone.png"))
    # unfolding the panel shows the filters; a popup opens clear of the panel
    page.click(".geomap-panel summary")
    assert page.locator(".geomap-search").is_visible()
    page.click(".geomap-panel summary")
    page.evaluate("document.querySelector('.geomap').geomap.openPopup(0)")
    page.wait_for_timeout(400)  # the pan into view
    popup = page.locator(".leaflet-popup").bounding_box()
    panel = page.locator(".geomap-panel").bounding_box()
    assert popup["x"] >= 0 and popup["x"] + popup["width"] <= PHONE["width"]
    assert popup["y"] >= panel["y"] + panel["height"] or popup["x"] >= panel["x"] + panel["width"]
    page.screenshot(path=str(artifacts / "layout-phone-popup.png"))


def test_desktop_keeps_controls_open(page, pages):
    page.set_viewport_size(DESKTOP)
    open_map(page, pages / "map.html")
    assert not folded(page, ".geomap-panel details") and not folded(page, "details.geomap-legend")
    assert page.locator(".leaflet-control-layers-expanded").count() == 1


def test_embed_with_aspect_and_link_out(page, pages, artifacts):
    page.set_viewport_size(DESKTOP)
    page.goto((pages / "host.html").as_uri())
    frame = page.frame_locator("iframe.geomap-embed")
    frame.locator(".geomap[data-ready]").wait_for(state="attached", timeout=60_000)
    box = page.locator("iframe.geomap-embed").bounding_box()
    assert box["width"] == 605 and abs(box["height"] - 605 * 9 / 16) < 2
    # a 605x340 frame is a small embed: folded controls, and a link out to the full map
    assert frame.locator(".geomap-panel details").evaluate("e => !e.open")
    link = frame.locator("a.geomap-full-map")
    assert link.get_attribute("href") == "https://example.org/full-map.html"
    assert link.get_attribute("target") == "_blank" and "noopener" in link.get_attribute("rel")
    page.screenshot(path=str(artifacts / "layout-embed.png"))


def test_no_link_out_on_the_full_page(page, pages):
    open_map(page, pages / "map.html")
    assert page.locator("a.geomap-full-map").count() == 0


def test_keyboard_order_names_and_popups(page, pages, incidents):
    page.set_viewport_size(DESKTOP)
    open_map(page, pages / "map.html")
    # the filters come first in the tab order, before any marker
    order = page.evaluate("""() => [...document.querySelectorAll('a[href], button, input, [tabindex]')]
        .filter(e => e.tabIndex >= 0)
        .map(e => e.classList.contains('geomap-marker') ? 'marker' : (e.className || e.tagName))""")
    first_marker = order.index("marker")
    assert order.index("geomap-search") < first_marker
    assert sum(1 for item in order[:first_marker] if item == "INPUT") >= 3  # dates and regions
    # markers are named: "type, place, date"
    first = incidents.iloc[0]
    label = page.locator(f"{MARKERS}").first.get_attribute("aria-label")
    labels = set(page.locator(MARKERS).evaluate_all("els => els.map(e => e.getAttribute('aria-label'))"))
    assert label and label.count(", ") == 2
    assert "Air / missile / drone strike, Kyiv, " + first["date"] in labels
    # Enter on a focused marker opens its popup; so does Space
    marker = page.locator(f"{MARKERS}[aria-label^='Air / missile / drone strike, Kyiv']").first
    marker.focus()
    assert page.locator(".leaflet-tooltip").text_content().startswith("Air / missile / drone strike, Kyiv")
    page.keyboard.press("Enter")
    assert page.locator(".leaflet-popup .geomap-popup-placename").text_content() == "Kyiv"
    page.keyboard.press("Escape")
    page.locator(MARKERS).nth(1).focus()
    page.keyboard.press(" ")
    assert page.locator(".leaflet-popup").count() >= 1
    # the date sliders say dates, not day numbers
    assert page.get_attribute("input[data-date='from']", "aria-valuetext") == "2024-03-01"
    page.eval_on_selector("input[data-date='to']", "e => { e.value = String(+e.value - 2); "
                          "e.dispatchEvent(new Event('input')); }")
    assert page.get_attribute("input[data-date='to']", "aria-valuetext") == "2024-03-08"
    # a visible focus ring
    page.focus(".geomap-search")
    ring = page.eval_on_selector(".geomap-search", "e => getComputedStyle(e).outlineWidth")
    assert ring == "3px"


def test_tooltip_on_hover(page, pages):
    page.set_viewport_size(DESKTOP)
    open_map(page, pages / "map.html")
    marker = page.locator(MARKERS).first
    marker.hover()
    tooltip = page.locator(".leaflet-tooltip")
    assert tooltip.count() == 1 and tooltip.text_content() == marker.get_attribute("aria-label")


def test_a_notebook_sized_frame_keeps_every_layer_row_in_view(page, tmp_path, artifacts):
    """In a 900x520 frame (a notebook's output cell) the legend hides none of the layer rows and
    neither control runs off the frame."""
    page.set_viewport_size(DESKTOP)
    the_map = make_map(synthetic_incidents(80), title="Notebook", cluster=False)
    host = tmp_path / "notebook.html"
    host.write_text("<!DOCTYPE html><html><body style='margin:0'><div style='width:900px'>"
                    f"{the_map.to_embed(height=520)}</div></body></html>", encoding="utf-8")
    page.goto(host.as_uri())
    frame = next(f for f in page.frames if f != page.main_frame)
    frame.wait_for_selector(".geomap[data-loaded]", state="attached", timeout=60_000)
    box = page.locator("iframe.geomap-embed").bounding_box()
    assert (box["width"], box["height"]) == (900, 520)
    if frame.eval_on_selector("details.geomap-legend", "e => !e.open"):  # both open, as a reader would
        frame.click("details.geomap-legend > summary")
    if frame.locator(".leaflet-control-layers-expanded").count() == 0:
        frame.hover(".leaflet-control-layers")
    # every layer row's checkbox is the element at its own place: nothing covers it
    covered = frame.evaluate("""() => [...document.querySelectorAll('.leaflet-control-layers-overlays label')]
        .filter(l => { l.scrollIntoView({block: 'nearest'}); const r = l.getBoundingClientRect();
            const hit = document.elementFromPoint(r.left + 8, r.top + r.height / 2);
            return !(hit && l.contains(hit)); })
        .map(l => l.textContent.trim())""")
    assert covered == []
    inside = frame.evaluate("""() => ['.leaflet-control-layers', '.geomap-legend', '.geomap-panel'].map(s => {
        const r = document.querySelector(s).getBoundingClientRect();
        return r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth; })""")
    assert inside == [True, True, True]
    page.screenshot(path=str(artifacts / "layout-notebook.png"))


def test_choosing_a_region_on_a_phone_leaves_the_map_in_view(page, pages, incidents, artifacts):
    page.set_viewport_size(PHONE)
    open_map(page, pages / "map.html")
    page.click(".geomap-panel summary")
    page.check("input[data-region='RU-KDA']")
    inside = incidents[incidents["region_code"] == "RU-KDA"]
    assert page.locator(".geomap-status").text_content().startswith(f"Showing {len(inside)} of")
    # the open panel keeps to a corner (it scrolls inside): most of the map stays in view
    panel = page.locator(".geomap-panel").bounding_box()
    assert panel["height"] <= 0.6 * PHONE["height"]
    assert panel["width"] * panel["height"] < 0.45 * PHONE["width"] * PHONE["height"]
    # and folding it again gives the whole map back, the filter kept
    page.click(".geomap-panel summary")
    assert page.locator(".geomap-panel").bounding_box()["height"] < 0.12 * PHONE["height"]
    assert page.evaluate("location.hash") == "#region=RU-KDA"
    page.screenshot(path=str(artifacts / "layout-phone-region.png"))


def test_embed_hidden_at_load_fits_when_shown(page, pages, incidents):
    # a report's tab or folded section: the frame has no size while the page loads; shown later,
    # it must fit the theatre as an embed shown at once does, not keep the top zoom of a 0x0 map
    page.set_viewport_size(DESKTOP)
    zoom = "() => document.querySelector('.geomap').geomap.map.getZoom()"
    page.goto((pages / "host.html").as_uri())
    shown = page.frame_locator("iframe.geomap-embed")
    shown.locator(".geomap[data-loaded]").wait_for(state="attached", timeout=60_000)
    expected = page.frames[1].evaluate(zoom)
    host = (pages / "host.html").read_text(encoding="utf-8").replace(
        "<div id='column' style='width:605px'>", "<div id='column' style='width:605px; display:none'>")
    (pages / "hidden.html").write_text(host, encoding="utf-8")
    page.goto((pages / "hidden.html").as_uri())
    frame = page.frames[1]
    frame.wait_for_selector(".geomap[data-ready]", state="attached", timeout=60_000)
    page.evaluate("document.getElementById('column').style.display = 'block'")
    frame.wait_for_function(f"() => ({zoom})() === {expected}", timeout=10_000)
    placed = frame.evaluate("() => document.querySelector('.geomap').geomap.placedIds().length")
    assert placed == len(pinned(incidents))
