"""A persistent SQLite cache of online geocoder answers, shared safely between processes.

Each answer is stored under a key made of the service, the method (``geocode`` or ``reverse``),
the normalised query and the sorted keyword arguments, so "Chisinau", " chisinau " and
"CHISINAU" share one entry while ``language="ru"`` gets its own. The value is the geopy
:class:`~geopy.location.Location` (its address, point and the service's raw JSON), a list of them,
or ``None`` for "the service found nothing": a "no result" answer is worth remembering too.

The file is in WAL mode with a busy timeout, so several processes (``geomap`` runs in parallel, a
process pool) can read and write it at once; each write is one short transaction. Entries may
expire (``expire_after``); expired ones count as misses and are replaced on the next write.

Only place names and coordinates are stored: article text never reaches this file.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import sqlite3
import threading
import time
import unicodedata
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from geopy.location import Location
from geopy.point import Point

from .._paths import cache_dir
from ..errors import DataError

__all__ = ["DEFAULT_CACHE_NAME", "MISS", "GeocodeCache", "cache_key", "default_cache_path",
           "normalise_query"]

#: File name of the cache inside :func:`geomap._paths.cache_dir`.
DEFAULT_CACHE_NAME = "geocode-cache.sqlite"

#: Schema version kept in ``PRAGMA user_version``; a file with another version is rebuilt.
SCHEMA_VERSION = 1

#: Keyword arguments that change how a request is made, not what it answers.
_IGNORED_KWARGS = frozenset({"timeout"})

_SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    key      TEXT PRIMARY KEY,
    service  TEXT NOT NULL,
    method   TEXT NOT NULL,
    query    TEXT NOT NULL,
    value    TEXT NOT NULL,
    created  REAL NOT NULL
) WITHOUT ROWID
"""


#: Connections inherited through ``fork``: kept alive, never touched.
_INHERITED_CONNECTIONS: list[sqlite3.Connection] = []


class _Miss:
    """The sentinel :meth:`GeocodeCache.get` returns when nothing (fresh) is stored."""

    _instance: _Miss | None = None

    def __new__(cls) -> _Miss:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISS"

    def __bool__(self) -> bool:
        return False


#: Returned by :meth:`GeocodeCache.get` on a miss (``None`` is a valid cached answer).
MISS = _Miss()


def default_cache_path() -> Path:
    """``cache_dir()/geocode-cache.sqlite`` (``GEOMAP_CACHE_DIR`` or ``~/.cache/geomap``)."""
    return cache_dir() / DEFAULT_CACHE_NAME


def _normalise_text(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def normalise_query(method: str, query: Any) -> str:
    """The query as it appears in a cache key.

    A place name is NFC-normalised, case-folded and has its white space collapsed; a structured
    query (a mapping) becomes sorted ``field=value`` pairs; a reverse query (a point, a
    ``(lat, lon)`` pair or a ``"lat, lon"`` string) becomes ``lat,lon`` with 7 decimals (about 1 cm).
    """
    if method == "reverse":
        point = query if isinstance(query, Point) else Point(query)
        return f"{point.latitude:.7f},{point.longitude:.7f}"
    if isinstance(query, Mapping):
        return "&".join(f"{_normalise_text(str(k))}={_normalise_text(str(v))}"
                        for k, v in sorted(query.items(), key=lambda kv: str(kv[0])))
    return _normalise_text(str(query))


def cache_key(service: str, method: str, query: Any, kwargs: Mapping[str, Any] | None = None) -> str:
    """The cache key: service, method, normalised query and the sorted keyword arguments.

    ``timeout`` is left out: it changes how long the client waits, not the answer.
    """
    kw = {k: v for k, v in (kwargs or {}).items() if k not in _IGNORED_KWARGS}
    kw_text = json.dumps(kw, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))
    return "\x1f".join((service, method, normalise_query(method, query), kw_text))


def _strip_source(raw: Any) -> Any:
    if isinstance(raw, dict) and "geomap_source" in raw:
        raw = {k: v for k, v in raw.items() if k != "geomap_source"}
    return raw


def _location_to_json(location: Location) -> dict[str, Any]:
    point = location.point
    return {
        "address": location.address,
        "point": [point.latitude, point.longitude, point.altitude],
        "raw": _strip_source(location.raw),
    }


def _location_from_json(data: Mapping[str, Any]) -> Location:
    raw = data.get("raw")
    if isinstance(raw, dict):
        raw = dict(raw)
    return Location(data.get("address"), Point(*data["point"]), raw)


def encode_answer(answer: Location | list[Location] | None) -> str:
    """JSON text of an answer: ``null``, one location or a list of them."""
    if answer is None:
        body: Any = None
    elif isinstance(answer, Location):
        body = _location_to_json(answer)
    else:
        body = [_location_to_json(loc) for loc in answer]
    return json.dumps({"v": SCHEMA_VERSION, "answer": body}, ensure_ascii=False,
                      separators=(",", ":"), default=str)


def decode_answer(text: str) -> Location | list[Location] | None:
    """The inverse of :func:`encode_answer` (fresh objects on every call)."""
    body = json.loads(text)["answer"]
    if body is None:
        return None
    if isinstance(body, list):
        return [_location_from_json(item) for item in body]
    return _location_from_json(body)


