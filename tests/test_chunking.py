from collections import defaultdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.errors import BudgetError
from toolkit.models import Passage, Sentence
from toolkit.plan.chunking import chunk_passages, render_part
from toolkit.text.sentences import split_sentences
from toolkit.text.tokens import count_tokens, get_tokenizer

TOKENIZER = get_tokenizer("gpt-4o")

word = st.sampled_from(
    [
        "Iraq",
        "Syria",
        "al-Shaibani",
        "1,383",
        "said",
        "the",
        "minister",
        "visited",
        "Baghdad",
        "naïve",
        "supercalifragilisticexpialidocious",
        "日本語",
        "“quoted”",
        "U.S.",
        "on",
        "Friday",
    ]
)
sentence = st.lists(word, min_size=1, max_size=40).map(lambda ws: " ".join(ws) + ".")
paragraph = st.lists(sentence, min_size=1, max_size=8).map(" ".join)


def make_passages(paragraphs: list[str]) -> tuple[str, list[Passage]]:
    text = ""
    passages = []
    for k, para in enumerate(paragraphs, 1):
        if text:
            text += "\n\n"
        start = len(text)
        text += para
        sentences = tuple(Sentence(text=text[a:b], start=a, end=b) for a, b in split_sentences(para, start))
        passages.append(Passage(id=f"S1:{k}", text=para, start=start, end=len(text), sentences=sentences))
    return text, passages


@settings(max_examples=60, deadline=None)
@given(st.lists(paragraph, min_size=1, max_size=6), st.integers(min_value=12, max_value=400))
def test_chunks_fit_budget_keep_offsets_and_lose_nothing(paragraphs: list[str], budget: int) -> None:
    text, passages = make_passages(paragraphs)
    chunks = chunk_passages(passages, budget, TOKENIZER)
    pieces: dict[str, list[str]] = defaultdict(list)
    chunk_of: dict[str, set[int]] = defaultdict(set)
    for n, chunk in enumerate(chunks):
        assert count_tokens(TOKENIZER, chunk.render()) <= budget
        assert chunk.tokens <= budget
        for part in chunk.parts:
            assert text[part.start : part.end] == part.text
            pieces[part.passage_id].append(part.text)
            chunk_of[part.passage_id].add(n)
    for p in passages:
        joined = "".join(pieces[p.id]).replace(" ", "").replace("\n", "")
        assert joined == p.text.replace(" ", "").replace("\n", "")
        whole = count_tokens(TOKENIZER, render_part(p.id, p.text))
        if whole <= budget:
            assert len(chunk_of[p.id]) == 1, "a passage that fits was split across chunks"


def test_passages_are_packed_in_order() -> None:
    _, passages = make_passages(["One two three.", "Four five six.", "Seven eight nine."])
    chunks = chunk_passages(passages, 1000, TOKENIZER)
    assert len(chunks) == 1
    assert chunks[0].passage_ids == ("S1:1", "S1:2", "S1:3")
    small = chunk_passages(
        passages, count_tokens(TOKENIZER, render_part("S1:1", "One two three.")) + 1, TOKENIZER
    )
    assert [c.passage_ids for c in small] == [("S1:1",), ("S1:2",), ("S1:3",)]


def test_budget_too_small_is_a_clear_error() -> None:
    _, passages = make_passages(["One two three."])
    with pytest.raises(BudgetError, match="at least"):
        chunk_passages(passages, 2, TOKENIZER)
