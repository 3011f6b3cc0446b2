"""Near-duplicate search at scale: LSH candidates agree with the exact search; no dense n x n matrix."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from paths import SEEDS

from toolkit.ingest import dedupe
from toolkit.ingest.loading import load_articles
from toolkit.ingest.passages import build_corpus
from toolkit.models import Article, Corpus


def corpus_with_copies() -> Corpus:
    """The seeds, each with a lightly edited reprint (a wire copy): many true near-duplicate pairs."""
    arts = list(load_articles([str(p) for p in SEEDS]))
    copies = [
        Article(text="Daily Courier\n\n" + a.text.replace(" said ", " stated "), path=f"copy-{k}")
        for k, a in enumerate(arts)
    ]
    return build_corpus(arts + copies)


def test_lsh_candidates_find_what_the_exact_search_finds(monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = corpus_with_copies()
    passages = list(corpus.passages())
    exact = {(i, j) for i, j, _ in dedupe.similar_pairs(passages)}
    monkeypatch.setattr(dedupe, "EXACT_LIMIT", 0)  # force the LSH path on a small corpus
    approx = {(i, j) for i, j, _ in dedupe.similar_pairs(passages)}
    assert len(exact) >= 20
    assert approx <= exact  # the copy rule decides; candidates never add a pair
    assert len(approx) >= 0.95 * len(exact)


def test_pair_cosines_match_dense_products() -> None:
    rng = np.random.default_rng(3)
    m = sp.random(40, 30, density=0.2, random_state=4, format="csr")
    rows, cols = rng.integers(0, 40, 200), rng.integers(0, 40, 200)
    dense = m.toarray()
    want = np.einsum("ij,ij->i", dense[rows], dense[cols])
    assert np.allclose(dedupe.pair_cosines(m, rows, cols, chunk=7), want)


def test_dedupe_on_the_lsh_path_builds_no_dense_matrix(monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = corpus_with_copies()
    monkeypatch.setattr(dedupe, "EXACT_LIMIT", 0)

    def dense(*_: object, **__: object) -> None:
        raise AssertionError("a dense matrix was built")

    for kind in (sp.coo_matrix, sp.csr_matrix, sp.csc_matrix):
        monkeypatch.setattr(kind, "toarray", dense)
        monkeypatch.setattr(kind, "todense", dense)
    products: list[int] = []
    matmul = sp.csr_matrix.__matmul__

    def recorded(self: sp.csr_matrix, other: object) -> object:
        out = matmul(self, other)
        products.append(out.nnz)
        return out

    monkeypatch.setattr(sp.csr_matrix, "__matmul__", recorded)
    result = dedupe.find_duplicates(corpus)
    assert result.groups
    n = sum(len(s.passages) for s in corpus.sources)
    # the only product is the capped bigram incidence with itself: at most MAX_BUCKET entries a row
    assert products and all(nnz <= dedupe.MAX_BUCKET * n for nnz in products)
