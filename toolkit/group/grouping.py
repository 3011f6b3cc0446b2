"""Event grouping: split a folder of mixed articles into groups that each cover one event.

    group_articles(articles_or_paths, *, threshold=None, max_days=None) -> Grouping

First, documents that are not articles (a social-media embed notice, a web-archive crawl note, a photo
gallery, a share bar, a lone "Send": `not_article_reason`) are set aside in `Grouping.not_articles`
with the reason, never grouped as a story. The rest are compared as vectors built in
`toolkit/group/eventsim.py`, which weigh names, places, numbers, shared quotes and each article's most
distinctive terms over shared vocabulary; similarity is scaled down when both dates are known and
weeks apart.

Clustering is average linkage over a sparse neighbour graph (each article's `eventsim.NEIGHBOURS`
most similar others): two groups merge while the mean similarity over ALL their article pairs,
missing pairs counting as 0, reaches the cut. The cut is fixed (`EVENT_SIMILARITY`, the level at
which two articles share the event's names and distinctive terms, not just a topic's words); it
never adapts down to the folder, so a chain of weak links cannot join unrelated stories, and an
article about nothing else in the folder stays alone. `threshold=` sets another cut. `max_days=N`
counts pairs dated more than N days apart as unrelated and cuts a group where its dated members
leave a gap over N days (undated ones follow the closest part). Seeds: {000, 001, 002} (March 2025
visit), {003} (December 2024 call), {004} (February 2025 analysis of the December/January
aftermath) is left alone; `grouping.move(4, "E2")` files it under the December aftermath.

Scale: no dense n x n matrix anywhere: similarities come in sparse blocks of rows, clustering and
the `Why` scores work on the neighbour edges. Deterministic. `move`, `merge`, `split` return new
values; ids stay stable, new groups take the next free number. Group labels are a member's real
title, else its lead sentence; captions, credits and embed notices are never used (`is_caption`).
"""

from __future__ import annotations

import heapq
import math
import os
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from itertools import pairwise

import numpy as np

from ..errors import ConfigError
from ..ingest.cleaning import Cleaned, clean
from ..ingest.loading import InputItem, load_articles
from ..models import Article, _Value
from .eventsim import ArticleInfo, ArticleVectors, is_caption

__all__ = [
    "ArticleInfo",
    "EventGroup",
    "Grouping",
    "NotArticle",
    "Why",
    "group_articles",
    "not_article_reason",
]

EVENT_SIMILARITY = 0.05
PAIR_SIMILARITY = 0.12
BACKGROUND_QUANTILE = 0.25
BACKGROUND_FACTOR = 2.0
SURE_SIMILARITY = 0.3
SAMPLE_ROWS = 256
SAMPLE_BLOCK = 32
MIN_STORY_WORDS = 25
BOILERPLATE_CHARS = 400


class Why(_Value):
    """Mean similarity of an article to the rest of its group (0.0 when alone) and its best-matching
    other group, measured when grouping ran; `manual` marks articles placed by hand."""

    score: float = 0.0
    runner_up: str = ""
    runner_up_score: float = 0.0
    manual: bool = False


class NotArticle(_Value):
    """An input document set aside as not an article: its index in the input, path, headline, reason."""

    index: int
    path: str = ""
    headline: str = ""
    reason: str


class EventGroup(_Value):
    id: str
    members: tuple[int, ...]
    paths: tuple[str, ...]
    titles: tuple[str, ...]
    label: str
    terms: tuple[str, ...] = ()
    start: str = ""
    end: str = ""

    @property
    def dates(self) -> str:
        return self.start if self.start == self.end else f"{self.start} .. {self.end}"


