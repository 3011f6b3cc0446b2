"""The citation checker as a factual-consistency detector on FRANK's human judgements of news summaries.

    python benchmarks/factcheck.py [--data DIR] [--split test|valid] [--limit N] [--out DIR]

FRANK (Pagnoni et al., NAACL 2021) has 2,246 model summaries of CNN/DM and XSum articles, each
sentence labelled consistent or not by three annotators (with an error type). Each article becomes one
source (`build_corpus`, as the toolkit loads any article), and every summary sentence cites all of
its passages, so the checker decides on its own where the evidence is. A sentence is predicted
consistent when its status is `supported`; a summary when all its sentences are.

Reported, separately for CNN/DM and XSum (they differ in balance: 59% vs 8% consistent summaries,
so the pooled figure flatters): balanced accuracy (mean of the recall on consistent and on
inconsistent items) at summary level and at sentence level (sentences whose label FRANK's aggregate
fixes), recall per error type, the false-alarm rate on consistent sentences, and speed. Tune on
`valid`, report on `test` (FRANK asks that tuning use `valid` only).

FRANK's texts are tokenised and lower-cased (`-lrb-`, ` , `, `world\\'s`): `readable()` undoes the
tokenisation and restores the article's capitals for words the article writes capitalised (a
summary from our own engines is written normally); `article_text()` puts back the paragraph breaks
that FRANK's XSum articles lost ("community.Dr Venter"). `UNK` tokens are dropped. The data is
read by path, never copied.

With `--judge auto` the same run also asks a scripted claim-versus-evidence judge (an in-process
double of the chat seam that answers from the gold label, so it shows the mechanics and the number of
calls, not a model's accuracy) about the sentences the fast check cannot settle.
"""

from __future__ import annotations

import argparse
import bisect
import math
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from _common import (
    DEFAULT_DATA,
    RESULTS,
    Outcome,
    Table,
    command_line,
    load_jsonl,
    md_table,
    progress,
    publish,
)

from toolkit import build_corpus
from toolkit.check.decide import consistency
from toolkit.check.verifier import SUPPORT_FLOOR, Verifier
from toolkit.models import Article, SummarySentence, Usage

DATASETS = ("cnndm", "xsum")
ERRORS = ("EntE", "RelE", "CircE", "OutE", "CorefE", "LinkE", "GramE", "Other")
_DETOK = [
    (re.compile(r"\[?\bUNK\b\]?\s*"), ""),  # the summariser's unknown-word token, not text
    (re.compile(r"-lrb-\s*", re.IGNORECASE), "("),
    (re.compile(r"\s*-rrb-", re.IGNORECASE), ")"),
    (re.compile(r"-lsb-\s*", re.IGNORECASE), "["),
    (re.compile(r"\s*-rsb-", re.IGNORECASE), "]"),
    (re.compile(r"\\'"), "'"),
    (re.compile(r"``\s*|\s*''"), '"'),
    (re.compile(r"\s+([.,;:!?%])"), r"\1"),
    (re.compile(r"\s+('s|'re|'ve|'ll|'d|n't|')\b"), r"\1"),
    (re.compile(r"\$\s+(?=\d)"), "$"),
]
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")


def readable(text: str, article_case: dict[str, str]) -> str:
    """FRANK's tokenised, lower-cased summary text as a person would write it."""
    out = text
    for pattern, repl in _DETOK:
        out = pattern.sub(repl, out)
    out = _WORD.sub(lambda m: article_case.get(m.group(0), m.group(0)), out)
    out = out.strip()
    return out[:1].upper() + out[1:]


_JOINED = re.compile(r"(?<=[a-z0-9)%][.!?])(?=[A-Z])|(?<=[a-z0-9)%][.!?][\"”])(?=[A-Z])")


def article_text(article: str) -> str:
    """FRANK's XSum articles join paragraphs with no space ("community.Dr Venter"): split them again."""
    return _JOINED.sub("\n\n", article)


def casing(article: str) -> dict[str, str]:
    """lower-case word -> its capitalised form, for words the article writes capitalised mid-sentence
    more often than in lower case."""
    caps: Counter[str] = Counter()
    lower: Counter[str] = Counter()
    form: dict[str, str] = {}
    for m in re.finditer(r"(?<=[a-z,;:]\s)([A-Za-z][A-Za-z'-]*)|([a-z][A-Za-z'-]*)", article):
        word = m.group(0)
        if word[0].isupper():
            caps[word.lower()] += 1
            form.setdefault(word.lower(), word)
        else:
            lower[word] += 1
    for m in re.finditer(r"\b[A-Z][A-Za-z'-]*", article):  # names seen only at a sentence start
        key = m.group(0).lower()
        if key not in lower and key not in form and len(key) > 2:
            form[key] = m.group(0)
            caps[key] += 1
    return {w: f for w, f in form.items() if caps[w] > lower[w]}


