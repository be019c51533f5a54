/* markers: the heat layer, pin icons, markers made on first use, their placement in time-boxed
 * slices (see _sync), the fit on the pinned incidents and the cluster bubbles. */

/* A canvas heat layer: each visible incident adds a soft spot; density is coloured blue->red. */
var HeatLayer = L.Layer.extend({
  initialize: function (source, options) {
    this._source = source;  // function () -> array of [lat, lng]
    L.setOptions(this, options);
  },
  onAdd: function (map) {
    this._canvas = L.DomUtil.create("canvas", "geomap-heat leaflet-zoom-hide");
    (map.getPane("geomapHeat") || map.getPanes().overlayPane).appendChild(this._canvas);
    map.getContainer().classList.add("geomap-heat-on");
    map.on("moveend zoomend resize", this.redraw, this);
    this.redraw();
  },
  onRemove: function (map) {
    map.off("moveend zoomend resize", this.redraw, this);
    map.getContainer().classList.remove("geomap-heat-on");
    L.DomUtil.remove(this._canvas);
    this._canvas = null;
  },
  _brush: function (radius) {
    var size = radius * 2, canvas = document.createElement("canvas");
    canvas.width = canvas.height = size;
    var ctx = canvas.getContext("2d");
    var gradient = ctx.createRadialGradient(radius, radius, 0, radius, radius, radius);
    gradient.addColorStop(0, "rgba(0,0,0,1)");
    gradient.addColorStop(1, "rgba(0,0,0,0)");
    ctx.fillStyle = gradient;
    ctx.fillRect(0, 0, size, size);
    return canvas;
  },
  _palette: function () {
    var canvas = document.createElement("canvas");
    canvas.width = 256; canvas.height = 1;
    var ctx = canvas.getContext("2d"), gradient = ctx.createLinearGradient(0, 0, 256, 0);
    gradient.addColorStop(0.25, "#2b83ba");
    gradient.addColorStop(0.5, "#abdda4");
    gradient.addColorStop(0.7, "#ffffbf");
    gradient.addColorStop(0.85, "#fdae61");
    gradient.addColorStop(1, "#d7191c");
    ctx.fillStyle = gradient;
    ctx.fillRect(0, 0, 256, 1);
    return ctx.getImageData(0, 0, 256, 1).data;
  },
  redraw: function () {
    if (!this._map || !this._canvas) { return; }
    var map = this._map, size = map.getSize(), canvas = this._canvas;
    canvas.width = size.x; canvas.height = size.y;
    L.DomUtil.setPosition(canvas, map.containerPointToLayerPoint([0, 0]));
    var ctx = canvas.getContext("2d"), radius = 14;
    this._brushCanvas = this._brushCanvas || this._brush(radius);
    this._colours = this._colours || this._palette();
    var points = this._source(), bounds = map.getBounds().pad(0.2);
    ctx.globalAlpha = points.length > 5000 ? 0.12 : 0.4;
    for (var i = 0; i < points.length; i++) {
      if (!bounds.contains(points[i])) { continue; }
      var p = map.latLngToContainerPoint(points[i]);
      ctx.drawImage(this._brushCanvas, p.x - radius, p.y - radius);
    }
    if (!size.x || !size.y) { return; }
    var image = ctx.getImageData(0, 0, size.x, size.y), px = image.data, colours = this._colours;
    for (var j = 3; j < px.length; j += 4) {
      var a = px[j];
      if (!a) { continue; }
      var k = a * 4;
      px[j - 3] = colours[k]; px[j - 2] = colours[k + 1]; px[j - 1] = colours[k + 2];
      px[j] = Math.min(235, 110 + a);
    }
    ctx.putImageData(image, 0, 0);
  }
});

/* a divIcon whose element is cloned from one parsed template instead of re-parsing its HTML */
var PinIcon = L.DivIcon.extend({
  createIcon: function (oldIcon) {
    if (!this._template) {
      this._template = L.DivIcon.prototype.createIcon.call(this, null);
    }
    if (oldIcon && oldIcon.tagName === "DIV") { return L.DivIcon.prototype.createIcon.call(this, oldIcon); }
    var div = this._template.cloneNode(true);
    this._setIconStyles(div, "icon");
    return div;
  }
});

