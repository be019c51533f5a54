"""The scan of a sentence is remembered on its lexicon's own index, never shared between
lexicons: two taxonomies classifying the same sentence in turn each find their own cues."""

from __future__ import annotations

import pickle

from geomap.incidents.classify import classify, find_cues
from geomap.incidents.lexicon import load_lexicon
from geomap.incidents.taxonomy import load_taxonomy

SENTENCE = "A zeppelin sortie reached the harbour before dawn."


def custom_lexicon(tmp_path):
    text = load_taxonomy().path.read_text(encoding="utf-8")
    old = 'strong = ["air attack*"'
    assert old in text
    path = tmp_path / "taxonomy.toml"
    path.write_text(text.replace(old, 'strong = ["zeppelin sortie*", "air attack*"', 1), encoding="utf-8")
    return load_lexicon(path)


def test_two_lexicons_in_turn_each_read_the_sentence_with_their_own_cues(tmp_path):
    default, custom = load_lexicon(), custom_lexicon(tmp_path)
    assert custom is not default and custom.index is not default.index
    for _ in range(2):  # alternate, so each scan follows the other lexicon's scan of the same text
        assert "zeppelin sortie" in {c.text for c in find_cues(SENTENCE, custom) if c.strong}
        assert "air_strike" in classify(SENTENCE, custom)
        assert not any(c.strong and c.type == "air_strike" for c in find_cues(SENTENCE, default))
        assert "zeppelin sortie" not in {c.text for c in find_cues(SENTENCE, default)}


def test_the_index_answers_a_repeated_text_from_its_memory_and_a_new_text_afresh():
    index = load_lexicon().index
    assert index is not None
    first = index.starts(SENTENCE)
    assert index.starts(SENTENCE) is first
    other = index.starts("Drones struck the depot.")
    assert other is not first and ("strong", "air_strike") in other or ("weak", "air_strike") in other


def test_a_pickled_index_leaves_its_memory_behind_and_answers_the_same():
    index = load_lexicon().index
    assert index is not None
    answer = index.starts(SENTENCE)
    copy = pickle.loads(pickle.dumps(index))
    assert copy._last is None
    assert copy.starts(SENTENCE) == answer


def test_a_full_word_memo_starts_afresh_and_the_answers_stay_the_same(monkeypatch):
    from geomap.incidents import lexicon

    index = load_lexicon().index
    assert index is not None
    texts = [SENTENCE, "Drones struck the depot.", "Officials did not confirm the shelling of Kherson."]
    expected = [index._scan(t) for t in texts]
    fresh = pickle.loads(pickle.dumps(index))
    monkeypatch.setattr(lexicon, "WORD_MEMO_SIZE", 3)
    for _ in range(2):  # the second round reads words the memo dropped
        assert [fresh._scan(t) for t in texts] == expected
        assert len(fresh._words) <= 3


def test_a_pickled_index_leaves_its_word_memo_behind():
    index = load_lexicon().index
    assert index is not None
    index.starts("Shelling hit the port of Izmail overnight.")
    assert index._words
    assert pickle.loads(pickle.dumps(index))._words == {}
