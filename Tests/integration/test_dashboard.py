"""The monitoring page in a real headless browser (Chromium from Debian's packages): it loads,
runs its JS against the server's JSON routes, and shows the same figures those routes return."""
import os, shutil, subprocess
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

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "body" and attrs.get("data-loaded") == "true":
            self.loaded = True
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
        name = self.stack[-1] if self.stack else None
        if not name:
            return
        if self.table:
            row = self.values[(self.collection, self.table)][-1]
            row[name] = row.get(name, "") + data
        else:
            self.values[(self.collection, name)] = self.values.get((self.collection, name), "") + data


def render(url):
    result = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                             "--virtual-time-budget=8000", "--dump-dom", url], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    parser = Fields()
    parser.feed(result.stdout)
    assert parser.loaded, "the page never finished loading: " + result.stdout[-2000:]
    return parser.values


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (tools/test installs it)")
def test_dashboard_shows_what_the_json_routes_say():
    server = Server(["--api-key", "full-secret"])
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

        shadow = s.get(server.url + "/collections/dash/shadow").json()["result"]
        page = render(server.url + "/dashboard#key=full-secret")
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
        # Without the key the page loads but shows the server's refusal instead of data.
        locked = render(server.url + "/dashboard")
        assert ("dash", "serving-build") not in locked
    finally:
        server.stop()
