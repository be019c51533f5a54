"""Name normalisation and the words that hint at a kind of place: one source of truth.

Both the gazetteer index (when it stores names) and the geoparser and geocoder (when they look
names up) use these functions, so "Chișinău", "Chisinau" and "CHISINAU" meet at one key.
"""

from __future__ import annotations

import functools
import re
import unicodedata

# Letters that Unicode decomposition does not reduce to ASCII, and apostrophe-like marks that
# transliterations use inconsistently (Zaporizhzhya / Zaporizhzh'ya, Kyiv / Kyïv).
_FOLD = str.maketrans({
    "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ß": "ss", "æ": "ae", "Æ": "AE",
    "œ": "oe", "Œ": "OE", "þ": "th", "Þ": "Th", "ı": "i", "ð": "d", "Ð": "D", "ħ": "h",
    "ʼ": "", "’": "", "'": "", "`": "", "‘": "", "ʹ": "", "ʻ": "", "ʺ": "", "´": "",
})
_NON_ALNUM = re.compile(r"[^0-9a-z]+")

#: Words after (or before, "region of X") a name that ask for an admin-1 region.
ADMIN_WORDS = frozenset({
    "region", "oblast", "oblasti", "krai", "kray", "province", "governorate", "republic", "state",
    "territory", "prefecture", "voivodeship", "canton", "department", "okrug", "autonomous",
    "county", "district", "raion", "rayon", "municipality", "emirate", "land", "wilaya",
    "hromada", "community",
})
#: Words that make a name a water body ("Black Sea", "Gulf of Finland", "Kerch Strait").
WATER_WORDS = frozenset({
    "sea", "gulf", "strait", "straits", "bay", "ocean", "lagoon", "channel", "sound", "bight",
    "firth", "estuary", "lake", "reservoir", "passage", "bosporus", "bosphorus", "dardanelles",
})
#: Leading words dropped from keys ("the Black Sea" -> "black sea").
_LEADING_ARTICLES = ("the ",)


def fold(text: str) -> str:
    """Strip diacritics and fold special letters: "Chișinău" -> "Chisinau"."""
    if text.isascii():
        return text.translate(_FOLD)
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.translate(_FOLD)


@functools.lru_cache(maxsize=262144)
def name_key(name: str) -> str:
    """The lookup key of a name: folded, lower-case, words separated by single spaces.

    >>> name_key("Rostov-on-Don")
    'rostov on don'
    >>> name_key("the Black Sea")
    'black sea'
    """
    key = _NON_ALNUM.sub(" ", fold(name).lower()).strip()
    for article in _LEADING_ARTICLES:
        if key.startswith(article):
            key = key[len(article):]
    return key


_LOOSE_RULES = (
    (re.compile(r"(?:iy|yy|ij|yj|ii|ji)\b"), "y"),  # Afipskiy / Afipsky / Afipskij
    (re.compile(r"kh"), "h"),                         # Kherson / Herson
    (re.compile(r"w"), "v"),                          # Kiew / Kiev
    (re.compile(r"ya\b"), "ia"),                      # Zaporizhzhya / Zaporizhzhia
    (re.compile(r"ye\b"), "e"),                       # Zaporozhye / Zaporozhe
    (re.compile(r"([a-z])\1+"), r"\1"),               # doubled letters
)


def loose_key(key: str) -> str:
    """A looser key that merges common transliteration variants of one name.

    Used as a second chance after an exact key lookup failed, at lower confidence.

    >>> loose_key(name_key("Afipskiy")) == loose_key(name_key("Afipsky"))
    True
    """
    for pattern, replacement in _LOOSE_RULES:
        key = pattern.sub(replacement, key)
    return key


@functools.lru_cache(maxsize=65536)
def split_kind_hint(key: str) -> tuple[str, str | None]:
    """Split a trailing or leading admin word off a key and say which kind it hints at.

    "rostov region" -> ("rostov", "admin1"); "region of murcia" -> ("murcia", "admin1");
    "black sea" -> ("black sea", "water"); "kyiv" -> ("kyiv", None).
    """
    words = key.split()
    if len(words) >= 2 and words[-1] in ADMIN_WORDS:
        return " ".join(words[:-1]), "admin1"
    if len(words) >= 3 and words[0] in ADMIN_WORDS and words[1] == "of":
        return " ".join(words[2:]), "admin1"
    if any(word in WATER_WORDS for word in words):
        return key, "water"
    return key, None


def is_latin_name(name: str) -> bool:
    """True for names written in Latin script (after folding), the ones English text uses."""
    folded = fold(name)
    return bool(folded) and folded.isascii()
