"""Reading articles from what users have: text, Markdown, HTML, JSONL, CSV, folders and stdin.

:func:`read_articles` streams :class:`~geomap.models.Article` records. Each input that cannot be
read becomes an :class:`~geomap.errors.InputError` naming the file (and the line for JSONL/CSV)
and the reason; it is passed to ``on_error`` and reading goes on with the next input (or line).

Formats, chosen by extension (an unknown extension is read as plain text, or HTML when it looks
like HTML):

* ``.txt`` and others: plain text. An optional header is removed from the text: a first line
  ``date YYYY-MM-DD`` (the article may go on on the same line), ``date: <any date>`` on a line
  of its own, or ``---``-fenced front matter with ``date:``, ``title:``, ``url:``, ``id:``.
* ``.md``/``.markdown``: the same header; markup stripped lightly (headings, emphasis, links ->
  their text, images dropped); the first heading is the title.
* ``.html``/``.htm``/``.xhtml``: parsed with a real HTML5 parser (selectolax/lexbor); title from
  ``og:title``/``<title>``/``<h1>``, date from ``article:published_time`` and similar meta tags
  or ``<time datetime>``; navigation, footers, scripts, asides, forms, cookie banners and the like
  are left out.
* ``.jsonl``/``.ndjson``: one JSON object per line with ``text`` and optional ``id``, ``date``,
  ``title``, ``url`` (other fields are ignored). Streamed line by line.
* ``.json``: one such object, or a list of them.
* ``.csv``/``.tsv``: a header row with a ``text`` column and optional ``id``, ``date``,
  ``title``, ``url`` columns. Streamed row by row; ``;`` and tab separators are detected.

Encodings: UTF-8 with or without BOM, UTF-16/32 with BOM, a ``<meta charset>`` in HTML, and
legacy encodings such as cp1251 detected with charset-normalizer. Undecodable bytes never raise:
as a last resort the text is decoded as UTF-8 with replacement characters (and a warning is
logged). Files over ``max_bytes`` are refused (JSONL/CSV: lines over it), never slurped.

The text of JSONL/CSV/JSON records is kept exactly as given, so character offsets into it (as in
annotated corpora) stay valid.
"""

from __future__ import annotations

import codecs
import csv
import datetime as _dt
import email.utils
import io
import json
import logging
import os
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from .errors import InputError, UsageError
from .models import Article

__all__ = [
    "DEFAULT_MAX_BYTES",
    "MB",
    "SUPPORTED_SUFFIXES",
    "parse_date",
    "read_article_text",
    "read_articles",
]

log = logging.getLogger(__name__)

#: One megabyte, the unit of ``--max-size``.
MB = 1_000_000
#: Files (and JSONL/CSV lines) larger than this are refused unless the limit is raised.
DEFAULT_MAX_BYTES = 50 * MB

_TEXT_SUFFIXES = (".txt", ".text")
_MARKDOWN_SUFFIXES = (".md", ".markdown")
_HTML_SUFFIXES = (".html", ".htm", ".xhtml")
_JSONL_SUFFIXES = (".jsonl", ".ndjson")
_JSON_SUFFIXES = (".json",)
_CSV_SUFFIXES = (".csv", ".tsv")
#: Extensions read from folders when no ``glob`` is given.
SUPPORTED_SUFFIXES = (
    _TEXT_SUFFIXES + _MARKDOWN_SUFFIXES + _HTML_SUFFIXES + _JSONL_SUFFIXES + _JSON_SUFFIXES + _CSV_SUFFIXES
)

_SNIFF_BYTES = 64 * 1024
_STDIN = "-"
_STDIN_NAME = "<stdin>"
_LIMIT_HINT = "(raise it with --max-size)"

ErrorHandler = Callable[[InputError], None]


# --------------------------------------------------------------------------------------------
# Dates


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

_DATE_HINT = "write it as YYYY-MM-DD, e.g. 2025-11-29"


def _bad_date(value: object, why: str | None = None) -> InputError:
    detail = f" ({why})" if why else ""
    return InputError(f"unparseable date {str(value)!r}{detail}; {_DATE_HINT}")


