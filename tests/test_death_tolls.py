"""A death toll is one fact however it is worded ("killed 200 people", "210 deaths", "the death toll ...
is 150", "claimed 12 lives"): sources that give different tolls disagree, and a summary that states
one toll flatly, or two tolls in two sentences as if each were the only figure, is `disputed`."""

from __future__ import annotations

import pytest

from toolkit import load_articles, verify
from toolkit.text.claims import DEAD, facts


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("The storm killed about 200 people in the valley.", 200),
        ("The flood left exactly 210 deaths and 900 injured.", 210),
        ("The death toll, as of Friday, is estimated to be 150.", 150),
        ("The landslide claimed 12 lives.", 12),
        ("Fifty-two people were killed in the attacks.", 52),
        ("Twenty one people died in the fire.", 21),
        ("Some estimates of the death toll rise as high as 300.", 300),
    ],
)
def test_a_death_toll_is_counted_as_dead_in_any_wording(text: str, value: int) -> None:
    tolls = [q for q in facts(text).quantities if q.noun == DEAD]
    assert len(tolls) == 1, facts(text).quantities
    assert tolls[0].lo <= value <= tolls[0].hi


@pytest.mark.parametrize(
    "text",
    [
        "Police said 40 civilians were killed.",  # a named group is its own count
        "The storm made 1,500 people homeless, and some feared the worst.",
        "Five people were injured.",
        "One of them died.",
    ],
)
def test_other_counts_are_not_death_tolls(text: str) -> None:
    assert not [q for q in facts(text).quantities if q.noun == DEAD], facts(text).quantities


SOURCES = [
    {
        "title": "Quake hits Verano",
        "text": "A strong earthquake struck the island of Verano on Monday.\n\n"
        "Officials estimate the earthquake killed about 2,000 people.",
    },
    {
        "title": "Rescue ends in Verano",
        "text": "The government ended the search for survivors on Friday.\n\n"
        "The death toll, as of Friday, is estimated to be 1,100.",
    },
    {
        "title": "UN report on Verano",
        "text": "A United Nations report counted exactly 3,570 deaths and 9,000 injured.",
    },
]


def test_tolls_worded_differently_are_a_conflict() -> None:
    briefing = verify("The earthquake struck Verano on Monday. [S1:1]", load_articles(SOURCES))
    tolls = [c for c in briefing.report.conflicts if c.about == "death toll"]
    pairs = {tuple(sorted(s.value for s in c.sides)) for c in tolls}
    assert ("1,100", "about 2,000") in pairs and ("3,570", "about 2,000") in pairs, pairs


def test_a_summary_stating_one_toll_is_disputed_and_one_that_says_they_differ_is_not() -> None:
    draft = (
        "The United Nations counted exactly 3,570 deaths. [S3:1]\n"
        "The earthquake killed about 2,000 people. [S1:2]\n"
        "Estimates of the death toll differ. [S2:2, S3:1]\n"
    )
    briefing = verify(draft, load_articles(SOURCES))
    one, two, hedged = briefing.sentences
    assert one.status == "disputed" and "3,570" in one.reason, one.reason
    assert two.status == "disputed" and "2,000" in two.reason, two.reason
    assert hedged.status != "disputed", hedged.reason


def test_a_bound_is_not_read_as_taking_the_side_it_merely_fits() -> None:
    """ "as many as 2,500" fits 1,100 as a bound but does not say it: the reason names the sentence's own
    side, and one note lists every side of the death toll, not one note per pair of sources."""
    aid = {"title": "Aid arrives", "text": "As many as 2,500 people were killed, aid groups said."}
    sources = [*SOURCES, aid]
    briefing = verify("As many as 2,500 people were killed, aid groups said. [S4:1]", load_articles(sources))
    (s,) = briefing.sentences
    assert s.status == "disputed", s.reason
    assert "takes 'as many as 2,500' (S4:1)" in s.reason, s.reason
    assert "takes '1,100'" not in s.reason
    assert s.reason.count("sources disagree on the death toll") == 1, s.reason


def test_a_toll_that_another_number_is_close_to_is_still_contradicted() -> None:
    """ "310,000 injured" never establishes "300,000 died": the passage's toll contradicts it."""
    src = [
        {
            "title": "UN report",
            "text": "The quake left exactly 222,570 deaths and 310,000 injured, the UN said.",
        }
    ]
    (s,) = verify("300,000 people died in the quake, the UN said. [S1:1]", load_articles(src)).sentences
    assert s.status == "contradicted", s.reason
    assert "222,570" in s.reason


def test_a_sentence_one_cited_passage_contradicts_and_another_backs_is_disputed() -> None:
    draft = (
        "The earthquake killed about 2,000 people. [S1:2, S3:1]\n"
        "A United Nations report counted about 2,000 deaths. [S3:1]\n"
    )
    both, other = verify(draft, load_articles(SOURCES)).sentences
    assert both.status == "disputed" and "takes 'about 2,000' (S1:2)" in both.reason, both.reason
    assert other.status == "contradicted", other.reason
    assert "S1:2 (S1) says 'about 2,000'" in other.reason  # the source that gives its figure is named


@pytest.mark.parametrize(
    "first",
    [
        "A bomb in Kabul killed 12 people on Monday.\n\nA separate blast in Herat killed 30 people.",
        "The bomb in Kabul killed 12 people. A similar bombing in 2019 killed 150 people.",
    ],
)
def test_a_source_that_also_gives_the_other_figure_does_not_disagree(first: str) -> None:
    """A source giving 12 and, for another incident, 30 (or 150) agrees with a source giving 12."""
    second = {"title": "Kabul", "text": "The Kabul bombing on Monday killed 12 people, officials said."}
    articles = load_articles([{"title": "Blasts", "text": first}, second])
    (s,) = verify("A bomb in Kabul killed 12 people on Monday. [S2:1]", articles).sentences
    assert s.status == "supported", s.reason
