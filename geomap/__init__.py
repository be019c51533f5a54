"""geomap: turn news reports into layered incident maps, offline by default.

The public API is imported lazily: ``import geomap`` is cheap, and each name loads its module on
first use. Stages, in order::

    articles = geomap.read_articles(["data/examples"])      # -> [Article]
    mentions = geomap.geoparse(articles[0].text)            # -> [Mention]
    incidents = geomap.extract(articles)                    # -> GeoDataFrame (EPSG:4326)
    geomap.make_map(incidents).save("maps/examples.html")   # -> self-contained HTML
"""

import importlib as _importlib
import typing as _typing

from ._version import __version__ as __version__  # re-exported: in __all__

#: public name -> module that defines it
_EXPORTS: dict[str, str] = {
    "Article": "geomap.models",
    "ConfigurationError": "geomap.errors",
    "DataError": "geomap.errors",
    "GeocoderUnavailable": "geomap.errors",
    "GeomapError": "geomap.errors",
    "Incident": "geomap.models",
    "InputError": "geomap.errors",
    "Mention": "geomap.models",
    "OfflineGeocoder": "geomap.geocoders",
    "OutputError": "geomap.errors",
    "Place": "geomap.models",
    "UsageError": "geomap.errors",
    "extract": "geomap.pipeline",
    "geoparse": "geomap.toponyms",
    "get_geocoder": "geomap.geocoders",
    "load_gazetteer": "geomap.gazetteer",
    "load_taxonomy": "geomap.incidents.taxonomy",
    "make_map": "geomap.render",
    "read_articles": "geomap.articles",
    "read_incidents": "geomap.export",
    "read_store": "geomap.store",
    "to_folium": "geomap.render",
    "write_incidents": "geomap.export",
}

__all__ = sorted([*_EXPORTS, "__version__"])


def __getattr__(name: str) -> _typing.Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'geomap' has no attribute {name!r}")
    value = getattr(_importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
