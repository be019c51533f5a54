"""The region layers and the spatial join (geomap.region_join)."""

import subprocess
import sys

import pytest

from geomap import region_join as J
from geomap.errors import DataError, UsageError


def test_missing_data_raises_data_error(tmp_path, monkeypatch):
    monkeypatch.setenv("GEOMAP_DATA_DIR", str(tmp_path))
    J._load.cache_clear()
    try:
        with pytest.raises(DataError, match="make data"):
            J.load_regions("admin1")
    finally:
        monkeypatch.delenv("GEOMAP_DATA_DIR")
        J._load.cache_clear()


def test_unknown_layer():
    with pytest.raises(UsageError):
        J.load_regions("rivers")



def test_import_is_cheap_and_needs_no_gazetteer():
    # the gazetteer index build imports this module: it must not reach back to the gazetteer
    code = ("import sys, geomap.region_join; "
            "print(sorted(m for m in ('geopandas', 'shapely', 'pandas', 'geomap.gazetteer', "
            "'geomap.regions') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
