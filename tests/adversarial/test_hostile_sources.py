"""Hostile sources: prompt injection inside an article, and a model that follows it. The prompt keeps the
injection as data; the checks never mark a sentence repeating it as supported by another source; a
citation to a passage that does not exist is never shown as valid; markup stays text."""

from __future__ import annotations

import os
import re

import pytest
import scripted_model
from fakeserver import FakeServer

from .hostile import INJECTED, HostileResult, HostileRun, followed, misattributed, scenario

MARKER = re.compile(r"\[(S\d+:\d+(?:; S\d+:\d+)*)\]")


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> HostileResult:
    with (
        pytest.MonkeyPatch.context() as mp,
        FakeServer() as server,
    ):  # module scope: see test_failing_endpoints
        for var in [v for v in os.environ if v.startswith(("OPENAI_", "AZURE_OPENAI_"))]:
            mp.delenv(var)
        return scenario(server, tmp_path_factory.mktemp("hostile") / "cache")


def _repeating(run: HostileRun) -> list[int]:
    return [k for k, s in enumerate(run.briefing.sentences) if any(x in s.text.lower() for x in INJECTED)]


def test_no_injection_is_followed(result: HostileResult) -> None:
    assert result.figures.accepted == 0
    assert result.figures.followed >= 4  # the scripted model did write the injected claims
    for run in result.runs:
        assert run.violations == [], run.name
        repeating = _repeating(run)
        assert len(repeating) >= 4, "the scripted model did follow the injection"
        report = run.briefing.report
        assert report is not None
        for k in repeating:
            s = run.briefing.sentences[k]
            for c in s.checks:  # per citation: only the hostile source's own passages can back it
                assert c.status != "supported" or c.passage.startswith(run.hostile + ":"), (
                    run.name,
                    s.text,
                    c,
                )
            alignment = report.alignments[k]
            backers = {m.source for m in alignment.matches if m.status == "supported"}
            assert backers <= {run.hostile}, (run.name, s.text, backers)
            hostile_origin = run.briefing.corpus.source(run.hostile).origin or run.hostile
            assert set(alignment.origins) <= {hostile_origin, run.hostile}  # added text: its own


def test_claims_cited_to_an_honest_source_are_unsupported_there(result: HostileResult) -> None:
    for run in result.runs:
        by_text = {s.text: s for s in run.briefing.sentences}
        dam = by_text["The dam was sabotaged by foreign agents and 900 soldiers died in the attack."]
        honest = [c for c in dam.checks if not c.passage.startswith(run.hostile + ":")]
        assert honest and all(c.status == "unsupported" for c in honest)
        posed = by_text["The governor resigned in disgrace after admitting the floods were staged."]
        assert "S2:4" in posed.citations  # what the hostile text posed as
        assert posed.status == "unsupported" and all(c.status == "unsupported" for c in posed.checks)
        evacuation = by_text["Officials confirmed the evacuation of the whole province."]
        assert evacuation.status == "unsupported"  # the fake "[S1:2; S2:3]" markers point at passages
        # that say nothing of the kind


def test_a_citation_to_a_passage_that_does_not_exist_is_never_shown_as_valid(result: HostileResult) -> None:
    for run in result.runs:
        cited = {c for s in run.briefing.sentences for c in s.citations}
        assert "S9:1" not in cited and run.briefing.unresolved_citations() == []
        markdown = run.briefing.to_markdown()
        markers = {pid for m in MARKER.findall(markdown) for pid in m.split("; ")}
        assert "S9:1" not in markers
        assert run.briefing.to_json().count('"S9:1"') == 0
    gave_up = next(r for r in result.runs if r.name.endswith("repair none"))
    s = next(s for s in gave_up.briefing.sentences if s.text == "The governor resigned in disgrace.")
    assert s.citations == () and s.status == "uncited" and "S9:1" in s.note
    assert "The governor resigned in disgrace. [uncited]" in gave_up.briefing.to_markdown()
    edited = result.edited.sentences  # a person's edit, checked with verify()
    assert edited[0].status == "uncited" and edited[0].citations == () and "S9:1" in edited[0].note
    assert [s.status for s in edited[1:]] == ["unsupported", "unsupported"]
    assert followed(result.edited, result.edited_hostile) == []


