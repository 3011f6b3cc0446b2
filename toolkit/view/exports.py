"""Briefing exports that keep provenance: Markdown with footnotes, standalone HTML, DOCX with footnotes.

    to_markdown_footnotes(briefing) -> str     footnote [^n] per cited sentence, source list
    to_html(briefing) -> str                   the comparison view (`toolkit.view.html_view.standalone_html`)
    to_docx(briefing, path) -> Path            real Word footnotes (`toolkit.view._docx_footnotes`)
    export(briefing, path, format=None)        picks the format from the suffix (.md .html .docx)

Every export carries how the briefing was made (engine, model, date, sources) and what a reader must
know before trusting it (`warnings`): sentences whose citations do not fully support them, sentences
never checked, citations to passages that do not exist, and conflicts between sources. A footnote names
each cited passage id, its source's title and the evidence: the span of the passage that the check
found (or the passage itself, clipped, when the briefing was not checked).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError
from ..models import Source, SummarySentence
from ..text.files import write_atomic
from ..text.safe import md_escape, md_link
from ._briefing import Briefing
from .labels import metadata_line, plural, shown_path, shown_status, source_title, warnings

__all__ = [
    "FORMATS",
    "Citation",
    "citations_of",
    "export",
    "metadata_line",
    "to_docx",
    "to_html",
    "to_markdown_footnotes",
    "warnings",
]

FORMATS = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".docx": "docx"}
NO_WARNINGS = "None: every sentence and every citation was checked and holds, and no sources disagree."
QUOTE_LIMIT = 400  # characters of evidence (or of the passage, when unchecked) quoted in a footnote


@dataclass(frozen=True)
class Citation:
    """One cited passage as a footnote shows it."""

    passage: str
    source: str  # source label: title, else path, else id
    status: str  # the check of this citation ("" when the briefing was not checked)
    quote: str

    def line(self) -> str:
        status = f" ({self.status})" if self.status else ""
        return f"{self.passage}{status}, {self.source}: “{self.quote}”"


def citations_of(briefing: Briefing, sentence: SummarySentence) -> list[Citation]:
    """The footnote entries of one sentence: each citation with its source and evidence quote."""
    corpus = briefing.corpus
    checks = {c.passage: c for c in sentence.checks}
    out: list[Citation] = []
    for pid in sentence.citations:
        check = checks.get(pid)
        if not corpus.has_passage(pid):
            out.append(Citation(pid, "(no such passage)", check.status if check else "", ""))
            continue
        source = corpus.source(pid.split(":", 1)[0])
        if check is not None and check.evidence is not None and check.evidence.text.strip():
            quote = check.evidence.text
        else:
            quote = corpus.passage(pid).text
        out.append(Citation(pid, _source_name(source), check.status if check else "", _clip(quote)))
    return out


# --- Markdown ------------------------------------------------------------------------------------
def to_markdown_footnotes(briefing: Briefing, sentences_per_paragraph: int = 4) -> str:
    """The briefing as Markdown: a footnote `[^n]` after each cited sentence naming the passage ids,
    source titles and evidence quotes; metadata, warnings and the source list."""
    lines = ["# Briefing", "", f"_{_md(metadata_line(briefing))}_", ""]
    found = warnings(briefing)
    lines += ["## Warnings", ""]
    lines += [f"- {_md(w)}" for w in found] or [NO_WARNINGS]
    lines += ["", "## Summary", ""]
    notes: list[str] = []
    paragraph: list[str] = []
    for k, s in enumerate(briefing.sentences, 1):
        text = _md(s.text)
        entries = citations_of(briefing, s)
        if entries:
            notes.append(f"[^{len(notes) + 1}]: " + " · ".join(_md(e.line()) for e in entries))
            text += f"[^{len(notes)}]"
        status = shown_status(s)
        if not entries or status != "supported":
            text += f" _({_md(status if entries else 'uncited')})_"
        paragraph.append(text)
        if k % sentences_per_paragraph == 0:
            lines += [" ".join(paragraph), ""]
            paragraph = []
    if paragraph:
        lines += [" ".join(paragraph), ""]
    if not briefing.sentences:
        lines += ["_The summary has no sentences._", ""]
    if briefing.notes:
        lines += ["## Notes", ""] + [f"- {_md(n)}" for n in briefing.notes] + [""]
    lines += ["## Sources", ""]
    lines += [f"- **{_md(src.id)}** {_md_source_line(src)}" for src in briefing.sources]
    if notes:
        lines += ["", *notes]
    return "\n".join(lines).rstrip() + "\n"


# --- HTML ----------------------------------------------------------------------------------------
def to_html(briefing: Briefing) -> str:
    """One self-contained HTML file (the comparison view with click-to-evidence; opens offline)."""
    from .html_view import standalone_html

    return standalone_html(briefing)


# --- DOCX ----------------------------------------------------------------------------------------
def to_docx(briefing: Briefing, path: str | Path) -> Path:
    """Write the briefing as a Word document with real footnotes (one per cited sentence)."""
    import docx
    from docx.shared import Pt

    from ._docx_footnotes import Footnotes, xml_safe

    document = docx.Document()
    document.core_properties.title = "Briefing"
    document.core_properties.comments = xml_safe(metadata_line(briefing))
    document.add_heading("Briefing", level=0)
    meta = document.add_paragraph()
    meta_run = meta.add_run(xml_safe(metadata_line(briefing)))
    meta_run.italic = True
    meta_run.font.size = Pt(9)

    document.add_heading("Warnings", level=1)
    found = warnings(briefing)
    for w in found:
        document.add_paragraph(xml_safe(w), style="List Bullet")
    if not found:
        document.add_paragraph(NO_WARNINGS)

    document.add_heading("Summary", level=1)
    footnotes = Footnotes(document)
    paragraph = document.add_paragraph()
    for k, s in enumerate(briefing.sentences):
        if k and k % 4 == 0:
            paragraph = document.add_paragraph()
        paragraph.add_run(("" if k % 4 == 0 else " ") + xml_safe(s.text))
        entries = citations_of(briefing, s)
        if entries:
            footnotes.add(paragraph, [e.line() for e in entries])
        status = shown_status(s)
        if not entries or status != "supported":
            flag = paragraph.add_run(f" [{status if entries else 'uncited'}]")
            flag.italic = True

    if briefing.notes:
        document.add_heading("Notes", level=1)
        for n in briefing.notes:
            document.add_paragraph(xml_safe(n), style="List Bullet")
    document.add_heading("Sources", level=1)
    for src in briefing.sources:
        p = document.add_paragraph(style="List Bullet")
        p.add_run(src.id).bold = True
        p.add_run(" " + xml_safe(_source_line(src)))

    target = Path(path)
    write_atomic(target, lambda tmp: document.save(str(tmp)))
    return target


# --- any ------------------------------------------------------------------------------------------
def export(briefing: Briefing, path: str | Path, format: str | None = None) -> Path:
    """Write `briefing` to `path` as md, html or docx (`format`, else from the suffix); atomic."""
    target = Path(path)
    chosen = format or FORMATS.get(target.suffix.lower())
    if chosen not in ("md", "html", "docx"):
        given = f"format {format!r}" if format else f"suffix {target.suffix or '(none)'!r}"
        raise ConfigError(
            f"cannot export to {target}: unknown {given}; use --format md|html|docx "
            "or a file ending in .md, .html or .docx"
        )
    if chosen == "docx":
        return to_docx(briefing, target)
    text = to_markdown_footnotes(briefing) if chosen == "md" else to_html(briefing)
    write_atomic(target, text)
    return target


# --- helpers --------------------------------------------------------------------------------------
def _source_name(source: Source) -> str:
    name = source_title(source)
    return f"{name} ({source.outlet})" if source.outlet and source.outlet not in name else name


def _source_line(src: Source) -> str:
    """Title (or the opening words of an untitled source), outlet and date, URL, the path relative
    to the current folder, and the number of passages."""
    parts = [source_title(src)]
    meta = ", ".join(x for x in (src.outlet, src.date) if x)
    parts += [meta] if meta else []
    parts += [src.url] if src.url else []
    parts += [shown_path(src.path)] if src.path else []
    parts.append(plural(len(src.passages), "passage"))
    if src.origin and src.origin != src.id:
        parts.append(f"copy of the same story as {src.origin}")
    return " · ".join(_flat(p) for p in parts)


def _md_source_line(src: Source) -> str:
    """`_source_line` for Markdown: every field escaped, an http/https URL as a percent-encoded link."""
    parts = [_md(source_title(src))]
    meta = ", ".join(x for x in (src.outlet, src.date) if x)
    parts += [_md(meta)] if meta else []
    parts += [md_link(src.url)] if src.url else []
    parts += [_md(shown_path(src.path))] if src.path else []
    parts.append(plural(len(src.passages), "passage"))
    if src.origin and src.origin != src.id:
        parts.append(f"copy of the same story as {_md(src.origin)}")
    return " · ".join(parts)


def _flat(text: str) -> str:
    return " ".join(text.split())


def _clip(text: str, limit: int = QUOTE_LIMIT) -> str:
    flat = _flat(text)
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _md(text: str) -> str:
    """The one Markdown escaping (`safe_text.md_escape`)."""
    return md_escape(text)
