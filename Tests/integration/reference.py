"""Exact nearest neighbours in numpy: the answer every search is checked against."""
import numpy as np


def exact_top(vectors, ids, query, k, distance):
    if distance == "cosine":
        v = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
        scores = v @ (query / np.linalg.norm(query))
        order = np.argsort(-scores)
    elif distance == "dot":
        scores = vectors @ query
        order = np.argsort(-scores)
    else:
        scores = np.linalg.norm(vectors - query, axis=1)
        order = np.argsort(scores)
    return [ids[i] for i in order[:k]], scores[order[:k]]


