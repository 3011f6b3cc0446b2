"""Slow-input traps: shapes that made a text stage super-linear. Each runs against a normal input of
the same size; the trap may cost more, but only by a generous constant factor (a quadratic or cubic
stage costs hundreds of times more at these sizes)."""

from __future__ import annotations

import time
from collections.abc import Callable

from toolkit import build_corpus, load_articles
from toolkit.cite.answers import parse_answer
from toolkit.cite.summary_text import parse_summary
from toolkit.ingest.cleaning import clean

RATIO = 25.0  # generous: a linear stage stays within a few times the normal input's cost
FLOOR = 0.02  # seconds: below this, timer noise dominates


def _seconds(run: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(2):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def _ratio(trap: Callable[[], object], normal: Callable[[], object]) -> float:
    return _seconds(trap) / max(_seconds(normal), FLOOR)


def _normal(size: int) -> str:
    sentence = "The dam on the river held on Monday, officials said [S1:1]. "
    return (sentence * (size // len(sentence) + 1))[:size]


def test_verify_a_summary_with_a_heading_followed_by_spaces() -> None:
    trap = "# a" + " " * 1200 + "b\n\nThe dam held [S1:1].\n"
    assert _ratio(lambda: parse_summary(trap), lambda: parse_summary(_normal(len(trap)))) < RATIO


def test_a_model_answer_with_a_heading_followed_by_spaces() -> None:
    corpus = build_corpus(load_articles([{"text": "The dam on the river held on Monday, officials said."}]))
    trap = "# a" + " " * 20_000 + "b\nThe dam held on Monday [S1:1].\n"
    normal = _normal(len(trap))
    assert _ratio(lambda: parse_answer(trap, corpus), lambda: parse_answer(normal, corpus)) < RATIO


def test_cleaning_mr_a_repeated() -> None:
    trap = "Mr. A " * 40_000
    assert _ratio(lambda: clean(trap), lambda: clean(_normal(len(trap)))) < RATIO
    lines = "Mr. A\n" * 20_000
    assert _ratio(lambda: clean(lines), lambda: clean(_normal(len(lines)))) < RATIO * 4  # per-line work
