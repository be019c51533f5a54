"""``geomap store``: inspect, fill and export an incident store (a GeoPackage upserted by id)."""

from __future__ import annotations

import json
import sys

import click

from ..errors import GeomapError, InputError
from ._common import EXIT_INPUT_FAILED, EXIT_OK, fail


@click.group("store", context_settings={"help_option_names": ["-h", "--help"]})
def store_command() -> None:
    """Inspect, fill and export an incident store.

    A store is a GeoPackage (layer "incidents") that keeps every incident seen so far, one row
    per incident id: reports of the same incident from new articles add to its sources and
    report count instead of making a new row. QGIS, ogr2ogr and geopandas open it directly.

    \b
    Examples:
      geomap extract articles/ --store incidents.gpkg   # keep a store up to date
      geomap store stats incidents.gpkg
      geomap store stats incidents.gpkg --json
      geomap store add incidents.gpkg today.geojson yesterday.parquet
      geomap store export incidents.gpkg -o maps/incidents.geojson --since 2024-05-01
    """


@store_command.command("stats")
@click.argument("store", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
def stats_command(store: str, as_json: bool) -> int:
    """Count the incidents in STORE by type, country, region and day.

    \b
    Examples:
      geomap store stats incidents.gpkg
      geomap store stats incidents.gpkg --json | jq .by_type
    """
    from ..store import format_stats, store_stats

    try:
        stats = store_stats(store)
    except GeomapError as exc:
        raise fail(exc) from None
    if as_json:
        click.echo(json.dumps(stats, ensure_ascii=False, indent=2))
    else:
        click.echo(format_stats(stats), nl=False)
    return EXIT_OK


def _bbox(ctx: click.Context, param: click.Parameter, value: str | None):
    if value is None:
        return None
    try:
        parts = [float(v) for v in value.split(",")]
    except ValueError:
        parts = []
    if len(parts) != 4:
        raise click.BadParameter("give WEST,SOUTH,EAST,NORTH in degrees, e.g. 28,44,41,49")
    return tuple(parts)


@store_command.command("export")
@click.argument("store", type=click.Path(dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="File to write: .geojson, .gpkg, .parquet/.geoparquet or .csv.")
@click.option("--bbox", callback=_bbox, metavar="W,S,E,N",
              help="Only incidents inside this box (degrees).")
@click.option("--type", "types", multiple=True, metavar="TYPE",
              help="Only this incident type (repeatable), e.g. air_strike.")
@click.option("--since", metavar="YYYY-MM-DD", help="Only incidents on or after this date.")
@click.option("--until", metavar="YYYY-MM-DD", help="Only incidents on or before this date.")
@click.option("--format", "driver", type=click.Choice(["geojson", "gpkg", "parquet", "csv"]),
              help="Format, when the output's extension does not say it.")
def export_command(store: str, output: str, bbox, types: tuple[str, ...], since: str | None,
                   until: str | None, driver: str | None) -> int:
    """Write the incidents of STORE (optionally filtered) to an incident file.

    \b
    Examples:
      geomap store export incidents.gpkg -o incidents.geojson
      geomap store export incidents.gpkg -o strikes.csv --type air_strike --type shelling
      geomap store export incidents.gpkg -o black-sea.parquet --bbox 27,40,42,47.5
    """
    from .._atomic import refuse_inputs_as_outputs
    from ..export import write_incidents
    from ..store import read_store

    try:
        refuse_inputs_as_outputs([output], [store])
        gdf = read_store(store, bbox=bbox, types=types or None, since=since, until=until)
        path = write_incidents(gdf, output, driver=driver)
    except GeomapError as exc:
        raise fail(exc) from None
    click.echo(f"wrote {len(gdf)} incidents to {path}", err=True)
    return EXIT_OK


@store_command.command("add")
@click.argument("store", type=click.Path(dir_okay=False))
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
def add_command(store: str, files: tuple[str, ...]) -> int:
    """Upsert the incidents in FILES into STORE (created if missing).

    Each file is one transaction: a broken file is reported and skipped, the others are kept
    (exit code 1 then).

    \b
    Examples:
      geomap store add incidents.gpkg today.geojson
      geomap store add incidents.gpkg exports/*.parquet
    """
    from .._atomic import refuse_inputs_as_outputs
    from ..export import read_incidents
    from ..store import open_store

    failed = 0

    def bad_record(exc: InputError) -> None:  # reported, skipped; the file's other records are added
        nonlocal failed
        failed += 1
        click.echo(f"error: {exc}", err=True)

    try:
        refuse_inputs_as_outputs([store], files)
        with open_store(store) as opened:
            for name in files:
                try:
                    result = opened.upsert(read_incidents(name, on_error=bad_record))
                except InputError as exc:
                    bad_record(exc)
                    continue
                click.echo(f"{name}: {result.inserted} new, {result.updated} updated, "
                           f"{result.unchanged} unchanged", err=True)
    except GeomapError as exc:
        raise fail(exc) from None
    return EXIT_INPUT_FAILED if failed else EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(store_command())
