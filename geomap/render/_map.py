"""The incident map: a self-contained Leaflet page, an embeddable fragment, or a Jupyter view."""

from __future__ import annotations

import html
import os
import re
from pathlib import Path
from typing import Any

from .._atomic import write_text_atomic
from .._version import __version__
from ..errors import UsageError
from . import _assets
from ._payload import COMPRESS_ABOVE, encode_payload, json_for_script, no_surrogates

__all__ = ["CLUSTER_THRESHOLD", "COMPRESS_ABOVE", "EMBED_HEIGHT", "IncidentMap", "json_for_script"]

#: From this many incidents on, pins that overlap on screen join a cluster (by default).
CLUSTER_THRESHOLD = 2
#: Height of the embedded map unless told otherwise.
EMBED_HEIGHT = "520px"

_HEIGHT = re.compile(r"^\s*(\d+(\.\d+)?)\s*(px|em|rem|vh|%)?\s*$")
_ASPECT = re.compile(r"^\s*(\d+(\.\d+)?)\s*([:/x]\s*(\d+(\.\d+)?))?\s*$")
_LINK = re.compile(r"^(https?://|\.{0,2}/|[\w.-]+(/|\.html?\b|$))", re.IGNORECASE)


def css_height(value: str | int | float) -> str:
    """``--height``: a CSS length (520, "520px", "60vh", "80%"); anything else is refused."""
    match = _HEIGHT.match(str(value))
    if not match:
        raise UsageError(f"--height {value!r} is not a height: write it as 520, 520px, 60vh or 80%")
    return match.group(1) + (match.group(3) or "px")


def css_aspect(value: str | float) -> str:
    """``--aspect``: width to height ("16:9", "4/3", 1.5) as a CSS ``aspect-ratio``."""
    match = _ASPECT.match(str(value))
    if not match or float(match.group(1)) <= 0 or (match.group(4) and float(match.group(4)) <= 0):
        raise UsageError(f"--aspect {value!r} is not a ratio: write it as 16:9, 4/3 or 1.5")
    return match.group(1) + (f" / {match.group(4)}" if match.group(4) else "")


def assets_url(value: str | None) -> str | None:
    """``--assets-url``: the folder (a web address or a path relative to the page) that holds the
    shared asset block (:func:`write_assets`); anything else is refused."""
    if value is None or value == "":
        return None
    text = str(value).strip()
    if not re.match(r"^(https?://|\.{0,2}/|[\w.-])", text, re.IGNORECASE) or \
            text.lower().startswith(("javascript:", "data:", "file:")) or any(c in text for c in "\"'<> "):
        raise UsageError(f"--assets-url {value!r}: give a folder's web address (https://...) or a path "
                         "relative to the page (assets/)")
    return text


def write_assets(folder: str | os.PathLike[str]) -> list[Path]:
    """Write the shared asset block (``geomap-assets.css``, ``geomap-assets.js``) into ``folder``,
    atomically, for pages and embeds made with ``assets_url``."""
    out = []
    for name, text in _assets.bundle_files().items():
        out.append(write_text_atomic(Path(folder) / name, text))
    return out


def link_target(value: str | None) -> str | None:
    """``--link``: where an embed's "open the full map" points (a web address or a relative path)."""
    if value is None or value == "":
        return None
    text = str(value).strip()
    if not _LINK.match(text) or text.lower().startswith(("javascript:", "data:", "file:")):
        raise UsageError(f"--link {value!r}: give the full map's web address (https://...) or a "
                         "path relative to the page (maps/full.html)")
    return text


