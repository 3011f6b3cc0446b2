"""Article vectors for event grouping: what `toolkit.group.grouping` compares, and each article's key terms.

Same-event similarity weighs what identifies an event over shared vocabulary. One row per article,
three parts, each L2-normalised and weighted so that a product of two rows is
`BODY_WEIGHT * cos(terms) + NAME_WEIGHT * cos(names) + TITLE_WEIGHT * cos(title)`:

- terms: the article's `KEY_TERMS` most distinctive content terms (log tf x folder idf; the first
  `LEAD_PARAGRAPHS` paragraphs count twice). Keeping only the distinctive terms is what stops two
  stories from looking alike because both say "government", "people" and "year".
- names: capitalised words never written in lower case in the article (people, places,
  organisations), runs of them as one name ("Junichiro Koizumi"), numbers other than years ("322",
  "7.1"), and 4-word shingles of quoted speech (a shared quote is strong evidence of one event).
- title: the title's content terms.

Dates scale a similarity down when both are known and far apart: full within `SAME_DAYS`, half from
`SAME_DAYS + DATE_SCALE` days on (a story thread runs for months; articles years apart are
rarely one event). `ArticleVectors.neighbours` gives each article's `NEIGHBOURS` most
similar others as a sparse edge list, exactly, each pair computed once in upper-triangle blocks of
`BLOCK` rows (an (n - lo) x BLOCK sparse product, never a dense n x n matrix). The vectors of all
articles are built in numpy `BULK` articles at a time. Captions, credits and embed notices never become an
article's title or lead (`is_caption`). Terms come from `textsim` (same stopwords and stemmer).
"""

from __future__ import annotations

import math
import re
from array import array
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date
from functools import lru_cache

import numpy as np
import scipy.sparse as sp
from stop_words import get_stop_words

from ..ingest.cleaning import Cleaned, clean
from ..models import Article, _Value
from ..text.similarity import STOPWORDS, stem

__all__ = ["ArticleInfo", "ArticleVectors", "is_caption", "parse_day"]

BODY_WEIGHT = 0.55
NAME_WEIGHT = 0.3
TITLE_WEIGHT = 0.15
KEY_TERMS = 150
LEAD_PARAGRAPHS = 3
SAME_DAYS = 7
DATE_SCALE = 365.0
DATE_FLOOR = 0.5
NEIGHBOURS = 30
EDGE_MIN = 0.02
BLOCK = 256
INFO_TERMS = 30

# Function words of the European languages saved pages often come in (the `stop-words` package), so
# two pages in German do not look alike for sharing "und" and "der"; minus English content words.
_FUNCTION_WORDS = frozenset(
    w
    for lang in ("german", "spanish", "french", "italian", "portuguese", "dutch")
    for w in get_stop_words(lang)
) - frozenset((
    "ali", "art", "bill", "bin", "car", "chose", "col", "die", "dire", "eu", "fast", "force", "hat", "kind",
    "man", "mayor", "met", "mine", "post", "rest", "sale", "sea", "son", "total", "war", "will",
))  # fmt: skip
_WORD = re.compile(r"[^\W_]+(?:[’'.][^\W_]+)*")
_CAPITAL_WORD = r"[^\W\d_a-z][^\W_]*(?:[’'][^\W_]+)?"
_CAPITAL_RUN = re.compile(rf"\b{_CAPITAL_WORD}(?:[ \t]+{_CAPITAL_WORD})*")
_NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*(?![\w])")
# Capitalised only because they start a sentence: never a name there.
_COMMON_STARTS = frozenset((
    "after", "as", "but", "despite", "during", "for", "however", "in", "it", "meanwhile", "on", "one",
    "since", "some", "that", "the", "there", "these", "they", "this", "those", "two", "under", "when",
    "while", "with", "yesterday", "today", "officials", "police", "according", "earlier", "later", "many",
    "most", "several",
))  # fmt: skip
_QUOTE = re.compile(r"[\"“]([^\"“”]{20,400})[\"”]")
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
_CAPTION = re.compile(
    r"^\s*(?:(?:image|photo|picture|media|video)\s*(?:copyright|caption|credit|\d+ of \d+)"
    r"|(?:photo|picture|credit|source|video)\s*:"
    r"|(?:getty images|reuters|ap photo|afp|epa|pa media)\b\s*(?:/|$|photo)"
    r"|view this post on|a post shared by|(?:skip|end of) \w+ post|allow \w+ content"
    r"|this (?:article|content) (?:contains|is hosted)|media playback|the wayback machine"
    r"|(?:next|previous) image|share this with|we use cookies|(?:©|\(c\)|copyright)\s)",
    re.IGNORECASE,
)


