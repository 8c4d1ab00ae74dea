"""The monitoring page in a real headless browser (Chromium from Debian's packages): it loads,
runs its JS against the server's JSON routes, and shows the same figures those routes return."""
import json, os, shutil, subprocess, tempfile, time, urllib.parse
from html.parser import HTMLParser
import numpy as np
import pytest
import requests

from conftest import Server, last_json, lodestone

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


class Fields(HTMLParser):
    """Collects the text of every element with data-field, keyed by collection and table."""

    def __init__(self):
        super().__init__()
        self.stack, self.values, self.collection, self.table, self.loaded = [], {}, None, None, False
        self.chart, self.lines, self.recalls, self.overflows = None, {}, {}, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "body" and attrs.get("data-loaded") == "true":
            self.loaded = True
            self.overflows = attrs.get("data-overflows")
        if tag == "svg" and "data-chart" in attrs:
            self.chart = attrs["data-chart"]
        if tag == "polyline" and "data-series" in attrs:
            self.lines[(self.collection, self.chart, attrs["data-series"])] = (json.loads(attrs["data-times"]), json.loads(attrs["data-values"]))
        if tag == "circle" and "data-build" in attrs:
            self.recalls[(self.collection, int(attrs["data-build"]))] = float(attrs["data-recall"])
        if "data-collection" in attrs:
            self.collection = attrs["data-collection"]
        if "data-table" in attrs:
            self.table = attrs["data-table"]
        if "data-row" in attrs:
            self.values.setdefault((self.collection, self.table), []).append({})
        self.stack.append(attrs.get("data-field"))

    def handle_endtag(self, tag):
        if self.stack:
            self.stack.pop()
        if tag == "table":
            self.table = None

    def handle_data(self, data):
        # The innermost element that names a field: a link or span inside a cell counts for it.
        name = next((name for name in reversed(self.stack) if name), None)
        if not name:
            return
        if self.table:
            row = self.values[(self.collection, self.table)][-1]
            row[name] = row.get(name, "") + data
        else:
            self.values[(self.collection, name)] = self.values.get((self.collection, name), "") + data


CHROME_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--virtual-time-budget=8000"]
ARTIFACTS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "bench-out")


