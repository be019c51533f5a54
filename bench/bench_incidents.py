"""Incidents on real reports: the shared scorer's figures and an ablation table of the rule families.

* **dev set** (ACLED event notes, built by ``../shared/benchmarks/incidents/build_dev.py``; evaluation
  only, never in the repository): place recall, place+type recall and far-off incidents per 100
  records, as ``../shared/benchmarks/incidents/score.py`` computes them;
* **the project's example articles** (``geomap/data/examples``): incidents per type;
* **ablation**: each rule family switched off in turn, in a fresh interpreter, with its gain (the
  figure with the family minus the figure without it). A family that gains nothing anywhere is a
  candidate for removal.

Lexicon families are switched off by a copy of the taxonomy without their entries (through
``GEOMAP_DATA_DIR``); code families by replacing their function in the measuring process only; the
settlement family by an empty ``ua_settlements.json``, the spelling family by that file without
the spellings of its rules, the settlement points by an empty ``ua_points.json`` (war-report) or
``ua_postal_points.json`` (GeoNames postal codes), the Moldovan and Romanian villages by an empty
``postal_places.json`` (the gazetteer index is rebuilt once for each).

Run: ``python -m bench incidents [--dev PATH] [--no-ablation] [--only FAMILY]``; the dev set defaults
to ``$GEOMAP_INCIDENTS_DEV`` or ``/tmp/incidents-dev/acled-dev.jsonl``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("GEOMAP_SHARED_DIR") or ROOT.parent / "shared")
SCORER = SHARED / "benchmarks" / "incidents" / "score.py"
DEFAULT_DEV = Path(os.environ.get("GEOMAP_INCIDENTS_DEV") or "/tmp/incidents-dev/acled-dev.jsonl")
_FIGURES = re.compile(r"place ([\d.]+), place\+type ([\d.]+), far-off ([\d.]+) per 100")
#: The scorer's outcome counts: records placed right (with the right type, or not) and far-off incidents.
_OUTCOMES = re.compile(r"outcomes: ok (\d+),.*?place ok, wrong type (\d+).*?; (\d+) far-off incidents")

#: Rule families that live in the taxonomy: (table, key, entries to remove; None = all).
LEXICON_FAMILIES: dict[str, list[tuple[str, str, list[str] | None]]] = {
    "fired weapons (shelling)": [("types.shelling", "strong", [
        "fired ~ mortar*", "fired ~ artillery", "fired ~ rocket*", "fired ~ missile*", "fired ~ shell*",
        "fired ~ grenade*", "fired ~ himars", "fired ~ mlrs", "fired ~ grad*", "fired ~ howitzer*",
        "fired near", "fired on ~ positions", "fired at ~ positions", "fired ~ munition*",
        "fired ~ heavy weapon*", "rocket strike*", "rocket attack*", "shelled near"])],
    "dropped explosives, launched strikes (air)": [("types.air_strike", "strong", [
        "dropped ~ explosive*", "dropped ~ bomb*", "dropped ~ grenade*", "dropped ~ munition*",
        "drone* ~ dropped", "launched ~ missile*", "launched ~ missile strike*", "missile* ~ launched at",
        "struck near", "struck the area", "strikes near", "carried out ~ strike*", "conducted ~ strike*",
        "drop* ~ bomb*", "air and artillery strikes", "launched ~ strike*", "drone* ~ damag*",
        "air defen* ~ repel*", "air defen* ~ intercept*"])],
    "offensive ... repelled (ground)": [("types.ground_fighting", "strong", [
        "repulsed", "counterattack*", "counter-attack*", "attempted to advance", "attempted ~ assault*",
        "attacked ~ positions", "engaged in ~ offensive", "fighting continued", "gunfight*"]),
        ("pairing", "place_nouns", ["direction", "directions"])],
    "gathered / rallied (protest)": [("types.protest", "strong", [
        "gathered in", "gathered at", "gathered near", "gathered outside", "gathered on", "gathered in front",
        "gathered to", "staged ~ demonstration", "staged ~ protest", "staged ~ rally",
        "participated in ~ march", "took part in ~ march", "took part in ~ rally",
        "took part in ~ demonstration", "held ~ rally", "held ~ march", "motor rally", "car rally",
        "flash mob*", "flashmob*", "flower laying", "laid flowers", "commemorative ~ march",
        "concert-demonstration*"])],
    "new types (territory, explosives, civilians, looting)": [
        (f"types.{t}", "strong", None) for t in ("territory_change", "remote_explosive", "civilian_violence", "looting")],
    "fired at/in, destroyed depots, defused, rioted, ...": [
        ("types.shelling", "strong", [
            "fired in", "fired at", "fired on", "launched ~ shells", "launched ~ rockets", "observed ~ explosion*",
            "explosions ~ involving", "destroyed ~ depot*", "destroyed ~ column", "destroyed ~ convoy",
            "destroyed ~ artillery positions"]),
        ("types.air_strike", "strong", ["destroyed ~ drone*", "destroyed ~ aircraft", "destroyed ~ helicopter*"]),
        ("types.ground_fighting", "strong", [
            "positional battle*", "positional fighting", "battles took place", "attacked ~ troops",
            "attack on ~ positions", "forced to retreat"]),
        ("types.protest", "strong", [
            "concert-rally", "concert rally", "marched through", "marched on", "drove ~ through", "rioted",
            "blocked ~ road*", "blocked ~ highway*", "blocked ~ exit"]),
        ("types.remote_explosive", "strong", [
            "defused", "defusal", "controlled detonation*", "unexploded", "caused by ~ mine", "explosive ~ planted",
            "activated ~ munition*"]),
        ("types.civilian_violence", "strong", [
            "opened fire on ~ civilian*", "opened fire on ~ car*", "opened fire on ~ bus*", "shot at ~ car*",
            "shot at ~ column"]),
        ("types.looting", "strong", ["exported ~ grain", "confiscat*"])],
    "topic phrases": [("pairing", "topic_markers", None)],
    "'from' places looting and abductions": [("pairing", "from_types", None)],
}
#: Rule families in code: (module, function or pattern, replacement) -- the replacement switches
#: the rule off.
CODE_FAMILIES: dict[str, tuple[str, str, str]] = {
    "Place, Region convention": ("geomap.toponyms.resolve", "_regions_after_comma", "lambda *a, **k: None"),
    "Place (Region), Place village, Region": ("geomap.toponyms.resolve", "_CONTAINER_GAP", r"""re.compile(
        r"^(?:,\s*|\s+(?:(?!(?:and|or)\s(?!other\s))[a-z][a-z-]*\s+){0,4}(?:in|near|outside|of)\s+(?:the\s+)?)$")"""),
    "coordinated verbs": ("geomap.incidents.pairing.pairs", "_coordinated", "lambda *a, **k: False"),
    "quotes in sentence splitting": ("geomap.incidents.sentences", "_inside_quote", "lambda *a, **k: False"),
}
SETTLEMENTS = "KATOTTG settlements in the gazetteer"
SPELLINGS = "settlement spellings: soft 'yo', two-system names"
POINTS = "settlement points (war-report gazetteer)"
POSTAL = "settlement points (GeoNames postal codes)"
PLACES = "Moldovan and Romanian villages (GeoNames postal codes)"


def _without_extra_spellings(record: dict) -> dict:
    """A settlement record without the spellings of tools/build_settlements.py's 'yo' and
    two-system rules (each recognised from the record's own names and Cyrillic form)."""
    names = record["names"]
    words = [n.split(" ") for n in names[:2]]
    mixes = set()
    if len(names) >= 2 and all(len(w) == 2 for w in words):
        mixes = {f"{words[0][0]} {words[1][1]}", f"{words[1][0]} {words[0][1]}"} - set(names[:2])
    kept = [n for n in names if n not in mixes and not (
        "ьо" in record["uk"] and "yo" in n and n.replace("yo", "o") in names)]
    return {**record, "names": kept}


def _peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def score(dev: Path, pred: Path) -> tuple[float, float, float, int, int, int]:
    """(place, place+type, far-off per 100) by the shared scorer, then its counts: records placed
    within the radius, records placed with the right type, far-off incidents (the two-decimal
    figures hide a mechanism worth a few records)."""
    out = subprocess.run([sys.executable, str(SCORER), str(dev), str(pred)], capture_output=True, text=True,
                         check=True).stdout
    m, c = _FIGURES.search(out), _OUTCOMES.search(out)
    if m is None or c is None:  # pragma: no cover - the scorer changed its output
        raise RuntimeError(f"unexpected scorer output: {out[-300:]}")
    ok, wrong_type, far = (int(g) for g in c.groups())
    return float(m.group(1)), float(m.group(2)), float(m.group(3)), ok + wrong_type, ok, far


def extract_file(dev: Path, out: Path) -> float:
    """Extract the dev set into ``out`` (GeoJSON); returns seconds."""
    import geomap

    articles = list(geomap.read_articles([str(dev)]))
    t0 = time.perf_counter()
    gdf = geomap.extract(articles)
    seconds = time.perf_counter() - t0
    geomap.write_incidents(gdf, str(out))
    return seconds


def _without(toml_text: str, table: str, key: str, entries: list[str] | None) -> str:
    """The taxonomy text with ``entries`` (all when None) removed from ``[table] key``."""
    head = re.search(rf"^\[{re.escape(table)}\]\n", toml_text, re.M)
    if head is None:
        raise KeyError(table)
    body = re.compile(rf"^{re.escape(key)} = \[(.*?)\]", re.M | re.S)
    m = body.search(toml_text, head.end())
    if m is None:
        raise KeyError(f"{table}.{key}")
    if entries is None:
        kept = ""
    else:
        items = re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(1))
        missing = [e for e in entries if e not in items]
        if missing:
            raise KeyError(f"{table}.{key} lacks {missing}")
        kept = ", ".join(json.dumps(i) for i in items if i not in entries)
    return toml_text[:m.start()] + f"{key} = [{kept}]" + toml_text[m.end():]


