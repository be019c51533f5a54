"""The incident map in a real headless Chromium, offline."""

from __future__ import annotations

import datetime as _dt

import pytest

from geomap.render import make_map
from geomap.render._synthetic import synthetic_incidents
from pagekit import MARKERS, marker_count, open_map, pin_count, pinned, type_checkbox, visible_count

pytestmark = pytest.mark.browser

NASTY = "He said <script>window.__pwned=1</script> and \"'` then </blockquote><img src=x onerror=window.__pwned=2>"


@pytest.fixture(scope="session")
def incidents():
    gdf = synthetic_incidents(40)
    gdf.loc[gdf.index[6], "sentence"] = NASTY  # Chisinau
    gdf.loc[gdf.index[6], "title"] = "<b>bold</b> title"
    gdf.loc[gdf.index[6], "url"] = "javascript:window.__pwned=3"
    # Paris: no title, no URL, read from a local file
    gdf.loc[gdf.index[7], ["title", "url", "source"]] = [None, None, "/home/ana/secret/a7.txt:4"]
    return gdf


@pytest.fixture(scope="session")
def pages(incidents, tmp_path_factory):
    folder = tmp_path_factory.mktemp("maps")
    small = make_map(incidents, title="Test <map>")
    small.save(folder / "small.html")
    make_map(incidents, title="Spread", cluster=False).save(folder / "spread.html")
    packed = make_map(incidents, title="Compressed")
    packed.compress = True
    packed.save(folder / "packed.html")
    host = ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>Report</title>"
            "<style>div { color: rgb(1, 2, 3); } .leaflet-container { display: none; }</style></head>"
            "<body><h1 id='heading'>Quarterly report</h1><div id='before'>Text before the map.</div>"
            f"{small.to_embed(view='types=air_strike')}"
            "<div id='after'>Text after the map.</div><script>window.hostScript = 'ran';</script>"
            "</body></html>")
    (folder / "host.html").write_text(host, encoding="utf-8")
    big = make_map(BIG, title="10k")
    big.save(folder / "big.html")
    return folder


def test_page_loads_offline_with_every_incident(page, pages, incidents, artifacts):
    open_map(page, pages / "small.html")
    assert visible_count(page) == len(incidents)
    assert pin_count(page) == len(pinned(incidents)) < len(incidents)  # areas are no pins
    assert page.title() == "Test <map>"
    legend = page.locator(".geomap-legend-row")
    assert legend.count() == incidents["incident_type"].nunique()
    assert page.locator(".leaflet-control-scale").count() == 1
    assert page.locator("path.leaflet-interactive, canvas").count() > 0  # offline outlines drawn
    page.screenshot(path=str(artifacts / "map-small.png"))


@pytest.mark.parametrize("type_id", ["air_strike", "naval_attack", "ground_fighting"])
def test_each_type_layer_toggles(page, pages, incidents, type_id):
    open_map(page, pages / "small.html")
    expected = int((incidents["incident_type"] == type_id).sum())
    assert expected > 0
    type_checkbox(page, type_id).uncheck()
    assert visible_count(page) == len(incidents) - expected
    shown = pinned(incidents)
    assert pin_count(page) == int((shown["incident_type"] != type_id).sum())
    assert page.locator(f"{MARKERS}.geomap-t-{type_id}").count() == 0
    assert "types=" in page.evaluate("location.hash") and type_id not in page.evaluate("location.hash")
    type_checkbox(page, type_id).check()
    assert pin_count(page) == len(shown)


def test_region_filter_shows_only_incidents_inside(page, pages, incidents, artifacts):
    open_map(page, pages / "small.html")
    inside = incidents[incidents["region_code"] == "RU-KDA"]
    page.check("input[data-region='RU-KDA']")
    assert visible_count(page) == len(inside)
    assert pin_count(page) == len(pinned(inside))
    count_label = page.locator("label:has(input[data-region='RU-KDA']) .geomap-count").text_content()
    assert int(count_label) == len(inside)
    latlngs = page.evaluate("""() => { const m = document.querySelector('.geomap').geomap;
        return m.visible.map(i => [m.cols.lat[i], m.cols.lon[i]]); }""")
    assert sorted(map(tuple, latlngs)) == sorted(zip(inside.geometry.y.round(5), inside.geometry.x.round(5)))
    assert page.locator("path.geomap-selected").count() >= 1  # the chosen region's outline
    assert page.evaluate("location.hash") == "#region=RU-KDA"
    # a second region adds its incidents (regions are OR'ed)
    page.check("input[data-region='Black Sea']")
    both = incidents[(incidents["region_code"] == "RU-KDA") | (incidents["water"] == "Black Sea")]
    assert visible_count(page) == len(both)
    page.screenshot(path=str(artifacts / "map-region.png"))


