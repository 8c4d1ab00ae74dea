"""Where a collection's float vectors live, as Qdrant's dense `on_disk` (and its newer `memory`)
chooses: `on_disk: true` keeps them in an unlinked file the OS pages even without quantization (the
graph walk reads them through its mapping), `on_disk: false` keeps them in memory even with int8
codes, and the default pages them exactly when the collection is quantized. Answers are checked
against numpy's exact top 10 and cosine scores; the placement against the server's own mappings
(/proc/PID/maps), before and after a restart. Keys Qdrant's VectorParams does not have are refused."""
import numpy as np
import pytest, requests
from qdrant_client import QdrantClient, models
from conftest import Server
from clustered_vectors import DIM, clustered, paged_vector_files, recall, upload

COUNT = 2_500


@pytest.fixture(scope="module")
def placed():
    server = Server([])
    rng = np.random.default_rng(8)
    vectors, queries = clustered(rng, COUNT), clustered(rng, 40)
    client = QdrantClient(url=server.url, timeout=60)
    client.create_collection("disk", vectors_config=models.VectorParams(size=DIM, distance=models.Distance.COSINE, on_disk=True))
    client.create_collection("ram", vectors_config=models.VectorParams(size=DIM, distance=models.Distance.COSINE, on_disk=False),
                             quantization_config=models.ScalarQuantization(scalar=models.ScalarQuantizationConfig(type=models.ScalarType.INT8)))
    for name in ["disk", "ram"]:
        upload(client, name, vectors)
    yield server, client, vectors, queries
    server.stop()


def check_answers(client, name, vectors, queries):
    # Codes rescore 3 x limit candidates; float graphs ignore the setting.
    params = models.SearchParams(hnsw_ef=128, quantization=models.QuantizationSearchParams(oversampling=3.0))
    assert recall(client, vectors, queries, params, collection=name) >= 0.95
    # The exact scan reads every paged vector: numpy's top 10, with its scores.
    query = queries[0]
    exact = client.query_points(name, query=query.tolist(), limit=10, search_params=models.SearchParams(exact=True)).points
    truth = np.argsort(-(vectors @ query))[:10]
    assert [p.id for p in exact] == truth.tolist()
    for point in exact:
        assert abs(point.score - float(vectors[point.id] @ query)) < 1e-4


def test_on_disk_pages_a_float_collection_and_keeps_its_answers(placed):
    server, client, vectors, queries = placed
    assert client.get_collection("disk").config.params.vectors.on_disk is True
    assert client.get_collection("ram").config.params.vectors.on_disk is False
    check_answers(client, "disk", vectors, queries)
    check_answers(client, "ram", vectors, queries)
    # One file: the `disk` collection's floats. The quantized `ram` collection holds its own.
    sizes = paged_vector_files(server)
    assert len(sizes) == 1 and sizes[0] >= COUNT * DIM * 4, sizes


def test_the_placement_survives_a_restart(placed):
    server, client, vectors, queries = placed
    with server.restarted() as restarted:
        again = QdrantClient(url=restarted.url, timeout=60)
        assert again.get_collection("disk").config.params.vectors.on_disk is True
        check_answers(again, "disk", vectors, queries)
        sizes = paged_vector_files(restarted)
        assert len(sizes) == 1 and sizes[0] >= COUNT * DIM * 4, sizes


