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


def test_pair_cosines_are_the_floats_a_left_to_right_sum_gives() -> None:
    rng = np.random.default_rng(5)
    dense = rng.random((60, 50)) * 10.0 ** rng.integers(-6, 3, (60, 50))  # magnitudes where order shows
    dense[rng.random((60, 50)) < 0.7] = 0.0
    r, c = np.nonzero(dense)
    shuffled = rng.permutation(len(r))  # each row's columns out of order
    m = sp.csr_matrix((dense[r, c][shuffled], (r[shuffled], c[shuffled])), shape=dense.shape)
    rows, cols = rng.integers(0, 60, 300), rng.integers(0, 60, 300)
    want = [
        sum(float(dense[i, k] * dense[j, k]) for k in range(50) if dense[i, k] and dense[j, k])
        for i, j in zip(rows, cols, strict=True)
    ]
    got = dedupe.pair_cosines(m, rows, cols, chunk=13)
    assert got.tolist() == want  # exactly: the copy rule compares these to a threshold
    assert dedupe.pair_cosines(m, rows[:0], cols[:0]).shape == (0,)


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


def test_find_duplicates_groups_what_the_copy_rule_accepts() -> None:
    """The shortcuts in `find_duplicates` (facts once per text, same words = copy) change nothing:
    its groups are those of the similar pairs `is_copy` accepts, and a reprint with changed figures
    is not grouped with the original."""
    base = corpus_with_copies()
    arts = [Article(text=s.text, path=s.path) for s in base.sources]
    arts.append(Article(text=arts[0].text.replace("1", "7").replace("2", "9"), path="changed-figures"))
    corpus = build_corpus(arts, dedupe=False)
    passages = list(corpus.passages())
    edges = [
        e for e in dedupe.similar_pairs(passages) if dedupe.is_copy(passages[e[0]].text, passages[e[1]].text)
    ]
    expected = sorted(tuple(passages[i].id for i in sorted(m)) for m in dedupe._groups(passages, edges))
    got = sorted(g.passages for g in dedupe.find_duplicates(corpus).groups)
    assert len(expected) >= 10
    assert got == expected
    changed = {p.id for p in corpus.sources[-1].passages if any(ch.isdigit() for ch in p.text)}
    assert changed and not any(set(g) & changed for g in got if any(pid.startswith("S1:") for pid in g))


def test_term_ids_give_the_tfidf_matrix_and_the_shared_terms_of_term_lists() -> None:
    """`Terms` (numpy term ids) holds what the per-passage term lists and sets held: the same TF-IDF
    matrix entry for entry, the same set sizes and shared-term counts, CJK bigrams included."""
    from toolkit.text.similarity import content_terms, tfidf_matrix

    texts = [p.text for p in corpus_with_copies().passages()]
    texts += ["", "the of and", "河水决堤 小镇被洪水围困", "Flood flood FLOODS flooded in 2025, 2025!"]
    terms = dedupe.Terms(texts)
    want = tfidf_matrix([content_terms(t) for t in texts])
    got = terms.tfidf()
    assert got.shape == want.shape
    assert np.array_equal(got.indptr, want.indptr) and np.array_equal(got.indices, want.indices)
    assert np.array_equal(got.data, want.data)
    sets = [set(content_terms(t)) for t in texts]
    assert terms.sizes.tolist() == [len(s) for s in sets]
    rng = np.random.default_rng(8)
    rows, cols = rng.integers(0, len(texts), 300), rng.integers(0, len(texts), 300)
    assert terms.shared(rows, cols, chunk=16).tolist() == [
        len(sets[i] & sets[j]) for i, j in zip(rows, cols, strict=True)
    ]
    assert [{terms.words[t] for t in terms.set_of(i)} for i in range(len(texts))] == sets
