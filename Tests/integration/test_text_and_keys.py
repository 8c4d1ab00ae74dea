"""Text in, vectors out: Qdrant inference objects, the OpenAI-compatible embeddings API with
dynamic batching, and API keys — through the real qdrant-client and openai packages."""
import base64, concurrent.futures, json, os, re, shutil, subprocess, tempfile
import numpy as np
import pytest, requests
from qdrant_client import QdrantClient, models
from conftest import ROOT

FULL = {"api-key": "full-secret"}
READ = {"api-key": "read-secret"}
MODEL = "all-MiniLM-L6-v2"


@pytest.fixture(scope="module")
def openai_client(model_server):
    from openai import OpenAI
    return OpenAI(base_url=model_server.url + "/v1", api_key="full-secret")


def test_openai_embeddings_float_and_base64(openai_client):
    single = openai_client.embeddings.create(model=MODEL, input="A man is eating food.", encoding_format="float")
    assert len(single.data) == 1 and len(single.data[0].embedding) == 384
    assert single.usage.prompt_tokens == 8 and single.usage.total_tokens == 8
    # The openai package asks for base64 unless told otherwise, and decodes it itself.
    batch = openai_client.embeddings.create(model=MODEL, input=["A man is eating food.", "A man is eating a piece of bread.",
                                                                 "The girl is carrying a baby."])
    vectors = np.array([d.embedding for d in batch.data])
    assert vectors.shape == (3, 384)
    assert np.allclose(vectors[0], single.data[0].embedding, atol=1e-6)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.3
    assert [m.id for m in openai_client.models.list().data] == [MODEL]


def test_openai_errors_are_4xx(openai_client, model_server):
    import openai
    with pytest.raises(openai.NotFoundError):
        openai_client.embeddings.create(model="no-such-model", input="x")
    with pytest.raises(openai.BadRequestError):
        openai_client.embeddings.create(model=MODEL, input=[])
    raw = requests.post(model_server.url + "/v1/embeddings", headers=FULL, json={"model": MODEL, "input": [1, 2]})
    assert raw.status_code == 400 and "error" in raw.json()


def test_concurrent_requests_are_batched(model_server):
    before = requests.get(model_server.url + "/v1/models", headers=READ).json()["data"][0]
    def one(i):
        r = requests.post(model_server.url + "/v1/embeddings", headers=READ,
                          json={"model": MODEL, "input": f"sentence number {i} about vector search", "encoding_format": "base64"})
        r.raise_for_status()
        return np.frombuffer(base64.b64decode(r.json()["data"][0]["embedding"]), dtype="<f4")
    with concurrent.futures.ThreadPoolExecutor(64) as pool:
        vectors = list(pool.map(one, range(64)))
    assert all(v.shape == (384,) for v in vectors)
    after = requests.get(model_server.url + "/v1/models", headers=READ).json()["data"][0]
    texts = after["texts_embedded"] - before["texts_embedded"]
    batches = after["batches"] - before["batches"]
    assert texts == 64
    assert batches <= 16, f"64 concurrent single-sentence requests ran as {batches} batches"


def test_documents_in_upsert_and_query(model_server):
    client = QdrantClient(url=model_server.url, api_key="full-secret", cloud_inference=True, check_compatibility=False)
    client.create_collection("texts", vectors_config=models.VectorParams(size=384, distance=models.Distance.COSINE))
    docs = ["The cat sat on the mat.", "Stock markets fell sharply today.", "A kitten is sleeping on a rug.",
            "The central bank raised interest rates."]
    client.upsert("texts", points=[models.PointStruct(id=i, vector=models.Document(text=t, model=f"sentence-transformers/{MODEL}"),
                                                      payload={"t": t}) for i, t in enumerate(docs)])
    hits = client.query_points("texts", query=models.Document(text="a cat resting on a carpet", model=MODEL), limit=2).points
    assert {h.id for h in hits} == {0, 2}
    finance = client.query_points("texts", query=models.Document(text="interest rates and the economy", model=MODEL), limit=2).points
    assert {h.id for h in finance} == {1, 3}
    with pytest.raises(Exception) as raised:
        client.query_points("texts", query=models.Document(text="x", model="unknown-model"), limit=1)
    assert getattr(raised.value, "status_code", None) == 400


def test_api_keys(model_server):
    url = model_server.url
    assert requests.get(url + "/collections").status_code == 401
    assert requests.get(url + "/collections", headers={"api-key": "wrong"}).status_code == 401
    assert requests.get(url + "/collections", headers={"Authorization": "Bearer full-secret"}).status_code == 200
    assert requests.get(url + "/collections", headers=READ).status_code == 200
    assert requests.get(url + "/healthz").status_code == 200
    created = requests.put(url + "/collections/keys", headers=READ, json={"vectors": {"size": 2, "distance": "Dot"}})
    assert created.status_code == 403 and "error" in created.json()["status"]
    assert requests.put(url + "/collections/keys", headers=FULL, json={"vectors": {"size": 2, "distance": "Dot"}}).status_code == 200
    upsert = {"points": [{"id": 1, "vector": [1, 0]}]}
    assert requests.put(url + "/collections/keys/points", headers=READ, json=upsert).status_code == 403
    assert requests.put(url + "/collections/keys/points", headers=FULL, json=upsert).status_code == 200
    assert requests.post(url + "/collections/keys/points/query", headers=READ, json={"query": [1, 0]}).status_code == 200
    assert requests.post(url + "/collections/keys/points/delete", headers=READ, json={"points": [1]}).status_code == 403
    assert requests.post(url + "/collections/keys/points/count", headers=READ, json={}).json()["result"]["count"] == 1


