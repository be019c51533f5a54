"""Writing the store through :mod:`sqlite3`: each upsert is ONE ``BEGIN IMMEDIATE`` transaction,
or, with ``commit_every`` seconds, one savepoint of a transaction committed at most that often.

Grouping is what lets the store keep up with the pipeline: a commit waits for the disk (fsync),
an article takes milliseconds. Durability is per commit: a writer killed (kill -9, power loss)
keeps every upsert of every committed group and loses the upserts of the open group only, at most
``commit_every`` seconds of work; the articles' content hashes are committed with their incidents,
so ``geomap extract --skip-known`` redoes exactly the lost ones.

Geometries are standard GeoPackage blobs (:mod:`.blob`); the functions GDAL's R-tree triggers
call are registered on the connection (:mod:`.sqlfunctions`), so every insert keeps the spatial
index right; ``gpkg_contents`` extents and ``last_change`` are kept up to date. Records merge by
the rule of :mod:`.records`.
"""

from __future__ import annotations

import contextlib
import math
import os
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from time import monotonic
from typing import Any

from ..errors import InputError, OutputError
from ..export import LAYER
from ..models import INCIDENT_COLUMNS
from . import records as _records
from .blob import decode_geometries, point_blob
from .database import (
    DAMAGE, HASHES_TABLE, SOURCES_TABLE, UNIQUE_INDEX, busy_timeout, check_file, connect, create_store,
    ensure_hashes_table, ensure_sources_table, has_unique_id, layout, open_error, quote, rest, writable,
)
from .sqlfunctions import register_functions


