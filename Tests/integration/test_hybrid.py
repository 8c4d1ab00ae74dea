"""Named dense and sparse vectors, prefetch + fusion, MMR, through the real qdrant-client; every
answer is checked against the same computation in numpy."""
import math
import numpy as np
import pytest
from qdrant_client import models
from qdrant_client.http.exceptions import UnexpectedResponse

N, DIM, VOCAB = 300, 8, 60


@pytest.fixture(scope="module")
def hybrid(client):
    rng = np.random.default_rng(11)
    dense = rng.normal(size=(N, DIM)).astype(np.float32)
    other = rng.normal(size=(N, 4)).astype(np.float32)
    sparse = []
    for i in range(N):
        if i % 10 == 9:
            sparse.append(None)  # some points carry no sparse vector at all
            continue
        terms = sorted(set(int(t) for t in rng.zipf(1.3, size=6) % VOCAB))
        sparse.append((terms, rng.uniform(0.1, 3.0, size=len(terms)).astype(np.float32).tolist()))
    client.create_collection(
        "hybrid",
        vectors_config={"dense": models.VectorParams(size=DIM, distance=models.Distance.COSINE),
                        "other": models.VectorParams(size=4, distance=models.Distance.EUCLID)},
        sparse_vectors_config={"words": models.SparseVectorParams(), "weighted": models.SparseVectorParams(modifier=models.Modifier.IDF)})
    points = []
    for i in range(N):
        vector = {"dense": dense[i].tolist(), "other": other[i].tolist()}
        if sparse[i]:
            vector["words"] = models.SparseVector(indices=sparse[i][0], values=sparse[i][1])
            vector["weighted"] = models.SparseVector(indices=sparse[i][0], values=sparse[i][1])
        points.append(models.PointStruct(id=i, vector=vector, payload={"group": "a" if i % 3 == 0 else "b"}))
    client.upsert("hybrid", points=points)
    return dense, other, sparse


def sparse_scores(sparse, query, idf=False):
    live = [s for s in sparse if s]
    weights = {}
    for index in query[0]:
        n = sum(1 for s in live if index in s[0])
        weights[index] = math.log((len(live) - n + 0.5) / (n + 0.5) + 1) if idf else 1.0
    scores = {}
    for i, s in enumerate(sparse):
        if not s:
            continue
        doc = dict(zip(*s))
        shared = [(index, value) for index, value in zip(*query) if index in doc]
        if shared:
            scores[i] = sum(weights[index] * value * doc[index] for index, value in shared)
    return scores


def top(scores, k):
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:k]


def cosine(matrix, query):
    return (matrix @ query) / (np.linalg.norm(matrix, axis=1) * np.linalg.norm(query))


def test_collection_reports_named_and_sparse_vectors(client, hybrid):
    info = client.get_collection("hybrid")
    assert set(info.config.params.vectors) == {"dense", "other"}
    assert info.config.params.vectors["other"].size == 4
    assert info.config.params.vectors["other"].distance == models.Distance.EUCLID
    assert set(info.config.params.sparse_vectors) == {"words", "weighted"}
    assert info.config.params.sparse_vectors["weighted"].modifier == models.Modifier.IDF
    point = client.retrieve("hybrid", ids=[0], with_vectors=True)[0]
    assert set(point.vector) == {"dense", "other", "words", "weighted"}
    assert client.retrieve("hybrid", ids=[9], with_vectors=True)[0].vector.keys() == {"dense", "other"}


@pytest.mark.parametrize("name,idf", [("words", False), ("weighted", True)])
def test_sparse_query_is_exact_dot_product(client, hybrid, name, idf):
    _, _, sparse = hybrid
    for query in [([0, 1, 2], [1.0, 0.5, 2.0]), ([3], [1.0]), ([1, 7, 59], [0.3, 1.2, 0.8])]:
        expected = top(sparse_scores(sparse, query, idf=idf), 10)
        hits = client.query_points("hybrid", query=models.SparseVector(indices=query[0], values=query[1]), using=name, limit=10).points
        assert [hit.id for hit in hits] == [i for i, _ in expected]
        assert np.allclose([hit.score for hit in hits], [s for _, s in expected], rtol=1e-4)


def test_sparse_query_with_filter(client, hybrid):
    _, _, sparse = hybrid
    query = ([0, 1], [1.0, 1.0])
    scores = {i: s for i, s in sparse_scores(sparse, query).items() if i % 3 == 0}
    hits = client.query_points("hybrid", query=models.SparseVector(indices=query[0], values=query[1]), using="words", limit=5,
                               query_filter=models.Filter(must=[models.FieldCondition(key="group", match=models.MatchValue(value="a"))])).points
    assert [hit.id for hit in hits] == [i for i, _ in top(scores, 5)]


def prefetch_lists(client, dense_query, sparse_query, limit):
    dense_hits = client.query_points("hybrid", query=dense_query, using="dense", limit=limit).points
    sparse_hits = client.query_points("hybrid", query=sparse_query, using="words", limit=limit).points
    return [dense_hits, sparse_hits]


