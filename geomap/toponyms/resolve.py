"""Resolution: choose the gazetteer entry each recognised name refers to.

Each candidate starts from its prior (prominence plus how its name matched, see
:func:`geomap.gazetteer.prominence`) and gains from the document's context:

- **containers** next to the name: "Paris, Texas", "Huliaipole in the Zaporizhzhia region",
  "Russia's Krasnodar region" — a candidate inside the named country or region
  (:func:`geomap.geometry.contains`) gains a lot; a name coordinated with the next phrase
  ("Moscow and officials in Idaho", but not "Moscow and other towns in Idaho") has no
  container there;
- **country support**: countries named in the document (directly, by demonym, or through
  unambiguous places) favour candidates in them ("Donetsk" in a Ukraine story);
- **region support**: admin-1 regions named in the document;
- **spatial coherence**: closeness to the document's other, already clear places.

Far-off homonyms (Odessa TX, Moscow ID, Florida in Cuba) lose unless the context asks for them.
"""

from __future__ import annotations

import math
import re
from collections import Counter

from ..gazetteer import Candidate
from ..geometry import contains, haversine_km, in_region_box
from ..models import Mention
from .recognize import RawMention

#: Context weights (added to a candidate's prior, which is on a log10-population scale).
W_CONTAINER = 5.0   # the name sits in a named container that holds this candidate
W_COUNTRY = 1.2     # per log(1 + mentions) of the candidate's country in the document
W_ADMIN1 = 1.5      # the candidate's admin-1 region is named in the document
W_ADMIN1_CHILD = 1.5  # an admin-1 candidate holds places the document names (at most twice)
W_NEAR = 1.5        # closeness to the document's clear places, decaying over NEAR_KM
NEAR_KM = 400.0
#: A pick with no support from the document (its country unnamed, nothing within FAR_KM) and
#: a weak prior is kept at reduced confidence: "the small Balkan nation" is not Balkan province.
FAR_KM = 2000.0
ISOLATION_PENALTY = 0.4
#: A pick is "clear" (usable as context) when it beats the runner-up by this much.
CLEAR_MARGIN = 1.0

#: What may stand between a name and its container: "X, Y", "X in Y", "X oil refinery in Y",
#: "X (Y)" -- the bracketed region of "Dubrovka (Leningrad Oblast)", as ACLED and many wires write;
#: never "and"/"or" ("between X and any city in Y": Y is the second phrase's place, not X's)
#: unless "other" follows ("X and other parts of Y": X is one of them).
_CONTAINER_GAP = re.compile(
    r"^(?:(?:\s+(?:village|town|city|settlement))?(?:,\s*|\s*\(\s*)"
    r"|\s+(?:(?!(?:and|or)\s(?!other\s))[a-z][a-z-]*\s+){0,4}(?:in|near|outside|of)\s+(?:the\s+)?)$")
#: The gaps of "Place, Region", "Place village, Region" and "Place (Region)": the region there
#: names no second place.
_REGION_GAP = re.compile(r"^(?:\s+(?:village|town|city|settlement))?\s*[,(]\s*$")


def _containers(text: str, raws: list[RawMention]) -> dict[int, list[int]]:
    """For each mention index, the indexes of mentions that name a container of it."""
    out: dict[int, list[int]] = {}
    for i, mention in enumerate(raws):
        if i + 1 < len(raws):
            nxt = raws[i + 1]
            if _CONTAINER_GAP.match(text[mention.end:nxt.start]):
                out.setdefault(i, []).append(i + 1)
                # "in Russia's Krasnodar region": the possessive owner contains the region too
                if nxt.possessive and i + 2 < len(raws) and text[nxt.end:raws[i + 2].start] in ("'s ", "’s "):
                    out[i].append(i + 2)
        if i > 0:
            prev = raws[i - 1]
            if prev.possessive and text[prev.end:mention.start] in ("'s ", "’s "):
                out.setdefault(i, []).append(i - 1)
    return out


def _score(cand: Candidate, raw: RawMention) -> float:
    score = cand.prior
    if raw.hint and cand.place.kind == raw.hint:
        score += 6.0
    return score


