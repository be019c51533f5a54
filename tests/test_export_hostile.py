"""Incident files against hostile values (issue 10): CSV formula injection, fields over the csv
module's 128 KB default, an unterminated quote, and records that cannot be mapped."""

from __future__ import annotations

import csv

import pytest

from geomap.errors import InputError
from geomap.export import neutralize_formula, read_incidents, restore_formula, write_incidents
from geomap.render._synthetic import synthetic_incidents

FORMULAS = ["=HYPERLINK(\"https://example.org\",\"click\")", "+1+1", "-2+3", "@SUM(A1:A2)",
            "\tTAB first", "\rCR first", "'quoted already", "'=already escaped", "plain text"]


def test_formula_cells_are_neutralised_and_read_back(tmp_path):
    gdf = synthetic_incidents(len(FORMULAS))
    gdf["sentence"] = FORMULAS
    gdf["title"] = FORMULAS[::-1]
    gdf["url"] = ["=cmd|' /C calc'!A0"] * len(FORMULAS)
    path = tmp_path / "x.csv"
    write_incidents(gdf, path)
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:  # what a spreadsheet sees: nothing it would evaluate
        for column in ("sentence", "title", "url", "place"):
            assert not row[column].startswith(("=", "+", "-", "@", "\t", "\r")), row[column]
    assert [r["sentence"] for r in rows][:2] == ["'" + FORMULAS[0], "'" + FORMULAS[1]]
    assert float(rows[0]["lon"]) == gdf["lon"].iloc[0]  # numbers stay numbers (a "-" longitude too)
    back = read_incidents(path)
    assert back["sentence"].tolist() == FORMULAS
    assert back["title"].tolist() == FORMULAS[::-1]
    assert set(back["url"]) == {"=cmd|' /C calc'!A0"}


@pytest.mark.parametrize("text", FORMULAS + ["'", "''", "'''=x", "=", ""])
def test_neutralise_is_undone_exactly(text):
    assert restore_formula(neutralize_formula(text)) == text


def test_a_field_over_128_kb_round_trips(tmp_path):
    gdf = synthetic_incidents(2)
    big = "Drones struck the depot. " * 12_000  # ~300 KB, over csv's default field limit
    gdf.loc[gdf.index[0], "sentence"] = big
    path = tmp_path / "big.csv"
    write_incidents(gdf, path)
    before = csv.field_size_limit()
    back = read_incidents(path)
    assert back["sentence"].iloc[0] == big
    assert csv.field_size_limit() == before  # the process-wide setting is left as it was


def test_an_unterminated_quote_names_its_line(tmp_path):
    path = tmp_path / "x.csv"
    write_incidents(synthetic_incidents(3), path)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[2] = lines[2].replace(",", ',"', 1)  # an opening quote that never closes
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(InputError, match=r"x\.csv:\d+: malformed CSV"):
        read_incidents(path)


def test_bad_records_are_reported_by_line_and_skipped(tmp_path):
    path = tmp_path / "x.csv"
    gdf = synthetic_incidents(4)
    write_incidents(gdf, path)
    rows = list(csv.reader(path.read_text(encoding="utf-8").splitlines()))
    header = rows[0]
    rows[2][header.index("incident_type")] = "alien_invasion"
    rows[3][header.index("reports")] = "1e30"
    rows[4][header.index("geometry")] = "POINT (1e308 45)"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    errors = []
    back = read_incidents(path, on_error=errors.append)
    assert [e.line for e in errors] == [3, 4, 5]
    assert "unknown incident_type 'alien_invasion'" in str(errors[0])
    assert back["id"].tolist() == [gdf["id"].iloc[0]]
    with pytest.raises(InputError, match=r"x\.csv:3: unknown incident_type"):
        read_incidents(path)
