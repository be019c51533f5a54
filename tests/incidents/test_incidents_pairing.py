"""Pairing rules and merging, on hand-made mentions (no gazetteer needed)."""

from __future__ import annotations

import datetime as dt

import pytest

from geomap._paths import data_path
from geomap.incidents import article_candidates
from geomap.incidents.classify import classify, find_cues
from geomap.incidents.lexicon import load_lexicon
from geomap.incidents.merge import incident_id
from geomap.incidents.pairing import geo_precision, items_from_mentions, pair_sentence
from geomap.models import Article
from geomap.pipeline import as_articles, incidents_records
from support.incidents_helpers import P, hand_geoparse

LX = load_lexicon()


def pairs_of(sentence: str):
    cues = find_cues(sentence, LX)
    ev = classify(sentence, LX, cues=cues)
    items = items_from_mentions(hand_geoparse(sentence), 0, len(sentence))
    pairs, items = pair_sentence(sentence, items, cues, ev, LX)
    return {(p.type, p.place.name) for p in pairs}, {it.text: it.role for it in items}


def records(*texts, **kw):
    kw.setdefault("min_confidence", 0.0)
    return incidents_records(list(texts), geoparser=hand_geoparse, **kw)


def test_speaker_country_is_the_anaphor_of_its_airspace():
    pairs, roles = pairs_of("Moldova on Saturday said Russian drones had entered the country's airspace.")
    assert pairs == {("airspace_violation", "Moldova")}
    assert roles["Moldova"] == "speaker" and roles["Russian"] == "demonym"


def test_speaker_alone_is_no_place_for_other_types():
    pairs, roles = pairs_of("Kyiv says Russian missiles struck targets overnight.")
    assert pairs == set() and roles["Kyiv"] == "speaker"


def test_speaker_fallback_for_airspace_when_no_other_place():
    pairs, _ = pairs_of("The intrusion, which Chisinau said posed a danger to aviation, was the third.")
    assert pairs == {("airspace_violation", "Chisinau")}


def test_container_region_attaches_to_the_specific_place():
    sentence = "Ukraine's military said it hit the Afipsky oil refinery in Russia's Krasnodar region."
    cues = find_cues(sentence, LX)
    items = items_from_mentions(hand_geoparse(sentence), 0, len(sentence))
    pairs, items = pair_sentence(sentence, items, cues, classify(sentence, LX, cues=cues), LX)
    assert [(p.type, p.place.name) for p in pairs] == [("air_strike", "Afipskiy")]
    assert pairs[0].container.name == "Krasnodar Krai"
    roles = {it.text: it.role for it in items}
    assert roles["Krasnodar region"] == "container" and roles["Russia"] == "container"
    assert roles["Ukraine"] == "owner"


def test_region_that_does_not_contain_the_place_is_its_own_incident():
    pairs, _ = pairs_of("Drones hit the refinery in Tuapse as well as a plant in the Rostov region.")
    assert pairs == {("air_strike", "Tuapse"), ("air_strike", "Rostov Oblast")}


def test_region_alone_is_the_place():
    pairs, _ = pairs_of("The army said it hit an oil refinery in Russia's Krasnodar region early on Saturday.")
    assert pairs == {("air_strike", "Krasnodar Krai")}


def test_actor_agent_person_vessel_institution_are_not_places():
    pairs, roles = pairs_of("Russia launched drones at Odesa, the Kremlin said, while Marco Rubio watched.")
    assert pairs == {("air_strike", "Odesa")} or ("air_strike", "Odesa") in pairs
    assert roles["Russia"] == "actor" and roles["Kremlin"] == "institution" and roles["Rubio"] == "person"
    pairs, roles = pairs_of("Two tankers -- the KAIRO and VIRAT -- used by Russia were attacked with sea drones "
                            "in the Black Sea.")
    assert pairs == {("naval_attack", "Black Sea")}
    assert roles["KAIRO"] == "name" and roles["Russia"] == "agent"


