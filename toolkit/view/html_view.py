"""The comparison view as HTML: pure functions from a `Briefing` to escaped markup.

    view_html(briefing)            the summary bar (counts by status, filters, next/previous problem),
                                   warnings, the numbered summary (one row per sentence, coloured by
                                   status, citations as chips that show their quote on hover/focus),
                                   the sources side by side (a switcher when narrow) and the conflicts
    view_slots(briefing)           the parts of the view an edit can change, by `data-slot` key
    focus_for(briefing, i, v)      what to show for sentence i: cited and best-matching passages with
                                   their evidence offsets, and which sources corroborate it
    focus_html(briefing, focus)    the fragment that replaces the plain passages for that sentence
    standalone_html(briefing)      one self-contained HTML file: the view plus click-to-evidence, no kernel

Every piece of source text, model output and metadata goes through `esc`; the only markup is ours.
Elements carry `data-slot` keys: a fragment's top-level elements replace the elements of the view with
the same key (`bxApply` / `bxFocus` in `CORE_JS`), so the widget's edits, its focus and the offline
file share one mechanism. Colours come from JupyterLab's theme variables (`--jp-...`) with fallbacks,
so the view reads in light and dark themes; statuses are never told by colour alone (each row names
its status).
"""

from __future__ import annotations

import base64
import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..models import STATUS_RANK, Corpus, Evidence, Passage, Source, SummarySentence
from ..report import Conflict, LeftOut, Report, SourceCoverage, UniqueFact
from ..text.safe import html_escape
from ._briefing import Briefing
from .labels import (
    PROBLEMS,
    STATUS_HELP,
    STATUSES,
    counts_line,
    metadata_line,
    plain_reason,
    plural,
    shown_status,
    source_title,
    warnings,
)

if TYPE_CHECKING:
    from ..check.verifier import Verifier

__all__ = [
    "CORE_JS",
    "CSS",
    "STATUSES",
    "Focus",
    "Highlight",
    "bar_html",
    "conflicts_html",
    "detail_html",
    "esc",
    "focus_for",
    "focus_html",
    "marked",
    "passage_html",
    "sentence_html",
    "source_pane_html",
    "standalone_html",
    "summary_html",
    "view_html",
    "view_slots",
    "warnings_html",
]

_MATCH_TEXT = {
    "supported": "corroborates",
    "partial": "partly supports",
    "contradicted": "contradicts",
    "disputed": "disputed",
}
_RANK = {**STATUS_RANK, "disputed": STATUS_RANK["contradicted"]}  # evidence order
TIP_LIMIT = 280  # characters of evidence a citation chip shows on hover


def esc(text: object) -> str:
    """Text (or a number) made safe for element content and quoted attribute values
    (`safe_text.html_escape`, the one HTML escaping helper)."""
    return html_escape(text)


def _status(status: str) -> str:
    """A status usable in a class name (anything unexpected becomes `unchecked`)."""
    return status if status in STATUS_HELP else "unchecked"


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


def _clip(text: str, limit: int = 160) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _source_of(corpus: Corpus, pid: str) -> Source | None:
    try:
        return corpus.source(pid.split(":", 1)[0])
    except KeyError:
        return None


def _chip(corpus: Corpus, i: int, pid: str, status: str, reason: str, quote: str) -> str:
    """A citation chip; hovering or focusing it shows the source, the verdict and the quoted evidence."""
    known = corpus.has_passage(pid)
    source = _source_of(corpus, pid) if known else None
    st = _status(status) if known else "missing"
    if source is None:
        tip = f"<b>{esc(pid)}</b>: there is no such passage in these sources."
    else:
        verdict = f"{esc(status)}: {esc(plain_reason(reason))}" if status else "not checked yet"
        tip = (
            f"<b>{esc(pid)} · {esc(source_title(source))}</b><span class='tv'>{verdict}</span>"
            f"<q>{esc(_clip(quote, TIP_LIMIT))}</q>"
        )
    return (
        f'<button type="button" class="chip st-{st}" data-act="select" data-i="{i}" data-p="{esc(pid)}" '
        f'aria-label="{esc(pid)} ({esc(status or "unchecked")})"><span class="cid">{esc(pid)}</span>'
        f'<span class="tip" role="tooltip">{tip}</span></button>'
    )


def sentence_html(corpus: Corpus, i: int, s: SummarySentence, selected: bool = False) -> str:
    """One numbered summary row: number, status word, text and citation chips (slot `s:<i>`)."""
    checks = {c.passage: c for c in s.checks}
    chips = []
    for pid in s.citations:
        c = checks.get(pid)
        quote = c.evidence.text if c is not None and c.evidence is not None else ""
        if not quote and corpus.has_passage(pid):
            quote = corpus.passage(pid).text
        chips.append(_chip(corpus, i, pid, c.status if c else "", c.reason if c else "", quote))
    if not chips:
        chips = ['<span class="chip st-uncited">no citation</span>']
    st = shown_status(s)
    sel = " sel" if selected else ""
    why = plain_reason(s.reason or s.note)
    title = f' title="{esc(st + ": " + why)}"' if why else ""
    return (
        f'<li class="sent st-{st}{sel}" data-slot="s:{i}" data-act="select" data-i="{i}" data-st="{st}" '
        f'tabindex="0" role="button"{title}><span class="num">{i + 1}</span>'
        f'<span class="stag st-{st}">{esc(st)}</span> <span class="txt">{esc(s.text)}</span> '
        f'<span class="chips">{"".join(chips)}</span></li>'
    )