/* pixel offsets [dx, dy] for incidents that share a point with others (index -> offset) */
function fanOut(cols, n, radius) {
  var groups = dict(), offsets = dict();
  for (var i = 0; i < n; i++) {
    var key = cols.lat[i] + "," + cols.lon[i];
    (groups[key] = groups[key] || []).push(i);
  }
  Object.keys(groups).forEach(function (key) {
    var g = groups[key];
    if (g.length < 2) { return; }
    g.forEach(function (index, j) { offsets[index] = ringOffset(j, g.length, radius); });
  });
  return offsets;
}

/* the offset of the j-th of `count` pins on a ring of `radius` px around their shared point */
function ringOffset(j, count, radius) {
  var angle = 2 * Math.PI * j / count - Math.PI / 2;
  return [Math.round(radius * Math.cos(angle)), Math.round(radius * Math.sin(angle))];
}

/* where pin i sits on the rings around a point it shares with other pins placed (of any type),
 * null when it has the point to itself; the pins' ranks are counted once per set placed */
GeoMap.prototype._sharedOffset = function (i) {
  if (this._ranksOf !== this._place) {
    var place = this._place, c = this.cols, seen = new Map(), rank = new Int32Array(this.n);
    var size = new Int32Array(this.n), k, key, g;
    for (k = 0; k < place.length; k++) {
      key = c.lat[place[k]] + "," + c.lon[place[k]];
      g = seen.get(key) || 0;
      rank[place[k]] = g;
      seen.set(key, g + 1);
    }
    for (k = 0; k < place.length; k++) { size[place[k]] = seen.get(c.lat[place[k]] + "," + c.lon[place[k]]); }
    this._ranksOf = place;
    this._rank = rank;
    this._shareCount = size;
  }
  return this._shareCount[i] > 1 ? ringsOffset(this._rank[i], this._shareCount[i]) : null;
};

/* the marker of incident i, made on first use */
GeoMap.prototype._marker = function (i) {
  return this.markers[i] || (this.markers[i] = this._makeMarker(i, this._fanOut && this._fanOut[i]));
};

/* a marker for incident i, its pin moved by offset [dx, dy] px when given */
GeoMap.prototype._makeMarker = function (i, offset) {
  var c = this.cols, type = c.type[i], at = new L.LatLng(c.lat[i], c.lon[i]), m;
  var coarse = c.gp[i] === 3, Marker = this._markerTypes[type][coarse ? 1 : 0];
  if (offset) {
    var options = L.extend({}, this._iconOptions[type], { iconAnchor: [12 - offset[0], 12 - offset[1]] });
    if (coarse) { options.className += " geomap-p3"; }
    m = new Marker(at, { icon: new PinIcon(options) });
  } else {
    m = new Marker(at);
  }
  m._gi = i;
  return m;
};

/* land and borders; darker when the reader's system asks for a dark scheme */
GeoMap.prototype._borderStyle = function (feature) {
  var dark = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
  if (feature.properties.k === "c") {
    return { color: dark ? "#7d858c" : "#8a8a8a", weight: 0.8, fill: true,
             fillColor: dark ? "#2b3035" : "#f3f0e8", fillOpacity: 1 };
  }
  return { color: dark ? "#586069" : "#b5b0a5", weight: 0.5, fill: false };
};

/* "Air / missile / drone strike, Kherson, 2025-11-29": what a marker is, for its label and tooltip */
GeoMap.prototype.markerName = function (i) {
  var c = this.cols, str = this.strings;
  var parts = [this.data.types[c.type[i]].label];
  if (c.place[i] >= 0) { parts.push(str[c.place[i]]); }
  parts.push(c.date[i] >= 0 ? str[c.date[i]] : "date unknown");
  return parts.join(", ");
};

