"""Check every citation of a summary against the passage it names, and the summary against all sources.

    verifier = Verifier(corpus)                      # indexes the corpus once
    verifier.check_sentence("Iraq arrested 13 Syrians.", ["S2:20"])   # -> SummarySentence with status
    toolkit.verify(markdown_or_briefing, sources)    # -> Briefing with statuses and a comparison report

A citation is checked against its evidence window: the best 1-3 consecutive sentences of the passage
(reaching into an adjacent cited passage of the same source). Rules first: `contradicted` when, being
about the same thing, it gives an incompatible number for the same noun or the opposite polarity;
`unsupported` below PARTIAL of the sentence's key terms (IDF-weighted); `partial` when a number, date
or name is missing or has another in its place (a swapped actor, another title), a quote is not
verbatim, the words are another speaker's, or a clause is not in the window (`toolkit.check.relations`).
What passes the rules is `supported` when the window holds it plainly (PLAIN_COVER of its key terms,
PLAIN_PAIRS of their pairings) or the fitted check (`toolkit.check.decide`, logistic regression over
explainable features, fitted on FRANK's valid split) says so from SUPPORT_FLOOR on; else `partial`.
Hedged numbers are intervals ("at least 1,383" establishes "over 1,300"). The reason names what
matched, what is missing, and hedges ("said", "alleged") the sentence drops.

A sentence is supported if one citation supports it, or if adjacent cited passages of one source do
jointly; `disputed` when a cited passage supports it but another contradicts it, or when the sources
disagree on a fact it states and it takes one side without saying so (`compare.mark_disputes`: both
sides and the one taken are in the reason and in `report.conflicts`); a sentence without citations
is `uncited`. Verdicts are heuristics: an LLM judge (`toolkit.check.judge`; `judge_mode="auto"` asks only
about the sentences the fast check cannot settle) can confirm or overturn them.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace

import numpy as np
import scipy.sparse as sp

from ..models import STATUS_RANK as _RANK
from ..models import STATUSES, CitationCheck, Corpus, Evidence, Passage, SummarySentence
from ..text.claims import Facts, Name, Token, facts, proper_words, stem, tokenize
from ..text.similarity import STOPWORDS
from ..text.support import date_gaps, name_gaps, number_gaps, polarity
from .decide import (
    EVIDENCE_REACH,
    THRESHOLD,
    Signals,
    bigram_index,
    consistency,
    copy_signals,
    explain,
    near_pairs,
    repeats,
)
from .relations import clauses, quote_held, quotes, speaker, speakers

__all__ = ["STATUSES", "Claim", "PassageIndex", "Unit", "Verifier", "key_terms"]

SUPPORT = 0.6  # share of key terms (IDF-weighted) a passage must hold to support a sentence
PARTIAL = 0.4  # ... to partly support it
CLAUSE_TERMS = 2  # a clause with at least this many key terms must hold in the evidence window ...
CLAUSE_MIN = 0.34  # ... with at least this share of them
PLAIN_COVER = 0.95  # a sentence whose window holds this share of its key terms ...
PLAIN_PAIRS = 0.6  # ... and of its nearby key-term pairs is supported whatever the fitted check says
SUPPORT_FLOOR = 0.4  # the fitted check (toolkit.check.decide) may support a sentence from this share on
# None: the fitted check decides alone (best on FRANK's human labels). A number: a sentence the word
# rules support (SUPPORT, PREDICATE_MIN) is kept supported unless the fitted check scores it below it
# (None: the fitted check decides; it is fitted on SummHay paraphrases too, see benchmarks/citations.py).
DEMOTE_BELOW: float | None = None
CONTRADICT_MIN = 0.5  # numbers and polarity contradict only when the passage is about the same thing
PREDICATE_MIN = 0.5  # ... and at least this share of its lower-case key terms (what happened, not who)
CLAIM_CACHE = 4096  # analysed sentences kept per Verifier
JOINT_MIN = 0.2  # a citation holding less of the sentence takes no part in joint support
SWAP_MIN = 0.8  # names are checked for swaps only in sentences worded almost like the passage
NEGATION_MATCH = 0.75  # a negation in the passage contradicts a sentence worded this much like it

_LINKS = ("amid", "among", "amongst", "within", "without", "upon", "across", "toward", "towards", "despite")
_VAGUE = ("including", "like", "unlike", "least", "whether", "either", "another", "many", "much", "several")
_NOT_KEY = STOPWORDS | frozenset((*_LINKS, *_VAGUE))


# Words for dying are one key term, so a death toll worded "died", "deaths" or "were killed" matches
# the same fact in other words (the number itself is checked as the noun "dead", toolkit.text.claims).
_DYING = frozenset(
    (
        "die",
        "died",
        "dies",
        "dying",
        "dead",
        "death",
        "deaths",
        "kill",
        "killed",
        "kills",
        "killing",
        "fatalities",
    )
)


def _key(word: str) -> str:
    if word in _DYING:
        return "death"
    s = stem(word)
    return s[:5] if len(s) > 5 else s


def key_order(text: str) -> list[str]:
    """The keys of `text`'s content words in text order (repeats kept)."""
    return [
        _key(t.low) for t in tokenize(text) if t.low.isalpha() and len(t.low) > 1 and t.low not in _NOT_KEY
    ]


