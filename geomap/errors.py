"""Every error geomap raises on purpose, in one place.

Each subclasses :class:`GeomapError` (and the matching builtin where one fits), and its message
says what the user can do next. The CLI maps them to exit codes: usage errors exit 2, failed
inputs exit 1.
"""

from __future__ import annotations

import re


class GeomapError(Exception):
    """Base class of geomap's own errors."""


class DataError(GeomapError, FileNotFoundError):
    """Curated data or the gazetteer index is missing or unreadable (rebuild hint in the message)."""


#: A name that would make ``name:line: reason`` ambiguous: a ``:`` before a digit or a space,
#: control characters, quotes, or spaces at either end.
_AMBIGUOUS = re.compile(r":[\d\s]|[\x00-\x1f\x7f\u2028\u2029'\"]|^\s|\s$")


def quote_name(name: str) -> str:
    """``name`` as it appears before ``: reason``; quoted (Python style) when it could be misread.

    >>> quote_name("news/a.txt"), quote_name("a:5: x.txt")
    ('news/a.txt', "'a:5: x.txt'")
    """
    return repr(name) if _AMBIGUOUS.search(name) else name


def where(source: str | None, line: int | None = None) -> str:
    """``source[:line]`` with the source quoted when it needs it (see :func:`quote_name`)."""
    text = quote_name(source) if source else "<input>"
    return text if line is None else f"{text}:{line}"


class InputError(GeomapError, ValueError):
    """One input (file, line, record) could not be read; ``source`` and ``line`` say where."""

    def __init__(self, message: str, *, source: str | None = None, line: int | None = None):
        self.source = source
        self.line = line
        self.reason = message
        super().__init__(f"{where(source, line)}: {message}")


class UsageError(GeomapError, ValueError):
    """The caller asked for something that cannot work (bad option, unknown region or type)."""


class ConfigurationError(UsageError):
    """A setting is missing or wrong; the message names the setting and how to set it."""


class GeocoderUnavailable(GeomapError, ConnectionError):
    """An online geocoder could not answer (timeout, rate limit, server error)."""


class OutputError(GeomapError, OSError):
    """An output file could not be written; nothing partial is left behind."""
