/* Draws the line and bar charts of a page from <script type="application/json"
   class="chart-data"> (services/web_charts.py), with the app's own copy of plotly.js. */
"use strict";
(function () {
  var COLOURS = ["#1f4e79", "#c0504d", "#4f8f3a", "#8064a2", "#d08a00", "#4bacc6"];

  function trace(s, i, fill) {
    var t = { name: s.name, x: s.x, y: s.y, hovertemplate: "%{x}: %{y:,.4~g}<extra>" +
              s.name.replace(/</g, "&lt;") + "</extra>" };
    if (s.kind === "bar") {
      t.type = "bar"; t.marker = { color: COLOURS[i % COLOURS.length] };
    } else {
      t.type = "scatter"; t.mode = "lines+markers";
      t.line = { color: COLOURS[i % COLOURS.length], width: 2, dash: s.dash ? "dash" : "solid" };
      if (fill) { t.fill = "tonexty"; t.fillcolor = "rgba(192,80,77,0.15)"; }
    }
    return t;
  }

  function draw(figure) {
    var d = JSON.parse(figure.querySelector(".chart-data").textContent);
    var canvas = figure.querySelector(".chart-canvas");
    if (!window.Plotly || !canvas) { return; }
    var traces = d.series.map(function (s, i) {
      return trace(s, i, d.fill_gap !== null && i === d.fill_gap[1]);
    });
    if (d.fill_gap !== null) {  // the shaded series must follow the one it fills to
      var a = traces[d.fill_gap[0]], b = traces[d.fill_gap[1]];
      traces = traces.filter(function (t) { return t !== a && t !== b; });
      traces.unshift(a, b);
    }
    var narrow = canvas.clientWidth < 560;
    window.Plotly.newPlot(canvas, traces, {
      margin: { l: 60, r: 10, t: 10, b: narrow ? 60 : 50 }, paper_bgcolor: "white",
      barmode: d.stacked ? "stack" : "group", autosize: true,
      // On a phone the legend goes above the plot, clear of the tilted year labels.
      xaxis: { title: { text: narrow ? "" : d.x_label }, type: "category", tickangle: narrow ? -45 : "auto" },
      yaxis: { title: { text: d.y_label }, rangemode: "tozero", separatethousands: true },
      legend: narrow ? { orientation: "h", x: 0, y: 1.02, yanchor: "bottom" } : {}
    }, { displaylogo: false, responsive: true });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-chart]").forEach(draw);
  });
})();
