"""geomap.render and `geomap map`: pages, payload, filters, static images, CLI (no browser)."""

from __future__ import annotations

import html
import json
import re

import pytest
from click.testing import CliRunner

from geomap.cli import cli
from geomap.errors import UsageError
from geomap.incidents.taxonomy import load_taxonomy
from geomap.render import CLUSTER_THRESHOLD, IncidentMap, make_map, save_static
from geomap.render._assets import ASSETS, sri
from geomap.render._map import json_for_script
from geomap.render._synthetic import synthetic_incidents
from support.pagedata import payload_of

NASTY = "Boom <script>window.__pwned=1</script> \"quotes\" 'single' `tick` & </script><!-- \u2028x\u2029"


@pytest.fixture(scope="module")
def incidents():
    gdf = synthetic_incidents(40)
    gdf.loc[gdf.index[0], "sentence"] = NASTY
    return gdf



def test_json_for_script_cannot_close_the_script():
    text = json_for_script({"s": NASTY})
    assert "</" not in text and "<!--" not in text and "\u2028" not in text and "&" not in text
    assert json.loads(text) == {"s": NASTY}


def test_page_is_self_contained_and_carries_article_text_only_as_escaped_json(incidents):
    page = make_map(incidents).to_html()
    assert not re.search(r"<(script|link)[^>]+(src|href)=", page)  # nothing loaded from elsewhere
    assert "L.MarkerClusterGroup" in page and "Leaflet 1.9.3" in page
    # the article's own markup never appears as markup
    assert "<script>window.__pwned=1</script>" not in page
    assert page.count("</script>") == page.count("<script")
    assert payload_of(page)["strings"].count(NASTY) == 1


def test_cdn_page_pins_versions_with_integrity(incidents):
    page = make_map(incidents, cdn=True).to_html()
    assert "https://unpkg.com/leaflet@1.9.3/dist/leaflet.js" in page
    assert "https://unpkg.com/leaflet.markercluster@1.4.1/dist/leaflet.markercluster.js" in page
    # the published SRI values of the released files (leafletjs.com download page)
    assert 'integrity="sha256-WBkoXOwTeyKclOHuWtc+i2uENFpDZ9YPdf5Hf+D7ewM="' in page
    assert 'integrity="sha256-kLaT2GOSpHechhsozzB+flnD+zUyjE2LlfWPgU04xyI="' in page
    assert all(sri(a) in page for a in ASSETS)
    assert len(page) < len(make_map(incidents).to_html()) - 150_000


def test_payload_columns_regions_and_types(incidents):
    payload = make_map(incidents).payload
    cols = payload["cols"]
    assert payload["n"] == len(incidents)
    assert {len(v) for v in cols.values()} == {len(incidents)}
    regions = {(r["kind"], r["key"]): r for r in payload["regions"]}
    assert regions[("admin1", "RU-KDA")]["count"] == (incidents["region_code"] == "RU-KDA").sum()
    assert regions[("admin1", "RU-KDA")]["parent"] == "RU"
    assert regions[("water", "Black Sea")]["count"] == (incidents["water"] == "Black Sea").sum()
    assert regions[("country", "UA")]["name"] == "Ukraine"
    # each incident points at its own regions
    for i in range(len(incidents)):
        row = incidents.iloc[i]
        if isinstance(row["region_code"], str):
            assert payload["regions"][cols["admin1"][i]]["key"] == row["region_code"]
        else:
            assert cols["admin1"][i] == -1
    assert [t["id"] for t in payload["types"]] == sorted(set(incidents["incident_type"]),
                                                          key=["air_strike", "shelling", "naval_attack",
                                                               "airspace_violation", "ground_fighting"].index)
    assert payload["types"][0]["colour"] == load_taxonomy()["air_strike"].colour and payload["types"][0]["svg"].startswith("<svg")
    assert payload["dayRange"][1] - payload["dayRange"][0] == 9


def test_filters_by_region_type_and_date(incidents):
    by_code = make_map(incidents, regions=["RU-KDA"])
    assert len(by_code) == (incidents["region_code"] == "RU-KDA").sum()
    assert set(by_code.incidents["region_code"]) == {"RU-KDA"}
    assert by_code.payload["view"] == "region=RU-KDA"
    by_name = make_map(incidents, regions=["Krasnodar Krai", "Black Sea"])
    assert len(by_name) == len(by_code) + (incidents["water"] == "Black Sea").sum()
    typed = make_map(incidents, types="air_strike,shelling", since="2024-03-03", until="2024-03-05")
    expected = incidents[incidents["incident_type"].isin(["air_strike", "shelling"])
                         & incidents["date"].between("2024-03-03", "2024-03-05")]
    assert 0 < len(typed) == len(expected)
    assert "Incidents" in typed.title and "2024-03-03" in typed.title


