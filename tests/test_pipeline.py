"""The foundation end to end on the bundled example: corpus, near-duplicates, summary, JSON contract."""

import json
import re

import pytest
from paths import EXAMPLES

import toolkit
from toolkit import Briefing, build_corpus, load_articles, summarize
from toolkit.cite.markers import MARKER, parse_marker_ids
from toolkit.engines.base import Draft
from toolkit.ingest.cleaning import BOILERPLATE_MARKERS
from toolkit.models import Corpus, SummarySentence


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return build_corpus(load_articles(EXAMPLES))


@pytest.fixture(scope="module")
def briefing() -> Briefing:
    return summarize(EXAMPLES)


def test_public_api_is_pinned() -> None:
    assert set(toolkit.__all__) >= {
        "load_articles",
        "summarize",
        "Briefing",
        "build_corpus",
        "chunk_passages",
        "ExtractiveEngine",
        "Engine",
        "ToolkitError",
        "SourceError",
        "get_tokenizer",
    }
    for name in toolkit.__all__:
        assert hasattr(toolkit, name), name


def test_sources_are_numbered_in_order_with_stable_passage_ids(corpus: Corpus) -> None:
    assert [s.id for s in corpus.sources] == ["S1", "S2", "S3", "S4", "S5"]
    assert corpus.sources[1].path.endswith("001_b0b602ef66fa1e64.txt")
    for source in corpus.sources:
        assert [p.id for p in source.passages] == [
            f"{source.id}:{k}" for k in range(1, len(source.passages) + 1)
        ]
        for p in source.passages:
            assert source.text[p.start : p.end] == p.text
            assert p.tokens > 0
            for s in p.sentences:
                assert source.text[s.start : s.end] == s.text
                assert p.start <= s.start < s.end <= p.end
    again = build_corpus(load_articles(EXAMPLES))
    assert [p.id for p in again.passages()] == [p.id for p in corpus.passages()]
    assert [p.text for p in again.passages()] == [p.text for p in corpus.passages()]


def test_no_boilerplate_survives_and_nothing_is_lost(corpus: Corpus) -> None:
    for p in corpus.passages():
        for marker in BOILERPLATE_MARKERS:
            assert marker.lower() not in p.text.lower(), (p.id, marker)
    for source in corpus.sources:
        covered = [False] * len(source.text)
        for a, b in [(p.start, p.end) for p in source.passages] + [(d.start, d.end) for d in source.dropped]:
            for i in range(a, b):
                assert not covered[i]
                covered[i] = True
        lost = "".join(c for i, c in enumerate(source.text) if not covered[i] and not c.isspace())
        assert lost == "", source.id
        assert all(d.reason for d in source.dropped)


def test_repeated_paragraphs_in_seed_003_appear_once(corpus: Corpus) -> None:
    s4 = corpus.source("S4")
    texts = [p.text for p in s4.passages]
    assert len(texts) == len(set(texts))
    assert sum("Hamid al-Shatri to Damascus" in t for t in texts) == 1
    assert any(d.reason == "duplicate" for d in s4.dropped)


def test_afp_copies_are_grouped(corpus: Corpus) -> None:
    s2, s3 = corpus.source("S2"), corpus.source("S3")
    assert s3.origin == s2.origin == "S2"
    assert corpus.source("S5").origin == "S5"
    pairs = {tuple(sorted(p.split(":")[0] for p in g.passages)) for g in corpus.groups}
    assert ("S2", "S3") in pairs
    massacre2 = next(p for p in s2.passages if "1,383" in p.text)
    massacre3 = next(p for p in s3.passages if "1,383" in p.text)
    assert massacre2.group is not None
    assert massacre2.group == massacre3.group
    # Unrelated passages are not grouped: the Turkish analysis (S5) shares no group with the AFP story.
    for g in corpus.groups:
        ids = set(g.passages)
        assert len({pid.split(":")[0] for pid in ids}) == len(ids), "a group holds two passages of one source"


def test_every_summary_sentence_cites_existing_passages(briefing: Briefing) -> None:
    assert briefing.engine == "extractive"
    assert len(briefing.sentences) >= 3
    assert sum(len(s.text.split()) for s in briefing.sentences) <= 250
    corpus = briefing.corpus
    for s in briefing.sentences:
        assert s.citations, s.text
        for c in s.citations:
            assert corpus.has_passage(c)
        home = corpus.passage(s.citations[0])
        assert any(
            " ".join(s.text.split()) in " ".join(corpus.passage(c).text.split()) for c in s.citations
        ), home.id
    assert briefing.unresolved_citations() == []
    assert briefing.usage.calls == 0


def test_markdown_has_inline_markers_and_a_source_list(briefing: Briefing) -> None:
    md = briefing.to_markdown()
    assert md.startswith("# Briefing")
    body = md.split("## Sources")[0]
    markers = MARKER.findall(body)
    assert len(markers) == len(briefing.sentences)
    assert set(parse_marker_ids(body)) == {c for s in briefing.sentences for c in s.citations}
    assert "## Sources" in md
    for s in briefing.sources:
        assert f"**{s.id}**" in md


def test_json_contract(briefing: Briefing) -> None:
    data = json.loads(briefing.to_json())
    assert {"engine", "model", "sources", "sentences", "usage"} <= set(data)
    assert set(data["usage"]) >= {"calls", "prompt_tokens", "completion_tokens", "cached_calls"}
    src = data["sources"][0]
    assert {"id", "title", "path", "passages", "dropped"} <= set(src)
    assert {"id", "text", "start", "end"} <= set(src["passages"][0])
    assert {"text", "reason"} <= set(src["dropped"][0])
    assert {"text", "citations"} <= set(data["sentences"][0])
    assert all(isinstance(c, str) for s in data["sentences"] for c in s["citations"])
    assert Briefing.from_json(briefing.to_json()) == briefing


class InventingEngine:
    """A scripted engine that cites a passage that does not exist."""

    name = "scripted"

    def summarize(self, corpus: Corpus, *, words: int) -> Draft:
        return Draft(
            sentences=(
                SummarySentence(text="Real claim.", citations=("S1:1", "S9:99")),
                SummarySentence(text="Invented claim.", citations=("S7:1",)),
            ),
            model="scripted",
        )


def test_citations_to_missing_passages_are_never_shown_as_valid() -> None:
    b = summarize(EXAMPLES, engine=InventingEngine())
    first, second = b.sentences
    assert first.citations == ("S1:1",)
    assert "S9:99" in first.note
    assert second.citations == ()
    assert second.note.startswith("uncited")
    assert b.unresolved_citations() == []
    assert "[uncited]" in b.to_markdown()


def test_source_text_is_escaped_in_markdown() -> None:
    b = summarize(
        [
            {
                "text": "Officials said <script>alert(1)</script> the border reopened on Monday "
                "after talks ended. " * 3,
                "title": "<img src=x onerror=alert(1)>",
            }
        ],
        words=60,
    )
    md = b.to_markdown()
    assert re.search(r"(?<!\\)<(script|img)", md) is None
    assert "\\<img" in md
