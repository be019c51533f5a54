"""Where geomap finds its curated data and keeps its caches.

The curated data lives in the repository's top-level ``data/`` folder; ``GEOMAP_DATA_DIR`` points
elsewhere (for an installed copy or a customised lexicon). Caches (the gazetteer index, the online
geocoder cache) go to ``GEOMAP_CACHE_DIR`` or ``~/.cache/geomap``.
"""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def data_dir() -> Path:
    """The curated data folder (``data/`` beside the package, unless ``GEOMAP_DATA_DIR`` is set)."""
    env = os.environ.get("GEOMAP_DATA_DIR")
    if env:
        return Path(env).expanduser().resolve()
    return _PACKAGE_DIR.parent / "data"


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
