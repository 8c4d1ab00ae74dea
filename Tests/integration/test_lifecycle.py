"""Issue 7 end to end against the real binary: text documents on model A, a build promoted over
HTTP, a worse model B (same weights, one layer, CLS pooling) refused by the gate with its
numbers, a rebuild of A with a higher ef_construct promoted from the CLI (the running server
follows), a rollback over HTTP, the audit trail; and queries running throughout with zero
failures."""
import tempfile
import json, os, shutil, subprocess, threading, time
import requests

from conftest import MODEL_DIR, Server, last_json, lodestone, wait_for

TOPICS = {
    "cats": ("How do cats behave at home?", [
        "Cats sleep most of the day on warm sofas.", "A kitten chases a ball of yarn.",
        "House cats purr when they are content.", "The cat scratched the living room chair.",
        "Indoor cats like to watch birds from the window.", "My cat knocks cups off the table for fun."]),
    "rates": ("What happens when central banks raise interest rates?", [
        "The central bank raised its policy rate by half a point.", "Higher interest rates make mortgages more expensive.",
        "Bond yields climbed after the rate decision.", "Savers earn more when rates go up.",
        "Tighter monetary policy is meant to slow inflation.", "Business loans cost more after the rate hike."]),
    "plants": ("How do plants make energy from sunlight?", [
        "Photosynthesis turns light into chemical energy.", "Chlorophyll absorbs red and blue light.",
        "Leaves take in carbon dioxide and release oxygen.", "Plants store energy from the sun as glucose.",
        "Chloroplasts are where photosynthesis happens in a leaf.", "Without sunlight a plant cannot make its food."]),
    "running": ("Tips for training for a marathon", [
        "Long slow runs build endurance for race day.", "Runners taper their mileage before a marathon.",
        "Good running shoes reduce the risk of injury.", "Interval training improves running speed.",
        "Drink water and eat carbohydrates during a long race.", "Rest days let the muscles recover between runs."]),
    "volcano": ("Why do volcanoes erupt?", [
        "Magma rises because it is lighter than the surrounding rock.", "Gas pressure builds up inside a volcano before it erupts.",
        "Lava flows down the slopes after an eruption.", "Volcanic ash can ground flights for days.",
        "Tectonic plates meeting can create volcanoes.", "Some volcanoes erupt explosively, others ooze lava slowly."]),
    "bread": ("How do you bake bread at home?", [
        "Knead the dough until it is smooth and elastic.", "Yeast makes the dough rise by producing gas.",
        "Bake the loaf in a hot oven until the crust is brown.", "Let the dough rest in a warm place for an hour.",
        "Flour, water, salt and yeast are all a simple loaf needs.", "Tap the bottom of the loaf: it sounds hollow when done."]),
}


def weak_model(directory):
    """The same weights with one encoder layer and CLS pooling: a deliberately worse model."""
    copy = os.path.join(directory, "weak-model")
    shutil.copytree(MODEL_DIR, copy)
    with open(os.path.join(copy, "config.json")) as f:
        config = json.load(f)
    config["num_hidden_layers"] = 1
    with open(os.path.join(copy, "config.json"), "w") as f:
        json.dump(config, f)
    with open(os.path.join(copy, "1_Pooling", "config.json")) as f:
        pooling = json.load(f)
    pooling.update(pooling_mode_mean_tokens=False, pooling_mode_cls_token=True)
    with open(os.path.join(copy, "1_Pooling", "config.json"), "w") as f:
        json.dump(pooling, f)
    return copy


def write_inputs(directory):
    documents, corpus, queries, qrels = [], [], [], ["query-id\tcorpus-id\tscore"]
    for topic, (query, texts) in TOPICS.items():
        queries.append({"_id": f"q-{topic}", "text": query})
        for index, text in enumerate(texts):
            point = len(documents)
            documents.append({"id": point, "text": text, "payload": {"topic": topic}})
            corpus.append({"_id": f"d{point}", "title": "", "text": text})
            qrels.append(f"q-{topic}\td{point}\t1")
    os.makedirs(os.path.join(directory, "beir", "qrels"))
    for name, rows in (("corpus.jsonl", corpus), ("queries.jsonl", queries)):
        with open(os.path.join(directory, "beir", name), "w") as f:
            f.write("\n".join(json.dumps(row) for row in rows) + "\n")
    with open(os.path.join(directory, "beir", "qrels", "test.tsv"), "w") as f:
        f.write("\n".join(qrels) + "\n")
    with open(os.path.join(directory, "docs.jsonl"), "w") as f:
        f.write("\n".join(json.dumps(row) for row in documents) + "\n")
    return len(documents)