def summary_html(briefing: Briefing, selected: int = -1, corpus: Corpus | None = None) -> str:
    """The numbered summary, one row per sentence (slot `summary`)."""
    corpus = corpus or briefing.corpus
    rows = [sentence_html(corpus, i, s, i == selected) for i, s in enumerate(briefing.sentences)]
    if not rows:
        empty = '<li class="muted">The summary has no sentences.</li>'
        return f'<ol class="summary" data-slot="summary">{empty}</ol>'
    return f'<ol class="summary" data-slot="summary">{"".join(rows)}</ol>'


def _to_look_at(problems: int) -> str:
    return "every sentence supported" if not problems else f"{plural(problems, 'sentence')} to look at"


def bar_html(briefing: Briefing) -> str:
    """Counts by status as filter buttons, `N sentences, M words`, and next/previous problem."""
    counts = Counter(shown_status(s) for s in briefing.sentences)
    problems = sum(n for st, n in counts.items() if st in PROBLEMS)
    filters = [
        '<button type="button" class="flt" data-act="filter" data-st="">'
        f"all {len(briefing.sentences)}</button>"
    ]
    filters += [
        f'<button type="button" class="flt st-{st}" data-act="filter" data-st="{st}" '
        f'title="{esc(STATUS_HELP[st])}">{counts[st]} {st}</button>'
        for st in STATUSES
        if counts[st]
    ]
    steps = (
        '<button type="button" class="step" data-act="prev" title="previous sentence that is not supported">'
        "◀ previous problem</button>"
        '<button type="button" class="step" data-act="next" title="next sentence that is not supported">'
        "next problem ▶</button>"
    )
    return (
        f'<div class="bx-bar" data-slot="bar"><span class="size">{esc(counts_line(briefing.sentences))}'
        f" · {esc(_to_look_at(problems))}</span>"
        f'<span class="flts">{"".join(filters)}</span>'
        f'<span class="steps">{steps if problems else ""}</span></div>'
    )


def warnings_html(briefing: Briefing) -> str:
    """What a reader must know before trusting the summary (the same list the exports carry)."""
    found = warnings(briefing)
    if not found:
        return (
            '<div class="warnings none" data-slot="warnings">No warnings: every sentence is supported '
            "by what it cites and no source disagrees with another.</div>"
        )
    items = "".join(f"<li>{esc(w)}</li>" for w in found)
    return (
        f'<details class="warnings" data-slot="warnings" open><summary>'
        f"{esc(plural(len(found), 'warning'))}</summary><ul>{items}</ul></details>"
    )


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
            title = f' title="{esc(plain_reason(highlight.reason))}"'
    return (
        f'<div class="{" ".join(classes)}" data-slot="p:{esc(passage.id)}" data-p="{esc(passage.id)}"'
        f'{title}><span class="pid">{esc(passage.id)}</span> {marked(passage.text, spans)}</div>'
    )


def _verdict_html(source_id: str, text: str = "", status: str = "") -> str:
    cls = f"verdict st-{_status(status)}" if text else "verdict"
    return f'<span class="{cls}" data-slot="v:{esc(source_id)}">{esc(text)}</span>'


def _goto(pid: str) -> str:
    return f'<button type="button" class="goto" data-act="goto" data-p="{esc(pid)}">{esc(pid)}</button>'


@dataclass(frozen=True)
class _BySource:
    coverage: dict[str, SourceCoverage]
    left_out: dict[str, list[LeftOut]]
    unique: dict[str, list[UniqueFact]]


_LAST: list[tuple[Report, _BySource]] = []


def _by_source(report: Report) -> _BySource:
    """The report's per-source lists, grouped once per report (the view asks for every source)."""
    if _LAST and _LAST[0][0] is report:
        return _LAST[0][1]
    left: dict[str, list[LeftOut]] = {}
    for x in report.left_out:
        left.setdefault(x.source, []).append(x)
    unique: dict[str, list[UniqueFact]] = {}
    for f in report.unique_facts:
        unique.setdefault(f.source, []).append(f)
    out = _BySource({c.source: c for c in report.coverage}, left, unique)
    _LAST[:] = [(report, out)]
    return out


def coverage_html(source: Source, report: Report | None) -> str:
    """The source's coverage bar (slot `cov:<id>`)."""
    cov = _by_source(report).coverage.get(source.id) if report else None
    if cov is None:
        return f'<div class="cov" data-slot="cov:{esc(source.id)}"></div>'
    pct = max(0.0, min(100.0, round(cov.share * 100, 1)))
    used = f"{len(cov.used)} of {plural(cov.passages, 'passage')} used by the summary"
    return (
        f'<div class="cov" data-slot="cov:{esc(source.id)}" title="{esc(used)}">'
        f'<div class="bar"><span style="width:{pct}%"></span></div>'
        f"<small>{esc(used)} ({pct:.0f}%)</small></div>"
    )


