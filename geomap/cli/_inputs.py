"""Options every command that reads articles shares, and the batch run around them.

Use it like this::

    @click.command()
    @input_options
    @click.option("-o", "--output", ...)
    def geoparse_command(inputs: InputOptions, output: str) -> int:
        results = []
        report = inputs.batch(lambda article: results.append(geoparse(article.text)))
        write(results, output)           # what did work is kept
        return inputs.finish(report)      # summary on stderr; exit code 0, or 1 if inputs failed

:func:`input_options` adds ``INPUT...`` (files, folders, ``-`` for stdin), ``--glob``,
``--date``, ``--max-size``, ``--strict``, ``--quiet`` and ``--verbose``, sets up logging, checks
that the paths exist (a missing one is a usage error, exit code 2) and hands the command one
:class:`InputOptions` as ``inputs``.
"""

from __future__ import annotations

import datetime as _dt
import functools
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from ..articles import DEFAULT_MAX_BYTES, MB, parse_date, read_articles
from ..batch import BatchReport, BatchStopped, format_summary, run_batch
from ..errors import InputError
from ..models import Article
from ._common import EXIT_OK

__all__ = ["InputOptions", "input_options", "setup_logging"]

INPUTS_HELP = """\b
INPUT is a file, a folder (read recursively) or - for standard input. Formats by extension:
  .txt  plain text, optionally starting with a "date YYYY-MM-DD" line or front matter
  .md   Markdown (markup stripped, first heading as title)
  .html article text of a web page (menus, footers, banners left out)
  .jsonl one {"text": ..., "id", "date", "title", "url"} object per line
  .csv  a header row with a "text" column (and optional id, date, title, url)
Exit codes: 0 all inputs read and processed; 1 some failed (the rest were processed, a summary
lists them); 2 usage error."""


@dataclass(frozen=True)
class InputOptions:
    """The shared input options of a command, ready to read articles and run a batch."""

    paths: tuple[str, ...]
    glob: tuple[str, ...] = ()
    #: the --date value as given (validated): "2025-11-29", or "2025-11" for a month
    date: str | _dt.date | None = None
    max_bytes: int = DEFAULT_MAX_BYTES
    strict: bool = False
    quiet: bool = False
    verbose: int = 0

    @property
    def progress(self) -> bool | None:
        """False with --quiet; otherwise None (a bar when stderr is a terminal)."""
        return False if self.quiet else None

    def articles(self, report: BatchReport | None = None) -> Iterator[Article]:
        """Stream the articles; bad inputs are recorded in ``report`` (raised when it is None
        or with --strict, which stops at the first one)."""
        on_error = None if (report is None or self.strict) else report.record
        return read_articles(
            self.paths, glob=self.glob or None, date=self.date, max_bytes=self.max_bytes, on_error=on_error
        )

    def open(self) -> tuple[Iterator[Article], BatchReport]:
        """The articles and the report their reading failures go to."""
        report = BatchReport()
        return self.articles(report), report

    def batch(self, process: Callable[[Article], Any], *, desc: str = "articles") -> BatchReport:
        """Read every input and call ``process`` on each article; never raises for bad inputs.

        With --strict the batch stops at the first failure; ``report.stopped`` is then True.
        """
        articles, report = self.open()
        try:
            run_batch(articles, process, progress=self.progress, strict=self.strict, desc=desc, report=report)
        except BatchStopped:
            pass
        return report

    def finish(self, report: BatchReport, *, desc: str = "articles") -> int:
        """Print the summary on stderr and return the exit code (0, or 1 when inputs failed).

        A failure code is raised as ``click`` ``Exit`` so that it also holds when the command
        runs in click's standalone mode.
        """
        if report.failures or not self.quiet:
            click.echo(format_summary(report, desc=desc), err=True)
        code = report.exit_code
        if code != EXIT_OK:
            ctx = click.get_current_context(silent=True)
            if ctx is not None:
                ctx.exit(code)
        return code

    def run(self, process: Callable[[Article], Any], *, desc: str = "articles") -> int:
        """:meth:`batch` then :meth:`finish`."""
        return self.finish(self.batch(process, desc=desc), desc=desc)


