"""The map's payload in the page: JSON safe inside ``<script>``, gzip+base64 when large.

One encoding for geomap's own pages and for the folium bridge; the page script (``static/js/decode.js``) reads both.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import html
import json
import re
from dataclasses import dataclass
from typing import Any

#: Payloads larger than this (bytes of JSON) are gzip-compressed and base64-encoded in the page;
#: the browser inflates them with DecompressionStream. 100,000 incidents: ~17 MB -> ~3 MB.
COMPRESS_ABOVE = 3_000_000

_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_SURROGATES = re.compile("[\ud800-\udfff]")


def no_surrogates(text: str) -> str:
    """Lone surrogates (from a JSONL ``\\ud800`` escape) as U+FFFD: UTF-8 cannot encode them."""
    return _SURROGATES.sub("\ufffd", text)


def json_for_script(value: Any, ascii_only: bool = False) -> str:
    """JSON that is safe inside a ``<script>`` element: no ``</script>``, ``<!--`` or U+2028/9;
    with ``ascii_only`` every other character as a ``\\u`` escape.

    One ``str.replace`` per character to escape (each a fast scan of the text, where a regular
    expression calling back per match cost 0.1 s at 100,000 incidents); lone surrogates are looked
    for only when the text cannot be encoded."""
    text = json.dumps(value, ensure_ascii=ascii_only, allow_nan=False, separators=(",", ":"))
    for char, escaped in _JSON_ESCAPES.items():
        if char in text:
            text = text.replace(char, escaped)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = no_surrogates(text)
    return text


@dataclass(frozen=True, slots=True)
class EncodedPayload:
    """A payload as it goes into the page: its element id, text, MIME type and encoding."""

    uid: str
    text: str
    encoding: str  # "" or "gzip+base64"

    def script_tag(self) -> str:
        """The ``<script id="{uid}-data">`` element that holds the payload."""
        mime = "application/octet-stream" if self.encoding else "application/json"
        encoding = f' data-encoding="{html.escape(self.encoding)}"' if self.encoding else ""
        return f'<script type="{mime}" id="{self.uid}-data"{encoding}>{self.text}</script>'


def encode_payload(payload: dict[str, Any], compress: bool | None = None) -> EncodedPayload:
    """Encode ``payload``: always compressed (True), never (False), or above COMPRESS_ABOVE (None).

    The element id is a hash of the JSON, so two maps on one page never share one. Compressed
    JSON is all ASCII (escapes cost next to nothing once gzipped): the browser then inflates,
    decodes and parses a one-byte string, where a single "é" among the 17 MB of 100,000
    incidents would make all of it two-byte, some 50 ms slower to decode and parse."""
    if compress is not False:
        packed_json = json_for_script(payload, ascii_only=True)
        if compress or len(packed_json) > COMPRESS_ABOVE:
            raw = packed_json.encode("ascii")  # once, for the id and the compression
            packed = gzip.compress(raw, compresslevel=6, mtime=0)
            return EncodedPayload(_uid(raw), base64.b64encode(packed).decode("ascii"), "gzip+base64")
    data = json_for_script(payload)
    return EncodedPayload(_uid(data.encode("utf-8")), data, "")


def _uid(raw: bytes) -> str:
    return "geomap-" + hashlib.sha1(raw).hexdigest()[:10]
