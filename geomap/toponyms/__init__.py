"""Geoparsing: find every place named in a text and resolve it to a gazetteer entry, offline.

>>> [(m.text, m.place.name) for m in geoparse("Drones hit Russia's Rostov region.")]
[('Russia', 'Russia'), ('Rostov region', 'Rostov')]
"""

from __future__ import annotations

import functools
import threading

from ..models import Mention

__all__ = ["Geoparser", "geoparse"]


class Geoparser:
    """Recognition plus resolution over one gazetteer; reuse one instance for many texts.

    Picklable for Dask: it pickles as its gazetteer (a path, see
    :class:`~geomap.gazetteer.Gazetteer`) and its word lists (nothing when they are the bundled
    ones), and unpickles in a worker as one shared instance per gazetteer, whose caches warm
    up across tasks.
    """

    def __init__(self, gazetteer=None, word_lists=None):
        from ..gazetteer import load_gazetteer
        from .recognize import Recognizer
        from .word_lists import load_word_lists

        self.gazetteer = gazetteer or load_gazetteer()
        self.gazetteer.preload_keys()
        self.recognizer = Recognizer(self.gazetteer, word_lists or load_word_lists())

    def __reduce__(self):
        from .recognize import bundled_or

        return _reopen, (self.gazetteer, bundled_or(self.recognizer.lex))

    def __call__(self, text: str) -> list[Mention]:
        from .resolve import resolve

        if not isinstance(text, str):
            raise TypeError(f"geoparse() needs text (str), got {type(text).__name__}")
        cache = self.__dict__.get("_prepared")
        if cache is None:  # also for instances that _reopen builds without __init__
            cache = self.__dict__["_prepared"] = {}
        return resolve(text, self.recognizer.recognize(text), cache)


_REOPENED: dict[object, Geoparser] = {}
_REOPEN_LOCK = threading.Lock()


def _reopen(gazetteer, word_lists) -> Geoparser:
    """Unpickle a geoparser: one instance per gazetteer and process when it uses the bundled word
    lists (``word_lists`` None); the gazetteer loads its key filters on first lookup."""
    from .recognize import Recognizer

    if word_lists is not None:
        parser = Geoparser.__new__(Geoparser)
        parser.gazetteer, parser.recognizer = gazetteer, Recognizer(gazetteer, word_lists)
        return parser
    if default_geoparser.cache_info().currsize and default_geoparser().gazetteer is gazetteer:
        return default_geoparser()
    with _REOPEN_LOCK:
        parser = _REOPENED.get(gazetteer)
        if parser is None:
            from .word_lists import load_word_lists

            parser = _REOPENED[gazetteer] = Geoparser.__new__(Geoparser)
            parser.gazetteer, parser.recognizer = gazetteer, Recognizer(gazetteer, load_word_lists())
        return parser


@functools.lru_cache(maxsize=1)
def default_geoparser() -> Geoparser:
    return Geoparser()


def geoparse(text: str) -> list[Mention]:
    """Mentions of places in ``text``, in order: span, surface text, kind, entry, confidence.

    Demonyms ("Russian drones") come back with kind ``"demonym"`` and their country as place.
    """
    return default_geoparser()(text)