def source_pane_html(
    source: Source,
    report: Report | None = None,
    highlights: Mapping[str, Highlight] | None = None,
    *,
    editable: bool = False,
) -> str:
    """One source column: header with coverage bar, passages, left out (most central first), only here."""
    highlights = highlights or {}
    cov = _by_source(report).coverage.get(source.id) if report else None
    used = set(cov.used) if cov else set()
    meta = " · ".join(esc(x) for x in (source.outlet, source.date) if x)
    copy = (
        f'<div class="muted">same story as {esc(source.origin)}: counts as one origin</div>'
        if source.origin and source.origin != source.id
        else ""
    )
    passages = (
        "".join(passage_html(p, highlights.get(p.id), used=p.id in used) for p in source.passages)
        or '<em class="muted">no passages kept</em>'
    )
    head = (
        f'<div class="src-head"><b>{esc(source.id)}</b> <span class="title" title="{esc(source.label)}">'
        f"{esc(source_title(source))}</span> {_verdict_html(source.id)}"
        f'<div class="muted">{meta}</div>{copy}{coverage_html(source, report)}</div>'
    )
    return (
        f'<section class="src-col" data-s="{esc(source.id)}">{head}'
        '<div class="nohit-note muted">No passage of this source supports the selected sentence. '
        '<button type="button" class="linkish" data-act="expand">show passages</button></div>'
        f'<div class="passages">{passages}</div>{extras_html(source, report, editable=editable)}</section>'
    )


_CENTRALITY = (
    "centrality {:.2f} (LexRank: how much this passage shares with the rest of the cluster; 1 = most)"
)


def _add(pid: str) -> str:
    return (
        f'<button type="button" class="add" data-act="add" data-p="{esc(pid)}" '
        'title="add this passage to the summary as a new sentence that cites it">add as a sentence</button>'
    )


def extras_html(source: Source, report: Report | None, *, editable: bool = False) -> str:
    """Left out (most central first; widget: with "add as a sentence") and only this source (slot
    `x:<id>`). Centrality is LexRank over every passage of the cluster, kept in a tooltip."""
    slot = f'data-slot="x:{esc(source.id)}"'
    if report is None:
        return f'<div class="extras" {slot}></div>'
    grouped = _by_source(report)
    left = grouped.left_out.get(source.id, [])
    text = {p.id: p.text for p in source.passages}
    only = grouped.unique.get(source.id, [])
    parts = []
    if left:
        items = "".join(
            f'<li title="{esc(_CENTRALITY.format(x.centrality))}">{_goto(x.passage)} '
            f"{_add(x.passage) if editable else ''} {esc(_clip(text.get(x.passage, '')))}</li>"
            for x in left
        )
        parts.append(
            f'<details class="left"><summary>Left out: {esc(plural(len(left), "passage"))} the summary does '
            f"not use, the most representative of the cluster first</summary><ol>{items}</ol></details>"
        )
    if only:
        items = "".join(
            f"<li>{_goto(f.passage)} {'<b>in the summary</b> ' if f.in_summary else ''}"
            f"{esc(_clip(f.evidence.text, 220))}</li>"
            for f in only
        )
        parts.append(
            f'<details class="only"><summary>Only this source reports: {esc(plural(len(only), "fact"))}'
            f"</summary><ul>{items}</ul></details>"
        )
    return f'<div class="extras" {slot}>{"".join(parts)}</div>'


def conflicts_html(report: Report | None) -> str:
    conflicts: Sequence[Conflict] = report.conflicts if report else ()
    if not conflicts:
        return (
            '<div class="conflicts" data-slot="conflicts"><h4>Conflicts</h4>'
            '<p class="muted">No disagreements found.</p></div>'
        )
    items = []
    for c in conflicts:
        flag = ' <span class="badge st-disputed">the summary states one side only</span>'
        flag = flag if c.flagged else ""
        nums = ", ".join(str(k + 1) for k in c.sentences)
        where = f" <small>(summary sentence{'s' if len(c.sentences) > 1 else ''} {nums})</small>"
        sides = "".join(
            f'<li class="{"picked" if side.passage == c.picked else ""}">{_goto(side.passage)} '
            f"<b>{esc(side.value)}</b>: {esc(_clip(side.evidence.text, 300))}"
            f"{' <em>(the side the summary took)</em>' if side.passage == c.picked else ''}</li>"
            for side in c.sides
        )
        note = f'<div class="muted">{esc(c.note)}</div>' if c.note else ""
        items.append(
            f'<div class="conflict"><div><span class="badge">{esc(c.kind)}</span> {esc(c.about)}{flag}'
            f"{where if c.sentences else ''}</div><ul>{sides}</ul>{note}</div>"
        )
    return (
        f'<div class="conflicts" data-slot="conflicts"><h4>Conflicts between sources ({len(conflicts)})</h4>'
        f"{''.join(items)}</div>"
    )


