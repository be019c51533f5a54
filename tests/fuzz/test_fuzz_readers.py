"""Fuzzing the article readers: any bytes under any supported name are read or named, never raised.

Each example writes random bytes (or structured-but-hostile JSONL/CSV/HTML) to a file and reads
it together with a good article: every failure must be an :class:`InputError` naming that file,
the good article must always come through, and every article must carry non-empty text.
Budget: ``support.fuzzing.budget`` (small in CI, ``make fuzz`` for a long run).
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from pathlib import Path

from hypothesis import example, given
from hypothesis import strategies as st

from geomap.articles import read_articles
from geomap.errors import InputError
from support.fuzzing import budget

SUFFIXES = [".txt", ".md", ".html", ".htm", ".jsonl", ".json", ".csv", ".tsv", ""]
GOOD = "date 2025-10-03\nDrones struck an oil depot in Tuapse overnight.\n"

_pieces = st.sampled_from([
    b"\x00", b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf", b"\r\n", b"\n", b'"', b",", b"\t", b"{", b"}",
    b"<meta charset=\"hex\">", b"<meta charset=\"idna\">", b"<meta charset=\"utf-16\">", b"<html>",
    b"<script>", b"</p>", b"&#0;", b"&#xD800;", b"date 2025-02-30\n", b"---\ntitle: x\n---\n",
    b"text", b'{"text": ', b"\xd0\x9a\xd0\xb8\xd1\x97\xd0\xb2", b"\x80\x81", b"\xed\xa0\x80",
])
raw_bytes = st.lists(st.one_of(st.binary(max_size=40), _pieces), max_size=30).map(b"".join)
json_values = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20)),
                           lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                   st.dictionaries(st.text(max_size=6), inner, max_size=3)),
                           max_leaves=8)
records = st.lists(st.fixed_dictionaries({}, optional={
    "id": json_values, "text": st.one_of(st.text(max_size=60), json_values), "date": json_values,
    "title": json_values, "url": json_values}), max_size=5)


def read_with_good(name: str, data: bytes) -> tuple[list, list[InputError], Path]:
    folder = Path(tempfile.mkdtemp())
    bad = folder / name
    bad.write_bytes(data)
    good = folder / "zz-good.txt"
    good.write_text(GOOD, encoding="utf-8")
    errors: list[InputError] = []
    articles = list(read_articles([bad, good], on_error=errors.append, max_bytes=1_000_000))
    return articles, errors, bad


def check(articles, errors, bad: Path) -> None:
    assert any(a.id == "zz-good" for a in articles), "the good article after the bad file was lost"
    for error in errors:
        assert isinstance(error, InputError)
        assert error.source == str(bad), error
    for article in articles:
        assert isinstance(article.text, str) and article.text.strip()


@budget
@given(data=raw_bytes, suffix=st.sampled_from(SUFFIXES))
@example(data=b'<html><meta charset="hex"><p>Drones struck Odesa.</p></html>', suffix=".html")
@example(data=b'<html><meta charset="idna"><p>Drones struck Odesa.</p></html>', suffix=".html")
@example(data=b'<html><meta charset="undefined"><p>Drones struck Odesa.</p></html>', suffix="")
@example(data=b'id,text\n1,"never closed\n2,x\n', suffix=".csv")
@example(data=b"text\n" + b"x" * 200_000 + b"\n", suffix=".csv")
def test_any_bytes_are_read_or_named(data, suffix):
    check(*read_with_good(f"x{suffix}", data))


@budget
@given(rows=records)
def test_hostile_jsonl_records(rows):
    data = "\n".join(json.dumps(r, allow_nan=True) for r in rows).encode("utf-8", "surrogatepass")
    check(*read_with_good("x.jsonl", data))


@budget
@given(rows=st.lists(st.lists(st.text(max_size=30), min_size=1, max_size=4), max_size=5),
       header=st.lists(st.sampled_from(["id", "text", "date", "title", "url", "other", ""]),
                       min_size=1, max_size=5))
def test_hostile_csv_rows(rows, header):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    check(*read_with_good("x.csv", out.getvalue().encode("utf-8", "surrogatepass")))