def test_url_fragment_restores_the_view(page, pages, incidents):
    open_map(page, pages / "small.html", "region=RU-KDA,UA&types=air_strike,shelling")
    expected = incidents[incidents["region_code"].eq("RU-KDA") | incidents["country"].eq("UA")]
    expected = expected[expected["incident_type"].isin(["air_strike", "shelling"])]
    assert 0 < len(expected) < len(incidents)
    assert visible_count(page) == len(expected)
    assert pin_count(page) == len(pinned(expected))
    assert page.is_checked("input[data-region='RU-KDA']") and page.is_checked("input[data-region='UA']")
    assert not type_checkbox(page, "naval_attack").is_checked()
    assert type_checkbox(page, "shelling").is_checked()


def test_date_filter(page, pages, incidents):
    open_map(page, pages / "small.html")
    start = _dt.date(2024, 3, 6)
    day = (start - _dt.date(1970, 1, 1)).days
    page.eval_on_selector("input[data-date='from']",
                          f"e => {{ e.value = '{day}'; e.dispatchEvent(new Event('input')); }}")
    expected = int((incidents["date"] >= start.isoformat()).sum())
    assert 0 < expected < len(incidents)
    assert visible_count(page) == expected
    assert pin_count(page) == int((pinned(incidents)["date"] >= start.isoformat()).sum())
    assert "from=2024-03-06" in page.evaluate("location.hash")
    # and from the fragment
    open_map(page, pages / "small.html", "from=2024-03-02&to=2024-03-03")
    expected = incidents["date"].between("2024-03-02", "2024-03-03").sum()
    assert visible_count(page) == expected


def test_place_search(page, pages, incidents):
    open_map(page, pages / "small.html")
    page.fill(".geomap-search", "pari")
    paris = (incidents["place"] == "Paris").sum()
    page.wait_for_function(f"document.querySelector('.geomap').dataset.visible === '{paris}'")
    assert pin_count(page) == (incidents["place"] == "Paris").sum()


def test_popup_shows_the_quote_as_text(page, pages, incidents, artifacts):
    open_map(page, pages / "spread.html")
    index = int(incidents.index.get_loc(incidents.index[6]))
    page.evaluate(f"document.querySelector('.geomap').geomap.markers[{index}].fire('click', {{}}, true) && null")
    quote = page.locator(".leaflet-popup .geomap-popup-quote")
    assert quote.text_content() == NASTY
    assert page.evaluate("window.__pwned") is None
    assert page.locator(".leaflet-popup script, .leaflet-popup img").count() == 0
    popup = page.locator(".leaflet-popup-content").text_content()
    reports = int(incidents["reports"].iloc[6])
    assert "Chisinau" in popup and "<b>bold</b> title" in popup
    assert (f"{reports} reports" if reports > 1 else "1 report") in popup
    assert page.locator(".geomap-popup a").count() == 0  # a javascript: URL is never a link
    page.screenshot(path=str(artifacts / "map-popup.png"))
    # a real click on a marker opens a popup too
    page.locator(f"{MARKERS}").first.click(force=True)
    assert page.locator(".leaflet-popup .geomap-popup-type").count() == 1
    assert page.evaluate("window.__pwned") is None
    # no local path in a page: the file's name only
    page.evaluate("document.querySelector('.geomap').geomap.openPopup(7)")
    page.wait_for_function("document.querySelectorAll('.leaflet-popup').length === 1")
    assert page.locator(".leaflet-popup .geomap-popup-source").text_content() == "Source: a7.txt:4"
    assert "/home/ana" not in page.content()


def test_compressed_payload_renders(page, pages, incidents):
    open_map(page, pages / "packed.html")
    assert "gzip+base64" in page.get_attribute("script[id$='-data']", "data-encoding")
    assert pin_count(page) == len(pinned(incidents))


