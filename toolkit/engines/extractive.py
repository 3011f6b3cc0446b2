"""An offline multi-document extractive summariser: every output sentence is a source sentence.

Each candidate sentence (from `Passage.sentences`, so it always has a home passage) gets a score

    score = prior * (W_CENTRAL * centrality + W_POSITION * position + W_SUPPORT * support)

- centrality: LexRank - PageRank with damping over the graph of TF-IDF cosines (stemmed content
  terms, edges >= `EDGE`), scaled so the most central sentence is 1;
- position: 1 / (1 + k) ** POSITION_DECAY for the k-th usable sentence of its article (news puts
  the event first; the lead is the strongest single signal for news);
- support: how widely the sentence's content is carried by the *other* origins (wire copies count
  once): for each of its content terms the share of other origins using it, averaged;
- prior: form penalties for fragments, bare quotes and sentences that lean on an earlier one.

Selection is Maximal Marginal Relevance under the word budget: the next sentence maximises
`LAMBDA * score - (1 - LAMBDA) * max cosine to what is already chosen`, sentences whose cosine
to a chosen one reaches `REDUNDANT` are dropped (wire copies are chosen once), and sentences
that no longer fit the budget are skipped so the budget is filled but never exceeded. The chosen
sentences are printed in reading order (their position in the article), each citing its home
passage, its near-duplicate group and passages of other sources that hold a sentence with cosine
>= `CITE` to it and every number it states (a passage with another number is a conflict, not support).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ..models import Corpus, Passage, SummarySentence, Usage, passage_sort_key
from ..text.centrality import NEIGHBOURS, lexrank
from ..text.claims import Quantity, facts, implies
from ..text.sentences import words as word_tokens
from ..text.similarity import content_terms, tfidf_matrix, topk_cosine
from .base import Draft

__all__ = ["ExtractiveEngine", "word_count"]

W_CENTRAL = 1.0
W_POSITION = 1.0
W_SUPPORT = 1.0
POSITION_DECAY = 1.0
EDGE = 0.1  # cosine below this is no graph edge (classic LexRank threshold)
DAMPING = 0.85
LAMBDA = 0.6
REDUNDANT = 0.35
CITE = 0.4
MAX_SENTENCES = 8000  # candidate sentences beyond this are left out, with a note
MIN_WORDS = 6
MIN_TERMS = 3
SHORT_WORDS = 12  # sentences shorter than this are scaled down linearly (fragments, captions)
LONG_WORDS = 45  # longer ones eat the budget: mild penalty

_TERMINAL = re.compile(r"""[.!?…。！？｡؟।]["'”’)\]」』）]*$""")
_DATELINE = re.compile(  # "BAGHDAD, March 14 (AFP) - ", "ERBIL, Kurdistan Region - "
    r"^(?:[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3},?\s+)?(?:[A-Z][a-z]{2,8}\.?\s+\d{1,2},?\s+)?"
    r"(?:\d{4}\s+)?\((?:AFP|AP|Reuters|UPI|dpa|Xinhua|IANS|PTI|ANI)\)\s*[-–—:]*\s*"
    r"|^[A-Z][A-Z.'’-]{2,}(?:\s+[A-Z][A-Z.'’-]+)*(?:,\s*[A-Z][\w.]*(?:\s+[A-Z][\w.]*){0,2})?\s+[-–—]+\s+"
)
_DATE_START = re.compile(r"^\d{4}[/-]\d{1,2}[/-]\d{1,2}\b")
_OPEN_QUOTE = ('"', "“", "‘", "'")
_CLOSE_QUOTE = ('"', "”", "’", "'")
# Openers that lean on an earlier sentence (pronouns, connectives): weak on their own.
_LEANING = re.compile(
    r"^(?:he|she|they|it|this|these|those|that|his|her|their|its|such|but|and|so|yet|also|however|"
    r"moreover|furthermore|additionally|meanwhile|still|then|there|in summary|in conclusion|overall)\b",
    re.IGNORECASE,
)


