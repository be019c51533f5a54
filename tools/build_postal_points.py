"""More real points for Ukraine's approximate settlements, and Moldova's and Romania's villages, from
GeoNames' postal-code files (pinned commit).

After the war-report gazetteer (:mod:`tools.build_settlement_points`), about 19,000 villages are still
at their hromada's or raion's centre. GeoNames' postal-code dataset for Ukraine (CC BY 4.0; mirrored
with its licence kept by the public repository ``symerio/postal-codes-data``) lists about 29,500
post-office places with the Ukrainian name and a point; rows of accuracy 4 carry the point of the
GeoNames feature itself (accuracy 1 is an estimate, 3 a centroid: both ignored). This build takes
``data/geonames/UA.txt`` at one pinned commit (checked by sha256) and writes
``data/gazetteer/ua_postal_points.json``: KATOTTG id, lat and lon of each approximate settlement a
point matches and ``ua_points.json`` does not already place.

A point matches a settlement of the oblast whose polygon holds it, with the same Ukrainian name
(:func:`~tools.build_settlement_points.match_key`), chosen among namesakes as the war-report build
chooses (:func:`~tools.build_settlement_points.pick_settlement`: nearest to its current point, by a
margin, within a hromada's or raion's radius). Settlements two points put more than
:data:`~tools.build_settlement_points.SAME_POINT_KM` apart are left as they are.

The same commit's files for Moldova and Romania give villages that GeoNames' cities500 lacks
(:func:`new_places`): each distinct feature point inside the country's admin-1 polygons whose name
no cities500 place of the country has within :data:`KNOWN_KM`, once per name and neighbourhood;
written to ``data/gazetteer/postal_places.json`` (id, name, country, admin-1 code, lat, lon).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path

from geomap.gazetteer.names import name_key
from geomap.geometry import haversine_km

from .build_settlement_points import SAME_POINT_KM, fetch_pinned, match_key, pick_settlement

#: The source, pinned (data/README.md names the same with its licence).
SOURCE_URL = "https://github.com/symerio/postal-codes-data.git"
SOURCE_COMMIT = "3a94317a6192e7e576c078538dfe665048d42edf"
SOURCE_FILE = "data/geonames/UA.txt"
SOURCE_SHA256 = "c52b4eaf46cc993e3359da928726db886d7cdf0ed85f46766bacacf9df1ce640"
#: The same commit's files of the countries whose villages are added as places (path, sha256).
PLACE_FILES = {"MD": ("data/geonames/MD.txt", "8a0d8219118f8275ca825f233542707eecf2c53c6ebf8e9917603ce46f21690e"),
               "RO": ("data/geonames/RO.txt", "caccc97503146431219a5f616d41608f98c539654208e4e83607e4bb295ff485")}
#: GeoNames' postal accuracy code for "the point of a GeoNames feature".
FEATURE_ACCURACY = "4"
#: A postal place this close to a cities500 place of the same name is that place.
KNOWN_KM = 5.0


def fetch_postal(work_dir: Path, clone: Path | None = None, path: str = SOURCE_FILE,
                 sha256: str = SOURCE_SHA256) -> bytes:
    """A file at :data:`SOURCE_COMMIT` (``UA.txt`` unless told; see
    :func:`~tools.build_settlement_points.fetch_pinned`)."""
    return fetch_pinned(work_dir / "git-postal-codes-data", clone, SOURCE_URL, SOURCE_COMMIT, path, sha256,
                        "tools/build_postal_points.py")


def postal_points(text: str) -> list[tuple[str, float, float, str]]:
    """(place name, lat, lon, first postal code) of each distinct feature point in a GeoNames
    postal-code file (tab-separated: country, code, place, admin names and codes, lat, lon, accuracy)."""
    seen: dict[tuple[str, str, str], tuple[str, float, float, str]] = {}
    for line in text.splitlines():
        cols = line.split("\t")
        if len(cols) < 12 or cols[11].strip() != FEATURE_ACCURACY:
            continue
        try:
            lat, lon = float(cols[9]), float(cols[10])
        except ValueError:
            continue
        seen.setdefault((cols[2].strip(), cols[9], cols[10]), (cols[2].strip(), lat, lon, cols[1].strip()))
    return list(seen.values())


def new_places(points: Iterable[tuple[str, float, float, str]], country: str,
               known: dict[str, list[tuple[float, float]]],
               admin1_of: Callable[[list[tuple[float, float]]], list[tuple[str, str] | None]]
               ) -> tuple[list[dict], dict[str, int]]:
    """Places of ``country`` to add: feature points inside its admin-1 polygons whose name (its
    :func:`~geomap.gazetteer.names.name_key`) ``known`` (the country's cities500 points by name)
    has nowhere within :data:`KNOWN_KM`, the first of each name within
    :data:`~tools.build_settlement_points.SAME_POINT_KM`; and how many points ended how."""
    points = list(points)
    stats: dict[str, int] = defaultdict(int)
    kept: dict[str, list[tuple[float, float]]] = defaultdict(list)
    out = []
    for (name, lat, lon, code), held in zip(points, admin1_of([(lat, lon) for _, lat, lon, _ in points])):
        key = name_key(name)
        if not key:
            stats["no name"] += 1
        elif held is None or not held[1].startswith(f"{country}-"):
            stats["outside the country"] += 1
        elif any(haversine_km(lat, lon, *p) <= KNOWN_KM for p in known.get(key, ())):
            stats["a cities500 place"] += 1
        elif any(haversine_km(lat, lon, *p) <= SAME_POINT_KM for p in kept[key]):
            stats["repeated"] += 1
        else:
            kept[key].append((lat, lon))
            stats["added"] += 1
            out.append({"id": f"gnpostal:{country}:{code}:{key}", "name": name, "country": country,
                        "admin1_code": held[1], "lat": round(lat, 5), "lon": round(lon, 5)})
    return out, dict(stats)


def match_postal(points: Iterable[tuple[str, float, float, str]], settlements: list[dict],
                 placed: dict[str, tuple[float, float]],
                 oblast_of: Callable[[list[tuple[float, float]]], list[str | None]]
                 ) -> tuple[list[dict], dict[str, int], dict[str, list[float]]]:
    """Points for approximate settlements not in ``placed``; how many points ended how; and, as a
    check of source and matcher, the distances (km) to the point a settlement already has (GeoNames'
    own, or the war-report one ``placed`` gives by KATOTTG id)."""
    points = list(points)
    by_key: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for s in settlements:
        if s.get("kind") == "city":
            by_key[(s["admin1_code"], match_key(s["uk"]))].append(s)
    stats: dict[str, int] = defaultdict(int)
    hits: dict[str, list[tuple[float, float]]] = defaultdict(list)
    chosen: dict[str, dict] = {}
    for (name, lat, lon, _), code in zip(points, oblast_of([(lat, lon) for _, lat, lon, _ in points])):
        if code is None or not code.startswith("UA-"):
            stats["outside Ukraine's oblasts"] += 1
            continue
        found = by_key.get((code, match_key(name)))
        if not found:
            stats["no settlement of that name"] += 1
            continue
        best, how = pick_settlement((lat, lon), found)
        if best is None:
            stats[how] += 1
            continue
        hits[best["id"]].append((lat, lon))
        chosen[best["id"]] = best
    out, checks = [], {"own point": [], "war-report point": []}
    for sid, got in sorted(hits.items()):
        first = got[0]
        if any(haversine_km(*first, *p) > SAME_POINT_KM for p in got[1:]):
            stats["points disagree"] += len(got)
            continue
        rec = chosen[sid]
        if not rec.get("approx"):
            stats["settlement has its own point"] += len(got)
            checks["own point"].append(haversine_km(*first, rec["lat"], rec["lon"]))
        elif sid in placed:
            stats["settlement has a war-report point"] += len(got)
            checks["war-report point"].append(haversine_km(*first, *placed[sid]))
        else:
            stats["matched"] += len(got)
            out.append({"id": sid, "lat": round(first[0], 5), "lon": round(first[1], 5)})
    return out, dict(stats), checks


def build_postal_points(data_dir: Path, work_dir: Path, clone: Path | None = None) -> Path:
    """Write ``data/gazetteer/ua_postal_points.json`` from the pinned file, ``ua_settlements.json``
    and ``ua_points.json`` (build that first: ``--only points``), and ``postal_places.json`` from
    the Moldovan and Romanian files and cities500."""
    import json

    from geomap._atomic import write_text_atomic
    from geomap.gazetteer.index import _admin1_by_point

    from .build_data import _json_lines

    points = postal_points(fetch_postal(work_dir, clone).decode("utf-8"))
    settlements = json.loads((data_dir / "gazetteer" / "ua_settlements.json").read_text(encoding="utf-8"))
    war = {p["id"]: (p["lat"], p["lon"])
           for p in json.loads((data_dir / "gazetteer" / "ua_points.json").read_text(encoding="utf-8"))}

    def oblast_of(pts: list[tuple[float, float]]) -> list[str | None]:
        return [hit[1] if hit else None for hit in _admin1_by_point(pts)]

    out, stats, checks = match_postal(points, settlements, war, oblast_of)
    print(f"postal points: {len(points)} feature points; " + ", ".join(f"{k} {v}" for k, v in sorted(stats.items()))
          + f"; {len(out)} settlements get a point")
    for what, km in checks.items():
        if km:
            km.sort()
            print(f"  check against the {what}: {len(km)} settlements, median {statistics.median(km):.2f} km, "
                  f"90% within {km[int(0.9 * len(km))]:.2f} km, {sum(k > 5 for k in km)} beyond 5 km")
    target = data_dir / "gazetteer" / "ua_postal_points.json"
    write_text_atomic(target, _json_lines(out))
    places = []
    for country, (path, sha256) in PLACE_FILES.items():
        rows = postal_points(fetch_postal(work_dir, clone, path, sha256).decode("utf-8"))
        added, counts = new_places(rows, country, _cities500_points(country), _admin1_by_point)
        print(f"postal places {country}: {len(rows)} feature points; "
              + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
        places += added
    write_text_atomic(data_dir / "gazetteer" / "postal_places.json", _json_lines(places))
    return target


def _cities500_points(country: str) -> dict[str, list[tuple[float, float]]]:
    """The country's cities500 points by each of their names' keys (as the index reads cities500)."""
    from geomap.gazetteer.index import _city_chunks

    known: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for chunk in _city_chunks():
        for _gid, name, lat, lon, cc, _admin1, _population, alts in chunk:
            if cc == country:
                for key in {name_key(n) for n in (name, *alts)} - {""}:
                    known[key].append((float(lat), float(lon)))
    return known
