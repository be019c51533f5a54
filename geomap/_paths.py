"""Where geomap finds its curated data and keeps its caches.

The curated data ships inside the package (``geomap/data/``, package data of the wheel) and is
found through :mod:`importlib.resources`, so an installed geomap reads the same files as a
checkout; ``GEOMAP_DATA_DIR`` points elsewhere (a customised taxonomy or lexicon). Caches (the
gazetteer index, the online geocoder cache) go to ``GEOMAP_CACHE_DIR`` or ``~/.cache/geomap``.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from .errors import DataError


def data_dir() -> Path:
    """The curated data folder (``geomap/data``, unless ``GEOMAP_DATA_DIR`` is set)."""
    env = os.environ.get("GEOMAP_DATA_DIR")
    if env:
        return Path(env).expanduser().resolve()
    folder = resources.files("geomap") / "data"
    if not isinstance(folder, Path):  # a zip or another non-file importer: GDAL needs real files
        raise DataError(f"geomap's data is not on the file system ({folder}); install geomap "
                        "unpacked (pip install) or point GEOMAP_DATA_DIR at a copy of geomap/data")
    return folder


def data_path(*parts: str) -> Path:
    """A file inside the curated data folder."""
    return data_dir().joinpath(*parts)


def cache_dir() -> Path:
    """The cache folder, created on demand."""
    env = os.environ.get("GEOMAP_CACHE_DIR")
    base = Path(env).expanduser() if env else Path(
        os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "geomap"
    base.mkdir(parents=True, exist_ok=True)
    return base