def word_count(text: str) -> int:
    """Words as the budget counts them: the larger of whitespace and word-token counts."""
    return max(len(text.split()), len(word_tokens(text)))


@dataclass(frozen=True)
class _Sentence:
    passage: Passage
    source: int  # index of the source in the corpus
    origin: str
    text: str  # whitespace-normalised, dateline removed
    order: int  # rank among the usable sentences of its source, -1 if unusable
    words: int
    prior: float


def _clean_text(raw: str) -> str:
    text = " ".join(raw.split())
    m = _DATELINE.match(text)
    return text[m.end() :] if m and m.end() < len(text) else text


def _prior(text: str, n_words: int) -> float:
    """0 for sentences that cannot stand alone in a summary, else a form weight in (0, 1]."""
    if n_words < MIN_WORDS or not _TERMINAL.search(text) or _DATE_START.match(text):
        return 0.0
    tokens = text.split()
    capitalised = sum(1 for t in tokens if t[:1].isupper())
    if capitalised / len(tokens) > 0.7:  # Title Case Headline.
        return 0.0
    prior = min(1.0, n_words / SHORT_WORDS)
    if n_words > LONG_WORDS:
        prior *= LONG_WORDS / n_words
    if text.startswith(_OPEN_QUOTE):
        # A quote is fine with its attribution ("..., he said."), weak without.
        prior *= 0.4 if text.rstrip(".").endswith(_CLOSE_QUOTE) else 0.7
    if _LEANING.match(text.lstrip("\"“‘'(")):
        prior *= 0.7
    if text.endswith("?"):
        prior *= 0.5
    return prior


def _sentences(corpus: Corpus) -> list[_Sentence]:
    out: list[_Sentence] = []
    for si, source in enumerate(corpus.sources):
        rank = 0
        for passage in source.passages:
            for sentence in passage.sentences:
                text = _clean_text(sentence.text)
                n = word_count(text)
                prior = _prior(text, n)
                out.append(
                    _Sentence(passage, si, source.origin or source.id, text, rank if prior else -1, n, prior)
                )
                rank += 1 if prior else 0
    return out


def _cap(sents: list[_Sentence]) -> list[_Sentence]:
    """At most MAX_SENTENCES sentences: round-robin over sources in reading order (leads first)."""
    position: dict[int, int] = {}
    ranked: list[tuple[int, int, int]] = []
    for i, s in enumerate(sents):
        k = position.get(s.source, 0)
        position[s.source] = k + 1
        ranked.append((k, s.source, i))
    keep = sorted(i for _, _, i in sorted(ranked)[:MAX_SENTENCES])
    return [sents[i] for i in keep]


def _support(terms: list[list[str]], origins: list[str]) -> np.ndarray:
    """Per sentence: over its distinct content terms, the mean share of the *other* origins that
    use the term too. Wire copies share an origin, so a story copied ten times counts once."""
    names = sorted(set(origins))
    if len(names) < 2:
        return np.zeros(len(origins))
    carriers: dict[str, set[str]] = {}
    for t, o in zip(terms, origins, strict=True):
        for w in t:
            carriers.setdefault(w, set()).add(o)
    out = np.zeros(len(origins))
    for i, t in enumerate(terms):
        uniq = set(t)
        if uniq:
            out[i] = sum(len(carriers[w]) - 1 for w in uniq) / (len(uniq) * (len(names) - 1))
    return out


