"""Clustered, normalised test vectors and what the quantization and placement tests measure on
them: recall against numpy's exact top 10, and the server's mappings of paged-vector files."""
import numpy as np

DIM = 64


def clustered(rng, count):
    centers = rng.normal(size=(24, DIM)).astype(np.float32)
    vectors = centers[rng.integers(0, 24, count)] + 0.4 * rng.normal(size=(count, DIM)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def paged_vector_files(server):
    """The server's mappings of unlinked paged-vector files and their sizes: a quantized graph's
    float vectors live there, not in its memory."""
    sizes = []
    with open(f"/proc/{server.process.pid}/maps") as maps:
        for line in maps:
            if ".paged-vectors-" in line and line.rstrip().endswith("(deleted)"):
                low, high = (int(part, 16) for part in line.split()[0].split("-"))
                sizes.append(high - low)
    return sizes


def recall(client, vectors, queries, params, collection="q"):
    truth = np.argsort(-(queries @ vectors.T), axis=1)[:, :10]
    hits = 0
    for query, expected in zip(queries, truth):
        found = client.query_points(collection, query=query.tolist(), limit=10, search_params=params).points
        hits += len({p.id for p in found} & set(expected.tolist()))
    return hits / (10 * len(queries))


def upload(client, name, vectors):
    client.upload_collection(name, vectors=vectors, ids=list(range(len(vectors))), batch_size=500, wait=True)