def _data_copy(tmp: Path, family: str) -> Path:
    from geomap._paths import data_dir

    src = data_dir()
    dst = tmp / "data"
    shutil.copytree(src, dst, symlinks=True)
    if family in LEXICON_FAMILIES:
        path = dst / "incidents" / "taxonomy.toml"
        text = path.read_text(encoding="utf-8")
        for table, key, entries in LEXICON_FAMILIES[family]:
            text = _without(text, table, key, entries)
        path.write_text(text, encoding="utf-8")
    if family == SETTLEMENTS:
        (dst / "gazetteer" / "ua_settlements.json").write_text("[]\n", encoding="utf-8")
    if family in (POINTS, POSTAL, PLACES):
        name = {POINTS: "ua_points.json", POSTAL: "ua_postal_points.json", PLACES: "postal_places.json"}[family]
        (dst / "gazetteer" / name).write_text("[]\n", encoding="utf-8")
    if family == SPELLINGS:
        path = dst / "gazetteer" / "ua_settlements.json"
        records = [_without_extra_spellings(r) for r in json.loads(path.read_text(encoding="utf-8"))]
        path.write_text(json.dumps(records, ensure_ascii=False) + "\n", encoding="utf-8")
    return dst


def run_one(family: str, dev: str) -> None:
    """In a fresh interpreter: switch ``family`` off (or nothing for "all"), print the figures as JSON."""
    if family in CODE_FAMILIES:
        import importlib

        module, name, replacement = CODE_FAMILIES[family]
        setattr(importlib.import_module(module), name, eval(replacement))  # noqa: S307 - fixed strings above
    with tempfile.TemporaryDirectory() as tmp:
        pred = Path(tmp) / "pred.geojson"
        seconds = extract_file(Path(dev), pred)
        print(json.dumps({"figures": score(Path(dev), pred), "seconds": seconds, "rss": _peak_rss_mb()}))


