"""Starts the real `lodestone serve` binary on a free loopback port with a fresh data directory."""
import json, os, shutil, signal, socket, subprocess, tempfile, time
import numpy as np
import pytest, requests

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.environ.get("LODESTONE_BINARY", os.path.join(ROOT, ".build", "release", "lodestone"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, extra_args=(), data=None, certificate=None):
        """`data`: restart on an earlier server's directory (its log is appended to, not lost).
        `certificate`: the server serves HTTPS with this PEM certificate, which the probe trusts."""
        self.data = data or tempfile.mkdtemp(prefix="lodestone-it-")
        self.port = free_port()
        self.url = f"{'https' if certificate else 'http'}://{'localhost' if certificate else '127.0.0.1'}:{self.port}"
        self.log = open(os.path.join(self.data, "server.log"), "a")
        self.process = subprocess.Popen(
            [BINARY, "serve", "--data", os.path.join(self.data, "db"), "--port", str(self.port), *extra_args],
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}: {open(self.log.name).read()}")
            try:
                if requests.get(self.url + "/healthz", timeout=1, verify=certificate or True).status_code == 200:
                    return
            except requests.RequestException:
                time.sleep(0.1)
        raise RuntimeError("server did not become healthy in 60 s")

    def halt(self, sig=signal.SIGKILL):
        """Ends the process with `sig` (SIGKILL: no shutdown code runs) and keeps the data
        directory for a restart; returns the exit code."""
        self.process.send_signal(sig)
        code = self.process.wait(timeout=30)
        self.log.close()
        return code

    def restarted(self):
        """Stops this server as SIGTERM does (images stored) and starts another on its data; a
        context manager that stops the new one (keeping the data for this one's `stop`)."""
        return _Restarted(self)

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        finally:
            if self.process.poll() is None:
                self.process.kill()
            self.log.close()
            shutil.rmtree(self.data, ignore_errors=True)


class _Restarted:
    def __init__(self, server):
        self.server = server

    def __enter__(self):
        self.server.halt(signal.SIGTERM)
        self.again = Server([], data=self.server.data)
        return self.again

    def __exit__(self, *exc):
        self.again.process.terminate()
        self.again.process.wait(timeout=30)
        self.again.log.close()
        return False


def lodestone(data, *args, check=True):
    result = subprocess.run([BINARY, *args, "--data", data], capture_output=True, text=True, timeout=600)
    if check and result.returncode != 0:
        raise AssertionError(f"lodestone {' '.join(args)} exited {result.returncode}: {result.stderr}{result.stdout}")
    return result

def last_json(result):
    return json.loads(result.stdout.strip().splitlines()[-1])

def wait_for(predicate, timeout=120, what="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


MODEL_DIR = os.environ.get("LODESTONE_MODEL_DIR", os.path.join(ROOT, "models", "all-MiniLM-L6-v2"))


@pytest.fixture(scope="session")
def server():
    instance = Server()
    yield instance
    instance.stop()


@pytest.fixture(scope="session")
def model_server():
    """A server that serves the test model and requires API keys."""
    instance = Server(["--model", MODEL_DIR, "--api-key", "full-secret", "--read-only-api-key", "read-secret",
                       "--artifacts-import-root", os.path.dirname(MODEL_DIR)])
    yield instance
    instance.stop()


@pytest.fixture(scope="session")
def client(server):
    from qdrant_client import QdrantClient
    return QdrantClient(url=server.url, prefer_grpc=False, timeout=60)


@pytest.fixture(scope="session")
def filled(client):
    from qdrant_client import models as qmodels
    rng = np.random.default_rng(7)
    n, dim = 2000, 16
    vectors = rng.normal(size=(n, dim)).astype(np.float32)
    client.create_collection("pts", vectors_config=qmodels.VectorParams(size=dim, distance=qmodels.Distance.COSINE))
    payloads = [{"city": ["Berlin", "Paris", "Rome", "Oslo"][i % 4], "n": i, "price": float(i % 100) / 10,
                 "tags": ["even" if i % 2 == 0 else "odd", f"t{i % 5}"], "meta": {"inner": {"k": f"v{i % 3}"}},
                 **({"maybe": None} if i % 7 == 0 else {}), **({"opt": i} if i % 11 == 0 else {})} for i in range(n)]
    half = n // 2
    client.upsert("pts", points=[qmodels.PointStruct(id=i, vector=vectors[i].tolist(), payload=payloads[i]) for i in range(half)])
    client.upsert("pts", points=qmodels.Batch(ids=list(range(half, n)), vectors=vectors[half:].tolist(), payloads=payloads[half:]))
    return vectors, payloads


