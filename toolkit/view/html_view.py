"""The comparison view as HTML: pure functions from a `Briefing` to escaped markup.

    view_html(briefing)            summary (sentences coloured by status, citations as chips), the
                                   sources side by side (passages, coverage bar, left out, only here),
                                   and the conflicts panel
    focus_for(briefing, i, v)      what to show for sentence i: cited and best-matching passages with
                                   their evidence offsets, and which sources corroborate it
    focus_html(briefing, focus)    the fragment that replaces the plain passages for that sentence
    standalone_html(briefing)      one self-contained HTML file: the view plus click-to-evidence, no kernel

Every piece of source text, model output and metadata goes through `esc`; the only markup is ours.
Elements carry `data-slot` keys: a focus fragment's top-level elements replace the elements of the
view with the same key (see `CORE_JS`), so the widget and the offline file share one mechanism.
"""

from __future__ import annotations

import base64
import hashlib
import html
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import TYPE_CHECKING

from ..models import Evidence, Passage, Source, SummarySentence
from ..report import Conflict, Report
from ._briefing import Briefing

if TYPE_CHECKING:
    from ..check.verifier import Verifier

__all__ = [
    "CORE_JS",
    "CSS",
    "Focus",
    "Highlight",
    "conflicts_html",
    "detail_html",
    "esc",
    "focus_for",
    "focus_html",
    "marked",
    "passage_html",
    "source_pane_html",
    "standalone_html",
    "summary_html",
    "view_html",
]

STATUSES = ("supported", "partial", "unsupported", "contradicted", "uncited")
_MATCH_TEXT = {"supported": "corroborates", "partial": "partly supports", "contradicted": "contradicts"}
_RANK = {"supported": 3, "contradicted": 2, "partial": 1, "unsupported": 0}


def esc(text: object) -> str:
    """Text (or a number) made safe for element content and quoted attribute values."""
    return html.escape(str(text), quote=True)


def _status(status: str) -> str:
    """A status usable in a class name (anything unexpected becomes `unchecked`)."""
    return status if status in STATUSES else "unchecked"


@dataclass(frozen=True)
class Highlight:
    """A passage to show for a sentence: `role` is cited | match; `evidence` offsets into Source.text."""

    passage: str
    role: str
    status: str
    evidence: tuple[int, int] | None = None
    reason: str = ""


@dataclass(frozen=True)
class Focus:
    sentence: int
    highlights: tuple[Highlight, ...] = ()
    verdicts: tuple[tuple[str, str, str], ...] = ()  # (source id, what it says, status) per source
    corroborating: tuple[str, ...] = ()  # sources whose passage supports the sentence (copies included)


def _span(evidence: Evidence | None) -> tuple[int, int] | None:
    return (evidence.start, evidence.end) if evidence is not None else None


def focus_for(briefing: Briefing, i: int, verifier: Verifier | None = None) -> Focus:
    """Sentence i's cited passages (with the checked evidence) and, from the report, every other
    source's best passage when it supports, partly supports or contradicts the sentence; with a
    `verifier` those get their evidence span too."""
    sentence = briefing.sentences[i]
    found: dict[str, Highlight] = {}
    for c in sentence.checks:
        found[c.passage] = Highlight(c.passage, "cited", c.status, _span(c.evidence), c.reason)
    for pid in sentence.citations:
        found.setdefault(pid, Highlight(pid, "cited", ""))
    verdicts: dict[str, tuple[str, str]] = {}
    for h in sorted(found.values(), key=lambda h: -_RANK.get(h.status, -1)):
        verdicts.setdefault(h.passage.split(":", 1)[0], (f"cited: {h.status or 'unchecked'}", h.status))
    report = briefing.report
    matches = next((a.matches for a in report.alignments if a.sentence == i), ()) if report else ()
    for m in matches:
        verdicts.setdefault(m.source, (_MATCH_TEXT.get(m.status, "no supporting passage"), m.status))
        if m.passage in found or m.status not in _MATCH_TEXT:
            continue
        check = verifier.check_citation(sentence.text, m.passage) if verifier is not None else None
        reason = check.reason if check is not None else ""
        found[m.passage] = Highlight(
            m.passage, "match", m.status, _span(check.evidence if check else None), reason
        )
    supported = {m.source for m in matches if m.status == "supported"}
    supported |= {c.passage.split(":", 1)[0] for c in sentence.checks if c.status == "supported"}
    order = [s.id for s in briefing.sources]
    return Focus(
        sentence=i,
        highlights=tuple(found.values()),
        verdicts=tuple((s, *verdicts[s]) for s in order if s in verdicts),
        corroborating=tuple(s for s in order if s in supported),
    )