def _measure(family: str, dev: Path) -> dict:
    env = dict(os.environ)
    with tempfile.TemporaryDirectory() as tmp:
        if family in LEXICON_FAMILIES or family in (SETTLEMENTS, SPELLINGS, POINTS, POSTAL, PLACES):
            env["GEOMAP_DATA_DIR"] = str(_data_copy(Path(tmp), family))
        code = f"import bench.bench_incidents as m; m.run_one({family!r}, {str(dev)!r})"
        out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"{family}: {out.stderr[-800:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def examples() -> None:
    import geomap
    from geomap._paths import data_path

    gdf = geomap.extract(list(geomap.read_articles([str(data_path("examples"))])))
    counts = Counter(gdf["incident_type"])
    print(f"example articles: {len(gdf)} incidents; " + ", ".join(f"{t} {n}" for t, n in sorted(counts.items())))


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench incidents", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dev", type=Path, default=DEFAULT_DEV)
    parser.add_argument("--no-ablation", action="store_true")
    parser.add_argument("--only", action="append", help="ablate only this family (repeatable)")
    args = parser.parse_args(argv)
    examples()
    if not args.dev.is_file() or not SCORER.is_file():
        print(f"dev set: not built ({args.dev}); see ../shared/benchmarks/incidents/README.md")
        return
    full = _measure("all", args.dev)
    p, pt, far, hits, typed, far_n = full["figures"]
    n = sum(1 for line in args.dev.open(encoding="utf-8") if line.strip())
    print(f"dev set ({n} records): place {p:.2f}, place+type {pt:.2f}, far-off {far:.1f} per 100 records; "
          f"extraction {n / full['seconds']:.0f} records/s, peak RSS {full['rss']:.0f} MB\n"
          f"  ({hits} records placed, {typed} of them with the right type; {far_n} far-off incidents)")
    if args.no_ablation:
        return
    families = args.only or [*LEXICON_FAMILIES, *CODE_FAMILIES, SETTLEMENTS, SPELLINGS, POINTS, POSTAL, PLACES]
    print(f"\n{'rule family switched off':<52} {'place':>6} {'p+type':>7} {'far/100':>8}   gain (place, p+type, "
          f"far-off)   gain in records (placed, typed; far-off incidents saved)")
    for family in families:
        q, qt, qfar, qhits, qtyped, qfar_n = _measure(family, args.dev)["figures"]
        print(f"{family:<52} {q:6.2f} {qt:7.2f} {qfar:8.1f}   {p - q:+.2f} {pt - qt:+.2f} {qfar - far:+.1f}"
              f"   {hits - qhits:+d}, {typed - qtyped:+d}; {qfar_n - far_n:+d}")


if __name__ == "__main__":
    main(sys.argv[1:])
