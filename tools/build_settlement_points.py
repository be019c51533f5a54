"""Real points for Ukraine's approximate settlements, from a war-report gazetteer (pinned commit).

KATOTTG has no coordinates, so ``ua_settlements.json`` puts 25,875 villages that GeoNames'
cities500 lacks at their hromada's or raion's centre. The public repository
``nuclearfall/warreport_ua_settlement_aliases`` (GPL-2.0) lists about 8,600 front-line places
with a point (from OpenStreetMap/Wikidata), a romanised name, aliases and the oblast as free text.
This build takes that CSV at one pinned commit (file checked by sha256) and writes
``data/gazetteer/ua_points.json``: only derived facts (KATOTTG id, lat, lon, Wikidata id) for the
approximate settlements a row matches, so ``ua_settlements.json`` stays as it is.

A row matches a settlement of the same oblast (the row's region text read through the admin-1
layer's names) whose spellings hold the row's name (else one of its aliases; junk aliases are
ignored); among several, the one whose current point (its hromada's or raion's centre) is nearest,
clearly nearer than the next. It is taken only when that point is within a sane distance
(:data:`MAX_KM`) of the row's point and the row's point lies inside the oblast's polygon (or
within :data:`BORDER_KM` of it: the simplified outlines put border villages a few hundred metres
into Russia or the sea).
Settlements two rows give points far apart are left approximate.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import subprocess
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path

from geomap.gazetteer.names import name_key
from geomap.geometry import haversine_km

#: The source, pinned (data/README.md names the same with its licence).
SOURCE_URL = "https://github.com/nuclearfall/warreport_ua_settlement_aliases.git"
SOURCE_COMMIT = "ae5c4836ed9018e4c5ac1c39fafa5310dc8cfac8"
SOURCE_FILE = "warreport_ua_settlement_aliases.csv"
SOURCE_SHA256 = "553eaef8510140377c66384cbeac1af8af1d585676549f29ff5a656ba0e4dd7b"

#: OSM place kinds that are settlements (suburbs, neighbourhoods and unpopulated localities are not).
PLACE_KINDS = frozenset({"city", "town", "village", "hamlet", "settlement", "urban type settlement"})
#: How far the row's point may lie from the settlement's approximate point (its hromada's or
#: raion's centre): about a hromada's or a raion's radius.
MAX_KM = {"hromada": 40.0, "raion": 80.0, None: 40.0}
#: Among same-name settlements, the nearest must be this much nearer than the next.
MARGIN_KM = 5.0
#: Two rows for one settlement must agree this closely.
SAME_POINT_KM = 2.0
#: How far outside its oblast's (simplified) polygon a row's point may lie.
BORDER_KM = 2.0
_ALIAS = re.compile(r"^[^\W\d_]+(?:[ '’ʼ-][^\W\d_]+){0,3}$")
_CYRILLIC = re.compile(r"[а-яёіїєґ]", re.I)


def fetch_csv(work_dir: Path, clone: Path | None = None) -> bytes:
    """The CSV at :data:`SOURCE_COMMIT`, from a local clone (bare or not) or fetched from
    :data:`SOURCE_URL` into ``work_dir``; checked against :data:`SOURCE_SHA256`."""
    return fetch_pinned(work_dir / "git-warreport_ua_settlement_aliases", clone, SOURCE_URL, SOURCE_COMMIT,
                        SOURCE_FILE, SOURCE_SHA256, "tools/build_settlement_points.py")


def fetch_pinned(cache: Path, clone: Path | None, url: str, commit: str, path: str, sha256: str,
                 pin_in: str) -> bytes:
    """One file at one commit of a public Git repository, from a local clone (bare or not) or
    fetched from ``url`` into the bare repository ``cache``; checked against ``sha256`` (the pin
    lives in ``pin_in``, which the error names)."""
    if clone is None:
        clone = cache
        if not (clone / "HEAD").exists():
            clone.mkdir(parents=True, exist_ok=True)
            subprocess.run(["git", "init", "--quiet", "--bare", str(clone)], check=True)
        has = subprocess.run(["git", "-C", str(clone), "cat-file", "-e", f"{commit}^{{commit}}"],
                             capture_output=True)
        if has.returncode != 0:
            subprocess.run(["git", "-C", str(clone), "fetch", "--quiet", "--depth", "1", url, commit], check=True)
    data = subprocess.run(["git", "-C", str(clone), "show", f"{commit}:{path}"],
                          check=True, capture_output=True).stdout
    digest = hashlib.sha256(data).hexdigest()
    if digest != sha256:
        raise SystemExit(f"{path} at {commit} has sha256 {digest}, not the pinned {sha256}: "
                         f"check the source before updating the pin in {pin_in}")
    return data


def match_key(name: str) -> str:
    """A name as matching compares it: Cyrillic against a settlement's Ukrainian form (case,
    apostrophes and ё folded), Latin against its spellings (:func:`name_key`)."""
    if _CYRILLIC.search(name):
        low = name.strip().lower().replace("ё", "е")
        return "uk:" + re.sub(r"[’'ʼ`]", "", re.sub(r"\s+", " ", low))
    return name_key(name)


def region_table(admin1_rows: Iterable[dict]) -> dict[str, str]:
    """Every name of a Ukrainian admin-1 region (name_key) -> its ISO 3166-2 code; a name two
    regions share (Kyiv: the oblast and the city) is dropped."""
    codes: dict[str, set[str]] = defaultdict(set)
    for row in admin1_rows:
        code = row.get("code") or ""
        if code.startswith("UA-"):
            for name in [row["name"], *(row.get("alt_names") or ())]:
                codes[name_key(name)].add(code)
    return {key: next(iter(found)) for key, found in codes.items() if len(found) == 1}


def region_code(text: str, table: dict[str, str]) -> str | None:
    """The ISO code of a region written "kharkiv region", "kherson oblast", "crimea", ..."""
    key = name_key(text)
    if key in table:
        return table[key]
    for word in (" region", " oblast"):
        if key.endswith(word):
            return table.get(key[: -len(word)])
    return None


def _aliases(row: dict) -> list[str]:
    """The row's aliases that look like a place name (one to four words of letters)."""
    return [a for a in (p.strip() for p in (row.get("aliases") or "").split(";")) if _ALIAS.match(a)]


