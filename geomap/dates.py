"""Publication dates as feeds and files write them, read into ``(date, precision)``.

One home for every absolute date geomap reads: article headers and front matter, JSONL/CSV
record fields, HTML meta tags, the CLI's ``--date``. Impossible dates ("2025-02-30") raise
:class:`~geomap.errors.InputError` with a hint of the expected form.
"""

from __future__ import annotations

import datetime as _dt
import email.utils
import re

from .errors import InputError

__all__ = ["DATE_HINT", "bad_date", "parse_date"]


_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH_RE = "(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_WEEKDAY_RE = r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?"
_TIME_TAIL_RE = r"(?:[T\s]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?)?"

_ISO_DAY = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})" + _TIME_TAIL_RE, re.I)
_COMPACT_DAY = re.compile(r"(\d{4})(\d{2})(\d{2})")
_ISO_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_DMY_DOTS = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})" + _TIME_TAIL_RE, re.I)
_DAY_MONTH_YEAR = re.compile(_WEEKDAY_RE + r"(\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH_RE + r",?\s+(\d{4})" + _TIME_TAIL_RE, re.I)
_MONTH_DAY_YEAR = re.compile(_WEEKDAY_RE + _MONTH_RE + r"\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})" + _TIME_TAIL_RE, re.I)
_MONTH_YEAR = re.compile(_MONTH_RE + r",?\s+(\d{4})", re.I)

DATE_HINT = "write it as YYYY-MM-DD, e.g. 2025-11-29"


def bad_date(value: object, why: str | None = None) -> InputError:
    detail = f" ({why})" if why else ""
    return InputError(f"unparseable date {str(value)!r}{detail}; {DATE_HINT}")


def _make_date(value: object, year: int, month: int, day: int) -> _dt.date:
    try:
        return _dt.date(year, month, day)
    except ValueError as exc:
        raise bad_date(value, str(exc)) from None


def parse_date(value: str | _dt.date | _dt.datetime) -> tuple[_dt.date, int]:
    """Parse a publication date; return ``(date, precision)`` with ACLED precision (1 day, 3 month).

    Accepts ISO dates and date-times ("2025-11-29", "2025-11-29T10:00:00Z", "2025-11-29 12:24:52-05"),
    "2025/11/29", "20251129", "29.11.2025", months ("2025-11", "November 2025"), RFC 2822
    ("Sat, 29 Nov 2025 10:00:00 +0000") and English dates ("29 November 2025", "Nov 29, 2025").
    Raises :class:`InputError` ("unparseable date ...") for anything else, including impossible
    dates such as 2025-02-30.
    """
    if isinstance(value, _dt.datetime):
        return value.date(), 1
    if isinstance(value, _dt.date):
        return value, 1
    if not isinstance(value, str):
        raise bad_date(value, f"a {type(value).__name__}, not text")
    text = " ".join(value.split())
    if not text:
        raise bad_date(value, "empty")
    if m := _ISO_DAY.fullmatch(text):
        return _make_date(value, int(m[1]), int(m[2]), int(m[3])), 1
    if m := _COMPACT_DAY.fullmatch(text):
        return _make_date(value, int(m[1]), int(m[2]), int(m[3])), 1
    if m := _ISO_MONTH.fullmatch(text):
        return _make_date(value, int(m[1]), int(m[2]), 1), 3
    if m := _DMY_DOTS.fullmatch(text):
        return _make_date(value, int(m[3]), int(m[2]), int(m[1])), 1
    if m := _DAY_MONTH_YEAR.fullmatch(text):
        return _make_date(value, int(m[3]), _MONTHS[m[2].lower()], int(m[1])), 1
    if m := _MONTH_DAY_YEAR.fullmatch(text):
        return _make_date(value, int(m[3]), _MONTHS[m[1].lower()], int(m[2])), 1
    if m := _MONTH_YEAR.fullmatch(text):
        return _make_date(value, int(m[2]), _MONTHS[m[1].lower()], 1), 3
    try:
        parsed = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        parsed = None
    if parsed is not None:
        return parsed.date(), 1
    try:
        return _dt.datetime.fromisoformat(text).date(), 1
    except ValueError:
        pass
    raise bad_date(value)
