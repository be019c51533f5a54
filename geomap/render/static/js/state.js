/* state: the filters applied (refresh), the selection drawn, and the state kept in the URL fragment. */

/* ---------------------------------------------------------------- filtering */

/* the search box matches every name an incident carries: the place, the article's spelling,
 * its region, country and sea (see the payload's "names") */
GeoMap.prototype._nameMatch = function (i) {
  var k = this.cols.names ? this.cols.names[i] : this.cols.place[i];
  if (k < 0) { return false; }
  var text = this._namesLower[k];
  if (text === undefined) { text = this._namesLower[k] = searchFold(this.strings[k]); }
  return text.indexOf(this.state.q) >= 0;
};

function chosenKeys(set) {
  var chosen = [];
  for (var k in set) { if (set[k]) { chosen.push(+k); } }
  return chosen;
}

GeoMap.prototype._regionsChosen = function () { return chosenKeys(this.state.regions); };

/* the ACLED (event_type, sub_event_type) pairs chosen; none: every pair shows */
GeoMap.prototype._acledChosen = function () { return chosenKeys(this.state.acled); };

/* apply the filters: counts, status and selection at once, then the markers (see _sync);
 * fit: move the view onto the visible incidents before the markers are placed */
GeoMap.prototype.refresh = function (fit) {
  var c = this.cols, s = this.state, data = this.data, want = this._want;
  var range = data.dayRange;
  this._dateOn = !!(range && s.from !== null && s.to !== null && (s.from > range[0] || s.to < range[1]));
  var chosen = this._regionsChosen(), inRegion = null;
  if (chosen.length) {
    inRegion = dict();
    chosen.forEach(function (k) { inRegion[k] = true; });
  }
  var acledChosen = this._acledChosen(), inAcled = null, acledOf = c.acled;
  if (acledChosen.length && acledOf) {
    inAcled = dict();
    acledChosen.forEach(function (k) { inAcled[k] = true; });
  }
  var acledCounts = new Array((data.acled || []).length).fill(0);
  var regionCounts = new Array(data.regions.length).fill(0);
  var T = data.types.length, typeCounts = new Array(T).fill(0), typeAvailable = new Array(T).fill(0);
  var visible = [], pins = [], place = [], areaOf = c.area, areaStats = dict(), typeGroups = this.typeGroups;
  var hist = range ? new Uint32Array((range[1] - range[0] + 1) * T) : null, dateOn = this._dateOn;
  for (var i = 0; i < this.n; i++) {
    want[i] = 0;
    if (s.q && !this._nameMatch(i)) { continue; }
    var a = c.country[i], b = c.admin1[i], w = c.water[i], type = c.type[i], d = c.day[i];
    var inPlace = !inRegion || inRegion[a] || inRegion[b] || inRegion[w];
    var ac = acledOf ? acledOf[i] : -1, inKind = !inAcled || inAcled[ac] === true;
    var inside = inPlace && inKind;
    var inDates = !dateOn || (d !== null && d >= s.from && d <= s.to);  // null: undated; before 1970 < 0
    if (inside && inDates) {
      typeAvailable[type]++;  // what the type's layer would add
      // with type groups, a type's markers stay placed while it is off (its group is hidden)
      if (typeGroups && !(areaOf && areaOf[i] >= 0)) { want[i] = 1; place.push(i); }
    }
    if (!s.types[type]) { continue; }
    if (inside && hist && d !== null) { hist[(d - range[0]) * T + type]++; }
    if (!inDates) { continue; }
    if (inKind) {  // a region's count: what choosing it would show (the ACLED filter applies)
      if (a >= 0) { regionCounts[a]++; }
      if (b >= 0) { regionCounts[b]++; }
      if (w >= 0) { regionCounts[w]++; }
    }
    if (inPlace && ac >= 0) { acledCounts[ac]++; }  // likewise under the region filter
    if (!inside) { continue; }
    typeCounts[type]++;
    visible.push(i);
    var area = areaOf ? areaOf[i] : -1;
    if (area >= 0) {
      (areaStats[area] = areaStats[area] || []).push(i);
    } else {
      pins.push(i);
      if (!typeGroups) { want[i] = 1; place.push(i); }
    }
  }
  this.visible = visible;
  this.pins = pins;
  this._place = place;
  this._showGroups();
  this.areaStats = areaStats;
  if (this.heat._map) { this.heat.redraw(); }
  for (var r = 0; r < regionCounts.length; r++) { this.regionCounts[r].textContent = String(regionCounts[r]); }
  for (var p = 0; p < acledCounts.length; p++) { this.acledCounts[p].textContent = String(acledCounts[p]); }
  this.acledGroups.forEach(function (g) {
    g.count.textContent = String(g.members.reduce(function (sum, k) { return sum + acledCounts[k]; }, 0));
  });
  // the layer control re-creates its labels when layers come and go: find them each time
  var layerCounts = dict();
  this.layersControl.getContainer().querySelectorAll(".geomap-layer-label[data-type]").forEach(function (label) {
    layerCounts[label.getAttribute("data-type")] = label.querySelector("small");
  });
  for (var t = 0; t < T; t++) {
    this.legendCounts[t].textContent = String(typeCounts[t]);
    var count = layerCounts[data.types[t].id];
    if (count) { count.textContent = "(" + typeAvailable[t] + ")"; }
  }
  this._histogram = hist;
  if (hist && this._chart) { this._drawHistogram(); }
  this.status.textContent = "Showing " + visible.length + " of " + this.n + " incidents";
  this.printSummary.textContent = this.filterSummary();
  this.status.setAttribute("data-visible", String(visible.length));
  this.root.setAttribute("data-visible", String(visible.length));
  this.root.setAttribute("data-pins", String(pins.length));
  this._drawSelection(chosen);
  this._drawAreas();
  if (fit) { this.fitVisible(); }
  this._sync();
};

