"""The console's collection, search and registry views in a real headless Chromium, each
checked against the JSON routes it reads, at desktop and phone widths, with screenshots kept
under bench-out/."""
import json, time, urllib.parse
import pytest
import requests

from conftest import MODEL_DIR, Server, last_json, lodestone
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
    assert row["stage"] == model["stage"] and row["digest"] == model["digest"][:16]
    assert row["dimension"] == str(model["dimension"])


def test_without_a_key_the_console_says_what_to_do(model_server):
    result = parse(model_server.url + "/dashboard#/collections")
    assert (None, "collections") not in result.values
    assert "refused a request without an API key (401)" in result.values[(None, "error")]


def test_a_collection_token_sees_its_collection_and_is_told_what_it_may_not_see(tmp_path):
    """With `--jwt`, a token made by PyJWT scoped to one collection: the console lists only that
    collection (as GET /collections does for it), and the registry says why it is refused."""
    import jwt
    key = "console-jwt-secret-of-enough-length"
    server = Server(["--api-key", key, "--jwt"])
    try:
        full = {"api-key": key}
        for name in ("mine", "theirs"):
            requests.put(f"{server.url}/collections/{name}", headers=full, json={"vectors": {"size": 2, "distance": "Dot"}}).raise_for_status()
        token = jwt.encode({"access": [{"collection": "mine", "access": "r"}], "exp": int(time.time()) + 600}, key, algorithm="HS256")
        link = server.url + "/dashboard#key=" + token + "&view="
        listing = parse(link + "collections")
        assert [row["name"] for row in listing.values[(None, "collections")]] == ["mine"]
        overview = parse(link + "overview")
        assert "403" in overview.values[(None, "telemetry-refused")]
        refused = parse(link + "registry").values[(None, "error")]
        assert "may not do that (403)" in refused and "global read access" in refused
        expired = jwt.encode({"access": "m", "exp": int(time.time()) - 10}, key, algorithm="HS256")
        assert "expired" in parse(server.url + "/dashboard#key=" + expired + "&view=collections").values[(None, "error")]
    finally:
        server.stop()


