"""Incident extraction throughput: articles per second end to end (text -> GeoDataFrame), time per
stage in ms per article, and peak memory, on data/examples and on the seed article repeated.

Articles per second are given by CPU time (user + sys of this process: what one core does, the
figure to compare on a shared machine) and by the clock, each the median of ``--rounds`` passes in
one warm process (start-up, the index and the lexicon are not counted). The stage times are
clock times. The geoparser's name caches are warm after the first pass, as in any long batch;
nothing is cached per sentence or per article, so a repeated article costs what a new one does.

Stages (from ``geomap.extract(..., timings=geomap.pipeline.Timings())``): geoparse, classify+pair
(sentences, cues, roles, pairs), dates, merge (in each article and across articles), frame (records -> GeoDataFrame),
regions (spatial join). Frame and regions run once per ``extract`` call, so their cost per article
falls as batches grow.

Run: ``python -m bench extract`` (or ``python bench/bench_extract.py [--repeat N] [--rounds N]``).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = Path(os.environ.get("GEOMAP_SHARED_DIR") or ROOT.parent / "shared") / "seed" / "000_6b34b3c9854d6455.txt"


def _peak_rss_mb() -> float:
    """Peak resident set size of this process so far (ru_maxrss: KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _run(name: str, articles: list, rounds: int) -> None:
    import geomap
    from geomap.pipeline import STAGES, Timings

    geomap.extract(articles[:1])  # warm: gazetteer index, regions, lexicon
    timings = Timings()
    n_incidents = 0
    walls, cpus = [], []
    for _ in range(rounds):
        w0, c0 = time.perf_counter(), time.process_time()
        n_incidents = len(geomap.extract(articles, timings=timings))
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    total = sum(walls)
    count = len(articles) * rounds
    wall, cpu = statistics.median(walls), statistics.median(cpus)
    # CPU time (user + sys of this process) is what one core does; on a shared machine the clock
    # also counts the time other processes hold the core
    print(f"{name}: {len(articles) / cpu:.1f} articles/s CPU, {len(articles) / wall:.1f} articles/s wall "
          f"(median of {rounds} passes of {len(articles)} articles; {1000 * cpu / len(articles):.2f} ms CPU "
          f"per article; {n_incidents} incidents per pass)")
    accounted = 0.0
    for stage in STAGES + tuple(sorted(set(timings.seconds) - set(STAGES))):
        seconds = timings.seconds.get(stage)
        if seconds is None:
            if stage != "resolve":  # only with an online geocoder
                print(f"  {stage:<14} (not reported)")
            continue
        accounted += seconds
        print(f"  {stage:<14} {1000 * seconds / count:7.2f} ms/article  {100 * seconds / total:5.1f} %")
    print(f"  {'other':<14} {1000 * (total - accounted) / count:7.2f} ms/article  "
          f"{100 * (total - accounted) / total:5.1f} %  (input normalising, loop)")
    print(f"  peak memory    {_peak_rss_mb():7.1f} MB (ru_maxrss of the process so far)")


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="bench_extract")
    parser.add_argument("--repeat", type=int, default=50, help="copies of the seed in one batch")
    parser.add_argument("--rounds", type=int, default=5)
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
    main(sys.argv[1:])
