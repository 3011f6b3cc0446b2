"""The comparison view's HTML as pure functions: structure, evidence offsets, and escaping."""

from __future__ import annotations

import base64
import hashlib
import re
from html.parser import HTMLParser

import pytest
from paths import EXAMPLES

from toolkit import Briefing, Evidence, Verifier, load_articles, summarize
from toolkit.models import CitationCheck, Corpus, Passage, Source, SummarySentence
from toolkit.report import Conflict, ConflictSide, LeftOut, Report, SourceCoverage, UniqueFact
from toolkit.view.html_view import (
    CORE_JS,
    Highlight,
    bar_html,
    conflicts_html,
    detail_html,
    esc,
    focus_for,
    focus_html,
    marked,
    passage_html,
    sentence_html,
    source_pane_html,
    standalone_html,
    summary_html,
    view_html,
    view_slots,
)
from toolkit.view.labels import STATUSES, plain_reason, shown_status, source_title

HOSTILE = (
    'Shaibani met Sudani <script>window.__pwned=1</script> on Friday, "the post" said.\n\n'
    'Iraq and Syria discussed border security <img src=x onerror="window.__pwned=2"> [S1:2] (S2:4) '
    'data-act="select" data-slot="detail" </textarea></template>.'
)


class Tags(HTMLParser):
    """Every start tag with its attributes, and the text, as a browser's tokenizer sees them."""

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def named(self, tag: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags if t == tag]

    def with_attr(self, name: str) -> list[dict[str, str | None]]:
        return [a for _, a in self.tags if name in a]


def assert_inert(markup: str) -> None:
    """No tag or event handler came from the data: only our own elements, no on* attribute."""
    tags = Tags(markup)
    assert not tags.named("img") and not tags.named("iframe") and not tags.named("link")
    assert all(not k.startswith("on") for _, attrs in tags.tags for k in attrs)


@pytest.fixture(scope="module")
def briefing() -> Briefing:
    planted = {"title": 'Forum "post" <b>bold</b> <script>x()</script>', "text": HOSTILE}
    return summarize(load_articles([EXAMPLES, planted]), words=200)


@pytest.fixture(scope="module")
def verifier(briefing: Briefing) -> Verifier:
    return Verifier(briefing.corpus)


# --- escaping -----------------------------------------------------------------------------------------
def test_esc_makes_text_and_attribute_values_safe() -> None:
    assert (
        esc("<script>\"x\" & 'y'</script>")
        == "&lt;script&gt;&quot;x&quot; &amp; &#x27;y&#x27;&lt;/script&gt;"
    )
    assert esc(3) == "3"


def test_marked_escapes_inside_and_outside_marks_and_clips_spans() -> None:
    text = "a <b> c <img onerror=x> d"
    out = marked(text, [(2, 5, "ev"), (100, 200, "ev"), (-5, 1, "ev x")])
    assert out.startswith('<mark class="ev x">a</mark> <mark class="ev">&lt;b&gt;</mark>')
    assert "&lt;img onerror=x&gt;" in out
    assert marked(text, [(2, 8, "ev"), (4, 10, "ev")]).count("<mark") == 2  # overlap: second starts later
    assert "".join(Tags(out).text) == text


def test_hostile_source_renders_as_text_everywhere(briefing: Briefing) -> None:
    src = briefing.sources[-1]
    pane = source_pane_html(src, briefing.report)
    assert_inert(pane)
    assert not Tags(pane).named("script") and not Tags(pane).named("textarea")
    text = "".join(Tags(pane).text)
    assert "<script>window.__pwned=1</script>" in text and 'onerror="window.__pwned=2"' in text
    title = Tags(pane).with_attr("title")
    assert any(a["title"] == 'Forum "post" <b>bold</b> <script>x()</script>' for a in title)  # quotes kept
    # Markers and our own attribute names inside source text create no chip, slot or action.
    slots = [a["data-slot"] for a in Tags(pane).with_attr("data-slot")]
    assert "detail" not in slots and all(s.startswith(("p:S6:", "v:S6", "cov:S6", "x:S6")) for s in slots)
    acts = [a for a in Tags(pane).with_attr("data-act") if a["data-act"] != "expand"]
    assert {a["data-p"] for a in acts} <= {p.id for p in src.passages}


