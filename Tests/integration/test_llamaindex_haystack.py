"""llama-index's QdrantVectorStore and Haystack's QdrantDocumentStore against Lodestone: dense and hybrid
retrieval, each checked against the answer computed in numpy/Python for the requests the framework really
sends. Dense vectors come from Lodestone's own /v1/embeddings and sparse vectors from a hashing bag of words
written here, so nothing is downloaded."""
import asyncio, itertools, re, zlib
from collections import Counter
import numpy as np
import pytest, requests
from qdrant_client import AsyncQdrantClient, QdrantClient
from llama_index.core import StorageContext, VectorStoreIndex
from llama_index.core.schema import TextNode
from llama_index.embeddings.openai import OpenAIEmbedding
from llama_index.vector_stores.qdrant import QdrantVectorStore
from haystack import Document
from haystack.dataclasses import SparseEmbedding
from haystack_integrations.components.retrievers.qdrant import QdrantEmbeddingRetriever, QdrantHybridRetriever
from haystack_integrations.document_stores.qdrant import QdrantDocumentStore
from conftest import MODEL_DIR, Server

MODEL = "all-MiniLM-L6-v2"
TEXTS = [
    "The old lighthouse keeper lit the lamp at dusk.", "Sailors watched the lighthouse beam across the bay.",
    "A fishing boat returned to the harbour with its catch.", "Waves crashed against the rocky cliffs all night.",
    "The orchestra tuned their instruments before the concert.", "A cellist played a slow and sad melody.",
    "The choir sang carols in the old stone church.", "Drums and bass guitars filled the small club.",
    "The volcano erupted and covered the town in ash.", "Earthquakes shake the ground along fault lines.",
    "Glaciers carve deep valleys over thousands of years.", "Rivers carry sand and silt down to the sea.",
    "The chef sliced onions and garlic for the soup.", "Fresh basil makes the pasta sauce taste better.",
    "She baked a chocolate cake for her sister.", "Roasted vegetables go well with grilled fish.",
    "The train to the airport leaves every ten minutes.", "Cyclists ride to work on the new bike lanes.",
    "Traffic jams are common on the highway at rush hour.", "The ferry crosses the bay twice a day.",
    "The telescope revealed craters on the moon.", "Astronauts repaired the space station solar panels.",
    "A comet with a bright tail passed close to the sun.", "Saturn has beautiful rings made of ice and rock.",
    "The compiler reports type errors before the program runs.", "Unit tests catch bugs early in development.",
    "The database stores each record on a disk page.", "An index makes lookups in a large table fast.",
    "The goalkeeper saved a penalty in the last minute.", "Swimmers trained in the cold pool every morning.",
    "The chess champion sacrificed her queen to win.", "Climbers reached the summit before the storm arrived.",
    "The museum displayed ancient coins and pottery.", "Historians study letters written during the war.",
    "The library lends books, films and music for free.", "A new bridge opened over the river in the old town.",
    "The cat slept in a patch of sunlight on the floor.", "Our dog waits by the door for the children.",
    "Owls hunt mice in the fields at night.", "The farmer milked the cows before sunrise.",
]
GROUPS = ["abcd"[i % 4] for i in range(len(TEXTS))]
QUERIES = ["the lighthouse beam over the bay at night", "cooking pasta with garlic and basil",
           "space: the moon, comets and rings", "software bugs and type errors", "old town river bridge"]


def weights(text):
    """Hashing bag of words: index = crc32(word) mod 2^20 (a collision merges, keeping indices unique), value =
    count / number of words, so that texts sharing the same query words tie (either order is right) less often."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    result = Counter()
    for word, count in Counter(words).items():
        result[zlib.crc32(word.encode()) % 2**20] += count / len(words)
    return result


def sparse_scores(query):
    q = weights(query)
    return np.array([sum(value * weights(text)[index] for index, value in q.items()) for text in TEXTS])


def llama_sparse(texts):
    """llama-index's SparseEncoderCallable: a batch of texts -> (list of index lists, list of value lists)."""
    vectors = [weights(text) for text in texts]
    return [list(v) for v in vectors], [list(v.values()) for v in vectors]


def haystack_sparse(text):
    return SparseEmbedding(indices=list(w := weights(text)), values=list(w.values()))


@pytest.fixture(scope="module")
def server():
    instance = Server(["--model", MODEL_DIR])
    yield instance
    instance.stop()


def embed(server, texts):
    response = requests.post(server.url + "/v1/embeddings", json={"model": MODEL, "input": texts}, timeout=120)
    response.raise_for_status()
    return [item["embedding"] for item in sorted(response.json()["data"], key=lambda item: item["index"])]


