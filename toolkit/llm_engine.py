"""The LLM engine: one merged, cited summary through any OpenAI-compatible endpoint.

    plan (tokens, strategy, calls, cost)
      -> single call            (everything fits the context with room for the answer)
      -> or map (concurrent) -> reduce (tree)   (cited notes keep passage ids)
    -> parse (JSON, or inline markers when the endpoint ignored JSON mode)
    -> one repair call for citations to passages that do not exist
    -> near-duplicate passages added back to citations

All calls go through a `ChatClient` (the one seam): `OpenAIChat` in real use, anything scripted in tests.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from .answers import parse_answer
from .engines import Draft
from .errors import EngineError
from .llm import ChatClient, ChatRequest, ChatResponse, Message
from .models import Corpus, Passage, SummarySentence, Usage, passage_sort_key
from .planning import (
    MAP_NOTES,
    NOTE_TOKENS,
    ModelInfo,
    Plan,
    answer_budget,
    chunk_sources,
    estimate_cost,
    make_plan,
    model_info,
    sent_passages,
    single_prompt,
)
from .prompting import ShortIds, render, source_blocks
from .textsim import content_terms, tfidf_matrix
from .tokens import Tokenizer, count_tokens, get_tokenizer

__all__ = ["OpenAIEngine", "run_sync"]

T = TypeVar("T")


def run_sync(make: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine to completion from sync code, also inside Jupyter's already-running loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
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
        on_sentence: Callable[[SummarySentence], object] | None = None,
    ) -> None:
        self.chat = chat
        self.model = model
        self.name = name
        self.tokenizer = tokenizer or get_tokenizer(model)
        self.info = info or model_info(model)
        self.json_mode = json_mode
        self.max_cost = max_cost
        self.progress = progress
        # Called with each sentence of the final answer as it streams in (the answer is then asked
        # for as a stream); `summarize()` uses it to check sentences while the rest is generated.
        self.on_sentence = on_sentence

    def plan(self, corpus: Corpus, *, words: int) -> Plan:
        return make_plan(
            corpus, self.model, self.tokenizer, words=words, info=self.info, max_cost=self.max_cost
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
        finally:
            closer = getattr(self.chat, "aclose", None)
            if closer is not None:
                await closer()
        sentences = [_with_copies(s, corpus) for s in _unique(sentences, run.notes)]
        usage = run.usage
        cost = estimate_cost(self.info, usage.prompt_tokens, usage.completion_tokens)
        usage = usage.model_copy(update={"cost_usd": cost})
        notes = [f"{self.name}: {plan.strategy}, {usage.calls} calls, {usage.cached_calls} cached"]
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
        self.groups = sent_passages(corpus)
        self.ids = ShortIds.of(self.groups)  # the numbers prompts show for passage ids

    # --- calls -----------------------------------------------------------------------------------
    async def call(
        self, system: str, user: str, max_tokens: int, *, json_mode: bool | None = None, final: bool = False
    ) -> str:
        """One call (continued once if cut off). `final`: the briefing itself, streamed to
        `on_sentence` when the engine has one."""
        messages: tuple[Message, ...] = (("system", system), ("user", user))
        wants_json = self.engine.json_mode if json_mode is None else json_mode
        listen = self.engine.on_sentence if final else None
        request = ChatRequest(
            messages=messages,
            max_tokens=max_tokens,
            json_mode=wants_json,
            stream=listen is not None,
            on_text=_SentenceFeed(self, listen) if listen is not None else None,
        )
        response = await self._complete(request)
        text = response.text
        if response.truncated:
            cont = ChatRequest(
                messages=(*messages, ("assistant", text), ("user", render("continue_user"))),
                max_tokens=max_tokens,
                json_mode=False,
            )
            more = await self._complete(cont)
            text = _join_continuation(text, more.text)
            if more.truncated:
                self.notes.append(
                    "an answer was still cut off after one continuation; kept its complete sentences"
                )
        return text

    async def _complete(self, request: ChatRequest) -> ChatResponse:
        response = await self.engine.chat.complete(request)
        self.usage += response.usage
        return response

    # --- strategies ------------------------------------------------------------------------------
    async def single(self) -> list[SummarySentence]:
        system, user = single_prompt(self.groups, self.ids, self.words)
        return await self.ask(system, user, answer_budget(self.words))

    async def ask(self, system: str, user: str, max_tokens: int) -> list[SummarySentence]:
        """One call for the final briefing and its sentences; a JSON-mode answer with none usable is
        asked again without JSON mode (small local models often produce valid JSON of the wrong shape)."""
        sentences = self.parse(await self.call(system, user, max_tokens, final=True))
        if sentences or not self.engine.json_mode:
            return sentences
        self.notes.append("the answer held no usable sentences; asked again without JSON mode")
        return self.parse(await self.call(system, user, max_tokens, json_mode=False))

    async def map_reduce(self, plan: Plan) -> list[SummarySentence]:
        system = render("map_system", max_notes=MAP_NOTES)
        parts = len(plan.chunks)

        async def one(k: int) -> list[SummarySentence]:
            user = render("map_user", sources=chunk_sources(plan.chunks[k], self.groups, self.ids))
            return self.parse(await self.call(system, user, MAP_NOTES * NOTE_TOKENS))

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
        lines = [f"- {' '.join(n.text.split())} {self.short_marker(n.citations)}" for n in notes]
        if count_tokens(tok, "\n".join(lines)) <= room or len(lines) < 4:
            system = render("reduce_system", words=self.words)
            user = render("reduce_user", notes="\n".join(lines))
            return await self.ask(system, user, answer_budget(self.words))
        batches = _batches(lines, room, tok)
        merged: list[SummarySentence] = []
        for batch in batches:
            system = render("reduce_system", words=max(60, self.words // 2))
            user = render("reduce_user", notes="\n".join(batch))
            merged += self.parse(await self.call(system, user, answer_budget(self.words)))
        if len(merged) >= len(notes):
            raise EngineError("the reduce step did not shrink the notes; use a model with a larger context")
        return await self.reduce(merged, context)

    def short_marker(self, citations: Sequence[str]) -> str:
        """`[4,17]`: the short numbers of the cited passages the prompts showed."""
        shown = [str(self.ids.short(c)) for c in citations if self.ids.passage_known(c)]
        return f"[{','.join(shown)}]" if shown else ""

    def parse(self, raw: str) -> list[SummarySentence]:
        parsed = parse_answer(raw, self.corpus, self.ids)
        for problem in parsed.problems:
            if problem not in self.notes:
                self.notes.append(problem)
        return list(parsed.sentences)

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
            f"{n}. {sentences[i].text} (cited: {', '.join(sentences[i].citations)})"
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
            good = [c for c in sentences[i].citations if self.corpus.has_passage(c)]
            new = [c for c in fixes.get(n, []) if self.corpus.has_passage(c) and c not in good]
            if new:
                repaired += 1
            bad = [c for c in sentences[i].citations if not self.corpus.has_passage(c)]
            keep_bad = bad if not new else []
            fixed[i] = sentences[i].model_copy(update={"citations": tuple(good + new + keep_bad)})
        self.notes.append(f"citation repair: {repaired} of {len(broken)} sentences fixed")
        return fixed


_ITEM = re.compile(r'\[\s*"((?:[^"\\]|\\.)*)"\s*,\s*\[[^\[\]]*\]\s*\]')


class _SentenceFeed:
    """Streamed answer text -> each complete `["text", [ids]]` item, parsed exactly as the whole
    answer will be (`parse_answer`), handed to `listen` once."""

    def __init__(self, run: _Run, listen: Callable[[SummarySentence], object]) -> None:
        self.run = run
        self.listen = listen
        self.seen = 0

    def __call__(self, text: str) -> None:
        whole = [m.group(0) for m in _ITEM.finditer(text)]
        if len(whole) <= self.seen:
            return
        new, self.seen = whole[self.seen :], len(whole)
        parsed = parse_answer('{"s":[' + ",".join(new) + "]}", self.run.corpus, self.run.ids)
        for sentence in parsed.sentences:
            self.listen(_with_copies(sentence, self.run.corpus))


def _unique(sentences: Sequence[SummarySentence], notes: list[str]) -> list[SummarySentence]:
    """Drop sentences a model repeated word for word (small models loop), saying how many."""
    seen: set[str] = set()
    kept: list[SummarySentence] = []
    for s in sentences:
        key = " ".join(s.text.lower().split())
        if key not in seen:
            seen.add(key)
            kept.append(s)
    if len(kept) < len(sentences):
        notes.append(f"dropped {len(sentences) - len(kept)} repeated sentences")
    return kept


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
