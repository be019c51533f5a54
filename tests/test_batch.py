"""The batch machinery and the shared CLI input options: one bad input never sinks the batch."""

from __future__ import annotations

import tomllib
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from geomap.articles import SUPPORTED_SUFFIXES, read_articles
from geomap.batch import BatchReport, BatchStopped, Failure, format_summary, run_batch
from geomap.cli._inputs import InputOptions, input_options
from geomap.errors import DataError, InputError, UsageError
from geomap.models import Article

BAD = Path(__file__).parent / "bad_inputs"
EXPECTATIONS = tomllib.loads((BAD / "expectations.toml").read_text(encoding="utf-8"))["files"]


def article(id: str, text: str = "Strikes hit Odesa.") -> Article:
    return Article(id=id, text=text, source=f"{id}.txt")


# ------------------------------------------------------------------ run_batch


def test_one_failing_article_does_not_stop_the_batch():
    seen = []

    def process(a: Article) -> None:
        if a.id == "b":
            raise ValueError("no places found")
        seen.append(a.id)

    report = run_batch([article("a"), article("b"), article("c")], process, progress=False)
    assert seen == ["a", "c"]
    assert report.ok == 2
    assert report.failures == [Failure("b.txt", None, "no places found")]
    assert report.exit_code == 1
    assert format_summary(report) == "2 articles processed, 1 input failed:\n  b.txt: no places found"


def test_all_fine():
    report = run_batch([article("a")], lambda a: None, progress=False)
    assert (report.ok, report.failures, report.exit_code) == (1, [], 0)
    assert format_summary(report) == "1 articles processed."


def test_strict_stops_at_the_first_failure():
    seen = []

    def process(a: Article) -> None:
        seen.append(a.id)
        if a.id == "b":
            raise InputError("bad record", source="b.jsonl", line=3)

    with pytest.raises(BatchStopped) as info:
        run_batch([article("a"), article("b"), article("c")], process, progress=False, strict=True)
    assert seen == ["a", "b"]
    report = info.value.report
    assert (report.ok, report.stopped, report.exit_code) == (1, True, 1)
    assert str(info.value) == "stopped at the first failure (--strict): b.jsonl:3: bad record"
    assert format_summary(report).splitlines() == [
        "1 articles processed, 1 input failed (stopped at the first failure: --strict):",
        "  b.jsonl:3: bad record",
    ]


def test_errors_about_the_whole_run_are_raised():
    def process(a: Article) -> None:
        raise DataError("gazetteer missing; run make data")

    with pytest.raises(DataError):
        run_batch([article("a"), article("b")], process, progress=False)
    with pytest.raises(UsageError):
        run_batch([article("a")], lambda a: (_ for _ in ()).throw(UsageError("unknown region")), progress=False)


def test_other_exceptions_are_bugs_and_propagate():
    with pytest.raises(KeyError):
        run_batch([article("a")], lambda a: {}["missing"], progress=False)


def test_reading_errors_are_recorded_with_the_rest(tmp_path):
    report = BatchReport()
    ids = []
    articles = read_articles(
        [BAD / "malformed.jsonl", BAD / "empty.txt", BAD / "utf16.txt"], on_error=report.record
    )
    run_batch(articles, lambda a: ids.append(a.id), progress=False, report=report)
    assert ids == ["a1", "a3", "utf16"]
    assert report.ok == 3
    assert [str(f) for f in report.failures] == [
        f"{BAD / 'malformed.jsonl'}:2: malformed JSON line (Expecting ',' delimiter at column 47)",
        f"{BAD / 'empty.txt'}: empty file",
    ]


def test_reader_raising_ends_the_iteration_but_is_recorded():
    report = run_batch(read_articles([BAD / "empty.txt", BAD / "utf16.txt"]), lambda a: None, progress=False)
    assert (report.ok, [f.reason for f in report.failures]) == (0, ["empty file"])


def test_summary_is_capped():
    report = BatchReport(ok=1, failures=[Failure(f"f{i}.txt", None, "empty file") for i in range(60)])
    lines = format_summary(report).splitlines()
    assert lines[0] == "1 articles processed, 60 inputs failed:"
    assert len(lines) == 1 + 50 + 1
    assert lines[-1] == "  ... and 10 more"


def test_progress_bar_only_when_asked_or_on_a_terminal(capsys):
    run_batch([article("a"), article("b")], lambda a: None, desc="articles")
    assert capsys.readouterr().err == ""  # stderr is captured, not a terminal
    run_batch([article("a"), article("b")], lambda a: None, progress=True, desc="articles")
    err = capsys.readouterr().err
    assert "articles:" in err  # the bar (it is refreshed at most every 0.1 s)


# ------------------------------------------------------------------ the shared CLI options


