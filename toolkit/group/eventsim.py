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
similar others as a sparse edge list, computed in blocks of `BLOCK` rows against all (a block x n
sparse product, never a dense n x n matrix). Captions, credits and embed notices never become an
article's title or lead (`is_caption`). Terms come from `textsim` (same stopwords and stemmer).
"""

from __future__ import annotations

import math
import re
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
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
    for para in paragraphs:
        for m in _CAPITAL_RUN.finditer(para):
            k = m.start() - 1
            while k >= 0 and para[k].isspace():  # the character before the run (no prefix copies)
                k -= 1
            starts = k < 0 or para[k] in '.!?:;"“”'
            run: list[str] = []
            for pos, w in enumerate(m.group().split()):
                low = w.lower()
                if low not in lower and _term(w) and not (pos == 0 and starts and low in _COMMON_STARTS):
                    out[low] = out.get(low, 0) + 1
                    run.append(low)
                    if len(run) >= 2:
                        pair = run[-2] + " " + low
                        out[pair] = out.get(pair, 0) + 2
                else:
                    run = []
        for number in _NUMBER.findall(para):
            if len(number) >= 2 and not _is_year(number):
                out["#" + number] += 1
        if "“" in para or '"' in para:
            for q in _QUOTE.finditer(para):
                words = [t for t in (_term(w) for w in _WORD.findall(q.group(1))) if t]
                for k in range(len(words) - 3):
                    out["q:" + " ".join(words[k : k + 4])] += 1
    return out


def _top(counts: Counter[str], idf: dict[str, float], k: int) -> dict[str, float]:
    """The `k` heaviest terms by log tf x idf."""
    scored = [(t, (1.0 + math.log(c)) * idf[t]) for t, c in counts.items()]
    scored.sort(key=lambda kv: (-kv[1], kv[0]))  # what heapq.nsmallest(k, ...) returns, faster here
    return dict(scored[:k])


def _idf(docs: Sequence[Counter[str]]) -> dict[str, float]:
    df: Counter[str] = Counter()
    for d in docs:
        df.update(d.keys())
    n = len(docs)
    return {t: math.log((1 + n) / (1 + c)) + 1.0 for t, c in df.items()}


class _Packed:
    """Per-article Counters kept as numpy term ids and counts (about a tenth of a Counter's memory),
    with the document frequency of each term; `packed[i]` gives article i's Counter back, in the
    order it was built."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.words: list[str] = []
        self.rows: list[tuple[np.ndarray, np.ndarray]] = []
        self.df: Counter[str] = Counter()

    def add(self, counts: Counter[str]) -> None:
        self.df.update(counts.keys())
        ids, words = self.ids, self.words
        for t in counts:
            if t not in ids:
                ids[t] = len(words)
                words.append(t)
        n = len(counts)
        self.rows.append(
            (
                np.fromiter(map(ids.__getitem__, counts), dtype=np.int32, count=n),
                np.fromiter(counts.values(), dtype=np.int64, count=n),
            )
        )

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, i: int) -> Counter[str]:
        ids, counts = self.rows[i]
        words = self.words
        return Counter(dict(zip([words[t] for t in ids.tolist()], counts.tolist(), strict=True)))

    def idf(self) -> dict[str, float]:
        """`_idf` of the packed Counters."""
        n = len(self.rows)
        return {t: math.log((1 + n) / (1 + c)) + 1.0 for t, c in self.df.items()}


