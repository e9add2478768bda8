/* Draws the choropleths of a page from <script type="application/json" class="map-data">,
   with the app's own copy of plotly.js. Loaded before plotly.js (both deferred), because the
   empty "world" topology below must exist before a geo plot starts: otherwise plotly.js
   fetches a basemap from its CDN, which an intranet cannot reach. */
"use strict";
window.PlotlyGeoAssets = { topojson: { world_110m: { type: "Topology", objects: {}, arcs: [] } } };

(function () {
  var DIVERGING = ["#053061", "#2166ac", "#4393c3", "#92c5de", "#d1e5f0", "#f7f7f7",
                   "#fddbc7", "#f4a582", "#d6604d", "#b2182b", "#67001f"];  // RdBu_r
  var SEQUENTIAL = ["#ffffcc", "#ffeda0", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a",
                    "#e31a1c", "#bd0026", "#800026"];  // YlOrRd
  var NO_DATA = "#d9d9d9";

  function scale(colours) {
    return colours.map(function (c, i) { return [i / (colours.length - 1), c]; });
  }

  function escapeHtml(text) {
    return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  function bounds(geojson) {
    var b = [180, 90, -180, -90];
    function walk(c) {
      if (typeof c[0] === "number") {
        b[0] = Math.min(b[0], c[0]); b[1] = Math.min(b[1], c[1]);
        b[2] = Math.max(b[2], c[0]); b[3] = Math.max(b[3], c[1]);
      } else { c.forEach(walk); }
    }
    geojson.features.forEach(function (f) { walk(f.geometry.coordinates); });
    return b;
  }

  function trace(d, idx, colours, zmin, zmax, name, showscale) {
    return {
      type: "choropleth", geojson: d.geojson, name: name,
      locations: idx.map(function (i) { return d.codes[i]; }),
      z: idx.map(function (i) { return d.values[i] === null ? 0 : d.values[i]; }),
      text: idx.map(function (i) {
        return "<b>" + escapeHtml(d.names[i]) + "</b> (" + escapeHtml(d.codes[i]) + ")<br>" +
          escapeHtml(d.hover[i]).replace(/\n/g, "<br>");
      }),
      hovertemplate: "%{text}<extra></extra>", zmin: zmin, zmax: zmax,
      colorscale: colours, showscale: showscale,
      colorbar: { title: { text: escapeHtml(d.legend), side: "right" }, thickness: 14 },
      marker: { line: { color: "white", width: 0.8 } }
    };
  }

  function draw(figure) {
    var d = JSON.parse(figure.querySelector(".map-data").textContent);
    var canvas = figure.querySelector(".map-canvas");
    if (!window.Plotly || !canvas) { return; }
    var have = [], missing = [];
    d.values.forEach(function (v, i) { (v === null ? missing : have).push(i); });
    var vals = have.map(function (i) { return d.values[i]; });
    // Sequential scales span the data; diverging ones are symmetric about zero, so equal
    // depth of colour means an equal shortage or surplus (as in the report maps).
    var lo = vals.length ? Math.min.apply(null, vals) : 0;
    var hi = vals.length ? Math.max.apply(null, vals) : 1;
    if (d.diverging) { hi = Math.max(Math.abs(lo), Math.abs(hi)) || 1; lo = -hi; }
    if (lo === hi) { lo -= 1; hi += 1; }
    var traces = [trace(d, have, scale(d.diverging ? DIVERGING : SEQUENTIAL), lo, hi, d.legend, true)];
    if (canvas.clientWidth < 560) {  // phones: the colour bar goes under the map, not beside it
      traces[0].colorbar = { orientation: "h", y: -0.02, yanchor: "top", thickness: 10,
                             title: { text: escapeHtml(d.legend), side: "top" } };
    }
    if (missing.length) {
      traces.push(trace(d, missing, [[0, NO_DATA], [1, NO_DATA]], 0, 1, "no data", false));
    }
    var b = bounds(d.geojson), px = (b[2] - b[0]) * 0.03, py = (b[3] - b[1]) * 0.03;
    var layout = {
      margin: { l: 0, r: 0, t: 0, b: 0 }, paper_bgcolor: "white", autosize: true,
      geo: { visible: false, scope: "world", resolution: 110, projection: { type: "mercator" },
             lonaxis: { range: [b[0] - px, b[2] + px] }, lataxis: { range: [b[1] - py, b[3] + py] },
             center: { lon: (b[0] + b[2]) / 2, lat: (b[1] + b[3]) / 2 } }
    };
    window.Plotly.newPlot(canvas, traces, layout, {
      displaylogo: false, responsive: true, modeBarButtonsToRemove: ["select2d", "lasso2d"]
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-map]").forEach(draw);
  });
})();
