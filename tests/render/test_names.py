"""Place names in the page: the article's spelling shown, every gazetteer name searchable
(bounded, deduplicated, ASCII-folded); the real gazetteer index."""

from __future__ import annotations

import json

import pytest

from geomap.gazetteer import load_gazetteer
from geomap.render import make_map
from geomap.render._names import MAX_ALTERNATES, MAX_NAME_LENGTH, place_names, searchable
from geomap.render._synthetic import synthetic_incidents

# (gazetteer name, the article's spelling, id); the ids are the GeoNames cities of the bundled data
PLACES = [("Kupyansk", "Kupiansk", "gn:703656"), ("Izmayil", "Izmail", "gn:707308"),
          ("Odesa", "the port city", "gn:698740")]


@pytest.fixture(scope="module")
def gazetteer():
    return load_gazetteer()  # builds the index when this machine has none yet


def incidents_at(places):
    gdf = synthetic_incidents(len(places)).copy()
    gdf["place"] = [p[0] for p in places]
    gdf["mention"] = [p[1] for p in places]
    gdf["place_id"] = [p[2] for p in places]
    return gdf


def test_display_is_the_articles_spelling_when_it_names_the_place(gazetteer):
    shown, alternates = place_names(*zip(*PLACES, strict=True))
    assert shown == ["Kupiansk", "Izmail", "Odesa"]  # "the port city" is no name: the gazetteer's
    for display, names in zip(shown, alternates, strict=True):
        lines = names.split("\n")
        assert len(lines) == len(set(lines)) <= MAX_ALTERNATES
        assert all(line.isascii() and line == line.lower() and len(line) <= MAX_NAME_LENGTH for line in lines)
        assert searchable(display) not in lines  # the name shown is searched already
    assert "kupyansk" in alternates[0].split("\n")
    assert "odessa" in alternates[2].split("\n")


def test_unknown_places_keep_their_name_and_carry_no_alternates(gazetteer):
    assert place_names(["47.8400, 35.1400", "Somewhere"], ["", "Elsewhere"], ["", "x:1"]) == (
        ["47.8400, 35.1400", "Somewhere"], ["", ""])


def test_payload_shows_the_spelling_and_searches_every_name(gazetteer):
    payload = make_map(incidents_at(PLACES)).payload
    strings, cols = payload["strings"], payload["cols"]
    assert [strings[k] for k in cols["place"]] == ["Kupiansk", "Izmail", "Odesa"]
    names = [strings[k].split("\n") for k in cols["names"]]
    assert "kupyansk" in names[0] and "Kupiansk" in names[0]
    assert "izmayil" in names[1]
    # what the alternates cost, per place: bounded
    with_alternates = len(json.dumps(payload))
    bare = make_map(incidents_at([(p, m, "") for p, m, _ in PLACES])).payload
    added = with_alternates - len(json.dumps(bare))
    assert 0 < added <= len(PLACES) * MAX_ALTERNATES * (MAX_NAME_LENGTH + 1)


def test_static_map_labels_use_the_same_spelling(gazetteer):
    from geomap.render._static import static_figure

    fig = static_figure(incidents_at(PLACES), title="Spellings")
    labels = {t.get_text() for t in fig.findobj(lambda a: a.get_gid() == "place-label")}
    assert labels <= {"Kupiansk", "Izmail", "Odesa"} and labels & {"Kupiansk", "Izmail"}
    assert not labels & {"Kupyansk", "Izmayil"}  # the gazetteer's spelling the article did not use
