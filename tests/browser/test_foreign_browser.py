"""Another tool's GeoJSON (points, its own property names, a type geomap does not know) maps with
its layers in Chromium, offline: one layer per type plus "other", legend rows, toggles."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from geomap.cli import cli
from pagekit import marker_count, open_map, type_checkbox, visible_count
from support.acled_rows import ACLED_ROWS, write_acled_csv

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


DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}

@pytest.fixture(scope="module")
def acled_map(tmp_path_factory):
    folder = tmp_path_factory.mktemp("acled-csv")
    source = write_acled_csv(folder / "export.csv")
    out = folder / "acled.html"
    result = CliRunner().invoke(cli, ["map", str(source), "-o", str(out)])  # no option: ACLED's names
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_an_acled_style_csv_maps_with_acled_types(page, acled_map, viewport):
    page.set_viewport_size(viewport)
    open_map(page, acled_map)
    assert visible_count(page) == len(ACLED_ROWS)
    rows = page.locator(".geomap-legend-row").evaluate_all("rs => rs.map(r => r.getAttribute('data-type'))")
    assert sorted(rows) == ["other", "remote_explosive", "shelling", "territory_change"]
    # the row located only by its oblast (geo_precision 3) is that region's area, not a pin
    page.wait_for_selector(".geomap[data-loaded]", state="attached")
    assert int(page.get_attribute(".geomap", "data-pins")) == len(ACLED_ROWS) - 1
    assert page.locator("path.geomap-area").count() == 1
    # ACLED's own pairs filter, and the popup quotes the notes as text
    pairs = page.locator("input[data-acled]").evaluate_all("xs => xs.map(x => x.getAttribute('data-acled'))")
    assert sorted(pairs) == sorted(f"{r[1]}: {r[2]}" for r in ACLED_ROWS)
    page.evaluate("document.querySelector('.geomap').geomap.openPopup(1)")
    popup = page.locator(".leaflet-popup-content").text_content()
    assert "Test row: a tractor hit a mine." in popup and "2025-11-04" in popup


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_failed_read_leaves_the_map_that_was_there(page, tmp_path, viewport):
    page.set_viewport_size(viewport)
    source = tmp_path / "theirs.geojson"
    source.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
         "properties": {"label": kind, "observed": day}} for kind, day, lon, lat in POINTS]}), encoding="utf-8")
    out = tmp_path / "map.html"
    assert CliRunner().invoke(cli, ["map", str(source), "-o", str(out), "--type-column", "label"]).exit_code == 0
    # a table with no location, then a column that is not there: both fail, neither writes
    (tmp_path / "nowhere.csv").write_text("place,date\nKupiansk,2025-11-02\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["map", str(tmp_path / "nowhere.csv"), "-o", str(out)])
    assert result.exit_code == 1 and "no map written" in result.output
    result = CliRunner().invoke(cli, ["map", str(source), "-o", str(out), "--type-column", "missing"])
    assert result.exit_code == 1
    open_map(page, out)
    assert visible_count(page) == len(POINTS)
    page.wait_for_selector(".geomap[data-loaded]", state="attached")
    assert marker_count(page) == len(POINTS)
