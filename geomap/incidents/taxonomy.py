"""The incident taxonomy, read from ``data/incidents/taxonomy.toml`` (the one source of truth).

Type ids are fixed; labels, colours, icons, ACLED's event_type and sub_event_type for each type
(one documented mapping, read both ways: :meth:`Taxonomy.from_acled` maps an ACLED
sub_event_type back to a type) and the keyword lexicon are data that users may edit. The "other"
type (:data:`OTHER`) holds what other tools' data reports that no type names: it has a label,
colour and icon for maps but no cues, so the classifier never reports it. Point ``GEOMAP_DATA_DIR`` at a copy of ``data/`` to use a customised taxonomy.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from pathlib import Path

from .._paths import data_path
from ..errors import DataError
from .markup import MarkupError, clean_colour, clean_icon

#: The fixed type ids, in display order.
INCIDENT_TYPES: tuple[str, ...] = (
    "air_strike",
    "shelling",
    "naval_attack",
    "airspace_violation",
    "ground_fighting",
    "sabotage",
    "infrastructure_outage",
    "law_enforcement",
    "protest",
    "diplomacy",
    "territory_change",
    "remote_explosive",
    "civilian_violence",
    "looting",
)
#: The layer of other tools' incidents whose type is none of :data:`INCIDENT_TYPES`.
OTHER = "other"
#: Every type a map may draw, in display order.
MAP_TYPES: tuple[str, ...] = (*INCIDENT_TYPES, OTHER)


@dataclass(frozen=True, slots=True)
class IncidentType:
    """One incident type: how it looks on maps and which words report it."""

    id: str
    label: str
    colour: str
    icon: str  # the inside of a 24x24 SVG
    event_type: str      # ACLED's event_type and sub_event_type for this type
    sub_event_type: str
    strong: tuple[str, ...]
    weak: tuple[str, ...]
    acled_reads: tuple[str, ...] = ()  # ACLED sub_event_types read as this type besides its own

    def svg(self, size: int = 24, fill: str | None = None) -> str:
        """The icon as a complete inline SVG element in the type's colour."""
        colour = fill or self.colour
        return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="{size}" '
                f'height="{size}" fill="{colour}" color="{colour}" aria-hidden="true">{self.icon}</svg>')


@dataclass(frozen=True, slots=True)
class Taxonomy:
    """All incident types plus the negation and speculation modifiers."""

    types: dict[str, IncidentType]
    negation: tuple[str, ...]
    speculation: tuple[str, ...]
    path: Path
    other: IncidentType
    acled: dict[str, str]  # ACLED sub_event_type -> type id (see from_acled)

    def __getitem__(self, type_id: str) -> IncidentType:
        return self.other if type_id == OTHER else self.types[type_id]

    def from_acled(self, sub_event_type: str | None) -> str:
        """The type an ACLED sub_event_type reads as: the one type that names it (as its own
        sub_event_type or in ``acled_reads``), else :data:`OTHER`.

        >>> load_taxonomy().from_acled("Shelling/artillery/missile attack")
        'shelling'
        >>> load_taxonomy().from_acled("Other")
        'other'
        """
        return self.acled.get((sub_event_type or "").strip().casefold(), OTHER)

    def __iter__(self):
        return iter(self.types.values())

    def colours(self) -> dict[str, str]:
        return {t.id: t.colour for t in self.types.values()}

    def __reduce__(self):
        """Pickle a taxonomy read from a file as that file (the bundled one as "the bundled
        one"), so a Dask worker loads it once and its compiled lexicon is cached there too."""
        if _load(str(self.path)) is self:
            default = str(self.path) == str(data_path("incidents", "taxonomy.toml"))
            return load_taxonomy, (() if default else (str(self.path),))
        return Taxonomy, (self.types, self.negation, self.speculation, self.path, self.other, self.acled)


def load_taxonomy(path: str | Path | None = None) -> Taxonomy:
    """Load and validate the taxonomy file (cached per path)."""
    return _load(str(Path(path) if path else data_path("incidents", "taxonomy.toml")))


@functools.lru_cache(maxsize=8)
def _load(path: str) -> Taxonomy:
    try:
        with open(path, "rb") as handle:
            raw = tomllib.load(handle)
    except FileNotFoundError as exc:
        raise DataError(f"taxonomy file {path} is missing: restore data/incidents/taxonomy.toml "
                        "from git or point GEOMAP_DATA_DIR at a data folder that has one") from exc
    except tomllib.TOMLDecodeError as exc:
        raise DataError(f"taxonomy file {path} is not valid TOML: {exc}") from exc
    declared = raw.get("types", {})
    unknown = sorted(set(declared) - set(INCIDENT_TYPES))
    missing = [t for t in INCIDENT_TYPES if t not in declared]
    if unknown or missing:
        raise DataError(f"taxonomy file {path}: type ids are fixed; unknown {unknown}, missing {missing}")
    types = {type_id: _type(path, type_id, declared[type_id]) for type_id in INCIDENT_TYPES}
    if not isinstance(raw.get("other"), dict):
        raise DataError(f"taxonomy file {path} lacks its [other] table (label, colour, icon, "
                        "event_type, sub_event_type of the 'other' layer)")
    other = _type(path, OTHER, raw["other"])
    modifiers = raw.get("modifiers", {})
    return Taxonomy(types=types, negation=tuple(modifiers.get("negation", ())),
                    speculation=tuple(modifiers.get("speculation", ())), path=Path(path), other=other,
                    acled=_acled_inverse(path, types))


def _type(path: str, type_id: str, entry: dict) -> IncidentType:
    try:
        # colour and icon reach every page as markup: only a CSS colour and SVG shapes pass
        return IncidentType(
            id=type_id, label=str(entry["label"]), colour=clean_colour(str(entry["colour"])),
            icon=clean_icon(str(entry["icon"])), event_type=str(entry["event_type"]),
            sub_event_type=str(entry["sub_event_type"]),
            strong=tuple(entry.get("strong", ())), weak=tuple(entry.get("weak", ())),
            acled_reads=tuple(str(s) for s in entry.get("acled_reads", ())))
    except KeyError as exc:
        raise DataError(f"taxonomy file {path}: type {type_id} lacks {exc.args[0]!r}") from exc
    except MarkupError as exc:
        raise DataError(f"taxonomy file {path}: type {type_id}: {exc}") from None


def _acled_inverse(path: str, types: dict[str, IncidentType]) -> dict[str, str]:
    """ACLED sub_event_type (case-folded) -> type: ``acled_reads`` first, then each type's own
    sub_event_type where no other type shares it. Two types reading one is a data error."""
    inverse: dict[str, str] = {}
    for t in types.values():
        for sub in t.acled_reads:
            key = sub.strip().casefold()
            if key in inverse:
                raise DataError(f"taxonomy file {path}: acled_reads {sub!r} is in both {inverse[key]} and {t.id}")
            inverse[key] = t.id
    own: dict[str, list[str]] = {}
    for t in types.values():
        own.setdefault(t.sub_event_type.strip().casefold(), []).append(t.id)
    for key, ids in own.items():
        if key not in inverse and len(ids) == 1:
            inverse[key] = ids[0]
    return inverse
