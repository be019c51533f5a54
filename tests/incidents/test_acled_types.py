"""ACLED's event families: the four types added to the ten, and ACLED's event_type/sub_event_type on
every incident, in every export (sentences written for these tests)."""

from __future__ import annotations

import pytest

import geomap
from geomap.incidents.sentences import split_sentences
from geomap.incidents.taxonomy import INCIDENT_TYPES, load_taxonomy
from geomap.store import read_store, upsert_store


def extract(text: str):
    return geomap.extract("date 2025-10-21\n" + text)


@pytest.mark.parametrize("text, kind", [
    ("The defenders withdrew from Novoselivka, Donetsk region, on Monday.", "territory_change"),
    ("Ukrainian troops regained control of Kupiansk after a week.", "territory_change"),
    ("A farmer's tractor ran over a landmine near Balakliia.", "remote_explosive"),
    ("Deminers found unexploded ordnance in a field outside Izium.", "remote_explosive"),
    ("Soldiers abducted the village head in Oleshky.", "civilian_violence"),
    ("Retreating troops looted shops in Hola Prystan.", "looting"),
])
def test_new_families_are_their_own_types(text, kind):
    assert kind in set(extract(text)["incident_type"])


def test_every_type_maps_to_acled_and_incidents_carry_it():
    tax = load_taxonomy()
    assert len(INCIDENT_TYPES) == 14
    assert all(tax[t].event_type and tax[t].sub_event_type for t in INCIDENT_TYPES)
    row = extract("Artillery shelled Kherson overnight.").iloc[0]
    assert (row.event_type, row.sub_event_type) == ("Explosions/Remote violence", "Shelling/artillery/missile attack")


def test_approximate_village_is_flagged_in_every_export(tmp_path):
    gdf = extract("Artillery shelled Kantserivka overnight.")  # a village still at its hromada centre
    row = gdf.iloc[0]
    assert row.location_note == "approximate: hromada centre" and row.geo_precision == 2
    for ext in (".geojson", ".gpkg", ".parquet", ".csv"):
        out = tmp_path / f"x{ext}"
        geomap.write_incidents(gdf, out)
        back = geomap.read_incidents(out).iloc[0]
        assert (back.location_note, back.sub_event_type) == (row.location_note, row.sub_event_type), ext


def test_store_keeps_the_acled_columns(tmp_path):
    gdf = extract("Artillery shelled Kantserivka overnight.")  # a village still at its hromada centre
    store = tmp_path / "s.gpkg"
    upsert_store(store, gdf)
    back = read_store(store).iloc[0]
    assert back.event_type == "Explosions/Remote violence" and back.location_note.startswith("approximate")


def test_exclamation_inside_a_quote_ends_no_sentence():
    text = 'Protesters chanted "No to war! Peace now!" outside the embassy in Tbilisi. Police watched.'
    assert [s.text for s in split_sentences(text)] == [
        'Protesters chanted "No to war! Peace now!" outside the embassy in Tbilisi.', "Police watched."]
    assert set(extract(text)["place"]) == {"Tbilisi"}


@pytest.mark.parametrize("text, sentences", [
    ("About 30 people held a protest 'Don't wait! Bring them home!' in Lutsk, Volyn. Police watched.",
     ["About 30 people held a protest 'Don't wait! Bring them home!' in Lutsk, Volyn.", "Police watched."]),
    ("A banner read ‘Peace! Now!’ in Lviv. Then it rained.", ["A banner read ‘Peace! Now!’ in Lviv.", "Then it rained."]),
    ("He said 'we held the line.' Then he left.", ["He said 'we held the line.'", "Then he left."]),
    ("Kyiv's mayor spoke! Drones hit 'the depot'. Soldiers' wives came.",
     ["Kyiv's mayor spoke!", "Drones hit 'the depot'.", "Soldiers' wives came."]),
])
def test_single_quotes_quote_but_apostrophes_do_not(text, sentences):
    assert [s.text for s in split_sentences(text)] == sentences


def test_a_slogan_in_single_quotes_keeps_the_protest_place():
    text = "On 3 May 2023, about 40 people held a peaceful protest 'Stop the war! Free them!' in Poltava, Poltava."
    assert set(extract(text)["place"]) == {"Poltava"}
