"""Incident dates: the article's date plus what the sentence says ("early on November 29", "overnight").

Rules (``precision`` follows ACLED: 1 day, 2 week, 3 month):

* explicit days -- "November 29", "29 November 2025", "Nov. 29", "early on November 29" -- give that
  day, precision 1; without a year, the year that puts the day nearest the article date;
* "Month YYYY" gives the first of that month, precision 3;
* "today", "this morning", "tonight", "overnight", "last night" give the article date, precision 1
  ("overnight" is dated to the article's day: reports say "overnight" on the morning after);
  "yesterday" / "tomorrow" the day before / after; "N days ago" N days before;
* a weekday ("on Saturday") is the latest such day on or before the article date, or the next one
  after it in a future-tense sentence; precision 1;
* "this week" / "last week" / "next week" give the Monday of that week, precision 2;
  "this month" / "last month" / "next month" the first of that month, precision 3;
* a date after the article date is *future*: the event is announced, not reported. Future events
  (also "will travel", "scheduled to" without a date) still become incidents -- diplomacy is mostly
  announced -- but the speculation factor lowers their confidence, and an announced event with no
  date at all is left undated (``None``) rather than given the article date.

Only date expressions in the same clause (between commas, semicolons or dashes) as the place or
the cue count, so "the Florida meeting, ... travel to Moscow next week" does not move Florida.
With none, the article date applies with the article's precision (``default=True``).
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass

from ..dates import MONTHS as _MONTHS  # the one table of month names
from .lexicon import IGNORECASE_FOLD

_WEEKDAYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5,
             "sunday": 6}
_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "a": 1}

_MONTH_RE = (r"(?P<month>January|February|March|April|May|June|July|August|September|October|November|"
             r"December|Jan\.?|Feb\.?|Mar\.|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?)")
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("month_day", re.compile(_MONTH_RE + r"\s+(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\b(?:,?\s+(?P<year>(?:19|20)\d\d))?")),
    ("day_month", re.compile(r"\b(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH_RE
                             + r"(?:,?\s+(?P<year>(?:19|20)\d\d))?")),
    ("month_year", re.compile(_MONTH_RE + r"\s+(?P<year>(?:19|20)\d\d)\b")),
    ("relative", re.compile(
        r"\b(?P<rel>today|tonight|this morning|this afternoon|this evening|overnight|last night|yesterday|"
        r"tomorrow|earlier this week|later this week|this week|last week|next week|earlier this month|"
        r"later this month|this month|last month|next month)\b", re.IGNORECASE)),
    ("ago", re.compile(r"\b(?P<n>\d+|one|two|three|four|five|six|seven|a)\s+(?P<unit>days?|weeks?)\s+ago\b",
                       re.IGNORECASE)),
    ("weekday", re.compile(r"\b(?:(?P<which>last|this|next|on|early|late)\s+)?(?P<wd>Monday|Tuesday|Wednesday|"
                           r"Thursday|Friday|Saturday|Sunday)\b")),
]
_FUTURE = re.compile(r"\b(?:will|shall|is to|are to|scheduled to|expected to|due to|plans? to|planning|"
                     r"planned|set to|going to|next week|next month|tomorrow|upcoming)\b", re.IGNORECASE)
_CLAUSE = re.compile(r"[,;:()]|\s--?\s|\s[—–]\s")


@dataclass(frozen=True, slots=True)
class DateRef:
    """A date expression in a sentence, resolved against the article date."""

    start: int
    end: int
    text: str
    date: _dt.date | None
    precision: int


@dataclass(frozen=True, slots=True)
class IncidentDate:
    """The date given to one incident."""

    date: _dt.date | None
    precision: int
    future: bool
    default: bool  # True when no expression in the sentence applied (article date or undated)


def _monday(d: _dt.date) -> _dt.date:
    return d - _dt.timedelta(days=d.weekday())


def _add_months(d: _dt.date, months: int) -> _dt.date:
    index = d.year * 12 + d.month - 1 + months
    return _dt.date(index // 12, index % 12 + 1, 1)


def _nearest_year(month: int, day: int, ref: _dt.date) -> _dt.date | None:
    best = None
    for year in (ref.year - 1, ref.year, ref.year + 1):
        try:
            cand = _dt.date(year, month, day)
        except ValueError:
            continue
        if best is None or abs((cand - ref).days) < abs((best - ref).days):
            best = cand
    return best


def _resolve(kind: str, m: re.Match[str], ref: _dt.date | None, future: bool) -> tuple[_dt.date | None, int]:
    g = m.groupdict()
    if kind in ("month_day", "day_month", "month_year"):
        month = _MONTHS[g["month"].lower().rstrip(".")]
        year = int(g["year"]) if g.get("year") else None
        if kind == "month_year":
            return _dt.date(year, month, 1), 3
        day = int(g["day"])
        if year is not None:
            try:
                return _dt.date(year, month, day), 1
            except ValueError:
                return None, 1
        return (_nearest_year(month, day, ref) if ref else None), 1
    if ref is None:
        return None, 1
    if kind == "relative":
        rel = g["rel"].lower()
        if rel in ("today", "tonight", "this morning", "this afternoon", "this evening", "overnight", "last night"):
            return ref, 1
        if rel == "yesterday":
            return ref - _dt.timedelta(days=1), 1
        if rel == "tomorrow":
            return ref + _dt.timedelta(days=1), 1
        if rel in ("this week", "earlier this week", "later this week"):
            return _monday(ref), 2
        if rel == "last week":
            return _monday(ref) - _dt.timedelta(days=7), 2
        if rel == "next week":
            return _monday(ref) + _dt.timedelta(days=7), 2
        if rel in ("this month", "earlier this month", "later this month"):
            return ref.replace(day=1), 3
        if rel == "last month":
            return _add_months(ref, -1), 3
        if rel == "next month":
            return _add_months(ref, 1), 3
    if kind == "ago":
        n = g["n"].lower()
        count = int(n) if n.isdigit() else _NUMBERS[n]
        unit = g["unit"].lower()
        if unit.startswith("day"):
            return ref - _dt.timedelta(days=count), 1
        return _monday(ref) - _dt.timedelta(days=7 * count), 2
    if kind == "weekday":
        wd = _WEEKDAYS[g["wd"].lower()]
        which = (g.get("which") or "").lower()
        back = (ref.weekday() - wd) % 7
        if which == "next" or (future and which != "last"):
            ahead = (wd - ref.weekday()) % 7 or 7
            return ref + _dt.timedelta(days=ahead), 1
        if which == "last" and back == 0:
            back = 7
        return ref - _dt.timedelta(days=back), 1
    return None, 1


def _fold(text: str) -> str:
    """``text`` with letters folded as re.IGNORECASE compares them with ASCII letters."""
    return text.lower() if text.isascii() else text.translate(IGNORECASE_FOLD)


#: Letters each kind's matches contain, lower-cased as re.IGNORECASE compares them: a sentence
#: without any of them is not searched for that kind (most sentences name no date at all).
_MONTH_STEMS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_NEEDS: dict[str, tuple[str, ...]] = {
    "month_day": _MONTH_STEMS, "day_month": _MONTH_STEMS, "month_year": _MONTH_STEMS,
    "relative": ("today", "night", "morning", "afternoon", "evening", "yesterday", "tomorrow", "week", "month"),
    "ago": ("ago",),
    "weekday": ("day",),
}
_STEM_SETS = frozenset(_NEEDS.values())


def find_dates(text: str, article_date: _dt.date | None, future: bool = False) -> list[DateRef]:
    """All date expressions in ``text`` (one sentence), resolved; overlapping ones keep the longest."""
    found: list[DateRef] = []
    folded = _fold(text)
    present = {stems: any(s in folded for s in stems) for stems in _STEM_SETS}
    for kind, pattern in _PATTERNS:
        if not present[_NEEDS[kind]]:
            continue
        for m in pattern.finditer(text):
            if any(r.start <= m.start() < r.end or m.start() <= r.start < m.end() for r in found):
                continue
            if kind == "weekday" and m.group("wd") and not m.group("wd")[0].isupper():
                continue
            date, precision = _resolve(kind, m, article_date, future)
            found.append(DateRef(m.start(), m.end(), m.group(0), date, precision))
    found.sort(key=lambda r: r.start)
    return found


def clause_of(text: str, pos: int) -> tuple[int, int]:
    """The (start, end) of the clause around ``pos``: the span between commas, semicolons, dashes."""
    start = 0
    for m in _CLAUSE.finditer(text):
        if m.end() <= pos:
            start = m.end()
        elif m.start() >= pos:
            return start, m.start()
    return start, len(text)


#: Letters every match of ``_FUTURE`` contains (lower-cased as re.IGNORECASE compares them).
_FUTURE_NEEDS = ("will", "shall", "is to", "are to", "scheduled to", "expected to", "due to", "plan", "set to",
                 "going to", "next week", "next month", "tomorrow", "upcoming")


def is_future(text: str) -> bool:
    """True when the sentence speaks of something announced or planned ("will travel", "next week")."""
    folded = _fold(text)
    return any(s in folded for s in _FUTURE_NEEDS) and _FUTURE.search(text) is not None


def incident_date(text: str, anchors: list[int], article_date: _dt.date | None,
                  article_precision: int = 1, refs: list[DateRef] | None = None) -> IncidentDate:
    """The date of an incident reported in sentence ``text``.

    ``anchors`` are offsets in ``text`` of the place and the cue; date expressions in their clauses
    count, the nearest first. Without one, a past-tense sentence takes the article date and a
    future-tense clause is undated.
    """
    refs = find_dates(text, article_date, is_future(text)) if refs is None else refs
    clauses = [clause_of(text, a) for a in anchors]
    best: DateRef | None = None
    best_dist = None
    for ref in refs:
        for anchor, (cs, ce) in zip(anchors, clauses):
            if cs <= ref.start and ref.end <= ce:
                dist = abs(ref.start - anchor)
                if best_dist is None or dist < best_dist:
                    best, best_dist = ref, dist
    if best is not None and best.date is not None:
        future = article_date is not None and best.date > article_date
        if best.precision > 1 and article_date is not None:
            # a week or month that contains the article date is not in the future
            span = 7 if best.precision == 2 else 31
            future = best.date > article_date and (best.date - article_date).days < 400 and \
                not (best.date <= article_date < best.date + _dt.timedelta(days=span))
        return IncidentDate(best.date, best.precision, future, False)
    future_clause = any(is_future(text[cs:ce]) for cs, ce in clauses)
    if future_clause:
        return IncidentDate(None, 3, True, True)
    return IncidentDate(article_date, article_precision if article_date else 3, False, True)
