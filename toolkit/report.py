"""The comparison report: how a summary relates to every source, as frozen typed values.

    Report
    ├── alignments   per summary sentence: the best passage of every source and who backs it
    ├── coverage     per source: which of its passages the summary uses, and the share
    ├── left_out     passages nothing in the summary uses, most central first
    ├── unique_facts sentences only one origin reports (wire copies count as one origin)
    └── conflicts    the same fact with different numbers, dates or names in different origins

Sentence indexes are 0-based positions in `Briefing.sentences`. Scores are the IDF-weighted share of
the sentence's key terms that the passage holds (0..1). Built by `toolkit.check.compare.compare`.
"""

from __future__ import annotations

from pydantic import Field

from .models import Evidence, _Value
from .text.safe import md_escape

__all__ = [
    "Conflict",
    "ConflictSide",
    "LeftOut",
    "Match",
    "Report",
    "SentenceAlignment",
    "SourceCoverage",
    "UniqueFact",
    "report_markdown",
]


class Match(_Value):
    """The passage of one source that best matches a summary sentence."""

    source: str
    origin: str
    passage: str
    score: float
    status: str  # the support check against this passage (supported | partial | unsupported | contradicted)
    cited: bool = False


class SentenceAlignment(_Value):
    sentence: int
    matches: tuple[Match, ...]  # one per source, best first
    origins: tuple[str, ...]  # independent origins whose best passage supports the sentence
    corroboration: int  # len(origins): wire copies of one story count once


class SourceCoverage(_Value):
    source: str
    origin: str
    passages: int
    used: tuple[str, ...]  # passages cited or aligned with a summary sentence (copies included)
    share: float


class LeftOut(_Value):
    """A passage nothing in the summary uses; `centrality` is LexRank over all passages, max 1."""

    passage: str
    source: str
    centrality: float
    copies: tuple[str, ...] = ()  # near-duplicates of it in other sources, also unused


class UniqueFact(_Value):
    """A sentence of a passage that no other origin reports."""

    passage: str
    source: str
    origin: str
    evidence: Evidence
    in_summary: bool


class ConflictSide(_Value):
    passage: str
    source: str
    origin: str
    value: str  # as written: "at least 1,383", "Friday", "Hezbollah"
    evidence: Evidence


class Conflict(_Value):
    """One fact reported differently: `kind` is number | date | name; `about` names the fact."""

    kind: str
    about: str
    sides: tuple[ConflictSide, ...]
    sentences: tuple[int, ...] = ()  # summary sentences that state one of the values
    picked: str = ""  # the passage whose value the summary states, when it states only one
    flagged: bool = False  # the summary picked one side without saying the sources differ
    note: str = ""


class Report(_Value):
    alignments: tuple[SentenceAlignment, ...] = ()
    coverage: tuple[SourceCoverage, ...] = ()
    left_out: tuple[LeftOut, ...] = ()
    unique_facts: tuple[UniqueFact, ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    statuses: dict[str, int] = Field(default_factory=dict)  # sentences per status


def report_markdown(report: Report, *, left_out: int = 5, unique: int = 5) -> str:
    """A short human-readable digest: corroboration, coverage, conflicts, top left-out passages.
    Text from sources (conflict values, evidence) is escaped (`safe_text.md_escape`): safe to render."""
    lines: list[str] = []
    if report.statuses:
        counts = ", ".join(f"{n} {status}" for status, n in report.statuses.items())
        lines += [f"Sentences: {md_escape(counts)}", ""]
    if report.alignments:
        lines.append("Corroboration (independent origins backing each sentence):")
        for a in report.alignments:
            origins = md_escape(", ".join(a.origins) or "none")
            lines.append(f"- sentence {a.sentence + 1}: {a.corroboration} ({origins})")
        lines.append("")
    if report.coverage:
        lines.append("Coverage per source:")
        lines += [
            f"- {md_escape(c.source)}: {len(c.used)}/{c.passages} passages ({c.share:.0%})"
            for c in report.coverage
        ]
        lines.append("")
    if report.conflicts:
        lines.append("Conflicts between sources:")
        for c in report.conflicts:
            sides = " vs ".join(f"“{md_escape(s.value)}” ({md_escape(s.passage)})" for s in c.sides)
            flag = " — the summary states one side only" if c.flagged else ""
            lines.append(f"- {md_escape(c.kind)} ({md_escape(c.about)}): {sides}{flag}")
        lines.append("")
    if report.left_out and left_out:
        lines.append(
            "Most central passages left out (centrality: how much a passage shares with the rest of the"
            " cluster, LexRank, 1 = most):"
        )
        lines += [
            f"- {md_escape(x.passage)} (centrality {x.centrality:.2f})" for x in report.left_out[:left_out]
        ]
        lines.append("")
    if report.unique_facts and unique:
        lines.append("Reported by one origin only:")
        for f in report.unique_facts[:unique]:
            mark = "in summary" if f.in_summary else "not in summary"
            lines.append(f"- {md_escape(f.passage)} ({mark}): {md_escape(_clip(f.evidence.text))}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _clip(text: str, limit: int = 120) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"
