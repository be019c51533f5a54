"""Map scale: build time and page size for 1k/10k/100k synthetic incidents, and how Chromium
copes with each page offline.

For each size: the time to build and save the page (wall clock and CPU), its size, then in headless Chromium (times
from the start of navigation, taken in the page): the first markers or clusters on screen (the
root's ``data-ready``), every visible marker placed (``data-loaded``), the longest task the page
ran in between (what a click would have waited for at worst; 0 when none took over 50 ms), and the time a type toggle
takes to apply fully, off and on again (in the page: from the click event to the first frame once every visible marker
is placed; Playwright's own steps around the click are left out).

``python -m bench maps`` or ``python -m bench.bench_maps [N...] [--no-browser]``. The figures of the
last runs, with those of the page before, are in the README (Benchmarks, Maps).
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

# Runs before the page's own scripts: note when data-ready and data-loaded first appear, and
# every long task (over 50 ms).
_WATCH = """
window.__bench = { tasks: [] };
new MutationObserver(() => {
  const root = document.querySelector('.geomap');
  if (!root) return;
  const t = performance.now();
  if (root.hasAttribute('data-ready') && !__bench.ready) __bench.ready = t;
  if (root.hasAttribute('data-ready') && root.hasAttribute('data-loaded') && !__bench.loaded) {
    __bench.loaded = t;
  }
}).observe(document, { attributes: true, subtree: true, attributeFilter: ['data-ready', 'data-loaded'] });
try {
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) __bench.tasks.push([e.startTime, e.duration]);
  }).observe({ type: 'longtask', buffered: true });
} catch (e) { __bench.tasks = null; }
"""
_NEXT_FRAME = "new Promise(r => requestAnimationFrame(() => r(null)))"
_TYPE_BOX = ".leaflet-control-layers-overlays label:has([data-type]) input"
# Times the next click on the first type's box in the page: from the click event to the first
# frame once every visible marker is placed (the work left after the click's own handlers, if
# any, is what loaded() waits for). Playwright's own steps around the click (actionability
# checks, round trips: some 50-100 ms) are not the page's time and stay out.
_TIME_CLICK = """(selector) => { window.__toggle = new Promise((resolve) => {
  document.querySelector(selector).addEventListener('click', (e) => {
    const start = e.timeStamp;
    setTimeout(() => document.querySelector('.geomap').geomap.loaded().then(() =>
      requestAnimationFrame(() => resolve((performance.now() - start) / 1000))), 0);
  }, { capture: true, once: true });
}); }"""


def _toggle(page, check: bool) -> float:
    page.evaluate(_TIME_CLICK, _TYPE_BOX)
    box = page.locator(_TYPE_BOX).first
    box.check() if check else box.uncheck()
    page.wait_for_selector(".geomap[data-loaded]", state="attached", timeout=300_000)
    return float(page.evaluate("window.__toggle"))


def _browser_times(paths: list[Path]) -> dict[Path, dict[str, float | None]]:
    from playwright.sync_api import sync_playwright

    results: dict[Path, dict[str, float | None]] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        for path in paths:
            page = browser.new_page(viewport={"width": 1200, "height": 800})
            page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(
                ("file:", "data:", "about:", "blob:")) else route.abort())
            page.add_init_script(_WATCH)
            page.goto(path.as_uri())
            page.wait_for_selector(".geomap[data-ready] :is(.marker-cluster, .geomap-marker)",
                                   timeout=300_000)
            page.wait_for_selector(".geomap[data-loaded]", state="attached", timeout=300_000)
            page.evaluate(_NEXT_FRAME)
            seen = page.evaluate("window.__bench")
            ready, loaded = seen["ready"], seen["loaded"]
            # the longest task between the first markers and the last: the worst wait for a click
            busy = [d for start, d in seen["tasks"] or [] if ready <= start < loaded]
            results[path] = {
                "ready": ready / 1000, "loaded": loaded / 1000,
                "longest": (max(busy, default=0.0) / 1000) if seen["tasks"] is not None else None,
                "off": _toggle(page, check=False), "on": _toggle(page, check=True),
            }
            page.close()
        browser.close()
    return results


def _cell(value: float | None, width: int) -> str:
    return f"{(f'{value:.2f}' if value is not None else '-'):>{width}}"


def main(argv: list[str]) -> None:
    from geomap.render import make_map
    from geomap.render._synthetic import synthetic_incidents

    browser = "--no-browser" not in argv
    sizes = [int(a) for a in argv if a.isdigit()] or list(SIZES)
    folder = Path(tempfile.mkdtemp(prefix="geomap-bench-"))
    rows = []
    for n in sizes:
        gdf = synthetic_incidents(n, jitter=0.5)
        started, cpu = time.perf_counter(), time.process_time()
        the_map = make_map(gdf, title=f"{n} incidents")
        path = the_map.save(folder / f"map-{n}.html")
        rows.append((n, path, time.perf_counter() - started, time.process_time() - cpu, path.stat().st_size))
    times = _browser_times([row[1] for row in rows]) if browser and Path(CHROMIUM).exists() else {}
    print(f"{'incidents':>10} {'build s':>8} {'build cpu':>9} {'page MB':>8} {'ready s':>8} {'loaded s':>9} "
          f"{'longest s':>10} {'type off s':>11} {'type on s':>10}")
    for n, path, build, cpu, size in rows:
        t = times.get(path, {})
        print(f"{n:>10} {build:>8.2f} {cpu:>9.2f} {size / 1e6:>8.2f} {_cell(t.get('ready'), 8)} "
              f"{_cell(t.get('loaded'), 9)} {_cell(t.get('longest'), 10)} {_cell(t.get('off'), 11)} "
              f"{_cell(t.get('on'), 10)}")
    print("build: make_map and save, wall clock and CPU (the first size also reads the base map's "
          "tables unless the user cache holds its pieces); ready: first markers on screen; loaded: "
          "every marker placed; longest: longest task between the two; type off/on: a type toggle "
          "applied in full, click event to next frame (seconds)")
    print(f"(pages in {folder})")


if __name__ == "__main__":
    main(sys.argv[1:])
