"""Accessibility of the map page, checked by axe-core in Chromium (offline).

axe-core comes from npm, pinned in tests/browser/package.json and installed by `make browser`
(`npm ci`); it is injected into the page under test only, never shipped in a map. The map must
have no serious or critical violations on desktop and phone, light and dark, with the controls
folded and open and with a popup showing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from geomap.render import make_map
from geomap.render._synthetic import synthetic_incidents
from pagekit import open_map

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="module")
def map_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("a11y") / "map.html"
    make_map(synthetic_incidents(40), title="Accessibility").save(path)
    return path


def serious_violations(page) -> list[tuple[str, str, list]]:
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run `make browser` (npm ci installs axe-core for the tests)")
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate("axe.run(document, { resultTypes: ['violations'] })")
    return [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:5]) for v in result["violations"]
            if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", [{"width": 1366, "height": 768}, {"width": 390, "height": 844}])
def test_no_serious_accessibility_violations(page, map_path, viewport, scheme):
    page.set_viewport_size(viewport)
    page.emulate_media(color_scheme=scheme)
    open_map(page, map_path)
    assert serious_violations(page) == []
    # everything unfolded, and a popup open
    page.evaluate("""() => { document.querySelectorAll('.geomap details').forEach(d => { d.open = true; });
        document.querySelector('.geomap').geomap.openPopup(0); }""")
    page.wait_for_timeout(300)
    assert serious_violations(page) == []