_ED_HELP = "Citations are passage ids such as the grey labels in the source columns, separated by semicolons."


def detail_html(briefing: Briefing, i: int, focus: Focus | None = None, *, editable: bool = False) -> str:
    """What the selected sentence says and why it got its status; with `editable`, the edit form."""
    if not 0 <= i < len(briefing.sentences):
        tip = "Click a sentence or a citation to see the evidence in every source."
        return f'<div class="detail" data-slot="detail"><span class="muted">{tip}</span></div>'
    s = briefing.sentences[i]
    st = shown_status(s)
    checks = "".join(
        f"<li>{_goto(c.passage)} <span class='badge st-{_status(c.status)}'>{esc(c.status)}</span> "
        f"{esc(plain_reason(c.reason))}</li>"
        for c in s.checks
    )
    corr = ""
    if focus is not None and focus.corroborating:
        corr = f"<div>Supported in: {', '.join(esc(x) for x in focus.corroborating)}</div>"
    note = f'<div class="muted">{esc(plain_reason(s.note))}</div>' if s.note else ""
    scores = "; ".join(f"{c.passage}: {c.score:.2f}" for c in s.checks)
    raw = (
        f'<details class="raw"><summary>details</summary><div class="muted">checker reason: {esc(s.reason)}'
        f"{'<br>key-word share per citation (0-1): ' + esc(scores) if scores else ''}</div></details>"
    )
    form = ""
    if editable:
        form = (
            '<div class="edit"><label>Text'
            f'<textarea class="ed-text" rows="3">{esc(s.text)}</textarea></label>'
            f'<label>Citations <input class="ed-cites" value="{esc("; ".join(s.citations))}" '
            f'placeholder="none: type passage ids separated by ;" title="{esc(_ED_HELP)}"></label>'
            '<div class="ed-buttons">'
            f'<button type="button" data-act="save" data-i="{i}">Save and re-check</button>'
            f'<button type="button" class="danger" data-act="delete" data-i="{i}">'
            f"Delete sentence {i + 1}</button>"
            "</div></div>"
        )
    return (
        f'<div class="detail" data-slot="detail"><div><b>Sentence {i + 1}</b> '
        f'<span class="badge st-{st}" title="{esc(STATUS_HELP[st])}">{esc(st)}</span> '
        f"{esc(plain_reason(s.reason))}</div>{note}{corr}<ul>{checks}</ul>{raw}{form}</div>"
    )


def focus_html(
    briefing: Briefing, focus: Focus, *, editable: bool = False, corpus: Corpus | None = None
) -> str:
    """The detail, the highlighted passages and the per-source verdicts for one sentence, each a
    top-level element with the `data-slot` of the element it replaces in `view_html`."""
    parts = [detail_html(briefing, focus.sentence, focus, editable=editable)]
    parts += [_verdict_html(*v) for v in focus.verdicts]
    corpus = corpus or briefing.corpus
    cov = {c.source: set(c.used) for c in briefing.report.coverage} if briefing.report else {}
    for h in focus.highlights:
        if corpus.has_passage(h.passage):
            p = corpus.passage(h.passage)
            parts.append(passage_html(p, h, used=p.id in cov.get(p.source_id, set())))
    return "".join(parts)


def tools_html(*, can_undo: bool = False, can_redo: bool = False) -> str:
    """The widget's undo, redo and export controls (slot `tools`)."""

    def off(on: bool) -> str:
        return "" if on else " disabled"

    return (
        '<span class="tools" data-slot="tools">'
        f'<button type="button" data-act="undo"{off(can_undo)}>undo</button>'
        f'<button type="button" data-act="redo"{off(can_redo)}>redo</button>'
        '<select class="ex-fmt" aria-label="export format"><option value="md">Markdown</option>'
        '<option value="html">HTML</option><option value="docx">Word (DOCX)</option></select>'
        '<button type="button" data-act="export">Export</button></span>'
    )


def view_slots(
    briefing: Briefing,
    *,
    editable: bool = False,
    corpus: Corpus | None = None,
    memo: dict[tuple[object, ...], Any] | None = None,
) -> dict[str, str]:
    """The parts of the view an edit can change, by slot key: `bar`, `warnings`, `s:<i>` (one per
    sentence), `cov:<id>` and `x:<id>` (one per source), `conflicts`. The summary's `summary` slot is
    the `s:<i>` rows joined (see `summary_html`). `memo` keeps rendered source extras between calls,
    keyed by what they show."""
    corpus = corpus or briefing.corpus
    out = {"bar": bar_html(briefing), "warnings": warnings_html(briefing)}
    memo = {} if memo is None else memo
    if len(memo) > 20_000:
        memo.clear()
    for i, s in enumerate(briefing.sentences):  # rows of unchanged sentences are not rendered again
        row_key: tuple[object, ...] = ("s", i, id(s))
        row = memo.get(row_key)
        if row is None or row[0] is not s:
            row = memo[row_key] = (s, sentence_html(corpus, i, s))
        out[f"s:{i}"] = row[1]
    report = briefing.report
    grouped = _by_source(report) if report is not None else None
    for src in briefing.sources:
        out[f"cov:{src.id}"] = coverage_html(src, report)
        key: tuple[object, ...] = (src.id, editable, report is None)
        if grouped is not None:  # what the extras show: re-rendered only when it changed
            key += (
                tuple((x.passage, x.centrality) for x in grouped.left_out.get(src.id, ())),
                tuple((f.passage, f.in_summary) for f in grouped.unique.get(src.id, ())),
            )
        hit = memo.get(key)
        if hit is None:
            hit = memo[key] = extras_html(src, report, editable=editable)
        out[f"x:{src.id}"] = hit
    out["conflicts"] = conflicts_html(briefing.report)
    return out


