"""Cross-source near-duplicates: passages in different sources that say the same thing.

Wire copies (seeds 001 and 002 are one AFP story) repeat the same facts in slightly different words.
We group such passages (`DuplicateGroup` D1, D2, ...) so later stages send the text once and count it
as one origin, and we mark whole sources that are copies of one another with a shared `origin`.

Similarity is cosine over TF-IDF vectors of stemmed content words. Finding copies is two steps:
`candidate_pairs` proposes pairs (every pair up to `EXACT_LIMIT` passages, from sparse products in
row blocks; above that, pairs sharing two rare bigrams or a MinHash LSH bucket, so work grows with
the number of passages, not its square), and `copy_pairs` decides on the candidates only: two
passages are near-duplicates when their cosine reaches `threshold`, or when nearly all terms of the
shorter one are in the longer. No dense n x n matrix is built. A candidate pair is grouped only when
`is_copy` holds: the two state the same facts (every number, name and negation of the shorter is in
the longer, and most of its words are). Another outlet's paraphrase, or a passage with a different
number ("three" / "five dead"), is corroboration or a conflict, never a copy: it is sent to the model
and checked on its own.
"""

from __future__ import annotations

import math
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from functools import partial
from itertools import combinations
from typing import TypeVar

import numpy as np
import scipy.sparse as sp
from datasketch.hashfunc import sha1_hash32

from ..models import Corpus, DuplicateGroup, Passage, Source
from ..text.claims import Facts, Quantity, compatible, facts
from ..text.similarity import content_terms, topk_per_row
from ..text.support import close
from .workers import gc_paused, release_free_memory

__all__ = [
    "Terms",
    "candidate_pairs",
    "copy_pairs",
    "find_duplicates",
    "is_copy",
    "lsh_buckets",
    "pair_cosines",
    "shared_bigrams",
    "similar_pairs",
]

THRESHOLD = 0.4
CONTAINMENT = 0.85
MIN_TERMS = 5
BLOCK = 256  # passage rows per sparse product: memory O(BLOCK * passages), linear in the input
# Above this many passages, candidates come from MinHash LSH instead of all pairs.
EXACT_LIMIT = 4000
NUM_PERM = 80
BANDS = 20
ROWS = 4
MAX_BUCKET = 50
SHARED_BIGRAMS = 2
LSH = True
SEED = 1
# Sources are copies of one origin when this share of the smaller one's passages is grouped with the other.
ORIGIN_SHARE = 0.5
ORIGIN_MIN_PASSAGES = 3
_K = TypeVar("_K", int, str)  # union-find keys: passage positions, source ids
COPY_CONTAINED = 0.7  # a copy holds at least this share of the shorter passage's content terms
NEIGHBOURS = 64  # exact candidates kept per passage (a flood of near-identical lines stays linear)


def _same(a: Quantity, b: Quantity) -> bool:
    """The same figure: compatible intervals and values within 15% ("some 1,200" / "1,200"; not
    "at least 1,200" / "about 1,500", which may both be true but are not one statement)."""
    return compatible(a, b) and close(a.value, b.value)


def is_copy(a: str, b: str) -> bool:
    """Do two passages state the same facts, so that sending one stands for both?

    The shorter one's numbers must each be the same figure in the longer (words or digits, hedges as
    intervals: "three" = "3", "some 1,200" ~ "1,200"; not "1,200" / "1,500"), its names
    and negations must be in the longer, and at least COPY_CONTAINED of its content terms."""
    short, long_ = sorted((a, b), key=len)
    return _copy_rule(
        set(content_terms(short)), set(content_terms(long_)), lambda: facts(short), lambda: facts(long_)
    )


