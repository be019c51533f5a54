"""The timeline (histogram, presets, play/pause), counts that follow the filters, and search by
every name an incident carries; in Chromium, offline, on desktop and phone."""

from __future__ import annotations

import datetime as _dt

import pytest

from geomap.render import make_map
from geomap.render._synthetic import synthetic_incidents
from pagekit import open_map, pin_count, pinned, type_checkbox, visible_count

pytestmark = pytest.mark.browser

LAST = _dt.date(2024, 3, 10)  # synthetic_incidents: ten days from 2024-03-01


@pytest.fixture(scope="module")
def incidents():
    gdf = synthetic_incidents(80).copy()
    odesa = gdf["place"] == "Odesa"
    gdf.loc[odesa, "mention"] = "Odessa"  # the article's own spelling
    return gdf


@pytest.fixture(scope="module")
def page_path(incidents, tmp_path_factory):
    path = tmp_path_factory.mktemp("timeline") / "map.html"
    make_map(incidents, title="Timeline").save(path)
    return path


def painted(page) -> int:
    return page.evaluate("""() => { const c = document.querySelector('canvas.geomap-histogram');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 3; i < d.length; i += 4) { if (d[i]) n++; } return n; }""")


@pytest.mark.parametrize("viewport", [{"width": 1366, "height": 768}, {"width": 390, "height": 844}])
def test_presets_and_histogram(page, page_path, incidents, viewport, artifacts):
    page.set_viewport_size(viewport)
    open_map(page, page_path)
    if viewport["width"] < 640:
        page.click(".geomap-panel summary")  # folded on a phone
    assert painted(page) > 0
    page.click("button[data-preset='7']")
    since = (LAST - _dt.timedelta(days=6)).isoformat()
    expected = incidents[incidents["date"] >= since]
    assert visible_count(page) == len(expected) and pin_count(page) == len(pinned(expected))
    assert f"from={since}" in page.evaluate("location.hash")
    assert page.get_attribute("input[data-date='from']", "aria-valuetext") == since
    assert page.text_content(".geomap-date-text") == f"{since} \u2013 {LAST}"
    page.click("button[data-preset='1']")
    assert visible_count(page) == int((incidents["date"] == LAST.isoformat()).sum())
    page.screenshot(path=str(artifacts / f"timeline-{viewport['width']}.png"))
    page.click("button[data-preset='0']")
    assert visible_count(page) == len(incidents) and "from=" not in page.evaluate("location.hash")


def test_histogram_follows_the_type_filter(page, page_path):
    open_map(page, page_path)
    before = painted(page)
    for type_id in ("air_strike", "shelling", "naval_attack", "airspace_violation"):
        type_checkbox(page, type_id).uncheck()
    assert 0 < painted(page) < before


def test_play_steps_a_window_and_pauses(page, page_path):
    open_map(page, page_path)
    button = page.locator("button.geomap-play")
    button.click()
    assert button.get_attribute("aria-pressed") == "true"
    page.wait_for_function("document.querySelector('.geomap').geomap.state.from > 19783")  # past 2024-03-01
    days = page.evaluate("(() => { const s = document.querySelector('.geomap').geomap.state; return s.to - s.from; })()")
    assert days == 6  # a week's window, moving a day at a time
    button.click()
    assert button.get_attribute("aria-pressed") == "false"
    at = page.evaluate("document.querySelector('.geomap').geomap.state.from")
    page.wait_for_timeout(1000)
    assert page.evaluate("document.querySelector('.geomap').geomap.state.from") == at


def test_counts_in_every_control_follow_the_filters(page, page_path, incidents):
    open_map(page, page_path)
    page.click("button[data-preset='7']")
    since = (LAST - _dt.timedelta(days=6)).isoformat()
    week = incidents[incidents["date"] >= since]
    label = page.locator(".leaflet-control-layers-overlays [data-type='air_strike'] small").text_content()
    assert label == f"({int((week['incident_type'] == 'air_strike').sum())})"
    legend = page.locator(".geomap-legend-row[data-type='shelling'] .geomap-count").text_content()
    assert int(legend) == int((week["incident_type"] == "shelling").sum())
    region = page.locator("label:has(input[data-region='RU-KDA']) .geomap-count").text_content()
    assert int(region) == int((week["region_code"] == "RU-KDA").sum())
    # a type switched off still says what it would add
    type_checkbox(page, "air_strike").uncheck()
    label = page.locator(".leaflet-control-layers-overlays [data-type='air_strike'] small").text_content()
    assert label == f"({int((week['incident_type'] == 'air_strike').sum())})"


@pytest.mark.parametrize("query, column, value", [
    ("odessa", "mention", "Odessa"),            # the article's spelling, not the gazetteer's
    ("krasnodar krai", "region", "Krasnodar Krai"),  # a region finds the places inside it
    ("moldova", "country_name", "Moldova"),     # a country too
    ("black sea", "water", "Black Sea"),
])
def test_search_by_every_name(page, page_path, incidents, query, column, value):
    open_map(page, page_path)
    page.fill(".geomap-search", query)
    expected = int((incidents[column] == value).sum())
    assert expected > 0
    page.wait_for_function(f"document.querySelector('.geomap').dataset.visible === '{expected}'")