def test_attributive_and_owner_places_are_not_sites():
    pairs, roles = pairs_of("US officials held talks with a member of Kyiv's negotiating team.")
    assert pairs == set()
    assert roles["US"] == "attributive" and roles["Kyiv"] == "owner"
    pairs, roles = pairs_of("The president accused the Kremlin of trying to destabilise the small Balkan nation.")
    assert pairs == set()


def test_coordinated_places_share_the_preposition():
    pairs, _ = pairs_of("Russia launched massive air attacks on Kyiv and Odesa overnight.")
    assert pairs == {("air_strike", "Kyiv"), ("air_strike", "Odesa")}


def test_place_hangs_on_the_nearest_cue_before_it():
    pairs, _ = pairs_of("Thousands rallied in Tbilisi against the decision to freeze talks with the bloc.")
    assert pairs == {("protest", "Tbilisi")}


def test_diplomacy_travel_and_modifier():
    pairs, _ = pairs_of("Following the Florida meeting, the envoy is scheduled to travel to Moscow next week.")
    assert pairs == {("diplomacy", "Florida"), ("diplomacy", "Moscow")}
    pairs, _ = pairs_of("The envoy will travel to Kyiv for talks, while drones struck Odesa.")
    assert pairs == {("diplomacy", "Kyiv"), ("air_strike", "Odesa")}


def test_to_does_not_place_an_attack():
    pairs, _ = pairs_of("He planned a trip to Paris amid intensified Russian air attacks.")
    assert ("air_strike", "Paris") not in pairs


def test_weak_cue_needs_a_direct_target():
    pairs, _ = pairs_of("Russian forces struck Kherson with guided weapons.")
    assert ("air_strike", "Kherson") in pairs
    pairs, _ = pairs_of("Engineers worked on the power lines in Kherson.")
    assert pairs == set()


def test_geo_precision_by_kind():
    assert geo_precision(P["kyiv"]) == 1 and geo_precision(P["kyiv"], near=True) == 2
    assert geo_precision(P["krasnodar region"]) == 2
    assert geo_precision(P["moldova"]) == 3 and geo_precision(P["black sea"]) == 3
    assert geo_precision(P["balkan"]) == 3  # a large physical area


# --- whole articles, merging ---

def test_each_type_from_a_short_article():
    text = ("date 2025-10-05\nRussian drones struck an oil depot in Tuapse overnight. Artillery shelled Kherson "
            "on Saturday. Sea drones hit a tanker near Novorossiysk. Romania scrambled jets after a drone entered "
            "its airspace near Tulcea. Troops repelled an assault near Pokrovsk. Saboteurs set fire to a "
            "substation in Odesa. Half of Kharkiv was left without power. Police detained two men in Izmail. "
            "Thousands rallied in Tbilisi. The ministers met in Istanbul.")
    got = {(r["incident_type"], r["place"]) for r in records(text)}
    assert {("air_strike", "Tuapse"), ("shelling", "Kherson"), ("naval_attack", "Novorossiysk"),
            ("airspace_violation", "Tulcea"), ("sabotage", "Odesa"), ("infrastructure_outage", "Kharkiv"),
            ("law_enforcement", "Izmail"), ("protest", "Tbilisi"), ("diplomacy", "Istanbul")} <= got


def test_same_incident_in_two_sentences_and_two_articles_merges():
    a = "date 2025-11-29\nDrones struck Odesa overnight. Later, officials said missiles also hit Odesa."
    b = "date 2025-11-29\nA drone attack on Odesa damaged the port."
    recs = [r for r in records(a, b) if r["incident_type"] == "air_strike"]
    assert len(recs) == 1
    rec = recs[0]
    assert rec["reports"] == 2 and len(rec["sources"]) == 2 and rec["place"] == "Odesa"
    single = [r for r in records(a) if r["incident_type"] == "air_strike"][0]
    assert rec["confidence"] > single["confidence"]  # corroboration
    assert rec["id"] == incident_id("air_strike", P["odesa"].id, "2025-11-29") == single["id"]


