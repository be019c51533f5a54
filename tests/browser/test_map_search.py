"""The page's search matches every name the gazetteer knows for an incident's place (spellings
the article did not use, with or without accents) and shows the article's spelling; Chromium,
offline, the real gazetteer index."""

from __future__ import annotations

import pytest

from geomap.gazetteer import load_gazetteer
from geomap.render import make_map
from geomap.render._synthetic import synthetic_incidents
from pagekit import open_map, visible_count

pytestmark = pytest.mark.browser

PLACES = [("Kupyansk", "Kupiansk", "gn:703656"), ("Zaporizhzhia", "Zaporizhzhia", "gn:687684"),
          ("Odesa", "Odesa", "gn:698740"), ("Izmayil", "Izmail", "gn:707308")]


@pytest.fixture(scope="module")
def map_path(tmp_path_factory):
    load_gazetteer()  # the index (built when this machine has none yet)
    gdf = synthetic_incidents(len(PLACES)).copy()
    gdf["place"] = [p[0] for p in PLACES]
    gdf["mention"] = [p[1] for p in PLACES]
    gdf["place_id"] = [p[2] for p in PLACES]
    gdf["region"] = gdf["country_name"] = gdf["water"] = None  # only the place's names can match
    path = tmp_path_factory.mktemp("search") / "map.html"
    make_map(gdf, title="Search").save(path)
    return path


@pytest.mark.parametrize("query, place", [("Kupyansk", "Kupiansk"), ("kupiansk", "Kupiansk"),
                                          ("Zaporizhzhya", "Zaporizhzhia"), ("Kupiánsk", "Kupiansk"),
                                          ("Odessa", "Odesa"), ("Izmayil", "Izmail"), ("Ismail", "Izmail")])
def test_search_by_every_name_shows_the_articles_spelling(page, map_path, query, place):
    open_map(page, map_path)
    page.fill(".geomap-search", query)
    page.wait_for_function("document.querySelector('.geomap').getAttribute('data-visible') === '1'")
    assert visible_count(page) == 1
    shown = page.evaluate("""() => { const m = document.querySelector('.geomap').geomap;
        m.openPopup(m.visible[0]); return document.querySelector('.leaflet-popup .geomap-popup-placename').textContent; }""")
    assert shown.startswith(place)
    rows = page.evaluate("document.querySelector('.geomap').geomap.exportRecords().map(r => r.place)")
    assert rows == [place]


@pytest.fixture(scope="module")
def old_store_map(tmp_path_factory):
    """The map of a store filled before the curated region names: its rows say "Odessa"."""
    import json
    import sqlite3

    from click.testing import CliRunner

    from geomap.cli import cli
    from geomap.export import read_incidents
    from geomap.store import upsert_store
    from geomap.store.sqlfunctions import register_functions

    load_gazetteer()
    folder = tmp_path_factory.mktemp("old-store")
    base = {"mention": "Odesa", "kind": "city", "country": "UA", "country_name": "Ukraine", "region_code": "UA-51",
            "date": "2025-11-20", "date_precision": 1, "confidence": 0.8}
    rows = [{**base, "id": "a1", "incident_type": "air_strike", "place": "Odesa", "place_id": "gn:698740",
             "lat": 46.48572, "lon": 30.74383, "geo_precision": 1, "sentence": "Drones struck the port."},
            {**base, "id": "a2", "incident_type": "shelling", "place": "Odesa", "place_id": "ne1:UA-51",
             "mention": "the region", "kind": "admin1", "lat": 46.0315, "lon": 29.7568, "geo_precision": 2,
             "sentence": "Shelling hit villages in the region."}]
    (folder / "rows.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [r["lon"], r["lat"]]}, "properties": r}
        for r in rows]}), encoding="utf-8")
    store = folder / "old.gpkg"
    upsert_store(store, read_incidents(folder / "rows.geojson"))
    con = sqlite3.connect(store)
    register_functions(con)
    with con:  # what the store held before the names were curated
        con.execute("UPDATE incidents SET region = 'Odessa'")
        con.execute("UPDATE incidents SET place = 'Odessa' WHERE place_id = 'ne1:UA-51'")
    con.close()
    out = folder / "map.html"
    result = CliRunner().invoke(cli, ["map", str(store), "-o", str(out), "--no-cluster"])
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.parametrize("viewport", [{"width": 1366, "height": 768}, {"width": 390, "height": 844}],
                         ids=["desktop", "phone"])
def test_an_older_store_shows_the_display_spelling(page, old_store_map, viewport):
    page.set_viewport_size(viewport)
    open_map(page, old_store_map)
    assert visible_count(page) == 2
    region = page.locator("label:has(input[data-region='UA-51'])").text_content()
    assert "Odesa" in region and "Odessa" not in region
    for index in (0, 1):
        page.evaluate(f"document.querySelector('.geomap').geomap.openPopup({index})")
        page.wait_for_function("document.querySelectorAll('.leaflet-popup').length === 1")
        popup = page.locator(".leaflet-popup-content").text_content()
        assert "Odesa" in popup and "Odessa" not in popup, popup
    records = page.evaluate("document.querySelector('.geomap').geomap.exportRecords()")
    assert [(r["place"], r["region"]) for r in records] == [("Odesa", "Odesa"), ("Odesa", "Odesa")]
    # the old name still finds both
    page.keyboard.press("Escape")
    if page.eval_on_selector(".geomap-panel details", "e => !e.open"):
        page.click(".geomap-panel summary")  # folded on a phone
    page.fill(".geomap-search", "odessa")
    page.wait_for_function("document.querySelector('.geomap').getAttribute('data-visible') === '2'")
