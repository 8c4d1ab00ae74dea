"""LangChain's QdrantVectorStore (langchain-qdrant) against Lodestone: dense, MMR, hybrid (RRF) and
filtered search, each checked against the same answer computed independently in numpy/Python.
Dense vectors come from Lodestone's own OpenAI-compatible /v1/embeddings, so nothing is downloaded."""
import itertools, re, zlib
from collections import Counter
import numpy as np
import pytest
from qdrant_client import models
from langchain_openai import OpenAIEmbeddings
from langchain_qdrant import QdrantVectorStore, RetrievalMode, SparseEmbeddings, SparseVector
from conftest import MODEL_DIR, Server

MODEL = "all-MiniLM-L6-v2"
TEXTS = [
    "The cat sat on the warm mat by the fire.", "A kitten is sleeping on a soft rug.",
    "Dogs love to chase balls in the park.", "My puppy chewed the cat toy again.",
    "The stock market fell sharply this morning.", "The central bank raised interest rates again.",
    "Investors worry about inflation and bond yields.", "Tech shares rallied after strong earnings.",
    "Photosynthesis turns sunlight into chemical energy.", "Mitochondria are the powerhouse of the cell.",
    "DNA carries the genetic instructions of living things.", "Enzymes speed up chemical reactions in the body.",
    "Paris is the capital of France.", "Rome was not built in a day.",
    "Berlin has many museums and a lively night life.", "Tokyo is a huge city with excellent trains.",
    "Python is a popular programming language.", "Swift compiles to fast native code.",
    "Rust prevents memory bugs at compile time.", "JavaScript runs in every web browser.",
    "The football team won the championship final.", "Tennis players need quick reflexes.",
    "The marathon runner crossed the finish line exhausted.", "Basketball games are played on a wooden court.",
    "Fresh bread smells wonderful in the morning.", "Spaghetti with tomato sauce is a classic dish.",
    "Green tea contains antioxidants.", "A good espresso needs finely ground coffee beans.",
    "The violin concerto moved the audience to tears.", "Jazz musicians often improvise their solos.",
    "The guitar has six strings.", "Piano lessons start with simple scales.",
    "Heavy rain flooded the streets overnight.", "A cold front will bring snow to the mountains.",
    "The desert is hot during the day and cold at night.", "Hurricanes form over warm ocean water.",
    "The cat chased a mouse across the kitchen.", "Our dog barks at the mail carrier every day.",
    "Vector databases search embeddings by similarity.", "Nearest neighbour search finds the closest vectors.",
]
METADATAS = [{"group": "abc"[i % 3], "n": i} for i in range(len(TEXTS))]


class HashingBagOfWords(SparseEmbeddings):
    """Deterministic sparse vectors: lowercase words, index = crc32(word) mod 2^20, value = count."""
    @staticmethod
    def weights(text):
        weights = Counter()
        for word, count in Counter(re.findall(r"[a-z0-9]+", text.lower())).items():
            weights[zlib.crc32(word.encode()) % 2**20] += count  # a collision merges, keeping indices unique
        return weights

    def embed_documents(self, texts):
        return [self.embed_query(text) for text in texts]

    def embed_query(self, text):
        weights = self.weights(text)
        return SparseVector(indices=list(weights), values=[float(v) for v in weights.values()])


def sparse_dot(left, right):
    return float(sum(value * right.get(index, 0) for index, value in left.items()))


@pytest.fixture(scope="module")
def server():
    instance = Server(["--model", MODEL_DIR])
    yield instance
    instance.stop()


@pytest.fixture(scope="module")
def dense(server):
    # check_embedding_ctx_length=False sends raw text: tiktoken is imported by langchain-openai but never
    # asked for an encoding, so nothing is downloaded.
    return OpenAIEmbeddings(model=MODEL, base_url=server.url + "/v1", api_key="unused", check_embedding_ctx_length=False)


@pytest.fixture(scope="module")
def matrix(dense):
    vectors = np.array(dense.embed_documents(TEXTS), dtype=np.float64)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


@pytest.fixture(scope="module")
def dense_store(server, dense):
    return QdrantVectorStore.from_texts(TEXTS, embedding=dense, url=server.url, collection_name="lc_dense", metadatas=METADATAS)


@pytest.fixture(scope="module")
def hybrid_store(server, dense):
    return QdrantVectorStore.from_texts(TEXTS, embedding=dense, sparse_embedding=HashingBagOfWords(), url=server.url,
                                        collection_name="lc_hybrid", metadatas=METADATAS, retrieval_mode=RetrievalMode.HYBRID)


