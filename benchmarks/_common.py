"""What the benchmark scripts share: paths, dev data, result files, the scripted endpoint, LangChain.

Nothing here re-implements the toolkit: corpora, plans, engines and token counts come from `toolkit`.
The scripted OpenAI-compatible server and the scripted "model" are the ones the tests use
(`tests/fakeserver.py`, `tests/scripted_model.py`), imported from the tests folder.
"""

from __future__ import annotations

import json
import os
import re
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

# `python benchmarks/x.py` puts benchmarks/ first on sys.path, so `toolkit` would come from wherever it is
# installed (an editable install of another checkout, say); measure this checkout's toolkit instead.
_CHECKOUT = str(Path(__file__).resolve().parent.parent)
if _CHECKOUT not in sys.path:
    sys.path.insert(1, _CHECKOUT)

from toolkit.engines.base import Draft  # noqa: E402
from toolkit.models import Corpus  # noqa: E402
from toolkit.text.tokens import Tokenizer, count_tokens, get_tokenizer  # noqa: E402

if TYPE_CHECKING:
    from fakeserver import FakeServer, RecordedRequest, Reply

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "dev"
RESULTS = ROOT / "benchmarks" / "results"
EXAMPLES = ROOT / "examples" / "syria-iraq-2025"
TESTS = ROOT / "tests"
# The model name every scripted run uses: o200k_base tokens, 128k context, a known price.
MODEL = "gpt-4o-mini"
# Fixed latency of one scripted call in the "calls and wall time" and cache benchmarks.
LATENCY = 0.3

Summarizer = Callable[[Corpus, int], Draft]


# --------------------------------------------------------------------------- results


@dataclass
class Target:
    """One acceptance target of issue 7: what was asked, what we measured, and whether it was met."""

    target: str
    measured: str
    met: bool


@dataclass
class Table:
    """One result file: `results/<name>.md` with a title, the command/date line, then `body`."""

    name: str
    title: str
    body: str


@dataclass
class Outcome:
    tables: list[Table] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)


def command_line(script: str, argv: Sequence[str] | None) -> str:
    """The command as a reader would type it: absolute paths (this machine's) shown as `<path>`."""
    args = ["<path>" if os.path.isabs(a) else a for a in (sys.argv[1:] if argv is None else argv)]
    return " ".join(["python", f"benchmarks/{script}", *args])


def commit() -> str:
    """The repository's commit as `git rev-parse --short HEAD`, plus "-dirty" when tracked files other
    than `benchmarks/results/` differ from it (untracked files do not count); "unknown" outside a git
    checkout or without git."""
    import subprocess

    def git(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=False, timeout=30
        )

    try:
        head = git("rev-parse", "--short", "HEAD")
        if head.returncode != 0:
            return "unknown"
        # results files do not count: a run rewrites them one after the other
        dirty = git("status", "--porcelain", "--untracked-files=no", "--", ".", ":!benchmarks/results").stdout
        dirty = dirty.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return head.stdout.strip() + ("-dirty" if dirty else "")


def stamp(command: str, seconds: float | None = None) -> str:
    """The line under each title: the command, the commit, the date, how long it took, how busy the
    machine was (1-minute load average at the end, next to the number of cores)."""
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    took = f" in {seconds:.0f} s" if seconds is not None else ""
    load = os.getloadavg()[0]
    import toolkit

    elsewhere = Path(toolkit.__file__).resolve().parent.parent != ROOT
    source = " (toolkit imported from another checkout)" if elsewhere else ""
    return (
        f"Made by `{command}` at commit {commit()}{source} on {when}{took} "
        f"({os.cpu_count()} cores, load average {load:.1f} at the end)."
    )


def render(table: Table, command: str, seconds: float | None = None) -> str:
    return f"# {table.title}\n\n{stamp(command, seconds)}\n\n{table.body.rstrip()}\n"


