"""Merging's container rule through geomap.geometry.contains, on hand-made reports: a coarse
incident gives way to the same type at a place inside it, in the same article only."""

from __future__ import annotations

import dataclasses
import datetime as dt

from geomap.incidents.merge import Candidate, suppress_containers
from geomap.models import Place
from support.incidents_helpers import P

DAY = dt.date(2025, 11, 29)
BAKHMUT_DISTRICT = Place("adm2:bakhmut", "Bakhmut Raion", "admin2", 48.6, 38.0, country="UA",
                         admin1_code="UA-14", source="test")


def report(place: Place, article: str = "a", incident_type: str = "shelling", **kw) -> Candidate:
    return Candidate(incident_type=incident_type, place=place, mention=place.name, kind=place.kind,
                     geo_precision=1, date=DAY, date_precision=1, sentence=f"Shelling hit {place.name}.",
                     confidence=0.7, article=article, **kw)


def kept(*reports: Candidate) -> set[tuple[str, str]]:
    return {(r.place.name, r.article) for r in suppress_containers(list(reports))}


def test_a_region_gives_way_to_a_district_and_a_city_inside_it():
    region = report(P["donetsk region"])
    assert kept(region, report(BAKHMUT_DISTRICT)) == {("Bakhmut Raion", "a")}
    assert kept(region, report(P["pokrovsk"])) == {("Pokrovsk", "a")}


def test_a_city_without_a_code_is_inside_by_its_admin1_name():
    uncoded = dataclasses.replace(P["pokrovsk"], admin1_code=None, admin1="DONETSK OBLAST")
    assert kept(report(P["donetsk region"]), report(uncoded)) == {("Pokrovsk", "a")}
    elsewhere = dataclasses.replace(uncoded, admin1="Kharkiv Oblast")
    assert kept(report(P["donetsk region"]), report(elsewhere)) == {("Donetsk Oblast", "a"), ("Pokrovsk", "a")}


def test_a_country_gives_way_only_in_the_same_article_and_type():
    assert kept(report(P["ukraine"]), report(P["kharkiv"])) == {("Kharkiv", "a")}
    assert kept(report(P["ukraine"]), report(P["kharkiv"], article="b")) == {("Ukraine", "a"), ("Kharkiv", "b")}
    assert kept(report(P["ukraine"]), report(P["kharkiv"], incident_type="air_strike")) == {
        ("Ukraine", "a"), ("Kharkiv", "a")}
    assert kept(report(P["ukraine"]), report(P["taganrog"])) == {("Ukraine", "a"), ("Taganrog", "a")}


def test_a_district_or_a_sea_is_never_dropped_for_what_it_holds():
    """Only countries and admin-1 regions give way: the district and the sea stay."""
    assert kept(report(BAKHMUT_DISTRICT), report(P["novoselivka"])) == {("Bakhmut Raion", "a"), ("Novoselivka", "a")}
    assert kept(report(P["black sea"]), report(P["odesa"])) == {("Black Sea", "a"), ("Odesa", "a")}


def test_a_speaker_fallback_gives_way_to_a_direct_place_of_its_country():
    speaker = report(P["ukraine"], speaker_fallback=True)
    assert kept(speaker, report(P["odesa"])) == {("Odesa", "a")}
    # a fallback inside a directly reported region never suppresses it: the fallback goes
    assert kept(report(P["donetsk region"]), report(P["pokrovsk"], speaker_fallback=True)) == {
        ("Donetsk Oblast", "a")}
    assert kept(speaker, report(P["taganrog"])) == {("Ukraine", "a"), ("Taganrog", "a")}