class Grouping(_Value):
    """Event groups over the input articles; `assignments[i]` is the group id of article i, "" for an
    article set aside in `not_articles` (reason given there)."""

    groups: tuple[EventGroup, ...]
    assignments: tuple[str, ...]
    why: tuple[Why, ...]
    items: tuple[ArticleInfo, ...]
    threshold: float
    max_days: int | None = None
    not_articles: tuple[NotArticle, ...] = ()

    def group(self, group_id: str) -> EventGroup:
        for g in self.groups:
            if g.id == group_id:
                return g
        raise KeyError(f"no group {group_id!r}; groups are {', '.join(g.id for g in self.groups)}")

    def articles(self, group_id: str, articles: Sequence[Article]) -> list[Article]:
        """The articles of one group, taken from the list (same order) that was grouped."""
        if len(articles) != len(self.assignments):
            raise ValueError(f"got {len(articles)} articles; this grouping has {len(self.assignments)}")
        return [articles[i] for i in self.group(group_id).members]

    def move(self, article_index: int, group_id: str) -> Grouping:
        """Move one article to `group_id`; "new" starts a group of its own."""
        if not 0 <= article_index < len(self.assignments):
            raise IndexError(f"article index {article_index} out of range 0..{len(self.assignments) - 1}")
        target = self._next_id() if group_id == "new" else self.group(group_id).id
        return self._edit({article_index: target})

    def merge(self, a: str, b: str) -> Grouping:
        """Merge group `b` into group `a`, which keeps its id."""
        if self.group(a).id == self.group(b).id:
            raise ValueError(f"cannot merge {a} with itself")
        return self._edit({i: a for i in self.group(b).members})

    def split(self, group_id: str, indexes: Iterable[int]) -> Grouping:
        """Move the given members of `group_id` (some, not all) into one new group."""
        members, chosen = set(self.group(group_id).members), set(indexes)
        if not chosen or not chosen <= members or chosen == members:
            raise ValueError(f"split takes some, not all, of {group_id}'s members {sorted(members)}")
        new = self._next_id()
        return self._edit(dict.fromkeys(chosen, new))

    def _next_id(self) -> str:
        return f"E{max((int(g.id[1:]) for g in self.groups), default=0) + 1}"

    def _edit(self, moves: dict[int, str]) -> Grouping:
        assignments = [moves.get(i, g) for i, g in enumerate(self.assignments)]
        why = [w.model_copy(update={"manual": True}) if i in moves else w for i, w in enumerate(self.why)]
        aside = tuple(x for x in self.not_articles if x.index not in moves)
        return _assemble(self.items, assignments, why, self.threshold, self.max_days, aside)

    def __str__(self) -> str:
        lines = [f"{len(self.groups)} event groups over {len(self.items)} articles"]
        if self.not_articles:
            lines[0] += f" ({len(self.not_articles)} set aside as not an article)"
        for g in self.groups:
            when = f"  {g.dates}" if g.start else ""
            lines.append(f"\n{g.id}  {len(g.members)} article(s){when}  {_plain(g.label, 90)}")
            if g.terms:
                lines.append(f"    terms: {_plain(', '.join(g.terms), 100)}")
            for i in g.members:
                item, why = self.items[i], self.why[i]
                fit = f"fit {why.score:.2f}" if len(g.members) > 1 else "alone"
                fit += f", next {why.runner_up} {why.runner_up_score:.2f}" if why.runner_up else ""
                fit += ", moved by hand" if why.manual else ""
                where = f"  {_plain(os.path.basename(item.path), 40)}" if item.path else ""
                lines.append(f"    [{i}] {_plain(item.headline, 72)}{where}  ({fit})")
        if self.not_articles:
            lines.append("\nNot an article (never grouped):")
            for x in self.not_articles:
                where = f"  {_plain(os.path.basename(x.path), 40)}" if x.path else ""
                lines.append(f"    [{x.index}] {_plain(x.headline, 60)}{where}  ({_plain(x.reason, 60)})")
        return "\n".join(lines)