def cosines(dense, matrix, query):
    q = np.array(dense.embed_query(query), dtype=np.float64)
    return matrix @ (q / np.linalg.norm(q))


def top_k(scores, k, allowed=None):
    order = [i for i in np.argsort(-scores, kind="stable") if allowed is None or allowed(i)]
    return [(TEXTS[i], float(scores[i])) for i in order[:k]]


def assert_hits(hits, expected):
    assert [d.page_content for d, _ in hits] == [t for t, _ in expected]
    assert np.allclose([s for _, s in hits], [s for _, s in expected], atol=1e-4), (hits, expected)


def mmr(matrix, relevance, k, fetch_k, lam):
    """Qdrant's MMR: the top fetch_k by cosine, the most relevant first, then repeatedly the argmax of
    lam * relevance - (1 - lam) * (highest cosine to one already chosen)."""
    candidates = list(np.argsort(-relevance)[:fetch_k])
    chosen = [candidates.pop(0)]
    while len(chosen) < k and candidates:
        best = max(candidates, key=lambda c: lam * relevance[c] - (1 - lam) * max(matrix[c] @ matrix[s] for s in chosen))
        chosen.append(best)
        candidates.remove(best)
    return [(TEXTS[i], float(relevance[i])) for i in chosen]


def test_dense_similarity_matches_numpy(dense_store, dense, matrix):
    for query in ["a cat resting on a carpet", "interest rates and the economy", "which language is good for systems code?"]:
        hits = dense_store.similarity_search_with_score(query, k=5)
        assert_hits(hits, top_k(cosines(dense, matrix, query), 5))
        # LangChain adds the point's `_id` and `_collection_name` to the stored metadata.
        assert all(d.metadata == {**METADATAS[TEXTS.index(d.page_content)], "_id": d.metadata["_id"],
                                  "_collection_name": "lc_dense"} for d, _ in hits)


# langchain-qdrant 1.1.0 sends `mmr.diversity = lambda_mult` unchanged (not 1 - lambda_mult), and Qdrant
# uses lambda = 1 - diversity; so the effective lambda is 1 - lambda_mult. 0.5 is the same either way.
@pytest.mark.parametrize("lambda_mult", [0.5, 0.8])
def test_dense_mmr_matches_python(dense_store, dense, matrix, lambda_mult):
    query = "pets: cats and dogs at home"
    relevance = cosines(dense, matrix, query)
    expected = mmr(matrix, relevance, k=4, fetch_k=20, lam=1 - lambda_mult)
    hits = dense_store.max_marginal_relevance_search_with_score_by_vector(
        dense.embed_query(query), k=4, fetch_k=20, lambda_mult=lambda_mult)
    assert_hits(hits, expected)
    docs = dense_store.max_marginal_relevance_search(query, k=4, fetch_k=20, lambda_mult=lambda_mult)
    assert [d.page_content for d in docs] == [t for t, _ in expected]
    # MMR must differ from plain top-4 here, or this test would not be testing diversity at all.
    assert [t for t, _ in expected] != [t for t, _ in top_k(relevance, 4)]


def test_mmr_retriever(dense_store, dense, matrix):
    query = "weather: rain, snow and storms"
    retriever = dense_store.as_retriever(search_type="mmr", search_kwargs={"k": 3})  # fetch_k=20, lambda_mult=0.5
    expected = mmr(matrix, cosines(dense, matrix, query), k=3, fetch_k=20, lam=0.5)
    assert [d.page_content for d in retriever.invoke(query)] == [t for t, _ in expected]


def test_reconnect_dense(dense_store, server, dense, matrix):
    store = QdrantVectorStore.from_existing_collection(collection_name="lc_dense", embedding=dense, url=server.url)
    query = "baking bread and cooking pasta"
    assert_hits(store.similarity_search_with_score(query, k=5), top_k(cosines(dense, matrix, query), 5))


def test_dense_filter_matches_numpy(dense_store, dense, matrix):
    query = "music and instruments"
    only_a = models.Filter(must=[models.FieldCondition(key="metadata.group", match=models.MatchValue(value="a"))])
    hits = dense_store.similarity_search_with_score(query, k=5, filter=only_a)
    assert all(d.metadata["group"] == "a" for d, _ in hits)
    assert_hits(hits, top_k(cosines(dense, matrix, query), 5, allowed=lambda i: METADATAS[i]["group"] == "a"))


