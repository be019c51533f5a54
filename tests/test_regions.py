"""Region polygons and regions.py, on the real built files in data/regions/."""

from __future__ import annotations

import subprocess
import sys
import tomllib

import geopandas as gpd  # noqa: E402  (required parts: a missing one fails, never skips)
import pytest
import shapely  # noqa: E402,F401

from geomap import regions as R
from geomap._paths import data_path
from geomap.errors import UsageError


def points(*lonlat):
    return gpd.GeoDataFrame({"name": [f"p{i}" for i in range(len(lonlat))]},
                            geometry=gpd.points_from_xy([p[0] for p in lonlat],
                                                        [p[1] for p in lonlat]),
                            crs="EPSG:4326")


def one(lon, lat):
    return R.assign_regions(points((lon, lat))).iloc[0]


# ------------------------------------------------------------------ assignment
def test_kyiv_city():
    row = one(30.5234, 50.4501)
    assert row.country == "UA"
    assert row.region_code == "UA-30"
    assert "Kyiv" in row.region
    assert row.water is None


def test_black_sea_off_odesa_is_black_sea_not_azov():
    row = one(31.0, 46.2)
    assert row.water == "Black Sea"
    assert row.country is None


def test_sea_of_azov():
    row = one(36.5, 46.0)
    assert row.water == "Sea of Azov"


def test_simferopol_is_ukraine_occupied():
    row = one(34.1024, 44.9521)
    assert row.country == "UA"
    assert row.country_name == "Ukraine"
    assert row.region_code == "UA-43"
    admin1 = R.load_regions("admin1").set_index("id")
    assert bool(admin1.loc["ne1:UA-43", "occupied"]) is True
    assert bool(admin1.loc["ne1:UA-40", "occupied"]) is True
    assert admin1.loc["ne1:UA-40", "country"] == "UA"
    assert bool(admin1.loc["ne1:RU-KDA", "occupied"]) is False


def test_russia_does_not_contain_crimea_but_ukraine_does():
    ru, ua = R.region_shape("cc:RU"), R.region_shape("cc:UA")
    sevastopol = shapely.Point(33.60, 44.55)  # inland, south-east of the bay
    assert ua.contains(sevastopol) and not ru.contains(sevastopol)


def test_krasnodar_chisinau_comrat():
    df = R.assign_regions(points((38.9769, 45.0355), (28.8638, 47.0105), (28.6572, 46.2953)))
    assert list(df["region_code"]) == ["RU-KDA", "MD-CU", "MD-GA"]
    assert list(df["country"]) == ["RU", "MD", "MD"]
    assert df["country_name"].iloc[1] == "Moldova"


def test_point_in_harbour_gets_land_too_and_far_sea_point_does_not():
    df = R.assign_regions(points((30.75, 46.49), (34.0, 43.5)))
    # Odesa harbour: in the water and a few hundred metres from land
    assert df["country"].iloc[0] == "UA" and df["region_code"].iloc[0] == "UA-51"
    assert df["water"].iloc[1] == "Black Sea" and df["country"].iloc[1] is None


def test_strait_beats_its_sea():
    assert one(36.55, 45.25).water == "Kerch Strait"
    assert one(29.06, 41.1).water == "Bosporus"


def test_assign_keeps_rows_and_handles_empty_and_projected_input():
    df = points((30.52, 50.45), (0.0, -89.9))
    df.loc[len(df)] = ["empty", None]
    out = R.assign_regions(df)
    assert len(out) == 3 and list(out["name"]) == ["p0", "p1", "empty"]
    assert out["country"].iloc[2] is None
    proj = points((30.52, 50.45)).to_crs("EPSG:3857")
    assert R.assign_regions(proj)["region_code"].iloc[0] == "UA-30"


