"""Offline geocoding speed and memory.

``python -m bench geocode`` (or ``python bench/bench_geocode.py [--runs 5] [--queries 10000]``)
prints:

- the wall time of a cold ``geomap geocode Krasnodar`` process (median of ``--runs`` runs, the
  gazetteer index already built) and its peak resident memory (the child's own ``ru_maxrss``
  from ``os.wait4``);
- offline lookups per second over ``--queries`` queries, for ``OfflineGeocoder.geocode`` and
  ``Gazetteer.search``: the most populous city names, every admin-1 name and typos of them, drawn
  from the gazetteer itself and cycled (a fresh gazetteer each time, so the first pass is cold
  and the later passes hit its lookup cache, as a long batch would);
- the time and peak memory of one index build in a temporary ``GEOMAP_CACHE_DIR``
  (``--skip-build`` leaves it out).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOP_CITIES = 2000


def _geomap_command() -> list[str]:
    """The installed console script beside this interpreter, else ``python -m geomap``."""
    script = Path(sys.executable).with_name("geomap")
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [sys.executable, "-m", "geomap"]


def run_child(args: list[str], env: dict[str, str] | None = None) -> tuple[float, int, int]:
    """Run a process to completion: (wall seconds, exit code, peak RSS in MiB of that process)."""
    started = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=ROOT)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.stderr is not None:
        proc.stderr.close()
    return wall, proc.returncode, usage.ru_maxrss // 1024  # ru_maxrss is in KiB on Linux


def _typo(name: str, rng: random.Random) -> str:
    """One keyboard slip: a dropped, doubled or swapped letter."""
    if len(name) < 4:
        return name
    i = rng.randrange(1, len(name) - 1)
    kind = rng.randrange(3)
    if kind == 0:
        return name[:i] + name[i + 1:]
    if kind == 1:
        return name[:i] + name[i] + name[i:]
    return name[:i - 1] + name[i] + name[i - 1] + name[i + 1:]


def query_mix(gazetteer, n: int, seed: int = 20251129) -> tuple[list[str], dict[str, int]]:
    """``n`` queries: top city names, admin-1 names and typos of both, shuffled, cycled."""
    db = gazetteer._db
    cities = [r[0] for r in db.execute(
        "SELECT name FROM places WHERE kind='city' ORDER BY population DESC, id LIMIT ?", (TOP_CITIES,))]
    admin1 = [r[0] for r in db.execute("SELECT name FROM places WHERE kind='admin1' ORDER BY id")]
    rng = random.Random(seed)
    typos = [_typo(name, rng) for name in rng.sample(cities + admin1, k=min(1000, len(cities) + len(admin1)))]
    pool = [name for name in cities + admin1 + typos if name.strip()]
    rng.shuffle(pool)
    queries = [pool[i % len(pool)] for i in range(n)]
    return queries, {"cities": len(cities), "admin1": len(admin1), "typos": len(typos), "pool": len(pool),
                     "distinct": len(set(pool))}


def _rate(label: str, fn, queries: list[str], pool: int) -> None:
    """Time every query in one pass; the first ``pool`` queries are distinct-ish and cold."""
    found = 0
    first = len(queries)
    started = time.perf_counter()
    cold_seconds = None
    for i, query in enumerate(queries):
        if i == pool:
            cold_seconds = time.perf_counter() - started
            first = i
        if fn(query):
            found += 1
    total = time.perf_counter() - started
    cold_seconds = cold_seconds if cold_seconds is not None else total
    print(f"  {label:<24} {len(queries) / total:8.0f} lookups/s over {len(queries):,} "
          f"(first {first:,}, cache cold: {first / cold_seconds:.0f}/s; {found / len(queries):.0%} found)")


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="bench_geocode")
    parser.add_argument("--runs", type=int, default=5, help="cold CLI runs (the median is printed)")
    parser.add_argument("--queries", type=int, default=10_000, help="lookups per API")
    parser.add_argument("--skip-build", action="store_true", help="leave out the index build")
    args = parser.parse_args(argv)

    from geomap.gazetteer import Gazetteer
    from geomap.gazetteer.index import ensure_index
    from geomap.geocoders.offline import OfflineGeocoder

    index = ensure_index(progress=False)
    print(f"index: {index} ({index.stat().st_size / 2**20:.0f} MiB)")

    command = _geomap_command() + ["geocode", "Krasnodar"]
    runs = [run_child(command) for _ in range(args.runs)]
    bad = [code for _, code, _ in runs if code != 0]
    if bad:
        raise SystemExit(f"`{' '.join(command)}` failed with exit codes {bad}")
    walls = [wall for wall, _, _ in runs]
    print(f"cold `geomap geocode Krasnodar`: median {statistics.median(walls):.3f} s wall "
          f"(min {min(walls):.3f}, max {max(walls):.3f}, {args.runs} runs); "
          f"peak RSS {max(rss for _, _, rss in runs)} MiB")

    queries, sizes = query_mix(Gazetteer(index), args.queries)
    print(f"offline lookups: {sizes['cities']} top city names + {sizes['admin1']} admin-1 names + "
          f"{sizes['typos']} typos ({sizes['distinct']:,} distinct), cycled to {len(queries):,}")
    geocoder = OfflineGeocoder(Gazetteer(index))
    _rate("OfflineGeocoder.geocode", lambda q: geocoder.geocode(q) is not None, queries, sizes["pool"])
    gazetteer = Gazetteer(index)
    _rate("Gazetteer.search", lambda q: bool(gazetteer.search(q)), queries, sizes["pool"])

    if args.skip_build:
        return
    tmp = tempfile.mkdtemp(prefix="geomap-bench-cache-")
    try:
        env = dict(os.environ, GEOMAP_CACHE_DIR=tmp)
        build = [sys.executable, "-c",
                 "from geomap.gazetteer.index import ensure_index; ensure_index(progress=False)"]
        wall, code, rss = run_child(build, env=env)
        if code != 0:
            raise SystemExit(f"index build failed (exit code {code})")
        built = next(Path(tmp).glob("gazetteer-*.sqlite"))
        print(f"index build (one, in a temporary cache folder): {wall:.1f} s wall, peak RSS {rss} MiB, "
              f"{built.stat().st_size / 2**20:.0f} MiB file")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main(sys.argv[1:])
