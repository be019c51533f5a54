"""The geoparser on sentences written for these tests: what is a place, and which place it is.

Recognition: multi-word names, diacritics, transliteration variants, demonyms, and the look-alikes
that are not places (people, ships, products, organisations, months, sentence-opening words).
Resolution: containers ("X in the Y region", "X, Texas"), the document's countries, and the
well-known reading of a bare name.
"""

from __future__ import annotations

import pytest

import geomap
from geomap.models import Mention
from geomap.toponyms import Geoparser, geoparse


def parse(text: str) -> list[Mention]:
    mentions = geoparse(text)
    for m in mentions:  # every span is exact
        assert text[m.start:m.end] == m.text, (m.start, m.end, m.text)
    return mentions


def names(text: str) -> list[str]:
    return [m.text for m in parse(text)]


def find(text: str, surface: str) -> Mention:
    found = [m for m in parse(text) if m.text == surface]
    assert found, f"{surface!r} not recognised in {text!r}; got {names(text)}"
    return found[0]


def where(m: Mention) -> tuple:
    return (m.kind, m.place.country if m.place else None, m.place.admin1_code if m.place else None)


# --------------------------------------------------------------------------- multi-word names


def test_the_black_sea():
    text = "A patrol boat sank in the Black Sea after the storm."
    m = find(text, "Black Sea")
    assert m.start == text.index("Black Sea") and m.end == m.start + len("Black Sea")
    assert (m.kind, m.place.id) == ("water", "water:black-sea")


def test_sea_of_azov():
    m = find("Fishing boats stayed in port on the Sea of Azov all week.", "Sea of Azov")
    assert (m.kind, m.place.id) == ("water", "water:sea-of-azov")


def test_kerch_strait():
    m = find("Ferries across the Kerch Strait were suspended on Friday.", "Kerch Strait")
    assert (m.kind, m.place.id) == ("water", "water:kerch-strait")


def test_krasnodar_krai():
    m = find("Wildfires spread across Krasnodar Krai during the heatwave.", "Krasnodar Krai")
    assert where(m) == ("admin1", "RU", "RU-KDA")


def test_possessive_country_and_region():
    text = "Air raid sirens sounded across Russia's Rostov region before dawn."
    mentions = parse(text)
    assert [m.text for m in mentions] == ["Russia", "Rostov region"]
    russia, rostov = mentions
    assert (russia.kind, russia.place.id) == ("country", "cc:RU")
    assert where(rostov) == ("admin1", "RU", "RU-ROS")


def test_rostov_on_don_is_one_name():
    text = "The football club returned to Rostov-on-Don by train."
    assert names(text) == ["Rostov-on-Don"]
    assert where(find(text, "Rostov-on-Don")) == ("city", "RU", "RU-ROS")


def test_direction_word_joins_the_country():
    text = "Heavy rain flooded villages in southern Ukraine on Monday."
    m = find(text, "southern Ukraine")
    assert (m.kind, m.place.id) == ("country", "cc:UA")
    assert names(text) == ["southern Ukraine"]


def test_ust_luga():
    m = find("Loading resumed at the oil terminal in Ust-Luga yesterday.", "Ust-Luga")
    assert where(m) == ("city", "RU", "RU-LEN")


# --------------------------------------------------------------------------- spellings


@pytest.mark.parametrize("spelling", ["Chisinau", "Chișinău", "Chişinău"])
def test_chisinau_with_and_without_diacritics(spelling):
    m = find(f"Thousands marched through {spelling} on Saturday evening.", spelling)
    assert (m.kind, m.place.country, m.place.geonameid) == ("city", "MD", 618426)


@pytest.mark.parametrize("spelling", ["Ceadir-Lunga", "Ceadîr-Lunga"])
def test_ceadir_lunga(spelling):
    m = find(f"The town council of {spelling} met again on Wednesday.", spelling)
    assert where(m) == ("city", "MD", "MD-GA")


