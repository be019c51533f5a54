"""Bytes to text: BOMs, UTF-16 without BOM, declared charsets, legacy encodings, binary data."""

from __future__ import annotations

import codecs
import io
import logging
import unicodedata
from typing import IO

from ..errors import InputError
from .source import SNIFF_BYTES, Prefixed

log = logging.getLogger("geomap.articles")


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
UTF8_FALLBACK = "utf-8 (fallback)"


def bom_encoding(head: bytes) -> str | None:
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


def text_encoding(name: str) -> str | None:
    """The codec name of ``name`` when it is a text encoding that decodes bytes; else None.

    ``codecs.lookup`` also finds bytes-to-bytes and text-to-text codecs (hex, base64, rot13,
    zlib, bz2, uu, quopri) and ones that cannot decode arbitrary bytes (idna, undefined): a page
    declaring one of those would raise LookupError or ValueError instead of being read.
    """
    try:
        info = codecs.lookup(name)
        if not getattr(info, "_is_text_encoding", True):
            return None
        codecs.getincrementaldecoder(info.name)(errors="replace").decode(b"geomap \xff", final=True)
    except (LookupError, ValueError, TypeError):  # UnicodeError is a ValueError
        return None
    return info.name


def sniff_encoding(head: bytes, source: str, *, declared: str | None = None, complete: bool) -> str:
    """The encoding of a file from its first bytes; raises InputError for binary data."""
    encoding = bom_encoding(head)
    if encoding:
        return encoding
    encoding = _utf16_without_bom(head)
    if encoding:
        return encoding
    if _looks_binary(head):
        raise InputError(_BINARY, source=source)
    if declared:
        name = text_encoding(declared)
        if name is not None:
            return name
        log.info("%s: declared charset %r is not a text encoding; ignored", source, declared)
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
    return UTF8_FALLBACK


def decode_bytes(data: bytes, source: str, *, declared: str | None = None) -> str:
    encoding = sniff_encoding(data[:SNIFF_BYTES] if len(data) > SNIFF_BYTES else data,
                               source, declared=declared, complete=len(data) <= SNIFF_BYTES)
    if encoding == UTF8_FALLBACK:
        return data.decode("utf-8", errors="replace").lstrip("\ufeff")
    text = data.decode(encoding, errors="replace")
    if "\ufffd" in text and b"\xef\xbf\xbd" not in data:
        log.warning("%s: some bytes could not be decoded as %s and were replaced", source, encoding)
    if not _mostly_printable(text[:SNIFF_BYTES]) or "\x00" in text:
        raise InputError(_BINARY, source=source)
    return text.lstrip("\ufeff")


def text_stream(stream: IO[bytes], head: bytes, source: str, *, complete: bool) -> io.TextIOWrapper:
    encoding = sniff_encoding(head, source, complete=complete)
    if encoding == UTF8_FALLBACK:
        encoding = "utf-8"
    raw = io.BufferedReader(Prefixed(head, stream))
    text = io.TextIOWrapper(raw, encoding=encoding, errors="replace", newline="")
    return text
