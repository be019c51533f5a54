"""``geomap map``: incidents (or articles) -> an HTML map, an embeddable fragment, PNG/SVG."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import click

from ..errors import GeomapError, InputError, UsageError
from ._common import EXIT_INPUT_FAILED, EXIT_OK, fail, geocoder_options, make_geocoder
from ._inputs import InputOptions, input_options

#: Extensions read as incident files (``geomap extract`` output); anything else is articles.
INCIDENT_SUFFIXES = (".geojson", ".gpkg", ".parquet", ".geoparquet", ".csv")


def _is_incident_file(path: str, mapped: bool = False) -> bool:
    """An incidents file by extension; a CSV only when its header has ``incident_type`` or
    latitude and longitude columns, or when columns are mapped (else it is an articles CSV with a
    ``text`` column)."""
    if path == "-" or Path(path).suffix.lower() not in INCIDENT_SUFFIXES or not Path(path).is_file():
        return False
    if Path(path).suffix.lower() != ".csv":
        return True
    import csv

    try:
        with open(path, encoding="utf-8-sig", errors="replace", newline="") as handle:
            header = next(csv.reader([handle.readline(1 << 20)]), [])
    except (OSError, csv.Error):
        return True  # read_incidents names the problem
    from ..foreign import has_location_columns

    return mapped or "incident_type" in header or "text" not in header or has_location_columns(header)


def _read(inputs: InputOptions, store: str | None, geocoder: Any = None,
          columns: dict[str, str] | None = None) -> tuple[Any, list[str], int]:
    """All incidents from incident files, a store and articles; the failures to report; and how
    many inputs gave something (an input read without error, even when it holds no incident)."""
    import pandas as pd

    frames: list[Any] = []
    failures: list[str] = []
    read = 0
    incident_files = [p for p in inputs.paths if _is_incident_file(p, bool(columns))]
    article_inputs = tuple(p for p in inputs.paths if p not in incident_files)
    if incident_files:
        from ..export import read_incidents

        for path in incident_files:
            bad: list[InputError] = []
            try:
                frames.append(read_incidents(path, on_error=bad.append, columns=columns))
                read += 1
            except InputError as exc:
                bad.append(exc)
            failures += [str(exc) for exc in bad]
            if bad and inputs.strict:
                return _none(), failures, read
    if store:
        from ..store import read_store

        try:
            frames.append(read_store(store))
            read += 1
        except InputError as exc:
            failures.append(str(exc))
    if article_inputs:
        from dataclasses import replace

        from ..pipeline import Pipeline

        # the same pipeline as `geomap extract`, with its progress bar and failure report
        articles, report = replace(inputs, paths=article_inputs).open()
        frames.append(Pipeline(geocoder=geocoder).run(articles, report=report, progress=inputs.progress,
                                                      strict=inputs.strict))
        failures += [str(f) for f in report.failures]
        read += report.ok
    frames = [f for f in frames if f is not None and len(f)]
    if not frames:
        return _none(), failures, read
    if len(frames) == 1:
        return frames[0], failures, read
    import geopandas as gpd

    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry",
                            crs="EPSG:4326"), failures, read


def _none() -> Any:
    from ..export import empty_incidents

    return empty_incidents()


def _default_output(inputs: tuple[str, ...], store: str | None, embed: bool) -> Path:
    first = next((p for p in inputs if p != "-"), store)
    stem = Path(first).stem if first else "incidents"
    return Path("maps") / (f"{stem}-embed.html" if embed else f"{stem}.html")


@click.command("map", epilog="""\b
Examples:
  geomap map incidents.gpkg -o maps/today.html
  geomap map articles/ -o maps/today.html --title "Attacks, 1 March"
  geomap map incidents.gpkg --region "Krasnodar Krai" --types air_strike,naval_attack -o maps/kda.html
  geomap map incidents.gpkg --since 2025-11-01 --png maps/nov.png --svg maps/nov.svg
  geomap map incidents.gpkg --embed -o report/map-fragment.html
  geomap map incidents.gpkg --embed --aspect 16:9 --link https://example.org/full.html -o report/map.html
  geomap map incidents.gpkg --since 2025-11-01 --pdf maps/nov.pdf
  geomap map nov.gpkg --embed --assets-url assets/ -o report/nov.html   # one asset copy for all embeds
  geomap map --store incidents.store.gpkg -o maps/all.html --heat
  geomap map acled-export.csv -o maps/acled.html
  geomap map points.gpkg --type-column category --date-column day -o maps/theirs.html
  geomap map articles/ -o maps/today.html --geocoder nominatim --user-agent "desk/1.0 (me@example.org)"
