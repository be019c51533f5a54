"""Absolute dates as feeds, files and people write them: one home for every date geomap reads.

Article headers and front matter, JSONL/CSV record fields, HTML meta tags, the CLI's ``--date``
and ``--since``/``--until``, and the absolute dates inside article text ("November 29") all go
through here. :func:`read_date` gives the day as written, its precision (ACLED: 1 day, 3 month)
and, when a time is given, the moment (time-zone aware when a zone is given: ``EST``, ``ET``,
``+0300``, ``Z``, ...). ISO 8601 goes through the standard library's ``fromisoformat``; every
other form through python-dateutil's parser, chosen over dateparser by ``python -m bench dates``:
both read all 14 feed styles to the right day (with the cleaning and zone table here), but
dateparser reads about 100 times fewer dates per second, takes about a second to its first
date, and reads "2025-13-01" or "yesterday" as some day instead of refusing them. Impossible dates ("2025-02-30") raise :class:`~geomap.errors.InputError`
with the reason and a hint of the expected form.

>>> read_date("Wed Nov 23, 2016 | 4:58pm EST").moment.isoformat()
'2016-11-23T16:58:00-05:00'
>>> parse_date("23.11.2016")
(datetime.date(2016, 11, 23), 1)
>>> parse_date("November 2016")
(datetime.date(2016, 11, 1), 3)
"""

from __future__ import annotations

import datetime as _dt
import functools
import re
from dataclasses import dataclass
from typing import Any

from .errors import InputError, UsageError

__all__ = ["DATE_HINT", "MONTHS", "ReadDate", "bad_date", "filter_date", "make_date", "parse_date", "read_date"]

#: English month names and abbreviations -> month number (the one table of them).
MONTHS: dict[str, int] = {
    name: number
    for number, names in enumerate(
        [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
         ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
         ("october", "oct"), ("november", "nov"), ("december", "dec")],
        start=1,
    )
    for name in names
}

DATE_HINT = "write it as YYYY-MM-DD, e.g. 2025-11-29"

#: Zone abbreviations that news feeds print (dateutil knows only UTC/GMT/Z by itself). Fixed
#: offsets for the explicit standard/daylight names; the bare US names (ET, CT, MT, PT) follow
#: the zone's rule on that day. Ambiguous ones (IST, CST outside the US sense) are left out.
_FIXED_ZONES = {
    "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
    "AKST": -9, "AKDT": -8, "HST": -10, "AST": -4, "ADT": -3, "NST": -3.5, "NDT": -2.5,
    "WET": 0, "WEST": 1, "BST": 1, "CET": 1, "CEST": 2, "EET": 2, "EEST": 3, "MSK": 3,
    "TRT": 3, "GST": 4, "PKT": 5, "HKT": 8, "SGT": 8, "JST": 9, "KST": 9,
    "AEST": 10, "AEDT": 11, "NZST": 12, "NZDT": 13,
}
_NAMED_ZONES = {"ET": "America/New_York", "CT": "America/Chicago", "MT": "America/Denver",
                "PT": "America/Los_Angeles"}

_ISO_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_NUMERIC_DAY = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\b")
_DAY_FIRST = re.compile(r"\d{1,2}\.\d{1,2}\.\d{2,4}\b")  # 23.11.2016: European order
_TRAILING_ZONE = re.compile(r"[\s,]+\(?([A-Z]{1,5})\)?$")
_NOISE = re.compile(r"\s*[|•·]\s*|\s+at\s+|\s+@\s+", re.I)  # "Nov 23, 2016 | 4:58pm", "... at 10:00"
#: Two defaults that no real date has, to tell which fields a text leaves out.
_DEFAULTS = (_dt.datetime(1, 1, 1), _dt.datetime(2, 2, 2))


@dataclass(frozen=True, slots=True)
class ReadDate:
    """A date as read: the day as written, its precision, and the moment when a time is given.

    ``moment`` is time-zone aware when the text names a zone or an offset, naive when it gives
    a time but no zone, and ``None`` for a bare day or month.
    """

    date: _dt.date
    precision: int
    moment: _dt.datetime | None = None


def bad_date(value: object, why: str | None = None) -> InputError:
    """The error for a date that cannot be read (``why`` says what is wrong with it)."""
    detail = f" ({why})" if why else ""
    return InputError(f"unparseable date {str(value)!r}{detail}; {DATE_HINT}")


def make_date(value: object, year: int, month: int, day: int) -> _dt.date:
    """``date(year, month, day)``, or :func:`bad_date` naming ``value`` when there is no such day."""
    try:
        return _dt.date(year, month, day)
    except ValueError as exc:
        raise bad_date(value, str(exc)) from None


def parse_date(value: str | _dt.date | _dt.datetime) -> tuple[_dt.date, int]:
    """Read a publication date; return ``(date, precision)`` (1 day, 3 month).

    Raises :class:`InputError` ("unparseable date ...") for what is not a date, including
    impossible dates such as 2025-02-30 and texts without a year.
    """
    read = read_date(value)
    return read.date, read.precision


