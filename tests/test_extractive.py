"""The offline extractive engine on the five seed articles and on small hand-made corpora."""

from __future__ import annotations

import itertools

import pytest
from paths import EXAMPLES

from toolkit.engines.base import Draft, Engine
from toolkit.engines.extractive import ExtractiveEngine, word_count
from toolkit.ingest.loading import load_articles
from toolkit.ingest.passages import build_corpus
from toolkit.models import Article, Corpus, Usage
from toolkit.text.similarity import content_terms, tfidf_matrix


def _norm(text: str) -> str:
    return " ".join(text.split())


def _seed_articles() -> list[Article]:
    paths = sorted(EXAMPLES.glob("*.txt"))
    assert len(paths) == 5
    return list(load_articles([str(p) for p in paths]))


@pytest.fixture(scope="module")
def seeds() -> Corpus:
    return build_corpus(_seed_articles())


@pytest.fixture(scope="module")
def drafts(seeds: Corpus) -> dict[int, Draft]:
    return {w: ExtractiveEngine().summarize(seeds, words=w) for w in (50, 120, 250)}


def test_is_an_engine_without_calls(drafts: dict[int, Draft]) -> None:
    engine = ExtractiveEngine()
    assert isinstance(engine, Engine)
    assert engine.name == "extractive"
    for draft in drafts.values():
        assert draft.usage == Usage()
        assert draft.model == "extractive"
        assert draft.notes and draft.notes[0].startswith("extractive: ")


@pytest.mark.parametrize("budget", [50, 120, 250])
def test_word_budget_is_never_exceeded_and_mostly_used(drafts: dict[int, Draft], budget: int) -> None:
    draft = drafts[budget]
    assert draft.sentences
    total = sum(word_count(s.text) for s in draft.sentences)
    assert total <= budget
    assert sum(len(s.text.split()) for s in draft.sentences) <= budget
    assert total >= 0.6 * budget  # the budget is filled, not left mostly empty
    assert f"{total} words" in draft.notes[0]


def test_longer_budget_says_more(drafts: dict[int, Draft]) -> None:
    counts = [len(drafts[w].sentences) for w in (50, 120, 250)]
    assert counts == sorted(counts) and counts[0] < counts[2]


@pytest.mark.parametrize("budget", [50, 120, 250])
def test_citations_exist_and_the_sentence_is_quoted_from_one_of_them(
    seeds: Corpus, drafts: dict[int, Draft], budget: int
) -> None:
    for s in drafts[budget].sentences:
        assert s.citations, s.text
        assert all(seeds.has_passage(c) for c in s.citations)
        assert len(set(s.citations)) == len(s.citations)
        assert any(s.text in _norm(seeds.passage(c).text) for c in s.citations), s.text
        assert s.text == _norm(s.text)


@pytest.mark.parametrize("budget", [120, 250])
def test_citations_are_sorted_and_share_content(seeds: Corpus, drafts: dict[int, Draft], budget: int) -> None:
    for s in drafts[budget].sentences:
        keys = [(int(c.split(":")[0][1:]), int(c.split(":")[1])) for c in s.citations]
        assert keys == sorted(keys)
        terms = set(content_terms(s.text))
        for c in s.citations:
            shared = terms & set(content_terms(seeds.passage(c).text))
            assert len(shared) >= 3, (s.text, c, shared)


def test_whole_duplicate_group_of_the_home_passage_is_cited(seeds: Corpus, drafts: dict[int, Draft]) -> None:
    for s in drafts[250].sentences:
        home = next(c for c in s.citations if s.text in _norm(seeds.passage(c).text))
        assert set(seeds.group_of(home)) <= set(s.citations)


def test_wire_copies_cite_each_other(seeds: Corpus, drafts: dict[int, Draft]) -> None:
    copies = [
        (a.id, b.id) for a, b in itertools.combinations(seeds.sources, 2) if a.origin and a.origin == b.origin
    ]
    assert copies, "the two AFP seeds should share an origin"
    cross = 0
    for s in drafts[250].sentences:
        cited_sources = {c.split(":")[0] for c in s.citations}
        for a, b in copies:
            if {a, b} <= cited_sources:
                cross += 1
    assert cross >= 1


def test_no_two_selected_sentences_are_near_duplicates(drafts: dict[int, Draft]) -> None:
    for draft in drafts.values():
        texts = [s.text for s in draft.sentences]
        assert len(set(texts)) == len(texts)
        m = tfidf_matrix([content_terms(t) for t in texts])
        sim = (m @ m.T).toarray()
        for i, j in itertools.combinations(range(len(texts)), 2):
            assert sim[i, j] < 0.5, (texts[i], texts[j])


