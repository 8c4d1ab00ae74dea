"""Qdrant's collection snapshot API. A snapshot of a collection bound to a registered model,
with a promoted build, a payload index, a policy and writes after the build, is taken while
the server serves, downloaded, and recovered on a fresh server by upload: that server answers
every query as the first does (and as numpy does), and has the model from the snapshot.
qdrant-client's create_snapshot, list_snapshots, recover_snapshot and delete_snapshot drive it."""
import hashlib, json, os, shutil, signal, tarfile
import numpy as np
import pytest, requests
from qdrant_client import QdrantClient
from conftest import MODEL_DIR, Server, lodestone, wait_for

KEY = "snapshot-secret"
HEADERS = {"api-key": KEY}
TOPICS = ["harbour", "orchard", "glacier", "library", "market"]
TEXTS = [f"a note about the {TOPICS[i % 5]} number {i}, written on day {i % 17} of the {['spring', 'autumn', 'winter'][i % 3]}"
         for i in range(240)]
QUERIES = ["boats in the harbour", "apples from the orchard", "ice in winter", "books and reading", "buying at the market",
           "day three of spring", "number forty", "an autumn walk"]


def session(url):
    s = requests.Session()
    s.headers.update(HEADERS)
    s.base = url
    return s


def answers(s, collection, exact=False):
    """Top-10 ids and scores for text queries, some filtered, and for stored vectors as queries."""
    out = []
    for i, text in enumerate(QUERIES):
        body = {"query": text, "limit": 10, "params": {"exact": exact, "hnsw_ef": 128}}
        if i % 2:
            body["filter"] = {"must": [{"key": "topic", "match": {"value": TOPICS[i % 5]}}]}
        response = s.post(f"{s.base}/collections/{collection}/points/query", json=body)
        assert response.status_code == 200, response.text
        out.append([(p["id"], round(p["score"], 5)) for p in response.json()["result"]["points"]])
    return out


def state(s, collection):
    info = s.get(f"{s.base}/collections/{collection}").json()["result"]
    serving = s.get(f"{s.base}/collections/{collection}/serving").json()["result"]
    builds = s.get(f"{s.base}/collections/{collection}/builds").json()["result"]["builds"]
    stored = s.get(f"{s.base}/collections/{collection}/policy").json()["result"]
    policy = {key: stored.get(key) for key in ("stored", "max_deleted_fraction", "logged_recall_floor", "auto_promote")}
    return {"points": info["points_count"], "indexed": sorted(info["payload_schema"]), "live_build": serving["live_build"],
            "builds": [(b["number"], b["status"], b["model"]) for b in builds], "policy": policy}


@pytest.fixture(scope="module")
def source():
    server = Server(["--api-key", KEY])
    data = os.path.join(server.data, "db")
    lodestone(data, "models", "register", MODEL_DIR, "--name", "minilm", "--version", "1", "--json")
    s = session(server.url)
    assert s.put(server.url + "/collections/docs", json={"embedding_model": "minilm@1", "vectors": {"distance": "Cosine"}}).status_code == 200
    points = [{"id": i, "vector": text, "payload": {"topic": TOPICS[i % 5], "i": i}} for i, text in enumerate(TEXTS[:200])]
    assert s.put(server.url + "/collections/docs/points?wait=true", json={"points": points}).status_code == 200
    assert s.put(server.url + "/collections/docs/index?wait=true", json={"field_name": "topic", "field_schema": "keyword"}).status_code == 200
    # The gate holds this build within 0.01 of build 0 (recall 1.0 on 200 points). At ef 64 one
    # CI run's two-thread build measured 0.984 and was refused (here 130 builds gave 0.997 to 1),
    # so the fixture serves at ef 128, where the walk covers most of the 200 points.
    started = s.post(server.url + "/collections/docs/builds", json={"m": 12, "ef_construct": 100, "ef": 128})
    assert started.status_code == 202, started.text
    number = started.json()["result"]["number"]
    wait_for(lambda: s.get(f"{server.url}/collections/docs/builds/{number}").json()["result"]["status"] == "ready", what="the build")
    promoted = s.post(server.url + "/collections/docs/promote", json={"build": number})
    assert promoted.status_code == 200 and promoted.json()["result"]["promoted"], promoted.text
    assert s.put(server.url + "/collections/docs/policy", json={"max_deleted_fraction": 0.5}).status_code == 200
    # Writes after the build: the recovered build has to catch up from the snapshot's change log.
    more = [{"id": i, "vector": TEXTS[i], "payload": {"topic": TOPICS[i % 5], "i": i}} for i in range(200, 240)]
    assert s.put(server.url + "/collections/docs/points?wait=true", json={"points": more}).status_code == 200
    assert s.post(server.url + "/collections/docs/points/delete?wait=true", json={"points": list(range(0, 30))}).status_code == 200
    server.session, server.db, server.build = s, data, number
    yield server
    server.stop()


