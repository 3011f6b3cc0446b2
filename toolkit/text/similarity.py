"""Word normalisation and TF-IDF vectors shared by dedupe, the extractive engine and verification."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import scipy.sparse as sp

__all__ = ["STOPWORDS", "content_terms", "stem", "tfidf_matrix"]

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


def content_terms(text: str) -> list[str]:
    """Stemmed words without stopwords, numbers kept (they matter in news)."""
    out: list[str] = []
    for tok in _TOKEN.findall(text):
        low = tok.lower()
        if low in STOPWORDS or (len(low) < 2 and not low.isdigit()):
            continue
        out.append(stem(low))
    return out


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
