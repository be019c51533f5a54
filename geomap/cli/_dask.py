"""``geomap extract --workers N`` / ``--scheduler ADDRESS``: the batch on Dask.

The inputs are read here, by the same readers as a serial run (so every input that cannot be
read is named as it would be); the articles go to the workers in partitions of
:data:`PARTITION_SIZE` as they are read, a few partitions ahead of the ones done (the client holds
those articles only, whatever the corpus), each worker runs the serial per-article stage, and the
articles that fail there come back and are listed in the order a serial run lists them. The
batch is never sunk by one article. While the inputs are read, geomap's bar counts the articles
sent; then Dask's bar follows the merge, on stderr when it is a terminal.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .._gc import batch_gc, hold_batch_gc
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


#: Partitions in flight per worker while the inputs are read: the client holds the articles of
#: these only, so its memory does not grow with the corpus.
AHEAD_PER_WORKER = 3
#: Id groups (output partitions) per worker.
GROUPS_PER_WORKER = 2


@dataclass(slots=True)
class _Partition:
    """A partition sent to the workers: where its first article is in the run, its articles and
    how many read failures came before each, and the futures of its id groups, of its failed
    articles and of its store rows (let go of once taken)."""

    first: int
    articles: list
    before: list[int]
    groups: list[Any]
    failed: Any
    rows: Any


class _DaskFailed(RuntimeError):
    """Dask itself failed while the inputs were read: the whole run, not the article being read."""


class _Batch:
    """One run on a client: partitions sent as the inputs are read, taken in order as done."""

    def __init__(self, client, *, groups: int, types, sink, ahead: int):
        self.client, self.groups, self.types, self.sink, self.ahead = client, groups, types, sink, ahead
        self.run = os.urandom(6).hex()  # task keys of this run alone, on a shared cluster too
        self.sent: list[_Partition] = []
        self.waiting: deque[_Partition] = deque()
        self.failures: list[tuple[int, int, Failure]] = []  # (index in the run, read failures before it, failure)
        self.count = 0
        self.chunk: list = []
        self.before: list[int] = []

    def keep(self, article, failures_so_far: int) -> None:
        self.before.append(failures_so_far)
        self.chunk.append(article)
        if len(self.chunk) >= PARTITION_SIZE:
            self.send()

    def send(self) -> None:
        """The articles read since the last partition, to a worker (the known ones left out)."""
        from operator import getitem

        from .. import dask as gdask

        articles, before = self.chunk, self.before
        self.chunk, self.before = [], []
        if self.sink is not None:
            known = self.sink.known(articles)
            articles = [a for a, k in zip(articles, known, strict=True) if not k]
            before = [b for b, k in zip(before, known, strict=True) if not k]
        if not articles:
            return
        number, client = len(self.sent), self.client
        try:
            [data] = client.scatter([articles], hash=False)  # straight to a worker, not through the scheduler
            done = client.submit(gdask._partition_candidates, data, number, self.groups, None, self.types, None,
                                 True, self.sink is not None, key=f"geomap-partition-{self.run}-{number}")
            part = _Partition(self.count, articles, before, [client.submit(getitem, done, g) for g in range(self.groups)],
                              client.submit(getitem, done, self.groups), client.submit(getitem, done, self.groups + 1))
        except ValueError as exc:  # never to be taken for the failure of the article being read
            raise _DaskFailed(f"Dask could not take a partition: {exc}") from exc
        self.count += len(articles)
        self.sent.append(part)
        self.waiting.append(part)
        while len(self.waiting) > self.ahead:
            self.take()

    def take(self) -> None:
        """The oldest partition, once done: its failures noted, its rows upserted in input order,
        its articles let go of."""
        part = self.waiting.popleft()
        for n, failure in part.failed.result():
            self.failures.append((part.first + n, part.before[n], failure))
        if self.sink is not None:
            for n, records in part.rows.result():
                self.sink.add(part.articles[n], records)
        part.articles, part.failed, part.rows = [], None, None

    def merges(self, min_confidence) -> list[Any]:
        """The futures of the id groups' incident frames."""
        from .. import dask as gdask

        if not self.sent or not self.groups:
            return []
        merged = [self.client.submit(gdask._merge_group, [part.groups[g] for part in self.sent], min_confidence,
                                     None, key=f"geomap-merge-{self.run}-{g}") for g in range(self.groups)]
        for part in self.sent:
            part.groups = []  # the merges hold what they need
        return merged


