"""The incident map: a self-contained Leaflet page, an embeddable fragment, or a Jupyter view."""

from __future__ import annotations

import base64
import gzip
import hashlib
import html
import json
import os
import re
from pathlib import Path
from typing import Any

from .._atomic import write_text_atomic
from .._version import __version__
from . import _assets

#: From this many incidents on, pins that overlap on screen join a cluster (by default).
CLUSTER_THRESHOLD = 2
#: Payloads larger than this (bytes of JSON) are gzip-compressed and base64-encoded in the page;
#: the browser inflates them with DecompressionStream. 100,000 incidents: ~17 MB -> ~3 MB.
COMPRESS_ABOVE = 3_000_000
#: Height of the embedded map unless told otherwise.
EMBED_HEIGHT = "520px"

_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


_SURROGATES = re.compile("[\ud800-\udfff]")


def json_for_script(value: Any) -> str:
    """JSON that is safe inside a ``<script>`` element: no ``</script>``, ``<!--`` or U+2028/9.

    Lone surrogates (from a JSONL ``\\ud800`` escape) become U+FFFD: UTF-8 cannot encode them.
    """
    text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    text = _SURROGATES.sub("\ufffd", text)
    return "".join(_JSON_ESCAPES.get(ch, ch) for ch in text) if any(
        ch in text for ch in _JSON_ESCAPES) else text


class IncidentMap:
    """A rendered incident map.

    ``save(path)`` writes the page (atomically), ``to_html()`` returns it, ``to_embed()`` returns
    an ``<iframe srcdoc>`` fragment for pasting into another page, and in Jupyter the object
    displays itself inline. ``incidents`` is the GeoDataFrame that was mapped (after filters).
    """

    def __init__(self, payload: dict[str, Any], incidents: Any, *, cdn: bool = False,
                 compress: bool | None = None) -> None:
        self.payload = payload
        self.incidents = incidents
        self.cdn = cdn
        #: True: always compress the payload, False: never, None: above COMPRESS_ABOVE bytes.
        self.compress = compress
        self.title: str = _SURROGATES.sub("\ufffd", payload["title"])

    def __len__(self) -> int:
        return int(self.payload["n"])

    def __repr__(self) -> str:
        return f"<IncidentMap {self.title!r}: {len(self)} incidents>"

    def _data_json(self, view: str | None = None) -> str:
        payload = self.payload if view is None else {**self.payload, "view": view.lstrip("#")}
        return json_for_script(payload)

    def to_html(self, *, view: str | None = None) -> str:
        """The complete HTML page. ``view`` ("region=RU-KDA&types=air_strike") sets its initial
        filters; a fragment in the page's URL still wins."""
        data = self._data_json(view)
        uid = "geomap-" + hashlib.sha1(data.encode("utf-8")).hexdigest()[:10]
        title = html.escape(self.title)
        encoding = ""
        compress = self.compress if self.compress is not None else len(data) > COMPRESS_ABOVE
        if compress:
            packed = gzip.compress(data.encode("utf-8"), compresslevel=6, mtime=0)
            data = base64.b64encode(packed).decode("ascii")
            encoding = ' data-encoding="gzip+base64"'
        data_type = "application/json" if not encoding else "application/octet-stream"
        return "\n".join([
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f'<meta name="generator" content="geomap {html.escape(__version__)}">',
            f"<title>{title}</title>",
            _assets.head_html(self.cdn),
            "</head>",
            '<body class="geomap-page">',
            f'<div class="geomap" id="{uid}"><div class="geomap-map" role="region" '
            f'aria-label="{title}"></div></div>',
            f'<script type="{data_type}" id="{uid}-data"{encoding}>{data}</script>',
            f'<script>GeoMap.fromScript("{uid}");</script>',
            "</body>",
            "</html>",
            "",
        ])

    def save(self, path: str | os.PathLike[str], *, view: str | None = None) -> Path:
        """Write the page to ``path`` atomically and return the path."""
        return write_text_atomic(path, self.to_html(view=view))

    def to_embed(self, *, view: str | None = None, height: str = EMBED_HEIGHT) -> str:
        """An ``<iframe srcdoc>`` holding the whole page, to paste into another HTML page.

        The frame is sandboxed (scripts and new-tab links only): the host page's scripts and
        styles cannot clash with the map's, and the map cannot reach the host page.
        """
        return (
            f'<iframe class="geomap-embed" title="{html.escape(self.title)}" '
            f'style="width:100%;height:{html.escape(height)};border:0" '
            'sandbox="allow-scripts allow-popups allow-popups-to-escape-sandbox" '
            f'srcdoc="{html.escape(self.to_html(view=view), quote=True)}"></iframe>')

    def save_embed(self, path: str | os.PathLike[str], *, view: str | None = None,
                   height: str = EMBED_HEIGHT) -> Path:
        """Write :meth:`to_embed`'s fragment to ``path`` atomically."""
        return write_text_atomic(path, self.to_embed(view=view, height=height) + "\n")

    def to_folium(self, m: Any = None, *, inline: bool = True, compress: bool | None = None) -> Any:
        """Add this map's incident layers and controls to a folium.Map (a new one unless ``m`` is given)."""
        from ._folium import to_folium

        return to_folium(self, m, inline=inline, compress=self.compress if compress is None else compress)

    def _repr_html_(self) -> str:
        return self.to_embed()