@pytest.mark.parametrize("spelling", ["Afipsky", "Afipskiy"])
def test_afipsky_transliterations(spelling):
    m = find(f"Firefighters worked through the night at the refinery in {spelling}.", spelling)
    assert where(m) == ("city", "RU", "RU-KDA")


@pytest.mark.parametrize("spelling", ["Kharkov", "Kharkiv"])
def test_kharkiv_transliterations(spelling):
    m = find(f"The metro in {spelling} served as a shelter overnight.", spelling)
    assert where(m) == ("city", "UA", "UA-63")


@pytest.mark.parametrize("spelling", ["Zaporozhye", "Zaporizhzhia"])
def test_zaporizhzhia_transliterations(spelling):
    m = find(f"A train from {spelling} arrived six hours late.", spelling)
    assert m.place.country == "UA" and m.place.admin1_code == "UA-23"
    assert m.kind in ("city", "admin1")


def test_variants_of_one_place_resolve_to_the_same_entry():
    text = "Kharkov is the older spelling; Kharkiv is the one the city uses today."
    first, second = parse(text)
    assert first.place.id == second.place.id


# --------------------------------------------------------------------------- demonyms


def test_demonyms_are_kind_demonym_with_their_country():
    text = "Russian drones were shot down, the Ukrainian military said."
    mentions = parse(text)
    assert [(m.text, m.kind, m.place.id) for m in mentions] == [
        ("Russian", "demonym", "cc:RU"), ("Ukrainian", "demonym", "cc:UA")]


def test_moldovan_demonym():
    m = find("Moldovan farmers blocked the road with tractors.", "Moldovan")
    assert (m.kind, m.place.id) == ("demonym", "cc:MD")


# --------------------------------------------------------------------------- not places


def test_people_are_not_places():
    text = ("Marco Rubio arrived in Geneva for the talks. President Maia Sandu spoke by phone "
            "from Chisinau. Later Rubio and Sandu issued a joint note.")
    got = names(text)
    assert "Geneva" in got and "Chisinau" in got
    for person in ("Marco", "Rubio", "Maia", "Sandu"):
        assert not any(person in name for name in got), got


def test_surname_alone_later_in_the_text_is_not_a_place():
    text = "Maia Sandu thanked the volunteers. Sandu then left for Brussels."
    assert names(text) == ["Brussels"]


def test_ship_names_in_capitals_are_not_places():
    text = "Naval drones hit the tankers KAIRO and VIRAT off the coast of Turkey, officials said."
    got = names(text)
    assert "Turkey" in got
    assert not any(n.upper() in ("KAIRO", "VIRAT") for n in got), got


def test_ship_name_after_vessel_word_is_not_a_place():
    text = "The tanker Kairo was towed away after the blast."
    assert names(text) == []


def test_products_and_organisations_are_not_places():
    text = "Sea Baby drones damaged the vessel, Reuters reported, citing Ukrainian officials."
    mentions = parse(text)
    assert [(m.text, m.kind) for m in mentions] == [("Ukrainian", "demonym")]
    assert names("Reuters could not verify the claims.") == []


@pytest.mark.parametrize("text", [
    "In March the bridge reopened to traffic.",
    "May was the wettest month in years.",
    "The vote was moved to August, officials said.",
    "Talks resumed on Sunday after a pause.",
])
def test_month_and_day_names_are_not_places(text):
    assert names(text) == []


@pytest.mark.parametrize("text", [
    "Police closed the road for three hours.",
    "Reading the statement aloud, the spokesman paused twice.",
    "Workers repaired the power line overnight.",
])
def test_common_words_at_sentence_start_are_not_places(text):
    assert names(text) == []


@pytest.mark.parametrize("text,place", [
    ("Voters in Ceadir-Lunga backed the opposition candidate.", "Ceadir-Lunga"),
    ("Farmers near Taganrog lost most of the harvest.", "Taganrog"),
])
def test_sentence_opening_common_word_before_a_place_is_not_a_place(text, place):
    assert names(text) == [place]


