"""geomap.render._folium: incident layers on a folium map (page structure; the browser tests run it)."""

from __future__ import annotations

import re

import folium
import pytest
from folium.plugins import Fullscreen

from geomap.errors import UsageError
from geomap.render import make_map
from geomap.render._assets import FOLIUM_LOCAL, JQUERY, MARKERCLUSTER, inline_text, sri
from geomap.render._folium import _ICON_ASSETS, IncidentLayer, to_folium
from geomap.render._synthetic import synthetic_incidents
from support.pagedata import data_script, payload_of

NASTY = "Boom <script>window.__pwned=1</script> \"quotes\" 'single' & </script><!-- \u2028x\u2029"
FOLIUM_LINKS = [url for _, url in folium.Map.default_js + folium.Map.default_css]


@pytest.fixture(scope="module")
def incidents():
    gdf = synthetic_incidents(40)
    gdf.loc[gdf.index[0], "sentence"] = NASTY
    return gdf




REMOTE = re.compile(r"<(?:script|link)\b[^>]*\b(?:src|href)\s*=\s*\"([^\"]+)\"", re.I)
LINKS = dict(folium.Map.default_js + folium.Map.default_css)


def test_inline_page_loads_nothing_from_elsewhere(incidents):
    m = to_folium(incidents)
    page = m.get_root().render()
    assert REMOTE.findall(page) == [] and "@import" not in page
    # Leaflet and jQuery (folium's popups use it) inline instead of linked
    assert "Leaflet 1.9.3" in page and "L.MarkerClusterGroup" in page and "jQuery v3.7.1" in page
    assert "GeomapFolium" in page and "window.GeoMap" in page
    assert "L.AwesomeMarkers=" not in page  # no folium.Icon on this map
    # nothing of folium's is changed on the class or the instance
    assert m.default_js == folium.Map.default_js and m.default_css == folium.Map.default_css
    later = folium.Map(tiles=None).get_root().render()
    assert all(url in later for url in LINKS.values())


def test_a_folium_icon_brings_awesome_markers_inline(incidents):
    m = folium.Map(location=[48, 30], zoom_start=5)
    folium.Marker([50.45, 30.52], popup="<b>Office</b>", icon=folium.Icon(color="red")).add_to(m)
    to_folium(incidents, m)
    page = m.get_root().render()
    assert "L.AwesomeMarkers" in page and "data:image/png;base64," in page
    assert page.index("Leaflet 1.9.3") < page.index("L.AwesomeMarkers=")
    # the glyph fonts stay folium's links (glyphs online); nothing else is linked
    fonts = {LINKS[name] for name in _ICON_ASSETS if name in LINKS and name not in FOLIUM_LOCAL}
    assert set(REMOTE.findall(page)) == fonts and fonts


def test_payload_is_embedded_safely(incidents):
    page = to_folium(incidents).get_root().render()
    text = data_script(page).group(4)
    for raw in ("<", ">", "&", "\u2028", "\u2029"):
        assert raw not in text
    assert "<script>window.__pwned=1</script>" not in page
    own = page.replace(inline_text(JQUERY), "")  # jQuery's code holds "<script" in its strings
    assert own.count("</script>") == own.count("<script")
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
    assert page.count("leaflet@1.9.3/dist/leaflet.js") == 1  # folium brings Leaflet once
    for asset in MARKERCLUSTER:
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
    name = tiles[0].get_name()
    assert re.search(rf'\[typeof {name} === "undefined" \? null : {name},\s*"openstreetmap"\]', page)
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
