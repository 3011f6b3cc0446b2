"""The map-reduce plan on single-paragraph articles of every size: every map prompt fits the context,
nothing is lost, and no two neighbouring chunks would have fitted together (headers counted once per
chunk, not a whole first paragraph per source)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit import build_corpus
from toolkit.models import Article
from toolkit.plan.chunking import Chunk
from toolkit.plan.planning import MAP_NOTES, NOTE_TOKENS, ModelInfo, chunk_sources, make_plan, sent_passages
from toolkit.plan.prompting import ShortIds, header_line, render
from toolkit.text.tokens import count_tokens, get_tokenizer

TOK = get_tokenizer("gpt-4o-mini")
VOCAB = ("Iraq", "said", "the", "minister", "visited", "Baghdad", "on", "Friday", "1,383", "al-Shaibani")


def paragraph(words: int, seed: int) -> str:
    """One paragraph (no blank line) of `words` words, a full stop every 17 words."""
    out = []
    for k in range(words):
        out.append(VOCAB[(k * 7 + seed) % len(VOCAB)] + ("." if k % 17 == 16 else ""))
    return " ".join(out) + "."


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.integers(min_value=1, max_value=4000), min_size=1, max_size=8),
    st.sampled_from([4096, 8192, 16_000]),
)
def test_plan_of_single_paragraph_articles(sizes: list[int], context: int) -> None:
    articles = [Article(text=paragraph(n, k), path=f"a{k}", title=f"Story {k}") for k, n in enumerate(sizes)]
    corpus = build_corpus(articles, TOK, dedupe=False)
    plan = make_plan(corpus, "x", TOK, words=250, info=ModelInfo(context=context))
    if plan.strategy == "single":
        assert plan.prompt_tokens + plan.answer_tokens <= context
        return
    groups = sent_passages(corpus)
    ids = ShortIds.of(groups)
    system = count_tokens(TOK, render("map_system", max_notes=MAP_NOTES)) + 8
    limit = context - MAP_NOTES * NOTE_TOKENS

    def prompt(chunk: Chunk) -> int:
        return system + count_tokens(TOK, render("map_user", sources=chunk_sources(chunk, groups, ids)))

    for chunk in plan.chunks:
        assert prompt(chunk) <= limit
    # Nothing lost: the parts of each passage, in order, give back its words.
    for source in corpus.sources:
        for p in source.passages:
            parts = [part.text for c in plan.chunks for part in c.parts if part.passage_id == p.id]
            assert " ".join(parts).split() == p.text.split()
    # Tight: a chunk and the next one together would not have fitted (one header of slack).
    header = max(count_tokens(TOK, header_line(s)) for s in corpus.sources)
    for a, b in zip(plan.chunks, plan.chunks[1:], strict=False):
        merged = Chunk(parts=a.parts + b.parts, tokens=a.tokens + b.tokens)
        assert prompt(merged) > limit - header - 4


def test_long_first_paragraphs_do_not_eat_the_budget() -> None:
    """One 4,000-token paragraph among many short articles: 16k still plans (it used to raise
    BudgetError, the paragraph counted as header text four times over)."""
    articles = [Article(text=paragraph(3000, 0), path="long", title="Long")]
    articles += [Article(text=paragraph(120, k), path=f"a{k}", title=f"S{k}") for k in range(1, 120)]
    corpus = build_corpus(articles, TOK, dedupe=False)
    plan = make_plan(corpus, "x", TOK, words=250, info=ModelInfo(context=16_000))
    total = sum(c.tokens for c in plan.chunks)
    budget = 16_000 - MAP_NOTES * NOTE_TOKENS - count_tokens(TOK, render("map_system", max_notes=MAP_NOTES))
    assert plan.strategy == "map-reduce" and len(plan.chunks) <= -(-total // (budget - 300))
