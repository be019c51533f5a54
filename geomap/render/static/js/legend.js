/* legend: types with counts following the filters, and the areas (country, sea, large region)
 * that locate incidents without a pin. */

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