@pytest.fixture(scope="module")
def snapshot(source):
    client = QdrantClient(url=source.url, api_key=KEY, timeout=120)
    description = client.create_snapshot("docs")
    assert description.name.startswith("docs-") and description.name.endswith(".snapshot")
    assert description.name in [d.name for d in client.list_snapshots("docs")]
    download = source.session.get(f"{source.url}/collections/docs/snapshots/{description.name}", stream=True)
    assert download.status_code == 200 and download.headers["content-type"] == "application/octet-stream"
    content = b"".join(download.iter_content(1 << 20))
    assert len(content) == description.size and hashlib.sha256(content).hexdigest() == description.checksum
    path = os.path.join(source.db, "snapshots", "docs", description.name)
    assert open(path, "rb").read() == content
    # An ordinary tar file: Python's tarfile reads it, and the manifest's hashes match its members.
    with tarfile.open(path) as archive:
        names = archive.getnames()
        assert names[-1] == "lodestone-snapshot.json" and "collection/data.mdb" in names
        manifest = json.load(archive.extractfile("lodestone-snapshot.json"))
        assert manifest["collection"] == "docs" and [m["digest"] for m in manifest["models"]]
        assert any(n.startswith("builds/") for n in names) and any(n.endswith("/model.safetensors") for n in names)
        for entry in manifest["files"]:
            assert hashlib.sha256(archive.extractfile(entry["path"]).read()).hexdigest() == entry["sha256"], entry["path"]
    return {"description": description, "content": content, "path": path, "client": client}


def test_a_snapshot_uploaded_to_a_fresh_server_answers_the_same(source, snapshot):
    target = Server(["--api-key", KEY])
    try:
        t = session(target.url)
        assert t.get(target.url + "/registry/models").json()["result"]["models"] == []
        uploaded = requests.post(f"{target.url}/collections/docs/snapshots/upload", headers=HEADERS,
                                 params={"checksum": snapshot["description"].checksum, "priority": "snapshot"},
                                 files={"snapshot": (snapshot["description"].name, snapshot["content"], "application/octet-stream")}, timeout=300)
        assert uploaded.status_code == 200 and uploaded.json()["result"] is True, uploaded.text
        expected = state(source.session, "docs")
        assert expected["points"] == 210 and expected["live_build"] == source.build
        assert state(t, "docs") == expected
        assert answers(t, "docs") == answers(source.session, "docs")
        assert answers(t, "docs", exact=True) == answers(source.session, "docs", exact=True)
        # The model came with the snapshot, byte for byte.
        source_model = source.session.get(source.url + "/registry/models/minilm@1").json()["result"]
        target_model = t.get(target.url + "/registry/models/minilm@1").json()["result"]
        assert target_model["digest"] == source_model["digest"] and target_model["weights_sha256"] == source_model["weights_sha256"]
        # Answers checked against numpy on the recovered vectors, with a stored vector as the query.
        scrolled = t.post(target.url + "/collections/docs/points/scroll", json={"limit": 1000, "with_vector": True}).json()["result"]["points"]
        ids = np.array([p["id"] for p in scrolled])
        vectors = np.array([p["vector"] for p in scrolled], dtype=np.float64)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        for row in (0, 57, 133):
            query = vectors[row]
            found = t.post(target.url + "/collections/docs/points/query", json={"query": scrolled[row]["vector"], "limit": 10}).json()["result"]["points"]
            truth = ids[np.argsort(-(vectors @ query), kind="stable")[:10]]
            assert [p["id"] for p in found] == list(truth)
        audit = t.get(target.url + "/collections/docs/audit").json()["result"]["entries"]
        assert audit[-1]["action"] == "snapshot_recovered" and "docs" in audit[-1]["reason"]
        assert any(e["action"] == "promote" for e in audit), "the snapshot's audit trail came with it"
        # The recovered collection survives a restart of the server and still answers the same.
        target.halt(signal.SIGTERM)
        target = Server(["--api-key", KEY], data=target.data)
        t = session(target.url)
        assert state(t, "docs") == expected
        assert answers(t, "docs") == answers(source.session, "docs")
    finally:
        target.stop()


