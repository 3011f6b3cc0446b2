"""Check a whole summary: every sentence's citations, optionally an LLM judge, then the comparison.

    checked = check_summary(verifier, sentences)       # -> Checked(sentences, report, usage, notes)

The one place that runs the checking steps in order; `toolkit.verify()` wraps the result in a
`Briefing`, the comparison view re-checks with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import ConfigError
from ..models import SummarySentence, Usage
from ..report import Report
from .compare import compare_and_mark
from .verifier import Verifier

if TYPE_CHECKING:
    from ..chat.seam import ChatClient

__all__ = ["Checked", "check_summary", "counts_note"]


@dataclass(frozen=True)
class Checked:
    """Checked sentences (each with a status), the comparison report, what the judge cost, notes."""

    sentences: tuple[SummarySentence, ...]
    report: Report
    usage: Usage
    notes: tuple[str, ...]


def check_summary(
    verifier: Verifier,
    sentences: Sequence[SummarySentence],
    *,
    judge: ChatClient | None = None,
    judge_mode: str = "all",
    copies_must_pass: bool = False,
) -> Checked:
    """Check each sentence's citations against the passages they name (`Verifier.check_sentence`);
    with `copies_must_pass` (an engine's draft), a near-duplicate the engine added back to a citation
    stays only if it passes its own check. `judge` (a chat client) confirms or overturns verdicts:
    `judge_mode="all"` asks about every citation, `"auto"` only about the sentences the fast check
    cannot settle (`toolkit.check.judge.auto_judge`). Then the summary is compared with every source
    and a sentence stating one side of a disagreement becomes `disputed` (`compare_and_mark`)."""
    if judge_mode not in ("all", "auto"):
        raise ConfigError(f"judge_mode must be 'all' or 'auto', not {judge_mode!r}")
    checked = [verifier.check_sentence(s.text, s.citations, s.note) for s in sentences]
    if copies_must_pass:
        checked = [verifier.keep_checked_copies(s) for s in checked]
    usage = Usage()
    notes: list[str] = []
    if judge is not None:
        from .judge import auto_judge, judge_sentences

        ask = auto_judge if judge_mode == "auto" else judge_sentences
        checked, usage = ask(judge, verifier.corpus, checked)
        notes.append(f"LLM judge: {usage.calls} calls, {usage.cached_calls} from cache")
    checked, report = compare_and_mark(verifier, checked)
    notes.append(counts_note(report))
    return Checked(tuple(checked), report, usage, tuple(notes))


def counts_note(report: Report) -> str:
    """`verify: 5 supported, 1 partial, ...`: the note a checked briefing carries."""
    return "verify: " + ", ".join(f"{n} {s}" for s, n in report.statuses.items())