def _point(row: dict) -> tuple[float, float] | None:
    try:
        lat, lon = float(row["lat"]), float(row["lon"])
    except (KeyError, TypeError, ValueError):
        return None
    return (lat, lon) if -90 <= lat <= 90 and -180 <= lon <= 180 else None


def pick_settlement(point: tuple[float, float], candidates: list[dict]) -> tuple[dict | None, str]:
    """The candidate whose current point is nearest, clearly nearer than the next, and close."""
    ranked = sorted((haversine_km(*point, c["lat"], c["lon"]), c["id"], c) for c in candidates)
    best_km, _, best = ranked[0]
    if len(ranked) > 1 and ranked[1][0] - best_km < MARGIN_KM:
        return None, "ambiguous"
    if best_km > MAX_KM.get(best.get("approx"), MAX_KM[None]):
        return None, "far"
    return best, "matched"


def match_points(rows: Iterable[dict], settlements: list[dict], regions: dict[str, str],
                 in_oblast: Callable[[list[tuple[float, float]], list[str]], list[bool]]
                 ) -> tuple[list[dict], dict[str, int]]:
    """Points for approximate settlements, and how many rows ended how (module docstring).

    ``in_oblast(points, codes)`` says whether each (lat, lon) lies in (or within
    :data:`BORDER_KM` of) the admin-1 region of that ISO code.
    """
    by_key: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for s in settlements:
        if s.get("kind") != "city":
            continue
        for key in {match_key(n) for n in s["names"]} | {match_key(s["uk"])}:
            by_key[(s["admin1_code"], key)].append(s)
    stats: dict[str, int] = defaultdict(int)
    picked: list[tuple[dict, dict, tuple[float, float]]] = []
    for row in rows:
        point, code = _point(row), region_code(row.get("region") or "", regions)
        if (row.get("place") or "").strip() not in PLACE_KINDS:
            stats["not a settlement"] += 1
            continue
        if point is None or code is None:
            stats["no point or region"] += 1
            continue
        found = {s["id"]: s for s in by_key.get((code, match_key(row.get("name") or "")), ())}
        if not found:
            for alias in _aliases(row):
                found.update((s["id"], s) for s in by_key.get((code, match_key(alias)), ()))
        if not found:
            stats["no settlement of that name"] += 1
            continue
        best, how = pick_settlement(point, list(found.values()))
        if best is None:
            stats[how] += 1
            continue
        picked.append((row, best, point))
    inside = in_oblast([p for _, _, p in picked], [best["admin1_code"] for _, best, _ in picked])
    by_id: dict[str, list[tuple[dict, tuple[float, float]]]] = defaultdict(list)
    for (row, best, point), held in zip(picked, inside):
        if not held:
            stats["outside the oblast"] += 1
        elif not best.get("approx"):
            stats["settlement has its own point"] += 1
        else:
            by_id[best["id"]].append((row, point))
    out = []
    for sid, hits in sorted(by_id.items()):
        first = hits[0][1]
        if any(haversine_km(*first, *p) > SAME_POINT_KM for _, p in hits[1:]):
            stats["rows disagree"] += len(hits)
            continue
        stats["matched"] += len(hits)
        wikidata = next((r["wikidata"].strip() for r, _ in hits if re.fullmatch(r"\s*Q\d+\s*", r.get("wikidata") or "")),
                        None)
        out.append({"id": sid, "lat": round(first[0], 5), "lon": round(first[1], 5), "wikidata": wikidata})
    return out, dict(stats)