class _ClickEchoHandler(logging.Handler):
    """Log records to the current stderr (looked up at each record, so test runners work)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            click.echo(self.format(record), err=True)
        except Exception:  # pragma: no cover - logging must never break the command
            self.handleError(record)


def setup_logging(verbose: int = 0, quiet: bool = False) -> Callable[[], None]:
    """Send geomap's log to stderr: warnings by default, -v info, -vv debug, -q errors only.

    Returns a function that puts the previous logging set-up back.
    """
    if quiet:
        level = logging.ERROR
    elif verbose >= 2:
        level = logging.DEBUG
    elif verbose == 1:
        level = logging.INFO
    else:
        level = logging.WARNING
    logger = logging.getLogger("geomap")
    previous_level, previous_handlers = logger.level, list(logger.handlers)
    for handler in list(logger.handlers):
        if isinstance(handler, _ClickEchoHandler):
            logger.removeHandler(handler)
    handler = _ClickEchoHandler()
    handler.setFormatter(logging.Formatter("geomap: %(levelname)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(level)

    def restore() -> None:
        logger.removeHandler(handler)
        for old in previous_handlers:
            if old not in logger.handlers:
                logger.addHandler(old)
        logger.setLevel(previous_level)

    return restore


def _parse_date_option(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        parse_date(value)
    except InputError as exc:
        raise click.BadParameter(exc.reason, ctx=ctx, param=param) from None
    return value


def input_options(command: Callable[..., Any] | None = None, *,
                  required: bool = True) -> Any:
    """Add the shared input arguments and options; the command receives ``inputs: InputOptions``.

    ``@input_options(required=False)`` lets the command run without any INPUT (``geomap map
    --store S``).
    """
    if command is None:
        return functools.partial(input_options, required=required)

    @functools.wraps(command)
    def wrapper(
        *args: Any,
        input_paths: tuple[str, ...],
        glob: tuple[str, ...],
        date: str | None,
        max_size: float,
        strict: bool,
        quiet: bool,
        verbose: int,
        **kwargs: Any,
    ) -> Any:
        for raw in input_paths:
            if raw != "-" and not Path(raw).exists():
                raise click.UsageError(
                    f"no such file or folder: {raw!r}; check the path (use - to read standard input)"
                )
        options = InputOptions(
            paths=tuple(input_paths),
            glob=tuple(glob),
            date=date,
            max_bytes=max(1, int(max_size * MB)),
            strict=strict,
            quiet=quiet,
            verbose=verbose,
        )
        restore = setup_logging(verbose, quiet)
        try:
            return command(*args, inputs=options, **kwargs)
        finally:
            restore()

    decorators = [
        click.argument("input_paths", metavar="INPUT...", nargs=-1, required=required),
        click.option(
            "--glob", "glob", multiple=True, metavar="PATTERN",
            help='Files to read inside folders, e.g. "*.txt" or "2025/**/*.md" (repeatable). '
            "Default: every supported extension.",
        ),
        click.option(
            "--date", "date", callback=_parse_date_option, metavar="DATE",
            help="Report date for articles that carry none (YYYY-MM-DD, or YYYY-MM for a month).",
        ),
        click.option(
            "--max-size", "max_size", type=click.FloatRange(min=0, min_open=True),
            default=DEFAULT_MAX_BYTES / MB, show_default=True, metavar="MB",
            help="Refuse files (and JSONL/CSV lines) larger than this many megabytes.",
        ),
        click.option("--strict", is_flag=True, help="Stop at the first input that fails (exit code 1)."),
        click.option("-q", "--quiet", is_flag=True, help="No progress bar, no summary unless something failed."),
        click.option("-v", "--verbose", count=True, help="More log output on stderr (-vv for debugging)."),
    ]
    for decorator in reversed(decorators):
        wrapper = decorator(wrapper)
    return wrapper
