"use strict";
// The search playground: text or a pasted vector against any collection and vector name, with
// filter, limit and hnsw_ef / exact; optionally side by side with an exact search of the same
// query and their overlap; and the request as curl or qdrant-client Python to copy.

function queryBody(form) {
  const text = form.query.value.trim();
  let query;
  if (text.startsWith("[")) {
    query = JSON.parse(text);
  } else if (form.model.value) {
    query = { text, model: form.model.value };
  } else {
    query = text; // a collection bound to a model embeds plain text itself
  }
  const body = { query, limit: Number(form.limit.value), with_payload: true };
  if (form.using.value) body.using = form.using.value;
  if (form.filter.value.trim()) body.filter = JSON.parse(form.filter.value);
  const params = {};
  if (form.ef.value) params.hnsw_ef = Number(form.ef.value);
  if (form.exact.checked) params.exact = true;
  if (Object.keys(params).length) body.params = params;
  return body;
}

// The body inside single quotes for a POSIX shell: each ' becomes '\'' so no text of the
// query can end the quoting (a shared link could otherwise carry a command).
function shellQuoted(text) { return "'" + text.replace(/'/g, "'\\''") + "'"; }

function asCurl(collection, body) {
  const header = apiKey() ? " -H 'api-key: $LODESTONE_API_KEY'" : "";
  return `curl -s ${location.origin}/collections/${encodeURIComponent(collection)}/points/query -H 'content-type: application/json'${header} \\\n  -d ${shellQuoted(JSON.stringify(body))}`;
}

// A JSON value as a Python literal (strings through JSON, which Python reads the same way).
function pythonLiteral(value) {
  if (value === null) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (Array.isArray(value)) return `[${value.map(pythonLiteral).join(", ")}]`;
  if (typeof value === "object") return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${pythonLiteral(v)}`).join(", ")}}`;
  return JSON.stringify(value);
}

function asPython(collection, body) {
  const query = typeof body.query === "object" && !Array.isArray(body.query) && "text" in body.query
    ? `models.Document(text=${JSON.stringify(body.query.text)}, model=${JSON.stringify(body.query.model)})` : pythonLiteral(body.query);
  const args = [JSON.stringify(collection), `query=${query}`, `limit=${body.limit}`, "with_payload=True"];
  if (body.using) args.push(`using=${JSON.stringify(body.using)}`);
  if (body.filter) args.push(`query_filter=${pythonLiteral(body.filter)}`);
  if (body.params) args.push(`search_params=models.SearchParams(${Object.entries(body.params).map(([k, v]) => `${k}=${pythonLiteral(v)}`).join(", ")})`);
  return `from qdrant_client import QdrantClient, models\nclient = QdrantClient(url=${JSON.stringify(location.origin)}${apiKey() ? ', api_key="..."' : ""})\n` +
    `client.query_points(${args.join(", ")})`;
}

function hitsTable(name, points) {
  return table(name, ["#", "id", "score", "text / payload"], points.map((p, i) => [["rank", i + 1], ["id", JSON.stringify(p.id)],
    ["score", fixed(p.score, 4)], ["payload", element("span", { class: "payload" },
      p.payload && typeof p.payload.text === "string" ? p.payload.text : JSON.stringify(p.payload))]]));
}

function copyButton(label, text) {
  return element("button", { type: "button", onclick: () => navigator.clipboard && navigator.clipboard.writeText(text) }, label);
}

views.search = async (root, selected, options) => {
  const [listing, served] = await Promise.all([get("/collections"), fetch("/v1/models", { headers: apiKey() ? { authorization: `Bearer ${apiKey()}` } : {} })
    .then(r => r.ok ? r.json() : { data: [] })]);
  const names = listing.collections.map(c => c.name);
  const collection = element("select", { name: "collection" }, ...names.map(n => element("option", { value: n }, n)));
  if (selected && names.includes(selected)) collection.value = selected;
  const using = element("select", { name: "using" });
  const against = element("select", { name: "compare" }, element("option", { value: "" }, "nothing"),
    element("option", { value: "exact" }, "an exact search"));
  const model = element("select", { name: "model" }, element("option", { value: "" }, "the collection's own"),
    ...served.data.map(m => element("option", { value: m.id }, m.id)));
  const fillVectors = async () => {
    const info = await get(`/collections/${encodeURIComponent(collection.value)}`);
    const vectors = info.config.params.vectors || {};
    const dense = "size" in vectors ? [""] : Object.keys(vectors);
    using.replaceChildren(...dense.map(n => element("option", { value: n }, n || "default")),
      ...Object.keys(info.config.params.sparse_vectors || {}).map(n => element("option", { value: n }, `${n} (sparse)`)));
    // Any build that can serve can answer the same query side by side.
    const [builds, serving] = await Promise.all([get(`/collections/${encodeURIComponent(collection.value)}/builds`),
      get(`/collections/${encodeURIComponent(collection.value)}/serving`)]);
    const others = builds.builds.filter(b => ["ready", "retired"].includes(b.status) && b.number !== serving.build);
    if (serving.build !== 0) others.unshift({ number: 0, model: null, status: "original" });
    against.replaceChildren(element("option", { value: "" }, "nothing"), element("option", { value: "exact" }, "an exact search"),
      ...others.map(b => element("option", { value: `build:${b.number}` }, `build ${b.number} (${b.status}${b.model ? ", " + b.model : ""})`)));
  };
  collection.addEventListener("change", fillVectors);
  if (names.length) await fillVectors();
  const output = element("div", { "data-results": "" });
  const form = element("form", { class: "controls", "data-form": "search" },
    element("label", { style: "flex: 1 1 100%" }, "text, or a vector as a JSON array",
      element("textarea", { name: "query", rows: 2, placeholder: "how do I check a new model before it serves?" })),
    element("label", {}, "collection", collection), element("label", {}, "vector", using), element("label", {}, "text model", model),
    element("label", {}, "limit", element("input", { name: "limit", type: "number", value: 5, min: 1, max: 1000, style: "width: 5rem" })),
    element("label", {}, "hnsw_ef", element("input", { name: "ef", type: "number", min: 1, placeholder: "default", style: "width: 6rem" })),
    element("label", {}, element("span", {}, "exact"), element("input", { name: "exact", type: "checkbox" })),
    element("label", {}, "side by side with", against),
    element("label", { style: "flex: 1 1 100%" }, "filter (Qdrant JSON)", element("textarea", { name: "filter", rows: 2 })),
    element("button", { type: "submit" }, "search"));
  form.addEventListener("submit", async event => {
    event.preventDefault();
    try {
      const body = queryBody(form);
      const path = `/collections/${encodeURIComponent(collection.value)}/points/query`;
      const started = performance.now();
      const result = await post(path, body);
      const took = performance.now() - started;
      const panes = [element("div", {}, element("h3", {}, `Results (${took.toFixed(1)} ms in the browser)`), hitsTable("hits", result.points))];
      if (against.value) {
        // The other side: the same query searched exactly, or answered by another build (a
        // text query is then embedded by that build's own model).
        const build = against.value.startsWith("build:") ? Number(against.value.slice(6)) : null;
        const other = build === null ? await post(path, { ...body, params: { ...(body.params || {}), exact: true } })
          : await post(`/collections/${encodeURIComponent(collection.value)}/builds/${build}/points/query`,
            { ...body, query: typeof body.query === "object" && !Array.isArray(body.query) ? body.query.text : body.query, using: undefined });
        const ids = new Set(other.points.map(p => JSON.stringify(p.id)));
        const shared = result.points.filter(p => ids.has(JSON.stringify(p.id))).length;
        panes.push(element("div", {}, element("h3", {}, `${build === null ? "Exact search" : `Build ${build}`}, same query: overlap `,
          field("overlap", `${shared} / ${other.points.length}`)), hitsTable(build === null ? "exact-hits" : "build-hits", other.points)));
      }
      const curl = asCurl(collection.value, body), python = asPython(collection.value, body);
      output.replaceChildren(element("div", { class: "side-by-side" }, ...panes),
        element("h3", {}, "This request ", copyButton("copy as curl", curl), " ", copyButton("copy as Python (qdrant-client)", python)),
        element("pre", { "data-field": "curl" }, curl), element("pre", { "data-field": "python" }, python));
    } catch (failure) {
      output.replaceChildren(element("p", { class: "alert", "data-field": "search-error" }, String(failure.message || failure)));
    }
    document.body.dataset.searched = "true";
  });
  root.append(element("h2", {}, "Search"), element("div", { class: "panel" }, form, output));
  // `#/search/COLLECTION?q=...&limit=...&using=...&filter=...&ef=...&exact=1&compare=1` runs at once.
  if (options && options.get("q")) {
    form.query.value = options.get("q");
    for (const name of ["limit", "ef", "filter", "using", "model"]) if (options.get(name)) form[name].value = options.get(name);
    form.exact.checked = options.get("exact") === "1";
    // compare=1 (or exact) for an exact search, compare=build:N for build N.
    const compare = options.get("compare");
    against.value = compare === "1" ? "exact" : (compare || "");
    await new Promise(resolve => {
      const done = new MutationObserver(() => { done.disconnect(); resolve(); });
      done.observe(output, { childList: true });
      form.dispatchEvent(new Event("submit", { cancelable: true }));
    });
  }
};
