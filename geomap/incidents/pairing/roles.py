"""Roles: what each place mention is in its sentence (see :mod:`geomap.incidents.pairing`)."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from ...geometry import contains, in_region_box
from ...models import Place
from ..classify import Cue
from ..lexicon import Lexicon

_TOKEN = re.compile(r"[\w][\w'’.-]*[\w]|[\w]|--|[—–,;:()\"“”]")
_POSSESSIVE = re.compile(r"\A['’]s?\b")
_ANAPHOR = re.compile(
    r"\b(?:(?P<det>the|this|that)\s+(?:(?:[A-Z][a-z]+|port|capital|southern|northern|eastern|western|"
    r"coastal|frontline|front-line|regional|border)\s+){0,2}(?P<noun>country|nation|city|region)(?:['’]s)?"
    r"|(?P<its>its)\s+(?:airspace|air space|territory|territorial waters|waters|soil|skies|borders?))\b",
    re.IGNORECASE)
_EXEMPT = re.compile(r"\b(?:as well as|such as|as part of|as a result|as many as|as much as|as far as)\b",
                     re.IGNORECASE)
_PLACE_PREFIX = frozenset("""north south east west northern southern eastern western central upper lower
greater new old saint st san santa lake mount cape port fort gulf sea bay black red white great little""".split())
_DETERMINERS = frozenset({"the", "a", "an", "this", "that", "last", "monday's", "friday's"})
_NEAR = frozenset({"near", "outside", "around", "off", "outskirts", "suburbs", "suburb", "vicinity"})
_PASSIVE = frozenset({"been", "be", "being", "was", "were", "is", "are"})
_ACCEPT = {"locative": 1.0, "target": 1.0, "modifier": 0.95, "subject_place": 0.9, "possessive_place": 0.95,
           "to": 0.95, "from": 0.95}


@dataclass(slots=True)
class Item:
    """A place mention (or a resolved anaphor) inside one sentence, with its role."""

    start: int          # offsets relative to the sentence text
    end: int
    text: str
    kind: str
    place: Place | None
    confidence: float
    role: str = "bare"
    governor: str = ""
    cue_types: frozenset[str] = frozenset()
    container: Place | None = None
    anaphor: bool = False
    near: bool = False
    skipped_determiner: bool = False


def geo_precision(place: Place, near: bool = False) -> int:
    """ACLED-style geo precision from the place kind: 1 the place itself, 2 near it or part of a
    region, 3 only a large region, a country or a sea.

    city / facility: 1 (2 when the text says "near", "outside", "off", "the outskirts of", or when
    the gazetteer only has an approximate point for it: a hromada's centre); admin1 and admin2
    (a district, raion or hromada): 2; physical: 2, or 3 when its box is larger than 4 square
    degrees; country, water: 3.
    """
    kind = place.kind
    if kind in ("city", "facility"):
        return 2 if (near or place.approximate) else 1
    if kind in ("admin1", "admin2"):
        return 2
    if kind == "physical":
        if place.bbox is not None:
            w, s, e, n = place.bbox
            if abs(e - w) * abs(n - s) > 4.0:
                return 3
        return 2
    return 3


def _tokenize(text: str) -> tuple[list[tuple[int, int, str]], bool]:
    """The tokens (start, end, text) of a sentence and whether it reads as a title (mostly capitals)."""
    # findall runs in C; each token's start is the first occurrence of its text from the end of
    # the one before, since the leftmost match there would otherwise have started earlier
    tokens = []
    pos = 0
    find = text.find
    for tok in _TOKEN.findall(text):
        start = find(tok, pos)
        pos = start + len(tok)
        tokens.append((start, pos, tok))
    words = [t for _, _, t in tokens if t[0].isalpha()]
    if len(words) < 3:
        title_case = True
    else:
        caps = sum(1 for w in words if w[0].isupper())
        title_case = caps / len(words) > 0.6
    return tokens, title_case


class TokenizedSentence:
    """Token and cue lookups for one sentence, tokenized once: the roles and the pairs of a
    sentence read the same instance. Tokens never overlap, so their starts and their ends both
    rise, and positions are found by bisection."""

    __slots__ = ("text", "tokens", "cues", "title_case", "_starts", "_ends", "_words_upto")

    def __init__(self, text: str, cues: list[Cue]):
        self.text = text
        self.tokens, self.title_case = _tokenize(text)
        self.cues = cues
        self._starts = [s for s, _, _ in self.tokens]
        self._ends = [e for _, e, _ in self.tokens]
        upto = [0]  # upto[k]: how many of the first k tokens are words (start with a letter or digit)
        n = 0
        for _, _, t in self.tokens:
            n += t[0].isalnum()
            upto.append(n)
        self._words_upto = upto

    def token_before(self, pos: int) -> int:
        """The last token that ends at or before ``pos`` (-1 when none does)."""
        return bisect.bisect_right(self._ends, pos) - 1

    def token_after(self, pos: int) -> int:
        """The first token that starts at or after ``pos`` (tokens are in text order)."""
        return bisect.bisect_left(self._starts, pos)

    def cue_covering(self, start: int, end: int) -> list[Cue]:
        return [c for c in self.cues if c.start <= start and end <= c.end]

    def words(self, a: int, b: int) -> int:
        """How many word tokens lie inside ``[a, b)``."""
        i = bisect.bisect_left(self._starts, a)
        j = bisect.bisect_right(self._ends, b)
        return self._words_upto[j] - self._words_upto[i] if j > i else 0


def _item_at(items: list[Item], pos: int, exclude: Item) -> Item | None:
    for it in items:
        if it is not exclude and it.start <= pos < it.end:
            return it
    return None


def _left(sent: TokenizedSentence, it: Item, items: list[Item], words) -> tuple[str, Item | None]:
    """The word that governs a mention from the left, after skipping determiners and adjectives."""
    i = sent.token_before(it.start)
    skipped = 0
    while i >= 0:
        s, e, tok = sent.tokens[i]
        other = _item_at(items, s, it)
        if other is not None:
            after = sent.text[other.end:other.end + 2]
            if _POSSESSIVE.match(after) or other.kind == "demonym":
                i = sent.token_before(other.start)
                continue
            return "mention", other
        low = tok.lower()
        if low.endswith(("'s", "’s")):
            low = low[:-2]
        if low in ("and", "or", ",", "&", "as"):
            if low == "as" and not sent.text[:s].lower().rstrip().endswith("as well"):
                return "as", None
            j = i - 1
            while j >= 0 and sent.tokens[j][2].lower() in (",", "and", "or", "well", "as"):
                j -= 1
            if j >= 0:
                prev = _item_at(items, sent.tokens[j][0], it)
                if prev is not None and prev.start < it.start:
                    return "coord", prev
            return low, None
        if low == "of":
            if i > 0 and sent.tokens[i - 1][2].lower() in words.place_nouns:
                if sent.tokens[i - 1][2].lower() in _NEAR:
                    it.near = True
                i -= 2
                continue
            # "shelling of Nikopol", "the bombardment of the city of X": the object of a cue noun
            # (not "the delegation of Turkey", "forces of Russia": a noun for people names their side)
            head = sent.tokens[i - 1] if i > 0 else None
            cues = sent.cue_covering(head[0], head[1]) if head and head[2].lower() not in words.attributive_nouns else []
            if cues:
                it.cue_types = frozenset(c.type for c in cues)
                return "target", None
            return "of", None
        if low in words.skip_words and skipped < 6:
            if low in _DETERMINERS:
                it.skipped_determiner = True
            skipped += 1
            i -= 1
            continue
        if low == "to" and i > 0 and sent.tokens[i - 1][2].lower() == "according":
            return "speaker", None
        cues = sent.cue_covering(s, e)
        if cues:
            it.cue_types = frozenset(c.type for c in cues)
            return "target", None
        return low, None
    return "start", None


def _right_possessive(sent: TokenizedSentence, it: Item, items: list[Item], words) -> tuple[str, Item | None] | None:
    rest = sent.text[it.end:]
    if not _POSSESSIVE.match(rest):
        return None
    j = sent.token_after(it.end + 1)
    # skip the "'s" remnant and adjectives
    while j < len(sent.tokens):
        s, e, tok = sent.tokens[j]
        if s < it.end + 2:
            j += 1
            continue
        other = _item_at(items, s, it)
        if other is not None and other.kind != "demonym":
            return "container_of", other
        low = tok.lower()
        if low in words.skip_words:
            j += 1
            continue
        if low in words.possessive_place_nouns:
            return "possessive_place", None
        return "owner", None
    return "owner", None


def _speech_after(sent: TokenizedSentence, it: Item, words) -> bool:
    j = sent.token_after(it.end)
    for k in range(j, min(j + 5, len(sent.tokens))):
        tok = sent.tokens[k][2].lower()
        if tok in words.speech_verbs:
            # "has not been accused", "was told": passive, the place is not speaking
            return k == 0 or sent.tokens[k - 1][2].lower() not in _PASSIVE
        if not tok[0].isalnum() or tok in words.barriers or tok in ("and", "or", "that", "which", "it"):
            return False
    return False


def _subject_after(sent: TokenizedSentence, it: Item, subject: re.Pattern[str] | None) -> bool:
    """A ``place_subject`` phrase within two words after the place (the lexicon's one pattern)."""
    return subject is not None and subject.match(sent.text[it.end:it.end + 60].lower()) is not None


def _cue_right_after(sent: TokenizedSentence, it: Item) -> list[Cue]:
    j = sent.token_after(it.end)
    if j >= len(sent.tokens):
        return []
    s = sent.tokens[j][0]
    return [c for c in sent.cues if c.start == s]


def _is_person(sent: TokenizedSentence, it: Item, items: list[Item]) -> bool:
    if sent.title_case:
        return False
    i = sent.token_before(it.start)
    if i < 1:  # first token of the sentence (or none before it) cannot tell
        return False
    s, e, tok = sent.tokens[i]
    if e != it.start - 1 or not tok[0].isupper() or not tok.isalpha() or tok.isupper():
        return False
    if _item_at(items, s, it) is not None or tok.lower() in _PLACE_PREFIX:
        return False
    prev = sent.tokens[i - 1][2]
    return prev not in ('"', "“", "(")


def _is_vessel(sent: TokenizedSentence, it: Item, words) -> bool:
    i = sent.token_before(it.start)
    for k in range(i, max(i - 4, -1), -1):
        tok = sent.tokens[k][2].lower()
        if tok in words.vessel_nouns:
            return True
        if tok in words.locative or tok in ("to", "from"):
            return False
    return False


def assign_roles(text: str, mentions: list[Item], cues: list[Cue], lexicon: Lexicon,
                 sent: TokenizedSentence | None = None) -> list[Item]:
    """Give every item its role (in place) and return the items in text order."""
    words = lexicon.pairing
    sent = sent if sent is not None else TokenizedSentence(text, cues)
    items = sorted(mentions, key=lambda m: m.start)
    for it in items:
        if it.kind == "demonym":
            it.role = "demonym"
            continue
        if it.place is None:
            it.role = "unresolved"
            continue
        letters = [ch for ch in it.text if ch.isalpha()]
        if len(letters) >= 4 and it.text.isupper() and not sent.title_case:
            it.role = "name"
            continue
        if _is_vessel(sent, it, words):
            it.role = "name"
            continue
        if not it.anaphor and _is_person(sent, it, items):
            it.role = "person"
            continue
        gov, other = _left(sent, it, items, words)
        it.governor = gov
        if gov == "coord" and other is not None:
            role = other.role if other.role not in ("container",) else "bare"
            it.near = it.near or other.near
            it.cue_types = other.cue_types
        elif gov == "mention" and other is not None:
            role = "bare"
        elif gov in words.locative:
            role = "locative"
            it.near = it.near or gov in _NEAR
        elif gov == "target":
            role = "target"
        elif gov == "to":
            role = "to"
        elif gov == "from":
            role = "origin"
        elif gov == "by":
            role = "agent"
        elif gov == "speaker" or gov in words.speech_verbs:
            role = "speaker"
        else:
            role = "bare"
        if it.text.lower().removeprefix("the ") in words.institutions and gov not in ("in", "at", "inside"):
            it.role = "institution"
            continue
        poss = _right_possessive(sent, it, items, words)
        if poss is not None:
            kind, target = poss
            if kind == "container_of" and target is not None:
                role = "container_of"
            elif kind == "possessive_place":
                role = role if role in _ACCEPT else "possessive_place"
            else:
                role = "owner"
        else:
            j = sent.token_after(it.end)
            nxt = sent.tokens[j][2].lower() if j < len(sent.tokens) else ""
            if nxt in words.attributive_nouns and role not in ("target",):
                role = "attributive"
            elif role == "bare":
                if it.skipped_determiner and _cue_right_after(sent, it):
                    role = "modifier"
                    it.cue_types = frozenset(c.type for c in _cue_right_after(sent, it))
                elif _speech_after(sent, it, words):
                    role = "speaker"
                elif _subject_after(sent, it, lexicon.place_subject):
                    role = "subject_place"
                elif role == "bare" and it.kind == "country":
                    role = "actor"
            elif role in ("bare", "to", "locative") and _speech_after(sent, it, words) and gov not in words.locative:
                role = "speaker"
        it.role = role
    _mark_containers(sent, items)
    return items


#: The kinds of place that pairing marks as the region of the place before them.
CONTAINER_KINDS = ("country", "admin1")
_QUALIFIER_GAP = re.compile(r"^\s*[,(]\s*$")


def _mark_containers(sent: TokenizedSentence, items: list[Item]) -> None:
    """"X in Russia's Krasnodar region": Krasnodar (and Russia) become X's region, not places.

    Only countries and admin-1 regions become containers here (:func:`geomap.geometry.contains`
    says what lies inside them). A district or a sea after a place stays a place of its own:
    marking districts too ("Yakovlivka, Bakhmutskyi district") lost one matched place on the
    ACLED dev set and gained none. A region right after a place and a comma that does not hold the
    place but whose box does ("Nikopol, Kherson region") qualifies it all the same, as the
    geoparser read it.
    """
    for idx, it in enumerate(items):
        if it.place is None or it.role in ("demonym", "name", "person", "institution"):
            continue
        if it.role == "container_of":
            it.role = "container"
            continue
        prev = items[idx - 1] if idx else None
        if prev is not None and prev.place is not None and _QUALIFIER_GAP.match(sent.text[prev.end:it.start]) \
                and in_region_box(it.place, prev.place) and not contains(it.place, prev.place):
            it.role = "container"  # "Nikopol, Kherson region": a border town given to the next region
            prev.container = it.place
            continue
        if it.governor not in ("in", ",", "of", "mention", "bare") and it.role != "locative":
            continue
        for prev in reversed(items[:idx]):
            if prev.place is None or prev.role in ("demonym", "container", "container_of"):
                continue
            if sent.words(prev.end, it.start) > 6 or ";" in sent.text[prev.end:it.start]:
                break
            if it.place.kind in CONTAINER_KINDS and contains(it.place, prev.place):
                it.role = "container"
                if it.place.kind == "admin1" or prev.container is None:
                    prev.container = it.place
                break
            break


def resolve_anaphors(text: str, items: list[Item], previous: list[Item] | None = None) -> list[Item]:
    """Items for "the country('s)", "its airspace", "the city" pointing back at an earlier place."""
    out: list[Item] = []
    for m in _ANAPHOR.finditer(text):
        if any(it.start < m.end() and m.start() < it.end for it in items):  # "the Rostov region" is a name
            continue
        noun = (m.group("noun") or "country").lower()
        want = {"country": "country", "nation": "country", "city": "city", "region": "admin1"}[noun]
        antecedent = None
        for it in reversed(items):
            if it.end <= m.start() and it.place is not None and it.kind == want and it.role not in (
                    "demonym", "name", "person", "institution"):
                antecedent = it
                break
        if antecedent is None and previous:
            for it in reversed(previous):
                if it.place is not None and it.kind == want and it.role not in (
                        "demonym", "name", "person", "institution"):
                    antecedent = it
                    break
        if antecedent is None:
            continue
        out.append(Item(start=m.start(), end=m.end(), text=m.group(0), kind=antecedent.kind,
                        place=antecedent.place, confidence=antecedent.confidence, anaphor=True,
                        container=antecedent.container))
    return out


def blocked(sent_text: str, a: int, b: int, barriers: frozenset[str]) -> bool:
    between = _EXEMPT.sub(" ", sent_text[a:b].lower())
    if ";" in between and ";" in barriers:
        return True
    return any(w in barriers for w in re.findall(r"[a-z]+", between))
