"""`lodestone eval --pipeline dense | bm25 | hybrid` on a BEIR set made from Python's own help
topics, each nDCG@10 checked against the same pipeline computed in Python: bm25s for BM25,
numpy cosine over the model's embeddings for dense, RRF of both for hybrid."""
import json
from fractions import Fraction
import os
import subprocess
import bm25s
import numpy as np
import Stemmer
from conftest import BINARY, MODEL_DIR, lodestone, last_json
from test_bm25 import corpus_and_queries, ndcg_at_10


def test_eval_pipelines_match_python(tmp_path):
    paragraphs, queries = corpus_and_queries()
    keep = sorted({relevant for _, relevant in queries[:40]} | set(range(0, len(paragraphs), max(1, len(paragraphs) // 300))))
    position = {old: new for new, old in enumerate(keep)}
    corpus = [paragraphs[i] for i in keep]
    queries = [(text, position[relevant]) for text, relevant in queries[:40]]
    beir = tmp_path / "beir"
    (beir / "qrels").mkdir(parents=True)
    (beir / "corpus.jsonl").write_text("".join(json.dumps({"_id": f"d{i}", "title": "", "text": t}) + "\n" for i, t in enumerate(corpus)))
    (beir / "queries.jsonl").write_text("".join(json.dumps({"_id": f"q{i}", "text": q}) + "\n" for i, (q, _) in enumerate(queries)))
    (beir / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\n" + "".join(f"q{i}\td{r}\t1\n" for i, (_, r) in enumerate(queries)))
    data = str(tmp_path / "db")
    lodestone(data, "models", "register", MODEL_DIR, "--name", "minilm", "--version", "1", "--json")
    measured = {}
    for pipeline in ("dense", "bm25", "hybrid"):
        model = [] if pipeline == "bm25" else ["--model", "minilm@1"]
        measured[pipeline] = last_json(lodestone(data, "eval", *model, "--dataset", str(beir), "--pipeline", pipeline, "--json"))["ndcg@10"]

    stemmer = Stemmer.Stemmer("english")
    retriever = bm25s.BM25(k1=1.2, b=0.75)
    retriever.index(bm25s.tokenize(corpus, stopwords="en", stemmer=stemmer, show_progress=False), show_progress=False)
    embeddings = embed(corpus + [q for q, _ in queries], tmp_path)
    documents, query_vectors = embeddings[:len(corpus)], embeddings[len(corpus):]
    documents = documents / np.linalg.norm(documents, axis=1, keepdims=True)
    expected = {"dense": [], "bm25": [], "hybrid": []}
    for (text, relevant), vector in zip(queries, query_vectors):
        dense = np.argsort(-(documents @ (vector / np.linalg.norm(vector))), kind="stable")
        tokens = bm25s.tokenize([text], stopwords="en", stemmer=stemmer, return_ids=False, show_progress=False)[0]
        scores = retriever.get_scores(list(dict.fromkeys(tokens)))
        sparse = [int(i) for i in np.argsort(-scores, kind="stable") if scores[i] > 0]
        fused = {}
        for ranked in (dense[:20].tolist(), sparse[:20]):
            for rank, doc in enumerate(ranked):
                fused[doc] = fused.get(doc, 0) + Fraction(1, 2 + rank)  # exact, so ties are ties
        expected["dense"].append(ndcg_at_10(dense.tolist(), relevant))
        expected["bm25"].append(ndcg_at_10(sparse, relevant))
        expected["hybrid"].append(ndcg_at_10(sorted(fused, key=lambda d: (-fused[d], d)), relevant))
    print("nDCG@10 measured", measured, "expected", {k: round(float(np.mean(v)), 4) for k, v in expected.items()})
    for pipeline, values in expected.items():
        assert abs(measured[pipeline] - np.mean(values)) <= 0.01, (pipeline, measured[pipeline], np.mean(values))


def embed(texts, directory):
    path = directory / "embeddings.npy"
    subprocess.run([BINARY, "embed", "--model", MODEL_DIR, "--npy", str(path)], input="\n".join(t.replace("\n", " ") for t in texts) + "\n",
                   text=True, check=True, capture_output=True, timeout=600)
    return np.load(path)