def test_model_output_is_escaped_in_summary_and_edit_form() -> None:
    s = SummarySentence(
        text='He said "<script>alert(1)</script>" </textarea><img src=x onerror=alert(2)>',
        citations=("S1:1",),
        status="partial",
        reason='"quoted" <b>reason</b>',
    )
    b = Briefing(engine="x", model="x", sentences=(s,), sources=())
    for markup in (summary_html(b, 0), detail_html(b, 0, editable=True)):
        assert_inert(markup)
        assert not Tags(markup).named("script")
    form = Tags(detail_html(b, 0, editable=True))
    assert len(form.named("textarea")) == 1
    assert "</textarea><img src=x onerror=alert(2)>" in "".join(form.text)
    titles = [a.get("title") for a in Tags(summary_html(b)).with_attr("title")]
    assert 'partial: "quoted" <b>reason</b>' in titles


# --- structure ------------------------------------------------------------------------------------------
def test_summary_colours_sentences_and_shows_citation_chips(briefing: Briefing) -> None:
    markup = summary_html(briefing, selected=1)
    tags = Tags(markup)
    sents = [a for a in tags.named("li") if "sent" in (a["class"] or "").split()]
    assert len(sents) == len(briefing.sentences)
    assert [a["data-i"] for a in sents] == [str(i) for i in range(len(briefing.sentences))]
    assert all(f"st-{s.status}" in (a["class"] or "") for a, s in zip(sents, briefing.sentences, strict=True))
    assert "sel" in (sents[1]["class"] or "").split() and "sel" not in (sents[0]["class"] or "").split()
    chips = [a for a in tags.named("button") if "chip" in (a["class"] or "")]
    assert [a["data-p"] for a in chips] == [c for s in briefing.sentences for c in s.citations]
    alone = SummarySentence(text="No source.", status="uncited")
    uncited = Briefing(engine="x", model="x", sentences=(alone,), sources=())
    assert "st-uncited" in summary_html(uncited) and ">no citation<" in summary_html(uncited)
    assert [a["data-slot"] for a in sents] == [f"s:{i}" for i in range(len(briefing.sentences))]
    nums = re.findall(r'<span class="num">(\d+)</span>', markup)
    assert nums == [str(i + 1) for i in range(len(briefing.sentences))]  # numbered like "Sentence 5"


def test_passage_marks_the_evidence_span_by_offsets() -> None:
    text = "Intro. The <b>key</b> fact here. Outro."
    src = Source(
        id="S1", text="xx" + text, passages=(Passage(id="S1:1", text=text, start=2, end=2 + len(text)),)
    )
    start = src.text.index("The")
    end = src.text.index("Outro") - 1
    markup = passage_html(src.passages[0], Highlight("S1:1", "cited", "supported", (start, end)), used=True)
    m = re.search(r'<mark class="ev ev-supported">(.*?)</mark>', markup)
    assert m is not None and m.group(1) == esc(src.text[start:end])
    assert 'class="passage used cited st-supported"' in markup and 'data-slot="p:S1:1"' in markup
    assert "<mark" not in passage_html(src.passages[0])


def test_focus_shows_cited_evidence_and_every_corroborating_source(
    briefing: Briefing, verifier: Verifier
) -> None:
    i = next(k for k, s in enumerate(briefing.sentences) if len(s.citations) > 1)
    s = briefing.sentences[i]
    focus = focus_for(briefing, i, verifier)
    cited = {h.passage: h for h in focus.highlights if h.role == "cited"}
    assert set(cited) == set(s.citations)
    for c in s.checks:
        assert c.evidence is not None and cited[c.passage].evidence == (c.evidence.start, c.evidence.end)
    assert briefing.report is not None
    alignment = next(a for a in briefing.report.alignments if a.sentence == i)
    supporting = {m.source for m in alignment.matches if m.status == "supported"}
    assert supporting <= set(focus.corroborating)
    matches = [h for h in focus.highlights if h.role == "match"]
    assert all(h.evidence is not None for h in matches)  # with a verifier, other sources get spans too
    assert all(h.evidence is None for h in focus_for(briefing, i).highlights if h.role == "match")
    ids, order = [v[0] for v in focus.verdicts], [x.id for x in briefing.sources]
    assert ids == sorted(ids, key=order.index)  # in source order
    assert any(text.startswith("cited: ") for _, text, _ in focus.verdicts)


def test_focus_fragment_replaces_only_slots_that_exist_in_the_view(
    briefing: Briefing, verifier: Verifier
) -> None:
    view_slots = {a["data-slot"] for a in Tags(view_html(briefing)).with_attr("data-slot")}
    for i in range(len(briefing.sentences)):
        fragment = focus_html(briefing, focus_for(briefing, i, verifier), editable=True)
        assert_inert(fragment)
        top = re.findall(r'(?:^|</div>|</span>)<(?:div|span) class="[^"]*" data-slot="([^"]+)"', fragment)
        assert top and top[0] == "detail" and set(top) <= view_slots
        assert "<mark" in fragment


