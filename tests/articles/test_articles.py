"""Reading articles: formats, encodings, dates, and the exact errors for bad inputs."""

from __future__ import annotations

import codecs
import datetime as dt
import io
import json
import logging
import sys
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geomap.articles import (
    DEFAULT_MAX_BYTES,
    SUPPORTED_SUFFIXES,
    parse_date,
    read_article_text,
    read_articles,
)
from geomap.errors import InputError, UsageError
from geomap.models import Article
from support.paths import BAD_INPUTS as BAD
from support.paths import SEED, SHARED

EXPECTATIONS = tomllib.loads((BAD / "expectations.toml").read_text(encoding="utf-8"))["files"]
BENCHMARKS = SHARED / "benchmarks" / "geoparsing"


def read_all(*inputs, **kwargs) -> tuple[list[Article], list[InputError]]:
    errors: list[InputError] = []
    articles = list(read_articles(list(inputs), on_error=errors.append, **kwargs))
    return articles, errors


# ------------------------------------------------------------------ the bad-inputs corpus


def test_every_corpus_file_has_expectations():
    on_disk = {p.name for p in BAD.iterdir() if p.name != "expectations.toml"}
    assert on_disk == set(EXPECTATIONS)


@pytest.mark.parametrize("name", sorted(EXPECTATIONS))
def test_corpus_file(name, caplog):
    expected = EXPECTATIONS[name]
    path = BAD / name
    with caplog.at_level(logging.WARNING, logger="geomap"):
        articles, errors = read_all(path)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == [
        f"{path}:{w['line']}: {w['reason']}" for w in expected.get("warnings", [])
    ]
    assert [(e.source, e.line, e.reason) for e in errors] == [
        (str(path), err.get("line"), err["reason"]) for err in expected["errors"]
    ]
    for error in errors:
        where = str(path) if error.line is None else f"{path}:{error.line}"
        assert str(error) == f"{where}: {error.reason}"
    assert len(articles) == expected["articles"]
    if "ids" in expected:
        assert [a.id for a in articles] == expected["ids"]
    if "text" in expected:
        assert articles[0].text == expected["text"]
    if "title" in expected:
        assert articles[0].title == expected["title"]
    if "date" in expected:
        assert articles[0].date == dt.date.fromisoformat(expected["date"])
    if "dates" in expected:
        assert [a.date.isoformat() if a.date else "" for a in articles] == expected["dates"]


def test_bad_input_raises_without_handler():
    with pytest.raises(InputError, match=r"empty\.txt: empty file$"):
        list(read_articles(BAD / "empty.txt"))


def test_one_bad_file_does_not_stop_the_rest():
    articles, errors = read_all(BAD / "empty.txt", BAD / "utf16.txt", BAD / "missing.txt", BAD / "malformed.jsonl")
    assert [a.id for a in articles] == ["utf16", "a1", "a3"]
    assert [(Path(e.source).name, e.line, e.reason) for e in errors] == [
        ("empty.txt", None, "empty file"),
        ("missing.txt", None, "no such file or folder"),
        ("malformed.jsonl", 2, "malformed JSON line (Expecting ',' delimiter at column 47)"),
    ]


def test_record_sources_and_ids():
    articles, _ = read_all(BAD / "malformed.jsonl", BAD / "csv_bad_row.csv")
    assert [a.source for a in articles] == [
        f"{BAD / 'malformed.jsonl'}:1",
        f"{BAD / 'malformed.jsonl'}:4",
        f"{BAD / 'csv_bad_row.csv'}:2",
        f"{BAD / 'csv_bad_row.csv'}:3",
        f"{BAD / 'csv_bad_row.csv'}:4",
    ]


def test_html_leaves_boilerplate_out():
    (article,) = read_all(BAD / "article.html")[0]
    for boilerplate in ("Kaliningrad", "Vilnius", "cookies", "Minsk", "Riga", "Tallinn", "Example News", "By A."):
        assert boilerplate not in article.text
    assert article.url == "https://news.example.org/2025/11/28/novorossiysk"


def test_undecodable_bytes_fall_back_to_utf8_with_a_note(monkeypatch, caplog):
    import charset_normalizer

    class NoGuess:
        def best(self):
            return None

    monkeypatch.setattr(charset_normalizer, "from_bytes", lambda data: NoGuess())
    with caplog.at_level(logging.WARNING, logger="geomap"):
        (article,) = read_all(BAD / "undecodable.txt")[0]
    assert article.text.startswith("Drones over Kursk \ufffd")
    assert "could not tell the encoding" in caplog.text


# ------------------------------------------------------------------ size limits


def test_file_over_the_size_limit(tmp_path):
    big = tmp_path / "big.txt"
    big.write_text("Drones over Kursk. " * 20_000)  # 380 000 bytes
    articles, errors = read_all(big, tmp_path / "..", max_bytes=100_000, glob="nothing-*")
    assert articles == []
    assert str(errors[0]) == f"{big}: file is 0.38 MB, over the limit of 0.1 MB (raise it with --max-size)"
    (article,) = read_all(big, max_bytes=400_000)[0]
    assert len(article.text) == 380_000 - 1