@click.command()
@input_options
@click.option("--fail-on", default=None, help="Fail articles whose text contains this.")
def show(inputs: InputOptions, fail_on: str | None) -> int:
    """Print each article's id and date (a test command)."""

    def process(a: Article) -> None:
        if fail_on and fail_on in a.text:
            raise ValueError(f"text contains {fail_on!r}")
        click.echo(f"{a.id}\t{a.date}\t{a.date_precision}")

    return inputs.run(process)


def invoke(*args: str, input: bytes | str | None = None):
    return CliRunner().invoke(show, [str(a) for a in args], input=input)


@pytest.mark.parametrize("name", sorted(EXPECTATIONS))
def test_cli_on_each_corpus_file(name):
    expected = EXPECTATIONS[name]
    path = BAD / name
    result = invoke(path)
    assert result.exit_code == expected["exit_code"], result.output
    assert len(result.stdout.splitlines()) == expected["articles"]
    for err in expected["errors"]:
        where = str(path) if "line" not in err else f"{path}:{err['line']}"
        assert f"  {where}: {err['reason']}\n" in result.stderr
    for warning in expected.get("warnings", []):
        assert f"geomap: WARNING: {path}:{warning['line']}: {warning['reason']}\n" in result.stderr
    if not expected["errors"]:
        assert result.stderr.endswith(f"{expected['articles']} articles processed.\n")
    if not expected["errors"] and not expected.get("warnings"):
        assert result.stderr == "1 articles processed.\n"


def test_cli_whole_corpus_folder():
    result = invoke(BAD)
    read = [n for n in EXPECTATIONS if Path(n).suffix in SUPPORTED_SUFFIXES]
    failures = sum(len(EXPECTATIONS[n]["errors"]) for n in read)
    ok = sum(EXPECTATIONS[n]["articles"] for n in read)
    assert result.exit_code == 1
    assert len(result.stdout.splitlines()) == ok
    assert f"{ok} articles processed, {failures} inputs failed:" in result.stderr


def test_cli_strict_stops_at_the_first_failure():
    result = invoke("--strict", BAD / "utf16.txt", BAD / "empty.txt", BAD / "utf8_bom.txt")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == ["utf16\t2025-11-29\t1"]
    assert result.stderr == (
        "1 articles processed, 1 input failed (stopped at the first failure: --strict):\n"
        f"  {BAD / 'empty.txt'}: empty file\n"
    )


def test_cli_processing_failures_are_listed():
    result = invoke("--fail-on", "Sevastopol", BAD / "utf16.txt", BAD / "utf8_bom.txt")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == ["utf8_bom\t2025-11-29\t1"]
    assert f"  {BAD / 'utf16.txt'}: text contains 'Sevastopol'\n" in result.stderr


def test_cli_file_over_max_size(tmp_path):
    big = tmp_path / "big.txt"
    big.write_text("Drones over Kursk. " * 100_000)  # 1.9 MB
    result = invoke("--max-size", "1", big, BAD / "utf16.txt")
    assert result.exit_code == 1
    assert f"  {big}: file is 1.9 MB, over the limit of 1 MB (raise it with --max-size)\n" in result.stderr
    assert invoke("--max-size", "2", big).exit_code == 0


def test_cli_date_option_and_month_precision():
    result = invoke("--date", "2025-10", BAD / "cp1251.txt", BAD / "utf16.txt")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == ["cp1251\t2025-10-01\t3", "utf16\t2025-11-29\t1"]


def test_cli_stdin():
    result = invoke("-", input="date 2025-11-29 Strikes hit Odesa.")
    assert (result.exit_code, result.stdout) == (0, "stdin\t2025-11-29\t1\n")


def test_cli_glob():
    result = invoke("--glob", "*.jsonl", "--quiet", BAD)
    assert result.exit_code == 1
    assert sorted(line.split("\t")[0] for line in result.stdout.splitlines()) == ["a1", "a3", "d1", "d2"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["no/such/file.txt"], "no such file or folder: 'no/such/file.txt'; check the path (use - to read standard input)"),
        (["--date", "someday", "-"], "Invalid value for '--date': unparseable date 'someday'; write it as YYYY-MM-DD"),
        (["--max-size", "0", "-"], "Invalid value for '--max-size'"),
        ([], "Missing argument 'INPUT...'"),
    ],
)
def test_cli_usage_errors_exit_2(args, message):
    result = invoke(*args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""


def test_cli_quiet_and_verbose(tmp_path):
    assert invoke("-q", BAD / "utf16.txt").stderr == ""
    result = invoke("-v", BAD / "cp1251.txt")
    assert f"geomap: INFO: {BAD / 'cp1251.txt'}: decoded as cp1251\n" in result.stderr
    quiet_failure = invoke("-q", BAD / "empty.txt")
    assert quiet_failure.exit_code == 1
    assert f"  {BAD / 'empty.txt'}: empty file\n" in quiet_failure.stderr


def test_cli_help_lists_the_options():
    result = invoke("--help")
    for option in ("--glob", "--date", "--max-size", "--strict", "--quiet", "--verbose", "INPUT..."):
        assert option in result.output