def test_deterministic(seeds: Corpus, drafts: dict[int, Draft]) -> None:
    assert ExtractiveEngine().summarize(seeds, words=250) == drafts[250]
    again = ExtractiveEngine().summarize(build_corpus(_seed_articles()), words=250)
    assert again == drafts[250]


def test_empty_corpus_gives_empty_draft() -> None:
    draft = ExtractiveEngine().summarize(Corpus(sources=()), words=250)
    assert draft.sentences == ()
    assert draft.usage == Usage()
    assert "no usable sentences" in draft.notes[0]


def test_corpus_without_usable_sentences_gives_empty_draft() -> None:
    corpus = build_corpus(
        [Article(text="Breaking News Today\n\nToo short here.\n\nAnother tiny one."), Article(text="Ok.")]
    )
    draft = ExtractiveEngine().summarize(corpus, words=250)
    assert draft.sentences == ()
    assert "no usable sentences" in draft.notes[0]


def test_zero_budget_and_tiny_budget(seeds: Corpus) -> None:
    assert ExtractiveEngine().summarize(seeds, words=0).sentences == ()
    assert ExtractiveEngine().summarize(seeds, words=3).sentences == ()


LEAD = (
    "The regional council approved a new flood defence plan for the river valley on Tuesday "
    "after months of debate."
)
OTHER = [
    "Engineers said the embankments along the lower valley would be raised by two metres over five years.",
    "Farmers in the valley had asked for compensation for land that the new embankments will take.",
    "The plan will cost about 40 million euros, paid by the national government and the region.",
    "Opposition councillors criticised the timetable and said the upper valley had been ignored.",
]


def _article(k: int, lead: str, body: list[str]) -> Article:
    return Article(text=f"Flood Plan Approved\n\n{lead}\n\n" + "\n\n".join(body), path=f"a{k}.txt")


LEAD_COPIES = [
    LEAD,
    LEAD.replace("on Tuesday", "on Tuesday evening"),
    LEAD.replace("approved", "has approved").replace("months of", "many months of"),
]


def test_a_lead_copied_by_three_sources_is_chosen_once_and_cites_all_copies() -> None:
    corpus = build_corpus([_article(k, LEAD_COPIES[k], [OTHER[k]]) for k in range(3)])
    draft = ExtractiveEngine().summarize(corpus, words=80)
    texts = [s.text for s in draft.sentences]
    leads = [s for s in draft.sentences if s.text in LEAD_COPIES]
    assert len(leads) == 1, texts
    assert {c.split(":")[0] for c in leads[0].citations} == {"S1", "S2", "S3"}
    assert len(draft.sentences) >= 2  # the budget went to other content instead
    assert "Flood Plan Approved" not in texts  # a headline is not a sentence
    # Unrelated sentences only cite their own passage.
    for s in draft.sentences:
        if s not in leads:
            assert len(s.citations) == 1


def test_reading_order_follows_article_position() -> None:
    corpus = build_corpus([_article(0, LEAD, OTHER)])
    draft = ExtractiveEngine().summarize(corpus, words=200)
    positions = [corpus.source("S1").text.index(s.text) for s in draft.sentences]
    assert positions == sorted(positions)
    assert draft.sentences[0].text == LEAD


def test_dateline_is_dropped_from_the_quoted_sentence() -> None:
    lead = "BAGHDAD, March 14 (AFP) - " + LEAD
    corpus = build_corpus([_article(0, lead, OTHER[:1])])
    draft = ExtractiveEngine().summarize(corpus, words=60)
    assert draft.sentences[0].text == LEAD
    (home,) = draft.sentences[0].citations
    assert corpus.passage(home).text.startswith("BAGHDAD, March 14 (AFP)")


def test_fifty_articles_give_one_budgeted_summary() -> None:
    base = _seed_articles()
    articles = [
        Article(text=f"Report {k}.\n\n" + base[k % 5].text.replace("Friday", f"day {k}"), path=f"{k}.txt")
        for k in range(50)
    ]
    corpus = build_corpus(articles)
    draft = ExtractiveEngine().summarize(corpus, words=250)
    assert draft.sentences
    assert sum(len(s.text.split()) for s in draft.sentences) <= 250
    assert all(corpus.has_passage(c) for s in draft.sentences for c in s.citations)
