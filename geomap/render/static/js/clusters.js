/* clusters: for large maps (data.typeGroups), one cluster index per type, built in typed arrays
 * zoom by zoom (greedy radius clustering of the level below, as supercluster does), and the
 * layer that draws it: only the clusters and pins near the view at the current zoom, a pin's
 * marker made when it first comes on screen. Leaflet.markercluster kept 100,000 markers in its
 * own grids at every zoom: seconds to build and most of the page's memory. */

function mercX(lon) { return lon / 360 + 0.5; }

function mercY(lat) {
  var s = Math.sin(lat * Math.PI / 180), y = 0.5 - 0.25 * Math.log((1 + s) / (1 - s)) / Math.PI;
  return y < 0 ? 0 : y > 1 ? 1 : y;
}

function mercLat(y) { return 360 * Math.atan(Math.exp((1 - 2 * y) * Math.PI)) / Math.PI - 90; }

/* the index of the pins ids (incident indices): node k < ids.length is the pin ids[k], later
 * nodes are clusters; built by step() (one zoom level a call) from maxZoom down to minZoom */
function ClusterIndex(ids, cols, minZoom, maxZoom, radius) {
  var n = ids.length, cap = Math.max(2, 2 * n), k;
  this.n = n;
  this.minZoom = minZoom;
  this.maxZoom = maxZoom;
  this.radius = radius;  // px: nodes closer than this at a zoom join one cluster there
  this.x = new Float64Array(cap);  // Web Mercator in [0, 1]
  this.y = new Float64Array(cap);
  this.count = new Int32Array(cap);
  this.zoom = new Int8Array(cap);  // a cluster's zoom: shown at it and below until merged
  this.child = new Int32Array(cap).fill(-1);  // first child, then next sibling
  this.next = new Int32Array(cap).fill(-1);
  // the pins in Z-order (Morton code of their position at 2^16 cells a side, then their rank
  // below 2^20): pins near each other sit near each other in memory, and so do their cells in
  // the grids of step()
  var order = new Float64Array(n), px = new Float64Array(n), py = new Float64Array(n), ranked = n < 1048576;
  for (k = 0; k < n; k++) {
    px[k] = mercX(cols.lon[ids[k]]);
    py[k] = mercY(cols.lat[ids[k]]);
    order[k] = ranked ? morton(Math.min(65535, px[k] * 65536), Math.min(65535, py[k] * 65536)) * 1048576 + k : k;
  }
  if (ranked) { order.sort(); }
  var sorted = new Int32Array(n);
  for (k = 0; k < n; k++) {
    var from = ranked ? order[k] % 1048576 : k;
    sorted[k] = ids[from];
    this.x[k] = px[from];
    this.y[k] = py[from];
    this.count[k] = 1;
    this.zoom[k] = maxZoom + 1;
  }
  this.ids = ids = sorted;
  this.size = n;
  this.levels = [];  // levels[z]: the nodes shown at zoom z; above maxZoom every pin
  var all = new Int32Array(n);
  for (k = 0; k < n; k++) { all[k] = k; }
  this.levels[maxZoom + 1] = all;
  this._z = maxZoom;
}

ClusterIndex.prototype.done = function () { return this._z < this.minZoom; };