def view_html(briefing: Briefing, selected: int = -1, *, editable: bool = False, tools: str = "") -> str:
    """The whole comparison view without any selection applied (focus fragments are swapped in)."""
    corpus = briefing.corpus
    legend = " ".join(
        f'<span class="badge st-{st}" title="{esc(STATUS_HELP[st])}">{st}</span>' for st in STATUSES
    )
    sources = "".join(source_pane_html(s, briefing.report, editable=editable) for s in briefing.sources)
    tabs = "".join(
        f'<button type="button" class="tab" data-act="tab" data-s="{esc(s.id)}" '
        f'title="{esc(source_title(s))}">'
        f"{esc(s.id)} <span>{esc(_clip(source_title(s), 28))}</span></button>"
        for s in briefing.sources
    )
    search = (
        '<div class="search"><input type="search" class="q" placeholder="Search all sources" '
        'aria-label="search all sources"> <span class="q-n muted"></span><ol class="q-hits"></ol></div>'
    )
    return (
        f'<div class="bx-view"><div class="bx-top">{bar_html(briefing)}{tools}</div>'
        f"{warnings_html(briefing)}"
        f'<div class="legend muted">What the colours mean: {legend}</div>'
        f"{summary_html(briefing, selected, corpus)}{detail_html(briefing, -1)}"
        '<div class="bx-msg" role="status" aria-live="polite"></div>'
        f'<h4>Sources ({len(briefing.sources)})</h4>{search}<div class="src-tabs" role="tablist">{tabs}</div>'
        f'<div class="sources">{sources}</div>{conflicts_html(briefing.report)}</div>'
    )


