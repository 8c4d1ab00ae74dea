"use strict";
// Charts are drawn here as inline SVG from GET /telemetry/series: no library, nothing fetched.
const SVG = "http://www.w3.org/2000/svg";
const COLORS = ["#2563eb", "#d97706", "#059669", "#7c3aed"];
const CHARTS = [
  { name: "search-qps", title: "Searches per second", series: [["search_qps", "QPS"]] },
  { name: "latency", title: "Search latency, ms", series: [["search_p50_ms", "p50"], ["search_p99_ms", "p99"]] },
  { name: "writes", title: "Changes applied per second", series: [["write_changes_per_second", "changes/s"]] },
  { name: "drift-centroid", title: "Query centroid shift (alert line dashed)", series: [["drift_centroid_shift", "shift"]], threshold: "drift_centroid_shift_alert" },
  { name: "drift-ks", title: "Top-1 score KS (critical value dashed)", series: [["drift_top1_ks", "KS"]], threshold: "drift_top1_ks_critical" },
  { name: "drift-low", title: "Low-score share (alert line dashed)", series: [["drift_low_score_fraction", "share"]], threshold: "drift_low_score_alert" },
];

function svg(tag, attributes, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, value);
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

// One chart: a polyline per series over the points that have a value, in a 320 x 140 box.
function lineChart(chart, scope) {
  const [width, height, left, right, top, bottom] = [320, 140, 36, 8, 8, 18];
  const times = scope.times;
  const keys = chart.series.map(s => s[0]).concat(chart.threshold ? [chart.threshold] : []);
  const values = keys.flatMap(k => (scope.series[k] || []).filter(v => v !== null));
  const largest = Math.max(0, ...values);
  const top_value = largest > 0 ? largest * 1.1 : 1;
  const [t0, t1] = [times[0] ?? 0, times[times.length - 1] ?? 1];
  const x = t => left + (t1 > t0 ? (t - t0) / (t1 - t0) : 1) * (width - left - right);
  const y = v => height - bottom - (v / top_value) * (height - top - bottom);
  const box = svg("svg", { viewBox: `0 0 ${width} ${height}`, "data-chart": chart.name, role: "img", "aria-label": chart.title },
    svg("line", { x1: left, y1: height - bottom, x2: width - right, y2: height - bottom, stroke: "#c5cad3" }),
    svg("text", { x: 2, y: top + 8, "font-size": 9, fill: "#6b7385" }, top_value.toPrecision(3)),
    svg("text", { x: 2, y: height - bottom, "font-size": 9, fill: "#6b7385" }, "0"),
    svg("text", { x: left, y: height - 4, "font-size": 9, fill: "#6b7385" },
      times.length ? `${new Date(t0 * 1000).toLocaleTimeString()} – ${new Date(t1 * 1000).toLocaleTimeString()}` : "no samples yet"));
  keys.forEach((key, index) => {
    const column = scope.series[key] || [];
    const drawn = times.map((t, i) => [t, column[i]]).filter(([, v]) => v !== null && v !== undefined);
    const threshold = key === chart.threshold;
    box.append(svg("polyline", {
      "data-series": key, "data-times": JSON.stringify(drawn.map(p => p[0])), "data-values": JSON.stringify(drawn.map(p => p[1])),
      points: drawn.map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(" "), fill: "none",
      stroke: threshold ? "#b42318" : COLORS[index % COLORS.length], "stroke-width": threshold ? 1 : 1.6,
      "stroke-dasharray": threshold ? "4 3" : "none" }));
  });
  const legend = element("div", { class: "legend" }, ...chart.series.map(([, label], i) => element("span", { style: `color:${COLORS[i]}` }, "— " + label)));
  return element("figure", { class: "chart" }, element("figcaption", {}, chart.title), box, legend);
}

// Recall@10 of each build (and production's on the same queries), by build number.
function recallChart(rows) {
  const [width, height, left, bottom] = [320, 140, 36, 18];
  const x = i => left + (rows.length > 1 ? i / (rows.length - 1) : 0.5) * (width - left - 12);
  const y = v => height - bottom - v * (height - 8 - bottom);
  const box = svg("svg", { viewBox: `0 0 ${width} ${height}`, "data-chart": "build-recall", role: "img", "aria-label": "recall per build" },
    svg("line", { x1: left, y1: height - bottom, x2: width - 8, y2: height - bottom, stroke: "#c5cad3" }),
    svg("text", { x: 2, y: 16, "font-size": 9, fill: "#6b7385" }, "1.0"),
    svg("text", { x: 2, y: height - bottom, "font-size": 9, fill: "#6b7385" }, "0"));
  rows.forEach((row, i) => {
    box.append(svg("circle", { cx: x(i), cy: y(row.recall), r: row.serving ? 5 : 3.5, fill: row.serving ? "#059669" : "#2563eb",
      "data-build": row.build, "data-recall": row.recall }, svg("title", {}, `build ${row.build}: recall ${row.recall.toFixed(4)}`)));
    if (row.production_recall !== null) box.append(svg("circle", { cx: x(i), cy: y(row.production_recall), r: 2.5, fill: "#d97706" }));
    box.append(svg("text", { x: x(i) - 3, y: height - 5, "font-size": 9, fill: "#6b7385" }, row.build));
  });
  return element("figure", { class: "chart" }, element("figcaption", {}, "Recall@10 per build (green: serving; orange: production on the same queries)"), box);
}