#: A weak span (a common word, a first name, a surname...) counts as a place only with support:
#: a container next to it, its region named elsewhere, or its country named and a place nearby.
SUPPORT_KM = 300.0


def _supported(i: int, raws: list[RawMention], picks, containers) -> bool:
    chosen = picks[i][0][1]
    if any(contains(outer.place, chosen.place) for j in containers.get(i, ()) for outer in raws[j].candidates):
        return True  # "Paris, Tenn.": the named container holds it
    if raws[i].weak == "common word":
        return False  # only a container (or a locative, checked earlier) makes "Union" a place
    place = picks[i][0][1].place
    if place.kind in ("country", "water", "physical"):
        return True
    others = [p[0][1].place for j, p in enumerate(picks) if j != i and raws[j].key != raws[i].key
              and raws[j].weak is None]
    if place.admin1_code and any(o.admin1_code == place.admin1_code and o.kind != "country" for o in others):
        return True
    same_country = [o for o in others if o.country == place.country]
    return len(same_country) >= 2 and any(
        haversine_km(place.lat, place.lon, o.lat, o.lon) <= SUPPORT_KM for o in same_country
        if o.kind not in ("country", "water", "physical"))


#: Without a container, context adds at most about this much to a candidate's prior, so
#: candidates further below the best prior can never win and are not scored.
MAX_CONTEXT_GAIN = 6.0
#: ... and of the rest, only this many with the highest priors ("Springfield" has dozens).
MAX_CANDIDATES = 30
#: Rounds of context: pass 1 reads context from the priors alone, pass 2 from pass 1.
PASSES = 2
#: Entries kept in a geoparser's cache of prepared names before it is emptied.
PREPARED_CACHE_SIZE = 100_000


def _prepared(raw: RawMention, has_container: bool, cache: dict[tuple, tuple]) -> tuple:
    """Scored candidates of a name and their coordinates, cached per (name, hint) in ``cache``
    (the geoparser's own: its entries come from its gazetteer)."""
    cache_key = (raw.key, raw.hint, has_container, raw.candidates[0].place.id if raw.candidates else None)
    hit = cache.get(cache_key)
    if hit is not None:
        return hit
    scored = [(_score(c, raw), c) for c in raw.candidates]
    if not has_container and len(scored) > 1:
        floor = max(sc for sc, _ in scored) - MAX_CONTEXT_GAIN
        scored = [sc for sc in scored if sc[0] >= floor]
        if len(scored) > MAX_CANDIDATES:
            scored = sorted(scored, key=lambda sc: -sc[0])[:MAX_CANDIDATES]
    # (score, candidate, country, admin-1 code, is it an admin-1 region) for the scoring loop
    flat = [(sc, c, c.place.country, c.place.admin1_code, c.place.kind == "admin1") for sc, c in scored]
    hit = (flat, [c.place.kind in ("city", "facility") for _, c in scored],
           [math.radians(c.place.lat) for _, c in scored], [math.radians(c.place.lon) for _, c in scored])
    if len(cache) > PREPARED_CACHE_SIZE:
        cache.clear()
    cache[cache_key] = hit
    return hit


def _near_gains(lats: list[float], lons: list[float], is_city: list[bool], anchors: list[tuple[float, float, float]]) -> list[float]:
    """For each candidate (radians), ``W_NEAR * exp(-d / NEAR_KM)`` of the great-circle distance
    ``d`` to the nearest anchor (lat, lon, cos lat in radians); 0 for a candidate that is not a
    city. Plain floats: numpy would cost every start-up its import for a few small vectors."""
    out = []
    for lat, lon, city in zip(lats, lons, is_city):
        if not city:
            out.append(0.0)
            continue
        cos_lat = math.cos(lat)
        # the haversine term is monotonic in the distance: the nearest anchor has the smallest
        h = min(math.sin((a_lat - lat) / 2) ** 2 + cos_lat * a_cos * math.sin((a_lon - lon) / 2) ** 2
                for a_lat, a_lon, a_cos in anchors)
        dist = 2 * 6371.0088 * math.asin(math.sqrt(min(max(h, 0.0), 1.0)))
        out.append(W_NEAR * math.exp(-dist / NEAR_KM))
    return out


