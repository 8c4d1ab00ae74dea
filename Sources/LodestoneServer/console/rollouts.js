"use strict";
// Builds and rollouts of one collection: what serves and what it would roll back to, canary
// and shadow state, every build's recall against production, the gate report behind each
// promotion and refusal, and the audit trail filtered by action and actor.

function gateRows(entries) {
  return entries.filter(e => e.gate).map(e => {
    const recall = e.gate.recall, model = e.gate.model;
    return [["entry", e.number], ["action", e.action + (e.forced ? " (forced)" : "")], ["build", e.gate.build],
      ["recall", `${fixed(recall.candidate, 4)} vs ${recall.production === null || recall.production === undefined ? "—" : fixed(recall.production, 4)}`],
      ["floor", `${fixed(recall.floor, 2)} / margin ${fixed(recall.margin, 3)}`],
      ["model-gate", model ? `nDCG@10 ${fixed(model["baseline_ndcg@10"], 4)} → ${fixed(model["candidate_ndcg@10"], 4)} ` +
        `(Δ ${fixed(model["ndcg@10_delta"], 4)}, CI [${(model["ndcg@10_delta_ci95"] || []).map(v => fixed(v, 4)).join(", ")}])` : "—"],
      ["verdict", e.gate.failures.length ? e.gate.failures.join("; ") : "passed"]];
  });
}

views.rollouts = async (root, selected, options) => {
  const listing = await get("/collections");
  const names = listing.collections.map(c => c.name);
  const name = selected && names.includes(selected) ? selected : names[0];
  const picker = element("select", { onchange: event => { location.hash = `#/rollouts/${encodeURIComponent(event.target.value)}`; } },
    ...names.map(n => element("option", { value: n }, n)));
  if (name) picker.value = name;
  root.append(element("h2", {}, "Builds and rollouts of ", picker));
  if (!name) return;
  const path = `/collections/${encodeURIComponent(name)}`;
  const [serving, builds, canary, shadow, audit, policy] = await Promise.all([get(`${path}/serving`), get(`${path}/builds`),
    get(`${path}/canary`), get(`${path}/shadow`), get(`${path}/audit`), get(`${path}/policy`)]);
  const limit = (value, suffix) => value === null || value === undefined ? "off" : `${value}${suffix || ""}`;
  root.append(element("div", { class: "panel", "data-collection": name },
    element("div", { class: "summary" },
      element("span", {}, "serving build ", field("serving-build", serving.build)),
      element("span", {}, "rollback target ", field("rollback-target", serving.rollback_target ?? "—")),
      element("span", {}, "canary ", field("canary", canary.active === false ? "none"
        : `build ${canary.build}, ${Math.round(canary.fraction * 100)}% of queries, ${canary.queries} served, ${canary.errors} errors${canary.aborted ? ", aborted" : ""}`)),
      element("span", {}, "shadow ", field("shadow", shadow.active === false ? "none"
        : `build ${shadow.build}, mean overlap ${fixed(shadow.mean_overlap, 4)} over ${shadow.count} queries`))),
    // What monitoring may do on its own; what it did is in the audit trail below (actor "policy").
    element("div", { class: "summary policy" },
      element("span", {}, "policy ", field("policy", policy.stored ? "stored" : "none (watch only)")),
      element("span", {}, "re-check on drift ", field("recheck-on-drift", String(policy.recheck_on_drift))),
      element("span", {}, "rebuild below logged recall ", field("logged-recall-floor", limit(policy.logged_recall_floor))),
      element("span", {}, "rebuild above deleted ", field("max-deleted-fraction", limit(policy.max_deleted_fraction))),
      element("span", {}, "auto-promote ", field("auto-promote", String(policy.auto_promote))),
      element("span", {}, "last logged recall@10 ", field("logged-recall", policy.logged_recall
        ? `${fixed(policy.logged_recall.recall, 4)} on ${policy.logged_recall.queries} queries` : "—"))),
    element("h3", {}, "Builds: recall@10 against production on the same queries"),
    table("builds", ["build", "status", "model", "recall@10", "production", "difference", "p99 ms", "note"],
      builds.builds.slice().reverse().map(b => [["number", b.number], ["status", b.status], ["model", b.model || "stored vectors"],
        ["recall", b.recall ? fixed(b.recall.recall, 4) : "—"], ["production", b.production ? fixed(b.production.recall, 4) : "—"],
        ["difference", b.recall && b.production ? fixed(b.recall.recall - b.production.recall, 4) : "—"],
        ["p99", b.recall ? fixed(b.recall.latency_p99_ms, 3) : "—"], ["note", b.failure || ""]])),
    element("h3", {}, "Gate reports of promotions and refusals"),
    table("gates", ["entry", "action", "build", "recall vs production", "floor", "model gate", "verdict"], gateRows(audit.entries).reverse())));

  // The audit trail, filtered in the page: by action, and by actor or reason text.
  const actions = [...new Set(audit.entries.map(e => e.action))].sort();
  const action = element("select", { name: "action" }, element("option", { value: "" }, "every action"), ...actions.map(a => element("option", { value: a }, a)));
  const text = element("input", { name: "text", placeholder: "actor or reason contains" });
  action.value = options.get("action") || "";
  text.value = options.get("text") || "";
  const trail = element("div", {});
  const filter = () => {
    const needle = text.value.toLowerCase();
    const rows = audit.entries.filter(e => (!action.value || e.action === action.value) &&
      (!needle || `${e.actor} ${e.reason || ""}`.toLowerCase().includes(needle)));
    trail.replaceChildren(table("audit", ["#", "when", "who", "action", "from → to", "reason"], rows.slice().reverse().map(e =>
      [["number", e.number], ["at", e.at], ["actor", e.actor], ["action", e.action + (e.forced ? " (forced)" : "")],
       ["builds", `${e.from_build ?? "—"} → ${e.to_build ?? "—"}`], ["reason", e.reason || ""]])));
  };
  action.addEventListener("change", filter);
  text.addEventListener("input", filter);
  filter();
  root.append(element("div", { class: "panel" }, element("h3", {}, "Audit trail"),
    element("form", { class: "controls", onsubmit: event => event.preventDefault() }, element("label", {}, "action", action), element("label", {}, "text", text)), trail));
};
