"""A hand-made geoparser for the incident tests: a small gazetteer of real places.

The real geoparser (geomap.geoparse) needs the gazetteer index; these tests exercise
classification, pairing, dates and merging on their own, so they find names with a regex over a
fixed table. The table also holds the kind of mistakes a geoparser makes (a ship named "Kairo"
read as Cairo, a surname read as a town) so the pairing rules are tested against them.
"""

from __future__ import annotations

import re

from geomap.models import Mention, Place


def _city(gid, name, lat, lon, cc, admin1, code):
    return Place(id=f"gn:{gid}", name=name, kind="city", lat=lat, lon=lon, country=cc, admin1=admin1,
                 admin1_code=code, geonameid=gid, source="test")


def _admin1(code, name, lat, lon, bbox):
    return Place(id=f"ne1:{code}", name=name, kind="admin1", lat=lat, lon=lon, bbox=bbox, country=code[:2],
                 admin1=name, admin1_code=code, source="test")


def _country(cc, name, lat, lon):
    return Place(id=f"cc:{cc}", name=name, kind="country", lat=lat, lon=lon, country=cc, source="test")


P = {
    "kyiv": _city(703448, "Kyiv", 50.4501, 30.5234, "UA", "Kyiv City", "UA-30"),
    "odesa": _city(698740, "Odesa", 46.4775, 30.7326, "UA", "Odessa Oblast", "UA-51"),
    "kherson": _city(706448, "Kherson", 46.6354, 32.6169, "UA", "Kherson Oblast", "UA-65"),
    "kharkiv": _city(706483, "Kharkiv", 49.9808, 36.2527, "UA", "Kharkiv Oblast", "UA-63"),
    "izmail": _city(707292, "Izmail", 45.3516, 28.8365, "UA", "Odessa Oblast", "UA-51"),
    "chisinau": _city(618426, "Chisinau", 47.0056, 28.8575, "MD", "Chisinau Municipality", "MD-CU"),
    "moscow": _city(524901, "Moscow", 55.7522, 37.6156, "RU", "Moscow", "RU-MOW"),
    "novorossiysk": _city(518255, "Novorossiysk", 44.7239, 37.7708, "RU", "Krasnodar Krai", "RU-KDA"),
    "tuapse": _city(480716, "Tuapse", 44.1053, 39.0802, "RU", "Krasnodar Krai", "RU-KDA"),
    "afipsky": _city(583010, "Afipskiy", 44.9047, 38.8419, "RU", "Krasnodar Krai", "RU-KDA"),
    "taganrog": _city(484907, "Taganrog", 47.2362, 38.8969, "RU", "Rostov Oblast", "RU-ROS"),
    "pokrovsk": _city(704508, "Pokrovsk", 48.2821, 37.1758, "UA", "Donetsk Oblast", "UA-14"),
    "novoselivka": _city(700960, "Novoselivka", 48.1640, 37.3080, "UA", "Donetsk Oblast", "UA-14"),
    "balakliia": _city(713174, "Balakliya", 49.4627, 36.8598, "UA", "Kharkiv Oblast", "UA-63"),
    "oleshky": _city(711390, "Oleshky", 46.6254, 32.7110, "UA", "Kherson Oblast", "UA-65"),
    "hola prystan": _city(707688, "Hola Prystan", 46.5246, 32.5196, "UA", "Kherson Oblast", "UA-65"),
    "paris": _city(2988507, "Paris", 48.8534, 2.3488, "FR", "Ile-de-France", "FR-IDF"),
    "istanbul": _city(745044, "Istanbul", 41.0138, 28.9497, "TR", "Istanbul", "TR-34"),
    "geneva": _city(2660646, "Geneva", 46.2022, 6.1457, "CH", "Geneva", "CH-GE"),
    "tbilisi": _city(611717, "Tbilisi", 41.6941, 44.8337, "GE", "Tbilisi", "GE-TB"),
    "galati": _city(677697, "Galati", 45.4353, 28.0080, "RO", "Galati", "RO-GL"),
    "tulcea": _city(664517, "Tulcea", 45.1716, 28.7914, "RO", "Tulcea", "RO-TL"),
    # a geoparser that reads "the Dnipro river" as the city of Dnipro: pairing must not place shelling there
    "dnipro": _city(709930, "Dnipro", 48.4500, 34.9833, "UA", "Dnipropetrovsk Oblast", "UA-12"),
    "cairo": _city(360630, "Cairo", 30.0626, 31.2497, "EG", "Cairo", "EG-C"),
    "rubio": _city(3629965, "Rubio", 7.7006, -72.3596, "VE", "Tachira", "VE-S"),
    "sandu": _city(1796236, "Sandu", 26.0, 114.0, "CN", "Hunan", "CN-HN"),
    "krasnodar region": _admin1("RU-KDA", "Krasnodar Krai", 45.3, 39.1, (36.6, 43.4, 41.8, 46.9)),
    "rostov region": _admin1("RU-ROS", "Rostov Oblast", 47.7, 41.0, (38.2, 45.9, 44.4, 50.3)),
    "donetsk region": _admin1("UA-14", "Donetsk Oblast", 48.0, 37.8, (36.5, 46.9, 39.0, 49.3)),
    "kharkiv region": _admin1("UA-63", "Kharkiv Oblast", 49.5, 36.5, (34.8, 48.5, 38.2, 50.5)),
    "florida": _admin1("US-FL", "Florida", 28.6, -82.4, (-87.6, 24.5, -80.0, 31.0)),
    "ukraine": _country("UA", "Ukraine", 49.0, 32.0),
    "russia": _country("RU", "Russia", 61.5, 105.3),
    "moldova": _country("MD", "Moldova", 47.2, 28.5),
    "romania": _country("RO", "Romania", 46.0, 25.0),
    "georgia": _country("GE", "Georgia", 42.0, 43.5),
    "turkey": _country("TR", "Turkey", 39.0, 35.0),
    "united states": _country("US", "United States", 39.8, -98.6),
    "us": _country("US", "United States", 39.8, -98.6),
    "france": _country("FR", "France", 46.6, 2.2),
    "britain": _country("GB", "United Kingdom", 54.0, -2.0),
    "germany": _country("DE", "Germany", 51.2, 10.4),
    "black sea": Place(id="water:black-sea", name="Black Sea", kind="water", lat=43.4, lon=34.0,
                       bbox=(27.4, 40.9, 41.8, 46.8), source="test"),
    "balkan": Place(id="phys:balkans", name="Balkans", kind="physical", lat=42.5, lon=22.0,
                    bbox=(13.0, 36.0, 30.0, 46.5), source="test"),
}
P["kremlin"] = P["moscow"]
P["kairo"] = P["cairo"]
DEMONYMS = {"ukrainian": P["ukraine"], "russian": P["russia"], "french": P["france"], "moldovan": P["moldova"],
            "romanian": P["romania"], "turkish": P["turkey"], "georgian": P["georgia"]}

_NAMES = sorted(list(P) + list(DEMONYMS), key=len, reverse=True)
_RE = re.compile(r"\b(" + "|".join(re.escape(n) for n in _NAMES) + r")\b", re.IGNORECASE)


def hand_geoparse(text: str) -> list[Mention]:
    """Every table name in ``text`` as a Mention ("US" only in capitals, like a real geoparser)."""
    out = []
    for m in _RE.finditer(text):
        key = m.group(1).lower()
        if key == "us" and m.group(1) != "US":
            continue
        if key in DEMONYMS:
            out.append(Mention(m.start(), m.end(), m.group(1), "demonym", DEMONYMS[key], 0.9))
        else:
            place = P[key]
            out.append(Mention(m.start(), m.end(), m.group(1), place.kind, place, 0.9))
    return out


def taxonomy_copy(tmp_path, old: str, new: str):
    """The bundled taxonomy with one edit (``old`` must be in it), written into ``tmp_path``."""
    from geomap.incidents.taxonomy import load_taxonomy

    text = load_taxonomy().path.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "taxonomy.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path
