/* data decoding: delta-encoded geometries (geomap/render/_outlines.py), point-in-area tests and the
 * gzip+base64 payload of large maps (geomap/render/_payload.py). */

/* geometries come delta-encoded (geomap/render/_outlines.py: _compact) */
function decodeGeometry(g) {
  var scale = g.s;
  return {
    type: "MultiPolygon",
    coordinates: g.p.map(function (rings) {
      return rings.map(function (flat) {
        var ring = [], x = 0, y = 0;
        for (var i = 0; i < flat.length; i += 2) {
          x += flat[i]; y += flat[i + 1];
          ring.push([x / scale, y / scale]);
        }
        ring.push(ring[0]);
        return ring;
      });
    })
  };
}

function feature(g, properties) {
  return { type: "Feature", properties: properties || {}, geometry: decodeGeometry(g) };
}

/* point in a decoded MultiPolygon (even-odd rule over every ring) */
function insideGeometry(geometry, x, y) {
  var inside = false;
  geometry.coordinates.forEach(function (rings) {
    rings.forEach(function (ring) {
      for (var a = 0, b = ring.length - 1; a < ring.length; b = a++) {
        var xa = ring[a][0], ya = ring[a][1], xb = ring[b][0], yb = ring[b][1];
        if ((ya > y) !== (yb > y) && x < (xb - xa) * (y - ya) / (yb - ya) + xa) { inside = !inside; }
      }
    });
  });
  return inside;
}

function fromBase64(text) {  // browsers without Uint8Array.fromBase64
  var binary = atob(text), bytes = new Uint8Array(binary.length);
  for (var i = 0; i < binary.length; i++) { bytes[i] = binary.charCodeAt(i); }
  return bytes;
}

/* the payload of large maps is gzip-compressed and base64-encoded (see geomap/render/_map.py) */
function inflate(text) {
  var bytes = Uint8Array.fromBase64 ? Uint8Array.fromBase64(text.trim()) : fromBase64(text.trim());
  var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Response(stream).text();
}