def filter_date(value: object, what: str) -> _dt.date | None:
    """The day of a filter bound (``--since``/``--until``): any date :func:`read_date` reads, or a
    bare year (its first day); ``None`` for no bound. A bad one is a usage error naming ``what``.
    """
    if value is None or value == "":
        return None
    if isinstance(value, str) and re.fullmatch(r"\s*\d{4}\s*", value):
        return _dt.date(int(value), 1, 1)
    try:
        return read_date(value).date  # type: ignore[arg-type]  # anything else is refused there
    except InputError:
        raise UsageError(f"{what} {value!r} is not a date: write it as YYYY-MM-DD") from None


def read_date(value: str | _dt.date | _dt.datetime) -> ReadDate:
    """Read a date with its time and zone where given (see the module's docstring)."""
    if isinstance(value, _dt.datetime):
        return ReadDate(value.date(), 1, value)
    if isinstance(value, _dt.date):
        return ReadDate(value, 1)
    if not isinstance(value, str):
        raise bad_date(value, f"a {type(value).__name__}, not text")
    text = " ".join(value.split())
    if not text:
        raise bad_date(value, "empty")
    if m := _ISO_MONTH.fullmatch(text):
        return ReadDate(make_date(value, int(m[1]), int(m[2]), 1), 3)
    if m := _NUMERIC_DAY.match(text):  # its own check, so "2025-02-30" says what is wrong
        make_date(value, int(m[1]), int(m[2]), int(m[3]))
    try:
        moment = _dt.datetime.fromisoformat(text)
    except ValueError:
        return _read_free_form(value, text)
    has_time = len(text) > 10 and not text.isdigit()
    return ReadDate(moment.date(), 1, moment if has_time else None)


def _read_free_form(value: str, text: str) -> ReadDate:
    from dateutil.parser import ParserError

    cleaned = _NOISE.sub(" ", text).strip(" ,")
    try:
        return _dateutil(value, cleaned)
    except ParserError as exc:
        # "Nov. 22, 2015 MST": a zone after a bare date stops dateutil; the day needs no zone
        trailing = _TRAILING_ZONE.search(cleaned)
        if trailing and (trailing[1] in _FIXED_ZONES or trailing[1] in _NAMED_ZONES
                         or trailing[1] in ("UTC", "GMT", "Z")):
            try:
                read = _dateutil(value, cleaned[: trailing.start()])
            except ParserError:
                pass
            else:
                if read.moment is None:
                    return read
        raise bad_date(value, _reason(exc, cleaned)) from None
    except OverflowError:
        raise bad_date(value, "out of range") from None


def _dateutil(value: str, text: str) -> ReadDate:
    from dateutil.parser import parse

    day_first = bool(_DAY_FIRST.match(text))
    first = parse(text, default=_DEFAULTS[0], dayfirst=day_first, tzinfos=_zone)
    fields = [first.year == 1, first.month == 1, first.day == 1]
    if any(fields):  # which of them did the text leave out? parse again with other defaults
        second = parse(text, default=_DEFAULTS[1], dayfirst=day_first, tzinfos=_zone)
        missing = [first.year != second.year, first.month != second.month, first.day != second.day]
    else:
        missing = [False, False, False]
    if missing[0] or missing[1]:
        raise bad_date(value, "no year" if missing[0] else "no month")
    precision = 3 if missing[2] else 1
    has_time = (first.hour, first.minute, first.second, first.microsecond) != (0, 0, 0, 0) or (
        first.tzinfo is not None) or re.search(r"\d:\d\d", text) is not None
    return ReadDate(first.date(), precision, first if has_time and precision == 1 else None)


def _reason(exc: Exception, text: str) -> str | None:
    """dateutil's reason without the text it repeats; None when it only says 'unknown format'."""
    message = str(exc.args[0] if exc.args else exc)
    message = message.replace("%s", "").removesuffix(f": {text}").strip(" :")
    if message.startswith(("Unknown string format", "String does not contain a date")) or not message:
        return None
    return message


def _zone(name: str | None, offset: int | None) -> Any:
    """dateutil's ``tzinfos`` hook: the zone for an abbreviation or an offset, else naive."""
    if name:
        upper = name.upper()
        if upper in _FIXED_ZONES:
            return _fixed_zone(upper)
        if upper in _NAMED_ZONES:
            return _named_zone(_NAMED_ZONES[upper])
    if offset is not None:
        return _dt.UTC if offset == 0 else _dt.timezone(_dt.timedelta(seconds=offset))
    return None


@functools.cache
def _fixed_zone(name: str) -> _dt.tzinfo:
    return _dt.timezone(_dt.timedelta(hours=_FIXED_ZONES[name]), name)


@functools.cache
def _named_zone(key: str) -> _dt.tzinfo:
    from zoneinfo import ZoneInfo

    return ZoneInfo(key)
