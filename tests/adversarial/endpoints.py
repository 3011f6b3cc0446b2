"""Failing endpoints: many small clusters through `summarize()` with the LLM engine (`OpenAIEngine` over
`OpenAIChat`, the real openai SDK over HTTP) against the scripted server, which fails about 20% of calls
at random (seeded) and answers oddly some of the time.

Transport faults (retried by `OpenAIChat`, never paid for): 429 with Retry-After, 429 storms longer than
the client's tries, 500/502/503, timeouts (the server stalls past the client's timeout, then gives up),
connections dropped before any answer, and 200s whose body is not JSON. Odd answers (200s, paid for and
cached like any answer): empty, citing passages that do not exist (the engine asks for one repair),
in French with valid-looking citations, cut off by max_tokens (the engine asks for one continuation), and
prose instead of JSON.

Whether a request fails depends only on (seed, request body, how many times that body was sent), so a
run is the same whatever the thread timing. The server side counts what it was paid for: successful
answers per request body and the tokens it reported in them.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
import re
import threading
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import scripted_model
from fakeserver import FakeServer, Reply

from toolkit import summarize
from toolkit.briefing import Briefing
from toolkit.chat.cache import ResponseCache
from toolkit.chat.endpoint import EndpointConfig
from toolkit.chat.llm import ChatRequest, OpenAIChat
from toolkit.engines.llm_engine import OpenAIEngine
from toolkit.errors import ToolkitError
from toolkit.models import Usage
from toolkit.plan.planning import ModelInfo

from .figures import Figures
from .texts import CITIES, PEOPLE, cluster

__all__ = ["ClusterRun", "EndpointsResult", "FaultyEndpoint", "make_engine", "run_clusters", "scenario"]

MODEL = "gpt-4o-mini"
INFO = ModelInfo(context=128_000, usd_per_m_input=0.15, usd_per_m_output=0.60)
KEY = "sk-adversarial-endpoints-0000"
# The client's timeout (s); a "timeout" fault stalls twice as long. Far above what a normal answer takes
# (milliseconds) even on a loaded machine: a normal answer that arrives after the client gave up would be
# paid for by a client that never saw it, and the retry would count as paying twice.
TIMEOUT = 3.0
TRIES = 5  # max_retries=4
RETRY_AFTER = 0.002  # seconds, in the Retry-After header of every 429
STORM = TRIES + 1  # a 429 storm answers this many sends of one request with 429
TRANSPORT = ("429", "500", "502", "503", "timeout", "drop", "malformed")
ODD = (("empty", 4), ("invented", 5), ("french", 5), ("length", 5), ("prose", 4))  # % of merge answers


def body_key(body: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def _words(text: str) -> int:
    return len(text.split())


class FaultyEndpoint:
    """The scripted server's handler: faults, odd answers, and the server's own accounts."""

    def __init__(self, seed: int = 8, rate: float = 0.2, storm_rate: float = 0.01) -> None:
        self.seed = seed
        self.rate = rate
        self.storm_rate = storm_rate
        self.lock = threading.Lock()
        self.sent: Counter[str] = Counter()  # request body -> times received
        self.paid: Counter[str] = Counter()  # request body -> successful (200) answers
        self.faults: Counter[str] = Counter()  # fault kind -> times served
        self.odd: Counter[str] = Counter()  # odd-answer kind -> times served
        self.empty: set[str] = set()  # request bodies answered with no text
        self.prompt_tokens = 0
        self.completion_tokens = 0

    @property
    def repeated(self) -> int:
        """Requests answered (200) more than once, leaving out those answered empty: an empty answer
        is never cached, so a re-run asks again (and would never replay it as a result)."""
        return sum(n - 1 for k, n in self.paid.items() if n > 1 and k not in self.empty)

    @property
    def requests(self) -> int:
        return sum(self.sent.values())

    def __call__(self, body: dict[str, Any]) -> Reply:
        key = body_key(body)
        with self.lock:
            attempt = self.sent[key]
            self.sent[key] += 1
        kind = self._fault(key, attempt)
        if kind:
            with self.lock:
                self.faults[kind] += 1
            return _fault_reply(kind, stream=bool(body.get("stream")))
        text, finish, odd = self._answer(body)
        prompt = sum(_words(str(m.get("content", ""))) for m in body.get("messages", []))
        completion = _words(text)
        with self.lock:
            self.paid[key] += 1
            self.prompt_tokens += prompt
            self.completion_tokens += completion
            if odd:
                self.odd[odd] += 1
            if not text.strip():
                self.empty.add(key)
        return Reply(text=text, finish_reason=finish, prompt_tokens=prompt, completion_tokens=completion)

    def _fault(self, key: str, attempt: int) -> str:
        if random.Random(f"{self.seed}:{key}:storm").random() < self.storm_rate and attempt < STORM:
            return "429 storm"
        rng = random.Random(f"{self.seed}:{key}:{attempt}")
        return rng.choice(TRANSPORT) if rng.random() < self.rate else ""

    def _answer(self, body: dict[str, Any]) -> tuple[str, str, str]:
        """(text, finish_reason, odd kind or "") for a request that does not fail."""
        system, user = scripted_model.messages(body)
        compact = '{"s":' in system  # our summary prompts (the final answer may be streamed)
        if body.get("stream") and not compact:
            return f"Streamed answer to: {user}", "stop", ""
        msgs = body.get("messages", [])
        if len(msgs) > 2 and msgs[-2].get("role") == "assistant":  # continue a cut-off answer
            first = {"messages": msgs[:2]}
            return scripted_model.answer(first)[len(msgs[-2].get("content", "")) :], "stop", ""
        if "fix citations" in system:
            ids = scripted_model.LINE.findall(user)
            count = len(re.findall(r"^\d+\. ", user, re.MULTILINE))
            fixes = [{"n": n, "citations": [ids[0][0]] if ids else []} for n in range(1, count + 1)]
            return json.dumps({"sentences": fixes}), "stop", ""
        odd = _odd_kind(self.seed, user)
        normal = scripted_model.answer(body)
        if odd == "empty":
            return "", "stop", odd
        if odd == "invented":
            data = json.loads(normal)
            if compact and data.get("s"):
                data["s"][0][1] = [9999]  # a passage number the prompt never showed
            elif data.get("sentences"):
                data["sentences"][0]["citations"] = ["S9:99"]
            return json.dumps(data), "stop", odd
        if odd == "french":
            if compact:
                short = scripted_model.SHORT_LINE.findall(user)[:3]
                return json.dumps({"s": [[_french(t), [int(n)]] for n, t in short]}), "stop", odd
            lines = scripted_model.LINE.findall(user)[:3]
            items = [{"text": _french(text), "citations": [pid]} for pid, text in lines]
            return json.dumps({"sentences": items}), "stop", odd
        if odd == "length":
            return normal[: len(normal) // 2], "length", odd
        if odd == "prose":
            return scripted_model.prose(body), "stop", odd
        return normal, "stop", ""


def _odd_kind(seed: int, user: str) -> str:
    roll = random.Random(f"{seed}:odd:{hashlib.sha256(user.encode()).hexdigest()}").random() * 100
    for kind, share in ODD:
        if roll < share:
            return kind
        roll -= share
    return ""


def _fault_reply(kind: str, *, stream: bool) -> Reply:
    if kind in ("429", "429 storm"):
        return Reply.error(429, "Rate limit reached, slow down", retry_after=str(RETRY_AFTER))
    if kind in ("500", "502", "503"):
        return Reply.error(int(kind), "the server had an error")
    if kind == "timeout":  # stalls past the client's timeout, then gives up (nothing to pay for)
        stalled = Reply.error(504, "gateway timeout")
        stalled.delay = TIMEOUT * 2
        return stalled
    if kind == "drop":  # before any answer; a stream is cut after its first chunks
        return Reply(
            text="a streamed answer cut off mid-way by a dropped connection", drop_after=3 if stream else 0
        )
    return Reply(malformed=True)


def _french(text: str) -> str:
    """A French sentence with the numbers and names of `text`: valid-looking, but not what it says."""
    number = next(iter(re.findall(r"\d[\d,]*", text)), "plusieurs")
    city = next((c for c in CITIES if c in text), "la ville")
    person = next((p for p in PEOPLE if p in text), "les autorités")
    return (
        f"Selon {person}, au moins {number} personnes ont été touchées à {city}, "
        "où les secours restent mobilisés."
    )


# --------------------------------------------------------------------------- runs


@dataclass
class ClusterRun:
    index: int
    briefing: Briefing | None
    error: str  # "" when a briefing came back
    usage: Usage  # what the client counted (calls, tokens), briefing or not

    @property
    def completed(self) -> bool:
        return self.briefing is not None and bool(self.briefing.sentences)


def make_engine(
    server: FakeServer, cache_dir: Path, waits: list[float] | None = None
) -> tuple[OpenAIEngine, OpenAIChat]:
    """The LLM engine against `server`, small backoff; `waits` records every wait between tries."""

    async def sleep(seconds: float) -> None:
        if waits is not None:
            waits.append(seconds)
        await asyncio.sleep(seconds)

    config = EndpointConfig(
        base_url=server.base_url, api_key=KEY, model=MODEL, max_retries=TRIES - 1, timeout=TIMEOUT
    )
    chat = OpenAIChat(
        config, cache=ResponseCache(cache_dir), sleep=sleep, backoff_base=0.001, backoff_cap=0.01
    )
    return OpenAIEngine(chat, MODEL, info=INFO, cite="model"), chat  # odd JSON answers, repairs


def run_clusters(
    server: FakeServer,
    cache_dir: Path,
    clusters: Sequence[list[dict[str, str]]],
    *,
    workers: int = 4,
    waits: list[float] | None = None,
) -> list[ClusterRun]:
    def one(i: int) -> ClusterRun:
        engine, chat = make_engine(server, cache_dir, waits)
        try:
            briefing = summarize(clusters[i], engine=engine, words=80)
        except ToolkitError as e:
            return ClusterRun(i, None, f"{type(e).__name__}: {e}", chat.usage)
        return ClusterRun(i, briefing, "", chat.usage)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(one, range(len(clusters))))


def run_streams(server: FakeServer, cache_dir: Path, prompts: Sequence[str]) -> tuple[list[str], Usage]:
    """Streamed requests straight through `OpenAIChat` (the engine itself does not stream)."""
    _, chat = make_engine(server, cache_dir)

    async def all_of() -> list[str]:
        async with chat:
            answers = await asyncio.gather(*(chat.complete(ChatRequest.of(p, stream=True)) for p in prompts))
        return [a.text for a in answers]

    return asyncio.run(all_of()), chat.usage


@dataclass
class EndpointsResult:
    clusters: list[list[dict[str, str]]]
    first: list[ClusterRun]
    second: list[ClusterRun]
    endpoint: FaultyEndpoint
    first_tokens: tuple[int, int]  # what the server reported in successful answers during the first run
    streams: list[str]  # prompts of the streamed requests
    streamed: tuple[list[str], list[str]]  # their answers, first run and re-run
    stream_usage: tuple[Usage, Usage]
    waits: list[float]  # every wait between tries (Retry-After, or backoff)
    figures: Figures = field(default_factory=lambda: Figures("failing endpoints"))


def scenario(
    server: FakeServer, cache_dir: Path, *, n: int = 200, streams: int = 40, seed: int = 8
) -> EndpointsResult:
    """`n` clusters of 2-3 articles, and `streams` streamed requests, each run twice with one cache."""
    rng = random.Random(seed)
    clusters = [cluster(rng, 2 + i % 2) for i in range(n)]
    endpoint = FaultyEndpoint(seed)
    server.handler = endpoint
    waits: list[float] = []
    first = run_clusters(server, cache_dir, clusters, waits=waits)
    first_tokens = (endpoint.prompt_tokens, endpoint.completion_tokens)
    second = run_clusters(server, cache_dir, clusters, waits=waits)
    prompts = [
        f"Stream number {i}: say something about {c[0]['title']}." for i, c in enumerate(clusters[:streams])
    ]
    answers1, usage1 = run_streams(server, cache_dir, prompts)
    answers2, usage2 = run_streams(server, cache_dir, prompts)
    result = EndpointsResult(
        clusters,
        first,
        second,
        endpoint,
        first_tokens,
        prompts,
        (answers1, answers2),
        (usage1, usage2),
        waits,
    )
    f = result.figures
    f.cases = n + streams
    f.faults = sum(endpoint.faults.values()) + sum(endpoint.odd.values())
    f.clusters = n
    f.completed = sum(1 for r in first if r.completed)
    f.reported = sum(1 for r in first if not r.completed and _reported(r))
    f.repeated = endpoint.repeated
    f.detail = {**endpoint.faults, **endpoint.odd}
    f.detail["completed on the re-run"] = sum(1 for r in second if r.completed)
    return result


def _reported(run: ClusterRun) -> bool:
    """A cluster without a briefing says why: an error, or notes on an empty answer."""
    if run.error:
        return True
    return run.briefing is not None and any("empty" in note for note in run.briefing.notes)
