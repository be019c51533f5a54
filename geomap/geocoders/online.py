"""geopy's online geocoders, made safe for batches: rate limited, cached on disk, with a fallback.

``online_geocoder("nominatim", user_agent="myproject/1.0 (me@example.org)")`` returns a
:class:`CachedGeocoder` with geopy's interface (``geocode`` and ``reverse`` returning
:class:`geopy.location.Location`). Each call

1. looks in a persistent SQLite cache (:mod:`geomap.geocoders.cache`): a hit never touches the
   network, and "no result" answers are remembered too;
2. otherwise asks the service through geopy's :class:`~geopy.extra.rate_limiter.RateLimiter`
   (at least ``min_delay_seconds`` between requests, a few retries on service errors); the
   answer is cached;
3. if the service times out, rate-limits (HTTP 429), fails (5xx) or cannot be reached, warns with
   a :class:`GeocoderFallbackWarning` naming the service, the query and the reason, and returns
   the fallback geocoder's answer instead (by default geomap's offline gazetteer). Failures are
   never cached, and one bad answer never stops a batch.

Every location carries where it came from in ``location.raw["geomap_source"]``: the service name
("nominatim"), ``"cache:nominatim"`` for a cached answer, or ``"offline"`` for the fallback's.

Privacy: only place names (and, for ``reverse``, coordinates) are ever sent to a service; article
text never leaves the machine. Queries longer than :data:`MAX_QUERY_CHARS` characters are not place
names and are never sent: the fallback answers them.
"""

from __future__ import annotations

import datetime
import functools
import inspect
import os
import sqlite3
import threading
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import geopy.exc as gexc
from geopy.adapters import RequestsAdapter, URLLibAdapter
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import SERVICE_TO_GEOCODER, get_geocoder_for_service
from geopy.point import Point

from .._version import __version__
from ..errors import ConfigurationError, GeocoderUnavailable, GeomapError, UsageError
from .cache import MISS, GeocodeCache, cache_key, normalise_query

__all__ = [
    "DEFAULT_MIN_DELAY_SECONDS",
    "MAX_QUERY_CHARS",
    "USER_AGENT_ENV",
    "CachedGeocoder",
    "GeocoderFallbackWarning",
    "available_services",
    "online_geocoder",
]

#: Environment variable read when no ``user_agent`` is passed.
USER_AGENT_ENV = "GEOMAP_USER_AGENT"

#: An example user agent, shown in error messages.
EXAMPLE_USER_AGENT = "myproject/1.0 (me@example.org)"

#: Services whose usage policy requires a user agent that identifies the application.
SERVICES_NEEDING_USER_AGENT = frozenset({"nominatim"})

#: Minimum seconds between two requests, per service. Nominatim's usage policy allows at most one
#: request per second; Photon's public server asks for the same fair use. Other services are
#: keyed commercial APIs with higher quotas: :data:`OTHER_MIN_DELAY_SECONDS` keeps well below them.
DEFAULT_MIN_DELAY_SECONDS: dict[str, float] = {"nominatim": 1.0, "photon": 1.0,
                                               "openmapquest": 1.0, "pickpoint": 1.0}
OTHER_MIN_DELAY_SECONDS = 0.1

#: Longer queries are not place names; they are never sent to a service.
MAX_QUERY_CHARS = 200


_NO_CACHE = object()


class GeocoderFallbackWarning(UserWarning):
    """An online geocoder could not answer; the fallback (offline) answer was used instead."""


def available_services() -> list[str]:
    """Names accepted by :func:`online_geocoder` (geopy's service names)."""
    return sorted(SERVICE_TO_GEOCODER)


def _user_agent_hint(service: str) -> str:
    return (
        f'Set it on the command line with --user-agent "{EXAMPLE_USER_AGENT}", or in the '
        f'environment with {USER_AGENT_ENV}="{EXAMPLE_USER_AGENT}", or in Python with '
        f'get_geocoder("{service}", user_agent="{EXAMPLE_USER_AGENT}"): name your project and '
        "give a contact address.")