# --- small pieces ------------------------------------------------------------------------------------
def marked(text: str, spans: Iterable[tuple[int, int, str]]) -> str:
    """`text` escaped, with each (start, end, class) span (offsets into `text`) wrapped in <mark>.
    Spans are clipped to the text; overlapping spans are merged into the first."""
    out: list[str] = []
    pos = 0
    for start, end, cls in sorted(spans):
        start, end = max(start, pos, 0), min(end, len(text))
        if end <= start:
            continue
        out += [esc(text[pos:start]), f'<mark class="{esc(cls)}">{esc(text[start:end])}</mark>']
        pos = end
    out.append(esc(text[pos:]))
    return "".join(out)


def _chip(i: int, pid: str, status: str, reason: str = "") -> str:
    title = f' title="{esc(pid + " " + status + ": " + reason)}"' if reason else ""
    return (
        f'<button type="button" class="chip st-{_status(status)}" data-act="select" data-i="{i}" '
        f'data-p="{esc(pid)}"{title}>{esc(pid)}</button>'
    )


def _sentence(i: int, s: SummarySentence, selected: bool) -> str:
    checks = {c.passage: (c.status, c.reason) for c in s.checks}
    chips = [_chip(i, pid, *checks.get(pid, ("", ""))) for pid in s.citations]
    chips = chips or ['<span class="chip st-uncited">uncited</span>']
    sel = " sel" if selected else ""
    reason = f' title="{esc(s.status + ": " + s.reason)}"' if s.status else ""
    return (
        f'<span class="sent st-{_status(s.status)}{sel}" data-act="select" data-i="{i}" tabindex="0" '
        f'role="button"{reason}>{esc(s.text)} <span class="chips">{"".join(chips)}</span></span>'
    )


def summary_html(briefing: Briefing, selected: int = -1) -> str:
    sentences = [_sentence(i, s, i == selected) for i, s in enumerate(briefing.sentences)]
    body = " ".join(sentences) or '<em class="muted">The summary has no sentences.</em>'
    return f'<div class="summary">{body}</div>'


def status_counts_html(briefing: Briefing) -> str:
    counts = Counter(s.status for s in briefing.sentences)
    items = [f'<span class="badge st-{st}">{counts[st]} {st}</span>' for st in STATUSES if counts[st]]
    return f'<div class="counts">{" ".join(items)}</div>'


def passage_html(passage: Passage, highlight: Highlight | None = None, *, used: bool = False) -> str:
    """One passage; with a highlight, its evidence span (Source.text offsets) is marked."""
    spans: list[tuple[int, int, str]] = []
    if highlight is not None and highlight.evidence is not None:
        a, b = highlight.evidence
        spans.append((a - passage.start, b - passage.start, f"ev ev-{_status(highlight.status)}"))
    classes = ["passage"] + (["used"] if used else [])
    title = ""
    if highlight is not None:
        classes += [highlight.role, f"st-{_status(highlight.status)}"]
        if highlight.reason:
            title = f' title="{esc(highlight.reason)}"'
    return (
        f'<div class="{" ".join(classes)}" data-slot="p:{esc(passage.id)}" data-p="{esc(passage.id)}"'
        f'{title}><span class="pid">{esc(passage.id)}</span> {marked(passage.text, spans)}</div>'
    )


def _verdict_html(source_id: str, text: str = "", status: str = "") -> str:
    cls = f"verdict st-{_status(status)}" if text else "verdict"
    return f'<span class="{cls}" data-slot="v:{esc(source_id)}">{esc(text)}</span>'


def _clip(text: str, limit: int = 160) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _goto(pid: str) -> str:
    return f'<button type="button" class="goto" data-act="goto" data-p="{esc(pid)}">{esc(pid)}</button>'


