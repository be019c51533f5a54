"""``geomap extract --store``: what a run writes into the incident store, serial or on Dask.

One upsert per article, in input order, with the article's content hash
(:func:`geomap.store.known.article_hash`), so that ``--skip-known`` can leave out the articles
the store already has. The articles of ``--commit-every`` seconds are gathered, their regions
joined at once (one vectorised spatial join instead of one per article), then upserted one by
one and committed together: a crash loses the articles of the open group and nothing else (see
:mod:`geomap.store.writer`). When the store
fails mid-run (disk full, a lock held too long), the run goes on for ``-o`` and the store keeps
what was committed; :meth:`StoreSink.failure` says so.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from time import monotonic
from typing import Any

from ..errors import OutputError
from ..models import Article

#: Default seconds between the store's commits in a CLI run.
COMMIT_EVERY = 1.0


class StoreSink:
    """The open ``--store`` of one run."""

    def __init__(self, path: str, *, types: Iterable[str] | None, corroboration: bool,
                 min_confidence: float, commit_every: float = COMMIT_EVERY, skip_known: bool = False):
        from ..store import open_store

        self.path = path
        self.types = frozenset(types) if types is not None else None
        self.min_confidence = min_confidence
        self.skip_known = skip_known
        self.commit_every = commit_every
        # the sink commits (flush) after each group; the store commits only when told to
        self.store: Any = open_store(path, corroboration=corroboration,
                                     commit_every=math.inf if commit_every > 0 else 0.0)
        self._buffer: list[tuple[Article, str, list[dict[str, Any]], bool]] = []
        self._buffered: set[str] = set()
        self._started = 0.0
        self.error: OutputError | None = None
        #: articles left out as already stored (``--skip-known``)
        self.skipped = 0
        #: articles of this run whose incidents are committed
        self.kept = 0
        #: incidents this run put into the store (new ids, and held ones a later report lifted)
        self.inserted = 0

    def hash_of(self, article: Article) -> str:
        from ..store.known import article_hash

        return article_hash(article, self.types)

    def fresh(self, articles: Iterable[Article]) -> Iterable[Article]:
        """The articles, without those the store already has when ``skip_known``."""
        for article in articles:
            if self.skip_known and self.store is not None:
                digest = self.hash_of(article)
                if digest in self._buffered or self.store.known([digest]):
                    self.skipped += 1
                    continue
            yield article

    def known(self, articles: list[Article]) -> list[bool]:
        """For each article, whether ``skip_known`` leaves it out (one query per 500)."""
        if not self.skip_known or self.store is None:
            return [False] * len(articles)
        hashes = [self.hash_of(a) for a in articles]
        found = self.store.known(hashes)
        flags = [h in found for h in hashes]
        self.skipped += sum(flags)
        return flags

    def add(self, article: Article, records: list[dict[str, Any]], *, regions: bool = True) -> None:
        """Take one article's records (:meth:`geomap.pipeline.Pipeline.store_records`; with
        ``regions=False`` their regions are still to be joined); upserted with the group."""
        if self.store is None:
            return
        if not self._buffer:
            self._started = monotonic()
        digest = self.hash_of(article)
        self._buffer.append((article, digest, records, regions))
        self._buffered.add(digest)
        if monotonic() - self._started >= self.commit_every:
            self.drain()

    def drain(self) -> None:
        """Upsert the gathered articles in order (their regions joined together) and commit."""
        buffered, self._buffer = self._buffer, []
        self._buffered = set()
        if self.store is None or not buffered:
            return
        from ..pipeline import with_regions

        with_regions([r for _, _, records, done in buffered if not done for r in records])
        try:
            for article, digest, records, _ in buffered:
                done = self.store.upsert_records(records, min_confidence=self.min_confidence,
                                                 article=(digest, article.source or article.id))
                self.inserted += done.inserted
            self.store.flush()
        except OutputError as exc:  # -o still gets everything
            self.error = exc
            self.close()

    def close(self) -> None:
        """Upsert and commit what is gathered, and close the store (an error there is
        :attr:`error` too)."""
        self.drain()
        if self.store is None:
            return
        store, self.store = self.store, None
        try:
            store.close()
        except OutputError as exc:  # the connection is closed all the same
            self.error = self.error or exc
        self.kept = store.committed

    def failure(self) -> str | None:
        """What to say when the store failed during the run."""
        if self.error is None:
            return None
        n = self.kept
        return (f"error: {self.error}; the store kept the first {n} article{'' if n == 1 else 's'} "
                "of this run and none after; run the same command again to add the rest (with "
                "--skip-known only those are processed; articles already stored are not added twice)")
