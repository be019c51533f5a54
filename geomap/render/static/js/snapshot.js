/* snapshot: a PNG of the view as the map shows it, drawn by hand on a canvas (no library, no
 * request): the offline base map's visible layers (land and borders, rivers and lakes, place
 * names where they are drawn), region outlines and shaded areas, the incidents on screen (pins
 * with their type's colour and glyph, clusters with their type ring and count), the heat map,
 * and a title with the active filters, a legend of the types shown and the credits. Everything
 * is projected with map.latLngToContainerPoint, so the image is the map's container pixel for
 * pixel (times the screen's pixel ratio). Raster tiles (--tiles) are left out: tiles from
 * another origin would taint the canvas, and the offline base map beneath them is drawn
 * instead. Text is drawn with fillText, never parsed as markup. */

/* pixels per CSS pixel in the image: the screen's, at most SNAPSHOT_MAX_RATIO */
var SNAPSHOT_MAX_RATIO = 2;
/* the title's text width (px): the caption box stays within the page's panel (260 px) */
var CAPTION_WIDTH = 228;

/* resolves once the markers are placed and no zoom animation runs (what the reader sees) */
GeoMap.prototype._settled = function () {
  var self = this;
  return this.loaded().then(function () {
    return new Promise(function (resolve) {
      var frames = 0;
      (function wait() {
        if (!self.animating() || frames++ > 120) { resolve(); } else { requestAnimationFrame(wait); }
      })();
    });
  });
};

/* one image per type: its glyph (the taxonomy's curated SVG) as a data: URL image */
GeoMap.prototype._glyphs = function () {
  if (this._glyphImages) { return this._glyphImages; }
  this._glyphImages = Promise.all(this.data.types.map(function (t) {
    return new Promise(function (resolve) {
      var image = new Image();
      image.onload = function () { resolve(image); };
      image.onerror = function () { resolve(null); };  // the pin is drawn without its glyph
      image.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(t.svg);
    });
  }));
  return this._glyphImages;
};

/* the PNG of the current view as a Blob (a Promise) */
GeoMap.prototype.toPNG = function () {
  var self = this;
  return this._settled().then(function () { return self._glyphs(); }).then(function (glyphs) {
    var canvas = self.snapshot(glyphs);
    return new Promise(function (resolve, reject) {
      canvas.toBlob(function (blob) { if (blob) { resolve(blob); } else { reject(new Error("no PNG")); } },
                    "image/png");
    });
  });
};

/* save the current view as a PNG, named after the map's title */
GeoMap.prototype.downloadPNG = function () {
  var self = this;
  return this.toPNG().then(function (blob) { self._save(blob, "png"); });
};

/* the canvas of the current view (glyphs: one image per type, or null) */
GeoMap.prototype.snapshot = function (glyphs) {
  var map = this.map, size = map.getSize();
  var ratio = Math.max(1, Math.min(SNAPSHOT_MAX_RATIO, window.devicePixelRatio || 1));
  var canvas = document.createElement("canvas");
  canvas.width = Math.round(size.x * ratio);
  canvas.height = Math.round(size.y * ratio);
  var ctx = canvas.getContext("2d");
  ctx.scale(ratio, ratio);
  var dark = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
  ctx.fillStyle = getComputedStyle(map.getContainer()).backgroundColor || WATER_COLOUR;
  ctx.fillRect(0, 0, size.x, size.y);
  var view = map.getBounds().pad(0.1);
  var self = this;
  function paths(layer) { if (map.hasLayer(layer)) { drawPaths(ctx, map, layer, view); } }
  // in the order of their panes: base (150), water (160), labels (170), regions (380), areas (390)
  paths(this.borders);
  if (this.water) { paths(this.water); }
  if (this.placeLabels && map.hasLayer(this.placeLabels)) { this._drawPlaceLabels(ctx, dark); }
  paths(this.regionOutlines);
  paths(this.selection);
  paths(this.areas);
  ctx.save();
  if (this.heat._map) { ctx.globalAlpha = 0.4; }  // pins fade under the heat map, as on screen
  this._drawMarkers(ctx, glyphs || [], dark);
  ctx.restore();
  if (this.heat._map && this.heat._canvas && this.heat._canvas.width) {
    ctx.drawImage(this.heat._canvas, 0, 0, size.x, size.y);
  }
  this._drawCaption(ctx, size, glyphs || [], dark);
  return canvas;
};

/* every vector path (polygon or line) of a layer or group, in its own style */
function drawPaths(ctx, map, layer, view) {
  if (layer instanceof L.Path) {
    if (layer.getBounds && !view.intersects(layer.getBounds())) { return; }
    drawPath(ctx, map, layer);
  } else if (layer.eachLayer) {
    layer.eachLayer(function (child) { drawPaths(ctx, map, child, view); });
  }
}