def _rows(weighted: Iterable[dict[str, float]], vocab: dict[str, int], scale: float) -> sp.csr_matrix:
    """L2-normalised sparse rows scaled by sqrt(`scale`) (columns from the shared `vocab`); the rows
    may come one at a time (a generator), so only one is held; entries go to typed arrays, not lists
    of Python numbers (about 100 MB less at 10,000 articles)."""
    indptr = array("q", [0])
    indices = array("q")
    data = array("d")
    root = math.sqrt(scale)
    for row in weighted:
        norm = math.sqrt(sum(v * v for v in row.values())) or 1.0
        for t in row:
            if t not in vocab:
                vocab[t] = len(vocab)
        indices.extend(map(vocab.__getitem__, row))
        data.extend([root * v / norm for v in row.values()])
        indptr.append(len(indices))
    return sp.csr_matrix(
        (
            np.frombuffer(data, dtype=float) if data else np.zeros(0),
            np.frombuffer(indices, dtype=np.int64) if indices else np.zeros(0, np.int64),
            np.frombuffer(indptr, dtype=np.int64),
        ),
        shape=(len(indptr) - 1, max(len(vocab), 1)),
    )


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
        titles: list[Counter[str]] = []
        names = _Packed()
        surfaces: dict[str, dict[str, int]] = {}
        days: list[float] = []
        meta: list[tuple[str, str, str, str]] = []
        done = list(cleaned) if cleaned is not None else [clean(a.text) for a in articles]
        for a, cl in zip(articles, done, strict=True):
            paragraphs = [a.text[s:e] for s, e in cl.paragraphs] or [a.text]
            story = [p for p in paragraphs if not is_caption(p)] or paragraphs
            lead_counts = Counter(_WORD.findall(" ".join(story[:LEAD_PARAGRAPHS])))
            word_counts = Counter(_WORD.findall(" ".join(story[LEAD_PARAGRAPHS:])))
            for w, c in lead_counts.items():
                word_counts[w] += 2 * c
            lower = {w.lower() for w in word_counts if w[0].islower()}
            headings = [d.text for d in cl.dropped if d.reason in ("title", "heading")]
            title = next((t for t in (a.title, cl.title, *headings[:3]) if t and not is_caption(t)), "")
            counts: Counter[str] = Counter()
            for w, c in word_counts.items():
                term = _term(w)
                if term:
                    forms = surfaces.get(term)
                    if forms is None:
                        forms = surfaces[term] = {}
                    forms[w] = forms.get(w, 0) + c
                    counts[term] = counts.get(term, 0) + c
            body.add(counts)
            titles.append(Counter(t for t in (_term(w) for w in _WORD.findall(title)) if t))
            names.add(_names(story, lower))
            day = parse_day(a.date) or parse_day(cl.date)
            days.append(math.nan if day is None else float(day))
            when = date.fromordinal(day).isoformat() if day else ""
            meta.append((a.path, title, _first_sentence(story), when))
        body_idf, name_idf, title_idf = body.idf(), names.idf(), _idf(titles)
        display = {s: max(c, key=lambda w: (c[w], w.islower(), w)) for s, c in surfaces.items()}
        items: list[ArticleInfo] = []

        def body_tops() -> Iterator[dict[str, float]]:
            """Each article's key terms, one article at a time; its `_info` is made on the way (one
            unpacking of its Counters for both)."""
            for i, (m, t) in enumerate(zip(meta, titles, strict=True)):
                counts, named = body[i], names[i]
                items.append(_info(m, (counts, named, t), body_idf, display))
                yield _top(counts, body_idf, KEY_TERMS)

        vocab: dict[str, int] = {}
        parts = [
            _rows(body_tops(), vocab, BODY_WEIGHT),
            _rows((_top(names[i], name_idf, KEY_TERMS) for i in range(len(names))), {}, NAME_WEIGHT),
            _rows((_top(c, title_idf, KEY_TERMS) for c in titles), {}, TITLE_WEIGHT),
        ]
        self.x = sp.csr_matrix(sp.hstack(parts).tocsr()) if articles else sp.csr_matrix((0, 1))
        self.x.sort_indices()  # one column order: a pair's similarity is the same float either way round
        self.days = np.asarray(days, dtype=float)
        self.items = tuple(items)

    def __len__(self) -> int:
        return len(self.days)

    def product(self, rows: np.ndarray, floor: float = 0.0) -> sp.coo_matrix:
        """Date-adjusted similarities of `rows` against all articles, as a sparse len(rows) x n matrix;
        with `floor`, pairs below it are left out (before the date scaling, which only lowers a
        similarity, so as few pairs as possible are scaled)."""
        block = sp.coo_matrix(self.x[rows] @ self.x.T)
        if floor > 0.0:
            keep = block.data >= floor
            block = sp.coo_matrix((block.data[keep], (block.row[keep], block.col[keep])), shape=block.shape)
        block.data = block.data * self._dates(self.days[rows][block.row], self.days[block.col])
        return block

    def pairs(self, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Pairs (i, j, similarity) with lo <= i < hi and i < j, date-adjusted, at or above `EDGE_MIN`:
        one (n - lo) x (hi - lo) sparse product, the upper triangle's share of rows lo..hi-1 (each
        pair computed once, for both articles' neighbour lists)."""
        block = sp.csr_matrix(self.x[lo:] @ self.x[lo:hi].T)
        block.data[block.data < EDGE_MIN] = 0.0  # the date scaling only lowers a similarity
        block.eliminate_zeros()
        cells = block.tocoo()
        j, i, v = cells.row.astype(np.int64) + lo, cells.col.astype(np.int64) + lo, cells.data
        up = j > i
        i, j, v = i[up], j[up], v[up] * self._dates(self.days[i[up]], self.days[j[up]])
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
        held = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))
        src: list[np.ndarray] = []
        dst: list[np.ndarray] = []
        val: list[np.ndarray] = []
        for lo in range(0, n, BLOCK):
            hi = min(n, lo + BLOCK)
            i, j, v = self.pairs(lo, hi)
            if max_days is not None:
                far = np.abs(self.days[i] - self.days[j]) > max_days
                i, j, v = i[~far], j[~far], v[~far]
            r, c, v = np.concatenate((i, j)), np.concatenate((j, i)), np.concatenate((v, v))
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
# row's 30th best usually lies (0.03-0.2 on mixed news), so few candidates are held.
_STEPS = np.array(
    (0.0, 0.02, 0.025, 0.03, 0.035, 0.04, 0.045, 0.05, 0.055, 0.06, 0.07, 0.08, 0.09, 0.1, 0.12, 0.15,
     0.2, 0.25, 0.3, 0.4, 0.5)
)  # fmt: skip


def _info(
    meta: tuple[str, str, str, str],
    counts: tuple[Counter[str], Counter[str], Counter[str]],
    idf: dict[str, float],
    display: dict[str, str],
) -> ArticleInfo:
    """Key terms of one article for labels: TF-IDF over the folder (names count twice, title words
    three times); no numbers, dates or 'al'; a word said once in a long article is no candidate."""
    body, names, title = counts
    once = len(body) <= 60
    weights: dict[str, float] = {}
    for t in {t for t, c in body.items() if c > 1 or once} | title.keys():
        if len(t) > 2 and not t.isdigit() and t not in _CALENDAR and t in idf:
            weights[t] = (1.0 + math.log(body.get(t, 0) + 2 * names.get(t, 0) + 3 * title.get(t, 0))) * idf[t]
    norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
    best = sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:INFO_TERMS]
    path, title_text, lead, when = meta
    terms = tuple(display.get(t, t) for t, _ in best)
    weights_out = tuple(round(w / norm, 4) for _, w in best)
    return ArticleInfo(path=path, title=title_text, lead=lead, date=when, terms=terms, weights=weights_out)