def _make_date(value: object, year: int, month: int, day: int) -> _dt.date:
    try:
        return _dt.date(year, month, day)
    except ValueError as exc:
        raise _bad_date(value, str(exc)) from None


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
        raise _bad_date(value, f"a {type(value).__name__}, not text")
    text = " ".join(value.split())
    if not text:
        raise _bad_date(value, "empty")
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
    raise _bad_date(value)


def _coerce_date(value: str | _dt.date | None) -> tuple[_dt.date | None, int]:
    """Parse the caller's default date (``--date``); a bad one is a usage error."""
    if value is None:
        return None, 1
    try:
        return parse_date(value)
    except InputError as exc:
        raise UsageError(f"--date: {exc.reason}") from None


# --------------------------------------------------------------------------------------------
# Headers (date line, front matter) and in-memory text

_DATE_LINE = re.compile(r"[ \t]*date[ \t]+(\d{4}-\d{1,2}-\d{1,2})(?=\s|$)[ \t]*", re.I)
_DATE_COLON_LINE = re.compile(r"[ \t]*date[ \t]*:[ \t]*([^\n]*?)[ \t]*(?:\n|$)", re.I)
_FRONT_MATTER = re.compile(r"---[ \t]*\n(.*?\n)?---[ \t]*(?:\n|$)", re.S)
_FRONT_MATTER_LINE = re.compile(r"([A-Za-z_][\w-]*)[ \t]*:[ \t]*(.*?)[ \t]*")
_FRONT_MATTER_DATE_KEYS = ("date", "published", "pubdate", "published_at")


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def _split_header(text: str, source: str | None) -> tuple[dict[str, str], str]:
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


