"""Switching a collection's text-query pipeline from dense to hybrid goes through the evaluation
gate, is audited, answers text queries with RRF of the dense and BM25 prefetches (checked in
Python from the two lists), refuses a change that loses quality, and rolls back."""
import tempfile
import json
import requests
from conftest import MODEL_DIR, Server, lodestone
from test_bm25 import corpus_and_queries


def test_pipeline_promotion_gate_and_rollback():
    data_root = tempfile.mkdtemp(prefix="lodestone-it-")  # the gates name a dataset in it over HTTP
    server = Server(["--artifacts-import-root", data_root], data=data_root)
    s = requests.Session()
    try:
        paragraphs, queries = corpus_and_queries()
        keep = sorted({relevant for _, relevant in queries[:30]} | set(range(0, len(paragraphs), max(1, len(paragraphs) // 200))))
        position = {old: new for new, old in enumerate(keep)}
        corpus = [paragraphs[i] for i in keep]
        queries = [(text, position[relevant]) for text, relevant in queries[:30]]
        beir = f"{server.data}/beir"
        import os
        os.makedirs(f"{beir}/qrels")
        with open(f"{beir}/corpus.jsonl", "w") as f:
            f.writelines(json.dumps({"_id": f"d{i}", "title": "", "text": t}) + "\n" for i, t in enumerate(corpus))
        with open(f"{beir}/queries.jsonl", "w") as f:
            f.writelines(json.dumps({"_id": f"q{i}", "text": q}) + "\n" for i, (q, _) in enumerate(queries))
        with open(f"{beir}/qrels/test.tsv", "w") as f:
            f.write("query-id\tcorpus-id\tscore\n" + "".join(f"q{i}\td{r}\t1\n" for i, (_, r) in enumerate(queries)))
        lodestone(f"{server.data}/db", "models", "register", MODEL_DIR, "--name", "minilm", "--version", "1", "--json")

        url = server.url + "/collections/docs"
        s.put(url, json={"vectors": {"": {"distance": "Cosine"}}, "sparse_vectors": {"bm25": {"modifier": "idf"}},
                         "embedding_model": "minilm@1"}).raise_for_status()
        for start in range(0, len(corpus), 64):
            points = [{"id": i, "vector": {"": corpus[i], "bm25": {"text": corpus[i], "model": "qdrant/bm25"}}}
                      for i in range(start, min(start + 64, len(corpus)))]
            s.put(url + "/points?wait=true", json={"points": points}, timeout=300).raise_for_status()
        s.put(url + "/gates", json={"eval_dataset": beir}).raise_for_status()

        text = queries[0][0]
        before = s.post(url + "/points/query", json={"query": text, "limit": 10}).json()["result"]["points"]
        changed = s.put(url + "/pipeline", json={"pipeline": "hybrid", "sparse_vector": "bm25", "reason": "bm25 helps exact terms"}, timeout=600)
        assert changed.status_code == 200, changed.text
        gate = changed.json()["result"]["gate"]
        assert gate["passed"] and gate["candidate_ndcg@10"] > gate["baseline_ndcg@10"], gate

        # A plain text query is now RRF (k = 2) of 20 dense and 20 BM25 candidates.
        dense = s.post(url + "/points/query", json={"query": text, "using": "", "limit": 20}).json()["result"]["points"]
        sparse = s.post(url + "/points/query", json={"query": {"text": text, "model": "qdrant/bm25"}, "using": "bm25", "limit": 20}).json()["result"]["points"]
        fused = {}
        for ranked in (dense, sparse):
            for rank, point in enumerate(ranked):
                fused[point["id"]] = fused.get(point["id"], 0) + 1 / (2 + rank)
        after = s.post(url + "/points/query", json={"query": text, "limit": 10}).json()["result"]["points"]
        assert [round(p["score"], 5) for p in after] == sorted((round(v, 5) for v in fused.values()), reverse=True)[:10]
        assert {p["id"] for p in after} != {p["id"] for p in before} or [p["score"] for p in after] != [p["score"] for p in before]

        refused = s.put(url + "/pipeline", json={"pipeline": "dense"}, timeout=600)
        assert refused.status_code == 409 and "nDCG@10" in refused.json()["status"]["error"]
        assert s.get(url + "/pipeline").json()["result"]["pipeline"]["kind"] == "hybrid"
        actions = [entry["action"] for entry in s.get(url + "/audit").json()["result"]["entries"]]
        assert actions[-2:] == ["pipeline_change", "pipeline_refused"]

        rolled = s.post(url + "/pipeline/rollback", json={"reason": "back to dense"})
        assert rolled.status_code == 200, rolled.text
        assert s.get(url + "/pipeline").json()["result"]["pipeline"]["kind"] == "dense"
        again = s.post(url + "/points/query", json={"query": text, "limit": 10}).json()["result"]["points"]
        assert [p["id"] for p in again] == [p["id"] for p in before]
        assert lodestone(f"{server.data}/db", "pipeline", "show", "--collection", "docs").stdout.strip().endswith("dense")
    finally:
        server.stop()
