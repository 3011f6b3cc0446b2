"""Inputs shaped to exhaust the machine: many short, similar lines make every all-pairs similarity
quadratic. Memory must grow linearly with the input (measured as a ratio against a quarter-size input
of the same shape, generous), and the offline engine caps the sentences it considers, with a note."""

from __future__ import annotations

import random
import tracemalloc

from toolkit import summarize
from toolkit.engines.extractive import MAX_SENTENCES, ExtractiveEngine
from toolkit.ingest.loading import load_articles
from toolkit.ingest.passages import build_corpus
from toolkit.models import Corpus


def short_lines(n: int, seed: int = 1) -> str:
    """`n` distinct short sentences over a small vocabulary (each shares terms with many others)."""
    rng = random.Random(seed)
    vocab = [f"w{k}x" for k in range(300)]
    return "\n".join(f"The dam {' '.join(rng.choice(vocab) for _ in range(6))} held today." for _ in range(n))


def _peak(text: str) -> int:
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        summarize([{"text": text, "title": "lines"}], words=100)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_grows_linearly_with_many_short_lines() -> None:
    summarize([{"text": short_lines(50), "title": "warm-up"}], words=50)  # tokenizer, caches
    small, large = _peak(short_lines(800)), _peak(short_lines(3200))
    # Linear: about 4x. All-pairs similarity matrices made it about 12-16x.
    assert large / small < 7, (small, large)


def test_the_offline_engine_caps_the_sentences_it_considers() -> None:
    corpus: Corpus = build_corpus(load_articles([{"text": short_lines(MAX_SENTENCES + 500, 2)}]))
    draft = ExtractiveEngine().summarize(corpus, words=60)
    assert any(f"the first {MAX_SENTENCES:,}" in n for n in draft.notes)
    assert draft.sentences