def test_vectorised_assign_on_many_random_points():
    import numpy as np

    rng = np.random.default_rng(7)
    n = 10_000
    lon = rng.uniform(20, 45, n)
    lat = rng.uniform(40, 53, n)
    out = R.assign_regions(points(*zip(lon, lat)))
    assert len(out) == n
    has_country = out["country"].notna().to_numpy()
    assert 0.2 < has_country.mean() < 0.95
    # a sample agrees with a direct point-in-polygon check
    admin1 = R.load_regions("admin1").set_index("code")
    for i in np.flatnonzero(out["region_code"].notna().to_numpy())[:50]:
        shape = admin1.loc[out["region_code"].iloc[i]].geometry
        assert shape.distance(shapely.Point(lon[i], lat[i])) < R.COAST_DISTANCE + 1e-9


# ------------------------------------------------------------------ lookup
@pytest.mark.parametrize("query, expected", [
    ("RU-KDA", "ne1:RU-KDA"), ("Krasnodar Krai", "ne1:RU-KDA"), ("Krasnodar", "ne1:RU-KDA"),
    ("krasnodar region", "ne1:RU-KDA"), ("ne1:RU-KDA", "ne1:RU-KDA"),
    ("Black Sea", "water:black-sea"), ("black sea", "water:black-sea"),
    ("MD", "cc:MD"), ("Moldova", "cc:MD"), ("cc:MD", "cc:MD"), ("md", "cc:MD"),
    ("Sea of Azov", "water:sea-of-azov"), ("Gagauzia", "ne1:MD-GA"),
    ("Crimea", "phys:crimea"), ("Autonomous Republic of Crimea", "ne1:UA-43"), ("Donbas", "phys:donbas"), ("Kerch Strait", "water:kerch-strait"),
    ("Luhansk", "ne1:UA-09"), ("Luhans'k", "ne1:UA-09"), ("Ukraine", "cc:UA"),
])
def test_resolve_region(query, expected):
    assert R.resolve_region(query).id == expected


def test_resolve_unknown_lists_close_matches():
    with pytest.raises(UsageError) as err:
        R.resolve_region("Krasnodarr")
    assert "Krasnodar" in str(err.value)
    with pytest.raises(UsageError):
        R.resolve_region("Nowhere-at-all-xyz")


def test_list_regions_search():
    found = R.list_regions("krasnodar")
    assert any(r.code == "RU-KDA" for r in found)
    assert all(r.id != "cc:UA" for r in found)
    assert {r.id for r in R.list_regions("chisinau")} >= {"ne1:MD-CU"}  # written Chișinău
    assert any(r.id == "water:black-sea" for r in R.list_regions("BLACK"))
    every = R.list_regions()
    assert len(every) > 4000 and every[0].layer == "countries"
    assert not R.list_regions("zzzqqq")


def test_regions_containing_smallest_first():
    found = R.regions_containing(44.9521, 34.1024)  # Simferopol
    ids = [r.id for r in found]
    assert ids.index("ne1:UA-43") < ids.index("phys:crimea") < ids.index("cc:UA")
    assert "cc:RU" not in ids
    sea = [r.id for r in R.regions_containing(45.25, 36.55)]
    assert sea[0] == "water:kerch-strait" and "water:sea-of-azov" in sea


def test_filter_by_regions():
    df = points((30.52, 50.45), (38.98, 45.04), (28.86, 47.01), (31.0, 46.2), (37.8, 48.0))
    assert list(R.filter_by_regions(df, ["Krasnodar"])["name"]) == ["p1"]
    assert list(R.filter_by_regions(df, ["UA", "Moldova"])["name"]) == ["p0", "p2", "p4"]
    assert list(R.filter_by_regions(df, "Black Sea")["name"]) == ["p3"]
    assert list(R.filter_by_regions(df, "Donbas")["name"]) == ["p4"]


def test_sea_shape_includes_its_parts():
    med = R.region_shape("Mediterranean Sea")
    assert med.contains(shapely.Point(15.0, 43.0))  # Adriatic
    own = R.load_regions("water").set_index("id").loc["water:mediterranean-sea"].geometry
    assert not own.contains(shapely.Point(15.0, 43.0))


