"use strict";
// Collections: the list with what each holds and serves, and one collection's configuration,
// payload indexes and a paged points browser with a filter.

function vectorSummary(params) {
  const vectors = params.vectors || {};
  const dense = "size" in vectors ? [`${vectors.size}-d ${vectors.distance}`]
    : Object.entries(vectors).map(([name, v]) => `${name}: ${v.size}-d ${v.distance}`);
  const sparse = Object.keys(params.sparse_vectors || {}).map(name => `${name}: sparse`);
  return dense.concat(sparse).join("; ") || "—";
}

views.collections = async root => {
  const listing = await get("/collections");
  const rows = await Promise.all(listing.collections.map(async ({ name }) => {
    const [info, serving] = await Promise.all([get(`/collections/${encodeURIComponent(name)}`), get(`/collections/${encodeURIComponent(name)}/serving`)]);
    return { name, info, serving };
  }));
  root.append(element("h2", {}, "Collections"),
    table("collections", ["name", "points", "vectors", "payload indexes", "quantization", "serving build", "model"],
      rows.map(({ name, info, serving }) => [
        ["name", element("a", { href: `#/collection/${encodeURIComponent(name)}` }, name)],
        ["points", info.points_count],
        ["vectors", vectorSummary(info.config.params)],
        ["indexes", Object.keys(info.payload_schema || {}).join(", ") || "—"],
        ["quantization", info.config.quantization_config ? JSON.stringify(info.config.quantization_config) : "none"],
        ["serving-build", serving.build],
        ["model", serving.model || info.embedding_model || "stored vectors"]])));
};

views.collection = async (root, name) => {
  const path = `/collections/${encodeURIComponent(name)}`;
  const [info, serving] = await Promise.all([get(path), get(`${path}/serving`)]);
  root.append(element("h2", { "data-collection": name }, name, " ",
    element("a", { href: `#/search/${encodeURIComponent(name)}`, class: "muted" }, "search it →")));
  root.append(element("div", { class: "panel" },
    element("div", { class: "summary" },
      element("span", {}, "points ", field("points-count", info.points_count)),
      element("span", {}, "vectors ", field("vectors", vectorSummary(info.config.params))),
      element("span", {}, "HNSW ", field("hnsw", `M ${info.config.hnsw_config.m}, ef_construct ${info.config.hnsw_config.ef_construct}`)),
      element("span", {}, "serving build ", field("serving-build", serving.build)),
      element("span", {}, "model ", field("model", serving.model || info.embedding_model || "stored vectors"))),
    element("h3", {}, "Payload indexes"),
    table("payload-indexes", ["field", "type", "points"], Object.entries(info.payload_schema || {}).map(([key, schema]) =>
      [["field", key], ["type", schema.data_type], ["points", schema.points ?? "—"]]))));

  // The points browser pages with scroll's next_page_offset; `pages` keeps the offsets back.
  const filter = element("textarea", { rows: 2, placeholder: '{"must": [{"key": "lang", "match": {"value": "en"}}]}', "data-input": "filter" });
  const size = element("select", { "data-input": "page-size" }, ...[10, 25, 100].map(n => element("option", { value: n }, n)));
  const listing = element("div", { "data-points": name });
  const pages = [null];
  const load = async () => {
    const body = { limit: Number(size.value), with_payload: true, with_vector: true };
    if (pages[pages.length - 1] !== null) body.offset = pages[pages.length - 1];
    if (filter.value.trim()) body.filter = JSON.parse(filter.value);
    const page = await post(`${path}/points/scroll`, body);
    const rows = page.points.map(p => [["id", JSON.stringify(p.id)],
      ["text", (p.payload && typeof p.payload.text === "string") ? p.payload.text : "—"],
      ["payload", element("span", { class: "payload" }, JSON.stringify(p.payload))], ["vector", preview(p.vector)]]);
    const next = element("button", { type: "button", "data-action": "next", onclick: () => { pages.push(page.next_page_offset); run(); } }, "next page");
    if (page.next_page_offset === null || page.next_page_offset === undefined) next.disabled = true;
    const previous = element("button", { type: "button", onclick: () => { pages.pop(); run(); } }, "previous page");
    if (pages.length === 1) previous.disabled = true;
    listing.replaceChildren(table("points", ["id", "text", "payload", "vector"], rows), element("p", {}, previous, " ", next,
      element("span", { class: "muted" }, ` page ${pages.length}`)));
  };
  const run = () => load().catch(failure => listing.replaceChildren(element("p", { class: "alert" }, String(failure.message || failure))));
  const form = element("form", { class: "controls", onsubmit: event => { event.preventDefault(); pages.splice(1); run(); } },
    element("label", { style: "flex: 1 1 260px" }, "filter (Qdrant JSON)", filter),
    element("label", {}, "page size", size), element("button", { type: "submit" }, "show points"));
  root.append(element("div", { class: "panel" }, element("h3", {}, "Points"), form, listing));
  await load();
};