ClusterIndex.prototype.step = function () {
  var z = this._z, nodes = this.levels[z + 1], m = nodes.length;
  var r = this.radius / (256 * Math.pow(2, z)), r2 = r * r, width = Math.ceil(1 / r) + 2;
  var x = this.x, y = this.y, count = this.count, child = this.child, next = this.next;
  // the nodes by grid cell (r wide) in a table of chains: a cell's slot is its row-major number
  // modulo the table's size, so neighbouring cells have neighbouring slots; cells sharing a slot
  // share a chain (the distance test sorts them out)
  var mask = 1, a, b, k, j;
  while (mask < 2 * m) { mask <<= 1; }
  var heads = new Int32Array(mask--).fill(-1), inCell = new Int32Array(m);
  for (a = 0; a < m; a++) {
    k = nodes[a];
    var slot = cellSlot(Math.floor(x[k] / r), Math.floor(y[k] / r), width, mask);
    inCell[a] = heads[slot];
    heads[slot] = a;
  }
  var done = new Uint8Array(m), out = new Int32Array(m), o = 0, found = new Int32Array(m);
  for (a = 0; a < m; a++) {
    if (done[a]) { continue; }
    done[a] = 1;
    k = nodes[a];
    var kx = x[k], ky = y[k], cx = Math.floor(kx / r), cy = Math.floor(ky / r), f = 0;
    var total = count[k], wx = kx * total, wy = ky * total;
    for (var dy = -1; dy <= 1; dy++) {
      for (var dx = -1; dx <= 1; dx++) {
        for (b = heads[cellSlot(cx + dx, cy + dy, width, mask)]; b >= 0; b = inCell[b]) {
          if (done[b]) { continue; }
          j = nodes[b];
          var ex = x[j] - kx, ey = y[j] - ky;
          if (ex * ex + ey * ey > r2) { continue; }
          done[b] = 1;
          found[f++] = j;
          total += count[j]; wx += x[j] * count[j]; wy += y[j] * count[j];
        }
      }
    }
    if (!f) { out[o++] = k; continue; }
    var c = this.size++;
    x[c] = wx / total; y[c] = wy / total; count[c] = total; this.zoom[c] = z;
    child[c] = k;
    next[k] = found[0];
    for (var s = 1; s < f; s++) { next[found[s - 1]] = found[s]; }
    next[found[f - 1]] = -1;
    out[o++] = c;
  }
  this.levels[z] = out.slice(0, o);
  this._z--;
};

function cellSlot(cx, cy, width, mask) { return (Math.imul(cy, width) + cx) & mask; }

/* the Morton code of (x, y), each a whole number below 2^16: their bits interleaved */
function morton(x, y) { return (spread(x) | (spread(y) << 1)) >>> 0; }

function spread(v) {
  v &= 0xffff;
  v = (v | (v << 8)) & 0x00ff00ff;
  v = (v | (v << 4)) & 0x0f0f0f0f;
  v = (v | (v << 2)) & 0x33333333;
  return (v | (v << 1)) & 0x55555555;
}

/* the nodes shown at zoom z inside the bounds (degrees) */
ClusterIndex.prototype.nodesAt = function (z, south, west, north, east) {
  var level = this.levels[Math.max(this.minZoom, Math.min(this.maxZoom + 1, z))] || [], out = [];
  // (a view padded by its own size may reach past the poles: sin() would fold those back)
  var x0 = mercX(west), x1 = mercX(east), x = this.x, y = this.y;
  var y0 = mercY(Math.min(90, north)), y1 = mercY(Math.max(-90, south));
  for (var a = 0; a < level.length; a++) {
    var k = level[a];
    if (x[k] >= x0 && x[k] <= x1 && y[k] >= y0 && y[k] <= y1) { out.push(k); }
  }
  return out;
};

ClusterIndex.prototype.latLng = function (k) {
  return k < this.n ? null : new L.LatLng(mercLat(this.y[k]), (this.x[k] - 0.5) * 360);
};

/* the incidents inside node k */
ClusterIndex.prototype.leaves = function (k, out) {
  out = out || [];
  if (k < this.n) { out.push(this.ids[k]); return out; }
  for (var c = this.child[k]; c >= 0; c = this.next[c]) { this.leaves(c, out); }
  return out;
};

/* a cluster's marker: its count and type, and its incidents for the PNG export */
var ClusterMarker = L.Marker.extend({
  getChildCount: function () { return this._index.count[this._node]; },
  getAllChildMarkers: function () {
    return this._index.leaves(this._node).map(function (i) { return { _gi: i }; });
  },
  typeParts: function () { return [{ type: this._type, count: this.getChildCount() }]; }
});