def test_heat_overlay(page, pages):
    open_map(page, pages / "small.html")
    page.locator(".leaflet-control-layers-overlays label:has([data-overlay='heat']) input").check()
    painted = page.evaluate("""() => { const c = document.querySelector('canvas.geomap-heat');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 3; i < d.length; i += 4) { if (d[i]) n++; } return n; }""")
    assert painted > 0
    # the heat map reads above the pins, which fade under it
    above = page.evaluate("""() => { const heat = document.querySelector('canvas.geomap-heat').parentNode;
        const pins = document.querySelector('.leaflet-marker-pane');
        return [+getComputedStyle(heat).zIndex > +getComputedStyle(pins).zIndex, getComputedStyle(pins).opacity]; }""")
    assert above == [True, "0.4"]


def test_embed_fragment_inside_a_host_page(page, pages, incidents, artifacts):
    page.goto((pages / "host.html").as_uri())
    frame = page.frame_locator("iframe.geomap-embed")
    frame.locator(".geomap[data-ready]").wait_for(state="attached", timeout=60_000)
    expected = int((pinned(incidents)["incident_type"] == "air_strike").sum())
    inner = next(f for f in page.frames if f != page.main_frame)
    inner.wait_for_selector(".geomap[data-loaded]", state="attached")
    on_screen = "() => document.querySelector('.geomap').geomap.onScreenCount()"
    inner.wait_for_function(f"({on_screen})() === {expected}")  # the view given to to_embed()
    assert page.evaluate("window.hostScript") == "ran"
    assert page.evaluate("typeof window.L") == "undefined"  # Leaflet stays inside the frame
    assert page.text_content("#heading") == "Quarterly report"
    assert page.evaluate("getComputedStyle(document.querySelector('#before')).color") == "rgb(1, 2, 3)"
    assert frame.locator(".leaflet-container").evaluate("e => getComputedStyle(e).display") != "none"
    page.screenshot(path=str(artifacts / "map-embed.png"))


def wait_loaded(page):
    """Wait until every visible marker is placed (large maps place them in slices) and no zoom
    animation is running (markercluster keeps the old level's clusters until it ends)."""
    page.wait_for_selector(".geomap[data-loaded]", state="attached", timeout=60_000)
    page.wait_for_function("() => !document.querySelector('.geomap').geomap.animating()", timeout=60_000)


# the container holds exactly the visible incidents' markers, and the clusters on screen count them
PLACED = """() => { const m = document.querySelector('.geomap').geomap;
    const ids = m.placedIds().sort((a, b) => a - b);
    const visible = m.pins.slice().sort((a, b) => a - b);
    const onScreen = m.onScreenCount();
    return { same: ids.length === visible.length && ids.every((v, k) => v === visible[k]),
             placed: ids.length, onScreen: onScreen, shownCount: m._shownCount }; }"""


BIG = synthetic_incidents(10_000, jitter=0.4)
BIG_PINS = len(pinned(BIG))


def placed(n):
    return {"same": True, "placed": n, "onScreen": n, "shownCount": n}


def test_ten_thousand_incidents_render_clustered(page, pages, artifacts):
    open_map(page, pages / "big.html")
    page.wait_for_selector(".marker-cluster", timeout=60_000)
    assert visible_count(page) == 10_000
    wait_loaded(page)
    assert page.get_attribute(".geomap", "aria-busy") is None
    assert page.locator(".geomap-progress").text_content() == ""
    assert page.evaluate(PLACED) == placed(BIG_PINS)
    type_checkbox(page, "diplomacy").uncheck()
    assert visible_count(page) == int((BIG["incident_type"] != "diplomacy").sum())  # every type cycles
    wait_loaded(page)
    assert page.evaluate(PLACED)["placed"] == int((pinned(BIG)["incident_type"] != "diplomacy").sum())
    assert page.locator(f"{MARKERS}.geomap-t-diplomacy").count() == 0
    type_checkbox(page, "diplomacy").check()
    wait_loaded(page)
    assert page.evaluate(PLACED) == placed(BIG_PINS)
    page.screenshot(path=str(artifacts / "map-10k.png"))


