"""Passage ids as a compact prompt shows them (`1, 2, 3 ...`) and back: the prompt side and the
answer side of citations read the same table (`toolkit.plan.prompting` writes, `toolkit.cite.answers`
reads)."""

from __future__ import annotations

from collections.abc import Iterable

from ..models import Passage, Source

__all__ = ["ShortIds"]


class ShortIds:
    """Passage ids as a prompt shows them, `1, 2, 3 ...` in the order given, and back.

    Numbers up to 999 cost one o200k_base/cl100k_base token at the start of a line, where `S12:4`
    costs four. `passage(n)` is None for a number that was never shown; `expand(n)` then gives `#n`,
    which no corpus holds, so the citation is reported as one that does not exist."""

    def __init__(self, passage_ids: Iterable[str]) -> None:
        self._long: list[str] = list(dict.fromkeys(passage_ids))
        self._short: dict[str, int] = {pid: n for n, pid in enumerate(self._long, 1)}

    @classmethod
    def of(cls, groups: Iterable[tuple[Source, Iterable[Passage]]]) -> ShortIds:
        return cls(p.id for _, passages in groups for p in passages)

    def __len__(self) -> int:
        return len(self._long)

    def short(self, passage_id: str) -> int:
        return self._short[passage_id]

    def passage_known(self, passage_id: str) -> bool:
        return passage_id in self._short

    def passage(self, n: int) -> str | None:
        return self._long[n - 1] if 1 <= n <= len(self._long) else None

    def expand(self, n: int) -> str:
        return self.passage(n) or f"#{n}"
