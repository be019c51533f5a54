"""Incidents from many articles on Dask: a laptop's cores or a cluster (``pip install 'geomap[dask]'``).

::

    import dask.bag as db, geomap.dask
    articles = db.from_sequence(geomap.read_articles(["archive/"]), npartitions=8)
    incidents = geomap.dask.extract(articles)      # a dask_geopandas.GeoDataFrame, lazy
    geomap.dask.collect(incidents)                 # == geomap.extract(the same articles)

(run for real on a LocalCluster by ``tests/test_dask.py``)

Every article goes through the serial pipeline's own per-article stage in a worker (geoparse,
classify, pair, date, merge within the article), with the worker's own gazetteer: the geoparser
and taxonomy travel as paths and settings and reopen the index there (``GEOMAP_CACHE_DIR``,
``geomap index build --to``). The cross-article merge then runs per group of incident ids: each
group gets every candidate of its ids, in the order the articles came in, and goes through the
serial merge (:meth:`geomap.pipeline.Pipeline.frame`, with its confidence rule). So the same
articles give the same incidents (ids, sources, reports, confidence, quote), whatever the
partitioning and however many workers.

The result's partitions are those id groups; its index is where each incident first appears
in the input (for :func:`collect`, which orders rows as :func:`geomap.extract` does).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import zlib
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ._gc import batch_gc
from .errors import UsageError
from .models import Article

if TYPE_CHECKING:  # pragma: no cover
    import dask.bag
    import dask_geopandas
    import geopandas

__all__ = ["collect", "extract", "to_articles", "to_parquet"]

#: Bits of a first-appearance tag given to the position inside a partition.
_POSITION_BITS = 40


def _require():
    try:
        import dask  # noqa: F401
        import dask_geopandas  # noqa: F401
        import distributed  # noqa: F401
    except ImportError as exc:
        raise UsageError(f"geomap.dask needs Dask ({exc.name} is not installed): "
                         "pip install 'geomap[dask]'") from None


def _article(item: Any, reference_date: _dt.date | None) -> Article:
    """An Article from a bag item: an Article, a text, or a record with text/id/date/title/url."""
    from .pipeline import as_articles

    if isinstance(item, dict):
        from .articles.records import record_article

        record = {k: v for k, v in item.items() if not _missing(v)}
        text, raw_id = record.get("text"), record.get("id")
        digest = hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:12] if isinstance(text, str) else ""
        article_id = str(raw_id) if raw_id not in (None, "") else digest
        # the article's key in `sources`: its own source or id, never its place in a partition
        return record_article(record, default_id=digest, source=str(record.get("source") or article_id),
                               line=None, default_date=(reference_date, 1))
    return as_articles(item, reference_date)[0]


def _missing(value: Any) -> bool:
    """None, NaN or NaT, as a DataFrame row has for an empty cell."""
    try:
        return value is None or bool(value != value)
    except (TypeError, ValueError):
        return False


def to_articles(articles: Any, reference_date: _dt.date | None = None) -> dask.bag.Bag:
    """A bag of Articles from a bag (of Articles, texts or dicts) or a Dask DataFrame with a
    ``text`` column (and optional ``id``, ``date``, ``title``, ``url``, ``source``)."""
    _require()
    import dask.bag as db
    import dask.dataframe as dd

    if isinstance(articles, dd.DataFrame):
        if "text" not in articles.columns:
            raise UsageError(f'the DataFrame has no "text" column (columns: {", ".join(map(str, articles.columns))})')
        articles = articles.to_bag(format="dict")
    elif not isinstance(articles, db.Bag):
        raise UsageError(f"geomap.dask.extract() takes a dask.bag or a Dask DataFrame, not {type(articles).__name__}; "
                         "for a list, use geomap.extract() or dask.bag.from_sequence(...)")
    return articles.map(_article, reference_date)


def _partition_candidates(articles: Iterable[Article], partition: int, groups: int, geoparser, types,
                          taxonomy, keep_going: bool = False, store_rows: bool = False) -> list[list[Any]]:
    """One input partition -> its candidates, tagged with their place in the input and split
    into the id groups; then the articles that failed, as (index in the partition, Failure named
    as geomap.batch names it), when ``keep_going`` (else the first failure raises, as in
    geomap.extract); then, with ``store_rows``, (index in the partition, the article's rows for
    the store) of each article done (:meth:`geomap.pipeline.Pipeline.store_records`)."""
    from .errors import DataError, GeomapError, UsageError
    from .pipeline import Pipeline

    pipe = Pipeline(geoparser=geoparser, types=types, taxonomy=taxonomy)
    out: list[list[Any]] = [[] for _ in range(groups)]
    failures: list[tuple[int, Any]] = []
    rows: list[tuple[int, list[dict[str, Any]]]] = []
    position = partition << _POSITION_BITS
    with batch_gc():
        for n, article in enumerate(articles):
            try:
                found = pipe.article(article)
            except (UsageError, DataError):
                raise
            except (GeomapError, ValueError) as exc:  # what geomap.batch records and goes on after
                if not keep_going:
                    raise
                from .batch import BatchReport

                failures.append((n, BatchReport().record(exc, source=str(article.source or article.id))))
                continue
            if store_rows:
                rows.append((n, pipe.store_records(found)))
            if groups:  # none: a store-only run, which keeps no candidate for a merge
                for cand in found:
                    out[_group(cand.id, groups)].append((position, cand))
                    position += 1
    return [*out, failures, rows]


def _group(incident_id: str, groups: int) -> int:
    return zlib.crc32(incident_id.encode()) % groups


def _merge_group(parts: list[list[tuple[int, Any]]], min_confidence, taxonomy) -> geopandas.GeoDataFrame:
    """Every candidate of one id group, in input order, through the serial cross-article merge."""
    from .pipeline import Pipeline

    with batch_gc():
        tagged = sorted((item for part in parts for item in part), key=lambda item: item[0])
        first: dict[str, int] = {}
        for tag, cand in tagged:
            first.setdefault(cand.id, tag)
        gdf = Pipeline(taxonomy=taxonomy, min_confidence=min_confidence).frame([cand for _, cand in tagged])
    gdf.index = [first[i] for i in gdf["id"]]
    return gdf


def _meta() -> geopandas.GeoDataFrame:
    from .pipeline import records_frame

    gdf = records_frame([])
    gdf.index = gdf.index.astype("int64")
    return gdf


def extract(articles: Any, *, geoparser=None, min_confidence: float | None = None,
            reference_date: _dt.date | None = None, types: Iterable[str] | None = None, taxonomy=None,
            groups: int | None = None) -> dask_geopandas.GeoDataFrame:
    """Incidents of a dask.bag of articles (Articles, texts or dicts) or of a Dask DataFrame with
    ``text``/``id``/``date``/``title``/``url`` columns (e.g. from ``dask.dataframe.read_json(...,
    lines=True)``, ``read_csv`` or ``read_parquet``), as a lazy ``dask_geopandas.GeoDataFrame``
    in the schema of :func:`geomap.extract`.

    ``geoparser``, ``min_confidence``, ``reference_date``, ``types`` and ``taxonomy`` mean what
    they mean for :func:`geomap.extract`; the geoparser must pickle (geomap's do). ``groups`` is
    the number of output partitions (groups of incident ids; default: one per four input
    partitions). Nothing runs until the result is computed, e.g. with :func:`collect`.
    """
    _require()
    import dask
    import dask.dataframe as dd

    merged, _, _ = _graph(to_articles(articles, reference_date), geoparser=geoparser, min_confidence=min_confidence,
                       types=types, taxonomy=taxonomy, groups=groups)
    # the columns keep geomap's dtypes (text as Python objects, as geomap.extract gives them)
    with dask.config.set({"dataframe.convert-string": False}):
        return dd.from_delayed(merged, meta=_meta(), verify_meta=False)


def _graph(bag, *, geoparser=None, min_confidence=None, types=None, taxonomy=None, groups=None,
           keep_going: bool = False, store_rows: bool = False) -> tuple[list, list, list]:
    """The delayed id groups of incident frames, and per input partition the delayed lists of
    its failed articles (empty unless ``keep_going``) and of its articles' store rows (empty
    unless ``store_rows``)."""
    import dask
    import dask_geopandas  # noqa: F401  (registers GeoDataFrame partitions with dask.dataframe)

    from .incidents import check_types

    check_types(types)  # a usage error now, not in a worker
    chosen = tuple(types) if types is not None else None
    parts = bag.to_delayed(optimize_graph=True)
    n_groups = max(1, groups or (len(parts) + 3) // 4)
    split = [dask.delayed(_partition_candidates, nout=n_groups + 2, pure=True)(
        part, n, n_groups, geoparser, chosen, taxonomy, keep_going, store_rows) for n, part in enumerate(parts)]
    merged = [dask.delayed(_merge_group, pure=True)([s[g] for s in split], min_confidence, taxonomy)
              for g in range(n_groups)]
    return merged, [s[n_groups] for s in split], [s[n_groups + 1] for s in split]


def collect(incidents: dask_geopandas.GeoDataFrame) -> geopandas.GeoDataFrame:
    """Compute the result of :func:`extract` into one GeoDataFrame in :func:`geomap.extract`'s
    row order (by date, type and place, then where each incident first appears).

    The partitions come to this process as they are and are joined here (``compute()`` would first
    join them in a worker, and that table would then travel a second time); on a distributed
    client each is fetched as soon as it is done, while the others are still merged."""
    import pandas as pd

    with batch_gc():
        parts = _compute_each(incidents.to_delayed())
        return serial_order(pd.concat(parts) if len(parts) > 1 else parts[0])


def _compute_each(delayed: list) -> list:
    """The values of ``delayed``, in order; on a distributed client (when it is the scheduler Dask
    would use), each taken as soon as it is done."""
    import dask
    from dask.base import get_scheduler
    from distributed import Client, as_completed

    client = getattr(get_scheduler(), "__self__", None)  # a distributed Client's bound `get`
    if not isinstance(client, Client):
        return list(dask.compute(*delayed))

    futures = client.compute(delayed)
    where = {future.key: n for n, future in enumerate(futures)}
    values: list = [None] * len(futures)
    for future in as_completed(futures):
        values[where[future.key]] = future.result()
    return values


def serial_order(frame: geopandas.GeoDataFrame) -> geopandas.GeoDataFrame:
    """The computed partitions of :func:`extract` in :func:`geomap.extract`'s row order."""
    tags = frame.index.to_list()
    keys = list(zip(frame["date"].to_list(), frame["incident_type"].to_list(), frame["place"].to_list(), tags))
    order = sorted(range(len(frame)), key=lambda i: (keys[i][0] or "9999", *keys[i][1:]))
    return frame.iloc[order].reset_index(drop=True)


def _write_part(part: geopandas.GeoDataFrame, path: str) -> int:
    from .export import write_incidents

    if len(part):  # an empty id group writes no file (it would have no column types)
        write_incidents(part, path)
    return len(part)


def to_parquet(incidents: dask_geopandas.GeoDataFrame, folder: str) -> int:
    """Write each partition of :func:`extract`'s result as ``FOLDER/part.N.parquet`` with geomap's
    own GeoParquet writer (the columns of a single-file ``.parquet``), in parallel, each file
    atomically; returns the number of incidents. ``geopandas.read_parquet(FOLDER)`` reads them
    back as one table."""
    from pathlib import Path

    import dask

    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    writes = [dask.delayed(_write_part)(part, str(out / f"part.{n}.parquet"))
              for n, part in enumerate(incidents.to_delayed())]
    return sum(dask.compute(*writes))