def test_jsonl_lines_are_streamed_and_long_lines_refused(tmp_path):
    path = tmp_path / "big.jsonl"
    lines = [
        json.dumps({"id": "short1", "text": "Strikes on Kharkiv."}),
        json.dumps({"id": "long", "text": "x" * 3_000_000}),
        json.dumps({"id": "short2", "text": "Strikes on Sumy."}),
    ]
    path.write_text("\n".join(lines) + "\n")
    articles, errors = read_all(path, max_bytes=1_000_000)
    assert [a.id for a in articles] == ["short1", "short2"]
    assert [str(e) for e in errors] == [
        f"{path}:2: line is 3 MB, over the limit of 1 MB (raise it with --max-size)"
    ]


def test_csv_long_line_refused_and_rest_read(tmp_path):
    path = tmp_path / "big.csv"
    path.write_text('id,text\nc1,"Strikes on Kharkiv."\nc2,"' + "y" * 5000 + '"\nc3,Strikes on Sumy.\n')
    articles, errors = read_all(path, max_bytes=1000)
    assert [a.id for a in articles] == ["c1", "c3"]
    assert [(e.line, e.reason) for e in errors] == [
        (3, "line is 0.00501 MB, over the limit of 0.001 MB (raise it with --max-size)")
    ]


# ------------------------------------------------------------------ formats


def test_seed_article_date_line_is_removed():
    assert SEED.is_file(), f"{SEED} missing: the shared folder must sit beside the repository"
    (article,) = read_all(SEED)[0]
    assert article.date == dt.date(2025, 11, 29)
    assert article.id == SEED.stem
    assert article.source == str(SEED)
    assert article.text.startswith("Ukrainian President Volodymyr Zelenskyy")
    assert "date 2025-11-29" not in article.text


def test_read_article_text_offsets_are_into_the_body():
    article = read_article_text(" date 2025-11-29 Strikes hit Odesa.\n\nMore text.", id="x", source="mem")
    assert article.text == "Strikes hit Odesa.\n\nMore text."
    assert article.text[12:17] == "Odesa"
    assert article.date == dt.date(2025, 11, 29)
    assert read_article_text("Date night in Paris was quiet.", id="y").text == "Date night in Paris was quiet."
    titled = read_article_text("Date: 29 November 2025\n# Strikes on Odesa\nText", id="z", markdown=True)
    assert (titled.title, titled.text, titled.date) == ("Strikes on Odesa", "Strikes on Odesa\nText", dt.date(2025, 11, 29))


def test_default_date_only_for_articles_without_one(tmp_path):
    (tmp_path / "a.txt").write_text("date 2025-11-29 Strikes hit Odesa.")
    (tmp_path / "b.txt").write_text("Strikes hit Lviv.")
    articles, _ = read_all(tmp_path, date="2025-10")
    assert [(a.id, a.date, a.date_precision) for a in articles] == [
        ("a", dt.date(2025, 11, 29), 1),
        ("b", dt.date(2025, 10, 1), 3),
    ]
    with pytest.raises(UsageError, match="--date: unparseable date 'soon'"):
        list(read_articles(tmp_path, date="soon"))


def test_folders_are_recursive_with_globs(tmp_path):
    (tmp_path / "2025" / "11").mkdir(parents=True)
    (tmp_path / "2025" / "11" / "one.txt").write_text("Strikes hit Odesa.")
    (tmp_path / "2025" / "two.md").write_text("# Kyiv\nAlerts in Kyiv.")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF-1.4 not read from folders")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "x.txt").write_text("Hidden.")
    articles, errors = read_all(tmp_path)
    assert errors == []
    assert [a.id for a in articles] == ["2025/11/one", "2025/two"]
    assert [a.id for a in read_all(tmp_path, glob="*.md")[0]] == ["2025/two"]
    empty, errors = read_all(tmp_path, glob="*.docx")
    assert empty == []
    assert [e.reason for e in errors] == ["no articles found in this folder (looked for *.docx; choose files with --glob)"]


def test_stdin_text_and_jsonl(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"date 2025-11-29 Strikes hit Odesa.")))
    (article,) = read_all("-")[0]
    assert (article.id, article.source, article.text) == ("stdin", "<stdin>", "Strikes hit Odesa.")
    data = b'{"id": "j1", "text": "Kherson"}\nnot json\n'
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    articles, errors = read_all("-")
    assert [a.id for a in articles] == ["j1"]
    assert [str(e) for e in errors] == ["<stdin>:2: malformed JSON line (Expecting value at column 1)"]