def _oblast_test(data_dir: Path) -> Callable[[list[tuple[float, float]], list[str]], list[bool]]:
    """:func:`match_points`' ``in_oblast`` on the admin-1 polygons, distances in a plane with
    longitudes scaled to Ukraine's middle latitude (under 10% off across the country)."""
    import math

    import geopandas
    import shapely

    frame = geopandas.read_parquet(data_dir / "regions" / "admin1.parquet", columns=["code", "geometry"])
    scale = math.cos(math.radians(48.5))

    def flat(geom):
        return shapely.transform(geom, lambda xy: xy * (scale, 1.0))

    shapes = {code: flat(geom) for code, geom in zip(frame["code"], frame.geometry) if isinstance(code, str) and code.startswith("UA-")}

    def in_oblast(points: list[tuple[float, float]], codes: list[str]) -> list[bool]:
        return [code in shapes and shapes[code].distance(shapely.Point(lon * scale, lat)) * 111.2 <= BORDER_KM
                for (lat, lon), code in zip(points, codes)]

    return in_oblast


def build_settlement_points(data_dir: Path, work_dir: Path, clone: Path | None = None) -> Path:
    """Write ``data/gazetteer/ua_points.json`` from the pinned CSV and ``ua_settlements.json``."""
    import json

    import pyarrow.parquet as pq

    from geomap._atomic import write_text_atomic

    from .build_data import _json_lines

    rows = list(csv.DictReader(io.StringIO(fetch_csv(work_dir, clone).decode("utf-8"))))
    settlements = json.loads((data_dir / "gazetteer" / "ua_settlements.json").read_text(encoding="utf-8"))
    admin1 = pq.read_table(data_dir / "regions" / "admin1.parquet", columns=["name", "code", "alt_names"]).to_pylist()
    points, stats = match_points(rows, settlements, region_table(admin1), _oblast_test(data_dir))
    print(f"settlement points: {len(rows)} rows; " + ", ".join(f"{k} {v}" for k, v in sorted(stats.items()))
          + f"; {len(points)} settlements get a point")
    out = data_dir / "gazetteer" / "ua_points.json"
    write_text_atomic(out, _json_lines(points))
    return out