def test_source_pane_has_coverage_left_out_and_only_here() -> None:
    text = "One. Two. Three."
    ps = tuple(
        Passage(id=f"S2:{k}", text=w, start=text.index(w), end=text.index(w) + len(w))
        for k, w in enumerate(("One.", "Two.", "Three."), 1)
    )
    src = Source(id="S2", text=text, title="T", outlet="Wire", origin="S1", passages=ps)
    report = Report(
        coverage=(SourceCoverage(source="S2", origin="S1", passages=3, used=("S2:1",), share=1 / 3),),
        left_out=(
            LeftOut(passage="S2:3", source="S2", centrality=0.9),
            LeftOut(passage="S2:2", source="S2", centrality=0.4),
            LeftOut(passage="S9:1", source="S9", centrality=1.0),
        ),
        unique_facts=(
            UniqueFact(
                passage="S2:2",
                source="S2",
                origin="S1",
                in_summary=False,
                evidence=Evidence(text="Two.", start=5, end=9),
            ),
        ),
    )
    pane = source_pane_html(src, report)
    assert 'style="width:33.3%"' in pane and "1 of 3 passages used" in pane
    assert "same story as S1" in pane
    left = re.search(r'<details class="left">(.*?)</details>', pane)
    assert left is not None and "Left out: 2 passages" in left.group(1)
    assert re.findall(r'data-p="(S\d+:\d+)"', left.group(1)) == ["S2:3", "S2:2"]  # most central first
    only = re.search(r'<details class="only">(.*?)</details>', pane)
    assert only is not None and "Two." in only.group(1)
    assert 'class="passage used"' in pane


def test_conflicts_panel_shows_both_passages() -> None:
    side = lambda pid, value, text: ConflictSide(  # noqa: E731
        passage=pid,
        source=pid.split(":")[0],
        origin=pid.split(":")[0],
        value=value,
        evidence=Evidence(text=text, start=0, end=len(text)),
    )
    conflict = Conflict(
        kind="number",
        about="civilians <killed>",
        sides=(
            side("S2:16", "at least 1,383", "At least 1,383 <civilians> died."),
            side("S5:3", "2,000", 'Some "2,000" died.'),
        ),
        sentences=(2,),
        picked="S2:16",
        flagged=True,
    )
    markup = conflicts_html(Report(conflicts=(conflict,)))
    assert_inert(markup)
    assert "At least 1,383 &lt;civilians&gt; died." in markup and "Some &quot;2,000&quot; died." in markup
    assert re.findall(r'data-p="(S\d+:\d+)"', markup) == ["S2:16", "S5:3"]
    assert "states one side only" in markup and "summary sentence 3" in markup
    assert "the side the summary took" in markup
    assert "No disagreements found" in conflicts_html(Report())
    assert "No disagreements found" in conflicts_html(None)


# --- the offline file -------------------------------------------------------------------------------------
def test_standalone_file_is_self_contained_and_locked_down(briefing: Briefing) -> None:
    page = standalone_html(briefing)
    tags = Tags(page)
    scripts = tags.named("script")
    assert len(scripts) == 1 and "src" not in scripts[0]
    assert not tags.named("link") and not tags.named("img") and not tags.named("iframe")
    assert_inert(page)
    assert len(tags.named("template")) == len(briefing.sentences)
    body = re.search(r"<script>(.*)</script></body>", page, re.S)
    assert body is not None and CORE_JS in body.group(1)
    (csp,) = [a["content"] for a in tags.named("meta") if a.get("http-equiv") == "Content-Security-Policy"]
    digest = base64.b64encode(hashlib.sha256(body.group(1).encode()).digest()).decode()
    assert csp is not None and f"'sha256-{digest}'" in csp and "default-src 'none'" in csp
    own = re.sub(r"<template.*?</template>|<div class=\"bx\">.*", "", page, flags=re.S)
    assert "http://" not in own and "https://" not in own  # no external resource of ours
    assert page.count("<script>") == 1 and "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in page


# --- status at a glance -------------------------------------------------------------------------------
def _check(pid: str, status: str) -> CitationCheck:
    return CitationCheck(passage=pid, status=status, reason=f"{pid} is {status}")


