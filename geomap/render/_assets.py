"""Leaflet and Leaflet.markercluster assets: inlined from the XStatic packages, or CDN links.

The XStatic packages on PyPI carry the released ``dist/`` files byte for byte, so the Subresource
Integrity hashes computed here from the local files are the ones of the pinned CDN files too.
Our own JS and CSS live in ``geomap/render/static/``.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import DataError

_STATIC = Path(__file__).resolve().parent / "static"

#: Pinned versions; CDN links use exactly these.
LEAFLET_VERSION = "1.9.3"
MARKERCLUSTER_VERSION = "1.4.1"
_CDN = "https://unpkg.com"


@dataclass(frozen=True, slots=True)
class Asset:
    """One JS or CSS file: where it comes from and its pinned CDN address."""

    package: str  # xstatic package module name
    name: str  # file name inside the package's data folder
    kind: str  # "js" or "css"
    cdn_url: str


ASSETS: tuple[Asset, ...] = (
    Asset("leaflet", "leaflet.css", "css", f"{_CDN}/leaflet@{LEAFLET_VERSION}/dist/leaflet.css"),
    Asset("leaflet_markercluster", "MarkerCluster.css", "css",
          f"{_CDN}/leaflet.markercluster@{MARKERCLUSTER_VERSION}/dist/MarkerCluster.css"),
    Asset("leaflet_markercluster", "MarkerCluster.Default.css", "css",
          f"{_CDN}/leaflet.markercluster@{MARKERCLUSTER_VERSION}/dist/MarkerCluster.Default.css"),
    Asset("leaflet", "leaflet.js", "js", f"{_CDN}/leaflet@{LEAFLET_VERSION}/dist/leaflet.js"),
    Asset("leaflet_markercluster", "leaflet.markercluster.js", "js",
          f"{_CDN}/leaflet.markercluster@{MARKERCLUSTER_VERSION}/dist/leaflet.markercluster.js"),
)


def _package_dir(package: str, expected_version: str) -> Path:
    import importlib

    try:
        module = importlib.import_module(f"xstatic.pkg.{package}")
    except ImportError as exc:
        raise DataError(f"the XStatic package for {package} is missing: "
                        f"pip install 'xstatic-{package.replace('_', '-')}'") from exc
    if not str(module.VERSION).startswith(expected_version):
        raise DataError(f"xstatic-{package} is version {module.VERSION}, geomap pins "
                        f"{expected_version}: pip install 'xstatic-{package.replace('_', '-')}"
                        f"=={expected_version}.*'")
    return Path(module.BASE_DIR)


def _version_of(package: str) -> str:
    return LEAFLET_VERSION if package == "leaflet" else MARKERCLUSTER_VERSION


@functools.lru_cache(maxsize=None)
def raw_bytes(asset: Asset) -> bytes:
    """The file exactly as shipped (what the CDN serves)."""
    path = _package_dir(asset.package, _version_of(asset.package)) / asset.name
    try:
        return path.read_bytes()
    except OSError as exc:
        raise DataError(f"cannot read {path}: reinstall xstatic-{asset.package}") from exc


def sri(asset: Asset) -> str:
    """The Subresource Integrity value of the shipped file."""
    return "sha256-" + base64.b64encode(hashlib.sha256(raw_bytes(asset)).digest()).decode("ascii")


_SOURCE_MAP = re.compile(r"^\s*/[/*][#@] sourceMappingURL=.*$", re.MULTILINE)
_CSS_URL = re.compile(r"url\((['\"]?)(images/[^)'\"]+)\1\)")


@functools.lru_cache(maxsize=None)
def inline_text(asset: Asset) -> str:
    """The file ready to inline: no source-map link, CSS images as data: URIs."""
    text = raw_bytes(asset).decode("utf-8")
    text = _SOURCE_MAP.sub("", text)
    if asset.kind == "css":
        folder = _package_dir(asset.package, _version_of(asset.package))

        def to_data_uri(match: re.Match[str]) -> str:
            data = (folder / match.group(2)).read_bytes()
            return f"url(data:image/png;base64,{base64.b64encode(data).decode('ascii')})"

        text = _CSS_URL.sub(to_data_uri, text)
    return safe_for_tag(text, "script" if asset.kind == "js" else "style")


def safe_for_tag(text: str, tag: str) -> str:
    """Make ``text`` safe inside ``<tag>...</tag>``: no early close tag."""
    return re.sub(rf"</({tag})", r"<\\/\1", text, flags=re.IGNORECASE)


@functools.lru_cache(maxsize=None)
def own_text(name: str) -> str:
    """One of geomap's own static files (``geomap.js``, ``geomap.css``)."""
    path = _STATIC / name
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DataError(f"cannot read {path}: the geomap installation is incomplete; "
                        "reinstall it (pip install -e .)") from exc
    return safe_for_tag(text, "script" if name.endswith(".js") else "style")


def head_html(cdn: bool) -> str:
    """The ``<style>``/``<script>`` (or ``<link>``) tags of Leaflet, markercluster and geomap."""
    parts: list[str] = []
    for asset in ASSETS:
        if cdn:
            if asset.kind == "css":
                parts.append(f'<link rel="stylesheet" href="{asset.cdn_url}" integrity="{sri(asset)}" '
                             'crossorigin="anonymous">')
            else:
                parts.append(f'<script src="{asset.cdn_url}" integrity="{sri(asset)}" '
                             'crossorigin="anonymous"></script>')
        elif asset.kind == "css":
            parts.append(f"<style>{inline_text(asset)}</style>")
        else:
            parts.append(f"<script>{inline_text(asset)}</script>")
    parts.append(f"<style>{own_text('geomap.css')}</style>")
    parts.append(f"<script>{own_text('geomap.js')}</script>")
    return "\n".join(parts)
