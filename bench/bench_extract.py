"""Incident extraction throughput: articles per second end to end (text -> GeoDataFrame) and time
per stage, on data/examples and on the seed article repeated.

Run: ``python -m bench extract`` (or ``python bench/bench_extract.py [--repeat N]``).
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = Path(os.environ.get("GEOMAP_SHARED_DIR") or ROOT.parent / "shared") / "seed" / "000_6b34b3c9854d6455.txt"


def _run(name: str, articles: list, rounds: int) -> None:
    import geomap

    geomap.extract(articles[:1])  # warm: gazetteer index, regions, lexicon
    timings: dict[str, float] = {}
    started = time.perf_counter()
    n_incidents = 0
    for _ in range(rounds):
        n_incidents = len(geomap.extract(articles, timings=timings))
    total = time.perf_counter() - started
    count = len(articles) * rounds
    print(f"{name}: {count} articles in {total:.2f} s = {count / total:.1f} articles/s end to end "
          f"({n_incidents} incidents per pass)")
    for stage, seconds in sorted(timings.items(), key=lambda kv: -kv[1]):
        print(f"  {stage:<14} {seconds:7.3f} s  {100 * seconds / total:5.1f} %  "
              f"{1000 * seconds / count:7.2f} ms/article")


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="bench_extract")
    parser.add_argument("--repeat", type=int, default=50, help="copies of the seed in one batch")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    import geomap

    examples = list(geomap.read_articles([str(ROOT / "data" / "examples")]))
    _run("data/examples", examples, args.rounds)
    if SEED.is_file():
        seed = list(geomap.read_articles([str(SEED)]))[0]
        # distinct sources, so merging corroborates rather than collapsing identical inputs early
        from dataclasses import replace
        batch = [replace(seed, id=f"{seed.id}-{i}", source=f"seed#{i}") for i in range(args.repeat)]
        _run(f"seed x{args.repeat}", batch, args.rounds)
    else:
        print(f"seed not found at {SEED}; set GEOMAP_SHARED_DIR")


if __name__ == "__main__":
    import sys
    main(sys.argv[1:])