""")
@input_options(required=False)
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="HTML file to write (default maps/INPUT.html; not written when only --png/--svg "
                   "are given).")
@click.option("--title", default=None, help="Map title (default: from the filters).")
@click.option("--region", "regions", multiple=True, metavar="NAME",
              help="Keep incidents in this country, admin-1 region or sea (repeatable; names and "
                   "codes as `geomap regions` lists them).")
@click.option("--types", "types", multiple=True, metavar="TYPE[,TYPE]",
              help="Keep these incident types (air_strike, shelling, naval_attack, ...).")
@click.option("--since", default=None, metavar="YYYY-MM-DD", help="Keep incidents on or after this date.")
@click.option("--until", default=None, metavar="YYYY-MM-DD", help="Keep incidents on or before this date.")
@click.option("--cdn", is_flag=True, help="Load Leaflet from pinned CDN links (a small page that needs "
                                          "the network) instead of inlining it.")
@click.option("--embed", is_flag=True, help="Write an HTML fragment (a sandboxed <iframe srcdoc>) to "
                                            "paste into another page, instead of a whole page.")
@click.option("--png", type=click.Path(dir_okay=False), default=None, help="Also write a static PNG.")
@click.option("--svg", type=click.Path(dir_okay=False), default=None, help="Also write a static SVG.")
@click.option("--pdf", type=click.Path(dir_okay=False), default=None, help="Also write a static PDF (for print).")
@click.option("--height", default=None, metavar="CSS",
              help="Height of the --embed frame: 520, 520px, 60vh (default 520px).")
@click.option("--aspect", default=None, metavar="W:H",
              help="Shape of the --embed frame instead of a height, e.g. 16:9: it fits any column width.")
@click.option("--link", default=None, metavar="URL",
              help="With --embed: the full map's address (https://... or a relative path), linked "
                   "from inside the frame.")
@click.option("--tiles", default=None, metavar="osm|carto|URL",
              help="Show raster tiles when online (the offline base map stays beneath): osm, carto or a "
                   "URL template with {z}/{x}/{y}. Off by default.")
@click.option("--tiles-attribution", default=None, metavar="TEXT",
              help="Who to credit for --tiles URL's data (default: the provider's line or the host).")
@click.option("--assets-url", default=None, metavar="URL",
              help="Load Leaflet and geomap's styles and scripts from one shared copy in this folder "
                   "(a web address or a path relative to the page, e.g. assets/) instead of inlining "
                   "them: several embeds on one page share it. A relative folder is written beside -o.")
@click.option("--assets-dir", type=click.Path(file_okay=False), default=None,
              help="Where to write the shared copy for --assets-url (default: --assets-url beside -o "
                   "when it is relative; a web address is not written unless this is given).")
@click.option("--heat", is_flag=True, help="Show the heat-map overlay from the start.")
@click.option("--no-cluster", is_flag=True, help="Never cluster markers (default: pins that overlap cluster).")
@click.option("--store", type=click.Path(dir_okay=False), default=None,
              help="Also map the incidents of this store (see `geomap store`).")
@click.option("--type-column", default=None, metavar="NAME",
              help="Another tool's table: the column holding the incident type (a geomap type id or "
                   "label; anything else maps to the 'other' layer).")
@click.option("--date-column", default=None, metavar="NAME", help="Another tool's table: the date column.")
@click.option("--place-column", default=None, metavar="NAME", help="Another tool's table: the place-name column.")
@click.option("--text-column", default=None, metavar="NAME",
              help="Another tool's table: the column with the report's text (shown in popups).")
@geocoder_options
def map_command(inputs: InputOptions, output: str | None, title: str | None, regions: tuple[str, ...],
                types: tuple[str, ...], since: str | None, until: str | None, cdn: bool, embed: bool,
                png: str | None, svg: str | None, pdf: str | None, height: str | None,
                aspect: str | None, link: str | None, tiles: str | None, tiles_attribution: str | None,
                assets_url: str | None, assets_dir: str | None,
                heat: bool, no_cluster: bool,
                store: str | None, type_column: str | None, date_column: str | None,
                place_column: str | None, text_column: str | None, geocoder_name: str,
                user_agent: str | None, geocoder_url: str | None) -> int:
    """Draw incidents on a layered map: a layer per incident type, region, date and place filters.

    INPUT is an incidents file written by `geomap extract` (.geojson, .gpkg, .parquet, or a .csv
    with an incident_type column), another tool's points (any .geojson/.gpkg/.parquet of points,
    or a .csv with latitude/longitude columns; an ACLED export maps with ACLED's types; the
    columns read are in data/imports/columns.toml, or name them with --type-column, ...) or
    articles (files, folders, - for stdin, a .csv with a text column), which are extracted first.
    The page works offline: Leaflet, the icons and a base map of country and region outlines are
    inside it.

    A record that cannot be mapped (unknown incident type, coordinates off the globe) is named
    and skipped; the map shows the rest. When no input could be read at all, nothing is written
    and existing files are left as they were.

    Exit codes: 0 ok; 1 some inputs or records failed (the map shows the rest); 2 usage error.
    """
    if not inputs.paths and not store:
        raise click.UsageError("give at least one INPUT (incidents file or articles) or --store FILE")
    if store and not Path(store).exists():
        raise click.UsageError(f"no such file or folder: {store!r}")
    from .._atomic import refuse_inputs_as_outputs
    from ..render import make_map, prepare, save_static
    from ..render._make import map_title
    from ..render._map import EMBED_HEIGHT, css_aspect, css_height, link_target, write_assets
    from ..render._map import assets_url as check_assets_url
    from ..render._tiles import tile_layer

    try:  # the frame's options are checked before any work
        embed_options = {"height": css_height(height or EMBED_HEIGHT),
                         "aspect": css_aspect(aspect) if aspect else None, "link": link_target(link)}
        tile_layer(tiles, tiles_attribution)
        assets_url = check_assets_url(assets_url)
    except UsageError as exc:
        raise click.UsageError(str(exc)) from exc
    if assets_dir and not assets_url:
        raise click.UsageError("--assets-dir says where to write the shared copy of --assets-url: add --assets-url")
    if (height or aspect or link) and not embed:
        raise click.UsageError("--height, --aspect and --link shape the --embed frame: add --embed")

    targets = [output, png, svg, pdf]
    if output or not (png or svg or pdf):
        target = Path(output) if output else _default_output(inputs.paths, store, embed)
        targets[0] = str(target)
    try:
        refuse_inputs_as_outputs(targets, [*inputs.paths, store])
        geocoder = make_geocoder(geocoder_name, user_agent, geocoder_url)
        columns = {field: name for field, name in (("type", type_column), ("date", date_column),
                                                    ("place", place_column), ("text", text_column)) if name}
        incidents, failures, read = _read(inputs, store, geocoder, columns or None)
        for message in failures:
            click.echo(f"error: {message}", err=True)
        if failures and (not read or inputs.strict):
            why = "--strict stops at the first failure" if inputs.strict else "no input could be read"
            kept = [t for t in targets if t and Path(t).exists()]
            click.echo(f"error: no map written ({why})"
                       + (f"; {', '.join(kept)} left as {'it was' if len(kept) == 1 else 'they were'}"
                          if kept else ""), err=True)
            return _exit(EXIT_INPUT_FAILED)
        shown = prepare(incidents, regions=list(regions) or None, types=list(types) or None,
                        since=since, until=until)
        written: list[Path] = []
        if targets[0]:
            the_map = make_map(incidents, title=title, regions=list(regions) or None,
                               types=list(types) or None, since=since, until=until, cdn=cdn, heat=heat,
                               cluster=False if no_cluster else None, tiles=tiles,
                               tiles_attribution=tiles_attribution, assets_url=assets_url)
            if assets_url:  # the shared copy the page loads (written before the page)
                folder = assets_dir or (None if re.match(r"https?://", assets_url, re.I)
                                        else str(Path(targets[0]).parent / assets_url))
                if folder:
                    written += write_assets(folder)
            written.append(the_map.save_embed(targets[0], **embed_options) if embed
                           else the_map.save(targets[0]))
            title = the_map.title
        title = map_title(incidents, title=title, regions=list(regions) or None, since=since, until=until)
        for image in (png, svg, pdf):
            if image:
                written.append(save_static(shown, image, title=title))
    except UsageError as exc:
        raise fail(exc) from exc
    except GeomapError as exc:
        raise fail(exc) from exc
    if not len(shown):
        click.echo("warning: no incidents match; the map is empty", err=True)
    if not inputs.quiet or failures:
        for path in written:
            click.echo(f"wrote {path} ({len(shown)} incidents)", err=True)
    return _exit(EXIT_INPUT_FAILED if failures else EXIT_OK)


def _exit(code: int) -> int:
    """``code`` as the process's exit code, also in click's standalone mode."""
    ctx = click.get_current_context(silent=True)
    if code and ctx is not None:
        ctx.exit(code)
    return code
