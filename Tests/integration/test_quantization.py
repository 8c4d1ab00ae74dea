"""Scalar int8 quantization through the API as qdrant-client configures it: a collection created
with `quantization_config` walks its graph on 7-bit codes (the search metrics name the plan) and
re-ranks on the floats; answers are checked against numpy's exact top 10, before and after a
restart. Unsupported settings are refused by name."""
import signal
import numpy as np
import pytest, requests
from qdrant_client import QdrantClient, models
from conftest import Server

DIM, COUNT = 64, 3_000


def clustered(rng, count):
    centers = rng.normal(size=(24, DIM)).astype(np.float32)
    vectors = centers[rng.integers(0, 24, count)] + 0.4 * rng.normal(size=(count, DIM)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def plan_count(url, plan):
    text = requests.get(url + "/metrics").text
    for line in text.splitlines():
        if line.startswith("lodestone_search_duration_seconds_count") and f'plan="{plan}"' in line and 'collection="q"' in line:
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def recall(client, vectors, queries, params):
    truth = np.argsort(-(queries @ vectors.T), axis=1)[:, :10]
    hits = 0
    for query, expected in zip(queries, truth):
        found = client.query_points("q", query=query.tolist(), limit=10, search_params=params).points
        hits += len({p.id for p in found} & set(expected.tolist()))
    return hits / (10 * len(queries))


@pytest.fixture(scope="module")
def quantized():
    server = Server([])
    rng = np.random.default_rng(5)
    vectors, queries = clustered(rng, COUNT), clustered(rng, 50)
    client = QdrantClient(url=server.url, timeout=60)
    client.create_collection("q", vectors_config=models.VectorParams(size=DIM, distance=models.Distance.COSINE),
                             quantization_config=models.ScalarQuantization(scalar=models.ScalarQuantizationConfig(
                                 type=models.ScalarType.INT8, quantile=0.99, always_ram=True)))
    client.upload_collection("q", vectors=vectors, ids=list(range(COUNT)), batch_size=500, wait=True)
    yield server, client, vectors, queries
    server.stop()


def test_a_quantized_collection_walks_codes_and_rescoring_keeps_recall(quantized):
    server, client, vectors, queries = quantized
    config = client.get_collection("q").config.quantization_config
    assert config.scalar.type == models.ScalarType.INT8 and config.scalar.quantile == 0.99
    before = plan_count(server.url, "quantized_graph")
    rescored = recall(client, vectors, queries, models.SearchParams(
        hnsw_ef=128, quantization=models.QuantizationSearchParams(rescore=True, oversampling=3.0)))
    assert plan_count(server.url, "quantized_graph") >= before + len(queries), "the searches did not walk the codes"
    floats = recall(client, vectors, queries, models.SearchParams(hnsw_ef=128, quantization=models.QuantizationSearchParams(ignore=True)))
    assert rescored >= 0.95 and rescored >= floats - 0.02, (rescored, floats)
    # Without rescoring the order comes from the codes alone: still close, never better than exact.
    unscored = recall(client, vectors, queries, models.SearchParams(hnsw_ef=128, quantization=models.QuantizationSearchParams(rescore=False)))
    assert 0.6 <= unscored <= 1.0
    # Scores of a rescored answer are the float cosine similarities.
    query = queries[0]
    top = client.query_points("q", query=query.tolist(), limit=5, search_params=models.SearchParams(
        quantization=models.QuantizationSearchParams(rescore=True, oversampling=2.0))).points
    for point in top:
        assert abs(point.score - float(vectors[point.id] @ query)) < 1e-4


def test_codes_come_back_after_a_restart(quantized):
    server, client, vectors, queries = quantized
    server.halt(signal.SIGTERM)
    restarted = Server([], data=server.data)
    try:
        again = QdrantClient(url=restarted.url, timeout=60)
        assert again.get_collection("q").config.quantization_config.scalar.type == models.ScalarType.INT8
        rescored = recall(again, vectors, queries, models.SearchParams(hnsw_ef=128, quantization=models.QuantizationSearchParams(oversampling=3.0)))
        assert rescored >= 0.95
        assert plan_count(restarted.url, "quantized_graph") >= len(queries)
    finally:
        restarted.process.terminate()
        restarted.process.wait(timeout=30)
        restarted.log.close()


def test_unsupported_quantization_settings_are_refused_by_name():
    server = Server([])
    try:
        cases = {
            "binary": ({"binary": {"always_ram": True}}, "binary"),
            "product": ({"product": {"compression": "x16"}}, "product"),
            "int4": ({"scalar": {"type": "int4"}}, "int8"),
            "on disk": ({"scalar": {"type": "int8", "always_ram": False}}, "always_ram"),
            "quantile": ({"scalar": {"type": "int8", "quantile": 0.2}}, "quantile"),
            "unknown key": ({"scalar": {"type": "int8", "bits": 4}}, "bits"),
        }
        for what, (config, word) in cases.items():
            response = requests.put(server.url + "/collections/bad", json={"vectors": {"size": 4, "distance": "Dot"}, "quantization_config": config})
            assert response.status_code == 400 and word in response.json()["status"]["error"], (what, response.text)
        requests.put(server.url + "/collections/plain", json={"vectors": {"size": 4, "distance": "Dot"}}).raise_for_status()
        for params, word in [({"quantization": {"oversampling": 0.5}}, "oversampling"), ({"quantization": {"rescore": "yes"}}, "rescore"),
                             ({"quantization": {"fast": True}}, "fast")]:
            response = requests.post(server.url + "/collections/plain/points/query", json={"query": [1, 0, 0, 0], "params": params})
            assert response.status_code == 400 and word in response.json()["status"]["error"], (params, response.text)
    finally:
        server.stop()
