"""Opening and creating a store's SQLite database, and checking that it is an incident store."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from .._atomic import clean_leftovers, temp_name
from ..errors import GeomapError, InputError, OutputError
from ..export import LAYER, empty_incidents, gpkg_frame
from ..models import INCIDENT_COLUMNS

#: How long a writer waits for another writer's transaction before giving up (seconds);
#: the environment variable GEOMAP_STORE_TIMEOUT overrides it.
BUSY_TIMEOUT = 60.0
#: The index that makes ``id`` the upsert key.
UNIQUE_INDEX = "incidents_id_unique"
#: The attributes table of every source's confidence for each incident (the merge rule's input).
SOURCES_TABLE = "incident_sources"
#: The attributes table of the content hash of every article taken in (``--skip-known``).
HASHES_TABLE = "article_hashes"


def busy_timeout() -> float:
    """GEOMAP_STORE_TIMEOUT (seconds) when set to a number, else :data:`BUSY_TIMEOUT`."""
    raw = os.environ.get("GEOMAP_STORE_TIMEOUT", "").strip()
    try:
        value = float(raw)
    except ValueError:
        return BUSY_TIMEOUT
    return value if value >= 0 else BUSY_TIMEOUT


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
        clean_leftovers(path.parent, path.name)  # what a killed creator left behind
        tmp = temp_name(path.parent, path.name, ".gpkg")
    except OSError as exc:
        raise OutputError(f"cannot create the store {path}: {exc.strerror or exc}") from exc
    try:
        pyogrio.write_dataframe(gpkg_frame(empty_incidents()), tmp, layer=LAYER, driver="GPKG",
                                geometry_type="Point")
        con = sqlite3.connect(tmp, isolation_level=None)
        try:
            con.execute(f"CREATE UNIQUE INDEX {quote(UNIQUE_INDEX)} ON {quote(LAYER)} (id)")
            con.execute(f'CREATE INDEX "incidents_date" ON {quote(LAYER)} (date)')
            con.execute("PRAGMA journal_mode=WAL")
            ensure_sources_table(con)
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


def _ensure_attributes_table(con: sqlite3.Connection, name: str, columns: str, description: str) -> None:
    """Add an attributes table (registered in gpkg_contents, so GDAL lists it) if missing."""
    if con.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (name,)).fetchone():
        return
    con.execute("BEGIN IMMEDIATE")
    try:
        con.execute(f"CREATE TABLE IF NOT EXISTS {quote(name)} ({columns})")
        con.execute("INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, "
                    "description, last_change) VALUES (?, 'attributes', ?, ?, "
                    "strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))", (name, name, description))
        con.execute("COMMIT")
    except BaseException:
        if con.in_transaction:
            con.execute("ROLLBACK")
        raise


def ensure_sources_table(con: sqlite3.Connection) -> None:
    """Add the ``incident_sources`` attributes table if missing."""
    _ensure_attributes_table(
        con, SOURCES_TABLE, "fid INTEGER PRIMARY KEY AUTOINCREMENT, incident_id TEXT NOT NULL, "
        "source TEXT NOT NULL, confidence REAL, UNIQUE (incident_id, source)",
        "each source's confidence for each incident (geomap's merge rule)")


def ensure_hashes_table(con: sqlite3.Connection) -> None:
    """Add the ``article_hashes`` attributes table if missing (a store from before it gains it:
    its articles are then unknown, and a ``--skip-known`` run takes them in again, unchanged)."""
    _ensure_attributes_table(
        con, HASHES_TABLE, "fid INTEGER PRIMARY KEY AUTOINCREMENT, hash TEXT NOT NULL UNIQUE, "
        "source TEXT, stored TEXT",
        "the content hash of every article taken in (geomap extract --skip-known)")


def connect(path: Path, mode: str, timeout: float, *, immutable: bool = False) -> sqlite3.Connection:
    """A connection in ``mode`` ("rw", "ro") that waits ``timeout`` seconds for other writers.

    ``immutable`` (read-only media): SQLite takes no locks and writes nothing, not even -shm.
    """
    uri = _uri(path, mode) + ("&immutable=1" if immutable else "")
    try:
        con = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=timeout)
    except sqlite3.Error as exc:
        raise InputError(f"cannot open the store ({exc})", source=str(path)) from exc
    con.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
    return con


#: The first bytes of every SQLite database file.
SQLITE_MAGIC = b"SQLite format 3\x00"


def check_file(path: Path) -> None:
    """InputError unless ``path`` is a non-empty SQLite file: checked before SQLite opens it, so a
    file that is not a store (an empty one too) is never turned into a database."""
    if path.is_dir():
        raise InputError("is a folder, not an incident store", source=str(path))
    try:
        with open(path, "rb") as handle:
            head = handle.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise InputError(f"cannot read the store ({exc.strerror or exc})", source=str(path)) from exc
    if not head:
        raise InputError("not a readable incident store (an empty file); remove it, or give "
                         "another --store file", source=str(path))
    if head != SQLITE_MAGIC:
        raise InputError("not a readable incident store (file is not a database)", source=str(path))


def writable(path: Path) -> bool:
    """Whether SQLite can write the store: the file and its folder (for -wal/-shm) are writable."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


def rest(con: sqlite3.Connection) -> None:
    """Leave the store in rollback-journal mode when no one else has it open, so that it is one
    file at rest and readers (read-only ones too) create no -wal/-shm beside it."""
    try:
        con.execute("PRAGMA busy_timeout = 0")
        con.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.Error:
        pass  # another connection is open: it (or the next writer) will do it


#: What SQLite reports for a file that is damaged, and what decoding a damaged text cell raises.
DAMAGE = (sqlite3.DatabaseError, UnicodeDecodeError)


def open_error(exc: BaseException, path: Path) -> InputError:
    """The error for a database that SQLite cannot read as a store."""
    if isinstance(exc, UnicodeDecodeError):
        exc = ValueError("a text cell is not UTF-8: the file is damaged")
    return InputError(f"not a readable incident store ({exc}); restore it from a backup or "
                      "rebuild it with geomap extract --store", source=str(path))
