"""A plan before any call: what we send, in how many calls, and what it should cost.

Near-duplicate passages (wire copies) are sent once: the first passage of each group stands for the
others, whose ids are added back to the citations afterwards. If everything fits the model's context
with room for the answer, one call writes the briefing; otherwise map-reduce: chunks of passages are
turned into cited notes (concurrently), and a reduce call merges the notes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..chat.model_facts import MODELS, ModelInfo, estimate_cost, model_info
from ..errors import BudgetError
from ..models import Corpus, Passage, Source, _Value
from ..text.tokens import Tokenizer, count_tokens
from .chunking import Chunk, chunk_passages
from .prompting import escape_source_text, render, source_blocks

__all__ = ["MODELS", "ModelInfo", "Plan", "estimate_cost", "make_plan", "model_info", "sent_passages"]
# MODELS, ModelInfo, estimate_cost and model_info live with the models (toolkit.chat.model_facts);
# they are named here too because plans are made from them.


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
            "cost: " + (f"about ${self.cost_usd:.4f}" if self.cost_usd is not None else "unknown price"),
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


def prompt_line(passage_id: str, text: str) -> str:
    return f"[{passage_id}] {escape_source_text(text)}\n"


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
) -> Plan:
    info = info or model_info(model)
    answer = answer_budget(words)
    groups = sent_passages(corpus)
    source_plans = tuple(
        SourcePlan(
            id=s.id,
            passages=len(s.passages),
            sent=len(kept),
            tokens=sum(count_tokens(tokenizer, prompt_line(p.id, p.text)) for p in kept),
        )
        for s, kept in groups
    )
    skipped = sum(sp.passages - sp.sent for sp in source_plans)
    single_prompt = _single_prompt_tokens(groups, tokenizer, words)
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
        plan = _map_reduce_plan(groups, model, info, tokenizer, words, source_plans, skipped)
    if max_cost is not None:
        if plan.cost_usd is None:
            raise BudgetError(
                f"--max-cost {max_cost} was given but the price of {model!r} is unknown; "
                "drop --max-cost for a local or self-hosted model"
            )
        if plan.cost_usd > max_cost:
            raise BudgetError(
                f"the plan would cost about ${plan.cost_usd:.4f} ({plan.calls} calls, "
                f"{plan.prompt_tokens:,} prompt tokens), over --max-cost ${max_cost}; "
                "use fewer articles, a cheaper --model, or raise --max-cost"
            )
    return plan


def _single_prompt_tokens(
    groups: list[tuple[Source, list[Passage]]], tokenizer: Tokenizer, words: int
) -> int:
    system = render("merge_system", words=words)
    user = render("merge_user", words=words, source_count=len(groups), sources=source_blocks(groups))
    return count_tokens(tokenizer, system) + count_tokens(tokenizer, user) + 8


MAP_NOTES = 12
NOTE_TOKENS = 60


def _map_reduce_plan(
    groups: list[tuple[Source, list[Passage]]],
    model: str,
    info: ModelInfo,
    tokenizer: Tokenizer,
    words: int,
    source_plans: tuple[SourcePlan, ...],
    skipped: int,
) -> Plan:
    map_answer = MAP_NOTES * NOTE_TOKENS
    overhead = count_tokens(tokenizer, render("map_system", max_notes=MAP_NOTES))
    overhead += count_tokens(tokenizer, render("map_user", part=99, parts=99, sources="")) + 8
    # Source block headers cost tokens too: allow for them per source that may share a chunk.
    header = max(
        (count_tokens(tokenizer, source_blocks([(s, kept[:1])])) for s, kept in groups if kept), default=0
    )
    budget = info.context - map_answer - overhead - 4 * header
    if budget < 64:
        raise BudgetError(
            f"the context of {model!r} ({info.context:,} tokens) is too small for map-reduce; "
            "pass a larger --context if the model supports it"
        )
    passages = [p for _, kept in groups for p in kept]
    chunks = _fit_chunks(passages, budget, tokenizer, groups, overhead, info.context - map_answer)
    map_prompt = sum(c.tokens for c in chunks) + len(chunks) * (overhead + 2 * header)
    notes_tokens = len(chunks) * map_answer // 2
    reduce_calls = _reduce_calls(notes_tokens, info.context - answer_budget(words) - 512, max(200, words))
    reduce_prompt = notes_tokens + reduce_calls * 400
    prompt_tokens = map_prompt + reduce_prompt
    completion = notes_tokens + reduce_calls * answer_budget(words) // 2
    return Plan(
        model=model,
        strategy="map-reduce",
        context=info.context,
        answer_tokens=answer_budget(words),
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
    overhead: int,
    limit: int,
) -> list[Chunk]:
    """Chunk, then check each rendered map prompt really fits; shrink the budget if one does not."""
    render_line: Callable[[str, str], str] = prompt_line
    while True:
        chunks = chunk_passages(passages, budget, tokenizer, render=render_line)
        worst = max(count_tokens(tokenizer, chunk_sources(c, groups)) for c in chunks) + overhead
        if worst <= limit or budget < 128:
            return chunks
        budget = int(budget * 0.9)


def chunk_sources(chunk: Chunk, groups: list[tuple[Source, list[Passage]]]) -> str:
    """The `<source>` blocks of one chunk (parts of over-long passages keep their passage id)."""
    by_source: dict[str, list[Passage]] = {}
    for part in chunk.parts:
        sid = part.passage_id.split(":", 1)[0]
        by_source.setdefault(sid, []).append(
            Passage(id=part.passage_id, text=part.text, start=part.start, end=part.end)
        )
    return source_blocks([(s, by_source[s.id]) for s, _ in groups if s.id in by_source])


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
