"""The comparison report: alignment with every source, corroboration by origin, coverage, passages left
out, facts one origin reports, and conflicts between sources (with the side a summary picked)."""

from __future__ import annotations

import pytest
from paths import EXAMPLES

from toolkit import Briefing, build_corpus, load_articles
from toolkit.check.verifier import Verifier
from toolkit.models import Article, Corpus
from toolkit.pipeline import verify
from toolkit.report import Report, report_markdown
from toolkit.text.claims import compatible, facts

MASSACRE = (
    "Baghdad condemned the massacre of at least 1,383 civilians in coastal Syria earlier this month "
    "by security forces, allied groups and jihadists."
)

# Three reports of one farmers' protest, written independently (three origins), disagreeing on the
# arrest count, the day of the minister's visit and his name; agreeing (hedged) on the tractors.
FARM_A = """Police arrested 13 people after the farmers' protest in Lyon on Friday, officials said.

The interior minister, Jean Dupont, visited the city on Saturday to meet local leaders.

At least 1,383 tractors took part in the march through the city centre.

Local bakers handed out 400 free croissants to the demonstrators."""
FARM_B = """Riot police detained 20 people after the farmers' protest in Lyon on Friday, the prefecture said.

Angry about diesel taxes, the farmers blocked the ring road with hay bales for most of the day.

Interior minister Marc Lefevre visited the city on Sunday to meet local leaders and union officials.

Union leaders vowed to return to the streets if the government did not scrap the tax."""
FARM_C = """Farm unions called the protest in Lyon a success and promised more marches before the summer.

More than 1,300 tractors took part in the march, according to the organisers.

Supermarket chains said deliveries in the region were delayed by several hours."""


@pytest.fixture(scope="module")
def seeds() -> Verifier:
    return Verifier(build_corpus(load_articles(EXAMPLES)))


@pytest.fixture(scope="module")
def farm() -> Verifier:
    articles = [Article(text=t, title=n) for n, t in (("a", FARM_A), ("b", FARM_B), ("c", FARM_C))]
    corpus = build_corpus(articles)
    assert len({s.origin for s in corpus.sources}) == 3
    return Verifier(corpus)


def report_of(verifier: Verifier, text: str) -> Report:
    report = verify(text, verifier).report
    assert report is not None
    return report


# --- alignment and corroboration ---------------------------------------------------------------------
def test_alignment_lists_every_source_and_counts_wire_copies_once(seeds: Verifier) -> None:
    report = report_of(seeds, f"{MASSACRE} [S2:16]")
    (a,) = report.alignments
    assert sorted(m.source for m in a.matches) == ["S1", "S2", "S3", "S4", "S5"]
    assert [m.score for m in a.matches] == sorted((m.score for m in a.matches), reverse=True)
    by_source = {m.source: m for m in a.matches}
    assert by_source["S2"].passage == "S2:16" and by_source["S2"].cited
    assert by_source["S3"].passage == "S3:8"  # the AFP copy, reworded
    assert by_source["S3"].origin == "S2"
    assert "S3" not in a.origins and a.corroboration == len(a.origins)
    assert by_source["S4"].status == "unsupported"


def test_corroboration_counts_independent_origins(seeds: Verifier) -> None:
    text = "Iraqi Foreign Minister Fuad Hussein spoke with his Syrian counterpart Asaad al-Shaibani. [S4:2]"
    (a,) = report_of(seeds, text).alignments
    assert "S4" in a.origins
    backing = {m.origin for m in a.matches if m.status == "supported"}
    assert set(a.origins) == backing


# --- coverage and what was left out ------------------------------------------------------------------
def test_coverage_counts_cited_passages_and_their_copies(seeds: Verifier) -> None:
    report = report_of(seeds, f"{MASSACRE} [S2:16]")
    cover = {c.source: c for c in report.coverage}
    assert "S2:16" in cover["S2"].used and "S3:8" in cover["S3"].used
    assert cover["S2"].share == round(len(cover["S2"].used) / 21, 3)
    assert cover["S4"].used == () and cover["S4"].share == 0.0


def test_left_out_passages_are_ranked_by_centrality(seeds: Verifier) -> None:
    report = report_of(seeds, f"{MASSACRE} [S2:16]")
    used = {pid for c in report.coverage for pid in c.used}
    ranks = [x.centrality for x in report.left_out]
    assert ranks == sorted(ranks, reverse=True) and 0 < ranks[0] <= 1
    listed = [x.passage for x in report.left_out] + [c for x in report.left_out for c in x.copies]
    assert not used & set(listed)
    assert len(listed) == len(set(listed))  # a passage and its wire copy are listed once
    assert set(listed) | used == {p.id for p in seeds.corpus.passages()}


def test_unique_facts_are_reported_by_one_origin_only(farm: Verifier) -> None:
    report = report_of(farm, "Police arrested 13 people after the protest in Lyon. [S1:1]")
    unique = {f.passage: f for f in report.unique_facts}
    assert "S1:4" in unique and "400 free croissants" in unique["S1:4"].evidence.text
    assert not unique["S1:4"].in_summary
    assert "S2:2" in unique  # the blocked ring road
    assert "S1:3" not in unique and "S3:2" not in unique  # the tractors are in two origins