GeoMap.prototype._showTip = function (marker) {
  var icon = marker._icon, anchor = marker.options.icon.options.iconAnchor || [12, 12];
  this._tip.options.offset = [12 - anchor[0], -anchor[1]];
  this._tip.setLatLng(marker.getLatLng()).setContent(this.markerName(marker._gi));
  this.map.openTooltip(this._tip);
};

GeoMap.prototype._hideTip = function () { this.map.closeTooltip(this._tip); };

/* bring the container in line with _want: take out the markers the filters now hide (all at
 * once, by clearing, when that is most of them), then put in the ones they show; in slices of
 * about SLICE_MS each, the page free to handle input in between. The first slice runs at once
 * (maps of up to FIRST_SLICE / 2 incidents change synchronously); a newer change cancels the
 * slices still pending and starts from what is placed by then. */
GeoMap.prototype._sync = function () {
  if (this.typeGroups) { this._syncIndex(); return; }
  var self = this, want = this._want, shown = this._shown, n = this.n, groups = this.groups;
  var types = this.cols.type, job = ++this._job, i, k;
  var remove = [];
  for (i = 0; i < n; i++) { if (shown[i] && !want[i]) { remove.push(i); } }
  if (remove.length && remove.length * 2 >= this._shownCount) {
    this._groupList.forEach(function (group) { group.clearLayers(); });
    shown.fill(0);
    this._shownCount = 0;
    remove = [];
  }
  var add = [], place = this._place;
  for (k = 0; k < place.length; k++) { if (!shown[place[k]]) { add.push(place[k]); } }
  // with type groups, add type after type: a slice then feeds one or two groups, not each
  // (every addLayers call walks its group's clusters on screen once)
  if (this.typeGroups && add.length > FIRST_SLICE) { add = byType(add, types, groups.length); }
  var total = remove.length + add.length, offset = 0, perMarker = 0;  // ms per marker so far

  /* markers list[from..to) in or out of their groups (one call per group) */
  function move(list, from, to, adding) {
    var batches = [], j, g, batch;
    for (j = from; j < to; j++) {
      g = self.typeGroups ? types[list[j]] : 0;
      (batches[g] = batches[g] || []).push(self._marker(list[j]));
      shown[list[j]] = adding ? 1 : 0;
    }
    for (g = 0; g < batches.length; g++) {
      batch = batches[g];
      if (!batch) { continue; }
      var group = self.typeGroups ? groups[g] : self.container;
      if (adding && group.addLayers) { group.addLayers(batch); }
      else if (!adding && group.removeLayers) { group.removeLayers(batch); }
      else { for (var b = 0; b < batch.length; b++) { group[adding ? "addLayer" : "removeLayer"](batch[b]); } }
    }
    self._shownCount += adding ? to - from : from - to;
  }

  function work(count) {  // the next `count` removals, then additions
    var end = Math.min(total, offset + count);
    if (offset < remove.length) { move(remove, offset, Math.min(end, remove.length), false); }
    if (end > remove.length) {
      move(add, Math.max(offset, remove.length) - remove.length, end - remove.length, true);
    }
    offset = end;
  }

  function slice() {
    if (job !== self._job) { return; }  // a newer change took over
    var started = now(), count = FIRST_SLICE;
    do {
      if (perMarker > 0) {
        count = Math.max(500, Math.floor((SLICE_MS - (now() - started)) / perMarker));
      }
      var before = now(), from = offset;
      work(count);
      if (offset > from) { perMarker = Math.max((now() - before) / (offset - from), 1e-4); }
    } while (offset < total && now() - started < SLICE_MS / 2);
    self._progress(offset, total);
    if (offset < total) { setTimeout(slice, 0); }
  }

  this._progress(0, total);
  slice();  // the first slice at once: the first markers show with the controls
  this._markShown();
};

/* fn() once the first markers are on screen (at once when they are) */
GeoMap.prototype.whenShown = function (fn) {
  if (this._onShown) { this._onShown.push(fn); } else { fn(); }
};

GeoMap.prototype._markShown = function () {
  var waiting = this._onShown;
  if (!waiting) { return; }
  this._onShown = null;
  waiting.forEach(function (fn) { fn(); });
};

