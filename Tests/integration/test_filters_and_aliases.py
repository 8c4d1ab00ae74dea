"""Filters through qdrant-client, checked against the same conditions evaluated in Python, and
filtered recall at 50%, 10%, 1% and 0.1% selectivity against a filtered exact answer."""
import numpy as np
import pytest
from qdrant_client import models

from reference import exact_top

F = models.FieldCondition


def matching(client, flt):
    points, _ = client.scroll("pts", scroll_filter=flt, limit=10000)
    return sorted(p.id for p in points)


CASES = [
    (models.Filter(must=[F(key="city", match=models.MatchValue(value="Paris"))]), lambda p, i: p["city"] == "Paris"),
    (models.Filter(must=[F(key="n", match=models.MatchValue(value=42))]), lambda p, i: p["n"] == 42),
    (models.Filter(must=[F(key="city", match=models.MatchAny(any=["Rome", "Oslo"]))]), lambda p, i: p["city"] in ("Rome", "Oslo")),
    (models.Filter(must=[F(key="city", match=models.MatchExcept(**{"except": ["Rome"]}))]), lambda p, i: p["city"] != "Rome"),
    (models.Filter(must=[F(key="price", range=models.Range(gt=2.5, lte=7))]), lambda p, i: 2.5 < p["price"] <= 7),
    (models.Filter(must=[F(key="n", range=models.Range(gte=100, lt=130))]), lambda p, i: 100 <= p["n"] < 130),
    (models.Filter(must=[models.HasIdCondition(has_id=[1, 2, 3, 500])]), lambda p, i: i in (1, 2, 3, 500)),
    (models.Filter(must=[models.IsEmptyCondition(is_empty=models.PayloadField(key="opt"))]), lambda p, i: "opt" not in p),
    (models.Filter(must=[models.IsNullCondition(is_null=models.PayloadField(key="maybe"))]), lambda p, i: "maybe" in p and p["maybe"] is None),
    (models.Filter(must=[F(key="meta.inner.k", match=models.MatchValue(value="v1"))]), lambda p, i: p["meta"]["inner"]["k"] == "v1"),
    (models.Filter(must=[F(key="tags", match=models.MatchValue(value="t3"))]), lambda p, i: "t3" in p["tags"]),
    (models.Filter(should=[F(key="city", match=models.MatchValue(value="Oslo")), F(key="n", range=models.Range(lt=10))]),
     lambda p, i: p["city"] == "Oslo" or p["n"] < 10),
    (models.Filter(must_not=[F(key="city", match=models.MatchValue(value="Berlin"))], must=[F(key="tags", match=models.MatchValue(value="even"))]),
     lambda p, i: p["city"] != "Berlin" and "even" in p["tags"]),
    (models.Filter(must=[models.Filter(should=[F(key="n", range=models.Range(lt=50)), F(key="n", range=models.Range(gte=1950))]),
                         models.Filter(must_not=[models.HasIdCondition(has_id=[0, 1])])]),
     lambda p, i: (p["n"] < 50 or p["n"] >= 1950) and i not in (0, 1)),
]


@pytest.mark.parametrize("index", range(len(CASES)))
def test_filter_semantics(client, filled, index):
    _, payloads = filled
    flt, predicate = CASES[index]
    expected = sorted(i for i, p in enumerate(payloads) if predicate(p, i))
    assert matching(client, flt) == expected
    assert client.count("pts", count_filter=flt, exact=True).count == len(expected)


# "sel" plans with Qdrant's default full_scan_threshold (10,000 KB: every filter here is scanned
# exactly); "sel_graph" with 50 KB, so filters matching over 533 points walk the graph: through
# the matching subgraph for the indexed "bucket", with a payload check per node for the
# unindexed "free" (the same values).
COLLECTIONS = {"sel": None, "sel_graph": 50}


