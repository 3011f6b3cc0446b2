"""Citations found after the fact (`cite="local"`) against SummHay's gold insight-to-document links.

    python benchmarks/attribution.py [--data DIR] [--limit N] [--out DIR]

With `cite="local"` the model writes plain sentences and `toolkit.check.attribute` gives each one the
passages that hold it. SummHay (Laban et al. 2024) gives, per topic x subtopic, 12-38 news documents and
the "insights" each holds (`doc_indices`): every insight is taken as a summary sentence written without
citations, attributed over its instance's documents, and the documents of the passages found are
compared with the gold ones:

- cited: share of insights given at least one passage;
- hit: share of insights with at least one cited document that holds it (gold);
- precision: cited documents that hold the insight / cited documents (mean over cited insights);
- recall: gold documents cited / gold documents (SummHay lists every holding document; an attribution
  citing at most `MOST_CITED` passages, copies aside, cannot reach all of them);
- supported: share of insights the checker then rates `supported` with those citations.

Off-topic rows: the insights of an instance about another topic attributed over these documents, where
every citation is wrong: the share given any citation and the share rated `supported`.

Baseline: the retrieval step alone, as post-hoc citing is usually done (ALCE, Gao et al. 2023, with a
dense retriever; here offline, TF-IDF cosine over the same passages): the top-1 passage, and the top-3.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from _common import DEFAULT_DATA, RESULTS, Outcome, Table, Target, command_line, md_table, publish
from citations import corpus_of, data_file, insights_of, load
from train_checker import summhay_train

from toolkit.check.attribute import attribute
from toolkit.check.verifier import Verifier
from toolkit.text.similarity import content_terms, tfidf_matrix

TRAIN_EVERY = 3  # as citations.py: instances 0, 3, 6 ... fitted the checker's weights; the rest are held out

Attributor = Callable[[Verifier, str], tuple[str, ...]]


@dataclass
class Tally:
    insights: int = 0
    cited: int = 0
    hits: int = 0
    precision: list[float] = field(default_factory=list)
    recall: list[float] = field(default_factory=list)
    supported: int = 0
    off_topic: int = 0
    off_cited: int = 0
    off_supported: int = 0
    seconds: float = 0.0

    def row(self, name: str) -> list[str]:
        def share(k: int, n: int) -> str:
            return f"{k / n:.1%}" if n else "—"

        def mean(xs: list[float]) -> str:
            return f"{statistics.fmean(xs):.1%}" if xs else "—"

        calls = self.insights + self.off_topic
        return [
            name,
            f"{self.insights:,}",
            share(self.cited, self.insights),
            share(self.hits, self.insights),
            mean(self.precision),
            mean(self.recall),
            share(self.supported, self.insights),
            share(self.off_cited, self.off_topic),
            share(self.off_supported, self.off_topic),
            f"{1000 * self.seconds / calls:.2f} ms" if calls else "—",
        ]


def documents_of(ids: Sequence[str]) -> set[int]:
    """`S3:2` -> document 2 (source k+1 is document k)."""
    return {int(pid.split(":")[0][1:]) - 1 for pid in ids}


class TfidfTop:
    """The retrieval baseline: the `k` passages with the highest TF-IDF cosine to the sentence."""

    def __init__(self, k: int) -> None:
        self.k = k

    def __call__(self, verifier: Verifier, text: str) -> tuple[str, ...]:
        passages = verifier.passages
        texts = [" ".join(verifier.corpus.passage(p.id).text.split()) for p in passages]
        matrix = tfidf_matrix([content_terms(text)] + [content_terms(t) for t in texts])
        scores = (matrix[:1] @ matrix[1:].T).toarray()[0]
        order = [int(i) for i in scores.argsort()[::-1][: self.k] if scores[i] > 0]
        return tuple(passages[i].id for i in order)


Outcome_ = tuple[set[int] | None, tuple[str, ...], str, float]  # gold, cited ids, status, seconds


def attribute_all(
    verifier: Verifier, insights: list[tuple[str, set[int] | None]], find: Attributor
) -> list[Outcome_]:
    """Each insight's gold documents, the passages `find` gives it, the checker's status, the seconds."""
    out: list[Outcome_] = []
    for insight, gold in insights:
        start = time.perf_counter()
        ids = find(verifier, insight)
        seconds = time.perf_counter() - start
        status = verifier.check_sentence(insight, ids).status if ids else "uncited"
        out.append((gold, ids, status, seconds))
    return out


def add(tally: Tally, outcomes: list[Outcome_]) -> None:
    for gold, ids, status, seconds in outcomes:
        tally.seconds += seconds
        if gold is None:
            tally.off_topic += 1
            tally.off_cited += bool(ids)
            tally.off_supported += status == "supported"
            continue
        tally.insights += 1
        if not ids:
            continue
        docs = documents_of(ids)
        tally.cited += 1
        tally.hits += bool(docs & gold)
        tally.precision.append(len(docs & gold) / len(docs))
        tally.recall.append(len(docs & gold) / len(gold))
        tally.supported += status == "supported"


def run(data: Path = DEFAULT_DATA, limit: int | None = None) -> Outcome:
    every = load(data_file(data), None)
    rows = every[:limit] if limit else every
    systems: dict[str, Attributor] = {
        "ours (`toolkit.check.attribute`)": attribute,
        "TF-IDF top-1 passage": TfidfTop(1),
        "TF-IDF top-3 passages": TfidfTop(3),
    }
    tallies = {(name, part): Tally() for name in systems for part in ("all", "held out")}
    for n, row in enumerate(rows):
        verifier = corpus_of([str(d) for d in row["documents"]])  # type: ignore[attr-defined]
        insights = insights_of(every, n)
        parts = ("all",) if summhay_train(n, TRAIN_EVERY) else ("all", "held out")
        for name, find in systems.items():
            outcomes = attribute_all(verifier, insights, find)
            for part in parts:
                add(tallies[name, part], outcomes)
        print(f"\r{n + 1}/{len(rows)} instances", end="", file=sys.stderr)
    print(file=sys.stderr)
    head = ["attribution", "instances", "insights", "cited", "hit", "precision", "recall", "supported"]
    head += ["off-topic cited", "off-topic supported", "time / sentence"]
    body_rows = []
    for part in ("all", "held out"):
        count = sum(1 for n in range(len(rows)) if part == "all" or not summhay_train(n, TRAIN_EVERY))
        for name in systems:
            cells = tallies[name, part].row(name)
            body_rows.append([cells[0], f"{count} ({part})", *cells[1:]])
    ours = tallies["ours (`toolkit.check.attribute`)", "held out"]
    top1 = tallies["TF-IDF top-1 passage", "held out"]
    lines = [
        md_table(head, body_rows),
        "",
        "Every SummHay insight attributed over its instance's documents as a summary sentence written",
        "without citations; hit = at least one cited document holds it (gold `doc_indices`); precision and",
        "recall over cited documents (mean per cited insight); supported = the checker's verdict with the",
        "citations found. Off-topic: the insights of an instance about another topic, attributed over these",
        "documents (every citation wrong). Held out: instances whose insights did not fit the checker's",
        f"weights (every {TRAIN_EVERY}rd instance did).",
    ]
    targets = [
        Target(
            "local citations hit a holding document at least as often as TF-IDF top-1 (held out)",
            f"{ours.hits / max(1, ours.insights):.1%} vs {top1.hits / max(1, top1.insights):.1%}",
            ours.hits >= top1.hits,
        )
    ]
    title = f"Local citations (cite=local) vs SummHay gold insight-to-document links ({len(rows)} instances)"
    return Outcome([Table("attribution", title, "\n".join(lines))], targets)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the dev folder (holds summhay_news/)")
    ap.add_argument("--limit", type=int, default=None, help="only the first N instances")
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args(argv)
    start = time.perf_counter()
    outcome = run(args.data, args.limit)
    publish(outcome, command_line("attribution.py", argv), args.out, time.perf_counter() - start)
    for t in outcome.targets:
        print(f"- {t.target}: {t.measured} ({'met' if t.met else 'NOT met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
