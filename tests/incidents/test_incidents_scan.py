"""The fast paths of the text stages give exactly what the plain regular expressions give."""

from __future__ import annotations

import dataclasses
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from geomap.incidents.classify import find_cues
from geomap.incidents.lexicon import PhraseIndex, compile_phrases, literal_prefix, load_lexicon
from geomap.incidents.pairing.roles import TokenizedSentence
from geomap.incidents.sentences import _word_before

LX = load_lexicon()
_PATTERNS = ([(("strong", t), p) for t, p in LX.strong.items()] + [(("weak", t), p) for t, p in LX.weak.items()]
             + [("negation", LX.negation), ("speculation", LX.speculation), ("topic", LX.topic)])
_LEXICON_WORDS = sorted({w.rstrip("*") for p in [*(p for t in LX.taxonomy for p in t.strong + t.weak),
                                                   *LX.pairing.topic_markers]
                         for w in p.replace("~", " ").split()})
# words from the lexicon, their inflections and case variants, look-alikes, and the characters
# re.IGNORECASE equates with ASCII letters (dotted/dotless i, long s, Kelvin sign)
_WORDS = st.one_of(
    st.sampled_from(_LEXICON_WORDS),
    st.sampled_from(_LEXICON_WORDS).map(str.upper),
    st.sampled_from(_LEXICON_WORDS).map(lambda w: w + "s"),
    st.sampled_from(["İntrusion", "ſhelling", "attacK", "ſea", "dıdn't", "didn’t", "metal", "Kyiv", "’", "-",
                     "2025", "the", "reportedly", "a", "no", "de"]),
    st.text(alphabet="abdehiklmnorstİıſK'’-", min_size=1, max_size=6),
)
_SEPARATORS = st.sampled_from([" ", " ", "-", "", "\n", "  ", ", ", ". "])
_TEXTS = st.lists(st.tuples(_WORDS, _SEPARATORS), max_size=16).map(lambda ws: "".join(a + b for a, b in ws))


@settings(max_examples=300, deadline=None)
@given(_TEXTS)
def test_phrase_index_finds_exactly_what_finditer_finds(text):
    starts = LX.index.starts(text)
    for key, pattern in _PATTERNS:
        expected = [(m.start(), m.end()) for m in pattern.finditer(text)]
        got = [] if key not in starts else [(m.start(), m.end())
                                            for m in PhraseIndex.finditer(pattern, text, starts[key])]
        assert got == expected, key


def test_phrase_index_scans_whole_text_for_a_phrase_without_literal_prefix():
    phrases = ("'tis ~ hit", "strike*")
    assert literal_prefix("'tis ~ hit") == ""
    index = PhraseIndex({"k": phrases})
    pattern = compile_phrases(phrases)
    text = "'Tis a strike that hit 'tis hit"
    assert index.starts(text)["k"] is None
    assert [m.span() for m in PhraseIndex.finditer(pattern, text, None)] == \
        [m.span() for m in pattern.finditer(text)]


def test_find_cues_matches_unindexed_scan():
    text = "Russian drones reportedly hit an oil depot in Odesa; air-raid sirens sounded, but no damage was reported."
    plain = dataclasses.replace(LX, index=None)
    assert find_cues(text, LX) == find_cues(text, plain)
    assert find_cues(text, LX)  # the sentence has cues, so the comparison says something


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab.'’-\n \tXé,İ(", max_size=10), st.data())
def test_word_before_is_the_regex_search(text, data):
    dot = data.draw(st.integers(min_value=0, max_value=len(text)))
    m = re.compile(r"([\w.'’-]+)$").search(text, 0, dot)
    assert _word_before(text, dot) == (m.group(1) if m else None)


_SUBJECT_WORDS = sorted({w for p in LX.pairing.place_subject for w in p.split()})


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([*_SUBJECT_WORDS, "the", "city", "x-y", "shelled", "Was", "-"]),
                          st.sampled_from([" ", "  ", "", ", ", "\n"])), max_size=6)
       .map(lambda ws: "".join(b + a for a, b in ws)))
