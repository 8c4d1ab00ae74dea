"""Registered models are immutable, content-addressed artifacts: uploaded over HTTP as a tar
stream (never named by a server path unless inside --artifacts-import-root), served from the
artifact store after the source is gone, and re-hashed by `lodestone models verify`."""
import hashlib, io, json, os, shutil, stat, subprocess, tarfile
import numpy as np
import pytest, requests
from conftest import BINARY, MODEL_DIR, Server, last_json, lodestone

KEY = {"api-key": "artifact-secret"}


def tar_of(directory, top=None):
    stream = io.BytesIO()
    with tarfile.open(fileobj=stream, mode="w") as archive:
        archive.add(directory, arcname=top or ".", filter=lambda info: None if info.name.endswith(".bin") else info)
    return stream.getvalue()


def manifest_digest(files):
    """The digest as documented: SHA-256 of `sha256  size  path` lines in path order."""
    lines = []
    for path in sorted(files):
        data = open(files[path], "rb").read()
        lines.append(f"{hashlib.sha256(data).hexdigest()}  {len(data)}  {path}\n")
    return hashlib.sha256("".join(lines).encode()).hexdigest()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("import-root")
    instance = Server(["--api-key", KEY["api-key"], "--artifacts-import-root", str(root)])
    instance.import_root = root
    yield instance
    instance.stop()


def test_upload_registers_the_files_that_determine_embeddings(server, tmp_path):
    source = tmp_path / "minilm"
    shutil.copytree(MODEL_DIR, source, symlinks=False)
    uploaded = requests.post(server.url + "/registry/models/upload", params={"name": "minilm", "version": "1"},
                             headers={**KEY, "content-type": "application/x-tar"}, data=tar_of(source, top="all-MiniLM-L6-v2"), timeout=300)
    assert uploaded.status_code == 200, uploaded.text
    record = uploaded.json()["result"]
    files = {p: str(source / p) for p in ["model.safetensors", "config.json", "vocab.txt", "tokenizer.json", "tokenizer_config.json",
                                          "special_tokens_map.json", "sentence_bert_config.json", "modules.json",
                                          "config_sentence_transformers.json"] if (source / p).exists()}
    for module in ("1_Pooling", "2_Normalize"):
        for dirpath, _, names in os.walk(source / module):
            for name in names:
                full = os.path.join(dirpath, name)
                files[os.path.relpath(full, source)] = full
    assert record["digest"] == manifest_digest(files)
    assert record["weights_sha256"] == hashlib.sha256(open(source / "model.safetensors", "rb").read()).hexdigest()
    assert record["path"] == "upload"
    # The same upload again is a no-op; other pooling under the same version is refused with both digests.
    again = requests.post(server.url + "/registry/models/upload", params={"name": "minilm", "version": "1"}, headers=KEY, data=tar_of(source))
    assert again.status_code == 200 and again.json()["result"] == record
    pooling = source / "1_Pooling" / "config.json"
    config = json.load(open(pooling))
    config.update(pooling_mode_mean_tokens=False, pooling_mode_cls_token=True)
    json.dump(config, open(pooling, "w"))
    refused = requests.post(server.url + "/registry/models/upload", params={"name": "minilm", "version": "1"}, headers=KEY, data=tar_of(source))
    assert refused.status_code == 400
    message = refused.json()["status"]["error"]
    assert record["digest"] in message and "register them under a new version" in message
    # The registered version serves from the store: embedding through a collection bound to it.
    shutil.rmtree(source)
    created = requests.put(server.url + "/collections/bound", headers=KEY, json={"embedding_model": "minilm@1", "vectors": {"distance": "Cosine"}})
    assert created.status_code == 200, created.text
    put = requests.put(server.url + "/collections/bound/points?wait=true", headers=KEY,
                       json={"points": [{"id": 1, "vector": "an artifact never changes"}]})
    assert put.status_code == 200, put.text


def test_a_server_path_is_accepted_only_inside_the_import_root(server, tmp_path):
    outside = requests.post(server.url + "/registry/models", headers=KEY, json={"directory": MODEL_DIR, "name": "m", "version": "path"})
    assert outside.status_code == 403
    message = outside.json()["status"]["error"]
    assert "artifacts_import_root" in message and "/registry/models/upload" in message
    inside = server.import_root / "minilm"
    shutil.copytree(MODEL_DIR, inside)
    registered = requests.post(server.url + "/registry/models", headers=KEY, json={"directory": str(inside), "name": "m", "version": "path"})
    assert registered.status_code == 200, registered.text
    # A file inside the root that links outside it is refused, and leaves nothing in the store.
    linked = server.import_root / "linked"
    shutil.copytree(MODEL_DIR, linked, ignore=shutil.ignore_patterns("model.safetensors"))
    os.symlink(os.path.realpath(os.path.join(MODEL_DIR, "model.safetensors")), linked / "model.safetensors")
    refused = requests.post(server.url + "/registry/models", headers=KEY, json={"directory": str(linked), "name": "m", "version": "linked"})
    assert refused.status_code == 400 and "model.safetensors" in refused.json()["status"]["error"], refused.text
    # A symlink inside the root that points outside it is outside.

    os.symlink(os.path.dirname(MODEL_DIR), server.import_root / "escape")
    escaped = requests.post(server.url + "/registry/models", headers=KEY,
                            json={"directory": str(server.import_root / "escape" / os.path.basename(MODEL_DIR)), "name": "m", "version": "esc"})
    assert escaped.status_code == 403


