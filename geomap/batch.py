"""Running one step over many articles: one bad article never sinks the batch.

:func:`run_batch` calls ``process(article)`` for each article, records the articles (or inputs)
that fail in a :class:`BatchReport`, shows a progress bar on stderr when it is a terminal, and
goes on. With ``strict=True`` it stops at the first failure and raises :class:`BatchStopped`.
:func:`format_summary` turns the report into the lines the CLI prints at the end.

Reading errors take the same road: pass ``report.record`` as ``on_error`` to
:func:`geomap.articles.read_articles`, and the inputs that could not be read are listed with the
articles that could not be processed.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple, TypeVar

from .errors import DataError, GeomapError, InputError, UsageError, where

__all__ = ["BatchReport", "BatchStopped", "Failure", "format_summary", "run_batch"]

T = TypeVar("T")

#: Failures listed in full by :func:`format_summary`; the rest are counted.
SUMMARY_LIMIT = 50


class Failure(NamedTuple):
    """One input or article that failed: where (``source``, ``line``) and why (``reason``)."""

    source: str
    line: int | None
    reason: str

    def __str__(self) -> str:
        return f"{where(self.source, self.line)}: {self.reason}"


@dataclass
class BatchReport:
    """What a batch did: ``ok`` articles processed, ``failures`` in the order they happened."""

    ok: int = 0
    failures: list[Failure] = field(default_factory=list)
    #: True when ``strict`` stopped the batch at its first failure.
    stopped: bool = False

    @property
    def exit_code(self) -> int:
        """0 when everything worked, 1 when some inputs failed."""
        return 1 if self.failures else 0

    def record(self, exc: BaseException, *, source: str | None = None) -> Failure:
        """Record an error; usable as ``on_error`` for :func:`geomap.articles.read_articles`."""
        if isinstance(exc, InputError):
            failure = Failure(exc.source or source or "<input>", exc.line, exc.reason)
        else:
            failure = Failure(source or "<input>", None, str(exc) or type(exc).__name__)
        self.failures.append(failure)
        return failure


class BatchStopped(GeomapError):
    """``strict`` stopped the batch at its first failure; ``report`` says what was done."""

    def __init__(self, report: BatchReport, failure: Failure):
        self.report = report
        self.failure = failure
        super().__init__(f"stopped at the first failure (--strict): {failure}")


def _progress_enabled(progress: bool | None) -> bool:
    if progress is not None:
        return progress
    stream = sys.stderr
    try:
        return bool(stream is not None and stream.isatty())
    except (AttributeError, ValueError):
        return False


def run_batch(
    articles: Iterable[T],
    process: Callable[[T], Any],
    *,
    progress: bool | None = None,
    strict: bool = False,
    desc: str = "articles",
    report: BatchReport | None = None,
) -> BatchReport:
    """Call ``process(article)`` for each article; failures are recorded and the batch goes on.

    An :class:`InputError`, other :class:`GeomapError` or ``ValueError`` from one article is
    recorded with the article's ``source`` (errors that concern the whole run, a
    :class:`UsageError` or :class:`DataError`, are raised at once). An error raised while reading
    the articles themselves is recorded too, but ends the iteration (pass ``report.record`` as
    the reader's ``on_error`` to record bad inputs and keep reading). ``progress`` shows a tqdm
    bar on stderr: None means "when stderr is a terminal". ``strict`` stops at the first failure
    (including one recorded by the reader through ``report.record``) and raises
    :class:`BatchStopped`. Pass ``report`` to add to an existing report.
    """
    report = report if report is not None else BatchReport()
    already_failed = len(report.failures)
    iterator = iter(articles)
    with _bar(desc, _progress_enabled(progress)) as bar:
        while True:
            if strict and len(report.failures) > already_failed:
                report.stopped = True
                raise BatchStopped(report, report.failures[already_failed])
            try:
                article = next(iterator)
            except StopIteration:
                break
            except (UsageError, DataError):
                raise
            except (GeomapError, ValueError) as exc:
                failure = report.record(exc)
                if strict:
                    report.stopped = True
                    raise BatchStopped(report, failure) from exc
                break
            try:
                process(article)
            except (UsageError, DataError):
                raise
            except (GeomapError, ValueError) as exc:
                source = getattr(article, "source", None) or getattr(article, "id", None)
                failure = report.record(exc, source=str(source) if source is not None else None)
                if strict:
                    report.stopped = True
                    raise BatchStopped(report, failure) from exc
            else:
                report.ok += 1
            bar.update(1)
    if strict and len(report.failures) > already_failed:
        report.stopped = True
        raise BatchStopped(report, report.failures[already_failed])
    return report


class _NoBar:
    """What a batch without a progress bar updates (tqdm is not even imported)."""

    def __enter__(self) -> _NoBar:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def update(self, n: int = 1) -> None:
        return None


def _bar(desc: str, enabled: bool) -> Any:
    if not enabled:
        return _NoBar()
    from tqdm import tqdm

    return tqdm(desc=desc, unit=" " + desc.split()[-1] if desc else "it", file=sys.stderr,
                leave=False, dynamic_ncols=True)


def format_summary(report: BatchReport, *, desc: str = "articles") -> str:
    """A short account of the batch: counts, then one line per failure (``source:line: reason``)."""
    noun = desc or "articles"
    failed = len(report.failures)
    if not failed:
        return f"{report.ok} {noun} processed."
    head = f"{report.ok} {noun} processed, {failed} input{'s' if failed != 1 else ''} failed"
    if report.stopped:
        head += " (stopped at the first failure: --strict)"
    lines = [head + ":"]
    lines += [f"  {failure}" for failure in report.failures[:SUMMARY_LIMIT]]
    if failed > SUMMARY_LIMIT:
        lines.append(f"  ... and {failed - SUMMARY_LIMIT} more")
    return "\n".join(lines)
