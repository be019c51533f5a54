"""geomap's incident layers on a folium map: combine them with your own folium layers.

:class:`IncidentLayer` is a folium element (one Jinja template, like folium's own) that adds the
incident map of an :class:`~geomap.render.IncidentMap` to a ``folium.Map``: a layer per incident
type, the legend, the region, date and place filters and the URL-fragment state, drawn by the same
``geomap.js`` as geomap's own pages. :func:`to_folium` builds one from an incidents GeoDataFrame.

>>> m = to_folium(incidents, types=["air_strike"])
>>> marker = folium.CircleMarker([50.45, 30.52], radius=8).add_to(m)
>>> m.save("maps/strikes.html")

No text from input is ever template source: the payload and the script are rendered by this
module's own template (where data are values, never source) and added to the page as
:class:`RawHTML`, which branca inserts as it is. branca's ``MacroElement.render`` instead wraps
each macro's output in ``Element(...)``, a new Jinja template, and would run ``{{ ... }}`` found
in an article.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import html
from typing import Any

from branca.element import Element, Figure, MacroElement
from jinja2 import Template

from ..errors import UsageError
from . import _assets
from ._map import COMPRESS_ABOVE, IncidentMap, json_for_script

#: Name of the ``<head>`` element holding Leaflet and markercluster (one per page).
VENDOR_ASSETS = "geomap_vendor_assets"
#: Name of the ``<head>`` element holding geomap's own CSS and JS (one per page).
OWN_ASSETS = "geomap_assets"

# On a folium map the Leaflet container itself is the geomap root (geomap.css expects it inside).
_FOLIUM_CSS = ".geomap.geomap-offline.leaflet-container { background: #dce9f2; }"


class RawHTML(Element):
    """Markup that branca adds to the page as it is (``Element(text)`` would compile it as Jinja)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "RawHTML"
        self.text = text

    def render(self, **kwargs: Any) -> str:
        return self.text


class IncidentLayer(MacroElement):
    """The incident layers, controls and data of an incident map, on a ``folium.Map``.

    Parameters
    ----------
    incident_map : IncidentMap
        What :func:`geomap.render.make_map` returns; its payload (incidents, regions, outlines,
        types, initial view) is embedded in the page as escaped JSON.
    inline : bool, default True
        Inline Leaflet.markercluster (and, with :func:`to_folium`, Leaflet) into the page, so it
        works offline. False links markercluster from its pinned CDN address with an integrity
        hash and leaves the map's own (folium's CDN) Leaflet in place.
    compress : bool or None, default None
        Gzip the payload: always (True), never (False) or above ``COMPRESS_ABOVE`` bytes (None).

    Notes
    -----
    Add it to the map itself, not to a FeatureGroup. With ``inline=True`` the map must not link
    folium's CDN assets: :func:`to_folium` clears them on the map instance (``m.default_js`` and
    ``m.default_css``). Those assets carry jQuery, Bootstrap and awesome-markers, so folium
    elements that need them (``folium.Icon``, ``keep_in_front``) want ``inline=False``.
    The map's base tile layers join geomap's layer control and replace the offline outlines;
    a map without tiles (``tiles=None``) gets the offline outlines, drawn without the network.

    Examples
    --------
    >>> m = folium.Map(tiles=None)
    >>> m.default_js, m.default_css = [], []
    >>> from geomap.render import make_map
    >>> layer = IncidentLayer(make_map(incidents)).add_to(m)
    """

    _template = Template(
        """
        {% macro html(this, kwargs) %}
            <script type="{{ this.data_type }}" id="{{ this.uid }}-data"
                {%- if this.encoding %} data-encoding="{{ this.encoding }}"{% endif %}>
            {{- this.data -}}
            </script>
        {% endmacro %}

        {% macro script(this, kwargs) %}
            GeomapFolium.attach(
                function () { return {{ this._parent.get_name() }}; },
                {{ this.uid|tojson }},
                function () { return [
                    {%- for layer in this.base_tile_layers() %}
                    [{{ layer.get_name() }}, {{ layer.layer_name|tojson }}],
                    {%- endfor %}
                ]; }
            );
        {% endmacro %}
        """
    )

    def __init__(self, incident_map: IncidentMap, *, inline: bool = True,
                 compress: bool | None = None) -> None:
        super().__init__()
        if not isinstance(incident_map, IncidentMap):
            raise UsageError(f"IncidentLayer takes an IncidentMap (geomap.render.make_map), "
                             f"not {type(incident_map).__name__}")
        self._name = "IncidentLayer"
        self.incident_map = incident_map
        self.inline = inline
        data = json_for_script(incident_map.payload)
        self.uid = "geomap-" + hashlib.sha1(data.encode("utf-8")).hexdigest()[:10]
        if compress if compress is not None else len(data) > COMPRESS_ABOVE:
            packed = gzip.compress(data.encode("utf-8"), compresslevel=6, mtime=0)
            data = base64.b64encode(packed).decode("ascii")
            self.encoding = "gzip+base64"
            self.data_type = "application/octet-stream"
        else:
            self.encoding = ""
            self.data_type = "application/json"
        self.data = data

    def __repr__(self) -> str:
        return f"<IncidentLayer {self.incident_map.title!r}: {len(self.incident_map)} incidents>"

    def base_tile_layers(self) -> list[Any]:
        """The map's base tile layers (folium ``TileLayer`` children that are not overlays)."""
        from folium.raster_layers import TileLayer

        return [child for child in self._parent._children.values()
                if isinstance(child, TileLayer) and not child.overlay]

    def render(self, **kwargs: Any) -> None:
        """Add the assets to the page's ``<head>``, then the payload and the script."""
        import folium

        if not isinstance(self._parent, folium.Map):
            raise UsageError("add the IncidentLayer to a folium.Map itself "
                             f"(it was added to {type(self._parent).__name__})")
        figure = self.get_root()
        if not isinstance(figure, Figure):
            raise UsageError("the folium.Map of the IncidentLayer is not in a Figure; "
                             "render it with m.get_root().render() or m.save()")
        vendor = RawHTML(vendor_html(self.inline))
        figure.header.add_child(vendor, name=VENDOR_ASSETS)
        if self.inline:
            # Leaflet first: plugins linked by elements added before this one need L on load
            children = figure.header._children
            children.move_to_end(VENDOR_ASSETS, last=False)
            if "meta_http" in children:
                children.move_to_end("meta_http", last=False)
        figure.header.add_child(RawHTML(own_html()), name=OWN_ASSETS)
        # not MacroElement.render: it re-compiles each macro's output (the payload) as a template
        macros = self._template.module
        figure.html.add_child(RawHTML(macros.html(self, kwargs)), name=self.get_name())
        figure.script.add_child(RawHTML(macros.script(self, kwargs)), name=self.get_name())
        for child in self._children.values():
            child.render(**kwargs)