function drawPath(ctx, map, layer) {
  var o = layer.options, closed = layer instanceof L.Polygon, rings = [];
  (function collect(latlngs) {
    if (!latlngs.length) { return; }
    if (latlngs[0] instanceof L.LatLng) { rings.push(latlngs); } else { latlngs.forEach(collect); }
  })(layer.getLatLngs());
  ctx.beginPath();
  rings.forEach(function (ring) {
    for (var k = 0; k < ring.length; k++) {
      var p = map.latLngToContainerPoint(ring[k]);
      if (k) { ctx.lineTo(p.x, p.y); } else { ctx.moveTo(p.x, p.y); }
    }
    if (closed) { ctx.closePath(); }
  });
  ctx.save();
  if (closed && o.fill) {
    ctx.globalAlpha = o.fillOpacity === undefined ? 0.2 : o.fillOpacity;
    ctx.fillStyle = o.fillColor || o.color;
    ctx.fill("evenodd");
  }
  if (o.stroke !== false && o.weight > 0) {
    ctx.globalAlpha = o.opacity === undefined ? 1 : o.opacity;
    ctx.strokeStyle = o.color;
    ctx.lineWidth = o.weight;
    ctx.lineJoin = ctx.lineCap = "round";
    ctx.setLineDash(o.dashArray ? String(o.dashArray).split(/[ ,]+/).map(Number).filter(isFinite) : []);
    ctx.stroke();
  }
  ctx.restore();
}

/* the place names as drawn: where each label's element is, in its computed font */
GeoMap.prototype._drawPlaceLabels = function (ctx, dark) {
  var map = this.map, origin = map.getContainer().getBoundingClientRect();
  var halo = dark ? "#111" : "#fff", dot = dark ? "#aab" : "#666";
  this.placeLabels.eachLayer(function (marker) {
    var node = marker._icon && marker._icon.firstChild;
    if (!node || !node.textContent) { return; }
    var p = map.latLngToContainerPoint(marker.getLatLng());
    ctx.fillStyle = dot;
    ctx.beginPath();
    ctx.arc(p.x, p.y - 2.5, 1.5, 0, 2 * Math.PI);
    ctx.fill();
    var box = node.getBoundingClientRect(), style = getComputedStyle(node);
    ctx.font = style.font || "11px sans-serif";
    ctx.textBaseline = "middle";
    ctx.lineJoin = "round";
    ctx.lineWidth = 3;
    ctx.strokeStyle = halo;
    var x = box.left - origin.left, y = box.top - origin.top + box.height / 2;
    ctx.strokeText(node.textContent, x, y);
    ctx.fillStyle = style.color || "#333";
    ctx.fillText(node.textContent, x, y);
  });
};

/* a pin as the page draws it: a disc in the type's colour ring with its glyph */
function drawPin(ctx, x, y, radius, type, glyph, dark, dashed) {
  ctx.save();
  ctx.beginPath();
  ctx.arc(x, y, radius - 1, 0, 2 * Math.PI);
  ctx.fillStyle = dark ? "#f1f3f4" : "#fff";
  ctx.fill();
  ctx.lineWidth = 2;
  ctx.strokeStyle = type.colour;
  if (dashed) { ctx.setLineDash([3, 2]); }
  ctx.stroke();
  ctx.restore();
  if (glyph) {
    var g = Math.round(radius * 1.25);
    ctx.drawImage(glyph, x - g / 2, y - g / 2, g, g);
  }
}

/* the markers and clusters on screen, in the groups of the types shown */
GeoMap.prototype._drawMarkers = function (ctx, glyphs, dark) {
  var self = this, map = this.map, container = this.container, size = map.getSize();
  var types = this.data.types, c = this.cols;
  this._groupList.forEach(function (group) {
    if (group !== container && !container.hasLayer(group)) { return; }
    if (!map.hasLayer(container)) { return; }
    (group._featureGroup || group).eachLayer(function (layer) {
      var p = map.latLngToContainerPoint(layer.getLatLng());
      if (p.x < -30 || p.y < -30 || p.x > size.x + 30 || p.y > size.y + 30) { return; }
      if (layer.getChildCount) {  // a cluster: its types' shares around its count
        self._drawCluster(ctx, p, self._clusterParts(layer), layer.getChildCount());
        return;
      }
      var i = layer._gi;
      if (i === undefined) { return; }
      var icon = layer.options.icon.options, anchor = icon.iconAnchor || [12, 12];
      var x = p.x - anchor[0] + 12, y = p.y - anchor[1] + 12;
      drawPin(ctx, x, y, 12, types[c.type[i]], glyphs[c.type[i]], dark, c.gp[i] === 3);
    });
  });
};

