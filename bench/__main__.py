"""Run the benchmarks: ``python -m bench [NAME...] [--option ...]`` runs bench/bench_NAME.py
(all when no name is given); options after the names go to each benchmark's ``main``.

Each module defines ``main(argv: list[str]) -> None`` that prints its figures. Each benchmark runs
in a fresh interpreter, so start-up times, caches and peak memory are its own.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    here = Path(__file__).parent
    cut = next((i for i, arg in enumerate(argv) if arg.startswith("-")), len(argv))
    names, options = argv[:cut], argv[cut:]
    names = names or sorted(p.stem[len("bench_"):] for p in here.glob("bench_*.py"))
    failed = 0
    for name in names:
        print(f"\n== {name} ==", flush=True)
        started = time.perf_counter()
        code = f"import sys, bench.bench_{name} as m; m.main(sys.argv[1:])"
        done = subprocess.run([sys.executable, "-c", code, *options], cwd=here.parent)
        failed += done.returncode != 0
        print(f"({name}: {time.perf_counter() - started:.1f} s)", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