def source_pane_html(
    source: Source,
    report: Report | None = None,
    highlights: Mapping[str, Highlight] | None = None,
) -> str:
    """One source column: header with coverage bar, passages, left out (most central first), only here."""
    highlights = highlights or {}
    cov = next((c for c in report.coverage if c.source == source.id), None) if report else None
    used = set(cov.used) if cov else set()
    meta = " · ".join(esc(x) for x in (source.outlet, source.date) if x)
    copy = (
        f'<div class="muted">same story as {esc(source.origin)}: counts as one origin</div>'
        if source.origin and source.origin != source.id
        else ""
    )
    bar = ""
    if cov is not None:
        pct = max(0.0, min(100.0, round(cov.share * 100, 1)))
        bar = (
            f'<div class="cov" title="{len(cov.used)} of {cov.passages} passages used">'
            f'<div class="bar"><span style="width:{pct}%"></span></div>'
            f"<small>{len(cov.used)}/{cov.passages} passages used ({pct:.0f}%)</small></div>"
        )
    passages = (
        "".join(passage_html(p, highlights.get(p.id), used=p.id in used) for p in source.passages)
        or '<em class="muted">no passages kept</em>'
    )
    head = (
        f'<div class="src-head"><b>{esc(source.id)}</b> <span class="title" title="{esc(source.label)}">'
        f"{esc(source.title or PurePath(source.path).name or '(untitled)')}</span> "
        f"{_verdict_html(source.id)}"
        f'<div class="muted">{meta}</div>{copy}{bar}</div>'
    )
    return (
        f'<section class="src-col" data-s="{esc(source.id)}">{head}<div class="passages">{passages}</div>'
        f"{_extras_html(source, report)}</section>"
    )


def _extras_html(source: Source, report: Report | None) -> str:
    if report is None:
        return ""
    left = [x for x in report.left_out if x.source == source.id]
    text = {p.id: p.text for p in source.passages}
    only = [f for f in report.unique_facts if f.source == source.id]
    parts = []
    if left:
        items = "".join(
            f"<li>{_goto(x.passage)} <small>centrality {x.centrality:.2f}</small> "
            f"{esc(_clip(text.get(x.passage, '')))}</li>"
            for x in left
        )
        parts.append(
            f'<details class="left"><summary>Left out: {len(left)} passages (most central first)</summary>'
            f"<ol>{items}</ol></details>"
        )
    if only:
        items = "".join(
            f"<li>{_goto(f.passage)} {'<b>in summary</b> ' if f.in_summary else ''}"
            f"{esc(_clip(f.evidence.text, 220))}</li>"
            for f in only
        )
        parts.append(
            f'<details class="only"><summary>Only this source reports: {len(only)}</summary>'
            f"<ul>{items}</ul></details>"
        )
    return "".join(parts)


def conflicts_html(report: Report | None) -> str:
    conflicts: Sequence[Conflict] = report.conflicts if report else ()
    if not conflicts:
        return '<div class="conflicts"><h4>Conflicts</h4><p class="muted">No disagreements found.</p></div>'
    items = []
    for c in conflicts:
        flag = ' <span class="badge st-contradicted">the summary states one side only</span>'
        flag = flag if c.flagged else ""
        where = f" <small>(summary sentences {', '.join(str(k + 1) for k in c.sentences)})</small>"
        sides = "".join(
            f'<li class="{"picked" if side.passage == c.picked else ""}">{_goto(side.passage)} '
            f"<b>{esc(side.value)}</b>: {esc(_clip(side.evidence.text, 300))}</li>"
            for side in c.sides
        )
        note = f'<div class="muted">{esc(c.note)}</div>' if c.note else ""
        items.append(
            f'<div class="conflict"><div><span class="badge">{esc(c.kind)}</span> {esc(c.about)}{flag}'
            f"{where if c.sentences else ''}</div><ul>{sides}</ul>{note}</div>"
        )
    return f'<div class="conflicts"><h4>Conflicts ({len(conflicts)})</h4>{"".join(items)}</div>'


def detail_html(briefing: Briefing, i: int, focus: Focus | None = None, *, editable: bool = False) -> str:
    """What the selected sentence says and why it got its status; with `editable`, the edit form."""
    if not 0 <= i < len(briefing.sentences):
        tip = "Click a sentence or a citation to see the evidence in every source."
        return f'<div class="detail" data-slot="detail"><span class="muted">{tip}</span></div>'
    s = briefing.sentences[i]
    checks = "".join(
        f"<li>{_goto(c.passage)} <span class='badge st-{_status(c.status)}'>{esc(c.status)}</span> "
        f"{esc(c.reason)}</li>"
        for c in s.checks
    )
    corr = ""
    if focus is not None and focus.corroborating:
        corr = f"<div>Supported in: {', '.join(esc(x) for x in focus.corroborating)}</div>"
    note = f'<div class="muted">{esc(s.note)}</div>' if s.note else ""
    form = ""
    if editable:
        form = (
            f'<div class="edit"><textarea class="ed-text" rows="3">{esc(s.text)}</textarea>'
            f'<input class="ed-cites" value="{esc("; ".join(s.citations))}" placeholder="S1:2; S3:4">'
            f'<button type="button" data-act="save" data-i="{i}">Save and re-check</button>'
            f'<button type="button" data-act="delete" data-i="{i}">Delete sentence</button></div>'
        )
    return (
        f'<div class="detail" data-slot="detail"><div><b>Sentence {i + 1}</b> '
        f'<span class="badge st-{_status(s.status)}">{esc(s.status or "unchecked")}</span> '
        f"{esc(s.reason)}</div>{note}{corr}<ul>{checks}</ul>{form}</div>"
    )


