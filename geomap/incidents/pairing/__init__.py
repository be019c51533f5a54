"""Pairing: which place in a sentence is where the incident happened.

Every place mention in a sentence gets a *role* from the words around it (word lists in the
``[pairing]`` table of the taxonomy file):

==================  ===========================================================  =============
role                example                                                      incident place
==================  ===========================================================  =============
locative            "attacks **on Kyiv**", "**in the Black Sea**", "near Kherson"  yes
target              "hit **the Afipsky** refinery", "shelled Kherson"             yes
modifier            "the **Florida** meeting", "the Kyiv strike"                  yes
subject_place       "**Kherson** was shelled", "Istanbul hosted talks"            yes
possessive_place    "**Kharkiv's** power grid", "the country's airspace"          yes
to                  "travel **to Moscow**" (only for ``to_types``)                 yes
from                "stole cars **from Izium**" (only for ``from_types``)           yes
container           "... refinery in **Russia's Krasnodar region**"               region of the place it contains
speaker             "**Moldova** said", "Kyiv says", "according to Romania"       only as a fallback
actor / agent       "**Russia** launched", "used **by Russia**"                    no
origin              "drones launched **from** Crimea"                             no
owner / attributive "**Kyiv's** negotiating team", "**US** officials"              no
institution         "the **Kremlin** said" (unless "in/at the Kremlin")           no
person / name       "Marco **Rubio**", "the tanker **KAIRO**"                     no
demonym             "**Russian** drones" (context only)                          no
==================  ===========================================================  =============

A place joined to an earlier one by "and"/"," takes its role ("attacks on Kyiv and Odesa").
Anaphors ("the country's airspace", "throughout the country", "its territory") are resolved to the
nearest earlier country in the sentence (or the previous sentence), speaker included: "Moldova
said Russian drones had entered the country's airspace" pairs the airspace violation with Moldova.
A type that finds no place may fall back to the speaker when it is listed in
``speaker_fallback_types`` ("The intrusion, which Chisinau said ...").

A place pairs with type T only when no clause barrier ("while", "but", "as", ";", ...) stands
between it and a cue of T; a type with only weak cues needs the place right after or before the cue.
Three refinements:

* the object of a cue noun is a target ("shelling **of Nikopol**"), and a place in a prepositional
  phrase right after a point target describes it, it is no second incident ("Nikopol across the
  Dnipro");
* an impact type (``impact_types``: outages) shares the place of another type's cue when a result
  word stands between ("hit Lviv, **leaving** homes without power");
* a strong cue in a clause that names no place crosses the barrier to a place whose clause has a
  weak cue of its type ("a fire broke out ... in Bryansk; investigators suspect arson"), at a
  lower confidence.
"""

from __future__ import annotations

from .pairs import Pair, items_from_mentions, pair, pair_sentence
from .roles import Item, TokenizedSentence, assign_roles, geo_precision, resolve_anaphors

__all__ = ["Item", "Pair", "TokenizedSentence", "assign_roles", "geo_precision", "items_from_mentions", "pair",
           "pair_sentence", "resolve_anaphors"]
