"""Server-side BM25 (`qdrant/bm25`) against bm25s on the same corpus and queries: the same
ranking quality (nDCG@10 within 0.01) and, document by document, the same scores up to BM25's
constant factor (k1 + 1), which bm25s's Lucene variant leaves out."""
import math
import random
import re
import bm25s
import numpy as np
import pytest
import Stemmer
from qdrant_client import QdrantClient, models


def corpus_and_queries():
    """Paragraphs of Python's own help topics (shipped with Python), and queries made of a few
    words from one paragraph, which is then the relevant document."""
    import pydoc_data.topics as topics
    paragraphs = []
    for text in topics.topics.values():
        for paragraph in re.split(r"\n\s*\n", text):
            words = paragraph.split()
            if 12 <= len(words) <= 400:
                paragraphs.append(" ".join(words))
    paragraphs = sorted(set(paragraphs))
    rng = random.Random(3)
    queries = []
    for index in rng.sample(range(len(paragraphs)), 80):
        words = sorted({w.lower() for w in re.findall(r"[A-Za-z]{4,}", paragraphs[index])})
        if len(words) >= 6:
            queries.append((" ".join(rng.sample(words, 3)), index))
    return paragraphs, queries


def ndcg_at_10(ranked, relevant):
    for position, doc in enumerate(ranked[:10]):
        if doc == relevant:
            return 1 / math.log2(position + 2)
    return 0.0


@pytest.fixture(scope="module")
def bm25_collection(server):
    paragraphs, queries = corpus_and_queries()
    client = QdrantClient(url=server.url, prefer_grpc=False, timeout=60, cloud_inference=True)
    client.create_collection("bm25", vectors_config={"dense": models.VectorParams(size=2, distance=models.Distance.DOT)},
                             sparse_vectors_config={"text": models.SparseVectorParams(modifier=models.Modifier.IDF)})
    for start in range(0, len(paragraphs), 256):
        client.upsert("bm25", points=[models.PointStruct(id=i, vector={"dense": [1.0, 0.0], "text": models.Document(text=paragraphs[i], model="qdrant/bm25")},
                                                         payload={"n": i}) for i in range(start, min(start + 256, len(paragraphs)))])
    return client, paragraphs, queries


def test_bm25_ranking_matches_bm25s(bm25_collection):
    client, paragraphs, queries = bm25_collection
    stemmer = Stemmer.Stemmer("english")
    retriever = bm25s.BM25(k1=1.2, b=0.75)
    retriever.index(bm25s.tokenize(paragraphs, stopwords="en", stemmer=stemmer, show_progress=False), show_progress=False)
    ours, theirs, ratios = [], [], []
    for text, relevant in queries:
        hits = client.query_points("bm25", query=models.Document(text=text, model="qdrant/bm25"), using="text", limit=10).points
        ours.append(ndcg_at_10([hit.id for hit in hits], relevant))
        tokens = bm25s.tokenize([text], stopwords="en", stemmer=stemmer, return_ids=False, show_progress=False)[0]
        # Qdrant (and so Lodestone) weighs each distinct query term once; bm25s would count a
        # stem twice when two query words share it.
        scores = retriever.get_scores(list(dict.fromkeys(tokens)))
        ranked = np.argsort(-scores, kind="stable")[:10]
        theirs.append(ndcg_at_10(ranked.tolist(), relevant))
        for hit in hits:
            if scores[hit.id] > 0:
                ratios.append(hit.score / scores[hit.id])
    assert len(queries) >= 50
    assert abs(np.mean(ours) - np.mean(theirs)) <= 0.01, (np.mean(ours), np.mean(theirs))
    assert np.mean(ours) > 0.5, "the queries are built to be answerable"
    assert np.allclose(ratios, 2.2, rtol=1e-3), "score = (k1 + 1) x bm25s's Lucene score, with the live average length"


def test_bm25_options_and_hybrid(bm25_collection):
    client, paragraphs, queries = bm25_collection
    text, relevant = queries[0]
    fixed = client.query_points("bm25", query=models.Document(text=text, model="qdrant/bm25", options={"avg_len": 256, "k": 1.5, "b": 0.5}),
                                using="text", limit=10).points
    assert relevant in [hit.id for hit in fixed]
    fused = client.query_points("bm25", prefetch=[models.Prefetch(query=models.Document(text=text, model="qdrant/bm25"), using="text", limit=20),
                                                  models.Prefetch(query=[1.0, 0.0], using="dense", limit=20)],
                                query=models.FusionQuery(fusion=models.Fusion.RRF), limit=5).points
    assert relevant in [hit.id for hit in fused]
    with pytest.raises(Exception) as refused:
        client.query_points("bm25", query=models.Document(text=text, model="qdrant/bm25", options={"language": "klingon"}), using="text")
    assert "language" in str(refused.value)
