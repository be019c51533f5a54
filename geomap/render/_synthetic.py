"""Synthetic incidents and outlines for the map benchmarks and tests (never for real maps).

The places are real (Kyiv, Krasnodar Krai, the Black Sea, Chisinau, Paris, ...) with their region
columns filled as ``geomap extract`` fills them; the outlines are rough boxes around them.
"""

from __future__ import annotations

import datetime as _dt
import random
from pathlib import Path
from typing import Any

from ..incidents.taxonomy import INCIDENT_TYPES
from ..models import INCIDENT_COLUMNS

#: name, kind, lat, lon, country, country_name, region, region_code, water, geo_precision
PLACES: tuple[tuple[Any, ...], ...] = (
    ("Kyiv", "city", 50.45, 30.52, "UA", "Ukraine", "Kyiv City", "UA-30", None, 1),
    ("Odesa", "city", 46.48, 30.73, "UA", "Ukraine", "Odesa Oblast", "UA-51", None, 1),
    ("Krasnodar", "city", 45.04, 38.98, "RU", "Russia", "Krasnodar Krai", "RU-KDA", None, 1),
    ("Novorossiysk", "city", 44.72, 37.77, "RU", "Russia", "Krasnodar Krai", "RU-KDA", None, 1),
    ("Krasnodar Krai", "admin1", 45.3, 39.4, "RU", "Russia", "Krasnodar Krai", "RU-KDA", None, 3),
    ("Black Sea", "water", 43.4, 34.0, None, None, None, None, "Black Sea", 3),
    ("Chisinau", "city", 47.01, 28.86, "MD", "Moldova", "Chisinau", "MD-CU", None, 1),
    ("Paris", "city", 48.857, 2.352, "FR", "France", "Ile-de-France", "FR-IDF", None, 1),
)

#: code, name, country, (west, south, east, north)
COUNTRY_BOXES = (
    ("UA", "Ukraine", "UA", (22.1, 44.4, 40.2, 52.4)),
    ("RU", "Russia", "RU", (27.0, 41.2, 60.0, 70.0)),
    ("MD", "Moldova", "MD", (26.6, 45.5, 30.1, 48.5)),
    ("FR", "France", "FR", (-4.8, 42.3, 8.2, 51.1)),
)
ADMIN1_BOXES = (
    ("UA-30", "Kyiv City", "UA", (30.2, 50.2, 30.8, 50.6)),
    ("UA-51", "Odesa Oblast", "UA", (28.2, 45.2, 31.0, 47.8)),
    ("RU-KDA", "Krasnodar Krai", "RU", (36.6, 43.4, 41.7, 46.9)),
    ("MD-CU", "Chisinau", "MD", (28.6, 46.9, 29.1, 47.2)),
    ("FR-IDF", "Ile-de-France", "FR", (1.4, 48.1, 3.6, 49.3)),
)
WATER_BOXES = (("Black Sea", "Black Sea", None, (27.5, 41.0, 41.5, 46.6)),)

_SENTENCES = {
    "air_strike": "Drones struck an oil depot in {place} overnight, the governor said",
    "shelling": "Artillery shelled the outskirts of {place}, officials reported",
    "naval_attack": "A sea drone attacked a tanker near {place}",
    "airspace_violation": "A drone crossed into the airspace over {place}",
    "ground_fighting": "Troops repelled an assault near {place}",
    "sabotage": "Saboteurs set fire to a relay cabinet in {place}",
    "infrastructure_outage": "Thousands were left without power in {place}",
    "law_enforcement": "Police detained two suspects in {place}",
    "protest": "Hundreds protested in {place}",
    "diplomacy": "Ministers met for talks in {place}",
    "territory_change": "Troops withdrew from {place}",
    "remote_explosive": "A car ran over a landmine near {place}",
    "civilian_violence": "Soldiers abducted a teacher in {place}",
    "looting": "Soldiers looted shops in {place}",
}


def synthetic_incidents(n: int, *, seed: int = 1, days: int = 10,
                        start: _dt.date = _dt.date(2024, 3, 1), jitter: float = 0.0) -> Any:
    """``n`` incidents spread over :data:`PLACES`, every type and ``days`` days.

    With ``jitter`` (degrees) points scatter around their place, as a large realistic set would.
    Sentences are distinct per incident, so the page's string table cannot fold them.
    """
    import geopandas as gpd
    import pandas as pd
    from shapely.geometry import Point

    rng = random.Random(seed)
    rows = []
    for i in range(n):
        name, kind, lat, lon, cc, cname, region, rcode, water, gp = PLACES[i % len(PLACES)]
        itype = INCIDENT_TYPES[(i // len(PLACES)) % len(INCIDENT_TYPES)]
        if jitter:
            lat += rng.uniform(-jitter, jitter)
            lon += rng.uniform(-jitter, jitter)
        date = (start + _dt.timedelta(days=i % days)).isoformat()
        article = i // 3
        rows.append({
            "id": f"syn-{i:07d}", "incident_type": itype, "place": name, "place_id": f"syn:{name}",
            "mention": name, "kind": kind, "lat": lat, "lon": lon, "country": cc, "country_name": cname,
            "region": region, "region_code": rcode, "water": water, "geo_precision": gp, "date": date,
            "date_precision": 1,
            "sentence": _SENTENCES[itype].format(place=name) + f" (report {i}).",
            "source": f"articles/a{article:06d}.txt", "title": f"Daily report {article}",
            "url": f"https://news.example.org/{article}", "confidence": 0.8, "geonameid": None,
            "sources": [f"articles/a{article:06d}.txt"], "reports": 1 + i % 3,
        })
    frame = pd.DataFrame(rows, columns=list(INCIDENT_COLUMNS))
    return gpd.GeoDataFrame(frame, geometry=[Point(r["lon"], r["lat"]) for r in rows], crs="EPSG:4326")


def write_synthetic_outlines(folder: str | Path) -> Path:
    """Write box outlines as ``countries.parquet``, ``admin1.parquet`` and ``water.parquet``."""
    import geopandas as gpd
    from shapely.geometry import box

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name, boxes in (("countries", COUNTRY_BOXES), ("admin1", ADMIN1_BOXES), ("water", WATER_BOXES)):
        frame = gpd.GeoDataFrame(
            {"id": [f"syn:{code}" for code, *_ in boxes], "code": [code for code, *_ in boxes],
             "name": [b[1] for b in boxes], "country": [b[2] for b in boxes]},
            geometry=[box(*b[3]) for b in boxes], crs="EPSG:4326")
        frame.to_parquet(folder / f"{name}.parquet")
    return folder
