"""make_map and prepare: incidents -> filtered subset -> an IncidentMap (one place for both)."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from typing import Any

from ..dates import filter_date
from ..errors import UsageError
from . import _data
from ._map import CLUSTER_THRESHOLD, IncidentMap


def prepare(incidents: Any, *, regions: Iterable[Any] | str | None = None,
            types: Iterable[str] | str | None = None, since: Any = None, until: Any = None) -> Any:
    """Check ``incidents`` and apply the region, type and date filters (what a map will show)."""
    _data.check_incidents(incidents)
    region_keys = _data.resolve_regions(regions, incidents)
    wanted_types = _data.parse_types(types)
    first = filter_date(since, "--since")
    last = filter_date(until, "--until")
    if first and last and first > last:
        raise UsageError(f"--since {first} is after --until {last}")
    subset = _data.filter_incidents(incidents, regions=region_keys, types=wanted_types,
                                    since=first, until=last)
    if "geometry" in subset.columns:
        subset = subset[subset.geometry.notna() & ~subset.geometry.is_empty]
    return subset


def map_title(incidents: Any, *, title: str | None = None, regions: Iterable[Any] | str | None = None,
              since: Any = None, until: Any = None) -> str:
    """The map's title: ``title`` when given, else one made from the filters ("Incidents in
    Krasnodar Krai, 2024-03-01 to 2024-03-10"); pages and static maps share it."""
    if title is not None:
        return title
    return _default_title(_data.resolve_regions(regions, incidents), filter_date(since, "--since"),
                          filter_date(until, "--until"))


def _default_title(regions: list[_data.RegionKey], since: _dt.date | None, until: _dt.date | None) -> str:
    title = "Incidents"
    if regions:
        title += " in " + ", ".join(r.name for r in regions)
    if since and until:
        title += f", {since} to {until}"
    elif since:
        title += f" since {since}"
    elif until:
        title += f" until {until}"
    return title


def make_map(incidents: Any, *, title: str | None = None, regions: Iterable[Any] | str | None = None,
             types: Iterable[str] | str | None = None, since: Any = None, until: Any = None,
             cdn: bool = False, heat: bool = False, cluster: bool | None = None,
             tiles: str | None = None, tiles_attribution: str | None = None,
             assets_url: str | None = None) -> IncidentMap:
    """Build the layered incident map of an incidents GeoDataFrame.

    ``regions`` (names as ``geomap regions`` lists them, region codes such as "RU-KDA", or Region
    objects), ``types`` (type ids) and ``since``/``until`` (dates) keep only matching incidents.
    ``cluster`` defaults to clustering from :data:`CLUSTER_THRESHOLD` incidents on; ``heat``
    switches the heat-map overlay on; ``cdn`` loads Leaflet from pinned CDN links instead of
    inlining it (a smaller page that needs the network). ``tiles`` ("osm", "carto" or a URL
    template with {z}/{x}/{y}) shows raster tiles when online, above the offline base map, with
    ``tiles_attribution`` (or the provider's) in the corner; off by default.
    ``assets_url`` (a folder's address or a path relative to the page) loads one shared copy of
    every style and script from there (:func:`~geomap.render.write_assets` writes it), so several
    embeds on one page share it.
    """
    from ._tiles import tile_layer

    tile_options = tile_layer(tiles, tiles_attribution)
    subset = prepare(incidents, regions=regions, types=types, since=since, until=until)
    region_keys = _data.resolve_regions(regions, incidents)
    if cluster is None:
        cluster = len(subset) >= CLUSTER_THRESHOLD
    if title is None:
        title = _default_title(region_keys, filter_date(since, "--since"),
                               filter_date(until, "--until"))
    view = ""
    if region_keys:
        from urllib.parse import quote

        keys = [quote(r.key, safe="") for r in region_keys if r.column is not None]
        view = "region=" + ",".join(keys) if keys else ""
    payload = _data.build_payload(subset, title=title, cluster=bool(cluster), heat=heat, view=view)
    if tile_options is not None:
        payload["tiles"] = tile_options
    return IncidentMap(payload, subset, cdn=cdn, assets=assets_url)
