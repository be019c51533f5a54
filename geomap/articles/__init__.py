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

from ..dates import parse_date
from .files import SUPPORTED_SUFFIXES, read_articles
from .header import read_article_text
from .source import DEFAULT_MAX_BYTES, MB

__all__ = [
    "DEFAULT_MAX_BYTES",
    "MB",
    "SUPPORTED_SUFFIXES",
    "parse_date",
    "read_article_text",
    "read_articles",
]
