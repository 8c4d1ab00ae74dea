"""Shared pieces of the load scripts in tools/: a free port, readiness, and wrk runs."""
import json, os, socket, subprocess, sys, time, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.join(ROOT, ".build", "release", "lodestone")
LUA = os.path.join(ROOT, "tools", "load", "vector-query.lua")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(url, seconds=120):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url + "/readyz", timeout=1) as r:
                if r.status == 200:
                    return
        except Exception:
            time.sleep(0.2)
    sys.exit("server did not become ready")


def write_query_vectors(npy, out):
    """Writes the rows of a .npy file as JSON arrays, one per line, for the wrk script."""
    import numpy as np
    with open(out, "w") as f:
        for row in np.load(npy):
            f.write(json.dumps([round(float(x), 6) for x in row]) + "\n")
    return out


def wrk(url, connections, seconds, env):
    """Runs wrk with the query script; returns its JSON summary (qps, p50_ms, p99_ms, errors)."""
    threads = 1 if connections == 1 else 2
    out = subprocess.run(["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--latency", "-s", LUA, url],
                         env={**os.environ, **env}, capture_output=True, text=True, check=True).stdout
    return json.loads([line for line in out.splitlines() if line.startswith("{")][-1])
