"""The OpenAI Batch API as a `ChatClient`: the same engine, half the price, answers within 24 hours.

    chat = BatchAPIChat(EndpointConfig.from_env(), cache=ResponseCache(), journal="out/jobs.jsonl")
    draft = OpenAIEngine(chat, "gpt-4o-mini").summarize(corpus, words=250)   # one engine, or many:
    drafts = await toolkit.batch.runner.summarize_corpora(chat, corpora, model="gpt-4o-mini", words=250)

Design. `OpenAIEngine` is unchanged: it awaits `chat.complete(request)` for its map calls (concurrently),
then its reduce call, then any continuation or repair call. `complete` parks the request (deduplicated
by cache key); a flusher task submits all parked requests as ONE Batch API job once every engine waits.
`toolkit.batch.runner.summarize_corpora` runs one engine per cluster in one event loop, each through a
`Participant` handle registered before any engine starts; the flusher submits when every open
participant has a request parked and the loop has gone quiet for a few turns (so sibling map calls
have all arrived). A batch of N clusters thus makes one job with every single-call prompt and every
map call of every cluster, a second job with every reduce call, and rarely a third (continuations,
citation repairs). Used by one engine alone, it flushes once the concurrent calls have arrived.

A job: requests as JSONL lines `{"custom_id": <cache key>, "method": "POST", "url":
"/v1/chat/completions", "body": {...}}` (split at the API's limits, 50,000 lines or 190 MB, into jobs
that run side by side), uploaded with `files.create(purpose="batch")`, submitted with `batches.create(
completion_window="24h")`, polled with `batches.retrieve` (interval growing from `poll_interval` to
`poll_cap`) until completed, failed, expired or cancelled; output and error files are downloaded and
mapped back by custom_id. Items that failed or got no answer go into a new job, up to `max_rounds`
jobs; then their engines get an `EndpointError` with the server's reason.

Nothing is paid twice. Every answer goes into the `ResponseCache` (same keys as `OpenAIChat`: the direct
and batch paths share answers) as soon as its job's output is downloaded. With a `journal` (JSON lines,
append + fsync) every uploaded file, created job and collected job is recorded as it happens; a re-run
after a crash or `kill -9` adopts the jobs submitted but not collected (finding by its input file a job
created just before the crash) and polls them instead of submitting their requests again.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TypeVar

import openai

from ..errors import ConfigError, EndpointError
from ..models import Usage
from .endpoint import EndpointConfig, make_client
from .llm import endpoint_params
from .model_facts import ModelInfo
from .seam import ChatRequest, ChatResponse, strip_thinking

if TYPE_CHECKING:
    from .cache import ResponseCache

__all__ = ["BATCH_DISCOUNT", "BatchAPIChat", "Participant", "batch_price"]

log = logging.getLogger(__name__)
T = TypeVar("T")

BATCH_DISCOUNT = 0.5  # the Batch API bills tokens at half the list price
ENDPOINT: Final = "/v1/chat/completions"
MAX_REQUESTS = 50_000
MAX_BYTES = 190_000_000
SETTLE_TURNS = 3
_TERMINAL = ("completed", "failed", "expired", "cancelled")


def batch_price(info: ModelInfo) -> ModelInfo:
    """`info` with the Batch API's prices (half the list price); unknown prices stay unknown."""
    i, o = info.usd_per_m_input, info.usd_per_m_output
    half = {"usd_per_m_input": i and i * BATCH_DISCOUNT, "usd_per_m_output": o and o * BATCH_DISCOUNT}
    return info.model_copy(update=half)


@dataclass
class _Entry:
    request: ChatRequest
    future: asyncio.Future[ChatResponse]
    delivered: bool = False


@dataclass
class _Job:  # one uploaded input file and (once created) its batch, as the journal records them
    file: str
    keys: frozenset[str]
    batch: str | None = None


@dataclass
class _Outcome:  # per custom_id: the answer, or why there is none
    answers: dict[str, ChatResponse] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)


