"""Recognition: find the spans of text that name places.

Capitalised token runs ("Rostov-on-Don", "Sea of Azov", "Krasnodar region") are matched against
the gazetteer, longest first. General evidence then rejects what only looks like a place:

- a name inside a longer proper noun that is not a place ("Marco Rubio", "Sea Baby"): a match is
  kept only when the words before it in the run are themselves places, direction words or a
  sentence-opening common word;
- names after a person title or a first name ("President Maia Sandu", "Paris Hilton"), and the
  same surname anywhere else in the document ("Sandu said");
- all-capital words in mixed-case text ("the tankers KAIRO and VIRAT"), unless they are known
  abbreviations ("US", "UK"); names right after a vessel word ("the tanker Kairo");
- capitalised common words ("March", "Police", "Reading") unless they name a country, region or
  sea, or a sizeable city after a locative preposition ("in Nice").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..gazetteer.names import ADMIN_WORDS, WATER_WORDS, name_key, split_kind_hint
from .word_lists import CALENDAR, CONNECTORS, DIRECTION_WORDS, LOCATIVE, RIVER_WORDS, VESSEL_WORDS, WordLists

#: Longest name, in tokens, that is looked up ("Bosnia and Herzegovina" is 3).
MAX_NAME_TOKENS = 6
#: A common word that is a city is kept after "in"/"near" only from this population up.
COMMON_WORD_CITY_MIN_POPULATION = 100_000
#: Abbreviations before a dot that do not end a run ("St. Petersburg").
_DOTTED_PREFIXES = frozenset({"St", "Ste", "Mt", "Ft", "Pt"})

#: Lower-case words the recogniser reads around names; all other lower-case words are skipped
#: by the tokenizer before any other work, which is most of its speed.
_CONTEXT_WORDS = frozenset(CONNECTORS | ADMIN_WORDS | WATER_WORDS | LOCATIVE | DIRECTION_WORDS | VESSEL_WORDS
                           | RIVER_WORDS)
#: Words that may be (part of) a name: abbreviations ("U.S.") and words not starting with a-z,
#: including the capitalised part of "anti-Russian".
#: (The first letter is matched by a class of upper-case letters, Latin, Greek and Cyrillic, with
#: some lower-case extended Latin in it: far faster than testing every position of the text.)
_NAME_TOKEN_RE = re.compile(r"[A-Z\u00C0-\u00DE\u0100-\u024F\u0370-\u03FF\u0400-\u042F]"
                            r"(?:[a-z]?\.(?:[A-Z][a-z]?\.)+|(?:[\w’'`\-]*[^\W_])?)")
#: Ordinary lower-case words, for the context words between names.
_LOWER_WORD_RE = re.compile(r"(?<![\w’'`-])[a-z]+(?![\w’'`-])")
#: Punctuation stripped off a word between names before it is compared with the context words.
_PUNCT = ".,;:!?\"'“”‘’()[]{}«»—–…"
_DATELINE_TAIL = re.compile(r"\s?(?:,|--|—|–|-|\()")
_SENTENCE_END_CHARS = frozenset('\n.!?:;"“”')
_POSSESSIVE_RE = re.compile(r"[’'`]s$|(?<=s)[’'`]$")
_CONTRACTION_RE = re.compile(r"[’'`](?:re|ve|ll|d|m|t)$", re.IGNORECASE)
#: Places this small that are also a dictionary proper noun ("Christmas", "Arab") need context.
PROPER_NOUN_MAX_POPULATION = 100_000


@dataclass(slots=True)
class Token:
    start: int
    end: int          # end of the name part (possessive 's excluded)
    text: str         # the name part
    cap: bool
    upper: bool
    possessive: bool
    lower: str
    sentence_start: bool
    matched: bool = False  # part of an accepted place name (so it does not hide the next one)


@dataclass(slots=True)
class RawMention:
    """A recognised span with its gazetteer candidates, before resolution."""

    start: int
    end: int
    text: str
    key: str
    candidates: tuple
    hint: str | None
    demonym: bool
    confidence: float
    locative: bool
    possessive: bool
    first_token: int
    last_token: int
    weak: str | None = None  # why the span needs support from the document to count


def _token(text: str, start: int, end: int, word: str, prev_end: int, previous: Token | None) -> Token:
    possessive = False
    if ("'" in word or "’" in word or "`" in word) and len(word) > 2:
        pos = _POSSESSIVE_RE.search(word)
        if pos:
            word = word[: pos.start()]
            end = start + len(word)
            possessive = True
    gap = text[prev_end:start]
    if gap == " ":
        sentence_start = False
    else:
        tail = gap.rstrip(" \t")
        sentence_start = not tail or tail[-1] in _SENTENCE_END_CHARS
        if previous is not None and sentence_start and gap == ". " and previous.text in _DOTTED_PREFIXES:
            sentence_start = False
    cap = word[0].isupper() and not (("'" in word or "’" in word) and _CONTRACTION_RE.search(word))
    upper = cap and len(word) >= 2 and word.isupper()
    return Token(start, end, word, cap, upper, possessive, word.lower(), sentence_start)


def tokenize(text: str) -> list[Token]:
    """Name-like word tokens with offsets, plus the context words right next to them.

    Only words that do not start with a-z are tokenized everywhere (in C, by the regex). Of the
    ordinary lower-case words, only the first and the last word between two name-like words are
    read, and kept when they are context words ("of", "in", "region", "tanker", ...): nothing
    further from a name can change how it is read. Possessive endings are split off and sentence
    starts marked.
    """
    tokens: list[Token] = []
    append = tokens.append
    context_words = _CONTEXT_WORDS
    prev_end = 0
    previous = None
    for match in _NAME_TOKEN_RE.finditer(text):
        start = match.start()
        if start and (text[start - 1].isalnum() or text[start - 1] in "’'`"):
            continue  # inside a word ("iPhone", "eBay"): not a name
        if start > prev_end + 1:
            gap = text[prev_end:start]
            chunks = gap.split()
            if chunks:
                # the first and the last word between two names (string operations: no regex)
                first_word = chunks[0].strip(_PUNCT)
                if first_word in context_words:
                    wstart = prev_end + gap.find(first_word)
                    previous = _token(text, wstart, wstart + len(first_word), first_word, prev_end, previous)
                    append(previous)
                    prev_end = wstart + len(first_word)
                if len(chunks) > 1:
                    last_word = chunks[-1].strip(_PUNCT)
                    if last_word in context_words:
                        wstart = prev_end + text[prev_end:start].rfind(last_word)
                        previous = _token(text, wstart, wstart + len(last_word), last_word, prev_end, previous)
                        append(previous)
                        prev_end = wstart + len(last_word)
        previous = _token(text, start, match.end(), match.group(), prev_end, previous)
        append(previous)
        prev_end = match.end()
    word = _LOWER_WORD_RE.search(text, prev_end, min(len(text), prev_end + 40))
    if word is not None and word.group() in context_words:
        append(_token(text, word.start(), word.end(), word.group(), prev_end, previous))
    return tokens


def _adjacent(text: str, left: Token, right: Token) -> bool:
    gap = text[left.end:right.start]
    if left.possessive:
        return False
    if gap == " ":
        return True
    if gap == ". " and (left.text in _DOTTED_PREFIXES or (len(left.text) == 1 and left.cap)):
        return True  # "St. Petersburg", "John W. Baker"
    return bool(gap) and gap.isspace() and "\n" not in gap and len(gap) <= 2


def _runs(text: str, tokens: list[Token]) -> list[list[int]]:
    """Maximal runs of capitalised tokens (with connectors and a trailing region word)."""
    runs: list[list[int]] = []
    current: list[int] = []
    n = len(tokens)
    for i, tok in enumerate(tokens):
        joinable = bool(current) and _adjacent(text, tokens[current[-1]], tok)
        if tok.cap:
            if joinable:
                current.append(i)
            else:
                if current:
                    runs.append(current)
                current = [i]
            continue
        if joinable and tok.lower in CONNECTORS and i + 1 < n and tokens[i + 1].cap \
                and _adjacent(text, tok, tokens[i + 1]):
            current.append(i)
            continue
        if joinable and (tok.lower in ADMIN_WORDS or tok.lower in WATER_WORDS):
            current.append(i)
            runs.append(current)
            current = []
            continue
        if current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    return runs


@dataclass(frozen=True, slots=True)
class _Kinds:
    """What a name's candidates are, computed once per candidate set."""

    demonym: bool        # some candidate is a demonym match ("Russian")
    areas: bool          # some candidate is a country, region, sea or land area
    nation: bool         # some candidate is a country or a sea
    outright: bool       # a country or sea by its name (not loose): no context needed
    big: bool            # a country/region/sea by its own name, or a city of 100,000+
    big_city: bool       # a city of 100,000+
    small: bool          # no area, no city of 100,000+
    abbreviation: bool   # "US", "UK"
    after_comma: bool    # only state abbreviations valid after a comma ("Tenn.")
    loose: bool          # every candidate matched only loosely


