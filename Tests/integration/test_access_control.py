"""Access control as Qdrant does it: the API key, the read-only key, and with `--jwt` HS256 tokens
signed by the API key (made here by PyJWT) whose `access` claim grants global or per-collection
rights. Every route of the served OpenAPI document is called with every kind of credential, and
each status is checked against the route's `x-lodestone-access` and an independent reading of
what that credential grants."""
import shutil, subprocess, time
import jwt
import pytest, requests
from qdrant_client import QdrantClient, models
from qdrant_client.http.exceptions import UnexpectedResponse
from conftest import Server, wait_for

KEY = "access-full-secret"
READER = "access-read-secret"


def token(claims, key=KEY, algorithm="HS256"):
    return jwt.encode(claims, key, algorithm=algorithm)


def hour():
    return int(time.time()) + 3600


# name -> (header value or None, what it grants: None when refused, else (global, {collection: right}))
CREDENTIALS = {
    "none": (None, None),
    "api key": (KEY, ("m", {})),
    "read-only key": (READER, ("r", {})),
    "wrong key": ("not-the-key", None),
    "jwt m": (token({"access": "m", "exp": hour()}), ("m", {})),
    "jwt r": (token({"access": "r", "exp": hour()}), ("r", {})),
    "jwt granted r": (token({"access": [{"collection": "granted", "access": "r"}], "exp": hour()}), (None, {"granted": "r"})),
    "jwt granted rw": (token({"access": [{"collection": "granted", "access": "rw"}], "exp": hour(), "sub": "ci-bot"}), (None, {"granted": "rw"})),
    "jwt other rw": (token({"access": [{"collection": "other", "access": "rw"}], "exp": hour()}), (None, {"other": "rw"})),
    "jwt expired": (token({"access": "m", "exp": int(time.time()) - 60}), None),
    "jwt wrong signature": (token({"access": "m", "exp": hour()}, key="another-secret-of-sufficient-length"), None),
    "jwt not yet valid": (token({"access": "m", "nbf": hour()}), None),
    "jwt value_exists": (token({"access": "m", "value_exists": {"collection": "users", "matches": []}}), None),
    "jwt bad access": (token({"access": "w"}), None),
    "jwt alg none": (jwt.encode({"access": "m"}, None, algorithm="none"), None),
}


def allowed(access, grant, collection):
    """What the credential may do on a route, from the rules in Qdrant's documentation."""
    if access == "open":
        return True
    if grant is None:
        return False
    scope, rights = grant
    right = rights.get(collection)
    return {
        "authenticated": True,
        "read-server": scope in ("r", "m"),
        "manage-server": scope == "m",
        "read-collection": scope in ("r", "m") or right in ("r", "rw"),
        "write-collection": scope == "m" or right == "rw",
    }[access]


@pytest.fixture(scope="module")
def secured():
    instance = Server(["--api-key", KEY, "--read-only-api-key", READER, "--jwt"])
    full = {"api-key": KEY}
    for name in ("granted", "other"):
        assert requests.put(f"{instance.url}/collections/{name}", headers=full,
                            json={"vectors": {"size": 4, "distance": "Cosine"}}).status_code == 200
        points = [{"id": i, "vector": [1.0, i, 0.5, -i], "payload": {"n": i}} for i in range(1, 40)]
        assert requests.put(f"{instance.url}/collections/{name}/points?wait=true", headers=full,
                            json={"points": points}).status_code == 200
    assert requests.post(f"{instance.url}/collections/aliases", headers=full, json={"actions": [
        {"create_alias": {"collection_name": "granted", "alias_name": "granted-alias"}}]}).status_code == 200
    yield instance
    instance.stop()