def test_a_sentence_with_any_contradicting_citation_is_never_shown_supported() -> None:
    text = "Officials said 800 people died."
    src = Source(id="S1", text=text, passages=(Passage(id="S1:1", text=text, start=0, end=len(text)),))
    corpus = Corpus(sources=(src,))
    two_of_three = SummarySentence(
        text=text,
        citations=("S1:1", "S2:1", "S3:1"),
        status="supported",  # what the checker said: the best citation supports it
        checks=(_check("S1:1", "supported"), _check("S2:1", "contradicted"), _check("S3:1", "contradicted")),
    )
    assert shown_status(two_of_three) == "disputed"
    row = sentence_html(corpus, 0, two_of_three)
    assert 'class="sent st-disputed"' in row and "st-supported" not in row.split('class="chips"')[0]
    for status in ("disputed", "contradicted"):
        plain = SummarySentence(text=text, citations=("S1:1",), status=status)
        assert shown_status(plain) == status
        assert f'class="sent st-{status}"' in sentence_html(corpus, 0, plain)
    b = Briefing(engine="x", model="x", sentences=(two_of_three,), sources=(src,))
    bar = bar_html(b)
    assert "1 disputed" in bar and "supported</button>" not in bar and 'data-act="next"' in bar
    from toolkit.view.exports import to_markdown_footnotes, warnings

    assert any(w.startswith("Sentence 1 is disputed") for w in warnings(b))
    assert "every sentence" not in to_markdown_footnotes(b) and "_(disputed)_" in to_markdown_footnotes(b)
    assert "Sentence 1 is disputed" in standalone_html(b)  # the HTML export carries the warnings


def test_every_status_has_its_own_colour_and_the_green_one_is_only_supported() -> None:
    from toolkit.view.html_view import CSS

    colours = dict(re.findall(r"\.bx \.st-([a-z]+)\{--c:var\(--bx-([a-z]+)\)\}", CSS))
    for status in STATUSES:
        assert status in colours or f".st-{status}," in CSS, status
    assert [s for s, c in colours.items() if c == "ok"] == ["supported"]
    assert len({colours[s] for s in ("supported", "partial", "unsupported", "contradicted", "disputed")}) == 5
    assert "--jp-layout-color0" in CSS and "--jp-content-font-color1" in CSS  # follows the theme


def test_chip_shows_the_quote_and_the_source_on_hover_and_unknown_ids_are_marked(briefing: Briefing) -> None:
    corpus = briefing.corpus
    i, s = next((k, x) for k, x in enumerate(briefing.sentences) if x.checks)
    row = sentence_html(corpus, i, s)
    c = s.checks[0]
    tip = re.search(rf'data-p="{c.passage}".*?<span class="tip" role="tooltip">(.*?)</span></button>', row)
    assert tip is not None and c.evidence is not None
    assert esc(" ".join(c.evidence.text.split())[:80]) in tip.group(1)
    assert esc(source_title(corpus.source(c.passage.split(":")[0]))) in tip.group(1)
    ghost = SummarySentence(text="x", citations=("S9:99",), status="uncited")
    row = sentence_html(corpus, 0, ghost)
    assert "st-missing" in row and "no such passage" in row


def test_reasons_read_as_plain_words() -> None:
    assert plain_reason("S2:16 gives at least 1,383 civilians where the sentence says 800") == (
        "S2:16 says at least 1,383 civilians, the sentence says 800"
    )
    assert plain_reason("S1:2 holds 100% of the key terms (14/14); matched 'a', 'b'") == (
        "S1:2 has all 14 key words of the sentence; found: 'a', 'b'"
    )
    joint = plain_reason("supported jointly by S1:2, S3:4: them holds 90% of the key terms (9/10)")
    assert "them holds" not in joint and "together" in joint
    assert "1 other" in plain_reason("missing 'a', 'b', 'c', 'd' and 1 more")
    assert plain_reason("something new") == "Something new"


def test_untitled_sources_get_the_same_readable_title_in_view_and_exports(tmp_path: object) -> None:
    text = "Rescuers reached the village on Tuesday after the bridge collapsed in the storm overnight."
    src = Source(id="S1", text=text, path="/data/x/000_bf3dc8.txt",
                 passages=(Passage(id="S1:1", text=text, start=0, end=len(text)),))  # fmt: skip
    title = source_title(src)
    assert title.startswith("“Rescuers reached the village") and "(untitled)" in title and "000_" not in title
    b = Briefing(engine="x", model="x", sentences=(), sources=(src,))
    from toolkit.view.exports import to_markdown_footnotes

    assert esc(title) in view_html(b)
    assert "Rescuers reached the village" in to_markdown_footnotes(b)


def test_view_slots_cover_what_an_edit_can_change(briefing: Briefing) -> None:
    slots = view_slots(briefing)
    view = {a["data-slot"] for a in Tags(view_html(briefing)).with_attr("data-slot")}
    assert set(slots) <= view
    assert {f"s:{i}" for i in range(len(briefing.sentences))} <= set(slots)
    assert {"bar", "warnings", "conflicts"} <= set(slots)
