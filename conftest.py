"""Set-up for the doctests in geomap/ (collected with --doctest-modules; tests/ has its own).

A doctest runs in a temporary folder (with a ``maps/`` in it) and finds ``incidents`` (a small
synthetic incidents frame), ``geomap`` and ``folium`` already imported, so the examples in the
docstrings run as written and write nothing into the checkout.
"""

from __future__ import annotations

import pytest
from _pytest.doctest import DoctestItem


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
