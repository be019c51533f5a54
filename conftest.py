"""The docstrings' examples in geomap/ are tests: collected here, module by module.

(Not with ``--doctest-modules``, which would also import the conftest.py files of tests/ as
plain modules.) A doctest runs in a temporary folder (with a ``maps/`` in it) and finds ``incidents`` (a small
synthetic incidents frame), ``geomap`` and ``folium`` already imported, so the examples in the
docstrings run as written and write nothing into the checkout.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from _pytest.doctest import DoctestItem, DoctestModule

PACKAGE = Path(__file__).resolve().parent / "geomap"


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.suffix == ".py" and PACKAGE in file_path.resolve().parents and file_path.name != "__main__.py":
        return DoctestModule.from_parent(parent, path=file_path)
    return None


@pytest.fixture(autouse=True)
def _doctest_folder(request):
    if not isinstance(request.node, DoctestItem):
        return
    import folium

    import geomap
    from geomap.render._synthetic import synthetic_incidents

    folder = request.getfixturevalue("tmp_path")
    (folder / "maps").mkdir()
    request.getfixturevalue("monkeypatch").chdir(folder)
    namespace = request.getfixturevalue("doctest_namespace")
    namespace.update(geomap=geomap, folium=folium, incidents=synthetic_incidents(40))