CSS = """
.bx{--bx-fg:var(--jp-content-font-color1,#1f2328);--bx-muted:var(--jp-content-font-color2,#59636e);
--bx-bg:var(--jp-layout-color0,#fff);--bx-bg2:var(--jp-layout-color1,#f6f8fa);
--bx-bg3:var(--jp-layout-color2,#eaeef2);--bx-line:var(--jp-border-color1,#d0d7de);
--bx-accent:var(--jp-brand-color1,#0969da);
--bx-ok:#1a7f37;--bx-part:#9a6700;--bx-uns:#6e7781;--bx-bad:#cf222e;--bx-disp:#bc4c00;--bx-unc:#8250df;
font:14px/1.45 var(--jp-content-font-family,system-ui,-apple-system,"Segoe UI",sans-serif);
color:var(--bx-fg);background:var(--bx-bg);padding:6px;color-scheme:light dark}
.bx .muted,.bx small{color:var(--bx-muted)}
.bx button,.bx input,.bx select,.bx textarea{font:inherit;color:var(--bx-fg);background:var(--bx-bg2);
border:1px solid var(--bx-line);border-radius:4px}
.bx button{cursor:pointer;padding:1px 8px}.bx button[disabled]{opacity:.45;cursor:default}
.bx .bx-top{display:flex;flex-wrap:wrap;gap:6px;align-items:center;justify-content:space-between;
position:sticky;top:0;z-index:3;background:var(--bx-bg);padding:4px 0;
border-bottom:1px solid var(--bx-line)}
.bx .bx-bar{display:flex;flex-wrap:wrap;gap:6px;align-items:center}.bx .bx-bar .size{font-weight:600}
.bx .flt{border-radius:12px}.bx .flt.on{outline:2px solid var(--bx-accent)}
.bx .tools{display:flex;gap:4px;align-items:center}
.bx .warnings{margin:6px 0;padding:4px 10px;border:1px solid var(--bx-disp);border-left-width:5px;
border-radius:4px}
.bx .warnings.none{border-color:var(--bx-ok)}.bx .warnings summary{font-weight:600;cursor:pointer}
.bx .warnings ul{margin:4px 0;padding-left:20px}
.bx .legend{margin:4px 0;font-size:12px}
.bx .summary{list-style:none;margin:6px 0;padding:0;border:1px solid var(--bx-line);border-radius:6px}
.bx .sent{display:flex;gap:6px;align-items:baseline;flex-wrap:wrap;padding:5px 8px;cursor:pointer;
border-left:6px solid transparent;border-bottom:1px solid var(--bx-line)}
.bx .sent:last-child{border-bottom:0}.bx .sent .txt{flex:1 1 24em}
.bx .sent.sel{outline:2px solid var(--bx-accent);outline-offset:-2px}.bx .sent.hide{display:none}
.bx .num{font-weight:700;min-width:1.6em;text-align:right}
.bx .stag{font:11px ui-monospace,monospace;border-radius:8px;padding:0 5px;border:1px solid}
.bx .st-supported{--c:var(--bx-ok)}
.bx .st-partial{--c:var(--bx-part)}
.bx .st-unsupported{--c:var(--bx-uns)}
.bx .st-contradicted{--c:var(--bx-bad)}
.bx .st-disputed{--c:var(--bx-disp)}
.bx .st-uncited{--c:var(--bx-unc)}
.bx .st-unchecked,.bx .st-missing{--c:var(--bx-uns)}
.bx .sent{border-left-color:var(--c);background:color-mix(in srgb,var(--c) 11%,transparent)}
.bx .sent.st-disputed,.bx .sent.st-contradicted{background:repeating-linear-gradient(135deg,
color-mix(in srgb,var(--c) 16%,transparent) 0 8px,color-mix(in srgb,var(--c) 8%,transparent) 8px 16px)}
.bx .stag,.bx .badge,.bx .flt[data-st]:not([data-st=""]){border-color:var(--c);
background:color-mix(in srgb,var(--c) 18%,transparent)}
.bx .chip{position:relative;font:12px ui-monospace,monospace;border:1px solid var(--c,var(--bx-line));
border-radius:10px;padding:0 6px;margin:0 1px;
background:color-mix(in srgb,var(--c,#888) 14%,transparent)}
.bx .chip.st-missing{border-style:dashed;text-decoration:line-through}
.bx .chip .tip{display:none;position:absolute;z-index:5;right:0;top:1.6em;width:min(26em,70vw);
text-align:left;
font:13px/1.4 var(--jp-content-font-family,system-ui,sans-serif);white-space:normal;padding:6px 8px;
color:var(--bx-fg);background:var(--bx-bg);border:1px solid var(--bx-line);border-radius:6px;
box-shadow:0 4px 14px rgba(0,0,0,.25)}
.bx .chip:hover .tip,.bx .chip:focus-visible .tip{display:block}.bx .tip{pointer-events:none}
.bx .tip .tv{display:block;color:var(--bx-muted)}
.bx .tip q{display:block;margin-top:3px;font-style:italic}
.bx .goto,.bx .badge{font:12px ui-monospace,monospace;border-radius:10px;padding:0 6px}
.bx .detail{margin:6px 0;padding:6px 10px;border-left:4px solid var(--bx-accent);
background:var(--bx-bg2)}
.bx .detail ul{margin:4px 0;padding-left:18px}.bx .raw summary{cursor:pointer;color:var(--bx-muted)}
.bx .edit label{display:block;margin-top:4px}.bx .edit textarea{width:100%;box-sizing:border-box}
.bx .edit input{width:min(30em,100%)}.bx .ed-buttons button{margin:4px 6px 0 0}
.bx .danger{border-color:var(--bx-bad)}
.bx .bx-msg{min-height:1.2em;margin:2px 0 6px}.bx .bx-msg.err{color:var(--bx-bad);font-weight:600}
.bx .search{margin:4px 0}
.bx .search input{width:min(24em,60%)}
.bx .q-hits{margin:2px 0;max-height:160px;overflow:auto}
.bx .src-tabs{display:none;gap:4px;flex-wrap:wrap;margin:4px 0}
.bx .tab.on{outline:2px solid var(--bx-accent)}.bx .tab span{color:var(--bx-muted)}
.bx .sources{display:flex;gap:8px;overflow-x:auto;align-items:flex-start;padding-bottom:4px;
scroll-behavior:smooth}
.bx .src-col{flex:0 0 330px;border:1px solid var(--bx-line);border-radius:6px;padding:6px;
background:var(--bx-bg);
transition:flex-basis .15s}
.bx .src-col.nohit{flex-basis:190px;opacity:.75}.bx .nohit-note{display:none;font-size:12px}
.bx .src-col.nohit .nohit-note{display:block}
.bx .src-col.nohit .passages,.bx .src-col.nohit .extras{display:none}
.bx .src-col.cited-col{box-shadow:0 0 0 2px var(--bx-accent)}
.bx .linkish{border:0;background:none;text-decoration:underline;padding:0}
.bx .src-head .title{font-weight:600}.bx .verdict{font-size:12px;border-radius:8px;padding:0 5px}
.bx .verdict[class*=st-]{border:1px solid var(--c);
background:color-mix(in srgb,var(--c) 15%,transparent)}
.bx .cov .bar{height:6px;background:var(--bx-bg3);border-radius:3px;overflow:hidden}
.bx .cov .bar span{display:block;height:100%;background:var(--bx-ok)}
.bx .passages{position:relative;max-height:420px;overflow-y:auto;margin-top:6px}
.bx .passage{padding:4px 6px;margin:3px 0;border-left:3px solid var(--bx-bg3);white-space:pre-wrap}
.bx .passage.used{border-left-color:var(--bx-uns)}
.bx .passage.cited{border-left:4px solid var(--c,var(--bx-accent))}
.bx .passage.match{border-left:4px dashed var(--c,var(--bx-accent))}
.bx .passage.flash{outline:3px solid var(--bx-accent);
background:color-mix(in srgb,var(--bx-accent) 12%,transparent)}
.bx .passage.hit{background:color-mix(in srgb,#d4a72c 18%,transparent)}
.bx .pid{font:11px ui-monospace,monospace;color:var(--bx-muted)}
.bx mark.ev{color:inherit;background:color-mix(in srgb,var(--c,var(--bx-ok)) 30%,transparent)}
.bx mark.ev-supported{--c:var(--bx-ok)}.bx mark.ev-partial{--c:var(--bx-part)}
.bx mark.ev-contradicted{--c:var(--bx-bad)}.bx mark.ev-unsupported{--c:var(--bx-uns)}
.bx details{margin-top:6px}.bx details li{margin:3px 0}.bx .add{font-size:12px}
.bx .conflict{border-top:1px solid var(--bx-line);padding:4px 0}.bx .conflict li.picked{font-weight:600}
.bx h4{margin:10px 0 4px}
.bx.narrow .src-tabs{display:flex}.bx.narrow .sources{display:block;overflow:visible}
.bx.narrow .src-col{display:none}.bx.narrow .src-col.on{display:block}
.bx.narrow .src-col.nohit .passages,.bx.narrow .src-col.nohit .extras{display:block}
.bx.narrow .src-col.nohit .nohit-note{display:none}
"""

