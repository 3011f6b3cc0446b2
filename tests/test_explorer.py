"""The Explorer widget's logic without a kernel or a browser: set values, click, observe."""

from __future__ import annotations

import re
from typing import Any

import pytest
from paths import EXAMPLES

from toolkit import Briefing, ConfigError, Verifier, load_articles, summarize
from toolkit.view.explorer import Explorer

PLANTED = {
    "title": "Reader forum",
    "text": "Reader forum: Shaibani met Sudani in Baghdad on Friday <script>window.__pwned=1</script>, "
    'the post said.\n\nIraq and Syria discussed border security <img src=x onerror="window.__pwned=2">.',
}


@pytest.fixture(scope="module")
def briefing() -> Briefing:
    return summarize(load_articles([EXAMPLES, PLANTED]), words=200)


@pytest.fixture
def explorer(briefing: Briefing) -> Explorer:
    return Explorer(briefing)


def click(ex: Explorer, **content: Any) -> None:
    """Deliver a message exactly as the browser's `model.send(...)` does (with the revision the view
    shows, unless the test gives one)."""
    content.setdefault("rev", ex.rev)
    ex._handle_msg({"content": {"data": {"method": "custom", "content": content}}, "buffers": []})


def sent(ex: Explorer) -> list[dict[str, Any]]:
    """Record the custom messages the widget sends to the browser."""
    out: list[dict[str, Any]] = []
    ex.send = lambda content, buffers=None: out.append(content)  # type: ignore[method-assign]
    return out


def changes(ex: Explorer, name: str) -> list[Any]:
    seen: list[Any] = []
    ex.observe(lambda change: seen.append(change["new"]), names=[name])
    return seen


def test_starts_with_the_whole_view_and_nothing_selected(explorer: Explorer, briefing: Briefing) -> None:
    assert explorer.selected == -1 and explorer.focus_html == ""
    assert explorer.view_html.count('class="sent ') == len(briefing.sentences)
    assert explorer.view_html.count('class="src-col"') == len(briefing.sources)
    assert "<script>" not in explorer.view_html and "&lt;script&gt;window.__pwned=1" in explorer.view_html
    assert explorer.briefing == briefing  # already checked: not re-verified
    assert "Explorer sentences=" in repr(explorer)


def test_clicking_a_sentence_shows_the_evidence_in_every_source(
    explorer: Explorer, briefing: Briefing
) -> None:
    seen = changes(explorer, "focus_html")
    click(explorer, kind="select", i=1)
    assert explorer.selected == 1 and len(seen) == 1
    s = briefing.sentences[1]
    for c in s.checks:
        assert c.evidence is not None
        passage = re.search(
            rf'<div class="passage[^"]*" data-slot="p:{c.passage}".*?</div>', explorer.focus_html
        )
        assert passage is not None and f'<mark class="ev ev-{c.status}">' in passage.group(0)
    assert explorer.focus_html.count('data-slot="v:') == len(briefing.sources)
    assert "Sentence 2" in explorer.focus_html and 'class="ed-text"' in explorer.focus_html


def test_clicking_a_chip_targets_its_passage_and_setting_selected_refocuses(explorer: Explorer) -> None:
    pid = explorer.sentences[0].citations[0]
    click(explorer, kind="select", i=0, passage=pid)
    assert explorer.selected == 0 and explorer.focus_passage == pid
    explorer.selected = 2  # what a linked control or the front end setting the trait does
    assert "Sentence 3" in explorer.focus_html
    explorer.selected = 99
    assert explorer.selected == -1 and explorer.focus_html == ""


def test_edit_is_verified_at_once_and_lands_in_the_exported_briefing(explorer: Explorer) -> None:
    view = changes(explorer, "view_html")
    patches = sent(explorer)
    before = explorer.briefing
    target = next(i for i, s in enumerate(before.sentences) if "S2:1" in s.citations)
    new = explorer.edit(target, "Iraq and Syria agreed to cooperate against the Islamic State [S2:1].")
    assert new.text == "Iraq and Syria agreed to cooperate against the Islamic State."  # marker moved
    assert new.citations == ("S2:1",) and new.status in ("supported", "partial", "unsupported")
    assert new.checks and new.checks[0].reason
    assert explorer.briefing.sentences[target] == new and before.sentences[target] != new
    assert explorer.selected == target and view == []  # the whole view is not sent again
    (patch,) = [p["html"] for p in patches if p["kind"] == "patch"]
    assert "agreed to cooperate" in patch and f'data-slot="s:{target}"' in patch
    assert 'data-slot="summary"' not in patch  # only the changed row, not the whole summary
    assert explorer.briefing.report is not None and explorer.briefing.report != before.report
    assert "edited in the view: 1 change" in explorer.briefing.notes
    assert "agreed to cooperate against the Islamic State. [S2:1]" in explorer.briefing.to_markdown()
    assert Briefing.from_json(explorer.briefing.to_json()).sentences[target] == new