def _plain(text: str, width: int) -> str:
    """One line of printable text: control, format and separator characters become spaces."""
    text = " ".join("".join(" " if unicodedata.category(c)[0] in "CZ" else c for c in text).split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


# --------------------------------------------------------------------------- not an article

_BOILERPLATE: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (reason, re.compile(pattern, re.IGNORECASE))
    for reason, pattern in (
        (
            "social-media embed notice",
            r"(?:skip|end of) \w+ post|view (?:this|more) (?:post|on) (?:on )?instagram|a post shared by"
            r"|allow \w+ content|contains content provided by|accept and continue|pic\.twitter\.com"
            r"|^\s*(?:—|-)\s*\S+ \(@\w+\)",
        ),
        (
            "web-archive crawl note",
            r"wayback machine|web\.archive\.org|crawl data|page was captured|capture timestamp"
            r"|collection: .*crawl",
        ),
        (
            "photo gallery or captions",
            r"^\s*(?:image|photo|picture|media|video)\s*(?:\d+ of \d+|copyright|caption|credit)"
            r"|^\s*(?:next|previous) (?:image|photo|slide)|^\s*(?:photo|video|credit)\s*(?:by|:)"
            r"|media playback",
        ),
        (
            "share buttons",
            r"^\s*(?:share(?: this(?: with)?)?|send|e-?mail|facebook|messenger|twitter|pinterest|whatsapp"
            r"|linkedin|reddit|print|copy (?:this )?link)\s*$",
        ),
        (
            "cookie notice",
            r"we use cookies|use of cookies|cookie (?:policy|settings)|manage (?:preferences|cookies)"
            r"|accept all",
        ),
    )
)


def not_article_reason(article: Article, cleaned: Cleaned | None = None) -> str:
    """Why `article` is not an article ("" when it is one): after cleaning, fewer than
    `MIN_STORY_WORDS` words remain outside lines (of at most `BOILERPLATE_CHARS` characters) of
    known boilerplate kinds (embed notices, crawl notes, gallery captions, share buttons, cookie
    notices). The reason names the commonest kind found, else "no story text (N words)". Defers to
    a reason cleaning itself gives (`not_article`)."""
    cleaned = clean(article.text) if cleaned is None else cleaned
    given = getattr(cleaned, "not_article", "")
    if isinstance(given, str) and given:
        return given
    paragraphs = [article.text[s:e] for s, e in cleaned.paragraphs] or [article.text]
    kinds: Counter[str] = Counter()
    story = 0
    for line in (ln for p in paragraphs for ln in p.splitlines() if ln.strip()):
        long = len(line) > BOILERPLATE_CHARS  # a long line is story text, whatever phrase it holds
        kind = "" if long else next((reason for reason, pat in _BOILERPLATE if pat.search(line)), "")
        if kind:
            kinds[kind] += len(line.split())
        else:
            story += len(line.split())
    if story >= MIN_STORY_WORDS:
        return ""
    if kinds:
        return f"{kinds.most_common(1)[0][0]} ({story} other words)"
    return f"no story text ({story} words)"


# --------------------------------------------------------------------------- clustering


