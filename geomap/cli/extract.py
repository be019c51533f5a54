"""``geomap extract``: articles -> incidents file (GeoJSON, GeoPackage, GeoParquet or CSV)."""

from __future__ import annotations

import click

from ..errors import GeomapError
from ._common import EXIT_INPUT_FAILED, EXIT_OK, fail, geocoder_options, make_geocoder
from ._inputs import INPUTS_HELP, InputOptions, input_options


def _types(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> frozenset[str] | None:
    if not value:
        return None
    from ..incidents import check_types

    names = [part for item in value for part in item.split(",")]
    try:
        return check_types(names)
    except GeomapError as exc:
        raise click.BadParameter(str(exc), ctx=ctx, param=param) from None


@click.command("extract", epilog=INPUTS_HELP)
@input_options
@click.option("-o", "--output", type=click.Path(), metavar="FILE",
              help="Incidents file to write (atomically); format by extension: .geojson, .gpkg, "
                   ".parquet/.geoparquet or .csv; with --workers/--scheduler, a FOLDER/ (ending in /) "
                   "gets partitioned GeoParquet (part.N.parquet).")
@click.option("--store", type=click.Path(dir_okay=False), metavar="FILE",
              help="Also upsert the incidents into this GeoPackage store (merged by incident id), "
                   "with each article's content hash.")
@click.option("--skip-known", is_flag=True,
              help="With --store: leave out the articles the store already has (same content, "
                   "source and --types), e.g. when re-running over a growing archive.")
@click.option("--commit-every", type=click.FloatRange(0.0), default=1.0, show_default=True,
              metavar="SECONDS",
              help="With --store: commit at most this often (0: after every article); a crash "
                   "loses only the articles since the last commit.")
@click.option("--min-confidence", type=click.FloatRange(0.0, 1.0), default=None, metavar="X",
              help="Drop incidents below this confidence (default from the taxonomy file, 0.4).")
@click.option("--types", "types", multiple=True, callback=_types, metavar="TYPE[,TYPE]",
              help="Only these incident types, e.g. air_strike,naval_attack (repeatable).")
@click.option("--workers", type=click.IntRange(1, 512), default=None, metavar="N",
              help="Run on a local Dask cluster of N worker processes (needs geomap[dask]).")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Run on the Dask cluster whose scheduler is at ADDRESS (tcp://host:8786); its "
                   "workers need geomap[dask] and the gazetteer index (geomap index build --to).")
@geocoder_options
def extract_command(inputs: InputOptions, output: str | None, store: str | None, skip_known: bool,
                    commit_every: float, min_confidence: float | None, types: frozenset[str] | None,
                    workers: int | None, scheduler: str | None, geocoder_name: str, user_agent: str | None,
                    geocoder_url: str | None) -> int:
    """Find incidents in articles: each place paired with the incident type reported there.

    Every incident has a type (air_strike, shelling, naval_attack, airspace_violation,
    ground_fighting, sabotage, infrastructure_outage, law_enforcement, protest, diplomacy), a place
    with its country and region, a date with its precision, the sentence that reports it, a
    confidence, and the articles that report it (the same incident from several articles is one
    row). Offline by default: places come from the bundled gazetteer; with --geocoder (e.g.
    nominatim) their points come from that service (only place names are sent).

    \b
    Examples:
      geomap extract data/examples -o incidents.geojson
      geomap extract article.txt --date 2025-11-29 -o incidents.csv
      geomap extract feed.jsonl -o incidents.gpkg --types air_strike,naval_attack
      geomap extract articles/ --glob "*.txt" --store incidents.gpkg --min-confidence 0.6
      geomap extract archive/ --store incidents.gpkg --skip-known   # only the new articles
      cat article.txt | geomap extract - -o incidents.parquet
      geomap extract feed.jsonl -o incidents.gpkg --geocoder nominatim --user-agent "desk/1.0 (me@example.org)"
      geomap extract archive/ --workers 4 -o incidents/      # partitioned GeoParquet, 4 processes
      geomap extract feed.jsonl --scheduler tcp://10.0.0.5:8786 -o incidents.gpkg
    """
    if not output and not store:
        raise click.UsageError("say where the incidents go: -o FILE (and/or --store FILE)")
    if skip_known and not store:
        raise click.UsageError("--skip-known needs --store (the store knows which articles it has)")
    if workers or scheduler:
        if geocoder_name != "offline":
            # one rate limit and one cache per run: online geocoding stays in one process
            raise click.UsageError("--geocoder with --workers/--scheduler is not supported: "
                                   "geocode online in a serial run (leave out --workers)")
        return _on_dask(inputs, output, store, skip_known, commit_every, min_confidence, types,
                        workers, scheduler)
    from .._atomic import refuse_inputs_as_outputs
    from ..export import check_output_path, write_records
    from ..pipeline import Pipeline

    sink = None
    try:
        if output:
            check_output_path(output)  # a usage error now, not after the whole batch
        refuse_inputs_as_outputs([output, store], inputs.paths)
        pipe = Pipeline(types=types, min_confidence=min_confidence,
                        geocoder=make_geocoder(geocoder_name, user_agent, geocoder_url))
        if store:
            sink = _sink(store, pipe, skip_known, commit_every)
    except GeomapError as exc:
        raise fail(exc) from None

    def commit(article, found) -> None:
        # one upsert per article (grouped into a commit at most every --commit-every seconds).
        # Every candidate goes in: the store keeps each source's confidence and combines them
        # as the run does, so it holds what -o holds however the articles are batched
        sink.add(article, pipe.store_records(found, regions=False), regions=False)

    try:
        articles, report = inputs.open()
        if sink is not None:
            articles = sink.fresh(articles)
        # without -o nothing but the store needs the candidates: they go with their article
        found = pipe.run_records(articles, report=report, progress=inputs.progress, strict=inputs.strict,
                                 each=commit if sink is not None else None, keep=bool(output))
        if sink is not None:
            sink.close()
        if output:
            from ..pipeline import with_regions

            with pipe.timings.stage("regions"):
                found = with_regions(found)
            write_records(found, output)  # GeoJSON and CSV without pandas: a cheap start-up
    except GeomapError as exc:
        raise fail(exc) from None
    finally:
        if sink is not None:
            sink.close()
    return _finish(inputs, report, len(found), output, store, sink)


def _sink(store: str, pipe, skip_known: bool, commit_every: float):
    """The run's --store (geomap/cli/_storing.py)."""
    from ._storing import StoreSink

    return StoreSink(store, types=pipe.types, corroboration=pipe.lexicon.scoring.corroboration,
                     min_confidence=pipe.min_confidence, commit_every=commit_every,
                     skip_known=skip_known)


def _finish(inputs: InputOptions, report, count: int, output: str | None, store: str | None, sink) -> int:
    """The summary line(s) and the exit code of a run, serial or on Dask."""
    failure = sink.failure() if sink is not None else None
    if failure:
        click.echo(failure, err=True)
    if not inputs.quiet:
        where = " and ".join(x for x in (output, store and failure is None and f"store {store}") if x)
        skipped = f" ({sink.skipped} known articles skipped)" if sink is not None and sink.skip_known else ""
        # a store-only run keeps no incidents to count: it says what it added to the store
        counted = f"{count} incidents" if output or sink is None else f"{sink.inserted} new incidents"
        click.echo(f"{counted} from {report.ok} articles{skipped} -> {where or 'nowhere'}", err=True)
    code = inputs.finish(report)
    if failure:
        ctx = click.get_current_context(silent=True)
        if ctx is not None:
            ctx.exit(EXIT_INPUT_FAILED)
        return EXIT_INPUT_FAILED
    return code if code else EXIT_OK


def _on_dask(inputs: InputOptions, output: str | None, store: str | None, skip_known: bool,
             commit_every: float, min_confidence: float | None, types: frozenset[str] | None,
             workers: int | None, scheduler: str | None) -> int:
    """The same batch with Dask as the engine (geomap/cli/_dask.py); the store gets the very
    upserts of a serial run, one per article in input order, as the workers finish them."""
    import os
    import sys

    from .._atomic import refuse_inputs_as_outputs
    from ..export import check_output_path, write_incidents
    from . import _dask

    if workers and scheduler:
        raise click.UsageError("choose --workers (a local cluster) or --scheduler (an existing one), not both")
    folder = output if output and (output.endswith(("/", os.sep)) or os.path.isdir(output)) else None
    if folder and store:
        raise click.UsageError("--store goes with a single-file -o (or none), not with a folder")
    sink = None
    try:
        if output and not folder:
            check_output_path(output)
        refuse_inputs_as_outputs([None if folder else output, store], inputs.paths)
        if store:
            from ..pipeline import Pipeline

            sink = _sink(store, Pipeline(types=types, min_confidence=min_confidence), skip_known, commit_every)
        progress = not inputs.quiet and sys.stderr.isatty()
        with _dask.dask_client(workers, scheduler) as client:
            result, report = _dask.extract(inputs, client, types=types, min_confidence=min_confidence,
                                           folder=folder, progress=progress, sink=sink, merge=bool(output))
        if sink is not None:
            sink.close()
        count = result if folder else len(result) if result is not None else 0
        if output and not folder:
            write_incidents(result, output)
    except GeomapError as exc:
        raise fail(exc) from None
    finally:
        if sink is not None:
            sink.close()
    return _finish(inputs, report, count, output, store, sink)
