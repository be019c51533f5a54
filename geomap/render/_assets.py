"""The page's JS and CSS assets: inlined from the XStatic packages (and the few files vendored in
``static/vendor/``), or linked from their pinned CDN addresses. :func:`tag` writes either form;
every page and the folium bridge use it.

The XStatic packages on PyPI carry the released ``dist/`` files byte for byte, so the Subresource
Integrity hashes computed here from the local files are the ones of the pinned CDN files too.
Our own JS and CSS live in ``geomap/render/static/``; the page's script is the files of
``static/js/`` joined in the order of :data:`SCRIPT_PARTS` (:func:`script_text`).
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
JQUERY_VERSION = "3.7.1"
AWESOME_MARKERS_VERSION = "2.0.2"
_CDN = "https://unpkg.com"
#: Where files vendored by ``tools/vendor_assets.py`` live (``package="vendor:FOLDER"``).
_VENDOR = "vendor:"


@dataclass(frozen=True, slots=True)
class Asset:
    """One JS or CSS file: where it comes from and its pinned CDN address."""

    package: str  # xstatic package module name, or "vendor:FOLDER" under static/vendor/
    name: str  # file name inside the package's data folder
    kind: str  # "js" or "css"
    cdn_url: str
    version: str


LEAFLET_CSS = Asset("leaflet", "leaflet.css", "css", f"{_CDN}/leaflet@{LEAFLET_VERSION}/dist/leaflet.css",
                    LEAFLET_VERSION)
LEAFLET_JS = Asset("leaflet", "leaflet.js", "js", f"{_CDN}/leaflet@{LEAFLET_VERSION}/dist/leaflet.js",
                   LEAFLET_VERSION)
JQUERY = Asset("jquery", "jquery.min.js", "js", f"https://code.jquery.com/jquery-{JQUERY_VERSION}.min.js",
               JQUERY_VERSION)
_AWESOME_CDN = f"https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/{AWESOME_MARKERS_VERSION}"
AWESOME_MARKERS_JS = Asset(_VENDOR + "awesome-markers", "leaflet.awesome-markers.min.js", "js",
                           f"{_AWESOME_CDN}/leaflet.awesome-markers.js", AWESOME_MARKERS_VERSION)
AWESOME_MARKERS_CSS = Asset(_VENDOR + "awesome-markers", "leaflet.awesome-markers.css", "css",
                            f"{_AWESOME_CDN}/leaflet.awesome-markers.css", AWESOME_MARKERS_VERSION)

#: Leaflet.markercluster, which every geomap map needs besides Leaflet.
MARKERCLUSTER: tuple[Asset, ...] = (
    Asset("leaflet_markercluster", "MarkerCluster.css", "css",
          f"{_CDN}/leaflet.markercluster@{MARKERCLUSTER_VERSION}/dist/MarkerCluster.css", MARKERCLUSTER_VERSION),
    Asset("leaflet_markercluster", "MarkerCluster.Default.css", "css",
          f"{_CDN}/leaflet.markercluster@{MARKERCLUSTER_VERSION}/dist/MarkerCluster.Default.css",
          MARKERCLUSTER_VERSION),
    Asset("leaflet_markercluster", "leaflet.markercluster.js", "js",
          f"{_CDN}/leaflet.markercluster@{MARKERCLUSTER_VERSION}/dist/leaflet.markercluster.js",
          MARKERCLUSTER_VERSION),
)
#: A geomap page's vendor assets, in load order (CSS first).
ASSETS: tuple[Asset, ...] = (LEAFLET_CSS, *[a for a in MARKERCLUSTER if a.kind == "css"], LEAFLET_JS,
                             *[a for a in MARKERCLUSTER if a.kind == "js"])

#: folium's own assets (names as in ``folium.Map.default_js``/``default_css``) that geomap holds
#: locally, the same library at the same version: an inline folium page uses these copies.
FOLIUM_LOCAL: dict[str, Asset] = {
    "leaflet": LEAFLET_JS, "leaflet_css": LEAFLET_CSS, "jquery": JQUERY,
    "awesome_markers": AWESOME_MARKERS_JS, "awesome_markers_css": AWESOME_MARKERS_CSS,
}


def _package_dir(asset: Asset) -> Path:
    import importlib

    if asset.package.startswith(_VENDOR):
        folder = _STATIC / "vendor" / asset.package[len(_VENDOR):]
        if not folder.is_dir():
            raise DataError(f"{folder} is missing: the geomap installation is incomplete; reinstall it")
        return folder
    pip_name = f"xstatic-{asset.package.replace('_', '-')}"
    try:
        module = importlib.import_module(f"xstatic.pkg.{asset.package}")
    except ImportError as exc:
        raise DataError(f"the XStatic package for {asset.package} is missing: pip install '{pip_name}'") from exc
    if not str(module.VERSION).startswith(asset.version):
        raise DataError(f"{pip_name} is version {module.VERSION}, geomap pins {asset.version}: "
                        f"pip install '{pip_name}=={asset.version}.*'")
    return Path(module.BASE_DIR)


@functools.cache
def raw_bytes(asset: Asset) -> bytes:
    """The file exactly as shipped (what the CDN serves)."""
    path = _package_dir(asset) / asset.name
    try:
        return path.read_bytes()
    except OSError as exc:
        raise DataError(f"cannot read {path}: reinstall the package that holds {asset.name}") from exc


def sri(asset: Asset) -> str:
    """The Subresource Integrity value of the shipped file."""
    return "sha256-" + base64.b64encode(hashlib.sha256(raw_bytes(asset)).digest()).decode("ascii")


_SOURCE_MAP = re.compile(r"^\s*/[/*][#@] sourceMappingURL=.*$", re.MULTILINE)
_CSS_URL = re.compile(r"url\((['\"]?)(images/[^)'\"]+)\1\)")


@functools.cache
def inline_text(asset: Asset) -> str:
    """The file ready to inline: no source-map link, CSS images as data: URIs."""
    text = raw_bytes(asset).decode("utf-8")
    text = _SOURCE_MAP.sub("", text)
    if asset.kind == "css":
        folder = _package_dir(asset)

        def to_data_uri(match: re.Match[str]) -> str:
            data = (folder / match.group(2)).read_bytes()
            return f"url(data:image/png;base64,{base64.b64encode(data).decode('ascii')})"

        text = _CSS_URL.sub(to_data_uri, text)
    return safe_for_tag(text, "script" if asset.kind == "js" else "style")


def safe_for_tag(text: str, tag: str) -> str:
    """Make ``text`` safe inside ``<tag>...</tag>``: no early close tag."""
    return re.sub(rf"</({tag})", r"<\\/\1", text, flags=re.IGNORECASE)


@functools.cache
def own_text(name: str) -> str:
    """One of geomap's own static files (``geomap.css``, ``folium_boot.js``)."""
    path = _STATIC / name
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DataError(f"cannot read {path}: the geomap installation is incomplete; "
                        "reinstall it (pip install -e .)") from exc
    return safe_for_tag(text, "script" if name.endswith(".js") else "style")


