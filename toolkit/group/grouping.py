"""Event grouping: split a folder of mixed articles into groups that each cover one event.

    group_articles(articles_or_paths, *, threshold=None, max_days=None) -> Grouping

Articles are compared as vectors built in `toolkit/group/eventsim.py`: TF-IDF over the content terms of the
cleaned text (lead paragraphs count twice), joined with TF-IDFs of the title terms and of capitalised
names; cosine similarity is scaled down when both dates are known and weeks apart. Average-linkage
agglomerative clustering merges two groups while the mean similarity of their article pairs reaches
the threshold.

The default threshold is relative to the folder, so one rule fits a folder of unrelated stories and a
folder where all articles share a topic (the seeds are all Syria-Iraq diplomacy): `BACKGROUND_FACTOR`
times the folder's typical unrelated pair (its lower-quartile pair similarity), at least
`MIN_SIMILARITY` (the noise level between unrelated articles), at most `SURE_SIMILARITY` (that close is
one story). `threshold=` fixes the cut. `max_days=N` counts pairs dated more than N days apart as
unrelated and cuts a group where its dated members leave a gap over N days (undated ones follow the
closest part). Seeds: {000, 001, 002} (March 2025 visit), {003} (December 2024 call), {004} (February
2025 analysis of the December/January aftermath): 004 is as close to the visit as to the call (cosine
about 0.2 both), so it is left alone; `grouping.move(4, "E2")` files it under the December aftermath.

Scale: sparse products in row blocks; groups only form inside connected components of the graph of pairs
at or above the threshold, so clustering runs per component (same result). Deterministic. `move`,
`merge`, `split` return new values; ids stay stable, new groups take the next free number.
"""

from __future__ import annotations

import heapq
import math
import os
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from itertools import pairwise

import numpy as np
import scipy.sparse as sp
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.sparse.csgraph import connected_components

from ..errors import ConfigError
from ..ingest.loading import InputItem, load_articles
from ..models import Article, _Value
from .eventsim import ArticleInfo, ArticleVectors

__all__ = ["ArticleInfo", "EventGroup", "Grouping", "Why", "group_articles"]

BACKGROUND_QUANTILE = 0.25
BACKGROUND_FACTOR = 2.0
MIN_SIMILARITY = 0.03
SURE_SIMILARITY = 0.3
BLOCK = 1024
SAMPLE_ROWS = 512


class Why(_Value):
    """Mean similarity of an article to the rest of its group (0.0 when alone) and its best-matching
    other group, measured when grouping ran; `manual` marks articles placed by hand."""

    score: float = 0.0
    runner_up: str = ""
    runner_up_score: float = 0.0
    manual: bool = False


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
    """Event groups over the input articles; `assignments[i]` is the group id of article i."""

    groups: tuple[EventGroup, ...]
    assignments: tuple[str, ...]
    why: tuple[Why, ...]
    items: tuple[ArticleInfo, ...]
    threshold: float
    max_days: int | None = None

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
        return _assemble(self.items, assignments, why, self.threshold, self.max_days)

    def __str__(self) -> str:
        lines = [f"{len(self.groups)} event groups over {len(self.items)} articles"]
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
        return "\n".join(lines)


