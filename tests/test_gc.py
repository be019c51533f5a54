"""geomap._gc: full collections rarer while a batch runs, the process's thresholds back after."""

from __future__ import annotations

import gc
import threading

import pytest

import geomap
from geomap._gc import FULL_EVERY, batch_gc, hold_batch_gc


@pytest.fixture(autouse=True)
def default_thresholds():
    saved = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield
    gc.set_threshold(*saved)


def test_inside_a_batch_a_full_collection_waits_longer_and_the_thresholds_come_back():
    with batch_gc():
        assert gc.get_threshold() == (700, 10, FULL_EVERY)
        with batch_gc():  # nested: still the batch's
            assert gc.get_threshold() == (700, 10, FULL_EVERY)
        assert gc.get_threshold() == (700, 10, FULL_EVERY)
    assert gc.get_threshold() == (700, 10, 10)


def test_an_error_in_the_batch_still_gives_the_thresholds_back():
    with pytest.raises(ZeroDivisionError), batch_gc():
        raise ZeroDivisionError("a failing article")
    assert gc.get_threshold() == (700, 10, 10)


def test_a_process_that_already_collects_rarely_keeps_its_own_thresholds():
    gc.set_threshold(5000, 20, 5000)
    with batch_gc():
        assert gc.get_threshold() == (5000, 20, 5000)
    assert gc.get_threshold() == (5000, 20, 5000)


def test_the_last_of_several_threads_gives_the_thresholds_back():
    inside, release = threading.Barrier(3), threading.Event()

    def batch():
        with batch_gc():
            inside.wait()
            release.wait()

    workers = [threading.Thread(target=batch) for _ in range(2)]
    for w in workers:
        w.start()
    inside.wait()
    assert gc.get_threshold() == (700, 10, FULL_EVERY)
    release.set()
    for w in workers:
        w.join()
    assert gc.get_threshold() == (700, 10, 10)


def test_extract_runs_under_the_batch_thresholds():
    seen = []

    def geoparser(text):
        seen.append(gc.get_threshold())
        return geomap.geoparse(text)

    geomap.extract(["Drones struck an oil depot in Tuapse overnight.", "Police in Odesa detained two men."],
                   geoparser=geoparser)
    assert seen == [(700, 10, FULL_EVERY)] * 2
    assert gc.get_threshold() == (700, 10, 10)


def test_a_worker_holds_the_batch_thresholds_for_life():
    hold_batch_gc()
    assert gc.get_threshold() == (700, 10, FULL_EVERY)