def test_named_vectors_and_memory_choose_per_vector_and_unknown_keys_are_refused():
    server = Server([])
    try:
        url = server.url
        body = {"vectors": {"cold": {"size": 8, "distance": "Dot", "memory": "cold"}, "warm": {"size": 8, "distance": "Dot"}}}
        requests.put(url + "/collections/named", json=body).raise_for_status()
        described = requests.get(url + "/collections/named").json()["result"]["config"]["params"]["vectors"]
        assert described["cold"]["on_disk"] is True and "on_disk" not in described["warm"], described
        points = [{"id": i, "vector": {"cold": [float(i + 1)] * 8, "warm": [1.0] * 8}} for i in range(20)]
        requests.put(url + "/collections/named/points?wait=true", json={"points": points}).raise_for_status()
        found = requests.post(url + "/collections/named/points/query", json={"query": [1.0] * 8, "using": "cold", "limit": 1}).json()
        assert found["result"]["points"][0]["id"] == 19 and abs(found["result"]["points"][0]["score"] - 160.0) < 1e-3
        assert len(paged_vector_files(server)) == 1
        cases = [({"size": 4, "distance": "Dot", "on_disks": True}, "on_disks"),
                 ({"size": 4, "distance": "Dot", "memory": "pinned"}, "pinned"),
                 ({"size": 4, "distance": "Dot", "memory": "hot"}, "cold"),
                 ({"size": 4, "distance": "Dot", "on_disk": "yes"}, "on_disk")]
        for vectors, word in cases:
            response = requests.put(url + "/collections/bad", json={"vectors": vectors})
            assert response.status_code == 400 and word in response.json()["status"]["error"], (vectors, response.text)
    finally:
        server.stop()


def test_an_update_moves_the_floats_at_once_without_a_build():
    """qdrant-client's `update_collection(vectors_config={"": VectorParamsDiff(on_disk=...)})`:
    placement changes no answer, so no build or gate; the floats move now and stay after a restart."""
    server = Server([])
    try:
        rng = np.random.default_rng(9)
        vectors, queries = clustered(rng, COUNT), clustered(rng, 40)
        client = QdrantClient(url=server.url, timeout=60)
        client.create_collection("moving", vectors_config=models.VectorParams(size=DIM, distance=models.Distance.COSINE))
        upload(client, "moving", vectors)
        assert paged_vector_files(server) == []
        builds_before = requests.get(server.url + "/collections/moving/builds").json()["result"]["builds"]

        assert client.update_collection("moving", vectors_config={"": models.VectorParamsDiff(on_disk=True)})
        assert client.get_collection("moving").config.params.vectors.on_disk is True
        sizes = paged_vector_files(server)
        assert len(sizes) == 1 and sizes[0] >= COUNT * DIM * 4, sizes
        check_answers(client, "moving", vectors, queries)
        assert requests.get(server.url + "/collections/moving/builds").json()["result"]["builds"] == builds_before

        with server.restarted() as restarted:
            again = QdrantClient(url=restarted.url, timeout=60)
            assert again.get_collection("moving").config.params.vectors.on_disk is True
            assert len(paged_vector_files(restarted)) == 1
            assert again.update_collection("moving", vectors_config={"": models.VectorParamsDiff(on_disk=False)})
            assert again.get_collection("moving").config.params.vectors.on_disk is False
            assert paged_vector_files(restarted) == []
            check_answers(again, "moving", vectors, queries)
            audit = requests.get(restarted.url + "/collections/moving/audit").json()["result"]
            entries = audit.get("entries", audit) if isinstance(audit, dict) else audit
            reasons = [entry.get("reason") for entry in entries if entry["action"] == "collection_update"]
            assert reasons == ["PATCH vectors: `` on disk", "PATCH vectors: `` in memory"], reasons

            cases = [({"vectors": {"nope": {"on_disk": True}}}, "nope"),
                     ({"vectors": {"": {"on_disk": True, "size": 8}}}, "size"),
                     ({"vectors": {"": {"hnsw_config": {"m": 8}}}}, "builds"),
                     ({"vectors": {"": {"memory": "pinned"}}}, "pinned"),
                     # Nothing is applied when another part of the body is refused.
                     ({"vectors": {"": {"on_disk": True}}, "quantization_config": {"scalar": {"type": "int4"}}}, "int4")]
            for body, word in cases:
                response = requests.patch(restarted.url + "/collections/moving", json=body)
                assert response.status_code == 400 and word in response.json()["status"]["error"], (body, response.text)
            assert again.get_collection("moving").config.params.vectors.on_disk is False
            assert paged_vector_files(restarted) == []
    finally:
        server.stop()
