"""Qdrant's `wait`, admission control (503 with Retry-After when the search queue is full, then
recovery), the `timeout` parameter, and health checks that answer while searches queue."""
import concurrent.futures
import json
import os
import time
import numpy as np
import requests
from conftest import Server, wait_for

DIM = 128


def fill(url, count, rng):
    vectors = rng.normal(size=(count, DIM)).astype(np.float32)
    requests.put(url, json={"vectors": {"size": DIM, "distance": "Dot"}}).raise_for_status()
    for start in range(0, count, 2000):
        batch = {"ids": list(range(start, start + 2000)), "vectors": vectors[start:start + 2000].tolist()}
        requests.put(url + "/points?wait=true", json={"batch": batch}, timeout=120).raise_for_status()
    return vectors


def test_wait_false_becomes_searchable_and_wait_true_is_immediate(server):
    url = server.url + "/collections/waits"
    rng = np.random.default_rng(4)
    vectors = fill(url, 2000, rng)
    probe = (vectors[0] * 50).tolist()
    acknowledged = requests.put(url + "/points", json={"points": [{"id": 99_999, "vector": probe}]}).json()["result"]
    assert acknowledged["status"] == "acknowledged"
    assert requests.post(url + "/points", json={"ids": [99_999]}).json()["result"], "durable (readable) when acknowledged"
    wait_for(lambda: requests.post(url + "/points/query", json={"query": probe, "limit": 1}).json()["result"]["points"][0]["id"] == 99_999,
             timeout=10, what="a wait=false write to become searchable")
    other = (vectors[1] * 60).tolist()
    completed = requests.put(url + "/points?wait=true", json={"points": [{"id": 88_888, "vector": other}]}).json()["result"]
    assert completed["status"] == "completed"
    assert requests.post(url + "/points/query", json={"query": other, "limit": 1}).json()["result"]["points"][0]["id"] == 88_888


def test_full_search_queue_is_503_with_retry_after_and_recovers(tmp_path):
    config = tmp_path / "lodestone.json"
    config.write_text(json.dumps({"search_threads": 1, "search_queue": 2}))
    server = Server(["--config", str(config)])
    try:
        url = server.url + "/collections/load"
        rng = np.random.default_rng(5)
        vectors = fill(url, 20_000, rng)
        body = {"query": vectors[3].tolist(), "limit": 10, "params": {"exact": True}}

        def search(_):
            response = requests.post(url + "/points/query", json=body, timeout=60)
            return response.status_code, response.headers.get("retry-after")

        health = []
        with concurrent.futures.ThreadPoolExecutor(max_workers=24) as pool:
            futures = [pool.submit(search, i) for i in range(96)]
            while not all(f.done() for f in futures):
                start = time.monotonic()
                assert requests.get(server.url + "/healthz", timeout=5).status_code == 200
                health.append(time.monotonic() - start)
            outcomes = [f.result() for f in futures]
        refused = [o for o in outcomes if o[0] == 503]
        assert refused and all(retry == "1" for _, retry in refused), outcomes[:5]
        assert all(code in (200, 503) for code, _ in outcomes)
        assert max(health) < 1.0, "health checks do not queue behind searches"
        assert [search(0)[0] for _ in range(3)] == [200, 200, 200], "the server recovers once load drops"
    finally:
        server.stop()


def test_timeout_parameter(tmp_path):
    config = tmp_path / "lodestone.json"
    config.write_text(json.dumps({"search_threads": 1, "search_queue": 64}))
    server = Server(["--config", str(config)])
    try:
        url = server.url + "/collections/slow"
        vectors = fill(url, 20_000, np.random.default_rng(6))
        body = {"query": vectors[0].tolist(), "limit": 10, "params": {"exact": True}}
        with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
            codes = list(pool.map(lambda _: requests.post(url + "/points/query?timeout=0.0005", json=body, timeout=60).status_code, range(48)))
        assert 408 in codes and set(codes) <= {200, 408}, codes
        assert requests.post(url + "/points/query?timeout=abc", json=body).status_code == 400
        assert requests.post(url + "/points/query?timeout=30", json=body).status_code == 200
    finally:
        server.stop()
