"""The LLM engine: one merged, cited summary through any OpenAI-compatible endpoint.

    plan (tokens, strategy, calls, cost)
      -> single call            (everything fits the context with room for the answer)
      -> or map (concurrent) -> reduce (tree)   (cited notes keep passage ids)
    -> parse (JSON Schema / JSON mode, or inline markers when the endpoint ignored both)
    -> one repair call for citations to passages that do not exist
    -> near-duplicate passages added back to citations

All calls go through a `ChatClient` (the one seam): `OpenAIChat` in real use, `ScriptedChat` in tests.

What no run does: report an empty answer as done. An answer cut off (`finish_reason: length`) with no
text at all, as when a reasoning model spends its whole budget thinking, is asked once more with four
times the budget, then fails with an `EngineError` saying what to set. Empty answers are never cached;
an answer with no usable sentence is dropped from the cache (`forget`) when the run fails, so a re-run
asks again instead of replaying it (when the run succeeds it stays, so a re-run pays for nothing). Calls
whose usage the server did not report leave the cost unknown (`None`) with a note, and a server that
reports far fewer prompt tokens than were sent (it cut the prompt to its context) is named in the notes
with the setting that fixes it.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import replace
from typing import Any, TypeVar

from ..chat.endpoint import signal_when_sent
from ..chat.model_facts import ModelInfo, estimate_cost, model_info, reasoning_reserve
from ..chat.seam import ChatClient, ChatRequest, ChatResponse, Message
from ..cite.answers import ParsedAnswer, parse_answer, parse_plain, reference_heading
from ..errors import EngineError
from ..models import Corpus, Passage, SummarySentence, Usage, passage_sort_key
from ..plan.planning import (
    CITE_MODES,
    MAP_NOTES,
    NOTE_TOKENS,
    Plan,
    answer_budget,
    chunk_sources,
    make_plan,
    sent_passages,
    single_prompt,
)
from ..plan.prompting import ShortIds, escape_source_text, render, source_blocks
from ..text.sentences import split_sentences
from ..text.similarity import content_terms, tfidf_matrix
from ..text.tokens import Tokenizer, count_tokens, get_tokenizer
from .base import Draft

__all__ = ["NOTES_SCHEMA", "SENTENCES_SCHEMA", "OpenAIEngine", "run_sync", "truncation_note"]

T = TypeVar("T")
RETRY_FACTOR = 4  # an empty, cut-off answer is asked again with this many times the budget
SEND_TURNS = 8  # event-loop turns a request gets to be sent before `on_call` (clients that cannot signal it)


def _schema(name: str, key: str) -> dict[str, Any]:
    """The compact answer the prompts ask for, `{"s": [["Sentence.", [4, 17]]]}`, as a JSON Schema
    (each item a sentence and the short numbers of the passages it cites)."""
    item = {
        "type": "array",
        "items": {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "integer"}}]},
    }
    schema = {
        "type": "object",
        "properties": {key: {"type": "array", "items": item}},
        "required": [key],
        "additionalProperties": False,
    }
    return {"name": name, "schema": schema}


# Structured outputs (`response_format: json_schema`, strict) for the answers we parse.
SENTENCES_SCHEMA = _schema("briefing", "s")
NOTES_SCHEMA = _schema("notes", "s")


def truncation_note(url: str, model: str, sent: int, counted: int) -> str:
    """The warning for a server that reported far fewer prompt tokens than we sent."""
    return (
        f"warning: {url} counted {counted:,} prompt tokens where about {sent:,} were sent: the server "
        f"probably cut the prompt to its context window, so sources may be missing. Raise its context "
        f"(Ollama: OLLAMA_CONTEXT_LENGTH or `PARAMETER num_ctx` in a Modelfile; vLLM: --max-model-len; "
        f"llama.cpp: --ctx-size; LM Studio: the model's context length) and pass the same --context"
    )


def _cut_short(reported: int, sent: int) -> bool:
    """Whether `reported` prompt tokens (the server's count) means the `sent` prompt was cut.
    Tokenizers differ by up to ~30% between model families, so only a large gap counts, or a count
    that sits just under a usual context size while we sent well over it."""
    if reported <= 0 or sent < 1.15 * reported or sent - reported < 200:
        return False
    if reported < 0.5 * sent:
        return True
    return any(0.85 * c <= reported <= c and sent >= 1.1 * c for c in (2048, 4096, 8192, 16384, 32768))


def run_sync(make: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine to completion from sync code, also inside Jupyter's already-running loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        running = False  # run below, outside this handler: an error must not chain this RuntimeError
    else:
        running = True
    if not running:
        return asyncio.run(_await(make))
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(_await(make))).result()


async def _await(make: Callable[[], Awaitable[T]]) -> T:
    return await make()


class OpenAIEngine:
    """`Engine` over a `ChatClient`. `name` is "openai" (or "local" for the llama.cpp server)."""

    def __init__(
        self,
        chat: ChatClient,
        model: str,
        *,
        tokenizer: Tokenizer | None = None,
        info: ModelInfo | None = None,
        json_mode: bool = True,
        max_cost: float | None = None,
        name: str = "openai",
        progress: bool = False,
        reasoning_effort: str | None = None,
        on_sentence: Callable[[SummarySentence], object] | None = None,
        cite: str = "local",
    ) -> None:
        if cite not in CITE_MODES:
            raise EngineError(f"cite={cite!r} is not one of {', '.join(CITE_MODES)}")
        self.chat = chat
        self.model = model
        self.name = name
        self.tokenizer = tokenizer or get_tokenizer(model)
        self.info = info or model_info(model)
        if reasoning_effort is not None:
            self.info = self.info.model_copy(update={"reasoning_effort": reasoning_effort})
        self.json_mode = json_mode
        # "model": the model cites passage numbers (JSON answer); "local": it writes plain sentences and
        # the checker finds their passages afterwards (`toolkit.check.attribute`): no numbers sent or
        # written, so fewer tokens both ways. The final answer's sentences then come uncited.
        self.cite = cite
        self.max_cost = max_cost
        self.progress = progress
        # Called with each sentence of the final answer as it streams in (the answer is then asked
        # for as a stream); `summarize()` uses it to check sentences while the rest is generated.
        self.on_sentence = on_sentence
        # Called (no arguments) each time a request is handed to the endpoint; `summarize()` uses it to
        # start the checker's index only once the prompt is built and the wait has begun.
        self.on_call: Callable[[], object] | None = None

    def plan(self, corpus: Corpus, *, words: int) -> Plan:
        return make_plan(
            corpus,
            self.model,
            self.tokenizer,
            words=words,
            info=self.info,
            max_cost=self.max_cost,
            cite=self.cite,
        )

    def summarize(self, corpus: Corpus, *, words: int) -> Draft:
        plan = self.plan(corpus, words=words)  # raises BudgetError before anything is spent
        return run_sync(lambda: self.asummarize(corpus, words=words, plan=plan))

    async def asummarize(self, corpus: Corpus, *, words: int, plan: Plan | None = None) -> Draft:
        plan = plan or self.plan(corpus, words=words)
        run = _Run(self, corpus, words)
        try:
            if plan.strategy == "single":
                sentences = await run.single()
            else:
                sentences = await run.map_reduce(plan)
            sentences = await run.repair(sentences)
        except EngineError:  # failed for want of a usable answer: none of them may be replayed
            run.forget_unusable()
            raise
        else:
            if not sentences:  # a failed run: a re-run must ask again, not replay what was useless
                run.forget_unusable()
        finally:
            closer = getattr(self.chat, "aclose", None)
            if closer is not None:
                await closer()
        sentences = [_with_copies(s, corpus) for s in _unique(sentences, run.notes)]
        usage = run.usage
        cost = estimate_cost(self.info, usage.prompt_tokens, usage.completion_tokens)
        if usage.unreported_calls:
            cost = None
            run.notes.append(
                f"the endpoint reported no token usage for {usage.unreported_calls} of {usage.calls} calls: "
                f"cost unknown (about {run.sent_unreported:,} prompt tokens were sent to them, by our count)"
            )
        elif cost is None and usage.calls and not self.info.local:
            run.notes.append(
                f"price of {self.model!r} unknown: cost not computed (give --price-in/--price-out)"
            )
        usage = usage.model_copy(update={"cost_usd": cost})
        notes = [f"{self.name}: {plan.strategy}, {usage.calls} calls, {usage.cached_calls} cached"]
        notes += [f"learned: {n}" for n in getattr(self.chat, "learned", ())]
        notes += run.notes
        return Draft(sentences=tuple(sentences), usage=usage, model=self.model, notes=tuple(notes))


class _Run:
    """The state of one summarize() run: usage and notes gathered across calls."""

    def __init__(self, engine: OpenAIEngine, corpus: Corpus, words: int) -> None:
        self.engine = engine
        self.corpus = corpus
        self.words = words
        self.usage = Usage()
        self.notes: list[str] = []
        self.sent_unreported = 0  # prompt tokens (our count) of calls whose usage was not reported
        self.last: ChatRequest | None = None  # the request behind the answer being parsed
        self.unusable: list[ChatRequest] = []  # requests whose answers held nothing usable
        self.groups = sent_passages(corpus)
        self.ids = ShortIds.of(self.groups)  # the numbers prompts show for passage ids
        self.plain = engine.cite == "local"  # the final answer is plain sentences, cited afterwards
        self.cut_off = False  # the last answer stopped at the output limit, even after its continuation

    # --- calls -----------------------------------------------------------------------------------
    def request(
        self,
        messages: tuple[Message, ...],
        max_tokens: int,
        json_mode: bool,
        schema: dict[str, Any] | None,
        listen: Callable[[SummarySentence], object] | None = None,
    ) -> ChatRequest:
        """The request for one call; with `listen`, the answer streams and each complete sentence is
        handed to it as it arrives."""
        info = self.engine.info
        feed: Callable[[str], None] | None = None
        if listen is not None:
            feed = _PlainFeed(self, listen) if self.plain else _SentenceFeed(self, listen)
        return ChatRequest(
            messages=messages,
            max_tokens=max_tokens + reasoning_reserve(info),
            json_mode=json_mode,
            json_schema=schema if json_mode else None,
            temperature=0.0 if info.sampling else None,
            reasoning_effort=info.reasoning_effort if info.effort_param else None,
            stream=listen is not None,
            on_text=feed,
        )

    async def call(
        self,
        system: str,
        user: str,
        max_tokens: int,
        *,
        json_mode: bool | None = None,
        schema: dict[str, Any] | None = None,
        final: bool = False,
    ) -> str:
        """One call (continued once if cut off). `final`: the briefing itself, streamed to the
        engine's `on_sentence` when it has one."""
        messages: tuple[Message, ...] = (("system", system), ("user", user))
        wants_json = self.engine.json_mode if json_mode is None else json_mode
        listen = self.engine.on_sentence if final else None
        request = self.request(messages, max_tokens, wants_json, schema, listen)
        response = await self._complete(request)
        if response.empty and response.truncated:
            response = await self._more_room(request, response)
        self.last = request
        text = response.text
        self.cut_off = response.truncated  # the text stops at the output limit (before any continuation)
        if response.truncated:
            cont = ChatRequest(
                messages=(*messages, ("assistant", text), ("user", render("continue_user"))),
                max_tokens=request.max_tokens,
                json_mode=False,
                temperature=request.temperature,
                reasoning_effort=request.reasoning_effort,
            )
            # The continuation resends the prompt and the answer so far: its answer gets only what is
            # left of the window (a server such as llama.cpp fails on a call that overflows it).
            room = self.engine.info.context - self._sent_tokens(cont)
            if room < CONTINUE_MIN:
                self._note_once(
                    "an answer was cut off and the context has no room to continue it; kept its "
                    "complete sentences"
                )
                return text
            cont = replace(cont, max_tokens=min(cont.max_tokens or room, room))
            more = await self._complete(cont)
            text = _join_continuation(text, more.text)
            self.cut_off = more.truncated or not more.text.strip()
            if more.truncated:
                self.notes.append(
                    "an answer was still cut off after one continuation; kept its complete sentences"
                )
        return text

    async def _more_room(self, request: ChatRequest, first: ChatResponse) -> ChatResponse:
        """An answer cut off before any text: once more with RETRY_FACTOR times the budget, then fail."""
        budget = request.max_tokens or 0
        bigger = replace(request, max_tokens=budget * RETRY_FACTOR)
        why = (
            "its hidden reasoning used" if first.reasoning_tokens or self.engine.info.reasoning else "it used"
        )
        self.notes.append(
            f"an answer came back empty, cut off at {budget:,} output tokens ({why} the whole budget); "
            f"asked again with {budget * RETRY_FACTOR:,}"
        )
        response = await self._complete(bigger)
        if response.empty and response.truncated:
            model = self.engine.model
            fix = (
                "set --reasoning-effort low (or minimal), or use a model without hidden reasoning"
                if self.engine.info.reasoning or first.reasoning_tokens
                else "use a model with a larger output limit, or fewer --words"
            )
            raise EngineError(
                f"model {model!r} returned an empty answer cut off at the output limit twice ({budget:,} "
                f"then {budget * RETRY_FACTOR:,} tokens; {why} the whole budget): {fix}"
            )
        return response

    async def _complete(self, request: ChatRequest) -> ChatResponse:
        # The prompt's tokens (for the truncation check) are counted in a thread while the endpoint
        # works, not after the answer's last byte.
        counting = asyncio.ensure_future(asyncio.to_thread(self._sent_tokens, request))
        # The checker's index (CPU in another thread, started by `on_call`) must not compete with
        # sending the request: the SDK's encoding and writing would wait for the interpreter lock.
        # A client that can tell calls `on_call` once the body is written (`signal_when_sent`; the
        # task below copies the context); another gets SEND_TURNS event-loop turns to send it.
        on_call = self.engine.on_call
        signals = on_call is not None and bool(getattr(self.engine.chat, "signals_sent", False))
        with signal_when_sent(on_call) if on_call is not None and signals else nullcontext():
            calling = asyncio.ensure_future(self.engine.chat.complete(request))
        if on_call is not None and not signals:
            for _ in range(SEND_TURNS):
                if calling.done():
                    break
                await asyncio.sleep(0)
            on_call()
        try:
            response = await calling
        finally:
            if on_call is not None and signals:
                on_call()  # an answer that needed no request (a cached one) did not call it
            sent = await counting
        self.usage += response.usage
        if response.cached:
            return response
        if not response.usage_reported:
            self.sent_unreported += sent
        elif _cut_short(response.prompt_tokens, sent):
            url = str(getattr(getattr(self.engine.chat, "config", None), "url", "the endpoint"))
            note = truncation_note(url, self.engine.model, sent, response.prompt_tokens)
            if not any(n.startswith(f"warning: {url} counted") for n in self.notes):
                self.notes.append(note)
        return response

    def _sent_tokens(self, request: ChatRequest) -> int:
        return sum(count_tokens(self.engine.tokenizer, str(m.get("content") or "")) + 4
                   for m in request.message_dicts())  # fmt: skip

    def forget_last(self) -> None:
        """The answer to the last request was unusable: if the run fails, no cache may replay it.
        (When the run succeeds it stays: a re-run takes the same path again and pays for nothing.)"""
        if self.last is not None:
            self.unusable.append(self.last)

    def forget_unusable(self) -> None:
        forget = getattr(self.engine.chat, "forget", None)
        if forget is None:
            return
        for request in self.unusable:
            forget(request)

    # --- strategies ------------------------------------------------------------------------------
    async def single(self) -> list[SummarySentence]:
        system, user = single_prompt(self.groups, self.ids, self.words, self.engine.cite)
        return await self.ask(system, user, answer_budget(self.words))

    async def ask(self, system: str, user: str, max_tokens: int) -> list[SummarySentence]:
        """One call and its sentences; a JSON-mode answer with none usable is asked again without
        JSON mode (small local models often produce valid JSON of the wrong shape). A plain answer
        (`cite="local"`) is asked for without JSON mode and read line by line."""
        if self.plain:
            text = await self.call(system, user, max_tokens, json_mode=False, final=True)
            sentences = self.parse_plain(text)
            if not sentences:
                self.forget_last()
            return sentences
        sentences = self.parse(await self.call(system, user, max_tokens, schema=SENTENCES_SCHEMA, final=True))
        if sentences:
            return sentences
        self.forget_last()
        if not self.engine.json_mode:
            return sentences
        self.notes.append("the answer held no usable sentences; asked again without JSON mode")
        sentences = self.parse(await self.call(system, user, max_tokens, json_mode=False))
        if not sentences:
            self.forget_last()
        return sentences

    async def map_reduce(self, plan: Plan) -> list[SummarySentence]:
        system = render("map_system", max_notes=MAP_NOTES)
        parts = len(plan.chunks)

        async def one(k: int) -> list[SummarySentence]:
            user = render("map_user", sources=chunk_sources(plan.chunks[k], self.groups, self.ids))
            notes = self.parse(await self.call(system, user, MAP_NOTES * NOTE_TOKENS, schema=NOTES_SCHEMA))
            if not notes:
                self.forget_last()
            return notes

        if self.engine.progress:
            from tqdm.auto import tqdm

            bar = tqdm(total=parts, desc="map calls")

            async def tracked(k: int) -> list[SummarySentence]:
                result = await one(k)
                bar.update(1)
                return result

            try:  # gather keeps chunk order, so the reduce prompt (and its cache key) is stable
                results = list(await asyncio.gather(*(tracked(k) for k in range(parts))))
            finally:
                bar.close()
        else:
            results = list(await asyncio.gather(*(one(k) for k in range(parts))))
        notes = [s for batch in results for s in batch if s.citations]
        if not notes:
            raise EngineError(
                "the map step produced no cited notes; try another --model or the extractive engine"
            )
        return await self.reduce(notes, plan.context)

    async def reduce(self, notes: list[SummarySentence], context: int) -> list[SummarySentence]:
        """Merge notes into the briefing; when they do not fit one call, merge groups first (a tree)."""
        tok = self.engine.tokenizer
        room = context - answer_budget(self.words) - 600
        lines = [self._note_line(n) for n in notes]
        if count_tokens(tok, "\n".join(lines)) <= room or len(lines) < 4:
            if self.plain:  # the notes without their passage numbers: the answer cites nothing
                lines = [f"- {escape_source_text(n.text)}" for n in notes]
            system = render("plain_reduce_system" if self.plain else "reduce_system", words=self.words)
            user = render("reduce_user", notes="\n".join(lines))
            return await self.ask(system, user, answer_budget(self.words))
        batches = _batches(lines, room, tok)
        merged: list[SummarySentence] = []
        for batch in batches:
            system = render("reduce_system", words=max(60, self.words // 2))
            user = render("reduce_user", notes="\n".join(batch))
            merged += self.parse(
                await self.call(system, user, answer_budget(self.words), schema=SENTENCES_SCHEMA)
            )
        if len(merged) >= len(notes):
            raise EngineError("the reduce step did not shrink the notes; use a model with a larger context")
        return await self.reduce(merged, context)

    def _note_line(self, note: SummarySentence) -> str:
        """A note of the model's own going back into a prompt: escaped like source text (it may
        carry an injection it copied), citing only passages that exist."""
        ids = [c for c in note.citations if self.corpus.has_passage(c)]
        if len(ids) < len(note.citations):
            self._note_once("dropped citations to passages that do not exist from the notes")
        return f"- {escape_source_text(note.text)} {self.short_marker(ids)}".rstrip()

    def short_marker(self, citations: Sequence[str]) -> str:
        """`[4,17]`: the short numbers of the cited passages the prompts showed."""
        shown = [str(self.ids.short(c)) for c in citations if self.ids.passage_known(c)]
        return f"[{','.join(shown)}]" if shown else ""

    def _note_once(self, message: str) -> None:
        if message not in self.notes:
            self.notes.append(message)

    def parse_plain(self, raw: str) -> list[SummarySentence]:
        """The sentences of a plain answer (no citations yet), capped like `parse`."""
        return self._read(raw, lambda text, cut: parse_plain(text, len(self.corpus.sources), cut_off=cut))

    def parse(self, raw: str) -> list[SummarySentence]:
        """The sentences of one answer. An answer far larger than asked (a server that ignores
        max_tokens) is cut first: at most `answer_chars` characters, then `answer_sentences`
        sentences, with a note saying so."""
        return self._read(raw, lambda text, _cut: parse_answer(text, self.corpus, self.ids))

    def _read(self, raw: str, parser: Callable[[str, bool], ParsedAnswer]) -> list[SummarySentence]:
        """`parser(text, cut_off)`'s sentences, capped: at most `answer_caps` characters are read and
        sentences kept. `cut_off`: the text stops mid-answer (at the output limit, or at the cap)."""
        chars, most = answer_caps(self.words)
        cut_off = self.cut_off
        if len(raw) > chars:
            self._note_once(
                f"an answer was far longer than asked ({len(raw):,} characters); read the first {chars:,}"
            )
            raw, cut_off = raw[:chars], True
        parsed = parser(raw, cut_off)
        for problem in parsed.problems:
            self._note_once(problem)
        sentences = list(parsed.sentences)
        if len(sentences) > most:
            self._note_once(
                f"an answer held {len(sentences):,} sentences for about {self.words} words; "
                f"kept the first {most}"
            )
            sentences = sentences[:most]
        return sentences

    # --- repair ----------------------------------------------------------------------------------
    async def repair(self, sentences: list[SummarySentence]) -> list[SummarySentence]:
        """Ask once for citations to replace ones that name passages that do not exist."""
        broken = [
            i for i, s in enumerate(sentences) if any(not self.corpus.has_passage(c) for c in s.citations)
        ]
        if not broken:
            return sentences
        candidates = _candidates([sentences[i].text for i in broken], self.corpus)
        listing = "\n".join(
            f"{n}. {escape_source_text(sentences[i].text)} "
            f"(cited: {', '.join(_shown_id(c) for c in sentences[i].citations)})"
            for n, i in enumerate(broken, 1)
        )
        by_source: dict[str, list[Passage]] = {}
        for p in candidates:
            by_source.setdefault(p.source_id, []).append(p)
        blocks = source_blocks([(s, by_source[s.id]) for s in self.corpus.sources if s.id in by_source])
        try:
            raw = await self.call(
                render("repair_system"), render("repair_user", sentences=listing, sources=blocks), 400
            )
        except EngineError as e:
            self.notes.append(f"citation repair failed ({e}); sentences with missing passages are marked")
            return sentences
        fixes = _repair_answer(raw)
        fixed = list(sentences)
        repaired = 0
        for n, i in enumerate(broken, 1):
            good, bad = self.corpus.split_citations(sentences[i].citations)
            new = [c for c in self.corpus.split_citations(fixes.get(n, []))[0] if c not in good]
            if new:
                repaired += 1
            keep_bad = bad if not new else ()
            fixed[i] = sentences[i].model_copy(update={"citations": (*good, *new, *keep_bad)})
        self.notes.append(f"citation repair: {repaired} of {len(broken)} sentences fixed")
        return fixed


CONTINUE_MIN = 64  # output tokens a continuation needs to be worth asking for


def answer_caps(words: int) -> tuple[int, int]:
    """(characters, sentences) one answer may hold for a summary of `words` words: generous (about
    16 times what is asked, and never below what a map step's notes need), but bounded."""
    return max(16_000, words * 40), max(2 * MAP_NOTES, words // 3 + 10)


_ITEM = re.compile(r'\[\s*"((?:[^"\\]|\\.)*)"\s*,\s*\[[^\[\]]*\]\s*\]')


class _SentenceFeed:
    """Streamed answer pieces -> each complete `["text", [ids]]` item, parsed exactly as the whole
    answer will be (`parse_answer`), handed to `listen` once. Only the unread tail is scanned, and
    nothing past the answer's size cap (`answer_caps`) is looked at: work stays linear in the answer."""

    def __init__(self, run: _Run, listen: Callable[[SummarySentence], object]) -> None:
        self.run = run
        self.listen = listen
        self.tail = ""
        self.read = 0
        self.limit = answer_caps(run.words)[0]

    def __call__(self, piece: str) -> None:
        if self.read >= self.limit:
            return
        self.read += len(piece)
        self.tail += piece
        for sentence in self.complete():
            self.listen(sentence)

    def complete(self) -> list[SummarySentence]:
        """The sentences the tail completes (and the tail cut after them)."""
        items: list[str] = []
        end = 0
        for m in _ITEM.finditer(self.tail):
            items.append(m.group(0))
            end = m.end()
        if not items:
            return []
        self.tail = self.tail[end:]
        parsed = parse_answer('{"s":[' + ",".join(items) + "]}", self.run.corpus, self.run.ids)
        return [_with_copies(sentence, self.run.corpus) for sentence in parsed.sentences]


class _PlainFeed(_SentenceFeed):
    """`_SentenceFeed` for a plain answer (`parse_plain`): whole lines, and in the line being written
    every sentence but the last (it may still grow). The last sentence is read with the whole answer
    at the end. What the answer drops is never handed over: a leading reasoning block (held back
    until it closes), a reference list and all after it (the feed stops at its heading); a sentence
    is handed over once."""

    def __init__(self, run: _Run, listen: Callable[[SummarySentence], object]) -> None:
        super().__init__(run, listen)
        self.thinking: bool | None = None  # inside a leading <think> block; None: not known yet
        self.handed: set[str] = set()

    def complete(self) -> list[SummarySentence]:
        if self.thinking is not False and not self._past_reasoning():
            return []
        cut = _complete_end(self.tail)
        if cut <= 0:
            return []
        done, self.tail = self.tail[:cut], self.tail[cut:]
        lines = done.splitlines(keepends=True)
        for k, line in enumerate(lines):
            if reference_heading(line) and (self.handed or any(x.strip() for x in lines[:k])):
                done, self.read = "".join(lines[:k]), self.limit  # the answer ends here: stop
                break
        fresh = [
            s for s in parse_plain(done, len(self.run.corpus.sources)).sentences if s.text not in self.handed
        ]
        self.handed.update(s.text for s in fresh)
        return fresh

    def _past_reasoning(self) -> bool:
        """Whether the text so far is past any leading `<think>` block (what is left of it kept)."""
        head = self.tail.lstrip().lower()
        if self.thinking is None:
            if len(head) < len("<think>") and "<think>".startswith(head):
                return False  # it may still become one
            self.thinking = head.startswith("<think>")
        if self.thinking:
            end = self.tail.lower().find("</think>")
            if end < 0:
                return False
            self.tail, self.thinking = self.tail[end + len("</think>") :], False
        return True


def _complete_end(text: str) -> int:
    """Where the complete sentences of a growing plain answer end: after its last newline, and in the
    line after it before the start of its last sentence."""
    line = text.rfind("\n") + 1
    spans = split_sentences(text[line:])
    return line + spans[-1][0] if len(spans) >= 2 else line


def _unique(sentences: Sequence[SummarySentence], notes: list[str]) -> list[SummarySentence]:
    """Drop sentences a model repeated word for word or nearly so (small models loop, rewording a
    sentence slightly each time), saying how many. Nearly: at least `NEAR_REPEAT` of the content
    words (stemmed, Jaccard) shared with an earlier sentence of at least five, and the same numbers (a
    sentence giving another figure is another claim, and may be the other side of a conflict)."""
    seen: set[str] = set()
    earlier: list[frozenset[str]] = []
    kept: list[SummarySentence] = []
    near = 0
    for s in sentences:
        key = " ".join(s.text.lower().split())
        if key in seen:
            continue
        terms = frozenset(content_terms(s.text))
        numbers = _numbers(terms)
        if len(terms) >= 5 and any(_near_repeat(terms, numbers, e) for e in earlier):
            near += 1
            continue
        seen.add(key)
        earlier.append(terms)
        kept.append(s)
    if (n := len(sentences) - len(kept)) > 0:
        how = f" ({near} nearly word for word)" if near else ""
        notes.append(f"dropped {n} repeated sentence{'' if n == 1 else 's'}{how}")
    return kept


NEAR_REPEAT = 0.8


def _numbers(terms: frozenset[str]) -> frozenset[str]:
    return frozenset(t for t in terms if any(ch.isdigit() for ch in t))


def _near_repeat(terms: frozenset[str], numbers: frozenset[str], other: frozenset[str]) -> bool:
    """`terms` (whose numeric terms are `numbers`) nearly repeat `other`: see `_unique`."""
    if len(other) < 5 or numbers != _numbers(other):
        return False
    return len(terms & other) >= NEAR_REPEAT * len(terms | other)


def _join_continuation(first: str, more: str) -> str:
    return first + more


def _batches(lines: Sequence[str], room: int, tok: Tokenizer) -> list[list[str]]:
    batches: list[list[str]] = [[]]
    used = 0
    for line in lines:
        n = count_tokens(tok, line) + 1
        if batches[-1] and used + n > room:
            batches.append([])
            used = 0
        batches[-1].append(line)
        used += n
    return batches


def _candidates(texts: Sequence[str], corpus: Corpus, per_sentence: int = 5) -> list[Passage]:
    """The passages most similar to each sentence, for the repair prompt (kept small on purpose)."""
    passages = list(corpus.passages())
    if not passages:
        return []
    matrix = tfidf_matrix([content_terms(t) for t in texts] + [content_terms(p.text) for p in passages])
    scores = (matrix[: len(texts)] @ matrix[len(texts) :].T).toarray()
    chosen: dict[str, Passage] = {}
    for row in scores:
        for j in row.argsort()[::-1][:per_sentence]:
            chosen.setdefault(passages[int(j)].id, passages[int(j)])
    return sorted(chosen.values(), key=lambda p: passage_sort_key(p.id))


_JSON_OBJECT = re.compile(r"\{.*\}", re.DOTALL)


_ID_SHAPE = re.compile(r"S\d{1,6}:\d{1,6}")


def _shown_id(pid: str) -> str:
    """A cited id as the repair prompt shows it: a well-formed id as is, anything else escaped."""
    return pid if _ID_SHAPE.fullmatch(pid) else escape_source_text(pid)


def _repair_answer(raw: str) -> dict[int, list[str]]:
    match = _JSON_OBJECT.search(raw)
    if not match:
        return {}
    try:
        data: Any = json.loads(match.group(0))
    except ValueError:
        return {}
    items = data.get("sentences") if isinstance(data, dict) else None
    out: dict[int, list[str]] = {}
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        n, cites = item.get("n"), item.get("citations")
        if isinstance(n, int) and isinstance(cites, list):
            out[n] = [c.strip() for c in cites if isinstance(c, str)]
    return out


def _with_copies(sentence: SummarySentence, corpus: Corpus) -> SummarySentence:
    """Add the near-duplicate copies of each cited passage (they were sent once, as the first copy)."""
    ids: dict[str, None] = {}
    for c in sentence.citations:
        ids[c] = None
        if corpus.has_passage(c):
            for other in corpus.group_of(c):
                ids.setdefault(other, None)
    if len(ids) == len(sentence.citations):
        return sentence
    return sentence.model_copy(update={"citations": tuple(ids)})
