/**
 * The page's own script (browser JavaScript, inlined after uPlot): draws every chart spec found in
 * the embedded JSON with uPlot, keeps the charts as wide as their container when the window is
 * resized, and switches a chart's view when its checkbox changes.
 *
 * For tests and tools it exposes `window.__paperfloorCharts`: one `{ id, points, series, draws }`
 * per chart, from the uPlot instance (`points` is the number of x values it holds), and sets
 * `data-ready="true"` on <body> once every chart has drawn.
 */
export const chartScript = String.raw`(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("paperfloor-data").textContent);
  var HEIGHT = 280;
  var charts = [];
  var live = {};
  var pending = {};
  var waiting = 0;
  window.__paperfloorCharts = charts;

  // When every chart has drawn, in ms since navigation began: what "opens in under a second" measures.
  function ready() {
    if (waiting !== 0) return;
    window.__paperfloorReadyAt = performance.now();
    document.body.setAttribute("data-ready", "true");
  }

  function legendValue(unit, v) {
    if (v == null || !isFinite(v)) return "\u2014";
    if (unit === "percent") return v.toFixed(2) + "%";
    if (unit === "ratio") return v.toFixed(4);
    return v.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }

  function axisValue(unit, v) {
    if (v == null) return "";
    if (unit === "percent") return +v.toFixed(2) + "%";
    if (unit === "ratio") return String(+v.toFixed(3));
    return v.toLocaleString("en-US", { maximumFractionDigits: Math.abs(v) >= 100 ? 0 : 2 });
  }

  function timeText(ts) {
    if (ts == null) return "\u2014";
    var iso = new Date(ts).toISOString();
    return iso.slice(11, 19) === "00:00:00" ? iso.slice(0, 10) : iso.slice(0, 10) + " " + iso.slice(11, 19);
  }

  function widthOf(el) {
    return Math.max(240, el.clientWidth);
  }

  function drawn(spec, u) {
    var entry = charts.filter(function (c) { return c.id === spec.id; })[0];
    entry.points = u.data[0].length;
    entry.series = u.series.length - 1;
    entry.draws += 1;
    if (pending[spec.id]) {
      delete pending[spec.id];
      waiting -= 1;
      ready();
    }
  }

  function options(spec, view, el) {
    var time = spec.xKind === "time";
    var series = [{ label: time ? "date (UTC)" : "update", value: function (u, x) { return time ? timeText(x) : x == null ? "\u2014" : String(x); } }];
    view.series.forEach(function (s) {
      series.push({
        label: s.label,
        stroke: s.color,
        fill: s.fill,
        width: 1.5,
        spanGaps: !!s.spanGaps,
        value: function (u, v) { return legendValue(view.unit, v); }
      });
    });
    return {
      width: widthOf(el),
      height: HEIGHT,
      ms: 1,
      tzDate: function (ts) { return uPlot.tzDate(new Date(ts), "Etc/UTC"); },
      scales: { x: { time: time } },
      cursor: { sync: { key: "paperfloor" } },
      series: series,
      axes: [{}, { label: view.yLabel, size: 80, values: function (u, vals) { return vals.map(function (v) { return axisValue(view.unit, v); }); } }],
      hooks: { draw: [function (u) { drawn(spec, u); }] }
    };
  }

  function draw(spec, primary) {
    var el = document.getElementById(spec.id);
    var view = primary || !spec.alternate ? spec : spec.alternate;
    if (live[spec.id]) live[spec.id].destroy();
    var columns = [spec.x].concat(view.series.map(function (s) { return s.values; }));
    live[spec.id] = new uPlot(options(spec, view, el), columns, el);
  }

  data.charts.forEach(function (spec) {
    charts.push({ id: spec.id, points: 0, series: 0, draws: 0 });
    pending[spec.id] = true;
    waiting += 1;
  });
  data.charts.forEach(function (spec) {
    draw(spec, true);
    var toggle = document.querySelector('input[data-toggle="' + spec.id + '"]');
    if (toggle) toggle.addEventListener("change", function () { draw(spec, toggle.checked); });
  });
  ready();

  var frame = 0;
  window.addEventListener("resize", function () {
    if (frame) return;
    frame = requestAnimationFrame(function () {
      frame = 0;
      Object.keys(live).forEach(function (id) {
        live[id].setSize({ width: widthOf(document.getElementById(id)), height: HEIGHT });
      });
    });
  });
})();
`
