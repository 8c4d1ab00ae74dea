"""GET /telemetry/series: the bounded in-memory history behind the console's charts, checked
against what the client itself did (searches sent, points written) and against /metrics."""
import json, os, re, time
import numpy as np
import pytest, requests

from conftest import Server, wait_for

INTERVAL = 0.5
RETENTION = 4.0  # eight samples, so the test also sees the oldest ones drop off


@pytest.fixture(scope="module")
def telemetry_server():
    config = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"telemetry-{os.getpid()}.json")
    with open(config, "w") as f:
        json.dump({"telemetry_interval_seconds": INTERVAL, "telemetry_retention_seconds": RETENTION}, f)
    instance = Server(["--config", config])
    yield instance
    instance.stop()
    os.remove(config)


def series(url, **params):
    response = requests.get(url + "/telemetry/series", params=params)
    assert response.status_code == 200, response.text
    return response.json()["result"]


def totals(scope):
    """Per-interval rates times interval lengths: the counts they were computed from."""
    times = scope["times"]
    gaps = [INTERVAL] + [b - a for a, b in zip(times, times[1:])]
    return {name: sum((v or 0) * g for v, g in zip(values, gaps)) for name, values in scope["series"].items()}


def test_series_count_what_was_done(telemetry_server):
    url = telemetry_server.url
    rng = np.random.default_rng(3)
    vectors = rng.normal(size=(300, 8)).astype(np.float32)
    requests.put(url + "/collections/t", json={"vectors": {"size": 8, "distance": "Euclid"}}).raise_for_status()
    # Writes count from the collection's first sample on.
    wait_for(lambda: "t" in series(url)["collections"], timeout=10, what="the collection's first sample")
    started = time.time()
    points = [{"id": i, "vector": vectors[i].tolist()} for i in range(300)]
    requests.put(url + "/collections/t/points?wait=true", json={"points": points}).raise_for_status()
    for i in range(40):
        requests.post(url + "/collections/t/points/query", json={"query": vectors[i].tolist(), "limit": 3}).raise_for_status()
    time.sleep(3 * INTERVAL)

    result = series(url)
    assert result["interval_seconds"] == INTERVAL and result["capacity"] == int(RETENTION / INTERVAL)
    scope = result["collections"]["t"]
    times = scope["times"]
    assert times == sorted(times) and len(times) <= result["capacity"]
    assert times[-1] > started
    counted = totals(scope)
    # Rates are per monotonic interval and the times are wall-clock, so the two gaps differ
    # by the sampling jitter: allow 2%.
    assert counted["search_qps"] == pytest.approx(40, rel=0.02), counted
    assert counted["write_changes_per_second"] == pytest.approx(300, rel=0.02), counted
    assert totals(result["server"])["search_qps"] == pytest.approx(40, rel=0.02)
    # The same searches as Prometheus counted them.
    text = requests.get(url + "/metrics").text
    prometheus = sum(float(line.split()[-1]) for line in text.splitlines()
                     if line.startswith("lodestone_search_duration_seconds_count") and 'collection="t"' in line)
    assert prometheus == 40
    for p50, p99 in zip(scope["series"]["search_p50_ms"], scope["series"]["search_p99_ms"]):
        assert (p50 is None) == (p99 is None)
        if p50 is not None:
            assert 0 < p50 <= p99 < 5_000
    # Thresholds come with the signals, so a chart can draw the alert line.
    assert all(v == 3.0 for v in scope["series"]["drift_centroid_shift_alert"]), scope["series"]["drift_centroid_shift_alert"]


def test_history_is_bounded_and_filtered(telemetry_server):
    url = telemetry_server.url
    time.sleep(RETENTION + 2 * INTERVAL)
    result = series(url)
    capacity = result["capacity"]
    assert len(result["server"]["times"]) == capacity
    for values in result["server"]["series"].values():
        assert len(values) == capacity
    cutoff = result["server"]["times"][-3]
    recent = series(url, since=cutoff)
    assert recent["server"]["times"] == result["server"]["times"][-2:] or recent["server"]["times"][0] > cutoff
    assert all(t > cutoff for t in recent["server"]["times"])
    only = series(url, collection="t")
    assert list(only["collections"]) == ["t"] and list(only["build_recall"]) == ["t"]


def test_recall_per_build_matches_the_builds_route(telemetry_server):
    url = telemetry_server.url
    started = requests.post(url + "/collections/t/builds", json={"m": 8, "ef_construct": 40})
    assert started.status_code == 202, started.text
    number = started.json()["result"]["number"]
    build = wait_for(lambda: (lambda b: b if b["status"] in ("ready", "failed") else None)(
        requests.get(url + f"/collections/t/builds/{number}").json()["result"]), timeout=60, what="the build")
    assert build["status"] == "ready", build
    recalls = {row["build"]: row for row in series(url, collection="t")["build_recall"]["t"]}
    assert recalls[number]["recall"] == pytest.approx(build["recall"]["recall"])
    assert recalls[number]["serving"] is False


def test_bad_parameters_are_refused(telemetry_server):
    url = telemetry_server.url
    for params, status in [({"since": "yesterday"}, 400), ({"window": "1h"}, 400), ({"collection": "missing"}, 404)]:
        response = requests.get(url + "/telemetry/series", params=params)
        assert response.status_code == status, (params, response.text)
        assert response.json()["status"]["error"]
