"""Real points for approximate settlements (tools/build_settlement_points.py): the matcher on rows
and settlements written here, and the index built from the shipped ``ua_points.json``."""

from __future__ import annotations

import hashlib
import json
import subprocess

import pytest

import tools.build_settlement_points as points_build
from geomap._paths import data_path
from geomap.gazetteer import load_gazetteer
from geomap.geometry import haversine_km
from tools.build_settlement_points import match_key, match_points, region_code, region_table

REGIONS = region_table([
    {"code": "UA-23", "name": "Zaporizhzhia", "alt_names": ["Zaporizhia", "Zaporozh'ye"]},
    {"code": "UA-65", "name": "Kherson", "alt_names": ["Kherson Oblast"]},
    {"code": "UA-32", "name": "Kyiv", "alt_names": []},
    {"code": "UA-30", "name": "Kyiv City", "alt_names": ["Kyiv"]},
    {"code": "RU-ROS", "name": "Rostov", "alt_names": []},
])


def village(sid, uk, names, lat, lon, *, oblast="UA-23", approx="hromada"):
    rec = {"id": f"katottg:{sid}", "uk": uk, "names": names, "kind": "city", "admin1_code": oblast,
           "lat": lat, "lon": lon}
    if approx:
        rec["approx"] = approx
    return rec


def row(name, lat, lon, *, aliases="", region="zaporizhzhia region", place="village", wikidata="Q1"):
    return {"name": name, "aliases": aliases, "place": place, "wikidata": wikidata, "region": region,
            "group": "", "usage": "0", "lon": str(lon), "lat": str(lat), "cid": "0"}


def oblast_box(points, codes):
    """A stand-in for the polygons: Zaporizhzhia oblast is everything north of 46.5."""
    return [code == "UA-23" and lat > 46.5 for (lat, _), code in zip(points, codes)]


def test_region_text_reads_through_the_admin1_names():
    assert region_code("zaporizhzhia region", REGIONS) == "UA-23"
    assert region_code("Zaporizhia Region", REGIONS) == "UA-23"
    assert region_code("kherson oblast", REGIONS) == "UA-65"
    assert region_code("kyiv region", REGIONS) is None  # the oblast and the city share the name
    assert region_code("<region>", REGIONS) is None
    assert "rostov" not in REGIONS  # Ukrainian regions only


def test_cyrillic_names_compare_case_apostrophes_and_yo_folded():
    assert match_key("Мар’янівка") == match_key("мар'янівка") == match_key("МАРʼЯНІВКА")
    assert match_key("Зелёное  Поле") == match_key("зеленое поле")
    assert match_key("Pisky-Radkivski") == match_key("pisky radkivski")


def test_an_unambiguous_name_in_the_oblast_gets_the_row_point():
    settlements = [village("A1", "Степове", ["Stepove", "Stepovoe"], 47.50, 35.50),
                   village("B1", "Степове", ["Stepove", "Stepovoe"], 47.50, 35.50, oblast="UA-65")]
    points, stats = match_points([row("stepove", 47.60, 35.60, wikidata="Q42")], settlements, REGIONS, oblast_box)
    assert points == [{"id": "katottg:A1", "lat": 47.6, "lon": 35.6, "wikidata": "Q42"}]
    assert stats == {"matched": 1}


def test_same_name_villages_take_the_nearest_centre_only_when_it_is_clearly_nearest():
    settlements = [village("N1", "Лугове", ["Luhove"], 47.50, 35.50),
                   village("N2", "Лугове", ["Luhove"], 48.20, 36.40)]
    points, _ = match_points([row("luhove", 47.55, 35.52)], settlements, REGIONS, oblast_box)
    assert [p["id"] for p in points] == ["katottg:N1"]
    # two namesakes at one hromada centre: no way to tell them apart
    twins = [village("T1", "Лугове", ["Luhove"], 47.50, 35.50), village("T2", "Лугове", ["Luhove"], 47.50, 35.50)]
    points, stats = match_points([row("luhove", 47.55, 35.52)], twins, REGIONS, oblast_box)
    assert points == [] and stats == {"ambiguous": 1}


def test_a_point_far_from_the_centre_or_outside_the_oblast_is_rejected():
    settlements = [village("F1", "Дальнє", ["Dalnie"], 47.50, 35.50)]
    far = row("dalnie", 47.50, 36.30)  # 60 km east of the hromada centre
    points, stats = match_points([far], settlements, REGIONS, oblast_box)
    assert points == [] and stats == {"far": 1}
    # a raion centre stands for a bigger area: 60 km is within reach there
    raion = [village("F1", "Дальнє", ["Dalnie"], 47.50, 35.50, approx="raion")]
    assert len(match_points([far], raion, REGIONS, oblast_box)[0]) == 1
    # the row says Zaporizhzhia but its point is outside the oblast's polygon
    south = [village("S1", "Південне", ["Pivdenne"], 46.60, 35.50)]
    points, stats = match_points([row("pivdenne", 46.45, 35.50)], south, REGIONS, oblast_box)
    assert points == [] and stats == {"outside the oblast": 1}


def test_junk_aliases_placeholders_and_non_settlements_are_ignored():
    settlements = [village("J1", "Травневе", ["Travneve", "Travnevoe"], 47.50, 35.50),
                   village("J2", "Новий Світ", ["Novyi Svit"], 47.70, 35.90)]
    rows = [
        # the name matches nothing; its aliases are junk, a sentence and a placeholder, then an old
        # spelling that does match
        row("pervomaiske", 47.52, 35.49, aliases="це не назва села а речення;<alias>;1st;travnevoe"),
        # a junk alias never creates a match of its own
        row("zzz", 47.70, 35.90, aliases="novyi svit 12;novyi svit the village of the region is"),
        row("travneve", 47.52, 35.49, place="suburb"),
        row("travneve", "<lat>", 35.49),
        row("travneve", 47.52, 35.49, region="<region>"),
    ]
    points, stats = match_points(rows, settlements, REGIONS, oblast_box)
    assert [p["id"] for p in points] == ["katottg:J1"]
    assert stats == {"matched": 1, "no settlement of that name": 1, "not a settlement": 1,
                     "no point or region": 2}