@pytest.fixture(scope="module")
def matrix(server):
    vectors = np.array(embed(server, TEXTS), dtype=np.float64)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def cosines(server, matrix, query):
    q = np.array(embed(server, [query])[0], dtype=np.float64)
    return matrix @ (q / np.linalg.norm(q))


def dense_top(scores, limit):
    return [(int(i), float(scores[i])) for i in np.argsort(-scores)[:limit]]  # cosines of real text do not tie


def assert_dense(hits, scores, k=5):
    expected = dense_top(scores, k)
    assert [i for i, _ in hits] == [i for i, _ in expected]
    assert np.allclose([s for _, s in hits], [s for _, s in expected], atol=1e-4)


def sparse_rankings(scores, limit):
    """Every top-`limit` list of (index, score) the server may return: a text sharing no word is no hit, and
    equal scores may come in any order, any of them filling the last places."""
    ranked = [i for i in np.argsort(-scores, kind="stable") if scores[i] > 0]
    groups, filled = [], 0
    for _, members in itertools.groupby(ranked, key=lambda i: round(scores[i], 6)):
        members = list(members)
        slots = min(len(members), limit - filled)
        if slots <= 0:
            break
        groups.append(list(itertools.permutations(members, slots)))
        filled += slots
    assert groups and np.prod([len(g) for g in groups]) < 100_000, "no sparse hit, or too many tie orders"
    for choice in itertools.product(*groups):
        yield [(int(i), float(scores[i])) for part in choice for i in part]


def fused_matches(hits, totals, k):
    """The hits, as (index, score), are the top k of these totals: equal scores may come in either order, and
    at the k-th score any of the texts tied there may fill the last places."""
    expected = sorted(((i, round(s, 5)) for i, s in totals.items()), key=lambda item: -item[1])
    got = {(i, round(s, 5)) for i, s in hits}
    if len(hits) != min(k, len(expected)) or sorted(s for _, s in got) != sorted(s for _, s in expected[:k]):
        return False
    cutoff = min(s for _, s in got)
    return got <= set(expected) and {e for e in expected if e[1] > cutoff} <= got


def best(totals, k):
    return sorted(totals.items(), key=lambda item: -item[1])[:k]


@pytest.fixture(scope="module")
def llama_index(server):
    store = QdrantVectorStore(client=QdrantClient(url=server.url, timeout=60),
                              aclient=AsyncQdrantClient(url=server.url, timeout=60), collection_name="li_hybrid",
                              enable_hybrid=True, sparse_doc_fn=llama_sparse, sparse_query_fn=llama_sparse)
    # OpenAIEmbedding validates `model` against OpenAI's own model names; the `model_name` keyword replaces
    # the model actually sent, so the default `model` passes that check and the server's model is used.
    embed_model = OpenAIEmbedding(model_name=MODEL, api_base=server.url + "/v1", api_key="unused")
    # The metadata is kept out of the embedded text, so both vectors are of exactly the text in TEXTS.
    nodes = [TextNode(text=text, metadata={"group": group}, excluded_embed_metadata_keys=["group"])
             for text, group in zip(TEXTS, GROUPS)]
    storage = StorageContext.from_defaults(vector_store=store)
    return store, VectorStoreIndex(nodes, storage_context=storage, embed_model=embed_model)


def llama_hits(results):
    assert all(r.node.metadata == {"group": GROUPS[TEXTS.index(r.node.get_content())]} for r in results)
    return [(TEXTS.index(r.node.get_content()), r.score) for r in results]


def relative_score_fusion(dense, sparse, alpha=0.5):
    """llama-index's default hybrid_fusion_fn, run client-side: each list min-max normalized to [0, 1] (a
    list of one distinct score keeps that raw score), then alpha * dense + (1 - alpha) * sparse, absent = 0."""
    def normalized(hits):
        low, high = min(s for _, s in hits), max(s for _, s in hits)
        return {i: (s - low) / (high - low) if high > low else high for i, s in hits}
    d, s = normalized(dense), normalized(sparse)
    return {i: alpha * d.get(i, 0) + (1 - alpha) * s.get(i, 0) for i in {**d, **s}}


def llama_outcomes(server, matrix, query, k, sparse_k):
    dense = dense_top(cosines(server, matrix, query), k)
    return [relative_score_fusion(dense, sparse) for sparse in sparse_rankings(sparse_scores(query), sparse_k)]