def _article_from_parts(
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
    raw_date = header.get("date") or date_value
    if raw_date:
        try:
            date, precision = parse_date(raw_date)
        except InputError as exc:
            raise InputError(exc.reason, source=source) from None
    return Article(
        id=header.get("id") or id,
        text=body,
        date=date,
        date_precision=precision,
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
    header, body = _split_header(text, source)
    title = None
    if markdown:
        body, title = _strip_markdown(body)
    return _article_from_parts(
        id=id, text=body, source=source, header=header, title=title, default_date=_coerce_date(date)
    )


# --------------------------------------------------------------------------------------------
# Markdown

_MD_ATX = re.compile(r"[ ]{0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*")
_MD_SETEXT = re.compile(r"[ ]{0,3}(?:=+|-+)[ \t]*")
_MD_RULE = re.compile(r"[ ]{0,3}(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})")
_MD_FENCE = re.compile(r"[ ]{0,3}(?:```|~~~).*")
_MD_QUOTE = re.compile(r"^[ ]{0,3}(?:>[ ]?)+")
_MD_LIST = re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+")
_MD_LINK_DEF = re.compile(r"[ ]{0,3}\[[^\]]+\]:[ \t]*\S+.*")
_MD_TABLE_RULE = re.compile(r"[ \t]*\|?[ \t]*:?-{3,}:?[ \t]*(?:\|[ \t]*:?-{3,}:?[ \t]*)*\|?[ \t]*")
_MD_INLINE = [
    (re.compile(r"<!--.*?-->", re.S), ""),
    (re.compile(r"!\[[^\]]*\]\([^)]*\)"), ""),
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),
    (re.compile(r"<(https?://[^>\s]+)>"), r"\1"),
    (re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>"), ""),
    (re.compile(r"`([^`]+)`"), r"\1"),
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),
    (re.compile(r"~~(?=\S)(.+?)(?<=\S)~~"), r"\1"),
    (re.compile(r"\*(?=[^\s*])(.+?)(?<=[^\s*])\*"), r"\1"),
    (re.compile(r"(?<!\w)_(?=[^\s_])(.+?)(?<=[^\s_])_(?!\w)"), r"\1"),
]


def _md_inline(line: str) -> str:
    for pattern, repl in _MD_INLINE:
        line = pattern.sub(repl, line)
    return line


def _strip_markdown(text: str) -> tuple[str, str | None]:
    """Strip Markdown markup lightly; return (text, title from the first heading)."""
    out: list[str] = []
    title: str | None = None
    in_fence = False
    previous_plain = False
    for raw in text.split("\n"):
        if _MD_FENCE.fullmatch(raw):
            in_fence = not in_fence
            previous_plain = False
            continue
        if in_fence:
            out.append(raw)
            continue
        if m := _MD_ATX.fullmatch(raw):
            heading = _md_inline(m[1]).strip()
            title = title or heading or None
            out.append(heading)
            previous_plain = False
            continue
        if previous_plain and out and _MD_SETEXT.fullmatch(raw):
            title = title or out[-1].strip() or None
            previous_plain = False
            continue
        if _MD_RULE.fullmatch(raw) or _MD_LINK_DEF.fullmatch(raw) or _MD_TABLE_RULE.fullmatch(raw):
            previous_plain = False
            continue
        line = _MD_LIST.sub("", _MD_QUOTE.sub("", raw))
        if line.lstrip().startswith("|"):
            line = " ".join(cell.strip() for cell in line.strip().strip("|").split("|"))
        line = _md_inline(line)
        out.append(line)
        previous_plain = bool(line.strip())
    body = re.sub(r"\n{3,}", "\n\n", "\n".join(out))
    return body, title


# --------------------------------------------------------------------------------------------
# HTML

_HTML_DROP = (
    "script, style, noscript, template, iframe, svg, canvas, form, button, select, textarea, input, "
    "nav, aside, footer, dialog, menu, "
    "[role=navigation], [role=banner], [role=contentinfo], [role=complementary], [role=dialog], "
    "[role=alert], [aria-hidden=true], [hidden]"
)
_HTML_BOILERPLATE_WORDS = re.compile(
    r"(?:^|[-_])(cookies?|consent|gdpr|banner|nav|navbar|navigation|menu|breadcrumbs?|footer|sidebar|"
    r"share|sharing|social|related|recommended|newsletter|subscribe|subscription|promo|advert|"
    r"advertisement|ads?|sponsored|comments?|popup|modal|paywall|masthead|toolbar|skip|byline)(?:$|[-_])"
)
_HTML_BLOCKS = frozenset(
    "p div section article main header footer h1 h2 h3 h4 h5 h6 li ul ol dl dt dd blockquote pre "
    "table thead tbody tfoot tr td th caption figure figcaption address hr br details summary".split()
)
_HTML_DATE_META = (
    'meta[property="article:published_time"]',
    'meta[name="article:published_time"]',
    'meta[itemprop="datePublished"]',
    'meta[name="datePublished"]',
    'meta[name="date"]',
    'meta[name="pubdate"]',
    'meta[name="publish-date"]',
    'meta[name="publication_date"]',
    'meta[name="DC.date.issued"]',
    'meta[name="dcterms.date"]',
    'meta[name="dc.date"]',
)
_HTML_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_HTML_SNIFF = re.compile(r"\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>]|head[\s>])", re.I | re.S)


def _clean(text: str | None) -> str | None:
    if not text:
        return None
    text = " ".join(text.split())
    return text or None


def _html_text(root: Any) -> str:
    """Text of an element, with block elements on lines of their own (iterative walk)."""
    parts: list[str] = []
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, closing = stack.pop()
        if closing:
            parts.append("\n")
            continue
        tag = node.tag
        if tag == "-text":
            parts.append(re.sub(r"\s+", " ", node.text_content or ""))
            continue
        if not tag or tag.startswith("-"):
            continue
        if tag in _HTML_BLOCKS:
            parts.append("\n")
            stack.append((node, True))
        children = list(node.iter(include_text=True))
        stack.extend((child, False) for child in reversed(children))
    lines = (" ".join(line.split()) for line in "".join(parts).split("\n"))
    return "\n\n".join(line for line in lines if line)


def _html_article(
    html: str, *, id: str, source: str | None, default_date: tuple[_dt.date | None, int]
) -> Article:
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(html)

    def meta(selector: str) -> str | None:
        node = tree.css_first(selector)
        return _clean(node.attributes.get("content")) if node is not None else None

    h1 = tree.css_first("h1")
    title_node = tree.css_first("title")
    title = (
        meta('meta[property="og:title"]')
        or meta('meta[name="twitter:title"]')
        or (_clean(title_node.text()) if title_node is not None else None)
        or (_clean(h1.text()) if h1 is not None else None)
    )
    canonical = tree.css_first('link[rel="canonical"]')
    url = meta('meta[property="og:url"]') or (
        _clean(canonical.attributes.get("href")) if canonical is not None else None
    )
    date, precision = default_date
    candidates = [meta(sel) for sel in _HTML_DATE_META]
    candidates += [_clean(node.attributes.get("datetime")) for node in tree.css("time[datetime]")]
    for candidate in candidates:
        if not candidate:
            continue
        try:
            date, precision = parse_date(candidate)
            break
        except InputError:
            log.info("%s: ignored an unparseable date in the HTML: %r", source, candidate)

    body = tree.body
    if body is None:
        raise InputError("no article text found in the HTML", source=source)
    body_length = len(body.text(deep=True) or "")
    # Leave out boilerplate: by element type and role, and by class/id words (cookie banners,
    # share bars, sidebars); never an element that holds the article itself.
    doomed = list(tree.css(_HTML_DROP))
    for node in tree.css("[class], [id]"):
        if node.tag in ("html", "body", "article", "main"):
            continue
        words = " ".join(
            [node.attributes.get("class") or "", node.attributes.get("id") or ""]
        ).lower().split()
        if not any(_HTML_BOILERPLATE_WORDS.search(word) for word in words):
            continue
        if node.css_first("article, main, h1, [itemprop=articleBody]") is not None:
            continue
        if len(node.text(deep=True) or "") > 0.5 * body_length:
            continue
        doomed.append(node)
    doomed_ids = {node.mem_id for node in doomed}
    outermost = []
    for node in doomed:
        parent = node.parent
        while parent is not None and parent.mem_id not in doomed_ids:
            parent = parent.parent
        if parent is None:
            outermost.append(node)
    seen: set[int] = set()
    for node in outermost:
        if node.mem_id not in seen:
            seen.add(node.mem_id)
            node.decompose()

    roots = tree.css("article") or tree.css("[itemprop=articleBody], main, [role=main]")
    texts = [_html_text(node) for node in roots]
    text = max(texts, key=len) if texts else ""
    if not text:
        text = _html_text(tree.body)
    if not text:
        raise InputError("no article text found in the HTML (only boilerplate or markup)", source=source)
    return Article(
        id=id, text=text, date=date, date_precision=precision, title=title, url=url, source=source
    )


# --------------------------------------------------------------------------------------------
# Bytes -> text

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_MAGIC = (b"%PDF", b"\x89PNG", b"PK\x03\x04", b"\x1f\x8b", b"GIF8", b"\xff\xd8\xff", b"\x7fELF", b"BZh")
_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\r\x0c\x1b") + b"\x7f"
_BINARY = "binary file (not text)"
#: UTF-8 as the last resort, after a warning (a distinct object, compared by identity)
_UTF8_FALLBACK = "utf-8 (fallback)"


def _bom_encoding(head: bytes) -> str | None:
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding
    return None


def _utf16_without_bom(head: bytes) -> str | None:
    """UTF-16 text without a BOM: mostly-ASCII text has a NUL in every other byte."""
    sample = head[: len(head) - len(head) % 2]
    if len(sample) < 8:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.9 * len(odd) and even.count(0) == 0:
        return "utf-16-le"
    if even.count(0) > 0.9 * len(even) and odd.count(0) == 0:
        return "utf-16-be"
    return None


def _looks_binary(head: bytes) -> bool:
    if head.startswith(_MAGIC):
        return True
    if b"\x00" in head:
        return True
    controls = sum(head.count(b) for b in _CONTROL_BYTES)
    return controls > 0.05 * len(head)


def _mostly_printable(text: str) -> bool:
    if not text:
        return True
    bad = sum(
        1
        for ch in text
        if unicodedata.category(ch) in ("Cc", "Co", "Cn") and ch not in "\t\n\r\x0c\x1b"
    )
    return bad <= 0.05 * len(text)


def _sniff_encoding(head: bytes, source: str, *, declared: str | None = None, complete: bool) -> str:
    """The encoding of a file from its first bytes; raises InputError for binary data."""
    encoding = _bom_encoding(head)
    if encoding:
        return encoding
    encoding = _utf16_without_bom(head)
    if encoding:
        return encoding
    if _looks_binary(head):
        raise InputError(_BINARY, source=source)
    if declared:
        try:
            return codecs.lookup(declared).name
        except LookupError:
            log.info("%s: unknown declared charset %r", source, declared)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=complete)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    import charset_normalizer

    best = charset_normalizer.from_bytes(head).best()
    if best is not None and best.encoding:
        log.info("%s: decoded as %s", source, best.encoding)
        return best.encoding
    log.warning("%s: could not tell the encoding; decoded as UTF-8, undecodable bytes replaced", source)
    return _UTF8_FALLBACK


