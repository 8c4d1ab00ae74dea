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
