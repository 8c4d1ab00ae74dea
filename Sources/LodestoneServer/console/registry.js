"use strict";
// The model registry: every registered version with its stage, digest and what uses it; the
// stored evaluations; and two evaluations of the same queries side by side, with the paired
// bootstrap interval of the nDCG@10 difference and the queries that got better or worse.

function comparisonPanel(comparison) {
  const [low, high] = comparison.ndcg_delta_interval;
  const metrics = ["recall@10", "ndcg@10", "mrr@10"];
  const rows = comparison.per_query.slice().sort((a, b) => a.delta - b.delta);
  return element("div", { class: "panel", "data-comparison": "" },
    element("h3", {}, `${comparison.candidate.model} (${comparison.candidate.pipeline}) against ${comparison.baseline.model} (${comparison.baseline.pipeline})`),
    table("comparison", ["metric", "baseline", "candidate"], metrics.map(m =>
      [["metric", m], ["baseline", fixed(comparison.baseline[m], 4)], ["candidate", fixed(comparison.candidate[m], 4)]])),
    element("p", {}, "nDCG@10 difference ", field("ndcg-delta", fixed(comparison.ndcg_delta, 4)),
      ", 95% paired bootstrap interval ", field("ndcg-interval", `[${fixed(low, 4)}, ${fixed(high, 4)}]`), ": ",
      field("verdict", comparison.passes ? `passes (margin ${comparison.margin})` : `would be refused (margin ${comparison.margin})`,
        comparison.passes ? "ok" : "alert")),
    element("h3", {}, "Per query, worst first"),
    comparison.texts_available ? null : element("p", { class: "muted" }, "The dataset is no longer readable: queries are shown by position."),
    table("per-query", ["query", "baseline nDCG@10", "candidate nDCG@10", "difference"], rows.map(r => [
      ["query", r.text ?? `#${r.query}`], ["baseline", fixed(r.baseline, 4)], ["candidate", fixed(r.candidate, 4)], ["delta", fixed(r.delta, 4)]])));
}

views.registry = async (root, _, options) => {
  const [listing, evaluations] = await Promise.all([get("/registry/models"), get("/registry/evaluations")]);
  const details = await Promise.all(listing.models.map(m => get(`/registry/models/${encodeURIComponent(`${m.name}@${m.version}`)}`)));
  root.append(element("h2", {}, "Models"),
    listing.models.length === 0 ? element("p", { class: "muted", "data-field": "no-models" }, "No model is registered yet (lodestone models register DIR --name N --version V).")
      : table("models", ["model", "stage", "dimension", "digest", "registered", "used by"], details.map(m => [
        ["reference", `${m.name}@${m.version}`], ["stage", m.stage], ["dimension", m.dimension ?? "—"],
        ["digest", element("code", {}, String(m.digest || m.weights_sha256 || "—").slice(0, 16))],
        ["registered", m.registered_at || "—"], ["used-by", (m.used_by || []).join(", ") || "—"]])));

  const all = evaluations.evaluations;
  const pick = name => element("select", { name }, ...all.map(e => element("option", { value: e.key }, `${e.model} · ${e.pipeline} · ${e.dataset}`)));
  const baseline = pick("baseline"), candidate = pick("candidate");
  if (options.get("baseline")) baseline.value = options.get("baseline");
  if (options.get("candidate")) candidate.value = options.get("candidate"); else if (all.length > 1) candidate.selectedIndex = 1;
  const output = element("div", {});
  const compare = async () => {
    try {
      const query = new URLSearchParams({ baseline: baseline.value, candidate: candidate.value });
      output.replaceChildren(comparisonPanel(await get(`/registry/evaluations/compare?${query}`)));
    } catch (failure) {
      output.replaceChildren(element("p", { class: "alert", "data-field": "compare-error" }, String(failure.message || failure)));
    }
  };
  root.append(element("h2", {}, "Evaluations"),
    all.length === 0 ? element("p", { class: "muted" }, "No evaluation is stored yet (lodestone eval --model M --dataset DIR).")
      : table("evaluations", ["model", "pipeline", "dataset", "queries", "recall@10", "nDCG@10", "MRR@10", "evaluated"], all.map(e => [
        ["model", e.model], ["pipeline", e.pipeline], ["dataset", e.dataset], ["queries", e.queries], ["recall", fixed(e["recall@10"], 4)],
        ["ndcg", fixed(e["ndcg@10"], 4)], ["mrr", fixed(e["mrr@10"], 4)], ["at", new Date(e.evaluated_at * 1000).toISOString()]])));
  if (all.length > 1) {
    root.append(element("form", { class: "controls", onsubmit: event => { event.preventDefault(); compare(); } },
      element("label", {}, "baseline", baseline), element("label", {}, "candidate", candidate), element("button", { type: "submit" }, "compare")), output);
    if (options.get("baseline") && options.get("candidate")) await compare();
  }
};
