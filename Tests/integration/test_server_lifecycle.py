"""Server process behaviour: clean SIGTERM shutdown that keeps every acknowledged write and
stores the index, so the next start loads it instead of rebuilding."""
import os, signal, subprocess, time
import requests

from conftest import BINARY, Server


def test_sigterm_exits_cleanly_and_keeps_writes():
    server = Server()
    data = os.path.join(server.data, "db")
    try:
        s = requests.Session()
        s.put(server.url + "/collections/keep", json={"vectors": {"size": 3, "distance": "Euclid"}}).raise_for_status()
        s.put(server.url + "/collections/keep/points?wait=true",
              json={"points": [{"id": i, "vector": [i, i + 1, i + 2], "payload": {"i": i}} for i in range(300)]}).raise_for_status()
        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(timeout=30) == 0
        log = open(server.log.name).read()
        assert "stopped cleanly" in log

        # Restart on the same data: everything is there, and the index image was loaded.
        port = server.port
        process = subprocess.Popen([BINARY, "serve", "--data", data, "--port", str(port)],
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            deadline = time.time() + 30
            while time.time() < deadline:
                try:
                    if requests.get(server.url + "/readyz", timeout=1).status_code == 200:
                        break
                except requests.RequestException:
                    time.sleep(0.1)
            count = s.post(server.url + "/collections/keep/points/count", json={"exact": True}).json()["result"]["count"]
            assert count == 300
            hit = s.post(server.url + "/collections/keep/points/query", json={"query": [150, 151, 152], "limit": 1}).json()
            assert hit["result"]["points"][0]["id"] == 150
        finally:
            process.send_signal(signal.SIGTERM)
            output, _ = process.communicate(timeout=30)
        assert process.returncode == 0
        assert "index=loaded" in output, output
    finally:
        if server.process.poll() is None:
            server.process.kill()
        server.log.close()


def test_a_collection_that_cannot_open_is_reported_and_skipped(tmp_path):
    """A collection whose store is damaged on disk: the server still starts, serves the others,
    and says which one failed in the log, /readyz and /metrics."""
    from conftest import lodestone, Server
    import numpy as np, os, requests
    data = str(tmp_path / "db")
    vectors = str(tmp_path / "v.npy")
    np.save(vectors, np.random.default_rng(3).random((40, 8), dtype=np.float32))
    for name in ("healthy", "damaged"):
        lodestone(data, "import", vectors, "--collection", name)
    with open(os.path.join(data, "collections", "damaged", "data.mdb"), "r+b") as f:
        f.write(b"\x00" * 16384)
    server = Server(data=str(tmp_path))
    try:
        ready = requests.get(server.url + "/readyz").json()
        for _ in range(100):
            if ready.get("status") == "ok":
                break
            ready = requests.get(server.url + "/readyz").json()
        assert list(ready["failed"]) == ["damaged"]
        assert str(tmp_path) not in ready["failed"]["damaged"], "the reason names an internal path"
        count = requests.post(server.url + "/collections/healthy/points/count", json={}).json()["result"]["count"]
        assert count == 40
        metrics = requests.get(server.url + "/metrics").text
        assert 'lodestone_collection_open_failed{collection="damaged"} 1' in metrics
        assert 'lodestone_collection_open_failed{collection="healthy"} 0' in metrics
        damaged = requests.post(server.url + "/collections/damaged/points/count", json={})
        assert damaged.status_code == 503
        message = damaged.json()["status"]["error"]
        assert "`damaged` could not be opened" in message and str(tmp_path) not in message
        # It can be deleted (and then recreated) while the others serve.
        assert requests.delete(server.url + "/collections/damaged").json()["result"] is True
        assert "damaged" not in requests.get(server.url + "/readyz").json()["failed"]
        assert "could not open collection" in open(os.path.join(str(tmp_path), "server.log")).read()
    finally:
        server.stop()
