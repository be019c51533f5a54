"""The csv module's field size limit, raised only while geomap's own reader runs.

``csv.field_size_limit`` is one setting for the whole process (128 KB by default): a library
that raises it for its own files changes every other csv reader of its host. geomap raises it
around each read and puts back what it found, so between two rows (a generator suspended in
the caller's loop) and after a run the host's setting holds.
"""

from __future__ import annotations

import contextlib
import csv
from collections.abc import Iterator

#: The largest limit the csv module takes on every platform (a C long on Windows).
ANY_SIZE = 2**31 - 1


@contextlib.contextmanager
def field_limit(size: int = ANY_SIZE) -> Iterator[None]:
    """Let csv read fields of up to ``size`` characters (never lower than the limit found),
    then restore the limit found.

    >>> before = csv.field_size_limit()
    >>> with field_limit(10**6):
    ...     csv.field_size_limit() >= 10**6
    True
    >>> csv.field_size_limit() == before
    True
    """
    previous = csv.field_size_limit()
    csv.field_size_limit(min(max(previous, size), ANY_SIZE))
    try:
        yield
    finally:
        csv.field_size_limit(previous)
