"""The taxonomy's colours and icons, checked before they reach a page as markup.

A taxonomy file is data, not code: its ``colour`` must be a CSS colour (``#rgb``, ``#rgba``,
``#rrggbb``, ``#rrggbbaa`` or a CSS colour name, which matplotlib draws too), and its ``icon``
the inside of a 24x24 SVG made of shapes only. :func:`clean_icon` parses the icon and writes it
out again from the parsed elements, keeping only whitelisted elements and attributes with values
of the expected shape: no script, no event handler, no link, no style sheet, no entity ever
reaches the page, whatever the file says.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

_SVG = "http://www.w3.org/2000/svg"


def quoteattr(value: str) -> str:
    """``xml.sax.saxutils.quoteattr`` (the same quoting, character for character), without that
    module, which loads urllib, http and email: a fifth of the taxonomy's load time."""
    value = value.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")
    value = value.replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    if '"' not in value:
        return f'"{value}"'
    if "'" not in value:
        return f"'{value}'"
    return '"{}"'.format(value.replace('"', "&quot;"))
_HEX = re.compile(r"#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})")
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?(?:px|%)?")
_PATH_DATA = re.compile(r"[MmLlHhVvCcSsQqTtAaZz0-9eE.,+\- \t\n]*")
_POINTS = re.compile(r"[0-9eE.,+\- \t\n]*")
_TRANSFORM = re.compile(r"(?:\s*(?:matrix|translate|scale|rotate|skewX|skewY)\(\s*[-+0-9eE., ]*\)\s*,?)*")

#: Shapes an icon may use, and the attributes each may carry.
_COMMON = {"fill", "stroke", "stroke-width", "stroke-linecap", "stroke-linejoin", "stroke-opacity",
           "fill-opacity", "fill-rule", "opacity", "transform"}
ELEMENTS: dict[str, set[str]] = {
    "g": set(),
    "path": {"d"},
    "circle": {"cx", "cy", "r"},
    "ellipse": {"cx", "cy", "rx", "ry"},
    "rect": {"x", "y", "width", "height", "rx", "ry"},
    "line": {"x1", "y1", "x2", "y2"},
    "polyline": {"points"},
    "polygon": {"points"},
}
_KEYWORDS = {"stroke-linecap": {"butt", "round", "square"},
             "stroke-linejoin": {"miter", "round", "bevel"},
             "fill-rule": {"nonzero", "evenodd"}}


class MarkupError(ValueError):
    """A colour or icon that is not of the allowed shape; the message says what is wrong."""


def _css_names() -> frozenset[str]:
    from matplotlib import colors

    return frozenset(colors.CSS4_COLORS)


def clean_colour(value: str) -> str:
    """``value`` when it is a hex colour or a CSS colour name; MarkupError otherwise."""
    text = value.strip()
    if _HEX.fullmatch(text) or (text.isalpha() and text.lower() in _css_names()):
        return text  # (matplotlib, which knows the names, is only loaded for a name)
    raise MarkupError(f"colour {value!r} is not a CSS colour (#rrggbb, #rgb or a colour name "
                      "such as 'crimson')")


def _clean_value(name: str, value: str) -> str:
    value = value.strip()
    if name == "d":
        ok = _PATH_DATA.fullmatch(value) is not None
    elif name == "points":
        ok = _POINTS.fullmatch(value) is not None
    elif name == "transform":
        ok = _TRANSFORM.fullmatch(value) is not None
    elif name in ("fill", "stroke"):
        if value in ("none", "currentColor"):
            return value
        return clean_colour(value)
    elif name in _KEYWORDS:
        ok = value in _KEYWORDS[name]
    else:
        ok = _NUMBER.fullmatch(value) is not None
    if not ok:
        raise MarkupError(f"attribute {name}={value!r} is not of the allowed form")
    return value


def _write(element: ET.Element) -> str:
    tag = element.tag.removeprefix("{" + _SVG + "}")
    allowed = ELEMENTS.get(tag)
    if allowed is None or element.tag.startswith("{") and not element.tag.startswith("{" + _SVG):
        raise MarkupError(f"element <{tag}> is not allowed in an icon (use {', '.join(ELEMENTS)})")
    if (element.text or "").strip() or (element.tail or "").strip():
        raise MarkupError(f"text inside <{tag}> is not allowed in an icon")
    attrs = []
    for name, value in element.attrib.items():
        if name not in allowed and name not in _COMMON:
            raise MarkupError(f"attribute {name!r} is not allowed on <{tag}>")
        attrs.append(f" {name}={quoteattr(_clean_value(name, value))}")
    inner = "".join(_write(child) for child in element)
    return f"<{tag}{''.join(attrs)}>{inner}</{tag}>" if inner else f"<{tag}{''.join(attrs)}/>"


def clean_icon(markup: str) -> str:
    """The icon (the inside of an ``<svg>``) rebuilt from its whitelisted shapes; MarkupError for
    anything else (scripts, handlers, links, styles, text, entities, malformed markup)."""
    if "<!" in markup or "<?" in markup or "&" in markup:
        raise MarkupError("declarations, processing instructions and entities are not allowed in an icon")
    try:
        root = ET.fromstring(f'<svg xmlns="{_SVG}">{markup}</svg>')
    except ET.ParseError as exc:
        raise MarkupError(f"icon is not well-formed SVG ({exc})") from None
    if (root.text or "").strip():
        raise MarkupError("text inside an icon is not allowed")
    return "".join(_write(child) for child in root)