def group_articles(
    articles: InputItem | Iterable[InputItem],
    *,
    threshold: float | None = None,
    max_days: int | None = None,
    cleaned: Sequence[Cleaned] | None = None,
) -> Grouping:
    """Group articles (a list of `Article`, or paths/folders/dicts for `load_articles`) into events.

    Returns a `Grouping`: groups E1, E2, ... in order of their first member, the articles set aside as
    not an article, and per article the similarity to its group (`Why`). Raises `ConfigError` for a
    threshold outside (0, 1] or a negative `max_days`. Time and memory grow with the number of
    articles times `eventsim.NEIGHBOURS` (no n x n matrix). `cleaned`: the articles' `clean` results
    when already computed (`toolkit.ingest.passages.cleaned_of` each source of a corpus), one per
    article given as an `Article`; else each article is cleaned here."""
    if threshold is not None and not 0.0 < threshold <= 1.0:
        raise ConfigError(f"threshold must be in (0, 1], got {threshold}")
    if max_days is not None and max_days < 0:
        raise ConfigError(f"max_days must be 0 or more, got {max_days}")
    items = list(articles) if isinstance(articles, list | tuple) else [articles]
    arts = items if all(isinstance(a, Article) for a in items) else list(load_articles(articles))
    arts = [a for a in arts if isinstance(a, Article)]
    if not arts:
        return Grouping(groups=(), assignments=(), why=(), items=(), threshold=threshold or EVENT_SIMILARITY)
    if cleaned is not None and len(cleaned) != len(arts):
        raise ConfigError(
            f"cleaned must hold one result per article: {len(cleaned)} for {len(arts)} articles"
        )
    cleaned = list(cleaned) if cleaned is not None else [clean(a.text) for a in arts]
    reasons = [not_article_reason(a, c) for a, c in zip(arts, cleaned, strict=True)]
    kept = [i for i, r in enumerate(reasons) if not r]
    aside = [i for i, r in enumerate(reasons) if r]
    feats = ArticleVectors([arts[i] for i in kept], [cleaned[i] for i in kept])
    aside_info = ArticleVectors([arts[i] for i in aside], [cleaned[i] for i in aside]).items if aside else ()
    infos: list[ArticleInfo] = [ArticleInfo()] * len(arts)
    for i, info in zip(kept, feats.items, strict=True):
        infos[i] = info
    for i, info in zip(aside, aside_info, strict=True):
        infos[i] = info
    cut = _cut(feats) if threshold is None else threshold
    src, dst, sim = feats.neighbours(max_days=max_days)
    pair_cut = max(cut, PAIR_SIMILARITY) if threshold is None else cut
    labels = _average_linkage(len(kept), src, dst, sim, cut, pair_cut)
    if max_days is not None:
        labels = _split_gaps(feats.days, labels, src, dst, sim, max_days)
    number = {lab: k for k, lab in enumerate(dict.fromkeys(labels), 1)}  # ids in order of first member
    local = [f"E{number[lab]}" for lab in labels]
    local_why = _why(local, src, dst, sim)
    assignments = [""] * len(arts)
    why = [Why()] * len(arts)
    for k, i in enumerate(kept):
        assignments[i], why[i] = local[k], local_why[k]
    listed = tuple(
        NotArticle(index=i, path=arts[i].path, headline=_opening(arts[i].text), reason=reasons[i])
        for i in aside
    )
    return _assemble(infos, assignments, why, cut, max_days, listed)


def _cut(feats: ArticleVectors) -> float:
    """The cut for this folder: `EVENT_SIMILARITY`, raised (never lowered) when the folder is all one
    topic, to `BACKGROUND_FACTOR` times its typical unrelated pair (the `BACKGROUND_QUANTILE` of pair
    similarities), at most `SURE_SIMILARITY`. Pairs are those of up to `SAMPLE_ROWS` evenly spaced
    articles against all, from sparse blocks (absent pairs count as 0)."""
    n = len(feats)
    if n < 3:
        return EVENT_SIMILARITY
    rows = np.unique(np.linspace(0, n - 1, min(n, SAMPLE_ROWS)).astype(int))
    parts = []
    for lo in range(0, len(rows), SAMPLE_BLOCK):  # blocks of sample rows: memory O(SAMPLE_BLOCK * n)
        block = feats.product(rows[lo : lo + SAMPLE_BLOCK])
        parts.append(block.data[rows[lo + block.row] != block.col])
    values = np.concatenate(parts)
    pairs = len(rows) * (n - 1)
    rank = int(BACKGROUND_QUANTILE * (pairs - 1))
    zeros = pairs - len(values)
    background = 0.0 if rank < zeros else float(np.partition(values, rank - zeros)[rank - zeros])
    return min(SURE_SIMILARITY, max(EVENT_SIMILARITY, BACKGROUND_FACTOR * background))


