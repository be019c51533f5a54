/* controls: the filter panel (types, regions, search) and the timeline (range, presets, play,
 * histogram). */

/* ---------------------------------------------------------------- controls */

GeoMap.prototype._buildPanel = function () {
  var self = this, data = this.data;
  var Panel = L.Control.extend({ options: { position: "topleft" },
    onAdd: function () { self.panelElement = self._panel(); return self.panelElement; } });
  new Panel().addTo(this.map);
};

GeoMap.prototype._panel = function () {
  var self = this, data = this.data;
  var box = el("div", "geomap-panel leaflet-bar");
  L.DomEvent.disableClickPropagation(box);
  L.DomEvent.disableScrollPropagation(box);
  var details = this.panelDetails = el("details");
  details.open = !this.compact;
  details.appendChild(el("summary", "geomap-title", data.title || "Incidents"));
  box.appendChild(details);

  var search = this.searchInput = el("input", "geomap-search");
  search.type = "search";
  search.placeholder = "Find a place\u2026";
  search.setAttribute("aria-label", "Filter by place name");
  var timer = null;
  search.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { self.state.q = searchFold(search.value.trim()); self._changed("q"); }, 150);
  });
  details.appendChild(search);

  if (data.dayRange && data.dayRange[1] > data.dayRange[0]) { this._timeline(details, data.dayRange); }
  this._acledControl(details);

  var list = el("div", "geomap-regions");
  list.setAttribute("role", "group");
  list.setAttribute("aria-label", "Regions");
  this.regionInputs = [];
  this.regionCounts = [];
  var order = this._regionOrder();
  var lastKind = null;
  order.forEach(function (index) {
    var r = data.regions[index];
    if (r.kind !== lastKind && !(r.kind === "admin1" && lastKind === "country")) {
      list.appendChild(el("div", "geomap-kind", KIND_TITLES[r.kind]));
    }
    lastKind = r.kind === "admin1" && lastKind === "country" ? "country" : r.kind;
    var label = el("label", "geomap-region geomap-kind-" + r.kind);
    var input = el("input");
    input.type = "checkbox";
    input.value = r.key;
    input.setAttribute("data-region", r.key);
    input.addEventListener("change", function () {
      self.state.regions[index] = input.checked;
      self._changed("regions");
    });
    label.appendChild(input);
    label.appendChild(el("span", "geomap-region-name", r.name));
    var count = el("span", "geomap-count", r.count);
    label.appendChild(count);
    list.appendChild(label);
    self.regionInputs[index] = input;
    self.regionCounts[index] = count;
  });
  details.appendChild(list);

  var reset = el("button", "geomap-reset", "Show all");
  reset.type = "button";
  reset.addEventListener("click", function () { self.setFragment(""); self.fitVisible(); });
  details.appendChild(reset);
  var exports = el("div", "geomap-export");
  exports.appendChild(el("span", null, "Download shown: "));
  [["csv", "CSV"], ["geojson", "GeoJSON"]].forEach(function (f) {
    var button = el("button", "geomap-download", f[1]);
    button.type = "button";
    button.setAttribute("data-format", f[0]);
    button.setAttribute("aria-label", "Download the incidents shown as " + f[1]);
    button.addEventListener("click", function () { self.download(f[0]); });
    exports.appendChild(button);
  });
  var png = el("button", "geomap-download", "PNG");
  png.type = "button";
  png.setAttribute("data-format", "png");
  png.setAttribute("aria-label", "Download the view as a PNG image");
  png.title = "The map as shown: base map, incidents, title, filters and legend";
  png.addEventListener("click", function () {
    png.disabled = true;
    self.downloadPNG().then(function () { png.disabled = false; }, function (error) {
      png.disabled = false;
      self.progress.textContent = "The image could not be made: " + error;
    });
  });
  exports.appendChild(png);
  details.appendChild(exports);
  this.status = el("div", "geomap-status");
  this.status.setAttribute("aria-live", "polite");
  box.appendChild(this.status);  // outside the fold: the count shows with the panel folded
  this.printSummary = el("div", "geomap-print-summary");  // the active filters, on paper
  box.appendChild(this.printSummary);
  var link = fullMapLink(data.link);
  if (link && window.self !== window.top) {  // in an embed: a way out to the full map
    var out = el("a", "geomap-full-map", "Open the full map \u2197");
    out.href = link;
    out.target = "_blank";
    out.rel = "noopener";
    box.appendChild(out);
  }
  this.progress = el("div", "geomap-progress");
  details.appendChild(this.progress);
  return box;
};

/* ACLED's event types, each followed by its sub-event types: one checkbox per pair (none
 * checked: every pair shows), an event type's checkbox checks or clears all of its pairs; the
 * counts say what each would show under the other filters */