def test_csv_semicolons_bom_quoted_newlines_and_extra_columns(tmp_path):
    path = tmp_path / "export.csv"
    content = 'Title;Text;Date;Extra\n"Port";"Drones hit\nNovorossiysk; no casualties";29.11.2025;x\nA;B;2025-11-30\n'
    path.write_bytes(codecs.BOM_UTF8 + content.encode())
    articles, errors = read_all(path)
    assert errors == []
    assert [(a.id, a.title, a.text, a.date, a.source) for a in articles] == [
        ("export:2", "Port", "Drones hit\nNovorossiysk; no casualties", dt.date(2025, 11, 29), f"{path}:2"),
        ("export:4", "A", "B", dt.date(2025, 11, 30), f"{path}:4"),
    ]


def test_csv_row_with_unquoted_separator(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("id,text\n1,Strikes on Kharkiv, Sumy and Odesa\n2,Quiet night\n")
    articles, errors = read_all(path)
    assert [a.id for a in articles] == ["2"]
    assert [(e.line, e.reason) for e in errors] == [
        (2, "row has 3 fields but the header has 2 (is a field with the separator not quoted?)")
    ]


def test_json_file(tmp_path):
    path = tmp_path / "list.json"
    path.write_text(json.dumps([{"text": "Kherson", "date": "2025-11-29"}, {"body": "x"}]))
    articles, errors = read_all(path)
    assert [(a.id, a.source) for a in articles] == [("list:0", f"{path}#0")]
    assert [str(e) for e in errors] == [f'{path}#1: no "text" field (fields found: body)']


def test_jsonl_text_is_kept_verbatim(tmp_path):
    text = "date 2025-11-29  Odesa\r\n# not a heading "
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps({"text": text}) + "\n")
    (article,) = read_all(path)[0]
    assert article.text == text
    assert article.date is None


def test_geoparsing_benchmarks_read_as_jsonl():
    assert BENCHMARKS.is_dir(), f"{BENCHMARKS} missing: the shared folder must sit beside the repository"
    for path in sorted(BENCHMARKS.glob("*.jsonl")):
        articles, errors = read_all(path)
        assert errors == []
        with path.open(encoding="utf-8") as f:
            records = [json.loads(line) for line in f if line.strip()]
        assert [(a.id, a.text) for a in articles] == [(r["id"], r["text"]) for r in records]


# ------------------------------------------------------------------ dates


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-11-29", (dt.date(2025, 11, 29), 1)),
        ("2025-11-29T10:00:00Z", (dt.date(2025, 11, 29), 1)),
        ("2009-03-20 12:24:52.002364-05", (dt.date(2009, 3, 20), 1)),
        ("2025-11", (dt.date(2025, 11, 1), 3)),
        ("November 2025", (dt.date(2025, 11, 1), 3)),
        ("Sat, 29 Nov 2025 10:00:00 +0000", (dt.date(2025, 11, 29), 1)),
        ("29 November 2025", (dt.date(2025, 11, 29), 1)),
        ("November 29, 2025", (dt.date(2025, 11, 29), 1)),
        ("29.11.2025", (dt.date(2025, 11, 29), 1)),
        ("20251129", (dt.date(2025, 11, 29), 1)),
        (dt.date(2025, 11, 29), (dt.date(2025, 11, 29), 1)),
    ],
)
def test_parse_date(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("yesterday", "unparseable date 'yesterday'; write it as YYYY-MM-DD, e.g. 2025-11-29"),
        ("2025-02-30", "unparseable date '2025-02-30' (day is out of range for month); write it as YYYY-MM-DD, e.g. 2025-11-29"),
        ("31 Smarch 2025", "unparseable date '31 Smarch 2025'; write it as YYYY-MM-DD, e.g. 2025-11-29"),
        ("", "unparseable date '' (empty); write it as YYYY-MM-DD, e.g. 2025-11-29"),
    ],
)
def test_parse_date_garbage(value, message):
    with pytest.raises(InputError) as info:
        parse_date(value)
    assert info.value.reason == message


# ------------------------------------------------------------------ never a crash

_SUFFIXES = [".txt", ".md", ".html", ".jsonl", ".csv", ".json", ""]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=st.one_of(
        st.binary(max_size=600),
        st.text(max_size=300).map(lambda s: s.encode("utf-8", "surrogatepass")),
        st.lists(st.sampled_from([b"{", b"}", b'"text"', b":", b",", b"\n", b"date 2025-1", b"---\n", b"<p>", b"\x00", b"\xff\xfe", b"\xef\xbb\xbf", b"text,id\n", b'"']), max_size=40).map(b"".join),
    ),
    suffix=st.sampled_from(_SUFFIXES),
)
def test_arbitrary_bytes_never_crash(tmp_path, data, suffix):
    path = tmp_path / f"input{suffix}"
    path.write_bytes(data)
    articles, errors = read_all(path, max_bytes=DEFAULT_MAX_BYTES)
    assert all(isinstance(a, Article) and a.text.strip() for a in articles)
    assert all(isinstance(e, InputError) and e.source.startswith(str(path)) and e.reason for e in errors)
    assert articles or errors


def test_supported_suffixes_cover_the_formats():
    assert {".txt", ".md", ".html", ".htm", ".jsonl", ".csv", ".tsv", ".json"} <= set(SUPPORTED_SUFFIXES)