def key_terms(text: str) -> dict[str, str]:
    """Key (stem prefix) -> the word as written, for the content words of `text` (numbers excluded)."""
    out: dict[str, str] = {}
    for tok in tokenize(text):
        if tok.low.isalpha() and len(tok.low) > 1 and tok.low not in _NOT_KEY:
            out.setdefault(_key(tok.low), tok.text)
    return out


@dataclass(frozen=True)
class Unit:
    """One sentence of a passage, analysed once."""

    text: str
    start: int
    end: int
    keys: frozenset[str]
    facts: Facts
    pairs: frozenset[tuple[str, str]] = frozenset()


@dataclass(frozen=True)
class PassageIndex:
    id: str
    source: str
    origin: str
    units: tuple[Unit, ...]
    keys: frozenset[str]
    words: frozenset[str]
    names: tuple[Name, ...]
    tokens: tuple[str, ...] = ()  # every token, lower-cased, in order (for verbatim runs)
    positions: dict[str, list[int]] | None = None


@dataclass(frozen=True)
class Claim:
    text: str
    terms: dict[str, str]
    weights: dict[str, float]
    facts: Facts
    pairs: frozenset[tuple[str, str]] = frozenset()
    tokens: tuple[str, ...] = ()
    repeats: float = 0.0  # share of its content words repeating one it already used
    # (before, bigram, after) for each inner character bigram of text without spaces: a bigram the
    # evidence lacks between two it holds is the seam of a compressed copy ("阿登河决堤" from "阿登河在
    # ...后决堤"), not a missing word, so coverage leaves it out
    seams: tuple[tuple[str, str, str], ...] = ()


@dataclass
class _Found:
    """What one passage (or several together) holds of a claim."""

    coverage: float
    predicate: float  # the same share over the sentence's lower-case key terms (what happened, not who)
    matched: list[str]
    missing: list[str]
    gaps: list[str]  # numbers, dates and names the evidence lacks
    loose: list[str]  # numbers it holds only with a hedge the sentence drops
    conflict: str  # why it is contradicted, or ""
    hedges: list[str]
    evidence: Evidence | None
    signals: Signals | None = None