def _kinds(cands) -> _Kinds:
    kinds = [c.place.kind for c in cands]
    return _Kinds(
        demonym=any(c.match == "demonym" for c in cands),
        areas=any(k in ("country", "admin1", "water", "physical") for k in kinds),
        nation=any(k in ("country", "water") for k in kinds),
        outright=any(c.place.kind in ("country", "water") and c.match in ("primary", "alternate") for c in cands),
        big=any((c.place.kind in ("country", "admin1", "water") and c.match == "primary")
                or (c.place.kind == "city" and c.place.population >= PROPER_NOUN_MAX_POPULATION) for c in cands),
        big_city=any(c.place.kind == "city" and c.place.population >= PROPER_NOUN_MAX_POPULATION for c in cands),
        small=not any(c.place.kind in ("country", "admin1", "water", "physical")
                      or c.place.population >= PROPER_NOUN_MAX_POPULATION for c in cands),
        abbreviation=any(c.abbreviation for c in cands),
        after_comma=all(c.after_comma for c in cands),
        loose=all(c.match == "loose" for c in cands),
    )


_MISSING = object()


def bundled_or(word_lists: WordLists) -> WordLists | None:
    """None for the bundled word lists (a worker loads its own), else those lists themselves."""
    from .word_lists import load_word_lists

    return None if load_word_lists.cache_info().currsize and word_lists is load_word_lists() else word_lists


