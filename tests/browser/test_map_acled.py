"""The page filters by ACLED's event_type and sub_event_type: one checkbox per pair (grouped by
event type), counts that follow the other filters, the choice in the URL fragment; Chromium,
offline."""

from __future__ import annotations

from collections import Counter

import pytest

from geomap.incidents.taxonomy import load_taxonomy
from geomap.render import make_map
from geomap.render._synthetic import synthetic_incidents
from pagekit import open_map, type_checkbox, visible_count

pytestmark = pytest.mark.browser



@pytest.fixture(scope="module")
def incidents():
    return synthetic_incidents(150)


@pytest.fixture(scope="module")
def pairs(incidents):
    tax = load_taxonomy()
    return [(tax[t].event_type, tax[t].sub_event_type) for t in incidents["incident_type"]]


@pytest.fixture(scope="module")
def map_path(incidents, tmp_path_factory):
    path = tmp_path_factory.mktemp("acled") / "map.html"
    make_map(incidents, title="ACLED filter").save(path)
    return path


def counts(page) -> dict[str, int]:
    return dict(page.locator("input[data-acled]").evaluate_all(
        "xs => xs.map(x => [x.getAttribute('data-acled'), +x.parentNode.querySelector('.geomap-count').textContent])"))


def test_filter_by_acled_pairs_with_counts_and_fragment(page, map_path, incidents, pairs):
    open_map(page, map_path)
    expected = Counter(f"{e}: {s}" for e, s in pairs)
    assert counts(page) == dict(expected)
    assert len(expected) > 3
    # one pair: only its incidents, and the fragment says so
    page.locator("button.geomap-acled-toggle").click()
    chosen = "Explosions/Remote violence: Shelling/artillery/missile attack"
    page.locator(f"input[data-acled='{chosen}']").check()
    assert visible_count(page) == expected[chosen]
    assert "acled=" in page.evaluate("location.hash")
    # a second pair adds its incidents; counts of the pairs do not change (the other filters do)
    other = "Strategic developments: Other"  # airspace violations and outages both
    page.locator(f"input[data-acled='{other}']").check()
    assert visible_count(page) == expected[chosen] + expected[other]
    assert counts(page) == dict(expected)
    # the type filter moves the counts
    type_checkbox(page, "airspace_violation").uncheck()
    left = Counter(f"{e}: {s}" for (e, s), t in zip(pairs, incidents["incident_type"]) if t != "airspace_violation")
    assert counts(page) == dict(left)
    assert visible_count(page) == left[chosen] + left[other]
    # the shared link restores the choice
    shared = page.evaluate("location.hash").lstrip("#")
    page.goto("about:blank")
    open_map(page, map_path, shared)
    assert visible_count(page) == left[chosen] + left[other]
    checked = page.locator("input[data-acled]").evaluate_all(
        "xs => xs.filter(x => x.checked).map(x => x.getAttribute('data-acled'))")
    assert sorted(checked) == sorted([chosen, other])
    assert "ACLED: " in page.locator(".geomap-print-summary").text_content()


def test_an_event_type_chooses_all_its_pairs(page, map_path, pairs):
    open_map(page, map_path, "acled=Battles")
    battles = sum(1 for e, _ in pairs if e == "Battles")
    assert battles and visible_count(page) == battles
    group = page.locator("input[data-event-type='Battles']")
    assert group.is_checked()
    page.locator("button.geomap-acled-toggle").click()
    group.uncheck()
    assert visible_count(page) == len(pairs)
    assert "acled=" not in page.evaluate("location.hash")
