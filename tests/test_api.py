"""The public API: ``__all__`` is what ``import geomap`` exposes, every name real, a cheap import."""

import json
import subprocess
import sys

import geomap

#: The public API the README documents: adding or removing a name is a decision, made here too.
DOCUMENTED = [
    "Article", "ConfigurationError", "DataError", "GeocoderUnavailable", "GeomapError", "Incident",
    "InputError", "Mention", "OfflineGeocoder", "OutputError", "Place", "UsageError", "__version__",
    "extract", "geoparse", "get_geocoder", "load_gazetteer", "load_taxonomy", "make_map",
    "read_articles", "read_incidents", "read_store", "to_folium", "write_incidents",
]


def test_all_is_the_documented_api_sorted():
    assert geomap.__all__ == sorted(DOCUMENTED)


def test_import_geomap_exposes_exactly_all():
    # in a fresh interpreter: every name of __all__ resolved, then what the module really holds
    code = ("import json, types, geomap; [getattr(geomap, n) for n in geomap.__all__]; "
            "print(json.dumps(sorted(n for n, v in vars(geomap).items() "
            "if not n.startswith('_') and not isinstance(v, types.ModuleType))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == [n for n in geomap.__all__ if not n.startswith("_")]
    assert sorted(dir(geomap)) == geomap.__all__


def test_every_public_name_is_geomaps_own():
    for name in geomap.__all__:
        value = getattr(geomap, name)
        owner = getattr(value, "__module__", "geomap") if not isinstance(value, str) else "geomap"
        assert owner.startswith("geomap"), f"geomap.{name} is {owner}'s, not geomap's"


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
