"use strict";
// Shared by every view: the API key (kept in this tab's sessionStorage, never in a URL the
// server sees), JSON requests, DOM helpers and the hash router.

const KEY_STORE = "lodestone-api-key";
{
  // `#key=...` (older links) moves into the session and out of the address bar.
  // `&view=...` names the view to open then, so a link can carry both.
  const parameters = new URLSearchParams(location.hash.slice(1));
  const legacy = parameters.get("key");
  if (legacy) {
    sessionStorage.setItem(KEY_STORE, legacy);
    history.replaceState(null, "", location.pathname + "#/" + (parameters.get("view") || ""));
  }
}
const apiKey = () => sessionStorage.getItem(KEY_STORE);

class RequestError extends Error {
  constructor(path, status, message) {
    super(status === 401
      ? `${path}: the server refused ${apiKey() ? "this API key or token" : "a request without an API key"} (401): ${message}. Enter a key or token above.`
      : status === 403
        ? `${path}: this key or token may not do that (403): ${message}. Use a key or token that grants it.`
        : `${path}: ${message}`);
    this.status = status;
  }
}

async function request(method, path, body) {
  // As a bearer token: the server takes API keys and JWTs this way.
  const headers = apiKey() ? { authorization: `Bearer ${apiKey()}` } : {};
  if (body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  let parsed = null;
  try { parsed = JSON.parse(text); } catch (_) { /* not JSON: reported below */ }
  if (!response.ok) {
    throw new RequestError(path, response.status, (parsed && parsed.status && parsed.status.error) || `${response.status} ${text.slice(0, 200)}`);
  }
  return parsed ? parsed.result : null;
}

const get = path => request("GET", path);
const post = (path, body) => request("POST", path, body);

function fixed(value, digits) { return typeof value === "number" ? value.toFixed(digits) : "—"; }

function element(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value); else node.setAttribute(name, value);
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function field(name, value, extraClass) {
  return element("span", { "data-field": name, class: extraClass || "" }, value);
}

function table(name, headings, rows) {
  const head = element("tr", {}, ...headings.map(h => element("th", {}, h)));
  const body = rows.map(row => element("tr", { "data-row": name },
    ...row.map(([field, value]) => element("td", { "data-field": field }, value))));
  return element("div", { class: "scroll" }, element("table", { "data-table": name }, element("thead", {}, head), element("tbody", {}, ...body)));
}

function preview(vector) {
  if (!Array.isArray(vector)) return vector ? JSON.stringify(vector).slice(0, 80) : "—";
  const head = vector.slice(0, 4).map(v => v.toFixed(3)).join(", ");
  return `[${head}${vector.length > 4 ? ", …" : ""}] (${vector.length})`;
}

// Views register here: `views[name](root, argument)` renders into root and may return a
// refresh interval in ms.
const views = {};

// `#/name/argument?options`: the view, its argument (a collection), and options such as a
// search to run at once.
function route() {
  const [path, options] = location.hash.replace(/^#\/?/, "").split("?");
  const [name, ...rest] = path.split("/");
  return { name: name || "overview", argument: rest.map(decodeURIComponent).join("/"), options: new URLSearchParams(options || "") };
}

let refreshTimer = null;
// Each navigation gets a number; a page that finishes loading after the next navigation began
// is dropped, so it never replaces the page now showing.
let generation = 0;

async function show() {
  clearInterval(refreshTimer);
  const mine = ++generation;
  const { name, argument, options } = route();
  document.querySelectorAll("nav a").forEach(a => a.classList.toggle("current", a.dataset.view === name));
  const root = document.getElementById("view");
  const error = document.getElementById("error");
  const render = async () => {
    try {
      const view = views[name] || views.overview;
      const fresh = element("div", { "data-view": name });
      const every = await view(fresh, argument, options);
      if (mine !== generation) return null;
      root.replaceChildren(fresh);
      error.textContent = "";
      return every;
    } catch (failure) {
      if (mine === generation) error.textContent = String(failure.message || failure);
      return null;
    } finally {
      // For the phone-width check: true when the page is wider than the window.
      document.body.dataset.overflows = String(document.documentElement.scrollWidth > window.innerWidth);
      document.body.dataset.loaded = "true";
    }
  };
  const every = await render();
  if (every && mine === generation) refreshTimer = setInterval(render, every);
}

function setUpKeyForm() {
  const input = document.getElementById("api-key");
  input.value = apiKey() || "";
  document.getElementById("key-form").addEventListener("submit", event => {
    event.preventDefault();
    if (input.value) sessionStorage.setItem(KEY_STORE, input.value); else sessionStorage.removeItem(KEY_STORE);
    show();
  });
}

window.addEventListener("hashchange", show);
window.addEventListener("DOMContentLoaded", () => { setUpKeyForm(); show(); });