class QueryLoad(threading.Thread):
    """Text and vector queries in a loop; every non-200 answer is kept."""

    def __init__(self, url):
        super().__init__(daemon=True)
        self.url, self.running, self.ok, self.failures = url, True, 0, []

    def run(self):
        s = requests.Session()
        questions = [query for query, _ in TOPICS.values()]
        while self.running:
            for question in questions:
                response = s.post(self.url + "/collections/docs/points/query", json={"query": question, "limit": 5}, timeout=30)
                if response.status_code == 200 and len(response.json()["result"]["points"]) == 5:
                    self.ok += 1
                else:
                    self.failures.append((response.status_code, response.text[:200]))


def test_models_builds_gates_promotion_rollback_end_to_end():
    data_root = tempfile.mkdtemp(prefix="lodestone-it-")  # the gates name a dataset in it over HTTP
    server = Server(["--artifacts-import-root", data_root], data=data_root)
    data = os.path.join(server.data, "db")
    s = requests.Session()
    try:
        count = write_inputs(server.data)
        assert last_json(lodestone(data, "models", "register", MODEL_DIR, "--name", "minilm", "--version", "1", "--json"))["dimension"] == 384
        lodestone(data, "models", "register", weak_model(server.data), "--name", "minilm", "--version", "weak", "--json")
        imported = last_json(lodestone(data, "import", "--collection", "docs", "--model", "minilm@1",
                                       os.path.join(server.data, "docs.jsonl"), "--json"))
        assert imported["points"] == count

        load = QueryLoad(server.url)
        load.start()
        wait_for(lambda: load.ok > 5, what="queries to run")

        # Build 1 from the CLI while the server runs, promoted over HTTP.
        first = last_json(lodestone(data, "build", "--collection", "docs", "--json"))
        assert first["status"] == "ready" and first["model"] == "minilm@1" and first["points"] == count
        assert first["recall"]["recall"] >= 0.95 and first["recall"]["query_source"] == "held_out_vectors"
        promoted = s.post(server.url + "/collections/docs/promote", json={"build": first["number"]})
        assert promoted.status_code == 200, promoted.text
        assert promoted.json()["result"]["promoted"] and promoted.json()["result"]["gate"]["passed"]
        assert s.get(server.url + "/collections/docs/serving").json()["result"]["live_build"] == first["number"]

        gates = s.put(server.url + "/collections/docs/gates", json={"eval_dataset": os.path.join(server.data, "beir")})
        assert gates.status_code == 200 and gates.json()["result"]["recall_floor"] == 0.95

        # Build 2 on the worse model, as an HTTP job polled to completion.
        started = s.post(server.url + "/collections/docs/builds", json={"model": "minilm@weak"})
        assert started.status_code == 202, started.text
        number = started.json()["result"]["number"]
        weak = wait_for(lambda: (lambda r: r if r["status"] != "building" else None)(
            s.get(server.url + f"/collections/docs/builds/{number}").json()["result"]), what="the weak build")
        assert weak["status"] == "ready" and weak["model"] == "minilm@weak"

        refused = lodestone(data, "promote", "--collection", "docs", "--build", str(number), "--json", check=False)
        assert refused.returncode == 2, refused.stderr
        verdict = last_json(refused)
        model_gate = verdict["gate"]["model"]
        assert not verdict["promoted"] and not model_gate["passed"]
        assert model_gate["candidate_ndcg@10"] < model_gate["baseline_ndcg@10"] - model_gate["margin"], model_gate
        refused_http = s.post(server.url + "/collections/docs/promote", json={"build": number})
        assert refused_http.status_code == 409 and "nDCG@10" in refused_http.json()["status"]["error"]
        assert refused_http.json()["result"]["gate"]["model"]["candidate"] == "minilm@weak"

        # A rebuild of A with a higher ef_construct passes, promoted from the CLI; the server follows.
        better = last_json(lodestone(data, "build", "--collection", "docs", "--ef-construct", "400", "--json"))
        assert better["production"]["build"] == first["number"]
        result = last_json(lodestone(data, "promote", "--collection", "docs", "--build", str(better["number"]),
                                     "--reason", "higher ef_construct", "--json"))
        assert result["promoted"] and result["from_build"] == first["number"]
        wait_for(lambda: s.get(server.url + "/collections/docs/serving").json()["result"]["live_build"] == better["number"],
                 what="the server to follow the promotion")

        rolled = s.post(server.url + "/collections/docs/rollback", json={"reason": "drill"})
        assert rolled.status_code == 200 and rolled.json()["result"]["to_build"] == first["number"]
        assert s.get(server.url + "/collections/docs/serving").json()["result"]["live_build"] == first["number"]
        time.sleep(1)

        load.running = False
        load.join(timeout=60)
        assert load.failures == [], load.failures[:5]
        assert load.ok > 50

        audit = last_json(lodestone(data, "audit", "--collection", "docs", "--json"))["entries"]
        assert [entry["action"] for entry in audit] == ["promote", "gates_changed", "refused", "refused", "promote", "rollback"]
        assert audit[4]["reason"] == "higher ef_construct" and audit[2]["gate"]["model"]["passed"] is False
        listed = last_json(lodestone(data, "builds", "list", "--collection", "docs", "--json"))["builds"]
        assert [build["status"] for build in listed] == ["ready", "ready", "ready"]
        registered = s.get(server.url + "/registry/models").json()["result"]["models"]
        assert sorted(model["version"] for model in registered) == ["1", "weak"]
        weak_model_info = s.get(server.url + "/registry/models/minilm@weak").json()["result"]
        assert weak_model_info["layers"] == 1 and weak_model_info["pooling"] == "cls"
        assert weak_model_info["used_by"] == [f"docs (build {number})"]
        staged = s.put(server.url + "/registry/models/minilm@1/stage", json={"stage": "production"})
        assert staged.status_code == 200 and staged.json()["result"]["changed"][0]["stage"] == "production"
        assert s.put(server.url + "/registry/models/minilm@1/stage", json={"stage": "gold"}).status_code == 400
        hits = s.post(server.url + "/collections/docs/points/query", json={"query": "Why do volcanoes erupt?", "limit": 3}).json()
        assert all(point["payload"]["topic"] == "volcano" for point in hits["result"]["points"])
    finally:
        server.stop()


