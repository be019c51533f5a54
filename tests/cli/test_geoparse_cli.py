"""`geomap geoparse`: articles in, one JSON line of toponyms per article out.

Through click's CliRunner, one real `python -m geomap geoparse` process, and a run on the shared
geoparsing benchmark whose scorer must accept the output as a prediction file.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from geomap.articles import read_articles
from geomap.cli import cli
from geomap.cli.geoparse import toponym_record
from geomap.models import Mention, Place
from support.paths import SHARED

FIELDS = {"start", "end", "name", "lat", "lon", "geonameid", "kind", "country", "admin1", "confidence"}

DOCS = [
    {"id": "d1", "text": "Drones struck an oil depot in Russia's Rostov region, the governor of Rostov said."},
    {"id": "d2", "text": "Moldovan police in Chișinău detained two men; later they were flown to Kyiv."},
    {"id": "d3", "text": "Nothing here names a place at all."},
    {"id": 4, "text": "Officials in Krasnodar Krai reported a fire at the Afipsky refinery near the Black Sea."},
]


def shared_dir() -> Path:
    return Path(os.environ.get("GEOMAP_SHARED_DIR") or SHARED)


def write_jsonl(path: Path, records) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def read_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def check_lines(lines: list[dict], texts: dict[str, str]) -> None:
    """Every line has an id and well-formed toponyms whose spans point into that article's text."""
    assert [line["id"] for line in lines] == list(texts)
    for line in lines:
        assert set(line) == {"id", "toponyms"}
        text = texts[line["id"]]
        starts = [t["start"] for t in line["toponyms"]]
        assert starts == sorted(starts)
        for top in line["toponyms"]:
            assert set(top) == FIELDS
            assert text[top["start"]:top["end"]] == top["name"]
            assert 0.0 <= top["confidence"] <= 1.0


def invoke(args, **kwargs):
    return CliRunner().invoke(cli, ["geoparse", *args], catch_exceptions=False, **kwargs)


# --------------------------------------------------------------------------- CliRunner


def test_jsonl_to_jsonl(tmp_path):
    src = write_jsonl(tmp_path / "docs.jsonl", DOCS)
    out = tmp_path / "out" / "toponyms.jsonl"
    result = invoke([str(src), "-o", str(out)])
    assert result.exit_code == 0, result.output
    lines = read_lines(out.read_text(encoding="utf-8"))
    check_lines(lines, {str(d["id"]): d["text"] for d in DOCS})
    by_id = {line["id"]: line["toponyms"] for line in lines}
    d1 = {t["name"]: t for t in by_id["d1"]}
    assert d1["Russia"]["kind"] == "country" and d1["Russia"]["country"] == "RU"
    assert d1["Rostov region"]["kind"] == "admin1" and d1["Rostov region"]["admin1"] == "Rostov"
    d2 = {t["name"]: t for t in by_id["d2"]}
    assert d2["Moldovan"]["kind"] == "demonym" and d2["Moldovan"]["country"] == "MD"
    assert d2["Chișinău"]["geonameid"] == 618426
    assert d2["Kyiv"]["country"] == "UA" and 50 < d2["Kyiv"]["lat"] < 51
    assert by_id["d3"] == []
    assert {t["name"] for t in by_id["4"]} >= {"Krasnodar Krai", "Black Sea"}
    # a summary on stderr, nothing but the file on stdout
    assert result.stdout == ""
    assert "4 articles processed" in result.stderr
    assert not [p for p in out.parent.iterdir() if p.name != out.name]  # no temporary files left


def test_stdout_with_dash(tmp_path):
    src = write_jsonl(tmp_path / "docs.jsonl", DOCS[:2])
    result = invoke([str(src), "-o", "-", "-q"])
    assert result.exit_code == 0, result.output
    lines = read_lines(result.stdout)
    check_lines(lines, {d["id"]: d["text"] for d in DOCS[:2]})
    assert result.stderr == ""  # --quiet: no progress, no summary
    # standard output is also the default
    again = invoke([str(src), "-q"])
    assert read_lines(again.stdout) == lines


