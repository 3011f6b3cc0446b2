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
    """Deliver a message exactly as the browser's `model.send(...)` does."""
    ex._handle_msg({"content": {"data": {"method": "custom", "content": content}}, "buffers": []})


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
    before = explorer.briefing
    target = next(i for i, s in enumerate(before.sentences) if "S2:1" in s.citations)
    new = explorer.edit(target, "Iraq and Syria agreed to cooperate against the Islamic State [S2:1].")
    assert new.text == "Iraq and Syria agreed to cooperate against the Islamic State."  # marker moved
    assert new.citations == ("S2:1",) and new.status in ("supported", "partial", "unsupported")
    assert new.checks and new.checks[0].reason
    assert explorer.briefing.sentences[target] == new and before.sentences[target] != new
    assert explorer.selected == target and len(view) == 1 and "agreed to cooperate" in explorer.view_html
    assert explorer.briefing.report is not None and explorer.briefing.report != before.report
    assert "edited in the explorer: 1 changes" in explorer.briefing.notes
    assert "agreed to cooperate against the Islamic State. [S2:1]" in explorer.briefing.to_markdown()
    assert Briefing.from_json(explorer.briefing.to_json()).sentences[target] == new


def test_recite_from_the_form_and_unknown_ids_are_reported(explorer: Explorer) -> None:
    text = explorer.sentences[0].text
    click(explorer, kind="update", i=0, text=text, citations="S9:99; S2:20")
    s = explorer.sentences[0]
    assert s.citations == ("S2:20",) and "S9:99" in s.note
    assert "S9:99" in explorer.message and f"is now {s.status}" in explorer.message
    explorer.recite(0, [])
    assert explorer.sentences[0].status == "uncited" and "uncited" in explorer.focus_html


def test_delete_keeps_report_and_selection_consistent(explorer: Explorer) -> None:
    n = len(explorer.sentences)
    last = explorer.sentences[-1]
    explorer.select(n - 1)
    click(explorer, kind="delete", i=n - 1)
    b = explorer.briefing
    assert len(b.sentences) == n - 1 and last not in b.sentences
    assert b.report is not None and len(b.report.alignments) == n - 1
    assert sum(b.report.statuses.values()) == n - 1
    assert explorer.selected == n - 2
    assert explorer.view_html.count('class="sent ') == n - 1


def test_bad_input_from_the_view_becomes_a_message_not_a_traceback(explorer: Explorer) -> None:
    before = explorer.briefing
    click(explorer, kind="update", i=0, text="   ", citations="")
    assert "cannot be empty" in explorer.message and explorer.briefing == before
    click(explorer, kind="delete", i=42)
    assert "no sentence 43" in explorer.message
    click(explorer, kind="select", i="x")
    click(explorer, kind="nonsense")
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
        assert kind in ("select", "update", "delete")
    assert "http://" not in esm + css and "https://" not in esm + css and "import " not in esm
    assert len(esm.splitlines()) < 150