def test_different_days_stay_apart():
    a = "date 2025-11-29\nDrones struck Odesa overnight."
    b = "date 2025-11-27\nDrones struck Odesa overnight."
    assert len(records(a, b)) == 2


def test_country_incident_dropped_when_a_place_inside_has_it():
    recs = records("date 2025-11-29\nRussia launched air attacks on Kyiv and other parts of Ukraine.")
    assert {(r["incident_type"], r["place"]) for r in recs} == {("air_strike", "Kyiv")}


def test_future_diplomacy_is_dated_ahead_and_less_confident():
    recs = records("date 2025-11-29\nThe envoy will travel to Moscow next week. The ministers met in Geneva.")
    by_place = {r["place"]: r for r in recs}
    assert by_place["Moscow"]["date"] == "2025-12-01" and by_place["Moscow"]["date_precision"] == 2
    assert by_place["Geneva"]["date"] == "2025-11-29"
    assert by_place["Moscow"]["confidence"] < by_place["Geneva"]["confidence"]


def test_predicted_attack_is_not_an_incident_by_default():
    recs = incidents_records("date 2025-11-29\nOfficials warned that Russia could shell Kherson next week.",
                             geoparser=hand_geoparse)
    assert recs == []


def test_undated_mention_joins_the_dated_one():
    text = ("date 2025-11-29\nHe is planning a trip to Paris. Macron will host him in Paris on December 1.")
    recs = records(text)
    assert [(r["place"], r["date"]) for r in recs] == [("Paris", "2025-12-01")]


def test_types_filter_and_threshold():
    text = "date 2025-11-29\nDrones struck Odesa. Police detained two men in Izmail."
    assert {r["incident_type"] for r in records(text, types=["law_enforcement"])} == {"law_enforcement"}
    assert records(text, min_confidence=0.99) == []
    with pytest.raises(ValueError):
        records(text, types=["bombing"])


def test_articles_and_reference_date():
    art = Article(id="a1", text="Drones struck Odesa yesterday.", source="a1.txt")
    recs = records(art, reference_date=dt.date(2025, 11, 29))
    assert recs[0]["date"] == "2025-11-28" and recs[0]["sources"] == ["a1.txt"]
    assert as_articles("date 2025-11-29\nText")[0].date == dt.date(2025, 11, 29)
    cands = article_candidates(as_articles("date 2025-11-29\nDrones struck Odesa.")[0],
                               hand_geoparse("Drones struck Odesa."), LX)
    assert [c.place.name for c in cands] == ["Odesa"]


def test_extract_rejects_other_inputs():
    from geomap.errors import UsageError
    from geomap.pipeline import extract
    with pytest.raises(UsageError):
        extract([42], geoparser=hand_geoparse)


def test_bundled_examples_cover_every_type():

    from geomap.incidents.taxonomy import INCIDENT_TYPES
    folder = data_path("examples")
    texts = [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))]
    assert 6 <= len(texts) <= 8 and all(t.startswith("date 20") for t in texts)
    assert {r["incident_type"] for r in incidents_records(texts, geoparser=hand_geoparse)} == set(INCIDENT_TYPES)


def test_passive_accused_is_not_a_speaker():
    _, roles = pairs_of("Moldova has not been accused of anything and said during the raids that it helped.")
    assert roles["Moldova"] != "speaker"
    pairs, _ = pairs_of("Officials were questioned during the raids, Moldova said.")
    assert pairs == set()  # law enforcement does not fall back to the speaker


# --- one sentence, two types; the object of a cue; clauses without a place; announced talks ---

def test_impact_type_shares_the_place_of_its_cause():
    pairs, _ = pairs_of("Drones struck a substation in Kharkiv and Odesa on Friday, leaving thousands of "
                        "families without electricity.")
    assert pairs == {("air_strike", "Kharkiv"), ("air_strike", "Odesa"),
                     ("infrastructure_outage", "Kharkiv"), ("infrastructure_outage", "Odesa")}