class IncidentMap:
    """A rendered incident map.

    ``save(path)`` writes the page (atomically), ``to_html()`` returns it, ``to_embed()`` returns
    an ``<iframe srcdoc>`` fragment for pasting into another page, and in Jupyter the object
    displays itself inline. ``incidents`` is the GeoDataFrame that was mapped (after filters).
    """

    def __init__(self, payload: dict[str, Any], incidents: Any, *, cdn: bool = False,
                 compress: bool | None = None, assets: str | None = None) -> None:
        self.payload = payload
        self.incidents = incidents
        self.cdn = cdn
        #: The folder of the shared asset block (``write_assets``) the page loads instead of
        #: inlining Leaflet and geomap's scripts: several embeds on one page share one copy.
        self.assets = assets_url(assets)
        #: True: always compress the payload, False: never, None: above COMPRESS_ABOVE bytes.
        self.compress = compress
        self.title: str = no_surrogates(payload["title"])

    def __len__(self) -> int:
        return int(self.payload["n"])

    def __repr__(self) -> str:
        return f"<IncidentMap {self.title!r}: {len(self)} incidents>"

    def _payload(self, view: str | None, link: str | None = None) -> dict[str, Any]:
        payload = self.payload
        if view is not None:
            payload = {**payload, "view": view.lstrip("#")}
        if link is not None:
            payload = {**payload, "link": link}
        return payload

    def to_html(self, *, view: str | None = None, link: str | None = None) -> str:
        """The complete HTML page. ``view`` ("region=RU-KDA&types=air_strike") sets its initial
        filters; a fragment in the page's URL still wins. ``link``: see :meth:`to_embed`."""
        encoded = encode_payload(self._payload(view, link_target(link)), self.compress)
        title = html.escape(self.title)
        return "\n".join([
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f'<meta name="generator" content="geomap {html.escape(__version__)}">',
            f"<title>{title}</title>",
            _assets.linked_head(self.assets) if self.assets else _assets.head_html(self.cdn),
            "</head>",
            '<body class="geomap-page">',
            f'<div class="geomap" id="{encoded.uid}"><div class="geomap-map" role="region" '
            f'aria-label="{title}"></div></div>',
            encoded.script_tag(),
            f'<script>GeoMap.fromScript("{encoded.uid}");</script>',
            "</body>",
            "</html>",
            "",
        ])

    def save(self, path: str | os.PathLike[str], *, view: str | None = None) -> Path:
        """Write the page to ``path`` atomically and return the path."""
        return write_text_atomic(path, self.to_html(view=view))

    def to_embed(self, *, view: str | None = None, height: str | int | float = EMBED_HEIGHT,
                 aspect: str | float | None = None, link: str | None = None) -> str:
        """An ``<iframe srcdoc>`` holding the whole page, to paste into another HTML page.

        ``height`` (a CSS length, 520 meaning 520px) or ``aspect`` (width:height, "16:9": the
        frame keeps that shape at any width) size the frame. ``link``, the address of the full
        map, puts an "Open the full map" link in the frame. The frame is sandboxed (scripts,
        new-tab links and the map's own downloads only: without ``allow-downloads`` Chromium
        drops the CSV, GeoJSON and PNG the reader asks for): the host page's scripts and styles
        cannot clash with the map's, and the map cannot reach the host page.
        """
        size = f"aspect-ratio:{css_aspect(aspect)};height:auto" if aspect is not None else (
            f"height:{css_height(height)}")
        return (
            f'<iframe class="geomap-embed" title="{html.escape(self.title)}" '
            f'style="width:100%;{size};border:0" '
            'sandbox="allow-scripts allow-popups allow-popups-to-escape-sandbox allow-downloads" '
            f'srcdoc="{html.escape(self.to_html(view=view, link=link), quote=True)}"></iframe>')

    def save_embed(self, path: str | os.PathLike[str], *, view: str | None = None,
                   height: str | int | float = EMBED_HEIGHT, aspect: str | float | None = None,
                   link: str | None = None) -> Path:
        """Write :meth:`to_embed`'s fragment to ``path`` atomically."""
        return write_text_atomic(path, self.to_embed(view=view, height=height, aspect=aspect, link=link) + "\n")

    def _repr_html_(self) -> str:
        return self.to_embed()
