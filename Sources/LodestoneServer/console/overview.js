"use strict";
// `telemetry`: the overview's one /telemetry/series answer, shared by every section.
async function collectionSection(name, telemetry) {
  telemetry = telemetry || { interval_seconds: 0, collections: {}, build_recall: {} };
  const [serving, builds, shadow, drift, audit] = await Promise.all([
    get(`/collections/${name}/serving`), get(`/collections/${name}/builds`), get(`/collections/${name}/shadow`),
    get(`/collections/${name}/drift`), get(`/collections/${name}/audit`)]);
  const section = element("section", { class: "collection", "data-collection": name },
    element("h2", {}, element("a", { href: `#/collection/${encodeURIComponent(name)}` }, name), " ",
      element("a", { href: `#/rollouts/${encodeURIComponent(name)}`, class: "muted" }, "builds and rollouts →")));
  section.append(element("div", { class: "summary" },
    element("span", {}, "serving build ", field("serving-build", serving.build)),
    element("span", {}, "live build ", field("live-build", serving.live_build === null ? "—" : serving.live_build)),
    element("span", {}, "model ", field("serving-model", serving.model || "stored vectors")),
    element("span", {}, "rollback target ", field("rollback-target", serving.rollback_target === null ? "—" : serving.rollback_target))));

  const scope = telemetry.collections[name] || { times: [], series: {} };
  const span = scope.times.length * telemetry.interval_seconds;
  section.append(element("h3", {}, `Last ${span < 120 ? Math.round(span) + " s" : Math.round(span / 60) + " min"} (one sample per ${telemetry.interval_seconds} s)`));
  section.append(element("div", { class: "charts" }, ...CHARTS.map(chart => lineChart(chart, scope)), recallChart(telemetry.build_recall[name] || [])));

  section.append(element("h3", {}, "Recent builds"));
  const recent = builds.builds.slice(-10).reverse();
  section.append(table("builds", ["build", "status", "model", "M / ef_construct", "recall@10", "production recall", "p99 ms"],
    recent.map(b => [["number", b.number], ["status", b.status], ["model", b.model || "stored vectors"],
      ["params", `${b.m} / ${b.ef_construct}`], ["recall", b.recall ? fixed(b.recall.recall, 4) : "—"],
      ["production-recall", b.production ? fixed(b.production.recall, 4) : "—"],
      ["p99", b.recall ? fixed(b.recall.latency_p99_ms, 3) : "—"]])));

  section.append(element("h3", {}, "Shadow traffic"));
  section.append(shadow.active === false ? element("p", { "data-field": "shadow-inactive", class: "muted" }, "no shadow build")
    : element("div", { class: "summary" },
        element("span", {}, "build ", field("shadow-build", shadow.build)),
        element("span", {}, "queries ", field("shadow-count", shadow.count)),
        element("span", {}, "mean overlap@k ", field("shadow-mean-overlap", fixed(shadow.mean_overlap, 4))),
        element("span", {}, "p10 overlap@k ", field("shadow-p10-overlap", fixed(shadow.p10_overlap, 4))),
        element("span", {}, "p99 ms production / shadow ", field("shadow-p99", `${fixed(shadow.production_latency.p99_ms, 3)} / ${fixed(shadow.shadow_latency.p99_ms, 3)}`))));

  section.append(element("h3", {}, "Query drift"));
  section.append(element("div", { class: "summary" },
    element("span", {}, "state ", field("drift-alert", drift.alert ? "ALERT" : (drift.ready ? "ok" : "collecting"), drift.alert ? "alert" : "ok")),
    element("span", {}, "centroid shift ", field("drift-centroid-shift", fixed(drift.centroid_shift, 2))),
    element("span", {}, "top-1 KS ", field("drift-top1-ks", fixed(drift.top1_ks, 3))),
    element("span", {}, "mean top-1 ", field("drift-mean-top1",
      `${drift.reference_queries ? fixed(drift.reference_mean_top1, 3) : "—"} → ${drift.recent_queries ? fixed(drift.recent_mean_top1, 3) : "—"}`)),
    element("span", {}, "low-score share ", field("drift-low-score", fixed(drift.recent_low_score_fraction, 3))),
    element("span", {}, "windows ", field("drift-windows", `${drift.reference_queries} / ${drift.recent_queries}`))));
  if (drift.reasons.length) section.append(element("ul", { class: "alert" }, ...drift.reasons.map(r => element("li", {}, r))));

  section.append(element("h3", {}, "Audit trail"));
  section.append(table("audit", ["#", "when", "who", "action", "from → to", "reason"],
    audit.entries.slice().reverse().map(e => [["number", e.number], ["at", e.at], ["actor", e.actor], ["action", e.action + (e.forced ? " (forced)" : "")],
      ["builds", `${e.from_build ?? "—"} → ${e.to_build ?? "—"}`], ["reason", e.reason || ""]])));
  return section;
}

// The overview: every collection's traffic charts, serving build, builds, shadow, drift, audit.
// The whole server: traffic over every collection, and each served model's embedding batches.
function serverSection(telemetry) {
  const charts = [lineChart({ name: "server-qps", title: "All collections: searches per second", series: [["search_qps", "QPS"]] }, telemetry.server),
    lineChart({ name: "server-latency", title: "All collections: search latency, ms", series: [["search_p50_ms", "p50"], ["search_p99_ms", "p99"]] }, telemetry.server)];
  for (const [model, scope] of Object.entries(telemetry.models)) {
    charts.push(lineChart({ name: `batch-size-${model}`, title: `${model}: texts per embedding batch`,
      series: [["embedding_batch_mean", "mean"], ["embedding_batch_p99", "p99"]] }, scope));
    charts.push(lineChart({ name: `embedded-${model}`, title: `${model}: texts embedded per second`, series: [["embedding_texts_per_second", "texts/s"]] }, scope));
  }
  return element("section", { class: "collection", "data-collection": "" }, element("h2", {}, "Server"), element("div", { class: "charts" }, ...charts));
}

views.overview = async root => {
  // Without telemetry (a process that keeps none, or a token scoped to some collections,
  // which may not read the server's series) the page still shows everything else.
  let refusal = null;
  const [listing, telemetry] = await Promise.all([get("/collections"), get("/telemetry/series").catch(failure => {
    if (failure.status === 403) refusal = failure.message;
    return null;
  })]);
  const sections = await Promise.all(listing.collections.map(c => collectionSection(c.name, telemetry)));
  if (telemetry) root.append(serverSection(telemetry));
  if (refusal) root.append(element("p", { class: "muted", "data-field": "telemetry-refused" }, refusal));
  root.append(element("div", { id: "collections" }, ...sections));
  return 10000;
};