def test_impact_type_needs_a_result_word():
    # the outage is the topic of the protest, not a consequence at Kyiv
    pairs, _ = pairs_of("Thousands rallied in Kyiv against the power cuts.")
    assert pairs == {("protest", "Kyiv")}
    # the owner rule still holds for types that are not impacts
    pairs, _ = pairs_of("Thousands rallied in Tbilisi, causing officials to freeze talks.")
    assert pairs == {("protest", "Tbilisi")}


def test_object_of_a_cue_noun_is_the_place():
    pairs, roles = pairs_of("The overnight shelling of Kherson wounded two people.")
    assert pairs == {("shelling", "Kherson")} and roles["Kherson"] == "target"
    pairs, roles = pairs_of("The bombardment of the city of Kharkiv went on for hours.")
    assert pairs == {("air_strike", "Kharkiv")}
    # a noun for people names a side, not a site
    _, roles = pairs_of("The delegation of Turkey arrived late.")
    assert roles["Turkey"] != "target"


def test_place_after_the_object_describes_it():
    # "Dnipro" stands for a geoparser that reads the river as the city
    pairs, _ = pairs_of("Heavy shelling of Kherson across the Dnipro river killed a man.")
    assert pairs == {("shelling", "Kherson")}
    pairs, _ = pairs_of("Russian artillery shelled Kherson near the Dnipro overnight.")
    assert pairs == {("shelling", "Kherson")}
    # coordinated places are both objects
    pairs, _ = pairs_of("Artillery shelled Kherson and Dnipro overnight.")
    assert pairs == {("shelling", "Kherson"), ("shelling", "Dnipro")}
    # a place after a coarse object refines it
    pairs, _ = pairs_of("Russian drones entered the country's airspace near Galati, Romania said.")
    assert ("airspace_violation", "Galati") in pairs


def test_cue_in_a_placeless_clause_reaches_a_place_with_a_weak_cue_of_its_type():
    pairs, _ = pairs_of("A blaze gutted a depot near Izmail; police are treating it as sabotage.")
    assert ("sabotage", "Izmail") in pairs
    # no weak cue of the type beside the place: the clauses stay apart
    pairs, _ = pairs_of("Police detained two men in Odesa; protests went on for a week.")
    assert pairs == {("law_enforcement", "Odesa")}
    # the other clause has a place of its own
    pairs, _ = pairs_of("A blaze hit a railway depot in Kharkiv; saboteurs were arrested in Odesa.")
    assert ("sabotage", "Kharkiv") not in pairs


def test_suspected_arson_is_sabotage_with_lower_confidence():
    recs = records("date 2025-10-01\nA blaze broke out at a warehouse in Odesa; investigators suspect arson.",
                   "date 2025-10-01\nSaboteurs set fire to a warehouse in Kharkiv.")
    by_place = {(r["incident_type"], r["place"]): r for r in recs}
    assert ("sabotage", "Odesa") in by_place and ("sabotage", "Kharkiv") in by_place
    assert by_place[("sabotage", "Odesa")]["confidence"] < by_place[("sabotage", "Kharkiv")]["confidence"]
    assert by_place[("sabotage", "Odesa")]["confidence"] >= LX.scoring.min_confidence


def test_announced_meeting_in_a_city_is_future_diplomacy():
    recs = records("date 2025-11-29\nThe leaders of Moldova and Romania will meet in Chisinau next month. "
                   "The ministers met in Geneva.")
    by_place = {r["place"]: r for r in recs if r["incident_type"] == "diplomacy"}
    assert set(by_place) == {"Chisinau", "Geneva"}
    assert by_place["Chisinau"]["date"] == "2025-12-01" and by_place["Chisinau"]["date_precision"] == 3
    assert by_place["Chisinau"]["confidence"] < by_place["Geneva"]["confidence"]
    assert by_place["Chisinau"]["confidence"] >= LX.scoring.min_confidence


def test_denial_sentence_gives_no_incident():
    recs = incidents_records("date 2025-11-29\nSea drones attacked a tanker near Odesa. Moscow denied any damage.",
                             geoparser=hand_geoparse)
    assert {(r["incident_type"], r["place"]) for r in recs} == {("naval_attack", "Odesa")}