@pytest.mark.parametrize("kwargs, message", [
    ({"types": ["air_strikes"]}, "unknown incident type"),
    ({"since": "yesterday"}, "not a date"),
    ({"since": "2024-03-05", "until": "2024-03-01"}, "after"),
    ({"regions": ["Atlantis Krai"]}, "unknown region"),
])
def test_bad_filters_raise_usage_errors(incidents, kwargs, message):
    with pytest.raises(UsageError, match=message):
        make_map(incidents, **kwargs)


def test_clustering_threshold_and_empty_map(incidents):
    assert make_map(incidents).payload["cluster"] is True  # pins that overlap cluster
    assert make_map(incidents, cluster=False).payload["cluster"] is False
    assert make_map(incidents.iloc[:1]).payload["cluster"] is False
    big = synthetic_incidents(CLUSTER_THRESHOLD)
    assert make_map(big).payload["cluster"] is True
    empty = make_map(incidents, types=["diplomacy"])
    assert len(empty) == 0 and "<html" in empty.to_html()


def test_save_embed_and_jupyter(incidents, tmp_path):
    the_map = make_map(incidents, title='A "quoted" <title>')
    assert isinstance(the_map, IncidentMap)
    path = the_map.save(tmp_path / "sub" / "map.html")
    assert path.read_bytes() == the_map.to_html().encode("utf-8")
    assert [p.name for p in (tmp_path / "sub").iterdir()] == ["map.html"]  # no temporary left
    embed = the_map.to_embed(view="types=air_strike")
    assert embed.startswith("<iframe") and embed.endswith("</iframe>")
    assert 'sandbox="allow-scripts' in embed
    srcdoc = re.search(r'srcdoc="([^"]*)"', embed).group(1)
    assert "<" not in srcdoc  # the whole page is one escaped attribute
    import html
    assert payload_of(html.unescape(srcdoc))["view"] == "types=air_strike"
    assert the_map._repr_html_().startswith("<iframe")
    assert "<title>A &quot;quoted&quot; &lt;title&gt;</title>" in the_map.to_html()


def test_large_payloads_are_compressed():
    big = make_map(synthetic_incidents(20_000, jitter=0.5))
    big.compress = None
    page = big.to_html()
    data = payload_of(page)
    assert data["n"] == 20_000
    big.compress = True
    assert 'data-encoding="gzip+base64"' in big.to_html()
    assert payload_of(big.to_html())["n"] == 20_000


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_static_map(incidents, tmp_path, suffix):
    path = save_static(incidents, tmp_path / f"map{suffix}", title="Static <test>")
    data = path.read_bytes()
    if suffix == ".png":
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        width = int.from_bytes(data[16:20], "big")
        assert width == 1500  # A4 text width (7.5 in) at 200 dpi
    else:
        text = data.decode("utf-8")
        coarse = incidents["geo_precision"] == 3
        strikes = int(((incidents["incident_type"] == "air_strike") & ~coarse).sum())
        assert "Static &lt;test&gt;" in text and f"Air / missile / drone strike ({strikes})" in text
        # incidents located only by a region are hatched areas, listed once in the legend
        assert f"Located only by country, sea or region ({int(coarse.sum())})" in text
        assert "<pattern" in text  # the hatch
        assert load_taxonomy()["air_strike"].colour in text and "Natural Earth" in text
        assert re.search(r"\b[125]0* km\b", text)  # the scale bar
    with pytest.raises(UsageError, match="image format"):
        save_static(incidents, tmp_path / "map.bmp")


# ----------------------------------------------------------------------------- CLI

@pytest.fixture
def incidents_file(incidents, tmp_path):
    path = tmp_path / "incidents.gpkg"
    from geomap.export import write_incidents

    write_incidents(incidents, path)
    return path


def run(*args):
    return CliRunner().invoke(cli, ["map", *map(str, args)])


def test_cli_writes_html_png_svg(incidents_file, tmp_path):
    out = tmp_path / "maps" / "m.html"
    result = run(incidents_file, "-o", out, "--region", "Krasnodar Krai", "--types", "air_strike,shelling",
                 "--png", tmp_path / "m.png", "--svg", tmp_path / "m.svg", "--title", "KDA")
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    data = payload_of(page)
    assert data["title"] == "KDA" and data["view"] == "region=RU-KDA"
    assert {t["id"] for t in data["types"]} <= {"air_strike", "shelling"}
    assert (tmp_path / "m.png").stat().st_size > 10_000 and (tmp_path / "m.svg").exists()


