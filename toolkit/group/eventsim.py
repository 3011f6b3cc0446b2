"""Article vectors for event grouping: what `toolkit.group.grouping` compares, and each article's key terms.

One row per article: TF-IDF over the content terms of its cleaned text (the first `LEAD_PARAGRAPHS`
paragraphs count twice), joined with TF-IDFs of its title terms and of its capitalised names (people,
places, organisations), weighted `TITLE_WEIGHT` and `ENTITY_WEIGHT`; rows are L2-normalised, so a
product is a cosine. `ArticleVectors.block` gives similarities for a block of rows, scaled down when both
dates are known and far apart: full within `SAME_DAYS`, half from `SAME_DAYS + DATE_SCALE` days on.
Terms are those of `textsim.content_terms` (same stopwords and stemmer), counted in one pass.
"""

from __future__ import annotations

import heapq
import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import date
from functools import lru_cache

import numpy as np
import scipy.sparse as sp

from ..ingest.cleaning import clean
from ..models import Article, _Value
from ..text.similarity import STOPWORDS, stem, tfidf_matrix

__all__ = ["ArticleInfo", "ArticleVectors", "parse_day"]

TITLE_WEIGHT = 0.25
ENTITY_WEIGHT = 0.25
LEAD_PARAGRAPHS = 3
SAME_DAYS = 7
DATE_SCALE = 30.0
DATE_FLOOR = 0.5
KEY_TERMS = 30
CACHE_ROWS = 2048

_WORD = re.compile(r"[^\W_]+(?:[’'][^\W_]+)?")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_CALENDAR = frozenset((
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february",
    "march", "april", "june", "july", "august", "september", "october", "november", "december", "jan", "feb",
    "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
))  # fmt: skip
_TEXT_DATE = re.compile(
    r"\b(?:(?P<m1>[a-z]{3})[a-z]*\.?\s+(?P<d1>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y1>\d{4})"
    r"|(?P<d2>\d{1,2})(?:st|nd|rd|th)?\s+(?P<m2>[a-z]{3})[a-z]*\.?,?\s+(?P<y2>\d{4}))\b",
    re.IGNORECASE,
)


class ArticleInfo(_Value):
    """What grouping kept of one input article: enough to label groups again after edits."""

    path: str = ""
    title: str = ""
    lead: str = ""
    date: str = ""
    terms: tuple[str, ...] = ()
    weights: tuple[float, ...] = ()

    @property
    def headline(self) -> str:
        return self.title or self.lead or self.path


def parse_day(value: str) -> int | None:
    """Day number of an ISO date or one like "March 14, 2025" or "Fri, 14 Mar 2025"; None if unknown."""
    try:
        return date.fromisoformat(value.strip()[:10]).toordinal()
    except ValueError:
        pass
    m = _TEXT_DATE.search(value)
    month = (m.group("m1") or m.group("m2")).lower() if m else ""
    if m is None or month not in _MONTHS:
        return None
    try:
        year, day = int(m.group("y1") or m.group("y2")), int(m.group("d1") or m.group("d2"))
        return date(year, _MONTHS.index(month) + 1, day).toordinal()
    except ValueError:
        return None


@lru_cache(maxsize=1 << 17)
def _term(word: str) -> str:
    """The `textsim.content_terms` term of one word, "" for stopwords and stray letters."""
    low = word.lower()
    return "" if low in STOPWORDS or (len(low) < 2 and not low.isdigit()) else stem(low)


def _content(words: list[str], surfaces: defaultdict[str, Counter[str]]) -> Counter[str]:
    """Term counts of `words` (as `content_terms` would give), recording surface forms for display."""
    out: Counter[str] = Counter()
    for w, c in Counter(words).items():
        term = _term(w)
        if term:
            surfaces[term][w] += c
            out[term] += c
    return out