def test_rows_that_disagree_leave_the_settlement_approximate_and_exact_ones_are_kept():
    settlements = [village("D1", "Вишневе", ["Vyshneve"], 47.50, 35.50),
                   village("E1", "Токмак", ["Tokmak"], 47.25, 35.71, approx=None)]
    rows = [row("vyshneve", 47.52, 35.49), row("vyshneve", 47.62, 35.59),  # 13 km apart
            row("tokmak", 47.26, 35.70, place="town")]
    points, stats = match_points(rows, settlements, REGIONS, oblast_box)
    assert points == []
    assert stats == {"rows disagree": 2, "settlement has its own point": 1}
    # duplicate rows that agree give one point
    same = [row("vyshneve", 47.52, 35.49), row("vyshneve", 47.5201, 35.4901, wikidata="<wikidata>")]
    points, stats = match_points(same, settlements, REGIONS, oblast_box)
    assert [p["id"] for p in points] == ["katottg:D1"] and stats == {"matched": 2}


def test_the_oblast_test_forgives_the_simplified_border_only_a_little():
    import geopandas
    import shapely

    from geomap._paths import data_dir

    frame = geopandas.read_parquet(data_path("regions", "admin1.parquet"), columns=["code", "geometry"])
    sumy = frame.loc[frame["code"] == "UA-59"].geometry.iloc[0]
    inner = shapely.Point(sumy.representative_point())
    edge = shapely.ops.nearest_points(sumy.boundary, shapely.Point(inner.x + 3, inner.y))[0]  # towards Russia
    step = 1 / 111.2 / 0.66  # about 1 km of longitude there
    in_oblast = points_build._oblast_test(data_dir())
    near, far = (edge.y, edge.x + step), (edge.y, edge.x + 4 * step)
    assert not sumy.contains(shapely.Point(near[1], near[0]))
    assert in_oblast([(inner.y, inner.x), near, far, (inner.y, inner.x)], ["UA-59", "UA-59", "UA-59", "UA-63"]) == [
        True, True, False, False]


def test_the_source_is_fetched_at_the_pinned_commit_and_checked(tmp_path, monkeypatch):
    source = tmp_path / "source"
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-C", str(source)]
    subprocess.run(["git", "init", "--quiet", str(source)], check=True)
    (source / points_build.SOURCE_FILE).write_text("name,aliases\nstepove,stepovoe\n", encoding="utf-8")
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "--quiet", "-m", "pinned"], check=True)
    pinned = subprocess.run([*git, "rev-parse", "HEAD"], check=True, capture_output=True, text=True).stdout.strip()
    (source / points_build.SOURCE_FILE).write_text("name,aliases\nchanged,later\n", encoding="utf-8")
    subprocess.run([*git, "commit", "--quiet", "-am", "later"], check=True)
    want = b"name,aliases\nstepove,stepovoe\n"
    monkeypatch.setattr(points_build, "SOURCE_URL", str(source))
    monkeypatch.setattr(points_build, "SOURCE_COMMIT", pinned)
    monkeypatch.setattr(points_build, "SOURCE_SHA256", hashlib.sha256(want).hexdigest())
    assert points_build.fetch_csv(tmp_path / "work") == want  # fetched by its commit, not the newest
    assert points_build.fetch_csv(tmp_path / "elsewhere", clone=source) == want  # from a local clone
    monkeypatch.setattr(points_build, "SOURCE_SHA256", "0" * 64)
    with pytest.raises(SystemExit, match="sha256"):
        points_build.fetch_csv(tmp_path / "work")


# --------------------------------------------------------------------------- the shipped data and the index


@pytest.fixture(scope="module")
def shipped():
    points = json.loads(data_path("gazetteer", "ua_points.json").read_text(encoding="utf-8"))
    settlements = json.loads(data_path("gazetteer", "ua_settlements.json").read_text(encoding="utf-8"))
    return points, {s["id"]: s for s in settlements}


def test_shipped_points_are_for_approximate_settlements_near_their_centre(shipped):
    points, settlements = shipped
    assert len(points) > 5000
    assert set(points[0]) == {"id", "lat", "lon", "wikidata"}  # derived facts only
    for p in points:
        rec = settlements[p["id"]]
        assert rec["approx"] in ("hromada", "raion") and not rec.get("geonameid")
        assert haversine_km(p["lat"], p["lon"], rec["lat"], rec["lon"]) <= 80


def test_the_index_gives_a_matched_settlement_its_point_and_no_approximate_flag(shipped):
    points, settlements = shipped
    gaz = load_gazetteer()
    by_id = {p["id"]: p for p in points}
    matched = [settlements[p["id"]] for p in points[:: max(1, len(points) // 40)]]
    for rec in matched:
        place = gaz.get(rec["id"])
        assert place is not None, rec["id"]
        assert (place.lat, place.lon) == (by_id[rec["id"]]["lat"], by_id[rec["id"]]["lon"])
        assert place.approximate is None and place.admin1_code == rec["admin1_code"]
    unmatched = next(s for s in settlements.values() if s.get("approx") == "hromada" and s["id"] not in by_id)
    place = gaz.get(unmatched["id"])
    assert place.approximate == "hromada centre" and (place.lat, place.lon) == (unmatched["lat"], unmatched["lon"])