def _copy_rule(
    ts: AbstractSet[object], tl: AbstractSet[object], fs_: Callable[[], Facts], fl_: Callable[[], Facts]
) -> bool:
    """`is_copy` on the shorter passage's content terms `ts` and the longer's `tl`; their `facts` are
    asked for (`fs_`, `fl_`) only when the terms are contained enough (facts cost ~1 ms a passage)."""
    if not ts or len(ts & tl) / len(ts) < COPY_CONTAINED:
        return False
    fs, fl = fs_(), fl_()
    if any(not any(_same(q, r) for r in fl.quantities) for q in fs.quantities):
        return False
    extra = any(not any(_same(r, q) for q in fs.quantities) for r in fl.quantities)
    if extra and len(ts) >= len(tl) * 0.8:
        return False  # about as long, and the longer states a number the shorter lacks
    if not fs.dates <= fl.dates:
        return False
    long_words = fl.words
    if any(not all(p in long_words for p in n.parts) for n in fs.names):
        return False
    return set(fs.negated) <= set(fl.negated) and (bool(fs.negated) == bool(fl.negated) or len(ts) < len(tl))


def similar_pairs(passages: list[Passage], threshold: float = THRESHOLD) -> list[tuple[int, int, float]]:
    """(i, j, score) for passages of different sources that say the same thing, i < j.

    Two steps: `candidate_pairs` proposes pairs (exactly up to `EXACT_LIMIT` passages, by MinHash LSH
    above), then `copy_pairs` applies the copy rule to those candidates only."""
    return _similar(passages, threshold)[0]


