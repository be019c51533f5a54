/* basemap: the offline base map's detail near the incidents (payload "detail", written by
 * geomap/render/_basemap.py): rivers and lakes drawn from the zoom each one was given, settlement
 * labels by zoom (placed collision-free when the data was built, so the page only filters by
 * zoom and view), optional raster tiles (payload "tiles", geomap/render/_tiles.py) above them,
 * and the theatre the view fits (geomap/render/_theatre.py). */

var WATER_COLOUR = "#dce9f2", RIVER_COLOUR = "#8fb8d6";
/* labels drawn at most at once (the view's, most populous first) */
var MAX_LABELS = 400;
/* the theatre: pins binned in THEATRE_CELL-degree cells, touching cells grouped, groups with at
 * least THEATRE_SHARE of the biggest one's count fitted (the same rule as _theatre.py) */
var THEATRE_CELL = 2, THEATRE_SHARE = 0.25;

/* lines come delta-encoded like the outlines' rings ({s: scale, l: [flat, ...]}) */
function decodeLines(g) {
  var scale = g.s;
  return {
    type: "MultiLineString",
    coordinates: g.l.map(function (flat) {
      var line = [], x = 0, y = 0;
      for (var i = 0; i < flat.length; i += 2) {
        x += flat[i]; y += flat[i + 1];
        line.push([x / scale, y / scale]);
      }
      return line;
    })
  };
}

/* the indices of ids (into lon/lat columns) that make the theatre; cells keyed by number (x
 * and y cell indices packed), so 100,000 pins cost one pass and no strings */
function theatreOf(ids, lon, lat) {
  var count = new Map(), members = new Map(), W = 4096;
  for (var k = 0; k < ids.length; k++) {
    var i = ids[k];
    var key = (Math.floor(lon[i] / THEATRE_CELL) + W / 2) * W + Math.floor(lat[i] / THEATRE_CELL) + W / 2;
    if (!count.has(key)) { count.set(key, 0); members.set(key, []); }
    count.set(key, count.get(key) + 1);
    members.get(key).push(i);
  }
  var seen = new Set(), groups = [], biggest = 0;
  count.forEach(function (_, start) {
    if (seen.has(start)) { return; }
    seen.add(start);
    var stack = [start], cells = [], total = 0;
    while (stack.length) {
      var cell = stack.pop();
      cells.push(cell);
      total += count.get(cell);
      for (var dx = -1; dx <= 1; dx++) {
        for (var dy = -1; dy <= 1; dy++) {
          var near = cell + dx * W + dy;
          if (count.has(near) && !seen.has(near)) { seen.add(near); stack.push(near); }
        }
      }
    }
    groups.push({ total: total, cells: cells });
    if (total > biggest) { biggest = total; }
  });
  if (biggest <= 1) { return ids; }
  var chosen = [];
  groups.forEach(function (g) {
    if (g.total < Math.max(2, THEATRE_SHARE * biggest)) { return; }
    g.cells.forEach(function (cell) {
      var list = members.get(cell);
      for (var m = 0; m < list.length; m++) { chosen.push(list[m]); }
    });
  });
  return chosen;
}

/* the tile layer the page was made with (--tiles), or null */
function tileLayerOf(tiles) {
  if (!tiles || !safeUrl(tiles.url)) { return null; }
  var options = { maxZoom: tiles.maxZoom || 19, attribution: escapeHtml(tiles.attribution || "") };
  if (tiles.subdomains) { options.subdomains = tiles.subdomains; }
  return L.tileLayer(tiles.url, options);
}

/* rivers, lakes and labels: panes above the land (150) and beneath the tiles (200), so tiles
 * cover them where they load and offline they stay */
GeoMap.prototype._buildDetail = function (map) {
  var self = this, detail = this.data.detail;
  this.water = L.layerGroup();
  this.placeLabels = L.layerGroup();
  if (!detail) { return; }
  map.createPane("geomapWater").style.zIndex = 160;
  var labelPane = map.createPane("geomapLabels");
  labelPane.style.zIndex = 170;
  labelPane.style.pointerEvents = "none";
  var renderer = L.canvas({ pane: "geomapWater", padding: 0.3 });
  var dark = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
  var tiers = dict(), tierLayers = dict();
  detail.water.forEach(function (f) { (tiers[f.z] = tiers[f.z] || []).push(f); });
  function style(f) {
    return f.properties.k === "r"
      ? { color: dark ? "#4f6f86" : RIVER_COLOUR, weight: 1.2, fill: false }
      : { color: dark ? "#4f6f86" : RIVER_COLOUR, weight: 0.6, fill: true,
          fillColor: dark ? "#1d2a33" : WATER_COLOUR, fillOpacity: 1 };
  }
  // one layer per first zoom, decoded when the map first reaches that zoom
  this._drawWater = function () {
    var zoom = map.getZoom();
    Object.keys(tiers).forEach(function (key) {
      var layer = tierLayers[key];
      if (zoom >= +key) {
        if (!layer) {
          layer = tierLayers[key] = L.geoJSON({ type: "FeatureCollection", features: tiers[key].map(function (f) {
            return { type: "Feature", properties: { k: f.k },
                     geometry: f.k === "r" ? decodeLines(f.g) : decodeGeometry(f.g) };
          }) }, { renderer: renderer, pane: "geomapWater", interactive: false, style: style });
        }
        if (!self.water.hasLayer(layer)) { self.water.addLayer(layer); }
      } else if (layer && self.water.hasLayer(layer)) { self.water.removeLayer(layer); }
    });
  };
  var labels = detail.labels, shown = dict();
  this._drawLabels = function () {
    var zoom = map.getZoom() + 0.01, bounds = map.getBounds().pad(0.2), want = dict(), count = 0;
    for (var i = 0; i < labels.name.length && count < MAX_LABELS; i++) {  // sorted by zoom, population
      if (labels.z[i] > zoom) { break; }
      if (!bounds.contains([labels.lat[i], labels.lon[i]])) { continue; }
      want[i] = true;
      count++;
    }
    Object.keys(shown).forEach(function (key) {
      if (!want[key]) { self.placeLabels.removeLayer(shown[key]); delete shown[key]; }
    });
    Object.keys(want).forEach(function (key) {
      if (shown[key]) { return; }
      var node = el("span", "geomap-place", labels.name[key]);  // text, never markup
      var icon = L.divIcon({ className: "geomap-place-label", html: node, iconSize: [0, 0], iconAnchor: [0, 0] });
      shown[key] = L.marker([labels.lat[key], labels.lon[key]], {
        icon: icon, pane: "geomapLabels", interactive: false, keyboard: false
      });
      self.placeLabels.addLayer(shown[key]);
    });
  };
  this.water.addTo(map);
  this.placeLabels.addTo(map);
  map.on("zoomend", this._drawWater);
  map.on("zoomend moveend", this._drawLabels);
  map.whenReady(function () { self._drawWater(); self._drawLabels(); });
};