def test_filters_apply_while_ten_thousand_markers_load(page, pages):
    """Changes made as soon as the first markers show, whether or not the rest are placed yet,
    take effect at once (counts, fragment) and end with exactly the matching markers placed."""
    open_map(page, pages / "big.html")
    # the controls answer straight away
    type_checkbox(page, "air_strike").uncheck()
    page.check("input[data-region='RU-KDA']")
    assert "region=RU-KDA" in page.evaluate("location.hash")
    expected = page.evaluate("""() => { const m = document.querySelector('.geomap').geomap, c = m.cols;
        const kda = m.data.regions.findIndex(r => r.key === 'RU-KDA');
        const air = m.data.types.findIndex(t => t.id === 'air_strike');
        let n = 0; for (let i = 0; i < m.n; i++) { if (c.admin1[i] === kda && c.type[i] !== air) n++; }
        return n; }""")
    assert 0 < expected < 10_000
    assert visible_count(page) == expected
    label = page.locator("label:has(input[data-region='RU-KDA']) .geomap-count").text_content()
    assert int(label) == expected
    wait_loaded(page)
    assert page.evaluate(PLACED) == placed(page.evaluate("document.querySelector('.geomap').geomap.pins.length"))
    assert 0 < page.evaluate("document.querySelector('.geomap').geomap.pins.length") <= expected
    # and back to everything, which also has to finish placing
    page.click(".geomap-reset")
    assert visible_count(page) == 10_000
    wait_loaded(page)
    assert page.evaluate(PLACED) == placed(BIG_PINS)
    assert page.evaluate("location.hash") == ""


def test_incidents_at_one_point_fan_out(page, tmp_path):
    # a strike and the outage it caused share one point: both markers must stay visible
    gdf = synthetic_incidents(4).copy()  # four precise places
    gdf.loc[gdf.index[1], "geometry"] = gdf.geometry.iloc[0]
    gdf.loc[gdf.index[1], ["lat", "lon"]] = gdf.loc[gdf.index[0], ["lat", "lon"]].to_numpy()
    make_map(gdf, title="Same point", cluster=False).save(tmp_path / "same.html")
    open_map(page, tmp_path / "same.html")
    assert marker_count(page) == len(gdf)
    boxes = [page.locator(MARKERS).nth(k).bounding_box() for k in range(len(gdf))]
    centres = {(round(b["x"] + b["width"] / 2), round(b["y"] + b["height"] / 2)) for b in boxes}
    assert len(centres) == len(gdf)  # no two markers on the same spot


def test_coarse_locations_are_areas_not_pins(page, pages, incidents, artifacts):
    # incidents placed only by a country, sea or large region: their region is shaded and listed,
    # never a pin, and the first view fits the pinned incidents only
    open_map(page, pages / "small.html")
    coarse = incidents[incidents["geo_precision"] == 3]
    assert 0 < len(coarse) < len(incidents)
    drawn = page.evaluate("""() => { const m = document.querySelector('.geomap').geomap;
        return m.pins.filter(i => m.cols.gp[i] === 3).length; }""")
    assert drawn == 0
    assert page.locator("path.geomap-area").count() == coarse["place"].nunique()
    for name, group in coarse.groupby("place"):
        button = page.locator(f".geomap-area-button:has-text('{name}')")
        assert int(button.locator(".geomap-count").text_content()) == len(group)
        assert f"{len(group)} incidents located only by" in button.get_attribute("title")
    page.screenshot(path=str(artifacts / "map-areas.png"))
    page.locator(".geomap-area-button:has-text('Black Sea')").click()
    sea = coarse[coarse["place"] == "Black Sea"]
    assert page.locator(".leaflet-popup .geomap-area-incident").count() == len(sea)
    page.locator(".leaflet-popup .geomap-area-incident").first.click()
    assert page.locator(".leaflet-popup .geomap-popup-placename").text_content() == "Black Sea"
    # the view fits the pins: Paris and Kyiv in view, and the areas' filter count follows
    bounds = page.evaluate("(() => { const b = document.querySelector('.geomap').geomap.map.getBounds(); "
                           "return [b.getSouth(), b.getWest(), b.getNorth(), b.getEast()]; })()")
    for lat, lon in ((48.857, 2.352), (50.45, 30.52)):
        assert bounds[0] <= lat <= bounds[2] and bounds[1] <= lon <= bounds[3]
    type_checkbox(page, "naval_attack").uncheck()
    left = int((sea["incident_type"] != "naval_attack").sum())
    assert int(page.locator(".geomap-area-button:has-text('Black Sea') .geomap-count").text_content()) == left


