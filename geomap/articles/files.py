"""Files, folders and stdin: each input to its reader by extension (or by sniffing), errors per input."""

from __future__ import annotations

import datetime as _dt
import io
import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..errors import InputError, UsageError
from ..models import Article
from .decode import bom_encoding, decode_bytes
from .header import article_from_parts, coerce_date, split_header
from .html import HTML_CHARSET, HTML_SNIFF, html_article
from .markdown import strip_markdown
from .records import read_csv, read_json, read_jsonl
from .source import DEFAULT_MAX_BYTES, SNIFF_BYTES, ErrorHandler, Input, Prefixed, read_limited

TEXT_SUFFIXES = (".txt", ".text")
MARKDOWN_SUFFIXES = (".md", ".markdown")
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
JSONL_SUFFIXES = (".jsonl", ".ndjson")
JSON_SUFFIXES = (".json",)
CSV_SUFFIXES = (".csv", ".tsv")
#: Extensions read from folders when no ``glob`` is given.
SUPPORTED_SUFFIXES = (
    TEXT_SUFFIXES + MARKDOWN_SUFFIXES + HTML_SUFFIXES + JSONL_SUFFIXES + JSON_SUFFIXES + CSV_SUFFIXES
)

STDIN = "-"
STDIN_NAME = "<stdin>"


def _read_one(item: Input, max_bytes: int, default_date: tuple[_dt.date | None, int], on_error: ErrorHandler) -> Iterator[Article]:
    try:
        stream = item.open()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", source=item.name) from None
    try:
        size = None
        if item.path is not None:
            try:
                st = os.fstat(stream.fileno())
                size = st.st_size if stat.S_ISREG(st.st_mode) else None
            except (OSError, io.UnsupportedOperation):
                size = None
        suffix = item.suffix
        if suffix in JSONL_SUFFIXES or suffix in CSV_SUFFIXES:
            head = stream.read(SNIFF_BYTES)
            if not head:
                raise InputError("empty file", source=item.name)
            reader = read_jsonl if suffix in JSONL_SUFFIXES else read_csv
            yield from reader(item, stream, head, max_bytes, default_date, on_error)
            return
        if item.path is None:
            # stdin: JSON lines when it starts with an object (streamed), else one article
            head = stream.read(SNIFF_BYTES)
            if head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{":
                yield from read_jsonl(item, stream, head, max_bytes, default_date, on_error)
                return
            stream = io.BufferedReader(Prefixed(head, stream))
        data = read_limited(stream, max_bytes, item.name, size)
        if not data.strip(b" \t\r\n\x0b\x0c"):
            raise InputError("empty file", source=item.name)
        if suffix in JSON_SUFFIXES:
            yield from read_json(item, data, default_date, on_error)
            return
        declared = None
        is_html = suffix in HTML_SUFFIXES
        if is_html or not (suffix in TEXT_SUFFIXES or suffix in MARKDOWN_SUFFIXES):
            if m := HTML_CHARSET.search(data[:4096]):
                declared = m[1].decode("ascii", "replace")
        text = decode_bytes(data, item.name, declared=declared if is_html else None)
        if not is_html and not (suffix in TEXT_SUFFIXES or suffix in MARKDOWN_SUFFIXES):
            if HTML_SNIFF.match(text[:4096]):
                is_html = True
                if declared and bom_encoding(data) is None:
                    text = decode_bytes(data, item.name, declared=declared)
        if not text.strip():
            raise InputError("empty file", source=item.name)
        if is_html:
            yield html_article(text, id=item.id, source=item.name, default_date=default_date)
            return
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        header, body = split_header(text, item.name)
        title = None
        if suffix in MARKDOWN_SUFFIXES:
            body, title = strip_markdown(body)
        yield article_from_parts(
            id=item.id, text=body, source=item.name, header=header, title=title, default_date=default_date
        )
    finally:
        if item.path is not None:
            stream.close()


def _unreadable_folders(folder: Path) -> list[tuple[str, str]]:
    """(folder, reason) for every folder under ``folder`` (itself included) that cannot be listed."""
    problems: list[tuple[str, str]] = []

    def record(exc: OSError) -> None:
        problems.append((exc.filename or str(folder), exc.strerror or str(exc)))

    for _, dirs, _ in os.walk(folder, onerror=record):
        dirs[:] = [d for d in dirs if not d.startswith(".")]  # hidden folders are never read
    return problems


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


def _expand(inputs: Iterable[str | os.PathLike[str]], globs: tuple[str, ...], on_error: ErrorHandler) -> Iterator[Input]:
    for raw in inputs:
        if str(raw) == STDIN:
            yield Input(None, STDIN_NAME, "stdin")
            continue
        path = Path(raw)
        if path.is_dir():
            problems = _unreadable_folders(path)
            for name, why in problems:
                on_error(InputError(f"cannot read folder ({why})", source=name))
            files = _folder_files(path, globs)
            if not files and not problems:
                looked = ", ".join(globs) if globs else ", ".join("*" + s for s in SUPPORTED_SUFFIXES)
                on_error(InputError(f"no articles found in this folder (looked for {looked}; choose files with --glob)", source=str(path)))
            for file in files:
                relative = file.relative_to(path).with_suffix("").as_posix()
                yield Input(file, str(file), relative)
        elif path.exists():
            yield Input(path, str(path), path.stem)
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
    default_date = coerce_date(date)
    handler = on_error if on_error is not None else _raise
    for item in _expand(list(inputs), globs, handler):
        try:
            yield from _read_one(item, max_bytes, default_date, handler)
        except InputError as exc:
            handler(exc)
        except OSError as exc:  # EIO, EACCES, ... while reading: this input fails, the others go on
            handler(InputError(f"cannot read: {exc.strerror or exc}", source=item.name))
        except (LookupError, ValueError, RecursionError) as exc:
            handler(InputError(f"cannot read: {type(exc).__name__}: {exc}", source=item.name))
