"""The small typed values that flow through the pipeline.

    Article  --clean/segment-->  Source (passages S1:1.., dropped spans)  --dedupe-->  Corpus
    Corpus  --engine-->  Draft (sentences with citations, usage)  -->  Briefing

Offsets (`start`, `end`) always index into `Source.text`, the article text exactly as loaded
(for HTML: the text the extractor produced), so `source.text[p.start:p.end] == p.text`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import cached_property

from pydantic import BaseModel, ConfigDict

__all__ = [
    "Article",
    "CitationCheck",
    "Corpus",
    "Dropped",
    "DuplicateGroup",
    "Evidence",
    "Passage",
    "Sentence",
    "Source",
    "SummarySentence",
    "Usage",
    "passage_sort_key",
]

PASSAGE_ID = re.compile(r"^S(\d+):(\d+)$")


class _Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class _Document(_Value):
    """What a document says about itself, the fields `Article` (as loaded) and `Source` (as cleaned) share:
    its text and where it comes from (file path, title, outlet, ISO or free-form date, URL; "" if unknown)."""

    text: str
    path: str = ""
    title: str = ""
    outlet: str = ""
    date: str = ""
    url: str = ""


class _Identified(_Value):
    id: str


class Article(_Document):
    """One input document as loaded, before cleaning."""

    format: str = "text"
    notes: tuple[str, ...] = ()


class Sentence(_Value):
    text: str
    start: int
    end: int


class Passage(_Value):
    """A cleaned paragraph with a stable id like `S2:4` (source 2, 4th kept paragraph, 1-based)."""

    id: str
    text: str
    start: int
    end: int
    sentences: tuple[Sentence, ...] = ()
    tokens: int = 0
    group: str | None = None

    @property
    def source_id(self) -> str:
        return self.id.split(":", 1)[0]

    @property
    def index(self) -> int:
        return int(self.id.split(":", 1)[1])


class Dropped(_Value):
    """A span that cleaning removed, with the reason, so nothing is lost silently."""

    text: str
    start: int
    end: int
    reason: str


class Source(_Document, _Identified):  # bases in this order: `id` comes first, as in the JSON contract
    """One cleaned article with an id like `S2`: its numbered passages, what cleaning dropped and why."""

    passages: tuple[Passage, ...] = ()
    dropped: tuple[Dropped, ...] = ()
    notes: tuple[str, ...] = ()
    origin: str = ""
    language: str = ""  # ISO 639-1 code from toolkit.text.language.detect_language; "" when unknown
    not_article: str = ""  # why the whole document is not an article (no passages then); "" if it is one

    @property
    def label(self) -> str:
        return self.title or self.path or self.id


class DuplicateGroup(_Value):
    """Passages in different sources that say the same thing (wire copies, rewrites)."""

    id: str
    passages: tuple[str, ...]


class Corpus(_Value):
    """All sources of one briefing, with cross-source near-duplicate groups."""

    sources: tuple[Source, ...]
    groups: tuple[DuplicateGroup, ...] = ()

    @cached_property
    def _index(self) -> dict[str, Passage]:
        return {p.id: p for s in self.sources for p in s.passages}

    def passage(self, passage_id: str) -> Passage:
        return self._index[passage_id]

    def has_passage(self, passage_id: str) -> bool:
        return passage_id in self._index

    def split_citations(self, passage_ids: Iterable[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(ids of passages this corpus has, ids of passages it does not have), each in the given order."""
        ids = tuple(passage_ids)
        return tuple(c for c in ids if c in self._index), tuple(c for c in ids if c not in self._index)

    def source(self, source_id: str) -> Source:
        for s in self.sources:
            if s.id == source_id:
                return s
        raise KeyError(source_id)

    def passages(self) -> Iterator[Passage]:
        for s in self.sources:
            yield from s.passages

    @cached_property
    def _members(self) -> dict[str, tuple[str, ...]]:
        members: dict[str, tuple[str, ...]] = {}
        for g in self.groups:
            members.setdefault(g.id, g.passages)  # the first group of an id, as a scan would find
        return members

    def group_of(self, passage_id: str) -> tuple[str, ...]:
        """Every passage in the same near-duplicate group (the passage itself included)."""
        group = self._index[passage_id].group
        if group is None:
            return (passage_id,)
        return self._members.get(group, (passage_id,))


# Every status a checked citation or sentence can have, in display order, with its rank: when a
# sentence cites several passages, the best-ranked verdict decides (None: not a citation's verdict,
# only a sentence's). The ONE list: add a status here and the checker, the judge and the view know it.
STATUS_RANKS: dict[str, int | None] = {
    "supported": 3,
    "partial": 1,
    "unsupported": 0,
    "contradicted": 2,
    "disputed": None,  # a sentence whose citations or sources disagree on a fact it states
    "uncited": None,
}
STATUSES: tuple[str, ...] = tuple(STATUS_RANKS)  # what a sentence can be
VERDICTS: tuple[str, ...] = tuple(s for s, r in STATUS_RANKS.items() if r is not None)  # ... a citation
STATUS_RANK: dict[str, int] = {s: r for s, r in STATUS_RANKS.items() if r is not None}


class Evidence(_Value):
    """The span of a passage that supports (or contradicts) a claim; offsets into `Source.text`."""

    text: str
    start: int
    end: int


class CitationCheck(_Value):
    """The verdict on one citation of one summary sentence."""

    passage: str
    status: str  # supported | partial | unsupported | contradicted
    reason: str = ""
    evidence: Evidence | None = None
    score: float = 0.0
    judge: str = ""  # "" (fast check only), or the LLM judge's verdict when one ran


class SummarySentence(_Value):
    """One sentence of a summary. `citations` are passage ids; `status`/`checks` are filled by
    verification (`status` is "" until checked: supported | disputed | partial | unsupported |
    contradicted | uncited; `disputed`: the sources disagree on a fact it states, or a cited passage
    contradicts it while another supports it; the reason names both sides and the one it took)."""

    text: str
    citations: tuple[str, ...] = ()
    note: str = ""
    status: str = ""
    reason: str = ""
    checks: tuple[CitationCheck, ...] = ()


class Usage(_Value):
    """Calls made and tokens the endpoint reported. `unreported_calls`: calls whose usage the server did
    not send (their tokens are not in the counts, so the cost is unknown: `cost_usd` None, never 0)."""

    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_calls: int = 0
    cost_usd: float | None = None
    unreported_calls: int = 0

    def __add__(self, other: Usage) -> Usage:
        cost: float | None
        if self.cost_usd is None and other.cost_usd is None:
            cost = None
        else:
            cost = (self.cost_usd or 0.0) + (other.cost_usd or 0.0)
        return Usage(
            calls=self.calls + other.calls,
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
            cached_calls=self.cached_calls + other.cached_calls,
            cost_usd=cost,
            unreported_calls=self.unreported_calls + other.unreported_calls,
        )


def passage_sort_key(passage_id: str) -> tuple[int, int]:
    m = PASSAGE_ID.match(passage_id)
    if not m:
        return (10**9, 10**9)
    return (int(m.group(1)), int(m.group(2)))
