"""The base map's detail layers (issue 12): rivers, lakes and settlement labels near the incidents."""

from __future__ import annotations

import math

import pytest

from geomap.render import make_map
from geomap.render._basemap import MARGIN_CELLS, cells, detail
from geomap.render._synthetic import synthetic_incidents

NIKOPOL = (34.39, 47.57)
DONETSK = (37.80, 48.02)


def _decode(flat: list[int], scale: int) -> list[tuple[float, float]]:
    x = y = 0
    points = []
    for k in range(0, len(flat), 2):
        x, y = x + flat[k], y + flat[k + 1]
        points.append((x / scale, y / scale))
    return points


def test_cells_reach_around_each_point_only():
    found = cells([37.8], [48.0])
    assert (37, 48) in found and len(found) == (2 * MARGIN_CELLS + 1) ** 2
    assert (37 + MARGIN_CELLS + 1, 48) not in found
    assert cells([], []) == set()


def test_nikopol_has_the_dnipro_and_the_kakhovka_reservoir():
    water = detail([NIKOPOL[0]], [NIKOPOL[1]])["water"]
    lakes = [f for f in water if f["k"] == "l"]
    rivers = [f for f in water if f["k"] == "r"]
    assert rivers and all(f["g"]["l"] for f in rivers)
    # the reservoir: a big lake drawn from zoom 5 whose outline passes within 10 km of Nikopol
    near = []
    for lake in lakes:
        for polygon in lake["g"]["p"]:
            points = _decode(polygon[0], lake["g"]["s"])
            if any(math.dist(p, NIKOPOL) < 0.1 for p in points):
                near.append(lake)
    assert near and min(f["z"] for f in near) == 5
    # only the detail around the point: nothing beyond its cells
    for feature in water:
        for line in feature["g"].get("l", []):
            for lon, lat in _decode(line, feature["g"]["s"]):
                assert abs(lon - NIKOPOL[0]) <= MARGIN_CELLS + 1.01 and abs(lat - NIKOPOL[1]) <= MARGIN_CELLS + 1.01


def _pixel(lon: float, lat: float, zoom: int) -> tuple[float, float]:
    size = 256 * 2 ** zoom
    phi = math.radians(lat)
    return (lon + 180) / 360 * size, (1 - math.log(math.tan(phi) + 1 / math.cos(phi)) / math.pi) / 2 * size


def test_labels_rank_by_population_and_never_overlap():
    labels = detail([DONETSK[0]], [DONETSK[1]])["labels"]
    names = labels["name"]
    assert "Donetsk" in names and labels["z"][names.index("Donetsk")] <= 7
    assert labels["z"] == sorted(labels["z"])
    assert min(labels["z"]) >= 6  # no settlement labels at continent zooms
    # city districts that GeoNames lists as places get no label (Makiivka's, Donetsk's)
    assert not {"Hirnytskyi", "Tsentralno-Miskyi", "Rutchenkivskyi"} & set(names)
    for zoom in (8, 9, 10):
        boxes = []
        for lon, lat, name, first in zip(labels["lon"], labels["lat"], names, labels["z"]):
            if first > zoom:
                continue
            x, y = _pixel(lon, lat, zoom)
            width = len(name) * 6.2 + 8
            boxes.append((x - width / 2, y - 18, x + width / 2, y + 3, name))
        assert len(boxes) > 20
        for i, a in enumerate(boxes):
            for b in boxes[i + 1:]:
                assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]), (zoom, a[4], b[4])


@pytest.fixture(scope="module")
def incidents():
    return synthetic_incidents(200)


def test_page_carries_detail_only_around_pinned_incidents(incidents):
    payload = make_map(incidents).payload
    labels = payload["detail"]["labels"]
    assert "Kyiv" in labels["name"] and "Odesa" in labels["name"] and payload["detail"]["water"]
    cols = payload["cols"]
    pinned = [i for i in range(payload["n"]) if cols["area"][i] < 0]
    coarse = [i for i in range(payload["n"]) if cols["area"][i] >= 0]
    allowed = cells([cols["lon"][i] for i in pinned], [cols["lat"][i] for i in pinned])
    around_areas = cells([cols["lon"][i] for i in coarse], [cols["lat"][i] for i in coarse])
    assert around_areas - allowed  # the areas' points (Black Sea, Krasnodar Krai) would reach further
    assert all((math.floor(lon), math.floor(lat)) in allowed for lon, lat in zip(labels["lon"], labels["lat"]))