@pytest.mark.parametrize("query", ["cold snow mountains night", "central bank interest rates inflation", "dog park balls chase"])
def test_sparse_mode_matches_python(server, query):
    # SPARSE mode creates `{"vectors": {}, "sparse_vectors": {"langchain-sparse": ...}}`: a collection
    # with no dense vector at all, searched by plain dot product.
    store = QdrantVectorStore.from_texts(TEXTS, sparse_embedding=HashingBagOfWords(), url=server.url, metadatas=METADATAS,
                                         collection_name=f"lc_sparse", retrieval_mode=RetrievalMode.SPARSE, force_recreate=True)
    q = HashingBagOfWords.weights(query)
    scores = {t: sparse_dot(q, HashingBagOfWords.weights(t)) for t in TEXTS}
    hits = store.similarity_search_with_score(query, k=4)
    expected = sorted((round(v, 5) for v in scores.values() if v > 0), reverse=True)[:4]
    assert [round(s, 5) for _, s in hits] == expected
    assert all(abs(scores[d.page_content] - s) < 1e-5 for d, s in hits)
    again = QdrantVectorStore.from_existing_collection(collection_name="lc_sparse", url=server.url, retrieval_mode=RetrievalMode.SPARSE,
                                                       sparse_embedding=HashingBagOfWords())
    assert [d.page_content for d, _ in again.similarity_search_with_score(query, k=4)] == [d.page_content for d, _ in hits]


def rrf_outcomes(dense_scores, sparse_scores, limit):
    """Every RRF total Qdrant may compute: sum over the two prefetch lists of 1 / (2 + position), position
    from 0. Cosines do not tie, but term-count dot products do and tied points may be ranked in any order,
    so enumerate each way of filling the tied sparse positions up to the prefetch limit."""
    dense_list = list(np.argsort(-dense_scores)[:limit])
    ranked = [i for i in np.argsort(-sparse_scores, kind="stable") if sparse_scores[i] > 0]  # no shared term: no hit
    groups, filled = [], 0
    for _, members in itertools.groupby(ranked, key=lambda i: sparse_scores[i]):
        members = list(members)
        slots = min(len(members), limit - filled)
        if slots <= 0:
            break
        groups.append(list(itertools.permutations(members, slots)))
        filled += slots
    assert np.prod([len(g) for g in groups]) < 200_000, "too many tie orders to enumerate"
    for choice in itertools.product(*groups):
        totals = Counter()
        for ranking in (dense_list, [i for part in choice for i in part]):
            for position, i in enumerate(ranking):
                totals[TEXTS[i]] += 1 / (2 + position)
        yield totals


def fused_matches(hits, totals, k):
    """The hits are the top k of these totals, as (text, rounded score) sets: equal scores may come back
    in either order, and at the k-th score any of the texts tied there may fill the last places."""
    expected = sorted(((t, round(s, 5)) for t, s in totals.items()), key=lambda item: -item[1])
    got = {(d.page_content, round(s, 5)) for d, s in hits}
    if not hits or len(hits) != min(k, len(expected)) or sorted(s for _, s in got) != sorted(s for _, s in expected[:k]):
        return False
    cutoff = min(s for _, s in got)
    return got <= set(expected) and {e for e in expected if e[1] > cutoff} <= got


def assert_hybrid(store, dense, matrix, query, k=5):
    q = HashingBagOfWords.weights(query)
    sparse_scores = np.array([sparse_dot(q, HashingBagOfWords.weights(t)) for t in TEXTS])
    outcomes = list(rrf_outcomes(cosines(dense, matrix, query), sparse_scores, limit=k))
    hits = store.similarity_search_with_score(query, k=k)
    assert any(fused_matches(hits, totals, k) for totals in outcomes), (
        [(d.page_content, s) for d, s in hits], sorted(outcomes[0].items(), key=lambda item: -item[1])[:k])


# langchain-qdrant 1.1.0 prefetches `limit=k` from each of the dense and sparse vectors and fuses
# them with FusionQuery(fusion=RRF) (Qdrant's default k=2), returning the top k.
# The first query ties on stop words (60 admissible sparse orders); the others have exactly one answer.
@pytest.mark.parametrize("query", ["the cat chased the dog", "cold snow mountains night", "fast native code compile time",
                                   "central bank interest rates inflation"])
def test_hybrid_rrf_matches_python(hybrid_store, dense, matrix, query):
    assert_hybrid(hybrid_store, dense, matrix, query)


def test_reconnect_hybrid(hybrid_store, server, dense, matrix):
    store = QdrantVectorStore.from_existing_collection(collection_name="lc_hybrid", embedding=dense, url=server.url,
                                                      retrieval_mode=RetrievalMode.HYBRID, sparse_embedding=HashingBagOfWords())
    assert_hybrid(store, dense, matrix, "dog park balls chase")