def _reopen(gazetteer, word_lists: WordLists | None) -> Recognizer:
    from .word_lists import load_word_lists

    return Recognizer(gazetteer, word_lists or load_word_lists())


class Recognizer:
    """Finds place-name spans in text using the gazetteer and the word lists.

    Pickles as its gazetteer and word lists, without its memos.
    """

    def __init__(self, gazetteer, word_lists: WordLists):
        self.gaz = gazetteer
        self.lex = word_lists
        self._kinds_cache: dict[int, tuple] = {}
        self._lookup_memo: dict[tuple[str, bool], tuple | None] = {}

    def __reduce__(self):
        return _reopen, (self.gaz, bundled_or(self.lex))

    def _kinds(self, cands) -> _Kinds:
        hit = self._kinds_cache.get(id(cands))
        if hit is None or hit[0] is not cands:
            if len(self._kinds_cache) > 100_000:
                self._kinds_cache.clear()
            hit = (cands, _kinds(cands))  # keeps the tuple alive so its id is not reused
            self._kinds_cache[id(cands)] = hit
        return hit[1]

    # a token that may precede a place inside one run without making it part of another name
    def _transparent(self, tok: Token) -> bool:
        return (tok.matched or tok.lower in DIRECTION_WORDS or tok.lower in CONNECTORS
                or (tok.lower in self.lex.common_words and tok.lower not in self.lex.titles
                    and not tok.upper))

    @staticmethod
    def _dateline(text: str, tokens: list[Token], first: int, last: int, cands) -> bool:
        """An all-capital place name opening a line, as news datelines do ("KYIV, Ukraine --")."""
        line_start = first == 0 or "\n" in text[tokens[first - 1].end:tokens[first].start]
        prominent = any(c.place.kind in ("country", "admin1") or c.place.population >= 100_000 for c in cands)
        if line_start and prominent:
            return True
        # "... headline. CHARLESTON, W.Va. -- The ...": a capitalised place opening a sentence
        # and followed by a comma, a dash or a bracket
        after = text[tokens[last].end:tokens[last].end + 3]
        return tokens[first].sentence_start and bool(_DATELINE_TAIL.match(after)) and any(
            c.place.kind in ("country", "admin1", "city") for c in cands)

    def _lookup(self, text: str, tokens: list[Token], i: int, j: int):
        """Candidates for tokens[i:j] (exact key, or base name + kind hint for "X region").

        Memoised by surface text: the same word sequences recur across a batch.
        """
        surface = text[tokens[i].start:tokens[j - 1].end]
        memo_key = (surface, i + 1 == j)
        hit = self._lookup_memo.get(memo_key, _MISSING)
        if hit is _MISSING:
            hit = self._lookup_surface(surface, tokens[i].text, i + 1 == j)
            if len(self._lookup_memo) > 200_000:
                self._lookup_memo.clear()
            self._lookup_memo[memo_key] = hit
        return hit

    def _lookup_surface(self, surface: str, first_text: str, single: bool):
        key = name_key(surface)
        if not key:
            return None
        cands = self.gaz.candidates(key)
        if cands:
            return key, cands, None
        base, hint = split_kind_hint(key)
        if hint == "admin1" and base != key:
            cands = tuple(c for c in self.gaz.candidates(base) if c.place.kind == "admin1")
            if not cands:
                cands = tuple(c for c in self.gaz.candidates(base, loose=True) if c.place.kind == "admin1")
            if cands:
                return key, cands, "admin1"
        # transliteration variants ("Afipsky" for GeoNames' "Afipskiy"): single rare words only
        if single and len(key) >= 5 and key not in self.lex.common_words \
                and first_text not in self.lex.first_names:
            cands = self.gaz.candidates(key, loose=True)
            if cands:
                return key, cands, None
        return None

    def _split_hyphens(self, tokens: list[Token]) -> list[Token]:
        """Split "Russian-backed", "anti-Russian", "Amsterdam-London" unless the whole is a name."""
        out: list[Token] = []
        for tok in tokens:
            if "-" not in tok.text or self.gaz.has_key(name_key(tok.text)):
                out.append(tok)
                continue
            offset = tok.start
            for k, part in enumerate(tok.text.split("-")):
                if part:
                    letters = [ch for ch in part if ch.isalpha()]
                    upper = len(letters) >= 2 and all(ch.isupper() for ch in letters)
                    last = k == tok.text.count("-")
                    out.append(Token(offset, offset + len(part), part, part[0].isupper(), upper,
                                     tok.possessive and last, part.lower(), tok.sentence_start and k == 0))
                offset += len(part) + 1
        return out

    def recognize(self, text: str) -> list[RawMention]:
        tokens = self._split_hyphens(tokenize(text))
        lex = self.lex
        mentions: list[RawMention] = []
        person_words: set[str] = set()
        mixed_case = any(t.cap and not t.upper for t in tokens)

        for run in _runs(text, tokens):
            k = 0
            start_tok = tokens[run[0]]
            prev = tokens[run[0] - 1] if run[0] > 0 else None
            # "Gov. Perdue", "Sgt. Baker": an abbreviated title before the run makes it a name
            person_mode = (prev is not None and prev.cap and prev.lower in lex.titles
                           and text[prev.end:start_tok.start] == ". ")
            while k < len(run):
                i = run[k]
                tok = tokens[i]
                if tok.lower in lex.titles and not tok.upper:
                    # "President Maia Sandu": what follows is a name, unless "President of Ukraine"
                    nxt = tokens[run[k + 1]] if k + 1 < len(run) else None
                    person_mode = nxt is not None and nxt.lower != "of"
                    k += 1
                    continue
                if tok.lower in CONNECTORS:
                    person_mode = False
                    k += 1
                    continue
                found = None
                # no name starts with this word: only the single-word transliteration fallback
                first_word = name_key(tok.text).split(" ", 1)[0]
                span = min(MAX_NAME_TOKENS, self.gaz.longest_name_from(first_word) + 1) or 1
                for m in range(min(len(run), k + span), k, -1):
                    last = tokens[run[m - 1]]
                    if last.lower in CONNECTORS:
                        continue
                    hit = self._lookup(text, tokens, i, run[m - 1] + 1)
                    if hit:
                        found = (m, hit)
                        break
                    if tokens[run[m - 1]].possessive and m - 1 > k:
                        continue
                if found is None:
                    if tok.cap and not tok.sentence_start and tok.lower not in lex.common_words \
                            and k > 0 and tokens[run[k - 1]].text in lex.first_names:
                        person_words.add(tok.lower)
                    k += 1
                    continue
                m, (key, cands, hint) = found
                first, last = i, run[m - 1]
                prefix = [tokens[run[p]] for p in range(k)]
                rest = [tokens[run[p]] for p in range(m, len(run))]
                mention = self._judge(text, tokens, first, last, key, cands, hint, prefix, rest, person_mode,
                                      mixed_case, person_words, mentions)
                if mention is not None:
                    mentions.append(mention)
                    for p in range(k, m):
                        tokens[run[p]].matched = True
                k = m
        # a word once seen as a surname is a person everywhere in the document ("Sandu said")
        return [mt for mt in mentions if not (mt.first_token == mt.last_token and mt.key in person_words
                                                and not mt.demonym and not _is_area(mt))]

    def _judge(self, text, tokens, first, last, key, cands, hint, prefix, rest, person_mode, mixed_case,
               person_words, mentions) -> RawMention | None:
        lex = self.lex
        head = tokens[first]
        single = first == last
        kinds = self._kinds(cands)
        demonym, areas, abbreviation = kinds.demonym, kinds.areas, kinds.abbreviation
        before = tokens[first - 1] if first > 0 else None
        locative = (before is not None and before.lower in LOCATIVE and not before.cap
                    and text[before.end:head.start].isspace())
        # part of a longer proper noun that is not a place ("Marco Rubio", "Sea Baby")
        if person_mode or any(not self._transparent(t) for t in prefix):
            if single and head.cap and not head.upper and (
                    person_mode or any(t.text in lex.first_names or t.lower in lex.titles for t in prefix)
                    or _looks_like_first_name(prefix, lex)):
                person_words.add(head.lower)  # "Andriy Yermak ... Yermak said": a surname
            return None
        if kinds.after_comma:
            # "Paris, Tenn.", "Austin, TX": only right after a place name and a comma
            previous = mentions[-1] if mentions else None
            after_place = previous is not None and text[previous.end:tokens[first].start] == ", "
            dotted = text[tokens[last].end:tokens[last].end + 1] == "." or "." in head.text
            if not (after_place or (locative and dotted)):  # or "in S.C.", "in Tenn."
                return None
            return RawMention(start=head.start, end=tokens[last].end, text=text[head.start:tokens[last].end],
                              key=key, candidates=cands, hint="admin1", demonym=False, confidence=0.9,
                              locative=False, possessive=tokens[last].possessive, first_token=first,
                              last_token=last)
        if head.upper and mixed_case and not abbreviation and not self._dateline(text, tokens, first, last, cands):
            return None  # "KAIRO", "NATO"; but "WASHINGTON (Reuters) -" is a dateline
        if single and len(head.text) <= 2 and not abbreviation:
            return None
        after = tokens[last + 1] if last + 1 < len(tokens) else None
        nation, big, small = kinds.nation, kinds.big, kinds.small
        if after is not None and after.lower in RIVER_WORDS and _adjacent(text, tokens[last], after) \
                and not any(c.place.kind == "water" for c in cands):
            return None  # "the Dnipro river": a river, which the gazetteer does not hold
        if before is not None and before.lower in VESSEL_WORDS and not nation:
            return None  # "the tanker Kairo"
        if single and (head.lower in CALENDAR or head.lower in DIRECTION_WORDS):
            return None
        if single and not demonym and after is not None and after.cap and _adjacent(text, head, after) \
                and head.text in lex.first_names and not nation and after.lower not in lex.common_words:
            person_words.add(after.lower)
            return None  # "Paris Hilton"
        confidence = 0.9
        weak = None
        if single and not demonym and not abbreviation:
            if head.lower in lex.common_words:
                # "More", "Centre", "Police": countries and seas outright; otherwise only "in Nice".
                # Capitalised only because a sentence starts, or the first word of a longer name
                # ("University of ...", "City Council"): not a place.
                if not kinds.outright:
                    if not locative and (head.sentence_start or len(head.text) <= 3):
                        return None
                    if kinds.big_city:
                        pass  # "Oxford Police", "Reading council": a city that size is the likelier reading
                    elif not locative and rest and rest[0].cap and not rest[0].matched:
                        return None  # "University of ...", "City Council"
                    else:
                        weak = None if (locative and not small) else "common word"
                    confidence = 0.6
            elif not big and not locative:
                if head.text in lex.first_names:
                    weak = "first name"
                elif head.text in lex.surnames:
                    weak = "surname"
                elif head.text in lex.proper_nouns and small:
                    weak = "proper noun"
        if head.sentence_start and single and not areas and not locative:
            confidence = min(confidence, 0.7)
        if kinds.loose:
            confidence = min(confidence, 0.6)
        # extend over a direction word just before ("southern Ukraine")
        start = head.start
        if before is not None and before.lower in DIRECTION_WORDS and _adjacent(text, before, head):
            start = before.start
        return RawMention(start=start, end=tokens[last].end, text=text[start:tokens[last].end], key=key,
                          candidates=cands, hint=hint, demonym=demonym and not any(
                              c.match in ("primary", "alternate") for c in cands), confidence=confidence,
                          locative=locative, possessive=tokens[last].possessive, first_token=first,
                          last_token=last, weak=weak)


def _looks_like_first_name(prefix: list[Token], lex: WordLists) -> bool:
    """One capitalised word that is neither a dictionary word nor a place: a first name the
    census list lacks ("Andriy", "Volodymyr") more often than anything else."""
    if len(prefix) != 1:
        return False
    tok = prefix[0]
    return (tok.cap and not tok.upper and not tok.matched and tok.text.isalpha()
            and tok.lower not in lex.common_words and tok.text not in lex.proper_nouns)


def _is_area(mention: RawMention) -> bool:
    return any(c.place.kind in ("country", "admin1", "water", "physical") for c in mention.candidates)
