"""The base map's pieces kept between runs: outlines and detail as JSON text in the user cache.

Reading the outline and base-map tables and simplifying their shapes costs about 0.7 s in each
new process (``python -m bench maps``), for the same few countries and cells every time. Each
piece is stored once under a key made of what it depends on: the code that makes it (the hash of
its module's source), the data files it reads (path, size, modification time) and its own
arguments; a changed file or a new geomap makes a new key. The folder keeps the
:data:`MAX_FILES` most recently used pieces. A cache that cannot be read or written (a
read-only ``GEOMAP_CACHE_DIR``) only costs the time: the piece is made again.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path

#: Pieces kept (outlines of a few kB, the detail around a map's incidents up to a few hundred kB).
MAX_FILES = 256
_FOLDER = "render"


@functools.lru_cache(maxsize=8)
def _source_hash(module_file: str) -> str:
    return hashlib.sha256(Path(module_file).read_bytes()).hexdigest()


def _identity(path: Path) -> str:
    try:
        stat = path.stat()
    except OSError:
        return f"{path}:missing"
    return f"{path}:{stat.st_size}:{stat.st_mtime_ns}"


def _folder() -> Path | None:
    from .._paths import cache_dir

    try:
        folder = cache_dir() / _FOLDER
        folder.mkdir(exist_ok=True)
    except OSError:
        return None
    return folder


def _prune(folder: Path) -> None:
    try:
        files = [(f.stat().st_mtime_ns, f) for f in folder.glob("*.json")]
    except OSError:
        return
    if len(files) <= MAX_FILES:
        return
    files.sort()
    for _, old in files[:len(files) - MAX_FILES]:
        try:
            old.unlink()
        except OSError:
            pass


def cached_json(code: Iterable[str], sources: Iterable[Path], key: str, make: Callable[[], str]) -> str:
    """The JSON text ``make()`` returns, from the cache when a run made it already.

    ``code``: the source files of the code that makes it (``[__file__, ...]``); ``sources``: the
    data files it reads; ``key``: its arguments, as text."""
    import shapely

    from .._version import __version__

    modules = list(code)
    parts = [__version__, shapely.__version__, *(_source_hash(m) for m in modules),
             *(_identity(Path(s)) for s in sources), key]
    digest = hashlib.sha256("\n".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:32]
    folder = _folder()
    path = folder / f"{Path(modules[0]).stem.lstrip('_')}-{digest}.json" if folder else None
    if path is not None:
        try:
            text = path.read_text(encoding="utf-8")
            json.loads(text)  # a damaged file is made again
            os.utime(path)  # recently used: kept by _prune
            return text
        except (OSError, ValueError):
            pass
    text = make()
    if path is not None and folder is not None:
        from .._atomic import write_text_atomic

        try:
            write_text_atomic(path, text)
        except (OSError, UnicodeError):
            return text
        _prune(folder)
    return text
