"""Regenerate the committed example page and the README's two screenshots, offline.

    python -m tools.readme_screenshots

Maps the bundled example articles as ``geomap demo`` does (``maps/example.html``, the page the
README links to), opens it in Debian's Chromium (Playwright, ``/usr/bin/chromium``, every
non-local request blocked) at 1366x768 and saves ``docs/example-map.png`` (the first view: the
theatre) and ``docs/example-map-working-zoom.png`` (zoom 9 at Kherson, the popup of an incident
there open). Run it after a change the page shows; not installed, not run by the tests.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
VIEWPORT = {"width": 1366, "height": 768}
LOCAL = ("file:", "data:", "about:", "blob:")
#: The working-zoom view: Kherson and the Dnipro delta.
KHERSON = (46.62, 32.85, 9)
PLACE = "Kherson"

_READY = "document.querySelector('.geomap').dataset.loaded !== undefined && !document.querySelector('.geomap').geomap.animating()"


def build_page(out: Path) -> None:
    """``geomap demo`` into a scratch folder; its page becomes ``out``."""
    with tempfile.TemporaryDirectory() as scratch:
        subprocess.run([sys.executable, "-m", "geomap", "demo", "--output-dir", scratch, "--no-png"],
                       check=True, cwd=REPO)
        shutil.copyfile(Path(scratch) / "examples.html", out)


def screenshots(page_path: Path, theatre: Path, working: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
        context = browser.new_context(viewport=VIEWPORT)
        blocked: list[str] = []
        context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(LOCAL)
                      else (blocked.append(route.request.url), route.abort()))
        page = context.new_page()
        page.goto(page_path.as_uri())
        page.wait_for_function(_READY, timeout=60_000)
        page.wait_for_timeout(500)
        page.screenshot(path=str(theatre))
        lat, lon, zoom = KHERSON
        page.evaluate(f"document.querySelector('.geomap').geomap.map.setView([{lat}, {lon}], {zoom}, "
                      "{animate: false}) && null")
        page.wait_for_function(_READY, timeout=60_000)
        index = page.evaluate(f"""() => {{ const m = document.querySelector('.geomap').geomap;
            return m.pins.find(i => m.strings[m.cols.place[i]] === {PLACE!r} && m.cols.gp[i] === 1); }}""")
        if index is None:
            raise SystemExit(f"no incident at {PLACE} in the example map: choose another place")
        page.evaluate(f"document.querySelector('.geomap').geomap.openPopup({index})")
        page.wait_for_timeout(800)  # the popup fades in and pans into view
        page.screenshot(path=str(working))
        browser.close()
    if blocked:
        raise SystemExit(f"the page tried the network: {blocked[:3]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--page", type=Path, default=REPO / "maps" / "example.html")
    parser.add_argument("--docs", type=Path, default=REPO / "docs")
    args = parser.parse_args(argv)
    build_page(args.page)
    screenshots(args.page, args.docs / "example-map.png", args.docs / "example-map-working-zoom.png")
    print(f"wrote {args.page}, {args.docs / 'example-map.png'}, {args.docs / 'example-map-working-zoom.png'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
