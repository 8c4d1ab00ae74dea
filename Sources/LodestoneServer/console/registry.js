"use strict";
// The model registry: every registered version with its stage, digest, dimension and what
// uses it (collections bound to it, builds made with it).

views.registry = async root => {
  const listing = await get("/registry/models");
  const details = await Promise.all(listing.models.map(m => get(`/registry/models/${encodeURIComponent(`${m.name}@${m.version}`)}`)));
  root.append(element("h2", {}, "Models"),
    listing.models.length === 0 ? element("p", { class: "muted", "data-field": "no-models" }, "No model is registered yet (lodestone models register DIR --name N --version V).")
      : table("models", ["model", "stage", "dimension", "digest", "registered", "used by"], details.map(m => [
        ["reference", `${m.name}@${m.version}`], ["stage", m.stage], ["dimension", m.dimension ?? "—"],
        ["digest", element("code", {}, String(m.weights_sha256 || "—").slice(0, 16))],
        ["registered", m.registered_at || "—"], ["used-by", (m.used_by || []).join(", ") || "—"]])));
};