def _decode(data: bytes, source: str, *, declared: str | None = None) -> str:
    encoding = _sniff_encoding(data[:_SNIFF_BYTES] if len(data) > _SNIFF_BYTES else data,
                               source, declared=declared, complete=len(data) <= _SNIFF_BYTES)
    if encoding == _UTF8_FALLBACK:
        return data.decode("utf-8", errors="replace").lstrip("\ufeff")
    text = data.decode(encoding, errors="replace")
    if "\ufffd" in text and b"\xef\xbf\xbd" not in data:
        log.warning("%s: some bytes could not be decoded as %s and were replaced", source, encoding)
    if not _mostly_printable(text[:_SNIFF_BYTES]):
        raise InputError(_BINARY, source=source)
    return text.lstrip("\ufeff")


# --------------------------------------------------------------------------------------------
# Inputs: files, folders, stdin


class _Input:
    """One file or stdin, opened as a binary stream with its first bytes sniffed."""

    def __init__(self, path: Path | None, name: str, article_id: str):
        self.path = path
        self.name = name
        self.id = article_id

    def open(self) -> IO[bytes]:
        if self.path is None:
            stream = getattr(sys.stdin, "buffer", None)
            if stream is None:  # a text stdin without a buffer (rare): encode it back
                return io.BytesIO(sys.stdin.read().encode("utf-8"))
            return stream
        return open(self.path, "rb")  # noqa: SIM115 - closed by the caller

    @property
    def suffix(self) -> str:
        return self.path.suffix.lower() if self.path is not None else ""


