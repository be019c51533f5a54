/* popups: their content (built with textContent only), where they open, and the padding that keeps
 * them clear of the controls. */

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
