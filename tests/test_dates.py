"""geomap.dates: the dates feeds write, read to the right day with their zone; bad ones refused."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geomap.dates import parse_date, read_date
from geomap.errors import InputError

EST = dt.timedelta(hours=-5)

#: (as a feed writes it, the day it means, the UTC offset it names or None for no zone/time)
FEED_STYLES = [
    ("Wed Nov 23, 2016 | 4:58pm EST", dt.date(2016, 11, 23), EST),
    ("7:58 AM ET, Sat January 3, 2015", dt.date(2015, 1, 3), EST),
    ("2016-12-19 05:40 ET", dt.date(2016, 12, 19), EST),
    ("Nov. 22, 2015 MST", dt.date(2015, 11, 22), None),
    ("11/28/2016", dt.date(2016, 11, 28), None),
    ("December 13, 2016 1:57PM EST", dt.date(2016, 12, 13), EST),
    ("DEC. 14, 2016, 2:54 AM EST", dt.date(2016, 12, 14), EST),
    ("Wed, 23 Nov 2016 16:58:00 -0500", dt.date(2016, 11, 23), EST),
    ("2016-11-23T16:58:00+03:00", dt.date(2016, 11, 23), dt.timedelta(hours=3)),
    ("2016-11-23T16:58:00Z", dt.date(2016, 11, 23), dt.timedelta(0)),
    ("23 November 2016", dt.date(2016, 11, 23), None),
    ("Nov 23, 2016", dt.date(2016, 11, 23), None),
    ("23.11.2016", dt.date(2016, 11, 23), None),
    ("Wed Nov 23 16:58:00 2016", dt.date(2016, 11, 23), None),
    # summer: the bare US zone name follows daylight saving time
    ("Jul 4, 2016 9:15 AM ET", dt.date(2016, 7, 4), dt.timedelta(hours=-4)),
    ("4 July 2016 10:00 CEST", dt.date(2016, 7, 4), dt.timedelta(hours=2)),
]


@pytest.mark.parametrize(("text", "day", "offset"), FEED_STYLES)
def test_feed_styles_read_to_the_right_day_with_their_zone(text, day, offset):
    read = read_date(text)
    assert (read.date, read.precision) == (day, 1)
    if offset is None:
        assert read.moment is None or read.moment.tzinfo is None
    else:
        assert read.moment.utcoffset() == offset


def test_a_time_without_a_zone_is_kept_naive():
    read = read_date("Wed Nov 23 16:58:00 2016")
    assert read.moment == dt.datetime(2016, 11, 23, 16, 58)


def test_an_unknown_zone_name_leaves_the_moment_naive_without_a_warning():
    read = read_date("Nov 23, 2016 4:58 PM XYZ")
    assert read.moment == dt.datetime(2016, 11, 23, 16, 58)


@pytest.mark.parametrize(("text", "why"), [
    ("2016", "no month"),
    ("Monday", "no year"),
    ("Nov 23", "no year"),
    ("Feb 30, 2025", "day is out of range for month"),
    ("2025-13-01", "month must be in 1..12"),
])
def test_incomplete_or_impossible_dates_say_why(text, why):
    with pytest.raises(InputError) as info:
        parse_date(text)
    assert f"({why})" in info.value.reason


def test_month_only_has_month_precision():
    assert parse_date("Nov 2016") == (dt.date(2016, 11, 1), 3)
    assert parse_date("1 Nov 2016") == (dt.date(2016, 11, 1), 1)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40) | st.from_regex(r"[0-9A-Za-z:.,/ +-]{1,30}", fullmatch=True))
def test_any_text_is_a_date_or_an_input_error(text):
    try:
        read = read_date(text)
    except InputError as exc:
        assert exc.reason.startswith("unparseable date")
    else:
        assert read.precision in (1, 3)
        assert read.moment is None or read.moment.date() == read.date
