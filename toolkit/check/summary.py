"""Check a whole summary: every sentence's citations, optionally an LLM judge, then the comparison.

    checked = check_summary(verifier, sentences)       # -> Checked(sentences, report, usage, notes)

The one place that runs the checking steps in order; `toolkit.verify()` wraps the result in a
`Briefing`, the comparison view re-checks with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..models import SummarySentence, Usage
from ..report import Report
from .compare import compare
from .verifier import Verifier

if TYPE_CHECKING:
    from ..chat.llm import ChatClient

__all__ = ["Checked", "check_summary", "counts_note"]


@dataclass(frozen=True)
class Checked:
    """Checked sentences (each with a status), the comparison report, what the judge cost, notes."""

    sentences: tuple[SummarySentence, ...]
    report: Report
    usage: Usage
    notes: tuple[str, ...]


def check_summary(
    verifier: Verifier, sentences: Sequence[SummarySentence], *, judge: ChatClient | None = None
) -> Checked:
    """Check each sentence's citations against the passages they name (`Verifier.check_sentence`),
    let `judge` (a chat client) confirm or overturn the verdicts when given, then compare the summary
    with every source (`compare`)."""
    checked = [verifier.check_sentence(s.text, s.citations, s.note) for s in sentences]
    usage = Usage()
    notes: list[str] = []
    if judge is not None:
        from .judge import judge_sentences

        checked, usage = judge_sentences(judge, verifier.corpus, checked)
        notes.append(f"LLM judge: {usage.calls} calls, {usage.cached_calls} from cache")
    report = compare(verifier, checked)
    notes.append(counts_note(report))
    return Checked(tuple(checked), report, usage, tuple(notes))


def counts_note(report: Report) -> str:
    """`verify: 5 supported, 1 partial, ...`: the note a checked briefing carries."""
    return "verify: " + ", ".join(f"{n} {s}" for s, n in report.statuses.items())
