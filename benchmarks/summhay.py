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
counts). `benchmarks/citations.py` measures that checker on this same data (precision and
recall of insight-vs-document support in `results/citations.md`): a checker that misses support
makes coverage an under-count. A looser column counts
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
from toolkit.models import Corpus, Passage, Sentence, Source, SummarySentence

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
    # per instance: share of its insights supported, and its mean best ROUGE-1 recall
    instance_supported: list[float] = field(default_factory=list)
    instance_rouge: list[float] = field(default_factory=list)


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


def row_for(name: str, s: Score, n_rows: int) -> tuple[str, ...]:
    pct = 100 / max(s.insights, 1)
    covered_rouge = sum(r >= ROUGE_COVERED for r in s.rouge_best)
    spread = [100 * x for x in s.instance_supported]
    return (
        f"**{name}**" if name.startswith("ours") else name,
        f"{s.supported * pct:.1f}%",
        f"{s.partial * pct:.1f}%",
        f"{covered_rouge * pct:.1f}%",
        f"{statistics.fmean(s.rouge_best):.2f}",
        f"{statistics.median(spread):.0f}% ({min(spread):.0f}–{max(spread):.0f}%)",
        f"{100 * statistics.fmean(s.precision):.1f}%" if s.precision else "—",
        f"{100 * statistics.fmean(s.recall):.1f}%" if s.recall else "—",
        f"{statistics.fmean(s.words):.0f}",
        f"{1000 * s.seconds / max(n_rows, 1):.0f} ms",
    )


HEADER = [
    "system",
    "coverage (supported)",
    "coverage (supported or partial)",
    f"coverage (ROUGE-1 recall >= {ROUGE_COVERED})",
    "mean best ROUGE-1 recall",
    "supported per instance: median (min–max)",
    "citation precision",
    "citation recall",
    "words",
    "time / instance",
]


def margin_rows(by_input: dict[str, dict[str, Score]], ours_name: str) -> list[tuple[str, ...]]:
    """Ours minus the strongest baseline per input and measure, paired bootstrap over instances."""
    out: list[tuple[str, ...]] = []
    measures = (
        ("coverage (supported), points", lambda x: x.instance_supported, 100.0),
        ("mean best ROUGE-1 recall", lambda x: x.instance_rouge, 1.0),
    )
    for inputs, scores in by_input.items():
        for label, get, scale in measures:
            others = {n: x for n, x in scores.items() if n != ours_name}
            best = max(others, key=lambda n: statistics.fmean(get(others[n])))
            diffs = [scale * (a - b) for a, b in zip(get(scores[ours_name]), get(others[best]), strict=True)]
            low, high = quality.bootstrap_interval(diffs)
            m = quality.Margin(inputs, label, best, statistics.fmean(diffs), low, high,
                               statistics.median(diffs), sum(d > 0 for d in diffs), len(diffs),
                               near=quality.NEAR_ZERO * scale / 100)  # fmt: skip
            fmt = "{:+.1f}" if scale > 1 else "{:+.2f}"
            out.append(
                (
                    inputs,
                    label,
                    best,
                    fmt.format(m.mean),
                    f"[{fmt.format(low)}, {fmt.format(high)}]",
                    f"{sum(d > 0 for d in diffs)} / {sum(d < 0 for d in diffs)} of {len(diffs)}",
                    m.verdict,
                )
            )
    return out


