"""Issue 8 against the real binary: shadow traffic reports overlap without touching answers,
a canary routes a sticky share of clients and aborts itself past its latency bound, and a
shift in the query stream raises the drift alert in /drift, /readyz and /metrics."""
import json, os, subprocess
import numpy as np
import requests

from conftest import BINARY, Server, last_json, lodestone, wait_for


def test_shadow_canary_and_drift():
    server = Server()
    data = os.path.join(server.data, "db")
    s = requests.Session()
    try:
        rng = np.random.default_rng(3)
        centers = rng.normal(size=(8, 32)).astype(np.float32)
        points = centers[rng.integers(0, 8, 3000)] + 0.3 * rng.normal(size=(3000, 32)).astype(np.float32)
        s.put(server.url + "/collections/r", json={"vectors": {"size": 32, "distance": "Cosine"}}).raise_for_status()
        for start in range(0, 3000, 500):
            s.put(server.url + "/collections/r/points?wait=true", json={"points": [
                {"id": i, "vector": points[i].tolist()} for i in range(start, start + 500)]}).raise_for_status()
        build = last_json(lodestone(data, "build", "--collection", "r", "--json"))["number"]
        weak = last_json(lodestone(data, "build", "--collection", "r", "--m", "2", "--ef-construct", "4", "--ef", "1", "--json"))["number"]

        # Shadow: answers keep coming from production; the weak build's overlap is measured.
        assert s.put(server.url + "/collections/r/shadow", json={"build": weak, "fraction": 1.0}).status_code == 200
        queries = centers[rng.integers(0, 8, 200)] + 0.3 * rng.normal(size=(200, 32)).astype(np.float32)
        exact_first = []
        for q in queries:
            response = s.post(server.url + "/collections/r/points/query", json={"query": q.tolist(), "limit": 10}).json()
            exact_first.append(response["result"]["points"][0]["id"])
        report = s.get(server.url + "/collections/r/shadow").json()["result"]
        assert report["count"] >= 150 and report["build"] == weak
        assert 0 <= report["p10_overlap"] <= report["mean_overlap"] < 0.95, report
        assert report["shadow_latency"]["p99_ms"] > 0 and report["production_latency"]["p50_ms"] > 0
        cli = subprocess.run([BINARY, "shadow", "report", "--collection", "r", "--server", server.url, "--json"],
                             capture_output=True, text=True, timeout=60)
        assert cli.returncode == 0 and json.loads(cli.stdout)["count"] == report["count"], cli.stderr
        assert s.delete(server.url + "/collections/r/shadow").status_code == 200

        # Canary: sticky per client; a 0 ms bound aborts it after min_queries, audited.
        canary = s.put(server.url + "/collections/r/canary", json={
            "build": build, "fraction": 0.5, "max_p99_ms": 0.0, "max_p99_ratio": 0.0, "min_queries": 20})
        assert canary.status_code == 200, canary.text
        for client in range(200):
            s.post(server.url + "/collections/r/points/query", json={"query": queries[client].tolist(), "limit": 5},
                   headers={"x-lodestone-client": f"client-{client}"}).raise_for_status()
        wait_for(lambda: s.get(server.url + "/collections/r/canary").json()["result"]["settings"] is None, what="the canary abort")
        actions = [entry["action"] for entry in s.get(server.url + "/collections/r/audit").json()["result"]["entries"]]
        assert actions[-2:] == ["canary_start", "canary_abort"], actions
        wrong_model = s.put(server.url + "/collections/r/canary", json={"build": 999})
        assert wrong_model.status_code == 404

        # Drift: a reference window of on-topic queries, then off-topic ones.
        s.put(server.url + "/collections/r/monitoring", json={"drift_window": 200, "sample_rate": 1.0}).raise_for_status()
        s.post(server.url + "/collections/r/drift/reference").raise_for_status()
        for q in centers[rng.integers(0, 8, 200)] + 0.3 * rng.normal(size=(200, 32)).astype(np.float32):
            s.post(server.url + "/collections/r/points/query", json={"query": q.tolist(), "limit": 5}).raise_for_status()
        calm = s.get(server.url + "/collections/r/drift").json()["result"]
        assert not calm["alert"]
        for q in rng.normal(size=(200, 32)).astype(np.float32) * 3 + 5:
            s.post(server.url + "/collections/r/points/query", json={"query": q.tolist(), "limit": 5}).raise_for_status()
        drift = s.get(server.url + "/collections/r/drift").json()["result"]
        assert drift["ready"] and drift["alert"] and drift["centroid_shift"] > 3, drift
        ready = requests.get(server.url + "/readyz").json()
        assert ready["drift"]["r"]["alert"] is True
        metrics = requests.get(server.url + "/metrics").text
        assert 'lodestone_drift_alert{collection="r"} 1.0' in metrics
        cli = subprocess.run([BINARY, "drift", "--collection", "r", "--server", server.url, "--json"], capture_output=True, text=True, timeout=60)
        assert cli.returncode == 0 and json.loads(cli.stdout)["alert"] is True, cli.stderr
        log = s.get(server.url + "/collections/r/query-log?limit=5").json()["result"]
        assert log["count"] >= 400 and len(log["entries"]) == 5 and len(log["entries"][0]["scores"]) == 5
        # The log is stored at shutdown: the drift report reads the same offline.
        server.process.terminate()
        assert server.process.wait(timeout=30) == 0
        offline = last_json(lodestone(data, "drift", "--collection", "r", "--json"))
        assert offline["alert"] and abs(offline["centroid_shift"] - drift["centroid_shift"]) < 1e-6 * max(1, drift["centroid_shift"])
    finally:
        server.stop()
