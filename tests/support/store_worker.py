"""A writer process for the incident-store tests (kill -9, concurrent writers, concurrent reader).

Usage: python tests/support/store_worker.py STORE --prefix P --batches N --size S [--shared K] [--source S]

Batch i upserts ``size`` incidents with ids "{prefix}-{i}-{j}" of its own and ``shared`` incidents
with ids "shared-{i}-{j}" (the same ids for every worker), all with source ``source``, in one
transaction, then prints "committed {i} {inserted} {updated} {unchanged}" and flushes. It opens
the store once and upserts batch after batch, as ``geomap extract --store`` does per article.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from geomap.models import Incident  # noqa: E402
from geomap.store import open_store  # noqa: E402


def incident(id_: str, i: int, j: int, source: str) -> Incident:
    return Incident(
        id=id_, incident_type=("air_strike", "shelling", "naval_attack")[j % 3],
        place=f"Place {i}/{j}", place_id=f"test:{i}:{j}", mention=f"Place {i}/{j}", kind="city",
        lat=40.0 + (i % 50) * 0.1, lon=30.0 + j * 0.01, country="UA", country_name="Ukraine",
        region=None, region_code=None, water=None, geo_precision=1,
        date=f"2024-05-{1 + i % 28:02d}",
        date_precision=1, sentence=f"Batch {i}, item {j}, reported by {source}.", source=source,
        title=None, url=None, confidence=0.5, geonameid=None, sources=[source], reports=1)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("store")
    parser.add_argument("--prefix", required=True)
    parser.add_argument("--batches", type=int, required=True)
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--shared", type=int, default=0)
    parser.add_argument("--source", default="worker")
    args = parser.parse_args()
    with open_store(args.store) as store:
        for i in range(args.batches):
            records = [incident(f"{args.prefix}-{i}-{j}", i, j, args.source)
                       for j in range(args.size)]
            records += [incident(f"shared-{i}-{j}", i, j, args.source) for j in range(args.shared)]
            result = store.upsert(records)
            print(f"committed {i} {result.inserted} {result.updated} {result.unchanged}",
                  flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
