"""Opening and creating a store's SQLite database, and checking that it is an incident store."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import GeomapError, InputError, OutputError
from ..export import LAYER, empty_incidents, gpkg_frame
from ..models import INCIDENT_COLUMNS

#: How long a writer waits for another writer's transaction before giving up (seconds).
BUSY_TIMEOUT = 60.0
#: The index that makes ``id`` the upsert key.
UNIQUE_INDEX = "incidents_id_unique"


def quote(name: str) -> str:
    """An SQL identifier, quoted."""
    return '"' + name.replace('"', '""') + '"'


def _uri(path: Path, mode: str) -> str:
    return f"{path.resolve().as_uri()}?mode={mode}"


def create_store(path: Path) -> None:
    """Create an empty store at ``path`` with pyogrio, without ever clobbering an existing file.

    The GeoPackage is built in a temporary file beside ``path`` and hard-linked into place, so two
    processes creating the same store at once end up sharing the one that won.
    """
    import pyogrio

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".gpkg", dir=path.parent)
    except OSError as exc:
        raise OutputError(f"cannot create the store {path}: {exc.strerror or exc}") from exc
    os.close(fd)
    tmp = Path(name)
    tmp.unlink()
    try:
        pyogrio.write_dataframe(gpkg_frame(empty_incidents()), tmp, layer=LAYER, driver="GPKG",
                                geometry_type="Point")
        con = sqlite3.connect(tmp, isolation_level=None)
        try:
            con.execute(f"CREATE UNIQUE INDEX {quote(UNIQUE_INDEX)} ON {quote(LAYER)} (id)")
            con.execute(f'CREATE INDEX "incidents_date" ON {quote(LAYER)} (date)')
            con.execute("PRAGMA journal_mode=WAL")
        finally:
            con.close()
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another process created it first: use theirs
        except OSError:  # a file system without hard links
            if not path.exists():
                os.replace(tmp, path)
    except GeomapError:
        raise
    except Exception as exc:
        raise OutputError(f"cannot create the store {path}: {exc}") from exc
    finally:
        for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm"), Path(f"{tmp}-journal")):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()


@dataclass(frozen=True, slots=True)
class Layout:
    """Where the incidents are in a store: table, integer key, geometry column, every column."""

    table: str
    fid: str
    geom: str
    columns: tuple[str, ...]


#: Incident columns newer than the first stores: added to an older store when it is opened.
ADDED_COLUMNS = ("event_type", "sub_event_type", "location_note")


def layout(con: sqlite3.Connection, path: Path) -> Layout:
    """Check that ``con`` is a GeoPackage with an incidents layer, and describe that layer."""
    try:
        row = con.execute("SELECT g.column_name FROM gpkg_contents c JOIN gpkg_geometry_columns g "
                          "ON g.table_name = c.table_name WHERE c.table_name = ? "
                          "AND c.data_type = 'features'", (LAYER,)).fetchone()
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            raise InputError("not a GeoPackage (no gpkg_contents table)",
                             source=str(path)) from None
        raise
    if row is None:
        raise InputError(f"not an incident store: no {LAYER!r} layer", source=str(path))
    geom = row[0]
    info = con.execute(f"PRAGMA table_info({quote(LAYER)})").fetchall()
    columns = tuple(r[1] for r in info)
    pk = [r[1] for r in info if r[5]]
    missing = [c for c in INCIDENT_COLUMNS if c not in columns]
    if missing and set(missing) <= set(ADDED_COLUMNS) and len(pk) == 1:
        # a store written before these optional text columns existed gains them (empty)
        try:
            for c in missing:
                con.execute(f"ALTER TABLE {quote(LAYER)} ADD COLUMN {quote(c)} TEXT")
        except sqlite3.OperationalError as exc:  # read-only: say how to upgrade it
            raise InputError(f"incident store from an older geomap (no column(s) {', '.join(missing)}); "
                             "open it once for writing, e.g. `geomap store add`, to upgrade it",
                             source=str(path)) from exc
        columns, missing = columns + tuple(missing), []
    if missing or len(pk) != 1:
        what = f"lacks the column(s) {', '.join(missing)}" if missing else "has no integer key"
        raise InputError(f"not an incident store: layer {LAYER!r} {what}", source=str(path))
    return Layout(LAYER, pk[0], geom, columns)


def has_unique_id(con: sqlite3.Connection) -> bool:
    """Whether the layer has a UNIQUE index on ``id`` alone."""
    for _, name, unique, *_ in con.execute(f"PRAGMA index_list({quote(LAYER)})"):
        if unique:
            cols = [r[2] for r in con.execute(f"PRAGMA index_info({quote(name)})")]
            if cols == ["id"]:
                return True
    return False


def connect(path: Path, mode: str, timeout: float) -> sqlite3.Connection:
    """A connection in ``mode`` ("rw", "ro") that waits ``timeout`` seconds for other writers."""
    try:
        con = sqlite3.connect(_uri(path, mode), uri=True, isolation_level=None, timeout=timeout)
    except sqlite3.Error as exc:
        raise InputError(f"cannot open the store ({exc})", source=str(path)) from exc
    con.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
    return con


def open_error(exc: sqlite3.Error, path: Path) -> InputError:
    """The error for a database that SQLite cannot read as a store."""
    return InputError(f"not a readable incident store ({exc})", source=str(path))
