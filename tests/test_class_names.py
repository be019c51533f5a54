"""Each class name in the package means one thing: two modules that define a class of the same
name (two ``Candidate``\\ s, two ``Sentence``\\ s) make a reader ask which one a signature means."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import geomap

PACKAGE = Path(geomap.__file__).resolve().parent


def class_homes() -> dict[str, list[str]]:
    homes: dict[str, list[str]] = defaultdict(list)
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.ClassDef):
                homes[node.name].append(str(path.relative_to(PACKAGE.parent)))
    return homes


def test_the_walk_sees_the_classes():
    homes = class_homes()
    assert homes["Report"] == ["geomap/incidents/merge.py"]
    assert homes["Candidate"] == ["geomap/gazetteer/__init__.py"]


def test_no_class_name_is_defined_twice():
    assert {name: where for name, where in class_homes().items() if len(where) > 1} == {}


def test_lexicon_names_mean_the_incident_lexicon_only():
    """The geoparser's word lists are WordLists/load_word_lists; Lexicon is the incidents' cues."""
    from geomap.incidents.lexicon import Lexicon, load_lexicon
    from geomap.toponyms.word_lists import WordLists, load_word_lists

    assert isinstance(load_lexicon(), Lexicon)
    assert isinstance(load_word_lists(), WordLists)
    defined = {p.relative_to(PACKAGE.parent).as_posix() for p in PACKAGE.rglob("*.py")
               if "def load_lexicon(" in p.read_text(encoding="utf-8")}
    assert defined == {"geomap/incidents/lexicon.py"}
