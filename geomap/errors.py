"""Every error geomap raises on purpose, in one place.

Each subclasses :class:`GeomapError` (and the matching builtin where one fits), and its message
says what the user can do next. The CLI maps them to exit codes: usage errors exit 2, failed
inputs exit 1.
"""

from __future__ import annotations


class GeomapError(Exception):
    """Base class of geomap's own errors."""


class DataError(GeomapError, FileNotFoundError):
    """Curated data or the gazetteer index is missing or unreadable (rebuild hint in the message)."""


class InputError(GeomapError, ValueError):
    """One input (file, line, record) could not be read; ``source`` and ``line`` say where."""

    def __init__(self, message: str, *, source: str | None = None, line: int | None = None):
        self.source = source
        self.line = line
        self.reason = message
        where = source or "<input>"
        if line is not None:
            where = f"{where}:{line}"
        super().__init__(f"{where}: {message}")


class UsageError(GeomapError, ValueError):
    """The caller asked for something that cannot work (bad option, unknown region or type)."""


class ConfigurationError(UsageError):
    """A setting is missing or wrong; the message names the setting and how to set it."""


class GeocoderUnavailable(GeomapError, ConnectionError):
    """An online geocoder could not answer (timeout, rate limit, server error)."""


class OutputError(GeomapError, OSError):
    """An output file could not be written; nothing partial is left behind."""