# --------------------------------------------------------------------------- resolution


def test_container_region_picks_the_homonym_inside_it():
    zap = find("Shelling hit Huliaipole in the Zaporizhzhia region overnight.", "Huliaipole")
    assert where(zap) == ("city", "UA", "UA-23")
    dnipro = find("Shelling hit Huliaipole in the Dnipropetrovsk region overnight.", "Huliaipole")
    assert dnipro.place.country == "UA" and dnipro.place.admin1_code == "UA-12"
    assert dnipro.place.id != zap.place.id


def test_region_in_brackets_or_after_village_picks_the_namesake_and_is_no_second_incident():
    # without the bracketed region, the best-known Kirovsk (Murmansk oblast) wins
    assert find("Residents gathered in Kirovsk to oppose a landfill.", "Kirovsk").place.admin1_code == "RU-MUR"
    text = "Residents gathered in Kirovsk (Leningrad Oblast) to oppose a landfill."
    assert find(text, "Kirovsk").place.admin1_code == "RU-LEN"
    gdf = geomap.extract("date 2024-05-03\n" + text)
    assert gdf["place"].tolist() == ["Kirovsk"] and gdf["region_code"].tolist() == ["RU-LEN"]
    # "Place village, Region": the settlement noun stands between the name and its region
    village = geomap.extract("date 2024-05-03\nTroops shelled Stepanivka village, Kherson, overnight.")
    assert village["region_code"].tolist() == ["UA-65"]


def test_a_coordinated_name_is_not_held_by_the_next_ones_container():
    """"Moscow and officials in Idaho": the "and" starts a second phrase, Idaho holds no Moscow;
    "Moscow and other towns in Idaho" says Moscow is one of them."""
    coordinated = find("Talks between Moscow and officials in Idaho stalled.", "Moscow")
    assert coordinated.place.country == "RU"
    one_of = find("Storms hit Moscow and other towns in Idaho.", "Moscow")
    assert (one_of.place.country, one_of.place.admin1_code) == ("US", "US-ID")
    held = find("Talks between farmers in Moscow, Idaho stalled.", "Moscow")
    assert (held.place.country, held.place.admin1_code) == ("US", "US-ID")


def test_donetsk_in_a_ukraine_story():
    text = ("Ukraine's army said it repelled assaults near Donetsk. Kyiv asked its allies for more "
            "air defence systems.")
    m = find(text, "Donetsk")
    assert where(m) == ("city", "UA", "UA-14")


def test_paris_texas_and_paris():
    texas = find("The rodeo in Paris, Texas, drew a record crowd.", "Paris")
    assert (texas.place.country, texas.place.admin1_code) == ("US", "US-TX")
    plain = find("The exhibition in Paris drew a record crowd.", "Paris")
    assert (plain.kind, plain.place.country) == ("city", "FR")


def test_moscow_is_the_russian_capital():
    m = find("The delegation flew to Moscow for two days of talks.", "Moscow")
    assert where(m) == ("city", "RU", "RU-MOW")  # ISO 3166-2: the federal city


def test_odessa_after_a_preposition():
    m = find("Grain shipments from Odessa rose in the spring.", "Odessa")
    assert where(m) == ("city", "UA", "UA-51")


def test_odessa_without_a_preposition():
    m = find("The mayor of Odessa said the port was working again.", "Odessa")
    assert where(m) == ("city", "UA", "UA-51")


def test_florida_is_the_state():
    m = find("Storms knocked out power across Florida on Thursday.", "Florida")
    assert where(m) == ("admin1", "US", "US-FL")


def test_gagauzia_and_moldova():
    text = "Officials from Gagauzia travelled to Moldova's capital for the meeting."
    gag = find(text, "Gagauzia")
    assert where(gag) == ("admin1", "MD", "MD-GA")
    assert find(text, "Moldova").place.id == "cc:MD"


