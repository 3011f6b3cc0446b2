"""Citations found after the fact: the passages that hold a sentence the model wrote without any.

With `cite="local"` the model is asked for a plain briefing (one sentence per line, no passage
numbers in the prompt or the answer); each sentence is then given the passages that hold it here,
and checked like any other. This is post-hoc attribution ("post-hoc citing" in Gao et al. 2023,
*Enabling Large Language Models to Generate Text with Citations*, ALCE; "retrieve then attribute" in
Bohnet et al. 2022, *Attributed Question Answering*), with the checker's own lexical index as the
retriever and its verdicts as the judge:

1. candidates: the `CANDIDATES` passages holding the largest IDF-weighted share of the sentence's key
   terms (`Verifier.scores`), at least `JOINT_MIN` of them; none when the best holds less than
   `PARTIAL` (the share below which the checker calls a cited passage `unsupported`);
2. every candidate that supports the sentence on its own is cited (best first, at most
   `MOST_CITED`): every source that states the fact, as the model prompt asks;
3. when none does, a greedy cover: the best candidate, then the candidate adding the most IDF weight
   of key terms not yet held, while it adds at least `COVER_GAIN` of the sentence's weight (a
   sentence merging two sources' facts cites both). A changed fact is thus cited to the passage it
   changed, and the check says `contradicted` or `partial` there. Numbers are not key terms, so
   then the passage stating the sentence's numbers (same noun and value) is cited first, and a
   cited passage contradicting them is dropped unless the two are sides of one conflict the
   comparison knows (a toll one source gives and another contradicts: `disputed`; a 7.0 main quake
   beside the 6.1 aftershock the sentence is about: left out);
4. each cited passage's near-duplicate copies are added (they were sent once, as the first copy).

A sentence no passage holds `PARTIAL` of stays uncited (`uncited`, with the checker's reason).
What the model understood beyond words (a paraphrase, a pronoun) is not seen: such a sentence gets
the passages that share its words, which the check then rates as it would a model's citation.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..models import SummarySentence
from ..text.support import number_gaps
from .verifier import JOINT_MIN, PARTIAL, Verifier

__all__ = [
    "CANDIDATES",
    "COVER_GAIN",
    "LOCAL_NOTE",
    "MOST_CITED",
    "NUMBER_CANDIDATES",
    "attribute",
    "attributed",
    "cited_locally",
]

# How a briefing says its citations were found here (the start of one of its notes); the comparison
# view then finds them again for a sentence whose text is edited.
LOCAL_NOTE = "citations found locally (cite=local)"

CANDIDATES = 8  # passages looked at per sentence
MOST_CITED = 3  # passages cited per sentence (their near-duplicate copies come on top)
NUMBER_CANDIDATES = 32  # passages looked at for one stating a sentence's number (best key-term share first)
COVER_GAIN = 0.15  # a further passage is cited when it adds this share of the sentence's key-term weight


def attribute(verifier: Verifier, text: str) -> tuple[str, ...]:
    """The ids of the passages that hold `text` (`S2:4`, copies included), best first; () when none
    holds `PARTIAL` of its key terms. Milliseconds per sentence (the checks are memoised)."""
    scores = verifier.scores(text)
    if not len(scores):
        return ()
    top = np.argsort(-scores, kind="stable")[:CANDIDATES]
    candidates = [int(i) for i in top if scores[i] >= JOINT_MIN]
    if not candidates or scores[candidates[0]] < PARTIAL:
        return ()
    ids = [verifier.passages[i].id for i in candidates]
    supported = [pid for pid in ids if verifier.check_citation(text, pid).status == "supported"]
    if supported:
        chosen = _one_per_group(verifier, supported)[:MOST_CITED]
    else:
        chosen = _cover(verifier, text, candidates)
        stating = _stating_numbers(verifier, text, scores, chosen)
        if stating is not None:  # the number comes from there: cite it first, then the words' passages
            chosen = [
                pid
                for pid in _one_per_group(verifier, [stating, *chosen])[:MOST_CITED]
                if pid == stating
                or verifier.check_citation(text, pid).status != "contradicted"
                or _sides_of_one_conflict(verifier, stating, pid)
            ]
    found: dict[str, None] = {}
    for pid in chosen:
        found[pid] = None
        for copy in verifier.corpus.group_of(pid):
            found.setdefault(copy, None)
    return tuple(found)


def attributed(verifier: Verifier, sentence: SummarySentence) -> SummarySentence:
    """`sentence` with the passages `attribute` finds as its citations (kept as it is when it already
    cites any: only uncited sentences are attributed)."""
    if sentence.citations:
        return sentence
    found = attribute(verifier, sentence.text)
    return sentence.model_copy(update={"citations": found}) if found else sentence


def _one_per_group(verifier: Verifier, ids: list[str]) -> list[str]:
    """`ids` without the near-duplicate copies of an earlier one (they are added back afterwards)."""
    seen: set[str] = set()
    out: list[str] = []
    for pid in ids:
        if pid in seen:
            continue
        seen.update(verifier.corpus.group_of(pid))
        out.append(pid)
    return out


def _stating_numbers(verifier: Verifier, text: str, scores: np.ndarray, chosen: list[str]) -> str | None:
    """The passage that states the most of the sentence's numbers (same noun and value:
    `number_gaps`): one of the `chosen` when none of the others (the `NUMBER_CANDIDATES` sharing most,
    at least `JOINT_MIN`, of the key terms) states more; None when the sentence gives no number or no passage
    states one. A toll one source gives and another contradicts is then cited to both, and the check
    says `disputed` rather than `contradicted` by the wrong source alone."""
    facts = verifier.claim(text).facts
    if not facts.quantities:
        return None

    def stated(index: int) -> int:
        held = [q for u in verifier.passages[index].units for q in u.facts.quantities]
        gaps, loose, _ = number_gaps(facts, held)
        return len(facts.quantities) - len(gaps) - len(loose)

    best, most = None, 0
    for pid in chosen:
        if (n := stated(verifier.position[pid])) > most:
            best, most = pid, n
    if most < len(facts.quantities):
        for i in np.argsort(-scores, kind="stable")[:NUMBER_CANDIDATES]:
            if scores[i] < JOINT_MIN:
                break
            if (n := stated(int(i))) > most:
                best, most = verifier.passages[int(i)].id, n
    return best


def _sides_of_one_conflict(verifier: Verifier, a: str, b: str) -> bool:
    """Whether passages `a` and `b` give two sides of one fact the sources disagree on (the
    comparison's conflicts, memoised per verifier): a passage contradicting the number another one
    states is then the other side (the check says `disputed`), not a passage about something else
    (a 7.0 main quake beside a 6.1 aftershock), which is left out."""
    from .compare import _view

    group_a, group_b = set(verifier.corpus.group_of(a)), set(verifier.corpus.group_of(b))
    for conflict in _view(verifier).conflicts:
        sides = {side.passage for side in conflict.sides}
        if sides & group_a and sides & group_b:
            return True
    return False


def _cover(verifier: Verifier, text: str, candidates: list[int]) -> list[str]:
    """Greedy set cover of the sentence's key terms (IDF-weighted) by the candidate passages."""
    weights = verifier.claim(text).weights
    total = sum(weights.values())
    if not total:
        return [verifier.passages[candidates[0]].id]
    first = verifier.passages[candidates[0]]
    chosen = [first.id]
    held = set(first.keys) & weights.keys()
    groups = set(verifier.corpus.group_of(first.id))
    while len(chosen) < MOST_CITED:
        best, gain = None, 0.0
        for i in candidates:
            p = verifier.passages[i]
            if p.id in groups:
                continue
            add = sum(w for k, w in weights.items() if k in p.keys and k not in held)
            if add > gain:
                best, gain = i, add
        if best is None or gain < COVER_GAIN * total:
            break
        p = verifier.passages[best]
        chosen.append(p.id)
        held |= set(p.keys) & weights.keys()
        groups.update(verifier.corpus.group_of(p.id))
    return chosen


def cited_locally(notes: Sequence[str]) -> bool:
    """Whether a briefing with these notes had its citations found by `attribute` (`LOCAL_NOTE`)."""
    return any(n.startswith(LOCAL_NOTE) for n in notes)