class ArticleVectors:
    """Article vectors (rows, L2-normalised), day numbers (NaN if unknown) and per-article info."""

    def __init__(self, articles: Sequence[Article]) -> None:
        body: list[Counter[str]] = []
        titles: list[Counter[str]] = []
        names: list[Counter[str]] = []
        surfaces: defaultdict[str, Counter[str]] = defaultdict(Counter)
        days: list[float] = []
        meta: list[tuple[str, str, str, str]] = []
        for a in articles:
            cleaned = clean(a.text)
            paragraphs = [a.text[s:e] for s, e in cleaned.paragraphs] or [a.text]
            words = _WORD.findall(" ".join(paragraphs[:LEAD_PARAGRAPHS])) * 2
            words += _WORD.findall(" ".join(paragraphs[LEAD_PARAGRAPHS:]))
            lower = {w for w in words if w[0].islower()}
            title = a.title or cleaned.title
            body.append(_content(words, surfaces))
            titles.append(_content(_WORD.findall(title), surfaces))
            names.append(_content([w for w in words if w[0].isupper() and w.lower() not in lower], surfaces))
            day = parse_day(a.date) or parse_day(cleaned.date)
            days.append(math.nan if day is None else float(day))
            when = date.fromordinal(day).isoformat() if day else ""
            lead = " ".join(paragraphs[0].split()[:12]) + (" …" if len(paragraphs[0].split()) > 12 else "")
            meta.append((a.path, title, lead, when))
        parts = [(1.0 - TITLE_WEIGHT - ENTITY_WEIGHT, body), (TITLE_WEIGHT, titles), (ENTITY_WEIGHT, names)]
        x = sp.hstack([math.sqrt(w) * tfidf_matrix([list(c.elements()) for c in cs]) for w, cs in parts])
        x = x.tocsr()
        norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        self.x = sp.csr_matrix(sp.diags(1.0 / norms) @ x)
        self.xt = sp.csr_matrix(self.x.T)
        self.days = np.asarray(days, dtype=float)
        self._full: dict[int | None, np.ndarray] = {}
        display = {s: max(c, key=lambda w: (c[w], w.islower(), w)) for s, c in surfaces.items()}
        df: Counter[str] = Counter()
        for b, t in zip(body, titles, strict=True):
            df.update(b.keys() | t.keys())  # names are body words
        idf = {t: math.log((1 + len(body)) / (1 + d)) + 1.0 for t, d in df.items()}
        self.items = tuple(
            _info(m, c, idf, display)
            for m, c in zip(meta, zip(body, names, titles, strict=True), strict=True)
        )

    def block(
        self, rows: np.ndarray, cols: np.ndarray | None = None, max_days: int | None = None
    ) -> np.ndarray:
        """Dense date-adjusted similarities of `rows` against `cols` (default: all articles). Up to
        `CACHE_ROWS` articles the whole matrix is computed once and sliced."""
        n = len(self.days)
        if n <= CACHE_ROWS:
            if max_days not in self._full:
                self._full[max_days] = self._compute(np.arange(n), None, max_days)
            full = self._full[max_days]
            part: np.ndarray = full[rows] if cols is None else full[np.ix_(rows, cols)]  # copies
            return part
        return self._compute(rows, cols, max_days)

    def _compute(self, rows: np.ndarray, cols: np.ndarray | None, max_days: int | None) -> np.ndarray:
        right = self.xt if cols is None else sp.csr_matrix(self.x[cols].T)
        sims = np.asarray((self.x[rows] @ right).todense())
        gap = np.abs(self.days[rows][:, None] - (self.days if cols is None else self.days[cols])[None, :])
        with np.errstate(invalid="ignore"):
            factor = np.maximum(DATE_FLOOR, 1.0 / (1.0 + np.maximum(0.0, gap - SAME_DAYS) / DATE_SCALE))
            if max_days is not None:
                factor[gap > max_days] = 0.0
        return sims * np.where(np.isnan(gap), 1.0, factor)


def _info(
    meta: tuple[str, str, str, str],
    counts: tuple[Counter[str], Counter[str], Counter[str]],
    idf: dict[str, float],
    display: dict[str, str],
) -> ArticleInfo:
    """Key terms of one article: TF-IDF over the folder (names count twice, title words three times);
    no numbers, dates or 'al'; a word said once in a long article is no candidate."""
    body, names, title = counts
    once = len(body) <= 60
    weights: dict[str, float] = {}
    for t in {t for t, c in body.items() if c > 1 or once} | names.keys() | title.keys():
        if len(t) > 2 and not t.isdigit() and t not in _CALENDAR:
            weights[t] = (1.0 + math.log(body[t] + names[t] + 2 * title[t])) * idf[t]
    norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
    best = heapq.nsmallest(KEY_TERMS, weights.items(), key=lambda kv: (-kv[1], kv[0]))
    path, title_text, lead, when = meta
    terms = tuple(display.get(t, t) for t, _ in best)
    weights_out = tuple(round(w / norm, 4) for _, w in best)
    return ArticleInfo(path=path, title=title_text, lead=lead, date=when, terms=terms, weights=weights_out)
