/* geomap incident layers on a folium map (geomap/render/_folium.py).
 *
 * geomap.js builds on the map folium made (GeoMap.init's third argument), whose container becomes
 * the geomap root
 * (class "geomap", data-ready, data-visible, .geomap on the element). The folium map's own
 * base tile layers join geomap's layer control, the first one chosen; geomap's offline outlines
 * stay beneath the tiles, so the land is drawn where tiles cannot load (offline).
 *
 * attach() is called from the page body and waits for DOMContentLoaded: by then every folium
 * element's script has run (or failed), and the layers attach either way.
 */
(function () {
  "use strict";

  /* the payload of large maps is gzip-compressed and base64-encoded (as in IncidentMap pages) */
  function inflate(text) {
    var binary = atob(text.trim()), bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) { bytes[i] = binary.charCodeAt(i); }
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).text();
  }

  function failed(root, error) {
    var note = document.createElement("p");
    note.className = "geomap-error";
    note.textContent = "The incident layers could not be added: " + error;
    root.appendChild(note);
    throw error;
  }

  /* folium's base tile layers join the layer control; the first is the one shown */
  function useTiles(geomap, tiles) {
    var map = geomap.map, control = geomap.layersControl;
    tiles.forEach(function (pair) { control.addBaseLayer(pair[0], pair[1]); });
    control._layers.forEach(function (entry) {  // "Offline outlines": geomap's own (empty) base layer
      if (!entry.overlay && entry.layer instanceof L.LayerGroup && map.hasLayer(entry.layer)) {
        map.removeLayer(entry.layer);
      }
    });
    tiles.forEach(function (pair, k) {
      if (k === 0 && !map.hasLayer(pair[0])) { map.addLayer(pair[0]); }
      if (k > 0 && map.hasLayer(pair[0])) { map.removeLayer(pair[0]); }
    });
    map.fire("baselayerchange", { layer: tiles[0][0], name: tiles[0][1] });
  }

  function start(map, data, tiles) {
    var root = map.getContainer(), geomap;
    root.classList.add("geomap");
    if (!map.attributionControl) {  // folium.Map(attribution_control=False): geomap still credits its data
      map.attributionControl = L.control.attribution().addTo(map);
    }
    geomap = window.GeoMap.init(root, data, map);
    if (tiles.length) { useTiles(geomap, tiles); }
    return geomap;
  }

  /* map: the folium L.map; id: the payload element is "{id}-data"; tiles: [[layer, name], ...] */
  function attach(map, id, tiles) {
    var script = document.getElementById(id + "-data"), root = map.getContainer();
    tiles = (tiles || []).filter(function (pair) { return pair[0]; });
    if (script.getAttribute("data-encoding") === "gzip+base64") {
      if (typeof DecompressionStream === "undefined") {
        return failed(root, "this browser is too old (it lacks DecompressionStream)");
      }
      return inflate(script.textContent).then(function (text) { return start(map, JSON.parse(text), tiles); },
                                              function (error) { return failed(root, error); });
    }
    return start(map, JSON.parse(script.textContent), tiles);
  }

  /* folium writes every element's script in one block after the body: wait for all of them (tile
   * layers added after the incident layer included) before building on the map */
  window.GeomapFolium = {
    attach: function (getMap, id, getTiles) {
      function go() { return attach(getMap(), id, getTiles()); }
      if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", go);
        return null;
      }
      return go();
    }
  };
})();