def test_the_place_subject_pattern_is_any_of_the_phrase_patterns(tail):
    tail = tail.lower()
    expected = any(re.match(r"\A(?:\s+[\w-]+){0,2}?\s+" + re.escape(p) + r"\b", tail)
                   for p in LX.pairing.place_subject)
    assert LX.place_subject is not None
    assert (LX.place_subject.match(tail) is not None) == expected


def test_the_place_subject_pattern_reads_two_words_at_most():
    assert LX.place_subject is not None
    assert LX.place_subject.match(" was shelled overnight")
    assert LX.place_subject.match(" city itself came under fire")
    assert not LX.place_subject.match(" and its suburbs were later shelled")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab K1.'’-,;—(\"", max_size=24), st.integers(-2, 26), st.integers(-2, 26))
def test_tokenized_sentence_lookups_are_the_plain_scans(text, a, b):
    sent = TokenizedSentence(text, [])
    tokens = sent.tokens
    assert sent.words(a, b) == sum(1 for s, e, t in tokens if s >= a and e <= b and t[0].isalnum())
    assert sent.token_before(a) == max((k for k, (_, e, _) in enumerate(tokens) if e <= a), default=-1)
    assert sent.token_after(a) == next((k for k, (s, _, _) in enumerate(tokens) if s >= a), len(tokens))


_DATE_WORDS = st.sampled_from([
    "November", "Nov.", "Nov", "nov", "Sept.", "May", "29", "1st", "2025", "of", "today", "TONIGHT", "overnight",
    "last", "night", "nıght", "Yesterday", "tomorrow", "this", "week", "weeK", "month", "ago", "AGO", "two", "3",
    "days", "weeks", "on", "Saturday", "saturday", "next", "early", "XNovember", "İ", "ſ", "the", "morning"])
_DATE_TEXTS = st.lists(st.tuples(_DATE_WORDS, st.sampled_from([" ", ", ", "", "-"])), max_size=10).map(
    lambda ws: "".join(a + b for a, b in ws))


@settings(max_examples=400, deadline=None)
@given(_DATE_TEXTS, st.booleans())
def test_find_dates_skips_only_kinds_that_cannot_match(text, future):
    import datetime as dt

    from geomap.incidents import dates

    ref = dt.date(2025, 11, 29)
    fast = dates.find_dates(text, ref, future)
    saved = dates._NEEDS, dates._STEM_SETS
    try:  # "" is in every text: every kind is searched
        dates._NEEDS = {k: ("",) for k in saved[0]}
        dates._STEM_SETS = frozenset({("",)})
        assert fast == dates.find_dates(text, ref, future)
    finally:
        dates._NEEDS, dates._STEM_SETS = saved


_FUTURE_WORDS = st.sampled_from([
    "will", "WILL", "Will", "willing", "shall", "is", "are", "to", "İs", "ſcheduled", "scheduled", "expected",
    "due", "plans", "plan", "planning", "planned", "set", "going", "next", "week", "weeK", "month", "tomorrow",
    "upcoming", "the", "a", "x"])
_FUTURE_TEXTS = st.lists(st.tuples(_FUTURE_WORDS, st.sampled_from([" ", "  ", "", "-", ", "])), max_size=8).map(
    lambda ws: "".join(a + b for a, b in ws))


@settings(max_examples=400, deadline=None)
@given(_FUTURE_TEXTS)
def test_is_future_is_the_plain_search(text):
    from geomap.incidents import dates

    assert dates.is_future(text) == (dates._FUTURE.search(text) is not None)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="ab K1.'’-,;—–(\"“ \n", max_size=30))
def test_sentence_tokens_are_the_pattern_matches(text):
    from geomap.incidents.pairing.roles import _TOKEN

    assert TokenizedSentence(text, []).tokens == [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]
