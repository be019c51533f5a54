"""--tiles: raster tiles above the offline base map, off by default (issue 12)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from geomap.cli import cli
from geomap.errors import UsageError
from geomap.render import make_map
from geomap.render._synthetic import synthetic_incidents
from geomap.render._tiles import PRESETS, tile_layer
from support.pagedata import payload_of


def test_presets_urls_and_refusals():
    assert tile_layer(None) is None and tile_layer("none") is None
    assert tile_layer("OSM")["url"] == PRESETS["osm"]["url"]
    custom = tile_layer("https://tiles.example.org/{z}/{x}/{y}.png", "Example <b>maps</b>")
    assert custom["attribution"] == "Example <b>maps</b>"  # plain text: the page escapes it
    assert tile_layer("https://{s}.tiles.example.org/{z}/{x}/{y}.png")["attribution"] == "Tiles: {s}.tiles.example.org"
    for bad in ("javascript:alert(1)//{z}{x}{y}", "https://tiles.example.org/a.png", "ftp://x/{z}/{x}/{y}",
                "https://x/{z}/{x}/{y}\" onload=\"x"):
        with pytest.raises(UsageError, match="--tiles"):
            tile_layer(bad)


def test_tiles_are_off_by_default_and_in_the_payload_when_asked():
    incidents = synthetic_incidents(20)
    assert "tiles" not in make_map(incidents).payload
    payload = make_map(incidents, tiles="carto").payload
    assert payload["tiles"]["url"] == PRESETS["carto"]["url"] and payload["detail"]["labels"]["name"]


def test_cli_tiles_option(tmp_path):
    from geomap.export import write_incidents

    source = write_incidents(synthetic_incidents(20), tmp_path / "in.geojson")
    out = tmp_path / "map.html"
    result = CliRunner().invoke(cli, ["map", str(source), "-o", str(out), "--tiles", "osm"])
    assert result.exit_code == 0, result.output
    assert payload_of(out.read_text(encoding="utf-8"))["tiles"]["name"] == "OpenStreetMap"
    result = CliRunner().invoke(cli, ["map", str(source), "-o", str(tmp_path / "x.html"), "--tiles", "nope"])
    assert result.exit_code == 2 and "--tiles" in result.output and not (tmp_path / "x.html").exists()