def focus_html(briefing: Briefing, focus: Focus, *, editable: bool = False) -> str:
    """The detail, the highlighted passages and the per-source verdicts for one sentence, each a
    top-level element with the `data-slot` of the element it replaces in `view_html`."""
    parts = [detail_html(briefing, focus.sentence, focus, editable=editable)]
    parts += [_verdict_html(*v) for v in focus.verdicts]
    corpus = briefing.corpus
    cov = {c.source: set(c.used) for c in briefing.report.coverage} if briefing.report else {}
    for h in focus.highlights:
        if corpus.has_passage(h.passage):
            p = corpus.passage(h.passage)
            parts.append(passage_html(p, h, used=p.id in cov.get(p.source_id, set())))
    return "".join(parts)


def view_html(briefing: Briefing, selected: int = -1) -> str:
    """The whole comparison view without any selection applied (focus fragments are swapped in)."""
    legend = " ".join(f'<span class="badge st-{st}">{st}</span>' for st in STATUSES)
    sources = "".join(source_pane_html(s, briefing.report) for s in briefing.sources)
    return (
        f'<div class="bx-view"><div class="bx-top">{status_counts_html(briefing)}'
        f'<div class="legend muted">{legend}</div></div>{summary_html(briefing, selected)}'
        f'{detail_html(briefing, -1)}<div class="sources">{sources}</div>'
        f"{conflicts_html(briefing.report)}</div>"
    )


CSS = """
.bx{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1f2328;background:#fff;padding:6px}
.bx .muted{color:#656d76}.bx small{color:#656d76}
.bx .summary{padding:8px 10px;border:1px solid #d0d7de;border-radius:6px;margin:6px 0}
.bx .sent{cursor:pointer;border-radius:3px;padding:1px 2px;border-bottom:2px solid transparent}
.bx .sent.sel{outline:2px solid #0969da}.bx .st-supported{background:#dafbe1;border-color:#1a7f37}
.bx .st-partial{background:#fff8c5;border-color:#bf8700}
.bx .st-unsupported{background:#eaeef2;border-color:#6e7781}
.bx .st-contradicted{background:#ffebe9;border-color:#cf222e}
.bx .st-uncited{background:#fbefff;border-color:#8250df}.bx .st-unchecked{background:#f6f8fa}
.bx .chip,.bx .goto,.bx .badge{font:12px ui-monospace,monospace;border:1px solid #8c959f;border-radius:10px;
padding:0 6px;margin:0 1px;cursor:pointer;color:#1f2328}
.bx .goto{background:#f6f8fa}.bx .badge{cursor:default}
.bx .detail{margin:6px 0;padding:6px 10px;border-left:4px solid #0969da;background:#f6f8fa}
.bx .detail ul{margin:4px 0;padding-left:18px}
.bx .edit textarea{width:100%;box-sizing:border-box;font:inherit}.bx .edit input{width:50%;font:inherit}
.bx .edit button{margin:4px 4px 0 0}
.bx .sources{display:flex;gap:8px;overflow-x:auto;align-items:flex-start;padding-bottom:4px}
.bx .src-col{flex:0 0 330px;border:1px solid #d0d7de;border-radius:6px;padding:6px;background:#fff}
.bx .src-head .title{font-weight:600}.bx .verdict{font-size:12px;border-radius:8px;padding:0 5px}
.bx .cov .bar{height:6px;background:#eaeef2;border-radius:3px;overflow:hidden}
.bx .cov .bar span{display:block;height:100%;background:#1a7f37}
.bx .passages{position:relative;max-height:420px;overflow-y:auto;margin-top:6px}
.bx .passage{padding:4px 6px;margin:3px 0;border-left:3px solid #eaeef2;background:#fff;white-space:pre-wrap}
.bx .passage.used{border-left-color:#8c959f}.bx .passage.cited{border-left:4px solid #0969da}
.bx .passage.match{border-left:4px dashed #0969da}.bx .passage.flash{outline:2px solid #bf8700}
.bx .pid{font:11px ui-monospace,monospace;color:#656d76}.bx mark.ev{background:#aceebb;color:inherit}
.bx mark.ev-partial{background:#fae17d}.bx mark.ev-contradicted{background:#ffcecb}
.bx mark.ev-unsupported{background:#d0d7de}.bx details{margin-top:6px}.bx details li{margin:3px 0}
.bx .conflict{border-top:1px solid #d0d7de;padding:4px 0}.bx .conflict li.picked{font-weight:600}
.bx h4{margin:10px 0 4px}
"""

