/* geomap incident map: type layers, clusters, region/date/place filters, URL state.
 *
 * The page's script is the files of this folder concatenated in the order of SCRIPT_PARTS in
 * geomap/render/_assets.py, inside one function ("use strict"), so they share one scope; this
 * file comes first.
 *
 * Reads the payload written by geomap/render/_data.py (incidents as columns, strings interned).
 * Every piece of article text reaches the page through textContent, never innerHTML; only the
 * taxonomy's SVG icons (a curated data file) are inserted as markup.
 *
 * Large maps stay responsive: the controls, counts and view are set at once, markers are made
 * only when first shown. Up to TYPE_GROUPS_FROM incidents (geomap/render/_data.py) they reach
 * one markercluster group in time-boxed slices (see _sync); larger maps build one cluster index
 * per type in typed arrays (clusters.js, _syncIndex), a zoom level a step, and draw only what
 * is near the view. A filter change moves only what differs and cancels work still pending.
 * The root carries data-ready once the first markers are on screen and data-loaded while every
 * visible marker is placed.
 */

/* core: constants, DOM and date helpers, the GeoMap object and the building of its map and layers. */

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

/* a name as search compares it: accents and case folded ("Zaporižžja" -> "zaporizzja"), as the
 * payload's alternate names are (geomap/render/_names.py) */
function searchFold(text) {
  return String(text).normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
}

function dayToIso(day) { return new Date(day * DAY_MS).toISOString().slice(0, 10); }

function isoToDay(text) {
  var t = Date.parse(String(text) + "T00:00:00Z");
  return isNaN(t) ? null : Math.round(t / DAY_MS);
}

function safeUrl(text) { return /^https?:\/\//i.test(text || "") ? text : null; }

/* the full map's address for an embed's link: a web address or a relative path, no other scheme */
function fullMapLink(text) {
  if (!text) { return null; }
  return safeUrl(text) || (/^[a-z][a-z0-9+.-]*:/i.test(text) ? null : text);
}

function GeoMap(root, data, leafletMap) {
  this._leafletMap = leafletMap || null;  // an existing map to build on (folium's), else our own
  this.root = root;
  this.data = data;
  this.cols = data.cols;
  this.n = data.n;
  this.strings = data.strings;
  this.state = { types: dict(), regions: dict(), acled: dict(), from: null, to: null, q: "" };
  this.visible = [];
  this.pins = [];  // the visible incidents drawn as pins (not located only by an area)
  this._place = [];  // the pins to place: the visible ones, and with type groups those of types off too
  this.view = null;  // "zoom/lat/lon" once the reader moves the map (the fit is the default)
  this.openIncident = null;  // the incident whose popup is open
  this._moving = 0;  // > 0 while the page itself moves the map
  this._quiet = 0;
  this._onLoaded = [];
  this._onShown = [];  // called once the first markers are on screen (see whenShown)
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
    "Outlines: Natural Earth &middot; incidents: geomap from news reports" +
    (data.detail ? " &middot; water: GSHHG &middot; places: GeoNames" : ""));
  L.control.scale({ imperial: false }).addTo(map);
  // a map laid out after load (a hidden tab or section shown later) learns its size here;
  // Leaflet itself only follows the window's size
  if (window.ResizeObserver) {
    new ResizeObserver(function () { map.invalidateSize({ pan: false }); }).observe(map.getContainer());
  }

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
  // --tiles: the page's tile layer is the base layer it opens with; the offline layers stay
  // beneath it (their panes are under the tile pane)
  var tiles = tileLayerOf(data.tiles);
  (tiles || offline).addTo(map);
  this.borders.addTo(map);
  this.root.classList.add("geomap-offline");
  this._buildDetail(map);

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
      if (icon) { icon._marker = this; }  // for the focus tooltip (a fanned-out pin has its own marker)
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
      // (a markercluster group of many pins would give each a tab stop; type groups draw only
      // the pins near the view)
      return IncidentMarker.extend({ options: { icon: new PinIcon(o), keyboard: !many || !!data.typeGroups } });
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
  // Smaller maps share one markercluster group, whose clusters mix the types (their breakdown
  // ring); placement is sliced here (cancellable by a newer change), not by its chunkedLoading.
  // Large maps (data.typeGroups) keep one ClusterLayer per type: a type toggle then adds or takes
  // away one layer, which draws the clusters near the view from its prebuilt index.
  function makeGroup() {
    return data.cluster
      ? L.markerClusterGroup({ chunkedLoading: false, showCoverageOnHover: false,
          maxClusterRadius: many ? CLUSTER_RADIUS_MANY : CLUSTER_RADIUS, iconCreateFunction: function (cluster) { return self._clusterIcon(cluster); } })
      : L.featureGroup();
  }
  this.typeGroups = !!(data.typeGroups && data.cluster);
  if (this.typeGroups) {
    this.groups = data.types.map(function (t, index) { return new ClusterLayer(self, index); });
    this.container = L.featureGroup();  // holds the groups of the types switched on
  } else {
    this.container = makeGroup();
    this.groups = data.types.map(function () { return self.container; });
  }
  this._groupList = this.typeGroups ? this.groups : [this.container];
  this._groupList.forEach(function (group) {
    group.on("click", function (e) { if (e.layer && e.layer._gi !== undefined) { self.openPopup(e.layer._gi); } });
    group.on("mouseover", function (e) { if (e.layer && e.layer._gi !== undefined) { self._showTip(e.layer); } });
    group.on("mouseout", function () { self._hideTip(); });
  });
  var markerPane = map.getPane("markerPane");
  L.DomEvent.on(markerPane, "focusin", function (e) {
    if (e.target && e.target._marker) { self._showTip(e.target._marker); }
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
  if (data.detail) {
    overlays['<span class="geomap-layer-label" data-overlay="water">Rivers and lakes</span>'] = this.water;
    overlays['<span class="geomap-layer-label" data-overlay="places">Place names</span>'] = this.placeLabels;
  }
  var bases = { "Offline outlines": offline, "OpenStreetMap": osm, "CartoDB Positron": carto };
  if (tiles) { bases[data.tiles.name] = tiles; }  // a preset's name replaces its plain layer
  this.layersControl = L.control.layers(bases, overlays, { collapsed: this.compact, position: "topright" }).addTo(map);

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
