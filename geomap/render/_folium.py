"""geomap's incident layers on a folium map: combine them with your own folium layers.

:class:`IncidentLayer` is a folium element (one Jinja template, like folium's own) that adds the
incident map of an :class:`~geomap.render.IncidentMap` to a ``folium.Map``: a layer per incident
type, the legend, the region, date and place filters and the URL-fragment state, drawn by the same
page script (``static/js/``) as geomap's own pages. :func:`to_folium` builds one from an incidents GeoDataFrame.

>>> m = to_folium(incidents, types=["air_strike"])
>>> marker = folium.Marker([50.45, 30.52], popup="<b>HQ</b>", icon=folium.Icon(color="red")).add_to(m)
>>> m.save("maps/strikes.html")

folium's elements keep what they need: an inline page (the default, it works offline) carries
Leaflet and jQuery inline, and on a map with a ``folium.Icon`` Leaflet.awesome-markers inline
plus folium's links to the icon fonts (glyphs show online; offline the coloured marker shows
without its glyph). Bootstrap, which no folium element needs, is left out; ``inline=False``
keeps every folium link as it is.

No text from input is ever template source: the payload and the script are rendered by this
module's own template (where data are values, never source) and added to the page as
:class:`RawHTML`, which branca inserts as it is. branca's ``MacroElement.render`` instead wraps
each macro's output in ``Element(...)``, a new Jinja template, and would run ``{{ ... }}`` found
in an article.
"""

from __future__ import annotations

import html
from typing import Any

from branca.element import Element, Figure, MacroElement
from jinja2 import Template

from ..errors import UsageError
from . import _assets
from ._make import make_map
from ._map import IncidentMap
from ._payload import encode_payload

#: Name of the ``<head>`` element holding markercluster (one per page).
VENDOR_ASSETS = "geomap_vendor_assets"
#: Name of the ``<head>`` element holding geomap's own CSS and JS (one per page).
OWN_ASSETS = "geomap_assets"
#: folium's assets that only ``folium.Icon`` uses: on an inline page only when the map has one
#: (awesome-markers inline, the glyph fonts as folium's links).
_ICON_ASSETS = ("awesome_markers", "awesome_markers_css", "glyphicons_css", "awesome_markers_font_css",
                "awesome_rotate_css")

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
        Make the page work offline: markercluster inline, and folium's Leaflet, jQuery and (with
        a ``folium.Icon`` on the map) awesome-markers replaced by the same files inline; the
        icon-font links stay only on a map with a ``folium.Icon``, Bootstrap's go. False keeps
        every folium link and links markercluster from its pinned CDN address.
    compress : bool or None, default None
        Gzip the payload: always (True), never (False) or above ``COMPRESS_ABOVE`` bytes (None).

    Notes
    -----
    Add it to the map itself, not to a FeatureGroup. folium's own elements (markers, icons,
    popups, plugins) keep working beside it. The map's base tile layers join geomap's layer
    control; the offline outlines stay beneath them, so the land is drawn where tiles cannot load.
    The incident layers attach once the page has loaded, after every folium element's script,
    and even when one of those failed.

    Examples
    --------
    >>> from geomap.render import make_map
    >>> m = folium.Map(location=[48, 30], zoom_start=5)
    >>> layer = IncidentLayer(make_map(incidents)).add_to(m)
    """

    _template = Template(
        """
        {% macro html(this, kwargs) %}
            {{ this.payload.script_tag()|safe }}
            <script>
            GeomapFolium.attach(
                function () { return {{ this._parent.get_name() }}; },
                {{ this.payload.uid|tojson }},
                function () { return [
                    {%- for layer in this.base_tile_layers() %}
                    [typeof {{ layer.get_name() }} === "undefined" ? null : {{ layer.get_name() }},
                     {{ layer.layer_name|tojson }}],
                    {%- endfor %}
                ]; }
            );
            </script>
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
        self.payload = encode_payload(incident_map.payload, compress)

    def __repr__(self) -> str:
        return f"<IncidentLayer {self.incident_map.title!r}: {len(self.incident_map)} incidents>"

    def base_tile_layers(self) -> list[Any]:
        """The map's base tile layers (folium ``TileLayer`` children that are not overlays)."""
        from folium.raster_layers import TileLayer

        return [child for child in self._parent._children.values()
                if isinstance(child, TileLayer) and not child.overlay]

    def _inline_folium_assets(self, figure: Figure) -> None:
        """folium's links in the page's head -> the local copies, in place (each keeps its
        position: Leaflet first); the links that nothing on this map needs go."""
        header = figure.header._children
        icons = _has_icon(figure)
        declared = [name for name, _ in self._parent.default_js + self._parent.default_css]
        for name in declared:
            if name not in header:
                continue
            if name in _ICON_ASSETS and not icons:
                del header[name]
            elif name in _assets.FOLIUM_LOCAL:
                header[name] = RawHTML(_assets.tag(_assets.FOLIUM_LOCAL[name], inline=True))
            elif name not in _ICON_ASSETS:  # Bootstrap: no folium element needs it
                del header[name]

    def render(self, **kwargs: Any) -> None:
        """Inline folium's assets that geomap holds, add markercluster and geomap's own files to
        the page's ``<head>``, then the payload and the script that attaches the layers."""
        import folium

        if not isinstance(self._parent, folium.Map):
            raise UsageError("add the IncidentLayer to a folium.Map itself "
                             f"(it was added to {type(self._parent).__name__})")
        figure = self.get_root()
        if not isinstance(figure, Figure):
            raise UsageError("the folium.Map of the IncidentLayer is not in a Figure; "
                             "render it with m.get_root().render() or m.save()")
        if self.inline:
            self._inline_folium_assets(figure)
        vendor = "\n".join(_assets.tag(asset, inline=self.inline) for asset in _assets.MARKERCLUSTER)
        figure.header.add_child(RawHTML(vendor), name=VENDOR_ASSETS)
        figure.header.add_child(RawHTML(own_html()), name=OWN_ASSETS)
        # not MacroElement.render: it re-compiles each macro's output (the payload) as a template
        figure.html.add_child(RawHTML(self._template.module.html(self, kwargs)), name=self.get_name())
        for child in self._children.values():
            child.render(**kwargs)


def _has_icon(element: Any) -> bool:
    """Whether any element under ``element`` is a ``folium.Icon`` (it needs awesome-markers)."""
    import folium

    stack = [element]
    while stack:
        item = stack.pop()
        if isinstance(item, folium.Icon):
            return True
        stack.extend(getattr(item, "_children", {}).values())
    return False


def own_html() -> str:
    """geomap's CSS and JS, always inline, with the folium entry point."""
    return "\n".join([
        f"<style>{_assets.own_text('geomap.css')}\n{_FOLIUM_CSS}</style>",
        f"<script>{_assets.script_text()}</script>",
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
        The map to add to, with its tiles, markers, popups and plugins: they keep working. A new
        one has no tile layer: geomap's offline outlines are its base map, and its tile layers
        stay in geomap's layer control for use online.
    inline : bool, default True
        Make the saved page work offline (see :class:`IncidentLayer`); folium's assets stay.
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
        incident_map = make_map(incident_map_or_gdf, **make_map_options)
    if m is None:
        m = folium.Map(tiles=None)
        m.get_root().title = html.escape(incident_map.title)
    elif not isinstance(m, folium.Map):
        raise UsageError(f"m must be a folium.Map, not {type(m).__name__}")
    IncidentLayer(incident_map, inline=inline, compress=compress).add_to(m)
    return m