def test_every_documented_route_answers(model_server):
    """Calls each operation of the served OpenAPI document; none may be an unrouted 404/405."""
    document = requests.get(model_server.url + "/openapi.json", headers=READ).json()
    assert document["openapi"].startswith("3.")
    s = requests.Session()
    s.headers.update(FULL)
    s.put(model_server.url + "/collections/doc", json={"vectors": {"size": 384, "distance": "Cosine"}})
    s.put(model_server.url + "/collections/doc/points", json={"points": [{"id": 1, "vector": [0.05] * 384}]})
    bodies = {"/v1/embeddings": {"model": MODEL, "input": "x"}}
    checked = 0
    for path, operations in document["paths"].items():
        for method in operations:
            url = model_server.url + path.replace("{name}", "doc").replace("{id}", "1").replace("{model}", MODEL)
            body = bodies.get(path, {})
            if method == "delete":
                continue  # deleting the probe collection would break the rest of the walk
            response = s.request(method.upper(), url, json=body if method in ("put", "post") else None)
            unrouted = response.status_code in (404, 405) and not response.content
            assert not unrouted, f"{method.upper()} {path} is documented but not served"
            assert response.status_code < 500, f"{method.upper()} {path}: {response.status_code} {response.text[:200]}"
            checked += 1
    assert checked >= 28


def test_prometheus_metrics(model_server):
    s = requests.Session()
    s.headers.update(FULL)
    s.put(model_server.url + "/collections/m", json={"vectors": {"size": 384, "distance": "Cosine"}})
    s.put(model_server.url + "/collections/m/points?wait=true", json={"points": [{"id": 1, "vector": {"text": "hello", "model": MODEL}}]})
    s.post(model_server.url + "/collections/m/points/query", json={"query": {"text": "hi", "model": MODEL}})
    s.post(model_server.url + "/collections/missing/points/query", json={"query": [0.1]})
    s.post(model_server.url + "/collections/m/points/delete?wait=true", json={"points": [1]})
    text = requests.get(model_server.url + "/metrics", headers=READ).text
    assert 'hb_requests_total{http_route="/collections/{name}/points/query",http_request_method="POST",http_response_status_code="200"}' in text
    assert 'http_response_status_code="404"' in text
    assert "http_server_request_duration_seconds_bucket" in text
    assert 'lodestone_search_duration_seconds_bucket{collection="m",plan="graph"' in text
    assert 'lodestone_embedding_batch_size_bucket{model="all-MiniLM-L6-v2"' in text
    assert "lodestone_embedding_batch_duration_seconds_count" in text
    assert 'lodestone_points{collection="m"} 0.0' in text
    assert 'lodestone_deleted_points{collection="m"} 1.0' in text
    # Prometheus conventions: every series has HELP from the server's catalog (none falls back
    # to the generic text), counters end in _total, and promtool's linter finds nothing.
    assert "Lodestone series " not in text
    families = {line.split()[2] for line in text.splitlines() if line.startswith("# TYPE ")}
    helped = {line.split()[2] for line in text.splitlines() if line.startswith("# HELP ")}
    assert families and families == helped, families ^ helped
    # The Grafana dashboard in tools/ charts these same series, and nothing else.
    dashboard = json.load(open(os.path.join(ROOT, "tools", "grafana-dashboard.json")))
    expressions = [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]
    used = {re.sub(r"_(bucket|count|sum)$", "", name) for expr in expressions
            for name in re.findall(r"\b((?:lodestone|hb|http_server)_[a-z0-9_]+)", expr)}
    assert used and used <= families, used - families
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool is not installed (tools/ensure-test-tools installs Debian's prometheus package)")
    linted = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True, text=True)
    assert linted.returncode == 0 and not linted.stdout.strip() and not linted.stderr.strip(), linted.stdout + linted.stderr
    # Its queries parse as PromQL: promtool checks them as recording rules.
    with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as rules:
        rules.write("groups:\n  - name: grafana\n    rules:\n")
        for index, expr in enumerate(expressions):
            rules.write(f"      - record: lodestone:panel{index}\n        expr: {json.dumps(expr.replace('$collection', '.*'))}\n")
    checked = subprocess.run([promtool, "check", "rules", rules.name], capture_output=True, text=True)
    os.remove(rules.name)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_bound_collection_takes_plain_text(model_server):
    s = requests.Session()
    s.headers.update(FULL)
    created = s.put(model_server.url + "/collections/bound", json={"embedding_model": MODEL, "vectors": {"distance": "Cosine"}})
    assert created.status_code == 200, created.text
    info = s.get(model_server.url + "/collections/bound").json()["result"]
    assert info["config"]["params"]["vectors"] == {"size": 384, "distance": "Cosine"}
    assert info["embedding_model"].startswith(MODEL)
    upsert = s.put(model_server.url + "/collections/bound/points?wait=true", json={"points": [
        {"id": 1, "vector": "Paris is the capital of France.", "payload": {"lang": "en"}},
        {"id": 2, "vector": "Photosynthesis turns light into chemical energy."}]})
    assert upsert.status_code == 200, upsert.text
    hits = s.post(model_server.url + "/collections/bound/points/query", json={"query": "which city is France's capital?", "limit": 1}).json()
    assert hits["result"]["points"][0]["id"] == 1
    # The text is stored with the point; an unbound collection refuses plain text with a 400.
    s.put(model_server.url + "/collections/unbound", json={"vectors": {"size": 384, "distance": "Cosine"}})
    refused = s.put(model_server.url + "/collections/unbound/points", json={"points": [{"id": 1, "vector": "text"}]})
    assert refused.status_code == 400 and "no embedding model bound" in refused.json()["status"]["error"]
    wrong = s.put(model_server.url + "/collections/w", json={"embedding_model": MODEL, "vectors": {"size": 3, "distance": "Cosine"}})
    assert wrong.status_code == 400
