"""kill -9 while 32 clients write concurrently (single points and batches, wait=true and
wait=false): after every restart each acknowledged point is there with its exact vector and
payload, and an exact search finds it. One data directory lives through all the rounds, so a
later crash or replay that damages earlier rounds' points is caught too. Halfway, one clean
SIGTERM stores an index image: before it every restart rebuilds the index from the stored
vectors; after it images are also stored in the background (and the change log truncated
behind them), so every restart loads the last image and replays the rest of the log."""
import collections, json, os, random, re, signal, tempfile, threading, time, warnings
import requests
from conftest import Server, wait_for

WRITERS, ROUNDS, DIM = 32, 10, 16
SPAN = 1_000_000  # ids per writer: disjoint ranges, so no two writers race on one point
SEED = int(os.environ.get("LODESTONE_CRASH_SEED", "20261201"))


def vector(pid):
    # The first five components spell the id in base 64 (ids < 2**30), so no two points share a
    # vector and a point is the only one at distance 0 from itself. Every value is k/8: exact in float32 and
    # through JSON, so the stored vector can be compared with ==.
    digits = [(pid >> (6 * k)) & 63 for k in range(5)]
    rest = [(pid * (2 * j + 3) * 40503) % 129 - 64 for j in range(DIM - 5)]
    return [v / 8 for v in digits + rest]


def payload(pid):
    return {"id": pid, "writer": pid // SPAN, "label": f"p{pid}", "x": (pid % 97) / 4,
            "tags": [f"t{pid % 5}", "even" if pid % 2 == 0 else "odd"], "nested": {"k": pid % 3}}


def body(ids, columnar):
    if columnar:
        return {"batch": {"ids": ids, "vectors": [vector(i) for i in ids], "payloads": [payload(i) for i in ids]}}
    return {"points": [{"id": i, "vector": vector(i), "payload": payload(i)} for i in ids]}


class Writer(threading.Thread):
    """One client: upserts its own next ids until the server goes away. A write counts only when
    its 200 response arrived; a 503 (admission control) is retried, a broken connection ends it."""

    def __init__(self, url, round_, next_id, rng, acked, lock, errors):
        super().__init__(daemon=True)
        self.url, self.round, self.next_id, self.rng = url + "/collections/crash/points", round_, next_id, rng
        self.acked, self.lock, self.errors = acked, lock, errors

    def run(self):
        session = requests.Session()
        while True:
            size = 1 if self.rng.random() < 0.4 else self.rng.randint(2, 20)
            wait = self.rng.random() < 0.5
            ids = list(range(self.next_id, self.next_id + size))
            # Ids are never reused, even when the request died: its points may or may not exist.
            self.next_id += size
            shape = "single" if size == 1 else "batch"
            request = body(ids, columnar=size > 1 and self.rng.random() < 0.5)
            while True:
                try:
                    response = session.put(self.url, params={"wait": str(wait).lower()}, json=request, timeout=30)
                except requests.RequestException:
                    return
                if response.status_code != 503:
                    break
                time.sleep(self.rng.uniform(0.02, 0.1))  # back off, not synchronise
            status = response.json().get("result", {}).get("status") if response.status_code == 200 else None
            if status not in ("completed", "acknowledged"):
                with self.lock:
                    self.errors.append((response.status_code, response.text[:200]))
                return
            with self.lock:
                for pid in ids:
                    self.acked[pid] = (self.round, "wait" if wait else "nowait", shape)


def describe(ids, acked):
    """Which rounds, modes and shapes the given points were acknowledged in, and a few ids."""
    kinds = collections.Counter(acked[i] for i in ids)
    return f"{len(ids)} points by (round, mode, shape) {dict(kinds)}; first ids {sorted(ids)[:10]}"


def stored_mismatches(session, url, acked):
    missing, wrong = [], []
    ids = sorted(acked)
    for start in range(0, len(ids), 1000):
        chunk = ids[start:start + 1000]
        response = session.post(url + "/points", json={"ids": chunk, "with_vector": True, "with_payload": True}, timeout=60)
        response.raise_for_status()
        got = {p["id"]: p for p in response.json()["result"]}
        for pid in chunk:
            point = got.get(pid)
            if point is None:
                missing.append(pid)
            elif point.get("vector") != vector(pid) or point.get("payload") != payload(pid):
                wrong.append(pid)
    return missing, wrong


def finds(session, url, pid):
    query = {"query": vector(pid), "limit": 3, "params": {"exact": True}}
    response = session.post(url + "/points/query", json=query, timeout=30)
    response.raise_for_status()
    return pid in [hit["id"] for hit in response.json()["result"]["points"]]