GeoMap.prototype._drawSelection = function (chosen) {
  var self = this;
  this.selection.clearLayers();
  chosen.forEach(function (k) {
    var r = self.data.regions[k];
    if (!r.outline) { return; }
    L.geoJSON(feature(r.outline), {
      pane: "geomapRegions", interactive: false,
      style: { color: "#222", weight: 2, fill: true, fillOpacity: 0.04, className: "geomap-selected" }
    }).addTo(self.selection);
  });
};

GeoMap.prototype._changed = function (what) {
  if (this._quiet) { return; }
  if (what === "acled") { this._showAcledGroups(); }
  this.refresh(what === "regions" || what === "q");
  this._writeFragment();
};

/* ---------------------------------------------------------------- URL fragment */

GeoMap.prototype._currentFragment = function () {
  var hash = window.location.hash || "";
  return hash.charAt(0) === "#" ? hash.slice(1) : hash;
};

GeoMap.prototype.fragment = function () {
  var s = this.state, data = this.data, parts = [];
  var regions = this._regionsChosen().map(function (k) { return encodeURIComponent(data.regions[k].key); });
  if (regions.length) { parts.push("region=" + regions.join(",")); }
  var on = [], all = true;
  data.types.forEach(function (t, k) { if (s.types[k]) { on.push(t.id); } else { all = false; } });
  if (!all) { parts.push("types=" + (on.length ? on.join(",") : "none")); }
  var acled = this._acledChosen().map(function (k) { return encodeURIComponent(data.acled[k].join(": ")); });
  if (acled.length) { parts.push("acled=" + acled.join(",")); }
  if (this._dateOn) { parts.push("from=" + dayToIso(s.from)); parts.push("to=" + dayToIso(s.to)); }
  if (s.q) { parts.push("q=" + encodeURIComponent(s.q)); }
  if (this.view) { parts.push("at=" + this.view); }
  if (this.openIncident !== null) { parts.push("open=" + this.openIncident); }
  return parts.join("&");
};

