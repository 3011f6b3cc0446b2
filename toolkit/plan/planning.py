"""A plan before any call: what we send, in how many calls, and what it should cost.

Near-duplicate passages (wire copies) are sent once: the first passage of each group stands for the
others, whose ids are added back to the citations afterwards. If everything fits the model's context
with room for the answer, one call writes the briefing; otherwise map-reduce: chunks of passages are
turned into cited notes (concurrently), and a reduce call merges the notes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..chat.model_facts import (
    DEFAULT_CONTEXT,
    ModelInfo,
    estimate_cost,
    model_info,
    reasoning_reserve,
    unknown_price_error,
)
from ..errors import BudgetError
from ..models import Corpus, Passage, Source, _Value
from ..text.tokens import Tokenizer, count_tokens
from .chunking import Chunk, chunk_passages
from .prompting import (
    REPEAT_MARK,
    REPEAT_NOTE,
    ShortIds,
    compact_line,
    compact_sources,
    header_line,
    plain_sources,
    render,
)

__all__ = [
    "CITE_MODES",
    "DEFAULT_CONTEXT",
    "MODELS",
    "ModelInfo",
    "Plan",
    "estimate_cost",
    "make_plan",
    "model_info",
    "sent_passages",
    "single_prompt",
]


# Model facts (context, prices, parameter support) live in `toolkit.chat.model_facts`; re-exported here.
MODELS: dict[str, ModelInfo] = {}  # kept for callers of the old table: facts now come from genai-prices


class SourcePlan(_Value):
    id: str
    passages: int
    sent: int
    tokens: int


class Plan(_Value):
    """What a run will send. `chunks` is empty for a single call."""

    model: str
    strategy: str  # "single" | "map-reduce"
    context: int
    answer_tokens: int
    sources: tuple[SourcePlan, ...]
    prompt_tokens: int
    calls: int
    chunks: tuple[Chunk, ...] = ()
    duplicates_skipped: int = 0
    cost_usd: float | None = None

    def describe(self) -> str:
        """A plain-text table for `--dry-run` and notebooks."""
        lines = [
            f"model {self.model} (context {self.context:,} tokens) · strategy: {self.strategy} · "
            f"calls: {self.calls} · prompt tokens: {self.prompt_tokens:,} · answer budget: "
            f"{self.answer_tokens:,} tokens/call",
            "cost: "
            + (
                f"about ${self.cost_usd:.4f}"
                if self.cost_usd is not None
                else "unknown price (give --price-in/--price-out in USD per million tokens)"
            ),
            f"near-duplicate passages sent once: {self.duplicates_skipped} passages not re-sent",
            "",
            "source  passages  sent  tokens",
        ]
        lines += [f"{s.id:<7} {s.passages:>8} {s.sent:>5} {s.tokens:>7,}" for s in self.sources]
        return "\n".join(lines)


def sent_passages(corpus: Corpus) -> list[tuple[Source, list[Passage]]]:
    """Each source with the passages we send: a near-duplicate is sent only as its group's first member."""
    out: list[tuple[Source, list[Passage]]] = []
    seen_groups: set[str] = set()
    for source in corpus.sources:
        keep: list[Passage] = []
        for p in source.passages:
            if p.group is not None:
                if p.group in seen_groups:
                    continue
                seen_groups.add(p.group)
            keep.append(p)
        out.append((source, keep))
    return out


def line_renderer(ids: ShortIds) -> Callable[[str, str], str]:
    """How the planner and chunker lay out one passage: its compact prompt line."""

    def line(passage_id: str, text: str) -> str:
        return compact_line(ids.short(passage_id), text)

    return line


def answer_budget(words: int) -> int:
    """Tokens to reserve for an answer of `words` words in our JSON shape (citations included)."""
    return max(256, words * 4)


