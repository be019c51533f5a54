"""Pairs: which incident type each place of a sentence gets (see :mod:`geomap.incidents.pairing`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ...models import Mention, Place
from ..classify import Cue, TypeEvidence, modifier_spans
from ..lexicon import Lexicon
from .roles import _ACCEPT, Item, TokenizedSentence, assign_roles, blocked, geo_precision, resolve_anaphors

_ANAPHOR_FACTOR = 0.9
_SPEAKER_FACTOR = 0.6
_FAR_WORDS = 15
_FAR_FACTOR = 0.85
_BRIDGE_FACTOR = 0.85  # a strong cue that reaches the place across a clause barrier (see _bridge)


@dataclass(frozen=True, slots=True)
class Pair:
    """A place paired with an incident type in one sentence."""

    type: str
    place: Place
    mention: str
    kind: str
    start: int            # offsets relative to the sentence
    end: int
    role: str
    factor: float         # how sure the pairing is (multiplies the type's confidence)
    container: Place | None
    geo_precision: int
    cue: Cue
    evidence: TypeEvidence
    speaker_fallback: bool = False
    extra: dict = field(default_factory=dict)


def pair(text: str, items: list[Item], evidence: dict[str, TypeEvidence], lexicon: Lexicon,
         sent: TokenizedSentence | None = None) -> list[Pair]:
    """Pair the types of one sentence with its places (items already have roles)."""
    words = lexicon.pairing
    sent_words = sent if sent is not None else TokenizedSentence(text, [])
    pairs: list[Pair] = []
    strong_cues = sorted((c for ev in evidence.values() for c in ev.cues if c.strong), key=lambda c: c.end)
    topics = _topic_items(text, items, lexicon, sent_words)
    for type_id, ev in evidence.items():
        found: list[Pair] = []
        for it in items:
            if it.place is None:
                continue
            role = it.role
            if role == "origin" and type_id in words.from_types:
                role = "from"  # "stole cars from Izium": where it was taken is where it happened
            if role not in _ACCEPT or (role == "to" and type_id not in words.to_types):
                continue
            owner = _owner(text, it, strong_cues, words.barriers) if role in ("locative", "target", "to") else None
            if owner is not None and owner.type != type_id and not any(
                    c.start < owner.end and owner.start < c.end for c in ev.cues) and not (
                    type_id in words.impact_types and _result_of(text, it, ev, words)) and not (
                    _coordinated(text, owner, ev)):
                continue
            best: tuple[int, Cue] | None = None
            bridged = False
            for cue in ev.cues:
                if not ev.has_strong or cue.strong:
                    a, b = (cue.end, it.start) if cue.end <= it.start else (it.end, cue.start)
                    if cue.start < it.end and it.start < cue.end:
                        a = b = it.start
                    across = blocked(text, a, b, words.barriers)
                    if across and not (ev.has_strong and _bridge(text, it, cue, ev, items, words)):
                        continue
                    dist = sent_words.words(a, b) + (_FAR_WORDS if across else 0)
                    if not ev.has_strong:
                        adjacent = (role == "modifier" and type_id in it.cue_types) or (
                            role == "target" and type_id in it.cue_types and _verb_like(cue.text)) or (
                            role == "locative" and cue.end <= it.start and dist <= 4
                            and it.governor in words.weak_prepositions)
                        if not adjacent:
                            continue
                    if best is None or dist < best[0]:
                        best = (dist, cue)
                        bridged = across
            if best is None:
                continue
            factor = _ACCEPT[role] * (_ANAPHOR_FACTOR if it.anaphor else 1.0)
            if bridged:
                factor *= _BRIDGE_FACTOR
            elif best[0] > _FAR_WORDS:
                factor *= _FAR_FACTOR
            found.append(Pair(type_id, it.place, it.text, it.kind, it.start, it.end, role, factor,
                              it.container, geo_precision(it.place, it.near), best[1], ev))
        if len(found) > 1:
            found = _drop_attached(text, found, items, sent_words, words)
        if found and topics:
            found = _drop_topics(found, topics)
        if not found and type_id in words.speaker_fallback_types and ev.has_strong:
            for it in items:
                if it.role == "speaker" and it.place is not None and it.kind in ("country", "city", "admin1"):
                    cue = min(ev.cues, key=lambda c: abs(c.start - it.start))
                    found.append(Pair(type_id, it.place, it.text, it.kind, it.start, it.end, "speaker",
                                      _SPEAKER_FACTOR, it.container, geo_precision(it.place), cue, ev,
                                      speaker_fallback=True))
        pairs.extend(found)
    return pairs


def _topic_items(text: str, items: list[Item], lexicon: Lexicon, sent: TokenizedSentence) -> set[tuple[int, int]]:
    """Spans of the places that a purpose or topic phrase governs ("in support of the war in
    **Ukraine**"): after a topic marker, in its clause, within ``topic_window`` words."""
    if lexicon.topic is None:
        return set()
    words = lexicon.pairing
    markers = modifier_spans(text, lexicon.topic, lexicon, "topic")
    if not markers:
        return set()
    out = set()
    for it in items:
        for _, end in markers:
            if end <= it.start and sent.words(end, it.start) <= words.topic_window \
                    and not blocked(text, end, it.start, words.barriers | {"where"}):
                out.add((it.start, it.end))
                break
    return out


def _drop_topics(found: list[Pair], topics: set[tuple[int, int]]) -> list[Pair]:
    """The place where it happened, not the topic: a topic place goes when another place remains,
    and a topic country always ("a rally in Omsk in support of the invasion of Ukraine")."""
    keep = [p for p in found if (p.start, p.end) not in topics]
    if keep:
        return keep
    return [p for p in found if p.kind not in ("country", "demonym")]


_OBJECT_PREPOSITIONS = frozenset({"on", "against", "targeting", "upon"})
_ATTACH_WORDS = 3


def _drop_attached(text: str, found: list[Pair], items: list[Item], sent: TokenizedSentence, words) -> list[Pair]:
    """The object of a cue ("shelling of Nikopol", "shelled Nikopol", "strikes on Nikopol") is the
    incident place; a place in a prepositional phrase right after that object describes the
    object ("Nikopol across the Dnipro", "Izmail on the Danube"), it is no second incident."""
    by_span = {(it.start, it.end): it for it in items}

    def is_object(p: Pair) -> bool:
        if p.role == "target":
            return True
        it = by_span.get((p.start, p.end))
        return (p.role == "locative" and it is not None and it.governor in _OBJECT_PREPOSITIONS
                and p.cue.end <= p.start and sent.words(p.cue.end, p.start) <= _ATTACH_WORDS)

    # only a point object: a place after a country, region or sea object refines it ("entered its
    # airspace near Galati", "attacks on Ukraine near Kharkiv")
    objects = [p for p in found if is_object(p) and p.kind in ("city", "facility")]
    if not objects:
        return found
    keep = []
    for p in found:
        it = by_span.get((p.start, p.end))
        attached = p.role == "locative" and it is not None and it.governor not in ("coord", "and", "or") and any(
            o.end <= p.start and o.cue == p.cue and not is_object(p)
            and sent.words(o.end, p.start) <= _ATTACH_WORDS
            and not re.search(r"[,;]|\band\b|\bor\b", text[o.end:p.start])
            and not blocked(text, o.end, p.start, words.barriers)
            for o in objects)
        if not attached:
            keep.append(p)
    return keep


def _bridge(text: str, it: Item, cue: Cue, ev: TypeEvidence, items: list[Item], words) -> bool:
    """A strong cue in a clause that names no place of its own reaches across the clause barrier to
    a place whose clause has a weak cue of the same type: "A fire broke out at a depot in Bryansk;
    investigators suspect arson" -- the arson is the fire's, so it is in Bryansk."""
    if not cue.strong:
        return False
    for other in items:
        if other is it or other.place is None or other.role not in _ACCEPT:
            continue
        a, b = (cue.end, other.start) if cue.end <= other.start else (other.end, cue.start)
        if not blocked(text, a, b, words.barriers):
            return False  # the cue has a place in its own clause
    for weak in ev.cues:
        if weak.strong:
            continue
        a, b = (weak.end, it.start) if weak.end <= it.start else (it.end, weak.start)
        if not blocked(text, a, b, words.barriers) and blocked(
                text, *((weak.end, cue.start) if weak.end <= cue.start else (cue.end, weak.start)), words.barriers):
            return True
    return False


def _owner(text: str, it: Item, strong_cues: list[Cue], barriers: frozenset[str]) -> Cue | None:
    """The strong cue a prepositional place hangs on: the nearest one ending before it in its clause
    ("rallied in Tbilisi ... freeze talks": Tbilisi belongs to the rally, not to the talks)."""
    best = None
    for cue in strong_cues:
        if cue.end <= it.start and not blocked(text, cue.end, it.start, barriers):
            best = cue
    return best


_COORDINATION = re.compile(r"\A\s*(?:[\w'’-]+\s+){0,4}?(?:and|as well as|,)\s+(?:[\w'’-]+\s+)?\Z")


def _coordinated(text: str, owner: Cue, ev: TypeEvidence) -> bool:
    """A strong cue of ``ev`` coordinated with the owner cue shares its places: "carried out air
    strikes and shelled Bilohorivka", "clashed with the defenders and shelled near Bakhmut"."""
    return any(c.strong and c.end <= owner.start and _COORDINATION.match(text[c.end:owner.start])
               for c in ev.cues)


def _result_of(text: str, it: Item, ev: TypeEvidence, words) -> bool:
    """True when a strong cue of ``ev`` follows the place in a result clause of the same sentence
    ("hit Lviv, leaving homes without power"): the impact happened where the cause did."""
    for cue in ev.cues:
        if not cue.strong or cue.start < it.end or blocked(text, it.end, cue.start, words.barriers):
            continue
        if any(w in words.result_words for w in re.findall(r"[a-z]+", text[it.end:cue.end].lower())):
            return True
    return False


_IRREGULAR_PAST = frozenset({"struck", "hit", "shot", "sank", "sunk", "took", "blew", "downed"})


def _verb_like(cue_text: str) -> bool:
    """A weak cue can take a place as its object only when it reads as a verb ("struck", "shelled")."""
    last = cue_text.lower().split()[-1]
    return last in _IRREGULAR_PAST or last.endswith(("ed", "ing"))


def items_from_mentions(mentions: list[Mention], offset: int, end: int) -> list[Item]:
    """Items for the mentions that fall inside [offset, end) of the article, sentence-relative."""
    return [Item(start=m.start - offset, end=m.end - offset, text=m.text, kind=m.kind, place=m.place,
                 confidence=m.confidence)
            for m in mentions if m.start >= offset and m.end <= end]


def pair_sentence(text: str, mentions: list[Item], cues: list[Cue], evidence: dict[str, TypeEvidence],
                  lexicon: Lexicon, previous: list[Item] | None = None) -> tuple[list[Pair], list[Item]]:
    """Roles, anaphors and pairs for one sentence; returns (pairs, items) -- items feed the next call."""
    sent = TokenizedSentence(text, cues)
    items = assign_roles(text, mentions, cues, lexicon, sent)
    if evidence:
        anaphors = resolve_anaphors(text, items, previous)
        if anaphors:
            items = assign_roles(text, items + anaphors, cues, lexicon, sent)
    return (pair(text, items, evidence, lexicon, sent) if evidence else []), items