GeoMap.prototype._drawCluster = function (ctx, p, parts, total) {
  var size = total < 10 ? 30 : total < 100 ? 36 : total < 1000 ? 42 : 48;
  var r = size / 2, at = -Math.PI / 2;
  parts.forEach(function (part) {
    var to = at + 2 * Math.PI * part.count / total;
    ctx.beginPath();
    ctx.moveTo(p.x, p.y);
    ctx.arc(p.x, p.y, r, at, to);
    ctx.closePath();
    ctx.fillStyle = part.type.colour;
    ctx.fill();
    at = to;
  });
  ctx.beginPath();
  ctx.arc(p.x, p.y, r - 5, 0, 2 * Math.PI);
  ctx.fillStyle = GROUP_COLOUR;
  ctx.fill();
  ctx.fillStyle = "#fff";
  ctx.font = "600 12px system-ui, sans-serif";
  ctx.textAlign = "center";
  ctx.textBaseline = "middle";
  ctx.fillText(String(total), p.x, p.y);
  ctx.textAlign = "start";
};

/* text broken into lines of at most `width` pixels (at spaces; a long word stays whole) */
function wrapText(ctx, text, width) {
  var lines = [], line = "";
  String(text).split(/\s+/).forEach(function (word) {
    var next = line ? line + " " + word : word;
    if (line && ctx.measureText(next).width > width) { lines.push(line); line = word; } else { line = next; }
  });
  if (line) { lines.push(line); }
  return lines;
}

/* a panel with a soft edge, as the page's controls */
function panelBox(ctx, x, y, w, h, dark) {
  ctx.save();
  ctx.fillStyle = dark ? "rgba(32,33,36,0.92)" : "rgba(255,255,255,0.92)";
  ctx.strokeStyle = dark ? "#5f6368" : "#bbb";
  ctx.lineWidth = 1;
  ctx.fillRect(x, y, w, h);
  ctx.strokeRect(x + 0.5, y + 0.5, w - 1, h - 1);
  ctx.restore();
}

/* the title and active filters (top left), the types shown with their counts (bottom right) and
 * the credits (bottom left) */
GeoMap.prototype._drawCaption = function (ctx, size, glyphs, dark) {
  var ink = dark ? "#e8eaed" : "#202124", pad = 8, font = "system-ui, sans-serif";
  ctx.textBaseline = "top";
  ctx.textAlign = "start";
  // title and filters, no wider than the page's panel (the first view keeps pins clear of it)
  var width = Math.min(CAPTION_WIDTH, size.x - 2 * pad - 2 * 8);
  ctx.font = "600 15px " + font;
  var title = wrapText(ctx, this.data.title || "Incidents", width);
  ctx.font = "12px " + font;
  var filters = wrapText(ctx, this.filterSummary() + " \u00b7 " + this.status.textContent, width);
  var boxW = 0;
  ctx.font = "600 15px " + font;
  title.forEach(function (t) { boxW = Math.max(boxW, ctx.measureText(t).width); });
  ctx.font = "12px " + font;
  filters.forEach(function (t) { boxW = Math.max(boxW, ctx.measureText(t).width); });
  var boxH = title.length * 19 + filters.length * 15 + 12;
  panelBox(ctx, pad, pad, boxW + 16, boxH, dark);
  ctx.fillStyle = ink;
  var y = pad + 6;
  ctx.font = "600 15px " + font;
  title.forEach(function (t) { ctx.fillText(t, pad + 8, y); y += 19; });
  ctx.font = "12px " + font;
  filters.forEach(function (t) { ctx.fillText(t, pad + 8, y); y += 15; });

  // legend: the types switched on, with the counts the page's legend shows
  var s = this.state, counts = this.legendCounts, rows = [];
  this.data.types.forEach(function (t, k) {
    if (s.types[k]) { rows.push({ type: t, k: k, count: counts[k].textContent }); }
  });
  ctx.font = "12px " + font;
  var legendW = 0;
  rows.forEach(function (r) {
    legendW = Math.max(legendW, ctx.measureText(r.type.label + "  " + r.count).width);
  });
  legendW = Math.min(legendW + 40, size.x - 2 * pad);
  var rowH = 18, legendH = rows.length * rowH + 10, lx = size.x - pad - legendW;
  var ly = size.y - 24 - legendH;
  if (rows.length && ly > boxH + 2 * pad) {
    panelBox(ctx, lx, ly, legendW, legendH, dark);
    rows.forEach(function (r, j) {
      var cy = ly + 5 + j * rowH + rowH / 2;
      drawPin(ctx, lx + 14, cy, 8, r.type, glyphs[r.k], dark, false);
      ctx.fillStyle = ink;
      ctx.textBaseline = "middle";
      ctx.fillText(r.type.label, lx + 28, cy);
      ctx.textAlign = "end";
      ctx.fillText(r.count, lx + legendW - 6, cy);
      ctx.textAlign = "start";
    });
  }
  // credits
  var credits = this.map.attributionControl.getContainer().textContent.replace(/\s+/g, " ").trim();
  ctx.font = "10px " + font;
  ctx.textBaseline = "bottom";
  var cw = Math.min(ctx.measureText(credits).width, size.x - 2 * pad);
  panelBox(ctx, pad - 3, size.y - 17, cw + 6, 15, dark);
  ctx.fillStyle = ink;
  ctx.fillText(credits, pad, size.y - 4, size.x - 2 * pad);
};