def test_recover_by_location_under_another_name_and_over_an_existing_collection(source, snapshot):
    client, s = snapshot["client"], source.session
    location = "file://" + snapshot["path"]
    assert client.recover_snapshot("copy", location=location, checksum=snapshot["description"].checksum) is True
    assert state(s, "copy") == state(s, "docs")
    assert answers(s, "copy") == answers(s, "docs")
    assert s.post(source.url + "/collections/copy/points/delete?wait=true", json={"points": list(range(30, 80))}).status_code == 200
    assert s.post(source.url + "/collections/aliases", json={"actions": [{"create_alias": {"collection_name": "copy", "alias_name": "copy-alias"}}]}).status_code == 200
    assert state(s, "copy")["points"] == 160
    # Recovering over an existing collection replaces it; its aliases stay.
    assert client.recover_snapshot("copy", location=location) is True
    assert state(s, "copy")["points"] == 210
    assert answers(s, "copy-alias") == answers(s, "docs")
    # The source collection was not touched by either recovery.
    assert state(s, "docs")["points"] == 210


def test_bad_recoveries_are_refused_and_change_nothing(source, snapshot, tmp_path):
    s = source.session
    before = state(s, "docs"), answers(s, "docs")
    recover = lambda body: s.put(source.url + "/collections/docs/snapshots/recover", json=body)
    cases = {
        "wrong checksum": ({"location": "file://" + snapshot["path"], "checksum": "0" * 64}, "checksum"),
        "outside the snapshots directory": ({"location": "file:///etc/passwd"}, "outside"),
        "a URL": ({"location": "http://example.com/docs.snapshot"}, "does not download"),
        "no location": ({}, "location"),
        "bad priority": ({"location": "file://" + snapshot["path"], "priority": "first"}, "priority"),
        "an api_key": ({"location": "file://" + snapshot["path"], "api_key": "x"}, "api_key"),
        "an unknown field": ({"location": "file://" + snapshot["path"], "shard": 1}, "shard"),
        "missing file": ({"location": "file://" + os.path.join(source.db, "snapshots", "docs", "gone.snapshot")}, "no snapshot file"),
    }
    # A damaged copy inside the snapshots directory: one byte of the collection's data flipped.
    damaged = bytearray(snapshot["content"])
    damaged[len(damaged) // 3] ^= 0xFF
    damaged_path = os.path.join(source.db, "snapshots", "docs", "damaged.snapshot")
    open(damaged_path, "wb").write(bytes(damaged))
    cases["a damaged file"] = ({"location": "file://" + damaged_path}, "")
    not_tar = os.path.join(source.db, "snapshots", "docs", "text.snapshot")
    open(not_tar, "wb").write(b"this is not a tar stream" * 100)
    cases["not a tar stream"] = ({"location": "file://" + not_tar}, "")
    for what, (body, words) in cases.items():
        response = recover(body)
        assert response.status_code == 400, f"{what}: {response.status_code} {response.text}"
        message = response.json()["status"]["error"]
        assert words in message, f"{what}: {message}"
        assert source.db not in message, f"{what}: the message names a server path: {message}"
    uploads = {
        "no snapshot field": {"files": {"other": ("x", b"abc")}},
        "an empty body": {"data": b""},
    }
    for what, arguments in uploads.items():
        response = requests.post(f"{source.url}/collections/docs/snapshots/upload", headers=HEADERS, timeout=60, **arguments)
        assert response.status_code == 400, f"{what}: {response.status_code} {response.text}"
    assert s.get(f"{source.url}/collections/docs/snapshots/nothing.snapshot").status_code == 404
    assert s.get(f"{source.url}/collections/ghost/snapshots").status_code == 404
    assert s.post(f"{source.url}/collections/ghost/snapshots").status_code == 404
    assert (state(s, "docs"), answers(s, "docs")) == before


def test_a_snapshot_whose_model_version_differs_here_is_refused_with_both_digests(snapshot, tmp_path):
    target = Server(["--api-key", KEY])
    try:
        other = tmp_path / "cls-pooling"
        shutil.copytree(MODEL_DIR, other)
        pooling = other / "1_Pooling" / "config.json"
        config = json.load(open(pooling))
        config.update(pooling_mode_mean_tokens=False, pooling_mode_cls_token=True)
        os.chmod(pooling, 0o644)
        json.dump(config, open(pooling, "w"))
        registered = json.loads(lodestone(os.path.join(target.data, "db"), "models", "register", str(other), "--name", "minilm",
                                          "--version", "1", "--json").stdout.strip().splitlines()[-1])
        uploaded = requests.post(f"{target.url}/collections/docs/snapshots/upload", headers=HEADERS, timeout=300,
                                 files={"snapshot": ("docs.snapshot", snapshot["content"])})
        assert uploaded.status_code == 400, uploaded.text
        message = uploaded.json()["status"]["error"]
        manifest_digest = json.load(tarfile.open(snapshot["path"]).extractfile("lodestone-snapshot.json"))["models"][0]["digest"]
        assert registered["digest"] in message and manifest_digest in message, message
        assert requests.get(f"{target.url}/collections/docs", headers=HEADERS).status_code == 404
    finally:
        target.stop()


def test_the_read_only_key_lists_and_downloads_but_does_not_create_or_recover(tmp_path):
    server = Server(["--api-key", KEY, "--read-only-api-key", "reader"])
    try:
        s = session(server.url)
        s.put(server.url + "/collections/small", json={"vectors": {"size": 3, "distance": "Dot"}}).raise_for_status()
        s.put(server.url + "/collections/small/points?wait=true", json={"points": [{"id": 1, "vector": [1, 0, 0]}]}).raise_for_status()
        name = s.post(server.url + "/collections/small/snapshots").json()["result"]["name"]
        reader = {"api-key": "reader"}
        assert requests.get(f"{server.url}/collections/small/snapshots", headers=reader).json()["result"][0]["name"] == name
        assert requests.get(f"{server.url}/collections/small/snapshots/{name}", headers=reader).status_code == 200
        assert requests.post(f"{server.url}/collections/small/snapshots", headers=reader).status_code == 403
        assert requests.delete(f"{server.url}/collections/small/snapshots/{name}", headers=reader).status_code == 403
        assert requests.put(f"{server.url}/collections/small/snapshots/recover", headers=reader, json={"location": "file:///x"}).status_code == 403
        # wait=false answers at once, as Qdrant does; the snapshot appears when written.
        accepted = s.post(server.url + "/collections/small/snapshots?wait=false")
        assert accepted.status_code == 202 and accepted.json()["status"] == "accepted" and accepted.json()["result"] is None
        wait_for(lambda: len(s.get(server.url + "/collections/small/snapshots").json()["result"]) == 2, timeout=30, what="the background snapshot")
        client = QdrantClient(url=server.url, api_key=KEY, timeout=30)
        assert client.delete_snapshot("small", name) is True
        assert name not in [d.name for d in client.list_snapshots("small")]
    finally:
        server.stop()
