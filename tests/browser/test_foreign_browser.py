"""Another tool's GeoJSON (points, its own property names, a type geomap does not know) maps with
its layers in Chromium, offline: one layer per type plus "other", legend rows, toggles."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from geomap.cli import cli
from pagekit import marker_count, open_map, type_checkbox, visible_count

pytestmark = pytest.mark.browser

# (their type, day, lon, lat): written for this test
POINTS = [("air_strike", "2025-11-01", 30.73, 46.48), ("Air / missile / drone strike", "2025-11-02", 36.23, 49.99),
          ("shelling", "2025-11-02", 37.61, 49.71), ("Roadblock", "2025-11-03", 35.14, 47.84),
          ("Roadblock", "2025-11-04", 32.62, 46.64)]


def test_a_third_party_geojson_maps_with_its_layers(page, tmp_path):
    source = tmp_path / "theirs.geojson"
    source.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
         "properties": {"label": kind, "observed": day, "comment": f"Test point {i}"}}
        for i, (kind, day, lon, lat) in enumerate(POINTS)]}), encoding="utf-8")
    out = tmp_path / "theirs.html"
    result = CliRunner().invoke(cli, ["map", str(source), "-o", str(out), "--type-column", "label",
                                      "--date-column", "observed", "--text-column", "comment"])
    assert result.exit_code == 0, result.output
    open_map(page, out)
    assert visible_count(page) == len(POINTS)
    rows = page.locator(".geomap-legend-row").evaluate_all("rs => rs.map(r => r.getAttribute('data-type'))")
    assert rows == ["air_strike", "shelling", "other"]
    page.wait_for_selector(".geomap[data-loaded]", state="attached")
    assert marker_count(page) == len(POINTS)
    type_checkbox(page, "other").uncheck()
    assert visible_count(page) == 3
    page.wait_for_selector(".geomap[data-loaded]", state="attached")
    assert marker_count(page) == 3
    type_checkbox(page, "air_strike").uncheck()
    assert visible_count(page) == 1
    # the popup shows their text, as text
    type_checkbox(page, "other").check()
    page.evaluate("document.querySelector('.geomap').geomap.openPopup(3)")
    assert "Test point 3" in page.locator(".leaflet-popup").inner_text()