# llama-index-vector-stores-qdrant 0.10.4 sends no prefetch and no fusion: HYBRID mode posts one
# points/query/batch of two plain searches, dense (limit=similarity_top_k) and sparse (limit=sparse_top_k),
# and fuses them itself with relative_score_fusion(alpha=0.5), keeping hybrid_top_k or similarity_top_k.
@pytest.mark.parametrize("query", QUERIES)
def test_llamaindex_hybrid_matches_relative_score_fusion(llama_index, server, matrix, monkeypatch, query):
    store, index = llama_index
    sent, original = [], store.client.query_batch_points
    monkeypatch.setattr(store.client, "query_batch_points", lambda **kw: sent.append(kw["requests"]) or original(**kw))
    results = index.as_retriever(vector_store_query_mode="hybrid", similarity_top_k=5, sparse_top_k=8).retrieve(query)
    [(dense_request, sparse_request)] = sent
    assert (dense_request.using, dense_request.limit, dense_request.prefetch) == ("text-dense", 5, None)
    assert (sparse_request.using, sparse_request.limit, sparse_request.prefetch) == ("text-sparse-new", 8, None)
    hits, outcomes = llama_hits(results), llama_outcomes(server, matrix, query, k=5, sparse_k=8)
    assert any(fused_matches(hits, totals, 5) for totals in outcomes), (hits, best(outcomes[0], 5))


def test_llamaindex_async_hybrid(llama_index, server, matrix):
    # One event loop for every query: the AsyncQdrantClient's connections belong to the loop that opened them.
    _, index = llama_index
    retriever = index.as_retriever(vector_store_query_mode="hybrid", similarity_top_k=4, sparse_top_k=6)
    async def retrieve_all():
        return [await retriever.aretrieve(query) for query in QUERIES]
    for query, results in zip(QUERIES, asyncio.run(retrieve_all())):
        outcomes = llama_outcomes(server, matrix, query, k=4, sparse_k=6)
        assert any(fused_matches(llama_hits(results), totals, 4) for totals in outcomes), query


def test_llamaindex_dense_matches_numpy(llama_index, server, matrix):
    _, index = llama_index
    for query in QUERIES:
        assert_dense(llama_hits(index.as_retriever(similarity_top_k=5).retrieve(query)), cosines(server, matrix, query))


@pytest.fixture(scope="module")
def haystack_store(server):
    store = QdrantDocumentStore(url=server.url, index="hs_hybrid", embedding_dim=384, use_sparse_embeddings=True,
                                recreate_index=True, timeout=60)
    documents = [Document(content=text, meta={"group": group}, embedding=vector, sparse_embedding=haystack_sparse(text))
                 for text, group, vector in zip(TEXTS, GROUPS, embed(server, TEXTS))]
    assert store.write_documents(documents) == len(TEXTS)
    assert store.count_documents() == len(TEXTS)
    return store


def haystack_hits(documents):
    assert all(d.meta == {"group": GROUPS[TEXTS.index(d.content)]} for d in documents)
    return [(TEXTS.index(d.content), d.score) for d in documents]


def rrf(rankings, k=2):
    """Qdrant's RRF: the sum over the lists of 1 / (k + position), position from 0, k = 2 by default."""
    totals = Counter()
    for ranking in rankings:
        for position, (i, _) in enumerate(ranking):
            totals[i] += 1 / (k + position)
    return totals


# qdrant-haystack 13.1.0 sends one points/query with two prefetches that have no `limit` (so Qdrant's
# default of 10 each), sparse first then dense, and `{"fusion": "rrf"}` with limit=top_k.
@pytest.mark.parametrize("query", QUERIES)
def test_haystack_hybrid_matches_rrf(haystack_store, server, matrix, monkeypatch, query):
    sent, original = [], haystack_store._client.query_points
    monkeypatch.setattr(haystack_store._client, "query_points", lambda *a, **kw: sent.append(kw) or original(*a, **kw))
    documents = QdrantHybridRetriever(document_store=haystack_store).run(
        query_embedding=embed(server, [query])[0], query_sparse_embedding=haystack_sparse(query), top_k=5)["documents"]
    [request] = sent
    assert [(p.using, p.limit) for p in request["prefetch"]] == [("text-sparse", None), ("text-dense", None)]
    assert (request["query"].fusion, request["limit"]) == ("rrf", 5)
    dense = dense_top(cosines(server, matrix, query), 10)
    outcomes = [rrf([sparse, dense]) for sparse in sparse_rankings(sparse_scores(query), 10)]
    assert any(fused_matches(haystack_hits(documents), totals, 5) for totals in outcomes), (documents, best(outcomes[0], 5))


def test_haystack_dense_matches_numpy(haystack_store, server, matrix):
    retriever = QdrantEmbeddingRetriever(document_store=haystack_store)
    for query in QUERIES:
        documents = retriever.run(query_embedding=embed(server, [query])[0], top_k=5)["documents"]
        assert_dense(haystack_hits(documents), cosines(server, matrix, query))
