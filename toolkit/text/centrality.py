"""LexRank centrality over a sentence (or passage) similarity graph.

Erkan & Radev (2004), "LexRank: Graph-based Lexical Centrality as Salience in Text Summarization":
PageRank with damping over the graph of cosine similarities, edges below a threshold removed.
Used by the extractive engine (which sentences to quote) and by the comparison (which passages the
summary left out matter most).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

__all__ = ["DAMPING", "EDGE", "lexrank"]

EDGE = 0.1  # cosine below this is no graph edge (classic LexRank threshold)
DAMPING = 0.85


def lexrank(sim: sp.csr_matrix, edge: float = EDGE, damping: float = DAMPING) -> np.ndarray:
    """Stationary distribution of the thresholded, row-normalised cosine graph, max-scaled to 1.

    `sim`: n x n cosine similarities (sparse). Returns n scores in [0, 1]; the most central is 1."""
    n = sim.shape[0]
    graph = sp.csr_matrix(sim.multiply(sim >= edge))
    graph.setdiag(0.0)
    graph.eliminate_zeros()
    degree = np.asarray(graph.sum(axis=1)).ravel()
    dangling = degree == 0
    degree[dangling] = 1.0
    walk = sp.csr_matrix(sp.diags(1.0 / degree) @ graph).T.tocsr()
    rank = np.full(n, 1.0 / n)
    for _ in range(100):
        spread = rank[dangling].sum() / n
        new = (1.0 - damping) / n + damping * (walk @ rank + spread)
        if np.abs(new - rank).sum() < 1e-9:
            rank = new
            break
        rank = new
    top = rank.max()
    return rank / top if top > 0 else rank
