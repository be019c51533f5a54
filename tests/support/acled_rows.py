"""An ACLED-shaped export for the tests: ACLED's own column names and vocabulary, rows written for
geomap's tests (none is an ACLED record; the ACLED dev set never enters tests)."""

from __future__ import annotations

import csv
from pathlib import Path

ACLED_HEADER = ["event_date", "event_type", "sub_event_type", "latitude", "longitude", "location", "admin1",
                "notes", "source", "geo_precision"]
ACLED_ROWS = [
    ["2025-11-02", "Explosions/Remote violence", "Shelling/artillery/missile attack", "49.71", "37.61",
     "Kupiansk", "Kharkiv", "Test row: shells hit a depot.", "A local paper", "1"],
    ["04 November 2025", "Explosions/Remote violence", "Remote explosive/landmine/IED", "47.84", "35.14",
     "Zaporizhzhia", "Zaporizhia", "Test row: a tractor hit a mine.", "Regional radio", "2"],
    ["2025-11-05", "Battles", "Government regains territory", "48.59", "37.99", "Bakhmut", "Donetsk",
     "Test row: a village changed hands.", "A wire", "1"],
    ["2025-11-06", "Strategic developments", "Other", "46.48", "30.73", "Odesa", "Odesa",
     "Test row: something else happened.", "A wire", "3"],
]


def write_acled_csv(path: Path) -> Path:
    """Write :data:`ACLED_ROWS` as a CSV export to ``path``."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([ACLED_HEADER, *ACLED_ROWS])
    return path