# Shared by the widget and the offline file: swap fragments into the view (`bxApply`: an edit's
# changed parts; `bxFocus`: a sentence's evidence, undone on the next focus), bring a passage and its
# column into view (`bxGoto`), filter and step through sentences by status, the narrow-screen source
# switcher, search across sources, and click routing (`bxWire`). Only cloned nodes are inserted; search
# results are built with textContent.
CORE_JS = """
function bxApply(root, frag) {
  const slots = new Map();
  root.querySelectorAll("[data-slot]").forEach((n) => slots.set(n.dataset.slot, n));
  for (const n of frag ? Array.from(frag.children) : []) {
    const old = slots.get(n.dataset.slot);
    if (old) old.replaceWith(n.cloneNode(true));
  }
  bxFilter(root, root.dataset.filter || "");
}
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
  const on = sel >= 0;
  root.querySelectorAll(".src-col").forEach((col) => {
    const box = col.querySelector(".passages");
    const all = Array.from(box.querySelectorAll(".passage"));
    const t = all.find((n) => pid && n.dataset.p === pid) || all.find((n) => n.classList.contains("cited"))
      || all.find((n) => n.classList.contains("match"));
    col.classList.toggle("nohit", on && !t && !col.classList.contains("expanded"));
    col.classList.toggle("cited-col", on && !!all.find((n) => n.classList.contains("cited")));
    if (t) box.scrollTop = Math.max(0, t.offsetTop - 6);
  });
  if (on) {
    const first = pid || (root.querySelector(".src-col .passage.cited") || {dataset: {}}).dataset.p;
    if (first) bxGoto(root, first, !!pid);
  }
}
function bxShowColumn(root, col) {
  if (root.classList.contains("narrow")) { bxTab(root, col.dataset.s); return; }
  const strip = col.parentElement, a = strip.getBoundingClientRect(), b = col.getBoundingClientRect();
  if (b.left < a.left || b.right > a.right) {
    strip.scrollLeft += b.left - a.left - Math.max(0, (a.width - b.width) / 2);
  }
}
function bxGoto(root, pid, flash = true) {
  const t = Array.from(root.querySelectorAll(".src-col .passage")).find((n) => n.dataset.p === pid);
  if (!t) return;
  const col = t.closest(".src-col");
  col.classList.remove("nohit");
  bxShowColumn(root, col);
  const box = t.closest(".passages");
  box.scrollTop = Math.max(0, t.offsetTop - 6);
  if (!flash) return;
  const r = col.getBoundingClientRect();
  if (r.top < 0 || r.top > (window.innerHeight || 800) - 80) col.scrollIntoView({block: "nearest"});
  t.classList.add("flash");
  setTimeout(() => t.classList.remove("flash"), 1600);
}
function bxTab(root, sid) {
  root.querySelectorAll(".src-col").forEach((c) => c.classList.toggle("on", c.dataset.s === sid));
  root.querySelectorAll(".tab").forEach((c) => c.classList.toggle("on", c.dataset.s === sid));
}
function bxLayout(root) {
  const fit = () => {
    const narrow = root.clientWidth > 0 && root.clientWidth < 1000;
    root.classList.toggle("narrow", narrow);
    if (narrow && !root.querySelector(".src-col.on")) {
      const c = root.querySelector(".src-col.cited-col") || root.querySelector(".src-col");
      if (c) bxTab(root, c.dataset.s);
    }
  };
  fit();
  if (typeof ResizeObserver !== "undefined") new ResizeObserver(fit).observe(root);
}
function bxFilter(root, st) {
  root.dataset.filter = st;
  root.querySelectorAll(".sent").forEach((n) => n.classList.toggle("hide", !!st && n.dataset.st !== st));
  root.querySelectorAll(".flt").forEach((b) => b.classList.toggle("on", (b.dataset.st || "") === st));
}
function bxStep(root, dir) {
  const rows = Array.from(root.querySelectorAll(".sent")).filter((n) => !n.classList.contains("hide")
    && n.dataset.st !== "supported");
  if (!rows.length) return null;
  const cur = root.querySelector(".sent.sel"), at = cur ? Number(cur.dataset.i) : (dir > 0 ? -1 : 1e9);
  const next = dir > 0 ? rows.find((n) => Number(n.dataset.i) > at) || rows[0]
    : rows.reverse().find((n) => Number(n.dataset.i) < at) || rows[0];
  next.scrollIntoView({block: "nearest"});
  return Number(next.dataset.i);
}
function bxSearch(root, q) {
  const out = root.querySelector(".q-hits"), n = root.querySelector(".q-n");
  out.replaceChildren();
  const words = q.trim().toLowerCase();
  let hits = 0;
  const cols = new Set();
  root.querySelectorAll(".src-col .passage").forEach((p) => {
    const hit = words.length > 1 && p.textContent.toLowerCase().includes(words);
    p.classList.toggle("hit", hit);
    if (!hit) return;
    hits += 1;
    cols.add(p.dataset.p.split(":")[0]);
    if (hits > 60) return;
    const li = document.createElement("li"), b = document.createElement("button");
    b.type = "button"; b.className = "goto"; b.dataset.act = "goto"; b.dataset.p = p.dataset.p;
    b.textContent = p.dataset.p;
    const text = p.textContent, k = text.toLowerCase().indexOf(words);
    li.append(b, " …" + text.slice(Math.max(0, k - 60), k + words.length + 80).replace(/\\s+/g, " ") + "…");
    out.append(li);
  });
  const many = (k, w) => `${k} ${w}${k === 1 ? "" : "s"}`;
  n.textContent = words.length > 1 ? `${many(hits, "passage")} in ${many(cols.size, "source")}` : "";
}
function bxWire(root, act) {
  bxLayout(root);
  root.addEventListener("click", (ev) => {
    const a = ev.target.closest("[data-act]");
    if (!a || !root.contains(a) || a.disabled) return;
    ev.stopPropagation();
    const what = a.dataset.act;
    if (what === "goto") bxGoto(root, a.dataset.p);
    else if (what === "filter") bxFilter(root, a.dataset.st || "");
    else if (what === "tab") bxTab(root, a.dataset.s);
    else if (what === "expand") {
      const c = a.closest(".src-col");
      c.classList.add("expanded");
      c.classList.remove("nohit");
    }
    else if (what === "prev" || what === "next") {
      const i = bxStep(root, what === "next" ? 1 : -1);
      if (i !== null) act("select", i, "", a);
    } else act(what, Number(a.dataset.i), a.dataset.p || "", a);
  });
  root.addEventListener("keydown", (ev) => {
    const a = ev.target.closest && ev.target.closest('.sent[data-act="select"]');
    if (a && ev.target === a && (ev.key === "Enter" || ev.key === " ")) { ev.preventDefault(); a.click(); }
  });
  root.addEventListener("input", (ev) => {
    if (ev.target.classList.contains("q")) bxSearch(root, ev.target.value);
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

_DARK = (
    "@media (prefers-color-scheme: dark){.bx{--bx-fg:#e6edf3;--bx-muted:#9198a1;--bx-bg:#0d1117;"
    "--bx-bg2:#151b23;--bx-bg3:#262c36;--bx-line:#3d444d;--bx-accent:#4493f8;--bx-ok:#3fb950;"
    "--bx-part:#d29922;--bx-uns:#9198a1;--bx-bad:#f85149;--bx-disp:#f0883e;--bx-unc:#ab7df8}"
    "body{background:#0d1117}}"
)


def standalone_html(briefing: Briefing) -> str:
    """One self-contained HTML file: the comparison view with its warnings, inline CSS, a small inline
    script for click-to-evidence; no external URL, works offline in any browser (light or dark). A
    Content-Security-Policy allows only that script (by hash), so even markup that escaped escaping
    could not run."""
    from ..check.verifier import Verifier

    verifier = Verifier(briefing.corpus) if briefing.report is not None else None
    corpus = briefing.corpus
    templates = "".join(
        f'<template data-focus="{i}">'
        f"{focus_html(briefing, focus_for(briefing, i, verifier), corpus=corpus)}</template>"
        for i in range(len(briefing.sentences))
    )
    script = CORE_JS + _STANDALONE_JS
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    csp = f"default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-{digest}'"
    notes = "".join(f"<li>{esc(n)}</li>" for n in briefing.notes)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{esc(csp)}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Briefing · {len(briefing.sources)} sources</title><style>{CSS}{_DARK}"
        "body{margin:0 auto;max-width:1400px}</style></head>\n"
        f'<body><div class="bx"><h2>Briefing</h2><div class="muted">{esc(metadata_line(briefing))}</div>'
        f'<ul class="muted">{notes}</ul>{view_html(briefing)}</div>\n{templates}\n'
        f"<script>{script}</script></body></html>\n"
    )