def _select(scores: np.ndarray, sim: sp.csr_matrix, sents: list[_Sentence], budget: int) -> list[int]:
    """MMR under the word budget; ties go to the earlier sentence, so the result is deterministic."""
    pool = [i for i in np.argsort(-scores, kind="stable") if scores[i] > 0 and sents[i].words <= budget]
    top = float(scores.max()) if len(scores) else 1.0
    chosen: list[int] = []
    used = 0
    overlap = np.zeros(len(sents))
    while pool:
        gain = [LAMBDA * scores[i] / top - (1.0 - LAMBDA) * overlap[i] for i in pool]
        best = pool[int(np.argmax(gain))]
        chosen.append(best)
        used += sents[best].words
        row = sim.getrow(best).toarray().ravel()
        overlap = np.maximum(overlap, row)
        pool = [
            i
            for i in pool
            if i != best
            and overlap[i] < REDUNDANT
            and sents[i].text != sents[best].text
            and used + sents[i].words <= budget
        ]
    return chosen


def _citations(corpus: Corpus, home: _Sentence, row: np.ndarray, sents: list[_Sentence]) -> tuple[str, ...]:
    """The home passage, its near-duplicate group, and other sources' passages holding a sentence this
    close that also holds every number of it (one with another number is a conflict, not support)."""
    ids = {home.passage.id, *corpus.group_of(home.passage.id)}
    numbers = facts(home.text).quantities
    for j in np.flatnonzero(row >= CITE):
        if sents[j].source != home.source and _holds_numbers(numbers, sents[j].text):
            ids.add(sents[j].passage.id)
    return tuple(sorted(ids, key=passage_sort_key))


def _holds_numbers(numbers: tuple[Quantity, ...], text: str) -> bool:
    """Whether `text` establishes each of `numbers` (`toolkit.text.claims.implies`)."""
    if not numbers:
        return True
    held = facts(text).quantities
    return all(any(implies(h, q) for h in held) for q in numbers)


class ExtractiveEngine:
    """LexRank centrality + lead position + cross-source support, MMR-selected under a word budget."""

    name = "extractive"
    model = "extractive"

    def summarize(self, corpus: Corpus, *, words: int) -> Draft:
        sents = _sentences(corpus)
        capped: tuple[str, ...] = ()
        if len(sents) > MAX_SENTENCES:
            sents, capped = (
                _cap(sents),
                (
                    f"extractive: the input has {len(sents):,} sentences; the first {MAX_SENTENCES:,} "
                    "(taken evenly across sources, leads first) were considered",
                ),
            )
        usable = [s for s in sents if s.prior > 0]
        if words <= 0 or not usable:
            return Draft(
                sentences=(),
                usage=Usage(),
                model=self.model,
                notes=("extractive: no usable sentences" if not usable else "extractive: zero word budget",),
            )
        terms = [content_terms(s.text) for s in sents]
        matrix = tfidf_matrix(terms)
        sim = topk_cosine(matrix, k=NEIGHBOURS, floor=EDGE)
        centrality = lexrank(sim, EDGE, DAMPING)
        support = _support(terms, [s.origin for s in sents])
        order = np.asarray([max(s.order, 0) for s in sents], dtype=float)
        position = 1.0 / (1.0 + order) ** POSITION_DECAY
        prior = np.asarray([s.prior for s in sents])
        terms_ok = np.asarray(np.diff(matrix.indptr) >= MIN_TERMS)
        scores = prior * terms_ok * (W_CENTRAL * centrality + W_POSITION * position + W_SUPPORT * support)
        chosen = _select(scores, sim, sents, words)
        chosen.sort(key=lambda i: (sents[i].order, sents[i].source, i))
        out = tuple(
            SummarySentence(
                text=sents[i].text,
                citations=_citations(corpus, sents[i], sim.getrow(i).toarray().ravel(), sents),
            )
            for i in chosen
        )
        total = sum(sents[i].words for i in chosen)
        n_sources = len({sents[i].source for i in chosen})
        said = f"{len(out)} sentence{'s' * (len(out) != 1)}, {total} words"
        note = f"extractive: {said} from {n_sources} source{'s' * (n_sources != 1)}"
        return Draft(sentences=out, usage=Usage(), model=self.model, notes=(*capped, note))