def run(
    data: Path = DEFAULT_DATA,
    words: int = 250,
    engine: str = "extractive",
    limit: int | None = None,
    sumy: bool = False,
) -> Outcome:
    quality.REUSED_OUTPUTS["count"] = 0
    rows = summhay(data)[:limit] if limit else summhay(data)
    ours_name = f"ours ({engine})"
    systems: dict[str, System] = {
        ours_name: engine_system(engine),
        "Lead (first document)": baseline(quality.lead_first),
        "Lead (round-robin)": baseline(quality.lead_round_robin),
        "LexRank (classic, ours)": baseline(quality.lexrank_classic),
    }
    if sumy:
        for kind, label in (("lexrank", "LexRank (sumy)"), ("textrank", "TextRank (sumy)")):
            fn = quality._sumy(kind)
            if fn is not None:
                systems[label] = baseline(fn)
    scorer = rouge_scorer.RougeScorer(["rouge1"], use_stemmer=True)
    started = time.perf_counter()
    by_input: dict[str, dict[str, Score]] = {}
    for inputs, make in quality.INPUTS.items():
        scores = {name: Score(cited=name.startswith("ours")) for name in systems}
        for n, row in enumerate(rows, 1):
            corpus = make([str(d) for d in row["documents"]])
            insights = list(row["insights"])
            for name, system in systems.items():
                t0 = time.perf_counter()
                sentences = system(corpus, words)
                sc = scores[name]
                sc.seconds += time.perf_counter() - t0 + quality.take_reused()
                sc.words.append(sum(len(x.text.split()) for x in sentences))
                before_supported, before_rouge = sc.supported, len(sc.rouge_best)
                score_instance(sentences, insights, scorer, sc)
                sc.instance_supported.append((sc.supported - before_supported) / max(len(insights), 1))
                sc.instance_rouge.append(statistics.fmean(sc.rouge_best[before_rouge:] or [0.0]))
            progress(f"summhay ({inputs}): {n}/{len(rows)} instances")
        by_input[inputs] = scores
    total = time.perf_counter() - started
    n_insights = next(iter(by_input["cleaned"].values())).insights
    parts: list[str] = []
    for inputs, scores in by_input.items():
        parts += [
            f"## {quality.INPUT_LABEL[inputs]}",
            "",
            md_table(HEADER, [row_for(name, sc, len(rows)) for name, sc in scores.items()]),
            "",
        ]
    parts += [
        f"## Margins: ours minus the strongest baseline ({len(rows)} instances, paired bootstrap)",
        "",
        md_table(
            [
                "input",
                "measure",
                "strongest baseline",
                "mean difference",
                "95% interval",
                "instances won / lost",
                "verdict",
            ],
            margin_rows(by_input, ours_name),
            3,
        ),
        "",
        "## How to read this",
        "",
        f"{len(rows)} instances, {n_insights} gold insights, {words}-word summaries; {total:.0f} s in all.",
        "Coverage: share of gold insights the toolkit's `Verifier` finds `supported` by the summary",
        "(one passage per summary sentence, joint support counts); the looser columns count `partial`",
        f"too, or a summary sentence with ROUGE-1 recall of the insight >= {ROUGE_COVERED} (stemmed).",
        "Citation precision/recall: over covered insights, the documents cited by the summary sentence",
        "that best supports the insight, against the insight's gold `doc_indices`. Baselines do not",
        "cite. Every system reads the same corpus per input (cleaned by the toolkit, or raw). The",
        "interval is a 95% percentile bootstrap of the mean per-instance difference (10,000 resamples,",
        f'fixed seed); "within noise" means it includes zero; "barely" that a bound is within'
        f" {quality.NEAR_ZERO} points of coverage ({quality.NEAR_ZERO / 100} of recall) of zero.",
        "SummHay summaries are query-focused (one subtopic); these are generic summaries of all the",
        "documents of an instance, which also discuss the topic's other subtopics. What would make this",
        "unfair: leaving out a baseline that beats us (the strongest is named in the margins table) or",
        "the sumy rows.",
        (
            f"sumy rows: {quality.REUSED_OUTPUTS['count']} of their outputs were reused from the cache of an"
            " earlier run on the same sentences with the same sumy (`quality.SUMY_CACHE`), with the time"
            " they took then."
            if quality.REUSED_OUTPUTS["count"]
            else ""
        )
        if sumy
        else "sumy rows: run with `--sumy` (about 10 min per input for 42 instances); not in this run.",
    ]
    title = "Coverage and citations on SummHay news"
    return Outcome([Table("summhay", title, "\n".join(parts))])


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