def parse(url, size=(1280, 800)):
    result = subprocess.run([CHROMIUM, *CHROME_FLAGS, f"--window-size={size[0]},{size[1]}", "--dump-dom", url],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    parser = Fields()
    parser.feed(result.stdout)
    assert parser.loaded, "the page never finished loading: " + result.stdout[-2000:]
    return parser


def render(url):
    return parse(url).values


def screenshot(url, name, size):
    """Keeps a picture of the page as a test artifact under bench-out/."""
    os.makedirs(ARTIFACTS, exist_ok=True)
    path = os.path.join(ARTIFACTS, name)
    result = subprocess.run([CHROMIUM, *CHROME_FLAGS, f"--window-size={size[0]},{size[1]}", f"--screenshot={path}", url],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and os.path.getsize(path) > 10_000, result.stderr[-2000:]


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (tools/test installs it)")
def test_dashboard_shows_what_the_json_routes_say():
    config = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
    json.dump({"telemetry_interval_seconds": 0.5}, config)
    config.close()
    server = Server(["--api-key", "full-secret", "--config", config.name])
    data = os.path.join(server.data, "db")
    s = requests.Session()
    s.headers.update({"api-key": "full-secret"})
    try:
        rng = np.random.default_rng(11)
        centers = rng.normal(size=(6, 16)).astype(np.float32)
        points = centers[rng.integers(0, 6, 1500)] + 0.3 * rng.normal(size=(1500, 16)).astype(np.float32)
        s.put(server.url + "/collections/dash", json={"vectors": {"size": 16, "distance": "Cosine"}}).raise_for_status()
        s.put(server.url + "/collections/dash/points?wait=true",
              json={"points": [{"id": i, "vector": v.tolist()} for i, v in enumerate(points)]}).raise_for_status()
        first = last_json(lodestone(data, "build", "--collection", "dash", "--json"))["number"]
        weak = last_json(lodestone(data, "build", "--collection", "dash", "--m", "2", "--ef-construct", "8", "--ef", "2", "--json"))["number"]
        s.post(server.url + "/collections/dash/promote", json={"build": first, "reason": "first build"}).raise_for_status()
        s.put(server.url + "/collections/dash/shadow", json={"build": weak, "fraction": 1.0}).raise_for_status()
        s.put(server.url + "/collections/dash/monitoring", json={"drift_window": 100}).raise_for_status()
        queries = list(centers[rng.integers(0, 6, 100)] + 0.3 * rng.normal(size=(100, 16)).astype(np.float32))
        queries += list(rng.normal(size=(100, 16)).astype(np.float32) * 3 + 4)
        for q in queries:
            s.post(server.url + "/collections/dash/points/query", json={"query": q.tolist(), "limit": 5}).raise_for_status()

        time.sleep(1.2)  # a telemetry sample or two after the queries

        shadow = s.get(server.url + "/collections/dash/shadow").json()["result"]
        parsed = parse(server.url + "/dashboard#key=full-secret")
        page = parsed.values
        telemetry = s.get(server.url + "/telemetry/series", params={"collection": "dash"}).json()["result"]
        serving = s.get(server.url + "/collections/dash/serving").json()["result"]
        builds = s.get(server.url + "/collections/dash/builds").json()["result"]["builds"]
        drift = s.get(server.url + "/collections/dash/drift").json()["result"]
        audit = s.get(server.url + "/collections/dash/audit").json()["result"]["entries"]

        assert page[("dash", "serving-build")] == str(serving["build"]) == str(first)
        assert page[("dash", "live-build")] == str(first)
        assert page[("dash", "rollback-target")] == str(serving["rollback_target"])
        shown_builds = {row["number"]: row for row in page[("dash", "builds")]}
        for build in builds:
            row = shown_builds[str(build["number"])]
            assert row["status"] == build["status"]
            assert row["recall"] == f"{build['recall']['recall']:.4f}"
        assert page[("dash", "shadow-build")] == str(weak)
        assert page[("dash", "shadow-count")] == str(shadow["count"])
        assert page[("dash", "shadow-mean-overlap")] == f"{shadow['mean_overlap']:.4f}"
        assert page[("dash", "shadow-p10-overlap")] == f"{shadow['p10_overlap']:.4f}"
        assert drift["alert"] and page[("dash", "drift-alert")] == "ALERT"
        assert page[("dash", "drift-centroid-shift")] == f"{drift['centroid_shift']:.2f}"
        assert page[("dash", "drift-top1-ks")] == f"{drift['top1_ks']:.3f}"
        assert page[("dash", "drift-windows")] == f"{drift['reference_queries']} / {drift['recent_queries']}"
        shown_audit = page[("dash", "audit")]
        assert [row["action"] for row in shown_audit] == [entry["action"] for entry in reversed(audit)]
        assert shown_audit[-1]["reason"] == "first build"
        # Every chart point is the JSON route's value at that sample's time.
        scope = telemetry["collections"]["dash"]
        at = {name: dict(zip(scope["times"], values)) for name, values in scope["series"].items()}
        for chart, series in [("search-qps", "search_qps"), ("latency", "search_p50_ms"), ("latency", "search_p99_ms"),
                              ("writes", "write_changes_per_second"), ("drift-centroid", "drift_centroid_shift"),
                              ("drift-centroid", "drift_centroid_shift_alert"), ("drift-ks", "drift_top1_ks_critical")]:
            times, values = parsed.lines[("dash", chart, series)]
            assert times, (chart, series)
            for t, v in zip(times, values):
                assert at[series][t] == v, (chart, series, t)
        qps_times, qps = parsed.lines[("dash", "search-qps", "search_qps")]
        assert max(qps) > 0, "the queries above show as search rate"
        shown_recall = {b: r for (c, b), r in parsed.recalls.items() if c == "dash"}
        assert shown_recall == {row["build"]: row["recall"] for row in telemetry["build_recall"]["dash"]}
        assert shown_recall == {b["number"]: b["recall"]["recall"] for b in builds if b.get("recall")}
        # Readable at desktop and phone widths, with pictures kept as artifacts.
        assert parsed.overflows == "false"
        assert parse(server.url + "/dashboard#key=full-secret", size=(390, 844)).overflows == "false"
        screenshot(server.url + "/dashboard#key=full-secret", "dashboard-1280x800.png", (1280, 800))
        screenshot(server.url + "/dashboard#key=full-secret", "dashboard-390x844.png", (390, 844))
        # The builds view: a refused promotion's gate report next to the first promotion's, and
        # the audit trail filtered to refusals.
        refused = s.post(server.url + "/collections/dash/promote", json={"build": weak, "reason": "try the weak one"})
        assert refused.status_code >= 400, refused.text
        audit = s.get(server.url + "/collections/dash/audit").json()["result"]["entries"]
        rollouts = parse(server.url + "/dashboard#key=full-secret&view=" + "rollouts/dash%3Faction%3Drefused")
        gated = [e for e in reversed(audit) if e.get("gate")]
        gates = rollouts.values[("dash", "gates")]
        assert [row["entry"] for row in gates] == [str(e["number"]) for e in gated]
        assert [row["build"] for row in gates] == [str(e["gate"]["build"]) for e in gated]
        for row, entry in zip(gates, gated):
            assert row["verdict"] == ("; ".join(entry["gate"]["failures"]) or "passed")
            assert row["recall"].startswith(f"{entry['gate']['recall']['candidate']:.4f} vs ")
        assert any(row["verdict"] != "passed" for row in gates) and any(row["verdict"] == "passed" for row in gates)
        shown_trail = rollouts.values[("dash", "audit")]
        assert shown_trail and all(row["action"] == "refused" for row in shown_trail)
        assert [row["number"] for row in shown_trail] == [str(e["number"]) for e in reversed(audit) if e["action"] == "refused"]
        assert rollouts.values[("dash", "shadow")].startswith(f"build {weak}")
        assert parse(server.url + "/dashboard#key=full-secret&view=rollouts/dash", size=(390, 844)).overflows == "false"
        screenshot(server.url + "/dashboard#key=full-secret&view=rollouts/dash", "console-builds-1280x800.png", (1280, 800))
        # The search playground side by side with another build: the weak shadow build answers
        # the same vector through the build query route.
        probe = [round(float(v), 4) for v in queries[3]]
        query_body = {"query": probe, "limit": 5, "with_payload": True}
        serving_answer = s.post(server.url + "/collections/dash/points/query", json=query_body).json()["result"]["points"]
        weak_answer = s.post(server.url + f"/collections/dash/builds/{weak}/points/query", json=query_body).json()["result"]["points"]
        same_build = s.post(server.url + f"/collections/dash/builds/{first}/points/query", json=query_body).json()["result"]["points"]
        assert [p["id"] for p in same_build] == [p["id"] for p in serving_answer]
        exact_body = {**query_body, "params": {"exact": True}}
        assert ([p["id"] for p in s.post(server.url + f"/collections/dash/builds/{weak}/points/query", json=exact_body).json()["result"]["points"]]
                == [p["id"] for p in s.post(server.url + "/collections/dash/points/query", json=exact_body).json()["result"]["points"]])
        side = parse(server.url + "/dashboard#key=full-secret&view=" + urllib.parse.quote(
            "search/dash?" + urllib.parse.urlencode({"q": json.dumps(probe), "limit": 5, "compare": f"build:{weak}"}), safe="/"))
        assert [row["id"] for row in side.values[(None, "hits")]] == [json.dumps(p["id"]) for p in serving_answer]
        assert [row["id"] for row in side.values[(None, "build-hits")]] == [json.dumps(p["id"]) for p in weak_answer]
        shared = len({p["id"] for p in serving_answer} & {p["id"] for p in weak_answer})
        assert side.values[(None, "overlap")] == f"{shared} / {len(weak_answer)}"
        refused = s.post(server.url + f"/collections/dash/builds/{weak}/points/query", json={"query": "some text", "limit": 3})
        assert refused.status_code == 400 and "without a model" in refused.json()["status"]["error"]
        assert s.post(server.url + f"/collections/dash/builds/{weak}/points/query", json={**query_body, "using": "x"}).status_code == 400
        assert s.post(server.url + "/collections/dash/builds/999/points/query", json=query_body).status_code == 404
        # Without the key the page loads but shows the server's refusal instead of data.
        locked = render(server.url + "/dashboard")
        assert ("dash", "serving-build") not in locked
    finally:
        server.stop()
        os.remove(config.name)
