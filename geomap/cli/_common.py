"""Helpers shared by CLI commands: error reporting and exit codes."""

from __future__ import annotations

import click

from ..errors import GeomapError, UsageError

EXIT_OK = 0
EXIT_INPUT_FAILED = 1
EXIT_USAGE = 2


def fail(exc: GeomapError) -> click.ClickException:
    """Turn a geomap error into a click error with the right exit code."""
    err = click.UsageError(str(exc)) if isinstance(exc, UsageError) else click.ClickException(str(exc))
    if not isinstance(exc, UsageError):
        err.exit_code = EXIT_INPUT_FAILED
    return err


def geocoder_options(func):
    """``--geocoder``, ``--user-agent`` and ``--geocoder-url``: the same for every command."""
    func = click.option(
        "--geocoder-url", metavar="URL", default=None,
        help="the service's address, e.g. a self-hosted Nominatim (http://localhost:8080).")(func)
    func = click.option(
        "--user-agent", envvar="GEOMAP_USER_AGENT",
        help="identify yourself to online services (Nominatim requires it); or set GEOMAP_USER_AGENT.")(func)
    return click.option(
        "--geocoder", "geocoder_name", default="offline", show_default=True,
        help="offline (the bundled gazetteer, no network) or a geopy service: nominatim, photon, "
             "arcgis, ... (cached, rate limited; the offline answer with a warning when it fails).")(func)


def make_geocoder(name: str, user_agent: str | None = None, url: str | None = None):
    """The geocoder the options name (a usage or configuration error when they do not fit)."""
    from urllib.parse import urlsplit

    from ..geocoders import get_geocoder

    if name == "offline":
        if url:
            raise UsageError("--geocoder-url needs an online --geocoder (e.g. nominatim)")
        return get_geocoder("offline")
    options: dict[str, str | None] = {"user_agent": user_agent}
    if url:
        parts = urlsplit(url if "//" in url else f"https://{url}")
        options["domain"] = (parts.netloc + parts.path).rstrip("/")
        options["scheme"] = parts.scheme
    return get_geocoder(name, **options)
