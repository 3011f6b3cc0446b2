from hypothesis import given
from hypothesis import strategies as st

from toolkit.text.sentences import split_sentences


def texts(spans: list[tuple[int, int]], text: str) -> list[str]:
    return [text[a:b] for a, b in spans]


def test_news_abbreviations_do_not_split() -> None:
    text = (
        "The U.S. Senate passed it on Jan. 5 after Mr. Smith spoke. "
        'He said: "It is done." Then the vote came! Was it fair? Dr. Jones, 3.5 hours later, agreed.'
    )
    assert texts(split_sentences(text), text) == [
        "The U.S. Senate passed it on Jan. 5 after Mr. Smith spoke.",
        'He said: "It is done."',
        "Then the vote came!",
        "Was it fair?",
        "Dr. Jones, 3.5 hours later, agreed.",
    ]


def test_lowercase_continuation_is_not_a_boundary() -> None:
    text = "They fought U.S. forces and their allies. It ended."
    assert texts(split_sentences(text), text) == ["They fought U.S. forces and their allies.", "It ended."]


def test_offsets_are_absolute() -> None:
    spans = split_sentences("One two. Three four.", offset=100)
    assert spans == [(100, 108), (109, 120)]


@given(st.text(alphabet=st.sampled_from(list("ab .!?\n\"'U.S")), max_size=80))
def test_spans_cover_every_non_space_character_once(text: str) -> None:
    spans = split_sentences(text)
    covered = [0] * len(text)
    for a, b in spans:
        assert a < b
        assert text[a:b] == text[a:b].strip()
        for i in range(a, b):
            covered[i] += 1
    for i, ch in enumerate(text):
        assert covered[i] <= 1
        if not ch.isspace():
            assert covered[i] == 1
