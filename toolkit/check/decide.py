"""The learned last step of a support check: a small logistic regression over explainable features.

    p = consistency(Signals(coverage=0.8, predicate=0.7, novel=0.1, ...))   # 0..1

The rules (`toolkit.text.support`) find what is missing or clashing; these features say how much of the
sentence the evidence holds and in which arrangement. The weights (`_decide_weights.py`, a few
hundred bytes) are fitted by `benchmarks/train_checker.py` on the `valid` split of FRANK's human
judgements of news summaries (Pagnoni et al., NAACL 2021) and on the gold insight-to-document links of
half of SummHay's instances (Laban et al. 2024; LLM-written paraphrases, so that a paraphrase copied in
pieces is not read as a recombination), and nothing else. Every feature is one a reader can check in
the reason a status shows.

Features (per sentence vs. its evidence):
- `coverage`: IDF-weighted share of the sentence's key terms in the best 1-3 sentence window;
- `predicate`: the same share over its lower-case key terms (what happened, not only who);
- `novel`: IDF-weighted share of its key terms found nowhere in the cited passages;
- `pairs`: share of its nearby key-term pairs (within three content words) that also stand near each
  other in one sentence of the window: a cheap stand-in for "who did what to whom";
- `gaps`: numbers, names and dates the evidence lacks or has another of; `negation`: a negation the
  evidence lacks; `long`: the sentence's length in key terms (log); `novel_words`: how many of its
  key terms the passages lack (log);
- `novel_names`, `novel_plain`: the share of its capitalised or numeric key terms (who, where, how
  many), and of its lower-case ones (how it is said), found nowhere in the cited passages: a
  paraphrase brings new words, an error more often a new name or number;
  (`long` and `novel_words` are left out of the committed fit, `--drop long,novel_words`: a sentence is
  not more or less true for being long);
- `copied`, `longest`, `stitches`: how much of it is copied verbatim in runs of two or more words,
  its longest run, and how many runs it is stitched from (recombined source words);
- `repeats`: the share of its content words that repeat one it already used ("left out Alan Shearer
  and Alan Shearer", "cooked and cooked"): a sentence that repeats itself has lost the thing it was
  saying (a degenerate model output), which no passage vouches for.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from ._decide_weights import BIAS, THRESHOLD, WEIGHTS

__all__ = [
    "EVIDENCE_REACH",
    "FEATURES",
    "THRESHOLD",
    "Signals",
    "bigram_index",
    "consistency",
    "copy_signals",
    "explain",
    "fragments",
    "near_pairs",
    "repeats",
    "vector",
]

FEATURES = (
    "coverage",
    "predicate",
    "novel",
    "pairs",
    "number_gaps",
    "name_gaps",
    "date_gaps",
    "negation",
    "long",
    "copied",
    "longest",
    "stitches",
    "novel_words",
    "novel_names",
    "novel_plain",
    "repeats",
)
PAIR_REACH = 3
EVIDENCE_REACH = 6


@dataclass(frozen=True)
class Signals:
    coverage: float
    predicate: float
    novel: float
    pairs: float
    number_gaps: int
    name_gaps: int
    date_gaps: int
    negation: int
    terms: int
    copied: float = 0.0
    longest: float = 0.0
    stitches: int = 0
    novel_words: int = 0
    novel_names: float = 0.0
    novel_plain: float = 0.0
    repeats: float = 0.0


def vector(s: Signals) -> list[float]:
    return [
        s.coverage,
        s.predicate,
        s.novel,
        s.pairs,
        float(min(s.number_gaps, 2)),
        float(min(s.name_gaps, 2)),
        float(min(s.date_gaps, 2)),
        float(s.negation),
        math.log1p(s.terms),
        s.copied,
        s.longest,
        float(min(s.stitches, 4)),
        math.log1p(s.novel_words),
        s.novel_names,
        s.novel_plain,
        s.repeats,
    ]


def consistency(s: Signals) -> float:
    """The fitted probability that a reader would judge the sentence consistent with the evidence."""
    z = BIAS + sum(w * x for w, x in zip(WEIGHTS, vector(s), strict=True))
    return 1.0 / (1.0 + math.exp(-max(min(z, 30.0), -30.0)))


def repeats(keys: Sequence[str]) -> float:
    """Share of `keys` (a sentence's content-word keys in text order, `verifier.key_order`) that
    repeat an earlier one: 0.0 for "Iraq hosted the talks", 0.25 for "Shearer and Shearer left
    Newcastle" (4 keys, 1 repeat)."""
    return (len(keys) - len(set(keys))) / len(keys) if keys else 0.0


def near_pairs(keys: Sequence[str], reach: int = PAIR_REACH) -> frozenset[tuple[str, str]]:
    """Unordered pairs of key terms at most `reach` content words apart (in text order). A sentence's
    pairs use PAIR_REACH; the evidence's EVIDENCE_REACH (a passage may put a title or a clause
    between two words the summary joins)."""
    out: set[tuple[str, str]] = set()
    for i, a in enumerate(keys):
        for b in keys[i + 1 : i + 1 + reach]:
            if a != b:
                out.add((a, b) if a < b else (b, a))
    return frozenset(out)


def fragments(claim: Sequence[str], evidence: Sequence[str], index: dict[str, list[int]]) -> list[int]:
    """Lengths of the greedy longest runs of `claim` tokens copied verbatim from `evidence` (the
    "extractive fragments" of Grusky et al., Newsroom, NAACL 2018) of two tokens or more; `index`:
    "token next-token" -> positions in `evidence` (`bigram_index`)."""
    out: list[int] = []
    i = 0
    while i < len(claim):
        best = 0
        for j in index.get(f"{claim[i]} {claim[i + 1]}" if i + 1 < len(claim) else "", ()):
            k = 0
            while i + k < len(claim) and j + k < len(evidence) and claim[i + k] == evidence[j + k]:
                k += 1
            best = max(best, k)
        if best:
            out.append(best)
            i += best
        else:
            i += 1
    return out


def bigram_index(tokens: Sequence[str]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for k in range(len(tokens) - 1):
        out.setdefault(f"{tokens[k]} {tokens[k + 1]}", []).append(k)
    return out


def copy_signals(
    claim: Sequence[str], evidence: Sequence[str], index: dict[str, list[int]]
) -> tuple[float, float, int]:
    """(share of tokens in runs of 2+, longest run / length, number of runs of 2+ minus one)."""
    if not claim:
        return 0.0, 0.0, 0
    runs = [n for n in fragments(claim, evidence, index) if n >= 2]
    return sum(runs) / len(claim), max(runs, default=0) / len(claim), max(len(runs) - 1, 0)


_IDEAL = {"coverage": 1.0, "predicate": 1.0, "pairs": 1.0, "longest": 1.0}
_SAY = {
    "coverage": "{:.0%} of its key terms in the span",
    "predicate": "{:.0%} of its lower-case key terms in the span",
    "novel": "{:.0%} of its key terms nowhere in the passage",
    "pairs": "{:.0%} of its word pairings standing together in the passage",
    "copied": "{:.0%} of its words copied from the passage in pieces",
    "longest": "a longest copied run of {:.0%} of it",
    "stitches": "{:.0f} joins between copied fragments",
    "negation": "a negation the passage lacks",
    "novel_names": "{:.0%} of its names and numbers nowhere in the passage",
    "novel_plain": "{:.0%} of its other key words nowhere in the passage",
    "repeats": "{:.0%} of its content words repeating words it already used",
}


def explain(s: Signals, limit: int = 2) -> str:
    """The features that pull the fitted check down most, in words ("58% of its word pairings
    standing together in the passage; 3 joins between copied fragments")."""
    x = vector(s)
    pulls = []
    for name, w, v in zip(FEATURES, WEIGHTS, x, strict=True):
        drag = w * (v - _IDEAL.get(name, 0.0))
        if drag < 0 and name in _SAY:
            pulls.append((drag, _SAY[name].format(v)))
    pulls.sort()
    return "; ".join(text for _, text in pulls[:limit])
