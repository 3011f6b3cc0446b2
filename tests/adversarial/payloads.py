"""A briefing with a script payload in every field a source or a model fills, and a checker that
renders Markdown/HTML the way a browser would and lists anything live in it.

Fields: title, outlet, date, URL, path (with a backtick), notes, model name, engine, sentence text,
status, reason, note, citations (a crafted JSON), skipped inputs, dropped reasons, conflict values.
Payloads: raw HTML with an event handler, a script element, a `javascript:` link and autolink, an
entity, a backtick code span breaking out, Jupyter math (`$...$`, `\\(...\\)`) and `~~strikethrough~~`.
"""

from __future__ import annotations

from html.parser import HTMLParser

from toolkit.briefing import Briefing, Skipped
from toolkit.models import Evidence, Passage, Source, SummarySentence
from toolkit.report import Conflict, ConflictSide, Report

__all__ = ["FLAG", "PAYLOAD", "hostile_briefing", "live_markup"]

FLAG = "__brief_pwned"
PAYLOAD = (
    f'<img src=x onerror="window.{FLAG}=1"> <script>window.{FLAG}=2</script> '
    f"[click](javascript:window.{FLAG}=3) <javascript:window.{FLAG}=4> "
    f"`x` <svg onload=window.{FLAG}=5> $\\href{{javascript:window.{FLAG}=6}}{{m}}$ "
    f"\\(\\href{{javascript:window.{FLAG}=7}}{{m}}\\) ~~struck~~ &lt;b&gt; \x1b[2J"
)
BAD_URL = f"javascript:window.{FLAG}=8//<img src=x onerror=window.{FLAG}=9>"
ODD_URL = f'https://ok.example/a b"><img src=x onerror=window.{FLAG}=10>$x$~~y~~'


def hostile_briefing(*, checked: bool = True) -> Briefing:
    """Two sources and two sentences with PAYLOAD (or a payload URL) in every text field."""

    def source(i: int, url: str) -> Source:
        text = f"The dam held on Monday. {PAYLOAD}"
        passage = Passage(id=f"S{i}:1", text=text, start=0, end=len(text))
        return Source(
            id=f"S{i}", text=text, path=f"in/a`{PAYLOAD}`.txt", title=f"Title {PAYLOAD}",
            outlet=f"Outlet {PAYLOAD}", date=f"2025 {PAYLOAD}", url=url, passages=(passage,),
            notes=(f"note {PAYLOAD}",), origin=f"S{i}" if i == 1 else f"S1 {PAYLOAD}",
        )  # fmt: skip

    sources = (source(1, BAD_URL), source(2, ODD_URL))
    crafted = f"S2:1]<img src=x onerror=window.{FLAG}=11>"
    sentences = (
        SummarySentence(text=f"The dam held. {PAYLOAD}", citations=("S1:1",),
                        status="partial" if checked else "", reason=f"reason {PAYLOAD}",
                        note=f"note {PAYLOAD}"),
        SummarySentence(text=f"Crafted citation {PAYLOAD}", citations=(crafted,),
                        status=f"uns{PAYLOAD}" if checked else ""),
    )  # fmt: skip
    ev = Evidence(text=f"held {PAYLOAD}", start=0, end=4)
    side = ConflictSide(passage="S1:1", source="S1", origin="S1", value=f"3 {PAYLOAD}", evidence=ev)
    conflict = Conflict(kind="number", about=f"deaths {PAYLOAD}", sides=(side, side), flagged=True)
    report = Report(conflicts=(conflict,), statuses={"partial": 1, f"x{PAYLOAD}": 1}) if checked else None
    return Briefing(
        engine=f"openai{PAYLOAD}", model=f"gpt {PAYLOAD}", sentences=sentences, sources=sources,
        notes=(f"note {PAYLOAD}",), skipped=(Skipped(path=f"bad`{PAYLOAD}`.txt", error=f"err {PAYLOAD}"),),
        created=f"2025-01-01 {PAYLOAD}", report=report,
    )  # fmt: skip


_ALLOWED_TAGS = {
    "p", "em", "strong", "h1", "h2", "h3", "h4", "ul", "ol", "li", "blockquote", "a", "code", "sup",
    "section", "hr", "div", "span", "br", "pre", "del", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip


class _Live(HTMLParser):
    def __init__(self, allowed: set[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.allowed = allowed
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.allowed:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}>")
            linked = name in ("href", "src", "action", "formaction", "xlink:href") and value is not None
            if linked and not str(value).lower().startswith(("http://", "https://", "#")):
                self.found.append(f"<{tag} {name}={value!r}>")


def live_markup(html: str, allowed: set[str] | None = None) -> list[str]:
    """Elements, event handlers and non-http(s) links in `html` that a browser would make live."""
    parser = _Live(allowed if allowed is not None else _ALLOWED_TAGS)
    parser.feed(html)
    parser.close()
    return parser.found


def markdown_problems(markdown: str) -> list[str]:
    """What makes `markdown` run or rewrite itself when a notebook or GitHub renders it: live markup
    (rendered with markdown-it, raw HTML allowed, as Jupyter and GitHub allow it), Jupyter math
    delimiters, strikethrough, escape characters for the terminal."""
    from markdown_it import MarkdownIt

    problems = live_markup(MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown))
    for bad in ("$", "~~", "\\\\", "\\begin", "\x1b"):  # math, strikethrough, `\\(` math, ESC
        if bad in markdown:
            problems.append(f"raw {bad!r}")
    return problems
