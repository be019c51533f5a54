"""``write_records`` writes the pipeline's records byte for byte as ``write_incidents`` writes
their frame, and ``geomap extract -o x.geojson`` does so without loading pandas, geopandas or numpy
(issue 13: start-up)."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest

from geomap.errors import UsageError
from geomap.export import incidents_frame, write_incidents, write_records
from geomap.models import Incident
from geomap.pipeline import incidents_records, with_regions
from support.cli import env

TEXTS = [
    "date 2025-11-20\nRussian drones struck an oil depot in Tuapse overnight, officials said.",
    "date 2025-11-21\nShelling hit Kherson on Friday. Police detained a suspect in Odesa.",
]


def _records():
    return with_regions(incidents_records(TEXTS))


def _odd_record(**changes):
    """A record with the values the writers treat specially: text to sanitise, a formula-like
    cell, an empty text, a missing point, an integer geonameid."""
    base = dict(_records()[0])
    base.update(changes)
    return base


ODD = [
    {"sentence": "NUL\x00 and a lone \ud800 surrogate", "title": "=HYPERLINK(\"x\")", "url": ""},
    {"lat": math.nan, "lon": math.nan, "sources": ["a\x00b", "c"], "geonameid": None},
    {"lat": -0.0, "lon": 180.0, "confidence": 0.1 + 0.2, "location_note": "'quoted"},
]


@pytest.mark.parametrize("suffix", [".geojson", ".csv"])
def test_records_are_written_as_their_frame_is(tmp_path, suffix):
    records = _records() + [_odd_record(**odd) for odd in ODD]
    assert len(records) >= 4
    frame = incidents_frame([Incident(**r) for r in records])
    write_incidents(frame, tmp_path / f"frame{suffix}")
    write_records(records, tmp_path / f"records{suffix}")
    assert (tmp_path / f"records{suffix}").read_bytes() == (tmp_path / f"frame{suffix}").read_bytes()


@pytest.mark.parametrize("suffix", [".gpkg", ".parquet"])
def test_other_formats_go_through_the_frame(tmp_path, suffix):
    from geomap.export import read_incidents

    records = _records()
    write_records(records, tmp_path / f"records{suffix}")
    back = read_incidents(tmp_path / f"records{suffix}")
    assert back["id"].tolist() == [r["id"] for r in records]


def test_a_record_off_the_globe_is_refused_as_write_incidents_refuses_it(tmp_path):
    records = [_odd_record(lat=91.0)]
    with pytest.raises(UsageError) as by_frame:
        write_incidents(incidents_frame([Incident(**r) for r in records]), tmp_path / "a.geojson")
    with pytest.raises(UsageError) as by_records:
        write_records(records, tmp_path / "b.geojson")
    assert str(by_records.value) == str(by_frame.value)
    assert not (tmp_path / "b.geojson").exists()


def test_extract_to_geojson_loads_neither_pandas_nor_geopandas_nor_numpy(tmp_path):
    article = tmp_path / "one.txt"
    article.write_text(TEXTS[0], encoding="utf-8")
    out = tmp_path / "one.geojson"
    code = ("import sys\nfrom geomap.cli import main\n"
            f"try:\n    main([{'extract'!r}, {str(article)!r}, '-o', {str(out)!r}, '-q'])\n"
            "except SystemExit:\n    pass\n"
            "print(sorted(m for m in ('pandas', 'geopandas', 'pyarrow', 'numpy') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env(), capture_output=True,
                          text=True, timeout=300, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stderr
    features = json.loads(out.read_text(encoding="utf-8"))["features"]
    assert {f["properties"]["incident_type"] for f in features} == {"air_strike"}
