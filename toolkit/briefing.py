"""The `Briefing` value: one merged summary, its cited sentences, its sources, and how it was made.

Its JSON form is a contract other tools script against (see README, "JSON contract"):
`{"engine", "model", "sources": [{"id", "title", "path", "passages": [{"id", "text", "start",
"end"}], "dropped": [{"text", "reason"}]}], "sentences": [{"text", "citations"}], "usage": {...}}`
plus extra keys that may grow but never change meaning. The whole contract, every key at every level,
is the JSON Schema `toolkit/briefing.schema.json` (shipped with the package, made by `json_schema()`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .cite.markers import format_marker
from .models import Corpus, DuplicateGroup, Source, SummarySentence, Usage, _Value
from .report import Report
from .text.safe import html_escape, md_escape, md_link, safe_href
from .view.labels import plural, shown_path, source_title

if TYPE_CHECKING:
    from .view.explorer import Explorer

__all__ = ["SCHEMA_FILE", "SCHEMA_VERSION", "Briefing", "Skipped", "json_schema"]

SCHEMA_VERSION = 1
# The JSON contract as a JSON Schema (draft 2020-12), shipped with the package; `json_schema()` makes it.
SCHEMA_FILE = Path(__file__).with_name("briefing.schema.json")


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
        return [c for s in self.sentences for c in corpus.split_citations(s.citations)[1]]

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    @classmethod
    def from_json(cls, data: str | bytes) -> Briefing:
        return cls.model_validate_json(data)

    def to_markdown(self, sentences_per_paragraph: int = 4) -> str:
        lines = ["# Briefing", ""]
        lines += [f"_{md_escape(self._made())}_", ""]
        for note in self.notes:
            lines.append(f"> {md_escape(note)}")
        if self.notes:
            lines.append("")
        paragraph: list[str] = []
        for k, s in enumerate(self.sentences, 1):
            paragraph.append(f"{md_escape(s.text)} {_md_marker(s.citations)}")
            if k % sentences_per_paragraph == 0:
                lines += [" ".join(paragraph), ""]
                paragraph = []
        if paragraph:
            lines += [" ".join(paragraph), ""]
        lines += self._checks_markdown()
        lines += ["## Sources", ""]
        for src in self.sources:
            lines.append(f"- **{md_escape(src.id)}** {_source_line(src)}")
        if self.skipped:
            lines += ["", "## Skipped inputs", ""]
            lines += [f"- {md_escape(_skip_text(s))}" for s in self.skipped]
        return "\n".join(lines).rstrip() + "\n"

    def _checks_markdown(self) -> list[str]:
        """What a reader must know before trusting the draft: sentences not supported, conflicts."""
        if self.report is None:
            return []
        counts = ", ".join(f"{n} {status}" for status, n in self.report.statuses.items() if n)
        lines = ["## Checks", "", f"Citations checked against the passages: {md_escape(counts)}.", ""]
        for k, s in enumerate(self.sentences, 1):
            if s.status and s.status != "supported":
                why = md_escape(s.reason or s.note)
                lines.append(f"- Sentence {k} is **{md_escape(s.status)}**: {why}")
        for c in self.report.conflicts:
            sides = " vs ".join(f"{md_escape(side.value)} {_md_marker([side.passage])}" for side in c.sides)
            flag = " (the summary states one side only)" if c.flagged else ""
            lines.append(f"- Sources disagree on {md_escape(c.about)}: {sides}{flag}")
        if lines[-1] != "":
            lines.append("")
        return lines

    def explore(self) -> Explorer:
        """The comparison view in a notebook: click a sentence to see its evidence in every source;
        edit, delete or re-cite sentences (re-checked at once); `.briefing` is the edited briefing."""
        from .view.explorer import Explorer

        return Explorer(self)

    def _made(self) -> str:
        made = f"engine: {self.engine}"
        if self.model and self.model != self.engine:
            made += f" · model: {self.model}"
        n = len(self.sources)
        return made + f" · {n} source{'s' * (n != 1)} · {self.created or 'undated'}"

    def _repr_markdown_(self) -> str:
        """`to_markdown()` inside a block that MathJax skips (Jupyter typesets `$...$` in the page)."""
        return f'<div class="{_NO_MATH}">\n\n{self.to_markdown()}\n</div>\n'

    def _repr_html_(self) -> str:
        """What a notebook shows: the briefing as HTML built from escaped pieces (`to_html_fragment`)."""
        return self.to_html_fragment()

    def to_html_fragment(self) -> str:
        """The briefing as an HTML fragment: every field escaped (`safe_text.html_escape`); only
        http/https URLs become links (percent-encoded, `rel="noopener noreferrer nofollow"`)."""
        e = html_escape
        out = [
            f'<div class="brief-briefing {_NO_MATH}">',
            "<h3>Briefing</h3>",
            f"<p><em>{e(self._made())}</em></p>",
        ]
        out += [f"<blockquote>{e(' '.join(n.split()))}</blockquote>" for n in self.notes]
        sentences = [
            f"{e(s.text)} <code>{e(format_marker(s.citations) or '[uncited]')}</code>" for s in self.sentences
        ]
        out.append(f"<p>{' '.join(sentences)}</p>")
        if self.report is not None:
            rows = [
                f"<li>Sentence {k} is <strong>{e(s.status)}</strong>: {e(s.reason or s.note)}</li>"
                for k, s in enumerate(self.sentences, 1)
                if s.status and s.status != "supported"
            ]
            for c in self.report.conflicts:
                sides = " vs ".join(f"{e(side.value)} [{e(side.passage)}]" for side in c.sides)
                rows.append(f"<li>Sources disagree on {e(c.about)}: {sides}</li>")
            if rows:
                out += ["<h4>Checks</h4>", "<ul>", *rows, "</ul>"]
        out += ["<h4>Sources</h4>", "<ul>"]
        for src in self.sources:
            parts = [e(src.title or "(untitled)")]
            meta = ", ".join(x for x in (src.outlet, src.date) if x)
            if meta:
                parts.append(e(meta))
            href = safe_href(src.url) if src.url else None
            if href is not None:
                parts.append(f'<a href="{e(href)}" rel="noopener noreferrer nofollow">{e(src.url)}</a>')
            elif src.url:
                parts.append(e(src.url))
            if src.path:
                parts.append(e(src.path))
            parts.append(f"{len(src.passages)} passages")
            out.append(f"<li><strong>{e(src.id)}</strong> {' · '.join(parts)}</li>")
        out.append("</ul>")
        if self.skipped:
            out += ["<h4>Skipped inputs</h4>", "<ul>"]
            out += [f"<li>{e(_skip_text(s))}</li>" for s in self.skipped]
            out.append("</ul>")
        out.append("</div>")
        return "\n".join(out)

    def __repr__(self) -> str:
        return (
            f"<Briefing engine={self.engine!r} model={self.model!r} sentences={len(self.sentences)} "
            f"sources={len(self.sources)} calls={self.usage.calls}>"
        )

    __str__ = to_markdown


def _skip_text(skipped: Skipped) -> str:
    """'path: error' for a skipped input, the path once (a loading error already starts with it)."""
    error = skipped.error
    return error if error.startswith(skipped.path) else f"{skipped.path}: {error}"


def _source_line(src: Source) -> str:
    parts = [md_escape(source_title(src))]
    meta = ", ".join(x for x in (src.outlet, src.date) if x)
    if meta:
        parts.append(md_escape(meta))
    if src.url:
        parts.append(md_link(src.url))
    if src.path:
        parts.append(md_escape(shown_path(src.path)))
    parts.append(plural(len(src.passages), "passage"))
    if src.origin and src.origin != src.id:
        parts.append(f"copy of the same story as {md_escape(src.origin)}")
    return " · ".join(parts)


_NO_MATH = "tex2jax_ignore mathjax_ignore"  # MathJax 2 and 3: leave the text in here alone
_PASSAGE_ID = re.compile(r"S\d{1,9}:\d{1,9}")


def _md_marker(ids: Iterable[str]) -> str:
    """`[S1:2; S2:3]` for well-formed passage ids; any other id (a crafted JSON) escaped."""
    ids = list(ids)
    marker = format_marker(ids) or "[uncited]"
    return marker if all(_PASSAGE_ID.fullmatch(i) for i in ids) else md_escape(marker)


def now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def _closed(node: Any) -> None:
    """In place: every object level closed (`additionalProperties: false`, every property required,
    since `to_json()` writes every key), pydantic's `title` and `default` noise removed."""
    if isinstance(node, dict):
        if "properties" in node:
            node["additionalProperties"] = False
            node["required"] = list(node["properties"])
            for prop in node["properties"].values():
                if isinstance(prop, dict):
                    prop.pop("title", None)
                    prop.pop("default", None)
        for value in node.values():
            _closed(value)
    elif isinstance(node, list):
        for value in node:
            _closed(value)


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of `Briefing.to_json()`: made from the pydantic models in
    serialisation mode, every object closed (`additionalProperties: false`) and every key required, so
    a new key is a deliberate change of `briefing.schema.json` (tests/test_schema.py compares them)."""
    schema = Briefing.model_json_schema(mode="serialization")
    _closed(schema)
    schema["properties"]["schema_version"] = {"const": SCHEMA_VERSION}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:brief:briefing:v{SCHEMA_VERSION}",
        **schema,
        "title": "Briefing",
        "description": (
            "Briefing.to_json() of the brief toolkit: one merged summary whose sentences cite passages "
            "S<n>:<k> of its sources, with the checks of every citation. Keys may be added in a new "
            "schema version, never renamed or changed in meaning."
        ),
    }
