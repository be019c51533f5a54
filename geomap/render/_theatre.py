"""The theatre: which pinned incidents a map's first view fits.

A fit on every pin stretches to the far ones (talks in Geneva, a strike report from Siberia),
and the theatre becomes a pile of pins at zoom 3. The theatre is the densest cluster of precise
incidents instead: pins are binned into :data:`CELL`-degree cells, cells that touch (diagonals
too) form groups, and the first view fits the group holding the most incidents, plus any other
group with at least :data:`SHARE` of that group's count (two real theatres are both kept). Far
pins stay on the map and in every count; only the first view leaves them out. With no group of
more than one incident, the view fits them all. geomap.js does the same on the page
(``theatreOf``) when it fits the incidents the filters show.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

#: Cell size (degrees): pins more than about two cells (200 km) from any other are their own group.
CELL = 2.0
#: A second group joins the theatre with at least this share of the biggest group's incidents.
SHARE = 0.25


def theatre(lons: Sequence[float], lats: Sequence[float]) -> list[int]:
    """Indices of the points in the theatre (all of them when no cluster stands out)."""
    count: dict[tuple[int, int], int] = {}
    members: dict[tuple[int, int], list[int]] = {}
    for i, (lon, lat) in enumerate(zip(lons, lats)):
        key = (math.floor(lon / CELL), math.floor(lat / CELL))
        count[key] = count.get(key, 0) + 1
        members.setdefault(key, []).append(i)
    groups: list[tuple[int, list[tuple[int, int]]]] = []
    seen: set[tuple[int, int]] = set()
    for start in sorted(count):
        if start in seen:
            continue
        seen.add(start)
        stack, group, total = [start], [], 0
        while stack:
            cell = stack.pop()
            group.append(cell)
            total += count[cell]
            for dx in (-1, 0, 1):
                for dy in (-1, 0, 1):
                    near = (cell[0] + dx, cell[1] + dy)
                    if near in count and near not in seen:
                        seen.add(near)
                        stack.append(near)
        groups.append((total, group))
    if not groups:
        return []
    biggest = max(total for total, _ in groups)
    if biggest <= 1:
        return list(range(len(lons)))
    chosen = [i for total, group in groups if total >= max(2, SHARE * biggest) for cell in group
              for i in members[cell]]
    return sorted(chosen)
