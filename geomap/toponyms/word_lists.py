"""Word lists the recogniser consults, loaded once from ``geomap/data/lexicon/`` (editable data).

- ``common_words.txt``: lower-case English words (Debian SCOWL word list). A capitalised common
  word ("Police", "March", "Reading") is only a place with more evidence.
- ``first_names.txt``, ``surnames.txt``: US census names (PyPI ``names``): "Paris Hilton" is a
  person, and "Moore said" needs context before "Moore" is a place.
- ``proper_nouns.txt``: capitalised dictionary words ("Christmas", "Passover"), which likewise
  need context before they count as a small place.
- ``person_titles.txt``: words that introduce a person's name ("President", "Gen.").
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from .._paths import data_path
from ..errors import DataError

#: Direction words that may precede a place and stay part of the mention ("southern Ukraine").
DIRECTION_WORDS = frozenset({
    "north", "south", "east", "west", "northern", "southern", "eastern", "western", "central",
    "northeast", "northwest", "southeast", "southwest", "northeastern", "northwestern",
    "southeastern", "southwestern", "north-east", "north-west", "south-east", "south-west",
    "north-eastern", "north-western", "south-eastern", "south-western", "upper", "lower",
})
#: Lower-case words allowed inside a multi-word name ("Sea of Azov", "Bosnia and Herzegovina").
CONNECTORS = frozenset({"of", "on", "upon", "de", "del", "della", "di", "da", "do", "dos", "das", "du",
                        "des", "la", "le", "les", "el", "al", "and", "the", "am", "an", "der", "im", "sur"})
#: Prepositions that say the next words are a location ("in Kyiv", "near Odesa").
LOCATIVE = frozenset({"in", "at", "near", "from", "to", "outside", "across", "into", "towards", "toward",
                      "around", "over", "off", "via", "throughout", "inside", "within", "between", "through"})
#: Month and weekday names: never places on their own ("in March").
CALENDAR = frozenset({
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday",
    "saturday", "sunday", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct",
    "nov", "dec",
})
#: Words after a name that say it names a vessel, not a place ("the tanker Kairo").
#: Words after a name that make it a river ("the Dnipro river"); the gazetteer has no rivers, and
#: the city of the same name is not what the text means.
RIVER_WORDS = frozenset({"river", "rivers"})
VESSEL_WORDS = frozenset({"tanker", "tankers", "ship", "ships", "vessel", "vessels", "ferry", "frigate",
                          "cruiser", "destroyer", "corvette", "submarine", "yacht", "carrier", "freighter",
                          "boat", "boats"})


@dataclass(frozen=True, slots=True)
class WordLists:
    common_words: frozenset[str]
    first_names: frozenset[str]
    surnames: frozenset[str]
    proper_nouns: frozenset[str]
    titles: frozenset[str]


def _read_words(name: str, transform=str) -> frozenset[str]:
    path = data_path("lexicon", name)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError as exc:
        raise DataError(f"word list {path} is missing: reinstall geomap, restore "
                        "geomap/data/lexicon/ from git, or run `python -m tools.build_data --only lexicon`") from exc
    return frozenset(transform(line.strip()) for line in lines if line.strip() and not line.startswith("#"))


@functools.lru_cache(maxsize=1)
def load_word_lists() -> WordLists:
    """The recogniser's word lists (cached)."""
    return WordLists(common_words=_read_words("common_words.txt"),
                   first_names=_read_words("first_names.txt"),
                   surnames=_read_words("surnames.txt"),
                   proper_nouns=_read_words("proper_nouns.txt"),
                   titles=_read_words("person_titles.txt", lambda w: w.lower().rstrip(".")))