@batch_gc()
def extract(inputs, client, *, types, min_confidence, folder: str | None, progress: bool, sink=None,
            merge: bool = True):
    """Run the batch on ``client``: returns (the incidents frame, or the incident count when
    written to ``folder`` as partitioned GeoParquet, or None without ``merge``; the report).

    The inputs are read as a serial run reads them, and every :data:`PARTITION_SIZE` articles go
    to a worker as soon as they are read, with at most :data:`AHEAD_PER_WORKER` partitions a worker
    waiting: a partition's articles are let go of here once it is done, so the client's memory
    does not grow with the corpus (the candidates wait in the workers for the merge). With
    ``sink`` (the run's :class:`~geomap.cli._storing.StoreSink`), the articles it knows are left
    out and every other one is upserted into it as a serial run does: one upsert per article, in
    input order, as each partition is done. ``merge=False`` (a store-only run) skips the
    cross-article merge (the store merges) and the workers keep no candidate for it. With
    ``--strict``, the articles read before the first failure are done, as in a serial run."""
    from .. import dask as gdask

    report = BatchReport()
    workers = max(1, len(_workers(client)))
    batch = _Batch(client, groups=GROUPS_PER_WORKER * workers if merge or folder else 0,
                   types=tuple(types) if types is not None else None, sink=sink, ahead=AHEAD_PER_WORKER * workers)
    with contextlib.suppress(BatchStopped):
        run_batch(inputs.articles(report), lambda article: batch.keep(article, len(report.failures)),
                  progress=progress, strict=inputs.strict, report=report)
    if batch.chunk:
        batch.send()
    merged = batch.merges(min_confidence)
    if folder:
        from pathlib import Path

        Path(folder).mkdir(parents=True, exist_ok=True)
        work = [client.submit(gdask._write_part, part, str(Path(folder) / f"part.{n}.parquet"))
                for n, part in enumerate(merged)]
    else:
        work = merged if merge else []
    if progress and (work or batch.waiting):
        from distributed import progress as bar

        with contextlib.redirect_stdout(sys.stderr):  # Dask draws on stdout; geomap's bars go to stderr
            bar([*work, *(part.rows for part in batch.waiting)])
    while batch.waiting:
        batch.take()
    done = client.gather(work)
    _place_failures(report, batch.failures, batch.count)
    if folder:
        return sum(done), report
    if not merge:
        return None, report
    if not done:
        return gdask._meta(), report
    import pandas as pd

    frame = pd.concat(done) if len(done) > 1 else done[0]
    return gdask.serial_order(frame), report


def _workers(client) -> dict:
    """The workers of the client's cluster."""
    try:
        return client.scheduler_info(n_workers=-1).get("workers", {})
    except TypeError:  # an older distributed lists every worker
        return client.scheduler_info().get("workers", {})


def _place_failures(report: BatchReport, failed: list[tuple[int, int, Failure]], count: int) -> None:
    """Put the workers' failures (index of the article among the ``count`` sent, read failures
    before it, failure) among the read failures, where a serial run lists them."""
    # after the read failures that came before the article, before the later ones
    ranked = [(float(i), 0, f) for i, f in enumerate(report.failures)]
    ranked += [(before - 0.5, index, failure) for index, before, failure in failed]
    ranked.sort(key=lambda r: (r[0], r[1]))
    report.failures[:] = [f for _, _, f in ranked]
    report.ok = count - len(failed)
