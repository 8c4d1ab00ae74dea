"""A few hundred generated malformed and hostile requests: every one must get a 4xx with a JSON
error body, the server must stay up, and the stored data must be unchanged afterwards."""
import hashlib, itertools, json
import pytest, requests

DIM = 4
GOOD_VECTOR = [0.1, 0.2, 0.3, 0.4]
GOOD_FILTER = {"must": [{"key": "k", "match": {"value": "a"}}]}

# (method, path, valid body, {field: kind}) — the kinds decide which invalid values to try.
ROUTES = [
    ("PUT", "/collections/hostile/points", {"points": [{"id": 100, "vector": GOOD_VECTOR, "payload": {"k": "a"}}]},
     {"points": "list"}),
    ("PUT", "/collections/hostile/points", {"batch": {"ids": [100], "vectors": [GOOD_VECTOR]}}, {"batch": "object"}),
    ("POST", "/collections/hostile/points", {"ids": [1, 2]}, {"ids": "ids", "with_payload": "selector", "with_vector": "selector"}),
    ("POST", "/collections/hostile/points/delete", {"points": [999]}, {"points": "ids"}),
    ("POST", "/collections/hostile/points/payload", {"payload": {"x": 1}, "points": [999]}, {"payload": "payload", "points": "ids"}),
    ("PUT", "/collections/hostile/points/payload", {"payload": {"x": 1}, "points": [999]}, {"payload": "payload", "points": "ids"}),
    ("POST", "/collections/hostile/points/scroll", {"limit": 5}, {"limit": "limit", "offset": "id", "filter": "filter"}),
    ("POST", "/collections/hostile/points/count", {"exact": True}, {"filter": "filter"}),
    ("POST", "/collections/hostile/points/query", {"query": GOOD_VECTOR, "limit": 3},
     {"query": "query", "limit": "limit", "offset": "limit", "filter": "filter", "params": "params", "score_threshold": "number"}),
    ("POST", "/collections/hostile/points/search", {"vector": GOOD_VECTOR, "limit": 3},
     {"vector": "vector", "limit": "limit", "filter": "filter"}),
    ("POST", "/collections/hostile/points/search/batch", {"searches": [{"vector": GOOD_VECTOR, "limit": 3}]}, {"searches": "searches"}),
    ("POST", "/collections/hostile/points/query/batch", {"searches": [{"query": GOOD_VECTOR}]}, {"searches": "searches"}),
    ("PUT", "/collections/newone", {"vectors": {"size": 4, "distance": "Cosine"}}, {"vectors": "vectors"}),
    ("POST", "/collections/aliases", {"actions": [{"create_alias": {"collection_name": "hostile", "alias_name": "h"}}]},
     {"actions": "actions"}),
]

# Run against a server that serves the model, so the inputs themselves are what gets rejected.
EMBEDDING_ROUTES = [
    ("POST", "/v1/embeddings", {"model": "all-MiniLM-L6-v2", "input": "hello"},
     {"input": "embedding_input", "model": "embedding_model", "encoding_format": "embedding_format", "dimensions": "limit"}),
]

INVALID = {
    "list": ["x", 5, {}, [1, 2], [{"id": -1, "vector": GOOD_VECTOR}], [{"id": 1, "vector": [0.1]}],
             [{"id": 1, "vector": GOOD_VECTOR, "payload": [1]}], [{"vector": GOOD_VECTOR}], [{"id": 1}]],
    "searches": ["x", 5, {}, [1], [{"vector": "x", "query": "x"}], [{"vector": [0.1], "query": [0.1]}],
                 [{"vector": GOOD_VECTOR, "query": GOOD_VECTOR, "limit": -1}], [{"vector": GOOD_VECTOR, "query": GOOD_VECTOR, "filter": 5}]],
    "embedding_input": [5, [], [1, 2], [["a"]], {"text": "a"}, True, None],
    "embedding_model": [5, [], None, "no-such-model"],
    "embedding_format": [5, "number", []],
    "object": ["x", 5, [], {"ids": [1], "vectors": [[0.1]]}, {"ids": [1, 2], "vectors": [GOOD_VECTOR]}, {"ids": "x"}],
    "ids": ["x", 5, {}, [-1], [1.5], ["not-a-uuid"], [[1]], [True]],
    "id": [-1, 1.5, "not-a-uuid", [], {}, True],
    "selector": [5, "x", {"foo": 1}, [1]],
    "payload": ["x", 5, [1], True],
    "limit": ["x", [], {}, True, -5, 10**12, 10001, 1.5],
    "number": ["x", [], {}, True],
    "filter": ["x", 5, [], {"must": "x"}, {"must": [{"key": 5}]}, {"must": [{"key": "k", "match": {}}]},
               {"must": [{"key": "k", "range": {"gt": "x"}}]}, {"must": [{"nope": 1}]}, {"should": [{"has_id": ["zz"]}]}],
    "query": ["x", True, [1, "x"], [0.1] * (DIM + 1), [], [[0.1] * DIM], {"nearest": "not-an-id"}, {"fusion": "rrf"},
              {"text": "hello", "model": "m"}, 10**30, [1e39] * DIM],
    "vector": ["x", [1, "x"], [0.1] * (DIM + 1), [], [1e39] * DIM, {"name": "a"}],
    "params": ["x", {"hnsw_ef": "x"}, {"hnsw_ef": -1}, {"exact": "yes"}, {"hnsw_ef": 10**9}],
    "vectors": ["x", 5, {"size": "x", "distance": "Cosine"}, {"size": 0, "distance": "Cosine"},
                {"size": 4, "distance": "Manhattan2"}, {"size": 10**7, "distance": "Cosine"}, {"a": {}, "b": {}}, {}],
    "actions": ["x", [{"create_alias": {"collection_name": "missing", "alias_name": "h"}}],
                [{"delete_alias": {"alias_name": "missing"}}], [{"explode": {}}], [{"create_alias": {"alias_name": "h"}}],
                [{"create_alias": {"collection_name": "hostile", "alias_name": "bad name!"}}]],
}

