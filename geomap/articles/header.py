"""The header of a text article (a date line or front matter) and articles made from text."""

from __future__ import annotations

import datetime as _dt
import re

from ..dates import parse_date, read_date
from ..errors import InputError, UsageError
from ..models import Article
from .markdown import strip_markdown

_DATE_LINE = re.compile(r"[ \t]*date[ \t]+(\d{4}-\d{1,2}-\d{1,2})(?=\s|$)[ \t]*", re.I)
_DATE_COLON_LINE = re.compile(r"[ \t]*date[ \t]*:[ \t]*([^\n]*?)[ \t]*(?:\n|$)", re.I)
_FRONT_MATTER = re.compile(r"---[ \t]*\n(.*?\n)?---[ \t]*(?:\n|$)", re.S)
_FRONT_MATTER_LINE = re.compile(r"([A-Za-z_][\w-]*)[ \t]*:[ \t]*(.*?)[ \t]*")
_FRONT_MATTER_DATE_KEYS = ("date", "published", "pubdate", "published_at")


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def split_header(text: str, source: str | None) -> tuple[dict[str, str], str]:
    """Remove a leading date line or front matter; return (header fields, body)."""
    stripped = text.lstrip("\ufeff \t\r\n")
    if m := _FRONT_MATTER.match(stripped):
        fields: dict[str, str] = {}
        for line in (m[1] or "").splitlines():
            if fm := _FRONT_MATTER_LINE.fullmatch(line):
                fields[fm[1].lower()] = _unquote(fm[2])
        for key in _FRONT_MATTER_DATE_KEYS:
            if fields.get(key):
                fields["date"] = fields[key]
                break
        return fields, stripped[m.end() :]
    if m := _DATE_LINE.match(stripped):
        return {"date": m[1]}, stripped[m.end() :]
    if m := _DATE_COLON_LINE.match(stripped):
        return {"date": m[1]}, stripped[m.end() :]
    return {}, stripped


def article_from_parts(
    *,
    id: str,
    text: str,
    source: str | None,
    header: dict[str, str],
    title: str | None,
    default_date: tuple[_dt.date | None, int],
    date_value: str | None = None,
    url: str | None = None,
) -> Article:
    body = text.strip()
    if not body:
        raise InputError("no article text (only a header)", source=source)
    date, precision = default_date
    published = None
    raw_date = header.get("date") or date_value
    if raw_date:  # a date the writer put in the header: an impossible one is an error
        try:
            read = read_date(raw_date)
        except InputError as exc:
            raise InputError(exc.reason, source=source) from None
        date, precision, published = read.date, read.precision, read.moment
    return Article(
        id=header.get("id") or id,
        text=body,
        date=date,
        date_precision=precision,
        published=published,
        title=header.get("title") or title,
        url=header.get("url") or header.get("link") or url,
        source=source,
    )


def read_article_text(
    text: str,
    *,
    id: str,
    source: str | None = None,
    date: str | _dt.date | None = None,
    markdown: bool = False,
) -> Article:
    """Make an Article from text in memory: the date line or front matter is read and removed.

    ``date`` is used when the text has no date of its own. ``Article.text`` is the body, and it
    is what later stages take offsets into. With ``markdown=True`` markup is stripped lightly and
    the first heading becomes the title.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    header, body = split_header(text, source)
    title = None
    if markdown:
        body, title = strip_markdown(body)
    return article_from_parts(
        id=id, text=body, source=source, header=header, title=title, default_date=coerce_date(date)
    )


def coerce_date(value: str | _dt.date | None) -> tuple[_dt.date | None, int]:
    """Parse the caller's default date (``--date``); a bad one is a usage error."""
    if value is None:
        return None, 1
    try:
        return parse_date(value)
    except InputError as exc:
        raise UsageError(f"--date: {exc.reason}") from None