def test_every_route_with_every_credential(secured):
    document = requests.get(secured.url + "/openapi.json").json()
    fill = {"{id}": "1", "{model}": "none", "{number}": "1", "{reference}": "ghost@1", "{field}": "nothing", "{file}": "console.css",
            "{snapshot_name}": "none.snapshot"}
    checked = 0
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            access = operation["x-lodestone-access"]
            # Deleting the probed collection would change the answers of the rest of the walk.
            collection = "ghost" if (method, path) == ("delete", "/collections/{name}") else "granted"
            url = secured.url + path.replace("{name}", collection)
            for placeholder, value in fill.items():
                url = url.replace(placeholder, value)
            for name, (secret, grant) in CREDENTIALS.items():
                headers = {"authorization": f"Bearer {secret}"} if secret else {}
                response = requests.request(method.upper(), url, headers=headers,
                                            json={} if method in ("put", "post") else None, timeout=60)
                where = f"{method.upper()} {path} with {name} ({access})"
                if allowed(access, grant, collection):
                    assert response.status_code not in (401, 403), f"{where}: refused, {response.text[:200]}"
                else:
                    expected = 401 if grant is None else 403
                    assert response.status_code == expected, f"{where}: {response.status_code}, expected {expected}"
                    message = response.json()["status"]["error"]
                    assert message and "/" not in message.replace("\"r\"", ""), f"{where}: {message}"
                assert response.status_code < 500, f"{where}: {response.status_code} {response.text[:200]}"
                checked += 1
    assert checked >= 70 * len(CREDENTIALS)


def refusal(secured, secret):
    response = requests.get(secured.url + "/collections/granted", headers={"authorization": f"Bearer {secret}"})
    assert response.status_code == 401
    return response.json()["status"]["error"]


def test_refusals_say_what_to_change(secured):
    assert "expired" in refusal(secured, CREDENTIALS["jwt expired"][0])
    assert "signature" in refusal(secured, CREDENTIALS["jwt wrong signature"][0])
    assert "not valid yet" in refusal(secured, CREDENTIALS["jwt not yet valid"][0])
    assert "value_exists" in refusal(secured, CREDENTIALS["jwt value_exists"][0])
    assert "`none`" in refusal(secured, CREDENTIALS["jwt alg none"][0])
    forbidden = requests.put(secured.url + "/collections/granted/points", headers={"api-key": CREDENTIALS["jwt granted r"][0]},
                             json={"points": [{"id": 1, "vector": [1, 0, 0, 0]}]})
    assert forbidden.status_code == 403
    assert "write access to collection `granted`" in forbidden.json()["status"]["error"]
    # A probe with a stale credential still answers.
    assert requests.get(secured.url + "/healthz", headers={"api-key": "stale"}).status_code == 200


def test_a_collection_token_lists_and_reaches_only_its_collection(secured):
    headers = {"api-key": CREDENTIALS["jwt granted r"][0]}
    listed = requests.get(secured.url + "/collections", headers=headers).json()["result"]["collections"]
    assert [c["name"] for c in listed] == ["granted"]
    everything = requests.get(secured.url + "/collections", headers={"api-key": READER}).json()["result"]["collections"]
    assert {c["name"] for c in everything} == {"granted", "other"}
    # Through an alias of the granted collection too.
    through_alias = requests.post(secured.url + "/collections/granted-alias/points/count", headers=headers, json={})
    assert through_alias.status_code == 200 and through_alias.json()["result"]["count"] == 39
    assert requests.post(secured.url + "/collections/other/points/count", headers=headers, json={}).status_code == 403


def test_qdrant_client_with_tokens(secured):
    reader = QdrantClient(url=secured.url, api_key=CREDENTIALS["jwt granted r"][0], timeout=30)
    hits = reader.query_points("granted", query=[1.0, 2.0, 0.5, -2.0], limit=3).points
    assert hits[0].id == 2
    with pytest.raises(UnexpectedResponse) as refused:
        reader.upsert("granted", points=[models.PointStruct(id=100, vector=[1, 0, 0, 0])])
    assert refused.value.status_code == 403
    with pytest.raises(UnexpectedResponse):
        reader.query_points("other", query=[1.0, 2.0, 0.5, -2.0], limit=3)
    writer = QdrantClient(url=secured.url, api_key=CREDENTIALS["jwt granted rw"][0], timeout=30)
    writer.upsert("granted", points=[models.PointStruct(id=100, vector=[0, 0, 1, 0])], wait=True)
    assert writer.retrieve("granted", ids=[100])[0].id == 100
    with pytest.raises(UnexpectedResponse) as refused:
        writer.delete_collection("granted")
    assert refused.value.status_code == 403


def test_lifecycle_actions_are_attributed_to_the_token_subject(secured):
    headers = {"api-key": CREDENTIALS["jwt granted rw"][0]}
    started = requests.post(secured.url + "/collections/granted/builds", headers=headers, json={})
    assert started.status_code == 202, started.text
    number = started.json()["result"]["number"]
    wait_for(lambda: requests.get(f"{secured.url}/collections/granted/builds/{number}", headers=headers)
             .json()["result"]["status"] in ("ready", "failed"), what="build")
    shadow = requests.put(secured.url + "/collections/granted/shadow", headers=headers, json={"build": number, "fraction": 0.5})
    assert shadow.status_code == 200, shadow.text
    audit = requests.get(secured.url + "/collections/granted/audit", headers=headers).json()["result"]
    entries = audit["entries"] if isinstance(audit, dict) else audit
    assert any(e.get("actor") == "jwt:ci-bot" for e in entries), entries