def _format_mb(n: float) -> str:
    value = n / MB
    if value >= 100:
        text = f"{value:.0f}"
    elif value >= 1:
        text = f"{value:.1f}"
    else:
        text = f"{value:.3g}"
    if "." in text and "e" not in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _too_big(size: int, max_bytes: int, source: str, what: str = "file") -> InputError:
    return InputError(
        f"{what} is {_format_mb(size)} MB, over the limit of {_format_mb(max_bytes)} MB {_LIMIT_HINT}",
        source=source,
    )


def _read_limited(stream: IO[bytes], max_bytes: int, source: str, known_size: int | None) -> bytes:
    if known_size is not None and known_size > max_bytes:
        raise _too_big(known_size, max_bytes, source)
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        size = len(data)
        while chunk := stream.read(1 << 20):
            size += len(chunk)
        raise _too_big(size, max_bytes, source, "file" if known_size is not None else "input")
    return data


class _Prefixed(io.RawIOBase):
    """A binary stream that yields ``head`` and then the rest of ``stream``."""

    def __init__(self, head: bytes, stream: IO[bytes]):
        self._head = head
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _text_stream(stream: IO[bytes], head: bytes, source: str, *, complete: bool) -> io.TextIOWrapper:
    encoding = _sniff_encoding(head, source, complete=complete)
    if encoding == _UTF8_FALLBACK:
        encoding = "utf-8"
    raw = io.BufferedReader(_Prefixed(head, stream))
    text = io.TextIOWrapper(raw, encoding=encoding, errors="replace", newline="")
    return text


def _limited_lines(text: IO[str], max_bytes: int, counter: list[int]) -> Iterator[str]:
    """Lines of a text stream, none longer than ``max_bytes`` characters in memory.

    ``counter[0]`` is the number of the last line read. An over-long line is skipped to its end
    and reported with :class:`_LineTooLong`.
    """
    while True:
        line = text.readline(max_bytes + 1)
        if not line:
            return
        counter[0] += 1
        if len(line) > max_bytes and line[-1] not in "\r\n":
            size = len(line)
            while True:
                rest = text.readline(1 << 20)
                size += len(rest)
                if not rest or rest[-1] in "\r\n":
                    break
            raise _LineTooLong(size, counter[0])
        yield line