class Verifier:
    """A corpus indexed for support checks: build once (tens of ms for the bundled example), then check a
    sentence in about a millisecond; `verify(text, verifier)` reuses it."""

    def __init__(self, corpus: Corpus) -> None:
        self.corpus = corpus
        lower, proper = proper_words(s.text for p in corpus.passages() for s in p.sentences)
        self.lowercase_words = lower
        self.proper_words = proper
        story = _story_origins(corpus)
        self.passages: tuple[PassageIndex, ...] = tuple(
            _index_passage(p.id, src.id, story.get(p.id, src.id), p, proper)
            for src in corpus.sources
            for p in src.passages
        )
        self.position = {p.id: i for i, p in enumerate(self.passages)}
        df: dict[str, int] = {}
        for p in self.passages:
            for k in p.keys:
                df[k] = df.get(k, 0) + 1
        n = len(self.passages)
        self.idf = {k: math.log((1 + n) / (1 + d)) + 1.0 for k, d in df.items()}
        self.unknown_idf = math.log(1 + n) + 1.0
        self.vocab = {k: j for j, k in enumerate(sorted(df))}
        rows = [i for i, p in enumerate(self.passages) for _ in p.keys]
        cols = [self.vocab[k] for p in self.passages for k in p.keys]
        self._claims: dict[str, Claim] = {}
        self._checks: dict[tuple[str, str], CitationCheck] = {}  # (sentence, passage id) -> verdict
        # (sentence, citations, note) -> the checked sentence: a streamed sentence checked while the
        # answer arrives is not checked again by the final `verify()`
        self._sentences: dict[tuple[str, tuple[str, ...], str], SummarySentence] = {}
        self.matrix = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, max(len(self.vocab), 1)))

    def __repr__(self) -> str:
        return f"<Verifier sources={len(self.corpus.sources)} passages={len(self.passages)}>"

    # --- the claim --------------------------------------------------------------------------------
    def claim(self, text: str) -> Claim:
        """The sentence analysed for checking (memoised: a report looks at each sentence many times)."""
        hit = self._claims.get(text)
        if hit is None:
            if len(self._claims) >= CLAIM_CACHE:
                self._claims.clear()
            hit = self._claims[text] = self._analyse(text)
        return hit

    def _analyse(self, text: str) -> Claim:
        terms = key_terms(text)
        weights = {k: self.idf.get(k, self.unknown_idf) for k in terms}
        toks = tokenize(text)
        tokens = tuple(t.low for t in toks)
        order = key_order(text)
        return Claim(
            text,
            terms,
            weights,
            facts(text, self.proper_words),
            near_pairs(order),
            tokens,
            repeats(order),
            _seams(toks, terms),
        )

    def scores(self, text: str) -> np.ndarray:
        """For every passage (in `self.passages` order), the share of the sentence's key terms it holds."""
        claim = self.claim(text)
        total = sum(claim.weights.values())
        vec = np.zeros(self.matrix.shape[1])
        for k, w in claim.weights.items():
            if k in self.vocab:
                vec[self.vocab[k]] = w
        out: np.ndarray = self.matrix @ vec / total if total else np.zeros(len(self.passages))
        return out

    # --- checks -----------------------------------------------------------------------------------
    def check_citation(self, text: str, passage_id: str) -> CitationCheck:
        """The verdict on one citation: does passage `passage_id` support `text`? (Memoised like
        `claim`: a report and the view ask again for every sentence an edit did not change.)"""
        key = (text, passage_id)
        hit = self._checks.get(key)
        if hit is None:
            if len(self._checks) >= CLAIM_CACHE * 8:
                self._checks.clear()
            hit = self._checks[key] = self._check(self.claim(text), passage_id)
        return hit

    def check_sentence(self, text: str, citations: Sequence[str] = (), note: str = "") -> SummarySentence:
        """`text` with its status, reason and one `CitationCheck` per citation (unknown ids dropped).
        Memoised like `claim` (the result is a frozen value)."""
        key = (text, tuple(citations), note)
        hit = self._sentences.get(key)
        if hit is None:
            if len(self._sentences) >= CLAIM_CACHE:
                self._sentences.clear()
            hit = self._sentences[key] = self._check_sentence(text, citations, note)
        return hit

    def _check_sentence(self, text: str, citations: Sequence[str], note: str) -> SummarySentence:
        known = tuple(dict.fromkeys(c for c in citations if c in self.position))
        bad = [c for c in citations if c not in self.position]
        if bad:
            gone = f"cited {', '.join(bad)}, which {'does' if len(bad) == 1 else 'do'} not exist"
            note = "; ".join(x for x in (note, gone) if x)
        claim = self.claim(text)
        if not known:
            return SummarySentence(text=text, note=note, status="uncited", reason=self._uncited_reason(text))
        checks = tuple(self._check(claim, pid, self._context(pid, known)) for pid in known)
        status, reason = self._combine(claim, checks)
        if status in ("unsupported", "contradicted"):  # a changed number is often a citation one off
            reason += self._elsewhere(text, claim, known)
        return SummarySentence(
            text=text, citations=known, note=note, status=status, reason=reason, checks=checks
        )

    def _elsewhere(self, text: str, claim: Claim, cited: Sequence[str]) -> str:
        """For a sentence its citations do not hold: the uncited passage that holds most of its key
        terms, checked on its own, so a citation one passage off ("cite S2:2") reads differently from a
        changed fact ("S2:2 says otherwise"). The status stays the cited passages' verdict."""
        found = self._best_passage(text, cited)
        if found is None:
            return ""
        best = self.passages[found[0]].id
        check = self._check(claim, best)
        if check.status == "supported":
            return f"; {best} holds it (cite {best})"
        if check.status == "contradicted":
            return f"; {best} says otherwise: {check.reason}"
        return ""

    def keep_checked_copies(self, sentence: SummarySentence) -> SummarySentence:
        """Drop a near-duplicate copy that an engine added after a cited passage of its group (the
        passage was sent once; its copies are cited back) when the copy's own check fails: a copy
        is kept only if it holds the sentence itself. The note says what was dropped."""
        status = {c.passage: c.status for c in sentence.checks}
        drop: list[str] = []
        for k, pid in enumerate(sentence.citations):
            earlier = set(sentence.citations[:k])
            if status.get(pid, "supported") != "supported" and earlier & set(self.corpus.group_of(pid)):
                drop.append(pid)
        if not drop:
            return sentence
        kept = [c for c in sentence.citations if c not in drop]
        why = f"copy {', '.join(drop)} dropped: it does not hold the sentence itself"
        return self.check_sentence(sentence.text, kept, "; ".join(x for x in (sentence.note, why) if x))

    def _context(self, pid: str, cited: Sequence[str]) -> tuple[PassageIndex, ...]:
        """The other cited passages of the same source: where a name or number of the sentence may
        have been introduced (the relation itself must hold in the cited passage's window)."""
        source = self.passages[self.position[pid]].source
        return tuple(q for c in cited if c != pid and (q := self.passages[self.position[c]]).source == source)

    def found(self, text: str, citations: Sequence[str]) -> list[_Found]:
        """What each cited passage holds of `text` (features of the fitted check; for training)."""
        known = [c for c in citations if c in self.position]
        claim = self.claim(text)
        return [
            self._find(claim, [self.passages[self.position[c]]], window=True, context=self._context(c, known))
            for c in known
        ]

    def _check(self, claim: Claim, passage_id: str, context: Sequence[PassageIndex] = ()) -> CitationCheck:
        p = self.passages[self.position[passage_id]]
        found = self._find(claim, [p], window=True, context=context)
        status = _status(found)
        return CitationCheck(
            passage=passage_id,
            status=status,
            reason=_reason(status, passage_id, claim, found),
            evidence=found.evidence,
            score=round(found.coverage, 3),
        )

    def _combine(self, claim: Claim, checks: Sequence[CitationCheck]) -> tuple[str, str]:
        best = max(checks, key=lambda c: (_RANK[c.status], c.score))
        others = [c for c in checks if c.status == "contradicted" and c is not best]
        if best.status != "supported":
            helping = [c.passage for c in checks if c.status != "contradicted" and c.score >= JOINT_MIN]
            for run in self._together(helping):
                joint = self._find(claim, [self.passages[self.position[h]] for h in run], window=True)
                if _status(joint) == "supported":
                    return "supported", f"supported jointly by {', '.join(run)} (adjacent): " + _reason(
                        "supported", "they", claim, joint
                    )
        if best.status == "supported" and others:
            against = ", ".join(c.passage for c in others)
            return "disputed", (
                f"cited passages disagree: the sentence takes {best.passage}'s side ({best.reason}); "
                f"{against} {'says' if len(others) == 1 else 'say'} otherwise: {others[0].reason}"
            )
        return best.status, best.reason

    def _relations(
        self, claim: Claim, units: Sequence[Unit], chosen: Sequence[Unit], window_words: frozenset[str]
    ) -> list[str]:
        """Quotes verbatim in the passage; the speaker the window gives; every clause in the window."""
        gaps: list[str] = []
        for q in quotes(claim.text):
            if not any(quote_held(q, u.text) for u in units):
                gaps.append(f'the quote "{q}" (not verbatim in the passage)')
        who = speaker(claim.text)
        mine = [w.lower() for w in who.split() if len(w) > 2 or (w.isupper() and len(w) > 1)]  # "UN" too
        if mine and chosen:
            # The sentence of the window that holds what was said must name this speaker.
            said = {k: w for k, w in claim.weights.items() if not any(k == _key(m) for m in mine)}
            best = max(chosen, key=lambda u: sum(w for k, w in said.items() if k in u.keys))
            if not any(w in best.facts.words for w in mine):
                others = [x for x in speakers(best.text) if not any(w in x.lower() for w in mine)]
                if others:
                    gaps.append(f"{who} as the speaker (the passage gives the words to {others[0]})")
        parts = clauses(claim.text)
        if len(parts) >= 2:
            keys = frozenset().union(*(u.keys for u in chosen))
            for part in parts:
                own = [k for k in key_terms(part) if k in claim.weights]
                if len(own) >= CLAUSE_TERMS and sum(k in keys for k in own) / len(own) < CLAUSE_MIN:
                    gaps.append(f"the clause '{part}' (not in the same passage sentences)")
        return gaps

    def _together(self, ids: Sequence[str]) -> list[list[str]]:
        """Runs of cited passages that belong together: adjacent passages of one source. Passages
        from different places hold no joint fact (a sentence they "support" together is partial)."""
        runs: list[list[str]] = []
        for pid in sorted(ids, key=lambda x: self.position[x]):
            last = self.position[runs[-1][-1]] if runs else -2
            here = self.position[pid]
            if here == last + 1 and self.passages[here].source == self.passages[last].source:
                runs[-1].append(pid)
                continue
            runs.append([pid])
        return [r for r in runs if len(r) >= 2]

    def _best_passage(self, text: str, exclude: Sequence[str] = ()) -> tuple[int, float] | None:
        """(position, share of key terms) of the passage outside `exclude` that holds most of the
        sentence's key terms; None when none holds at least PARTIAL of them."""
        scores = self.scores(text)
        for pid in exclude:
            scores[self.position[pid]] = -1.0
        if not len(scores) or float(scores.max()) < PARTIAL:
            return None
        best = int(np.argmax(scores))
        return best, float(scores[best])

    def _uncited_reason(self, text: str) -> str:
        found = self._best_passage(text)
        if found is None:
            return "no citation, and no passage holds most of its key terms"
        best, share = found
        return f"no citation; {self.passages[best].id} holds {share:.0%} of its key terms"

    def _find(
        self,
        claim: Claim,
        passages: Sequence[PassageIndex],
        *,
        window: bool,
        context: Sequence[PassageIndex] = (),
    ) -> _Found:
        """Key terms in the best window (or all of `passages`); numbers and dates in `passages` and the
        sentences beside them; names and words also in `context` (other cited passages of the source)."""
        units = [u for p in passages for u in p.units]
        if window:
            before, after = _neighbours(passages, context)
            chosen, top = _best_window(
                claim, [*before, *units, *after], len(before), len(before) + len(units)
            )
            held_units = [*before, *units, *after]
        else:
            held_units = list(units)
            chosen, top = list(units), max(units, key=lambda u: _cover(claim, u.keys), default=None)
        keys = frozenset().union(*(u.keys for u in chosen))
        cov = _cover(claim, keys)
        words = frozenset().union(*(p.words for p in (*passages, *context)))
        held = [u.facts for u in held_units]  # numbers and dates: in the passage or the sentences beside it
        aligned = [q for u in chosen for q in u.facts.quantities] if cov >= CONTRADICT_MIN else []
        gaps, loose, conflict = number_gaps(claim.facts, [q for f in held for q in f.quantities], aligned)
        n_numbers = len(gaps)
        gaps += date_gaps(claim.facts, words, held)
        n_dates = len(gaps) - n_numbers
        names = [n for p in (*passages, *context) for n in p.names]
        window_words = frozenset().union(*(u.facts.words for u in chosen))
        gaps += name_gaps(
            claim.facts.names, words, names, self.lowercase_words, swaps=cov >= SWAP_MIN, window=window_words
        )
        n_names = len(gaps) - n_numbers - n_dates
        negation_gap = 0
        if not conflict and cov >= CONTRADICT_MIN:
            negated = {t for u in chosen for t in u.facts.negated}
            top_negated = top.facts.negated if top else ()
            close_match = top is not None and _cover(claim, top.keys) >= NEGATION_MATCH
            conflict, gap = polarity(claim.facts, window_words, negated, top_negated, close_match=close_match)
            gaps += [gap] if gap else []
            negation_gap = int(bool(gap))
        gaps += self._relations(claim, units, chosen, window_words)
        all_keys = frozenset().union(*(p.keys for p in (*passages, *context)))
        copied, longest, stitches = _copying(claim, passages)
        window_pairs = frozenset().union(*(u.pairs for u in chosen))
        signals = Signals(
            coverage=cov,
            predicate=0.0,
            novel=1.0 - _cover(claim, all_keys),
            pairs=_pair_share(claim, keys, window_pairs),
            number_gaps=n_numbers + len(loose),
            name_gaps=n_names,
            date_gaps=n_dates,
            negation=negation_gap,
            terms=len(claim.terms),
            copied=copied,
            longest=longest,
            stitches=stitches,
            novel_words=sum(1 for k in claim.terms if k not in all_keys),
            novel_names=_novel_share(claim, all_keys, plain=False),
            novel_plain=_novel_share(claim, all_keys, plain=True),
            repeats=claim.repeats,
        )
        ordered = sorted(claim.terms, key=lambda k: -claim.weights[k])
        hedges = sorted(set().union(*(u.facts.hedges for u in chosen)) - claim.facts.hedges)
        seams = _seam_gaps(claim, keys)
        plain = [k for k in claim.terms if claim.terms[k][:1].islower()]
        predicate = sum(1 for k in plain if k in keys) / len(plain) if plain else 1.0
        return _Found(
            coverage=cov,
            predicate=predicate,
            matched=[claim.terms[k] for k in ordered if k in keys],
            missing=[claim.terms[k] for k in ordered if k not in keys and k not in seams],
            gaps=gaps,
            loose=loose,
            conflict=conflict,
            hedges=hedges if not claim.facts.hedges else [],
            evidence=_evidence(self.corpus, passages[0].source, chosen) if window and chosen else None,
            signals=replace(signals, predicate=predicate),
        )