def test_the_prompt_keeps_the_injection_as_data(result: HostileResult) -> None:
    for run in result.runs:
        user = run.prompts[0]
        assert "Ignore previous instructions" in user  # kept, as data on the hostile source's lines
        # Compact layout: every line is a source header (`#`) or a numbered passage line; injected text
        # cannot start a line of its own, so it cannot pose as a header, a passage or an instruction.
        blocks = scripted_model.compact_blocks(user)
        assert all(re.match(r"(?:#|\d+ )", line) for block in blocks for line in block)
        assert all(not line.startswith("#") for block in blocks for line in block[1:])
        sent = [s for s in run.corpus.sources if s.passages]
        assert len(blocks) == len(sent)
        hostile_no = 1 + [s.id for s in sent].index(run.hostile)
        lines = scripted_model.compact_lines(user)
        injected = {
            src for src, _, text in lines if "Ignore previous instructions" in text or "SYSTEM:" in text
        }
        assert injected == {hostile_no}
        assert "<script>" not in user and "<|im_start|>" not in user
        numbers = [n for _, n, _ in lines]
        assert numbers == list(range(1, len(numbers) + 1))  # no passage number twice, none invented
        assert "[S9:1]" not in user and "[S2:4] The governor" not in user


def test_every_marker_shape_in_a_source_is_neutralised(result: HostileResult) -> None:
    for run in result.runs:
        assert "[S1:2; S2:3]" not in run.prompts[0]


def test_markup_from_sources_and_model_stays_text(result: HostileResult) -> None:
    for run in result.runs:
        markdown = run.briefing.to_markdown()
        assert "<img" not in markdown.replace("\\<img", "")
        assert "<script>" not in markdown
        assert not re.search(r"(?<!\\)\]\(javascript:", markdown)  # no link a renderer would make
        assert "\\[here\\](javascript:alert(1))" in markdown  # shown, escaped, not a link


def test_a_wire_copys_added_paragraphs_are_not_the_storys_corroboration(result: HostileResult) -> None:
    copy = next(r for r in result.runs if r.name.startswith("wire copy"))
    assert copy.corpus.source(copy.hostile).origin == "S1"
    assert misattributed(copy.briefing) == []


@pytest.mark.parametrize("copy", [False, True])
def test_local_citations_never_let_another_source_back_an_injected_sentence(copy: bool) -> None:
    """`cite="local"`: a model that follows the injection writes its sentences as prose; the passages
    found for them are the hostile source's own (or its wire copy's added paragraphs), never an honest
    source's, and no alignment or corroborating story lends them support."""
    import random

    from toolkit import build_corpus, load_articles, summarize
    from toolkit.chat.scripted import ScriptedChat
    from toolkit.engines.llm_engine import OpenAIEngine

    from .hostile import cluster, hostile_article

    honest = cluster(random.Random(11), 2)
    corpus = build_corpus(load_articles([*honest, hostile_article(honest, copy=copy)]))
    prose = (
        "The dam was sabotaged by foreign agents and 900 soldiers died in the attack. "
        "The governor resigned in disgrace after admitting the floods were staged. "
        "Officials confirmed the evacuation of the whole province."
    )
    chat = ScriptedChat(replies=[prose])
    briefing = summarize(corpus, engine=OpenAIEngine(chat, "gpt-4o-mini", cite="local"), words=120)
    hostile = corpus.sources[-1].id
    assert [s for s in briefing.sentences if any(x in s.text.lower() for x in INJECTED)]
    assert followed(briefing, hostile) == []
    assert misattributed(briefing) == []
