"""HTML pages: the article's text, title, URL and date, boilerplate left out (selectolax/lexbor)."""

from __future__ import annotations

import datetime as _dt
import logging
import re
from typing import Any

from ..dates import read_date
from ..errors import InputError
from ..models import Article

log = logging.getLogger("geomap.articles")

_HTML_DROP = (
    "script, style, noscript, template, iframe, svg, canvas, form, button, select, textarea, input, "
    "nav, aside, footer, dialog, menu, "
    "[role=navigation], [role=banner], [role=contentinfo], [role=complementary], [role=dialog], "
    "[role=alert], [aria-hidden=true], [hidden]"
)
_HTML_BOILERPLATE_WORDS = re.compile(
    r"(?:^|[-_])(cookies?|consent|gdpr|banner|nav|navbar|navigation|menu|breadcrumbs?|footer|sidebar|"
    r"share|sharing|social|related|recommended|newsletter|subscribe|subscription|promo|advert|"
    r"advertisement|ads?|sponsored|comments?|popup|modal|paywall|masthead|toolbar|skip|byline)(?:$|[-_])"
)
_HTML_BLOCKS = frozenset(
    "p div section article main header footer h1 h2 h3 h4 h5 h6 li ul ol dl dt dd blockquote pre "
    "table thead tbody tfoot tr td th caption figure figcaption address hr br details summary".split()
)
_HTML_DATE_META = (
    'meta[property="article:published_time"]',
    'meta[name="article:published_time"]',
    'meta[itemprop="datePublished"]',
    'meta[name="datePublished"]',
    'meta[name="date"]',
    'meta[name="pubdate"]',
    'meta[name="publish-date"]',
    'meta[name="publication_date"]',
    'meta[name="DC.date.issued"]',
    'meta[name="dcterms.date"]',
    'meta[name="dc.date"]',
)
HTML_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
HTML_SNIFF = re.compile(r"\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>]|head[\s>])", re.I | re.S)


def _clean(text: str | None) -> str | None:
    if not text:
        return None
    text = " ".join(text.split())
    return text or None


def _html_text(root: Any) -> str:
    """Text of an element, with block elements on lines of their own (iterative walk)."""
    parts: list[str] = []
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, closing = stack.pop()
        if closing:
            parts.append("\n")
            continue
        tag = node.tag
        if tag == "-text":
            parts.append(re.sub(r"\s+", " ", node.text_content or ""))
            continue
        if not tag or tag.startswith("-"):
            continue
        if tag in _HTML_BLOCKS:
            parts.append("\n")
            stack.append((node, True))
        children = list(node.iter(include_text=True))
        stack.extend((child, False) for child in reversed(children))
    lines = (" ".join(line.split()) for line in "".join(parts).split("\n"))
    return "\n\n".join(line for line in lines if line)


#: A tag longer than this (300,000 attributes on one element) is cut to its name before parsing:
#: the parser's work on one element's attributes grows with their square.
MAX_TAG_CHARS = 65_536
_HUGE_TAG = re.compile(rf"<([A-Za-z][A-Za-z0-9:-]*)[^<>]{{{MAX_TAG_CHARS},}}>")


def _bounded(html: str) -> str:
    """``html`` with every tag longer than :data:`MAX_TAG_CHARS` reduced to its bare name."""
    if len(html) <= MAX_TAG_CHARS:
        return html
    return _HUGE_TAG.sub(lambda m: f"<{m[1]}>", html)


def html_article(
    html: str, *, id: str, source: str | None, default_date: tuple[_dt.date | None, int]
) -> Article:
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(_bounded(html))

    def meta(selector: str) -> str | None:
        node = tree.css_first(selector)
        return _clean(node.attributes.get("content")) if node is not None else None

    h1 = tree.css_first("h1")
    title_node = tree.css_first("title")
    title = (
        meta('meta[property="og:title"]')
        or meta('meta[name="twitter:title"]')
        or (_clean(title_node.text()) if title_node is not None else None)
        or (_clean(h1.text()) if h1 is not None else None)
    )
    canonical = tree.css_first('link[rel="canonical"]')
    url = meta('meta[property="og:url"]') or (
        _clean(canonical.attributes.get("href")) if canonical is not None else None
    )
    date, precision = default_date
    published = None
    candidates = [meta(sel) for sel in _HTML_DATE_META]
    candidates += [_clean(node.attributes.get("datetime")) for node in tree.css("time[datetime]")]
    for candidate in candidates:
        if not candidate:
            continue
        try:
            read = read_date(candidate)
        except InputError:
            log.info("%s: ignored an unparseable date in the HTML: %r", source, candidate)
        else:
            date, precision, published = read.date, read.precision, read.moment
            break

    body = tree.body
    if body is None:
        raise InputError("no article text found in the HTML", source=source)
    body_length = len(body.text(deep=True) or "")
    # Leave out boilerplate: by element type and role, and by class/id words (cookie banners,
    # share bars, sidebars); never an element that holds the article itself.
    doomed = list(tree.css(_HTML_DROP))
    for node in tree.css("[class], [id]"):
        if node.tag in ("html", "body", "article", "main"):
            continue
        words = " ".join(
            [node.attributes.get("class") or "", node.attributes.get("id") or ""]
        ).lower().split()
        if not any(_HTML_BOILERPLATE_WORDS.search(word) for word in words):
            continue
        if node.css_first("article, main, h1, [itemprop=articleBody]") is not None:
            continue
        if len(node.text(deep=True) or "") > 0.5 * body_length:
            continue
        doomed.append(node)
    doomed_ids = {node.mem_id for node in doomed}
    outermost = []
    for node in doomed:
        parent = node.parent
        while parent is not None and parent.mem_id not in doomed_ids:
            parent = parent.parent
        if parent is None:
            outermost.append(node)
    seen: set[int] = set()
    for node in outermost:
        if node.mem_id not in seen:
            seen.add(node.mem_id)
            node.decompose()

    roots = tree.css("article") or tree.css("[itemprop=articleBody], main, [role=main]")
    texts = [_html_text(node) for node in roots]
    text = max(texts, key=len) if texts else ""
    if not text:
        text = _html_text(tree.body)
    if not text:
        raise InputError("no article text found in the HTML (only boilerplate or markup)", source=source)
    return Article(
        id=id, text=text, date=date, date_precision=precision, published=published, title=title,
        url=url, source=source,
    )