GeoMap.prototype._acledControl = function (parent) {
  var self = this, pairs = this.data.acled || [];
  this.acledInputs = [];
  this.acledCounts = [];
  this.acledGroups = [];
  if (!pairs.length) { return; }
  // a fold of its own (a button, not a nested <details>: the panel is one <details>)
  var fold = el("div", "geomap-acled");
  var toggle = el("button", "geomap-kind geomap-acled-toggle", "ACLED event types");
  toggle.type = "button";
  toggle.setAttribute("aria-expanded", "false");
  fold.appendChild(toggle);
  var list = el("div", "geomap-acled-list");
  list.id = (this.root.id || "geomap") + "-acled";
  list.hidden = true;
  toggle.setAttribute("aria-controls", list.id);
  toggle.addEventListener("click", function () {
    list.hidden = !list.hidden;
    toggle.setAttribute("aria-expanded", String(!list.hidden));
  });
  list.setAttribute("role", "group");
  list.setAttribute("aria-label", "ACLED event types");
  var group = null;
  pairs.forEach(function (pair, index) {
    if (!group || group.name !== pair[0]) {
      var head = el("label", "geomap-region geomap-acled-event");
      var all = el("input");
      all.type = "checkbox";
      all.setAttribute("data-event-type", pair[0]);
      head.appendChild(all);
      head.appendChild(el("span", "geomap-region-name", pair[0]));
      var total = el("span", "geomap-count", "");
      head.appendChild(total);
      list.appendChild(head);
      group = { name: pair[0], input: all, count: total, members: [] };
      self.acledGroups.push(group);
      (function (g) {
        all.addEventListener("change", function () {
          g.members.forEach(function (k) { self.state.acled[k] = all.checked; self.acledInputs[k].checked = all.checked; });
          self._changed("acled");
        });
      })(group);
    }
    group.members.push(index);
    var label = el("label", "geomap-region geomap-kind-admin1 geomap-acled-sub");
    var input = el("input");
    input.type = "checkbox";
    input.setAttribute("data-acled", pair[0] + ": " + pair[1]);
    input.addEventListener("change", function () {
      self.state.acled[index] = input.checked;
      self._changed("acled");
    });
    label.appendChild(input);
    label.appendChild(el("span", "geomap-region-name", pair[1]));
    var count = el("span", "geomap-count", "");
    label.appendChild(count);
    list.appendChild(label);
    self.acledInputs[index] = input;
    self.acledCounts[index] = count;
  });
  fold.appendChild(list);
  parent.appendChild(fold);
};

/* the event types' checkboxes: checked when all their pairs are, mixed when some are */
GeoMap.prototype._showAcledGroups = function () {
  var s = this.state;
  this.acledGroups.forEach(function (g) {
    var on = g.members.filter(function (k) { return s.acled[k]; }).length;
    g.input.checked = on === g.members.length;
    g.input.indeterminate = on > 0 && on < g.members.length;
  });
};

/* countries, each followed by its admin-1 regions; orphan regions; then seas */
GeoMap.prototype._regionOrder = function () {
  var regions = this.data.regions, order = [], used = dict();
  regions.forEach(function (r, i) {
    if (r.kind !== "country") { return; }
    order.push(i); used[i] = true;
    regions.forEach(function (a, j) {
      if (a.kind === "admin1" && a.parent === r.key) { order.push(j); used[j] = true; }
    });
  });
  regions.forEach(function (r, i) { if (r.kind === "admin1" && !used[i]) { order.push(i); } });
  regions.forEach(function (r, i) { if (r.kind === "water") { order.push(i); } });
  return order;
};

/* ---------------------------------------------------------------- timeline */

/* preset windows ending on the last day: [label, days] (0: every day) */
var PRESETS = [["24 h", 1], ["7 days", 7], ["30 days", 30], ["All", 0]];
/* play: the window moves one day on every PLAY_MS */
var PLAY_MS = 800;
/* at most this many histogram bars: longer ranges bin several days into one bar */
var MAX_BARS = 120;

/* one range control over a daily histogram by type, presets and play/pause */
GeoMap.prototype._timeline = function (parent, range) {
  var self = this, box = el("div", "geomap-timeline");
  box.setAttribute("role", "group");
  box.setAttribute("aria-label", "Dates");
  var track = el("div", "geomap-range");
  var chart = this._chart = el("canvas", "geomap-histogram");
  chart.width = 480; chart.height = 72;
  chart.setAttribute("aria-hidden", "true");
  track.appendChild(chart);
  this.fromInput = this._range(track, "From", range);
  this.toInput = this._range(track, "To", range);
  this.toInput.value = String(range[1]);
  box.appendChild(track);
  this._dateText = el("div", "geomap-date-text");
  this._dateText.setAttribute("aria-hidden", "true");  // the sliders say their dates themselves
  box.appendChild(this._dateText);
  var row = el("div", "geomap-presets");
  PRESETS.forEach(function (preset) {
    var button = el("button", "geomap-preset", preset[0]);
    button.type = "button";
    button.setAttribute("data-preset", String(preset[1]));
    button.setAttribute("aria-label", preset[1] ? "Last " + preset[0] : "All dates");
    button.addEventListener("click", function () {
      self.pause();
      self.setDates(preset[1] ? range[1] - preset[1] + 1 : range[0], range[1]);
    });
    row.appendChild(button);
  });
  var play = this.playButton = el("button", "geomap-play", "\u25b6 Play");
  play.type = "button";
  play.setAttribute("aria-pressed", "false");
  play.addEventListener("click", function () { if (self._timer) { self.pause(); } else { self.play(); } });
  row.appendChild(play);
  box.appendChild(row);
  parent.appendChild(box);
  this._showDates();
};

