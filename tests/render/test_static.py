"""Report-ready static maps (issue 12): theatre extent, place labels, water, compact legend."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from matplotlib.image import imread
from shapely.geometry import Point

from geomap.render import save_static
from geomap.render._static import RIVER_COLOUR, static_figure, type_shape

# a front around Donetsk and the Dnipro, plus talks far away in Geneva
PLACES = [("Donetsk", 37.80, 48.02, "shelling"), ("Horlivka", 38.02, 48.30, "shelling"),
          ("Pokrovsk", 37.18, 48.28, "ground_fighting"), ("Kramatorsk", 37.56, 48.72, "air_strike"),
          ("Nikopol", 34.39, 47.57, "shelling"), ("Zaporizhzhia", 35.14, 47.84, "air_strike"),
          ("Kurakhove", 37.28, 47.98, "ground_fighting"), ("Geneva", 6.14, 46.20, "diplomacy")]


@pytest.fixture(scope="module")
def incidents():
    rows = [{"incident_type": t, "place": name, "date": "2025-11-0%d" % (k % 9 + 1), "geo_precision": 1,
             "country": "UA" if name != "Geneva" else "CH", "geometry": Point(lon, lat)}
            for k, (name, lon, lat, t) in enumerate(PLACES)]
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")


def test_extent_fits_the_theatre_and_says_what_is_outside(incidents):
    fig = static_figure(incidents, title="Front")
    ax = fig.axes[0]
    west, east = ax.get_xlim()
    assert west > 20 and east < 45  # Geneva (6 E) is not in the view...
    texts = [t.get_text() for t in fig.texts]
    assert any("1 outside this view" in t for t in texts)  # ...and the footer says so
    assert any("water: GSHHG" in t for t in texts)


def test_places_are_labelled_without_overlap(incidents):
    fig = static_figure(incidents, title="Front")
    labels = fig.findobj(lambda a: a.get_gid() == "place-label")
    names = {t.get_text() for t in labels}
    assert {"Donetsk", "Nikopol", "Zaporizhzhia"} <= names and "Geneva" not in names
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in labels]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not a.overlaps(b)


def test_rivers_and_type_shapes_are_drawn(incidents, tmp_path):
    path = save_static(incidents, tmp_path / "front.svg", title="Front")
    text = path.read_text(encoding="utf-8")
    assert RIVER_COLOUR in text  # the Dnipro and its tributaries
    assert len({type_shape(t) for t in ("shelling", "air_strike", "ground_fighting", "diplomacy")}) == 4


def test_no_empty_band_under_the_legend(incidents, tmp_path):
    image = imread(save_static(incidents, tmp_path / "front.png", title="Front"))
    rgb = image[..., :3]
    dark_rows = np.flatnonzero((rgb.mean(axis=2) < 0.2).mean(axis=1) > 0.8)
    frame_bottom = dark_rows.max()  # the map's frame
    white = (rgb.min(axis=2) > 0.97).all(axis=1)[frame_bottom + 2:]
    longest, run = 0, 0
    for blank in white:
        run = run + 1 if blank else 0
        longest = max(longest, run)
    assert longest < 0.3 * 200  # no blank band taller than 0.3 inch at 200 dpi
