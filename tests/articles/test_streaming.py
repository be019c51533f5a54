"""Records that arrive through a pipe or FIFO are read as they come (a live feed)."""

import json
import queue
import threading

from geomap.articles.files import read_articles
from support.feed import FifoFeed


def record(n: int) -> bytes:
    return (json.dumps({"id": f"r{n}", "date": "2025-10-03",
                        "text": f"Report {n}: drones struck a depot in Tuapse."}) + "\n").encode()


def test_a_fifo_feed_yields_its_first_records_before_the_rest_arrives(tmp_path):
    path = tmp_path / "feed.jsonl"
    got: queue.Queue = queue.Queue()
    with FifoFeed(path, b"".join(record(n) for n in range(3)), record(3) + record(4)) as feed:
        reader = threading.Thread(target=lambda: [got.put(a.id) for a in read_articles(path)], daemon=True)
        reader.start()
        # the first three come while the writer still holds back the rest (a reader that waits
        # for a full buffer would give nothing here)
        first = [got.get(timeout=60) for _ in range(3)]
        assert first == ["r0", "r1", "r2"] and got.empty()
        feed.release()
        reader.join(timeout=60)
    assert [got.get_nowait() for _ in range(2)] == ["r3", "r4"]