/* large maps (type groups): rebuild the cluster index of each type whose pins changed, the types
 * shown first, one zoom level a step, in slices of about SLICE_MS; each type's layer draws its
 * new index once built (until then its old one). A newer change cancels the pending steps, and
 * the types still to build stay marked for it. */
GeoMap.prototype._syncIndex = function () {
  var self = this, want = this._want, shown = this._shown, types = this.cols.type, n = this.n;
  var T = this.groups.length, dirty = this._dirty || (this._dirty = new Uint8Array(T));
  var job = ++this._job, i, t, k;
  for (i = 0; i < n; i++) {
    if (want[i] !== shown[i]) { dirty[types[i]] = 1; shown[i] = want[i]; }
  }
  var queue = [], place = this._place, sizes = new Int32Array(T);
  for (k = 0; k < place.length; k++) { sizes[types[place[k]]]++; }
  for (t = 0; t < T; t++) { if (dirty[t]) { queue.push(t); } }
  // the types shown first, the smallest first: the first clusters show soonest
  queue.sort(function (a, b) {
    return (self.state.types[b] ? 1 : 0) - (self.state.types[a] ? 1 : 0) || sizes[a] - sizes[b] || a - b;
  });
  var ids = queue.map(function (t) { return new Int32Array(sizes[t]); }), fill = new Int32Array(T), slot = [];
  queue.forEach(function (t, q) { slot[t] = q; });
  for (k = 0; k < place.length; k++) {
    t = types[place[k]];
    if (dirty[t]) { ids[slot[t]][fill[t]++] = place[k]; }
  }
  var map = this.map, minZoom = Math.floor(map.getMinZoom()), maxZoom = Math.ceil(map.getMaxZoom()) - 1;
  var steps = maxZoom - minZoom + 1, total = queue.length * steps, at = 0, index = null;

  function slice() {
    if (job !== self._job) { return; }
    var started = now(), first = !!self._onShown;
    // the first slice runs on until the first shown type is drawn, and ends there: the first
    // markers show with the controls, as on smaller maps
    while (queue.length && (first ? self._onShown : now() - started < SLICE_MS)) {
      if (!index) { index = new ClusterIndex(ids.shift(), self.cols, minZoom, maxZoom, CLUSTER_RADIUS_MANY); }
      index.step();
      at++;
      if (!index.done()) { continue; }
      t = queue.shift();
      dirty[t] = 0;
      self.groups[t].setIndex(index);
      index = null;
      self._shownCount = self.groups.reduce(function (sum, g) { return sum + (g.index ? g.index.n : 0); }, 0);
      if (self.state.types[t] || !queue.length) { self._markShown(); }
    }
    self._progress(at, total);
    if (queue.length) { setTimeout(slice, 0); }
  }

  this._progress(0, total);
  if (!queue.length || !this.state.types[queue[0]]) { this._markShown(); }  // no shown type to wait for
  slice();
};

/* ids reordered by type (stable within a type): a counting sort */
function byType(ids, types, count) {
  var starts = new Array(count + 1).fill(0), out = new Array(ids.length), i;
  for (i = 0; i < ids.length; i++) { starts[types[ids[i]] + 1]++; }
  for (i = 0; i < count; i++) { starts[i + 1] += starts[i]; }
  for (i = 0; i < ids.length; i++) { out[starts[types[ids[i]]]++] = ids[i]; }
  return out;
}

/* the groups of the types switched on are on the map, the others not (type groups only) */
GeoMap.prototype._showGroups = function () {
  if (!this.typeGroups) { return; }
  var s = this.state, container = this.container;
  this.groups.forEach(function (group, t) {
    if (s.types[t] && !container.hasLayer(group)) { container.addLayer(group); }
    if (!s.types[t] && container.hasLayer(group)) { container.removeLayer(group); }
  });
};

/* the incidents whose markers are on the map, in a group shown (for tests and tools) */
GeoMap.prototype.placedIds = function () {
  var container = this.container, ids = [];
  this._groupList.forEach(function (group) {
    if (group !== container && !container.hasLayer(group)) { return; }
    if (group.placedIds) { group.placedIds().forEach(function (i) { ids.push(i); }); return; }
    group.eachLayer(function (m) { if (m._gi !== undefined) { ids.push(m._gi); } });
  });
  return ids;
};