#: geomap's own script, one file per concern, in the order they are joined (helpers and the map's
#: object first, the entry points last). They share one scope: the joined text runs inside one
#: function, so no part leaks a global but ``window.GeoMap`` (``boot.js``).
SCRIPT_PARTS: tuple[str, ...] = ("core", "decode", "basemap", "markers", "clusters", "controls", "legend", "state",
                                 "export", "snapshot", "popups", "boot")


@functools.cache
def script_text() -> str:
    """geomap's page script: the :data:`SCRIPT_PARTS` of ``static/js/`` joined inside one strict
    function, safe inside ``<script>``."""
    parts = []
    for name in SCRIPT_PARTS:
        path = _STATIC / "js" / f"{name}.js"
        try:
            parts.append(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise DataError(f"cannot read {path}: the geomap installation is incomplete; "
                            "reinstall it (pip install -e .)") from exc
    text = '(function () {\n"use strict";\n\n' + "\n".join(parts) + "})();\n"
    return safe_for_tag(text, "script")


@functools.cache
def _default_icons() -> str:
    """Leaflet finds its default marker images next to leaflet.css, which an inline page does not
    have: point L.Icon.Default at the images as data: URIs (folium's plain Markers use it)."""
    folder = _package_dir(LEAFLET_JS) / "images"

    def uri(name: str) -> str:
        return "data:image/png;base64," + base64.b64encode((folder / name).read_bytes()).decode("ascii")

    return ('L.Icon.Default.imagePath = "";L.Icon.Default.mergeOptions('
            f'{{iconUrl:"{uri("marker-icon.png")}",iconRetinaUrl:"{uri("marker-icon-2x.png")}",'
            f'shadowUrl:"{uri("marker-shadow.png")}"}});')


def tag(asset: Asset, *, inline: bool) -> str:
    """The asset's ``<style>``/``<script>`` with its text, or its pinned CDN ``<link>``/``<script src>``
    with an integrity hash."""
    if inline:
        kind = "style" if asset.kind == "css" else "script"
        text = inline_text(asset) + ("\n" + _default_icons() if asset == LEAFLET_JS else "")
        return f"<{kind}>{text}</{kind}>"
    if asset.kind == "css":
        return f'<link rel="stylesheet" href="{asset.cdn_url}" integrity="{sri(asset)}" crossorigin="anonymous">'
    return f'<script src="{asset.cdn_url}" integrity="{sri(asset)}" crossorigin="anonymous"></script>'


def own_tags() -> str:
    """geomap's own CSS and JS, always inline."""
    return f"<style>{own_text('geomap.css')}</style>\n<script>{script_text()}</script>"


def head_html(cdn: bool) -> str:
    """The ``<head>`` tags of a geomap page: Leaflet, markercluster and geomap's own files."""
    return "\n".join([*(tag(asset, inline=not cdn) for asset in ASSETS), own_tags()])


#: The files of the shared asset block (``--assets-url``): every style and script a page needs.
BUNDLE_CSS = "geomap-assets.css"
BUNDLE_JS = "geomap-assets.js"


def bundle_files() -> dict[str, str]:
    """File name -> text of the shared asset block: Leaflet, markercluster and geomap's own CSS
    in one file, their scripts in another (the same texts a page inlines)."""
    css = [inline_text(a) for a in ASSETS if a.kind == "css"] + [own_text("geomap.css")]
    js = [inline_text(a) + ("\n" + _default_icons() if a == LEAFLET_JS else "") for a in ASSETS if a.kind == "js"]
    return {BUNDLE_CSS: "\n".join(css) + "\n", BUNDLE_JS: "\n;\n".join([*js, script_text()]) + "\n"}


def linked_head(url: str) -> str:
    """The ``<head>`` tags of a page that loads the shared asset block from ``url`` (a folder)."""
    import html

    base = url if url.endswith("/") else url + "/"
    return (f'<link rel="stylesheet" href="{html.escape(base + BUNDLE_CSS, quote=True)}">\n'
            f'<script src="{html.escape(base + BUNDLE_JS, quote=True)}"></script>')