def test_rrf_and_dbsf_fuse_the_prefetch_lists(client, hybrid):
    dense, _, _ = hybrid
    dense_query = dense[5].tolist()
    sparse_query = models.SparseVector(indices=[0, 1, 2, 3], values=[1.0, 1.0, 0.5, 0.5])
    lists = prefetch_lists(client, dense_query, sparse_query, 20)
    prefetch = [models.Prefetch(query=dense_query, using="dense", limit=20), models.Prefetch(query=sparse_query, using="words", limit=20)]

    rrf = {}
    for hits in lists:
        for position, hit in enumerate(hits):
            rrf[hit.id] = rrf.get(hit.id, 0) + 1 / (2 + position)
    fused = client.query_points("hybrid", prefetch=prefetch, query=models.FusionQuery(fusion=models.Fusion.RRF), limit=10).points
    assert np.allclose([hit.score for hit in fused], [s for _, s in top(rrf, 10)], rtol=1e-5)
    assert {hit.id for hit in fused if hit.score > top(rrf, 10)[-1][1] + 1e-6} <= {i for i, _ in top(rrf, 10)}

    ranked = client.query_points("hybrid", prefetch=prefetch, query=models.RrfQuery(rrf=models.Rrf(k=60)), limit=5).points
    rrf60 = {}
    for hits in lists:
        for position, hit in enumerate(hits):
            rrf60[hit.id] = rrf60.get(hit.id, 0) + 1 / (60 + position)
    assert np.allclose([hit.score for hit in ranked], [s for _, s in top(rrf60, 5)], rtol=1e-5)

    dbsf = {}
    for hits in lists:
        scores = np.array([hit.score for hit in hits], dtype=np.float64)
        mean, std = scores.mean(), scores.std(ddof=1)
        low, high = mean - 3 * std, mean + 3 * std
        for hit, score in zip(hits, scores):
            dbsf[hit.id] = dbsf.get(hit.id, 0) + (score - low) / (high - low)
    fused = client.query_points("hybrid", prefetch=prefetch, query=models.FusionQuery(fusion=models.Fusion.DBSF), limit=10).points
    assert [hit.id for hit in fused] == [i for i, _ in top(dbsf, 10)]
    assert np.allclose([hit.score for hit in fused], [s for _, s in top(dbsf, 10)], rtol=1e-4)


def test_prefetch_then_rescore_with_another_vector(client, hybrid):
    dense, other, _ = hybrid
    candidates = client.query_points("hybrid", query=dense[7].tolist(), using="dense", limit=30).points
    ids = np.array([hit.id for hit in candidates])
    distances = np.linalg.norm(other[ids] - other[3], axis=1)
    expected = ids[np.argsort(distances, kind="stable")][:5]
    hits = client.query_points("hybrid", prefetch=models.Prefetch(query=dense[7].tolist(), using="dense", limit=30),
                               query=other[3].tolist(), using="other", limit=5).points
    assert [hit.id for hit in hits] == expected.tolist()
    assert np.allclose([hit.score for hit in hits], np.sort(distances)[:5], rtol=1e-4)


def test_mmr_follows_qdrant_definition(client, hybrid):
    dense, _, _ = hybrid
    query = dense[11] + 0.1
    similarity = cosine(dense, query)
    pool = list(np.argsort(-similarity, kind="stable")[:25])
    normalized = dense / np.linalg.norm(dense, axis=1, keepdims=True)
    lam = 1 - 0.6
    chosen = [max(pool, key=lambda i: similarity[i])]
    while len(chosen) < 6:
        rest = [i for i in pool if i not in chosen]
        chosen.append(max(rest, key=lambda i: lam * similarity[i] - (1 - lam) * max(normalized[i] @ normalized[j] for j in chosen)))
    hits = client.query_points("hybrid", query=models.NearestQuery(nearest=query.tolist(), mmr=models.Mmr(diversity=0.6, candidates_limit=25)),
                               using="dense", limit=6).points
    assert [hit.id for hit in hits] == [int(i) for i in chosen]
    assert np.allclose([hit.score for hit in hits], [similarity[i] for i in chosen], rtol=1e-4)


def test_query_by_point_id_with_using_and_lookup_from(client, hybrid):
    dense, other, _ = hybrid
    by_id = client.query_points("hybrid", query=4, using="other", limit=3).points
    expected = np.argsort(np.linalg.norm(other - other[4], axis=1), kind="stable")[:3]
    assert [hit.id for hit in by_id] == expected.tolist()
    client.create_collection("lookup", vectors_config={"probe": models.VectorParams(size=DIM, distance=models.Distance.COSINE)})
    client.upsert("lookup", points=[models.PointStruct(id=1, vector={"probe": dense[20].tolist()})])
    hits = client.query_points("hybrid", query=1, using="dense", limit=1,
                               lookup_from=models.LookupLocation(collection="lookup", vector="probe")).points
    assert hits[0].id == 20


