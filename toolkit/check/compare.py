"""Compare a checked summary with every source: alignment, corroboration, coverage, omissions, conflicts.

    compare(verifier, sentences) -> Report

- alignment: for every sentence, the best passage of each source, checked like a citation; the
  sentence is corroborated by each independent origin (wire copies count once) whose passage supports it;
- coverage: a passage is used when cited or when it backs a sentence (at least partly, with most of
  its key terms); copies of a used passage count as used;
- left out: unused passages ranked by LexRank centrality over all passages (copies listed once);
- unique facts: passage sentences no other origin reports: most of their key terms are in no passage
  of another origin and they hold a number, date or name no other origin mentions (or almost none of
  their key terms are anywhere else);
- conflicts: sentences of different origins about the same thing (TF-IDF cosine) that give incompatible
  numbers for the same noun, different dates of the same kind, or different names in the same place.
  Hedged numbers are intervals, so "at least 1,383" and "over 1,300" do not conflict.

Corpus-level parts (centrality, unique facts, conflicts) are computed once per `Verifier`.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np
import scipy.sparse as sp

from ..models import Evidence, SummarySentence
from ..report import (
    Conflict,
    ConflictSide,
    LeftOut,
    Match,
    Report,
    SentenceAlignment,
    SourceCoverage,
    UniqueFact,
)
from ..text.centrality import EDGE, NEIGHBOURS
from ..text.centrality import lexrank as _lexrank
from ..text.claims import DEAD, MONTHS, WEEKDAYS, Quantity, compatible, facts
from ..text.similarity import tfidf_matrix, topk_cosine, topk_per_row
from ..text.support import close, same_name
from .verifier import PARTIAL, STATUSES, Claim, PassageIndex, Unit, Verifier

__all__ = ["compare", "compare_and_mark", "mark_disputes"]

ALIGN_MIN = 0.3  # a source's best passage is checked only above this share of key terms
# ... and below PARTIAL no window can hold enough of the sentence for any status but unsupported
# (a window holds at most what its passage holds; contradictions need CONTRADICT_MIN), so skip it.
CHECK_MIN = max(ALIGN_MIN, PARTIAL)
USED = 0.5  # a passage backing a sentence with at least this share counts as used
UNIQUE_MAX = 0.4  # a sentence with its own number, date or name no other origin covers above this is unique
UNIQUE_ALONE = 0.25  # ... and without one, when no other origin covers it above this
NUMBER_SIM = 0.3  # sentences this similar (cosine) that count the same noun must agree
BLOCK = 256  # sentence rows per sparse product (bounded memory on large corpora)
MAX_TOLLS = 200  # sentences giving a death toll compared pairwise (the first ones, in source order)
NAME_SIM = 0.5  # sentences this similar must agree on dates and on names in the same place
_DIFFER = re.compile(
    r"\b(differ\w*|var(?:y|ies|ied)|conflicting|discrepan\w*|disputed?|contradict\w*|whereas|"
    r"other reports?|another report|estimates? (?:range|vary)|according to)\b",
    re.IGNORECASE,
)


def compare(verifier: Verifier, sentences: Sequence[SummarySentence]) -> Report:
    view = _view(verifier)
    looks = [_Look(verifier.claim(s.text), verifier.scores(s.text)) for s in sentences]
    alignments = tuple(_aligned(verifier, view, i, s, looks[i].scores) for i, s in enumerate(sentences))
    used = _used(verifier, sentences, alignments)
    counts = {s: n for s in STATUSES if (n := sum(1 for x in sentences if x.status == s))}
    return Report(
        alignments=alignments,
        coverage=tuple(_coverage(verifier, used)),
        left_out=tuple(_left_out(verifier, view, used)),
        unique_facts=tuple(f.model_copy(update={"in_summary": f.passage in used}) for f in view.unique),
        conflicts=tuple(_in_summary(verifier, c, sentences, looks) for c in view.conflicts),
        statuses=counts,
    )


def compare_and_mark(
    verifier: Verifier, sentences: Sequence[SummarySentence]
) -> tuple[list[SummarySentence], Report]:
    """`compare`, then `mark_disputes`: the sentences (disputed ones restated) and the report."""
    return mark_disputes(sentences, compare(verifier, sentences))


def mark_disputes(
    sentences: Sequence[SummarySentence], report: Report
) -> tuple[list[SummarySentence], Report]:
    """A sentence that states one side of a conflict between sources, without saying they differ,
    is never `supported`: it becomes `disputed`, its reason naming both sides and the one it took;
    so does a `contradicted` one whose side is a passage it cites (one cited passage gives its figure,
    another contradicts it). A `partial` one keeps its status and gains the same note. Counts are
    recomputed."""
    out = list(sentences)
    # per sentence, per fact: every side the sources give, and the one the sentence took
    taken_by: dict[int, dict[str, tuple[list[ConflictSide], ConflictSide]]] = {}
    for conflict in report.conflicts:
        if not conflict.flagged:
            continue
        for i in conflict.sentences:
            taken = _taken(conflict, out[i].text)
            if taken is None:  # states both sides, neither, or says that the sources differ
                continue
            by_fact = taken_by.setdefault(i, {})
            sides, took = by_fact.setdefault(_what(conflict), ([], taken))
            if taken.passage in out[i].citations and took.passage not in out[i].citations:
                by_fact[_what(conflict)] = (sides, taken)  # the side of the passage it cites, when it is one
            known = {x.passage for x in sides}
            sides.extend(x for x in conflict.sides if x.passage not in known)
    for i, facts_taken in taken_by.items():
        note = "; ".join(
            f"sources disagree on {what} ({'; '.join(_says(x) for x in sides)});"
            f" the sentence takes {took.value!r} ({took.passage})"
            for what, (sides, took) in facts_taken.items()
        )
        s = out[i]
        # a sentence one cited passage contradicts and another gives its figure: the sources disagree
        cited_side = any(took.passage in s.citations for _, took in facts_taken.values())
        if s.status == "supported" or (s.status == "contradicted" and cited_side):
            out[i] = s.model_copy(update={"status": "disputed", "reason": f"{note}; {s.reason}"})
        elif note not in s.reason and s.status in ("partial", "disputed", "contradicted"):
            out[i] = s.model_copy(update={"reason": f"{s.reason}; {note}"})
    counts = {st: n for st in STATUSES if (n := sum(1 for x in out if x.status == st))}
    return out, report.model_copy(update={"statuses": counts})


_LABELS = {DEAD: "death toll"}  # how a conflict names a number's noun where the noun alone reads oddly
_NOUNS = {label: noun for noun, label in _LABELS.items()}


def _noun(conflict: Conflict) -> str:
    return _NOUNS.get(conflict.about, conflict.about)


def _what(conflict: Conflict) -> str:
    if conflict.kind != "number":
        return f"the {conflict.kind}"
    return f"the {conflict.about}" if conflict.about in _NOUNS else f"the number of {conflict.about}"


def _says(side: ConflictSide) -> str:
    return f"{side.passage} ({side.origin}) says {side.value!r}"


def _taken(conflict: Conflict, text: str) -> ConflictSide | None:
    """The one side of `conflict` a summary sentence states flatly; None when it states both or says
    that the sources differ. (Two sentences may each take a different side: both are one-sided.)"""
    if _DIFFER.search(text):
        return None
    if conflict.kind != "number":
        return next((s for s in conflict.sides if s.passage == conflict.picked), None)
    stated = _number_sides(conflict, _quantities(text))
    return conflict.sides[stated.pop()] if len(stated) == 1 else None


def _number_sides(conflict: Conflict, quantities: Sequence[Quantity]) -> set[int]:
    """The sides of a number conflict that `quantities` (a summary sentence's numbers) state."""
    held = [_quantity(side, _noun(conflict)) for side in conflict.sides]
    return {k for q in quantities if q.noun == _noun(conflict) for k in _stated(q, held)}


def _stated(q: Quantity, held: Sequence[Quantity | None]) -> set[int]:
    """The sides a sentence's number states: every side it is compatible with, or none when it fits one
    side only as a bound ("as many as 200,000" fits 110,000 but does not say it)."""
    sides = {k for k, h in enumerate(held) if h is not None and compatible(q, h)}
    if len(sides) == 1:
        h = held[next(iter(sides))]
        if h is not None and not close(q.value, h.value):
            return set()
    return sides


@dataclass(frozen=True)
class _Look:
    """One summary sentence, analysed once for the whole report."""

    claim: Claim
    scores: np.ndarray


@dataclass
class _View:
    verifier: Verifier

    @cached_property
    def slices(self) -> list[tuple[str, str, int, int]]:
        """(source, origin, first, end) ranges of `verifier.passages` per source; the origin is the
        source's first passage's (a passage's own may differ: `Verifier` counts a copy's added
        paragraphs as its source's, so matches take the matched passage's)."""
        out: list[tuple[str, str, int, int]] = []
        for i, p in enumerate(self.verifier.passages):
            if out and out[-1][0] == p.source:
                out[-1] = (p.source, out[-1][1], out[-1][2], i + 1)
            else:
                out.append((p.source, p.origin, i, i + 1))
        return out

    @cached_property
    def centrality(self) -> np.ndarray:
        passages = self.verifier.passages
        if not passages:
            return np.zeros(0)
        m = tfidf_matrix([sorted(p.keys) for p in passages])
        rank: np.ndarray = _lexrank(topk_cosine(m, k=NEIGHBOURS, floor=EDGE))
        return rank

    @cached_property
    def source_words(self) -> dict[str, frozenset[str]]:
        out: dict[str, frozenset[str]] = {}
        for p in self.verifier.passages:
            out[p.source] = out.get(p.source, frozenset()) | p.words
        return out

    @cached_property
    def units(self) -> list[tuple[PassageIndex, Unit]]:
        return [(p, u) for p in self.verifier.passages for u in p.units]

    @cached_property
    def unique(self) -> list[UniqueFact]:
        return _unique(self)

    @cached_property
    def conflicts(self) -> list[Conflict]:
        return _conflicts(self)

    @cached_property
    def alignments(self) -> dict[tuple[object, ...], SentenceAlignment]:
        """Alignments already computed, by sentence text, citations and checks (an edit in the view
        changes one sentence; the others are not aligned again)."""
        return {}


_VIEWS: weakref.WeakKeyDictionary[Verifier, _View] = weakref.WeakKeyDictionary()


def _view(verifier: Verifier) -> _View:
    view = _VIEWS.get(verifier)
    if view is None:
        view = _VIEWS[verifier] = _View(verifier)
    return view


# --- alignment and coverage -------------------------------------------------------------------------
def _aligned(
    verifier: Verifier, view: _View, i: int, sentence: SummarySentence, scores: np.ndarray
) -> SentenceAlignment:
    """`_align`, memoised per verifier: the same sentence with the same citations and checks aligns
    the same way wherever it stands in the summary."""
    key = (sentence.text, sentence.citations, tuple((c.passage, c.status) for c in sentence.checks))
    hit = view.alignments.get(key)
    if hit is None:
        if len(view.alignments) >= 4096:
            view.alignments.clear()
        hit = view.alignments[key] = _align(verifier, view, i, sentence, scores)
    return hit if hit.sentence == i else hit.model_copy(update={"sentence": i})


def _align(
    verifier: Verifier, view: _View, i: int, sentence: SummarySentence, scores: np.ndarray
) -> SentenceAlignment:
    cited = {c for pid in sentence.citations for c in verifier.corpus.group_of(pid)}
    done = {c.passage: c.status for c in sentence.checks}
    matches: list[Match] = []
    for source, _, lo, hi in view.slices:
        best = lo + int(np.argmax(scores[lo:hi]))
        pid, score, origin = verifier.passages[best].id, float(scores[best]), verifier.passages[best].origin
        status = done.get(pid) or (
            verifier.check_citation(sentence.text, pid).status if score >= CHECK_MIN else "unsupported"
        )
        matches.append(
            Match(
                source=source,
                origin=origin,
                passage=pid,
                score=round(score, 3),
                status=status,
                cited=pid in cited,
            )
        )
    matches.sort(key=lambda m: -m.score)
    origins = tuple(sorted({m.origin for m in matches if m.status == "supported"}))
    return SentenceAlignment(sentence=i, matches=tuple(matches), origins=origins, corroboration=len(origins))


def _used(
    verifier: Verifier, sentences: Sequence[SummarySentence], alignments: Sequence[SentenceAlignment]
) -> set[str]:
    used = {pid for s in sentences for pid in s.citations if pid in verifier.position}
    for a in alignments:
        used |= {m.passage for m in a.matches if m.status in ("supported", "partial") and m.score >= USED}
    return {c for pid in used for c in verifier.corpus.group_of(pid)}


def _coverage(verifier: Verifier, used: set[str]) -> list[SourceCoverage]:
    out: list[SourceCoverage] = []
    for src in verifier.corpus.sources:
        ids = tuple(p.id for p in src.passages if p.id in used)
        n = len(src.passages)
        out.append(
            SourceCoverage(
                source=src.id,
                origin=src.origin or src.id,
                passages=n,
                used=ids,
                share=round(len(ids) / n, 3) if n else 0.0,
            )
        )
    return out


def _left_out(verifier: Verifier, view: _View, used: set[str]) -> list[LeftOut]:
    order = np.argsort(-view.centrality, kind="stable")
    seen: set[str] = set()
    out: list[LeftOut] = []
    for i in order:
        p = verifier.passages[int(i)]
        if p.id in used or p.id in seen:
            continue
        copies = tuple(c for c in verifier.corpus.group_of(p.id) if c != p.id)
        seen.update(copies)
        out.append(
            LeftOut(
                passage=p.id, source=p.source, centrality=round(float(view.centrality[i]), 3), copies=copies
            )
        )
    return out


# --- facts one origin reports -----------------------------------------------------------------------
def _unique(view: _View) -> list[UniqueFact]:
    v = view.verifier
    units = view.units
    origins = sorted({p.origin for p in v.passages})
    if len(origins) < 2 or not units:
        return []
    best_other = _best_other_origin(v, units, origins)
    words = {o: frozenset().union(*(p.words for p in v.passages if p.origin == o)) for o in origins}
    numbers = {o: [q for p, u in units if p.origin == o for q in u.facts.quantities] for o in origins}
    out: list[tuple[float, UniqueFact]] = []
    seen: set[str] = set()
    for i, (p, u) in enumerate(units):
        if best_other[i] >= UNIQUE_MAX or len(u.keys) < 4 or p.id in seen:
            continue
        elsewhere = [o for o in origins if o != p.origin]
        detail = _own_detail(u, [words[o] for o in elsewhere], [q for o in elsewhere for q in numbers[o]])
        if not detail and best_other[i] >= UNIQUE_ALONE:
            continue
        seen.update(v.corpus.group_of(p.id))
        evidence = Evidence(text=u.text, start=u.start, end=u.end)
        fact = UniqueFact(passage=p.id, source=p.source, origin=p.origin, evidence=evidence, in_summary=False)
        out.append((float(view.centrality[v.position[p.id]]), fact))
    out.sort(key=lambda x: -x[0])
    return [f for _, f in out]


def _best_other_origin(
    v: Verifier, units: Sequence[tuple[PassageIndex, Unit]], origins: list[str]
) -> np.ndarray:
    """Per unit: the largest share of its key terms one passage of another origin holds."""
    code = {o: k for k, o in enumerate(origins)}
    rows = [i for i, (_, u) in enumerate(units) for _ in u.keys]
    cols = [v.vocab[k] for _, u in units for k in u.keys]
    vals = [v.idf[k] for _, u in units for k in u.keys]
    weighted = sp.csr_matrix((vals, (rows, cols)), shape=(len(units), v.matrix.shape[1]))
    unit_origin = np.asarray([code[p.origin] for p, _ in units])
    passage_origin = np.asarray([code[p.origin] for p in v.passages])
    best = np.zeros(len(units))
    mt = sp.csr_matrix(v.matrix.T)
    for start in range(0, len(units), BLOCK):  # row blocks: memory O(BLOCK * passages), not units * passages
        held = np.asarray((weighted[start : start + BLOCK] @ mt).todense())
        held[unit_origin[start : start + BLOCK, None] == passage_origin[None, :]] = 0.0
        if held.size:
            best[start : start + held.shape[0]] = held.max(axis=1)
    totals = np.asarray(weighted.sum(axis=1)).ravel()
    out: np.ndarray = best / np.where(totals > 0, totals, 1.0)
    return out


def _own_detail(u: Unit, other_words: Sequence[frozenset[str]], other_numbers: Sequence[Quantity]) -> bool:
    """Does the sentence hold a number, date or name that no other origin mentions?"""
    for q in u.facts.quantities:
        if not any(compatible(q, o) and (o.noun == q.noun or close(q.value, o.value)) for o in other_numbers):
            return True
    if any(all(d not in w for w in other_words) for d in u.facts.dates if " " not in d):
        return True
    return any(all(not _held(n.parts[-1:], w) for w in other_words) for n in u.facts.names)


# --- conflicts between sources ----------------------------------------------------------------------
def _conflicts(view: _View) -> list[Conflict]:
    units = view.units
    found: dict[tuple[str, ...], Conflict] = {}
    tolls: dict[str, list[Quantity]] = {}  # every death toll each source gives
    for p, u in units:
        tolls.setdefault(p.source, []).extend(q for q in u.facts.quantities if q.noun == DEAD)

    def kept(pa: PassageIndex, ua: Unit, pb: PassageIndex, ub: Unit, pairs: _Pairs) -> _Pairs:
        """Death-toll pairs where neither source also gives the other's figure."""
        return [
            (kind, about, va, vb)
            for kind, about, va, vb in pairs
            if about != DEAD
            or not (_also_gives(tolls[pa.source], ub, vb) or _also_gives(tolls[pb.source], ua, va))
        ]

    for a, b, s in _similar_pairs(units):
        (pa, ua), (pb, ub) = units[a], units[b]
        pairs = _number_pairs(ua, ub, s)
        if s >= NAME_SIM:
            pairs += _date_pairs(pa, ua, pb, ub)
            if pa.origin != pb.origin:  # copies of one story reword names ("Baghdad" / "Iraq")
                pairs += _name_pairs(ua, view.source_words[pa.source], ub, view.source_words[pb.source])
        _add(view, found, pa, ua, pb, ub, kept(pa, ua, pb, ub, pairs))
    for a, b in _toll_pairs(units):
        (pa, ua), (pb, ub) = units[a], units[b]
        _add(view, found, pa, ua, pb, ub, kept(pa, ua, pb, ub, _number_pairs(ua, ub, 1.0, about=DEAD)))
    return list(found.values())


_Pairs = list[tuple[str, str, str, str]]


def _also_gives(own: Sequence[Quantity], other: Unit, value: str) -> bool:
    """Does a source also give a toll compatible with the other source's `value`? Then its other figure
    counts something else (a separate blast, an earlier crash, an earlier count), not a disagreement."""
    theirs = [q for q in other.facts.quantities if q.noun == DEAD and q.text == value]
    return any(compatible(q, t) for q in own for t in theirs)


def _add(
    view: _View,
    found: dict[tuple[str, ...], Conflict],
    pa: PassageIndex,
    ua: Unit,
    pb: PassageIndex,
    ub: Unit,
    pairs: Sequence[tuple[str, str, str, str]],
) -> None:
    for kind, about, va, vb in pairs:
        key = (kind, about, *sorted((va, vb)))
        if key not in found:
            sides = (_side(view, pa, ua, va), _side(view, pb, ub, vb))
            found[key] = Conflict(kind=kind, about=_LABELS.get(about, about), sides=sides)


def _toll_pairs(units: Sequence[tuple[PassageIndex, Unit]]) -> list[tuple[int, int]]:
    """Sentences of different origins that each give a death toll (`toolkit.text.claims` counts
    "killed 200,000 people", "222,570 deaths" and "the death toll ... 110,000" as the noun "dead"):
    in a cluster about one event they are the same fact however differently they are worded, so
    they are compared without the similarity and shared-context tests other numbers need."""
    tolls = [k for k, (_, u) in enumerate(units) if any(q.noun == DEAD for q in u.facts.quantities)]
    tolls = tolls[:MAX_TOLLS]
    origin = [units[k][0].origin for k in tolls]
    pairs = [(n, m) for n in range(len(tolls)) for m in range(n + 1, len(tolls))]
    return [(tolls[n], tolls[m]) for n, m in pairs if origin[n] != origin[m]]


def _similar_pairs(units: Sequence[tuple[PassageIndex, Unit]]) -> list[tuple[int, int, float]]:
    """(a, b, cosine) for sentences of different sources at least NUMBER_SIM alike, a < b (in row blocks)."""
    if len(units) < 2:
        return []
    m = tfidf_matrix([sorted(u.keys) for _, u in units])
    codes = {src: k for k, src in enumerate(dict.fromkeys(p.source for p, _ in units))}
    source = np.asarray([codes[p.source] for p, _ in units])
    out: list[tuple[int, int, float]] = []
    for start in range(0, len(units), BLOCK):
        block = sp.csr_matrix(m[start : start + BLOCK] @ m.T).tocoo()
        rows = block.row + start
        keep = (block.col > rows) & (block.data >= NUMBER_SIM) & (source[rows] != source[block.col])
        r, c, d = rows[keep], block.col[keep], block.data[keep]
        top = topk_per_row(r, d, NEIGHBOURS)
        out += zip(r[top].tolist(), c[top].tolist(), d[top].tolist(), strict=True)
    return out


def _side(view: _View, p: PassageIndex, u: Unit, value: str) -> ConflictSide:
    return ConflictSide(
        passage=p.id,
        source=p.source,
        origin=p.origin,
        value=value,
        evidence=Evidence(text=u.text, start=u.start, end=u.end),
    )


def _number_pairs(a: Unit, b: Unit, sim: float, about: str = "") -> list[tuple[str, str, str, str]]:
    """Incompatible numbers for the same noun said in the same words ("police arrested 13 people after
    the protest" / "police detained 20 people after the protest"), each missing from the other sentence;
    with `about`, only numbers of that noun, whatever the words around them."""
    out: list[tuple[str, str, str, str]] = []
    shared = 0 if about else 2 if sim >= NAME_SIM else 3
    for qa in a.facts.quantities:
        for qb in b.facts.quantities:
            if not qa.noun or qb.noun != qa.noun or len(qa.context & qb.context) < shared:
                continue
            if about and qa.noun != about:
                continue
            if not any(compatible(qa, x) for x in b.facts.quantities if x.noun == qa.noun) and not any(
                compatible(qb, x) for x in a.facts.quantities if x.noun == qb.noun
            ):
                out.append(("number", qa.noun, qa.text, qb.text))
                break
    return out


def _date_kind(d: str) -> str:
    if d in WEEKDAYS:
        return "weekday"
    if d in MONTHS:
        return "month"
    return "year" if d.isdigit() else "day"


def _date_pairs(pa: PassageIndex, a: Unit, pb: PassageIndex, b: Unit) -> list[tuple[str, str, str, str]]:
    out: list[tuple[str, str, str, str]] = []
    for kind in ("weekday", "day", "month", "year"):
        da = {d for d in a.facts.dates if _date_kind(d) == kind}
        db = {d for d in b.facts.dates if _date_kind(d) == kind}
        if da and db and not da & db and not da & pb.words and not db & pa.words:
            out.append(("date", kind, ", ".join(sorted(da)).title(), ", ".join(sorted(db)).title()))
    return out


def _name_pairs(
    a: Unit, words_a: frozenset[str], b: Unit, words_b: frozenset[str]
) -> list[tuple[str, str, str, str]]:
    """Different names in the same place of two similar sentences, each unknown to the other source."""
    out: list[tuple[str, str, str, str]] = []
    for na in a.facts.names:
        for nb in b.facts.names:
            place = na.context & nb.context
            if len(place) < 2 or _related(na.parts, nb.parts):
                continue
            if _held(na.parts, words_b) or _held(nb.parts, words_a):
                continue
            out.append(("name", " ".join(sorted(place)), na.text, nb.text))
    return out


def _related(a: Sequence[str], b: Sequence[str]) -> bool:
    """Same name, a spelling variant, or an acronym of the other ("INA", "Iraqi News Agency")."""
    if any(same_name(x, y) for x in a for y in b):
        return True
    initials_a, initials_b = "".join(x[0] for x in a), "".join(y[0] for y in b)
    return (len(a) == 1 and a[0] == initials_b) or (len(b) == 1 and b[0] == initials_a)


def _held(parts: Sequence[str], words: frozenset[str]) -> bool:
    return any(part in words or any(same_name(part, w) for w in words if w[:1] == part[:1]) for part in parts)


# --- which side the summary took --------------------------------------------------------------------
def _in_summary(
    verifier: Verifier, conflict: Conflict, sentences: Sequence[SummarySentence], looks: Sequence[_Look]
) -> Conflict:
    """Which summary sentences state a value of the conflict, and whether the summary silently took a side."""
    states = {i: k for i, look in enumerate(looks) if (k := _sides_stated(verifier, conflict, look))}
    if not states:
        return conflict
    taken = set().union(*states.values())
    hedged = any(_DIFFER.search(sentences[i].text) for i in states)
    one = conflict.sides[min(taken)]
    picked = one.passage if len(taken) == 1 else ""
    flagged = bool(picked) and not hedged
    # sentences that each state a different side flatly: the summary contradicts itself
    each = {
        i: next(iter(k)) for i, k in states.items() if len(k) == 1 and not _DIFFER.search(sentences[i].text)
    }
    if flagged:
        note = f"the summary states {one.value!r} ({one.passage}) without saying the sources differ"
    elif picked:
        note = f"the summary states {one.value!r} and says the sources differ"
    elif len(set(each.values())) > 1:
        flagged = True
        said = " and ".join(
            f"{conflict.sides[k].value!r} ({conflict.sides[k].passage}) in sentence {i + 1}"
            for i, k in sorted(each.items())
        )
        note = f"the summary states {said}, each as if it were the only figure"
    else:
        note = "the summary states both values, or one compatible with both"
    return conflict.model_copy(
        update={"sentences": tuple(sorted(states)), "picked": picked, "flagged": flagged, "note": note}
    )


def _sides_stated(verifier: Verifier, conflict: Conflict, look: _Look) -> set[int]:
    """The sides whose value a summary sentence states about the conflict's fact."""
    claim = look.claim
    if conflict.kind == "number":
        return _number_sides(conflict, claim.facts.quantities)
    scores = look.scores
    if max(float(scores[verifier.position[side.passage]]) for side in conflict.sides) < UNIQUE_MAX:
        return set()
    if conflict.kind == "date":
        return {
            k
            for k, side in enumerate(conflict.sides)
            if set(side.value.lower().split(", ")) <= claim.facts.dates
        }
    return {
        k
        for k, side in enumerate(conflict.sides)
        if any(_related(n.parts, tuple(side.value.lower().split())) for n in claim.facts.names)
    }


def _quantity(side: ConflictSide, noun: str) -> Quantity | None:
    found = [q for q in _quantities(side.evidence.text) if q.noun == noun and q.text == side.value]
    return found[0] if found else None


@lru_cache(maxsize=4096)
def _quantities(text: str) -> tuple[Quantity, ...]:
    return facts(text).quantities