# ------------------------------------------------------------------ the built files
@pytest.mark.parametrize("layer", ["admin1", "countries", "water"])
def test_layers_valid_with_points_inside(layer):
    gdf = R.load_regions(layer)
    geoms = gdf.geometry.values
    assert shapely.is_valid(geoms).all()
    assert not shapely.is_empty(geoms).any()
    assert gdf["id"].is_unique
    pts = shapely.points(gdf["lon"].to_numpy(), gdf["lat"].to_numpy())
    inside = shapely.contains(geoms, pts)
    assert inside.all(), list(gdf["id"][~inside])[:10]
    b = shapely.bounds(geoms)
    assert (abs(b[:, 0] - gdf["west"]) < 1e-4).all() and (abs(b[:, 3] - gdf["north"]) < 1e-4).all()


def test_admin1_columns_and_names():
    a = R.load_regions("admin1").set_index("id")
    row = a.loc["ne1:RU-KDA"]
    assert row["name"] == "Krasnodar Krai" and row["gn_a1_code"] == "RU.38"
    assert "Kuban" in list(row["alt_names"]) and "Краснодарский край" in list(row["alt_names"])
    assert not any("\u4e00" <= c <= "\u9fff" for n in row["alt_names"] for c in n)
    assert a.loc["ne1:UA-30", "name"] != a.loc["ne1:UA-32", "name"]
    assert a["country"].dropna().str.fullmatch(r"[A-Z]{2}").all()


def test_water_partition_and_parents():
    w = R.load_regions("water").set_index("id")
    black, azov = w.loc["water:black-sea"].geometry, w.loc["water:sea-of-azov"].geometry
    assert black.intersection(azov).area < 1e-3 * azov.area
    assert w.loc["water:adriatic-sea", "parent"] == "water:mediterranean-sea"
    assert w.loc["water:gulf-of-finland", "parent"] == "water:baltic-sea"
    assert set(w["kind"]) == {"water", "physical"}
    # water lies off land: the Black Sea's representative point is not in any country
    c = R.load_regions("countries")
    p = shapely.Point(w.loc["water:black-sea", "lon"], w.loc["water:black-sea", "lat"])
    assert not shapely.intersects(c.geometry.values, p).any()


def test_curated_areas_all_built():
    areas = tomllib.loads(data_path("curated", "areas.toml").read_text("utf-8"))["area"]
    w = R.load_regions("water").set_index("id")
    for area in areas:
        assert area["id"] in w.index
        assert w.loc[area["id"], "kind"] == area["kind"]
        assert area.get("note"), area["id"]
    crimea = w.loc["phys:crimea"].geometry
    assert crimea.contains(shapely.Point(34.1, 44.95)) and crimea.contains(shapely.Point(33.60, 44.55))
    trans = w.loc["phys:transnistria"].geometry
    assert trans.contains(shapely.Point(29.63, 46.84))  # Tiraspol
    assert not trans.contains(shapely.Point(28.86, 47.01))  # Chisinau
    kerch = w.loc["water:kerch-strait"].geometry
    assert kerch.intersects(w.loc["water:black-sea"].geometry)
    assert kerch.intersects(w.loc["water:sea-of-azov"].geometry)


def test_file_sizes_are_compact():
    total = sum(data_path("regions", f"{n}.parquet").stat().st_size
                for n in ("admin1", "countries", "water"))
    assert total < 13_000_000


def test_import_is_cheap():
    code = ("import sys, geomap.regions; "
            "print(any(m in sys.modules for m in ('geopandas', 'shapely', 'pandas')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_every_area_incident_place_id_has_a_shape():
    # an incident's place_id reaches its shape, whatever kind of area it is
    for place_id, inside in [("water:black-sea", (43.4, 34.0)), ("ne1:RU-ROS", (47.2, 39.7)),
                             ("cc:MD", (47.0, 28.86)), ("phys:crimea", (44.95, 34.1)),
                             ("macro:balkans", (43.0, 20.0)), ("us2:21125", (37.1, -84.1))]:
        shape = R.region_shape(place_id)
        assert shape.contains(shapely.Point(inside[1], inside[0])), place_id
    with pytest.raises(UsageError, match="is a point"):
        R.region_shape("gn:703448")  # Kyiv, a city