@dataclass(frozen=True, slots=True)
class StoreResult:
    """What one upsert did: incidents newly stored, merged into a changed record, or unchanged."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    #: incidents below ``min_confidence`` so far: their sources are kept for later corroboration
    held: int = 0

    @property
    def total(self) -> int:
        return self.inserted + self.updated + self.unchanged + self.held

    def __add__(self, other: StoreResult) -> StoreResult:
        return StoreResult(self.inserted + other.inserted, self.updated + other.updated,
                           self.unchanged + other.unchanged, self.held + other.held)


class IncidentStore:
    """An open incident store; each :meth:`upsert` is one committed transaction, or with
    ``commit_every`` (seconds) part of a group committed once that much time has passed since the
    group began (and by :meth:`flush` and :meth:`close`).

    ``create`` makes a new store when ``path`` does not exist. Not for sharing between threads;
    any number of processes may hold the same store open at once (a writer holds the write lock
    while its group is open, the others wait for it).
    """

    def __init__(self, path: str | os.PathLike[str], *, create: bool = True,
                 timeout: float | None = None, corroboration: bool | None = None,
                 commit_every: float = 0.0):
        self.path = Path(path)
        self._corroboration = corroboration
        self._commit_every = max(0.0, float(commit_every))
        self._group_started = 0.0
        self._pending = 0
        #: upserts committed so far by this object (each survives a crash from then on)
        self.committed = 0
        if self.path.is_dir():
            raise InputError("is a folder, not an incident store", source=str(self.path))
        if not self.path.exists():
            if not create:
                raise InputError("no such incident store", source=str(self.path))
            create_store(self.path)
        wait = busy_timeout() if timeout is None else timeout
        check_file(self.path)
        # check first, read-only: a file that is not an incident store is never changed
        with contextlib.closing(connect(self.path, "ro", wait)) as probe:
            try:
                layout(probe, self.path)
            except DAMAGE as exc:
                raise open_error(exc, self.path) from exc
        if not writable(self.path):
            raise OutputError(f"{self.path}: the store is read-only (or its folder is); it can be "
                              "read (geomap map --store, store export) but not added to")
        self._con = connect(self.path, "rw", wait)
        try:
            register_functions(self._con)
            self._con.execute("PRAGMA journal_mode=WAL")
            self._layout = layout(self._con, self.path)
            if not has_unique_id(self._con):
                self._add_unique_index()
            ensure_sources_table(self._con)
            ensure_hashes_table(self._con)
        except DAMAGE as exc:
            self._con.close()
            raise open_error(exc, self.path) from exc
        except BaseException:
            self._con.close()
            raise

    def _add_unique_index(self) -> None:
        """Make a GeoPackage written by ``write_incidents`` usable as a store."""
        try:
            self._con.execute("BEGIN IMMEDIATE")
            try:
                self._con.execute(f"CREATE UNIQUE INDEX IF NOT EXISTS {quote(UNIQUE_INDEX)} "
                                  f"ON {quote(LAYER)} (id)")
                self._con.execute("COMMIT")
            except BaseException:
                self._con.execute("ROLLBACK")
                raise
        except sqlite3.IntegrityError:
            raise InputError("cannot be used as a store: some incident ids occur more than once",
                             source=str(self.path)) from None

    def __enter__(self) -> IncidentStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Commit the open group and close the connection; the last one leaves the store as one
        file (no -wal, -shm)."""
        try:
            self.flush()
        finally:
            rest(self._con)
            self._con.close()

    def flush(self) -> None:
        """Commit the open group now (nothing to do without one)."""
        if not self._con.in_transaction:
            return
        try:
            self._con.execute("COMMIT")
        except sqlite3.Error as exc:
            lost, self._pending = self._pending, 0
            with contextlib.suppress(sqlite3.Error):
                self._con.execute("ROLLBACK")
            raise OutputError(f"{self.path}: could not commit to the store ({exc}); the last {lost} "
                              f"upsert(s) were rolled back, the {self.committed} before them are "
                              "kept") from exc
        self.committed += self._pending
        self._pending = 0

    def known(self, hashes: Iterable[str]) -> set[str]:
        """Which of these article content hashes (:func:`geomap.store.known.article_hash`) the
        store has taken in (committed, or in this writer's open group)."""
        wanted = list(dict.fromkeys(hashes))
        found: set[str] = set()
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            found.update(h for (h,) in self._con.execute(
                f"SELECT hash FROM {quote(HASHES_TABLE)} WHERE hash IN ({', '.join('?' * len(chunk))})",
                chunk))
        return found

    def upsert(self, table: Any, *, min_confidence: float | None = None,
               article: tuple[str, str | None] | None = None) -> StoreResult:
        """Insert new incidents and merge known ones (by ``id``), all in ONE transaction (or
        savepoint of the open group, see ``commit_every``).

        ``table`` is an incidents GeoDataFrame or an iterable of :class:`~geomap.models.Incident`.
        A new incident whose confidence (with every source the store has seen for it) is below
        ``min_confidence`` is not stored yet: its sources are, so that later reports can lift it
        over the threshold exactly as one run over all the articles would. ``article`` =
        (content hash, source) records the article these incidents come from, with them.
        Raises :class:`UsageError` for a table that is not an incidents table and
        :class:`OutputError` when the store cannot be written (then nothing of this call is kept).
        """
        return self._upsert_canonical(_records.records(table), min_confidence, article)

    def upsert_records(self, records: Iterable[dict[str, Any]], *, min_confidence: float | None = None,
                       article: tuple[str, str | None] | None = None) -> StoreResult:
        """:meth:`upsert` for the pipeline's own records (dicts with the incident columns, as
        :meth:`geomap.pipeline.Pipeline.store_records` gives them): coerced and sanitised as a
        table would be, without building one."""
        return self._upsert_canonical([_records.canonical(r) for r in records], min_confidence, article)

    def _upsert_canonical(self, records: list[dict[str, Any]], min_confidence: float | None,
                          article: tuple[str, str | None] | None) -> StoreResult:
        if self._corroboration is None:
            self._corroboration = _records.default_corroboration()
        incoming: dict[str, dict[str, Any]] = {}
        for rec in records:
            known = incoming.get(rec["id"])
            incoming[rec["id"]] = (_records.prepare(rec) if known is None else _records.merge_incident(
                known, rec, corroboration=self._corroboration))
        if not incoming and article is None:
            if self._con.in_transaction:
                self._pending += 1
            else:
                self.committed += 1
            return StoreResult()
        grouped = self._con.in_transaction
        try:
            result = self._in_transaction(incoming, min_confidence, article)
        except UnicodeDecodeError as exc:
            raise OutputError(f"{open_error(exc, self.path)}; nothing of this upsert was kept"
                              + self._kept(grouped)) from exc
        except sqlite3.Error as exc:
            raise OutputError(f"{self.path}: could not update the store ({exc}); this upsert "
                              "was rolled back, everything stored before it is kept"
                              + self._kept(grouped)) from exc
        return result

    def _kept(self, grouped: bool) -> str:
        """After a failed upsert in a group: commit the group's earlier upserts if possible."""
        if not grouped:
            return ""
        try:
            self.flush()
        except OutputError as exc:
            return f" except the open group ({exc})"
        return ""

    def _in_transaction(self, incoming: dict[str, dict[str, Any]], min_confidence: float | None,
                        article: tuple[str, str | None] | None) -> StoreResult:
        """One upsert: its own transaction, or a savepoint of the open group."""
        con = self._con
        if not con.in_transaction:
            con.execute("BEGIN IMMEDIATE")
            self._group_started = monotonic()
        con.execute("SAVEPOINT geomap_upsert")
        try:
            result = self._upsert(incoming, min_confidence)
            if article is not None:
                con.execute(f"INSERT OR IGNORE INTO {quote(HASHES_TABLE)} (hash, source, stored) "
                            "VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))", article)
            con.execute("RELEASE geomap_upsert")
        except BaseException:
            if con.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    con.execute("ROLLBACK TO geomap_upsert")
                    con.execute("RELEASE geomap_upsert")
                if not self._pending:  # nothing else in the transaction: end it
                    with contextlib.suppress(sqlite3.Error):
                        con.execute("ROLLBACK")
            raise
        self._pending += 1
        if monotonic() - self._group_started >= self._commit_every:
            self.flush()
        return result

    def _stored(self, ids: list[str]) -> tuple[dict[str, tuple[int, dict[str, Any]]],
                                               dict[str, dict[str, float]]]:
        """The stored rows and the per-source confidences of ``ids``."""
        con, lay = self._con, self._layout
        cols = list(INCIDENT_COLUMNS)
        select = (f"SELECT {quote(lay.fid)}, {quote(lay.geom)}, "
                  f"{', '.join(quote(c) for c in cols)} FROM {quote(lay.table)} WHERE id IN ")
        stored: dict[str, tuple[int, dict[str, Any]]] = {}
        evidence: dict[str, dict[str, float]] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = f"({', '.join('?' * len(chunk))})"
            for fid, blob, *values in con.execute(select + marks, chunk):
                rec = {c: _records.from_db(v, c) for c, v in zip(cols, values, strict=True)}
                rec["geometry"] = decode_geometries([blob])[0]
                stored[rec["id"]] = (fid, rec)
            for id_, source, conf in con.execute(
                    f"SELECT incident_id, source, confidence FROM {quote(SOURCES_TABLE)} "
                    f"WHERE incident_id IN {marks} ORDER BY fid", chunk):
                evidence.setdefault(id_, {})[source] = math.nan if conf is None else float(conf)
        return stored, evidence

    def _upsert(self, incoming: dict[str, dict[str, Any]], min_confidence: float | None) -> StoreResult:
        con, lay = self._con, self._layout
        table, geom_col = quote(lay.table), quote(lay.geom)
        cols = list(INCIDENT_COLUMNS)
        insert = (f"INSERT INTO {table} ({geom_col}, {', '.join(quote(c) for c in cols)}) "
                  f"VALUES (?{', ?' * len(cols)})")
        put_source = (f"INSERT INTO {quote(SOURCES_TABLE)} (incident_id, source, confidence) "
                      "VALUES (?, ?, ?) ON CONFLICT (incident_id, source) "
                      "DO UPDATE SET confidence = excluded.confidence")
        inserted = updated = unchanged = held = 0
        points: list[tuple[float, float]] = []
        stored, evidence = self._stored(list(incoming))
        for id_, new in incoming.items():
            known = evidence.get(id_, {})
            if id_ in stored:
                fid, old = stored[id_]
                old[_records.SOURCE_CONFIDENCE] = known or None  # a row from before: spread
                merged = _records.merge_incident(old, new, corroboration=self._corroboration)
            else:
                merged = _records.merge_incident(
                    {**new, "sources": [s for s in known if s], _records.SOURCE_CONFIDENCE: known},
                    new, corroboration=self._corroboration) if known else new
            for source, conf in merged[_records.SOURCE_CONFIDENCE].items():
                if source not in known or not _records.same(known[source], conf):
                    con.execute(put_source, (id_, source, None if math.isnan(conf) else conf))
            if id_ not in stored:
                if min_confidence is not None and not merged["confidence"] >= min_confidence:
                    held += 1
                    continue
                xy = _records.xy(merged["geometry"])
                blob = point_blob(*xy) if xy else None
                con.execute(insert, [blob, *(_records.to_db(merged[c], c) for c in cols)])
                if xy:
                    points.append(xy)
                inserted += 1
                continue
            changed = [c for c in cols if not _records.same(merged[c], old[c])]
            sets = [quote(c) + " = ?" for c in changed]
            params = [_records.to_db(merged[c], c) for c in changed]
            if old["geometry"] is None and merged["geometry"] is not None:
                xy = _records.xy(merged["geometry"])
                if xy:
                    sets.append(f"{geom_col} = ?")
                    params.append(point_blob(*xy))
                    points.append(xy)
            if not sets:
                unchanged += 1
                continue
            con.execute(f"UPDATE {table} SET {', '.join(sets)} WHERE {quote(lay.fid)} = ?",
                        [*params, fid])
            updated += 1
        if inserted or updated:
            self._touch_contents(points)
        return StoreResult(inserted, updated, unchanged, held)

    def _touch_contents(self, points: list[tuple[float, float]]) -> None:
        """Grow the layer's extent in gpkg_contents to cover ``points``; stamp last_change."""
        con = self._con
        row = con.execute("SELECT min_x, min_y, max_x, max_y FROM gpkg_contents "
                          "WHERE table_name = ?", (self._layout.table,)).fetchone()
        xs = [p[0] for p in points] + [v for v in (row[0], row[2]) if v is not None]
        ys = [p[1] for p in points] + [v for v in (row[1], row[3]) if v is not None]
        extent = (min(xs), min(ys), max(xs), max(ys)) if xs and ys else (None,) * 4
        con.execute("UPDATE gpkg_contents SET min_x = ?, min_y = ?, max_x = ?, max_y = ?, "
                    "last_change = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE table_name = ?",
                    (*extent, self._layout.table))


def open_store(path: str | os.PathLike[str], *, create: bool = True,
               timeout: float | None = None, corroboration: bool | None = None,
               commit_every: float = 0.0) -> IncidentStore:
    """Open (and by default create) the incident store at ``path``; use it as a context manager.
    ``commit_every`` seconds groups upserts into one transaction (see :class:`IncidentStore`)."""
    return IncidentStore(path, create=create, timeout=timeout, corroboration=corroboration,
                         commit_every=commit_every)


def upsert_store(path: str | os.PathLike[str], gdf: Any) -> StoreResult:
    """Upsert the incidents ``gdf`` into the store at ``path`` (created if missing) in ONE
    transaction and return what changed. See :mod:`geomap.store.records` for the merge rule."""
    with open_store(path) as store:
        return store.upsert(gdf)