def test_evaluations_side_by_side(tmp_path):
    """Two stored evaluations of the same queries (dense MiniLM and BM25), compared in the
    console as the compare route computes them; the route's numbers checked by formula."""
    beir = tmp_path / "beir"
    (beir / "qrels").mkdir(parents=True)
    # Paraphrases share no word with their document (BM25 misses them), the others do.
    queries = ["undo a release that went wrong", "vet an embedding model prior to production", "restrict hits using metadata",
               "group commit", "reciprocal rank fusion", "memory versus recall"]
    relevant = [1, 0, 3, 4, 8, 10]
    (beir / "corpus.jsonl").write_text("".join(json.dumps({"_id": f"d{i}", "title": "", "text": t}) + "\n" for i, t in enumerate(TEXTS)))
    (beir / "queries.jsonl").write_text("".join(json.dumps({"_id": f"q{i}", "text": q}) + "\n" for i, q in enumerate(queries)))
    (beir / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\n" + "".join(f"q{i}\td{r}\t1\n" for i, r in enumerate(relevant)))
    data = tmp_path / "server"
    db = str(data / "db")
    lodestone(db, "models", "register", MODEL_DIR, "--name", "minilm", "--version", "1", "--json")
    dense = last_json(lodestone(db, "eval", "--model", "minilm@1", "--dataset", str(beir), "--json"))
    bm25 = last_json(lodestone(db, "eval", "--dataset", str(beir), "--pipeline", "bm25", "--json"))
    server = Server(["--api-key", "full-secret"], data=str(data))
    try:
        s = requests.Session()
        s.headers.update(FULL)
        stored = {e["pipeline"]: e for e in s.get(server.url + "/registry/evaluations").json()["result"]["evaluations"]}
        assert stored["dense"]["ndcg@10"] == pytest.approx(dense["ndcg@10"]) and stored["bm25"]["ndcg@10"] == pytest.approx(bm25["ndcg@10"])
        keys = {"baseline": stored["bm25"]["key"], "candidate": stored["dense"]["key"]}
        route = s.get(server.url + "/registry/evaluations/compare", params=keys).json()["result"]
        rows = route["per_query"]
        assert [r["text"] for r in rows] == queries
        assert sum(r["baseline"] for r in rows) / len(rows) == pytest.approx(stored["bm25"]["ndcg@10"])
        assert sum(r["candidate"] for r in rows) / len(rows) == pytest.approx(stored["dense"]["ndcg@10"])
        assert route["ndcg_delta"] == pytest.approx(stored["dense"]["ndcg@10"] - stored["bm25"]["ndcg@10"])
        low, high = route["ndcg_delta_interval"]
        assert low <= route["ndcg_delta"] <= high
        assert any(r["delta"] != 0 for r in rows), "the two pipelines differ on some query"
        assert route["passes"] == (route["ndcg_delta"] >= -route["margin"])

        shown = parse(server.url + "/dashboard#key=full-secret&view=" + urllib.parse.quote("registry?" + urllib.parse.urlencode(keys), safe="/"))
        assert {row["pipeline"] for row in shown.values[(None, "evaluations")]} == {"dense", "bm25"}
        assert shown.values[(None, "ndcg-delta")] == f"{route['ndcg_delta']:.4f}"
        assert shown.values[(None, "ndcg-interval")] == f"[{low:.4f}, {high:.4f}]"
        per_query = shown.values[(None, "per-query")]
        worst_first = sorted(rows, key=lambda r: r["delta"])
        assert [row["query"] for row in per_query] == [r["text"] for r in worst_first]
        assert [row["delta"] for row in per_query] == [f"{r['delta']:.4f}" for r in worst_first]
        screenshot(server.url + "/dashboard#key=full-secret&view=" + urllib.parse.quote("registry?" + urllib.parse.urlencode(keys), safe="/"),
                   "console-evaluations-1280x800.png", (1280, 800))
        assert s.get(server.url + "/registry/evaluations/compare", params={"baseline": "nope", "candidate": keys["candidate"]}).status_code == 404
        assert s.get(server.url + "/registry/evaluations/compare", params={**keys, "window": "1"}).status_code == 400
    finally:
        server.stop()


def test_overview_charts_embedding_batches(tmp_path):
    """The overview's server charts: each model's batch sizes and texts embedded per second,
    drawn from /telemetry/series, which counts the texts this test sent."""
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"telemetry_interval_seconds": 0.5}))
    server = Server(["--model", MODEL_DIR, "--config", str(config)])
    try:
        sent = 0
        for size in (1, 3, 8, 2):
            response = requests.post(server.url + "/v1/embeddings", json={"model": MODEL, "input": TEXTS[:size]})
            assert response.status_code == 200, response.text
            sent += size
        time.sleep(1.5)  # a sample or two after the batches
        shown = parse(server.url + "/dashboard#/overview")
        telemetry = requests.get(server.url + "/telemetry/series").json()["result"]
        scope = telemetry["models"][MODEL]
        at = {name: dict(zip(scope["times"], values)) for name, values in scope["series"].items()}
        for chart, series in [(f"batch-size-{MODEL}", "embedding_batch_mean"), (f"batch-size-{MODEL}", "embedding_batch_p99"),
                              (f"embedded-{MODEL}", "embedding_texts_per_second")]:
            times, values = shown.lines[("", chart, series)]
            assert times and all(at[series][t] == v for t, v in zip(times, values)), (chart, series)
        gaps = [telemetry["interval_seconds"]] + [b - a for a, b in zip(scope["times"], scope["times"][1:])]
        embedded = sum((v or 0) * g for v, g in zip(scope["series"]["embedding_texts_per_second"], gaps))
        assert abs(embedded - sent) <= 0.15 * sent, (embedded, sent)
        assert max(v for v in scope["series"]["embedding_batch_p99"] if v is not None) <= 8
    finally:
        server.stop()
