"""``geomap extract --workers N`` / ``--scheduler ADDRESS``: the batch on Dask.

The inputs are read here, by the same readers as a serial run (so every input that cannot be
read is named as it would be); the articles go to the workers in partitions of
:data:`PARTITION_SIZE`, each worker runs the serial per-article stage, and the articles that fail
there come back and are listed in the order a serial run lists them. The batch is never sunk
by one article. Dask's progress bar is drawn on stderr when it is a terminal.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import Any

from .._gc import batch_gc
from ..batch import BatchReport, BatchStopped, Failure, run_batch
from ..errors import UsageError

#: Articles per partition sent to a worker.
PARTITION_SIZE = 500
#: The local cluster's workers do one long task after another: the statistical profiler (a stack
#: sample every 10 ms) and the 20 ms event-loop ticks cost them about 2.5% of their CPU
#: (``python -m bench scale``) and tell a batch run nothing it needs.
LOCAL_WORKER_CONFIG = {"distributed.worker.profile.enabled": False,
                       "distributed.admin.tick.interval": "200ms",
                       "distributed.admin.system-monitor.interval": "2s"}


@contextlib.contextmanager
def dask_client(workers: int | None, scheduler: str | None) -> Iterator[Any]:
    """A client of a new local cluster of ``workers`` processes, or of the one at ``scheduler``."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise UsageError("--workers and --scheduler need Dask: pip install 'geomap[dask]'") from None
    if scheduler:
        try:
            client = Client(scheduler, timeout="20s")
        except OSError as exc:
            raise UsageError(f"cannot reach the Dask scheduler at {scheduler} ({exc}); check the address "
                             "(tcp://HOST:8786)") from None
        with client:
            yield client
        return
    import dask

    with dask.config.set(LOCAL_WORKER_CONFIG), \
            LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster, \
            Client(cluster) as client, _quiet_teardown():
        from .._gc import hold_batch_gc

        client.run(hold_batch_gc)  # these workers run nothing but the batch
        yield client


@contextlib.contextmanager
def _quiet_teardown() -> Iterator[None]:
    """Once the batch is done, the local cluster's shutdown may log a lost connection (with a
    traceback) under load: nothing the user can act on, so those records are not printed."""
    import logging

    yield
    for name in ("distributed", "tornado", "asyncio"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def read_all(inputs, report: BatchReport) -> tuple[list, list[int]]:
    """Every article of the inputs, and for each how many read failures came before it."""
    articles: list = []
    before: list[int] = []

    def keep(article) -> None:
        before.append(len(report.failures))
        articles.append(article)

    with contextlib.suppress(BatchStopped):
        run_batch(inputs.articles(report), keep, progress=False, strict=inputs.strict, report=report)
    return articles, before


@batch_gc()
def extract(inputs, client, *, types, min_confidence, folder: str | None, progress: bool, sink=None,
            merge: bool = True):
    """Run the batch on ``client``: returns (the incidents frame, or the incident count when
    written to ``folder`` as partitioned GeoParquet, or None without ``merge``; the report). With
    ``sink`` (the run's :class:`~geomap.cli._storing.StoreSink`), the articles it knows are left
    out and every other one is upserted into it as a serial run does: one upsert per article, in
    input order, taken from each partition as soon as it is done. ``merge=False`` (a store-only
    run) skips the cross-article merge: the store merges."""
    import dask
    import dask.bag as db

    from .. import dask as gdask

    report = BatchReport()
    articles, before = read_all(inputs, report)
    if sink is not None and articles:
        known = sink.known(articles)
        articles = [a for a, k in zip(articles, known, strict=True) if not k]
        before = [b for b, k in zip(before, known, strict=True) if not k]
        report.ok = len(articles)  # the articles of this run: the known ones are not processed
    if report.stopped or not articles:
        return (0 if folder else gdask._meta() if merge else None), report
    bag = db.from_sequence(articles, partition_size=PARTITION_SIZE)
    merged, failed, rows = gdask._graph(bag, types=types, min_confidence=min_confidence, keep_going=True,
                                        store_rows=sink is not None)
    if folder:
        from pathlib import Path

        Path(folder).mkdir(parents=True, exist_ok=True)
        work = [dask.delayed(gdask._write_part)(part, str(Path(folder) / f"part.{n}.parquet"))
                for n, part in enumerate(merged)]
    else:
        work = merged if merge else []
    futures = client.compute([*work, *failed, *(rows if sink is not None else [])])
    if progress:
        from distributed import progress as bar

        with contextlib.redirect_stdout(sys.stderr):  # Dask draws on stdout; geomap's bars go to stderr
            bar(futures)
    if sink is not None:
        first = len(work) + len(failed)
        for partition in range(len(futures) - first):
            future, futures[first + partition] = futures[first + partition], None  # freed once taken
            for n, records in future.result():
                sink.add(articles[partition * PARTITION_SIZE + n], records)
            del future
    results = client.gather(futures[:len(work) + len(failed)])
    done, failures = results[:len(work)], results[len(work):]
    _add_failures(report, failures, before, len(articles))
    if folder:
        return sum(done), report
    if not merge:
        return None, report
    import pandas as pd

    frame = pd.concat(done) if len(done) > 1 else done[0]
    return gdask.serial_order(frame), report


def _add_failures(report: BatchReport, failed: list[list[tuple[int, Failure]]], before: list[int],
                  total: int) -> None:
    """Put the workers' failures among the read failures where a serial run has them."""
    reads = list(report.failures)
    ranked: list[tuple[float, int, Failure]] = [(float(i), 0, f) for i, f in enumerate(reads)]
    for partition, items in enumerate(failed):
        for n, failure in items:
            index = partition * PARTITION_SIZE + n
            # after the read failures that came before this article, before the later ones
            ranked.append((before[index] - 0.5, index, failure))
    ranked.sort(key=lambda r: (r[0], r[1]))
    report.failures[:] = [f for _, _, f in ranked]
    report.ok = total - (len(report.failures) - len(reads))
