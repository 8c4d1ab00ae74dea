"""Drives the server through the real qdrant-client (REST) and checks answers against numpy."""
import uuid, warnings
import numpy as np
from reference import exact_top
import pytest
from qdrant_client import QdrantClient, models


def test_version_is_compatible(server):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        c = QdrantClient(url=server.url, check_compatibility=True)
        info = c.info()
        import time; time.sleep(0.5)
    assert info.version.startswith("1.")
    assert not [w for w in caught if "incompatible" in str(w.message) or "Failed to obtain" in str(w.message)]


def test_collection_lifecycle(client):
    name = "life"
    assert not client.collection_exists(name)
    assert client.create_collection(name, vectors_config=models.VectorParams(size=4, distance=models.Distance.DOT),
                                    hnsw_config=models.HnswConfigDiff(m=8, ef_construct=64))
    assert client.collection_exists(name)
    info = client.get_collection(name)
    assert info.config.params.vectors.size == 4
    assert info.config.params.vectors.distance == models.Distance.DOT
    assert info.config.hnsw_config.m == 8
    assert info.points_count == 0
    assert name in [c.name for c in client.get_collections().collections]
    with pytest.raises(Exception) as raised:
        client.create_collection(name, vectors_config=models.VectorParams(size=4, distance=models.Distance.DOT))
    assert getattr(raised.value, "status_code", None) == 409
    assert client.delete_collection(name)
    assert not client.collection_exists(name)
    assert client.delete_collection(name) is False
    # LangChain's named form with the empty name.
    client.create_collection("named", vectors_config={"": models.VectorParams(size=3, distance=models.Distance.COSINE)})
    client.upsert("named", points=[models.PointStruct(id=1, vector={"": [1.0, 0.0, 0.0]}, payload={"page_content": "x"})])
    hit = client.query_points("named", query=[1.0, 0.1, 0.0], using="", limit=1).points[0]
    assert hit.id == 1 and hit.payload == {"page_content": "x"}
    client.delete_collection("named")


def test_points_crud(client, filled):
    vectors, payloads = filled
    assert client.count("pts", exact=True).count == len(vectors)
    got = client.retrieve("pts", ids=[3, 5, 999999], with_payload=True, with_vectors=True)
    assert sorted(p.id for p in got) == [3, 5]
    p3 = next(p for p in got if p.id == 3)
    assert p3.payload == payloads[3]
    assert np.allclose(p3.vector, vectors[3], atol=1e-6)
    one = client.http.points_api.get_point("pts", 7).result
    assert one.id == 7 and one.payload["n"] == 7

    u = str(uuid.uuid4())
    client.upsert("pts", points=[models.PointStruct(id=u, vector=vectors[0].tolist(), payload={"k": 1})])
    assert client.retrieve("pts", ids=[u])[0].id == u
    client.delete("pts", points_selector=models.PointIdsList(points=[u]))
    assert client.retrieve("pts", ids=[u]) == []

    client.set_payload("pts", payload={"color": "red"}, points=[10, 11])
    assert client.retrieve("pts", ids=[10])[0].payload["color"] == "red"
    client.overwrite_payload("pts", payload={"only": True}, points=[11])
    assert client.retrieve("pts", ids=[11])[0].payload == {"only": True}
    client.delete_payload("pts", keys=["color"], points=[10])
    assert "color" not in client.retrieve("pts", ids=[10])[0].payload
    client.clear_payload("pts", points_selector=models.PointIdsList(points=[11]))
    assert client.retrieve("pts", ids=[11])[0].payload == {}
    client.overwrite_payload("pts", payload=payloads[11], points=[11])
    client.overwrite_payload("pts", payload=payloads[10], points=[10])


def test_scroll_pages_in_id_order(client, filled):
    vectors, _ = filled
    seen, offset = [], None
    while True:
        points, offset = client.scroll("pts", limit=300, offset=offset, with_vectors=False)
        seen += [p.id for p in points]
        if offset is None:
            break
    assert seen == sorted(seen) and len(seen) == len(vectors)
    berlin, _ = client.scroll("pts", scroll_filter=models.Filter(must=[models.FieldCondition(key="city", match=models.MatchValue(value="Berlin"))]), limit=10000)
    assert len(berlin) == len(vectors) // 4
    assert all(p.payload["city"] == "Berlin" for p in berlin)


def test_query_matches_exact_answer(client, filled):
    vectors, _ = filled
    ids = list(range(len(vectors)))
    rng = np.random.default_rng(1)
    recalls = []
    for _ in range(20):
        q = rng.normal(size=vectors.shape[1]).astype(np.float32)
        truth, scores = exact_top(vectors, ids, q, 11, "cosine")
        truth, scores = truth[:10], scores
        exact = client.query_points("pts", query=q.tolist(), limit=10, search_params=models.SearchParams(exact=True)).points
        assert [p.id for p in exact] == truth
        assert np.allclose([p.score for p in exact], scores[:10], atol=1e-4)
        approx = client.query_points("pts", query=q.tolist(), limit=10, search_params=models.SearchParams(hnsw_ef=128)).points
        recalls.append(len(set(p.id for p in approx) & set(truth)) / 10)
        paged = client.query_points("pts", query=q.tolist(), limit=5, offset=5, search_params=models.SearchParams(exact=True)).points
        assert [p.id for p in paged] == truth[5:10]
        above = client.query_points("pts", query=q.tolist(), limit=10, score_threshold=float(scores[4] + scores[5]) / 2, search_params=models.SearchParams(exact=True)).points
        assert [p.id for p in above] == truth[:5]
    assert np.mean(recalls) >= 0.95
    with_vec = client.query_points("pts", query=vectors[5].tolist(), limit=1, with_vectors=True, with_payload=False).points[0]
    assert with_vec.id == 5 and with_vec.payload is None and len(with_vec.vector) == vectors.shape[1]
    by_id = client.query_points("pts", query=5, limit=1).points[0]
    assert by_id.id == 5
    batch = client.query_batch_points("pts", requests=[models.QueryRequest(query=vectors[1].tolist(), limit=1),
                                                      models.QueryRequest(query=vectors[2].tolist(), limit=1)])
    assert [r.points[0].id for r in batch] == [1, 2]


def test_legacy_search_endpoints(server, filled):
    """`points/search` and `points/search/batch`, which qdrant-client < 1.16 and older LangChain call."""
    import requests
    vectors, _ = filled
    ids = list(range(len(vectors)))
    truth, _ = exact_top(vectors, ids, vectors[9], 5, "cosine")
    body = {"vector": vectors[9].tolist(), "limit": 5, "with_payload": True, "params": {"exact": True}}
    result = requests.post(server.url + "/collections/pts/points/search", json=body).json()["result"]
    assert [p["id"] for p in result] == truth
    assert all("payload" in p and "score" in p and "version" in p for p in result)
    named = {"vector": {"name": "", "vector": vectors[9].tolist()}, "top": 3, "params": {"exact": True}}
    batch = requests.post(server.url + "/collections/pts/points/search/batch", json={"searches": [body, named]}).json()["result"]
    assert [p["id"] for p in batch[0]] == truth
    assert [p["id"] for p in batch[1]] == truth[:3]
