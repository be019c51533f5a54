"""Past one core: Dask workers against one process, the store against a file, start-up.

Figures printed:

1. start-up: a fresh ``geomap geoparse`` and ``geomap extract -o x.geojson`` process on one
   short article (the median of 7 runs, wall and CPU seconds of that process alone); when
   ``PYTHONDONTWRITEBYTECODE`` is set, also with cached bytecode, as an installed wheel runs;
   and the gazetteer index build (``geomap index build`` into an empty folder): wall and CPU
   seconds and peak RSS;
2. Dask: ``geomap.dask.extract`` on the cluster ``geomap extract --workers 2`` starts (2 worker
   processes, :func:`geomap.cli._dask.dask_client`) against ``geomap.extract`` in this process, on
   N varied synthetic articles (default 20,000) read from JSONL files by the workers themselves,
   the two taken in turn (``--rounds``, default 3, each in the other order from the last: the
   machine's speed drifts) and each round's ratio printed with their median; and in each round,
   as the ceiling this machine gives two processes at that moment, two plain processes side by
   side, each extracting half of the articles (no Dask, no merge between them);
   each worker warmed as this process is (its warm-up CPU, the index reopen and imports, is
   printed); whether the two outputs are byte-identical as GeoJSON; the memory of each worker
   process (psutil RSS at the end, and its peak). On a shared machine the wall-clock ratio says
   more about the other users than about geomap, so the CPU seconds per article are measured
   too, in this process and in the workers (psutil), and the speed-up they give on two free
   cores that carry the workers and the client with its scheduler is printed:
   ``serial CPU / ((worker CPU + client CPU) / 2)``;
3. the store: ``geomap extract --store`` against ``geomap extract -o x.geojson`` on the same
   articles (default 10,000), and the 10th batch of 1,000 articles into a store against the 1st
   (wall and CPU seconds; the ratio of CPU seconds is the one load does not move); the peak RSS
   of a store-only run (no ``-o``) on a quarter of the articles and on all of them: it streams,
   so the two should be close.

The synthetic articles are made from the project's own example articles (data/examples):
sentences drawn at random, every city they name replaced by another city of the gazetteer,
dates spread over a year, so that name caches and incident ids vary as in a real archive. No
evaluation text is used.

Run: ``python -m bench scale`` (``--articles N --rounds N --store-articles N --skip-startup --skip-index
--skip-dask --skip-store``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "geomap" / "data" / "examples"


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


# --------------------------------------------------------------------------- synthetic articles


def synthetic_records(n: int, seed: int = 13) -> list[dict]:
    """``n`` varied articles as JSON records (id, text, date, source) from the example articles."""
    import geomap
    from geomap.gazetteer import load_gazetteer
    from geomap.incidents.sentences import split_sentences

    rng = random.Random(seed)
    cities = [r[0] for r in load_gazetteer()._db.execute(
        "SELECT name FROM places WHERE kind='city' AND population>=30000 AND name NOT LIKE '%''%' ORDER BY id")]
    pieces = []  # (sentence text, [(start, end) of city mentions])
    for article in geomap.read_articles([str(EXAMPLES)]):
        for sent in split_sentences(article.text):
            spans = [(m.start, m.end) for m in geomap.geoparse(sent.text) if m.kind == "city"]
            pieces.append((sent.text, spans))
    start = dt.date(2025, 1, 1)
    records = []
    for i in range(n):
        sentences = []
        for text, spans in rng.sample(pieces, rng.randint(3, 7)):
            for s, e in reversed(spans):
                text = text[:s] + rng.choice(cities) + text[e:]
            sentences.append(text)
        records.append({"id": f"syn{i}", "text": " ".join(sentences),
                        "date": (start + dt.timedelta(days=rng.randrange(365))).isoformat(),
                        "source": f"synthetic/{i}"})
    return records


def _write_jsonl(records: list[dict], folder: Path, files: int) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    size = -(-len(records) // files)
    for k in range(files):
        path = folder / f"articles-{k:03d}.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in records[k * size:(k + 1) * size]), encoding="utf-8")
        paths.append(str(path))
    return paths


# --------------------------------------------------------------------------- start-up


def _child(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float, float]:
    """(wall s, CPU s, peak RSS MB) of one child process and its own threads (os.wait4: that
    child's figures alone, not those of earlier children). The peak is the child's own high-water
    mark (``VmHWM``, watched while it runs): its ``ru_maxrss`` also counts the pages of this
    process, which it shared between fork and exec."""
    import re
    import threading

    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    assert proc.stderr is not None
    peak = [0.0]
    done = threading.Event()

    def watch() -> None:
        status = Path(f"/proc/{proc.pid}/status")
        while not done.is_set():
            try:
                found = re.search(r"VmHWM:\s+(\d+) kB", status.read_text())
            except OSError:
                return
            if found:
                peak[0] = max(peak[0], int(found[1]) / 1024)
            done.wait(0.02)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    err = proc.stderr.read()
    done.set()
    watcher.join()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t0
    if proc.returncode:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}): {err.decode(errors='replace')}")
    return wall, usage.ru_utime + usage.ru_stime, peak[0] or usage.ru_maxrss / 1024


def _median(cmd: list[str], runs: int, env: dict[str, str] | None = None) -> tuple[float, float]:
    figures = [_child(cmd, env) for _ in range(runs)]
    return statistics.median(f[0] for f in figures), statistics.median(f[1] for f in figures)


def startup(tmp: Path, runs: int = 7) -> None:
    geomap_cli = [sys.executable, "-m", "geomap"]
    one = str(EXAMPLES / "01_tuapse_novorossiysk.txt")
    subprocess.run([*geomap_cli, "index", "build"], check=True, capture_output=True)
    settings = [("", None)]
    if os.environ.get("PYTHONDONTWRITEBYTECODE"):
        # this environment compiles geomap's sources at every start; an installed wheel does not
        cached = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        subprocess.run([*geomap_cli, "--help"], check=True, capture_output=True, env=cached)
        settings = [(" (sources compiled at every start: PYTHONDONTWRITEBYTECODE)", None),
                    (" (cached bytecode, as installed)", cached)]
    for name, cmd in (("geoparse", [*geomap_cli, "geoparse", one, "-o", str(tmp / "one.jsonl"), "-q"]),
                      ("extract", [*geomap_cli, "extract", one, "-o", str(tmp / "one.geojson"), "-q"])):
        for note, env in settings:
            if env is not None:
                _child(cmd, env)  # writes the bytecode of the modules this command loads
            wall, cpu = _median(cmd, runs, env)
            print(f"start-up  geomap {name:<9} one article: {wall:.2f} s wall, {cpu:.2f} s CPU "
                  f"(median of {runs}){note}, load {_load()}")


def index_build(tmp: Path) -> None:
    """A cold ``geomap index build`` into an empty folder: time and peak memory."""
    wall, cpu, peak = _child([sys.executable, "-m", "geomap", "index", "build", "--to", str(tmp / "index")])
    print(f"index     geomap index build (cold): {wall:.1f} s wall, {cpu:.1f} s CPU, peak RSS {peak:.0f} MB "
          f"(load {_load()})")


# --------------------------------------------------------------------------- Dask


def _worker_figures() -> dict[str, float]:
    """In a worker: its process's CPU seconds so far, RSS now and peak RSS (MB)."""
    import resource as r

    import psutil

    proc = psutil.Process()
    cpu = proc.cpu_times()
    return {"cpu": cpu.user + cpu.system, "rss": proc.memory_info().rss / 2**20,
            "peak": r.getrusage(r.RUSAGE_SELF).ru_maxrss / 1024}


def _self_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _articles(records: list[dict]) -> list:
    """The synthetic records as Articles, read as a serial run is given them."""
    from geomap.models import Article

    return [Article(id=r["id"], text=r["text"], date=dt.date.fromisoformat(r["date"]), source=r["source"])
            for r in records]


def _warm(records: list[dict]) -> dict[str, float]:
    """In a worker: the serial run's warm-up (gazetteer, lexicon, regions, pandas and geopandas
    for the frame), timed: what a worker pays once, at its start."""
    import resource as r
    import time as t

    import geomap

    def cpu() -> float:
        usage = r.getrusage(r.RUSAGE_THREAD)
        return usage.ru_utime + usage.ru_stime

    c0, t0 = cpu(), t.perf_counter()
    geomap.extract(_articles(records))
    return {"wall": t.perf_counter() - t0, "cpu": cpu() - c0}


def _half_child(path: str) -> None:
    """In a fresh process: warm as the serial run is, then extract the articles of ``path`` (a
    JSONL file) and print this process's wall and CPU seconds for them, as JSON."""
    import geomap

    records = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines()]
    articles = _articles(records)
    geomap.extract(articles[:20])
    c0, t0 = _self_cpu(), time.perf_counter()
    geomap.extract(articles)
    print(json.dumps({"wall": time.perf_counter() - t0, "cpu": _self_cpu() - c0}))


