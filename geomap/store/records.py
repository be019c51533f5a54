"""Store rows <-> canonical incident records, and the merge rule for two records of one ``id``.

Merge rule, when an incoming incident has an ``id`` that is already stored:

* ``sources`` becomes the ordered union (stored ones first, no duplicates), and ``reports`` the
  number of distinct sources (a record without any source keeps the larger ``reports``);
* each source's confidence is kept (``source_confidence``: the store's ``incident_sources``
  table), the highest one when a source reports it again, and ``confidence`` is
  :func:`geomap.incidents.merge.combined_confidence` of them: the very function a run uses, so
  one run of 600 articles and four runs of 150 into a store give the same confidences. A record
  from a file knows only its combined confidence; it is spread evenly over its sources (each
  gets ``1 - (1 - c) ** (1 / n)``, which combines back to ``c``);
* the evidence (``mention``, ``sentence``, ``source``, ``title``, ``url``, taken together so the
  quote always matches its article) stays the first one seen, unless the incoming record's best
  source is strictly more confident than every stored one, which then replaces it;
* every other column keeps its stored value; a stored missing value (None) is filled in from the
  incoming record.

The rule is idempotent: upserting the same incidents again changes nothing (and writes nothing).
An incoming record whose ``sources`` is empty counts its ``source`` as its one source.
"""

from __future__ import annotations

import json
import math
from typing import Any

import pandas as pd

from ..errors import UsageError
from ..export import COERCE, COLUMN_KINDS, incidents_frame, sanitize_incidents, sanitize_text, sanitize_list_item
from ..incidents.merge import combined_confidence
from ..models import INCIDENT_COLUMNS

#: Columns that travel together: the quote and the article it came from.
EVIDENCE_COLUMNS: tuple[str, ...] = ("mention", "sentence", "source", "title", "url")
#: The record key (not a column of the layer) holding {source: confidence}.
SOURCE_CONFIDENCE = "source_confidence"


def from_db(value: Any, column: str) -> Any:
    """The canonical value of a stored cell."""
    kind = COLUMN_KINDS[column]
    if kind == "list":
        return COERCE["list"](value if value is not None else "[]")
    if kind == "text" and isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return COERCE[kind](value)


def to_db(value: Any, column: str) -> Any:
    """The cell to store for a canonical value (lists as JSON text, NaN as NULL)."""
    kind = COLUMN_KINDS[column]
    if kind == "list":
        return json.dumps(list(value), ensure_ascii=False)
    if kind == "float" and isinstance(value, float) and math.isnan(value):
        return None
    return value