class Terms:
    """The content terms (`content_terms`) of n passages as integer ids, in numpy: `words[k]` is term k
    (ids in order of first use), passage i's terms in order are `ids[starts[i]:starts[i + 1]]`, and
    `keys` holds the sorted distinct values `i * len(words) + id` (passage i's set of terms), with
    `sizes[i]` of them for passage i. About 12 bytes a term instead of a Python list and a frozenset
    per passage."""

    def __init__(self, texts: Sequence[str]) -> None:
        every: list[str] = []
        starts = array("q", [0])
        for text in texts:
            every.extend(content_terms(text))
            starts.append(len(every))
        vocab = {t: k for k, t in enumerate(dict.fromkeys(every))}  # ids in order of first use
        self.words = list(vocab)
        self.width = np.int64(max(len(vocab), 1))
        self.ids = np.fromiter(map(vocab.__getitem__, every), dtype=np.int32, count=len(every))
        del every
        self.starts = np.frombuffer(starts, dtype=np.int64)
        self.n = len(texts)
        ordered = self.rows()  # then the (passage, term) keys, sorted, computed in place
        ordered *= self.width
        ordered += self.ids
        ordered.sort()
        starts_of_runs = np.r_[True, ordered[1:] != ordered[:-1]] if len(ordered) else np.zeros(0, bool)
        at = np.flatnonzero(starts_of_runs)
        self.keys = ordered[at]
        del ordered
        self.counts = np.diff(np.r_[at, len(self.ids)]).astype(np.int32)  # uses of each (passage, term)
        del at
        self.sizes = np.bincount(self.keys // self.width, minlength=self.n)

    def rows(self) -> np.ndarray:
        """The passage of each entry of `ids`."""
        return np.repeat(np.arange(self.n, dtype=np.int64), np.diff(self.starts))

    def set_of(self, i: int) -> frozenset[int]:
        """Passage i's distinct term ids."""
        lo, hi = np.searchsorted(self.keys, [i * self.width, (i + 1) * self.width])
        return frozenset((self.keys[lo:hi] - i * self.width).tolist())

    def tfidf(self) -> sp.csr_matrix:
        """`similarity.tfidf_matrix` of the passages' term lists, entry for entry the same (log tf x
        smooth idf, rows L2-normalised; columns in order of first use, sorted within a row as scipy
        sorts them), built directly in CSR form from the sorted keys."""
        cols = self.keys % self.width
        df = np.bincount(cols, minlength=len(self.words))
        idf = np.ones(max(len(self.words), 1))
        for j in np.flatnonzero(df).tolist():
            idf[j] = math.log((1 + self.n) / (1 + int(df[j]))) + 1.0
        counts = self.counts
        logs = np.asarray([1.0 + math.log(c) for c in range(1, int(counts.max(initial=1)) + 1)])
        data = logs[counts - 1] * idf[cols] if len(counts) else np.zeros(0)
        indptr = np.r_[0, np.cumsum(self.sizes)]
        m = sp.csr_matrix((data, cols, indptr), shape=(self.n, max(len(self.words), 1)))
        del data, cols
        norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        return sp.csr_matrix(sp.diags(1.0 / norms) @ m)

    def shared(self, rows: np.ndarray, cols: np.ndarray, chunk: int = 1 << 12) -> np.ndarray:
        """How many distinct terms passages rows[k] and cols[k] share, for each k (binary search of
        each term of rows[k] among cols[k]'s keys, `chunk` pairs at a time)."""
        out = np.zeros(len(rows), dtype=np.int64)
        lo_of = np.searchsorted(self.keys, np.arange(self.n + 1, dtype=np.int64) * self.width)
        for lo in range(0, len(rows), chunk):
            rr, cc = rows[lo : lo + chunk], cols[lo : lo + chunk]
            counts = self.sizes[rr]
            total = int(counts.sum())
            if total == 0:
                continue
            owner = np.repeat(np.arange(len(rr)), counts)
            within = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
            term = self.keys[lo_of[rr][owner] + within] - rr[owner] * self.width
            wanted = cc[owner] * self.width + term
            pos = np.minimum(np.searchsorted(self.keys, wanted), len(self.keys) - 1)
            out[lo : lo + chunk] = np.bincount(owner[self.keys[pos] == wanted], minlength=len(rr))
        return out


def _distinct(values: np.ndarray) -> np.ndarray:
    """The sorted distinct values of an integer array (`np.unique` by sorting: numpy 2.4's default
    hash-based unique is about 100x slower on millions of values)."""
    ordered = np.sort(values)
    return ordered[np.r_[True, ordered[1:] != ordered[:-1]]] if len(ordered) else ordered


def _similar(passages: list[Passage], threshold: float) -> tuple[list[tuple[int, int, float]], Terms]:
    """`similar_pairs` and the passages' content terms."""
    terms = Terms([p.text for p in passages])
    matrix = terms.tfidf()
    source_of = np.asarray([int(p.source_id[1:]) for p in passages], dtype=np.int64)
    rows, cols, scores = candidate_pairs(matrix, terms, source_of, min(threshold, 0.3))
    del matrix
    return copy_pairs(rows, cols, scores, terms, threshold), terms


def candidate_pairs(
    matrix: sp.csr_matrix, terms: Terms, source_of: np.ndarray, low: float = 0.3
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Candidate pairs (rows i < cols j, different sources, both with `MIN_TERMS` terms or more) and
    their cosine, at least `low`. Up to `EXACT_LIMIT` passages every pair is looked at (sparse products
    in row blocks); above, only pairs that share rare bigrams (`shared_bigrams`) or a MinHash LSH
    bucket (`lsh_buckets`), whose cosines are then computed pair by pair (`pair_cosines`). Work and
    memory grow with the number of passages, not its square."""
    n = matrix.shape[0]
    ok = terms.sizes >= MIN_TERMS
    if n <= EXACT_LIMIT:
        src: list[np.ndarray] = []
        dst: list[np.ndarray] = []
        val: list[np.ndarray] = []
        for lo in range(0, n, BLOCK):
            hi = min(n, lo + BLOCK)
            block = sp.coo_matrix(matrix[lo:hi] @ matrix.T)
            r = block.row.astype(np.int64) + lo
            c = block.col.astype(np.int64)
            keep = (c > r) & (block.data >= low) & (source_of[r] != source_of[c]) & ok[r] & ok[c]
            r, c, d = r[keep], c[keep], block.data[keep]
            top = topk_per_row(r, d, NEIGHBOURS)
            src.append(r[top])
            dst.append(c[top])
            val.append(d[top])
        if not src:
            return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
        return np.concatenate(src), np.concatenate(dst), np.concatenate(val)
    r1, c1 = shared_bigrams(terms, ok)
    r2, c2 = lsh_buckets(terms, ok) if LSH else (np.zeros(0, np.int64),) * 2
    key = _distinct(np.concatenate([r1, r2]) * n + np.concatenate([c1, c2]))
    r, c = key // n, key % n
    keep = source_of[r] != source_of[c]
    r, c = r[keep], c[keep]
    scores = pair_cosines(matrix, r, c)
    keep = scores >= low
    return r[keep], c[keep], scores[keep]


def pair_cosines(
    matrix: sp.csr_matrix, rows: np.ndarray, cols: np.ndarray, chunk: int = 1 << 12
) -> np.ndarray:
    """Dot products of the row pairs (rows[k], cols[k]) of a CSR matrix, and of those only: `chunk`
    pairs at a time, the two sides' rows are gathered and multiplied entry by entry (scipy merges
    each pair's sorted columns in C), and each pair's products added left to right in column order
    (`np.bincount`: the float a Python `sum` over them gives). Memory: `chunk` pairs' rows at a time."""
    m = sp.csr_matrix(matrix)
    m.sort_indices()
    out = np.zeros(len(rows))
    for lo in range(0, len(rows), chunk):
        rr, cc = rows[lo : lo + chunk], cols[lo : lo + chunk]
        both = sp.csr_matrix(m[rr].multiply(m[cc]))
        owner = np.repeat(np.arange(len(rr)), np.diff(both.indptr))
        out[lo : lo + chunk] = np.bincount(owner, weights=both.data, minlength=len(rr))
    return out


def copy_pairs(
    rows: np.ndarray, cols: np.ndarray, scores: np.ndarray, terms: Terms, threshold: float
) -> list[tuple[int, int, float]]:
    """The copy rule on candidate pairs: a cosine of at least `threshold`, or nearly all terms of the
    shorter passage (`CONTAINMENT`) in the longer; both passages need `MIN_TERMS` terms."""
    a, b = terms.sizes[rows], terms.sizes[cols]
    smaller = np.minimum(a, b)
    enough = smaller >= MIN_TERMS
    contained = np.zeros(len(rows))
    shared = terms.shared(rows[enough], cols[enough])
    contained[enough] = shared / smaller[enough]
    keep = enough & ((scores >= threshold) | (contained >= CONTAINMENT))
    pairs = zip(rows[keep].tolist(), cols[keep].tolist(), scores[keep].tolist(), strict=True)
    return sorted((i, j, float(score)) for i, j, score in pairs)


def shared_bigrams(terms: Terms, use: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (i < j) of the passages marked in `use` that share at least `SHARED_BIGRAMS` bigrams of
    consecutive content terms, counting only bigrams found in at most `MAX_BUCKET` passages (an
    inverted index with a frequency cap, as in all-pairs similarity search): sparse products of the
    capped passage x bigram incidence matrix with itself in row blocks, whose cost is at most
    MAX_BUCKET x its entries. A bigram is the pair of its term ids, as one 64-bit number."""
    n = terms.n
    row = terms.rows()
    same = row[1:] == row[:-1]
    same &= use[row[:-1]]
    follows = np.flatnonzero(same)
    del same
    if not len(follows):
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    # (bigram, passage) once each, sorted by bigram: a bigram is the pair of its term ids as one number
    key = terms.ids[follows].astype(np.int64)  # computed in place: these arrays hold millions of entries
    key *= terms.width
    key += terms.ids[follows + 1]
    key *= n
    key += row[follows]
    del row, follows
    key.sort()
    key = key[np.r_[True, key[1:] != key[:-1]]]
    owner = (key % n).astype(np.int32)
    key //= n
    first = np.r_[True, key[1:] != key[:-1]]
    del key
    run = np.cumsum(first, dtype=np.int32) - 1  # each entry's bigram, numbered 0, 1, ...
    del first
    df = np.bincount(run)
    capped = (df >= 2) & (df <= MAX_BUCKET)  # only these bigrams can make a pair; the rest are dropped now
    keep = capped[run]
    column = (np.cumsum(capped, dtype=np.int32) - 1)[run[keep]]
    owner = owner[keep]
    del run, keep
    by_row = np.argsort(owner, kind="stable")  # CSR straight away: rows in order, columns ascending
    incidence = sp.csr_matrix(
        (
            np.ones(len(by_row), dtype=np.float32),
            column[by_row],
            np.r_[0, np.cumsum(np.bincount(owner, minlength=n))].astype(np.int32),
        ),
        shape=(n, max(int(capped.sum()), 1)),
    )
    del by_row, column, owner
    transposed = sp.csr_matrix(incidence.T)
    src: list[np.ndarray] = []
    dst: list[np.ndarray] = []
    for lo in range(0, n, BLOCK):  # row blocks keep the product's memory bounded
        shared = sp.coo_matrix(incidence[lo : lo + BLOCK] @ transposed)
        r = shared.row.astype(np.int64) + lo
        c = shared.col.astype(np.int64)
        keep = (c > r) & (shared.data >= SHARED_BIGRAMS)
        src.append(r[keep])
        dst.append(c[keep])
    return np.concatenate(src), np.concatenate(dst)


def lsh_buckets(terms: Terms, use: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (i < j) of the passages marked in `use` whose MinHash signatures agree on all `ROWS`
    values of at least one of `BANDS` bands (Broder 1997; Leskovec, Rajaraman & Ullman, Mining of
    Massive Datasets, ch. 3): a pair of Jaccard similarity s becomes a candidate with probability
    1 - (1 - s^ROWS)^BANDS (s = 0.7: 1.00, s = 0.5: 0.73, s = 0.3: 0.15, s = 0.1: 0.002), so copies
    are found and the background of same-topic passages is not. Terms are hashed with datasketch's
    `sha1_hash32`; the NUM_PERM permutations are multiply-shift hashes over all passages at once in
    numpy (datasketch's per-object MinHash and MinHashLSH cost about 0.3 ms a passage, 45 s for
    150,000). Buckets larger than `MAX_BUCKET` (boilerplate every page repeats) are left out. The
    passages marked in `use` must have at least one term."""
    ids = np.flatnonzero(use)
    if len(ids) < 2:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    owner = terms.keys // terms.width
    mine = use[owner]
    term = (terms.keys - owner * terms.width)[mine]
    used = _distinct(term)
    token_hash = np.zeros(int(terms.width), dtype=np.uint64)
    token_hash[used] = [sha1_hash32(terms.words[t].encode("utf-8")) for t in used.tolist()]
    hv = token_hash[term]
    offsets = np.searchsorted(owner[mine], ids)
    rng = np.random.default_rng(SEED)
    a = rng.integers(1, 1 << 62, NUM_PERM, dtype=np.uint64) * np.uint64(2) + np.uint64(1)  # odd
    b = rng.integers(0, 1 << 62, NUM_PERM, dtype=np.uint64)
    sig = np.empty((len(ids), NUM_PERM), dtype=np.uint32)
    with np.errstate(over="ignore"):
        for k in range(NUM_PERM):
            sig[:, k] = np.minimum.reduceat((hv * a[k] + b[k]) >> np.uint64(32), offsets).astype(np.uint32)
    mix = rng.integers(1, 1 << 62, ROWS, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    pairs: set[tuple[int, int]] = set()
    for band in range(BANDS):
        with np.errstate(over="ignore"):
            key = (sig[:, band * ROWS : (band + 1) * ROWS].astype(np.uint64) * mix).sum(axis=1)
        order = np.argsort(key, kind="stable")
        starts = np.r_[0, np.flatnonzero(np.diff(key[order])) + 1]
        sizes = np.diff(np.r_[starts, len(order)])
        for at in np.flatnonzero((sizes > 1) & (sizes <= MAX_BUCKET)).tolist():  # buckets of 2 or more
            members = sorted(ids[order[starts[at] : starts[at] + sizes[at]]].tolist())
            pairs.update(combinations(members, 2))
    if not pairs:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    arr = np.asarray(sorted(pairs), dtype=np.int64)
    return arr[:, 0], arr[:, 1]


def _groups(passages: list[Passage], edges: list[tuple[int, int, float]]) -> list[list[int]]:
    """Merge the most similar pairs first; a group never holds two passages of one source, so a
    long paragraph that rewrites two short ones does not chain unrelated facts together."""
    parent = {i: i for i in range(len(passages))}
    sources: dict[int, set[str]] = {i: {p.source_id} for i, p in enumerate(passages)}
    find = partial(_find, parent)
    for i, j, _ in sorted(edges, key=lambda e: (-e[2], e[0], e[1])):
        ri, rj = find(i), find(j)
        if ri == rj or sources[ri] & sources[rj]:
            continue
        keep, gone = min(ri, rj), max(ri, rj)
        parent[gone] = keep
        sources[keep] |= sources.pop(gone)
    members: dict[int, list[int]] = defaultdict(list)
    for i in range(len(passages)):
        members[find(i)].append(i)
    return [m for m in members.values() if len(m) > 1]


def _find(parent: dict[_K, _K], x: _K) -> _K:
    """The root of `x`'s set in a union-find forest (`parent[root] == root`), halving the path."""
    while parent[x] != x:
        parent[x] = parent[parent[x]]
        x = parent[x]
    return x


def find_duplicates(corpus: Corpus, threshold: float = THRESHOLD) -> Corpus:
    """Return a copy of `corpus` with passages grouped and copied sources sharing an origin."""
    with gc_paused():  # the copies are many long-lived values without cycles
        return _find_duplicates(corpus, threshold)


def _find_duplicates(corpus: Corpus, threshold: float) -> Corpus:
    passages = list(corpus.passages())
    similar, terms = _similar(passages, threshold)
    if len(passages) > EXACT_LIMIT:
        release_free_memory()  # the candidate search's arrays (hundreds of MB at 10,000 articles)
    sets: dict[int, frozenset[int]] = {}  # term ids of the passages the copy rule looks at

    def set_of(i: int) -> frozenset[int]:
        if i not in sets:
            sets[i] = terms.set_of(i)
        return sets[i]

    known: dict[str, Facts] = {}  # facts of each passage text, computed once however many pairs it is in

    def facts_of(text: str) -> Callable[[], Facts]:
        return lambda: known[text] if text in known else known.setdefault(text, facts(text))

    def copy(i: int, j: int) -> bool:
        a, b = passages[i].text, passages[j].text
        if " ".join(a.split()) == " ".join(b.split()):
            return True  # the same words: the same facts (`is_copy` holds without asking)
        short, long_ = sorted((i, j), key=lambda k: len(passages[k].text))  # stable: ties keep i first
        ts, tl = set_of(short), set_of(long_)
        return _copy_rule(ts, tl, facts_of(passages[short].text), facts_of(passages[long_].text))

    edges = [e for e in similar if copy(e[0], e[1])]
    groups = sorted(_groups(passages, edges), key=min)
    group_of: dict[str, str] = {}
    dup_groups: list[DuplicateGroup] = []
    for k, members in enumerate(groups, 1):
        gid = f"D{k}"
        ids = tuple(passages[i].id for i in sorted(members))
        dup_groups.append(DuplicateGroup(id=gid, passages=ids))
        for pid in ids:
            group_of[pid] = gid
    origins = _origins(corpus.sources, passages, similar)  # a rewritten story is still one origin
    sources = tuple(
        s.model_copy(
            update={
                "passages": tuple(  # values are frozen: a passage in no group is shared, not copied
                    p if group_of.get(p.id) == p.group else p.model_copy(update={"group": group_of.get(p.id)})
                    for p in s.passages
                ),
                "origin": origins[s.id],
            }
        )
        for s in corpus.sources
    )
    return Corpus(sources=sources, groups=tuple(dup_groups))


def _origins(
    sources: tuple[Source, ...], passages: list[Passage], edges: list[tuple[int, int, float]]
) -> dict[str, str]:
    """Sources that are copies of one story share the id of the first of them as their origin."""
    shared: dict[tuple[str, str], set[str]] = defaultdict(set)
    for i, j, _ in edges:
        pa, pb = passages[i], passages[j]
        key = (pa.source_id, pb.source_id) if pa.source_id < pb.source_id else (pb.source_id, pa.source_id)
        shared[key].add(pa.id)
        shared[key].add(pb.id)
    sizes = Counter({s.id: len(s.passages) for s in sources})
    order = {s.id: k for k, s in enumerate(sources)}
    parent = {s.id: s.id for s in sources}
    find = partial(_find, parent)
    for (a, b), ids in shared.items():
        in_a = sum(1 for pid in ids if pid.startswith(a + ":"))
        in_b = sum(1 for pid in ids if pid.startswith(b + ":"))
        smaller = min(sizes[a], sizes[b])
        if min(in_a, in_b) >= ORIGIN_MIN_PASSAGES and min(in_a, in_b) >= ORIGIN_SHARE * smaller:
            ra, rb = find(a), find(b)
            if ra != rb:
                first, second = sorted((ra, rb), key=order.__getitem__)
                parent[second] = first
    return {s.id: find(s.id) for s in sources}
