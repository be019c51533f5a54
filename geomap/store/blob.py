"""GeoPackage geometry blobs: the ``GP`` header (srs id, flags, optional envelope) around ISO WKB.

The store writes 2D points (no envelope, little endian) and reads any standard blob another tool
wrote; extended geometries are refused.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Sequence
from typing import Any

#: SRS id of the store's geometries (WGS 84).
SRS_ID = 4326

_ENVELOPE_SIZES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}


def point_blob(x: float, y: float, srs_id: int = SRS_ID) -> bytes:
    """A GeoPackage geometry blob of a 2D point: header (no envelope, little endian) + ISO WKB."""
    flags = 0b0000_0001  # bit 0: little-endian header; envelope code 0; not empty; standard
    return b"GP" + bytes((0, flags)) + struct.pack("<i", srs_id) + struct.pack("<BIdd", 1, 1, x, y)


def parse_blob(blob: bytes) -> tuple[int, bool, bytes, tuple[float, ...] | None]:
    """(srs_id, empty, wkb, envelope) of a GeoPackage geometry blob; ValueError when it is not one."""
    if not isinstance(blob, (bytes, bytearray, memoryview)):
        raise ValueError(f"not a GeoPackage geometry blob (a {type(blob).__name__})")
    if len(blob) < 8 or blob[:2] != b"GP":
        raise ValueError("not a GeoPackage geometry blob")
    if blob[2] != 0:
        raise ValueError(f"unsupported GeoPackage blob version {blob[2]}")
    flags = blob[3]
    if flags & 0b0010_0000:
        raise ValueError("extended GeoPackage geometries are not supported")
    order = "<" if flags & 1 else ">"
    code = (flags >> 1) & 0b111
    if code not in _ENVELOPE_SIZES:
        raise ValueError(f"invalid envelope code {code}")
    size = _ENVELOPE_SIZES[code]
    if len(blob) < 8 + size:
        raise ValueError("truncated GeoPackage geometry blob")
    (srs_id,) = struct.unpack(order + "i", blob[4:8])
    envelope = struct.unpack(order + "d" * (size // 8), blob[8:8 + size]) if size else None
    return srs_id, bool(flags & 0b0001_0000), bytes(blob[8 + size:]), envelope


def blob_bounds(blob: bytes | None) -> tuple[float, float, float, float] | None:
    """(minx, maxx, miny, maxy) of a blob, None when NULL or empty."""
    if blob is None:
        return None
    _, empty, wkb, envelope = parse_blob(blob)
    if empty:
        return None
    if envelope is not None:
        return envelope[0], envelope[1], envelope[2], envelope[3]
    if len(wkb) == 21 and wkb[0] in (0, 1):  # 2D point, the common case
        order = "<" if wkb[0] == 1 else ">"
        gtype, x, y = struct.unpack(order + "Idd", wkb[1:])
        if gtype == 1:
            return (None if math.isnan(x) else (x, x, y, y))
    import shapely

    geom = shapely.from_wkb(wkb)
    if geom.is_empty:
        return None
    minx, miny, maxx, maxy = geom.bounds
    return minx, maxx, miny, maxy


def decode_geometries(blobs: Sequence[bytes | None]) -> list[Any]:
    """Shapely geometries of blobs (None for NULL or empty ones)."""
    import shapely

    out: list[Any] = []
    for blob in blobs:
        if blob is None:
            out.append(None)
            continue
        _, empty, wkb, _ = parse_blob(blob)
        geom = None if empty else shapely.from_wkb(wkb)
        out.append(None if geom is None or geom.is_empty else geom)
    return out
