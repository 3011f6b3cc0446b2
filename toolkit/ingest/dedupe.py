"""Cross-source near-duplicates: passages in different sources that say the same thing.

Wire copies (seeds 001 and 002 are one AFP story) repeat the same facts in slightly different words.
We group such passages (`DuplicateGroup` D1, D2, ...) so later stages send the text once and count it
as one origin, and we mark whole sources that are copies of one another with a shared `origin`.

Similarity is cosine over TF-IDF vectors of stemmed content words, computed with sparse products in
row blocks (so memory stays bounded for thousands of articles). Two passages are candidates when
their cosine reaches `threshold`, or when nearly all terms of the shorter one are in the longer; a
candidate pair is grouped only when `is_copy` holds: the two state the same facts (every number,
name and negation of the shorter is in the longer, and most of its words are). Another outlet's
paraphrase, or a passage with a different number ("three" / "five dead"), is corroboration or a
conflict, never a copy: it is sent to the model and checked on its own.
"""

from __future__ import annotations

from collections import Counter, defaultdict

import numpy as np
import scipy.sparse as sp

from ..models import Corpus, DuplicateGroup, Passage, Source
from ..text.claims import Quantity, compatible, facts
from ..text.similarity import content_terms, tfidf_matrix, topk_per_row
from ..text.support import close

__all__ = ["find_duplicates", "is_copy", "similar_pairs"]

THRESHOLD = 0.4
CONTAINMENT = 0.85
MIN_TERMS = 5
BLOCK = 256  # passage rows per sparse product: memory O(BLOCK * passages), linear in the input
NEIGHBOURS = 64  # candidate pairs kept per passage (a flood of near-identical lines stays linear)
# Sources are copies of one origin when this share of the smaller one's passages is grouped with the other.
ORIGIN_SHARE = 0.5
ORIGIN_MIN_PASSAGES = 3
COPY_CONTAINED = 0.7  # a copy holds at least this share of the shorter passage's content terms


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
    ts, tl = set(content_terms(short)), set(content_terms(long_))
    if not ts or len(ts & tl) / len(ts) < COPY_CONTAINED:
        return False
    fs, fl = facts(short), facts(long_)
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
    """(i, j, score) for passages of different sources that say the same thing, i < j."""
    terms = [content_terms(p.text) for p in passages]
    matrix = tfidf_matrix(terms)
    term_sets = [set(t) for t in terms]
    source_of = np.asarray([int(p.source_id[1:]) for p in passages])
    pairs: list[tuple[int, int, float]] = []
    n = len(passages)
    low = min(threshold, 0.3)  # containment candidates may have a lower cosine
    for lo in range(0, n, BLOCK):
        hi = min(n, lo + BLOCK)
        block = sp.coo_matrix(matrix[lo:hi] @ matrix.T)
        rows = block.row.astype(np.int64) + lo
        cols = block.col.astype(np.int64)
        # Filter in numpy first: only pairs above the floor, once each, across sources.
        keep = (cols > rows) & (block.data >= low) & (source_of[rows] != source_of[cols])
        rows, cols, data = rows[keep], cols[keep], block.data[keep]
        top = topk_per_row(rows, data, NEIGHBOURS)
        for i, j, score in zip(rows[top].tolist(), cols[top].tolist(), data[top].tolist(), strict=True):
            a, b = term_sets[i], term_sets[j]
            if min(len(a), len(b)) < MIN_TERMS:
                continue
            contained = len(a & b) / min(len(a), len(b))
            if score >= threshold or contained >= CONTAINMENT:
                pairs.append((i, j, float(score)))
    return pairs


def _groups(passages: list[Passage], edges: list[tuple[int, int, float]]) -> list[list[int]]:
    """Merge the most similar pairs first; a group never holds two passages of one source, so a
    long paragraph that rewrites two short ones does not chain unrelated facts together."""
    parent = list(range(len(passages)))
    sources: dict[int, set[str]] = {i: {p.source_id} for i, p in enumerate(passages)}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

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


def find_duplicates(corpus: Corpus, threshold: float = THRESHOLD) -> Corpus:
    """Return a copy of `corpus` with passages grouped and copied sources sharing an origin."""
    passages = list(corpus.passages())
    similar = similar_pairs(passages, threshold)
    edges = [e for e in similar if is_copy(passages[e[0]].text, passages[e[1]].text)]
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
                "passages": tuple(p.model_copy(update={"group": group_of.get(p.id)}) for p in s.passages),
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

    def find(x: str) -> str:
        while parent[x] != x:
            x = parent[x]
        return x

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