def _line_too_long(exc: _LineTooLong, max_bytes: int, source: str) -> InputError:
    return InputError(
        f"line is {_format_mb(exc.size)} MB, over the limit of {_format_mb(max_bytes)} MB {_LIMIT_HINT}",
        source=source,
        line=exc.line,
    )


class _LineTooLong(Exception):
    def __init__(self, size: int, line: int):
        super().__init__(size, line)
        self.size = size
        self.line = line


_FIELDS = ("id", "text", "date", "title", "url")


def _record_article(
    record: Any,
    *,
    default_id: str,
    source: str,
    line: int | None,
    default_date: tuple[_dt.date | None, int],
    columns: str = "field",
) -> Article:
    def error(message: str) -> InputError:
        return InputError(message, source=source, line=line)

    if not isinstance(record, dict):
        raise error(f"expected a JSON object with a \"text\" field, got {_json_type(record)}")
    if "text" not in record:
        found = ", ".join(map(str, record)) or "none"
        raise error(f'no "text" {columns} ({columns}s found: {found})')
    text = record["text"]
    if not isinstance(text, str):
        raise error(f'"text" is {_json_type(text)}, not a string')
    if not text.strip():
        raise error('empty "text"')
    raw_id = record.get("id")
    article_id = str(raw_id) if raw_id not in (None, "") else default_id
    date, precision = default_date
    raw_date = record.get("date")
    if raw_date not in (None, ""):
        try:
            date, precision = parse_date(raw_date if isinstance(raw_date, str) else str(raw_date))
        except InputError as exc:
            raise error(exc.reason) from None
    title, url = record.get("title"), record.get("url")
    where = f"{source}:{line}" if line is not None else source
    return Article(
        id=article_id,
        text=text,
        date=date,
        date_precision=precision,
        title=str(title) if title not in (None, "") else None,
        url=str(url) if url not in (None, "") else None,
        source=where,
    )


def _json_type(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}
    for kind, name in names.items():
        if type(value) is kind:
            return name
    return "a number" if isinstance(value, (int, float)) else type(value).__name__


def _read_jsonl(
    item: _Input, stream: IO[bytes], head: bytes, max_bytes: int, default_date: tuple[_dt.date | None, int],
    on_error: ErrorHandler,
) -> Iterator[Article]:
    text = _text_stream(stream, head, item.name, complete=len(head) < _SNIFF_BYTES)
    counter = [0]
    seen_record = False
    lines = _limited_lines(text, max_bytes, counter)
    while True:
        try:
            raw = next(lines)
        except StopIteration:
            break
        except _LineTooLong as exc:
            on_error(_line_too_long(exc, max_bytes, item.name))
            seen_record = True
            lines = _limited_lines(text, max_bytes, counter)
            continue
        stripped = raw.strip().lstrip("\ufeff")
        if not stripped:
            continue
        seen_record = True
        line = counter[0]
        try:
            record = json.loads(stripped)
        except json.JSONDecodeError as exc:
            on_error(InputError(f"malformed JSON line ({exc.msg} at column {exc.colno})", source=item.name, line=line))
            continue
        except (ValueError, RecursionError) as exc:
            on_error(InputError(f"malformed JSON line ({exc})", source=item.name, line=line))
            continue
        try:
            yield _record_article(
                record, default_id=f"{item.id}:{line}", source=item.name, line=line, default_date=default_date
            )
        except InputError as exc:
            on_error(exc)
    if not seen_record:
        on_error(InputError("empty file", source=item.name))