def _story_origins(corpus: Corpus) -> dict[str, str]:
    """Passage id -> the origin (story) it counts for: its source's origin when the source is that
    story's first publication, or when the passage has a near-duplicate in another source of the same
    origin (it is part of the copied story). A paragraph a copy added (a syndication note, an update,
    an injected instruction) is its own source's: text not in the story never counts as the story's
    corroboration or sides with it in a conflict. Passages absent from the map count as their source's."""
    source_origin = {src.id: src.origin or src.id for src in corpus.sources}
    out: dict[str, str] = {}
    for src in corpus.sources:
        origin = source_origin[src.id]
        for p in src.passages:
            if origin == src.id:
                out[p.id] = origin
                continue
            for copy in corpus.group_of(p.id):
                other = copy.split(":", 1)[0]
                if other != src.id and source_origin.get(other) == origin:
                    out[p.id] = origin
                    break
    return out


def _neighbours(
    passages: Sequence[PassageIndex], context: Sequence[PassageIndex]
) -> tuple[list[Unit], list[Unit]]:
    """The last two sentences of the cited passage just before, the first two of the one just after
    (adjacent passages of one source read as one text: a fact may span the paragraph break)."""
    if len(passages) != 1 or not context:
        return [], []
    p = passages[0]
    index = _index_of(p.id)
    before = [
        u for q in context if q.source == p.source and _index_of(q.id) == index - 1 for u in q.units[-2:]
    ]
    after = [u for q in context if q.source == p.source and _index_of(q.id) == index + 1 for u in q.units[:2]]
    return before, after