def is_caption(text: str) -> bool:
    """True for a photo caption, credit, embed notice, crawl note or share bar (never a title)."""
    return bool(_CAPTION.search(text[:300]))


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
    if low in STOPWORDS or low in _FUNCTION_WORDS or (len(low) < 2 and not low.isdigit()):
        return ""
    return stem(low)


def _is_year(word: str) -> bool:
    return len(word) == 4 and word.isdigit() and word[:2] in ("19", "20")


def _names(paragraphs: Sequence[str], lower: set[str]) -> Counter[str]:
    """Names (single capitalised words and runs of them), non-year numbers and quote shingles."""
    out: Counter[str] = Counter()
    get, term = out.get, _term
    for para in paragraphs:
        for m in _CAPITAL_RUN.finditer(para):
            prev = ""  # the run's last name word so far ("" after a word that is none)
            for pos, w in enumerate(m.group().split()):
                low = w.lower()
                if (
                    low not in lower
                    and term(w)
                    and not (pos == 0 and low in _COMMON_STARTS and _opens_sentence(para, m.start()))
                ):
                    out[low] = get(low, 0) + 1
                    if prev:
                        pair = prev + " " + low
                        out[pair] = get(pair, 0) + 2
                    prev = low
                else:
                    prev = ""
        for number in _NUMBER.findall(para):
            if len(number) >= 2 and not _is_year(number):
                key = "#" + number
                out[key] = get(key, 0) + 1
        if "“" in para or '"' in para:
            for q in _QUOTE.finditer(para):
                words = [t for t in (term(w) for w in _WORD.findall(q.group(1))) if t]
                for k in range(len(words) - 3):
                    out["q:" + " ".join(words[k : k + 4])] += 1
    return out


def _opens_sentence(para: str, at: int) -> bool:
    """Whether the word at `at` opens a sentence: nothing but spaces before it, or a full stop, colon,
    semicolon or quote mark (asked only for the common sentence openers, `_COMMON_STARTS`)."""
    k = at - 1
    while k >= 0 and para[k].isspace():
        k -= 1
    return k < 0 or para[k] in '.!?:;"“”'


class _Packed:
    """Per-article term counts kept as term ids and counts in two flat int32 buffers (a Counter per
    article would take ten times the memory): ids in order of first use, and the entries of a range
    of articles as numpy arrays for the bulk steps (`_top_rows`, `_infos`)."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.words: list[str] = []
        self._ids = array("i")
        self._counts = array("i")
        self._ends = array("q", [0])

    def add(self, counts: Mapping[str, int]) -> None:
        ids, words = self.ids, self.words
        for t in counts:
            if t not in ids:
                ids[t] = len(words)
                words.append(t)
        self._ids.extend(map(ids.__getitem__, counts))
        self._counts.extend(counts.values())
        self._ends.append(len(self._ids))

    def __len__(self) -> int:
        return len(self._ends) - 1

    def flat(self, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(article - lo, term id, count) of the entries of articles lo..hi-1, in the order added."""
        ends = np.frombuffer(self._ends, dtype=np.int64)[lo : hi + 1]
        a, b = int(ends[0]), int(ends[-1])
        row = np.repeat(np.arange(hi - lo), np.diff(ends))
        ids = np.frombuffer(self._ids, dtype=np.int32)[a:b].astype(np.int64)
        return row, ids, np.frombuffer(self._counts, dtype=np.int32)[a:b].astype(np.int64)

    def idf(self) -> np.ndarray:
        """log((1 + n) / (1 + df)) + 1 of each term id (n articles; df = articles using the term),
        computed term by term with `math.log` (the same floats as a dict of them)."""
        n = len(self)
        df = np.bincount(np.frombuffer(self._ids, dtype=np.int32), minlength=len(self.words))
        return np.array([math.log((1 + n) / (1 + c)) + 1.0 for c in df.tolist()])

    def top_count(self) -> int:
        return int(np.frombuffer(self._counts, dtype=np.int32).max()) if len(self._counts) else 0

    def rank(self) -> np.ndarray:
        """Each term id's position in the terms sorted as strings (ties in weight go to the first)."""
        rank = np.empty(len(self.words), dtype=np.int64)
        rank[sorted(range(len(self.words)), key=self.words.__getitem__)] = np.arange(len(self.words))
        return rank