def vendor_html(inline: bool) -> str:
    """Leaflet and markercluster inlined, or markercluster's pinned CDN links (folium brings Leaflet)."""
    parts: list[str] = []
    for asset in _assets.ASSETS:
        if inline:
            tag = "style" if asset.kind == "css" else "script"
            parts.append(f"<{tag}>{_assets.inline_text(asset)}</{tag}>")
        elif asset.package == "leaflet":
            continue
        elif asset.kind == "css":
            parts.append(f'<link rel="stylesheet" href="{asset.cdn_url}" '
                         f'integrity="{_assets.sri(asset)}" crossorigin="anonymous">')
        else:
            parts.append(f'<script src="{asset.cdn_url}" integrity="{_assets.sri(asset)}" '
                         'crossorigin="anonymous"></script>')
    return "\n".join(parts)


def own_html() -> str:
    """geomap's CSS and JS, always inline, with the folium entry point."""
    return "\n".join([
        f"<style>{_assets.own_text('geomap.css')}\n{_FOLIUM_CSS}</style>",
        f"<script>{_assets.own_text('geomap.js')}</script>",
        f"<script>{_assets.own_text('folium_boot.js')}</script>",
    ])


def to_folium(incident_map_or_gdf: Any, m: Any = None, *, inline: bool = True,
              compress: bool | None = None, **make_map_options: Any) -> Any:
    """Add the incident map to a ``folium.Map`` (a new one unless ``m`` is given) and return it.

    Parameters
    ----------
    incident_map_or_gdf : IncidentMap or GeoDataFrame
        A map from :func:`geomap.render.make_map`, or incidents to make one from.
    m : folium.Map, optional
        The map to add to. A new one has no tile layer: geomap's offline outlines are its base
        map, and its tile layers stay in geomap's layer control for use online.
    inline : bool, default True
        Make the saved page self-contained: Leaflet and markercluster inline, and folium's CDN
        links (jQuery, Bootstrap, Leaflet, awesome-markers) removed from ``m``'s instance.
        False keeps folium's links and loads markercluster from its pinned CDN address.
    compress : bool or None
        See :class:`IncidentLayer`.
    **make_map_options
        ``title``, ``regions``, ``types``, ``since``, ``until``, ``heat``, ``cluster``: as for
        :func:`geomap.render.make_map` (only with a GeoDataFrame).

    Examples
    --------
    >>> m = to_folium(incidents, regions=["Krasnodar Krai"])
    >>> m.save("maps/krasnodar.html")
    """
    import folium

    if "cdn" in make_map_options:
        raise UsageError("to_folium takes inline=False, not cdn=True, to link Leaflet from a CDN")
    if isinstance(incident_map_or_gdf, IncidentMap):
        if make_map_options:
            raise UsageError(f"options {', '.join(sorted(make_map_options))} apply to incidents, "
                             "not to an IncidentMap: pass them to make_map() instead")
        incident_map = incident_map_or_gdf
    else:
        from . import make_map

        incident_map = make_map(incident_map_or_gdf, **make_map_options)
    if m is None:
        m = folium.Map(tiles=None)
        m.get_root().title = html.escape(incident_map.title)
    elif not isinstance(m, folium.Map):
        raise UsageError(f"m must be a folium.Map, not {type(m).__name__}")
    if inline:
        # on the instance: folium's add_js_link on the class would change every later map
        m.default_js = []
        m.default_css = []
    IncidentLayer(incident_map, inline=inline, compress=compress).add_to(m)
    return m