def _index_of(pid: str) -> int:
    try:
        return int(pid.rsplit(":", 1)[1])
    except (IndexError, ValueError):
        return -10


def _copying(claim: Claim, passages: Sequence[PassageIndex]) -> tuple[float, float, int]:
    """How the sentence's words are copied from the passages: the best passage's verbatim runs."""
    best = (0.0, 0.0, 0)
    for p in passages:
        got = copy_signals(claim.tokens, p.tokens, p.positions or {})
        best = max(best, got)
    return best


# --- index ------------------------------------------------------------------------------------------
def _index_passage(
    pid: str, source: str, origin: str, passage: Passage, proper: Collection[str]
) -> PassageIndex:
    spans = [(s.text, s.start, s.end) for s in passage.sentences] or [
        (passage.text, passage.start, passage.end)
    ]
    units = tuple(
        Unit(t, a, b, frozenset(key_terms(t)), facts(t, proper), near_pairs(key_order(t), EVIDENCE_REACH))
        for t, a, b in spans
    )
    tokens = tuple(t.low for t in tokenize(passage.text))
    positions = bigram_index(tokens)
    return PassageIndex(
        tokens=tokens,
        positions=positions,
        id=pid,
        source=source,
        origin=origin,
        units=units,
        keys=frozenset().union(*(u.keys for u in units)),
        words=frozenset().union(*(u.facts.words for u in units)),
        names=tuple(n for u in units for n in u.facts.names),
    )