def same(a: Any, b: Any) -> bool:
    """``a == b`` where NaN equals NaN."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return bool(a == b)


def _gt(a: float, b: float) -> bool:
    """``a > b`` where NaN (unknown) is lower than any number."""
    if math.isnan(a):
        return False
    return math.isnan(b) or a > b


def spread(confidence: float, sources: list[str]) -> dict[str, float]:
    """Per-source confidences of a record that knows only its combined one (see the module doc)."""
    keys = sources or [""]
    if len(keys) == 1 or math.isnan(confidence):
        return {k: confidence for k in keys}
    share = 1.0 - (1.0 - min(confidence, 0.99)) ** (1.0 / len(keys))
    return {k: share for k in keys}


def merge_evidence(old: dict[str, float], new: dict[str, float]) -> dict[str, float]:
    """Per-source confidences of both (stored ones first), the higher one for a shared source."""
    out = dict(old)
    for source, conf in new.items():
        if source not in out or _gt(conf, out[source]):
            out[source] = conf
    return out


def _best(evidence: dict[str, float]) -> float:
    values = [v for v in evidence.values() if not math.isnan(v)]
    return max(values) if values else math.nan


def prepare(rec: dict[str, Any]) -> dict[str, Any]:
    """An incoming record with its sources de-duplicated (its ``source`` if it lists none) and
    its per-source confidences (spread from ``confidence`` when it has none)."""
    sources = list(dict.fromkeys(rec["sources"] or ([rec["source"]] if rec["source"] else [])))
    evidence = rec.get(SOURCE_CONFIDENCE) or spread(rec["confidence"], sources)
    return {**rec, "sources": sources, "reports": len(sources) or rec["reports"],
            SOURCE_CONFIDENCE: evidence}


def merge_incident(old: dict[str, Any], new: dict[str, Any], *,
                   corroboration: bool | None = None) -> dict[str, Any]:
    """The stored record ``old`` merged with the incoming ``new`` (see the module docstring).

    ``corroboration`` defaults to the bundled taxonomy's ``[scoring] corroboration``.
    """
    old, new = prepare(old), prepare(new)
    out = dict(old)
    evidence = merge_evidence(old[SOURCE_CONFIDENCE], new[SOURCE_CONFIDENCE])
    sources = list(dict.fromkeys([*old["sources"], *new["sources"]]))
    out["sources"] = sources
    out["reports"] = len(sources) or max(old["reports"], new["reports"])
    out[SOURCE_CONFIDENCE] = evidence
    if evidence != old[SOURCE_CONFIDENCE]:  # nothing new: the stored confidence stands as it is
        out["confidence"] = combined_confidence(evidence.values(), default_corroboration()
                                                if corroboration is None else corroboration)
    if _gt(_best(new[SOURCE_CONFIDENCE]), _best(old[SOURCE_CONFIDENCE])):
        for c in EVIDENCE_COLUMNS:
            out[c] = new[c]
    skip = {"id", "sources", "reports", "confidence", *EVIDENCE_COLUMNS}
    for c in INCIDENT_COLUMNS:
        if c not in skip and out[c] is None and new[c] is not None:
            out[c] = new[c]
    if out.get("geometry") is None and new.get("geometry") is not None:
        out["geometry"] = new["geometry"]
    return out


def default_corroboration() -> bool:
    """The bundled taxonomy's ``[scoring] corroboration`` (what a run uses by default)."""
    from ..incidents.lexicon import load_lexicon

    return bool(load_lexicon().scoring.corroboration)


def records(table: Any) -> list[dict[str, Any]]:
    """Sanitised canonical records (with ``geometry``) of a table or an iterable of Incidents."""
    if not isinstance(table, pd.DataFrame):
        table = incidents_frame(table)
    table = sanitize_incidents(table)
    out = table[list(INCIDENT_COLUMNS)].to_dict("records")
    for rec, geom in zip(out, table.geometry.array, strict=True):
        rec["geometry"] = geom
        for c in INCIDENT_COLUMNS:  # numpy scalars -> Python values
            if COLUMN_KINDS[c] == "float":
                rec[c] = float(rec[c])
            elif COLUMN_KINDS[c] == "int":
                rec[c] = int(rec[c])
        if rec["id"] is None:
            raise UsageError("every incident needs an id to be stored; one has none")
    return out


_KINDS = tuple((c, COLUMN_KINDS[c]) for c in INCIDENT_COLUMNS)
_TYPES = {"float": float, "int": int, "optint": int}


def canonical(rec: dict[str, Any]) -> dict[str, Any]:
    """A pipeline record (:meth:`geomap.pipeline.Pipeline.store_records`) as :func:`records` gives
    the same incident from a table: every value coerced to its column's kind, text and list items
    sanitised (:func:`geomap.export.sanitize_text`), the point at lon/lat; without a frame."""
    import shapely

    out: dict[str, Any] = {}
    for c, kind in _KINDS:
        value = rec[c]
        # the pipeline's values are already of their kind: only other types go through COERCE
        if kind == "text":
            value = sanitize_text(value if value is None or type(value) is str else COERCE[kind](value))
        elif kind == "list":
            value = [sanitize_list_item(s) for s in (value if type(value) is list and all(
                type(s) is str for s in value) else COERCE[kind](value))]
        elif type(value) is not _TYPES[kind] and not (kind == "optint" and value is None):
            value = COERCE[kind](value)
        out[c] = value
    if out["id"] is None:
        raise UsageError("every incident needs an id to be stored; one has none")
    lon, lat = out["lon"], out["lat"]
    out["geometry"] = shapely.Point(lon, lat) if math.isfinite(lon) and math.isfinite(lat) else None
    return out


def xy(geom: Any) -> tuple[float, float] | None:
    """The point to store for a geometry (a representative point of a non-point one)."""
    if geom is None or geom.is_empty:
        return None
    if geom.geom_type == "Point":
        return float(geom.x), float(geom.y)
    c = geom.representative_point()
    return float(c.x), float(c.y)
