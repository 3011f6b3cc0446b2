"""Prompt tokens per real news cluster: ours against pasting the articles, LangChain `stuff`, and the
physical limit.

    python benchmarks/tokens.py [--data DIR] [--words 250] [--out DIR]

Clusters, as they are (no copies added):

- the bundled example `examples/syria-iraq-2025` (5 articles; two are one AFP story);
- each of the ten MultiLing 2011 clusters (10 WikiNews articles each);
- each of the 42 SummHay news instances (12-38 synthetic news documents each, about 800 words);

and clusters with many wire copies: each MultiLing cluster plus lightly edited wire copies of 3 and of
10 of its articles (`_common.wire_copy`: an outlet line above the story, a few words swapped, the last
paragraph trimmed when there are four or more, a syndication note at the end).

Columns (prompt tokens, o200k_base, of every message the scripted server received, summed over calls):

- naive: the raw articles joined by blank lines, no instructions ("paste it all");
- LangChain `stuff`: `load_summarize_chain(ChatOpenAI(...), chain_type="stuff")` with its default prompt,
  fed the raw articles as Documents;
- limit: the physical limit, what any summariser that must see every fact has to send: the unique
  content (each source's title, outlet and date, and its cleaned passages, one line each;
  near-duplicate passages once, sentences already sent word for word left out, `<br>` tags as spaces)
  plus a minimal instruction (`MINIMAL`);
- limit + ids: the limit plus one token per passage line, the least a prompt can send whose answer
  cites passages by number (a number costs at least one o200k_base token);
- ours: what `OpenAIEngine` (gpt-4o-mini, 128k context: one call) sent through the scripted server with
  its default `cite="local"` (plain prompt; the checker finds each sentence's passages afterwards), and
  with `cite="model"` (the model cites the passage numbers it is shown).
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from _common import (
    DEFAULT_DATA,
    EXAMPLES,
    MODEL,
    RESULTS,
    Outcome,
    Table,
    Target,
    command_line,
    langchain_answer,
    langchain_chain,
    langchain_documents,
    langchain_missing,
    md_table,
    multiling,
    our_answer,
    our_engine,
    progress,
    publish,
    request_tokens,
    scripted_server,
    summhay,
    wire_copy,
)

from toolkit import build_corpus, load_articles, summarize
from toolkit.models import Article, Corpus, Sentence
from toolkit.plan.planning import sent_passages
from toolkit.text.tokens import Tokenizer, count_tokens, get_tokenizer

# Which articles of a MultiLing cluster get a wire copy, in order.
COPY_ORDER = (0, 3, 6, 9, 1, 4, 7, 2, 5, 8)
OUTLETS = ("Wire Reprints Daily", "The Syndicated Post", "NewsFeed Online")
MINIMAL = "Summarize these articles in about {words} words; cite passage numbers."
LIMIT_SLACK = 0.05


@dataclass
class Row:
    cluster: str
    kind: str  # example | multiling | summhay | copies
    articles: int
    copies: int
    naive: int
    stuff: int | None
    limit: int
    numbered: int  # the limit plus one token per passage number
    ours: int  # the default, cite=local: plain prompt, the checker cites afterwards
    calls: int
    statuses: Counter[str]
    invalid: int  # citations to passages that do not exist
    model: int = 0  # cite=model: the model cites the passage numbers it was shown
    model_statuses: Counter[str] = field(default_factory=Counter)


def with_copies(row: dict[str, Any], copies: int) -> list[Article]:
    """A MultiLing cluster's articles followed by wire copies of `copies` of them."""
    docs = [str(d) for d in row["documents"]]
    made = [wire_copy(docs[k], OUTLETS[n % len(OUTLETS)]) for n, k in enumerate(COPY_ORDER[:copies])]
    return [Article(text=t, path=f"{row['id']}_{k:02d}") for k, t in enumerate(docs + made)]


def clusters(data: Path) -> list[tuple[str, str, list[Article], int]]:
    """(name, kind, articles, copies among them) for every cluster measured."""
    out = [("syria-iraq-2025", "example", list(load_articles(EXAMPLES)), 0)]
    rows = multiling(data)
    for row in rows:
        arts = [Article(text=str(t), path=f"{row['id']}_{k:02d}") for k, t in enumerate(row["documents"])]
        out.append((str(row["id"]).replace("multiling2011-en-", "MultiLing "), "multiling", arts, 0))
    for row in summhay(data):
        arts = [
            Article(text=str(t), path=str(d)) for d, t in zip(row["doc_ids"], row["documents"], strict=True)
        ]
        out.append((str(row["id"]), "summhay", arts, 0))
    for copies in (3, 10):
        for row in rows:
            name = f"{str(row['id']).replace('multiling2011-en-', 'MultiLing ')} + {copies} copies"
            out.append((name, "copies", with_copies(row, copies), copies))
    return out


BREAK_TAG = re.compile(r"<\s*br\s*/?\s*>", re.IGNORECASE)