def _novel_share(claim: Claim, keys: Collection[str], *, plain: bool) -> float:
    """Share of the claim's lower-case (`plain`) or capitalised/numeric key terms not in `keys`."""
    terms = [k for k, surface in claim.terms.items() if surface[:1].islower() == plain]
    return sum(1 for k in terms if k not in keys) / len(terms) if terms else 0.0


# --- scoring ----------------------------------------------------------------------------------------
def _seam_gaps(claim: Claim, keys: Collection[str]) -> set[str]:
    return {b for a, b, c in claim.seams if b not in keys and a in keys and c in keys}


def _pair_share(claim: Claim, keys: Collection[str], window_pairs: Collection[tuple[str, str]]) -> float:
    """The share of the sentence's nearby key-term pairs the window holds (pairs across a seam left out)."""
    seams = _seam_gaps(claim, keys)
    pairs = [p for p in claim.pairs if p[0] not in seams and p[1] not in seams] if seams else claim.pairs
    return sum(1 for p in pairs if p in window_pairs) / len(pairs) if pairs else 1.0


def _cover(claim: Claim, keys: Collection[str]) -> float:
    seams = _seam_gaps(claim, keys)
    total = sum(w for k, w in claim.weights.items() if k not in seams)
    return sum(w for k, w in claim.weights.items() if k in keys) / total if total else 0.0


