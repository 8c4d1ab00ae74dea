"""Scalar int8 and binary quantization through the API as qdrant-client configures them: a
collection created with `quantization_config` walks its graph on codes (the search metrics name the
plan) and re-ranks on the floats; answers are checked against numpy's exact top 10 (and, for binary,
against numpy's own bits-then-rescore ranking), before and after a restart. A `PATCH` of the
collection switches quantization on and off through a build and its gates. Unsupported settings are
refused by name."""
import time
import numpy as np
import pytest, requests
from qdrant_client import QdrantClient, models
from conftest import Server
from clustered_vectors import DIM, clustered, paged_vector_files, recall, upload

COUNT = 3_000


def plan_count(url, plan):
    text = requests.get(url + "/metrics").text
    for line in text.splitlines():
        if line.startswith("lodestone_search_duration_seconds_count") and f'plan="{plan}"' in line and 'collection="q"' in line:
            return float(line.rsplit(" ", 1)[1])
    return 0.0


@pytest.fixture(scope="module")
def quantized():
    server = Server([])
    rng = np.random.default_rng(5)
    vectors, queries = clustered(rng, COUNT), clustered(rng, 50)
    client = QdrantClient(url=server.url, timeout=60)
    client.create_collection("q", vectors_config=models.VectorParams(size=DIM, distance=models.Distance.COSINE),
                             quantization_config=models.ScalarQuantization(scalar=models.ScalarQuantizationConfig(
                                 type=models.ScalarType.INT8, quantile=0.99, always_ram=True)))
    upload(client, "q", vectors)
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
    # The floats were moved out of the graph into an unlinked file on the data's disk.
    sizes = paged_vector_files(server)
    assert sizes and max(sizes) >= COUNT * DIM * 4, sizes


def test_codes_come_back_after_a_restart(quantized):
    server, client, vectors, queries = quantized
    with server.restarted() as restarted:
        again = QdrantClient(url=restarted.url, timeout=60)
        assert again.get_collection("q").config.quantization_config.scalar.type == models.ScalarType.INT8
        rescored = recall(again, vectors, queries, models.SearchParams(hnsw_ef=128, quantization=models.QuantizationSearchParams(oversampling=3.0)))
        assert rescored >= 0.95
        assert plan_count(restarted.url, "quantized_graph") >= len(queries)
        assert paged_vector_files(restarted), "the reopened graph kept its floats in memory"


