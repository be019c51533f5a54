"""Reading an articles CSV with fields over the csv module's 128 KB default leaves the host
process's csv.field_size_limit as it was: before, between two rows and after."""

from __future__ import annotations

import csv
import io

import pytest

from geomap.articles import read_articles

TEXT = "Artillery shelled Kherson overnight, damaging houses, the regional governor said. "


@pytest.fixture
def default_limit():
    before = csv.field_size_limit()
    csv.field_size_limit(128 * 1024)  # the csv module's own default, whatever ran before
    yield 128 * 1024
    csv.field_size_limit(before)


def test_huge_fields_are_read_and_the_limit_is_left_as_found(tmp_path, default_limit):
    big = TEXT * 2_500  # ~210 KB
    path = tmp_path / "feed.csv"
    path.write_text(f'id,date,text\na1,2025-10-03,"{big}"\na2,2025-10-04,"{big}"\n', encoding="utf-8")
    articles = read_articles([str(path)])
    first = next(articles)
    assert first.text.strip() == big.strip()
    # the reader is suspended between two rows: the host's own csv reading still has its limit
    with pytest.raises(csv.Error, match="field larger than field limit"):
        next(csv.reader(io.StringIO(f'"{big}"\n')))
    assert csv.field_size_limit() == default_limit
    assert [a.id for a in articles] == ["a2"]
    assert csv.field_size_limit() == default_limit


def test_a_higher_limit_of_the_host_is_kept(tmp_path, default_limit):
    csv.field_size_limit(10**8)
    path = tmp_path / "feed.csv"
    path.write_text(f'id,date,text\na1,2025-10-03,"{TEXT}"\n', encoding="utf-8")
    assert len(list(read_articles([str(path)]))) == 1
    assert csv.field_size_limit() == 10**8