/* one type's pins drawn from its ClusterIndex: the nodes near the view, redrawn after each move */
var ClusterLayer = L.FeatureGroup.extend({
  initialize: function (owner, type) {
    L.FeatureGroup.prototype.initialize.call(this);
    this._owner = owner;
    this._type = type;
    this.index = null;
    this._clusterMarkers = new Map();  // node -> its marker, for the index drawn
    this._fanned = new Map();  // incident -> its marker fanned out from a shared point
  },
  onAdd: function (map) {
    L.FeatureGroup.prototype.onAdd.call(this, map);
    map.on("moveend", this._update, this);
    this._update();
  },
  onRemove: function (map) {
    map.off("moveend", this._update, this);
    this.clearLayers();
    L.FeatureGroup.prototype.onRemove.call(this, map);
  },
  setIndex: function (index) {
    this.index = index;
    this._clusterMarkers = new Map();
    this.clearLayers();
    if (this._map) { this._update(); }
  },
  /* every incident of the index, on screen or not */
  placedIds: function () { return this.index ? this.index.ids : new Int32Array(0); },
  _update: function () {
    var map = this._map, index = this.index;
    if (!map || !index) { return; }
    // as markercluster: the view and one view's size around it, so a pan finds pins drawn
    var b = map.getBounds(), dLat = b.getNorth() - b.getSouth(), dLng = b.getEast() - b.getWest();
    var zoom = Math.round(map.getZoom()), fan = zoom > index.maxZoom;  // every pin: fan out shared points
    var nodes = index.nodesAt(zoom, b.getSouth() - dLat, b.getWest() - dLng, b.getNorth() + dLat, b.getEast() + dLng);
    var want = new Set(), owner = this._owner, a, node;
    for (a = 0; a < nodes.length; a++) {
      node = nodes[a];
      if (node >= index.n) { want.add(this._clusterMarker(node)); continue; }
      var i = index.ids[node], offset = fan && owner._sharedOffset(i);
      want.add(offset ? this._fanMarker(i, offset) : owner._marker(i));
    }
    var self = this;
    this.eachLayer(function (layer) {
      if (want.has(layer)) { return; }
      self.removeLayer(layer);
      if (layer._node !== undefined) { self._clusterMarkers.delete(layer._node); }  // made again if needed
    });
    want.forEach(function (layer) { if (!self.hasLayer(layer)) { self.addLayer(layer); } });
  },
  _clusterMarker: function (node) {
    var m = this._clusterMarkers.get(node);
    if (!m) {
      m = new ClusterMarker(this.index.latLng(node));
      m._index = this.index;
      m._node = node;
      m._type = this._owner.data.types[this._type];
      m.setIcon(this._owner._clusterIcon(m));
      // a click, or Enter or Space on the focused cluster, zooms in to where it splits
      m.on("click", this._zoomInto, this);
      m.on("keydown", function (e) {
        if (e.originalEvent.key !== "Enter" && e.originalEvent.key !== " ") { return; }
        L.DomEvent.preventDefault(e.originalEvent);
        this._zoomInto(e);
      }, this);
      this._clusterMarkers.set(node, m);
    }
    return m;
  },
  _zoomInto: function (e) {
    var map = this._map, m = e.target;
    if (!map || m._index !== this.index) { return; }
    var zoom = Math.min(this.index.zoom[m._node] + 1, map.getMaxZoom());
    map.setView(m.getLatLng(), Math.max(zoom, Math.min(map.getZoom() + 1, map.getMaxZoom())));
  },
  _fanMarker: function (i, offset) {
    var key = i + ":" + offset[0] + ":" + offset[1], m = this._fanned.get(key);
    if (!m) { this._fanned.set(key, m = this._owner._makeMarker(i, offset)); }
    return m;
  }
});

/* the offset of the j-th of `count` pins on rings around their shared point: 14 px out, then a
 * ring every 26 px (a pin's width), each as full as its length allows */
function ringsOffset(j, count) {
  var radius = 14, room = 4;
  while (j >= room) {
    j -= room; count -= room;
    radius += 26;
    room = Math.floor(2 * Math.PI * radius / 26);
  }
  return ringOffset(j, Math.min(room, count), radius);
}
