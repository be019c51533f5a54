/* boot: window.GeoMap, the page's entry points (init from a payload, fromScript from the page). */

function ready(root, data, leafletMap) {
  var map = new GeoMap(root, data, leafletMap);
  root.geomap = map;
  map.whenShown(function () { root.setAttribute("data-ready", "true"); });
  return map;
}

function failed(root, error) {
  var note = el("p", "geomap-error", "This map could not be opened: " + error);
  root.appendChild(note);
  throw error;
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