@pytest.mark.parametrize("fragment", [
    "region=__proto__", "region=constructor", "region=toString,RU-KDA", "regions=hasOwnProperty",
    "__proto__=x&region=__proto__", "types=__proto__,constructor", "constructor=1&q=__proto__"])
def test_fragment_keys_named_like_object_properties(page, pages, incidents, fragment):
    """A shared link with region=__proto__ (or constructor, toString) is an unknown key, not a crash."""
    open_map(page, pages / "small.html", fragment)
    expected = incidents
    if "RU-KDA" in fragment:
        expected = incidents[incidents["region_code"] == "RU-KDA"]
    elif fragment.startswith("types="):
        expected = incidents.iloc[:0]
    elif "q=__proto__" in fragment:
        expected = incidents.iloc[:0]
    assert visible_count(page) == len(expected)
    assert pin_count(page) == len(pinned(expected))
    assert page.locator(".geomap-panel input[data-region]:checked").count() == ("RU-KDA" in fragment)


def test_dates_before_1970_are_dated(page, tmp_path):
    """Days before 1970 are negative day numbers, not "undated" (issue 10, item 18)."""
    gdf = synthetic_incidents(6)
    gdf["date"] = ["1968-05-01", "1969-12-31", "1970-01-01", "1970-01-02", None, "2024-03-01"]
    make_map(gdf, title="Old").save(tmp_path / "old.html")
    open_map(page, tmp_path / "old.html", "from=1968-01-01&to=1969-12-31")
    assert visible_count(page) == 2
    open_map(page, tmp_path / "old.html", "from=1960-01-01&to=1970-01-01")
    assert visible_count(page) == 3


def test_clusters_tell_what_is_inside(page, pages, incidents):
    # pins at one place overlap: one cluster, its count on a dark disc ringed by the types inside
    open_map(page, pages / "small.html")
    cluster = page.locator(".marker-cluster.geomap-cluster-icon").first
    label = cluster.locator(".geomap-cluster").get_attribute("aria-label")
    count = int(cluster.locator(".geomap-cluster-count").text_content())
    assert label.startswith(f"{count} incidents: ")
    parts = label.split(": ", 1)[1].split(", ")
    assert sum(int(p.split(" ", 1)[0]) for p in parts) == count
    labels = {t["label"] for t in page.evaluate("document.querySelector('.geomap').geomap.data.types")}
    assert all(p.split(" ", 1)[1] in labels for p in parts)
    style = cluster.locator(".geomap-cluster").evaluate("e => e.style.background")
    assert "conic-gradient" in style
    disc = cluster.locator(".geomap-cluster-count").evaluate("e => getComputedStyle(e).backgroundColor")
    colours = page.evaluate("document.querySelector('.geomap').geomap.data.types.map(t => t.colour)")
    assert disc == "rgb(38, 50, 56)" and "#263238" not in colours  # a colour no type uses


def test_type_groups_toggle_a_whole_layer(page, tmp_path):
    """Large maps cluster each type in its own group (data.typeGroups): a toggle shows or hides
    that group, its markers stay placed; filters still move markers within the groups."""
    the_map = make_map(BIG, title="Type groups")
    the_map.payload["typeGroups"] = True  # what maps from TYPE_GROUPS_FROM incidents get
    path = the_map.save(tmp_path / "groups.html")
    open_map(page, path)
    wait_loaded(page)
    assert page.evaluate("document.querySelector('.geomap').geomap.typeGroups") is True
    assert page.evaluate(PLACED) == placed(BIG_PINS)
    shown = page.evaluate("document.querySelector('.geomap').geomap._shownCount")
    type_checkbox(page, "diplomacy").uncheck()
    no_diplomacy = int((pinned(BIG)["incident_type"] != "diplomacy").sum())
    wait_loaded(page)
    result = page.evaluate(PLACED)
    assert (result["same"], result["placed"], result["onScreen"]) == (True, no_diplomacy, no_diplomacy)
    assert result["shownCount"] == shown  # nothing moved: the group is hidden
    assert page.locator(f"{MARKERS}.geomap-t-diplomacy").count() == 0
    page.check("input[data-region='RU-KDA']")  # a filter moves markers in every group, shown or not
    wait_loaded(page)
    result = page.evaluate(PLACED)
    assert result["same"] and result["placed"] == result["onScreen"] == visible_count(page) - page.evaluate(
        "document.querySelector('.geomap').geomap.visible.length - document.querySelector('.geomap').geomap.pins.length")
    page.uncheck("input[data-region='RU-KDA']")
    type_checkbox(page, "diplomacy").check()
    wait_loaded(page)
    assert page.evaluate(PLACED) == placed(BIG_PINS)