# Shared by the widget and the offline file: swap a focus fragment into the view, scroll each source's
# passages to what supports the sentence, jump to a passage, and route clicks (`bxWire`). Only cloned
# nodes are inserted.
CORE_JS = """
function bxFocus(root, frag, saved, sel, pid) {
  for (const [now, orig] of saved.splice(0)) { if (now.isConnected) now.replaceWith(orig); }
  const slots = new Map();
  root.querySelectorAll("[data-slot]").forEach((n) => slots.set(n.dataset.slot, n));
  for (const n of frag ? Array.from(frag.children) : []) {
    const old = slots.get(n.dataset.slot);
    if (!old) continue;
    const neu = n.cloneNode(true);
    old.replaceWith(neu);
    saved.push([neu, old]);
  }
  root.querySelectorAll(".sent").forEach((n) => n.classList.toggle("sel", Number(n.dataset.i) === sel));
  root.querySelectorAll(".src-col .passages").forEach((box) => {
    const all = Array.from(box.querySelectorAll(".passage"));
    const t = all.find((n) => pid && n.dataset.p === pid) || all.find((n) => n.classList.contains("cited"))
      || all.find((n) => n.classList.contains("match"));
    if (t) box.scrollTop = Math.max(0, t.offsetTop - 6);
  });
}
function bxGoto(root, pid) {
  const t = Array.from(root.querySelectorAll(".src-col .passage")).find((n) => n.dataset.p === pid);
  if (!t) return;
  const box = t.closest(".passages");
  box.scrollTop = Math.max(0, t.offsetTop - 6);
  box.closest(".src-col").scrollIntoView({block: "nearest", inline: "nearest"});
  t.classList.add("flash");
  setTimeout(() => t.classList.remove("flash"), 1200);
}
function bxWire(root, act) {
  root.addEventListener("click", (ev) => {
    const a = ev.target.closest("[data-act]");
    if (!a || !root.contains(a)) return;
    ev.stopPropagation();
    if (a.dataset.act === "goto") bxGoto(root, a.dataset.p);
    else act(a.dataset.act, Number(a.dataset.i), a.dataset.p || "");
  });
  root.addEventListener("keydown", (ev) => {
    const a = ev.target.closest && ev.target.closest('.sent[data-act="select"]');
    if (a && ev.target === a && (ev.key === "Enter" || ev.key === " ")) { ev.preventDefault(); a.click(); }
  });
}
"""

_STANDALONE_JS = """
(() => {
  const root = document.querySelector(".bx"), saved = [], focus = new Map();
  document.querySelectorAll("template[data-focus]").forEach((t) => focus.set(t.dataset.focus, t));
  bxWire(root, (act, i, pid) => {
    const t = act === "select" && focus.get(String(i));
    if (t) bxFocus(root, t.content, saved, i, pid);
  });
})();
"""


def standalone_html(briefing: Briefing) -> str:
    """One self-contained HTML file: the comparison view, inline CSS, a small inline script for
    click-to-evidence; no external URL, works offline in any browser. A Content-Security-Policy
    allows only that script (by hash), so even markup that escaped escaping could not run."""
    from ..check.verifier import Verifier

    verifier = Verifier(briefing.corpus) if briefing.report is not None else None
    templates = "".join(
        f'<template data-focus="{i}">{focus_html(briefing, focus_for(briefing, i, verifier))}</template>'
        for i in range(len(briefing.sentences))
    )
    script = CORE_JS + _STANDALONE_JS
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    csp = f"default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-{digest}'"
    made = [f"engine: {briefing.engine}", f"model: {briefing.model}", f"{len(briefing.sources)} sources"]
    made += [briefing.created] if briefing.created else []
    notes = "".join(f"<li>{esc(n)}</li>" for n in briefing.notes)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{esc(csp)}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Briefing · {len(briefing.sources)} sources</title><style>{CSS}"
        "body{margin:0 auto;max-width:1400px}</style></head>\n"
        f'<body><div class="bx"><h2>Briefing</h2><div class="muted">{esc(" · ".join(made))}</div>'
        f'<ul class="muted">{notes}</ul>{view_html(briefing)}</div>\n{templates}\n'
        f"<script>{script}</script></body></html>\n"
    )