_LIST_GO_ON = re.compile(r"^(?:,\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+)$")


def _regions_after_comma(text: str, raws: list[RawMention], picks: list, containers: dict[int, list[int]]) -> None:
    """"Vesele, Kherson", "Kramatorsk, Donetsk", "Nove, Kharkiv region", "Dubrovka (Leningrad
    Oblast)": a name after a place and a comma (or in brackets after it) that can be a region
    holding that place is that region (ACLED's and the wire
    services' "Village, Oblast"), never a second place -- unless a list goes on after it
    ("Kramatorsk, Donetsk and Kharkiv"). Updates ``picks`` in place."""
    for i, held in containers.items():
        for j in held:
            if j != i + 1 or not _REGION_GAP.match(text[raws[i].end:raws[j].start]):
                continue
            (_, chosen), _ = picks[i]
            (_, current), margin = picks[j]
            if current.place.kind in ("country", "admin1", "admin2") and contains(current.place, chosen.place):
                continue
            if j + 1 < len(raws) and _LIST_GO_ON.match(text[raws[j].end:raws[j + 1].start]) \
                    and raws[j + 1].candidates and not raws[j + 1].hint:
                continue
            regions = [c for c in raws[j].candidates if c.place.kind in ("admin1", "admin2") and contains(c.place, chosen.place)]
            if regions:
                best = max(regions, key=lambda c: (c.place.kind == "admin1", c.prior))
                picks[j] = ((picks[j][0][0], best), max(margin, CLEAR_MARGIN))
                continue
            # the region holds no place of that name: the gazetteer lacks it, and a namesake
            # elsewhere would be a false place; the report is located by its region instead --
            # unless a place of that name lies in the region's box: a border village that the
            # report (or the gazetteer) gives to the neighbouring region
            areas = [c for c in raws[j].candidates if c.place.kind == "admin1"]
            if areas and chosen.place.kind in ("city", "facility") and not any(
                    contains(a.place, c.place) for a in areas for c in raws[i].candidates):
                best = max(areas, key=lambda c: c.prior)
                picks[j] = ((picks[j][0][0], best), max(margin, CLEAR_MARGIN))
                nearby = [c for c in raws[i].candidates if in_region_box(best.place, c.place)]
                place = best if not nearby else chosen if chosen in nearby else max(nearby, key=lambda c: c.prior)
                picks[i] = ((picks[i][0][0], place), picks[i][1])