class Participant:
    """One engine's handle on a shared `BatchAPIChat`: flushes wait until every open participant has a
    request parked. Close it when its engine is done (`summarize_corpora` does)."""

    def __init__(self, chat: BatchAPIChat) -> None:
        self._chat = chat
        self.waiting = 0

    async def complete(self, request: ChatRequest) -> ChatResponse:
        return await self._chat._via_cache(request, self)

    def close(self) -> None:
        if self in self._chat._participants:
            self._chat._participants.discard(self)
            self._chat._changed()


class _Parked:
    """The Batch API without the cache (what `CachedChat` wraps): parks the request for a job."""

    def __init__(self, chat: BatchAPIChat, participant: Participant | None) -> None:
        self.chat = chat
        self.participant = participant

    async def complete(self, request: ChatRequest) -> ChatResponse:
        return await self.chat._complete(request, self.participant)


class BatchAPIChat:
    """`ChatClient` that sends requests as OpenAI Batch API jobs (see the module docstring)."""

    def __init__(
        self, config: EndpointConfig, *, cache: ResponseCache | None = None,
        client: openai.AsyncOpenAI | None = None, journal: str | Path | None = None,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep, poll_interval: float = 10.0,
        poll_cap: float = 120.0, max_rounds: int = 3, max_requests: int = MAX_REQUESTS,
        max_bytes: int = MAX_BYTES, cache_namespace: str | None = None, info: ModelInfo | None = None,
    ) -> None:  # fmt: skip
        if max_rounds < 1:
            raise ConfigError(f"max_rounds must be at least 1, got {max_rounds}")
        self.config, self.cache, self.cache_namespace = config, cache, cache_namespace
        self.info = info
        self.journal = Path(journal) if journal is not None else None
        self.poll_interval, self.poll_cap, self.max_rounds = poll_interval, poll_cap, max_rounds
        self.max_requests, self.max_bytes = max_requests, max_bytes
        self.usage = Usage()
        self.jobs: list[str] = []  # ids of the batches this instance created
        self._sleep = sleep
        self._client, self._owns_client = client, client is None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pending: dict[str, _Entry] = {}  # parked, not yet in a job
        self._inflight: dict[str, _Entry] = {}  # in the jobs being run now
        self._participants: set[Participant] = set()
        self._changes = 0
        self._wake: asyncio.Event | None = None
        self._flusher: asyncio.Task[None] | None = None

    def participant(self) -> Participant:
        handle = Participant(self)
        self._participants.add(handle)
        return handle

    async def complete(self, request: ChatRequest) -> ChatResponse:
        return await self._via_cache(request, None)

    async def _via_cache(self, request: ChatRequest, participant: Participant | None) -> ChatResponse:
        """Look up and store through the one cache wrapper (`CachedChat`); park the request on a miss."""
        inner = _Parked(self, participant)
        if self.cache is None:
            response = await inner.complete(request)
        else:
            from .cache import CachedChat
            from .llm import endpoint_identity

            identity = endpoint_identity(self.config, self.cache_namespace)
            response = await CachedChat(inner, self.cache, **identity).complete(request)
        self.usage += response.usage
        return response

    async def aclose(self) -> None:
        client, self._client = self._client, None
        if client is not None and self._owns_client:
            await client.close()

    # --- parking and flushing ---------------------------------------------------------------------
    def _bind(self) -> asyncio.AbstractEventLoop:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # a new event loop (run_sync makes one per call): fresh loop state
            self._loop, self._wake, self._flusher = loop, asyncio.Event(), None
            if self._owns_client:
                self._client = None
        return loop

    @property
    def client(self) -> openai.AsyncOpenAI:
        if self._client is None:
            self._client = make_client(self.config)
        return self._client

    def _key(self, request: ChatRequest) -> str:
        from .cache import request_key

        cfg = self.config
        namespace = self.cache_namespace or cfg.url
        return request_key(
            request, base_url=namespace, model=cfg.model, azure_api_version=cfg.azure_api_version
        )

    async def _complete(self, request: ChatRequest, participant: Participant | None) -> ChatResponse:
        """Park `request` (once per key) until a job answers it."""
        loop = self._bind()
        key = self._key(request)
        entry = self._pending.get(key) or self._inflight.get(key)
        if entry is None:
            entry = self._pending[key] = _Entry(request, loop.create_future())
        if participant is not None:
            participant.waiting += 1
        self._changed()
        try:
            response = await asyncio.shield(entry.future)
        finally:
            if participant is not None:
                participant.waiting -= 1
                self._changed()
        if entry.delivered:  # the same request from two engines is paid once
            response = replace(response, cached=True)
        entry.delivered = True
        return response

    def _changed(self) -> None:
        self._changes += 1
        if self._wake is not None:
            self._wake.set()
        if self._pending and self._flusher is None:
            self._flusher = asyncio.get_running_loop().create_task(self._flush_loop())

    def _ready(self) -> bool:
        return all(p.waiting > 0 for p in self._participants)

    async def _flush_loop(self) -> None:
        try:
            while self._pending:
                quiet = 0
                while quiet < SETTLE_TURNS:  # let every runnable engine reach its next call
                    mark = self._changes
                    await asyncio.sleep(0)
                    quiet = quiet + 1 if self._changes == mark else 0
                if not self._pending:
                    break
                if not self._ready() and self._wake is not None:
                    self._wake.clear()
                    await self._wake.wait()
                    continue
                entries, self._pending = self._pending, {}
                self._inflight.update(entries)
                try:
                    await self._resolve(entries)
                except Exception as exc:  # setup failed (key, endpoint): these requests fail with it
                    for entry in entries.values():
                        if not entry.future.done():
                            entry.future.set_exception(exc)
                finally:
                    for key in entries:
                        self._inflight.pop(key, None)
        finally:
            self._flusher = None

    # --- jobs -------------------------------------------------------------------------------------
    async def _resolve(self, entries: dict[str, _Entry]) -> None:
        remaining: dict[str, _Entry] = dict(entries)
        reasons: dict[str, str] = {}
        for key, entry in entries.items():  # answered meanwhile (an adopted job, another process)
            hit = self.cache.get(key) if self.cache is not None else None
            if hit is not None:
                entry.future.set_result(hit)
                del remaining[key]
        for round_no in range(1, self.max_rounds + 1):
            if not remaining:
                return
            if round_no > 1:
                why = next(iter(reasons.values()), "no answer")
                log.warning(
                    "%d of %d batch requests failed (%s); resubmitting them (job %d of %d)",
                    len(remaining), len(entries), why, round_no, self.max_rounds,
                )  # fmt: skip
            outcome = await self._round(remaining, adopt=round_no == 1)
            for key, response in outcome.answers.items():
                answered = remaining.pop(key, None)
                if answered is not None and not answered.future.done():
                    answered.future.set_result(response)
            reasons = {k: v for k, v in outcome.failed.items() if k in remaining}
        for key, entry in remaining.items():
            message = (
                f"the Batch API at {self.config.url} gave no answer to a request in {self.max_rounds} jobs "
                f"(last reason: {reasons.get(key, 'no answer')}); run again to retry it (answers so far "
                "are cached), or run without --via batch-api"
            )
            if not entry.future.done():
                entry.future.set_exception(EndpointError(message))

    async def _round(self, entries: dict[str, _Entry], *, adopt: bool) -> _Outcome:
        keys = set(entries)
        work: list[Awaitable[_Outcome]] = []
        if adopt:
            for job in self._unfinished_jobs():
                if job.keys & keys:
                    keys -= job.keys
                    work.append(self._adopt(job))
        work += [self._submit(chunk) for chunk in self._chunks([k for k in entries if k in keys], entries)]
        outcome = _Outcome()
        for part in await asyncio.gather(*work):
            outcome.answers.update(part.answers)
            outcome.failed.update(part.failed)
        for key in entries:
            if key not in outcome.answers and key not in outcome.failed:
                outcome.failed[key] = "the job's output had no line for it"
        return outcome

    def _chunks(self, keys: Sequence[str], entries: dict[str, _Entry]) -> Iterator[list[tuple[str, bytes]]]:
        chunk: list[tuple[str, bytes]] = []
        size = 0
        for key in keys:
            record = {"custom_id": key, "method": "POST", "url": ENDPOINT, "body": self._body(entries[key])}
            line = json.dumps(record, ensure_ascii=False).encode("utf-8")
            if chunk and (len(chunk) >= self.max_requests or size + len(line) + 1 > self.max_bytes):
                yield chunk
                chunk, size = [], 0
            chunk.append((key, line))
            size += len(line) + 1
        if chunk:
            yield chunk

    def _body(self, entry: _Entry) -> dict[str, Any]:
        """The same body `OpenAIChat` sends: parameters as the model takes them, less what the
        endpoint rejected earlier in this process (`endpoint_params`)."""
        from .model_facts import model_info

        r = entry.request
        body = {"model": self.config.model, "messages": r.message_dicts()}
        return body | endpoint_params(r, self.config, self.info or model_info(self.config.model))

    async def _submit(self, chunk: list[tuple[str, bytes]]) -> _Outcome:
        data = b"".join(line + b"\n" for _, line in chunk)
        file = ("brief-batch.jsonl", data, "application/jsonl")
        upload = await self._api("uploading", lambda: self.client.files.create(file=file, purpose="batch"))
        job = _Job(file=upload.id, keys=frozenset(k for k, _ in chunk))
        self._record({"event": "uploaded", "file": job.file, "keys": sorted(job.keys)})
        return await self._adopt(job, look_up=False)

    async def _adopt(self, job: _Job, *, look_up: bool = True) -> _Outcome:
        """Create the job's batch if it has none yet, poll it to the end, cache and return its answers.
        `look_up`: a job from the journal may have a batch the crashed run created but did not record."""
        if job.batch is None and look_up:  # the 100 newest batches hold one created just before a crash
            page = await self._api("listing batches", lambda: self.client.batches.list(limit=100))
            job.batch = next((b.id for b in page.data if b.input_file_id == job.file), None)
        if job.batch is None:
            batch = await self._api(
                "creating the batch",
                lambda: self.client.batches.create(
                    input_file_id=job.file, endpoint=ENDPOINT, completion_window="24h",
                    metadata={"created_by": "brief"},
                ),
            )  # fmt: skip
            job.batch = batch.id
            self.jobs.append(batch.id)
            self._record({"event": "created", "file": job.file, "batch": batch.id})
            log.info("submitted Batch API job %s with %d requests", batch.id, len(job.keys))
        outcome = await self._collect(job.batch, job.keys)
        if self.cache is not None:
            for key, response in outcome.answers.items():
                if key in job.keys:  # only what this job asked for
                    self.cache.put(key, response)
        self._record({"event": "collected", "file": job.file, "batch": job.batch})
        return outcome

    async def _collect(self, batch_id: str, keys: frozenset[str]) -> _Outcome:
        delay = self.poll_interval
        while True:
            batch = await self._api("polling the batch", lambda: self.client.batches.retrieve(batch_id))
            if batch.status in _TERMINAL:
                break
            counts = batch.request_counts
            done = f"{counts.completed + counts.failed}/{counts.total}" if counts else "?"
            log.info("Batch API job %s: %s, %s requests done", batch_id, batch.status, done)
            await self._sleep(delay)
            delay = min(self.poll_cap, delay * 1.5)
        outcome = _Outcome()
        for file_id in (batch.output_file_id, batch.error_file_id):
            if file_id:
                self._read_results(await self._download(file_id), outcome, keys)
        if batch.status != "completed":
            errors = batch.errors.data if batch.errors and batch.errors.data else []
            why = "; ".join(f"{e.code}: {e.message}" for e in errors[:3]) or "no details"
            for key in keys:
                if key not in outcome.answers:
                    outcome.failed.setdefault(key, f"job {batch_id} {batch.status} ({why})")
        return outcome

    async def _download(self, file_id: str) -> str:
        content = await self._api("downloading batch results", lambda: self.client.files.content(file_id))
        return content.text

    def _read_results(self, text: str, outcome: _Outcome, keys: frozenset[str]) -> None:
        """Answers and failures of the requests this job asked for (`keys`): a line for any other
        custom_id is ignored, so a server cannot plant an answer under another request's cache key.
        Answers are scrubbed of the key before anything keeps them."""
        for raw in text.splitlines():
            try:
                line = json.loads(raw) if raw.strip() else None
            except ValueError:
                continue
            if not isinstance(line, dict) or not isinstance(line.get("custom_id"), str):
                continue
            key, response, error = line["custom_id"], line.get("response") or {}, line.get("error")
            if key not in keys:
                continue
            body = response.get("body") if isinstance(response, dict) else None
            status = response.get("status_code") if isinstance(response, dict) else None
            answer = _answer(body) if status == 200 else None
            if answer is not None:
                outcome.answers[key] = replace(
                    answer, text=self.config.redact(answer.text), model=self.config.redact(answer.model)
                )
                continue
            message = error.get("message") if isinstance(error, dict) else None
            if message is None and isinstance(body, dict) and isinstance(body.get("error"), dict):
                message = body["error"].get("message")
            outcome.failed[key] = _clean(self.config, f"HTTP {status}: {message}" if status else str(message))

    # --- journal ----------------------------------------------------------------------------------
    def _record(self, event: dict[str, Any]) -> None:
        if self.journal is None:
            return
        self.journal.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(event | {"time": time.time()}, separators=(",", ":")) + "\n"
        with open(self.journal, "a", encoding="utf-8") as fh:
            fh.write(line)
            fh.flush()
            os.fsync(fh.fileno())

    def _unfinished_jobs(self) -> list[_Job]:
        if self.journal is None or not self.journal.is_file():
            return []
        jobs: dict[str, _Job] = {}
        for raw in self.journal.read_text(encoding="utf-8").splitlines():
            try:
                event = json.loads(raw)
            except ValueError:
                continue  # a line cut short by a crash
            kind, file_id = event.get("event"), event.get("file")
            if kind == "uploaded" and isinstance(file_id, str):
                jobs[file_id] = _Job(file=file_id, keys=frozenset(event.get("keys", ())))
            elif kind == "created" and file_id in jobs:
                jobs[file_id].batch = event.get("batch")
            elif kind == "collected":
                jobs.pop(file_id, None)
        return list(jobs.values())

    # --- SDK calls --------------------------------------------------------------------------------
    async def _api(self, what: str, call: Callable[[], Awaitable[T]]) -> T:
        tries = self.config.max_retries + 1
        for attempt in range(1, tries + 1):
            problem: Exception | None = None
            retry = False
            try:
                return await call()
            except openai.APIStatusError as exc:
                retry = exc.status_code in (408, 409, 429) or exc.status_code >= 500
                problem = self._error(what, exc)
            except (openai.APIConnectionError, openai.APITimeoutError):
                retry = True
                problem = EndpointError(
                    f"could not reach {self.config.url} while {what} ({tries} tries): check "
                    "OPENAI_BASE_URL and the network, then run again (nothing answered is lost)"
                )
            if not retry or attempt == tries:
                raise problem  # raised outside the `except`: the SDK error (and its request) stays behind
            await self._sleep(min(self.poll_cap, 2.0**attempt))
        raise AssertionError("unreachable")

    def _error(self, what: str, exc: openai.APIStatusError) -> Exception:
        url, status = self.config.url, exc.status_code
        body = exc.body if isinstance(exc.body, dict) else {}
        said = _clean(self.config, str(body.get("message") or exc.message))
        if status == 401:
            return ConfigError(f"{url} rejected the API key (HTTP 401) while {what}: set OPENAI_API_KEY")
        if status == 404:
            return ConfigError(
                f"{url} answered HTTP 404 while {what}: this endpoint has no Batch API (/v1/files, "
                f"/v1/batches; local servers usually lack it); run without --via batch-api. ({said})"
            )
        return EndpointError(f"{url} answered HTTP {status} while {what}. Server said: {said}", status=status)


def _answer(body: Any) -> ChatResponse | None:
    try:
        choice = body["choices"][0]
        usage = body.get("usage") or {}
        return ChatResponse(
            text=strip_thinking(choice["message"].get("content") or ""),
            finish_reason=choice.get("finish_reason"),
            prompt_tokens=int(usage.get("prompt_tokens", 0)),
            completion_tokens=int(usage.get("completion_tokens", 0)),
            model=str(body.get("model") or ""),
            usage_reported=bool(body.get("usage")),
        )
    except (KeyError, IndexError, TypeError, ValueError, AttributeError):
        return None


def _clean(config: EndpointConfig, text: str) -> str:
    return config.redact(text)[:300]
