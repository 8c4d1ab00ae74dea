"""Index images stored in the background bound the replay after kill -9 and let the change log
be truncated, and while a restarted server loads its collections /healthz answers and /readyz
names the ones still loading."""
import json, os, re, signal, tempfile, time
import numpy as np
import requests

from conftest import Server, wait_for

DIM = 32


# Multiples of 1/8: exact through JSON and float32, so the check compares exactly.
ALL = (np.random.default_rng(0).integers(-64, 64, size=(60_000, DIM)) / 8.0).astype(np.float32)


def vectors(first, count):
    return ALL[first:first + count]


def upsert(url, first, count, batch=1000):
    for start in range(first, first + count, batch):
        rows = vectors(start, min(batch, first + count - start))
        points = [{"id": start + i, "vector": row.tolist(), "payload": {"n": start + i}} for i, row in enumerate(rows)]
        response = requests.put(f"{url}/collections/c/points?wait=true", json={"points": points}, timeout=120)
        assert response.status_code == 200, response.text


def gauge(url, name):
    for line in requests.get(url + "/metrics", timeout=10).text.splitlines():
        if line.startswith(name + "{") and 'collection="c"' in line:
            return float(line.split()[-1])
    return None


def opened_lines(log_path):
    return [line for line in open(log_path) if "opened collection" in line and "collection=c" in line]


def configured(**settings):
    """A data directory with a config file of these settings, and a server started on it."""
    data = tempfile.mkdtemp(prefix="lodestone-it-")
    config = os.path.join(data, "config.json")
    with open(config, "w") as f:
        json.dump(settings, f)
    return data, config, Server(["--config", config], data=data)


def test_background_images_bound_the_replay_after_kill_9():
    data, config, server = configured(index_image_changes=500, index_image_seconds=1)
    try:
        requests.put(server.url + "/collections/c", json={"vectors": {"size": DIM, "distance": "Euclid"}}).raise_for_status()
        upsert(server.url, 0, 3000)
        # No shutdown stores these images: the scheduler does, while the server runs.
        wait_for(lambda: gauge(server.url, "lodestone_changes_since_index_stored") == 0, timeout=30, what="a background index image")
        # Nothing else follows the log, so the stored image lets all of it go.
        wait_for(lambda: gauge(server.url, "lodestone_change_log_entries") == 0, timeout=30, what="the change log truncated")
        upsert(server.url, 3000, 500)  # after the last image: replayed from what is left
        server.halt(signal.SIGKILL)
        before = len(opened_lines(os.path.join(data, "server.log")))
        server = Server(["--config", config], data=data)
        wait_for(lambda: requests.get(server.url + "/readyz", timeout=5).status_code == 200, timeout=60, what="/readyz")
        lines = opened_lines(os.path.join(data, "server.log"))[before:]
        assert lines and "index=loaded" in lines[-1], lines
        ids = list(range(0, 3500, 7))
        got = requests.post(server.url + "/collections/c/points", json={"ids": ids, "with_vector": True, "with_payload": True}).json()["result"]
        expected = vectors(0, 3500)
        by_id = {p["id"]: p for p in got}
        assert sorted(by_id) == ids
        for i in ids:
            assert by_id[i]["vector"] == expected[i].tolist() and by_id[i]["payload"] == {"n": i}
        for i in (0, 2999, 3000, 3499):
            hits = requests.post(server.url + "/collections/c/points/query",
                                 json={"query": expected[i].tolist(), "limit": 1, "params": {"exact": True}}).json()["result"]["points"]
            assert hits[0]["id"] == i
    finally:
        server.stop()


def test_readyz_lists_collections_still_loading_while_healthz_answers():
    # Images only at shutdown, which kill -9 skips: the restart rebuilds the graph.
    data, config, server = configured(index_image_changes=10_000_000, index_image_seconds=3600)
    try:
        requests.put(server.url + "/collections/c", json={"vectors": {"size": DIM, "distance": "Euclid"}}).raise_for_status()
        upsert(server.url, 0, 60_000, batch=2000)
        server.halt(signal.SIGKILL)
        server = Server(["--config", config], data=data)
        loading_seen, health_codes = False, []
        deadline = time.time() + 120
        while time.time() < deadline:
            health_codes.append(requests.get(server.url + "/healthz", timeout=5).status_code)
            ready = requests.get(server.url + "/readyz", timeout=5)
            if ready.status_code == 200:
                break
            assert ready.status_code == 503, ready.text
            body = ready.json()
            assert body["status"] == "loading" and body["loading"] == ["c"], body
            loading_seen = True
            time.sleep(0.05)
        assert ready.status_code == 200, "never ready"
        assert set(health_codes) == {200}
        assert loading_seen, "the collection loaded before the first probe: make it larger"
        count = requests.post(server.url + "/collections/c/points/count", json={"exact": True}).json()["result"]["count"]
        assert count == 60_000
    finally:
        server.stop()