def test_writes_from_another_process_reach_the_server_index():
    """An import by the CLI while the server has the collection open, then a write over HTTP:
    the server's index must hold both (the log is applied in order, with no gap)."""
    server = Server()
    data = os.path.join(server.data, "db")
    s = requests.Session()
    try:
        s.put(server.url + "/collections/mix", json={"vectors": {"size": 3, "distance": "Euclid"}}).raise_for_status()
        s.put(server.url + "/collections/mix/points?wait=true", json={"points": [{"id": 1, "vector": [0, 0, 0]}]}).raise_for_status()
        with open(os.path.join(server.data, "more.jsonl"), "w") as f:
            f.write("\n".join(json.dumps({"id": i, "vector": [i, i, i]}) for i in range(2, 52)) + "\n")
        lodestone(data, "import", "--collection", "mix", os.path.join(server.data, "more.jsonl"), "--json")
        s.put(server.url + "/collections/mix/points?wait=true", json={"points": [{"id": 100, "vector": [100, 100, 100]}]}).raise_for_status()
        for i in (2, 30, 51, 100):
            hit = s.post(server.url + "/collections/mix/points/query", json={"query": [i, i, i], "limit": 1}).json()["result"]["points"]
            assert hit[0]["id"] == i, (i, hit)
    finally:
        server.stop()


def test_demo_collection_takes_plain_text_and_can_be_rebuilt():
    """`serve --demo` (what tools/start runs) registers the bundled model, binds the demo
    collection to it, and the lifecycle works on it from the first minute."""
    server = Server(["--demo", "--demo-model", MODEL_DIR])
    data = os.path.join(server.data, "db")
    s = requests.Session()
    try:
        hits = s.post(server.url + "/collections/demo/points/query",
                      json={"query": "how do I check a new model before it serves?", "limit": 1, "with_payload": True}).json()
        assert hits["result"]["points"][0]["payload"]["topic"] == "evaluation", hits
        assert s.get(server.url + "/registry/models/all-MiniLM-L6-v2@1").json()["result"]["used_by"] == ["demo"]
        build = last_json(lodestone(data, "build", "--collection", "demo", "--json"))
        assert build["status"] == "ready" and build["model"] == "all-MiniLM-L6-v2@1"
        promoted = s.post(server.url + "/collections/demo/promote", json={"build": build["number"]})
        assert promoted.status_code == 200 and promoted.json()["result"]["promoted"], promoted.text
    finally:
        server.stop()
