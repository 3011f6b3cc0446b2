"""Read a summary someone wrote or edited (Markdown or plain text) back into cited sentences.

    parse_summary("Iraq said so. [S1:2] It also agreed [S2:3; S2:4].")
    -> [SummarySentence("Iraq said so.", ("S1:2",)), SummarySentence("It also agreed.", ("S2:3", "S2:4"))]

A marker after a sentence belongs to that sentence; a marker inside a sentence belongs to the sentence
around it. Headings are not sentences; bullet items are blocks of their own; blockquotes (our notes),
tables, code fences, our `_engine: ..._` line and the "Checks" / "Sources" / "Skipped inputs" sections
of our own Markdown are skipped. Backslash escapes and `**`/`__`/backtick markup are removed, so
`parse_summary(briefing.to_markdown())` gives back the briefing's sentences and citations.
"""

from __future__ import annotations

import re

from ..models import SummarySentence
from ..text.safe import heading_text, md_unescape
from ..text.sentences import split_sentences
from .markers import MARKER, normalise_markers

__all__ = ["parse_summary"]

_BULLET = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+")
_META = re.compile(r"^_engine: .*_$")
_ANY_MARKER = re.compile(MARKER.pattern + r"|\[uncited\]")
_ID = re.compile(r"S\d+:\d+")
_MARKUP = re.compile(r"(?<!\\)(?:\*\*|__|`)")
_SKIPPED_SECTIONS = frozenset(
    {"sources", "skipped inputs", "references", "source list", "citations", "checks"}
)
# One bracketed or parenthesised group (no nesting, one line): a candidate citation variant.
_GROUP = re.compile(r"[\[(【][^\[\]()【】\n]{1,80}[\])】]")
_STARTS_SENTENCE = re.compile(r"""\s*(?:$|["'“‘(\[]*[A-Z0-9\u00C0-\u024F])""")


def parse_summary(text: str) -> list[SummarySentence]:
    """The sentences of `text`, each with the passage ids its markers name (in order, no repeats)."""
    out: list[SummarySentence] = []
    for block in _blocks(text):
        out.extend(_sentences(block))
    return out


def _blocks(text: str) -> list[str]:
    blocks: list[str] = []
    lines: list[str] = []
    skipping = fenced = False

    def flush() -> None:
        if lines:
            blocks.append(" ".join(lines))
            lines.clear()

    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith(("```", "~~~")):
            fenced = not fenced
            flush()
            continue
        heading = heading_text(raw)
        if heading is not None:
            flush()
            skipping = heading.strip().strip("*_").lower() in _SKIPPED_SECTIONS
            continue
        if fenced or skipping or not line or line.startswith((">", "|")) or _META.match(line):
            flush()
            continue
        bullet = _BULLET.match(raw)
        if bullet:
            flush()
            line = raw[bullet.end() :].strip()
        lines.append(line)
    flush()
    return blocks


def _read_variants(block: str) -> str:
    """Citation variants that name passages (`(S2:1)`, `[S1, p3]`, `[S1:3-5]`, `(see S1:2)`) as canonical
    markers (`toolkit.cite.markers.normalise_markers`). A group that names no passage (`[1]`, `(12)`,
    `(Source 2)`) stays as written: in a person's text it may be a footnote or a number."""

    def one(m: re.Match[str]) -> str:
        if m.start() and block[m.start() - 1] == "\\":
            return m.group(0)
        new = normalise_markers(m.group(0))
        return new if MARKER.fullmatch(new) else m.group(0)

    return _GROUP.sub(one, block)


def _sentences(block: str) -> list[SummarySentence]:
    """Split at markers that end a sentence, then into sentences; attach each marker to its sentence."""
    block = _read_variants(block)
    out: list[SummarySentence] = []
    pieces: list[str] = []
    inner: list[tuple[int, list[str]]] = []
    pos = 0
    for m in _ANY_MARKER.finditer(block):
        if m.start() and block[m.start() - 1] == "\\":
            continue
        pieces.append(_clean(block[pos : m.start()]))
        ids = _ID.findall(m.group(0))
        pos = m.end()
        if _STARTS_SENTENCE.match(block, pos):
            out += _segment("".join(pieces), inner, ids)
            pieces, inner = [], []
        else:
            inner.append((len("".join(pieces)), ids))
    pieces.append(_clean(block[pos:]))
    out += _segment("".join(pieces), inner, [])
    return out


def _segment(text: str, inner: list[tuple[int, list[str]]], last: list[str]) -> list[SummarySentence]:
    spans = split_sentences(text)
    if not spans:
        return []
    cited: list[list[str]] = [[] for _ in spans]
    for at, ids in inner:
        k = max((i for i, (s, _) in enumerate(spans) if s < at), default=0)
        cited[k] += ids
    cited[-1] += last
    return [
        SummarySentence(text=_tidy(text[s:e]), citations=tuple(dict.fromkeys(ids)))
        for (s, e), ids in zip(spans, cited, strict=True)
        if _tidy(text[s:e])
    ]


def _clean(text: str) -> str:
    return md_unescape(_MARKUP.sub("", text))


def _tidy(text: str) -> str:
    return re.sub(r"\s+([.,;:!?])", r"\1", " ".join(text.split()))