# --------------------------------------------------------------------------- output shape


def test_output_is_sorted_with_exact_spans():
    text = ("Russian missiles struck Odesa and the Odesa region overnight.\n"
            "In Chișinău, Moldovan officials said debris fell near the border with Ukraine.\n"
            "Ships in the Black Sea and the Sea of Azov were warned; Krasnodar Krai reported drones.")
    mentions = parse(text)
    starts = [m.start for m in mentions]
    assert starts == sorted(starts)
    assert all(a.end <= b.start for a, b in zip(mentions, mentions[1:]))  # no overlaps
    assert [m.text for m in mentions] == ["Russian", "Odesa", "Odesa region", "Chișinău", "Moldovan", "Ukraine",
                                         "Black Sea", "Sea of Azov", "Krasnodar Krai"]
    for m in mentions:
        assert 0.0 <= m.confidence <= 1.0
        assert m.place is not None


def test_empty_and_placeless_text():
    assert geoparse("") == []
    assert geoparse("nothing to see here, really.") == []
    with pytest.raises(TypeError):
        geoparse(None)  # type: ignore[arg-type]


def test_a_geoparser_instance_agrees_with_geoparse():
    text = "Drones hit Taganrog and the Kerch Strait on Friday."
    parser = Geoparser()
    assert [(m.start, m.end, m.place.id) for m in parser(text)] == \
           [(m.start, m.end, m.place.id) for m in geoparse(text)]


def test_state_abbreviation_after_a_comma_is_a_place():
    text = "The fire in Columbia, S.C., was put out; officials in Gary, Ind., said so."
    found = {m.text: (m.kind, m.place.admin1_code) for m in geoparse(text)}
    assert found["S.C."] == ("admin1", "US-SC")
    assert found["Ind"] == ("admin1", "US-IN")
    assert found["Columbia"][1] == "US-SC" and found["Gary"][1] == "US-IN"
    assert geoparse("The SC case was heard.") == []  # not on its own


def test_surname_after_an_unlisted_first_name_is_a_person_later_too():
    # "Andriy" is in no census list; the word after it is still a name, here and later alone
    text = ("Andriy Yermak resigned on Friday. Yermak said he would go to the front. "
            "Officials in Kyiv confirmed it.")
    assert names(text) == ["Kyiv"]


def test_title_case_headline_keeps_its_places():
    # in a headline every word is capitalised; ordinary words do not hide the place after them
    found = {m.text: m.place.admin1_code for m in parse("Russian Drones Hit Oil Depot In Tuapse Overnight")}
    assert found.get("Tuapse") == "RU-KDA"
    assert "Rubio" not in names("Secretary of State Marco Rubio Meets Ukrainian Team")


def test_dateline_after_a_headline_and_big_city_before_a_noun():
    text = "Pig kissing contest raises funds. CHARLESTON, W.Va. -- The club met, and Oxford Police said it went well."
    found = {m.text: (m.kind, m.place.admin1_code) for m in parse(text)}
    assert found["CHARLESTON"] == ("city", "US-WV")
    assert found["W.Va."] == ("admin1", "US-WV")
    assert found["Oxford"][0] == "city"
    # an ordinary word naming a small town, before another capitalised word, stays no place
    assert names("The University Council met in Kyiv.") == ["Kyiv"]


def test_a_river_is_not_the_city_of_the_same_name():
    assert names("Shelling of Nikopol across the Dnipro river wounded three people.") == ["Nikopol"]
    assert names("Drones hit Dnipro near the Dnipro River bridge.") == ["Dnipro"]


def test_each_geoparser_keeps_its_own_resolution_cache():
    from geomap.toponyms import Geoparser

    first = Geoparser()
    first("Drones struck Odesa and Kherson overnight.")
    assert first.__dict__.get("_prepared")
    assert not Geoparser(first.gazetteer).__dict__.get("_prepared")