def last_index_open(data):
    """How the last start opened the index: `loaded` (image + log replay) or `rebuilt`."""
    return re.findall(r"collection=crash .*?\bindex=(\w+)", open(os.path.join(data, "server.log")).read())[-1]


def test_acknowledged_writes_survive_kill_9_under_32_writers():
    rng = random.Random(SEED)
    acked, lock, errors = {}, threading.Lock(), []
    next_ids = [w * SPAN for w in range(WRITERS)]
    figures, late = [], []
    data = tempfile.mkdtemp(prefix="lodestone-it-")
    # First half: images only at a clean stop, so every restart rebuilds. Second half: images
    # stored in the background every 2,000 changes (and the log truncated behind them), so
    # kill -9 lands between images and a restart replays the log from the last one.
    configs = {}
    for half, settings in (("early", {"index_image_changes": 10_000_000, "index_image_seconds": 3600}),
                           ("late", {"index_image_changes": 2_000, "index_image_seconds": 0.5})):
        configs[half] = os.path.join(data, f"{half}.json")
        with open(configs[half], "w") as f:
            json.dump(settings, f)
    def start(round_):
        return Server(["--config", configs["late" if round_ >= ROUNDS // 2 else "early"]], data=data)
    server = start(0)
    try:
        requests.put(server.url + "/collections/crash",
                     json={"vectors": {"size": DIM, "distance": "Euclid"}}, timeout=30).raise_for_status()
        for round_ in range(ROUNDS):
            writers = [Writer(server.url, round_, next_ids[w], random.Random(rng.random()), acked, lock, errors)
                       for w in range(WRITERS)]
            for writer in writers:
                writer.start()
            # The crash moment is the experiment's variable, not a wait for anything.
            time.sleep(rng.uniform(0.3, 1.5))
            assert server.halt() == -signal.SIGKILL
            for w, writer in enumerate(writers):
                writer.join(timeout=60)
                assert not writer.is_alive(), "a writer hung after the server died"
                next_ids[w] = writer.next_id
            assert not errors, f"round {round_}: unexpected responses {errors[:5]}"

            server = start(round_)
            wait_for(lambda: requests.get(server.url + "/readyz", timeout=5).status_code == 200, timeout=60, what="/readyz")
            assert last_index_open(data) == ("loaded" if round_ >= ROUNDS // 2 else "rebuilt")
            session, url = requests.Session(), server.url + "/collections/crash"
            this_round = [i for i, kind in acked.items() if kind[0] == round_]
            figures.append((round_, collections.Counter(acked[i][1:] for i in this_round)))

            missing, wrong = stored_mismatches(session, url, acked)
            assert not missing and not wrong, (
                f"round {round_} (seed {SEED}): lost {describe(missing, acked) if missing else 'none'}; "
                f"changed {describe(wrong, acked) if wrong else 'none'}")

            # Both modes in the sample: a wait=false point killed before the background apply
            # reaches the index only when the next start rebuilds it or replays the change log.
            sample = []
            for mode in ("wait", "nowait"):
                candidates = [i for i in this_round if acked[i][1] == mode]
                sample += rng.sample(candidates, min(15, len(candidates)))
            unseen = [pid for pid in sample if not finds(session, url, pid)]
            if unseen:
                late.append((round_, describe(unseen, acked)))
                wait_for(lambda: all(finds(session, url, pid) for pid in unseen), timeout=10,
                         what=f"round {round_}: acknowledged points to become searchable after restart: {describe(unseen, acked)}")

            count = session.get(url, timeout=30).json()["result"]["points_count"]
            assert count >= len(acked), f"round {round_}: points_count {count} < {len(acked)} acknowledged"

            if round_ == ROUNDS // 2 - 1:
                assert server.halt(signal.SIGTERM) == 0, "a clean stop stores the index image"
                server = start(round_ + 1)
    except BaseException:
        server.halt()  # keeps the data directory (and its server.log) to look at
        print(f"kept {data} (seed {SEED})")
        raise
    server.stop()

    for round_, kinds in figures:
        print(f"round {round_}: {sum(kinds.values())} acknowledged, by (mode, shape) {dict(kinds)}")
    print(f"total {len(acked)} acknowledged; searchable only after polling: {late or 'none'}")
    total = collections.Counter(kind[1:] for kind in acked.values())
    assert len(acked) > 500, f"too few acknowledged points to mean anything: {dict(total)}"
    for mode in ("wait", "nowait"):
        for shape in ("single", "batch"):
            assert total[(mode, shape)] > 0, f"no {mode}/{shape} write was acknowledged: {dict(total)}"
    if late:
        warnings.warn(f"acknowledged points were searchable only some time after the restart: {late}")
