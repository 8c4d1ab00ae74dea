"""A few hundred generated malformed and hostile requests: every one must get a 4xx with a JSON
error body, the server must stay up, and the stored data must be unchanged afterwards."""
import numpy as np
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

# The lifecycle, registry, rollout, policy and snapshot routes: the valid bodies name a build or
# model that does not exist, so no mutation can start, promote or register anything.
LIFECYCLE_ROUTES = [
    ("POST", "/collections/hostile/builds", {"m": 8}, {"m": "hnsw_m", "ef_construct": "hnsw_ef", "ef": "hnsw_ef", "model": "model_ref"}),
    ("POST", "/collections/hostile/promote", {"build": 999}, {"build": "build_number", "force": "flag", "reason": "text"}),
    ("POST", "/collections/hostile/builds/999/cancel", {}, {}),
    ("PUT", "/collections/hostile/gates", {"recall_floor": 0.9, "keep_builds": -1},
     {"recall_floor": "fraction", "recall_margin": "fraction", "keep_builds": "count", "eval_dataset": "dataset"}),
    ("PUT", "/collections/hostile/policy", {"auto_promote": "no"},
     {"recheck_on_drift": "flag", "logged_recall_floor": "fraction", "max_deleted_fraction": "fraction",
      "check_interval_seconds": "seconds", "rebuild_cooldown_seconds": "seconds", "unknown_setting": "flag"}),
    ("PUT", "/collections/hostile/monitoring", {"sample_rate": 2.0}, {"sample_rate": "fraction", "log_capacity": "count", "drift_window": "count"}),
    ("PUT", "/collections/hostile/shadow", {"build": 999}, {"build": "build_number", "fraction": "fraction"}),
    ("PUT", "/collections/hostile/canary", {"build": 999}, {"build": "build_number", "fraction": "fraction", "max_error_rate": "fraction"}),
    ("PUT", "/collections/hostile/pipeline", {"pipeline": "hybrid"}, {"pipeline": "pipeline", "prefetch_limit": "count", "rrf_k": "count"}),
    ("POST", "/registry/models", {"directory": "/nonexistent", "name": "m", "version": "1"},
     {"directory": "path", "name": "ref_part", "version": "ref_part"}),
    ("PUT", "/registry/models/ghost@1/stage", {"stage": "production"}, {"stage": "stage"}),
    ("PUT", "/collections/hostile/snapshots/recover", {"location": "file:///nonexistent"},
     {"location": "location", "checksum": "checksum", "priority": "priority", "api_key": "text"}),
    ("PATCH", "/collections/hostile", {"quantization_config": "Disabled"},
     {"quantization_config": "quantization", "hnsw_config": "refused_update", "optimizers_config": "refused_update",
      "vectors": "vectors_update", "params": "refused_update", "colour": "flag"}),
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
    "embedding_input": [5, [], [1, 2], [["a"]], {"text": "a"}, True, None, "word " * 300_000],
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

INVALID.update({
    "hnsw_m": ["x", -1, 0, 300, 1.5, True, [], {}],
    "hnsw_ef": ["x", -1, 0, 10**9, 1.5, True],
    "model_ref": [5, "", "no-at-sign", "ghost@1", [], {}],
    "build_number": ["x", -1, 1.5, True, [], 10**20],
    "flag": ["yes", 1, [], {}],
    "text": [5, [], {}],
    "fraction": ["x", -0.5, 1.5, True, []],
    "count": ["x", -1, 1.5, True, 10**12, []],
    "seconds": ["x", -1, True, 10**12, []],
    "dataset": [5, [], "ghost@1", "/definitely/not/a/dir"],
    "pipeline": ["x", 5, [], "sparse-only"],
    "path": [5, [], "/etc", "../.."],
    "ref_part": [5, [], "", "bad name!", "a@b"],
    "stage": ["x", 5, [], "Production"],
    "location": [5, [], "http://example.com/x.snapshot", "file:///etc/passwd", "not a url", "file://../../x"],
    "checksum": [5, [], "zz"],
    "priority": [5, "first", []],
    "quantization": [5, [], True, "Enabled", {}, {"scalar": {"type": "int4"}}, {"scalar": {"type": "int8", "quantile": 2}},
                     {"binary": {"encoding": "two_bits"}}, {"binary": {"query_encoding": "x"}}, {"product": {"compression": "x4"}},
                     {"scalar": {"type": "int8"}, "binary": {}}, {"binary": {"always_ram": False}}],
    "refused_update": [{"m": 32}, {}, "x", 5],
    "vectors_update": ["x", 5, [], {"m": 32}, {"": "x"}, {"": {"on_disk": "yes"}}, {"": {"size": 8}}, {"": {"memory": "pinned"}},
                       {"": {"memory": "hot"}}, {"": {"hnsw_config": {"m": 8}}}, {"": {"quantization_config": {"scalar": {"type": "int8"}}}}],
})

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
            if raw == b"" and path.endswith(("/scroll", "/count", "/builds", "/cancel")):
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
    # Limits: list sizes in filters, and the search work one request may ask for.
    yield "POST", "/collections/hostile/points/scroll", json.dumps({"filter": {"must": [{"has_id": list(range(100_001))}]}}).encode()
    yield "POST", "/collections/hostile/points/count", json.dumps({"filter": {"must": [{"key": "k", "match": {"any": [str(i) for i in range(100_001)]}}]}}).encode()
    yield "POST", "/collections/hostile/points/query/batch", json.dumps({"searches": [
        {"query": GOOD_VECTOR, "params": {"hnsw_ef": 5_000}} for _ in range(1_000)]}).encode()
    yield "POST", "/collections/hostile/points/query", json.dumps({"query": GOOD_VECTOR, "prefetch": [
        {"query": GOOD_VECTOR, "limit": 10_000, "params": {"hnsw_ef": 100_000}} for _ in range(30)]}).encode()
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
    lifecycle = [session.get(url + f"/collections/hostile/{part}").json()["result"]
                 for part in ("builds", "gates", "monitoring", "pipeline", "shadow", "canary", "snapshots")]
    serving = session.get(url + "/collections/hostile/serving").json()["result"]
    policy = session.get(url + "/collections/hostile/policy").json()["result"]
    models = session.get(url + "/registry/models").json()["result"]
    state = [body["result"], aliases, collections, lifecycle, serving.get("live_build"), serving.get("gates"), policy.get("stored"),
             {k: policy.get(k) for k in ("auto_promote", "logged_recall_floor", "max_deleted_fraction")}, models]
    return hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()


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


def test_embedding_input_beyond_the_window_is_truncated_and_the_answer_says_so(model_server):
    session = requests.Session()
    session.headers["api-key"] = "full-secret"
    long = " ".join(f"word{i}" for i in range(2_000))
    response = session.post(model_server.url + "/v1/embeddings", json={"model": "all-MiniLM-L6-v2", "input": ["short text", long, long + " more"]})
    assert response.status_code == 200, response.text
    body = response.json()
    window = session.get(model_server.url + "/v1/models/all-MiniLM-L6-v2").json()["max_tokens"]
    assert [t["index"] for t in body["truncated"]] == [1, 2]
    assert all(t["max_tokens"] == window and t["tokens"] > window for t in body["truncated"])
    assert body["truncated"][1]["tokens"] > body["truncated"][0]["tokens"]
    # The model read the same window of both long inputs, so their embeddings agree: to float
    # rounding, since OpenBLAS's products depend on a row's place in the packed batch (5e-8 apart
    # on AVX2 Zen; bitwise equal on others). A window read wrongly differs by 0.1 or more.
    assert np.abs(np.array(body["data"][1]["embedding"]) - np.array(body["data"][2]["embedding"])).max() < 1e-5
    short = session.post(model_server.url + "/v1/embeddings", json={"model": "all-MiniLM-L6-v2", "input": "short text"}).json()
    assert "truncated" not in short and short["usage"]["prompt_tokens"] < body["usage"]["prompt_tokens"]
    assert body["usage"]["prompt_tokens"] == short["usage"]["prompt_tokens"] + 2 * window


def assert_all_rejected_and_nothing_changed(server, session, requests_to_send):
    before = fingerprint(session, server.url)
    failures = send_all(session, server.url, requests_to_send)
    assert server.process.poll() is None, "the server died"
    assert not failures, f"{len(failures)} of {len(requests_to_send)} requests were not rejected cleanly, e.g. {failures[:5]}"
    assert fingerprint(session, server.url) == before


def test_lifecycle_registry_rollout_policy_and_snapshot_routes_reject_bad_input(server, hostile):
    lifecycle_requests = list(generated_requests(LIFECYCLE_ROUTES))
    assert len(lifecycle_requests) >= 200
    assert_all_rejected_and_nothing_changed(server, hostile, lifecycle_requests)


def test_hostile_requests_get_4xx_json_and_change_nothing(server, hostile):
    assert len(REQUESTS) >= 300
    assert_all_rejected_and_nothing_changed(server, hostile, REQUESTS)
