"""Publication-date parsers compared: accuracy on the dates feeds write, speed and import time.

``python -m bench dates`` prints, for geomap.dates (what the product uses: the standard library's
``fromisoformat`` for ISO 8601, python-dateutil for the rest) and for each candidate library
installed (python-dateutil alone, dateparser):

- how many of the feed styles below it reads to the right day, and of those that name a zone
  how many keep the right offset;
- whether it refuses what is not a publication date (an impossible day, a relative phrase);
- dates read per second over the styles cycled (``--rounds``);
- the time to the first date in a fresh interpreter: importing what the parser needs and reading
  one non-ISO date (median of 3 runs).

The styles are written here by the team in the shapes feeds use; no feed's text is copied.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import statistics
import subprocess
import sys
import time
import warnings
from collections.abc import Callable

#: (text, the day it means, its UTC offset in hours or None when it names no zone and time)
STYLES: list[tuple[str, dt.date, float | None]] = [
    ("Wed Nov 23, 2016 | 4:58pm EST", dt.date(2016, 11, 23), -5),
    ("7:58 AM ET, Sat January 3, 2015", dt.date(2015, 1, 3), -5),
    ("2016-12-19 05:40 ET", dt.date(2016, 12, 19), -5),
    ("Nov. 22, 2015 MST", dt.date(2015, 11, 22), None),
    ("11/28/2016", dt.date(2016, 11, 28), None),
    ("December 13, 2016 1:57PM EST", dt.date(2016, 12, 13), -5),
    ("DEC. 14, 2016, 2:54 AM EST", dt.date(2016, 12, 14), -5),
    ("Wed, 23 Nov 2016 16:58:00 -0500", dt.date(2016, 11, 23), -5),       # RFC 2822
    ("2016-11-23T16:58:00+03:00", dt.date(2016, 11, 23), 3),              # ISO 8601, offset
    ("2016-11-23T16:58:00Z", dt.date(2016, 11, 23), 0),
    ("23 November 2016", dt.date(2016, 11, 23), None),
    ("Nov 23, 2016", dt.date(2016, 11, 23), None),
    ("23.11.2016", dt.date(2016, 11, 23), None),
    ("Wed Nov 23 16:58:00 2016", dt.date(2016, 11, 23), None),            # Unix date / asctime
]
#: Not publication dates: a parser should refuse them rather than guess.
REFUSE = ["2025-02-30", "2025-13-01", "last Tuesday", "yesterday", "Nov 23"]


def _geomap() -> Callable[[str], dt.datetime | dt.date | None]:
    from geomap.dates import read_date

    def parse(text: str):
        read = read_date(text)
        return read.moment or read.date
    return parse


def _dateutil() -> Callable[[str], dt.datetime | dt.date | None]:
    from dateutil import parser, tz

    zones = {"EST": -5 * 3600, "ET": tz.gettz("America/New_York"), "MST": -7 * 3600}

    def parse(text: str):
        return parser.parse(text, tzinfos=zones)
    return parse


def _dateparser() -> Callable[[str], dt.datetime | dt.date | None]:
    import dateparser

    def parse(text: str):
        return dateparser.parse(text, languages=["en"])
    return parse


CANDIDATES = {"geomap.dates": ("geomap.dates", _geomap), "python-dateutil": ("dateutil.parser", _dateutil),
              "dateparser": ("dateparser", _dateparser)}


def _try(parse, text):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return parse(text)
    except Exception:  # a refusal, whatever the library calls it
        return None


def _day(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None


def _first_date_ms(name: str) -> float:
    code = ("import time; t = time.perf_counter(); import bench.bench_dates as b; "
            f"b.CANDIDATES[{name!r}][1]()('Nov 23, 2016'); print((time.perf_counter() - t) * 1000)")
    runs = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                 check=True).stdout) for _ in range(3)]
    return statistics.median(runs)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench dates")
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args(argv)
    zoned = sum(1 for *_, offset in STYLES if offset is not None)
    print(f"{len(STYLES)} feed styles ({zoned} with a zone and a time), {len(REFUSE)} non-dates")
    print(f"{'parser':16} {'right day':>10} {'zone kept':>10} {'refused':>8} {'dates/s':>9} {'first date ms':>14}")
    for name, (module, factory) in CANDIDATES.items():
        if importlib.util.find_spec(module.split(".")[0]) is None:
            print(f"{name:16} not installed (pip install {name} to compare)")
            continue
        parse = factory()
        right_day = right_zone = 0
        misses = []
        for text, day, offset in STYLES:
            value = _try(parse, text)
            if _day(value) == day:
                right_day += 1
            else:
                misses.append(f"{text!r} -> {value}")
            if offset is not None and isinstance(value, dt.datetime) and value.utcoffset() == dt.timedelta(hours=offset):
                right_zone += 1
        refused = sum(1 for text in REFUSE if _day(_try(parse, text)) is None)
        started = time.perf_counter()
        for _ in range(args.rounds):
            for text, _, _ in STYLES:
                _try(parse, text)
        rate = args.rounds * len(STYLES) / (time.perf_counter() - started)
        print(f"{name:16} {right_day:>7}/{len(STYLES)} {right_zone:>7}/{zoned} {refused:>5}/{len(REFUSE)} "
              f"{rate:>9,.0f} {_first_date_ms(name):>14.1f}")
        for miss in misses:
            print(f"{'':16}   missed {miss}")
