"""A small Nominatim look-alike on loopback, for testing geopy's real Nominatim client offline.

It serves ``/search`` and ``/reverse`` in Nominatim's ``format=json`` (and ``jsonv2``) shapes,
from a handful of places below, and can be scripted to misbehave: each entry of
:meth:`FakeNominatim.script` decides the answer to one coming request (an HTTP status such as 429
or 503, or ``"slow"``: no answer until the client has given up). It records every request
(path, query parameters, headers) so tests can count them and check what was sent.

Usage::

    with FakeNominatim() as server:
        geolocator = Nominatim(user_agent="test/1", domain=server.domain, scheme="http")
"""

from __future__ import annotations

import json
import math
import threading
import unicodedata
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

LICENCE = "Data © OpenStreetMap contributors, ODbL 1.0. https://osm.org/copyright"

#: The places this server knows, in the fields Nominatim returns (coordinates from OpenStreetMap).
PLACES: list[dict[str, Any]] = [
    {
        "place_id": 1001, "osm_type": "relation", "osm_id": 2904811,
        "lat": "47.0245117", "lon": "28.8322923", "class": "place", "type": "city",
        "place_rank": 16, "importance": 0.65, "addresstype": "city", "name": "Chișinău",
        "display_name": "Chișinău, Moldova",
        "boundingbox": ["46.9221", "47.0930", "28.7093", "28.9780"],
        "address": {"city": "Chișinău", "country": "Moldova", "country_code": "md"},
        "names": ["chisinau", "chișinău", "kishinev"],
    },
    {
        "place_id": 1002, "osm_type": "relation", "osm_id": 1285772,
        "lat": "47.2213858", "lon": "39.7114196", "class": "boundary", "type": "administrative",
        "place_rank": 16, "importance": 0.62, "addresstype": "city", "name": "Rostov-on-Don",
        "display_name": "Rostov-on-Don, Rostov Oblast, Russia",
        "boundingbox": ["47.1520", "47.3668", "39.4044", "39.8537"],
        "address": {"city": "Rostov-on-Don", "state": "Rostov Oblast", "country": "Russia",
                    "country_code": "ru"},
        "names": ["rostov-on-don", "rostov"],
    },
    {
        "place_id": 1003, "osm_type": "relation", "osm_id": 1285771,
        "lat": "45.5448050", "lon": "39.6192060", "class": "boundary", "type": "administrative",
        "place_rank": 8, "importance": 0.58, "addresstype": "state", "name": "Krasnodar Krai",
        "display_name": "Krasnodar Krai, Russia",
        "boundingbox": ["43.3841", "46.8975", "36.5734", "41.7380"],
        "address": {"state": "Krasnodar Krai", "country": "Russia", "country_code": "ru"},
        "names": ["krasnodar krai", "krasnodar region"],
    },
]


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def _record(place: dict[str, Any], fmt: str, *, address: bool) -> dict[str, Any]:
    """One place in Nominatim's output shape for ``format`` json or jsonv2."""
    out = {k: v for k, v in place.items() if k not in ("names", "address")}
    out = {"place_id": out.pop("place_id"), "licence": LICENCE, **out}
    if fmt == "jsonv2":
        out["category"] = out.pop("class")
    if address:
        out["address"] = dict(place["address"])
    return out


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.0"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib's name
        pass  # keep test output clean

    def do_GET(self) -> None:  # noqa: N802 - stdlib's name
        parts = urlsplit(self.path)
        params = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        behaviour = self.server.fake.next_behaviour(parts.path, params, dict(self.headers))
        if behaviour == "slow":
            # Answer only once the test ends (or after a long while): the client times out first.
            self.server.fake.release.wait(self.server.fake.slow_seconds)
            behaviour = "ok"
        if isinstance(behaviour, int):
            headers = {"Retry-After": "7"} if behaviour == 429 else {}
            self._send(behaviour, {"error": {"code": behaviour, "message": "scripted failure"}},
                       headers)
            return
        fmt = params.get("format", "xml")
        if fmt not in ("json", "jsonv2"):
            self._send(400, {"error": f"this fake only speaks json/jsonv2, not {fmt!r}"})
        elif parts.path == "/search":
            self._send(200, self._search(params, fmt))
        elif parts.path == "/reverse":
            self._send(200, self._reverse(params, fmt))
        else:
            self._send(404, {"error": "not found"})

    def _search(self, params: dict[str, str], fmt: str) -> list[dict[str, Any]]:
        wanted = params.get("q") or params.get("city") or params.get("state") or ""
        wanted = _norm(wanted)
        limit = int(params.get("limit", "10"))
        hits = [p for p in PLACES if wanted in p["names"]]
        address = params.get("addressdetails") == "1"
        return [_record(p, fmt, address=address) for p in hits][:limit]

    def _reverse(self, params: dict[str, str], fmt: str) -> dict[str, Any]:
        lat, lon = float(params["lat"]), float(params["lon"])
        best = min(PLACES, key=lambda p: math.dist((lat, lon), (float(p["lat"]), float(p["lon"]))))
        if math.dist((lat, lon), (float(best["lat"]), float(best["lon"]))) > 0.5:
            return {"error": "Unable to geocode"}
        return _record(best, fmt, address=params.get("addressdetails", "1") == "1")

    def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a "slow" answer after its timeout)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeNominatim

    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        exc = sys.exc_info()[1]
        if not isinstance(exc, ConnectionError):
            self.fake.errors.append(exc)


class FakeNominatim:
    """The server: ``start()``/``stop()`` or use it as a context manager.

    ``domain`` is ``"127.0.0.1:PORT"`` for geopy's ``domain=`` (with ``scheme="http"``).
    ``requests`` lists every request as ``(path, params, headers)``; ``errors`` collects
    unexpected exceptions inside the server (tests check it stays empty).
    """

    def __init__(self, *, slow_seconds: float = 10.0) -> None:
        self.slow_seconds = slow_seconds
        self.requests: list[tuple[str, dict[str, str], dict[str, str]]] = []
        self.errors: list[BaseException] = []
        self.release = threading.Event()
        self._script: deque[int | str] = deque()
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- control ----------------------------------------------------------------------------

    def script(self, *behaviours: int | str) -> None:
        """Queue how the next requests are answered: an HTTP status, ``"slow"`` or ``"ok"``."""
        with self._lock:
            self._script.extend(behaviours)

    def next_behaviour(self, path: str, params: dict[str, str],
                       headers: dict[str, str]) -> int | str:
        with self._lock:
            self.requests.append((path, params, headers))
            return self._script.popleft() if self._script else "ok"

    def count(self, path: str | None = None) -> int:
        """How many requests arrived (to ``path`` only, if given)."""
        with self._lock:
            return sum(1 for p, _, _ in self.requests if path is None or p == path)

    @property
    def port(self) -> int:
        assert self._server is not None, "start() the server first"
        return self._server.server_address[1]

    @property
    def domain(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> FakeNominatim:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = self
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.release.set()  # let "slow" handlers finish
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> FakeNominatim:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
