"""geomap.dask on a real distributed.LocalCluster (2 worker processes): the same articles give
the same incidents as geomap.extract, whatever the partitioning."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace

import pandas as pd
import pytest

import geomap

pytest.importorskip("dask_geopandas")

import dask  # noqa: E402
import dask.bag as db  # noqa: E402
import dask.dataframe as dd  # noqa: E402
from distributed import Client, LocalCluster  # noqa: E402

import geomap.dask  # noqa: E402
from geomap.errors import UsageError  # noqa: E402
from support.paths import REPO  # noqa: E402

#: Sentences of our own: several report the same incidents, so merging crosses partitions.
TEXTS = [
    "date 2025-11-29\nRussian drones struck an oil depot in Tuapse overnight, the regional governor said.",
    "date 2025-11-29\nA drone attack hit the oil terminal in Tuapse, Krasnodar Krai, and started a fire.",
    "date 2025-11-30\nUkrainian forces shelled Belgorod, and protesters gathered in Chisinau against prices.",
    "date 2025-11-30\nPolice in Odesa detained two men suspected of sabotage on the railway.",
    "date 2025-11-29\nDrones struck Tuapse again; power was cut in Kharkiv after the strike.",
]


def same(got, expected):
    """Equal frames, a missing value being missing whether None or NaN (geomap.extract itself
    gives either, depending on the other rows of its batch; files hold null for both)."""
    def canonical(frame):
        return frame.astype({c: object for c in frame.columns if frame[c].dtype == object}).where(frame.notna(), None)

    pd.testing.assert_frame_equal(canonical(got), canonical(expected))


@pytest.fixture(scope="module")
def client():
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster, \
            Client(cluster) as client:
        yield client


@pytest.fixture(scope="module")
def articles():
    examples = list(geomap.read_articles([str(REPO / "geomap" / "data" / "examples")]))
    texts = [geomap.models.Article(id=f"t{n}", text=t.split("\n", 1)[1], date=dt.date.fromisoformat(t[5:15]),
                                   source=f"team-{n % 3}") for n, t in enumerate(TEXTS)]
    # the examples again under other names: every incident of theirs is reported twice
    again = [replace(a, id=f"{a.id}-again", source=f"{a.source}#again") for a in examples]
    return texts + examples + again


def test_same_incidents_whatever_the_partitioning(client, articles):
    serial = geomap.extract(articles)
    assert len(serial) > 20 and (serial["reports"] > 1).any()
    for partitions in (1, 2, 4):
        lazy = geomap.dask.extract(db.from_sequence(articles, npartitions=partitions))
        assert lazy.npartitions == max(1, (partitions + 3) // 4)
        same(geomap.dask.collect(lazy), serial)
    # and however many id groups the merge runs in
    many = geomap.dask.extract(db.from_sequence(articles, npartitions=4), groups=3)
    assert many.npartitions == 3
    same(geomap.dask.collect(many), serial)
    assert sorted(many.compute()["id"]) == sorted(serial["id"])
    # and on Dask's own scheduler, without the cluster
    with dask.config.set(scheduler="sync"):
        same(geomap.dask.collect(many), serial)


def test_a_dataframe_read_by_dask(client, articles, tmp_path):
    records = [{"id": a.id, "text": a.text, "date": a.date.isoformat() if a.date else None, "title": a.title,
                "url": a.url} for a in articles]
    path = tmp_path / "articles.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    frame = dd.read_json(str(path), lines=True, blocksize=2_000, dtype={"date": "string"})
    assert frame.npartitions > 1
    got = geomap.dask.collect(geomap.dask.extract(frame, min_confidence=0.5, types=["air_strike", "protest"]))
    # each record's id is its key in `sources`
    expected = geomap.extract([replace(a, source=a.id, date_precision=1) for a in articles], min_confidence=0.5,
                              types=["air_strike", "protest"])
    assert len(got) > 3
    same(got, expected)
    from_dicts = geomap.dask.collect(geomap.dask.extract(db.from_sequence(records, npartitions=3),
                                                         min_confidence=0.5, types=["air_strike", "protest"]))
    same(from_dicts, expected)


def test_bad_arguments_are_usage_errors():
    with pytest.raises(UsageError, match="dask.bag or a Dask DataFrame"):
        geomap.dask.extract(["a text"])
    with pytest.raises(UsageError, match="unknown incident type"):
        geomap.dask.extract(db.from_sequence(["a text"]), types=["nonsense"])
    frame = dd.from_pandas(pd.DataFrame({"body": ["x"]}), npartitions=1)
    with pytest.raises(UsageError, match='no "text" column'):
        geomap.dask.extract(frame)


def test_partitioned_geoparquet(client, articles, tmp_path):
    import geopandas

    serial = geomap.extract(articles)
    lazy = geomap.dask.extract(db.from_sequence(articles, npartitions=4), groups=3)
    assert geomap.dask.to_parquet(lazy, str(tmp_path / "out")) == len(serial)
    parts = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert parts and all(p.startswith("part.") and p.endswith(".parquet") for p in parts)
    back = geopandas.read_parquet(tmp_path / "out")  # the parts share one schema
    assert back.crs.to_epsg() == 4326
    assert sorted(back["id"]) == sorted(serial["id"])
    by_id = back.set_index("id")
    for row in serial.itertuples():
        assert list(by_id.loc[row.id, "sources"]) == row.sources and by_id.loc[row.id, "confidence"] == row.confidence