def test_unsupported_quantization_settings_are_refused_by_name():
    server = Server([])
    try:
        cases = {
            "product": ({"product": {"compression": "x16"}}, "product"),
            "int4": ({"scalar": {"type": "int4"}}, "int8"),
            "on disk": ({"scalar": {"type": "int8", "always_ram": False}}, "always_ram"),
            "quantile": ({"scalar": {"type": "int8", "quantile": 0.2}}, "quantile"),
            "unknown key": ({"scalar": {"type": "int8", "bits": 4}}, "bits"),
            "two bits": ({"binary": {"encoding": "two_bits"}}, "two_bits"),
            "query encoding": ({"binary": {"query_encoding": "scalar2bits"}}, "scalar2bits"),
            "binary on disk": ({"binary": {"memory": "on_disk"}}, "memory"),
            "both kinds": ({"scalar": {"type": "int8"}, "binary": {}}, "one of"),
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


def bits_then_rescore_recall(vectors, queries, oversampling):
    """Binary quantization computed here: a bit per dimension above its mean, the candidates with
    the fewest differing bits, re-ranked by the exact cosine."""
    mean = vectors.mean(axis=0)
    stored, asked = vectors > mean, queries > mean
    truth = np.argsort(-(queries @ vectors.T), axis=1)[:, :10]
    hits = 0
    for query, bits, expected in zip(queries, asked, truth):
        hamming = (stored != bits).sum(axis=1)
        candidates = np.argsort(hamming, kind="stable")[: 10 * oversampling]
        top = candidates[np.argsort(-(vectors[candidates] @ query))[:10]]
        hits += len(set(top.tolist()) & set(expected.tolist()))
    return hits / (10 * len(queries))


def weighted_bits_recall(vectors, queries, oversampling):
    """The asymmetric form computed here: stored bits read as mean + deviation x (+-1), scored
    against the float query, the best candidates re-ranked by the exact cosine."""
    mean = vectors.mean(axis=0)
    deviation = np.abs(vectors - mean).mean(axis=0)
    signs = np.where(vectors > mean, 1.0, -1.0).astype(np.float32)
    truth = np.argsort(-(queries @ vectors.T), axis=1)[:, :10]
    hits = 0
    for query, expected in zip(queries, truth):
        candidates = np.argsort(-(signs @ (query * deviation)), kind="stable")[: 10 * oversampling]
        top = candidates[np.argsort(-(vectors[candidates] @ query))[:10]]
        hits += len(set(top.tolist()) & set(expected.tolist()))
    return hits / (10 * len(queries))


def test_a_binary_collection_walks_bits_as_numpy_ranks_them():
    server = Server([])
    try:
        rng = np.random.default_rng(9)
        dim, count = 256, 3_000
        # Spread directions with a shared offset, as sentence embeddings have: centring matters.
        vectors = rng.normal(size=(count, dim)).astype(np.float32) + 1.5
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        queries = vectors[rng.choice(count, 40, replace=False)] + 0.02 * rng.normal(size=(40, dim)).astype(np.float32)
        queries /= np.linalg.norm(queries, axis=1, keepdims=True)
        client = QdrantClient(url=server.url, timeout=60)
        client.create_collection("q", vectors_config=models.VectorParams(size=dim, distance=models.Distance.COSINE),
                                 quantization_config=models.BinaryQuantization(binary=models.BinaryQuantizationConfig(always_ram=True)))
        upload(client, "q", vectors)
        assert client.get_collection("q").config.quantization_config.binary is not None
        before = plan_count(server.url, "quantized_graph")
        params = models.SearchParams(hnsw_ef=256, quantization=models.QuantizationSearchParams(rescore=True, oversampling=4.0))
        served = recall(client, vectors, queries, params)
        assert plan_count(server.url, "quantized_graph") >= before + len(queries)
        expected = bits_then_rescore_recall(vectors, queries, 4)
        assert served >= expected - 0.08, (served, expected)
        top = client.query_points("q", query=queries[0].tolist(), limit=5, search_params=params).points
        for point in top:
            assert abs(point.score - float(vectors[point.id] @ queries[0])) < 1e-4
        # Queries kept at 8 bits per dimension against the same stored bits (Qdrant's scalar8bits).
        client.create_collection("q8", vectors_config=models.VectorParams(size=dim, distance=models.Distance.COSINE),
                                 quantization_config=models.BinaryQuantization(binary=models.BinaryQuantizationConfig(
                                     query_encoding=models.BinaryQuantizationQueryEncoding.SCALAR8BITS)))
        upload(client, "q8", vectors)
        assert client.get_collection("q8").config.quantization_config.binary.query_encoding == models.BinaryQuantizationQueryEncoding.SCALAR8BITS
        asymmetric = recall(client, vectors, queries, params, collection="q8")
        assert asymmetric >= weighted_bits_recall(vectors, queries, 4) - 0.08 and asymmetric >= served - 0.02, (asymmetric, served)
    finally:
        server.stop()


def wait_for_quantization(client, name, present, url, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        config = client.get_collection(name).config.quantization_config
        if (config is not None) == present:
            return config
        time.sleep(0.5)
    audit = requests.get(url + f"/collections/{name}/audit").json()["result"]["entries"]
    raise AssertionError(f"quantization_config did not become {'set' if present else 'unset'} in {timeout} s; audit: {audit}")


def wait_for_audit(url, action, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        entries = requests.get(url + "/collections/q/audit").json()["result"]["entries"]
        found = [entry for entry in entries if entry["action"] == action]
        if found:
            return found[-1]
        time.sleep(0.5)
    raise AssertionError(f"no `{action}` in the audit trail after {timeout} s")


def test_patch_switches_quantization_through_a_build_and_its_gates():
    server = Server([])
    try:
        rng = np.random.default_rng(13)
        vectors, queries = clustered(rng, COUNT), clustered(rng, 40)
        client = QdrantClient(url=server.url, timeout=60)
        client.create_collection("q", vectors_config=models.VectorParams(size=DIM, distance=models.Distance.COSINE))
        upload(client, "q", vectors)
        int8 = models.ScalarQuantization(scalar=models.ScalarQuantizationConfig(type=models.ScalarType.INT8, always_ram=True))
        # With the default gates (within 0.01 of production's recall) the codes, searched with
        # Qdrant's default oversampling 1, cost too much recall: the build is refused, recorded,
        # and the collection keeps serving its floats.
        assert client.update_collection("q", quantization_config=int8)
        refusal = wait_for_audit(server.url, "refused")
        assert "below production" in " ".join(refusal["gate"]["failures"]) and refusal["reason"].startswith("PATCH quantization_config")
        assert client.get_collection("q").config.quantization_config is None
        # The refusal measured more oversampling on the same queries and says which would pass.
        gate = refusal["gate"]["recall"]
        oversampled = gate["oversampled_recall"]
        assert [o["oversampling"] for o in oversampled] == [2, 4, 8][:len(oversampled)], oversampled
        needed = max(gate["floor"], gate["production"] - gate["margin"])
        advised = oversampled[-1]
        assert advised["recall"] >= needed, oversampled
        assert all(o["recall"] < needed for o in oversampled[:-1]), oversampled
        assert f"at oversampling {advised['oversampling']:g} the same queries reach" in " ".join(refusal["gate"]["failures"])
        # A team that accepts the cost widens the margin; the same update then goes through.
        requests.put(server.url + "/collections/q/gates", json={"recall_margin": 0.2, "recall_floor": 0.8}).raise_for_status()
        assert client.update_collection("q", quantization_config=int8)
        config = wait_for_quantization(client, "q", True, server.url)
        assert config.scalar.type == models.ScalarType.INT8
        builds = requests.get(server.url + "/collections/q/builds").json()["result"]["builds"]
        quantized = [b for b in builds if b.get("quantization", "none") != "none"]
        assert quantized and quantized[-1]["status"] == "ready" and quantized[-1]["recall"]["recall"] >= 0.8, builds
        actions = [entry["action"] for entry in requests.get(server.url + "/collections/q/audit").json()["result"]["entries"]]
        assert actions.count("collection_update") == 2 and "promote" in actions, actions
        before = plan_count(server.url, "quantized_graph")
        assert recall(client, vectors, queries, models.SearchParams(hnsw_ef=128, quantization=models.QuantizationSearchParams(oversampling=3.0))) >= 0.95
        # The advice holds on other queries, against numpy: the advised oversampling at the gate's ef.
        advised_params = models.SearchParams(hnsw_ef=gate["candidate_ef"],
                                             quantization=models.QuantizationSearchParams(oversampling=advised["oversampling"]))
        assert recall(client, vectors, queries, advised_params) >= 0.95
        assert plan_count(server.url, "quantized_graph") >= before + len(queries)
        # Qdrant's "Disabled" turns it off the same way; the searches walk the floats again.
        assert client.update_collection("q", quantization_config=models.Disabled.DISABLED)
        wait_for_quantization(client, "q", False, server.url)
        before = plan_count(server.url, "quantized_graph")
        assert recall(client, vectors, queries, models.SearchParams(hnsw_ef=128)) >= 0.95
        assert plan_count(server.url, "quantized_graph") == before
        # A rollback serves the previous build with the codes it served with.
        requests.post(server.url + "/collections/q/rollback", json={"reason": "back to int8"}).raise_for_status()
        assert wait_for_quantization(client, "q", True, server.url).scalar.type == models.ScalarType.INT8
        before = plan_count(server.url, "quantized_graph")
        recall(client, vectors, queries[:5], models.SearchParams(hnsw_ef=64))
        assert plan_count(server.url, "quantized_graph") >= before + 5
        # What an update cannot change is refused with what to do instead, and nothing starts.
        count = len(requests.get(server.url + "/collections/q/builds").json()["result"]["builds"])
        for body, word in [({"hnsw_config": {"m": 32}}, "builds"), ({"optimizers_config": {"indexing_threshold": 1}}, "optimizers_config"),
                           ({"quantization_config": "Enabled"}, "Disabled"), ({"quantization_config": {"product": {}}}, "product"),
                           ({"colour": "red"}, "colour")]:
            response = requests.patch(server.url + "/collections/q", json=body)
            assert response.status_code == 400 and word in response.json()["status"]["error"], (body, response.text)
        assert len(requests.get(server.url + "/collections/q/builds").json()["result"]["builds"]) == count
        assert requests.patch(server.url + "/collections/missing", json={"quantization_config": "Disabled"}).status_code == 404
    finally:
        server.stop()


def wait_for_build(url, collection, number, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        build = requests.get(url + f"/collections/{collection}/builds/{number}").json()["result"]
        if build["status"] in ("ready", "failed"):
            return build
        time.sleep(0.3)
    raise AssertionError(f"build {number} did not finish in {timeout} s")


def test_an_update_build_keeps_the_serving_builds_graph_parameters():
    """A promoted build's m, ef_construct and ef are what a PATCH of the codes builds with, not
    the collection's creation settings: changing the codes must not quietly change the graph."""
    server = Server([])
    try:
        url = server.url
        rng = np.random.default_rng(14)
        client = QdrantClient(url=url, timeout=60)
        client.create_collection("p", vectors_config=models.VectorParams(size=DIM, distance=models.Distance.COSINE))
        upload(client, "p", clustered(rng, 1_500))
        started = requests.post(url + "/collections/p/builds", json={"m": 12, "ef_construct": 100, "ef": 96})
        assert started.status_code == 202, started.text
        tuned = wait_for_build(url, "p", started.json()["result"]["number"])
        assert tuned["status"] == "ready", tuned
        requests.post(url + "/collections/p/promote", json={"build": tuned["number"], "force": True, "reason": "tuned graph"}).raise_for_status()
        requests.put(url + "/collections/p/gates", json={"recall_margin": 0.5, "recall_floor": 0.1}).raise_for_status()
        int8 = models.ScalarQuantization(scalar=models.ScalarQuantizationConfig(type=models.ScalarType.INT8, always_ram=True))
        assert client.update_collection("p", quantization_config=int8)
        wait_for_quantization(client, "p", True, url)
        builds = requests.get(url + "/collections/p/builds").json()["result"]["builds"]
        update = [b for b in builds if b.get("quantization", "none") != "none"][-1]
        assert (update["m"], update["ef_construct"], update["ef"]) == (12, 100, 96), update
        assert update["number"] > tuned["number"]
    finally:
        server.stop()
