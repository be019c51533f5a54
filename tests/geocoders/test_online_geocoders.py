"""Online geocoders: geopy's real Nominatim client against a Nominatim look-alike on loopback.

Covers the cache (hits, persistence, "no result" answers, expiry, two processes at once), the
rate limiter (delays and retries, with a fake clock and sleep), the fallback on 429, 5xx,
timeouts and refused connections, and the configuration errors.
"""

from __future__ import annotations

import multiprocessing
import socket
import sqlite3

import pytest
from geopy.location import Location
from geopy.point import Point

from geomap.errors import ConfigurationError, DataError, GeocoderUnavailable, UsageError
from geomap.geocoders.cache import MISS, GeocodeCache, cache_key, default_cache_path
from geomap.geocoders.online import (
    MAX_QUERY_CHARS,
    CachedGeocoder,
    GeocoderFallbackWarning,
    online_geocoder,
)

USER_AGENT = "geomap-tests/1.0 (tests@example.org)"


class FakeFallback:
    """Stands in for the offline geocoder: answers every query with one fixed point."""

    service = None

    def __init__(self) -> None:
        self.calls: list[tuple[str, object, dict]] = []

    def geocode(self, query, exactly_one=True):
        self.calls.append(("geocode", query, {"exactly_one": exactly_one}))
        loc = Location(f"offline {query}", (1.5, 2.5), {"id": "offline:1"})
        return loc if exactly_one else [loc]

    def reverse(self, query, exactly_one=True):
        self.calls.append(("reverse", query, {"exactly_one": exactly_one}))
        return Location("offline reverse", (1.5, 2.5), {"id": "offline:2"})