def _needed(pairs: int, cut: float, pair_cut: float) -> float:
    """Mean similarity two groups need to merge, given their number of article pairs: `pair_cut` for
    one pair, falling as 1/sqrt(pairs) (a mean over many pairs is firmer evidence than one pair) to
    the fixed floor `cut`."""
    return max(cut, pair_cut / math.sqrt(pairs))


def _opening(text: str, words: int = 12) -> str:
    """The first words of a document, as it starts (a not-an-article entry shows what it is)."""
    parts = text.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


def _average_linkage(
    n: int, src: np.ndarray, dst: np.ndarray, sim: np.ndarray, cut: float, pair_cut: float
) -> list[int]:
    """Average-linkage agglomeration on a sparse similarity graph (absent pairs count as 0): merge the
    two groups of highest mean pair similarity (its margin over `_needed`) while it reaches `_needed`.
    Returns per article the index of its group's first member. Time O(E log E) for E edges; ties
    broken by index."""
    size = [1] * n
    links: list[dict[int, float]] = [{} for _ in range(n)]
    for i, j, s in zip(src.tolist(), dst.tolist(), sim.tolist(), strict=True):
        links[i][j] = links[i].get(j, 0.0) + s
        links[j][i] = links[j].get(i, 0.0) + s
    need1 = _needed(1, cut, pair_cut)
    heap = [
        (need1 - s, i, j)
        for i, j, s in zip(src.tolist(), dst.tolist(), sim.tolist(), strict=True)
        if s >= need1
    ]
    heapq.heapify(heap)
    alive = [True] * n
    members: list[list[int]] = [[i] for i in range(n)]
    while heap:
        gap, a, b = heapq.heappop(heap)
        if not (alive[a] and alive[b]) or b not in links[a]:
            continue
        pairs = size[a] * size[b]
        if abs(_needed(pairs, cut, pair_cut) - links[a][b] / pairs - gap) > 1e-12:  # stale entry
            continue
        if len(links[a]) < len(links[b]):
            a, b = b, a  # fold the smaller adjacency into the larger
        alive[b] = False
        del links[a][b]
        del links[b][a]
        for c, s in links[b].items():
            links[a][c] = links[a].get(c, 0.0) + s
            del links[c][b]
            links[c][a] = links[a][c]
        links[b] = {}
        size[a] += size[b]
        members[a].extend(members[b])
        members[b] = []
        for c, s in links[a].items():
            pairs = size[a] * size[c]
            margin = s / pairs - _needed(pairs, cut, pair_cut)
            if margin >= 0:
                heapq.heappush(heap, (-margin, min(a, c), max(a, c)))
    labels = list(range(n))
    for head in range(n):
        if alive[head]:
            first = min(members[head])
            for i in members[head]:
                labels[i] = first
    return labels


def _split_gaps(
    days: np.ndarray, labels: list[int], src: np.ndarray, dst: np.ndarray, sim: np.ndarray, max_days: int
) -> list[int]:
    """Cut each group where its dated members leave a gap of more than `max_days` days; an undated
    member follows the part it is most similar to (mean over its neighbour edges)."""
    adjacent: defaultdict[int, dict[int, float]] = defaultdict(dict)
    for i, j, s in zip(src.tolist(), dst.tolist(), sim.tolist(), strict=True):
        adjacent[i][j] = s
        adjacent[j][i] = s
    groups: defaultdict[int, list[int]] = defaultdict(list)
    for i, lab in enumerate(labels):
        groups[lab].append(i)
    out = list(labels)
    for idx in groups.values():
        dated = sorted((i for i in idx if not math.isnan(days[i])), key=lambda i: (days[i], i))
        parts: list[list[int]] = [dated[:1]]
        for prev, cur in pairwise(dated):
            if days[cur] - days[prev] > max_days:
                parts.append([])
            parts[-1].append(cur)
        if len(parts) < 2:
            continue
        for i in (i for i in idx if math.isnan(days[i])):
            closest = max(
                range(len(parts)),
                key=lambda p: (sum(adjacent[i].get(j, 0.0) for j in parts[p]) / len(parts[p]), -p),
            )
            parts[closest].append(i)
        for part in parts:
            for i in part:
                out[i] = min(part)
    return out


