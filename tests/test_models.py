"""geomap.models: the records pickle as their class and field values (what Dask ships), and come
back equal and as frozen as they were."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import pickle

import pytest

from geomap.incidents.merge import Report
from geomap.models import Article, Mention, Place, _from_slots

KYIV = Place(id="gn:703448", name="Kyiv", kind="city", lat=50.45, lon=30.52, bbox=(30.2, 50.2, 30.8, 50.6),
             country="UA", admin1="Kyiv City", admin1_code="UA-30", population=2_900_000,
             alt_names=("Kiev", "Kyjiw"), source="geonames", geonameid=703448, feature="city")
RECORDS = [
    KYIV,
    Article(id="a1", text="Drones struck Kyiv overnight.", date=dt.date(2025, 11, 29), title="Night attack",
            url="https://example.org/a1", source="feed.jsonl:3",
            published=dt.datetime(2025, 11, 29, 6, 30, tzinfo=dt.UTC)),
    Mention(start=14, end=18, text="Kyiv", kind="city", place=KYIV, confidence=0.93),
    Report(incident_type="air_strike", place=KYIV, mention="Kyiv", kind="city", geo_precision=1,
           date=dt.date(2025, 11, 29), date_precision=1, sentence="Drones struck Kyiv overnight.",
           confidence=0.8, article="feed.jsonl:3", sentences=["Drones struck Kyiv overnight."]),
]


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: type(r).__name__)
def test_a_record_pickles_as_its_field_values_and_comes_back_equal(record):
    reduced = record.__reduce__()
    assert reduced[0] is _from_slots and reduced[1][0] is type(record)
    assert reduced[1][1] == tuple(getattr(record, f.name) for f in dataclasses.fields(record))
    for protocol in (2, pickle.HIGHEST_PROTOCOL):
        back = pickle.loads(pickle.dumps(record, protocol=protocol))
        assert back == record and type(back) is type(record)
    assert copy.deepcopy(record) == record and copy.copy(record) == record


@pytest.mark.parametrize("record", [r for r in RECORDS if type(r).__dataclass_params__.frozen],
                         ids=lambda r: type(r).__name__)
def test_a_frozen_record_stays_frozen_and_hashes_the_same(record):
    back = pickle.loads(pickle.dumps(record))
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(back, dataclasses.fields(back)[0].name, "changed")
    assert hash(back) == hash(record)


def test_a_mutable_report_unpickles_as_its_own_copy():
    report = RECORDS[-1]
    back = pickle.loads(pickle.dumps(report))
    back.sentences.append("another")
    assert report.sentences == ["Drones struck Kyiv overnight."]