def publish(
    outcome: Outcome, command: str, out_dir: Path = RESULTS, seconds: float | None = None
) -> dict[str, str]:
    """Print every table and write it to `out_dir/<name>.md`; returns name -> Markdown."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, str] = {}
    for table in outcome.tables:
        text = render(table, command, seconds)
        (out_dir / f"{table.name}.md").write_text(text, encoding="utf-8")
        print(text)
        written[table.name] = text
    return written


def md_table(header: Sequence[str], rows: Sequence[Sequence[object]], right: int = 1) -> str:
    """A Markdown table; columns from index `right` on are right-aligned (numbers)."""
    align = ["---" if k < right else "---:" for k in range(len(header))]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def targets_table(targets: Sequence[Target]) -> str:
    return md_table(
        ["target", "measured", "met"], [(t.target, t.measured, "yes" if t.met else "no") for t in targets], 3
    )


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- dev data


def load_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def require(path: Path) -> Path:
    if not path.exists():
        raise SystemExit(f"no dev data at {path} (pass --data DIR: the folder holding multiling2011_en/)")
    return path


def multiling(data: Path) -> list[dict[str, Any]]:
    return load_jsonl(require(data / "multiling2011_en" / "data.jsonl"))


def summhay(data: Path) -> list[dict[str, Any]]:
    return load_jsonl(require(data / "summhay_news" / "data.jsonl"))


def distinct_documents(data: Path) -> list[str]:
    """Every distinct dev document: the 100 MultiLing articles, then SummHay's (deduplicated by doc id)."""
    docs = [str(d) for row in multiling(data) for d in row["documents"]]
    seen: set[str] = set()
    for row in summhay(data):
        for doc_id, text in zip(row["doc_ids"], row["documents"], strict=True):
            if doc_id not in seen:
                seen.add(doc_id)
                docs.append(str(text))
    return docs


SUBSTITUTIONS = {"said": "stated", "announced": "said", "approximately": "about", "However,": "But"}


def wire_copy(text: str, outlet: str) -> str:
    """A lightly edited reprint of `text`, the way syndicated wire copies look (cf. the seeds' 001/002):
    the outlet's name on a line of its own above the story, a few words swapped (said -> stated,
    announced -> said, approximately -> about, "However," -> "But"), the last paragraph trimmed when
    there are four or more, and a syndication note at the end (which the cleaner drops)."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    if len(paragraphs) >= 4:
        paragraphs = paragraphs[:-1]
    body = "\n\n".join(paragraphs)
    body = re.sub(
        r"\b(" + "|".join(map(re.escape, SUBSTITUTIONS)) + r")(?=\W)",
        lambda m: SUBSTITUTIONS[m.group(1)],
        body,
    )
    note = f"(This story has not been edited by {outlet} staff and is published from a syndicated feed.)"
    return f"{outlet}\n\n{body}\n\n{note}\n"


# --------------------------------------------------------------------------- engines


def make_summarizer(engine: str, model: str | None = None) -> Summarizer:
    """`engine` through the toolkit's own factory: extractive (offline) or openai (OPENAI_* env)."""
    from toolkit.pipeline import make_engine

    eng = make_engine(engine, model=model)

    def run(corpus: Corpus, words: int) -> Draft:
        return eng.summarize(corpus, words=words)

    return run


# --------------------------------------------------------------------------- scripted endpoint


def _tests_on_path() -> None:
    if str(TESTS) not in sys.path:
        sys.path.insert(0, str(TESTS))


# socketserver listens with a backlog of 5; a real server takes far more. LangChain's async map step
# opens one connection per document at once (50 here), which a backlog of 5 turns into connection errors.
LISTEN_BACKLOG = 128


@contextmanager
def scripted_server(handler: Callable[[dict[str, Any]], Reply | str]) -> Iterator[FakeServer]:
    """`tests/fakeserver.py` on 127.0.0.1 (a free port) answering every chat call with `handler`,
    listening with a backlog of `LISTEN_BACKLOG` connections."""
    _tests_on_path()
    import fakeserver

    fakeserver._Server.request_queue_size = LISTEN_BACKLOG
    with fakeserver.FakeServer(model=MODEL, handler=handler) as server:
        yield server


def delayed(answer: Callable[[dict[str, Any]], str], seconds: float) -> Callable[[dict[str, Any]], Reply]:
    """`answer` served after a fixed latency (the server sleeps `seconds` before replying)."""
    _tests_on_path()
    from fakeserver import Reply

    def handler(body: dict[str, Any]) -> Reply:
        return Reply(text=answer(body), delay=seconds)

    return handler


def our_answer(body: dict[str, Any]) -> str:
    """The tests' scripted model: JSON notes/sentences citing passages it was sent."""
    _tests_on_path()
    import scripted_model

    text: str = scripted_model.answer(body)
    return text


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_QUOTED = re.compile(r'"(.*)"', re.DOTALL)
_REFINE = re.compile(
    r"existing summary up to a certain point: (.*?)\nWe have the opportunity.*?-{12}\n(.*?)\n-{12}", re.DOTALL
)


