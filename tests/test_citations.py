import pytest
from hypothesis import given
from hypothesis import strategies as st

from toolkit.cite.markers import (
    extract_citations,
    format_marker,
    normalise_markers,
    parse_marker_ids,
    split_markers,
)

# -- the existing helpers keep working ------------------------------------------------------------


def test_format_marker_sorts_and_dedupes() -> None:
    assert format_marker(["S2:5", "S1:3", "S1:10", "S1:3"]) == "[S1:3; S1:10; S2:5]"
    assert format_marker([]) == ""


def test_parse_and_split_canonical_markers() -> None:
    text = "Iraq said so. [S1:2; S3:1] Then it ended [S1:2, S4:4]."
    assert parse_marker_ids(text) == ["S1:2", "S3:1", "S4:4"]
    assert split_markers("Iraq said so [S1:2; S3:1].") == ("Iraq said so.", ["S1:2", "S3:1"])


# -- every variant models write ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("[S1:3]", "[S1:3]"),
        ("[S1:3, S2:5]", "[S1:3; S2:5]"),
        ("[S1:3; S2:5]", "[S1:3; S2:5]"),
        ("[S1:3,S2:5]", "[S1:3; S2:5]"),
        ("[ S1:3 ]", "[S1:3]"),
        ("(S1:3)", "[S1:3]"),
        ("(S1:3; S2:5)", "[S1:3; S2:5]"),
        ("[S1, p3]", "[S1:3]"),
        ("[S1 p.3]", "[S1:3]"),
        ("[S1:p3]", "[S1:3]"),
        ("[S1, passage 3]", "[S1:3]"),
        ("[Source 1, passage 3]", "[S1:3]"),
        ("[source 1 paragraph 3]", "[S1:3]"),
        ("[S1:3-5]", "[S1:3; S1:4; S1:5]"),
        ("[S1:3–5]", "[S1:3; S1:4; S1:5]"),
        ("[S1:3–S1:5]", "[S1:3; S1:4; S1:5]"),
        ("[S1:3 - S1:5, S2:1]", "[S1:3; S1:4; S1:5; S2:1]"),
        ("[S1, pp. 3-5]", "[S1:3; S1:4; S1:5]"),
        ("[S1:3–S2:2]", "[S1:3; S2:2]"),  # across sources: only the two ends
        ("[S1:1-500]", "[S1:1; S1:500]"),  # absurd range: only the two ends
        ("[S1:3][S2:5]", "[S1:3; S2:5]"),
        ("[S1:3] [S2:5]", "[S1:3; S2:5]"),
        ("[S1:3], [S2:5][S3:1]", "[S1:3; S2:5; S3:1]"),
        ("(S1:3)(S2:5)", "[S1:3; S2:5]"),
        ("【S1:3】", "[S1:3]"),
        ("【S1:3†source】", "[S1:3]"),
        ("[s1:3]", "[S1:3]"),
        ("[s1:3; s2:5]", "[S1:3; S2:5]"),
        ("[S1.3]", "[S1:3]"),
        ("[^S1:3]", "[S1:3]"),
        ("[S01:03]", "[S1:3]"),
        ("[S1:3; S1:3]", "[S1:3]"),
        ("[S1:3, 4]", "[S1:3; S1:4]"),  # more passages of the same source
        ("(see S1:3)", "[S1:3]"),
        ("(see S1:3 and S2:5)", "[S1:3; S2:5]"),
        ("(cf. S1:3)", "[S1:3]"),
        ("(according to S2:5)", "[S2:5]"),
        ("(see [S1:3])", "[S1:3]"),
        ("(see [s1:3])", "[S1:3]"),
        ("(see [S1, p3] and [2])", "[S1:3; S2:?]"),
        ("[1]", "[S1:?]"),
        ("[^2]", "[S2:?]"),
        ("[S1]", "[S1:?]"),
        ("[s2]", "[S2:?]"),
        ("[1, 2]", "[S1:?; S2:?]"),
        ("[1-3]", "[S1:?; S2:?; S3:?]"),
        ("[S1, 2]", "[S1:?; S2:?]"),
        ("(Source 2)", "[S2:?]"),
        ("(Sources 1 and 2)", "[S1:?; S2:?]"),
        ("(S2)", "[S2:?]"),
        ("[S1:?]", "[S1:?]"),
        ("[S1][S2:4]", "[S1:?; S2:4]"),
    ],
)
def test_variant_becomes_canonical(written: str, canonical: str) -> None:
    assert normalise_markers(written) == canonical
    assert normalise_markers(written, source_count=5) == canonical
    assert normalise_markers(f"Iraq said so {written}.") == f"Iraq said so {canonical}."