def _seconds(expire_after: float | _dt.timedelta | None) -> float | None:
    if expire_after is None:
        return None
    if isinstance(expire_after, _dt.timedelta):
        return expire_after.total_seconds()
    return float(expire_after)


class GeocodeCache:
    """A persistent cache of geocoder answers in one SQLite file.

    ``path`` defaults to :func:`default_cache_path`. ``expire_after`` (seconds or a timedelta)
    makes older entries count as misses; ``None`` keeps them for ever. ``clock`` returns the
    current time in seconds since the epoch (tests pass a fake one).

    The object is thread-safe, survives ``fork`` (a child process opens its own connection) and
    many processes may use the same file at once.
    """

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        expire_after: float | _dt.timedelta | None = None,
        busy_timeout: float = 30.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.path = Path(path) if path is not None else default_cache_path()
        self.expire_after = _seconds(expire_after)
        self.busy_timeout = busy_timeout
        self._clock = clock
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._pid: int | None = None
        with self._lock:
            self._connection()  # fail early, with a clear message, on an unusable file

    # -- connection -------------------------------------------------------------------------

    def _connection(self) -> sqlite3.Connection:
        """The open connection of this process (call with ``self._lock`` held)."""
        if self._conn is not None and self._pid == os.getpid():
            return self._conn
        if self._conn is not None:
            # After fork the parent's connection must be neither used nor closed by the child
            # (SQLite forbids both); keep it referenced so it is never finalised here.
            _INHERITED_CONNECTIONS.append(self._conn)
        self._conn = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=self.busy_timeout, isolation_level=None,
                                   check_same_thread=False)
        except (OSError, sqlite3.Error) as exc:
            raise DataError(
                f"cannot open the geocoder cache {self.path}: {exc}. Check that the folder is "
                "writable, or point GEOMAP_CACHE_DIR at another folder.") from exc
        try:
            self._set_up(conn)
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise DataError(
                f"the geocoder cache {self.path} is unreadable ({exc}). It only holds answers "
                "that can be fetched again: delete the file and run again.") from exc
        self._conn = conn
        self._pid = os.getpid()
        return conn

    def _set_up(self, conn: sqlite3.Connection) -> None:
        conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
        # Switching to WAL needs a moment of exclusive access; when another process is doing
        # the same, SQLite may answer "locked" without waiting, so try again for a while.
        deadline = time.monotonic() + self.busy_timeout
        while True:
            try:
                mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                break
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.01)
        if str(mode).lower() != "wal":  # pragma: no cover - e.g. a file system without mmap
            conn.execute("PRAGMA journal_mode = DELETE")
        conn.execute("PRAGMA synchronous = NORMAL")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version not in (0, SCHEMA_VERSION):
            conn.execute("BEGIN IMMEDIATE")
            try:
                if conn.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
                    conn.execute("DROP TABLE IF EXISTS answers")
                    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                conn.execute(_SCHEMA)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        else:
            conn.execute(_SCHEMA)
            if version == 0:
                conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def close(self) -> None:
        """Close this process's connection (the object reopens it if used again)."""
        with self._lock:
            if self._conn is not None and self._pid == os.getpid():
                self._conn.close()
            self._conn = None

    def __enter__(self) -> GeocodeCache:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # pragma: no cover - interpreter shutdown
            pass

    def __repr__(self) -> str:
        return f"GeocodeCache({str(self.path)!r}, expire_after={self.expire_after!r})"

    # -- reading and writing ----------------------------------------------------------------

    def get(self, key: str) -> Location | list[Location] | None | _Miss:
        """The stored answer for ``key`` (``None`` = "no result"), or :data:`MISS`."""
        with self._lock:
            row = self._connection().execute(
                "SELECT value, created FROM answers WHERE key = ?", (key,)).fetchone()
        if row is None:
            return MISS
        value, created = row
        if self.expire_after is not None and self._clock() - created > self.expire_after:
            return MISS
        try:
            return decode_answer(value)
        except (ValueError, KeyError, TypeError):
            return MISS  # an entry written by an incompatible version: ask again

    def set(self, key: str, answer: Location | list[Location] | None, *, service: str = "",
            method: str = "", query: str = "") -> None:
        """Store ``answer`` under ``key`` (replacing what was there)."""
        value = encode_answer(answer)
        with self._lock:
            self._connection().execute(
                "INSERT OR REPLACE INTO answers (key, service, method, query, value, created) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (key, service, method, query, value, self._clock()))

    def __len__(self) -> int:
        with self._lock:
            return self._connection().execute("SELECT count(*) FROM answers").fetchone()[0]

    def clear(self, service: str | None = None) -> int:
        """Remove every entry (or those of one service); returns how many were removed."""
        with self._lock:
            conn = self._connection()
            if service is None:
                cur = conn.execute("DELETE FROM answers")
            else:
                cur = conn.execute("DELETE FROM answers WHERE service = ?", (service,))
            return cur.rowcount

    def purge_expired(self) -> int:
        """Delete expired entries; returns how many were removed (0 without ``expire_after``)."""
        if self.expire_after is None:
            return 0
        with self._lock:
            cur = self._connection().execute(
                "DELETE FROM answers WHERE created < ?", (self._clock() - self.expire_after,))
            return cur.rowcount
