"""Ukraine's national romanisation (KMU 2010, Cabinet of Ministers resolution No. 55): the
spelling Ukraine's own maps, passports and road signs use ("Odesa", "Zaporizhzhia", "Mykolaiv").

The table is data (``data/curated/kmu2010.toml``); this module only applies it: letter pairs
first ("зг" is "zgh", never the digraph "zh"), the word-initial forms of є, ї, й, ю, я ("Yenakiieve",
"Yizhakevych"), the soft sign and apostrophe dropped, capitals kept. Other characters (spaces,
hyphens, Latin letters) pass through.

>>> kmu2010("Одеса"), kmu2010("Запоріжжя"), kmu2010("Згурський"), kmu2010("Знам'янка")
('Odesa', 'Zaporizhzhia', 'Zghurskyi', 'Znamianka')
"""

from __future__ import annotations

import functools
import tomllib

from ._paths import data_path


@functools.cache
def _table() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    with open(data_path("curated", "kmu2010.toml"), "rb") as handle:
        table = tomllib.load(handle)
    return dict(table["letters"]), dict(table["initial"]), dict(table["pairs"])


def kmu2010(text: str) -> str:
    """``text`` (Ukrainian in Cyrillic) in the KMU 2010 romanisation."""
    letters, initial, pairs = _table()
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        lower = char.lower()
        word_start = i == 0 or not (text[i - 1].isalpha() or text[i - 1] in "'’ʼ")
        pair = text[i:i + 2].lower()
        if pair in pairs:
            latin, step = pairs[pair], 2
        elif word_start and lower in initial:
            latin, step = initial[lower], 1
        elif lower in letters:
            latin, step = letters[lower], 1
        else:
            latin, step = char, 1
        if char != lower and latin:  # a capital: the first Latin letter is one too, all in a word in capitals
            capitals = text[i + 1:i + step + 1].isupper() or (i > 0 and text[i - 1].isupper())
            latin = latin.upper() if capitals else latin[0].upper() + latin[1:]
        out.append(latin)
        i += step
    return "".join(out)
