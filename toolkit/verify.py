"""Check every citation of a summary against the passage it names, and the summary against all sources.

    verifier = Verifier(corpus)                      # indexes the corpus once
    verifier.check_sentence("Iraq arrested 13 Syrians.", ["S2:20"])   # -> SummarySentence with status
    verify(markdown_or_briefing, sources)            # -> Briefing with statuses and a comparison report

A citation is `supported` when the passage (its best 1-3 consecutive sentences) holds at least
SUPPORT of the sentence's key terms (IDF-weighted), half of its lower-case ones (what happened, not
only who), and every number, date and name of the sentence (hedged numbers as intervals: "at least
1,383" establishes "over 1,300"); `partial` when it holds at least PARTIAL, or when a number, date or
name is missing or swapped; `contradicted` when, being about the same thing, it gives an incompatible
number for the same noun or the opposite polarity (negation); else `unsupported`. The reason names
what matched, what is missing, and hedges ("said", "alleged") the sentence drops.

A sentence is supported if one citation supports it, or if its citations do jointly; a sentence
without citations is `uncited`. Verdicts are heuristics: an LLM judge (`toolkit.judge`)
can confirm or overturn them.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

import numpy as np
import scipy.sparse as sp

from .briefing import Briefing, Skipped, now_iso
from .claims import Facts, Name, facts, proper_words, stem, tokenize
from .errors import ConfigError
from .loading import Articles, load_articles
from .models import Article, CitationCheck, Corpus, Evidence, Passage, SummarySentence, Usage
from .passages import build_corpus
from .summary_text import parse_summary
from .support import date_gaps, name_gaps, number_gaps, polarity
from .textsim import STOPWORDS

if TYPE_CHECKING:
    from .llm import ChatClient

__all__ = ["STATUSES", "Claim", "PassageIndex", "Unit", "Verifier", "key_terms", "verify"]

STATUSES = ("supported", "partial", "unsupported", "contradicted", "uncited")
SUPPORT = 0.6  # share of key terms (IDF-weighted) a passage must hold to support a sentence
PARTIAL = 0.4  # ... to partly support it
CONTRADICT_MIN = 0.5  # numbers and polarity contradict only when the passage is about the same thing
PREDICATE_MIN = 0.5  # ... and at least this share of its lower-case key terms (what happened, not who)
CLAIM_CACHE = 4096  # analysed sentences kept per Verifier
JOINT_MIN = 0.2  # a citation holding less of the sentence takes no part in joint support
SWAP_MIN = 0.85  # names are checked for swaps only in sentences worded almost like the passage
_RANK = {"supported": 3, "contradicted": 2, "partial": 1, "unsupported": 0}

Sources: TypeAlias = (
    "str | Path | Article | dict[str, str] | Sequence[str | Path | Article | dict[str, str]]"
    " | Articles | Corpus | Verifier"
)
_LINKS = ("amid", "among", "amongst", "within", "without", "upon", "across", "toward", "towards", "despite")
_VAGUE = ("including", "like", "unlike", "least", "whether", "either", "another", "many", "much", "several")
_NOT_KEY = STOPWORDS | frozenset((*_LINKS, *_VAGUE))


def _key(word: str) -> str:
    s = stem(word)
    return s[:5] if len(s) > 5 else s


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


@dataclass(frozen=True)
class PassageIndex:
    id: str
    source: str
    origin: str
    units: tuple[Unit, ...]
    keys: frozenset[str]
    words: frozenset[str]
    names: tuple[Name, ...]


@dataclass(frozen=True)
class Claim:
    text: str
    terms: dict[str, str]
    weights: dict[str, float]
    facts: Facts


@dataclass
class _Found:
    """What one passage (or several together) holds of a claim."""

    coverage: float
    predicate: float  # the same share over the sentence's lower-case key terms (what happened, not who)
    matched: list[str]
    missing: list[str]
    gaps: list[str]  # numbers, dates and names the evidence lacks
    conflict: str  # why it is contradicted, or ""
    hedges: list[str]
    evidence: Evidence | None


class Verifier:
    """A corpus indexed for support checks: build once (tens of ms for the bundled example), then check a
    sentence in about a millisecond; `verify(text, verifier)` reuses it."""

    def __init__(self, corpus: Corpus) -> None:
        self.corpus = corpus
        lower, proper = proper_words(s.text for p in corpus.passages() for s in p.sentences)
        self.lowercase_words = lower
        self.proper_words = proper
        self.passages: tuple[PassageIndex, ...] = tuple(
            _index_passage(p.id, src.id, src.origin or src.id, p, proper)
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
        self._checks: dict[tuple[str, str], CitationCheck] = {}  # (sentence, passage) -> verdict
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
        return Claim(text, terms, weights, facts(text, self.proper_words))

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
        """The verdict on one citation: does passage `passage_id` support `text`?"""
        return self._check(self.claim(text), passage_id)

    def check_sentence(self, text: str, citations: Sequence[str] = (), note: str = "") -> SummarySentence:
        """`text` with its status, reason and one `CitationCheck` per citation (unknown ids dropped)."""
        known = tuple(dict.fromkeys(c for c in citations if c in self.position))
        bad = [c for c in citations if c not in self.position]
        if bad:
            gone = f"cited {', '.join(bad)}, which {'does' if len(bad) == 1 else 'do'} not exist"
            note = "; ".join(x for x in (note, gone) if x)
        claim = self.claim(text)
        if not known:
            return SummarySentence(text=text, note=note, status="uncited", reason=self._uncited_reason(text))
        checks = tuple(self._check(claim, pid) for pid in known)
        status, reason = self._combine(claim, checks)
        return SummarySentence(
            text=text, citations=known, note=note, status=status, reason=reason, checks=checks
        )

    def _check(self, claim: Claim, passage_id: str) -> CitationCheck:
        """Memoised: sentences checked while an answer streams in are not checked again at the end."""
        key = (claim.text, passage_id)
        hit = self._checks.get(key)
        if hit is None:
            if len(self._checks) >= 16 * CLAIM_CACHE:
                self._checks.clear()
            hit = self._checks[key] = self._check_once(claim, passage_id)
        return hit

    def _check_once(self, claim: Claim, passage_id: str) -> CitationCheck:
        p = self.passages[self.position[passage_id]]
        found = self._find(claim, [p], window=True)
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
            if len(helping) >= 2:
                joint = self._find(claim, [self.passages[self.position[h]] for h in helping], window=False)
                if _status(joint) == "supported":
                    return "supported", f"supported jointly by {', '.join(helping)}: " + _reason(
                        "supported", "them", claim, joint
                    )
        reason = best.reason
        if best.status == "supported" and others:
            reason += f"; but {', '.join(c.passage for c in others)} disagree: {others[0].reason}"
        return best.status, reason

    def _uncited_reason(self, text: str) -> str:
        scores = self.scores(text)
        if not len(scores) or float(scores.max()) < PARTIAL:
            return "no citation, and no passage holds most of its key terms"
        best = int(np.argmax(scores))
        return f"no citation; {self.passages[best].id} holds {scores[best]:.0%} of its key terms"

    def _find(self, claim: Claim, passages: Sequence[PassageIndex], *, window: bool) -> _Found:
        """Key terms in the best window (or all of `passages`); facts anywhere in `passages`."""
        units = [u for p in passages for u in p.units]
        if window and len(passages) == 1:
            chosen, top = _best_window(claim, passages[0].units)
        else:
            chosen, top = list(units), max(units, key=lambda u: _cover(claim, u.keys), default=None)
        keys = frozenset().union(*(u.keys for u in chosen))
        cov = _cover(claim, keys)
        words = frozenset().union(*(p.words for p in passages))
        held = [u.facts for u in units]
        aligned = [q for u in chosen for q in u.facts.quantities] if cov >= CONTRADICT_MIN else []
        gaps, conflict = number_gaps(claim.facts, [q for f in held for q in f.quantities], aligned)
        gaps += date_gaps(claim.facts, words, held)
        names = [n for p in passages for n in p.names]
        gaps += name_gaps(claim.facts.names, words, names, self.lowercase_words, swaps=cov >= SWAP_MIN)
        if not conflict and cov >= CONTRADICT_MIN:
            window_words = frozenset().union(*(u.facts.words for u in chosen))
            negated = {t for u in chosen for t in u.facts.negated}
            conflict, gap = polarity(claim.facts, window_words, negated, top.facts.negated if top else ())
            gaps += [gap] if gap else []
        ordered = sorted(claim.terms, key=lambda k: -claim.weights[k])
        hedges = sorted(set().union(*(u.facts.hedges for u in chosen)) - claim.facts.hedges)
        plain = [k for k in claim.terms if claim.terms[k][:1].islower()]
        return _Found(
            coverage=cov,
            predicate=sum(1 for k in plain if k in keys) / len(plain) if plain else 1.0,
            matched=[claim.terms[k] for k in ordered if k in keys],
            missing=[claim.terms[k] for k in ordered if k not in keys],
            gaps=gaps,
            conflict=conflict,
            hedges=hedges if not claim.facts.hedges else [],
            evidence=_evidence(self.corpus, passages[0].source, chosen) if window and chosen else None,
        )


# --- index ------------------------------------------------------------------------------------------
def _index_passage(
    pid: str, source: str, origin: str, passage: Passage, proper: Collection[str]
) -> PassageIndex:
    spans = [(s.text, s.start, s.end) for s in passage.sentences] or [
        (passage.text, passage.start, passage.end)
    ]
    units = tuple(Unit(t, a, b, frozenset(key_terms(t)), facts(t, proper)) for t, a, b in spans)
    return PassageIndex(
        id=pid,
        source=source,
        origin=origin,
        units=units,
        keys=frozenset().union(*(u.keys for u in units)),
        words=frozenset().union(*(u.facts.words for u in units)),
        names=tuple(n for u in units for n in u.facts.names),
    )


# --- scoring ----------------------------------------------------------------------------------------
def _cover(claim: Claim, keys: Collection[str]) -> float:
    total = sum(claim.weights.values())
    return sum(w for k, w in claim.weights.items() if k in keys) / total if total else 0.0


def _best_window(claim: Claim, units: Sequence[Unit]) -> tuple[list[Unit], Unit | None]:
    """The 1-3 consecutive sentences holding most of the claim (a small cost per extra sentence)."""
    best: tuple[float, int, int] = (-1.0, 0, 1)
    for width in (1, 2, 3):
        for start in range(0, max(len(units) - width + 1, 0)):
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
    if found.conflict:
        return "contradicted"
    if found.coverage >= SUPPORT and found.predicate >= PREDICATE_MIN and not found.gaps:
        return "supported"
    return "partial" if found.coverage >= PARTIAL else "unsupported"


def _quote(words: Sequence[str], limit: int = 4) -> str:
    shown = ", ".join(f"'{w}'" for w in words[:limit])
    return shown + (f" and {len(words) - limit} more" if len(words) > limit else "")


def _reason(status: str, where: str, claim: Claim, found: _Found) -> str:
    n, total = len(found.matched), len(claim.terms)
    share = f"{found.coverage:.0%} of the key terms ({n}/{total})"
    parts = [f"{where} {found.conflict}" if status == "contradicted" else f"{where} holds {share}"]
    if found.matched and status != "contradicted":
        parts.append(f"matched {_quote(found.matched)}")
    if found.missing and status != "supported":
        parts.append(f"missing {_quote(found.missing)}")
    if found.gaps:
        parts.append(f"not in the passage: {'; '.join(found.gaps)}")
    if found.hedges and status in ("supported", "partial"):
        parts.append(
            f"the passage hedges or attributes it ({', '.join(found.hedges)}); the sentence states it flatly"
        )
    return "; ".join(parts)


# --- the whole summary ------------------------------------------------------------------------------
def verify(
    summary: str | Path | Briefing,
    sources: Sources | None = None,
    *,
    judge: ChatClient | None = None,
) -> Briefing:
    """Check a summary (Markdown or plain text with [S1:3] markers, a file, or a Briefing) against its
    sources (paths, Articles, a Corpus, or a prebuilt `Verifier`; a Briefing's own sources if None)."""
    from .compare import compare

    base = summary if isinstance(summary, Briefing) else None
    verifier = _verifier(sources, base)
    if base is not None:
        given = list(base.sentences)
    else:
        text = summary.read_text(encoding="utf-8") if isinstance(summary, Path) else str(summary)
        given = parse_summary(text)
    if not given:
        raise ConfigError(
            "the summary has no sentences to check: give Markdown or plain text with [S1:3]-style markers"
        )
    checked = [verifier.check_sentence(s.text, s.citations, s.note) for s in given]
    usage = base.usage if base is not None else Usage()
    notes = list(base.notes) if base is not None else []
    if judge is not None:
        from .judge import judge_sentences

        checked, judged = judge_sentences(judge, verifier.corpus, checked)
        usage += judged
        notes.append(f"LLM judge: {judged.calls} calls, {judged.cached_calls} from cache")
    report = compare(verifier, checked)
    notes.append("verify: " + ", ".join(f"{n} {s}" for s, n in report.statuses.items()))
    corpus = verifier.corpus
    return Briefing(
        engine=base.engine if base is not None else "verify",
        model=base.model if base is not None else "verify",
        sentences=tuple(checked),
        sources=corpus.sources,
        groups=corpus.groups,
        usage=usage,
        words=base.words if base is not None else sum(len(s.text.split()) for s in checked),
        notes=tuple(notes),
        skipped=base.skipped if base is not None else _skipped(sources),
        created=now_iso(),
        report=report,
    )


def _verifier(sources: Sources | None, base: Briefing | None) -> Verifier:
    if isinstance(sources, Verifier):
        return sources
    if sources is None:
        if base is None:
            raise ConfigError(
                "verify needs the sources the summary cites: pass the article paths or a Corpus"
            )
        return Verifier(base.corpus)
    if isinstance(sources, Corpus):
        return Verifier(sources)
    articles = sources if isinstance(sources, Articles) else load_articles(_as_list(sources))
    if not articles:
        raise ConfigError("no articles found in the given sources: pass files or folders with articles")
    return Verifier(build_corpus(articles))


def _skipped(sources: Sources | None) -> tuple[Skipped, ...]:
    """Inputs that `load_articles(..., skip_bad=True)` left out, so the Briefing lists them."""
    if not isinstance(sources, Articles):
        return ()
    return tuple(Skipped(path=e.path, error=str(e)) for e in sources.skipped)


def _as_list(sources: Any) -> list[Any]:
    if isinstance(sources, str | Path | dict | Article):
        return [sources]
    return list(sources)