@pytest.fixture(scope="module")
def selective(client):
    rng = np.random.default_rng(3)
    n, dim = 20000, 24
    centres = rng.normal(size=(40, dim)).astype(np.float32)
    vectors = (centres[rng.integers(0, 40, n)] + 0.4 * rng.normal(size=(n, dim))).astype(np.float32)
    # "bucket" is uniform in 0..999: bucket < 500 is 50%, < 100 is 10%, < 10 is 1%, < 1 is 0.1%.
    buckets = rng.permutation(np.arange(n) % 1000)
    for name, threshold in COLLECTIONS.items():
        hnsw = models.HnswConfigDiff(full_scan_threshold=threshold) if threshold else None
        client.create_collection(name, vectors_config=models.VectorParams(size=dim, distance=models.Distance.EUCLID), hnsw_config=hnsw)
        client.create_payload_index(name, field_name="bucket", field_schema=models.PayloadSchemaType.INTEGER)
        for start in range(0, n, 2000):
            client.upsert(name, points=models.Batch(ids=list(range(start, start + 2000)), vectors=vectors[start:start + 2000].tolist(),
                                                    payloads=[{"bucket": int(b), "free": int(b)} for b in buckets[start:start + 2000]]))
    return vectors, buckets


@pytest.mark.parametrize("collection,field", [("sel", "bucket"), ("sel_graph", "bucket"), ("sel_graph", "free")])
@pytest.mark.parametrize("cut,label", [(500, "50%"), (100, "10%"), (10, "1%"), (1, "0.1%")])
def test_filtered_recall_at_every_selectivity(client, selective, collection, field, cut, label):
    vectors, buckets = selective
    rng = np.random.default_rng(cut)
    allowed = np.nonzero(buckets < cut)[0]
    flt = models.Filter(must=[F(key=field, range=models.Range(lt=cut))])
    recalls = []
    for _ in range(30):
        q = vectors[rng.integers(0, len(vectors))] + 0.1 * rng.normal(size=vectors.shape[1]).astype(np.float32)
        truth, _ = exact_top(vectors[allowed], allowed.tolist(), q, 10, "euclid")
        found = client.query_points(collection, query=q.tolist(), query_filter=flt, limit=10).points
        assert all(buckets[p.id] < cut for p in found)
        assert len(found) == min(10, len(allowed))
        recalls.append(len(set(p.id for p in found) & set(truth)) / min(10, len(truth)))
    assert np.mean(recalls) >= 0.95, f"filtered recall@10 on {collection}.{field} at {label} selectivity: {np.mean(recalls):.3f}"


def test_full_scan_threshold_is_kept(client, selective):
    assert client.get_collection("sel_graph").config.hnsw_config.full_scan_threshold == 50
    assert client.get_collection("sel").config.hnsw_config.full_scan_threshold == 10000


def test_delete_by_filter(client, filled):
    vectors, payloads = filled
    flt = models.Filter(must=[F(key="n", range=models.Range(gte=1990))])
    before = client.count("pts").count
    client.delete("pts", points_selector=models.FilterSelector(filter=flt))
    assert client.count("pts").count == before - 10
    assert client.count("pts", count_filter=flt).count == 0
    client.upsert("pts", points=[models.PointStruct(id=i, vector=vectors[i].tolist(), payload=payloads[i]) for i in range(1990, 2000)])


def test_aliases(client, filled):
    client.update_collection_aliases(change_aliases_operations=[
        models.CreateAliasOperation(create_alias=models.CreateAlias(collection_name="pts", alias_name="prod"))])
    assert [(a.alias_name, a.collection_name) for a in client.get_aliases().aliases] == [("prod", "pts")]
    assert client.query_points("prod", query=5, limit=1).points[0].id == 5
    client.update_collection_aliases(change_aliases_operations=[
        models.RenameAliasOperation(rename_alias=models.RenameAlias(old_alias_name="prod", new_alias_name="live"))])
    assert [a.alias_name for a in client.get_collection_aliases("pts").aliases] == ["live"]
    # A batch with a failing action changes nothing.
    with pytest.raises(Exception):
        client.update_collection_aliases(change_aliases_operations=[
            models.CreateAliasOperation(create_alias=models.CreateAlias(collection_name="pts", alias_name="x1")),
            models.DeleteAliasOperation(delete_alias=models.DeleteAlias(alias_name="missing"))])
    assert [a.alias_name for a in client.get_aliases().aliases] == ["live"]
    client.update_collection_aliases(change_aliases_operations=[
        models.DeleteAliasOperation(delete_alias=models.DeleteAlias(alias_name="live"))])
    assert client.get_aliases().aliases == []
