"""Compile the taxonomy's keyword lexicon into fast regular expressions.

Phrase syntax (written in ``data/incidents/taxonomy.toml``):

* words match case-insensitively on word boundaries: ``"met"`` matches "Met" but not "metal";
* ``*`` at the end of a word matches any ending: ``"strik*"`` = strike, strikes, striking;
* a space also matches a hyphen: ``"glide bomb"`` = "glide-bomb";
* ``" ~ "`` lets up to ``gap_words`` other words stand between two parts:
  ``"drone* ~ hit"`` = "drones hit", "a drone reportedly hit", "drone attack hit".

Each type's strong and weak cues compile into one alternation each (longest phrases first).
Modifiers (negation, speculation) compile the same way. A :class:`PhraseIndex` over all of them
lists, in one pass over a sentence's word starts, where each alternation could begin (the literal
first letters of its phrases), so an alternation only runs at those positions -- the matches are
exactly those of ``finditer`` over the whole sentence. Settings in ``[scoring]`` and ``[pairing]`` are read here too, so every tunable word and
number lives in the taxonomy file.

Loading a lexicon builds every alternation's source (so a malformed phrase is an error at once)
but compiles each one on first use (:class:`LazyPatterns`): ``re`` takes about 1.5 ms per
alternation, and a short document needs only the few its words can start, so a one-article run
does not pay for all of them.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Hashable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DataError
from .taxonomy import Taxonomy, load_taxonomy

_WORD_CHARS = r"[\w'’-]*"
_START = r"(?<![\w'’-])"


def phrase_pattern(phrase: str, gap_words: int = 3) -> str:
    """The regular expression (without flags) for one lexicon phrase.

    >>> import re
    >>> bool(re.search(phrase_pattern("drone* ~ hit"), "drones reportedly hit"))
    True
    """
    parts = [p.strip() for p in phrase.strip().split("~")]
    if not all(parts):
        raise DataError(f"lexicon phrase {phrase!r}: '~' needs words on both sides")
    gap = rf"(?:[\s]+[^\s.;!?]+){{0,{gap_words}}}?\s+"
    out = []
    for part in parts:
        words = []
        for word in part.split():
            star = word.endswith("*")
            core = word[:-1] if star else word
            if not core:
                raise DataError(f"lexicon phrase {phrase!r}: '*' must end a word")
            pieces = [re.escape(p) for p in core.split("-")]
            pat = r"[\s-]?".join(pieces)
            pat = pat.replace("'", "['’]").replace("’", "['’]")
            words.append(pat + (_WORD_CHARS if star else ""))
        out.append(r"[\s-]+".join(words))
    return _START + gap.join(out) + r"(?![\w-])"


def compile_phrases(phrases: tuple[str, ...] | list[str], gap_words: int = 3) -> re.Pattern[str] | None:
    """One case-insensitive alternation for all phrases, longest first; None when empty."""
    source = alternation(phrases, gap_words)
    return None if source is None else re.compile(source, re.IGNORECASE)


def alternation(phrases: tuple[str, ...] | list[str], gap_words: int = 3) -> str | None:
    """The source of :func:`compile_phrases`' pattern (flag: ``re.IGNORECASE``); None when empty."""
    if not phrases:
        return None
    ordered = sorted(set(phrases), key=lambda p: (-len(p), p))
    # one word-start check up front, so the alternation is only tried where a word begins
    body = "|".join(f"(?:{phrase_pattern(p, gap_words)[len(_START):]})" for p in ordered)
    return f"{_START}(?=\\w)(?:{body})"


class LazyPatterns(Mapping[Hashable, "re.Pattern[str]"]):
    """Compiled alternations by key (one per non-empty phrase list), each compiled on first use.

    The sources are built up front, so a malformed phrase fails at load time; ``re.compile``
    runs when a key is first read (``lexicon.strong["air_strike"]``). Compiling twice in two
    threads at once gives equal patterns, so no lock is needed. Pickles as its sources.
    """

    __slots__ = ("_sources", "_compiled")

    def __init__(self, sources: Mapping[Hashable, str]):
        self._sources = dict(sources)
        self._compiled: dict[Hashable, re.Pattern[str]] = {}

    @classmethod
    def of(cls, phrases: Mapping[Hashable, tuple[str, ...] | list[str]], gap_words: int) -> LazyPatterns:
        sources = {key: alternation(items, gap_words) for key, items in phrases.items()}
        return cls({key: src for key, src in sources.items() if src is not None})

    def __getitem__(self, key: Hashable) -> re.Pattern[str]:
        pattern = self._compiled.get(key)
        if pattern is None:
            pattern = self._compiled[key] = re.compile(self._sources[key], re.IGNORECASE)
        return pattern

    def __iter__(self) -> Iterator[Hashable]:
        return iter(self._sources)

    def __len__(self) -> int:
        return len(self._sources)

    def __contains__(self, key: object) -> bool:
        return key in self._sources

    def compiled(self) -> int:
        """How many patterns have been compiled so far."""
        return len(self._compiled)

    def __reduce__(self) -> tuple[type[LazyPatterns], tuple[dict[Hashable, str]]]:
        return LazyPatterns, (self._sources,)


