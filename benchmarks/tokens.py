"""Prompt tokens per cluster: our plan against naive concatenation and LangChain's summarise chains.

    python benchmarks/tokens.py [--data DIR] [--words 250] [--out DIR]

Clusters with wire copies:

- the bundled seeds (5 articles; 001 and 002 are one AFP story, 002 reworded by a syndicated feed);
- each of the ten MultiLing 2011 clusters (10 WikiNews articles) plus lightly edited wire copies of
  three of its articles (the 1st, 4th and 7th), made by `_common.wire_copy`: an outlet line above the
  story, a few words swapped (said -> stated ...), the last paragraph trimmed when there are four or
  more, and a syndication note at the end. So 3 of the cluster's 13 articles are copies.

Every system talks to the same scripted OpenAI-compatible server (`tests/fakeserver.py`, in process,
127.0.0.1), and prompt tokens are counted from the requests the server received: o200k_base tokens
(`toolkit.text.tokens.get_tokenizer`) of every message's content, summed over calls.

- naive: the raw articles joined by blank lines, no instructions (a lower bound for "paste it all");
- ours: `OpenAIEngine` (gpt-4o-mini, 128k context: one call) answering through the tests' scripted
  model; the plan's own estimate is shown next to it;
- LangChain `load_summarize_chain(ChatOpenAI(...), chain_type=...)` with default prompts and settings
  (`stuff`, `map_reduce` with token_max 3000, and `refine`), fed the raw articles as Documents. The
  scripted server answers LangChain's prompts with the first two sentences of the text it was asked
  to summarise (refine: the running summary plus two sentences of the new text, at most 250 words);
  the answers' length only changes what map_reduce's reduce and refine's later calls send.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
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
    wire_copy,
)

from toolkit import build_corpus, load_articles
from toolkit.models import Article
from toolkit.text.tokens import count_tokens, get_tokenizer

# Which articles of a MultiLing cluster get a wire copy, in order: 3 copies -> the 1st, 4th and 7th.
COPY_ORDER = (0, 3, 6, 9, 1, 4, 7, 2, 5, 8)
COPIES = 3
SWEEP = (0, 3, 5, 10)
OUTLETS = ("Wire Reprints Daily", "The Syndicated Post", "NewsFeed Online")
CHAINS = ("stuff", "map_reduce", "refine")
TARGET_SAVING = 0.25


@dataclass
class Row:
    cluster: str
    articles: int
    copies: int
    naive: int
    ours: int
    ours_calls: int
    plan: int
    skipped: int
    chains: dict[str, tuple[int, int]]  # chain type -> (prompt tokens, calls)

    @property
    def saving(self) -> float:
        return 1 - self.ours / self.naive


def with_copies(row: dict[str, Any], copies: int) -> list[Article]:
    """A MultiLing cluster's articles followed by wire copies of `copies` of them."""
    docs = [str(d) for d in row["documents"]]
    made = [wire_copy(docs[k], OUTLETS[n % len(OUTLETS)]) for n, k in enumerate(COPY_ORDER[:copies])]
    return [Article(text=t, path=f"{row['id']}_{k:02d}") for k, t in enumerate(docs + made)]


def clusters(data: Path, copies: int = COPIES) -> list[tuple[str, list[Article], int]]:
    """(name, articles, how many are copies) for every cluster with wire copies."""
    out = [("seeds", list(load_articles(EXAMPLES)), 1)]
    out += [(str(row["id"]), with_copies(row, copies), copies) for row in multiling(data)]
    return out


def sweep(data: Path, words: int) -> list[tuple[int, int, int, int]]:
    """(copies per cluster, articles, naive tokens, our prompt tokens) over the ten MultiLing clusters."""
    tok = get_tokenizer(MODEL)
    out: list[tuple[int, int, int, int]] = []
    rows = multiling(data)
    with scripted_server(our_answer) as server:
        for copies in SWEEP:
            naive = ours = articles = 0
            for row in rows:
                arts = with_copies(row, copies)
                articles += len(arts)
                naive += count_tokens(tok, "\n\n".join(a.text for a in arts))
                before = len(server.chat_requests)
                our_engine(server.base_url).summarize(build_corpus(arts, tok), words=words)
                ours += request_tokens(server.chat_requests[before:], tok)
            out.append((copies, articles, naive, ours))
    return out


def measure(data: Path, words: int) -> tuple[list[Row], str | None]:
    tok = get_tokenizer(MODEL)
    missing = langchain_missing()
    rows: list[Row] = []
    with scripted_server(our_answer) as server:
        for name, articles, copies in clusters(data):
            texts = [a.text for a in articles]
            naive = count_tokens(tok, "\n\n".join(texts))
            corpus = build_corpus(articles, tok)
            engine = our_engine(server.base_url)
            plan = engine.plan(corpus, words=words)
            server.handler = our_answer
            before = len(server.chat_requests)
            engine.summarize(corpus, words=words)
            sent = server.chat_requests[before:]
            chains: dict[str, tuple[int, int]] = {}
            if missing is None:
                server.handler = langchain_answer
                for kind in CHAINS:
                    before = len(server.chat_requests)
                    langchain_chain(server.base_url, kind).invoke(
                        {"input_documents": langchain_documents(texts)}
                    )
                    calls = server.chat_requests[before:]
                    chains[kind] = (request_tokens(calls, tok), len(calls))
            rows.append(
                Row(
                    name,
                    len(articles),
                    copies,
                    naive,
                    request_tokens(sent, tok),
                    len(sent),
                    plan.prompt_tokens,
                    plan.duplicates_skipped,
                    chains,
                )
            )
            progress(f"tokens: {name} done")
    return rows, missing