def _side_by_side(halves: list[Path]) -> tuple[float, float]:
    """Two plain processes at once, each on half of the articles (no Dask, no merge between
    them): (wall seconds of the slower, CPU seconds of both); what this machine gives two
    processes at this moment, the ceiling a speed-up on it can reach."""
    code = "import sys, bench.bench_scale as m; m._half_child(sys.argv[1])"
    procs = [subprocess.Popen([sys.executable, "-c", code, str(h)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
             for h in halves]
    outs = [json.loads(p.communicate()[0].strip().splitlines()[-1]) for p in procs]
    if any(p.returncode for p in procs):
        raise RuntimeError("a side-by-side process failed")
    return max(o["wall"] for o in outs), sum(o["cpu"] for o in outs)


def dask_vs_serial(records: list[dict], tmp: Path, rounds: int = 3) -> None:
    """Serial and Dask runs taken in turn, ``rounds`` times, on one cluster: the machine's speed
    drifts by 15% and more over minutes here, and a drift between two runs taken one after the
    other would be read as a speed-up (or a loss); each round's ratio compares neighbours."""
    import dask.bag as db

    import geomap
    import geomap.dask
    from geomap.cli._dask import dask_client

    paths = _write_jsonl(records, tmp / "jsonl", files=16)
    halves = [_jsonl(records[k::2], tmp / f"half-{k}.jsonl") for k in range(2)]
    articles = _articles(records)
    geomap.extract(articles[:20])  # warm: gazetteer, lexicon, regions
    n = len(articles)
    t0 = time.perf_counter()
    with dask_client(2, None) as client:  # the cluster `geomap extract --workers 2` runs on
        started = time.perf_counter() - t0
        # each worker warmed as the serial process was (and its start-up measured)
        warm = client.run(_warm, records[:20])
        # and this process as for the serial run: Dask's dataframe modules imported, one small graph run
        geomap.dask.collect(geomap.dask.extract(db.from_sequence(records[:4], npartitions=2)))
        print(f"2 workers      cluster start {started:.1f} s, each worker's warm-up "
              + ", ".join(f"{w['cpu']:.1f} s CPU" for w in warm.values()) + f" (load {_load()})")
        clock, by_cpu, pair_clock, pair_cpu = [], [], [], []
        for round_ in range(1, rounds + 1):
            # in turn, and in the other order every other round, so that a steady drift of the
            # machine's speed favours neither side
            for side in ("serial", "dask") if round_ % 2 else ("dask", "serial"):
                if side == "serial":
                    c0, t0 = _self_cpu(), time.perf_counter()
                    serial = geomap.extract(articles)
                    serial_s, serial_cpu = time.perf_counter() - t0, _self_cpu() - c0
                    continue
                before = client.run(_worker_figures)
                c0, t0 = _self_cpu(), time.perf_counter()
                parallel = geomap.dask.collect(geomap.dask.extract(db.read_text(paths).map(json.loads)))
                dask_s, client_cpu = time.perf_counter() - t0, _self_cpu() - c0
                after = client.run(_worker_figures)
            worker_cpu = sum(after[w]["cpu"] - before[w]["cpu"] for w in after)
            pair_s, both_cpu = _side_by_side(halves)
            # two cores carry the workers AND the client (with the scheduler): their CPU shares them
            clock.append(serial_s / dask_s)
            by_cpu.append(serial_cpu / ((worker_cpu + client_cpu) / 2))
            pair_clock.append(serial_s / pair_s)
            pair_cpu.append(serial_cpu / (both_cpu / 2))
            print(f"round {round_}        one process: {n} articles in {serial_s:.1f} s = {n / serial_s:.0f} articles/s, "
                  f"{len(serial)} incidents, {1000 * serial_cpu / n:.2f} ms CPU per article; 2 workers: {dask_s:.1f} s = "
                  f"{n / dask_s:.0f} articles/s, {len(parallel)} incidents, {1000 * worker_cpu / n:.2f} ms CPU per "
                  f"article in the workers (both together), {1000 * client_cpu / n:.2f} ms in the client and "
                  f"scheduler: {clock[-1]:.2f}x by the clock, {by_cpu[-1]:.2f}x by CPU; two plain processes side by "
                  f"side, half each: {pair_clock[-1]:.2f}x by the clock, {pair_cpu[-1]:.2f}x by CPU (load {_load()})")
        print(f"2 workers      against one process: {statistics.median(clock):.2f}x by the clock, "
              f"{statistics.median(by_cpu):.2f}x by CPU (the speed-up on 2 free cores), median of {rounds} rounds; "
              f"the machine's ceiling, two plain processes side by side: {statistics.median(pair_clock):.2f}x by the "
              f"clock, {statistics.median(pair_cpu):.2f}x by CPU; peak RSS of this process {_peak_rss_mb():.0f} MB")
        print("               memory per worker (psutil RSS at the end / peak): "
              + ", ".join(f"{f['rss']:.0f} / {f['peak']:.0f} MB" for f in after.values()))
    a, b = tmp / "serial.geojson", tmp / "dask.geojson"
    geomap.write_incidents(serial, a)
    geomap.write_incidents(parallel, b)
    print(f"               output identical to one process (GeoJSON bytes): {a.read_bytes() == b.read_bytes()}")


# --------------------------------------------------------------------------- the store


def _timed(cmd: list[str]) -> tuple[float, float]:
    """(wall, CPU seconds) of a child process."""
    wall, cpu, _ = _child(cmd)
    return wall, cpu


def _jsonl(records: list[dict], path: Path) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def store_vs_file(records: list[dict], tmp: Path, batch: int = 1000) -> None:
    geomap_cli = [sys.executable, "-m", "geomap", "extract", "-q"]
    jsonl = _jsonl(records, tmp / "store-articles.jsonl")
    file_s, file_cpu = _timed([*geomap_cli, str(jsonl), "-o", str(tmp / "x.geojson")])
    store_s, store_cpu, store_peak = _child([*geomap_cli, str(jsonl), "--store", str(tmp / "x.gpkg")])
    n = len(records)
    print(f"store          extract -o x.geojson: {n / file_s:.0f} articles/s ({file_cpu:.1f} s CPU); "
          f"extract --store: {n / store_s:.0f} articles/s ({store_cpu:.1f} s CPU) = {file_s / store_s:.2f}x "
          f"the file's speed by the clock, {file_cpu / store_cpu:.2f}x by CPU ({n} articles, load {_load()})")
    quarter = _jsonl(records[:n // 4], tmp / "store-quarter.jsonl")
    _, _, quarter_peak = _child([*geomap_cli, str(quarter), "--store", str(tmp / "quarter.gpkg")])
    print(f"               store-only run (no -o), peak RSS: {quarter_peak:.0f} MB for {n // 4} articles, "
          f"{store_peak:.0f} MB for {n} (ratio {store_peak / quarter_peak:.2f})")
    batches = []
    store = tmp / "growing.gpkg"
    for k in range(min(10, n // batch)):
        part = _jsonl(records[k * batch:(k + 1) * batch], tmp / f"batch-{k}.jsonl")
        batches.append(_timed([*geomap_cli, str(part), "--store", str(store)]))
    if len(batches) == 10:
        (w1, c1), (w10, c10) = batches[0], batches[9]
        print(f"               1st {batch} articles into a store: {w1:.1f} s ({c1:.1f} s CPU); 10th: {w10:.1f} s "
              f"({c10:.1f} s CPU); ratio {w10 / w1:.2f} by the clock, {c10 / c1:.2f} by CPU (load {_load()})")


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="bench_scale")
    parser.add_argument("--articles", type=int, default=20_000, help="articles for Dask against one process")
    parser.add_argument("--store-articles", type=int, default=10_000, help="articles for the store against a file")
    parser.add_argument("--rounds", type=int, default=3, help="serial and Dask runs taken in turn")
    parser.add_argument("--skip-dask", action="store_true")
    parser.add_argument("--skip-store", action="store_true")
    parser.add_argument("--skip-startup", action="store_true")
    parser.add_argument("--skip-index", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="geomap-bench-scale-") as folder:
        tmp = Path(folder)
        if not args.skip_startup:
            startup(tmp)
        if not args.skip_index:
            index_build(tmp)
        if args.skip_dask and args.skip_store:
            return
        records = synthetic_records(max(args.articles, args.store_articles))
        if not args.skip_dask:
            dask_vs_serial(records[:args.articles], tmp, args.rounds)
        if not args.skip_store:
            store_vs_file(records[:args.store_articles], tmp)


if __name__ == "__main__":
    main(sys.argv[1:])
