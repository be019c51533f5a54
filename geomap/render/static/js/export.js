/* export and print: the filter summary, CSV and GeoJSON of the incidents shown (the PNG of the
 * view: snapshot.js). */

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
  var acled = this._acledChosen().map(function (k) { return data.acled[k].join(": "); });
  if (acled.length) { parts.push("ACLED: " + acled.join(", ")); }
  if (s.q) { parts.push("Search: " + s.q); }
  return parts.join(" \u00b7 ");
};

var EXPORT_FIELDS = ["incident_type", "type_label", "event_type", "sub_event_type", "date", "place", "region",
                     "country", "sea", "lat", "lon", "geo_precision", "sentence", "title", "url", "source",
                     "reports"];

/* the visible incidents as records (the fields of EXPORT_FIELDS) */
GeoMap.prototype.exportRecords = function () {
  var c = this.cols, data = this.data, str = this.strings;
  function s(k) { return k >= 0 ? str[k] : ""; }
  function region(k) { return k >= 0 ? data.regions[k].name : ""; }
  return this.visible.map(function (i) {
    var t = data.types[c.type[i]], art = c.article[i] >= 0 ? data.articles[c.article[i]] : [-1, -1, -1];
    var pair = c.acled && c.acled[i] >= 0 ? data.acled[c.acled[i]] : ["", ""];
    return { incident_type: t.id, type_label: t.label, event_type: pair[0], sub_event_type: pair[1],
             date: s(c.date[i]), place: s(c.place[i]),
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
  this._save(new Blob([text], { type: type + ";charset=utf-8" }), format);
};

/* offer a Blob as a download named after the map's title ("sharing-test.png") */
GeoMap.prototype._save = function (blob, extension) {
  var name = (this.data.title || "incidents").toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
  var link = el("a");
  link.href = URL.createObjectURL(blob);
  link.download = (name || "incidents") + "." + extension;
  link.hidden = true;
  document.body.appendChild(link);
  link.click();
  setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
};