/* how many incidents the map draws, alone or inside the clusters on screen */
GeoMap.prototype.onScreenCount = function () {
  var container = this.container, n = 0;
  this._groupList.forEach(function (group) {
    if (group !== container && !container.hasLayer(group)) { return; }
    (group._featureGroup || group).eachLayer(function (l) { n += l.getChildCount ? l.getChildCount() : 1; });
  });
  return n;
};

/* whether a zoom animation runs (markercluster keeps the old level's clusters until it ends) */
GeoMap.prototype.animating = function () {
  return !!this.map._animatingZoom || this._groupList.some(function (g) { return g._inZoomAnimation; });
};

/* loading state: data-loaded on the root when every visible marker is placed, else progress */
GeoMap.prototype._progress = function (done, total) {
  var loading = done < total, wasLoading = this._loading;
  this._loading = loading;
  // clusters drawn while markers were still arriving show their count only: now their types
  if (wasLoading && !loading) {
    this._groupList.forEach(function (group) { if (group.refreshClusters) { group.refreshClusters(); } });
  }
  this.root.toggleAttribute("data-loaded", !loading);
  if (loading) { this.root.setAttribute("aria-busy", "true"); } else { this.root.removeAttribute("aria-busy"); }
  this.progress.textContent = loading
    ? "Updating markers\u2026 " + Math.floor(100 * done / total) + "%" : "";
  if (!loading && this._onLoaded.length) {
    var waiting = this._onLoaded;
    this._onLoaded = [];
    waiting.forEach(function (resolve) { resolve(); });
  }
};

/* a Promise resolved once every visible marker is placed (at once when they are) */
GeoMap.prototype.loaded = function () {
  var self = this;
  if (this.root.hasAttribute("data-loaded")) { return Promise.resolve(); }
  return new Promise(function (resolve) { self._onLoaded.push(resolve); });
};

/* the heat map counts pinned incidents only: a country's centre is no hot spot */
GeoMap.prototype._visibleLatLngs = function () {
  var c = this.cols;
  return this.pins.map(function (i) { return [c.lat[i], c.lon[i]]; });
};

/* fit the view on the theatre of the pinned incidents (theatreOf: their densest cluster, so far
 * pins do not shrink it; areas would stretch it to a continent); on the areas' outlines when
 * only areas are shown */
GeoMap.prototype.fitVisible = function () {
  var size = this.map.getSize(), self = this;
  if (!size.x || !size.y) {
    // not laid out yet (a hidden tab, a frame shown later): a fit now would pick the top zoom
    // at a random centre, so fit once the map has a size
    if (!this._fitPending) {
      this._fitPending = true;
      this._moving++;  // Leaflet reports sizes only of a map with a view
      try { this.map.setView([48, 20], 3, { animate: false }); } finally { this._moving--; }
      this.map.once("resize", function () { self._fitPending = false; self.fitVisible(); });
    }
    return;
  }
  this._moving++;
  this.view = null;  // the view follows the filters again
  try { this._fit(); } finally { this._moving--; }
};

GeoMap.prototype._fit = function () {
  var c = this.cols, ids = this.pins.length ? this.pins : null;
  if (!ids) {
    var bounds = null;
    this.areas.eachLayer(function (layer) {
      if (layer.getBounds) { bounds = bounds ? bounds.extend(layer.getBounds()) : L.latLngBounds(layer.getBounds()); }
    });
    if (bounds && bounds.isValid()) {
      this.map.fitBounds(bounds, L.extend(this._fitPadding(), { maxZoom: 6 }));
      this._fitted = true;
    } else if (!this._fitted) { this.map.setView([48, 20], 3); this._fitted = true; }
    return;
  }
  ids = theatreOf(ids, c.lon, c.lat);
  var south = 90, north = -90, west = 180, east = -180;
  for (var k = 0; k < ids.length; k++) {
    var i = ids[k];
    if (c.lat[i] < south) { south = c.lat[i]; }
    if (c.lat[i] > north) { north = c.lat[i]; }
    if (c.lon[i] < west) { west = c.lon[i]; }
    if (c.lon[i] > east) { east = c.lon[i]; }
  }
  this.map.fitBounds([[south, west], [north, east]], this._fitPadding());
  this._fitted = true;
};