def _plain(text: str, width: int) -> str:
    """One line of printable text: control, format and separator characters become spaces."""
    text = " ".join("".join(" " if unicodedata.category(c)[0] in "CZ" else c for c in text).split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


# --------------------------------------------------------------------------- clustering


def group_articles(
    articles: InputItem | Iterable[InputItem],
    *,
    threshold: float | None = None,
    max_days: int | None = None,
) -> Grouping:
    """Group articles (a list of `Article`, or paths/folders/dicts for `load_articles`) into events."""
    if threshold is not None and not 0.0 < threshold <= 1.0:
        raise ConfigError(f"threshold must be in (0, 1], got {threshold}")
    if max_days is not None and max_days < 0:
        raise ConfigError(f"max_days must be 0 or more, got {max_days}")
    items = list(articles) if isinstance(articles, list | tuple) else [articles]
    arts = items if all(isinstance(a, Article) for a in items) else list(load_articles(articles))
    arts = [a for a in arts if isinstance(a, Article)]
    if not arts:
        return Grouping(groups=(), assignments=(), why=(), items=(), threshold=threshold or 0.0)
    feats = ArticleVectors(arts)
    cut = _auto_threshold(feats, max_days) if threshold is None else threshold
    labels = _cluster(feats, cut, max_days)
    number = {lab: k for k, lab in enumerate(dict.fromkeys(labels), 1)}  # ids in order of first member
    assignments = [f"E{number[lab]}" for lab in labels]
    return _assemble(feats.items, assignments, _why(feats, assignments, max_days), cut, max_days)


def _auto_threshold(feats: ArticleVectors, max_days: int | None) -> float:
    """The folder-relative cut; past `SAMPLE_ROWS` articles the background quantile is taken over
    that many evenly spaced rows (against all articles), which keeps it deterministic and cheap."""
    n = feats.x.shape[0]
    if n < 3:
        return SURE_SIMILARITY
    rows = np.unique(np.linspace(0, n - 1, min(n, SAMPLE_ROWS)).astype(int))
    sims = feats.block(rows, max_days=max_days)
    mask = np.ones_like(sims, dtype=bool)
    mask[np.arange(len(rows)), rows] = False
    background = float(np.quantile(sims[mask], BACKGROUND_QUANTILE))
    return min(SURE_SIMILARITY, max(MIN_SIMILARITY, BACKGROUND_FACTOR * background))


def _cluster(feats: ArticleVectors, cut: float, max_days: int | None) -> list[int]:
    """Average-linkage flat clusters at similarity `cut`: per article, the index of its first member."""
    n = feats.x.shape[0]
    src: list[np.ndarray] = []
    dst: list[np.ndarray] = []
    for lo in range(0, n, BLOCK):
        rows = np.arange(lo, min(n, lo + BLOCK))
        r, c = np.nonzero(feats.block(rows, max_days=max_days) >= cut)
        src.append(rows[r])
        dst.append(c)
    pairs = (np.concatenate(src), np.concatenate(dst))
    _, component = connected_components(
        sp.coo_matrix((np.ones(len(pairs[0])), pairs), (n, n)), directed=False
    )
    labels = list(range(n))
    for comp in range(int(component.max()) + 1):
        ids = np.flatnonzero(component == comp)
        if len(ids) < 2:
            continue
        dist = np.clip(1.0 - feats.block(ids, ids, max_days), 0.0, None)
        dist = (dist + dist.T) / 2.0
        flat = fcluster(linkage(dist[np.triu_indices(len(ids), 1)], "average"), 1.0 - cut, "distance")
        first: dict[int, int] = {}
        for i, f in zip(ids.tolist(), flat.tolist(), strict=True):
            labels[i] = first.setdefault(f, i)
    return labels if max_days is None else _split_gaps(feats, labels, max_days)


def _split_gaps(feats: ArticleVectors, labels: list[int], max_days: int) -> list[int]:
    """Cut each group where its dated members leave a gap of more than `max_days` days."""
    out = list(labels)
    for head in sorted(set(labels)):
        idx = [i for i, lab in enumerate(labels) if lab == head]
        dated = sorted((i for i in idx if not math.isnan(feats.days[i])), key=lambda i: (feats.days[i], i))
        parts: list[list[int]] = [dated[:1]]
        for prev, cur in pairwise(dated):
            if feats.days[cur] - feats.days[prev] > max_days:
                parts.append([])
            parts[-1].append(cur)
        if len(parts) < 2:
            continue
        undated = [i for i in idx if math.isnan(feats.days[i])]
        sims = feats.block(np.asarray(undated, dtype=int))
        for row, i in enumerate(undated):
            closest = max(range(len(parts)), key=lambda p: (float(sims[row, parts[p]].mean()), -p))
            parts[closest].append(i)
        for part in parts:
            for i in part:
                out[i] = min(part)
    return out


def _why(feats: ArticleVectors, assignments: list[str], max_days: int | None) -> list[Why]:
    ids = sorted(set(assignments), key=lambda g: int(g[1:]))
    col = [int(g[1:]) - 1 for g in assignments]  # fresh ids: E1..Ek
    n = len(assignments)
    member = sp.csr_matrix((np.ones(n), (np.arange(n), col)), shape=(n, len(ids)))
    sizes = np.asarray(member.sum(axis=0)).ravel()
    out: list[Why] = []
    for lo in range(0, n, BLOCK):
        rows = np.arange(lo, min(n, lo + BLOCK))
        sims = feats.block(rows, max_days=max_days)
        sims[np.arange(len(rows)), rows] = 0.0
        totals = np.asarray(member.T @ sims.T).T
        for r, i in enumerate(rows.tolist()):
            counts = sizes - (np.arange(len(ids)) == col[i])
            means = np.divide(totals[r], counts, out=np.zeros(len(ids)), where=counts > 0)
            score, means[col[i]] = float(means[col[i]]), -1.0
            k = int(np.argmax(means))
            other = (ids[k], round(float(means[k]), 4)) if len(ids) > 1 else ("", 0.0)
            out.append(Why(score=round(score, 4), runner_up=other[0], runner_up_score=other[1]))
    return out


def _assemble(
    items: Sequence[ArticleInfo],
    assignments: Sequence[str],
    why: Sequence[Why],
    cut: float,
    max_days: int | None,
) -> Grouping:
    members: defaultdict[str, list[int]] = defaultdict(list)
    for i, g in enumerate(assignments):
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

    titled = [i for i in idx if items[i].title]
    label = items[max(titled, key=fit)].title if titled else ", ".join(terms[:4])
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