GeoMap.prototype._writeFragment = function () {
  var text = this.fragment();
  if (text === this._currentFragment()) { return; }
  try {
    var url = window.location.href.split("#")[0] + (text ? "#" + text : "");
    window.history.replaceState(null, "", url);
  } catch (e) { /* an opaque (sandboxed) document cannot rewrite its URL; the state still applies */ }
};

GeoMap.prototype.setFragment = function (text) {
  this._applyFragment(text);
  this._writeFragment();
};

GeoMap.prototype._applyFragment = function (text) {
  var self = this, data = this.data, params = dict();
  String(text || "").split("&").forEach(function (pair) {
    if (!pair) { return; }
    var at = pair.indexOf("="), name = at < 0 ? pair : pair.slice(0, at);
    params[name] = at < 0 ? "" : pair.slice(at + 1);
  });
  function list(value) {
    return value === undefined ? null : value.split(",").filter(Boolean).map(function (v) {
      try { return decodeURIComponent(v); } catch (e) { return v; }
    });
  }
  var s = this.state;
  // types
  var types = list(params.types);
  data.types.forEach(function (t, k) { s.types[k] = types === null ? true : types.indexOf(t.id) >= 0; });
  // regions (by key; a key may be written in any case)
  var keys = list(params.region || params.regions), byKey = dict();
  data.regions.forEach(function (r, k) { var f = r.key.toLowerCase(); if (!(f in byKey)) { byKey[f] = k; } });
  s.regions = dict();
  (keys || []).forEach(function (key) {
    var k = byKey[key.toLowerCase()];
    if (k !== undefined) { s.regions[k] = true; }
  });
  // ACLED event types ("Event type: Sub-event type"; an event type alone chooses all its pairs)
  var pairs = list(params.acled);
  s.acled = dict();
  (data.acled || []).forEach(function (pair, k) {
    if (pairs && (pairs.indexOf(pair.join(": ")) >= 0 || pairs.indexOf(pair[0]) >= 0)) { s.acled[k] = true; }
  });
  // dates
  var range = data.dayRange;
  if (range) {
    var from = params.from ? isoToDay(params.from) : null, to = params.to ? isoToDay(params.to) : null;
    s.from = from === null ? range[0] : Math.max(range[0], Math.min(range[1], from));
    s.to = to === null ? range[1] : Math.max(range[0], Math.min(range[1], to));
    if (s.from > s.to) { s.to = s.from; }
    if (this.fromInput) {
      this.fromInput.value = String(s.from);
      this.toInput.value = String(s.to);
      this._showDates();
    }
  }
  // place search
  var q = params.q ? list(params.q).join(",") : "";
  s.q = searchFold(q.trim());
  if (this.searchInput) { this.searchInput.value = q; }
  // reflect the state in the controls without re-triggering them
  this._quiet++;
  try {
    this.typeLayers.forEach(function (layer, k) {
      if (s.types[k] && !self.map.hasLayer(layer)) { self.map.addLayer(layer); }
      if (!s.types[k] && self.map.hasLayer(layer)) { self.map.removeLayer(layer); }
    });
    this.regionInputs.forEach(function (input, k) { input.checked = !!s.regions[k]; });
    this.acledInputs.forEach(function (input, k) { input.checked = !!s.acled[k]; });
    this._showAcledGroups();
  } finally { this._quiet--; }
  this.openIncident = null;
  this.refresh(true);
  // the reader's view ("at=zoom/lat/lon") and open incident ("open=N"), when the link has them
  var at = String(params.at || "").split("/").map(Number);
  if (at.length === 3 && at.every(isFinite) && Math.abs(at[1]) <= 90) {
    this._moving++;
    try { this.map.setView([at[1], at[2]], at[0], { animate: false }); } finally { this._moving--; }
    this.view = params.at;
  }
  var open = /^\d+$/.test(params.open || "") ? +params.open : -1;
  if (open >= 0 && open < this.n && this.visible.indexOf(open) >= 0) {
    this._moving++;
    try { this.openPopup(open); } finally { this._moving--; }
  }
};
