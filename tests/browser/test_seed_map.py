"""The seed article's map, end to end through the CLI, in Chromium offline.

Runs `geomap map SEED -o ... --png ...` on the real file from ../shared/seed/, opens the page with
every network request blocked, checks what the acceptance test expects to see, opens the naval
attack's popup, and leaves screenshots in test-artifacts/ (never in git).
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from geomap.export import read_incidents
from pagekit import pin_count, pinned
from support.paths import SEED

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def seed_map(tmp_path_factory):
    assert SEED.is_file(), f"seed article missing: {SEED} (set GEOMAP_SHARED_DIR to the shared folder)"
    folder = tmp_path_factory.mktemp("seed")
    run = subprocess.run([sys.executable, "-m", "geomap", "extract", str(SEED), "-o", str(folder / "seed.geojson"),
                          "-q"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    run = subprocess.run([sys.executable, "-m", "geomap", "map", str(folder / "seed.geojson"),
                          "-o", str(folder / "seed.html"), "--png", str(folder / "seed.png"),
                          "--title", "Seed article"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    return folder, read_incidents(folder / "seed.geojson")


def test_seed_map_in_chromium(page, seed_map, artifacts):
    folder, incidents = seed_map
    assert (folder / "seed.png").stat().st_size > 10_000
    page.goto((folder / "seed.html").as_uri())
    page.wait_for_selector(".geomap[data-ready]", state="attached", timeout=60_000)
    assert int(page.get_attribute(".geomap", "data-visible")) == len(incidents)
    assert pin_count(page) == len(pinned(incidents))
    for type_id in ("air_strike", "naval_attack", "airspace_violation", "diplomacy"):
        label = page.locator(f".leaflet-control-layers-overlays label:has([data-type='{type_id}'])")
        assert label.count() == 1, type_id
    page.screenshot(path=str(artifacts / "seed-map.png"))

    naval = incidents.index[incidents["incident_type"] == "naval_attack"][0]
    position = int(incidents.index.get_loc(naval))
    page.evaluate(f"document.querySelector('.geomap').geomap.openPopup({position})")
    quote = page.locator(".leaflet-popup .geomap-popup-quote").text_content()
    assert quote == incidents.loc[naval, "sentence"]
    popup = page.locator(".leaflet-popup-content").text_content()
    assert incidents.loc[naval, "place"] in popup
    page.wait_for_timeout(400)  # let the popup finish fading in
    page.screenshot(path=str(artifacts / "seed-map-popup.png"))
