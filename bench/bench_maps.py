"""Map scale: build time and page size for 1k/10k/100k synthetic incidents, and the time Chromium
takes to first render each page offline (until the markers or clusters are on screen).

``python -m bench maps`` or ``python -m bench.bench_maps [N...] [--no-browser]``.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

SIZES = (1_000, 10_000, 100_000)
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def _render_times(paths: list[Path]) -> dict[Path, float]:
    from playwright.sync_api import sync_playwright

    times: dict[Path, float] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        for path in paths:
            page = browser.new_page(viewport={"width": 1200, "height": 800})
            page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(
                ("file:", "data:", "about:", "blob:")) else route.abort())
            started = time.perf_counter()
            page.goto(path.as_uri())
            page.wait_for_selector(".geomap[data-ready] :is(.marker-cluster, .geomap-marker)",
                                   timeout=300_000)
            times[path] = time.perf_counter() - started
            # responsiveness: toggling a type re-clusters everything
            started = time.perf_counter()
            page.locator(".leaflet-control-layers-overlays input").first.uncheck()
            page.evaluate("new Promise(r => requestAnimationFrame(() => r(null)))")
            times[path.with_suffix(".toggle")] = time.perf_counter() - started
            page.close()
        browser.close()
    return times


def main(argv: list[str]) -> None:
    from geomap.render import make_map
    from geomap.render._synthetic import synthetic_incidents

    browser = "--no-browser" not in argv
    sizes = [int(a) for a in argv if a.isdigit()] or list(SIZES)
    folder = Path(tempfile.mkdtemp(prefix="geomap-bench-"))
    rows = []
    for n in sizes:
        gdf = synthetic_incidents(n, jitter=0.5)
        started = time.perf_counter()
        the_map = make_map(gdf, title=f"{n} incidents")
        path = the_map.save(folder / f"map-{n}.html")
        rows.append((n, path, time.perf_counter() - started, path.stat().st_size))
    renders = _render_times([row[1] for row in rows]) if browser and Path(CHROMIUM).exists() else {}
    print(f"{'incidents':>10} {'build s':>8} {'page MB':>8} {'render s':>9} {'toggle s':>9}")
    for n, path, build, size in rows:
        render = renders.get(path)
        toggle = renders.get(path.with_suffix(".toggle"))
        print(f"{n:>10} {build:>8.2f} {size / 1e6:>8.2f} "
              f"{(f'{render:.2f}' if render is not None else '-'):>9} "
              f"{(f'{toggle:.2f}' if toggle is not None else '-'):>9}")
    print(f"(pages in {folder})")


if __name__ == "__main__":
    main(sys.argv[1:])