def saving(part: int, whole: int) -> str:
    """How many fewer (or more) tokens `part` sends than `whole`, as a percentage."""
    if not whole:
        return "—"
    change = 100 * (1 - part / whole)
    return f"{change:.0f}% fewer" if change >= 0 else f"{-change:.0f}% more"


def run(data: Path = DEFAULT_DATA, words: int = 250) -> Outcome:
    rows, missing = measure(data, words)
    header = ["cluster", "articles (copies)", "naive", "ours (calls)", "ours vs naive", "plan estimate"]
    header += ["copy passages not re-sent"]
    header += [f"LangChain {k} (calls)" for k in CHAINS]
    table_rows: list[list[object]] = []
    for r in rows:
        line: list[object] = [
            r.cluster,
            f"{r.articles} ({r.copies})",
            f"{r.naive:,}",
            f"{r.ours:,} ({r.ours_calls})",
            saving(r.ours, r.naive),
            f"{r.plan:,}",
            r.skipped,
        ]
        line += [f"{r.chains[k][0]:,} ({r.chains[k][1]})" if k in r.chains else "—" for k in CHAINS]
        table_rows.append(line)
    total_naive = sum(r.naive for r in rows)
    total_ours = sum(r.ours for r in rows)
    totals: list[object] = [
        "**all clusters**",
        f"{sum(r.articles for r in rows)} ({sum(r.copies for r in rows)})",
        f"{total_naive:,}",
        f"{total_ours:,} ({sum(r.ours_calls for r in rows)})",
        saving(total_ours, total_naive),
        f"{sum(r.plan for r in rows):,}",
        sum(r.skipped for r in rows),
    ]
    for k in CHAINS:
        if all(k in r.chains for r in rows):
            tokens = sum(r.chains[k][0] for r in rows)
            totals.append(f"{tokens:,} ({sum(r.chains[k][1] for r in rows)})")
        else:
            totals.append("—")
    table_rows.append(totals)
    savings = [r.saving for r in rows]
    worst = min(rows, key=lambda r: r.saving)
    vs_chain = []
    for k in CHAINS:
        if all(k in r.chains for r in rows):
            theirs = sum(r.chains[k][0] for r in rows)
            vs_chain.append(f"LangChain {k}: ours sends {saving(total_ours, theirs)}")
    notes = [
        "",
        "Prompt tokens (o200k_base) of all messages the scripted server received, summed over calls.",
        "naive = the raw articles joined by blank lines, no instructions. ours = what `OpenAIEngine`",
        "sent (instructions, source headers and passage ids included, boilerplate removed by the",
        "cleaner, each near-duplicate passage sent once); plan estimate = `toolkit.plan()` before any call.",
        "MultiLing clusters: the ten clusters, each with wire copies of 3 of its 10 articles",
        "(`_common.wire_copy`); seeds: the bundled example as it is (001/002 are one AFP story).",
        f"Ours vs naive per cluster: mean {100 * statistics.fmean(savings):.0f}% fewer, worst "
        f"{100 * worst.saving:.0f}% ({worst.cluster}), best {100 * max(savings):.0f}%.",
        "; ".join(vs_chain) + "." if vs_chain else "",
    ]
    if missing:
        notes.append(missing)
    curve = sweep(data, words)
    n_clusters = len(rows) - 1
    notes += [
        "",
        "The saving grows with the share of copies. Ours vs naive over the ten MultiLing clusters with",
        "0 to 10 wire copies per cluster (the rows above use 3):",
        "",
        md_table(
            ["copies per cluster", "articles", "copies' share of articles", "naive", "ours", "ours vs naive"],
            [
                (c, a, f"{100 * c * n_clusters / a:.0f}%", f"{n:,}", f"{o:,}", saving(o, n))
                for c, a, n, o in curve
            ],
        ),
    ]
    body = md_table(header, table_rows) + "\n" + "\n".join(notes)
    met_all = sum(s >= TARGET_SAVING for s in savings)
    target = Target(
        "at least 25% fewer prompt tokens than naive concatenation on clusters with wire copies",
        f"{saving(total_ours, total_naive)} over all {len(rows)} clusters; per cluster "
        f"{100 * worst.saving:.0f}%–{100 * max(savings):.0f}% ({met_all} of {len(rows)} at 25% or more)",
        total_ours <= (1 - TARGET_SAVING) * total_naive,
    )
    return Outcome([Table("tokens", "Prompt tokens per cluster: ours vs naive vs LangChain", body)], [target])


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
    return 0


if __name__ == "__main__":
    sys.exit(main())