def literal_prefix(phrase: str) -> str:
    """The lower-cased letters and digits every match of ``phrase`` starts with ("" when none).

    >>> literal_prefix("de-energi*"), literal_prefix("didn't"), literal_prefix("drone* ~ hit")
    ('de', 'didn', 'drone')
    """
    first = phrase.strip().split("~")[0].split()
    word = first[0].rstrip("*") if first else ""
    out = []
    for ch in word.split("-")[0]:
        if not (ch.isascii() and ch.isalnum()):
            break
        out.append(ch.lower())
    return "".join(out)


# Case folding exactly as re.IGNORECASE compares a text character with an ASCII letter or digit:
# ASCII upper to lower case, plus the four non-ASCII letters that re treats as equal to one.
_FOLD = str.maketrans({**{c: c.lower() for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"},
                       "\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})
# a word at each position where a compiled alternation may begin (prefixes are letters and digits,
# so one that stands at such a position is the start of this \w+ run)
_WORD_AT_START = re.compile(_START + r"\w+")


class PhraseIndex:
    """Where the compiled alternations of a lexicon can begin in a text.

    Every alternation from :func:`compile_phrases` starts with the word-start check, then one of
    its phrases, whose first letters are literal. ``starts(text)`` returns, per key, the word
    starts at which one of those prefixes stands (case-insensitively, as ``re`` compares them),
    or ``None`` for a key with a phrase without a literal prefix (it must be scanned whole).
    :meth:`finditer` then yields exactly the matches of ``pattern.finditer(text)``.

    The index remembers the last text it scanned and its starts (one entry, swapped as one
    tuple, so threads sharing it read a consistent pair): classifying a sentence scans it for
    cues, negations and speculation words, and pairing scans it again.
    """

    __slots__ = ("_by_head", "_lengths", "_always", "_keys", "_last")

    def __init__(self, phrases: dict[object, tuple[str, ...] | list[str]]):
        self._by_head: dict[str, list[tuple[str, object]]] = {}
        self._always: set[object] = set()
        self._keys = tuple(phrases)
        for key, items in phrases.items():
            for prefix in sorted({literal_prefix(p) for p in items}):
                if not prefix:
                    self._always.add(key)
                    continue
                self._by_head.setdefault(prefix[:3], []).append((prefix, key))
        self._lengths = tuple(sorted({len(h) for h in self._by_head}))
        self._last: tuple[str, dict[object, list[int] | None]] | None = None

    def __getstate__(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in self.__slots__ if name != "_last"}

    def __setstate__(self, state: dict[str, object]) -> None:
        for name, value in state.items():
            setattr(self, name, value)
        self._last = None

    def starts(self, text: str) -> dict[object, list[int] | None]:
        """Per key, the word starts in ``text`` where one of its phrases can begin (read-only:
        the same answer is handed to every caller asking about the same text)."""
        last = self._last
        if last is not None and last[0] == text:
            return last[1]
        found = self._scan(text)
        self._last = (text, found)
        return found

    def _scan(self, text: str) -> dict[object, list[int] | None]:
        folded = text.translate(_FOLD)  # same length, and letters stay letters: offsets and \w hold
        found: dict[object, list[int] | None] = dict.fromkeys(self._always)
        by_head, lengths, always = self._by_head, self._lengths, self._always
        for m in _WORD_AT_START.finditer(folded):
            p = m.start()
            word = m.group()
            size = len(word)
            for n in lengths:
                if n > size:
                    break
                entries = by_head.get(word[:n])
                if entries is None:
                    continue
                for prefix, key in entries:
                    if key in always or not word.startswith(prefix):
                        continue
                    where = found.get(key)
                    if where is None:
                        found[key] = [p]
                    elif where[-1] != p:
                        where.append(p)
        return found

    @staticmethod
    def finditer(pattern: re.Pattern[str], text: str, starts: list[int] | None):
        """The matches of ``pattern.finditer(text)``, trying only ``starts`` (all when None)."""
        if starts is None:
            yield from pattern.finditer(text)
            return
        pos = 0
        for p in starts:
            if p < pos:
                continue
            m = pattern.match(text, p)
            if m is not None:
                yield m
                pos = m.end()


@dataclass(frozen=True, slots=True)
class Scoring:
    """The ``[scoring]`` table: how cues turn into confidence."""

    strong: float = 0.75
    weak_target: float = 0.6
    per_extra_cue: float = 0.05
    max_cue: float = 0.95
    negation_factor: float = 0.3
    speculation_factor: float = 0.7
    modifier_window: int = 8
    gap_words: int = 3
    min_confidence: float = 0.4
    corroboration: bool = True
    announced_types: tuple[str, ...] = ("diplomacy", "protest")


@dataclass(frozen=True, slots=True)
class PairingWords:
    """The ``[pairing]`` table: word lists that decide a place's role in a sentence."""

    speech_verbs: frozenset[str] = frozenset()
    institutions: frozenset[str] = frozenset()
    attributive_nouns: frozenset[str] = frozenset()
    possessive_place_nouns: frozenset[str] = frozenset()
    place_nouns: frozenset[str] = frozenset()
    skip_words: frozenset[str] = frozenset()
    locative: frozenset[str] = frozenset()
    place_subject: tuple[str, ...] = ()
    vessel_nouns: frozenset[str] = frozenset()
    to_types: frozenset[str] = frozenset()
    from_types: frozenset[str] = frozenset()
    speaker_fallback_types: frozenset[str] = frozenset()
    barriers: frozenset[str] = frozenset()
    weak_prepositions: frozenset[str] = frozenset()
    impact_types: frozenset[str] = frozenset()
    result_words: frozenset[str] = frozenset()
    topic_markers: tuple[str, ...] = ()
    topic_window: int = 14


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Compiled cues per type, modifiers and settings (patterns compiled on first use)."""

    taxonomy: Taxonomy
    strong: Mapping[str, re.Pattern[str]]  # type id -> its strong cues (types with none left out)
    weak: Mapping[str, re.Pattern[str]]
    modifiers: Mapping[str, re.Pattern[str]]  # "negation", "speculation", "topic" (when not empty)
    scoring: Scoring
    pairing: PairingWords
    type_ids: tuple[str, ...] = field(default=())
    index: PhraseIndex | None = None  # keys ("strong"|"weak", type id), "negation", "speculation"

    @property
    def negation(self) -> re.Pattern[str] | None:
        return self.modifiers.get("negation")

    @property
    def speculation(self) -> re.Pattern[str] | None:
        return self.modifiers.get("speculation")

    @property
    def topic(self) -> re.Pattern[str] | None:
        """[pairing] topic_markers, compiled."""
        return self.modifiers.get("topic")


def _read_extra(path: Path) -> tuple[dict, dict]:
    with open(path, "rb") as handle:
        raw = tomllib.load(handle)
    return raw.get("scoring", {}), raw.get("pairing", {})


def load_lexicon(taxonomy: Taxonomy | str | Path | None = None) -> Lexicon:
    """Compile the lexicon of ``taxonomy`` (default: the bundled taxonomy file), cached per file."""
    tax = taxonomy if isinstance(taxonomy, Taxonomy) else load_taxonomy(taxonomy)
    cached = _CACHE.get(id(tax))
    if cached is None or cached.taxonomy is not tax:
        if len(_CACHE) > 8:
            _CACHE.clear()
        cached = _CACHE[id(tax)] = _compile(tax)
    return cached


_CACHE: dict[int, Lexicon] = {}


def _compile(tax: Taxonomy) -> Lexicon:
    scoring_raw, pairing_raw = _read_extra(tax.path)
    known = set(Scoring.__dataclass_fields__)
    unknown = sorted(set(scoring_raw) - known)
    if unknown:
        raise DataError(f"taxonomy file {tax.path}: unknown [scoring] settings {unknown}")
    if "announced_types" in scoring_raw:
        scoring_raw = {**scoring_raw, "announced_types": tuple(scoring_raw["announced_types"])}
    scoring = Scoring(**scoring_raw)
    words: dict[str, object] = {}
    unknown = sorted(set(pairing_raw) - set(PairingWords.__dataclass_fields__))
    if unknown:
        raise DataError(f"taxonomy file {tax.path}: unknown [pairing] settings {unknown}")
    for name in PairingWords.__dataclass_fields__:
        if name == "topic_window":
            words[name] = int(pairing_raw.get(name, PairingWords.topic_window))
            continue
        values = [str(v).lower() for v in pairing_raw.get(name, ())]
        words[name] = tuple(values) if name in ("place_subject", "topic_markers") else frozenset(values)
    pairing = PairingWords(**words)  # type: ignore[arg-type]
    gap = scoring.gap_words
    strong = LazyPatterns.of({t.id: t.strong for t in tax}, gap)
    weak = LazyPatterns.of({t.id: t.weak for t in tax}, gap)
    modifiers = LazyPatterns.of({"negation": tax.negation, "speculation": tax.speculation,
                                 "topic": pairing.topic_markers}, gap)
    phrases: dict[object, tuple[str, ...]] = {}
    for t in tax:
        if t.id in strong:
            phrases[("strong", t.id)] = t.strong
        if t.id in weak:
            phrases[("weak", t.id)] = t.weak
    if tax.negation:
        phrases["negation"] = tax.negation
    if tax.speculation:
        phrases["speculation"] = tax.speculation
    return Lexicon(taxonomy=tax, strong=strong, weak=weak, modifiers=modifiers, scoring=scoring,
                   pairing=pairing, type_ids=tuple(tax.types), index=PhraseIndex(phrases))
