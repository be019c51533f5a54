"""Garbage collection while a batch runs: full collections rarer, young ones as Python has them.

A batch keeps many long-lived objects (the gazetteer's caches, the candidates held for the merge,
a Dask worker's own state), so Python's default thresholds start a collection of the whole heap
every few thousand articles, each scanning every object still alive: about 9% of one process's
CPU and 15% of a Dask worker's (``python -m bench scale``). While :func:`batch_gc` is active a
full collection waits for :data:`FULL_EVERY` collections of the middle generation instead of
Python's 10; the young generations are collected as before, so short-lived cycles are freed as
they were, and a full collection still comes (every few hundred thousand articles), so a
store-only run over an archive keeps bounded memory.

A Dask worker that geomap's CLI starts does nothing but batch work, and it also allocates outside
geomap's tasks (reading the partitions, unpickling the candidates it merges), where a full
collection of its heap would come as often as ever: :func:`hold_batch_gc` gives it the batch
thresholds for life.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

#: Collections of the middle generation before a full one, while a batch runs (Python's: 10).
FULL_EVERY = 1000

_lock = threading.Lock()
_depth = 0
_saved: tuple[int, int, int] | None = None


@contextlib.contextmanager
def batch_gc() -> Iterator[None]:
    """Full collections at most every :data:`FULL_EVERY` middle ones inside the block; the
    thresholds the process had come back when the outermost block (of any thread) ends."""
    global _depth, _saved
    with _lock:
        if _depth == 0:
            _saved = gc.get_threshold()
            hold_batch_gc()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _saved is not None:
                gc.set_threshold(*_saved)
                _saved = None


def hold_batch_gc() -> None:
    """The batch thresholds for the rest of this process's life (a local Dask worker's)."""
    young, middle, full = gc.get_threshold()
    gc.set_threshold(young, middle, max(full, FULL_EVERY))