def test_mixed_parenthetical_keeps_its_words_and_moves_the_ids_out() -> None:
    assert normalise_markers("It fell (as Reuters reported, S1:3) on Friday.") == (
        "It fell (as Reuters reported) [S1:3] on Friday."
    )
    assert (
        normalise_markers("It fell (S1:3, though S2 disagrees).") == "It fell (though S2 disagrees) [S1:3]."
    )


@pytest.mark.parametrize(
    "text",
    [
        "It happened in [2025].",
        "Prices rose [12] percent.",
        "In (2025) the law changed.",
        "He had (1) a car and (2) a boat.",
        "COVID-19 cases rose 3.5% in 2024.",
        "The report (AFP) said so.",
        "Cases of (COVID-19) rose.",
        "The S&P 500 (S&P 500) fell.",
        "He wrote [sic] and left.",
        "The ratio was [1:3] and [1.5].",
        "See [the report](https://example.com/s1:3) for details.",
        "A group (Model S3, sold out) was named.",
        "Nothing cited [Source] here (see above).",
        "Unbalanced (S1:3] brackets [S1:3).",
    ],
)
def test_text_that_is_not_a_citation_is_untouched(text: str) -> None:
    assert normalise_markers(text, source_count=3) == text


def test_bare_numbers_are_sources_only_up_to_the_source_count() -> None:
    assert normalise_markers("It rose [2].", source_count=3) == "It rose [S2:?]."
    assert normalise_markers("It rose [4].", source_count=3) == "It rose [4]."
    assert normalise_markers("It rose [2, 4].", source_count=3) == "It rose [2, 4]."
    assert normalise_markers("It rose [12].") == "It rose [S12:?]."
    assert normalise_markers("In [2025] it rose.") == "In [2025] it rose."
    # An explicit S names a source even beyond the count: the parser reports it as missing.
    assert normalise_markers("It rose [S9].", source_count=3) == "It rose [S9:?]."


def test_order_of_ids_is_kept() -> None:
    assert normalise_markers("[S2:5, S1:3]") == "[S2:5; S1:3]"


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Iraq said so [S1:2; S3:1].", ("Iraq said so.", ["S1:2", "S3:1"])),
        ("Iraq said so (S1, p2).", ("Iraq said so.", ["S1:2"])),
        ("Iraq [S1:1] said so [1].", ("Iraq said so.", ["S1:1", "S1:?"])),
        ("[S2:1] Iraq said so.", ("Iraq said so.", ["S2:1"])),
        ("Iraq said so.", ("Iraq said so.", [])),
        ("Iraq said so [S1:2][S1:2].", ("Iraq said so.", ["S1:2"])),
    ],
)
def test_extract_citations(sentence: str, expected: tuple[str, list[str]]) -> None:
    assert extract_citations(sentence) == expected


def test_extract_citations_respects_the_source_count() -> None:
    assert extract_citations("Up [2] and [7] in [2025].", source_count=3) == (
        "Up and [7] in [2025].",
        ["S2:?"],
    )


# -- properties ------------------------------------------------------------------------------------------

_FRAGMENTS = [
    "S1:3", "S2", "s1", ":", ";", ",", ".", "-", "–", " ", " ", "p", "p.", "3", "12", "2025", "[", "]", "(",
    ")", "【", "】", "^", "Source", "passage", "see", "and", "Reuters", "said", "[S1:3]", "[S1:?]", "?",
    "COVID-19", "\n", "†", "x",
]  # fmt: skip
_IDS = st.builds(lambda s, p: f"S{s}:{p}", st.integers(1, 30), st.integers(1, 60))
_PROSE = st.text(
    alphabet=st.characters(blacklist_characters="[]()【】", blacklist_categories=("Cs",)), max_size=40
)


@given(st.lists(st.sampled_from(_FRAGMENTS), max_size=25), st.none() | st.integers(0, 30))
def test_normalise_markers_is_idempotent(parts: list[str], count: int | None) -> None:
    once = normalise_markers("".join(parts), count)
    assert normalise_markers(once, count) == once


@given(st.text(max_size=60), st.none() | st.integers(0, 30))
def test_normalise_markers_is_idempotent_on_any_text(text: str, count: int | None) -> None:
    once = normalise_markers(text, count)
    assert normalise_markers(once, count) == once


@given(st.lists(st.tuples(_PROSE, st.lists(_IDS, min_size=1, max_size=4, unique=True)), max_size=5), _PROSE)
def test_canonical_markers_survive_unchanged(pieces: list[tuple[str, list[str]]], tail: str) -> None:
    # Words between markers keep them apart (adjacent markers are merged, which is a change).
    text = "".join(f"{words} word [{'; '.join(ids)}] " for words, ids in pieces) + tail
    assert normalise_markers(text) == text
    assert normalise_markers(text, source_count=3) == text


@given(_PROSE, st.none() | st.integers(0, 30))
def test_text_without_brackets_is_unchanged(text: str, count: int | None) -> None:
    assert normalise_markers(text, count) == text
