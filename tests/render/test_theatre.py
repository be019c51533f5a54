"""The first view fits the theatre, the densest cluster of pins (issue 12)."""

from __future__ import annotations

from geomap.render._theatre import theatre


def test_far_pins_are_left_out_of_the_theatre():
    # a front line of 12 pins around Donetsk and Kherson, talks in Geneva and Washington
    lons = [37.8 + 0.3 * k for k in range(6)] + [33.0 + 0.8 * k for k in range(6)] + [6.1, -77.0]
    lats = [48.0] * 6 + [46.6 + 0.2 * k for k in range(6)] + [46.2, 38.9]
    chosen = theatre(lons, lats)
    assert chosen == list(range(12))


def test_a_second_big_cluster_stays_in():
    lons = [37.8] * 8 + [2.35] * 4 + [-77.0]
    lats = [48.0] * 8 + [48.85] * 4 + [38.9]
    assert theatre(lons, lats) == list(range(12))


def test_scattered_pins_are_all_fitted():
    lons, lats = [6.1, 30.5, -77.0, 139.7], [46.2, 50.4, 38.9, 35.7]
    assert theatre(lons, lats) == [0, 1, 2, 3]
    assert theatre([], []) == []