def test_text_files_and_folders(tmp_path):
    folder = tmp_path / "articles"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text("date 2025-11-29\n\nA drone fell near Taganrog on Friday.\n", encoding="utf-8")
    (folder / "sub" / "b.md").write_text("# Ferry news\n\nFerries in the Kerch Strait stopped.\n", encoding="utf-8")
    single = tmp_path / "c.txt"
    single.write_text("Flights from Odesa were cancelled.", encoding="utf-8")
    out = tmp_path / "t.jsonl"
    result = invoke([str(folder), str(single), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    articles = list(read_articles([str(folder), str(single)]))
    lines = read_lines(out.read_text(encoding="utf-8"))
    check_lines(lines, {a.id: a.text for a in articles})
    found = {t["name"] for line in lines for t in line["toponyms"]}
    assert {"Taganrog", "Kerch Strait", "Odesa"} <= found


def test_stdin_input():
    result = invoke(["-", "-q"], input="Protesters gathered in Chisinau and in Bucharest.\n")
    assert result.exit_code == 0, result.output
    (line,) = read_lines(result.stdout)
    assert [t["name"] for t in line["toponyms"]] == ["Chisinau", "Bucharest"]


def test_min_confidence_filters(tmp_path):
    src = write_jsonl(tmp_path / "docs.jsonl", DOCS)
    every = read_lines(invoke([str(src), "-q"]).stdout)
    confidences = sorted({t["confidence"] for line in every for t in line["toponyms"]})
    assert len(confidences) >= 2
    threshold = confidences[len(confidences) // 2]
    some = read_lines(invoke([str(src), "-q", "--min-confidence", str(threshold)]).stdout)
    expected = [{"id": line["id"], "toponyms": [t for t in line["toponyms"] if t["confidence"] >= threshold]}
                for line in every]
    assert some == expected
    assert sum(map(len, (x["toponyms"] for x in some))) < sum(map(len, (x["toponyms"] for x in every)))


def test_bad_lines_are_reported_and_the_rest_kept(tmp_path):
    src = tmp_path / "mixed.jsonl"
    src.write_text(json.dumps(DOCS[0]) + "\n{not json\n" + json.dumps({"id": "x"}) + "\n"
                   + json.dumps(DOCS[1], ensure_ascii=False) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = invoke([str(src), "-o", str(out)])
    assert result.exit_code == 1
    assert "mixed.jsonl:2" in result.stderr and "mixed.jsonl:3" in result.stderr
    lines = read_lines(out.read_text(encoding="utf-8"))
    check_lines(lines, {"d1": DOCS[0]["text"], "d2": DOCS[1]["text"]})


def test_usage_errors_exit_2_and_leave_the_output_alone(tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_text("previous\n", encoding="utf-8")
    src = write_jsonl(tmp_path / "docs.jsonl", DOCS[:1])
    assert invoke([str(tmp_path / "missing.jsonl"), "-o", str(out)]).exit_code == 2
    assert invoke([str(src), "-o", str(out), "--min-confidence", "1.5"]).exit_code == 2
    assert invoke([str(src), "-o", str(out), "--no-such-option"]).exit_code == 2
    assert invoke(["-o", str(out)]).exit_code == 2  # no INPUT
    assert out.read_text(encoding="utf-8") == "previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["docs.jsonl", "out.jsonl"]


def test_help_has_examples():
    result = invoke(["--help"])
    assert result.exit_code == 0
    assert "Examples:" in result.output and "geomap geoparse" in result.output
    assert "--min-confidence" in result.output and "-o, --output" in result.output
    assert "geoparse" in CliRunner().invoke(cli, ["--help"]).output


def test_toponym_record_of_an_unresolved_mention():
    place = Place(id="gn:1", name="X", kind="city", lat=1.5, lon=2.5, country="UA", admin1="Y", geonameid=1)
    assert toponym_record(Mention(3, 4, "X", "city", place, 0.5)) == {
        "start": 3, "end": 4, "name": "X", "lat": 1.5, "lon": 2.5, "geonameid": 1, "kind": "city",
        "country": "UA", "admin1": "Y", "confidence": 0.5}
    empty = toponym_record(Mention(0, 2, "Zz", "city", None, 0.1))
    assert empty["lat"] is None and empty["geonameid"] is None and empty["country"] is None


# --------------------------------------------------------------------------- real processes


def run_geomap(*args, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "geomap", "geoparse", *args], cwd=cwd, capture_output=True,
                          text=True, encoding="utf-8", timeout=600, check=False)


def test_python_m_geomap_geoparse(tmp_path):
    src = write_jsonl(tmp_path / "small.jsonl", DOCS[:2])
    out = tmp_path / "small.out.jsonl"
    proc = run_geomap(str(src), "-o", str(out), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    assert "2 articles processed" in proc.stderr
    lines = read_lines(out.read_text(encoding="utf-8"))
    check_lines(lines, {d["id"]: d["text"] for d in DOCS[:2]})
    assert any(t["name"] == "Rostov region" for t in lines[0]["toponyms"])
    bad = run_geomap(str(tmp_path / "nope.jsonl"), cwd=tmp_path)
    assert bad.returncode == 2 and "no such file" in bad.stderr


@pytest.mark.slow
def test_benchmark_file_is_accepted_by_the_shared_scorer(tmp_path):
    bench = shared_dir() / "benchmarks" / "geoparsing"
    gold, scorer = bench / "geowebnews.jsonl", bench / "score.py"
    assert gold.is_file() and scorer.is_file(), f"shared benchmarks missing under {bench}: set GEOMAP_SHARED_DIR"
    pred = tmp_path / "pred.jsonl"
    proc = run_geomap(str(gold), "-o", str(pred), "-q", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    gold_ids = [json.loads(line)["id"] for line in gold.read_text(encoding="utf-8").splitlines() if line.strip()]
    lines = read_lines(pred.read_text(encoding="utf-8"))
    assert [str(line["id"]) for line in lines] == [str(i) for i in gold_ids]
    report = tmp_path / "score.json"
    scored = subprocess.run([sys.executable, str(scorer), str(gold), str(pred), "--json", str(report)],
                            capture_output=True, text=True, timeout=600, check=False)
    assert scored.returncode == 0, scored.stderr
    result = json.loads(report.read_text(encoding="utf-8"))
    assert result["n_docs_pred_matched"] == result["n_docs_gold"] == len(gold_ids)
    recognition = result["overlap"]["recognition"]
    assert recognition["precision"] > 0 and recognition["recall"] > 0
