"""Token-aware chunking on passage and sentence boundaries.

A chunk is a run of whole passages whose rendered form (one line per passage, as it goes into a
prompt, plus each source's header once per chunk when `header` is given) fits a token budget. A
passage is split only when it alone is over budget: first at sentence boundaries, and a single
over-long sentence at word boundaries. Every part keeps its
passage id and its offsets into the source text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..errors import BudgetError
from ..models import Passage, _Value
from ..text.tokens import Tokenizer, count_tokens

__all__ = ["Chunk", "ChunkPart", "chunk_passages", "render_part"]


class ChunkPart(_Value):
    passage_id: str
    text: str
    start: int
    end: int
    tokens: int


class Chunk(_Value):
    parts: tuple[ChunkPart, ...]
    tokens: int

    @property
    def passage_ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(p.passage_id for p in self.parts))

    def render(self, render: Callable[[str, str], str] | None = None) -> str:
        fn = render or render_part
        return "".join(fn(p.passage_id, p.text) for p in self.parts)


def render_part(passage_id: str, text: str) -> str:
    """How a passage is laid out for a model: its id, then its text on one line."""
    return f"[{passage_id}] {' '.join(text.split())}\n"


def chunk_passages(
    passages: Sequence[Passage],
    budget: int,
    tokenizer: Tokenizer,
    *,
    render: Callable[[str, str], str] = render_part,
    header: Callable[[str], int] | None = None,
) -> list[Chunk]:
    """Pack passages, in order, into chunks of at most `budget` tokens (rendered form).

    `header(source_id)` is the token cost of a source's header, paid once in every chunk that holds
    a part of that source (passages of one source are consecutive). `Chunk.tokens` includes it."""
    head = header or (lambda _sid: 0)
    minimum = count_tokens(tokenizer, render(passages[0].id if passages else "S999:999", "word"))
    if budget < minimum:
        raise BudgetError(
            f"a chunk budget of {budget} tokens cannot hold even one word; use at least {minimum}"
        )
    chunks: list[Chunk] = []
    current: list[ChunkPart] = []
    used = 0
    for passage in passages:
        sid = passage.source_id
        cost = head(sid)
        if budget - cost < minimum:
            raise BudgetError(
                f"a chunk budget of {budget} tokens cannot hold the {cost}-token header of {sid} "
                f"and one word; use at least {cost + minimum}"
            )
        for part in _parts(passage, budget - cost, tokenizer, render):
            opens = not current or current[-1].passage_id.split(":", 1)[0] != sid
            if current and used + part.tokens + (cost if opens else 0) > budget:
                chunks.append(Chunk(parts=tuple(current), tokens=used))
                current, used, opens = [], 0, True
            current.append(part)
            used += part.tokens + (cost if opens else 0)
    if current:
        chunks.append(Chunk(parts=tuple(current), tokens=used))
    return chunks


def _part(
    passage: Passage, start: int, end: int, tokenizer: Tokenizer, render: Callable[[str, str], str]
) -> ChunkPart:
    text = passage.text[start - passage.start : end - passage.start]
    return ChunkPart(
        passage_id=passage.id,
        text=text,
        start=start,
        end=end,
        tokens=count_tokens(tokenizer, render(passage.id, text)),
    )


def _parts(
    passage: Passage, budget: int, tokenizer: Tokenizer, render: Callable[[str, str], str]
) -> list[ChunkPart]:
    whole = _part(passage, passage.start, passage.end, tokenizer, render)
    if whole.tokens <= budget:
        return [whole]
    spans = [(s.start, s.end) for s in passage.sentences] or [(passage.start, passage.end)]
    pieces: list[ChunkPart] = []
    for start, end in spans:
        piece = _part(passage, start, end, tokenizer, render)
        if piece.tokens <= budget:
            pieces.append(piece)
        else:
            pieces.extend(_split_words(passage, start, end, budget, tokenizer, render))
    return _merge(passage, pieces, budget, tokenizer, render)


def _merge(
    passage: Passage,
    pieces: list[ChunkPart],
    budget: int,
    tokenizer: Tokenizer,
    render: Callable[[str, str], str],
) -> list[ChunkPart]:
    """Join consecutive sentence pieces back together while they fit, so parts stay large."""
    merged: list[ChunkPart] = []
    for piece in pieces:
        if merged:
            joined = _part(passage, merged[-1].start, piece.end, tokenizer, render)
            if joined.tokens <= budget:
                merged[-1] = joined
                continue
        merged.append(piece)
    return merged


def _split_words(
    passage: Passage,
    start: int,
    end: int,
    budget: int,
    tokenizer: Tokenizer,
    render: Callable[[str, str], str],
) -> list[ChunkPart]:
    """Cut one over-long sentence at whitespace (or mid-word as a last resort) to fit the budget."""
    text = passage.text
    base = passage.start
    out: list[ChunkPart] = []
    pos = start
    while pos < end:
        while pos < end and text[pos - base].isspace():
            pos += 1
        if pos >= end:
            break
        lo, hi = pos + 1, end
        best = pos + 1
        while lo <= hi:  # the longest prefix that fits
            mid = (lo + hi) // 2
            if _part(passage, pos, mid, tokenizer, render).tokens <= budget:
                best, lo = mid, mid + 1
            else:
                hi = mid - 1
        cut = best
        if cut < end:
            space = text.rfind(" ", pos - base, cut - base)
            if space > pos - base:
                cut = base + space
        piece = _part(passage, pos, cut, tokenizer, render)
        piece_end = cut
        while piece.text != piece.text.rstrip():
            piece_end -= 1
            piece = _part(passage, pos, piece_end, tokenizer, render)
        out.append(piece)
        pos = cut
    return out
