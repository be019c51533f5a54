"""The incident store: a GeoPackage that accumulates incidents across runs, upserted by ``id``.

The store is an ordinary GeoPackage (layer ``incidents``, EPSG:4326 points, the columns of
:data:`geomap.models.INCIDENT_COLUMNS`, ``sources`` as JSON text) that GDAL, pyogrio, geopandas and
QGIS open like any other. geomap creates it with pyogrio (so the GeoPackage tables, the R-tree
spatial index and its triggers are GDAL's own), adds a UNIQUE index on ``id``, and from then on
writes through :mod:`sqlite3` directly. The database runs in WAL mode with a busy timeout, and
every upsert is ONE ``BEGIN IMMEDIATE`` transaction (or, with ``commit_every``, one savepoint of a
transaction committed at most that often): two writer processes take turns instead of
corrupting the file, a reader always sees the state after some whole upsert, and a writer killed
mid-upsert loses only that upsert (with ``commit_every``, the upserts of its open group).
Two attributes tables sit beside the layer: ``incident_sources`` (each source's confidence, the
merge rule's input) and ``article_hashes`` (the content hash of every article taken in, for
``geomap extract --skip-known``; :mod:`.known`).

One module per concern: :mod:`.blob` (GeoPackage geometry blobs), :mod:`.sqlfunctions` (the SQL
functions GDAL's triggers call), :mod:`.database` (opening, creating, checking), :mod:`.records`
(rows and the merge rule), :mod:`.writer` (upserts), :mod:`.reader` (queries), :mod:`.stats`,
:mod:`.known` (articles' content hashes).

For incremental use (one upsert per article, so that a crash keeps every finished article), open
the store once::

    with open_store("incidents.gpkg") as store:
        for article in articles:
            store.upsert(incidents_of(article))   # one committed transaction each
"""

from __future__ import annotations

from .blob import SRS_ID, point_blob
from .database import BUSY_TIMEOUT
from .reader import read_store
from .records import EVIDENCE_COLUMNS, merge_incident
from .stats import format_stats, store_stats
from .writer import IncidentStore, StoreResult, open_store, upsert_store

__all__ = [
    "BUSY_TIMEOUT", "EVIDENCE_COLUMNS", "SRS_ID", "IncidentStore", "StoreResult", "format_stats",
    "merge_incident", "open_store", "point_blob", "read_store", "store_stats", "upsert_store",
]
