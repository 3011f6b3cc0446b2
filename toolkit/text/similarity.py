"""Word normalisation and TF-IDF vectors shared by dedupe, the extractive engine and verification."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import scipy.sparse as sp

from .language import OTHER_STOPWORDS

__all__ = ["STOPWORDS", "content_terms", "stem", "tfidf_matrix", "topk_cosine", "topk_per_row"]

STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "said",
        "says",
        "say",
        "told",
        "according",
        "since",
        "would",
        "could",
        "may",
        "might",
        "must",
        "shall",
        "one",
        "two",
        "new",
        "also",
        "however",
        "still",
        "yet",
        "whose",
        "per",
        "via",
        "its",
        "it's",
    ]
)
STOPWORDS = STOPWORDS | OTHER_STOPWORDS  # de, fr, es, it, pt, pl, ru function words (text.language)

_TOKEN = re.compile(r"[^\W_]+(?:[’'][^\W_]+)?", re.UNICODE)
_SUFFIXES = ("ingly", "ations", "ation", "ments", "ment", "ings", "ing", "ied", "ies", "ed", "es", "s")


@lru_cache(maxsize=1 << 18)
def stem(word: str) -> str:
    """A light suffix stripper: enough to match 'killings'/'killed'/'kill', cheap and predictable."""
    w = word.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    if len(w) <= 4 or w.isdigit():
        return w
    for suf in _SUFFIXES:
        if w.endswith(suf) and len(w) - len(suf) >= 3:
            base = w[: -len(suf)]
            if suf in ("ied", "ies"):
                return base + "y"
            return base
    return w


_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # kana and Han ideographs
_TERM = re.compile(rf"(?P<cjk>[{_CJK}]+)|[^\W_{_CJK}]+(?:[’'][^\W_{_CJK}]+)?")


def cjk_terms(run: str) -> list[str]:
    """Character bigrams of a run of Chinese/Japanese characters (text without spaces has no words to
    split on; bigrams are the standard index unit, as in Lucene's CJKAnalyzer); one character alone."""
    return [run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)]


def content_terms(text: str) -> list[str]:
    """Stemmed words without stopwords, numbers kept (they matter in news); Chinese and Japanese runs
    become character bigrams (`cjk_terms`)."""
    if not _ANY_CJK.search(text):  # the common case: one cached lookup a word
        return [t for t in map(_word_term, _WORD_NO_CJK.findall(text)) if t]
    out: list[str] = []
    for m in _TERM.finditer(text):
        tok = m.group(0)
        if m.lastgroup == "cjk":
            out.extend(cjk_terms(tok))
            continue
        term = _word_term(tok)
        if term:
            out.append(term)
    return out


_ANY_CJK = re.compile(f"[{_CJK}]")
_WORD_NO_CJK = re.compile(r"[^\W_]+(?:[’'][^\W_]+)?")  # _TERM's word branch on text without CJK


@lru_cache(maxsize=1 << 18)
def _word_term(word: str) -> str:
    """The term of one word as `content_terms` gives it, "" for a stopword or a stray letter."""
    low = word.lower()
    if low in STOPWORDS or (len(low) < 2 and not low.isdigit()):
        return ""
    return stem(low)


def tfidf_matrix(docs: Sequence[Sequence[str]]) -> sp.csr_matrix:
    """Rows are L2-normalised TF-IDF vectors (log tf, smooth idf) of the given term lists."""
    vocab: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    df: Counter[int] = Counter()
    for i, terms in enumerate(docs):
        counts = Counter(terms)
        for term, c in counts.items():
            j = vocab.setdefault(term, len(vocab))
            rows.append(i)
            cols.append(j)
            vals.append(1.0 + math.log(c))
            df[j] += 1
    n = len(docs)
    idf = np.ones(max(len(vocab), 1))
    for j, d in df.items():
        idf[j] = math.log((1 + n) / (1 + d)) + 1.0
    data = np.asarray(vals, dtype=float) * idf[np.asarray(cols, dtype=int)] if vals else np.zeros(0)
    m = sp.csr_matrix((data, (rows, cols)), shape=(n, max(len(vocab), 1)))
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms) @ m)


def topk_cosine(matrix: sp.csr_matrix, k: int = 64, floor: float = 0.0, block: int = 256) -> sp.csr_matrix:
    """Sparse `matrix @ matrix.T` keeping, per row, the `k` largest entries that reach `floor` (ties
    to the lower column). Rows are computed `block` at a time, so memory is O(block * rows + rows * k)
    instead of O(rows ** 2): a text of many short, similar lines cannot exhaust the machine."""
    n = matrix.shape[0]
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    vals: list[np.ndarray] = []
    mt = sp.csr_matrix(matrix.T)
    for start in range(0, n, block):
        part = sp.csr_matrix(matrix[start : start + block] @ mt)
        for r in range(part.shape[0]):
            lo, hi = part.indptr[r], part.indptr[r + 1]
            c, v = part.indices[lo:hi], part.data[lo:hi]
            keep = v >= floor
            c, v = c[keep], v[keep]
            if len(v) > k:
                top = np.lexsort((c, -v))[:k]
                c, v = c[top], v[top]
            rows.append(np.full(len(c), start + r))
            cols.append(c)
            vals.append(v)
    if not rows:
        return sp.csr_matrix((n, n))
    return sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n, n))


def topk_per_row(rows: np.ndarray, data: np.ndarray, k: int) -> np.ndarray:
    """Indexes of the entries to keep so that each row keeps at most its `k` largest `data` values
    (ties to the earlier entry): bounds pair lists that would otherwise grow with rows ** 2."""
    if len(rows) == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.lexsort((np.arange(len(rows)), -data, rows))
    sorted_rows = rows[order]
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_rows)) + 1]
    counts = np.diff(np.r_[starts, len(rows)])
    rank = np.arange(len(rows)) - np.repeat(starts, counts)
    return np.sort(order[rank < k])