def test_readyz_details_need_a_credential(secured):
    bare = requests.get(secured.url + "/readyz").json()
    assert bare["status"] == "ok" and set(bare) == {"status", "title"}
    detailed = requests.get(secured.url + "/readyz", headers={"api-key": READER}).json()
    assert detailed["collections"] == 2 and set(detailed["drift"]) == {"granted", "other"}


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed (tools/test installs it)")
def test_https_with_qdrant_client(tmp_path):
    """`--tls-cert` / `--tls-key` with a self-signed certificate made here: qdrant-client with
    `https=True` trusts it and speaks to the same routes; plain HTTP to the port is refused."""
    certificate, key = str(tmp_path / "cert.pem"), str(tmp_path / "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", certificate,
                    "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                   check=True, capture_output=True)
    server = Server(["--api-key", KEY, "--jwt", "--tls-cert", certificate, "--tls-key", key], certificate=certificate)
    try:
        client = QdrantClient(host="localhost", port=server.port, https=True, api_key=token({"access": "m"}), verify=certificate, timeout=30)
        client.create_collection("secure", vectors_config=models.VectorParams(size=2, distance=models.Distance.DOT))
        client.upsert("secure", points=[models.PointStruct(id=1, vector=[1, 0]), models.PointStruct(id=2, vector=[0, 1])], wait=True)
        assert [p.id for p in client.query_points("secure", query=[0.1, 0.9], limit=2).points] == [2, 1]
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(server.url + "/healthz", timeout=5)  # an untrusted certificate is refused by the client
        with pytest.raises(requests.exceptions.ConnectionError):
            requests.get(f"http://127.0.0.1:{server.port}/healthz", timeout=5)
    finally:
        server.stop()


def test_unusable_access_settings_stop_the_server_with_a_reason(tmp_path):
    from conftest import BINARY
    cases = [(["--api-key", ""], "api_key is empty"), (["--jwt"], "jwt needs api_key"),
             (["--api-key", "k1", "--read-only-api-key", "k1"], "must differ"),
             (["--tls-cert", str(tmp_path / "missing.pem")], "tls_cert and tls_key go together"),
             (["--tls-cert", str(tmp_path / "missing.pem"), "--tls-key", str(tmp_path / "missing.pem")], "not a readable PEM file")]
    for arguments, reason in cases:
        result = subprocess.run([BINARY, "serve", "--data", str(tmp_path / "db"), "--port", "1", *arguments],
                                capture_output=True, text=True, timeout=60)
        assert result.returncode != 0, arguments
        assert reason in result.stderr + result.stdout, (arguments, result.stderr)


def test_a_collection_token_cannot_read_another_collection_through_the_body(secured):
    """`lookup_from` and `with_lookup` name a second collection: the token must grant it too."""
    headers = {"api-key": CREDENTIALS["jwt granted r"][0]}
    lookup = requests.post(secured.url + "/collections/granted/points/query", headers=headers,
                           json={"query": 2, "lookup_from": {"collection": "other"}, "limit": 3})
    assert lookup.status_code == 403 and "`other`" in lookup.json()["status"]["error"]
    groups = requests.post(secured.url + "/collections/granted/points/query/groups", headers=headers,
                           json={"query": [1.0, 2.0, 0.5, -2.0], "group_by": "n", "limit": 2, "with_lookup": {"collection": "other"}})
    assert groups.status_code == 403
    # Naming the granted collection itself is fine.
    own = requests.post(secured.url + "/collections/granted/points/query", headers=headers,
                        json={"query": 2, "lookup_from": {"collection": "granted"}, "limit": 3})
    assert own.status_code == 200, own.text
    # A read-write token on one collection may not register a dataset directory through its gates.
    writer = {"api-key": CREDENTIALS["jwt granted rw"][0]}
    gates = requests.put(secured.url + "/collections/granted/gates", headers=writer, json={"eval_dataset": "/tmp"})
    assert gates.status_code == 403 and "global manage" in gates.json()["status"]["error"]