def _seams(toks: Sequence[Token], terms: Collection[str]) -> tuple[tuple[str, str, str], ...]:
    """Overlapping character bigrams of one run of text without spaces, three at a time (key terms)."""
    out: list[tuple[str, str, str]] = []
    for a, b, c in zip(toks, toks[1:], toks[2:], strict=False):
        if len(a.low) == len(b.low) == len(c.low) == 2 and a.end - 1 == b.start and b.end - 1 == c.start:
            keys = (_key(a.low), _key(b.low), _key(c.low))
            if all(k in terms for k in keys):
                out.append(keys)
    return tuple(out)


def _best_window(
    claim: Claim, units: Sequence[Unit], lo: int = 0, hi: int | None = None
) -> tuple[list[Unit], Unit | None]:
    """The 1-3 consecutive sentences holding most of the claim (a small cost per extra sentence);
    the window must overlap units[lo:hi] (the cited passage, between neighbours' sentences)."""
    best: tuple[float, int, int] = (-1.0, lo, 1)
    hi = len(units) if hi is None else hi
    for width in (1, 2, 3):
        for start in range(max(0, lo - width + 1), max(min(len(units) - width + 1, hi), 0)):
            keys = frozenset().union(*(u.keys for u in units[start : start + width]))
            score = _cover(claim, keys) - 0.03 * (width - 1)
            if score > best[0] + 1e-9:
                best = (score, start, width)
    _, start, width = best
    chosen = list(units[start : start + width])
    top = max(chosen, key=lambda u: _cover(claim, u.keys), default=None)
    return chosen, top


