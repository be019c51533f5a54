"""A small sentence splitter that keeps character offsets into the article text.

Rules, in order:

* a blank line (paragraph break) always ends a sentence, so headings stand alone;
* ``.``, ``!`` or ``?`` (possibly repeated, possibly followed by closing quotes or brackets) ends a
  sentence when whitespace and then an upper-case letter, a digit or an opening quote follow;
* except after a known abbreviation ("Gen.", "Mr.", "Nov.", "e.g."), a single initial ("John F.
  Kennedy") or a dotted acronym ("U.S.", "U.K.") -- an acronym still ends a sentence when the next
  word is a typical sentence opener ("... in the U.S. The talks ...");
* and except inside a quotation that the boundary does not close: the "!" of 'chanting "No to war!
  Peace!" outside the embassy' ends no sentence, nor that of "a protest 'Don't wait! Act now!' in
  Lutsk" -- single quotes count as quotation marks where they open or close a word (an apostrophe
  inside one, "Don't", "Kyiv's", opens nothing); a quotation left open for more than ``MAX_QUOTE``
  characters is taken for a stray mark.

Offsets are Python string offsets, end-exclusive, and ``text == article[start:end]``.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

#: Lower-cased abbreviations (without the final dot) after which a dot does not end a sentence.
ABBREVIATIONS = frozenset("""
mr mrs ms dr prof gen lt col maj capt cpt sgt cmdr adm gov sen rep pres rev st mt ft no nos vs etc
jan feb mar apr jun jul aug sep sept oct nov dec approx dept est fig inc ltd co corp jr sr
e.g i.e cf al ca
""".split())

#: Words that start a new sentence after a dotted acronym such as "U.S.".
SENTENCE_OPENERS = frozenset("""
the a an he she it they we i his her its their this that these those but and in on at after before
meanwhile however earlier later also officials authorities
""".split())

#: The longest quotation (in characters) that can hold a sentence boundary of its own.
MAX_QUOTE = 300
_QUOTE_MARKS = re.compile(r'["“”]')
#: A single quote that opens a quotation (after a space or bracket, before a word) or closes one
#: (after a word or a sentence mark, before a space, punctuation or the end); "Don't" and "Kyiv's"
#: have letters on both sides and are neither.
_SINGLE_OPEN = re.compile(r"(?:(?<=^)|(?<=[\s(\[]))['‘](?=\w)")
_SINGLE_CLOSE = re.compile(r"(?<=[\w.!?,])['’](?=[\s.,;:!?)\]]|$)")
_BOUNDARY = re.compile(r"""[.!?]+["'”’)\]]*(?=\s+["'“‘(\[]?[A-Z0-9])""")
_PARAGRAPH = re.compile(r"\n[ \t]*\n\s*")
_WORD_CHAR = re.compile(r"[\w.'’-]")
_ACRONYM = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]")
_NEXT_WORD = re.compile(r"\s+[\"'“‘(]?([\w']+)")


def _word_before(text: str, dot: int) -> str | None:
    r"""The run of word characters, dots, apostrophes and hyphens that ends at ``dot`` -- what
    ``re.search(r"([\w.'’-]+)$", text[:dot])`` finds (``$`` also matches before a final newline),
    found by walking back from ``dot`` instead of scanning the text from its start."""
    end = dot
    if end > 0 and text[end - 1] == "\n":
        end -= 1  # "$" matches before a newline that ends the searched text
    start = end
    is_word = _WORD_CHAR.match
    while start > 0 and is_word(text, start - 1):
        start -= 1
    return text[start:end] if start < end else None


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence: its offsets in the article and its text."""

    start: int
    end: int
    text: str


def _is_abbreviation(text: str, dot: int) -> bool:
    """True when the "." at ``dot`` closes an abbreviation rather than a sentence."""
    word = _word_before(text, dot)
    if not word:
        return False
    word = word.lstrip("(\"'“‘")
    if not word:
        return False
    low = word.lower().rstrip(".")
    if low in ABBREVIATIONS:
        return True
    if len(word) == 1 and word.isupper():  # an initial: "John F. Kennedy"
        return True
    if _ACRONYM.fullmatch(word):  # "U.S", "e.g"
        nxt = _NEXT_WORD.match(text, dot + 1)
        return not (nxt and nxt.group(1).lower() in SENTENCE_OPENERS)
    return False


def split_sentences(text: str) -> list[Sentence]:
    """Split ``text`` into sentences with offsets; whitespace-only pieces are dropped.

    >>> [s.text for s in split_sentences('Gen. Smith met U.S. envoys. Talks "went well." Next?')]
    ['Gen. Smith met U.S. envoys.', 'Talks "went well."', 'Next?']
    """
    cuts: list[tuple[int, int]] = []  # (end of sentence, start of the next)
    for m in _PARAGRAPH.finditer(text):
        cuts.append((m.start(), m.end()))
    paragraph_starts = [0] + [m.end() for m in _PARAGRAPH.finditer(text)]
    for m in _BOUNDARY.finditer(text):
        first_dot = m.start()
        if text[first_dot] == "." and m.group(0).count(".") == 1 and _is_abbreviation(text, first_dot):
            continue
        if _inside_quote(text, paragraph_starts[bisect.bisect_right(paragraph_starts, first_dot) - 1], m.end()):
            continue
        cuts.append((m.end(), m.end()))
    cuts.sort()
    sentences: list[Sentence] = []
    pos = 0
    for end, nxt in cuts + [(len(text), len(text))]:
        if end < pos:
            continue
        _append(sentences, text, pos, end)
        pos = nxt
    return sentences


def _inside_quote(text: str, start: int, end: int) -> bool:
    """True when a quotation opened in ``text[start:end]`` (the paragraph up to a boundary) is
    still open at ``end`` and was opened at most ``MAX_QUOTE`` characters before."""
    opened = None
    for q in _QUOTE_MARKS.finditer(text, start, end):
        mark = q.group()
        if mark == "“" or (mark == '"' and opened is None):
            opened = q.start()
        else:
            opened = None
    if opened is not None:
        return end - opened <= MAX_QUOTE
    if text[end - 1] in "'’":
        return False  # "... 'we won.' Then": the boundary closes it
    single = None
    window = max(start, end - MAX_QUOTE)
    for q in _SINGLE_OPEN.finditer(text, window, end):
        single = q.start()
    if single is None:
        return False
    # open unless a closing mark follows it before the boundary's sentence mark
    return _SINGLE_CLOSE.search(text, single + 1, end) is None


def _append(out: list[Sentence], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        out.append(Sentence(start, end, text[start:end]))