def test_type_groups_follow_filters_changed_while_they_build(page, tmp_path):
    """Changes made as soon as the first type's clusters show, while the other types' indexes
    are still being built, end with exactly the matching pins placed; and back again."""
    the_map = make_map(BIG, title="Type groups")
    the_map.payload["typeGroups"] = True
    path = the_map.save(tmp_path / "groups.html")
    open_map(page, path)
    type_checkbox(page, "air_strike").uncheck()
    page.check("input[data-region='RU-KDA']")
    wait_loaded(page)
    result = page.evaluate(PLACED)
    pins = page.evaluate("document.querySelector('.geomap').geomap.pins.length")
    assert result["same"] and 0 < result["placed"] == result["onScreen"] == pins < BIG_PINS
    page.click(".geomap-reset")
    wait_loaded(page)
    assert page.evaluate(PLACED) == placed(BIG_PINS)


def test_type_group_clusters_open_to_named_pins(page, tmp_path):
    """A type group draws its own cluster index: a cluster names its one type and count, Enter
    (or a click) zooms in to where it splits; at the closest zoom pins sharing a point (of every type) are fanned
    out, one position each, named, and Enter on a focused pin opens its popup."""
    gdf = synthetic_incidents(400, jitter=0.0)  # every incident exactly at its place
    the_map = make_map(gdf, title="Shared points")
    the_map.payload["typeGroups"] = True
    path = the_map.save(tmp_path / "shared.html")
    open_map(page, path)
    wait_loaded(page)
    labels = {t["label"] for t in page.evaluate("document.querySelector('.geomap').geomap.data.types")}
    cluster = page.locator(".marker-cluster.geomap-cluster-icon").first
    count = int(cluster.locator(".geomap-cluster-count").text_content())
    number, parts = cluster.locator(".geomap-cluster").get_attribute("aria-label").split(" incidents: ")
    inside, type_label = parts.split(" ", 1)  # one type: "12 incidents: 12 Shelling / artillery"
    assert int(number) == int(inside) == count > 1 and type_label in labels
    zoom = "document.querySelector('.geomap').geomap.map.getZoom()"
    before = page.evaluate(zoom)
    cluster.focus()  # Enter on a focused cluster zooms in as a click does
    page.keyboard.press("Enter")
    wait_loaded(page)
    assert page.evaluate(zoom) > before
    # the closest zoom at Kyiv: each pin there drawn on its own spot
    at_kyiv = int(((gdf["place"] == "Kyiv") & (gdf["geo_precision"] != 3)).sum())
    page.evaluate("document.querySelector('.geomap').geomap.setFragment('at=18/50.45/30.52')")
    wait_loaded(page)
    pins = page.locator(f"{MARKERS}[aria-label*=', Kyiv, ']")
    assert pins.count() == at_kyiv > 10
    spots = pins.evaluate_all("els => els.map(e => { const b = e.getBoundingClientRect(); "
                              "return Math.round(b.x) + ',' + Math.round(b.y); })")
    assert len(set(spots)) == at_kyiv
    pin = pins.nth(3)
    assert pin.get_attribute("role") == "button"
    name = pin.get_attribute("aria-label")
    pin.focus()
    assert page.locator(".leaflet-tooltip").text_content() == name
    page.keyboard.press("Enter")
    assert page.locator(".leaflet-popup .geomap-popup-placename").text_content() == "Kyiv"
    # the whole world (a view padded past the poles): every pin is inside a cluster drawn
    page.evaluate("document.querySelector('.geomap').geomap.setFragment('at=2/20/0')")
    wait_loaded(page)
    assert page.evaluate("document.querySelector('.geomap').geomap.onScreenCount()") == len(pinned(gdf))