BULK = 1_000  # articles per step of the bulk computations (bounds their arrays' memory)


def _logs(top: int) -> np.ndarray:
    """`math.log(c)` for c = 0..top (0.0 at 0), to index by count: the same floats as calling
    `math.log` on each count."""
    return np.array([0.0, *(math.log(c) for c in range(1, top + 1))])


def _by_row(row: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Start and length of each row's run in `row` (sorted, values 0..n-1)."""
    lengths = np.bincount(row, minlength=n)
    return np.concatenate(([0], np.cumsum(lengths)[:-1])).astype(np.int64), lengths


def _row_sums(values: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Each row's values added left to right (the float a Python `sum` over the row gives; numpy's
    own sums add in pairs), one vector step per position."""
    total = np.zeros(len(starts))
    for pos in range(int(lengths.max()) if len(lengths) else 0):
        at = np.flatnonzero(lengths > pos)
        total[at] += values[starts[at] + pos]
    return total


def _top_rows(packed: _Packed, k: int, scale: float) -> sp.csr_matrix:
    """One sparse row per article: its `k` heaviest terms by log tf x idf (ties to the first term as
    a string), L2-normalised, scaled by sqrt(`scale`); columns numbered in order of first use, row
    by row, heaviest first. `BULK` articles per step of array operations."""
    n = len(packed)
    idf, rank = packed.idf(), packed.rank()
    logs = _logs(packed.top_count())
    column = np.full(len(packed.words), -1, dtype=np.int64)
    used = 0
    data: list[np.ndarray] = [np.zeros(0)]
    indices: list[np.ndarray] = [np.zeros(0, dtype=np.int64)]
    lengths: list[np.ndarray] = [np.zeros(0, dtype=np.int64)]
    for lo in range(0, n, BULK):
        hi = min(n, lo + BULK)
        row, ids, counts = packed.flat(lo, hi)
        weight = (1.0 + logs[counts]) * idf[ids]
        order = np.lexsort((rank[ids], -weight, row))
        row, ids, weight = row[order], ids[order], weight[order]
        starts, _ = _by_row(row, hi - lo)
        top = np.arange(len(row)) - starts[row] < k
        row, ids, weight = row[top], ids[top], weight[top]
        starts, count = _by_row(row, hi - lo)
        norm = np.sqrt(_row_sums(weight * weight, starts, count))
        norm[norm == 0.0] = 1.0
        new = ids[column[ids] < 0]
        if len(new):
            terms, first = np.unique(new, return_index=True)
            column[terms[np.argsort(first)]] = np.arange(used, used + len(terms))
            used += len(terms)
        data.append(math.sqrt(scale) * weight / norm[row])
        indices.append(column[ids])
        lengths.append(count)
    indptr = np.concatenate(([0], np.cumsum(np.concatenate(lengths)))).astype(np.int64)
    return sp.csr_matrix((np.concatenate(data), np.concatenate(indices), indptr), shape=(n, max(used, 1)))


def _product(a: sp.csr_matrix, b: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The CSR arrays (data, indices, indptr) of `a @ b`, entry for entry what scipy's product gives
    (its own numeric pass, `csr_matmat`), without the pass scipy makes first only to count the
    entries (`csr_matmat_maxnnz`, a third of the product's time here): the arrays are allocated at
    the most entries the product can have (a.rows x b.columns, small for a block of `BLOCK` columns)
    and cut to the entries made. Falls back to `a @ b` where scipy lacks that function."""
    rows, cols = a.shape[0], b.shape[1]
    matmat = getattr(getattr(sp, "_sparsetools", None), "csr_matmat", None)
    if matmat is None or rows * cols >= 2**31:  # no such function, or int32 offsets would overflow
        out = sp.csr_matrix(a @ b)
        return out.data, out.indices, out.indptr
    idx = np.int32
    indptr = np.empty(rows + 1, dtype=idx)
    indices = np.empty(rows * cols, dtype=idx)
    data = np.empty(rows * cols, dtype=np.result_type(a.dtype, b.dtype))
    matmat(
        rows,
        cols,
        np.asarray(a.indptr, dtype=idx),
        np.asarray(a.indices, dtype=idx),
        a.data,
        np.asarray(b.indptr, dtype=idx),
        np.asarray(b.indices, dtype=idx),
        b.data,
        indptr,
        indices,
        data,
    )
    made = int(indptr[-1])
    return data[:made], indices[:made], indptr


def _first_sentence(paragraphs: Sequence[str]) -> str:
    """The first sentence of the first paragraph that is not a caption, at most 25 words."""
    for para in paragraphs:
        text = " ".join(para.split())
        if not text or is_caption(text):
            continue
        m = re.search(r"(?<=[.!?])\s+(?=[A-Z“\"])", text)
        sentence = text[: m.start()] if m else text
        words = sentence.split()
        return " ".join(words[:25]) + (" …" if len(words) > 25 else "")
    return ""


class ArticleVectors:
    """Article vectors (rows: see the module docstring), day numbers (NaN if unknown), per-article info."""

    def __init__(self, articles: Sequence[Article], cleaned: Sequence[Cleaned] | None = None) -> None:
        """Vectors of `articles`; `cleaned` gives their `clean` results when already computed."""
        body = _Packed()
        titles = _Packed()
        names = _Packed()
        forms: dict[str, int] = {}  # every content word as written, with its count in the folder
        days: list[float] = []
        meta: list[tuple[str, str, str, str]] = []
        done = list(cleaned) if cleaned is not None else [clean(a.text) for a in articles]
        for a, cl in zip(articles, done, strict=True):
            paragraphs = [a.text[s:e] for s, e in cl.paragraphs] or [a.text]
            story = [p for p in paragraphs if not is_caption(p)] or paragraphs
            lead = _WORD.findall(" ".join(story[:LEAD_PARAGRAPHS]))
            word_counts = Counter(_WORD.findall(" ".join(story[LEAD_PARAGRAPHS:])))
            word_counts.update(lead)
            word_counts.update(lead)  # the lead counts twice
            lower = {w.lower() for w in word_counts if w[0].islower()}
            headings = [d.text for d in cl.dropped if d.reason in ("title", "heading")]
            title = next((t for t in (a.title, cl.title, *headings[:3]) if t and not is_caption(t)), "")
            counts: dict[str, int] = {}
            for w, c in word_counts.items():
                term = _term(w)
                if term:
                    forms[w] = forms.get(w, 0) + c
                    counts[term] = counts.get(term, 0) + c
            body.add(counts)
            titles.add(Counter(t for t in (_term(w) for w in _WORD.findall(title)) if t))
            names.add(_names(story, lower))
            day = parse_day(a.date) or parse_day(cl.date)
            days.append(math.nan if day is None else float(day))
            when = date.fromordinal(day).isoformat() if day else ""
            meta.append((a.path, title, _first_sentence(story), when))
        best: dict[str, tuple[int, bool, str]] = {}  # per term its commonest form, lower case first
        for w, c in forms.items():
            key, term = (c, w.islower(), w), _term(w)
            if term not in best or key > best[term]:
                best[term] = key
        display = {t: key[2] for t, key in best.items()}
        self.items = tuple(_infos(meta, (body, names, titles), display))
        parts = [
            _top_rows(body, KEY_TERMS, BODY_WEIGHT),
            _top_rows(names, KEY_TERMS, NAME_WEIGHT),
            _top_rows(titles, KEY_TERMS, TITLE_WEIGHT),
        ]
        self.x = sp.csr_matrix(sp.hstack(parts).tocsr()) if articles else sp.csr_matrix((0, 1))
        self.x.sort_indices()  # one column order: a pair's similarity is the same float either way round
        self.days = np.asarray(days, dtype=float)

    def __len__(self) -> int:
        return len(self.days)

    def product(self, rows: np.ndarray, floor: float = 0.0) -> sp.coo_matrix:
        """Date-adjusted similarities of `rows` against all articles, as a sparse len(rows) x n matrix;
        with `floor`, pairs below it are left out (before the date scaling, which only lowers a
        similarity, so as few pairs as possible are scaled). Computed as all x rows' transpose (no
        transposed copy of the whole matrix)."""
        block = sp.coo_matrix((self.x @ self.x[rows].T).T)
        if floor > 0.0:
            keep = block.data >= floor
            block = sp.coo_matrix((block.data[keep], (block.row[keep], block.col[keep])), shape=block.shape)
        block.data = block.data * self._dates(self.days[rows][block.row], self.days[block.col])
        return block

    def pairs(self, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Pairs (i, j, similarity) with lo <= i < hi and i < j, date-adjusted, at or above `EDGE_MIN`:
        one (n - lo) x (hi - lo) sparse product, the upper triangle's share of rows lo..hi-1 (each
        pair computed once, for both articles' neighbour lists)."""
        x = self.x
        start = x.indptr[lo]
        below = sp.csr_matrix(  # rows lo.. as views of x's arrays (a slice would copy them)
            (x.data[start:], x.indices[start:], x.indptr[lo:] - start), shape=(x.shape[0] - lo, x.shape[1])
        )
        data, indices, indptr = _product(below, sp.csr_matrix(x[lo:hi].T))
        at = np.flatnonzero(data >= EDGE_MIN)  # the date scaling only lowers a similarity
        j = np.searchsorted(indptr, at, side="right").astype(np.int64) - 1 + lo
        i = indices[at].astype(np.int64) + lo
        up = j > i
        i, j = i[up], j[up]
        v = data[at[up]] * self._dates(self.days[i], self.days[j])
        keep = v >= EDGE_MIN
        return i[keep], j[keep], v[keep]

    @staticmethod
    def _dates(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Factor for pairs dated `a` and `b` (day numbers, NaN if unknown): 1.0 within `SAME_DAYS`
        or when either is unknown, falling to `DATE_FLOOR`."""
        gap = np.abs(a - b)
        factor = np.ones(len(gap))
        known = ~np.isnan(gap)
        if known.any():
            late = np.maximum(0.0, gap[known] - SAME_DAYS)
            factor[known] = np.maximum(DATE_FLOOR, 1.0 / (1.0 + late / DATE_SCALE))
        return factor

    def neighbours(
        self, k: int = NEIGHBOURS, max_days: int | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Edges (i, j, similarity) with i < j: each article's `k` most similar others at or above
        `EDGE_MIN` (pairs more than `max_days` apart dropped; ties to the lower index).

        Each pair is computed once (`pairs`, upper-triangle row blocks of `BLOCK`): a pair is a
        candidate for both articles' lists. A row is complete once its own block is done (all
        pairs with lower rows came in earlier blocks), so its k best are taken then and its
        candidates freed. Candidates of rows still to come are kept only at or above their row's
        floor: the highest of `_STEPS` that k of its pairs seen so far reach (its k-th best is at
        least that, so no top-k pair, tie included, is dropped). Memory: one block product plus a few
        dozen candidates per row; time: half the pair products of a rows-against-all search."""
        n = len(self)
        levels = len(_STEPS)
        seen = np.zeros((n, levels), dtype=np.int64)  # per row: candidates seen at each level of _STEPS
        floor = np.zeros(n)
        held = (np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0))  # candidates of rows to come
        src: list[np.ndarray] = []
        dst: list[np.ndarray] = []
        val: list[np.ndarray] = []
        for lo in range(0, n, BLOCK):
            hi = min(n, lo + BLOCK)
            i, j, v = self.pairs(lo, hi)
            if max_days is not None:
                far = np.abs(self.days[i] - self.days[j]) > max_days
                i, j, v = i[~far], j[~far], v[~far]
            near = v >= np.minimum(floor[i], floor[j])  # below both rows' floors: of use to neither
            i, j, v = i[near], j[near], v[near]
            r = np.concatenate((i, j)).astype(np.int32)
            c = np.concatenate((j, i)).astype(np.int32)
            v = np.concatenate((v, v))
            useful = v >= floor[r]  # below its row's floor already: neither kept nor counted
            r, c, v = r[useful], c[useful], v[useful]
            level = np.searchsorted(_STEPS, v, side="right") - 1
            seen += np.bincount(r * levels + level, minlength=n * levels).reshape(n, levels)
            reach = np.cumsum(seen[:, ::-1], axis=1)[:, ::-1] >= k  # k candidates at or above step
            floor = np.where(reach[:, 0], _STEPS[levels - 1 - np.argmax(reach[:, ::-1], axis=1)], 0.0)
            r, c, v = np.concatenate((held[0], r)), np.concatenate((held[1], c)), np.concatenate((held[2], v))
            keep = v >= floor[r]
            r, c, v = r[keep], c[keep], v[keep]
            done = r < hi
            held = (r[~done], c[~done], v[~done])
            r, c, v = r[done], c[done], v[done]
            order = np.lexsort((c, -v, r))  # per row, most similar first, ties to the lower index
            r, c, v = r[order], c[order], v[order]
            top = np.arange(len(r)) - np.searchsorted(r, r, side="left") < k
            src.append(r[top])
            dst.append(c[top])
            val.append(v[top])
        if not src:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, np.zeros(0)
        r, c, v = np.concatenate(src), np.concatenate(dst), np.concatenate(val)
        lo_, hi_ = np.minimum(r, c), np.maximum(r, c)
        key = lo_.astype(np.int64) * n + hi_
        key, first = np.unique(key, return_index=True)
        return (key // n), (key % n), v[first]


# Levels for a row's candidate floor; all candidates are at or above EDGE_MIN (0.02). Fine where a
# row's 30th best usually lies (0.03-0.2 on mixed news), so few candidates are held: steps of 0.005
# up to 0.1 and of 0.01 up to 0.2 (34 levels; the 21 levels before held a third more candidates,
# whose sort per block was a fifth of the search's time at 10,000 articles). Any levels give the
# same neighbours: a floor only drops candidates that cannot be among a row's k best.
_STEPS = np.array(
    (0.0, 0.02, 0.025, 0.03, 0.035, 0.04, 0.045, 0.05, 0.055, 0.06, 0.065, 0.07, 0.075, 0.08, 0.085,
     0.09, 0.095, 0.1, 0.11, 0.12, 0.13, 0.14, 0.15, 0.16, 0.17, 0.18, 0.19, 0.2, 0.25, 0.3, 0.35, 0.4,
     0.45, 0.5)
)  # fmt: skip


def _infos(
    meta: Sequence[tuple[str, str, str, str]],
    packed: tuple[_Packed, _Packed, _Packed],
    display: dict[str, str],
) -> list[ArticleInfo]:
    """Key terms of each article for labels: TF-IDF over the folder (names count twice, title words
    three times); no numbers, dates or 'al'; a word said once in a long article (over 60 terms) is
    no candidate. Per article (path, title, lead, date) in `meta`; the packed body terms, names and
    title terms; `display` gives each term's surface form. Weights are over the L2 norm of all
    candidates, rounded to 4 places; the best `INFO_TERMS`, ties to the first term as a string.
    `BULK` articles per step of array operations."""
    body = packed[0]
    n, vocab = len(body), max(len(body.words), 1)
    words = body.words
    good = np.array([len(t) > 2 and not t.isdigit() and t not in _CALENDAR for t in words] or [False])
    idf, rank = body.idf(), body.rank()
    to_body = [np.array([body.ids.get(t, -1) for t in part.words] or [-1]) for part in packed]

    def keyed(k: int, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray]:
        """Sorted keys (article * vocab + body term id) of part k's entries that are body terms."""
        row, ids, counts = packed[k].flat(lo, hi)
        mapped = to_body[k][ids]
        known = mapped >= 0
        keys = row[known] * vocab + mapped[known]
        order = np.argsort(keys, kind="stable")
        return keys[order], counts[known][order]

    def count(keys: np.ndarray, counts: np.ndarray, wanted: np.ndarray) -> np.ndarray:
        if not len(keys):
            return np.zeros(len(wanted), dtype=np.int64)
        at = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
        return np.where(keys[at] == wanted, counts[at], 0)

    out: list[ArticleInfo] = []
    for lo in range(0, n, BULK):
        hi = min(n, lo + BULK)
        (body_keys, body_counts), (name_keys, name_counts), (title_keys, title_counts) = (
            keyed(k, lo, hi) for k in range(3)
        )
        _, lengths = _by_row(body_keys // vocab, hi - lo)
        often = (body_counts > 1) | (lengths <= 60)[body_keys // vocab]
        wanted = np.sort(np.concatenate((body_keys[often], title_keys)))
        wanted = wanted[np.concatenate(([True], wanted[1:] != wanted[:-1]))] if len(wanted) else wanted
        wanted = wanted[good[wanted % vocab]]
        total = count(body_keys, body_counts, wanted) + 2 * count(name_keys, name_counts, wanted)
        total += 3 * count(title_keys, title_counts, wanted)
        row, term = wanted // vocab, wanted % vocab
        weight = (1.0 + _logs(int(total.max()) if len(total) else 0)[total]) * idf[term]
        order = np.lexsort((rank[term], -weight, row))
        row, term, weight = row[order], term[order], weight[order]
        starts, lengths = _by_row(row, hi - lo)
        norm = np.sqrt(_row_sums(weight * weight, starts, lengths))
        norm[norm == 0.0] = 1.0
        share = (weight / norm[row]).tolist()
        for i, (path, title, lead, when) in enumerate(meta[lo:hi]):
            a, b = int(starts[i]), int(starts[i] + min(lengths[i], INFO_TERMS))
            out.append(
                ArticleInfo(
                    path=path,
                    title=title,
                    lead=lead,
                    date=when,
                    terms=tuple(display.get(words[t], words[t]) for t in term[a:b].tolist()),
                    weights=tuple(round(w, 4) for w in share[a:b]),
                )
            )
    return out