class FakeClock:
    """A clock that only moves when something sleeps on it."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def server(fake_nominatim):
    return fake_nominatim


@pytest.fixture
def fallback():
    return FakeFallback()


@pytest.fixture
def make(server, fallback, tmp_path):
    """Build a Nominatim CachedGeocoder pointed at the fake server (no delay, no retries)."""
    made: list[CachedGeocoder] = []

    def _make(**options):
        options.setdefault("user_agent", USER_AGENT)
        options.setdefault("fallback", fallback)
        options.setdefault("cache_path", tmp_path / "cache.sqlite")
        options.setdefault("min_delay_seconds", 0)
        options.setdefault("max_retries", 0)
        options.setdefault("timeout", 5)
        geocoder = online_geocoder("nominatim", domain=server.domain, scheme="http", **options)
        made.append(geocoder)
        return geocoder

    yield _make
    for geocoder in made:
        geocoder.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- answers and the cache ----------------------------------------------------------------------


def test_geocode_returns_nominatims_location(make, server):
    geocoder = make()
    loc = geocoder.geocode("Chisinau")
    assert isinstance(loc, Location)
    assert loc.address == "Chișinău, Moldova"
    assert (loc.latitude, loc.longitude) == pytest.approx((47.0245117, 28.8322923))
    assert loc.raw["osm_id"] == 2904811
    assert loc.raw["geomap_source"] == "nominatim"
    # What went over the wire: the place name only, with our user agent, in Nominatim's json.
    assert server.count("/search") == 1
    path, params, headers = server.requests[0]
    assert params["q"] == "Chisinau"
    assert params["format"] == "json"
    assert headers["User-Agent"] == USER_AGENT


def test_second_call_is_served_from_the_cache_and_the_cache_persists(make, server, tmp_path):
    first = make().geocode("Rostov-on-Don")
    assert server.count() == 1
    again = make().geocode("  rostov-ON-don ")  # a new instance, a differently written query
    assert server.count() == 1
    assert again.raw["geomap_source"] == "cache:nominatim"
    assert first.raw["geomap_source"] == "nominatim"
    assert (again.address, again.point) == (first.address, first.point)
    assert {k: v for k, v in again.raw.items() if k != "geomap_source"} == {
        k: v for k, v in first.raw.items() if k != "geomap_source"}
    # Other options are another question.
    make().geocode("Rostov-on-Don", exactly_one=False)
    assert server.count() == 2


def test_no_result_is_cached_too(make, server):
    geocoder = make()
    assert geocoder.geocode("Atlantis") is None
    assert geocoder.geocode("Atlantis") is None
    assert server.count() == 1


def test_list_answers_survive_the_cache(make, server):
    fresh = make().geocode("Krasnodar region", exactly_one=False)
    cached = make().geocode("Krasnodar region", exactly_one=False)
    assert server.count() == 1
    assert [loc.address for loc in cached] == [loc.address for loc in fresh] == [
        "Krasnodar Krai, Russia"]
    assert [loc.raw["geomap_source"] for loc in cached] == ["cache:nominatim"]


def test_reverse_works_and_is_cached(make, server):
    geocoder = make()
    loc = geocoder.reverse((47.22, 39.71))
    assert loc.address == "Rostov-on-Don, Rostov Oblast, Russia"
    assert loc.raw["address"]["state"] == "Rostov Oblast"
    path, params, _ = server.requests[0]
    assert path == "/reverse" and (params["lat"], params["lon"]) == ("47.22", "39.71")
    assert geocoder.reverse(Point(47.22, 39.71)).raw["geomap_source"] == "cache:nominatim"
    assert geocoder.reverse("47.22, 39.71").address == loc.address
    assert server.count() == 1
    assert geocoder.reverse((0.0, 0.0)) is None  # Nominatim's "Unable to geocode"
    with pytest.raises(UsageError, match="reverse needs a point"):
        geocoder.reverse("Rostov")
    assert server.count() == 2


def test_cache_expiry(tmp_path):
    clock = FakeClock()
    cache = GeocodeCache(tmp_path / "c.sqlite", expire_after=60, clock=clock)
    key = cache_key("nominatim", "geocode", "Chisinau", {"exactly_one": True})
    cache.set(key, Location("x", (1, 2), {}))
    assert cache.get(key).address == "x"
    clock.now += 61
    assert cache.get(key) is MISS
    assert cache.purge_expired() == 1
    assert len(cache) == 0
    cache.close()


def test_cache_key_normalises_query_and_sorts_kwargs():
    a = cache_key("nominatim", "geocode", "Chișinău", {"language": "en", "exactly_one": True})
    b = cache_key("nominatim", "geocode", " CHIȘINĂU ", {"exactly_one": True, "language": "en"})
    assert a == b
    assert a != cache_key("nominatim", "geocode", "Chișinău", {"language": "ru", "exactly_one": True})
    assert a != cache_key("photon", "geocode", "Chișinău", {"language": "en", "exactly_one": True})
    assert a != cache_key("nominatim", "reverse", "47, 28", {"language": "en", "exactly_one": True})
    # The client's timeout changes nothing about the answer.
    assert cache_key("n", "geocode", "x", {"timeout": 3}) == cache_key("n", "geocode", "x", {})


def test_default_cache_location(monkeypatch, tmp_path):
    monkeypatch.setenv("GEOMAP_CACHE_DIR", str(tmp_path / "cachedir"))
    assert default_cache_path() == tmp_path / "cachedir" / "geocode-cache.sqlite"
    geocoder = online_geocoder("photon", fallback=FakeFallback())
    assert geocoder.cache.path == default_cache_path()
    assert default_cache_path().exists()
    geocoder.close()


def test_unreadable_cache_file_says_what_to_do(tmp_path):
    path = tmp_path / "cache.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(DataError, match="delete the file"):
        GeocodeCache(path)


# -- failures fall back, warn, and are not cached -----------------------------------------------


def test_429_falls_back_with_a_warning_and_is_not_cached(make, server, fallback):
    geocoder = make()
    server.script(429)
    with pytest.warns(GeocoderFallbackWarning, match=r"nominatim .*'Chisinau'.*429") as record:
        loc = geocoder.geocode("Chisinau")
    assert "retry after 7" in str(record[0].message)
    assert loc.address == "offline Chisinau"
    assert loc.raw["geomap_source"] == "offline"
    assert fallback.calls == [("geocode", "Chisinau", {"exactly_one": True})]
    # The failure was not cached: the next call asks the service again and gets its answer.
    loc = geocoder.geocode("Chisinau")
    assert loc.raw["geomap_source"] == "nominatim"
    assert server.count() == 2


def test_timeout_falls_back_with_a_warning(make, server, fallback):
    geocoder = make(timeout=0.2)
    server.script("slow")
    with pytest.warns(GeocoderFallbackWarning, match=r"nominatim .*'Chisinau'.*timed out"):
        loc = geocoder.geocode("Chisinau")
    assert loc.raw["geomap_source"] == "offline"
    assert len(geocoder.cache) == 0
    assert server.count() == 1  # the transport does not retry behind the rate limiter's back


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_errors_fall_back(make, server, status):
    geocoder = make()
    server.script(status)
    with pytest.warns(GeocoderFallbackWarning, match=rf"nominatim .*'Chisinau'.*{status}"):
        loc = geocoder.geocode("Chisinau")
    assert loc.raw["geomap_source"] == "offline"
    assert len(geocoder.cache) == 0


def test_refused_connection_falls_back(fallback, tmp_path):
    geocoder = online_geocoder("nominatim", user_agent=USER_AGENT, domain=f"127.0.0.1:{_free_port()}",
                               scheme="http", fallback=fallback, cache_path=tmp_path / "c.sqlite",
                               min_delay_seconds=0, max_retries=0, timeout=2)
    with pytest.warns(GeocoderFallbackWarning, match="service unavailable"):
        loc = geocoder.reverse((47.0, 28.8))
    assert loc.address == "offline reverse"
    assert fallback.calls[0][0] == "reverse"
    geocoder.close()


def test_without_a_fallback_a_failure_raises(make, server):
    geocoder = make(fallback=False)
    server.script(503)
    with pytest.raises(GeocoderUnavailable, match=r"nominatim could not answer 'Chisinau'"):
        geocoder.geocode("Chisinau")


def test_a_batch_keeps_going_and_a_dead_service_is_left_alone(make, server, fallback):
    geocoder = make(max_consecutive_failures=2)
    server.script(503, 503)
    names = ["Chisinau", "Rostov", "Krasnodar Krai", "Kishinev"]
    with pytest.warns(GeocoderFallbackWarning) as record:
        results = [geocoder.geocode(name) for name in names]
    assert [r.raw["geomap_source"] for r in results] == ["offline"] * 4
    assert server.count() == 2  # the last two were not sent
    assert geocoder.service_down
    assert any("failed 2 times in a row" in str(w.message) for w in record)
    geocoder.reset()
    assert geocoder.geocode("Kishinev").raw["geomap_source"] == "nominatim"


def test_long_text_is_never_sent(make, server):
    geocoder = make()
    sentence = "Air defence shot down drones over the region overnight, officials said. " * 4
    assert len(sentence) > MAX_QUERY_CHARS
    with pytest.warns(GeocoderFallbackWarning, match="not sent"):
        loc = geocoder.geocode(sentence)
    assert loc.raw["geomap_source"] == "offline"
    assert server.count() == 0


# -- the rate limiter -----------------------------------------------------------------------------


def test_rate_limiter_spaces_requests_but_not_cache_hits(server, fallback, tmp_path):
    clock = FakeClock()
    client = online_geocoder("nominatim", user_agent=USER_AGENT, domain=server.domain,
                             scheme="http", fallback=fallback, cache_path=tmp_path / "c.sqlite")
    assert client.rate_limiter.min_delay_seconds == 1.0  # Nominatim's usage policy
    geocoder = CachedGeocoder(client.geocoder, service="nominatim", cache=client.cache,
                              fallback=fallback, min_delay_seconds=1.0, clock=clock,
                              sleep=clock.sleep)
    geocoder.geocode("Chisinau")
    geocoder.geocode("Rostov")
    geocoder.geocode("Chisinau")  # cached: no request, no wait
    geocoder.reverse((47.02, 28.83))  # reverse shares the same request slots
    assert server.count() == 3
    assert clock.sleeps == [1.0, 1.0]
    client.close()


def test_rate_limiter_retries_service_errors_after_a_wait(make, server):
    clock = FakeClock()
    base = make()
    geocoder = CachedGeocoder(base.geocoder, service="nominatim", cache=base.cache,
                              fallback=FakeFallback(), min_delay_seconds=0.5, max_retries=2,
                              error_wait_seconds=3.0, clock=clock, sleep=clock.sleep)
    server.script(503)
    loc = geocoder.geocode("Chisinau")
    assert loc.raw["geomap_source"] == "nominatim"
    assert server.count() == 2
    assert clock.sleeps == [3.0]


def test_other_services_get_a_delay_and_options_are_checked(tmp_path):
    photon = online_geocoder("Photon", fallback=FakeFallback(), cache_path=False)
    assert photon.service == "photon" and photon.cache is None
    assert photon.rate_limiter.min_delay_seconds == 1.0
    assert photon.geocoder.headers["User-Agent"].startswith("geomap/")
    with pytest.raises(UsageError, match="does not take colour"):
        online_geocoder("photon", colour="blue", cache_path=False)


# -- configuration ------------------------------------------------------------------------------


def test_missing_user_agent_says_how_to_set_it(monkeypatch, tmp_path):
    monkeypatch.delenv("GEOMAP_USER_AGENT", raising=False)
    with pytest.raises(ConfigurationError) as info:
        online_geocoder("nominatim", cache_path=tmp_path / "c.sqlite")
    message = str(info.value)
    assert '--user-agent "myproject/1.0 (me@example.org)"' in message
    assert "GEOMAP_USER_AGENT" in message
    monkeypatch.setenv("GEOMAP_USER_AGENT", USER_AGENT)
    geocoder = online_geocoder("nominatim", cache_path=tmp_path / "c.sqlite", fallback=FakeFallback())
    assert geocoder.geocoder.headers["User-Agent"] == USER_AGENT
    geocoder.close()


def test_sample_user_agent_on_the_public_server_is_refused(tmp_path):
    with pytest.raises(ConfigurationError, match="--user-agent"):
        online_geocoder("nominatim", user_agent="my-application", cache_path=tmp_path / "c")


def test_unknown_service_lists_the_valid_names():
    with pytest.raises(UsageError) as info:
        online_geocoder("nomnomatim", user_agent=USER_AGENT, cache_path=False)
    assert "nominatim" in str(info.value) and "photon" in str(info.value)
    assert "offline" in str(info.value)


def test_missing_api_key_is_a_configuration_error():
    with pytest.raises(ConfigurationError, match="api_key"):
        online_geocoder("bing", cache_path=False)


def test_get_geocoder_builds_online_geocoders(server, fallback, tmp_path):
    from geomap.geocoders import get_geocoder

    geocoder = get_geocoder("nominatim", user_agent=USER_AGENT, domain=server.domain,
                            scheme="http", fallback=fallback, cache_path=tmp_path / "c.sqlite",
                            min_delay_seconds=0)
    assert isinstance(geocoder, CachedGeocoder)
    assert geocoder.geocode("Kishinev").address == "Chișinău, Moldova"
    geocoder.close()


# -- two processes, one cache file ----------------------------------------------------------------


def _hammer_cache(path: str, worker: int, n: int) -> None:
    cache = GeocodeCache(path)
    for i in range(n):
        # Half the keys are shared between workers (they race on the same rows).
        name = f"place {i}" if i % 2 else f"worker {worker} place {i}"
        key = cache_key("nominatim", "geocode", name, {"exactly_one": True})
        cache.set(key, Location(name, (i / 10, worker), {"i": i, "worker": worker}))
        assert cache.get(key) is not MISS
    cache.close()


def test_two_processes_share_the_cache_file_without_corrupting_it(tmp_path):
    path = tmp_path / "shared.sqlite"
    GeocodeCache(path).close()
    ctx = multiprocessing.get_context("spawn")
    workers = [ctx.Process(target=_hammer_cache, args=(str(path), w, 150)) for w in range(2)]
    for proc in workers:
        proc.start()
    for proc in workers:
        proc.join(60)
    assert [proc.exitcode for proc in workers] == [0, 0]

    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()
    cache = GeocodeCache(path)
    assert len(cache) == 75 + 75 * 2  # shared odd keys once, each worker's even keys
    for i in range(150):
        names = [f"place {i}"] if i % 2 else [f"worker {w} place {i}" for w in range(2)]
        for name in names:
            loc = cache.get(cache_key("nominatim", "geocode", name, {"exactly_one": True}))
            assert loc.address == name and loc.raw["i"] == i
    cache.close()


def test_the_default_fallback_is_the_offline_geocoder(tmp_path):
    from geomap.geocoders.offline import OfflineGeocoder

    geocoder = online_geocoder("photon", cache_path=False)
    assert isinstance(geocoder.fallback, OfflineGeocoder)
    assert geocoder.fallback is geocoder.fallback  # made once, on first use
