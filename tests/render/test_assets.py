"""The page's script: the files of ``geomap/render/static/js/`` joined in one fixed order."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from geomap.render import _assets


def test_every_script_part_is_joined_once_and_nothing_else_ships():
    folder = Path(_assets.__file__).parent / "static" / "js"
    on_disk = sorted(p.stem for p in folder.glob("*.js"))
    assert sorted(_assets.SCRIPT_PARTS) == on_disk
    assert len(set(_assets.SCRIPT_PARTS)) == len(_assets.SCRIPT_PARTS)
    text = _assets.script_text()
    starts = [text.index((folder / f"{name}.js").read_text(encoding="utf-8")) for name in _assets.SCRIPT_PARTS]
    assert starts == sorted(starts)  # in SCRIPT_PARTS order
    assert text.startswith("(function () {") and text.rstrip().endswith("})();")
    assert "</script" not in text.lower()


@pytest.mark.skipif(shutil.which("node") is None, reason="node checks the joined script's syntax")
def test_joined_script_parses(tmp_path):
    script = tmp_path / "page.js"
    script.write_text(_assets.script_text(), encoding="utf-8")
    subprocess.run(["node", "--check", str(script)], check=True, capture_output=True)
