"""Calls and wall time against an endpoint with a fixed latency per call: ours vs LangChain.

    python benchmarks/latency.py [--data DIR] [--latency 0.3] [--context 16384] [--out DIR]

The scripted server (`tests/fakeserver.py`, in process on 127.0.0.1) waits `--latency` seconds (300 ms)
before every answer, like a hosted model with a fixed time per call; answers come from the tests'
scripted model (ours) or the first sentences of the text (LangChain, see `tokens.py`).

Articles: 5, 20 and 50 SummHay news documents of one topic (the topic with the most distinct
documents; about 730 words each), so one event-sized folder grows.

- ours: `OpenAIEngine` through `OpenAIChat` (official SDK, at most 8 calls in flight), with the model's
  context set to `--context` (16,384 tokens) so 5 articles fit one call and 20 or 50 need map-reduce
  (map calls run concurrently, then one reduce). "engine" times `engine.summarize(corpus)` (plan, calls,
  parsing); "end to end" times `toolkit.summarize(articles, engine=...)`, which also builds the corpus
  (clean, segment, dedupe) and checks every citation.
- LangChain `load_summarize_chain` with default settings over `ChatOpenAI`: `map_reduce` with `invoke`
  (LangChain's sync chat `generate` sends the map calls one after another), `map_reduce` with `ainvoke`
  (map calls concurrently), and `refine` (one call per document, necessarily in order).
- single call: one small chat request through `OpenAIChat` (median of 3), the unit of the target.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _common import (
    DEFAULT_DATA,
    LATENCY,
    MODEL,
    RESULTS,
    Outcome,
    Table,
    Target,
    command_line,
    delayed,
    langchain_answer,
    langchain_chain,
    langchain_documents,
    langchain_missing,
    md_table,
    our_answer,
    our_engine,
    progress,
    publish,
    scripted_server,
    summhay,
)

from toolkit import build_corpus, summarize
from toolkit.chat.endpoint import EndpointConfig
from toolkit.chat.llm import ChatRequest, OpenAIChat
from toolkit.models import Article
from toolkit.text.tokens import get_tokenizer

SIZES = (5, 20, 50)
CONTEXT = 16_384
WORDS = 250


@dataclass
class Timing:
    system: str
    articles: int
    calls: int
    seconds: float
    in_flight: int
    detail: str = ""


def topic_documents(data: Path) -> list[str]:
    """The distinct documents of the SummHay topic that has the most of them, in first-seen order."""
    by_topic: dict[str, dict[str, str]] = {}
    for row in summhay(data):
        docs = by_topic.setdefault(str(row["topic"]), {})
        for doc_id, text in zip(row["doc_ids"], row["documents"], strict=True):
            docs.setdefault(str(doc_id), str(text))
    return list(max(by_topic.values(), key=len).values())


def single_call(base_url: str) -> float:
    """Median wall time of one small chat request through our client (3 calls after a warm-up call on
    the same client, so client set-up is not counted)."""

    async def calls() -> list[float]:
        chat = OpenAIChat(EndpointConfig(base_url=base_url, api_key="bench", model=MODEL))
        times = []
        for k in range(4):
            start = time.perf_counter()
            await chat.complete(ChatRequest.of(f"Say hello ({k})."))
            times.append(time.perf_counter() - start)
        await chat.aclose()
        return times[1:]

    return statistics.median(asyncio.run(calls()))


def clock(server: Any, system: str, n: int, fn: Callable[[], Any], detail: str = "") -> Timing:
    server.max_in_flight = 0
    before = len(server.chat_requests)
    start = time.perf_counter()
    fn()
    seconds = time.perf_counter() - start
    timing = Timing(system, n, len(server.chat_requests) - before, seconds, server.max_in_flight, detail)
    progress(f"latency: {system}, {n} articles: {seconds:.2f} s, {timing.calls} calls")
    return timing


def measure_size(
    server: Any, articles: list[Article], latency: float, context: int, loop: asyncio.AbstractEventLoop | None
) -> list[Timing]:
    """Every system on one folder of `articles` (one server, handlers switched per system). LangChain
    runs when `loop` is given: its async calls all run on that one loop, because langchain-openai
    caches one async HTTP client per base URL for the whole process, bound to the loop it first ran on."""
    n = len(articles)
    corpus = build_corpus(articles, get_tokenizer(MODEL))
    server.handler = delayed(our_answer, latency)
    plan = our_engine(server.base_url, context=context).plan(corpus, words=WORDS)
    detail = f"{plan.strategy}, {len(plan.chunks)} map chunks" if plan.chunks else plan.strategy
    engine = our_engine(server.base_url, context=context)
    out = [clock(server, "ours: engine", n, lambda: engine.summarize(corpus, words=WORDS), detail)]
    fresh = our_engine(server.base_url, context=context)
    out.append(clock(server, "ours: end to end", n, lambda: summarize(articles, engine=fresh, words=WORDS)))
    if loop is None:
        return out
    server.handler = delayed(langchain_answer, latency)
    docs = {"input_documents": langchain_documents([a.text for a in articles])}
    chain = langchain_chain(server.base_url, "map_reduce")
    out.append(clock(server, "LangChain map_reduce (invoke)", n, lambda: chain.invoke(docs)))
    out.append(
        clock(
            server, "LangChain map_reduce (ainvoke)", n, lambda: loop.run_until_complete(chain.ainvoke(docs))
        )
    )
    refine = langchain_chain(server.base_url, "refine")
    out.append(clock(server, "LangChain refine (invoke)", n, lambda: refine.invoke(docs)))
    return out


def measure(data: Path, latency: float, context: int) -> tuple[float, list[Timing], str | None]:
    pool = topic_documents(data)
    missing = langchain_missing()
    timings: list[Timing] = []
    loop = asyncio.new_event_loop() if missing is None else None
    try:
        with scripted_server(delayed(our_answer, latency)) as server:
            one = single_call(server.base_url)
            for n in SIZES:
                articles = [Article(text=t, path=f"doc{k:02d}") for k, t in enumerate(pool[:n])]
                timings += measure_size(server, articles, latency, context, loop)
    finally:
        if loop is not None:
            loop.close()
    return one, timings, missing


SYSTEMS = (
    "ours: engine",
    "ours: end to end",
    "LangChain map_reduce (invoke)",
    "LangChain map_reduce (ainvoke)",
    "LangChain refine (invoke)",
)


def cell(t: Timing, one: float) -> str:
    calls = f"{t.calls} call{'s' if t.calls != 1 else ''}"
    return f"{t.seconds:.2f} s · {calls} · {t.in_flight} at once · {t.seconds / one:.1f}x"


def run(data: Path = DEFAULT_DATA, latency: float = LATENCY, context: int = CONTEXT) -> Outcome:
    one, timings, missing = measure(data, latency, context)
    by = {(t.system, t.articles): t for t in timings}
    rows = [
        [system, *(cell(by[system, n], one) if (system, n) in by else "—" for n in SIZES)]
        for system in SYSTEMS
        if any((system, n) in by for n in SIZES)
    ]
    plans = ", ".join(f"{n} articles: {by['ours: engine', n].detail}" for n in SIZES)
    body = "\n".join(
        [
            md_table(["system", *(f"{n} articles" for n in SIZES)], rows),
            "",
            "Each cell: wall time · calls · most calls in flight at once · wall time in single calls.",
            f"Fixed latency {1000 * latency:.0f} ms per call; one small call through our client takes "
            f"{1000 * one:.0f} ms (median of 3 on a warm client), the unit of the last figure.",
            f"Ours: gpt-4o-mini with the context set to {context:,} tokens ({plans}), at most 8 calls in",
            "flight, no cache. 'engine' = plan + calls + parsing on a built corpus; 'end to end' =",
            "`summarize()` from the articles, corpus building and citation checks included.",
            "LangChain: default `load_summarize_chain` settings; `invoke` is how its docs call a chain,",
            "and its sync chat `generate` sends the map calls one at a time; `ainvoke` sends them all at",
            "once (unbounded).",
            missing or "",
        ]
    )
    ours50 = next(t for t in timings if t.system == "ours: engine" and t.articles == max(SIZES))
    target = Target(
        "50 articles in at most 3 times the latency of a single call",
        f"{ours50.seconds:.2f} s for 50 articles ({ours50.calls} calls) = {ours50.seconds / one:.2f}x one "
        f"call ({1000 * one:.0f} ms)",
        ours50.seconds <= 3 * one,
    )
    title = f"Calls and wall time, {1000 * latency:.0f} ms per call: ours vs LangChain"
    return Outcome([Table("latency", title, body)], [target])


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the dev folder (holds summhay_news/)")
    ap.add_argument("--latency", type=float, default=LATENCY, help="seconds per scripted call")
    ap.add_argument("--context", type=int, default=CONTEXT, help="our model's context window")
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args(argv)
    start = time.perf_counter()
    outcome = run(args.data, args.latency, args.context)
    publish(outcome, command_line("latency.py", argv), args.out, time.perf_counter() - start)
    return 0


if __name__ == "__main__":
    sys.exit(main())
