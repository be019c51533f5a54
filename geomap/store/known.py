"""Which articles a store has taken in: a content hash per article, for ``--skip-known``.

The hash covers everything the pipeline reads from an article (text, date and its precision,
title, url, source, publication time) and the incident types asked for, so an article is
"known" only when processing it again would add nothing: an edited article, the same text under
another source (a second report of its incidents) or a run for other types is processed again.
The store records the hash in the transaction that stores the article's incidents, so a hash is
committed exactly when its incidents are (:mod:`geomap.store.writer`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable

from ..models import Article

#: Changes when what the hash covers changes (old hashes then simply stop matching).
HASH_VERSION = 1


def article_hash(article: Article, types: Iterable[str] | None = None) -> str:
    """The content hash of ``article`` for a run over ``types`` (None: every type), 128 bits hex."""
    key = [HASH_VERSION, sorted(types) if types is not None else None, article.id, article.text,
           article.date.isoformat() if article.date else None, article.date_precision, article.title,
           article.url, article.source, article.published.isoformat() if article.published else None]
    data = json.dumps(key, ensure_ascii=False).encode("utf-8", "surrogatepass")
    return hashlib.sha256(data).hexdigest()[:32]
