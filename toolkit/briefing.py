"""The `Briefing` value: one merged summary, its cited sentences, its sources, and how it was made.

Its JSON form is a contract other tools script against (see README, "JSON contract"):
`{"engine", "model", "sources": [{"id", "title", "path", "passages": [{"id", "text", "start",
"end"}], "dropped": [{"text", "reason"}]}], "sentences": [{"text", "citations"}], "usage": {...}}`
plus extra keys that may grow but never change meaning.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from .cite.markers import format_marker
from .models import Corpus, DuplicateGroup, Source, SummarySentence, Usage, _Value
from .report import Report
from .view.labels import plural, shown_path, source_title

if TYPE_CHECKING:
    from .view.explorer import Explorer

__all__ = ["SCHEMA_VERSION", "Briefing", "Skipped"]

SCHEMA_VERSION = 1


class Skipped(_Value):
    """An input left out because it could not be read (with --skip-bad)."""

    path: str
    error: str


class Briefing(_Value):
    engine: str
    model: str
    sentences: tuple[SummarySentence, ...]
    sources: tuple[Source, ...]
    groups: tuple[DuplicateGroup, ...] = ()
    usage: Usage = Usage()
    words: int = 0
    notes: tuple[str, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    created: str = ""
    schema_version: int = SCHEMA_VERSION
    report: Report | None = None  # filled by verify(): alignment, coverage, conflicts

    @property
    def corpus(self) -> Corpus:
        return Corpus(sources=self.sources, groups=self.groups)

    @property
    def text(self) -> str:
        """The summary as plain prose, without markers."""
        return " ".join(s.text for s in self.sentences)

    def unresolved_citations(self) -> list[str]:
        """Citations that name no passage of this briefing's sources (should always be empty)."""
        corpus = self.corpus
        return [c for s in self.sentences for c in s.citations if not corpus.has_passage(c)]

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    @classmethod
    def from_json(cls, data: str | bytes) -> Briefing:
        return cls.model_validate_json(data)

    def to_markdown(self, sentences_per_paragraph: int = 4) -> str:
        lines = ["# Briefing", ""]
        made = f"engine: {self.engine}"
        if self.model and self.model != self.engine:
            made += f" · model: {self.model}"
        made += f" · {len(self.sources)} sources · {self.created or 'undated'}"
        lines += [f"_{made}_", ""]
        for note in self.notes:
            lines.append(f"> {_md_escape(note)}")
        if self.notes:
            lines.append("")
        paragraph: list[str] = []
        for k, s in enumerate(self.sentences, 1):
            marker = format_marker(s.citations) or "[uncited]"
            paragraph.append(f"{_md_escape(s.text)} {marker}")
            if k % sentences_per_paragraph == 0:
                lines += [" ".join(paragraph), ""]
                paragraph = []
        if paragraph:
            lines += [" ".join(paragraph), ""]
        lines += self._checks_markdown()
        lines += ["## Sources", ""]
        for src in self.sources:
            lines.append(f"- **{src.id}** {_source_line(src)}")
        if self.skipped:
            lines += ["", "## Skipped inputs", ""]
            lines += [f"- `{s.path}`: {_md_escape(s.error)}" for s in self.skipped]
        return "\n".join(lines).rstrip() + "\n"

    def _checks_markdown(self) -> list[str]:
        """What a reader must know before trusting the draft: sentences not supported, conflicts."""
        if self.report is None:
            return []
        counts = ", ".join(f"{n} {status}" for status, n in self.report.statuses.items() if n)
        lines = ["## Checks", "", f"Citations checked against the passages: {counts}.", ""]
        for k, s in enumerate(self.sentences, 1):
            if s.status and s.status != "supported":
                lines.append(f"- Sentence {k} is **{s.status}**: {_md_escape(s.reason or s.note)}")
        for c in self.report.conflicts:
            sides = " vs ".join(f"{_md_escape(side.value)} [{side.passage}]" for side in c.sides)
            flag = " (the summary states one side only)" if c.flagged else ""
            lines.append(f"- Sources disagree on {_md_escape(c.about)}: {sides}{flag}")
        if lines[-1] != "":
            lines.append("")
        return lines

    def explore(self) -> Explorer:
        """The comparison view in a notebook: click a sentence to see its evidence in every source;
        edit, delete or re-cite sentences (re-checked at once); `.briefing` is the edited briefing."""
        from .view.explorer import Explorer

        return Explorer(self)

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def __repr__(self) -> str:
        return (
            f"<Briefing engine={self.engine!r} model={self.model!r} sentences={len(self.sentences)} "
            f"sources={len(self.sources)} calls={self.usage.calls}>"
        )

    __str__ = to_markdown


def _source_line(src: Source) -> str:
    parts = [_md_escape(source_title(src))]
    meta = ", ".join(x for x in (src.outlet, src.date) if x)
    if meta:
        parts.append(_md_escape(meta))
    if src.url:
        parts.append(f"<{src.url}>" if "://" in src.url else _md_escape(src.url))
    if src.path:
        parts.append(f"`{shown_path(src.path)}`")
    parts.append(plural(len(src.passages), "passage"))
    if src.origin and src.origin != src.id:
        parts.append(f"copy of the same story as {src.origin}")
    return " · ".join(parts)


_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_{}[]<>#|"})


def _md_escape(text: str) -> str:
    """Escape Markdown/HTML specials so source text and model output render as text."""
    return " ".join(text.split()).translate(_MD_SPECIAL)


def now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()