def test_an_unknown_citation_is_refused_and_explained_next_to_the_form(explorer: Explorer) -> None:
    before = explorer.briefing
    text = explorer.sentences[0].text
    explorer.select(0)
    click(explorer, kind="update", i=0, text=text, citations="S9:99; S2:20")
    assert explorer.briefing == before  # nothing saved, nothing dropped silently
    assert explorer.message_kind == "error" and "“S9:99” is not a passage" in explorer.message
    assert "S2:1 to S2:" in explorer.message and "()" not in explorer.message  # no method names
    click(explorer, kind="update", i=0, text=text, citations="S2:20")
    s = explorer.sentences[0]
    assert s.citations == ("S2:20",) and f"is now {s.status}" in explorer.message
    assert explorer.message_kind == "ok"
    explorer.recite(0, [])
    assert explorer.sentences[0].status == "uncited" and "uncited" in explorer.focus_html
    form = explorer.focus_html
    placeholder = re.search(r'placeholder="([^"]*)"', form)
    assert placeholder is not None and not re.search(r"S\d+:\d+", placeholder.group(1))


def test_a_double_click_on_delete_removes_one_sentence_and_undo_brings_it_back(explorer: Explorer) -> None:
    n = len(explorer.sentences)
    last = explorer.sentences[-1]
    explorer.select(n - 1)
    rev = explorer.rev
    click(explorer, kind="delete", i=n - 1, rev=rev)
    click(explorer, kind="delete", i=n - 2, rev=rev)  # the second click of a double click
    b = explorer.briefing
    assert len(b.sentences) == n - 1 and last not in b.sentences
    assert "ignored" in explorer.message
    assert b.report is not None and len(b.report.alignments) == n - 1
    assert sum(b.report.statuses.values()) == n - 1
    assert explorer.selected == n - 2
    click(explorer, kind="undo")
    assert explorer.sentences[-1] == last and len(explorer.sentences) == n
    click(explorer, kind="redo")
    assert len(explorer.sentences) == n - 1
    explorer.undo()
    with pytest.raises(ConfigError, match="Nothing to undo"):
        for _ in range(10):
            explorer.undo()


def test_a_left_out_passage_becomes_a_cited_sentence(explorer: Explorer) -> None:
    report = explorer.briefing.report
    assert report is not None and report.left_out
    pid = report.left_out[0].passage
    assert f'data-act="add" data-p="{pid}"' in explorer.view_html
    explorer.select(0)
    click(explorer, kind="add", passage=pid)
    added = explorer.sentences[1]
    assert added.citations == (pid,) and added.status and explorer.selected == 1
    assert pid not in [x.passage for x in explorer.briefing.report.left_out]  # type: ignore[union-attr]


def test_export_from_the_view_has_the_edited_counts_and_warnings(
    explorer: Explorer, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from toolkit.view.labels import counts_line

    monkeypatch.chdir(tmp_path)
    before = counts_line(explorer.sentences)
    explorer.delete(0)
    explorer.recite(0, "S2:20")  # now (most likely) not supported
    after = counts_line(explorer.sentences)
    assert after != before
    for fmt in ("md", "html", "docx"):
        click(explorer, kind="export", format=fmt)
        assert (tmp_path / f"briefing.{fmt}").is_file() and "Saved briefing." in explorer.message
    md = (tmp_path / "briefing.md").read_text(encoding="utf-8")
    assert after in md and before not in md
    status = explorer.sentences[0].status
    if status != "supported":
        assert f"Sentence 1 is {status}" in md and "every sentence" not in md
        assert f"Sentence 1 is {status}" in (tmp_path / "briefing.html").read_text(encoding="utf-8")


def test_bad_input_from_the_view_becomes_a_message_not_a_traceback(explorer: Explorer) -> None:
    before = explorer.briefing
    click(explorer, kind="update", i=0, text="   ", citations="")
    assert "cannot be empty" in explorer.message and explorer.briefing == before
    assert "Delete sentence 1" in explorer.message and "()" not in explorer.message
    click(explorer, kind="delete", i=42)
    assert "no sentence 43" in explorer.message
    click(explorer, kind="select", i="x")
    click(explorer, kind="nonsense")
    click(explorer, kind="export", format="pdf")
    assert explorer.message_kind == "error"
    assert explorer.briefing == before
    with pytest.raises(ConfigError, match="cannot be empty"):
        explorer.edit(0, "")
    with pytest.raises(ConfigError, match="no sentence"):
        explorer.select(len(explorer.sentences))


def test_verifier_is_built_once_per_explorer(briefing: Briefing, monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[int] = []
    real = Verifier.__init__

    def counting(self: Verifier, corpus: Any) -> None:
        built.append(1)
        real(self, corpus)

    monkeypatch.setattr(Verifier, "__init__", counting)
    ex = Explorer(briefing)
    for k in range(3):
        ex.select(k)
        ex.edit(k, ex.sentences[k].text + " Officials said.")
    ex.recite(0, "S1:1")
    ex.delete(1)
    assert built == [1]


def test_unchecked_briefing_is_checked_on_open(briefing: Briefing) -> None:
    raw = summarize(load_articles(EXAMPLES), words=120, check=False)
    assert raw.report is None and all(not s.status for s in raw.sentences)
    ex = raw.explore()
    assert isinstance(ex, Explorer)
    assert ex.briefing.report is not None and all(s.status for s in ex.briefing.sentences)
    empty = Briefing(engine="x", model="x", sentences=(), sources=briefing.sources)
    assert "no sentences" in Explorer(empty).view_html


def test_front_end_is_one_small_module_with_no_external_urls() -> None:
    esm, css = Explorer._esm, Explorer._css
    assert "export default" in esm and "model.send" in esm
    for kind in re.findall(r'kind: "(\w+)"', esm):
        assert kind in ("select", "update", "export", "hello")
    assert "http://" not in esm + css and "https://" not in esm + css and "import " not in esm
    assert len(esm.splitlines()) < 300
