"""The public API: one sorted __all__, every name real, and a cheap import."""

import subprocess
import sys

import geomap


def test_all_is_sorted_and_unique():
    assert geomap.__all__ == sorted(set(geomap.__all__))


def test_every_public_name_resolves():
    for name in geomap.__all__:
        assert getattr(geomap, name) is not None, name


def test_unknown_name_is_an_attribute_error():
    try:
        geomap.no_such_thing  # noqa: B018
    except AttributeError as exc:
        assert "no_such_thing" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("geomap.no_such_thing should not exist")


def test_import_is_cheap():
    # no heavy library and no index is touched by `import geomap` or by loading the CLI
    code = ("import sys, geomap, geomap.cli; "
            "heavy = [m for m in ('geopandas', 'pandas', 'shapely', 'folium', 'pyarrow', 'geopy', 'numpy', 'sqlite3') "
            "if m in sys.modules]; print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