GeoMap.prototype._range = function (parent, name, range) {
  var self = this, input = el("input");
  input.type = "range";
  input.min = String(range[0]);
  input.max = String(range[1]);
  input.step = "1";
  input.value = String(range[0]);
  input.setAttribute("data-date", name.toLowerCase());
  input.setAttribute("aria-label", name + " date");
  input.setAttribute("aria-valuetext", dayToIso(range[0]));
  input.addEventListener("input", function () {
    var from = +self.fromInput.value, to = +self.toInput.value;
    if (from > to) { if (input === self.fromInput) { self.toInput.value = String(from); } else { self.fromInput.value = String(to); } }
    self.state.from = +self.fromInput.value;
    self.state.to = +self.toInput.value;
    self._showDates();
    self._changed("dates");
  });
  parent.appendChild(input);
  return input;
};

/* show days from..to (clamped to the map's range) */
GeoMap.prototype.setDates = function (from, to) {
  var range = this.data.dayRange;
  if (!range || !this.fromInput) { return; }
  from = Math.max(range[0], Math.min(range[1], from));
  to = Math.max(from, Math.min(range[1], to));
  this.fromInput.value = String(from);
  this.toInput.value = String(to);
  this.state.from = from;
  this.state.to = to;
  this._showDates();
  this._changed("dates");
};

/* step a window of the current width (a week when every day is shown) a day at a time */
GeoMap.prototype.play = function () {
  var self = this, range = this.data.dayRange, s = this.state;
  var width = s.to - s.from;
  if (width >= range[1] - range[0]) { width = Math.min(6, range[1] - range[0] - 1); }
  var from = s.to >= range[1] ? range[0] : s.from;
  this.setDates(from, from + width);
  this.playButton.textContent = "\u23f8 Pause";
  this.playButton.setAttribute("aria-pressed", "true");
  this._timer = setInterval(function () {
    if (self.state.to >= range[1]) { self.pause(); return; }
    self.setDates(self.state.from + 1, self.state.to + 1);
  }, PLAY_MS);
};

GeoMap.prototype.pause = function () {
  if (!this._timer) { return; }
  clearInterval(this._timer);
  this._timer = null;
  this.playButton.textContent = "\u25b6 Play";
  this.playButton.setAttribute("aria-pressed", "false");
};

/* the sliders' values as dates: for screen readers and in the text under them */
GeoMap.prototype._showDates = function () {
  [this.fromInput, this.toInput].forEach(function (input) {
    input.setAttribute("aria-valuetext", dayToIso(+input.value));
  });
  var from = dayToIso(+this.fromInput.value), to = dayToIso(+this.toInput.value);
  this._dateText.textContent = from === to ? from : from + " \u2013 " + to;
  if (this._histogram) { this._drawHistogram(); }
};

/* stacked bars of incidents per day (or per few days) by type, under the type, region and place
 * filters; days outside the chosen window are pale */
GeoMap.prototype._drawHistogram = function () {
  var canvas = this._chart, ctx = canvas.getContext && canvas.getContext("2d");
  if (!ctx) { return; }
  var range = this.data.dayRange, types = this.data.types, hist = this._histogram, T = types.length;
  var days = range[1] - range[0] + 1, per = Math.ceil(days / MAX_BARS), bars = Math.ceil(days / per);
  var totals = new Array(bars).fill(0), d, t;
  for (d = 0; d < days; d++) { for (t = 0; t < T; t++) { totals[Math.floor(d / per)] += hist[d * T + t]; } }
  var top = Math.max.apply(null, totals.concat([1])), w = canvas.width / bars, h = canvas.height;
  var from = +this.fromInput.value - range[0], to = +this.toInput.value - range[0];
  ctx.clearRect(0, 0, canvas.width, h);
  for (var b = 0; b < bars; b++) {
    var y = h, first = b * per, last = Math.min(days, first + per) - 1;
    ctx.globalAlpha = last < from || first > to ? 0.25 : 1;
    for (t = 0; t < T; t++) {
      var count = 0;
      for (d = first; d <= last; d++) { count += hist[d * T + t]; }
      if (!count) { continue; }
      var bar = h * count / top;
      ctx.fillStyle = types[t].colour;
      ctx.fillRect(b * w + 0.5, y - bar, Math.max(1, w - 1), bar);
      y -= bar;
    }
  }
  ctx.globalAlpha = 1;
};
