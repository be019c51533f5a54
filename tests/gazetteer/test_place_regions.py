"""The regions of every place's point, joined when the index is built, are what the polygon join
gives for that point (so a run can look them up by place id instead of loading polygons)."""

from __future__ import annotations

import random

from geomap.gazetteer import load_gazetteer
from geomap.pipeline import with_regions
from geomap.region_join import regions_at


def test_joined_regions_are_the_spatial_join_of_each_place():
    gaz = load_gazetteer()
    rows = gaz._db.execute("SELECT id, lon, lat, kind FROM places ORDER BY rowid").fetchall()
    sample = random.Random(13).sample(rows, 400)
    sample += [r for r in rows if r[3] in ("country", "water", "admin1")][:100]
    joined = gaz.joined_regions([r[0] for r in sample])
    assert set(joined) == {r[0] for r in sample}
    direct = regions_at([(r[1], r[2]) for r in sample])
    assert [joined[r[0]] for r in sample] == [(r[1], r[2], values) for r, values in zip(sample, direct)]
    assert any(values[4] for values in direct) and any(values[2] for values in direct)  # water, admin-1


def test_a_point_off_its_place_is_joined_from_the_polygons():
    odesa = load_gazetteer().joined_regions(["gn:698740"])["gn:698740"]
    assert odesa[2][3] == "UA-51"
    record = {"place_id": "gn:698740", "lon": 39.72, "lat": 47.23, "kind": "city",  # moved to Rostov
              "country": "UA", "country_name": None, "region": None, "region_code": None, "water": None}
    (moved,) = with_regions([record])
    assert (moved["country"], moved["region_code"]) == ("RU", "RU-ROS")