def _csv_delimiter(header_line: str, suffix: str) -> str:
    if suffix == ".tsv":
        return "\t"
    counts = {d: header_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _read_csv(
    item: _Input, stream: IO[bytes], head: bytes, max_bytes: int, default_date: tuple[_dt.date | None, int],
    on_error: ErrorHandler,
) -> Iterator[Article]:
    if csv.field_size_limit() < max_bytes:
        csv.field_size_limit(max_bytes)
    text = _text_stream(stream, head, item.name, complete=len(head) < _SNIFF_BYTES)
    counter = [0]
    header: list[str] | None = None
    lines = _limited_lines(text, max_bytes, counter)
    reader = None
    rows = 0
    while True:
        if reader is None:
            if header is None:
                try:
                    first = next(lines, None)
                    while first is not None and not first.strip():
                        first = next(lines, None)
                except _LineTooLong as exc:
                    on_error(_line_too_long(exc, max_bytes, item.name))
                    return
                if first is None:
                    on_error(InputError("empty file", source=item.name))
                    return
                delimiter = _csv_delimiter(first, item.suffix)
                header = [h.strip().lstrip("\ufeff").lower() for h in next(csv.reader([first], delimiter=delimiter))]
                if "text" not in header:
                    found = ", ".join(h for h in header if h) or "none"
                    on_error(InputError(
                        f'no "text" column (columns found: {found}); name the column with the article text "text"',
                        source=item.name,
                    ))
                    return
            reader = csv.reader(lines, delimiter=delimiter)
        start = counter[0] + 1
        try:
            row = next(reader)
        except StopIteration:
            if not rows:
                on_error(InputError("no rows after the header", source=item.name))
            return
        except _LineTooLong as exc:
            on_error(_line_too_long(exc, max_bytes, item.name))
            lines = _limited_lines(text, max_bytes, counter)
            reader = None
            rows += 1
            continue
        except csv.Error as exc:
            on_error(InputError(f"malformed CSV row ({exc})", source=item.name, line=start))
            rows += 1
            continue
        if not row or not any(cell.strip() for cell in row):
            continue
        rows += 1
        if len(row) > len(header) and any(cell.strip() for cell in row[len(header):]):
            on_error(InputError(
                f"row has {len(row)} fields but the header has {len(header)} (is a field with the separator not quoted?)",
                source=item.name, line=start))
            continue
        record = {name: value for name, value in zip(header, row) if name in _FIELDS}
        record.setdefault("text", "")
        try:
            yield _record_article(
                record, default_id=f"{item.id}:{start}", source=item.name, line=start,
                default_date=default_date, columns="column",
            )
        except InputError as exc:
            on_error(exc)


def _read_json(item: _Input, data: bytes, default_date: tuple[_dt.date | None, int], on_error: ErrorHandler) -> Iterator[Article]:
    text = _decode(data, item.name)
    if not text.strip():
        raise InputError("empty file", source=item.name)
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"malformed JSON ({exc.msg} at line {exc.lineno} column {exc.colno})", source=item.name) from None
    except (ValueError, RecursionError) as exc:
        raise InputError(f"malformed JSON ({exc})", source=item.name) from None
    if isinstance(value, dict):
        yield _record_article(value, default_id=item.id, source=item.name, line=None, default_date=default_date)
        return
    if not isinstance(value, list):
        raise InputError(f"expected a JSON object or a list of objects, got {_json_type(value)}", source=item.name)
    if not value:
        raise InputError("no records (an empty list)", source=item.name)
    for index, record in enumerate(value):
        try:
            yield _record_article(
                record, default_id=f"{item.id}:{index}", source=f"{item.name}#{index}", line=None,
                default_date=default_date,
            )
        except InputError as exc:
            on_error(exc)


