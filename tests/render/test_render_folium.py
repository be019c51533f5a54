"""geomap.render._folium: incident layers on a folium map (page structure; the browser tests run it)."""

from __future__ import annotations

import re

import folium
import pytest
from folium.plugins import Fullscreen

from geomap.errors import UsageError
from geomap.render import make_map
from geomap.render._assets import ASSETS, sri
from geomap.render._folium import IncidentLayer, to_folium
from geomap.render._synthetic import synthetic_incidents
from support.pagedata import data_script, payload_of

NASTY = "Boom <script>window.__pwned=1</script> \"quotes\" 'single' & </script><!-- \u2028x\u2029"
FOLIUM_LINKS = [url for _, url in folium.Map.default_js + folium.Map.default_css]


@pytest.fixture(scope="module")
def incidents():
    gdf = synthetic_incidents(40)
    gdf.loc[gdf.index[0], "sentence"] = NASTY
    return gdf




def test_inline_page_loads_nothing_from_elsewhere(incidents):
    m = to_folium(incidents)
    page = m.get_root().render()
    assert not re.search(r"<(script|link|img|iframe)\b[^>]*\b(src|href)\s*=", page, re.I)
    assert "@import" not in page
    assert not [url for url in FOLIUM_LINKS if url in page]
    assert "Leaflet 1.9.3" in page and "L.MarkerClusterGroup" in page  # inlined instead
    assert "GeomapFolium" in page and "window.GeoMap" in page
    # folium's trap: the links were cleared on this map only, not on the class
    assert folium.Map.default_js and m.default_js == [] and m.default_css == []
    later = folium.Map(tiles=None).get_root().render()
    assert all(url in later for url in FOLIUM_LINKS)


def test_payload_is_embedded_safely(incidents):
    page = to_folium(incidents).get_root().render()
    text = data_script(page).group(4)
    for raw in ("<", ">", "&", "\u2028", "\u2029"):
        assert raw not in text
    assert "<script>window.__pwned=1</script>" not in page
    assert page.count("</script>") == page.count("<script")
    assert payload_of(page)["strings"].count(NASTY) == 1


def test_one_layer_per_incident_type_and_the_boot_call(incidents):
    m = to_folium(incidents, types="air_strike,shelling,naval_attack", title="Three types")
    page = m.get_root().render()
    payload = payload_of(page)
    wanted = ["air_strike", "shelling", "naval_attack"]
    assert [t["id"] for t in payload["types"]] == wanted
    assert [t["count"] for t in payload["types"]] == [
        int((incidents["incident_type"] == t).sum()) for t in wanted]
    assert payload["n"] == int(incidents["incident_type"].isin(wanted).sum())
    uid = data_script(page).group(2)
    call = re.search(r"GeomapFolium\.attach\(\s*function \(\) \{ return (\w+); \},\s*\"(geomap-[0-9a-f]+)\"",
                     page)
    assert call and call.group(1) == m.get_name() and call.group(2) == uid
    assert f'id="{m.get_name()}"' in page
    assert "<title>Three types</title>" in page


def test_title_is_escaped(incidents):
    page = to_folium(incidents, title='A "quoted" <title>').get_root().render()
    assert "<title>A &quot;quoted&quot; &lt;title&gt;</title>" in page


def test_leaflet_comes_before_plugins_added_earlier(incidents):
    m = folium.Map(tiles=None)
    Fullscreen().add_to(m)  # links its plugin script, which needs L when it loads
    to_folium(incidents, m)
    page = m.get_root().render()
    plugin = re.search(r'<script src="[^"]*"', page)
    assert plugin, "the plugin's own link is kept"
    assert page.index("Leaflet 1.9.3") < plugin.start()
    assert page.index('<meta http-equiv="content-type"') < page.index("Leaflet 1.9.3")


def test_cdn_variant_keeps_folium_links_and_pins_markercluster(incidents):
    m = to_folium(incidents, inline=False)
    page = m.get_root().render()
    assert all(url in page for url in FOLIUM_LINKS)
    for asset in ASSETS:
        if asset.package == "leaflet":
            assert asset.cdn_url not in page  # folium brings Leaflet once
        else:
            assert f'href="{asset.cdn_url}" integrity="{sri(asset)}"' in page or \
                f'src="{asset.cdn_url}" integrity="{sri(asset)}"' in page
    assert "Leaflet 1.9.3" not in page
    assert len(page) < len(to_folium(incidents).get_root().render()) - 150_000


def test_user_map_tiles_reach_the_layer_control(incidents):
    m = folium.Map(location=[48, 30], zoom_start=5)  # OpenStreetMap tiles
    folium.CircleMarker([50.45, 30.52], radius=6).add_to(m)
    assert to_folium(make_map(incidents), m) is m
    tiles = [c for c in m._children.values() if isinstance(c, folium.TileLayer)]
    assert len(tiles) == 1
    page = m.get_root().render()
    assert re.search(rf'\[{tiles[0].get_name()}, "openstreetmap"\]', page)
    assert "L.circleMarker" in page


def test_compressed_payload(incidents):
    page = to_folium(incidents, compress=True).get_root().render()
    match = data_script(page)
    assert match.group(1) == "octet-stream" and match.group(3)
    assert payload_of(page)["n"] == len(incidents)


def test_rendering_twice_gives_the_same_page(incidents):
    m = to_folium(incidents)
    first = m.get_root().render()
    assert m.get_root().render() == first
    assert first.count("Leaflet 1.9.3") == 1


def test_saved_page(incidents, tmp_path):
    path = tmp_path / "folium.html"
    to_folium(incidents, cluster=True).save(str(path))
    page = path.read_text(encoding="utf-8")
    assert payload_of(page)["cluster"] is True


@pytest.mark.parametrize("call, message", [
    (lambda gdf: to_folium(make_map(gdf), types="air_strike"), "pass them to make_map"),
    (lambda gdf: to_folium(gdf, cdn=True), "inline=False"),
    (lambda gdf: to_folium(gdf, m="not a map"), "folium.Map"),
    (lambda gdf: to_folium(gdf, types=["air_strikes"]), "unknown incident type"),
    (lambda gdf: IncidentLayer(gdf), "IncidentMap"),
])
def test_usage_errors(incidents, call, message):
    with pytest.raises(UsageError, match=message):
        call(incidents)


def test_layer_must_sit_on_the_map_itself(incidents):
    m = folium.Map(tiles=None)
    group = folium.FeatureGroup().add_to(m)
    IncidentLayer(make_map(incidents)).add_to(group)
    with pytest.raises(UsageError, match="folium.Map itself"):
        m.get_root().render()