def resolve(text: str, raws: list[RawMention], cache: dict[tuple, tuple] | None = None) -> list[Mention]:
    """Turn recognised spans into resolved mentions, using the whole document as context.

    Mentions that repeat a name with the same hint and containers are resolved once, together;
    context counts distinct names, so ten "Russia"s do not outvote one "Texas". ``cache`` keeps
    prepared names across calls (a :class:`~geomap.toponyms.Geoparser` passes its own).
    """
    if not raws:
        return []
    if cache is None:
        cache = {}
    containers = _containers(text, raws)
    groups: dict[tuple, list[int]] = {}
    for i, raw in enumerate(raws):
        signature = (raw.key, raw.hint, tuple(raws[j].key for j in containers.get(i, ())))
        groups.setdefault(signature, []).append(i)
    keys = list(groups)
    members = [groups[k] for k in keys]
    first = [raws[m[0]] for m in members]
    outer = [[cand for j in containers.get(m[0], ()) for cand in raws[j].candidates] for m in members]
    prepared = [_prepared(raw, bool(out), cache) for raw, out in zip(first, outer)]
    base = [p[0] for p in prepared]
    is_city = [p[1] for p in prepared]
    rad = [(p[2], p[3]) for p in prepared]

    def pick(scored):
        best = max(scored, key=lambda sc: sc[0])
        ties = [sc for sc in scored if sc[0] == best[0]]
        if len(ties) > 1:
            best = min(ties, key=lambda sc: sc[1].place.id)
        second = max((sc[0] for sc in scored if sc is not best), default=None)
        return best, (best[0] - second if second is not None else 10.0)

    picks = [pick([(sc, c) for sc, c, *_ in scored]) for scored in base]
    near_cache: dict[tuple, list[float]] = {}
    for _ in range(PASSES):
        countries: Counter[str] = Counter()
        admin1s: Counter[str] = Counter()
        anchors: list[tuple[str, float, float, float]] = []
        for g, ((_, cand), margin) in enumerate(picks):
            place = cand.place
            clear = margin >= CLEAR_MARGIN or place.kind == "country"
            if not clear or place.country is None:
                continue
            countries[place.country] += 1
            if place.admin1_code:
                admin1s[place.admin1_code] += 1
            if place.kind in ("city", "admin1", "facility"):
                lat = math.radians(place.lat)
                anchors.append((first[g].key, lat, math.radians(place.lon), math.cos(lat)))
        new_picks = []
        for g, scored in enumerate(base):
            if len(scored) == 1:  # nothing to choose between
                new_picks.append(picks[g])
                continue
            own_place = picks[g][0][1].place
            near_list = None
            if anchors and any(is_city[g]):
                others = tuple(a[1:] for a in anchors if a[0] != first[g].key)
                if others:
                    signature = (g, others)
                    if signature not in near_cache:  # the anchors often stay the same in pass 2
                        near_cache[signature] = _near_gains(rad[g][0], rad[g][1], is_city[g], list(others))
                    near_list = near_cache[signature]
            rescored = []
            own_country, own_admin1 = own_place.country, own_place.admin1_code
            city_flags = is_city[g]
            containers_of = outer[g]
            for k, (score, cand, country, admin1_code, is_admin1) in enumerate(scored):
                if country:
                    support = countries[country] - (own_country == country)
                    if support > 0:
                        score += W_COUNTRY * math.log1p(support)
                if admin1_code:
                    if not is_admin1:
                        if admin1s[admin1_code]:
                            score += W_ADMIN1
                    else:
                        children = admin1s[admin1_code] - (own_admin1 == admin1_code)
                        score += W_ADMIN1_CHILD * min(2, children)
                if near_list is not None and city_flags[k]:
                    score += near_list[k]
                if containers_of and any(contains(o.place, cand.place) for o in containers_of):
                    score += W_CONTAINER
                rescored.append((score, cand))
            new_picks.append(pick(rescored))
        picks = new_picks

    # back from groups to mentions, in text order
    by_mention: list = [None] * len(raws)
    for g, m in enumerate(members):
        for i in m:
            by_mention[i] = picks[g]
    picks = by_mention
    _regions_after_comma(text, raws, picks, containers)
    keep = [raw.weak is None or _supported(i, raws, picks, containers) for i, raw in enumerate(raws)]
    raws = [raw for raw, k in zip(raws, keep) if k]
    picks = [p for p, k in zip(picks, keep) if k]
    mentions = []
    all_anchors = [(raw.key, p[0][1].place.lat, p[0][1].place.lon) for raw, p in zip(raws, picks)]
    country_counts = Counter(p[0][1].place.country for p in picks)
    for raw, ((_score, cand), margin) in zip(raws, picks):
        resolution = 1.0 / (1.0 + math.exp(-2.0 * margin))
        place = cand.place
        if place.kind not in ("country", "water") and not raw.demonym and not raw.locative \
                and country_counts[place.country] <= 1 and cand.prior < 6.5:
            nearest = min((haversine_km(place.lat, place.lon, lat, lon) for key, lat, lon in all_anchors
                           if key != raw.key), default=0.0)
            if nearest > FAR_KM:
                resolution *= ISOLATION_PENALTY
        kind = "demonym" if (raw.demonym or cand.match == "demonym") else cand.place.kind
        mentions.append(Mention(start=raw.start, end=raw.end, text=raw.text, kind=kind, place=cand.place,
                                confidence=round(raw.confidence * resolution, 3)))
    return mentions
