"""The engine seam: one protocol, one method. Every summariser (offline, OpenAI-compatible, scripted
test engine) takes a `Corpus` and returns a `Draft`: cited sentences plus what the work cost."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from ..models import Corpus, SummarySentence, Usage, _Value

__all__ = ["Draft", "Engine"]


class Draft(_Value):
    sentences: tuple[SummarySentence, ...]
    usage: Usage = Usage()
    model: str = ""
    notes: tuple[str, ...] = ()


@runtime_checkable
class Engine(Protocol):
    """Implement `summarize` to add an engine."""

    name: str

    def summarize(self, corpus: Corpus, *, words: int) -> Draft: ...