def _adapter_without_retries() -> Callable[..., Any]:
    """geopy's HTTP adapter with the transport's own retries turned off.

    geopy's RequestsAdapter asks urllib3 for 2 retries, which also retries read timeouts and
    sleeps through a 429's Retry-After, out of sight of the rate limiter and the fallback. Here
    retries happen in one place only, geopy's RateLimiter, so a batch never stalls unseen.
    """
    if RequestsAdapter.is_available:
        return functools.partial(RequestsAdapter, max_retries=0)
    return URLLibAdapter


def _accepted_kwargs(func: Callable[..., Any], kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """The subset of ``kwargs`` that ``func`` accepts (all of them if it takes ``**kwargs``)."""
    try:
        params = inspect.signature(func).parameters
    except (TypeError, ValueError):  # pragma: no cover - builtins without a signature
        return dict(kwargs)
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return dict(kwargs)
    return {k: v for k, v in kwargs.items() if k in params}


def _reason(exc: BaseException) -> str:
    """A short human reason for a failed request."""
    text = str(exc).strip()
    if isinstance(exc, gexc.GeocoderRateLimited):
        kind = "rate limited (HTTP 429)"
        if exc.retry_after:
            kind += f", retry after {exc.retry_after} s"
    elif isinstance(exc, gexc.GeocoderQuotaExceeded):
        kind = "quota exceeded"
    elif isinstance(exc, gexc.GeocoderTimedOut):
        kind = "timed out"
    elif isinstance(exc, gexc.GeocoderUnavailable):
        kind = "service unavailable"
    elif isinstance(exc, (gexc.GeocoderAuthenticationFailure,
                          gexc.GeocoderInsufficientPrivileges)):
        kind = "refused (check the API key or user agent)"
    elif isinstance(exc, gexc.GeocoderQueryError):
        kind = "query rejected"
    elif isinstance(exc, gexc.GeocoderParseError):
        kind = "unreadable answer"
    elif isinstance(exc, gexc.GeocoderServiceError):
        kind = "service error"
    else:
        kind = "connection error"
    return f"{kind}: {text}" if text and text.lower() not in kind.lower() else kind


def _tag(answer: Any, source: str, *, overwrite: bool = True) -> Any:
    """Record in each location's ``raw["geomap_source"]`` which service answered."""
    locations = answer if isinstance(answer, list) else [answer]
    for loc in locations:
        raw = getattr(loc, "raw", None)
        if isinstance(raw, dict):
            if overwrite:
                raw["geomap_source"] = source
            else:
                raw.setdefault("geomap_source", source)
    return answer


class CachedGeocoder:
    """A geopy geocoder behind a cache, a rate limiter and a fallback; geopy's interface.

    Usually made by :func:`online_geocoder`. ``geocoder`` is a geopy geocoder instance;
    ``service`` its name (used in cache keys, warnings and ``raw["geomap_source"]``);
    ``cache`` a :class:`~geomap.geocoders.cache.GeocodeCache` or ``None`` for no cache.
    ``fallback`` is any object with geopy's ``geocode``/``reverse``; ``None`` means geomap's
    :class:`~geomap.geocoders.offline.OfflineGeocoder`, created on first need; ``False`` means no
    fallback (a failed request then raises :class:`geomap.errors.GeocoderUnavailable`).

    Requests go through geopy's :class:`~geopy.extra.rate_limiter.RateLimiter`, shared by
    ``geocode`` and ``reverse``: at least ``min_delay_seconds`` between requests and up to
    ``max_retries`` retries, ``error_wait_seconds`` apart, on service errors. After
    ``max_consecutive_failures`` failed queries in a row (``None``: never) the service is taken as
    down: later queries go straight to the cache and the fallback, and a warning says so once.
    ``clock`` and ``sleep`` replace the rate limiter's ``timeit.default_timer`` and
    ``time.sleep`` (for tests).

    Only place names and coordinates are sent to the service, never article text.
    """

    def __init__(
        self,
        geocoder: Any,
        *,
        service: str,
        cache: GeocodeCache | None = None,
        fallback: Any = None,
        min_delay_seconds: float = 0.0,
        max_retries: int = 2,
        error_wait_seconds: float = 5.0,
        max_consecutive_failures: int | None = 5,
        cache_namespace: str | None = None,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        if min_delay_seconds < 0:
            raise UsageError(f"min_delay_seconds must be 0 or more, not {min_delay_seconds!r}")
        if max_retries < 0:
            raise UsageError(f"max_retries must be 0 or more, not {max_retries!r}")
        self.geocoder = geocoder
        self.service = service
        self.cache = cache
        self.cache_namespace = cache_namespace or service
        self.min_delay_seconds = float(min_delay_seconds)
        self.max_consecutive_failures = max_consecutive_failures
        self._fallback = fallback
        self._lock = threading.Lock()
        self._consecutive_failures = 0
        self._service_down = False
        self.rate_limiter = RateLimiter(
            self._request,
            min_delay_seconds=self.min_delay_seconds,
            max_retries=max_retries,
            error_wait_seconds=max(float(error_wait_seconds), self.min_delay_seconds),
            swallow_exceptions=False,
        )
        if clock is not None:
            self.rate_limiter._clock = clock  # type: ignore[method-assign]
        if sleep is not None:
            self.rate_limiter._sleep = sleep  # type: ignore[method-assign]

    def __repr__(self) -> str:
        return (f"CachedGeocoder(service={self.service!r}, "
                f"min_delay_seconds={self.min_delay_seconds!r}, cache={self.cache!r})")

    # -- geopy's interface ------------------------------------------------------------------

    def geocode(self, query: str | Mapping[str, Any], exactly_one: bool = True, **kwargs: Any):
        """Geocode a place name (or a structured query) like geopy's ``geocode``.

        Returns a :class:`geopy.location.Location`, a list of them (``exactly_one=False``) or
        ``None``. Only the place name is sent to the service. Keyword arguments go to the geopy
        client (and to the fallback when it accepts them).
        """
        if isinstance(query, str):
            if not query.strip():
                return None
        elif not isinstance(query, Mapping):
            raise UsageError(f"geocode needs a place name or a mapping, not {type(query).__name__}")
        return self._lookup("geocode", query, exactly_one, kwargs)

    def reverse(self, query: Any, exactly_one: bool = True, **kwargs: Any):
        """Find the place at a point (``(lat, lon)``, ``"lat, lon"`` or a geopy Point).

        Returns a :class:`geopy.location.Location`, a list of them or ``None``; only the
        coordinates are sent.
        """
        try:
            Point(query)
        except (TypeError, ValueError) as exc:
            raise UsageError(
                f"reverse needs a point as (lat, lon) or 'lat, lon', not {query!r}") from exc
        return self._lookup("reverse", query, exactly_one, kwargs)

    # -- the work ---------------------------------------------------------------------------

    def _lookup(self, method: str, query: Any, exactly_one: bool, kwargs: dict[str, Any]):
        key_kwargs = {"exactly_one": bool(exactly_one), **kwargs}
        key = cache_key(self.cache_namespace, method, query, key_kwargs)
        cached = self._cache_call("get", key)
        if cached is not MISS and cached is not _NO_CACHE:
            return _tag(cached, f"cache:{self.service}")

        if method == "geocode" and len(normalise_query(method, query)) > MAX_QUERY_CHARS:
            return self._fall_back(method, query, exactly_one, kwargs,
                                   f"not sent: longer than {MAX_QUERY_CHARS} characters, "
                                   "so not a place name")
        if self._service_down:
            return self._fall_back(method, query, exactly_one, kwargs, None)

        try:
            answer = self.rate_limiter(method, query, exactly_one=exactly_one, **kwargs)
        except (gexc.GeocoderServiceError, OSError) as exc:
            reason = _reason(exc)
            self._record_failure()
            return self._fall_back(method, query, exactly_one, kwargs, reason, cause=exc)

        with self._lock:
            self._consecutive_failures = 0
        self._cache_call("set", key, answer, service=self.cache_namespace, method=method,
                         query=normalise_query(method, query))
        return _tag(answer, self.service)

    def _cache_call(self, op: str, *args: Any, **kwargs: Any) -> Any:
        """``cache.get``/``cache.set``; a broken cache warns and is skipped, never fatal."""
        if self.cache is None:
            return _NO_CACHE
        try:
            return getattr(self.cache, op)(*args, **kwargs)
        except (sqlite3.Error, GeomapError) as exc:
            warnings.warn(f"the geocoder cache {self.cache.path} failed ({exc}); "
                          "going on without it for this query.", GeocoderFallbackWarning,
                          stacklevel=4)
            return _NO_CACHE

    def _request(self, method: str, query: Any, **kwargs: Any):
        """One request to the service (what the rate limiter calls)."""
        return getattr(self.geocoder, method)(query, **kwargs)

    def _record_failure(self) -> None:
        with self._lock:
            self._consecutive_failures += 1
            limit = self.max_consecutive_failures
            newly_down = (limit is not None and not self._service_down
                          and self._consecutive_failures >= limit)
            if newly_down:
                self._service_down = True
        if newly_down:
            warnings.warn(
                f"{self.service} failed {self._consecutive_failures} times in a row; the rest "
                "of this run uses cached and offline answers only.",
                GeocoderFallbackWarning, stacklevel=4)

    @property
    def service_down(self) -> bool:
        """True once the service failed ``max_consecutive_failures`` times in a row."""
        return self._service_down

    def reset(self) -> None:
        """Forget past failures: the service is asked again."""
        with self._lock:
            self._consecutive_failures = 0
            self._service_down = False

    @property
    def fallback(self) -> Any:
        """The fallback geocoder (geomap's offline one unless another was given)."""
        if self._fallback is None:
            with self._lock:
                if self._fallback is None:
                    from .offline import OfflineGeocoder

                    self._fallback = OfflineGeocoder()
        return None if self._fallback is False else self._fallback

    def _fall_back(self, method: str, query: Any, exactly_one: bool, kwargs: dict[str, Any],
                   reason: str | None, *, cause: BaseException | None = None):
        what = f"{method} {query!r}" if method == "reverse" else repr(query)
        if self._fallback is False:
            raise GeocoderUnavailable(
                f"{self.service} could not answer {what} "
                f"({reason or 'the service is down for this run'}). Try again later, or use "
                "the offline geocoder.") from cause
        fallback = self.fallback
        if reason is not None:
            warnings.warn(
                f"{self.service} could not answer {what} ({reason}); "
                "using the offline answer instead.",
                GeocoderFallbackWarning, stacklevel=4)
        func = getattr(fallback, method)
        answer = func(query, exactly_one=exactly_one, **_accepted_kwargs(func, kwargs))
        source = getattr(fallback, "service", None) or "offline"
        return _tag(answer, source, overwrite=False)

    # -- resources --------------------------------------------------------------------------

    def close(self) -> None:
        """Close the cache file and the client's HTTP session."""
        if self.cache is not None:
            self.cache.close()
        adapter = getattr(self.geocoder, "adapter", None)
        if adapter is not None and hasattr(adapter, "__exit__"):
            adapter.__exit__(None, None, None)

    def __enter__(self) -> CachedGeocoder:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def online_geocoder(
    name: str,
    *,
    user_agent: str | None = None,
    fallback: Any = None,
    cache_path: str | os.PathLike[str] | None | bool = None,
    cache_expire_after: float | datetime.timedelta | None = None,
    min_delay_seconds: float | None = None,
    timeout: float = 10,
    domain: str | None = None,
    scheme: str | None = None,
    max_retries: int = 2,
    error_wait_seconds: float = 5.0,
    max_consecutive_failures: int | None = 5,
    **geopy_kwargs: Any,
) -> CachedGeocoder:
    """An online geocoder by geopy's service name, wrapped in a :class:`CachedGeocoder`.

    ``name`` is one of :func:`available_services` ("nominatim", "photon", "arcgis", ...).
    ``user_agent`` defaults to ``$GEOMAP_USER_AGENT``; Nominatim requires one that names your
    project and a contact (its usage policy), other services get ``geomap/<version>``.
    ``fallback``: see :class:`CachedGeocoder` (default: the offline gazetteer).
    ``cache_path``: the SQLite cache file; ``None`` for ``cache_dir()/geocode-cache.sqlite``,
    ``False`` for no cache. ``cache_expire_after``: seconds after which cached answers are asked
    again (``None``: never). ``min_delay_seconds`` defaults per service
    (:data:`DEFAULT_MIN_DELAY_SECONDS`; 1 s for Nominatim). ``timeout`` (seconds per request),
    ``domain`` and ``scheme`` (e.g. a self-hosted Nominatim) and ``geopy_kwargs`` (``api_key``,
    ...) go to the geopy client.

    Only place names and coordinates are ever sent; article text never leaves the machine.

    Raises :class:`~geomap.errors.UsageError` for an unknown service and
    :class:`~geomap.errors.ConfigurationError` for a missing user agent or API key.
    """
    service = str(name).strip().lower()
    try:
        cls = get_geocoder_for_service(service)
    except gexc.GeocoderNotFound:
        raise UsageError(
            f"unknown geocoder {name!r}. Use \"offline\" (the default, no network) or one of "
            f"geopy's services: {', '.join(available_services())}.") from None

    agent = user_agent or os.environ.get(USER_AGENT_ENV) or None
    if agent is not None and not agent.strip():
        agent = None
    if agent is None:
        if service in SERVICES_NEEDING_USER_AGENT:
            raise ConfigurationError(
                f"{service} needs a user agent that identifies your project (its usage policy "
                f"forbids anonymous and sample ones). {_user_agent_hint(service)}")
        agent = f"geomap/{__version__}"

    options: dict[str, Any] = {"user_agent": agent, "timeout": timeout, **geopy_kwargs}
    options.setdefault("adapter_factory", _adapter_without_retries())
    if domain is not None:
        options["domain"] = domain
    if scheme is not None:
        options["scheme"] = scheme
    params = inspect.signature(cls).parameters
    unknown = sorted(k for k in options if k not in params)
    if unknown:
        raise UsageError(
            f"geopy's {cls.__name__} does not take {', '.join(unknown)}; it takes "
            f"{', '.join(p for p in params if p != 'self')}.")
    try:
        geocoder = cls(**options)
    except gexc.ConfigurationError as exc:
        hint = _user_agent_hint(service) if "user_agent" in str(exc) else (
            "Pass the missing setting, e.g. api_key=..., to get_geocoder.")
        raise ConfigurationError(f"{service} is not configured: {exc} {hint}") from exc
    except TypeError as exc:
        raise ConfigurationError(
            f"{service} is not configured: {exc}. Pass the setting it names "
            f"(e.g. api_key=...) to get_geocoder(\"{service}\", ...).") from exc

    if cache_path is False:
        cache = None
    elif cache_path is None or cache_path is True:
        cache = GeocodeCache(expire_after=cache_expire_after)
    else:
        cache = GeocodeCache(Path(cache_path), expire_after=cache_expire_after)

    if min_delay_seconds is None:
        min_delay_seconds = DEFAULT_MIN_DELAY_SECONDS.get(service, OTHER_MIN_DELAY_SECONDS)
    namespace = service if domain is None else f"{service}@{domain}"
    return CachedGeocoder(
        geocoder,
        service=service,
        cache=cache,
        fallback=fallback,
        min_delay_seconds=min_delay_seconds,
        max_retries=max_retries,
        error_wait_seconds=error_wait_seconds,
        max_consecutive_failures=max_consecutive_failures,
        cache_namespace=namespace,
    )