def _read_one(item: _Input, max_bytes: int, default_date: tuple[_dt.date | None, int], on_error: ErrorHandler) -> Iterator[Article]:
    try:
        stream = item.open()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", source=item.name) from None
    try:
        size = None
        if item.path is not None:
            try:
                size = os.fstat(stream.fileno()).st_size
            except (OSError, io.UnsupportedOperation):
                size = None
        suffix = item.suffix
        if suffix in _JSONL_SUFFIXES or suffix in _CSV_SUFFIXES:
            head = stream.read(_SNIFF_BYTES)
            if not head:
                raise InputError("empty file", source=item.name)
            reader = _read_jsonl if suffix in _JSONL_SUFFIXES else _read_csv
            yield from reader(item, stream, head, max_bytes, default_date, on_error)
            return
        if item.path is None:
            # stdin: JSON lines when it starts with an object (streamed), else one article
            head = stream.read(_SNIFF_BYTES)
            if head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{":
                yield from _read_jsonl(item, stream, head, max_bytes, default_date, on_error)
                return
            stream = io.BufferedReader(_Prefixed(head, stream))
        data = _read_limited(stream, max_bytes, item.name, size)
        if not data.strip(b" \t\r\n\x0b\x0c"):
            raise InputError("empty file", source=item.name)
        if suffix in _JSON_SUFFIXES:
            yield from _read_json(item, data, default_date, on_error)
            return
        declared = None
        is_html = suffix in _HTML_SUFFIXES
        if is_html or not (suffix in _TEXT_SUFFIXES or suffix in _MARKDOWN_SUFFIXES):
            if m := _HTML_CHARSET.search(data[:4096]):
                declared = m[1].decode("ascii", "replace")
        text = _decode(data, item.name, declared=declared if is_html else None)
        if not is_html and not (suffix in _TEXT_SUFFIXES or suffix in _MARKDOWN_SUFFIXES):
            if _HTML_SNIFF.match(text[:4096]):
                is_html = True
                if declared and _bom_encoding(data) is None:
                    text = _decode(data, item.name, declared=declared)
        if not text.strip():
            raise InputError("empty file", source=item.name)
        if is_html:
            yield _html_article(text, id=item.id, source=item.name, default_date=default_date)
            return
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        header, body = _split_header(text, item.name)
        title = None
        if suffix in _MARKDOWN_SUFFIXES:
            body, title = _strip_markdown(body)
        yield _article_from_parts(
            id=item.id, text=body, source=item.name, header=header, title=title, default_date=default_date
        )
    finally:
        if item.path is not None:
            stream.close()


def _folder_files(folder: Path, globs: tuple[str, ...]) -> list[Path]:
    found: set[Path] = set()
    if globs:
        for pattern in globs:
            matches = folder.glob(pattern) if "/" in pattern or pattern.startswith("**") else folder.rglob(pattern)
            found.update(matches)
    else:
        found.update(p for p in folder.rglob("*") if p.suffix.lower() in SUPPORTED_SUFFIXES)

    def hidden(path: Path) -> bool:
        return any(part.startswith(".") for part in path.relative_to(folder).parts)

    return sorted((p for p in found if p.is_file() and not hidden(p)), key=lambda p: p.as_posix())


def _expand(inputs: Iterable[str | os.PathLike[str]], globs: tuple[str, ...], on_error: ErrorHandler) -> Iterator[_Input]:
    for raw in inputs:
        if str(raw) == _STDIN:
            yield _Input(None, _STDIN_NAME, "stdin")
            continue
        path = Path(raw)
        if path.is_dir():
            files = _folder_files(path, globs)
            if not files:
                looked = ", ".join(globs) if globs else ", ".join("*" + s for s in SUPPORTED_SUFFIXES)
                on_error(InputError(f"no articles found in this folder (looked for {looked}; choose files with --glob)", source=str(path)))
            for file in files:
                relative = file.relative_to(path).with_suffix("").as_posix()
                yield _Input(file, str(file), relative)
        elif path.exists():
            yield _Input(path, str(path), path.stem)
        else:
            on_error(InputError("no such file or folder", source=str(path)))


def _raise(exc: InputError) -> None:
    raise exc


def read_articles(
    inputs: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    glob: str | Iterable[str] | None = None,
    date: str | _dt.date | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    on_error: ErrorHandler | None = None,
) -> Iterator[Article]:
    """Stream the articles in files, folders (recursively) and ``"-"`` (stdin).

    ``glob`` picks files inside folders ("*.txt", "2025/**/*.md"; several allowed); without it
    every supported extension is read. ``date`` is used for articles that carry no date of their
    own; a bad one raises :class:`UsageError`. Each bad input (or JSONL/CSV line) is passed to
    ``on_error`` as an :class:`InputError` and reading goes on; with ``on_error=None`` the first
    one is raised. Article ids: the JSONL/CSV ``id`` field, else the file stem (path relative to
    the folder) with ``:line`` for records; ``source`` is the path, with ``:line`` for records.
    """
    if isinstance(inputs, (str, os.PathLike)):
        inputs = [inputs]
    globs: tuple[str, ...] = () if glob is None else (glob,) if isinstance(glob, str) else tuple(glob)
    if max_bytes <= 0:
        raise UsageError("the size limit must be positive (--max-size in MB)")
    default_date = _coerce_date(date)
    handler = on_error if on_error is not None else _raise
    for item in _expand(list(inputs), globs, handler):
        try:
            yield from _read_one(item, max_bytes, default_date, handler)
        except InputError as exc:
            handler(exc)