def test_cli_embed_cdn_and_no_cluster(incidents_file, tmp_path):
    out = tmp_path / "fragment.html"
    result = run(incidents_file, "-o", out, "--embed", "--cdn", "--no-cluster", "--heat")
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<iframe") and "unpkg.com/leaflet@1.9.3" in text


@pytest.mark.parametrize("args, message", [
    (["--types", "bombing"], "unknown incident type"),
    (["--region", "Atlantis Krai"], "unknown region"),
    (["--since", "last week"], "not a date"),
    (["--embed", "--height", "tall"], "is not a height"),
    (["--embed", "--aspect", "16:0"], "is not a ratio"),
    (["--embed", "--link", "javascript:alert(1)"], "full map's web address"),
    (["--aspect", "16:9"], "add --embed"),
])
def test_cli_usage_errors_exit_2(incidents_file, tmp_path, args, message):
    result = run(incidents_file, "-o", tmp_path / "x.html", *args)
    assert result.exit_code == 2 and message in result.output
    assert not (tmp_path / "x.html").exists()


def test_cli_missing_input_exit_2(tmp_path):
    result = run(tmp_path / "nope.gpkg", "-o", tmp_path / "x.html")
    assert result.exit_code == 2 and "no such file" in result.output


def test_no_local_path_reaches_the_page(incidents):
    # a published map must not reveal the author's folders: file names only, web URLs as they are
    gdf = incidents.copy()
    gdf["title"] = None
    gdf.loc[gdf.index[0], ["source", "url"]] = ["/home/ana/secret/reports/a.txt:3", "file:///home/ana/b.html"]
    gdf.loc[gdf.index[1], ["source", "url"]] = ["C:\\Users\\ana\\Desktop\\c.jsonl:12", None]
    gdf.loc[gdf.index[2], ["source", "url"]] = ["<stdin>", "https://news.example.org/x"]
    page = make_map(gdf).to_html()
    assert "/home/ana" not in page and "Users" not in page and "Desktop" not in page
    strings = payload_of(page)["strings"]
    assert {"a.txt:3", "c.jsonl:12", "<stdin>", "https://news.example.org/x"} <= set(strings)


def test_embed_sizes_and_link(incidents):
    the_map = make_map(incidents)
    assert 'style="width:100%;height:520px;border:0"' in the_map.to_embed()
    assert 'style="width:100%;height:60vh;border:0"' in the_map.to_embed(height="60vh")
    assert 'style="width:100%;height:400px;border:0"' in the_map.to_embed(height=400)
    framed = the_map.to_embed(aspect="16:9", link="maps/full.html")
    assert 'style="width:100%;aspect-ratio:16 / 9;height:auto;border:0"' in framed
    assert payload_of(html.unescape(framed))["link"] == "maps/full.html"
    assert "link" not in payload_of(the_map.to_html())
    for bad in ("data:text/html,x", "file:///etc/passwd", "javascript:x"):
        with pytest.raises(UsageError):
            the_map.to_embed(link=bad)


def test_cli_embed_aspect_link_and_pdf(incidents_file, tmp_path):
    out = tmp_path / "frame.html"
    result = run(incidents_file, "-o", out, "--embed", "--aspect", "4:3", "--link",
                 "https://example.org/map.html", "--pdf", tmp_path / "m.pdf")
    assert result.exit_code == 0, result.output
    frame = out.read_text(encoding="utf-8")
    assert "aspect-ratio:4 / 3" in frame
    assert payload_of(html.unescape(frame))["link"] == "https://example.org/map.html"
    assert (tmp_path / "m.pdf").read_bytes()[:5] == b"%PDF-"


def test_cli_static_maps_get_a_title_by_default(incidents_file, tmp_path):
    # only a static map asked for: it is titled from the filters all the same
    result = run(incidents_file, "--since", "2024-03-03", "--svg", tmp_path / "m.svg")
    assert result.exit_code == 0, result.output
    assert "Incidents since 2024-03-03" in (tmp_path / "m.svg").read_text(encoding="utf-8")


@pytest.mark.parametrize("title", ["Damage of $5m and $10m", r"$\frac{1}{0}$ and $\undefinedmacro$",
                                   "Broken $ math ${", "50% $$ ^_^"])
def test_static_titles_are_text_not_mathtext(tmp_path, title):
    """A title (or region name) with "$" crashed --png/--svg or came out as mathtext (issue 10, 14)."""
    gdf = synthetic_incidents(5)
    gdf["region"] = title
    svg = save_static(gdf, tmp_path / "m.svg", title=title)
    text = svg.read_text(encoding="utf-8")
    assert html.escape(title, quote=False) in text  # the title as written, as SVG text
    save_static(gdf, tmp_path / "m.png", title=title)
    assert (tmp_path / "m.png").stat().st_size > 1000