/* keep fitted incidents clear of the filter panel (left) and the layer control and legend (right) */
GeoMap.prototype._fitPadding = function () {
  var size = this.map.getSize(), root = this.root;
  function width(selector) { var node = root.querySelector(selector); return node ? node.offsetWidth : 0; }
  if (this.compact) {
    var top = root.querySelector(".geomap-panel");
    return { paddingTopLeft: [24, Math.min((top ? top.offsetHeight : 0) + 24, size.y * 0.4)],
             paddingBottomRight: [24, 48], maxZoom: 9, animate: false };
  }
  var left = Math.min(width(".geomap-panel") + 20, size.x * 0.35);
  var right = Math.min(Math.max(width(".leaflet-control-layers"), width(".geomap-legend")) + 20, size.x * 0.35);
  return { paddingTopLeft: [left, 30], paddingBottomRight: [right, 30], maxZoom: 9, animate: false };
};

/* ---------------------------------------------------------------- areas and clusters */

/* "2 Air strike, 1 Shelling": what a set of incidents holds, most frequent type first */
GeoMap.prototype._breakdown = function (ids) {
  var types = this.data.types, counts = new Array(types.length).fill(0), c = this.cols;
  ids.forEach(function (i) { counts[c.type[i]]++; });
  var order = counts.map(function (n, t) { return t; }).filter(function (t) { return counts[t]; });
  order.sort(function (a, b) { return counts[b] - counts[a] || a - b; });
  return order.map(function (t) { return { type: types[t], count: counts[t] }; });
};

/* a cluster's breakdown; a type group's cluster holds one type, known without a walk over its pins */
GeoMap.prototype._clusterParts = function (cluster) {
  return cluster.typeParts ? cluster.typeParts()
    : this._breakdown(cluster.getAllChildMarkers().map(function (m) { return m._gi; }));
};

function breakdownText(parts) {
  return parts.map(function (p) { return p.count + " " + p.type.label; }).join(", ");
}

/* a cluster bubble: the count on a dark disc ringed by its types' shares (conic gradient) */
GeoMap.prototype._clusterIcon = function (cluster) {
  if (this._loading && !cluster.typeParts) {  // the breakdown walks every pin inside: not on each slice of a large load
    var n = cluster.getChildCount(), grow = n < 10 ? 30 : n < 100 ? 36 : n < 1000 ? 42 : 48;
    var plain = el("div", "geomap-cluster geomap-cluster-loading");
    plain.style.background = GROUP_COLOUR;
    plain.style.width = plain.style.height = grow + "px";
    plain.appendChild(el("span", "geomap-cluster-count", n));
    plain.setAttribute("aria-label", n + " incidents");
    return L.divIcon({ html: plain, className: "marker-cluster geomap-cluster-icon", iconSize: [grow, grow] });
  }
  var parts = this._clusterParts(cluster), total = cluster.getChildCount(), at = 0, stops = [];
  parts.forEach(function (p) {
    var to = at + 360 * p.count / total;
    stops.push(p.type.colour + " " + at.toFixed(1) + "deg " + to.toFixed(1) + "deg");
    at = to;
  });
  var size = total < 10 ? 30 : total < 100 ? 36 : total < 1000 ? 42 : 48;
  var div = el("div", "geomap-cluster");
  div.style.background = "conic-gradient(" + stops.join(",") + ")";
  div.style.width = div.style.height = size + "px";
  div.appendChild(el("span", "geomap-cluster-count", total));
  var label = total + " incidents: " + breakdownText(parts);
  div.title = label;
  div.setAttribute("aria-label", label);
  return L.divIcon({ html: div, className: "marker-cluster geomap-cluster-icon", iconSize: [size, size] });
};