def unique_lines(corpus: Corpus) -> tuple[list[str], int]:
    """The unique content as lines (each source's title, outlet and date on one line, its passages one
    per line, near-duplicate passages once and any sentence already sent word for word left out, `<br>`
    tags as spaces) and the number of passage lines."""
    lines: list[str] = []
    seen: set[str] = set()
    passages = 0
    for source, kept in sent_passages(corpus):
        meta = " ".join(x for x in (source.title, source.outlet, source.date) if x)
        if kept and meta:
            lines.append(" ".join(meta.split()))
        for p in kept:
            fresh = []
            for sentence in p.sentences or (Sentence(text=p.text, start=p.start, end=p.end),):
                text = " ".join(BREAK_TAG.sub(" ", sentence.text).split())
                if text.casefold() not in seen:
                    seen.add(text.casefold())
                    fresh.append(text)
            if fresh:
                lines.append(" ".join(fresh))
                passages += 1
    return lines, passages


def physical_limit(corpus: Corpus, tokenizer: Tokenizer, words: int) -> tuple[int, int]:
    """Tokens of the unique content (`unique_lines`) plus `MINIMAL`; and the same plus one token per
    passage line, the least any prompt that numbers its passages for citations can send."""
    lines, passages = unique_lines(corpus)
    limit = count_tokens(tokenizer, MINIMAL.format(words=words)) + count_tokens(tokenizer, "\n".join(lines))
    return limit, limit + passages


def measure(data: Path, words: int) -> tuple[list[Row], str | None]:
    tok = get_tokenizer(MODEL)
    missing = langchain_missing()
    rows: list[Row] = []
    with scripted_server(our_answer) as server:
        for name, kind, articles, copies in clusters(data):
            texts = [a.text for a in articles]
            corpus = build_corpus(articles, tok)
            server.handler = our_answer
            before = len(server.chat_requests)
            briefing = summarize(corpus, engine=our_engine(server.base_url), words=words)
            sent = server.chat_requests[before:]
            statuses = Counter(s.status or "unchecked" for s in briefing.sentences)
            invalid = sum(not corpus.has_passage(c) for s in briefing.sentences for c in s.citations)
            invalid += sum("not exist" in (s.note or "") for s in briefing.sentences)
            before = len(server.chat_requests)
            cited = summarize(corpus, engine=our_engine(server.base_url, cite="model"), words=words)
            model = request_tokens(server.chat_requests[before:], tok)
            model_statuses = Counter(s.status or "unchecked" for s in cited.sentences)
            stuff = None
            if missing is None:
                server.handler = langchain_answer
                before = len(server.chat_requests)
                langchain_chain(server.base_url, "stuff").invoke(
                    {"input_documents": langchain_documents(texts)}
                )
                stuff = request_tokens(server.chat_requests[before:], tok)
            rows.append(
                Row(
                    name,
                    kind,
                    len(articles),
                    copies,
                    count_tokens(tok, "\n\n".join(texts)),
                    stuff,
                    *physical_limit(corpus, tok, words),
                    request_tokens(sent, tok),
                    len(sent),
                    statuses,
                    invalid,
                    model,
                    model_statuses,
                )
            )
            progress(f"tokens: {name} done")
    return rows, missing


def ratio(part: int, whole: int | None) -> str:
    return f"{part / whole:.3f}" if whole else "—"


PER_CLUSTER = ["cluster", "articles", "naive", "LangChain stuff", "limit", "limit + ids", "ours", "/ naive"]
PER_CLUSTER += ["/ stuff", "/ limit", "ours, cite=model", "cite=model / naive"]
KINDS = (
    ("example", "the bundled example"),
    ("multiling", "MultiLing 2011, 10 clusters as they are"),
    ("summhay", "SummHay news, 42 instances as they are"),
    ("copies", "MultiLing clusters with 3 or 10 wire copies added"),
)


def summary_rows(rows: list[Row]) -> list[list[object]]:
    out: list[list[object]] = []
    for kind, label in KINDS:
        rs = [r for r in rows if r.kind == kind]
        if not rs:
            continue
        naive, ours, limit = (sum(getattr(r, f) for r in rs) for f in ("naive", "ours", "limit"))
        stuffs = [r.stuff for r in rs if r.stuff is not None]
        stuff = sum(stuffs) if len(stuffs) == len(rs) else None
        below = sum(r.ours < r.naive for r in rs)
        worst = max(r.ours / r.limit for r in rs)
        model = sum(r.model for r in rs)
        out.append(
            [
                label,
                len(rs),
                sum(r.articles for r in rs),
                f"{naive:,}",
                f"{stuff:,}" if stuff is not None else "—",
                f"{limit:,}",
                f"{ours:,}",
                ratio(ours, naive),
                ratio(ours, stuff),
                ratio(ours, limit),
                f"{worst:.3f}",
                f"{below} of {len(rs)}",
                f"{model:,}",
                ratio(model, naive),
                f"{sum(r.model < r.naive for r in rs)} of {len(rs)}",
            ]
        )
    return out


