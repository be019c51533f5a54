"""Sentences, lexicon and dates: the text-level stages of incident extraction."""

from __future__ import annotations

import datetime as dt

import pytest

from geomap.errors import DataError
from geomap.incidents.classify import classify, find_cues
from geomap.incidents.dates import find_dates, incident_date
from geomap.incidents.lexicon import load_lexicon, phrase_pattern
from geomap.incidents.sentences import split_sentences
from geomap.incidents.taxonomy import INCIDENT_TYPES, load_taxonomy

REF = dt.date(2025, 11, 29)  # a Saturday


# --- sentences ---

def test_sentences_keep_offsets_and_survive_abbreviations():
    text = ('Gen. Smith met U.S. envoys in St. Petersburg on Nov. 3. "We agreed," he said. '
            'Talks ended.\n\nHeading Without Dot\nNext line.')
    sents = split_sentences(text)
    assert [s.text for s in sents] == [
        "Gen. Smith met U.S. envoys in St. Petersburg on Nov. 3.", '"We agreed," he said.', "Talks ended.",
        "Heading Without Dot\nNext line."]
    for s in sents:
        assert text[s.start:s.end] == s.text


def test_sentences_split_after_acronym_before_opener_and_after_quotes():
    sents = split_sentences('He flew to the U.S. The talks began. She said: "It is over." Then left.')
    assert [s.text for s in sents] == ["He flew to the U.S.", "The talks began.", 'She said: "It is over."',
                                       "Then left."]


# --- lexicon ---

@pytest.mark.parametrize("phrase, text, hit", [
    ("drone* ~ hit", "drones reportedly hit the depot", True),
    ("drone* ~ hit", "drones were launched and later the rockets hit", False),  # gap larger than 3 words
    ("glide bomb*", "a glide-bomb attack", True),
    ("strik*", "strikers", True),
    ("met", "he met the envoy", True),
    ("met", "a metal roof", False),
    ("de-energi*", "de-energized", True),
])
def test_phrase_syntax(phrase, text, hit):
    import re
    assert bool(re.search(phrase_pattern(phrase), text, re.IGNORECASE)) is hit


def test_phrase_syntax_errors_are_data_errors():
    with pytest.raises(DataError):
        phrase_pattern("drone ~ ")


def test_taxonomy_ids_fixed_and_lexicon_compiled_for_every_type():
    tax = load_taxonomy()
    assert tuple(tax.types) == INCIDENT_TYPES
    lx = load_lexicon()
    assert set(lx.strong) == set(INCIDENT_TYPES)
    assert 0 < lx.scoring.min_confidence < 1


def test_longer_cue_of_another_type_owns_its_words():
    types = {c.type for c in find_cues("An air raid alert sounded in the capital.") if c.strong}
    assert types == {"air_strike"}  # not law_enforcement's "raid"
    cues = find_cues("Sea drones attacked a patrol boat.")
    assert {c.type for c in cues if c.strong} == {"naval_attack"}  # not air_strike's "drones attacked"


@pytest.mark.parametrize("sentence, expected", [
    ("Russian drones struck an oil depot overnight.", "air_strike"),
    ("Artillery shelled the town for hours.", "shelling"),
    ("Sea drones hit a tanker near the port.", "naval_attack"),
    ("Fighter jets were scrambled after a drone entered the country's airspace.", "airspace_violation"),
    ("Troops repelled an assault on the village.", "ground_fighting"),
    ("Saboteurs set fire to relay cabinets on the railway.", "sabotage"),
    ("The strike left 200,000 homes without power.", "infrastructure_outage"),
    ("Police detained two men and searched their flats.", "law_enforcement"),
    ("Thousands of demonstrators rallied outside parliament.", "protest"),
    ("The foreign ministers met for talks on a ceasefire.", "diplomacy"),
])
def test_each_type_is_recognised(sentence, expected):
    ev = classify(sentence)
    assert expected in ev and ev[expected].has_strong


def test_weak_cues_alone_are_not_strong():
    ev = classify("The attacks killed three people and wounded dozens.")
    assert all(not e.has_strong for e in ev.values())


def test_negation_and_speculation_lower_confidence():
    plain = classify("Drones struck the refinery.")["air_strike"].confidence
    denied = classify("The ministry denied that drones struck the refinery.")["air_strike"]
    maybe = classify("Drones could have struck the refinery.")["air_strike"]
    assert denied.negated and denied.confidence < plain * 0.5
    assert maybe.speculative and maybe.confidence < plain
    assert not classify("Drones struck the refinery.")["air_strike"].negated


def test_month_may_is_not_speculation():
    assert not classify("Drones struck the refinery on May 9.")["air_strike"].speculative


# --- dates ---

@pytest.mark.parametrize("sentence, date, precision, future", [
    ("Drones hit the city early on November 29.", REF, 1, False),
    ("Drones hit the city overnight.", REF, 1, False),
    ("Drones hit the city yesterday.", REF - dt.timedelta(days=1), 1, False),
    ("Drones hit the city on Thursday.", dt.date(2025, 11, 27), 1, False),
    ("Drones hit the city last week.", dt.date(2025, 11, 17), 2, False),
    ("The envoy will travel to the city next week.", dt.date(2025, 12, 1), 2, True),
    ("The envoy will meet him on December 1.", dt.date(2025, 12, 1), 1, True),
    ("Drones hit the city on 3 January 2024.", dt.date(2024, 1, 3), 1, False),
    ("Drones hit the city in March 2024.", dt.date(2024, 3, 1), 3, False),
    ("Drones hit the city.", REF, 1, False),
])
def test_incident_dates(sentence, date, precision, future):
    got = incident_date(sentence, [12, 0], REF)
    assert (got.date, got.precision, got.future) == (date, precision, future)


def test_december_in_january_article_is_last_year():
    got = incident_date("The port was hit on December 30.", [0], dt.date(2026, 1, 2))
    assert got.date == dt.date(2025, 12, 30)


def test_announced_event_without_date_is_undated():
    got = incident_date("The president will visit the city.", [20], REF)
    assert got.date is None and got.future


def test_dates_only_from_the_clause_of_the_place_or_cue():
    text = "Following the city meeting, the envoy is scheduled to travel to the capital next week."
    got = incident_date(text, [14, 19], REF)
    assert got.default and got.date == REF


def test_find_dates_without_article_date_keeps_explicit_years_only():
    refs = find_dates("On November 29, 2025 and on November 30 drones hit.", None)
    assert [r.date for r in refs] == [REF, None]


def test_suspicion_hedges_a_cue_but_a_suspect_is_no_hedge():
    plain = classify("Saboteurs set fire to the depot.")["sabotage"]
    hedged = classify("Investigators suspected arson at the depot.")["sabotage"]
    assert hedged.speculative and hedged.confidence < plain.confidence
    arrest = classify("Police detained a suspect at the station.")["law_enforcement"]
    assert not arrest.speculative


def test_meeting_in_a_place_is_a_strong_diplomacy_cue():
    assert classify("The two ministers will meet in the capital.")["diplomacy"].has_strong
    assert "diplomacy" not in classify("The plant can meet demand.") or \
        not classify("The plant can meet demand.")["diplomacy"].has_strong
