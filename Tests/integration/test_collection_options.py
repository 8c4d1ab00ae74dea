"""Qdrant's create-collection options: those Lodestone meets are accepted (and what they set is
reported back), every other one is a 400 naming it, and a refused create leaves no collection."""
import pytest
import requests
from qdrant_client import models

VECTORS = {"size": 4, "distance": "Cosine"}


def test_options_that_are_met_are_accepted(server, client):
    body = {"vectors": VECTORS, "shard_number": 1, "replication_factor": 1, "write_consistency_factor": 1,
            "on_disk_payload": True, "wal_config": {"wal_capacity_mb": 32, "wal_segments_ahead": 0},
            "hnsw_config": {"m": 8, "ef_construct": 64, "full_scan_threshold": 100, "max_indexing_threads": 0, "on_disk": False}}
    response = requests.put(f"{server.url}/collections/opts_ok", json=body, timeout=30)
    assert response.status_code == 200, response.text
    config = client.get_collection("opts_ok").config
    assert (config.hnsw_config.m, config.hnsw_config.ef_construct, config.hnsw_config.full_scan_threshold) == (8, 64, 100)
    # qdrant-client's typed form of the same.
    client.create_collection("opts_client", vectors_config=models.VectorParams(size=4, distance=models.Distance.COSINE),
                             shard_number=1, on_disk_payload=True,
                             hnsw_config=models.HnswConfigDiff(m=12, full_scan_threshold=500, max_indexing_threads=0))
    assert client.get_collection("opts_client").config.hnsw_config.full_scan_threshold == 500


@pytest.mark.parametrize("extra,named", [
    ({"shard_number": 2}, "shard_number"),
    ({"replication_factor": 3}, "replication_factor"),
    ({"quantization_config": {"binary": {"encoding": "two_bits"}}}, "two_bits"),
    ({"quantization_config": {"scalar": {"type": "int8", "always_ram": False}}}, "always_ram"),
    ({"optimizers_config": {"indexing_threshold": 0}}, "optimizers_config"),
    ({"init_from": {"collection": "other"}}, "init_from"),
    ({"sharding_method": "custom"}, "sharding_method"),
    ({"wal_config": {"wal_capacity_mb": 32, "retain_closed": 2}}, "retain_closed"),
    ({"hnsw_config": {"payload_m": 16}}, "payload_m"),
    ({"hnsw_config": {"on_disk": True}}, "on_disk"),
    ({"hnsw_config": {"max_indexing_threads": 4}}, "max_indexing_threads"),
    ({"vectors": {"size": 4, "distance": "Cosine", "hnsw_config": {"payload_m": 16}}}, "payload_m"),
])
def test_options_that_are_not_met_are_refused(server, extra, named):
    body = {"vectors": VECTORS, **extra}
    response = requests.put(f"{server.url}/collections/opts_bad", json=body, timeout=30)
    assert response.status_code == 400, response.text
    assert named in response.json()["status"]["error"]
    assert requests.get(f"{server.url}/collections/opts_bad/exists", timeout=30).json()["result"]["exists"] is False