def run(data: Path = DEFAULT_DATA, words: int = 250) -> Outcome:
    rows, missing = measure(data, words)
    head = ["clusters", "n", "articles", "naive", "LangChain stuff", "limit", "ours", "ours / naive"]
    head += ["ours / stuff", "ours / limit", "worst cluster ours / limit", "clusters where ours < naive"]
    head += ["ours, cite=model", "cite=model / naive", "clusters where cite=model < naive"]
    per = [
        [
            r.cluster,
            r.articles,
            f"{r.naive:,}",
            f"{r.stuff:,}" if r.stuff is not None else "—",
            f"{r.limit:,}",
            f"{r.numbered:,}",
            f"{r.ours:,} ({r.calls})",
            ratio(r.ours, r.naive),
            ratio(r.ours, r.stuff),
            ratio(r.ours, r.limit),
            f"{r.model:,}",
            ratio(r.model, r.naive),
        ]
        for r in rows
    ]
    real = [r for r in rows if r.kind != "copies"]
    ratios = [r.ours / r.limit for r in real]
    lose = [r for r in rows if r.ours >= r.naive]
    bound = [r for r in real if r.numbered >= r.naive]
    statuses: Counter[str] = Counter()
    model_statuses: Counter[str] = Counter()
    for r in rows:
        statuses += r.statuses
        model_statuses += r.model_statuses
    checked = ", ".join(f"{n} {status}" for status, n in statuses.most_common())
    model_checked = ", ".join(f"{n} {status}" for status, n in model_statuses.most_common())
    body = "\n".join(
        [
            md_table(head, summary_rows(rows)),
            "",
            "Prompt tokens (o200k_base) of all messages the scripted server received, summed over calls.",
            "naive = the raw articles joined by blank lines, no instructions. LangChain stuff = its",
            "default `stuff` prompt over the raw articles. limit = the unique content (title, outlet, date",
            "and cleaned passages, one per line; near-duplicate passages once, sentences already sent word",
            "for word left out, `<br>` tags as spaces) plus a minimal instruction",
            f'("{MINIMAL.format(words=words)}"). limit + ids = the limit plus one token per passage line',
            "(a passage number costs at least one token), the least a prompt whose answers cite passages",
            'can send. ours = what `OpenAIEngine` sent with its default `cite="local"` (instructions and',
            "source lines included; no passage numbers: the model writes plain sentences and the checker",
            "finds the passages that hold each one, `toolkit.check.attribute`). ours, cite=model = the",
            "same run when the model cites the passage numbers it is shown (numbers and repeat marks sent).",
            f"Real clusters where the limit + ids is already at or above naive: {len(bound)} of {len(real)}"
            + (": " if bound else "")
            + ", ".join(f"{r.cluster} ({r.numbered:,} vs {r.naive:,})" for r in bound)
            + " (there the unique content, one token per passage number and the minimal instruction",
            "already reach naive: a prompt whose answers cite numbered passages cannot be shorter than",
            "the raw articles without dropping content; cite=model loses on "
            f"{sum(r.model >= r.naive for r in real)} of {len(real)} real clusters).",
            "Real clusters (example, MultiLing, SummHay): ours / limit median "
            f"{statistics.median(ratios):.3f}, worst {max(ratios):.3f}.",
            "Clusters where ours sends as many tokens as naive or more: "
            + (", ".join(f"{r.cluster} ({r.ours:,} vs {r.naive:,})" for r in lose) or "none")
            + ".",
            "Quality kept while trimming (the tests' scripted model, which quotes the first sentence of the",
            f"passages it was sent): {sum(sum(r.statuses.values()) for r in rows)} "
            f"sentences over all clusters, checker statuses: {checked}; citations to passages that do not",
            f"exist: {sum(r.invalid for r in rows)}; with cite=model (it cites their numbers): "
            f"{model_checked}.",
            "A real model's quality with these prompts is not measured here; `results/attribution.md`",
            "measures the local citations against SummHay's gold links.",
            missing or "",
            "",
            "Per cluster (ours: prompt tokens (calls)):",
            "",
            md_table(PER_CLUSTER, per),
        ]
    )
    targets = [
        Target(
            "fewer prompt tokens than naive concatenation on every real cluster",
            f"{sum(r.ours < r.naive for r in real)} of {len(real)} real clusters "
            f"({sum(r.ours < r.naive for r in rows)} of {len(rows)} with the copy clusters)",
            all(r.ours < r.naive for r in real),
        ),
        Target(
            "within 5% of the physical limit on every real cluster",
            f"worst {max(ratios):.3f}x the limit, median {statistics.median(ratios):.3f}x",
            max(ratios) <= 1 + LIMIT_SLACK,
        ),
    ]
    title = "Prompt tokens per cluster: ours vs naive, LangChain stuff and the limit"
    return Outcome([Table("tokens", title, body)], targets)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    ap.add_argument(
        "--data", type=Path, default=DEFAULT_DATA, help="the dev folder (holds multiling2011_en/)"
    )
    ap.add_argument("--words", type=int, default=250)
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args(argv)
    start = time.perf_counter()
    outcome = run(args.data, args.words)
    publish(outcome, command_line("tokens.py", argv), args.out, time.perf_counter() - start)
    for t in outcome.targets:
        print(f"- {t.target}: {t.measured} ({'met' if t.met else 'NOT met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
