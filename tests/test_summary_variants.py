"""A hand-written summary may cite the way people and models write: `(S2:1)`, `[S1, p3]`, `[S1:3-5]`.
`brief verify` reads those as citations; a bare `[1]` (a footnote?) or `(12)` is left alone."""

from __future__ import annotations

from toolkit.cite.summary_text import parse_summary


def test_variants_with_a_passage_are_citations() -> None:
    text = (
        "Two people were found alive (S2:1). The mayor asked for help [S1, p3]. "
        "Trains stopped [S3:2-4]. The river rose (see S1:2)."
    )
    got = [(s.text, s.citations) for s in parse_summary(text)]
    assert got == [
        ("Two people were found alive.", ("S2:1",)),
        ("The mayor asked for help.", ("S1:3",)),
        ("Trains stopped.", ("S3:2", "S3:3", "S3:4")),
        ("The river rose.", ("S1:2",)),
    ]


def test_numbers_that_name_no_passage_stay_text() -> None:
    got = [(s.text, s.citations) for s in parse_summary("It rained for days [1]. About (12) homes flooded.")]
    assert got == [("It rained for days [1].", ()), ("About (12) homes flooded.", ())]
