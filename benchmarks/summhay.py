"""Coverage and citation quality on SummHay news: does the summary state the gold insights, and do its
citations point at documents that hold them?

    python benchmarks/summhay.py [--data DIR] [--words 250] [--engine extractive|openai] [--limit N]
                                 [--sumy] [--out DIR]

Per instance (topic x subtopic, 12-38 documents), every system writes a `--words` summary of the
instance's documents (a `Corpus` from `toolkit.ingest.passages.build_corpus`, document k is source S{k+1}).
SummHay's summaries are query-focused; ours are not (the engines take no query), so every system
summarises the whole haystack and coverage is bounded by what a generic summary of it states.

Coverage, the stated criterion: an insight is covered when the toolkit's own support checker
(`toolkit.check.verifier.Verifier`, the one that checks our citations) finds it `supported` by the summary,
read as a corpus with one passage per summary sentence (joint support by several summary sentences
counts). `benchmarks/citations.py` measures that checker on this same data: 95.6% precision and 83.8%
recall for insight-vs-document support, so coverage is a slight under-count. A looser column counts
`partial` too, and a lexical one takes, per insight, the best ROUGE-1 recall (stemmed) of any single
summary sentence, covered at >= 0.5.

Citations (engines that cite): for each covered insight, the summary sentence that supports it best
(the checker's best passage); its cited passages map to documents (S3:2 -> document 2).
Precision = cited documents that hold the insight (gold `doc_indices`) / cited documents;
recall = gold documents cited / gold documents (SummHay cites every holding document, so recall is
low by design for a summary that cites where it quoted from). Averaged over covered insights.

Baselines: Lead (round-robin) and classic LexRank from `quality.py`; sumy's LexRank and TextRank with
`--sumy` only (pure Python, quadratic in sentences: about 15 s per instance here, 10 min for all 42).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import quality
from _common import (
    DEFAULT_DATA,
    RESULTS,
    Outcome,
    Table,
    command_line,
    make_summarizer,
    md_table,
    progress,
    publish,
    summhay,
)
from rouge_score import rouge_scorer

from toolkit.check.verifier import Verifier
from toolkit.engines.base import Draft
from toolkit.ingest.passages import build_corpus
from toolkit.models import Article, Corpus, Passage, Sentence, Source, SummarySentence

# A system returns summary sentences with their citations (none for baselines).
System = Callable[[Corpus, int], list[SummarySentence]]
ROUGE_COVERED = 0.5


@dataclass
class Score:
    insights: int = 0
    supported: int = 0
    partial: int = 0
    rouge_best: list[float] = field(default_factory=list)
    precision: list[float] = field(default_factory=list)
    recall: list[float] = field(default_factory=list)
    cited: bool = False
    words: list[int] = field(default_factory=list)
    seconds: float = 0.0


def summary_corpus(sentences: Sequence[SummarySentence]) -> Corpus:
    """The summary as a one-source corpus, one passage per sentence, so the Verifier can read it."""
    text = ""
    passages: list[Passage] = []
    for k, s in enumerate(sentences, 1):
        body = " ".join(s.text.split())
        start = len(text)
        text += body + "\n\n"
        end = start + len(body)
        sentence = Sentence(text=body, start=start, end=end)
        passages.append(Passage(id=f"S1:{k}", text=body, start=start, end=end, sentences=(sentence,)))
    return Corpus(sources=(Source(id="S1", text=text, passages=tuple(passages), origin="S1"),))


def cited_documents(sentence: SummarySentence) -> set[int]:
    """Passage ids S{k}:{n} -> 0-based document indices k-1."""
    return {int(c.split(":", 1)[0][1:]) - 1 for c in sentence.citations}


def score_instance(
    sentences: list[SummarySentence], insights: list[dict[str, Any]], scorer: Any, score: Score
) -> None:
    if not sentences:
        score.insights += len(insights)
        score.rouge_best += [0.0] * len(insights)
        return
    verifier = Verifier(summary_corpus(sentences))
    ids = [f"S1:{k}" for k in range(1, len(sentences) + 1)]
    for item in insights:
        insight = str(item["insight"])
        score.insights += 1
        checked = verifier.check_sentence(insight, ids)
        score.supported += checked.status == "supported"
        score.partial += checked.status in ("supported", "partial")
        score.rouge_best.append(max(scorer.score(insight, s.text)["rouge1"].recall for s in sentences))
        if checked.status != "supported" or not score.cited:
            continue
        best = max(checked.checks, key=lambda c: (c.status == "supported", c.score))
        docs = cited_documents(sentences[int(best.passage.split(":")[1]) - 1])
        gold = set(item["doc_indices"])
        if docs:
            score.precision.append(len(docs & gold) / len(docs))
            score.recall.append(len(docs & gold) / len(gold))


def baseline(fn: quality.Summarizer) -> System:
    """A quality.py baseline (plain sentences), cut to the budget like quality.py cuts it."""

    def run(corpus: Corpus, words: int) -> list[SummarySentence]:
        out: list[SummarySentence] = []
        total = 0
        for text in fn(corpus, words):
            if total >= words:
                break
            kept = " ".join(text.split()[: words - total])
            out.append(SummarySentence(text=kept))
            total += len(kept.split())
        return out

    return run


def engine_system(engine: str) -> System:
    summarize = make_summarizer(engine)

    def run(corpus: Corpus, words: int) -> list[SummarySentence]:
        draft: Draft = summarize(corpus, words)
        return list(draft.sentences)

    return run


def run(
    data: Path = DEFAULT_DATA,
    words: int = 250,
    engine: str = "extractive",
    limit: int | None = None,
    sumy: bool = False,
) -> Outcome:
    rows = summhay(data)[:limit] if limit else summhay(data)
    systems: dict[str, System] = {
        f"ours ({engine})": engine_system(engine),
        "Lead (round-robin)": baseline(quality.lead_round_robin),
        "LexRank (classic, ours)": baseline(quality.lexrank_classic),
    }
    if sumy:
        for kind, label in (("lexrank", "LexRank (sumy)"), ("textrank", "TextRank (sumy)")):
            fn = quality._sumy(kind)
            if fn is not None:
                systems[label] = baseline(fn)
    scores = {name: Score(cited=name.startswith("ours")) for name in systems}
    scorer = rouge_scorer.RougeScorer(["rouge1"], use_stemmer=True)
    started = time.perf_counter()
    for n, row in enumerate(rows, 1):
        corpus = build_corpus([Article(text=str(d), path=f"doc{k}") for k, d in enumerate(row["documents"])])
        for name, system in systems.items():
            t0 = time.perf_counter()
            sentences = system(corpus, words)
            scores[name].seconds += time.perf_counter() - t0
            scores[name].words.append(sum(len(s.text.split()) for s in sentences))
            score_instance(sentences, list(row["insights"]), scorer, scores[name])
        progress(f"summhay: {n}/{len(rows)} instances")
    total = time.perf_counter() - started
    body_rows = []
    for name, s in scores.items():
        pct = 100 / max(s.insights, 1)
        covered_rouge = sum(r >= ROUGE_COVERED for r in s.rouge_best)
        body_rows.append(
            (
                name,
                f"{s.supported * pct:.1f}%",
                f"{s.partial * pct:.1f}%",
                f"{covered_rouge * pct:.1f}%",
                f"{statistics.fmean(s.rouge_best):.2f}",
                f"{100 * statistics.fmean(s.precision):.1f}%" if s.precision else "—",
                f"{100 * statistics.fmean(s.recall):.1f}%" if s.recall else "—",
                f"{statistics.fmean(s.words):.0f}",
                f"{1000 * s.seconds / len(rows):.0f} ms",
            )
        )
    n_insights = next(iter(scores.values())).insights
    body = "\n".join(
        [
            md_table(
                [
                    "system",
                    "coverage (supported)",
                    "coverage (supported or partial)",
                    f"coverage (ROUGE-1 recall >= {ROUGE_COVERED})",
                    "mean best ROUGE-1 recall",
                    "citation precision",
                    "citation recall",
                    "words",
                    "time / instance",
                ],
                body_rows,
            ),
            "",
            f"{len(rows)} instances, {n_insights} gold insights, {words}-word summaries; "
            f"{total:.0f} s in all.",
            "Coverage: share of gold insights the toolkit's `Verifier` finds `supported` by the summary",
            "(one passage per summary sentence, joint support counts); the looser columns count `partial`",
            f"too, or a summary sentence with ROUGE-1 recall of the insight >= {ROUGE_COVERED} (stemmed).",
            "Citation precision/recall: over covered insights, the documents cited by the summary sentence",
            "that best supports the insight, against the insight's gold `doc_indices`. Baselines do not",
            "cite.",
            "SummHay summaries are query-focused (one subtopic); these are generic summaries of all the",
            "documents of an instance, which also discuss the topic's other subtopics.",
            ""
            if "LexRank (sumy)" in systems
            else "sumy rows: run with `--sumy` (about 10 min for 42 instances).",
        ]
    )
    title = "Coverage and citations on SummHay news"
    return Outcome([Table("summhay", title, body)])


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the dev folder (holds summhay_news/)")
    ap.add_argument("--words", type=int, default=250)
    ap.add_argument("--engine", default="extractive", help="extractive (default) or openai (OPENAI_* env)")
    ap.add_argument("--limit", type=int, default=None, help="the first N instances only")
    ap.add_argument("--sumy", action="store_true", help="add sumy LexRank/TextRank (slow)")
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args(argv)
    start = time.perf_counter()
    outcome = run(args.data, args.words, args.engine, args.limit, args.sumy)
    publish(outcome, command_line("summhay.py", argv), args.out, time.perf_counter() - start)
    return 0


if __name__ == "__main__":
    sys.exit(main())