# --- conflicts ---------------------------------------------------------------------------------------
def test_conflicts_between_sources(farm: Verifier) -> None:
    report = report_of(farm, "Farm unions called the protest a success. [S3:1]")
    kinds = {
        (c.kind, tuple(s.passage for s in c.sides), tuple(s.value for s in c.sides)) for c in report.conflicts
    }
    assert ("number", ("S1:1", "S2:1"), ("13", "20")) in kinds
    assert ("date", ("S1:2", "S2:3"), ("Saturday", "Sunday")) in kinds
    assert ("name", ("S1:2", "S2:3"), ("Jean Dupont", "Marc Lefevre")) in kinds
    assert not any("1,383" in s.value for c in report.conflicts for s in c.sides)  # compatible hedges
    assert not any(c.flagged or c.sentences for c in report.conflicts)
    for c in report.conflicts:
        for side in c.sides:
            src = farm.corpus.source(side.source)
            assert src.text[side.evidence.start : side.evidence.end] == side.evidence.text


@pytest.mark.parametrize(
    ("summary", "flagged", "picked"),
    [
        ("Police arrested 13 people after the protest in Lyon. [S1:1]", True, "S1:1"),
        ("Police detained 20 people after the protest in Lyon. [S2:1]", True, "S2:1"),
        ("Police arrested 13 people after the protest, though other reports differ. [S1:1]", False, "S1:1"),
        ("Police arrested between 13 and 20 people after the protest in Lyon. [S1:1; S2:1]", False, ""),
    ],
)
def test_a_summary_that_picks_one_side_is_flagged(
    farm: Verifier, summary: str, flagged: bool, picked: str
) -> None:
    (conflict,) = [c for c in report_of(farm, summary).conflicts if c.kind == "number"]
    assert (conflict.flagged, conflict.picked, conflict.sentences) == (flagged, picked, (0,))
    assert conflict.note


def test_seed_casualty_figures_are_not_a_conflict(seeds: Verifier) -> None:
    (at_least,) = facts("at least 1,383 civilians").quantities
    (over,) = facts("over 1,300 civilians were killed").quantities
    assert compatible(at_least, over)
    report = report_of(seeds, f"{MASSACRE} [S2:16]")
    values = [{s.value for s in c.sides} for c in report.conflicts]
    assert not any(any("1,383" in v for v in vs) for vs in values)
    for c in report.conflicts:
        if c.kind == "number":
            a, b = (next(q for q in facts(s.evidence.text).quantities if q.text == s.value) for s in c.sides)
            assert not compatible(a, b)


# --- the report as a value ---------------------------------------------------------------------------
def test_report_round_trips_and_renders(seeds: Verifier, farm: Verifier) -> None:
    checked = verify(f"{MASSACRE} [S2:16] An uncited sentence about Iraq.", seeds)
    assert checked.report is not None
    assert checked.report.statuses == {"supported": 1, "uncited": 1}
    assert Briefing.from_json(checked.to_json()).report == checked.report
    text = report_markdown(report_of(farm, "Police arrested 13 people after the protest in Lyon. [S1:1]"))
    assert "Conflicts between sources" in text and "states one side only" in text
    assert "Coverage per source" in text


def test_corpus_level_parts_are_computed_once(seeds: Verifier, monkeypatch: pytest.MonkeyPatch) -> None:
    report_of(seeds, f"{MASSACRE} [S2:16]")
    import toolkit.check.compare as compare

    def boom(*args: object) -> object:
        raise AssertionError("recomputed")

    monkeypatch.setattr(compare, "_conflicts", boom)
    monkeypatch.setattr(compare, "_unique", boom)
    monkeypatch.setattr(compare, "_lexrank", boom)
    assert report_of(seeds, "Iraqi forces arrested at least 13 Syrians. [S2:20]").statuses == {"supported": 1}


def test_single_source_corpus_has_no_unique_facts_or_conflicts() -> None:
    corpus: Corpus = build_corpus([Article(text=FARM_A)])
    report = report_of(Verifier(corpus), "Police arrested 13 people after the protest in Lyon. [S1:1]")
    assert report.unique_facts == () and report.conflicts == ()
    assert report.coverage[0].share == 0.25
    assert report.alignments[0].origins == ("S1",)


def test_a_copys_added_paragraph_is_its_own_sources_and_its_copied_ones_the_storys() -> None:
    """A wire copy shares the story's origin for the paragraphs it copied; a paragraph it added (an
    update, a note) is only its own source's: a unique fact of that source, never the story's
    corroboration, and the copied paragraphs still count once for the story."""
    from toolkit import summarize

    story = (
        "A magnitude 6.8 earthquake struck the coastal city of Varna on Saturday morning, officials said.\n\n"
        "Officials said 52 people were killed and hundreds were injured in the collapse of two hotels.\n\n"
        "The port authority closed the harbour until further notice."
    )
    added = "In a later update, the mayor said the death toll had risen to 80 people."
    corpus = build_corpus(
        [
            Article(text=story, path="a.txt", title="Quake hits Varna", outlet="Wire"),
            Article(text=f"{story}\n\n{added}", path="b.txt", title="Quake hits Varna", outlet="Daily"),
            Article(text="Rescue teams from three countries arrived in Varna on Sunday.", path="c.txt"),
        ]
    )
    assert [s.origin for s in corpus.sources] == ["S1", "S1", "S3"]
    origins = {p.id: p.origin for p in Verifier(corpus).passages}
    assert origins["S2:1"] == origins["S2:3"] == "S1" and origins["S2:4"] == "S2"
    briefing = summarize(corpus, engine="extractive", words=80)
    assert briefing.report is not None
    assert ("S2:4", "S2") in {(u.passage, u.origin) for u in briefing.report.unique_facts}
    for sentence, a in zip(briefing.sentences, briefing.report.alignments, strict=True):
        if "magnitude 6.8" in sentence.text:  # stated by S1 and its copy S2: one story
            assert a.origins == ("S1",) and a.corroboration == 1