def make_plan(
    corpus: Corpus,
    model: str,
    tokenizer: Tokenizer,
    *,
    words: int,
    info: ModelInfo | None = None,
    max_cost: float | None = None,
    cite: str = "model",
) -> Plan:
    """What a run over `corpus` will send: one call when the prompt and the answer budget fit the
    model's context, else map-reduce chunks. `cite="local"` counts the plain layout (no passage
    numbers). Raises `BudgetError` over `max_cost` (USD) or when even map-reduce cannot fit."""
    info = info or model_info(model)
    numbered = cite != "local"
    answer = answer_budget(words) + reasoning_reserve(info)  # a reasoning model thinks within it
    groups = sent_passages(corpus)
    ids = ShortIds.of(groups)
    line = line_renderer(ids)

    def line_tokens(p: Passage) -> int:
        # The corpus counted each passage once; its prompt line adds the number (one token below 1,000).
        return (
            p.tokens + (0 if not numbered else 1 if len(ids) < 1000 else 2)
            if p.tokens
            else count_tokens(tokenizer, line(p.id, p.text))
        )

    source_plans = tuple(
        SourcePlan(
            id=s.id,
            passages=len(s.passages),
            sent=len(kept),
            tokens=sum(line_tokens(p) for p in kept)
            + (count_tokens(tokenizer, header_line(s)) if kept else 0),
        )
        for s, kept in groups
    )
    skipped = sum(sp.passages - sp.sent for sp in source_plans)
    system = count_tokens(
        tokenizer,
        render("merge_system", words=words, repeats=REPEAT_NOTE)
        if numbered
        else render("plain_system", words=words),
    )
    single_prompt = system + sum(sp.tokens for sp in source_plans) + 8
    if abs(single_prompt + answer - info.context) <= ESTIMATE_MARGIN * single_prompt:
        # Near the limit the estimate (or a corpus counted with another tokenizer) could be off: count.
        single_prompt = _single_prompt_tokens(groups, ids, tokenizer, words, cite)
    if single_prompt + answer <= info.context:
        plan = Plan(
            model=model,
            strategy="single",
            context=info.context,
            answer_tokens=answer,
            sources=source_plans,
            prompt_tokens=single_prompt,
            calls=1,
            duplicates_skipped=skipped,
            cost_usd=estimate_cost(info, single_prompt, answer // 2),
        )
    else:
        plan = _map_reduce_plan(groups, ids, model, info, tokenizer, words, source_plans, skipped)
    if max_cost is not None:
        if plan.cost_usd is None:
            raise unknown_price_error(model, max_cost)
        if plan.cost_usd > max_cost:
            raise BudgetError(
                f"the plan would cost about ${plan.cost_usd:.4f} ({plan.calls} calls, "
                f"{plan.prompt_tokens:,} prompt tokens), over --max-cost ${max_cost}; "
                "use fewer articles, a cheaper --model, or raise --max-cost"
            )
    return plan


CITE_MODES = ("model", "local")  # who finds each sentence's passages: the model, or the checker afterwards


def single_prompt(
    groups: list[tuple[Source, list[Passage]]], ids: ShortIds, words: int, cite: str = "model"
) -> tuple[str, str]:
    """The system and user messages of the one-call strategy (the system message explains the `^n`
    repeat mark only when the sources use it). `cite="local"`: the plain layout (no passage numbers)
    and an answer of one sentence per line, cited afterwards by the checker."""
    if cite == "local":
        return render("plain_system", words=words), render("plain_user", sources=plain_sources(groups))
    sources = compact_sources(groups, ids)
    repeats = REPEAT_NOTE if REPEAT_MARK in sources else ""
    return render("merge_system", words=words, repeats=repeats), render("merge_user", sources=sources)


def _single_prompt_tokens(
    groups: list[tuple[Source, list[Passage]]], ids: ShortIds, tokenizer: Tokenizer, words: int, cite: str
) -> int:
    system, user = single_prompt(groups, ids, words, cite)
    return count_tokens(tokenizer, system) + count_tokens(tokenizer, user) + 8


ESTIMATE_MARGIN = 0.03
MAP_NOTES = 12
NOTE_TOKENS = 60


def _map_reduce_plan(
    groups: list[tuple[Source, list[Passage]]],
    ids: ShortIds,
    model: str,
    info: ModelInfo,
    tokenizer: Tokenizer,
    words: int,
    source_plans: tuple[SourcePlan, ...],
    skipped: int,
) -> Plan:
    map_answer = MAP_NOTES * NOTE_TOKENS + reasoning_reserve(info)
    overhead = count_tokens(tokenizer, render("map_system", max_notes=MAP_NOTES))
    overhead += count_tokens(tokenizer, render("map_user", sources="")) + 8
    # Each source's header line is paid once per chunk holding a part of it.
    headers = {s.id: count_tokens(tokenizer, header_line(s)) for s, _ in groups}
    budget = info.context - map_answer - overhead
    smallest = count_tokens(tokenizer, compact_line(len(ids), "word")) + max(headers.values(), default=0)
    if budget < smallest:
        raise BudgetError(
            f"the context of {model!r} ({info.context:,} tokens) is too small for map-reduce; "
            "pass a larger --context if the model supports it"
        )
    passages = [p for _, kept in groups for p in kept]
    chunks = _fit_chunks(
        passages, budget, tokenizer, groups, ids, overhead, info.context - map_answer, headers
    )
    map_prompt = sum(c.tokens for c in chunks) + len(chunks) * overhead
    notes_tokens = len(chunks) * MAP_NOTES * NOTE_TOKENS // 2
    answer = answer_budget(words) + reasoning_reserve(info)
    reduce_calls = _reduce_calls(notes_tokens, info.context - answer - 512, max(200, words))
    reduce_prompt = notes_tokens + reduce_calls * 400
    prompt_tokens = map_prompt + reduce_prompt
    completion = notes_tokens + len(chunks) * reasoning_reserve(info) // 2 + reduce_calls * answer // 2
    return Plan(
        model=model,
        strategy="map-reduce",
        context=info.context,
        answer_tokens=answer,
        sources=source_plans,
        prompt_tokens=prompt_tokens,
        calls=len(chunks) + reduce_calls,
        chunks=tuple(chunks),
        duplicates_skipped=skipped,
        cost_usd=estimate_cost(info, prompt_tokens, completion),
    )


def _fit_chunks(
    passages: Sequence[Passage],
    budget: int,
    tokenizer: Tokenizer,
    groups: list[tuple[Source, list[Passage]]],
    ids: ShortIds,
    overhead: int,
    limit: int,
    headers: dict[str, int],
) -> list[Chunk]:
    """Chunk, then check each rendered map prompt really fits; shrink the budget if one does not
    (token counts of concatenated lines can differ by a token or two from the sum of their parts)."""
    render_line = line_renderer(ids)
    while True:
        chunks = chunk_passages(
            passages, budget, tokenizer, render=render_line, header=lambda sid: headers.get(sid, 0)
        )
        worst = max(count_tokens(tokenizer, chunk_sources(c, groups, ids)) for c in chunks) + overhead
        if worst <= limit or budget < 128:
            return chunks
        budget = int(budget * 0.9)


def chunk_sources(chunk: Chunk, groups: list[tuple[Source, list[Passage]]], ids: ShortIds) -> str:
    """The compact sources of one chunk (parts of over-long passages keep their passage's number)."""
    by_source: dict[str, list[Passage]] = {}
    for part in chunk.parts:
        sid = part.passage_id.split(":", 1)[0]
        by_source.setdefault(sid, []).append(
            Passage(id=part.passage_id, text=part.text, start=part.start, end=part.end)
        )
    return compact_sources([(s, by_source[s.id]) for s, _ in groups if s.id in by_source], ids)


def _reduce_calls(notes_tokens: int, room: int, merged_tokens: int) -> int:
    """Calls for a reduce tree: merge groups of notes that fit `room`, then merge the merges.
    Stops counting when a level would not shrink (the engine reports that case as an error)."""
    calls, level = 0, notes_tokens
    while level > room > 0:
        n = -(-level // room)
        calls += n
        shrunk = n * merged_tokens
        if shrunk >= level:
            break
        level = shrunk
    return calls + 1
