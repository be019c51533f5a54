/* geomap incident map: type layers, shared clusters, region/date/place filters, URL state.
 *
 * Reads the payload written by geomap/render/_data.py (incidents as columns, strings interned).
 * Every piece of article text reaches the page through textContent, never innerHTML; only the
 * taxonomy's SVG icons (a curated data file) are inserted as markup.
 *
 * Large maps stay responsive: the controls, counts and view are set at once, markers are made
 * only when first shown and reach the cluster group in time-boxed slices (see _sync), so the
 * page answers input while 100,000 incidents are being clustered. A filter change moves only
 * the markers that differ and cancels slices still pending. The root carries data-ready once the
 * first markers are on screen and data-loaded while every visible marker is placed.
 */
(function () {
  "use strict";

  var DAY_MS = 86400000;
  /* markers placed or taken out synchronously at the start of each change: small maps never wait */
  var FIRST_SLICE = 2000;
  /* the time one slice of marker placement may take before the page gets control back (ms) */
  var SLICE_MS = 40;

  var now = (window.performance && performance.now) ? function () { return performance.now(); }
    : function () { return Date.now(); };
  var KIND_TITLES = { country: "Countries", admin1: "Regions", water: "Seas" };

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  /* a dictionary with no prototype: keys from the URL or the data ("__proto__", "constructor")
   * are plain keys, never Object.prototype's properties */
  function dict() { return Object.create(null); }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"'`]/g, function (c) {
      return "&#" + c.charCodeAt(0) + ";";
    });
  }

  function dayToIso(day) { return new Date(day * DAY_MS).toISOString().slice(0, 10); }

  function isoToDay(text) {
    var t = Date.parse(String(text) + "T00:00:00Z");
    return isNaN(t) ? null : Math.round(t / DAY_MS);
  }

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

  function safeUrl(text) { return /^https?:\/\//i.test(text || "") ? text : null; }

  /* A canvas heat layer: each visible incident adds a soft spot; density is coloured blue->red. */
  var HeatLayer = L.Layer.extend({
    initialize: function (source, options) {
      this._source = source;  // function () -> array of [lat, lng]
      L.setOptions(this, options);
    },
    onAdd: function (map) {
      this._canvas = L.DomUtil.create("canvas", "geomap-heat leaflet-zoom-hide");
      map.getPanes().overlayPane.appendChild(this._canvas);
      map.on("moveend zoomend resize", this.redraw, this);
      this.redraw();
    },
    onRemove: function (map) {
      map.off("moveend zoomend resize", this.redraw, this);
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
      ctx.globalAlpha = points.length > 5000 ? 0.08 : 0.25;
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
        px[j] = Math.min(230, 60 + a);
      }
      ctx.putImageData(image, 0, 0);
    }
  });

  function GeoMap(root, data, leafletMap) {
    this._leafletMap = leafletMap || null;  // an existing map to build on (folium's), else our own
    this.root = root;
    this.data = data;
    this.cols = data.cols;
    this.n = data.n;
    this.strings = data.strings;
    this.state = { types: dict(), regions: dict(), from: null, to: null, q: "" };
    this.visible = [];
    this._quiet = 0;
    this._onLoaded = [];
    this._build();
  }

  GeoMap.prototype._build = function () {
    var self = this, data = this.data;
    var mapDiv = root_map(this.root);
    var map = this.map = this._leafletMap ||
      L.map(mapDiv, { worldCopyJump: true, zoomSnap: 0.25, minZoom: 2, maxZoom: 18 });
    map.attributionControl.setPrefix("Leaflet");
    map.attributionControl.addAttribution(
      "Outlines: Natural Earth &middot; incidents: geomap from news reports");
    L.control.scale({ imperial: false }).addTo(map);

    // base layers: offline outlines (default) and tile layers that stay blank offline
    map.createPane("geomapBase").style.zIndex = 250;
    map.createPane("geomapRegions").style.zIndex = 380;
    var offline = L.layerGroup();
    var osm = L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
      maxZoom: 19, attribution: "&copy; OpenStreetMap contributors" });
    var carto = L.tileLayer("https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png", {
      maxZoom: 19, subdomains: "abcd", attribution: "&copy; OpenStreetMap contributors &copy; CARTO" });
    var baseRenderer = L.canvas({ pane: "geomapBase", padding: 0.3 });
    var base = { type: "FeatureCollection", features: data.base.map(function (f) { return feature(f.g, { k: f.k }); }) };
    this.borders = L.geoJSON(base, {
      renderer: baseRenderer, interactive: false, pane: "geomapBase",
      style: function (f) { return self._borderStyle(f, true); }
    });
    offline.addTo(map);
    this.borders.addTo(map);
    map.on("baselayerchange", function (e) {
      var filled = e.layer === offline;
      self.root.classList.toggle("geomap-offline", filled);
      self.borders.setStyle(function (f) { return self._borderStyle(f, filled); });
    });
    this.root.classList.add("geomap-offline");

    // outlines of the regions that hold incidents (optional overlay, decoded when first shown)
    // and of the chosen ones
    this.regionOutlines = L.geoJSON(null, {
      pane: "geomapRegions", interactive: false,
      style: { color: "#555", weight: 1, dashArray: "4 3", fill: false }
    });
    this.regionOutlines.on("add", function () {
      if (self._outlinesDrawn) { return; }
      self._outlinesDrawn = true;
      data.regions.forEach(function (r) { if (r.outline) { self.regionOutlines.addData(feature(r.outline)); } });
    });
    this.selection = L.layerGroup().addTo(map);

    // markers: one per incident, made when first shown (see _marker); one icon and one marker
    // class per type, so a marker holds nothing but its position; clusters shared across types
    var many = this.n > 2000;
    this._iconOptions = data.types.map(function (t) {
      return {
        className: "geomap-marker geomap-t-" + t.id,
        html: '<span class="geomap-pin" style="border-color:' + escapeHtml(t.colour) + '">' + t.svg + "</span>",
        iconSize: [24, 24], iconAnchor: [12, 12], popupAnchor: [0, -10]
      };
    });
    // [type][coarse]: incidents located only by a country, sea or large region (geo_precision 3)
    // get a dashed ring, so a point in the middle of Russia does not read as an exact place
    this._markerTypes = this._iconOptions.map(function (options) {
      return [false, true].map(function (coarse) {
        var o = coarse ? L.extend({}, options, { className: options.className + " geomap-p3" }) : options;
        return L.Marker.extend({ options: { icon: new PinIcon(o), keyboard: !many } });
      });
    });
    // without clusters, incidents at one point (a strike and its outage) would hide each other:
    // fan them out on a small ring around the point
    this._fanOut = data.cluster ? null : fanOut(this.cols, this.n, 14);
    this.markers = new Array(this.n);
    this._shown = new Uint8Array(this.n);  // 1: the marker is in the container
    this._want = new Uint8Array(this.n);   // 1: the filters show the incident
    this._shownCount = 0;
    this._job = 0;
    // placement is sliced here (cancellable by a newer change), not by markercluster's chunkedLoading
    this.container = data.cluster
      ? L.markerClusterGroup({ chunkedLoading: false, showCoverageOnHover: false, maxClusterRadius: 45 })
      : L.featureGroup();
    this.container.on("click", function (e) { if (e.layer && e.layer._gi !== undefined) { self.openPopup(e.layer._gi); } });
    this.container.addTo(map);

    // lower-cased place names for the search box
    this._placeLower = this.strings.map(function (s) { return s.toLowerCase(); });

    // type layers: each is a (empty) proxy layer whose presence on the map switches its type on
    var overlays = {};
    this.typeLayers = data.types.map(function (t, index) {
      var layer = L.layerGroup();
      // (the map adds layers once it has a view: an add that only confirms the state is no change)
      layer.on("add", function () {
        if (self.state.types[index]) { return; }
        self.state.types[index] = true; self._changed("types");
      });
      layer.on("remove", function () {
        if (!self.state.types[index]) { return; }
        self.state.types[index] = false; self._changed("types");
      });
      overlays['<span class="geomap-layer-label" data-type="' + escapeHtml(t.id) + '">' + t.svg + " " +
               escapeHtml(t.label) + ' <small>(' + t.count + ")</small></span>"] = layer;
      return layer;
    });
    this.heat = new HeatLayer(function () { return self._visibleLatLngs(); });
    overlays['<span class="geomap-layer-label" data-overlay="heat">Heat map</span>'] = this.heat;
    overlays['<span class="geomap-layer-label" data-overlay="outlines">Region outlines</span>'] = this.regionOutlines;
    overlays['<span class="geomap-layer-label" data-overlay="borders">Borders</span>'] = this.borders;
    this.layersControl = L.control.layers({
      "Offline outlines": offline, "OpenStreetMap": osm, "CartoDB Positron": carto
    }, overlays, { collapsed: false, position: "topright" }).addTo(map);

    this._buildPanel();
    this._buildLegend();

    // initial state: URL fragment, else the view baked into the page, else everything
    this._applyFragment(this._currentFragment() || data.view || "");
    if (data.heat) { this.heat.addTo(map); }
    window.addEventListener("hashchange", function () { self._applyFragment(self._currentFragment()); });
  };

  function root_map(root) { return root.querySelector(".geomap-map"); }

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
      g.forEach(function (index, j) {
        var angle = 2 * Math.PI * j / g.length - Math.PI / 2;
        offsets[index] = [Math.round(radius * Math.cos(angle)), Math.round(radius * Math.sin(angle))];
      });
    });
    return offsets;
  }

  /* the marker of incident i, made on first use */
  GeoMap.prototype._marker = function (i) {
    var m = this.markers[i];
    if (!m) {
      var c = this.cols, type = c.type[i], at = new L.LatLng(c.lat[i], c.lon[i]);
      var coarse = c.gp[i] === 3, Marker = this._markerTypes[type][coarse ? 1 : 0];
      var offset = this._fanOut && this._fanOut[i];
      if (offset) {
        var options = L.extend({}, this._iconOptions[type], { iconAnchor: [12 - offset[0], 12 - offset[1]] });
        if (coarse) { options.className += " geomap-p3"; }
        m = new Marker(at, { icon: new PinIcon(options) });
      } else {
        m = new Marker(at);
      }
      m._gi = i;
      this.markers[i] = m;
    }
    return m;
  };

  GeoMap.prototype._borderStyle = function (feature, filled) {
    if (feature.properties.k === "c") {
      return { color: "#8a8a8a", weight: 0.8, fill: filled, fillColor: "#f3f0e8", fillOpacity: 1 };
    }
    return { color: "#b5b0a5", weight: 0.5, fill: false };
  };

  /* ---------------------------------------------------------------- controls */

  GeoMap.prototype._buildPanel = function () {
    var self = this, data = this.data;
    var Panel = L.Control.extend({ options: { position: "topleft" }, onAdd: function () { return self._panel(); } });
    new Panel().addTo(this.map);
  };

  GeoMap.prototype._panel = function () {
    var self = this, data = this.data;
    var box = el("div", "geomap-panel leaflet-bar");
    L.DomEvent.disableClickPropagation(box);
    L.DomEvent.disableScrollPropagation(box);
    var details = el("details");
    details.open = true;
    details.appendChild(el("summary", "geomap-title", data.title || "Incidents"));
    box.appendChild(details);

    var search = this.searchInput = el("input", "geomap-search");
    search.type = "search";
    search.placeholder = "Find a place\u2026";
    search.setAttribute("aria-label", "Filter by place name");
    var timer = null;
    search.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { self.state.q = search.value.trim().toLowerCase(); self._changed("q"); }, 150);
    });
    details.appendChild(search);

    if (data.dayRange && data.dayRange[1] > data.dayRange[0]) {
      var dates = el("div", "geomap-dates");
      this.fromInput = this._range(dates, "From", data.dayRange);
      this.toInput = this._range(dates, "To", data.dayRange);
      this.toInput.value = String(data.dayRange[1]);
      this.toInput.nextSibling.textContent = dayToIso(data.dayRange[1]);
      details.appendChild(dates);
    }

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
    this.status = el("div", "geomap-status");
    this.status.setAttribute("aria-live", "polite");
    details.appendChild(this.status);
    this.progress = el("div", "geomap-progress");
    details.appendChild(this.progress);
    return box;
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

  GeoMap.prototype._range = function (parent, name, range) {
    var self = this, row = el("label", "geomap-date");
    row.appendChild(el("span", "geomap-date-name", name));
    var input = el("input");
    input.type = "range";
    input.min = String(range[0]);
    input.max = String(range[1]);
    input.step = "1";
    input.value = String(range[0]);
    input.setAttribute("data-date", name.toLowerCase());
    var shown = el("output", "geomap-date-value", dayToIso(range[0]));
    input.addEventListener("input", function () {
      var from = +self.fromInput.value, to = +self.toInput.value;
      if (from > to) { if (input === self.fromInput) { self.toInput.value = String(from); } else { self.fromInput.value = String(to); } }
      self.state.from = +self.fromInput.value;
      self.state.to = +self.toInput.value;
      self.fromInput.nextSibling.textContent = dayToIso(self.state.from);
      self.toInput.nextSibling.textContent = dayToIso(self.state.to);
      self._changed("dates");
    });
    row.appendChild(input);
    row.appendChild(shown);
    parent.appendChild(row);
    return input;
  };

  GeoMap.prototype._buildLegend = function () {
    var self = this;
    var Legend = L.Control.extend({
      options: { position: "bottomright" },
      onAdd: function () {
        var box = el("div", "geomap-legend");
        box.appendChild(el("div", "geomap-legend-title", "Incident types"));
        self.legendCounts = self.data.types.map(function (t) {
          var row = el("div", "geomap-legend-row");
          row.setAttribute("data-type", t.id);
          var swatch = el("span", "geomap-pin");
          swatch.style.borderColor = t.colour;
          swatch.innerHTML = t.svg;  // curated taxonomy markup, not article text
          row.appendChild(swatch);
          row.appendChild(el("span", "geomap-legend-label", t.label));
          var count = el("span", "geomap-count", t.count);
          row.appendChild(count);
          box.appendChild(row);
          return count;
        });
        if (self.cols.gp.indexOf(3) >= 0) {
          var note = el("div", "geomap-legend-note");
          var ring = el("span", "geomap-pin geomap-legend-coarse");
          note.appendChild(ring);
          note.appendChild(el("span", "geomap-legend-label", "located only by country, sea or large region"));
          box.appendChild(note);
        }
        return box;
      }
    });
    new Legend().addTo(this.map);
  };

  /* ---------------------------------------------------------------- filtering */

  GeoMap.prototype._passesBase = function (i) {
    var s = this.state, c = this.cols;
    if (!s.types[c.type[i]]) { return false; }
    if (this._dateOn) {
      var d = c.day[i];
      if (d < 0 || d < s.from || d > s.to) { return false; }
    }
    if (s.q) {
      var p = c.place[i];
      if (p < 0 || this._placeLower[p].indexOf(s.q) < 0) { return false; }
    }
    return true;
  };

  GeoMap.prototype._regionsChosen = function () {
    var chosen = [], r = this.state.regions;
    for (var k in r) { if (r[k]) { chosen.push(+k); } }
    return chosen;
  };

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
    var regionCounts = new Array(data.regions.length).fill(0);
    var typeCounts = new Array(data.types.length).fill(0);
    var visible = [];
    for (var i = 0; i < this.n; i++) {
      want[i] = 0;
      if (!this._passesBase(i)) { continue; }
      var a = c.country[i], b = c.admin1[i], w = c.water[i];
      if (a >= 0) { regionCounts[a]++; }
      if (b >= 0) { regionCounts[b]++; }
      if (w >= 0) { regionCounts[w]++; }
      if (inRegion && !(inRegion[a] || inRegion[b] || inRegion[w])) { continue; }
      typeCounts[c.type[i]]++;
      visible.push(i);
      want[i] = 1;
    }
    this.visible = visible;
    if (this.heat._map) { this.heat.redraw(); }
    for (var r = 0; r < regionCounts.length; r++) { this.regionCounts[r].textContent = String(regionCounts[r]); }
    for (var t = 0; t < typeCounts.length; t++) { this.legendCounts[t].textContent = String(typeCounts[t]); }
    this.status.textContent = "Showing " + visible.length + " of " + this.n + " incidents";
    this.status.setAttribute("data-visible", String(visible.length));
    this.root.setAttribute("data-visible", String(visible.length));
    this._drawSelection(chosen);
    if (fit) { this.fitVisible(); }
    this._sync();
  };

  /* bring the container in line with _want: take out the markers the filters now hide (all at
   * once, by clearing, when that is most of them), then put in the ones they show; in slices of
   * about SLICE_MS each, the page free to handle input in between. The first slice runs at once
   * (maps of up to FIRST_SLICE / 2 incidents change synchronously); a newer change cancels the
   * slices still pending and starts from what is placed by then. */
  GeoMap.prototype._sync = function () {
    var self = this, want = this._want, shown = this._shown, n = this.n, container = this.container;
    var job = ++this._job, i, k;
    var remove = [];
    for (i = 0; i < n; i++) { if (shown[i] && !want[i]) { remove.push(i); } }
    if (remove.length && remove.length * 2 >= this._shownCount) {
      container.clearLayers();
      shown.fill(0);
      this._shownCount = 0;
      remove = [];
    }
    var add = [], visible = this.visible;
    for (k = 0; k < visible.length; k++) { if (!shown[visible[k]]) { add.push(visible[k]); } }
    var total = remove.length + add.length, offset = 0, perMarker = 0;  // ms per marker so far

    function batchOf(list, from, to, flag) {
      var batch = new Array(to - from);
      for (var j = from; j < to; j++) {
        batch[j - from] = self._marker(list[j]);
        shown[list[j]] = flag;
      }
      return batch;
    }

    function work(count) {  // the next `count` removals, then additions
      var end = Math.min(total, offset + count), b, batch;
      if (offset < remove.length) {
        batch = batchOf(remove, offset, Math.min(end, remove.length), 0);
        if (container.removeLayers) { container.removeLayers(batch); }
        else { for (b = 0; b < batch.length; b++) { container.removeLayer(batch[b]); } }
        self._shownCount -= batch.length;
      }
      if (end > remove.length) {
        batch = batchOf(add, Math.max(offset, remove.length) - remove.length, end - remove.length, 1);
        if (container.addLayers) { container.addLayers(batch); }
        else { for (b = 0; b < batch.length; b++) { container.addLayer(batch[b]); } }
        self._shownCount += batch.length;
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
  };

  /* loading state: data-loaded on the root when every visible marker is placed, else progress */
  GeoMap.prototype._progress = function (done, total) {
    var loading = done < total;
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

  GeoMap.prototype._visibleLatLngs = function () {
    var c = this.cols;
    return this.visible.map(function (i) { return [c.lat[i], c.lon[i]]; });
  };

  GeoMap.prototype.fitVisible = function () {
    var c = this.cols, ids = this.visible.length ? this.visible : null;
    if (!ids) {
      if (!this._fitted) { this.map.setView([48, 20], 3); this._fitted = true; }
      return;
    }
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
    var left = Math.min(width(".geomap-panel") + 20, size.x * 0.35);
    var right = Math.min(Math.max(width(".leaflet-control-layers"), width(".geomap-legend")) + 20, size.x * 0.35);
    return { paddingTopLeft: [left, 30], paddingBottomRight: [right, 30], maxZoom: 9, animate: false };
  };

  GeoMap.prototype._changed = function (what) {
    if (this._quiet) { return; }
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
    if (this._dateOn) { parts.push("from=" + dayToIso(s.from)); parts.push("to=" + dayToIso(s.to)); }
    if (s.q) { parts.push("q=" + encodeURIComponent(s.q)); }
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
    // dates
    var range = data.dayRange;
    if (range) {
      var from = params.from ? isoToDay(params.from) : null, to = params.to ? isoToDay(params.to) : null;
      s.from = from === null ? range[0] : Math.max(range[0], Math.min(range[1], from));
      s.to = to === null ? range[1] : Math.max(range[0], Math.min(range[1], to));
      if (s.from > s.to) { s.to = s.from; }
      if (this.fromInput) {
        this.fromInput.value = String(s.from); this.fromInput.nextSibling.textContent = dayToIso(s.from);
        this.toInput.value = String(s.to); this.toInput.nextSibling.textContent = dayToIso(s.to);
      }
    }
    // place search
    var q = params.q ? list(params.q).join(",") : "";
    s.q = q.trim().toLowerCase();
    if (this.searchInput) { this.searchInput.value = q; }
    // reflect the state in the controls without re-triggering them
    this._quiet++;
    try {
      this.typeLayers.forEach(function (layer, k) {
        if (s.types[k] && !self.map.hasLayer(layer)) { self.map.addLayer(layer); }
        if (!s.types[k] && self.map.hasLayer(layer)) { self.map.removeLayer(layer); }
      });
      this.regionInputs.forEach(function (input, k) { input.checked = !!s.regions[k]; });
    } finally { this._quiet--; }
    this.refresh(true);
  };

  /* ---------------------------------------------------------------- popups */

  GeoMap.prototype.popupContent = function (i) {
    var c = this.cols, data = this.data, str = this.strings;
    function s(k) { return k >= 0 ? str[k] : null; }
    var t = data.types[c.type[i]];
    var box = el("div", "geomap-popup");
    var head = el("div", "geomap-popup-type");
    var pin = el("span", "geomap-pin");
    pin.style.borderColor = t.colour;
    pin.innerHTML = t.svg;  // curated taxonomy markup, not article text
    head.appendChild(pin);
    head.appendChild(el("strong", null, t.label));
    box.appendChild(head);

    var where = [];
    [c.admin1[i], c.country[i], c.water[i]].forEach(function (k) { if (k >= 0) { where.push(data.regions[k].name); } });
    var place = el("div", "geomap-popup-place");
    place.appendChild(el("strong", "geomap-popup-placename", s(c.place[i]) || "(unnamed place)"));
    if (where.length) { place.appendChild(document.createTextNode(", " + where.join(", "))); }
    place.appendChild(el("div", "geomap-popup-precision",
      "Location: " + (data.precision[String(c.gp[i])] || "unknown precision")));
    box.appendChild(place);

    var date = s(c.date[i]);
    box.appendChild(el("div", "geomap-popup-date", date
      ? date + (c.dp[i] > 1 ? " (within a " + (data.datePrecision[String(c.dp[i])] || "period") + ")" : "")
      : "Date unknown"));

    var sentence = s(c.sentence[i]);
    if (sentence) { box.appendChild(el("blockquote", "geomap-popup-quote", sentence)); }

    var art = c.article[i] >= 0 ? data.articles[c.article[i]] : [-1, -1, -1];
    var title = s(art[0]), rawUrl = s(art[1]), url = safeUrl(rawUrl), source = s(art[2]);
    if (title || rawUrl || source) {
      var src = el("div", "geomap-popup-source");
      src.appendChild(document.createTextNode("Source: "));
      var text = title || rawUrl || source;
      if (url) {
        var link = el("a", null, text);
        link.href = url;
        link.target = "_blank";
        link.rel = "noopener noreferrer";
        src.appendChild(link);
      } else {
        src.appendChild(el("span", null, text));
      }
      box.appendChild(src);
    }
    var reports = c.reports[i];
    box.appendChild(el("div", "geomap-popup-reports", reports === 1 ? "1 report" : reports + " reports"));
    return box;
  };

  GeoMap.prototype.openPopup = function (i) {
    var latlng = L.latLng(this.cols.lat[i], this.cols.lon[i]);
    L.popup({ maxWidth: 320, autoPanPadding: [20, 20] })
      .setLatLng(latlng).setContent(this.popupContent(i)).openOn(this.map);
  };

  function ready(root, data, leafletMap) {
    var map = new GeoMap(root, data, leafletMap);
    root.geomap = map;
    root.setAttribute("data-ready", "true");
    return map;
  }

  function failed(root, error) {
    var note = el("p", "geomap-error", "This map could not be opened: " + error);
    root.appendChild(note);
    throw error;
  }

  /* the payload of large maps is gzip-compressed and base64-encoded (see geomap/render/_map.py) */
  function inflate(text) {
    var binary = atob(text.trim()), bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) { bytes[i] = binary.charCodeAt(i); }
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).text();
  }

  window.GeoMap = {
    init: ready,
    fromScript: function (id) {
      var root = document.getElementById(id), script = document.getElementById(id + "-data");
      if (script.getAttribute("data-encoding") === "gzip+base64") {
        if (typeof DecompressionStream === "undefined") {
          return failed(root, "this browser is too old (it lacks DecompressionStream)");
        }
        return inflate(script.textContent).then(function (text) { return ready(root, JSON.parse(text)); },
                                               function (error) { return failed(root, error); });
      }
      return ready(root, JSON.parse(script.textContent));
    }
  };
})();