@dataclass
class Binary:
    """Counts of a detector of inconsistency: positive = inconsistent."""

    tp: int = 0
    fn: int = 0
    tn: int = 0
    fp: int = 0

    def add(self, flagged: bool, inconsistent: bool) -> None:
        if inconsistent:
            self.tp += flagged
            self.fn += not flagged
        else:
            self.fp += flagged
            self.tn += not flagged

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else float("nan")

    @property
    def specificity(self) -> float:
        return self.tn / (self.tn + self.fp) if self.tn + self.fp else float("nan")

    @property
    def balanced(self) -> float:
        return (self.recall + self.specificity) / 2

    @property
    def n(self) -> int:
        return self.tp + self.fn + self.tn + self.fp


@dataclass
class Tally:
    summaries: dict[str, Binary] = field(default_factory=lambda: defaultdict(Binary))
    sentences: dict[str, Binary] = field(default_factory=lambda: defaultdict(Binary))
    by_error: dict[tuple[str, str], list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    statuses: Counter[tuple[str, bool, str]] = field(default_factory=Counter)
    checked: int = 0
    check_seconds: float = 0.0
    index_seconds: float = 0.0
    judge_calls: int = 0
    judge_tokens: int = 0
    ranking: dict[str, list[tuple[float, bool]]] = field(default_factory=lambda: defaultdict(list))


def flagged(sentence: SummarySentence) -> bool:
    return sentence.status != "supported"


def run(rows: Sequence[dict[str, Any]], *, judge: str = "off") -> Tally:
    tally = Tally()
    by_article: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_article[row["hash"]].append(row)
    for n, (_, group) in enumerate(by_article.items(), 1):
        if n % 50 == 0:
            progress(f"  {n}/{len(by_article)} articles")
        article = group[0]["article"]
        t0 = time.perf_counter()
        verifier = Verifier(build_corpus([Article(text=article_text(article), title="")]))
        tally.index_seconds += time.perf_counter() - t0
        ids = [p.id for p in verifier.passages]
        case = casing(article)
        for row in group:
            texts = [readable(s["text"], case) for s in row["sentences"]]
            t0 = time.perf_counter()
            checked = [verifier.check_sentence(t, ids) for t in texts]
            if judge == "auto":
                checked, usage = scripted_auto(verifier, checked, row)
                tally.judge_calls += usage.calls
                tally.judge_tokens += usage.prompt_tokens + usage.completion_tokens
            tally.check_seconds += time.perf_counter() - t0
            tally.checked += len(texts)
            score(tally, row, checked)
            if judge == "off":
                tally.ranking[row["dataset"]].append(
                    (min(sentence_score(verifier, t, ids) for t in texts), not row["consistent"])
                )
    return tally


def sentence_score(verifier: Verifier, text: str, ids: Sequence[str]) -> float:
    """The offline check's score of a sentence against its best-matching cited passage: the fitted
    probability (`toolkit.check.decide.consistency`), minus 1 when a rule already keeps it from
    `supported` (a clash, a missing number, name or date, a relation, too few key terms)."""
    found = max(verifier.found(text, ids), key=lambda f: f.coverage)
    assert found.signals is not None
    vetoed = bool(found.conflict or found.gaps or found.coverage < SUPPORT_FLOOR)
    return consistency(found.signals) - float(vetoed)


def ranking_table(tally: Tally) -> str:
    """How well the summary score (its lowest sentence score) ranks inconsistent summaries below
    consistent ones: ROC AUC, and the best balanced accuracy any single threshold reaches on this
    split. The latter is read off the split itself: a ceiling for threshold tuning, not a result."""
    rows = []
    for key in DATASETS:
        scored = tally.ranking.get(key, [])
        ok = sorted(x for x, bad in scored if not bad)
        bad = sorted(x for x, b in scored if b)
        if not ok or not bad:
            continue
        below = sum(
            bisect.bisect_left(ok, x) + 0.5 * (bisect.bisect_right(ok, x) - bisect.bisect_left(ok, x))
            for x in bad
        )
        auc = 1 - below / (len(ok) * len(bad))
        cuts = [*sorted({x for x, _ in scored}), math.inf]
        best = max(
            (bisect.bisect_left(bad, t) / len(bad) + (len(ok) - bisect.bisect_left(ok, t)) / len(ok)) / 2
            for t in cuts
        )
        rows.append(({"cnndm": "CNN/DM", "xsum": "XSum"}[key], f"{auc:.3f}", f"{best:.3f}"))
    return md_table(["part", "ROC AUC (summary score)", "best balanced acc., any threshold (ceiling)"], rows)


def score(tally: Tally, row: dict[str, Any], checked: Sequence[SummarySentence]) -> None:
    ds = row["dataset"]
    flag = any(flagged(s) for s in checked)
    for key in (ds, "all"):
        tally.summaries[key].add(flag, not row["consistent"])
    for gold, sentence in zip(row["sentences"], checked, strict=True):
        if gold["consistent"] is None:
            continue
        for key in (ds, "all"):
            tally.sentences[key].add(flagged(sentence), not gold["consistent"])
        tally.statuses[(ds, bool(gold["consistent"]), sentence.status)] += 1
        for code in gold["errors"] or ():
            for key in (ds, "all"):
                hit = tally.by_error[(key, code)]
                hit[0] += flagged(sentence)
                hit[1] += 1


def scripted_auto(
    verifier: Verifier, checked: list[SummarySentence], row: dict[str, Any]
) -> tuple[list[SummarySentence], Usage]:
    """`judge="auto"` through the real judge code, against a scripted chat double answering from gold."""
    from toolkit.check.judge import auto_judge

    # Where FRANK's aggregate leaves a sentence's label open, the scripted judge agrees with the fast check.
    gold = [
        g["consistent"] if g["consistent"] is not None else s.status == "supported"
        for g, s in zip(row["sentences"], checked, strict=True)
    ]
    client = _GoldChat(dict(zip((s.text for s in checked), gold, strict=True)))
    out, usage = auto_judge(client, verifier.corpus, checked)
    return out, usage


class _GoldChat:
    """A scripted chat client: answers the claim judge from FRANK's label of the sentence it is asked
    about (the mechanics and the number of calls and tokens, not a model's accuracy)."""

    def __init__(self, labels: dict[str, bool | None]) -> None:
        from toolkit.plan.prompting import escape_source_text

        self.labels = {escape_source_text(k): v for k, v in labels.items()}

    async def complete(self, request: Any) -> Any:
        import json

        from toolkit.chat.llm import ChatResponse
        from toolkit.text.tokens import count_tokens, get_tokenizer

        tok = get_tokenizer("gpt-4o-mini")
        text = "\n".join(m["content"] for m in request.message_dicts())
        claim = text.split("<claim>\n", 1)[-1].split("\n</claim>", 1)[0]
        label = self.labels.get(claim)
        verdict = "supported" if label is not False else "unsupported"
        body = json.dumps({"verdict": verdict, "reason": "scripted from the gold label"})
        return ChatResponse(
            text=body, prompt_tokens=count_tokens(tok, text), completion_tokens=count_tokens(tok, body)
        )


def recheck(rows: Sequence[dict[str, Any]], articles: int = 50, edits: int = 200) -> Table:
    """Re-checking one edited sentence in a corpus of `articles` articles: the sentence check (its
    2 best passages cited) and the same plus its row of the comparison report (alignment against
    every source), after the index and the corpus-level report parts are built once."""
    import statistics

    from toolkit.check.compare import compare_and_mark

    chosen: dict[str, dict[str, Any]] = {}
    for ds in DATASETS:  # half CNN/DM (one long paragraph each), half XSum (short paragraphs)
        for row in rows:
            if row["dataset"] == ds and sum(r["dataset"] == ds for r in chosen.values()) < articles // 2:
                chosen.setdefault(row["hash"], row)
    picked = list(chosen.values())
    t0 = time.perf_counter()
    corpus = build_corpus(
        [Article(text=article_text(r["article"]), title=f"story {k}") for k, r in enumerate(picked)]
    )
    verifier = Verifier(corpus)
    build = time.perf_counter() - t0
    sentences = [(k, s["text"]) for k, r in enumerate(picked) for s in r["sentences"]]
    check_ms: list[float] = []
    both_ms: list[float] = []
    compare_and_mark(verifier, [verifier.check_sentence("warm up", [verifier.passages[0].id])])
    for n in range(edits):
        k, raw = sentences[n % len(sentences)]
        text = readable(raw, casing(picked[k]["article"])) + f" (edit {n})"
        scores = verifier.scores(text)
        own = [i for i, p in enumerate(verifier.passages) if p.source == f"S{k + 1}"]
        cites = [verifier.passages[i].id for i in sorted(own, key=lambda i: -scores[i])[:2]]
        edited = text.replace(" (edit", f" (edited {n}")
        t0 = time.perf_counter()
        checked = verifier.check_sentence(edited, cites)
        t1 = time.perf_counter()
        compare_and_mark(verifier, [checked])
        t2 = time.perf_counter()
        check_ms.append((t1 - t0) * 1000)
        both_ms.append((t2 - t0) * 1000)

    def p95(xs: list[float]) -> float:
        return sorted(xs)[int(0.95 * (len(xs) - 1))]

    body = md_table(
        ["step", "median ms", "95th percentile ms"],
        [
            ("check the edited sentence", f"{statistics.median(check_ms):.2f}", f"{p95(check_ms):.2f}"),
            ("... and its comparison row", f"{statistics.median(both_ms):.2f}", f"{p95(both_ms):.2f}"),
        ],
    )
    body = (
        f"{len(picked)} articles of FRANK's split (half CNN/DM, half XSum) as one corpus "
        f"({len(verifier.passages)} passages; "
        f"index built once in {build:.1f} s), {edits} edited summary sentences, each citing its 2 best "
        f"passages.\n\n{body}\n"
    )
    return Table(
        name="factcheck_recheck", title=f"Re-checking an edited sentence at {len(picked)} articles", body=body
    )


def fmt(x: float) -> str:
    return "n/a" if x != x else f"{x:.3f}"


def tables(tally: Tally, split: str, label: str = "offline check") -> list[Table]:
    rows = []
    for key in (*DATASETS, "all"):
        s, t = tally.summaries[key], tally.sentences[key]
        rows.append(
            (
                {"cnndm": "CNN/DM", "xsum": "XSum", "all": "pooled"}[key],
                s.n,
                fmt(s.balanced),
                fmt(s.recall),
                fmt(s.specificity),
                t.n,
                fmt(t.balanced),
                f"{1 - t.specificity:.1%}" if t.tn + t.fp else "n/a",
            )
        )
    main = md_table(
        [
            "part",
            "summaries",
            "balanced acc. (summary)",
            "errors caught",
            "consistent passed",
            "labelled sentences",
            "balanced acc. (sentence)",
            "false alarms on consistent sentences",
        ],
        rows,
    )
    err_rows = []
    for code in ERRORS:
        cells = []
        for key in (*DATASETS, "all"):
            hit, n = tally.by_error.get((key, code), [0, 0])
            cells.append(f"{hit / n:.0%} of {n}" if n else "-")
        err_rows.append((code, *cells))
    errors = md_table(["error type", "CNN/DM caught", "XSum caught", "all caught"], err_rows)
    speed = tally.checked / tally.check_seconds if tally.check_seconds else 0.0
    timing = (
        f"{tally.checked} sentences checked in {tally.check_seconds:.1f} s: **{speed:.0f} sentences/s** "
        f"(plus {tally.index_seconds:.1f} s building one index per article)."
    )
    if tally.judge_calls:
        share = tally.judge_calls / max(tally.checked, 1)
        per = tally.judge_tokens / tally.judge_calls
        timing += (
            f" Judge calls: {tally.judge_calls} ({share:.0%} of the sentences), {per:.0f} tokens per call"
            " (prompt and answer, o200k_base)."
        )
    body = f"Split `{split}`, {label}. A summary is flagged when any sentence is not `supported`.\n\n"
    body += main + "\n\nInconsistent sentences caught (not `supported`), by FRANK error type:\n\n" + errors
    if tally.ranking:
        body += (
            "\n\nHow well the offline check ranks summaries (summary score: the lowest over its sentences of "
            "the fitted probability, minus 1 where a rule already withholds `supported`). The last column "
            "picks the threshold on this split itself: a ceiling for any threshold, not a result:\n\n"
            + ranking_table(tally)
        )
    body += "\n\n" + timing + "\n"
    name = (
        "factcheck"
        + ("" if label == "offline check" else "_judge")
        + ("" if split == "test" else f"_{split}")
    )
    return [Table(name=name, title=f"FRANK factual consistency ({label}, {split})", body=body)]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA / "factcheck", help="the FRANK folder")
    parser.add_argument("--split", choices=("test", "valid"), default="test")
    parser.add_argument("--limit", type=int, default=0, help="first N summaries only (0: all)")
    parser.add_argument("--judge", choices=("off", "auto"), default="off")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    path = args.data / "data.jsonl"
    if not path.exists():
        raise SystemExit(f"no FRANK data at {path}: pass --data DIR (the folder holding data.jsonl)")
    rows = [r for r in load_jsonl(path) if r["split"] == args.split]
    if args.limit:
        rows = rows[: args.limit]
    t0 = time.perf_counter()
    tally = run(rows)
    outcome = Outcome(tables=tables(tally, args.split))
    outcome.tables.append(recheck(rows))
    if args.judge == "auto":
        judged = run(rows, judge="auto")
        outcome.tables += tables(judged, args.split, 'judge="auto", scripted judge')
    publish(outcome, command_line("factcheck.py", argv), args.out, time.perf_counter() - t0)
    return 0


def statuses(tally: Tally) -> Iterable[str]:
    for (ds, ok, status), n in sorted(tally.statuses.items()):
        yield f"{ds} {'consistent' if ok else 'inconsistent'} {status}: {n}"


if __name__ == "__main__":
    sys.exit(main())
