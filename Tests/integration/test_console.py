"""The console's collection, search and registry views in a real headless Chromium, each
checked against the JSON routes it reads, at desktop and phone widths, with screenshots kept
under bench-out/."""
import json, urllib.parse
import pytest
import requests

from conftest import MODEL_DIR
from test_dashboard import CHROMIUM, parse, screenshot

MODEL = "all-MiniLM-L6-v2"
FULL = {"api-key": "full-secret"}
TEXTS = ["How to check a new embedding model before it serves", "Rolling back a bad promotion",
         "Recall regression gates for HNSW builds", "Filtering search results by payload",
         "Group commit combines concurrent writes", "Drift of query vectors over time",
         "Snapshots of a collection", "Sparse vectors and BM25", "Hybrid search with reciprocal rank fusion",
         "Maximal marginal relevance for diverse results", "Quantization trades memory for recall",
         "The change log bounds the replay after a crash"]

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (tools/test installs it)")


def page(server, view, size=(1280, 800)):
    return parse(server.url + "/dashboard#key=full-secret&view=" + urllib.parse.quote(view, safe="/"), size=size)


@pytest.fixture(scope="module")
def docs(model_server):
    s = requests.Session()
    s.headers.update(FULL)
    s.put(model_server.url + "/collections/console", json={"embedding_model": MODEL, "vectors": {"distance": "Cosine"}}).raise_for_status()
    s.put(model_server.url + "/collections/console/index", json={"field_name": "topic", "field_schema": "keyword"}).raise_for_status()
    points = [{"id": i, "vector": {"text": t, "model": MODEL}, "payload": {"text": t, "topic": "ops" if i % 2 else "search"}}
              for i, t in enumerate(TEXTS)]
    s.put(model_server.url + "/collections/console/points?wait=true", json={"points": points}).raise_for_status()
    return s


def test_collection_views_show_what_the_routes_say(model_server, docs):
    listing = page(model_server, "collections")
    rows = {row["name"]: row for row in listing.values[(None, "collections")]}
    info = docs.get(model_server.url + "/collections/console").json()["result"]
    assert rows["console"]["points"] == str(info["points_count"]) == str(len(TEXTS))
    assert rows["console"]["indexes"] == "topic"
    assert rows["console"]["quantization"] == "none"
    assert listing.overflows == "false"

    shown = page(model_server, "collection/console")
    scroll = docs.post(model_server.url + "/collections/console/points/scroll", json={"limit": 10, "with_payload": True}).json()["result"]
    table = shown.values[("console", "points")]
    assert [row["id"] for row in table] == [json.dumps(p["id"]) for p in scroll["points"]]
    assert [row["text"] for row in table] == [p["payload"]["text"] for p in scroll["points"]]
    assert [row["field"] for row in shown.values[("console", "payload-indexes")]] == ["topic"]
    assert page(model_server, "collection/console", size=(390, 844)).overflows == "false"


def test_text_search_matches_the_query_route(model_server, docs):
    question = "how do I roll back a promotion?"
    shown = page(model_server, "search/console?" + urllib.parse.urlencode({"q": question, "limit": 4, "compare": "1"}))
    hits = shown.values[(None, "hits")]
    answer = docs.post(model_server.url + "/collections/console/points/query",
                       json={"query": question, "limit": 4, "with_payload": True}).json()["result"]["points"]
    assert [row["id"] for row in hits] == [json.dumps(p["id"]) for p in answer]
    assert [row["score"] for row in hits] == [f"{p['score']:.4f}" for p in answer]
    assert answer[0]["payload"]["text"] == "Rolling back a bad promotion"
    exact = docs.post(model_server.url + "/collections/console/points/query",
                      json={"query": question, "limit": 4, "with_payload": True, "params": {"exact": True}}).json()["result"]["points"]
    shared = len({json.dumps(p["id"]) for p in exact} & {json.dumps(p["id"]) for p in answer})
    assert shown.values[(None, "overlap")] == f"{shared} / {len(exact)}"
    # The request to copy is the one that ran.
    curl = shown.values[(None, "curl")]
    assert json.loads(curl[curl.index("-d '") + 4: curl.rindex("'")]) == {"query": question, "limit": 4, "with_payload": True}
    assert "client.query_points(\"console\"" in shown.values[(None, "python")]
    assert page(model_server, "search/console?q=rollback", size=(390, 844)).overflows == "false"
    screenshot(model_server.url + "/dashboard#key=full-secret&view=" + urllib.parse.quote("search/console?q=rollback&compare=1", safe="/"),
               "console-search-1280x800.png", (1280, 800))


def test_registry_lists_registered_models(model_server, docs):
    registered = docs.post(model_server.url + "/registry/models",
                           json={"directory": MODEL_DIR, "name": "console-minilm", "version": "1"})
    assert registered.status_code == 200, registered.text
    models = {f"{m['name']}@{m['version']}": m for m in docs.get(model_server.url + "/registry/models").json()["result"]["models"]}
    shown = {row["reference"]: row for row in page(model_server, "registry").values[(None, "models")]}
    assert set(shown) == set(models)
    row, model = shown["console-minilm@1"], models["console-minilm@1"]
    assert row["stage"] == model["stage"] and row["digest"] == model["weights_sha256"][:16]
    assert row["dimension"] == str(model["dimension"])


def test_without_a_key_the_console_says_what_to_do(model_server):
    result = parse(model_server.url + "/dashboard#/collections")
    assert (None, "collections") not in result.values
    assert "refused a request without an API key (401)" in result.values[(None, "error")]