RAW_BODIES = [b"", b"{", b"{\"a\":", b"[1,2", b"null", b"[]", b"\"text\"", b"42", b"\xff\xfe\x00garbage",
              b"{\"limit\": NaN}", b"{\"limit\": Infinity}", b"[" * 5000 + b"]" * 5000, b"{\"a\": 1} trailing"]


def generated_requests(routes=ROUTES):
    for method, path, body, fields in routes:
        for field, kind in fields.items():
            for value in INVALID[kind]:
                mutated = dict(body)
                mutated[field] = value
                yield method, path, json.dumps(mutated).encode()
        for raw in RAW_BODIES:
            # Scroll and count take an optional body: an empty one is a valid request.
            if raw == b"" and path.endswith(("/scroll", "/count")):
                continue
            yield method, path, raw
        # The same valid request against a collection that does not exist.
        if "/hostile" in path:
            yield method, path.replace("/hostile", "/does-not-exist"), json.dumps(body).encode()
    if routes is not ROUTES:
        return
    yield "PUT", "/collections/hostile/points", json.dumps({"points": [{"id": i, "vector": GOOD_VECTOR} for i in range(10001)]}).encode()
    yield "PUT", "/collections/hostile/points", b'{"points": [{"id": 1, "vector": [0.1,0.2,0.3,0.4], "payload": {"blob": "' + b"x" * (33 << 20) + b'"}}]}'
    yield "GET", "/collections/hostile/points/not-an-id", b""
    yield "GET", "/collections/does-not-exist", b""


REQUESTS = list(generated_requests())


@pytest.fixture(scope="module")
def hostile(server):
    s = requests.Session()
    s.put(server.url + "/collections/hostile", json={"vectors": {"size": DIM, "distance": "Cosine"}}).raise_for_status()
    s.put(server.url + "/collections/hostile/points?wait=true", json={"points": [
        {"id": i, "vector": [0.1 * (i % 7) + 0.01, 0.2, 0.3 * (i % 3), 0.4], "payload": {"k": "ab"[i % 2], "i": i}} for i in range(50)
    ]}).raise_for_status()
    return s


def fingerprint(session, url):
    body = session.post(url + "/collections/hostile/points/scroll", json={"limit": 1000, "with_vector": True}).json()
    aliases = session.get(url + "/aliases").json()["result"]
    collections = sorted(c["name"] for c in session.get(url + "/collections").json()["result"]["collections"])
    return hashlib.sha256(json.dumps([body["result"], aliases, collections], sort_keys=True).encode()).hexdigest()


def send_all(session, url, requests_to_send):
    failures = []
    for method, path, body in requests_to_send:
        try:
            response = session.request(method, url + path, data=body, headers={"content-type": "application/json"}, timeout=30)
        except requests.RequestException as error:
            failures.append((method, path, body[:80], f"connection error {error}"))
            continue
        ok = 400 <= response.status_code < 500
        try:
            payload = response.json()
            # /v1 routes answer in OpenAI's error shape, the rest in Qdrant's.
            message = payload["error"]["message"] if path.startswith("/v1/") else payload["status"]["error"]
            ok = ok and isinstance(message, str) and len(message) > 0
        except Exception:
            ok = False
        if not ok:
            failures.append((method, path, body[:120], response.status_code, response.text[:200]))
    return failures


def test_embedding_routes_reject_bad_input(model_server):
    session = requests.Session()
    session.headers["api-key"] = "full-secret"
    embedding_requests = list(generated_requests(EMBEDDING_ROUTES))
    assert len(embedding_requests) >= 25
    failures = send_all(session, model_server.url, embedding_requests)
    assert model_server.process.poll() is None, "the server died"
    assert not failures, failures[:5]


def test_hostile_requests_get_4xx_json_and_change_nothing(server, hostile):
    assert len(REQUESTS) >= 300
    before = fingerprint(hostile, server.url)
    failures = send_all(hostile, server.url, REQUESTS)
    assert server.process.poll() is None, "the server died"
    assert not failures, f"{len(failures)} of {len(REQUESTS)} requests were not rejected cleanly, e.g. {failures[:5]}"
    assert fingerprint(hostile, server.url) == before
