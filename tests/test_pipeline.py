"""geomap.pipeline: one run for the API and the CLI, its timings, and pluggable geocoding.

The online geocoder is geopy's real Nominatim client talking to the loopback Nominatim
look-alike in tests/support (never the network); the geoparser is the real offline one.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner

import geomap
from geomap.cli import cli
from geomap.geocoders.online import GeocoderFallbackWarning, online_geocoder
from geomap.models import Article
from geomap.pipeline import STAGES, Pipeline, Timings, as_articles
from support.fake_nominatim import PLACES

USER_AGENT = "geomap-tests/1.0 (tests@example.org)"
TEXT = "date 2025-11-29\nPolice detained protesters in Chisinau on Saturday, officials said."
CHISINAU = next(p for p in PLACES if p["name"] == "Chișinău")


@pytest.fixture
def server(fake_nominatim):
    return fake_nominatim


@pytest.fixture
def nominatim(server, tmp_path):
    geocoder = online_geocoder("nominatim", user_agent=USER_AGENT, domain=server.domain, scheme="http",
                               cache_path=tmp_path / "cache.sqlite", min_delay_seconds=0, max_retries=0,
                               timeout=5)
    yield geocoder
    geocoder.close()


def _chisinau(gdf):
    rows = gdf[gdf["place"].str.startswith("Chi")]
    assert len(rows) == 1, gdf[["incident_type", "place"]]
    return rows.iloc[0]


def test_offline_by_default_names_a_gazetteer_entry():
    row = _chisinau(geomap.extract(TEXT))
    assert row["place_id"].startswith("gn:")


def test_an_online_geocoder_puts_its_answer_on_the_map(nominatim, server):
    timings = Timings()
    row = _chisinau(geomap.extract(TEXT, geocoder=nominatim, timings=timings))
    assert (row["lat"], row["lon"]) == (float(CHISINAU["lat"]), float(CHISINAU["lon"]))
    assert row["place_id"] == "nominatim:relation/2904811"
    assert row["country"] == "MD" and row["region"] is not None  # regions by spatial join
    (request,) = [r for r in server.requests if r[0] == "/search"]
    assert request[1]["q"] == "Chisinau" and request[1]["countrycodes"] == "md"
    assert "Police" not in json.dumps(server.requests)  # only the place name is sent
    assert "resolve" in timings.seconds and set(timings.seconds) <= set(STAGES)


def test_answers_are_cached_across_runs(nominatim, server, tmp_path):
    geomap.extract(TEXT, geocoder=nominatim)
    again = online_geocoder("nominatim", user_agent=USER_AGENT, domain=server.domain, scheme="http",
                            cache_path=tmp_path / "cache.sqlite", min_delay_seconds=0)
    try:
        row = _chisinau(geomap.extract(TEXT, geocoder=again))
    finally:
        again.close()
    assert row["place_id"] == "nominatim:relation/2904811"
    assert server.count("/search") == 1


def test_a_failing_service_falls_back_to_the_offline_place_with_a_warning(nominatim, server):
    server.script(503)
    with pytest.warns(GeocoderFallbackWarning, match="nominatim could not answer 'Chisinau'"):
        row = _chisinau(geomap.extract(TEXT, geocoder=nominatim))
    assert row["place_id"].startswith("gn:")


def test_cli_extract_and_map_take_the_geocoder(server, tmp_path, monkeypatch):
    monkeypatch.setattr("geomap.geocoders.cache.default_cache_path", lambda: tmp_path / "cli-cache.sqlite")
    article = tmp_path / "a.txt"
    article.write_text(TEXT, encoding="utf-8")
    options = ["--geocoder", "nominatim", "--user-agent", USER_AGENT, "--geocoder-url", f"http://{server.domain}"]
    out = tmp_path / "a.geojson"
    result = CliRunner().invoke(cli, ["extract", str(article), "-o", str(out), "-q", *options])
    assert result.exit_code == 0, result.output
    features = json.loads(out.read_text(encoding="utf-8"))["features"]
    assert [f["properties"]["place_id"] for f in features if f["properties"]["place"].startswith("Chi")] == [
        "nominatim:relation/2904811"]
    page = tmp_path / "a.html"
    result = CliRunner().invoke(cli, ["map", str(article), "-o", str(page), *options])
    assert result.exit_code == 0, result.output
    assert "nominatim:relation/2904811" in geomap.read_incidents(out)["place_id"].tolist()
    assert server.count("/search") == 1  # the map's run was answered from the cache


def test_cli_refuses_a_url_without_an_online_geocoder(tmp_path):
    article = tmp_path / "a.txt"
    article.write_text(TEXT, encoding="utf-8")
    result = CliRunner().invoke(cli, ["extract", str(article), "-o", str(tmp_path / "x.geojson"),
                                      "--geocoder-url", "http://127.0.0.1:9"])
    assert result.exit_code == 2 and "--geocoder-url needs an online --geocoder" in result.output


def test_text_headers_are_read_by_the_article_reader_only():
    (article,) = as_articles("---\ndate: Wed Nov 23, 2016 | 4:58pm EST\ntitle: T\n---\nDrones hit Odesa.")
    assert (article.date, article.title, article.text) == (dt.date(2016, 11, 23), "T", "Drones hit Odesa.")
    assert article.published.utcoffset() == dt.timedelta(hours=-5)
    kept = Article(id="x", text="date 2025-11-29\nDrones hit Odesa.")
    assert as_articles(kept, reference_date=dt.date(2025, 1, 1))[0].text == kept.text  # read as given


def test_run_reports_failures_and_goes_on():
    from geomap.batch import BatchReport

    def geoparser(text):
        if "broken" in text:
            raise ValueError("cannot geoparse this")
        return geomap.geoparse(text)

    report = BatchReport()
    articles = [Article(id="a", text="broken text", source="a.txt"),
                Article(id="b", text="Drones struck an oil depot in Odesa.", date=dt.date(2025, 11, 29), source="b.txt")]
    gdf = Pipeline(geoparser=geoparser).run(articles, report=report)
    assert report.ok == 1 and [str(f) for f in report.failures] == ["a.txt: cannot geoparse this"]
    assert "Odesa" in set(gdf["place"])
