"""Records: JSONL and CSV streamed line by line, JSON objects and lists; one bad line is one error."""

from __future__ import annotations

import csv
import datetime as _dt
import json
import logging
from collections.abc import Iterator
from typing import IO, Any

from .._csv import field_limit
from ..dates import read_date
from ..errors import InputError
from ..models import Article
from .decode import decode_bytes, text_stream
from .source import LIMIT_HINT, SNIFF_BYTES, ErrorHandler, Input, format_mb

log = logging.getLogger("geomap.articles")


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
        f"line is {format_mb(exc.size)} MB, over the limit of {format_mb(max_bytes)} MB {LIMIT_HINT}",
        source=source,
        line=exc.line,
    )


class _LineTooLong(Exception):
    def __init__(self, size: int, line: int):
        super().__init__(size, line)
        self.size = size
        self.line = line


_FIELDS = ("id", "text", "date", "title", "url")


def record_article(
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
    published = None
    where = f"{source}:{line}" if line is not None else source
    raw_date = record.get("date")
    if raw_date not in (None, ""):
        # a feed's odd date never costs the article: it is read without it, with a warning
        try:
            read = read_date(raw_date if isinstance(raw_date, str) else str(raw_date))
            date, precision, published = read.date, read.precision, read.moment
        except InputError as exc:
            log.warning("%s: %s; the article is read without it", where, exc.reason)
    title, url = record.get("title"), record.get("url")
    return Article(
        id=article_id,
        text=text,
        date=date,
        date_precision=precision,
        published=published,
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


def read_jsonl(
    item: Input, stream: IO[bytes], head: bytes, max_bytes: int, default_date: tuple[_dt.date | None, int],
    on_error: ErrorHandler,
) -> Iterator[Article]:
    text = text_stream(stream, head, item.name, complete=len(head) < SNIFF_BYTES)
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
            yield record_article(
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


def read_csv(
    item: Input, stream: IO[bytes], head: bytes, max_bytes: int, default_date: tuple[_dt.date | None, int],
    on_error: ErrorHandler,
) -> Iterator[Article]:
    # fields as large as the size limit; the csv module's limit is raised per row only
    text = text_stream(stream, head, item.name, complete=len(head) < SNIFF_BYTES)
    counter = [0]
    header: list[str] | None = None
    columns: list[str] = []
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
                with field_limit(max_bytes):
                    header = columns = [h.strip().lstrip("\ufeff").lower()
                                        for h in next(csv.reader([first], delimiter=delimiter))]
                if "text" not in header:
                    named = [h for h in header if h]
                    found = ", ".join(named[:20]) or "none"
                    if len(named) > 20:
                        found += f" and {len(named) - 20} more"
                    on_error(InputError(
                        f'no "text" column (columns found: {found}); name the column with the article text "text"',
                        source=item.name,
                    ))
                    return
            reader = csv.reader(lines, delimiter=delimiter, strict=True)
        start = counter[0] + 1
        try:
            with field_limit(max_bytes):
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
            hint = ("; the quote opened on this line never closes" if "unexpected end of data" in str(exc)
                    else "")
            on_error(InputError(f"malformed CSV row ({exc}){hint}", source=item.name, line=start))
            rows += 1
            if hint:  # everything after the quote was read into it: nothing more to read
                return
            continue
        if not row or not any(cell.strip() for cell in row):
            continue
        rows += 1
        if len(row) > len(columns) and any(cell.strip() for cell in row[len(columns):]):
            on_error(InputError(
                f"row has {len(row)} fields but the header has {len(columns)} (is a field with the separator not quoted?)",
                source=item.name, line=start))
            continue
        record = {name: value for name, value in zip(columns, row) if name in _FIELDS}
        record.setdefault("text", "")
        try:
            yield record_article(
                record, default_id=f"{item.id}:{start}", source=item.name, line=start,
                default_date=default_date, columns="column",
            )
        except InputError as exc:
            on_error(exc)


def read_json(item: Input, data: bytes, default_date: tuple[_dt.date | None, int], on_error: ErrorHandler) -> Iterator[Article]:
    text = decode_bytes(data, item.name)
    if not text.strip():
        raise InputError("empty file", source=item.name)
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"malformed JSON ({exc.msg} at line {exc.lineno} column {exc.colno})", source=item.name) from None
    except (ValueError, RecursionError) as exc:
        raise InputError(f"malformed JSON ({exc})", source=item.name) from None
    if isinstance(value, dict):
        yield record_article(value, default_id=item.id, source=item.name, line=None, default_date=default_date)
        return
    if not isinstance(value, list):
        raise InputError(f"expected a JSON object or a list of objects, got {_json_type(value)}", source=item.name)
    if not value:
        raise InputError("no records (an empty list)", source=item.name)
    for index, record in enumerate(value):
        try:
            yield record_article(
                record, default_id=f"{item.id}:{index}", source=f"{item.name}#{index}", line=None,
                default_date=default_date,
            )
        except InputError as exc:
            on_error(exc)
