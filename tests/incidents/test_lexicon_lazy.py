"""The lexicon compiles each cue alternation on first use (issue 13: start-up), with the same
matches as compiling it at once; a malformed phrase still fails when the taxonomy loads."""

from __future__ import annotations

import pickle
import re

import pytest

from geomap.errors import DataError
from geomap.incidents.classify import classify, find_cues
from geomap.incidents.lexicon import LazyPatterns, alternation, compile_phrases, load_lexicon
from support.incidents_helpers import taxonomy_copy


def test_a_fresh_lexicon_compiles_only_what_a_sentence_can_match(tmp_path):
    # a copy of the bundled file: its own lexicon, so no other test has compiled its patterns
    lexicon = load_lexicon(taxonomy_copy(tmp_path, 'strong = ["air attack*"', 'strong = ["air attack*"'))
    assert lexicon.strong.compiled() == lexicon.weak.compiled() == lexicon.modifiers.compiled() == 0
    assert "air_strike" in classify("Russian drones struck an oil depot overnight.", lexicon)
    assert 0 < lexicon.strong.compiled() < len(lexicon.strong)
    assert lexicon.weak.compiled() < len(lexicon.weak)


def test_every_lazy_pattern_is_the_pattern_compiled_at_once():
    lexicon = load_lexicon()
    tax = lexicon.taxonomy
    gap = lexicon.scoring.gap_words
    for t in tax:
        for table, phrases in ((lexicon.strong, t.strong), (lexicon.weak, t.weak)):
            expected = compile_phrases(phrases, gap)
            if expected is None:
                assert t.id not in table
            else:
                assert table[t.id].pattern == expected.pattern and table[t.id].flags == expected.flags
    assert lexicon.negation is not None and lexicon.negation.pattern == alternation(tax.negation, gap)
    assert lexicon.topic is not None and lexicon.topic.pattern == alternation(lexicon.pairing.topic_markers, gap)


def test_a_malformed_phrase_fails_when_the_taxonomy_loads(tmp_path):
    path = taxonomy_copy(tmp_path, 'strong = ["air attack*"', 'strong = ["air ~ ", "air attack*"')
    with pytest.raises(DataError, match="'~' needs words on both sides"):
        load_lexicon(path)


def test_a_custom_taxonomy_compiles_its_own_cues_lazily(tmp_path):
    path = taxonomy_copy(tmp_path, 'strong = ["air attack*"', 'strong = ["zeppelin sortie*", "air attack*"')
    custom = load_lexicon(path)
    sentence = "A zeppelin sortie reached the harbour before dawn."
    assert "zeppelin sortie" in {c.text for c in find_cues(sentence, custom) if c.strong}
    assert "zeppelin sortie" not in {c.text for c in find_cues(sentence, load_lexicon())}


def test_lazy_patterns_pickle_as_their_sources_and_refuse_unknown_keys():
    patterns = LazyPatterns({"a": r"\bdrone\w*", "b": r"\bstrike\b"})
    assert patterns["a"].match("drones") and patterns.compiled() == 1
    copy = pickle.loads(pickle.dumps(patterns))
    assert copy.compiled() == 0 and sorted(copy) == ["a", "b"] and len(copy) == 2
    assert copy["b"].pattern == r"\bstrike\b" and copy["b"].flags & re.IGNORECASE
    assert "c" not in copy and copy.get("c") is None
    with pytest.raises(KeyError):
        copy["c"]