def _evidence(corpus: Corpus, source_id: str, units: Sequence[Unit]) -> Evidence:
    start, end = units[0].start, units[-1].end
    return Evidence(text=corpus.source(source_id).text[start:end], start=start, end=end)


# --- verdicts ---------------------------------------------------------------------------------------
def _status(found: _Found) -> str:
    """Rules first (a clash contradicts; a missing number, date or name, or too few key terms, is at
    best partial); then the fitted check (`toolkit.check.decide`) on how the evidence holds the rest."""
    if found.conflict:
        return "contradicted"
    if found.coverage < PARTIAL:
        return "unsupported"
    if found.gaps:
        return "partial"
    return "supported" if _fits(found) else "partial"


def _plain(found: _Found) -> bool:
    """Held plainly: nearly all key terms in the window, and nearly all their pairings too."""
    s = found.signals
    return s is not None and s.coverage >= PLAIN_COVER and s.pairs >= PLAIN_PAIRS and not found.loose


def _fits(found: _Found) -> bool:
    rules = found.coverage >= SUPPORT and found.predicate >= PREDICATE_MIN and not found.loose
    if THRESHOLD > 0 and found.signals is not None:
        p = consistency(found.signals)
        if _plain(found) or (rules and DEMOTE_BELOW is not None and p >= DEMOTE_BELOW):
            return True
        return found.coverage >= SUPPORT_FLOOR and p >= THRESHOLD
    return rules


def _quote(words: Sequence[str], limit: int = 4) -> str:
    shown = ", ".join(f"'{w}'" for w in words[:limit])
    return shown + (f" and {len(words) - limit} more" if len(words) > limit else "")


def _reason(status: str, where: str, claim: Claim, found: _Found) -> str:
    n, total = len(found.matched), len(found.matched) + len(found.missing)
    share = f"{found.coverage:.0%} of the key terms ({n}/{total})"
    parts = [f"{where} {found.conflict}" if status == "contradicted" else f"{where} holds {share}"]
    if found.matched and status != "contradicted":
        parts.append(f"matched {_quote(found.matched)}")
    if found.missing and status != "supported":
        parts.append(f"missing {_quote(found.missing)}")
    if found.gaps:
        parts.append(f"not in the passage: {'; '.join(found.gaps)}")
    if found.loose:
        parts.append(f"numbers it holds only loosely: {'; '.join(found.loose)}")
    if status == "partial" and not found.gaps and found.coverage >= PARTIAL and found.signals is not None:
        p = consistency(found.signals)
        parts.append(
            f"the fitted check rates it {p:.2f} (supported from {THRESHOLD:.2f}): {explain(found.signals)}"
        )
    if found.hedges and status in ("supported", "partial"):
        parts.append(
            f"the passage hedges or attributes it ({', '.join(found.hedges)}); the sentence states it flatly"
        )
    return "; ".join(parts)
