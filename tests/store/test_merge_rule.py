"""One merge rule for a run and for the store: confidences do not depend on how articles are batched.

Reproducer (issue 10, item 19): one 600-article run and four 150-article runs into a store gave
different confidences on 22 incidents, because a run corroborated across its articles and the
store took the maximum. Now the store keeps each source's confidence and combines them with the
run's own function (``geomap.incidents.merge.combined_confidence``).
"""

from __future__ import annotations

import json
import math

import pytest

import geomap
from geomap.incidents.merge import combined_confidence
from support.cli import geomap_cli

#: Reports the team wrote: the same strikes told by several outlets, some firmly, some hedged.
REPORTS = [
    ("Drones struck an oil depot in Tuapse overnight, officials said.", "2025-10-03"),
    ("A drone reportedly hit the oil depot in Tuapse, according to unconfirmed posts.", "2025-10-03"),
    ("Artillery shelled Kherson overnight, damaging houses, the regional governor said.", "2025-10-03"),
    ("Kherson was possibly shelled again, residents claimed.", "2025-10-03"),
    ("A missile strike hit the port of Odesa, local authorities reported.", "2025-10-04"),
    ("Drones struck an oil depot in Tuapse overnight, the governor confirmed.", "2025-10-03"),
    ("The port of Odesa was reportedly hit by a missile, a blogger wrote.", "2025-10-04"),
    ("Artillery shelled Kherson overnight, officials said.", "2025-10-03"),
    ("Kherson was reportedly shelled, residents claimed.", "2025-10-03"),
]


def write_feed(path, ks):
    lines = [json.dumps({"id": f"r{k}", "date": REPORTS[k][1], "text": REPORTS[k][0]}) for k in ks]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path.name


def confidences(frame):
    return dict(zip(frame["id"], frame["confidence"], strict=True))


def test_combined_confidence_is_order_free_and_idempotent_per_source():
    values = [0.3, 0.55, 0.8]
    assert combined_confidence(values) == combined_confidence(values[::-1]) == round(
        1 - 0.7 * 0.45 * 0.2, 3)
    assert combined_confidence(values, corroboration=False) == 0.8
    assert combined_confidence([0.999, 0.999]) == 0.99  # capped
    assert math.isnan(combined_confidence([]))


@pytest.mark.parametrize("min_confidence", [None, "0.7"])
def test_one_run_and_batched_runs_into_a_store_agree(tmp_path, min_confidence):
    threshold = [] if min_confidence is None else ["--min-confidence", min_confidence]
    every = list(range(len(REPORTS)))
    whole = geomap_cli("extract", write_feed(tmp_path / "all.jsonl", every), "-o", "all.geojson",
                       "--store", "one.gpkg", "-q", *threshold, cwd=tmp_path)
    assert whole.returncode == 0, whole.stderr
    for n, part in enumerate([every[0:3], every[3:5], every[5:]]):
        run = geomap_cli("extract", write_feed(tmp_path / f"part{n}.jsonl", part),
                         "--store", "batched.gpkg", "-q", *threshold, cwd=tmp_path)
        assert run.returncode == 0, run.stderr
    written = geomap.read_incidents(tmp_path / "all.geojson")
    one = geomap.read_store(tmp_path / "one.gpkg")
    batched = geomap.read_store(tmp_path / "batched.gpkg")
    assert len(written) >= 3
    assert (written["reports"] > 1).any(), "the reports must corroborate each other"
    assert confidences(one) == confidences(written) == confidences(batched)
    for frame in (one, batched):  # (sources are named by file and line, so only their count)
        assert dict(zip(frame["id"], frame["reports"])) == dict(zip(written["id"], written["reports"]))


def test_the_store_waits_for_corroboration_below_the_threshold(tmp_path):
    """An incident too weak in each run alone enters the store once a later run corroborates it,
    with the confidence one run over both articles gives."""
    hedged = [3, 8]  # Kherson's shelling, told twice with hedges only
    both = geomap_cli("extract", write_feed(tmp_path / "both.jsonl", hedged), "-o", "both.geojson",
                      "--min-confidence", "0.5", "-q", cwd=tmp_path)
    assert both.returncode == 0, both.stderr
    singles = []
    for k in hedged:
        geomap_cli("extract", write_feed(tmp_path / f"r{k}.jsonl", [k]), "-o", f"r{k}.geojson",
                   "--min-confidence", "0", "-q", cwd=tmp_path)
        singles.append(geomap.read_incidents(tmp_path / f"r{k}.geojson"))
    assert [len(s) for s in singles] == [1, 1] and set(singles[0]["id"]) == set(singles[1]["id"])
    assert all(s["confidence"].iloc[0] < 0.5 for s in singles), "each must be too weak alone"
    assert len(geomap.read_incidents(tmp_path / "both.geojson")) == 1, "together they clear 0.5"
    for k in hedged + hedged:  # each twice: re-running the same input changes nothing
        run = geomap_cli("extract", f"r{k}.jsonl", "--store", "s.gpkg", "--min-confidence", "0.5",
                         "-q", cwd=tmp_path)
        assert run.returncode == 0, run.stderr
    stored = confidences(geomap.read_store(tmp_path / "s.gpkg"))
    assert stored == confidences(geomap.read_incidents(tmp_path / "both.geojson"))