def _why(assignments: list[str], src: np.ndarray, dst: np.ndarray, sim: np.ndarray) -> list[Why]:
    """Mean similarity of each article to the rest of its group and to its best other group, over
    the neighbour edges (absent pairs count as 0, as in the clustering)."""
    sizes = Counter(assignments)
    totals: list[defaultdict[str, float]] = [defaultdict(float) for _ in assignments]
    for i, j, s in zip(src.tolist(), dst.tolist(), sim.tolist(), strict=True):
        totals[i][assignments[j]] += s
        totals[j][assignments[i]] += s
    out: list[Why] = []
    for i, own in enumerate(assignments):
        others = sizes[own] - 1
        score = totals[i].get(own, 0.0) / others if others else 0.0
        means = {g: t / sizes[g] for g, t in totals[i].items() if g != own}
        best = min(means.items(), key=lambda kv: (-kv[1], int(kv[0][1:])), default=("", 0.0))
        out.append(Why(score=round(score, 4), runner_up=best[0], runner_up_score=round(best[1], 4)))
    return out


def _assemble(
    items: Sequence[ArticleInfo],
    assignments: Sequence[str],
    why: Sequence[Why],
    cut: float,
    max_days: int | None,
    not_articles: tuple[NotArticle, ...] = (),
) -> Grouping:
    members: defaultdict[str, list[int]] = defaultdict(list)
    for i, g in enumerate(assignments):
        if g:  # "" = set aside as not an article
            members[g].append(i)
    in_groups = Counter(t for idx in members.values() for t in {t for i in idx for t in items[i].terms})
    spread = {t: math.log((1.0 + len(members)) / k) for t, k in in_groups.items()}  # rare across groups
    ordered = sorted(members, key=lambda g: int(g[1:]))
    why = [
        w if w.runner_up in members else w.model_copy(update={"runner_up": "", "runner_up_score": 0.0})
        for w in why
    ]
    return Grouping(
        groups=tuple(_group(g, members[g], items, spread) for g in ordered),
        assignments=tuple(assignments),
        why=tuple(why),
        items=tuple(items),
        threshold=round(cut, 4),
        max_days=max_days,
        not_articles=not_articles,
    )


def _group(gid: str, idx: list[int], items: Sequence[ArticleInfo], spread: dict[str, float]) -> EventGroup:
    """A group's key terms (heavy in its members, rare in other groups), label and date range."""
    scores: defaultdict[str, float] = defaultdict(float)
    for i in idx:
        for term, weight in zip(items[i].terms, items[i].weights, strict=True):
            scores[term] += weight * spread[term]
    terms = tuple(t for t, _ in heapq.nsmallest(6, scores.items(), key=lambda kv: (-kv[1], kv[0])))

    def fit(i: int) -> tuple[float, int]:
        return (
            sum(scores.get(t, 0.0) * w for t, w in zip(items[i].terms, items[i].weights, strict=True)),
            -i,
        )

    titled = [i for i in idx if items[i].title and not is_caption(items[i].title)]
    led = [i for i in idx if items[i].lead and not is_caption(items[i].lead)]
    if titled:
        label = items[max(titled, key=fit)].title
    else:
        label = items[max(led, key=fit)].lead if led else ", ".join(terms[:4])
    dates = sorted(items[i].date for i in idx if items[i].date)
    return EventGroup(
        id=gid,
        members=tuple(idx),
        paths=tuple(items[i].path for i in idx),
        titles=tuple(items[i].headline for i in idx),
        label=label,
        terms=terms,
        start=dates[0] if dates else "",
        end=dates[-1] if dates else "",
    )
