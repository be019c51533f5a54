"""Geoparsing: find every place named in a text and resolve it to a gazetteer entry, offline.

>>> [(m.text, m.place.name) for m in geoparse("Drones hit Russia's Rostov region.")]  # doctest: +SKIP
[("Russia", "Russia"), ("Rostov region", "Rostov")]
"""

from __future__ import annotations

import functools

from ..models import Mention

__all__ = ["Geoparser", "geoparse"]


class Geoparser:
    """Recognition plus resolution over one gazetteer; reuse one instance for many texts."""

    def __init__(self, gazetteer=None, lexicon=None):
        from ..gazetteer import load_gazetteer
        from .lexicon import load_lexicon
        from .recognize import Recognizer

        self.gazetteer = gazetteer or load_gazetteer()
        self.gazetteer.preload_keys()
        self.recognizer = Recognizer(self.gazetteer, lexicon or load_lexicon())

    def __call__(self, text: str) -> list[Mention]:
        from .resolve import resolve

        if not isinstance(text, str):
            raise TypeError(f"geoparse() needs text (str), got {type(text).__name__}")
        return resolve(text, self.recognizer.recognize(text))


@functools.lru_cache(maxsize=1)
def default_geoparser() -> Geoparser:
    return Geoparser()


def geoparse(text: str) -> list[Mention]:
    """Mentions of places in ``text``, in order: span, surface text, kind, entry, confidence.

    Demonyms ("Russian drones") come back with kind ``"demonym"`` and their country as place.
    """
    return default_geoparser()(text)
