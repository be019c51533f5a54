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
  /* pins closer than this (px) join a cluster: about where two 24 px pins start to overlap; maps of
   * many incidents use a wider radius, which keeps clustering 100,000 of them fast */
  var CLUSTER_RADIUS = 28, CLUSTER_RADIUS_MANY = 45;
  /* clusters and area shading use a colour that no incident type uses */
  var GROUP_COLOUR = "#263238";
  /* maps narrower or lower than this (px) start with their controls folded */
  var COMPACT_WIDTH = 640, COMPACT_HEIGHT = 480;

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

  /* the full map's address for an embed's link: a web address or a relative path, no other scheme */
  function fullMapLink(text) {
    if (!text) { return null; }
    return safeUrl(text) || (/^[a-z][a-z0-9+.-]*:/i.test(text) ? null : text);
  }

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

  function GeoMap(root, data, leafletMap) {
    this._leafletMap = leafletMap || null;  // an existing map to build on (folium's), else our own
    this.root = root;
    this.data = data;
    this.cols = data.cols;
    this.n = data.n;
    this.strings = data.strings;
    this.state = { types: dict(), regions: dict(), from: null, to: null, q: "" };
    this.visible = [];
    this.pins = [];  // the visible incidents drawn as pins (not located only by an area)
    this.view = null;  // "zoom/lat/lon" once the reader moves the map (the fit is the default)
    this.openIncident = null;  // the incident whose popup is open
    this._moving = 0;  // > 0 while the page itself moves the map
    this._quiet = 0;
    this._onLoaded = [];
    this._build();
  }

  GeoMap.prototype._build = function () {
    var self = this, data = this.data;
    var mapDiv = root_map(this.root);
    var map = this.map = this._leafletMap ||
      L.map(mapDiv, { worldCopyJump: true, zoomSnap: 0.25, minZoom: 2, maxZoom: 18 });
    if (!isFinite(map.getMaxZoom())) { map.setMaxZoom(18); }  // clusters need one (a tile-less folium map has none)
    map.attributionControl.setPrefix("Leaflet");
    // phones and small embeds: the panel, legend and layer control start folded
    var size = map.getSize();
    this.compact = size.x < COMPACT_WIDTH || size.y < COMPACT_HEIGHT;
    this.root.classList.toggle("geomap-compact", this.compact);
    map.attributionControl.addAttribution(
      "Outlines: Natural Earth &middot; incidents: geomap from news reports");
    L.control.scale({ imperial: false }).addTo(map);

    // base layers: offline outlines (default) and tile layers that stay blank offline. The
    // outlines lie beneath the tile pane (200): tiles cover them where they load, and where they
    // cannot (offline) the land is still drawn
    map.createPane("geomapBase").style.zIndex = 150;
    map.createPane("geomapRegions").style.zIndex = 380;
    map.createPane("geomapAreas").style.zIndex = 390;
    var heatPane = map.createPane("geomapHeat");  // above the pins: the heat map reads over them
    heatPane.style.zIndex = 640;
    heatPane.style.pointerEvents = "none";
    var offline = L.layerGroup();
    var osm = L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
      maxZoom: 19, attribution: "&copy; OpenStreetMap contributors" });
    var carto = L.tileLayer("https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png", {
      maxZoom: 19, subdomains: "abcd", attribution: "&copy; OpenStreetMap contributors &copy; CARTO" });
    var baseRenderer = L.canvas({ pane: "geomapBase", padding: 0.3 });
    var base = { type: "FeatureCollection", features: data.base.map(function (f) { return feature(f.g, { k: f.k }); }) };
    this.borders = L.geoJSON(base, {
      renderer: baseRenderer, interactive: false, pane: "geomapBase",
      style: function (f) { return self._borderStyle(f); }
    });
    offline.addTo(map);
    this.borders.addTo(map);
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
    // incidents located only by a country, sea or large region: the region is shaded, no pin
    this.areas = L.layerGroup().addTo(map);
    this.areaStats = [];

    // markers: one per incident, made when first shown (see _marker); one icon and one marker
    // class per type, so a marker holds nothing but its position; clusters shared across types
    var many = this.n > 2000;
    // a marker's element is named ("Air strike, Kherson, 2025-11-29") and opens its popup on
    // Enter or Space; one shared tooltip follows the pointer and the keyboard focus
    var IncidentMarker = L.Marker.extend({
      _initIcon: function () {
        L.Marker.prototype._initIcon.call(this);
        var icon = this._icon;
        if (!icon || this._gi === undefined || icon._gi === this._gi) { return; }
        icon._gi = this._gi;
        icon.setAttribute("aria-label", self.markerName(this._gi));
        if (this.options.keyboard) { icon.setAttribute("role", "button"); }
      }
    });
    this._tip = L.tooltip({ direction: "top", offset: [0, -12], className: "geomap-tooltip" });
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
        return IncidentMarker.extend({ options: { icon: new PinIcon(o), keyboard: !many } });
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
      ? L.markerClusterGroup({ chunkedLoading: false, showCoverageOnHover: false,
          maxClusterRadius: many ? CLUSTER_RADIUS_MANY : CLUSTER_RADIUS, iconCreateFunction: function (cluster) { return self._clusterIcon(cluster); } })
      : L.featureGroup();
    this.container.on("click", function (e) { if (e.layer && e.layer._gi !== undefined) { self.openPopup(e.layer._gi); } });
    this.container.on("mouseover", function (e) { if (e.layer && e.layer._gi !== undefined) { self._showTip(e.layer); } });
    this.container.on("mouseout", function () { self._hideTip(); });
    var markerPane = map.getPane("markerPane");
    L.DomEvent.on(markerPane, "focusin", function (e) {
      var i = e.target && e.target._gi;
      if (i !== undefined && self.markers[i]) { self._showTip(self.markers[i]); }
    });
    L.DomEvent.on(markerPane, "focusout", function () { self._hideTip(); });
    L.DomEvent.on(markerPane, "keydown", function (e) {
      var i = e.target && e.target._gi;
      if (i === undefined || (e.key !== "Enter" && e.key !== " ")) { return; }
      L.DomEvent.preventDefault(e);
      L.DomEvent.stopPropagation(e);
      self.openPopup(i);
    });
    this.container.addTo(map);

    // lower-cased place names for the search box
    this._namesLower = dict();  // string index -> lower-cased, filled as searches need them

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
    }, overlays, { collapsed: this.compact, position: "topright" }).addTo(map);

    this._buildPanel();
    this._buildLegend();
    // keyboard order: the filters, then the layer control and legend, then the map's markers
    // (Leaflet puts its controls after the map pane; their corners are positioned, so the order
    // in the document changes nothing on screen)
    var controls = map._controlContainer, corner = this.panelElement.parentNode;
    corner.insertBefore(this.panelElement, corner.firstChild);
    if (controls && controls.parentNode === map.getContainer()) {
      map.getContainer().insertBefore(controls, map.getContainer().firstChild);
    }

    // initial state: URL fragment, else the view baked into the page, else everything
    this._applyFragment(this._currentFragment() || data.view || "");
    if (data.heat) { this.heat.addTo(map); }
    window.addEventListener("hashchange", function () { self._applyFragment(self._currentFragment()); });
    map.on("moveend", function () {
      if (self._moving) { return; }
      var c = map.getCenter();
      self.view = map.getZoom().toFixed(2).replace(/\.?0+$/, "") + "/" + c.lat.toFixed(4) + "/" + c.lng.toFixed(4);
      self._writeFragment();
    });
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
      timer = setTimeout(function () { self.state.q = search.value.trim().toLowerCase(); self._changed("q"); }, 150);
    });
    details.appendChild(search);

    if (data.dayRange && data.dayRange[1] > data.dayRange[0]) { this._timeline(details, data.dayRange); }

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

  GeoMap.prototype._buildLegend = function () {
    var self = this;
    var Legend = L.Control.extend({
      options: { position: "bottomright" },
      onAdd: function () {
        var fold = el("details", "geomap-legend");
        fold.open = !self.compact;
        L.DomEvent.disableClickPropagation(fold);
        L.DomEvent.disableScrollPropagation(fold);
        fold.appendChild(el("summary", "geomap-legend-title", "Incident types"));
        var box = el("div", "geomap-legend-body");
        fold.appendChild(box);
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
          var swatch = el("span", "geomap-area-swatch");
          note.appendChild(swatch);
          note.appendChild(el("span", "geomap-legend-label", "Located only by country, sea or large region"));
          box.appendChild(note);
          self.areaList = el("ul", "geomap-area-list");
          self.areaList.setAttribute("aria-label", "Incidents located only by an area");
          box.appendChild(self.areaList);
        }
        return fold;
      }
    });
    new Legend().addTo(this.map);
  };

  /* ---------------------------------------------------------------- filtering */

  /* the search box matches every name an incident carries: the place, the article's spelling,
   * its region, country and sea (see the payload's "names") */
  GeoMap.prototype._nameMatch = function (i) {
    var k = this.cols.names ? this.cols.names[i] : this.cols.place[i];
    if (k < 0) { return false; }
    var text = this._namesLower[k];
    if (text === undefined) { text = this._namesLower[k] = this.strings[k].toLowerCase(); }
    return text.indexOf(this.state.q) >= 0;
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
    var T = data.types.length, typeCounts = new Array(T).fill(0), typeAvailable = new Array(T).fill(0);
    var visible = [], pins = [], areaOf = c.area, areaStats = dict();
    var hist = range ? new Uint32Array((range[1] - range[0] + 1) * T) : null, dateOn = this._dateOn;
    for (var i = 0; i < this.n; i++) {
      want[i] = 0;
      if (s.q && !this._nameMatch(i)) { continue; }
      var a = c.country[i], b = c.admin1[i], w = c.water[i], type = c.type[i], d = c.day[i];
      var inside = !inRegion || inRegion[a] || inRegion[b] || inRegion[w];
      var inDates = !dateOn || (d >= 0 && d >= s.from && d <= s.to);
      if (inside && inDates) { typeAvailable[type]++; }  // what the type's layer would add
      if (!s.types[type]) { continue; }
      if (inside && hist && d >= 0) { hist[(d - range[0]) * T + type]++; }
      if (!inDates) { continue; }
      if (a >= 0) { regionCounts[a]++; }
      if (b >= 0) { regionCounts[b]++; }
      if (w >= 0) { regionCounts[w]++; }
      if (!inside) { continue; }
      typeCounts[type]++;
      visible.push(i);
      var area = areaOf ? areaOf[i] : -1;
      if (area >= 0) {
        (areaStats[area] = areaStats[area] || []).push(i);
      } else {
        pins.push(i);
        want[i] = 1;
      }
    }
    this.visible = visible;
    this.pins = pins;
    this.areaStats = areaStats;
    if (this.heat._map) { this.heat.redraw(); }
    for (var r = 0; r < regionCounts.length; r++) { this.regionCounts[r].textContent = String(regionCounts[r]); }
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
    var add = [], visible = this.pins;
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
    var loading = done < total, wasLoading = this._loading;
    this._loading = loading;
    // clusters drawn while markers were still arriving show their count only: now their types
    if (wasLoading && !loading && this.container.refreshClusters) { this.container.refreshClusters(); }
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

  /* the heat map counts pinned incidents only: a country's centre is no hot spot */
  GeoMap.prototype._visibleLatLngs = function () {
    var c = this.cols;
    return this.pins.map(function (i) { return [c.lat[i], c.lon[i]]; });
  };

  /* fit the view on the pinned incidents (areas would stretch it to a continent); on the areas'
   * outlines when only areas are shown */
  GeoMap.prototype.fitVisible = function () {
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

  /* popups pan clear of the panel (left), the layer control and the legend (right) */
  GeoMap.prototype._popupOptions = function (options) {
    var size = this.map.getSize(), root = this.map.getContainer();
    function box(selector) {
      var node = root.querySelector(selector);
      return node ? { w: node.offsetWidth, h: node.offsetHeight } : { w: 0, h: 0 };
    }
    var panel = box(".geomap-panel"), layers = box(".leaflet-control-layers"), legend = box(".geomap-legend");
    var left = Math.min(panel.w + 16, size.x * 0.3), right = Math.min(Math.max(layers.w, legend.w) + 16, size.x * 0.3);
    if (this.compact) {  // folded controls: keep the sides free, clear the panel above and legend below
      return L.extend({}, options, {
        autoPanPaddingTopLeft: [8, Math.min(panel.h + 16, size.y * 0.4)],
        autoPanPaddingBottomRight: [8, Math.min(legend.h + 30, size.y * 0.3)],
        maxWidth: Math.min(options.maxWidth || 320, size.x - 56)
      });
    }
    return L.extend({
      autoPanPaddingTopLeft: [left, Math.min(layers.h + 16, size.y * 0.3)],
      autoPanPaddingBottomRight: [right, Math.min(legend.h + 16, size.y * 0.3)],
      maxWidth: Math.min(options.maxWidth || 320, size.x - 40)
    }, options, { maxWidth: Math.min(options.maxWidth || 320, size.x - 40) });
  };

  GeoMap.prototype._changed = function (what) {
    if (this._quiet) { return; }
    this.refresh(what === "regions" || what === "q");
    this._writeFragment();
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

  function breakdownText(parts) {
    return parts.map(function (p) { return p.count + " " + p.type.label; }).join(", ");
  }

  /* a cluster bubble: the count on a dark disc ringed by its types' shares (conic gradient) */
  GeoMap.prototype._clusterIcon = function (cluster) {
    if (this._loading) {  // the breakdown walks every pin inside: not on each slice of a large load
      var n = cluster.getChildCount(), grow = n < 10 ? 30 : n < 100 ? 36 : n < 1000 ? 42 : 48;
      var plain = el("div", "geomap-cluster geomap-cluster-loading");
      plain.style.background = GROUP_COLOUR;
      plain.style.width = plain.style.height = grow + "px";
      plain.appendChild(el("span", "geomap-cluster-count", n));
      plain.setAttribute("aria-label", n + " incidents");
      return L.divIcon({ html: plain, className: "marker-cluster geomap-cluster-icon", iconSize: [grow, grow] });
    }
    var ids = cluster.getAllChildMarkers().map(function (m) { return m._gi; });
    var parts = this._breakdown(ids), total = ids.length, at = 0, stops = [];
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

  /* shade each area holding visible coarse incidents, and list them in the legend */
  GeoMap.prototype._drawAreas = function () {
    var self = this, data = this.data, stats = this.areaStats;
    var dark = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
    this.areas.clearLayers();
    var keys = Object.keys(stats).map(Number);
    keys.sort(function (a, b) { return stats[b].length - stats[a].length || a - b; });
    keys.forEach(function (k) {
      var r = data.regions[k];
      if (!r.outline) { return; }
      var shade = dark ? "#cfd8dc" : GROUP_COLOUR;
      var shape = L.geoJSON(feature(r.outline), {
        pane: "geomapAreas",
        style: { color: shade, weight: 1.5, dashArray: "5 4", fillColor: shade,
                 fillOpacity: 0.12, className: "geomap-area" }
      });
      shape.bindTooltip(self._areaSummary(k), { sticky: true });
      shape.on("click", function (e) { self.openArea(k, e.latlng); });
      shape.addTo(self.areas);
    });
    if (!this.areaList) { return; }
    this.areaList.textContent = "";
    keys.forEach(function (k) {
      var item = el("li"), button = el("button", "geomap-area-button");
      button.type = "button";
      button.setAttribute("data-area", data.regions[k].key);
      button.appendChild(el("span", "geomap-area-name", data.regions[k].name));
      button.appendChild(el("span", "geomap-count", stats[k].length));
      button.title = self._areaSummary(k);  // the name read out is the text shown ("Russia 3")
      button.addEventListener("click", function () { self.openArea(k); });
      item.appendChild(button);
      self.areaList.appendChild(item);
    });
    this.areaList.parentNode.querySelector(".geomap-legend-note").hidden = !keys.length;
    this.areaList.hidden = !keys.length;
  };

  GeoMap.prototype._areaSummary = function (k) {
    var ids = this.areaStats[k] || [], r = this.data.regions[k];
    return r.name + ": " + ids.length + (ids.length === 1 ? " incident" : " incidents") +
      " located only by " + ({ country: "country", admin1: "region", water: "sea" }[r.kind] || "area") +
      " (" + breakdownText(this._breakdown(ids)) + ")";
  };

  /* the area's incidents as a list in a popup; each opens its own popup */
  GeoMap.prototype.openArea = function (k, latlng) {
    var self = this, ids = this.areaStats[k] || [], c = this.cols, str = this.strings, data = this.data;
    var box = el("div", "geomap-popup geomap-area-popup");
    box.appendChild(el("strong", null, this._areaSummary(k)));
    var list = el("ul", "geomap-area-incidents");
    ids.slice(0, 100).forEach(function (i) {
      var t = data.types[c.type[i]], item = el("li"), button = el("button", "geomap-area-incident");
      button.type = "button";
      var date = c.date[i] >= 0 ? str[c.date[i]] : "date unknown";
      button.textContent = t.label + ", " + date;
      button.addEventListener("click", function () { self.openPopup(i); });
      item.appendChild(button);
      var sentence = c.sentence[i] >= 0 ? str[c.sentence[i]] : "";
      if (sentence) { item.appendChild(el("div", "geomap-area-quote", sentence.length > 160 ? sentence.slice(0, 157) + "\u2026" : sentence)); }
      list.appendChild(item);
    });
    box.appendChild(list);
    if (ids.length > 100) { box.appendChild(el("div", "geomap-popup-reports", "and " + (ids.length - 100) + " more")); }
    var at = latlng || (ids.length ? L.latLng(c.lat[ids[0]], c.lon[ids[0]]) : this.map.getCenter());
    L.popup(this._popupOptions({ maxWidth: 340, maxHeight: 320 })).setLatLng(at).setContent(box).openOn(this.map);
  };

  /* ---------------------------------------------------------------- export and print */

  /* "Types: all · Regions: Krasnodar Krai · Dates: 2024-03-01 – 2024-03-07 · Search: kyiv" */
  GeoMap.prototype.filterSummary = function () {
    var s = this.state, data = this.data, parts = [];
    var on = data.types.filter(function (t, k) { return s.types[k]; }).map(function (t) { return t.label; });
    parts.push("Types: " + (on.length === data.types.length ? "all" : on.length ? on.join(", ") : "none"));
    var regions = this._regionsChosen().map(function (k) { return data.regions[k].name; });
    parts.push("Regions: " + (regions.length ? regions.join(", ") : "all"));
    if (data.dayRange) {
      var from = this._dateOn ? s.from : data.dayRange[0], to = this._dateOn ? s.to : data.dayRange[1];
      parts.push("Dates: " + dayToIso(from) + (to > from ? " \u2013 " + dayToIso(to) : ""));
    }
    if (s.q) { parts.push("Search: " + s.q); }
    return parts.join(" \u00b7 ");
  };

  var EXPORT_FIELDS = ["incident_type", "type_label", "date", "place", "region", "country", "sea",
                       "lat", "lon", "geo_precision", "sentence", "title", "url", "source", "reports"];

  /* the visible incidents as records (the fields of EXPORT_FIELDS) */
  GeoMap.prototype.exportRecords = function () {
    var c = this.cols, data = this.data, str = this.strings;
    function s(k) { return k >= 0 ? str[k] : ""; }
    function region(k) { return k >= 0 ? data.regions[k].name : ""; }
    return this.visible.map(function (i) {
      var t = data.types[c.type[i]], art = c.article[i] >= 0 ? data.articles[c.article[i]] : [-1, -1, -1];
      return { incident_type: t.id, type_label: t.label, date: s(c.date[i]), place: s(c.place[i]),
               region: region(c.admin1[i]), country: region(c.country[i]), sea: region(c.water[i]),
               lat: c.lat[i], lon: c.lon[i], geo_precision: c.gp[i], sentence: s(c.sentence[i]),
               title: s(art[0]), url: s(art[1]), source: s(art[2]), reports: c.reports[i] };
    });
  };

  /* a CSV cell: quoted when needed; text a spreadsheet would run as a formula starts with ' */
  function csvCell(value) {
    var text = value === null || value === undefined ? "" : String(value);
    if (typeof value === "string" && /^[=+\-@\t\r]/.test(text)) { text = "'" + text; }
    return /[",\r\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }

  GeoMap.prototype.toCSV = function () {
    var lines = [EXPORT_FIELDS.join(",")];
    this.exportRecords().forEach(function (r) {
      lines.push(EXPORT_FIELDS.map(function (f) { return csvCell(r[f]); }).join(","));
    });
    return lines.join("\r\n") + "\r\n";
  };

  GeoMap.prototype.toGeoJSON = function () {
    return JSON.stringify({ type: "FeatureCollection", features: this.exportRecords().map(function (r) {
      var properties = {};
      EXPORT_FIELDS.forEach(function (f) { if (f !== "lat" && f !== "lon") { properties[f] = r[f]; } });
      return { type: "Feature", geometry: { type: "Point", coordinates: [r.lon, r.lat] }, properties: properties };
    }) });
  };

  /* save the visible incidents as a file ("csv" or "geojson"), named after the map's title */
  GeoMap.prototype.download = function (format) {
    var text = format === "csv" ? this.toCSV() : this.toGeoJSON();
    var type = format === "csv" ? "text/csv" : "application/geo+json";
    var name = (this.data.title || "incidents").toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
    var link = el("a");
    link.href = URL.createObjectURL(new Blob([text], { type: type + ";charset=utf-8" }));
    link.download = (name || "incidents") + "." + format;
    link.hidden = true;
    document.body.appendChild(link);
    link.click();
    setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
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
    var placeName = s(c.place[i]);
    [c.admin1[i], c.country[i], c.water[i]].forEach(function (k) {
      if (k >= 0 && data.regions[k].name !== placeName) { where.push(data.regions[k].name); }
    });
    var place = el("div", "geomap-popup-place");
    place.appendChild(el("strong", "geomap-popup-placename", placeName || "(unnamed place)"));
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

  /* where incident i's popup opens: its point, or for an incident located only by an area, the
   * part of that area in view (the area's centre may be far off in Siberia) */
  GeoMap.prototype._popupLatLng = function (i) {
    var point = L.latLng(this.cols.lat[i], this.cols.lon[i]), area = this.cols.area ? this.cols.area[i] : -1;
    var r = area >= 0 ? this.data.regions[area] : null;
    if (!r || !r.outline) { return point; }
    var geometry = decodeGeometry(r.outline), view = this.map.getBounds(), centre = view.getCenter();
    if (view.contains(point) || insideGeometry(geometry, centre.lng, centre.lat)) {
      return view.contains(point) ? point : centre;
    }
    // else the outline's vertex in view nearest the view's centre
    var best = null, bestDistance = Infinity;
    geometry.coordinates.forEach(function (rings) {
      rings.forEach(function (ring) {
        ring.forEach(function (xy) {
          if (!view.contains([xy[1], xy[0]])) { return; }
          var d = (xy[0] - centre.lng) * (xy[0] - centre.lng) + (xy[1] - centre.lat) * (xy[1] - centre.lat);
          if (d < bestDistance) { bestDistance = d; best = xy; }
        });
      });
    });
    return best ? L.latLng(best[1], best[0]) : point;
  };

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

  GeoMap.prototype.openPopup = function (i) {
    var self = this, latlng = this._popupLatLng(i);
    var popup = L.popup(this._popupOptions({ maxWidth: 320 }))
      .setLatLng(latlng).setContent(this.popupContent(i));
    popup.on("remove", function () {
      if (self.openIncident === i) { self.openIncident = null; self._writeFragment(); }
    });
    popup.openOn(this.map);
    this.openIncident = i;  // the link to the page now opens this incident
    this._writeFragment();
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
