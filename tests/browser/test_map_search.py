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