def _first_sentences(text: str, n: int) -> str:
    return " ".join(s for s in _SENTENCE_END.split(" ".join(text.split()))[:n] if s)


def langchain_answer(body: dict[str, Any], sentences: int = 2, cap_words: int = 250) -> str:
    """A scripted answer to LangChain's default summarise prompts: the first `sentences` sentences of
    the text it was asked to summarise; for `refine`, the existing summary plus the first `sentences`
    sentences of the new context, capped at `cap_words` words."""
    user = next((str(m.get("content", "")) for m in body.get("messages", []) if m.get("role") == "user"), "")
    refine = _REFINE.search(user)
    if refine:
        words = f"{refine.group(1).strip()} {_first_sentences(refine.group(2), sentences)}".split()
        return " ".join(words[:cap_words])
    quoted = _QUOTED.search(user)
    return _first_sentences(quoted.group(1) if quoted else user, sentences)


def request_tokens(requests: Sequence[RecordedRequest], tokenizer: Tokenizer | None = None) -> int:
    """Prompt tokens the server received: o200k_base tokens of every message's content, summed."""
    tok = tokenizer or get_tokenizer(MODEL)
    total = 0
    for r in requests:
        for m in r.messages:
            content = m.get("content", "")
            total += count_tokens(tok, content if isinstance(content, str) else json.dumps(content))
    return total


def our_engine(
    base_url: str, *, context: int | None = None, cache_dir: Path | None = None, cite: str = "local"
) -> Any:
    """`OpenAIEngine` over `OpenAIChat` (official SDK, concurrency 8) at `base_url`; `context` overrides
    the model's context window (to force map-reduce); `cache_dir` turns the response cache on; `cite`:
    "local" (the engine's default: plain sentences, cited by the checker) or "model" (it cites passage
    numbers)."""
    from toolkit.chat.cache import ResponseCache
    from toolkit.chat.endpoint import EndpointConfig
    from toolkit.chat.llm import OpenAIChat
    from toolkit.engines.llm_engine import OpenAIEngine
    from toolkit.plan.planning import model_info

    config = EndpointConfig(base_url=base_url, api_key="bench", model=MODEL, max_concurrency=8)
    chat = OpenAIChat(config, cache=ResponseCache(cache_dir) if cache_dir is not None else None)
    info = model_info(MODEL)
    if context is not None:
        info = info.model_copy(update={"context": context})
    return OpenAIEngine(chat, MODEL, info=info, cite=cite)


# --------------------------------------------------------------------------- LangChain


def langchain_missing() -> str | None:
    """None when LangChain's summarise chains import, else what to install."""
    try:
        import langchain_classic.chains.summarize  # noqa: F401
        import langchain_openai  # noqa: F401
    except ImportError as e:
        return f"LangChain rows skipped ({e.name} not installed): pip install -e '.[bench]'"
    return None


def langchain_chain(base_url: str, chain_type: str) -> Any:
    """LangChain's `load_summarize_chain(llm, chain_type=...)` with its default prompts and settings,
    over `ChatOpenAI` pointed at `base_url`. LangChain counts tokens (map_reduce's `token_max`) with
    tiktoken, which would download its BPE file; we hand it the same o200k_base encoding, built
    offline by the toolkit, through `custom_get_token_ids` (a standard LangChain model field)."""
    from langchain_classic.chains.summarize import load_summarize_chain
    from langchain_openai import ChatOpenAI

    enc = get_tokenizer(MODEL)
    llm = ChatOpenAI(
        model=MODEL,
        base_url=base_url,
        api_key="x",
        temperature=0,
        max_retries=0,
        custom_get_token_ids=enc.encode_ordinary,
    )
    return load_summarize_chain(llm, chain_type=chain_type)


def langchain_documents(texts: Sequence[str]) -> list[Any]:
    from langchain_core.documents import Document

    return [Document(page_content=t) for t in texts]


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


class RssSampler:
    """Peak resident set size of this process, sampled every `interval` seconds from /proc."""

    def __init__(self, interval: float = 0.005) -> None:
        self.interval = interval
        self.page = os.sysconf("SC_PAGE_SIZE")
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def rss(self) -> int:
        with open("/proc/self/statm", encoding="ascii") as f:
            return int(f.read().split()[1]) * self.page

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak = max(self.peak, self.rss())

    def __enter__(self) -> RssSampler:
        self.peak = self.rss()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.rss())