def test_update_and_delete_vectors(client, hybrid):
    client.update_vectors("hybrid", points=[models.PointVectors(id=9, vector={"words": models.SparseVector(indices=[58], values=[5.0])})])
    hits = client.query_points("hybrid", query=models.SparseVector(indices=[58], values=[1.0]), using="words", limit=1).points
    assert hits[0].id == 9 and abs(hits[0].score - 5.0) < 1e-6
    assert set(client.retrieve("hybrid", ids=[9], with_vectors=True)[0].vector) == {"dense", "other", "words"}
    client.delete_vectors("hybrid", vectors=["words"], points=[9])
    hits = client.query_points("hybrid", query=models.SparseVector(indices=[58], values=[1.0]), using="words", limit=5).points
    assert 9 not in [hit.id for hit in hits]
    assert client.retrieve("hybrid", ids=[9], with_payload=True)[0].payload == {"group": "a"}


def test_unknown_names_and_unsupported_forms_are_refused(client, hybrid):
    with pytest.raises(UnexpectedResponse) as refused:
        client.query_points("hybrid", query=[0.0] * DIM, using="missing", limit=1)
    assert refused.value.status_code == 400 and "`dense`" in str(refused.value) and "`words`" in str(refused.value)
    with pytest.raises(UnexpectedResponse) as refused:
        client.upsert("hybrid", points=[models.PointStruct(id=1000, vector={"nope": [1.0]})])
    assert refused.value.status_code == 400 and "nope" in str(refused.value)
    with pytest.raises(UnexpectedResponse) as refused:
        client.scroll("hybrid", limit=3, order_by="group")
    assert refused.value.status_code == 400 and "order_by" in str(refused.value)
    with pytest.raises(UnexpectedResponse) as refused:
        client.query_points("hybrid", query=models.RecommendQuery(recommend=models.RecommendInput(positive=[1])), using="dense")
    assert refused.value.status_code == 400


def test_query_groups_with_lookup(client, hybrid):
    dense, _, _ = hybrid
    client.create_collection("groups", vectors_config=models.VectorParams(size=DIM, distance=models.Distance.COSINE))
    client.upsert("groups", points=[models.PointStruct(id=i, vector=dense[i].tolist(), payload={"doc": i % 7, "tags": ["x", f"t{i % 2}"]})
                                    for i in range(120)])
    client.create_collection("docs", vectors_config=models.VectorParams(size=2, distance=models.Distance.DOT))
    client.upsert("docs", points=[models.PointStruct(id=d, vector=[1.0, 0.0], payload={"title": f"doc {d}"}) for d in range(7)])
    query = dense[3].tolist()
    result = client.query_points_groups("groups", query=query, group_by="doc", group_size=2, limit=4,
                                        with_lookup=models.WithLookup(collection="docs", with_payload=True))
    order = np.argsort(-cosine(dense[:120], np.array(query)), kind="stable")
    expected_groups, members = [], {}
    for i in order:
        group = int(i) % 7
        if group not in members:
            if len(expected_groups) == 4:
                continue
            expected_groups.append(group)
            members[group] = []
        if len(members[group]) < 2:
            members[group].append(int(i))
    assert [group.id for group in result.groups] == expected_groups
    assert [[hit.id for hit in group.hits] for group in result.groups] == [members[g] for g in expected_groups]
    assert [group.lookup.payload["title"] for group in result.groups] == [f"doc {g}" for g in expected_groups]
    by_tag = client.query_points_groups("groups", query=query, group_by="tags", group_size=1, limit=3)
    assert {group.id for group in by_tag.groups} == {"x", "t0", "t1"}, "a point with an array value joins each of its groups"


def test_facet_counts_and_index_drop(client, hybrid):
    client.create_payload_index("hybrid", "group", models.PayloadSchemaType.KEYWORD)
    counts = client.facet("hybrid", key="group").hits
    expected = {"a": sum(1 for i in range(N) if i % 3 == 0), "b": sum(1 for i in range(N) if i % 3 != 0)}
    assert {hit.value: hit.count for hit in counts} == expected
    assert counts[0].value == "b", "most frequent first"
    filtered = client.facet("hybrid", key="group", facet_filter=models.Filter(must=[models.HasIdCondition(has_id=list(range(10)))])).hits
    assert {hit.value: hit.count for hit in filtered} == {"a": 4, "b": 6}
    client.delete_payload_index("hybrid", "group")
    assert "group" not in client.get_collection("hybrid").payload_schema
    with pytest.raises(UnexpectedResponse) as refused:
        client.facet("hybrid", key="group")
    assert refused.value.status_code == 400 and "index" in str(refused.value)
    assert len(client.query_points("hybrid", query=[1.0] * DIM, using="dense", limit=3,
                                   query_filter=models.Filter(must=[models.FieldCondition(key="group", match=models.MatchValue(value="a"))])).points) == 3