@pytest.mark.parametrize("case", ["gzip", "link", "escape", "empty", "garbage"])
def test_bad_uploads_are_refused_with_a_reason(server, tmp_path, case):
    if case == "gzip":
        body = __import__("gzip").compress(tar_of(MODEL_DIR))
        expected = "uncompressed tar"
    elif case in ("link", "escape"):
        stream = io.BytesIO()
        with tarfile.open(fileobj=stream, mode="w") as archive:
            info = tarfile.TarInfo("config.json")
            if case == "link":
                info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
                archive.addfile(info)
            else:
                info.name, info.size = "../../outside.json", 2
                archive.addfile(info, io.BytesIO(b"{}"))
        body = stream.getvalue()
        expected = "only files and directories" if case == "link" else "not a relative path"
    elif case == "empty":
        body = b"\0" * 1024
        expected = "holds no files"
    else:
        body = os.urandom(4096)
        expected = "checksum"
    response = requests.post(server.url + "/registry/models/upload", params={"name": "bad", "version": case}, headers=KEY, data=body)
    assert response.status_code == 400, response.text
    assert expected in response.json()["status"]["error"]
    assert not (tmp_path.parent / "outside.json").exists()


def test_models_verify_rehashes_the_store(tmp_path):
    data = str(tmp_path / "db")
    lodestone(data, "models", "register", MODEL_DIR, "--name", "minilm", "--version", "1", "--json")
    verified = subprocess.run([BINARY, "models", "verify", "--data", data, "--json"], capture_output=True, text=True)
    assert verified.returncode == 0, verified.stderr
    report = json.loads(verified.stdout)
    assert report["damaged"] == 0 and report["models"][0]["ok"]
    digest = report["models"][0]["digest"]
    vocabulary = os.path.join(data, "artifacts", "models", digest, "vocab.txt")
    os.chmod(vocabulary, stat.S_IRUSR | stat.S_IWUSR)
    with open(vocabulary, "a") as f:
        f.write("tampered\n")
    damaged = subprocess.run([BINARY, "models", "verify", "--data", data, "--json"], capture_output=True, text=True)
    assert damaged.returncode == 1
    report = json.loads(damaged.stdout)
    assert report["damaged"] == 1 and "vocab.txt changed" in report["models"][0]["problems"][0]


def test_datasets_upload_and_gates_name_them(server, tmp_path):
    beir = tmp_path / "beir"
    (beir / "qrels").mkdir(parents=True)
    (beir / "corpus.jsonl").write_text("".join(json.dumps({"_id": f"d{i}", "text": f"document {i}"}) + "\n" for i in range(6)))
    (beir / "queries.jsonl").write_text("".join(json.dumps({"_id": f"q{i}", "text": f"query {i}"}) + "\n" for i in range(3)))
    (beir / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\n" + "".join(f"q{i}\td{i}\t1\n" for i in range(3)))
    uploaded = requests.post(server.url + "/registry/datasets/upload", params={"name": "tiny", "version": "1"}, headers=KEY, data=tar_of(beir))
    assert uploaded.status_code == 200, uploaded.text
    record = uploaded.json()["result"]
    files = {p: str(beir / p) for p in ["corpus.jsonl", "queries.jsonl", "qrels/test.tsv"]}
    assert record["digest"] == manifest_digest(files) and record["documents"] == 6 and record["queries"] == 3
    listed = requests.get(server.url + "/registry/datasets", headers=KEY).json()["result"]["datasets"]
    assert [d["name"] + "@" + d["version"] for d in listed] == ["tiny@1"]
    requests.put(server.url + "/collections/gated", headers=KEY, json={"vectors": {"size": 2, "distance": "Dot"}}).raise_for_status()
    named = requests.put(server.url + "/collections/gated/gates", headers=KEY, json={"eval_dataset": "tiny@1"})
    assert named.status_code == 200 and named.json()["result"]["eval_dataset"] == "tiny@1"
    assert requests.put(server.url + "/collections/gated/gates", headers=KEY, json={"eval_dataset": "tiny@9"}).status_code == 404
    outside = requests.put(server.url + "/collections/gated/gates", headers=KEY, json={"eval_dataset": str(beir)})
    assert outside.status_code == 403 and "/registry/datasets/upload" in outside.json()["status"]["error"]
    inside = server.import_root / "beir"
    shutil.copytree(beir, inside)
    registered = requests.put(server.url + "/collections/gated/gates", headers=KEY, json={"eval_dataset": str(inside)})
    assert registered.status_code == 200 and registered.json()["result"]["eval_dataset"] == "beir@sha256-" + record["digest"][:12]
