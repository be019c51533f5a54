"""The page payload's columns, worked out once per distinct value or row (geomap/render/_data.py):
every incident reads back its own values, missing and empty values stay missing, and values
that compare equal but print differently are never merged."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from geomap.errors import UsageError
from geomap.incidents.taxonomy import load_taxonomy
from geomap.render import _data
from geomap.render._synthetic import synthetic_incidents


@pytest.fixture(scope="module")
def messy():
    gdf = synthetic_incidents(400, jitter=0.2, seed=7).copy()
    rng = np.random.default_rng(5)

    def some(share):
        return rng.random(len(gdf)) < share

    gdf.loc[some(0.2), "title"] = None
    gdf.loc[some(0.1), "title"] = ""
    gdf.loc[some(0.2), "url"] = "file:///home/ana/a.txt"
    gdf.loc[some(0.2), "source"] = "/home/ana/reports/b.txt:3"
    gdf.loc[some(0.2), "sentence"] = None
    gdf.loc[some(0.1), "date"] = None
    gdf.loc[some(0.05), "date"] = "not a date"
    gdf.loc[some(0.1), "region_code"] = None
    gdf["event_type"] = None
    gdf.loc[some(0.3), "event_type"] = "Battles"
    return gdf


def _string(payload, k):
    return payload["strings"][k] if k >= 0 else None


def test_each_incident_reads_back_its_own_values(messy):
    payload = _data.build_payload(messy, title="t", cluster=True, heat=False, view="")
    cols, strings = payload["cols"], payload["strings"]
    assert len(strings) == len(set(strings))  # each string once
    assert "" not in strings
    taxonomy = load_taxonomy()
    text = _data._text  # None for missing (None, NaN, NA) and empty values
    for i, row in enumerate(messy.itertuples()):
        assert _string(payload, cols["sentence"][i]) == text(row.sentence)
        assert _string(payload, cols["date"][i]) == text(row.date)
        assert cols["day"][i] == _data._day(row.date)
        assert payload["types"][cols["type"][i]]["id"] == row.incident_type
        region = cols["admin1"][i]
        assert (payload["regions"][region]["key"] if region >= 0 else None) == text(row.region_code)
        article = payload["articles"][cols["article"][i]] if cols["article"][i] >= 0 else [-1, -1, -1]
        assert _string(payload, article[0]) == text(row.title)
        assert _string(payload, article[1]) == _data.public_url(row.url)
        assert _string(payload, article[2]) == _data.public_source(row.source)
        expected = text(row.event_type) or taxonomy[row.incident_type].event_type
        assert payload["acled"][cols["acled"][i]][0] == expected


def test_values_that_print_differently_stay_apart():
    frame = pd.DataFrame({"v": pd.Series([1, 1.0, "1", None, "", "a", np.nan, True], dtype=object),
                          "n": pd.Series([1, 1.0, True, "2", None, "x", np.nan, 3.7], dtype=object)})
    assert _data._texts(frame, "v") == ["1", "1.0", "1", None, None, "a", None, "True"]
    assert _data._ints(frame, "n", 9) == [1, 1, 1, 2, 9, 9, 9, 3]
    assert _data._texts(frame, "missing") == [None] * 8
    floats = pd.DataFrame({"f": [0.0, -0.0, np.nan]})
    assert _data._texts(floats, "f") == ["0.0", "-0.0", None]


def test_rows_grouped_in_order_of_first_appearance():
    group, first = _data._groups(np.array([2, 0, 2, 1, 0]), np.array([5, 5, 5, 5, 5]))
    assert group.tolist() == [0, 1, 0, 2, 1]
    assert first.tolist() == [0, 1, 3]


def test_an_incident_without_a_type_is_refused():
    frame = gpd.GeoDataFrame({"incident_type": ["air_strike", None], "place": ["Kyiv", "Odesa"]},
                             geometry=[Point(30.5, 50.4), Point(30.7, 46.5)], crs="EPSG:4326")
    with pytest.raises(UsageError, match="1 incident.* no incident_type"):
        _data.build_payload(frame, title="t", cluster=False, heat=False, view="")
