"""``geomap map``: incidents (or articles) -> an HTML map, an embeddable fragment, PNG/SVG."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..errors import GeomapError, InputError, UsageError
from ._common import EXIT_INPUT_FAILED, EXIT_OK, fail, geocoder_options, make_geocoder

#: Extensions read as incident files (``geomap extract`` output); anything else is articles.
INCIDENT_SUFFIXES = (".geojson", ".gpkg", ".parquet", ".geoparquet", ".csv")


def _is_incident_file(path: str) -> bool:
    return path != "-" and Path(path).suffix.lower() in INCIDENT_SUFFIXES and Path(path).is_file()


def _read(inputs: tuple[str, ...], store: str | None, date: str | None,
          geocoder: Any = None) -> tuple[Any, list[str]]:
    """All incidents from incident files, a store and articles; plus the failures to report."""
    import pandas as pd

    frames: list[Any] = []
    failures: list[str] = []
    incident_files = [p for p in inputs if _is_incident_file(p)]
    article_inputs = [p for p in inputs if p not in incident_files]
    if incident_files:
        from ..export import read_incidents

        for path in incident_files:
            try:
                frames.append(read_incidents(path))
            except InputError as exc:
                failures.append(str(exc))
    if store:
        from ..store import read_store

        try:
            frames.append(read_store(store))
        except InputError as exc:
            failures.append(str(exc))
    if article_inputs:
        from ..articles import read_articles
        from ..batch import BatchReport
        from ..pipeline import Pipeline

        report = BatchReport()
        # the same pipeline as `geomap extract`, with its progress bar and failure report
        frames.append(Pipeline(geocoder=geocoder).run(
            read_articles(article_inputs, date=date, on_error=report.record), report=report, progress=None))
        failures += [str(f) for f in report.failures]
    frames = [f for f in frames if f is not None and len(f)]
    if not frames:
        from ..export import empty_incidents

        return empty_incidents(), failures
    if len(frames) == 1:
        return frames[0], failures
    import geopandas as gpd

    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs="EPSG:4326"), failures


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
  geomap map --store incidents.store.gpkg -o maps/all.html --heat
  geomap map articles/ -o maps/today.html --geocoder nominatim --user-agent "desk/1.0 (me@example.org)"
""")
@click.argument("inputs", nargs=-1)
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
@click.option("--heat", is_flag=True, help="Show the heat-map overlay from the start.")
@click.option("--no-cluster", is_flag=True, help="Never cluster markers (default: pins that overlap cluster).")
@click.option("--store", type=click.Path(dir_okay=False), default=None,
              help="Also map the incidents of this store (see `geomap store`).")
@click.option("--date", default=None, metavar="YYYY-MM-DD",
              help="Report date for articles that carry none.")
@geocoder_options
def map_command(inputs: tuple[str, ...], output: str | None, title: str | None, regions: tuple[str, ...],
                types: tuple[str, ...], since: str | None, until: str | None, cdn: bool, embed: bool,
                png: str | None, svg: str | None, pdf: str | None, height: str | None,
                aspect: str | None, link: str | None, heat: bool, no_cluster: bool, store: str | None,
                date: str | None, geocoder_name: str, user_agent: str | None, geocoder_url: str | None) -> int:
    """Draw incidents on a layered map: a layer per incident type, region, date and place filters.

    INPUT is an incidents file written by `geomap extract` (.geojson, .gpkg, .parquet, .csv) or
    articles (files, folders, - for stdin), which are extracted first. The page works offline:
    Leaflet, the icons and a base map of country and region outlines are inside it.

    Exit codes: 0 ok; 1 some inputs failed (the map shows the rest); 2 usage error.
    """
    if not inputs and not store:
        raise click.UsageError("give at least one INPUT (incidents file or articles) or --store FILE")
    missing = [p for p in inputs if p != "-" and not Path(p).exists()]
    if store and not Path(store).exists():
        missing.append(store)
    if missing:
        raise click.UsageError(f"no such file or folder: {', '.join(missing)}")
    from ..render import make_map, prepare, save_static
    from ..render._make import map_title
    from ..render._map import EMBED_HEIGHT, css_aspect, css_height, link_target

    try:  # the frame's options are checked before any work
        embed_options = {"height": css_height(height or EMBED_HEIGHT),
                         "aspect": css_aspect(aspect) if aspect else None, "link": link_target(link)}
    except UsageError as exc:
        raise click.UsageError(str(exc)) from exc
    if (height or aspect or link) and not embed:
        raise click.UsageError("--height, --aspect and --link shape the --embed frame: add --embed")

    try:
        geocoder = make_geocoder(geocoder_name, user_agent, geocoder_url)
        incidents, failures = _read(inputs, store, date, geocoder)
        for message in failures:
            click.echo(f"error: {message}", err=True)
        shown = prepare(incidents, regions=list(regions) or None, types=list(types) or None,
                        since=since, until=until)
        written: list[Path] = []
        if output or not (png or svg or pdf):
            target = Path(output) if output else _default_output(inputs, store, embed)
            the_map = make_map(incidents, title=title, regions=list(regions) or None,
                               types=list(types) or None, since=since, until=until, cdn=cdn, heat=heat,
                               cluster=False if no_cluster else None)
            written.append(the_map.save_embed(target, **embed_options) if embed else the_map.save(target))
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
    for path in written:
        click.echo(f"wrote {path} ({len(shown)} incidents)", err=True)
    return EXIT_INPUT_FAILED if failures else EXIT_OK
