"""Shared assets: two embeds on one host page load one copy of Leaflet's and geomap's styles and
scripts (``--assets-url``) and both work; Chromium, offline.

A sandboxed frame may not read file: URLs, so the shared copy is served as a web server would
serve it, from a server on the loopback address that this test starts (no network).
"""

from __future__ import annotations

import html
import http.server
import threading

import pytest
from click.testing import CliRunner

from geomap.cli import cli
from geomap.export import write_incidents
from geomap.render._synthetic import synthetic_incidents

pytestmark = pytest.mark.browser


def assets_server(folder, served):
    """A static file server for ``folder`` on 127.0.0.1 (a free port), noting each path asked for."""
    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(folder), **kwargs)

        def log_message(self, *args):
            served.append(self.path)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_two_embeds_share_one_asset_copy(page, tmp_path, request):
    gdf = synthetic_incidents(30)
    source = tmp_path / "incidents.gpkg"
    write_incidents(gdf, source)
    report = tmp_path / "report"
    served: list[str] = []
    server = assets_server(report, served)
    request.addfinalizer(server.shutdown)
    url = f"http://127.0.0.1:{server.server_address[1]}/assets/"
    for name, types in (("strikes", "air_strike,shelling"), ("naval", "naval_attack")):
        result = CliRunner().invoke(cli, ["map", str(source), "--embed", "--assets-url", url, "--assets-dir",
                                          str(report / "assets"), "--types", types, "-o", str(report / f"{name}.html")])
        assert result.exit_code == 0, result.output
    assets = sorted(p.name for p in (report / "assets").iterdir())
    assert assets == ["geomap-assets.css", "geomap-assets.js"]
    bundle = (report / "assets" / "geomap-assets.js").read_text(encoding="utf-8")
    assert "MarkerClusterGroup" in bundle and "GeoMap" in bundle
    inline = tmp_path / "inline.html"
    assert CliRunner().invoke(cli, ["map", str(source), "--embed", "--types", "naval_attack", "-o",
                                    str(inline)]).exit_code == 0
    for name in ("strikes", "naval"):
        fragment = html.unescape((report / f"{name}.html").read_text(encoding="utf-8"))
        assert "MarkerClusterGroup" not in fragment  # the scripts are not inlined
    saved = len(inline.read_text(encoding="utf-8")) - len((report / "naval.html").read_text(encoding="utf-8"))
    assert saved > len(bundle)  # each embed is smaller by at least the shared copy
    host = report / "index.html"
    host.write_text("<!DOCTYPE html><html><body><h1>Two maps</h1>\n"
                    + (report / "strikes.html").read_text(encoding="utf-8")
                    + (report / "naval.html").read_text(encoding="utf-8") + "</body></html>", encoding="utf-8")
    page.goto(host.as_uri())
    frames = [f for f in page.frames if f != page.main_frame]
    assert len(frames) == 2
    counts = []
    for frame in frames:
        frame.wait_for_selector(".geomap[data-loaded]", state="attached", timeout=60_000)
        counts.append(int(frame.get_attribute(".geomap", "data-visible")))
        assert frame.locator(".geomap-marker, .marker-cluster").count() > 0
    expected = [int(gdf["incident_type"].isin(["air_strike", "shelling"]).sum()),
                int((gdf["incident_type"] == "naval_attack").sum())]
    assert counts == expected
    # one copy: both frames asked the one server for the same two files
    assert set(served) == {"/assets/geomap-assets.css", "/assets/geomap-assets.js"}


def test_assets_url_is_checked(tmp_path):
    source = tmp_path / "x.gpkg"
    write_incidents(synthetic_incidents(3), source)
    result = CliRunner().invoke(cli, ["map", str(source), "--assets-url", "javascript:alert(1)", "-o",
                                      str(tmp_path / "m.html")])
    assert result.exit_code == 2 and "--assets-url" in result.output
