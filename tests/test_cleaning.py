"""Tests for toolkit.ingest.cleaning: seed articles, coverage invariant (hypothesis), edge cases."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from paths import EXAMPLES

from toolkit.ingest.cleaning import BOILERPLATE_MARKERS, DROP_REASONS, Cleaned, clean, kept_texts

SEEDS = sorted(EXAMPLES.glob("[0-9][0-9][0-9]_*.txt"))
# Reasons allowed to drop a real story-like sentence because an explicit phrase or rule matched.
EXPLICIT = {"author-bio", "comment-form", "copyright", "syndication-note", "duplicate", "source-credit"}


def seed(prefix: str) -> str:
    (path,) = EXAMPLES.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


def kept(text: str) -> list[str]:
    return kept_texts(text, clean(text))


def reasons(text: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for d in clean(text).dropped:
        out.setdefault(d.reason, []).append(d.text)
    return out


def assert_covers(text: str, result: Cleaned) -> None:
    """Kept + dropped spans cover each non-whitespace character exactly once, trimmed, in order."""
    owner = [0] * len(text)
    spans = list(result.paragraphs) + [(d.start, d.end) for d in result.dropped]
    for d in result.dropped:
        assert d.text == text[d.start : d.end]
        assert d.reason in DROP_REASONS
    for start, end in spans:
        assert 0 <= start < end <= len(text)
        assert not text[start].isspace() and not text[end - 1].isspace()
        for i in range(start, end):
            owner[i] += 1
    for i, ch in enumerate(text):
        assert owner[i] <= 1, f"offset {i} covered twice"
        if not ch.isspace():
            assert owner[i] == 1, f"offset {i} ({ch!r}) lost"
    assert list(result.paragraphs) == sorted(result.paragraphs)


# --------------------------------------------------------------------------- seeds


def test_there_are_five_seeds() -> None:
    assert len(SEEDS) == 5


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.name[:3])
def test_seed_no_boilerplate_marker_survives(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for paragraph in kept(text):
        for marker in BOILERPLATE_MARKERS:
            assert marker.lower() not in paragraph.lower()


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.name[:3])
def test_seed_spans_cover_everything(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert_covers(text, clean(text))


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.name[:3])
def test_seed_story_sentences_only_dropped_by_explicit_rules(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for d in clean(text).dropped:
        is_sentence = d.text.rstrip("\"'”’)").endswith((".", "!", "?")) and len(d.text.split()) > 8
        if is_sentence:
            assert d.reason in EXPLICIT, d


@pytest.mark.parametrize(
    ("prefix", "sentences"),
    [
        (
            "000",
            [
                "Syria’s interim foreign minister visited Iraq to strengthen collaboration against IS.",
                "“Security is a shared responsibility,” he stated",
                "In summary, the visit of Syria’s Foreign Minister to Iraq underscores",
            ],
        ),
        (
            "001",
            [
                '"Security is a shared responsibility," Shaibani told a joint news conference with Hussein.',
                "Terrorism knows no borders.",
                "Sudani on Friday posted on X that Abdullah Makki Muslih al-Rufayi",
                'urged Baghdad to take "necessary measures to ensure the security of Syrians',
            ],
        ),
        (
            "002",
            [
                "visited Iraq for the first time since the fall of Bashar al-Assad.",
                "The interim foreign minister of Syria made his inaugural trip to Iraq on Friday",
                "Most of the victims were Alawites, members of Assad’s sect",
            ],
        ),
        (
            "003",
            [
                "ERBIL, Kurdistan Region - The Iraqi and Syrian foreign ministers on Monday discussed",
                "also known as Abu Mohammed al-Jolani.",
            ],
        ),
        (
            "004",
            [
                "Iraq and Syria share more than 600 km from the border",
                "Turkish Foreign Minister (left) revealed an initial cooperation",
                "In mid -January, Republican MP Joe Wilson fired threats against the Iraqi factions",
            ],
        ),
    ],
)
def test_seed_story_survives(prefix: str, sentences: list[str]) -> None:
    joined = "\n".join(kept(seed(prefix)))
    for sentence in sentences:
        assert sentence in joined


@pytest.mark.parametrize(
    ("prefix", "title"),
    [
        ("000", "Syria’s Foreign Minister Strengthens Security Ties During Iraq Visit"),
        ("001", "Syria FM's Iraq visit focuses on security"),
        ("002", ""),
        ("003", "Iraqi, Syrian top diplomats discuss joint security"),
        ("004", "What is the future of relations between Iraq and Syria?"),
    ],
)
def test_seed_title(prefix: str, title: str) -> None:
    result = clean(seed(prefix))
    assert result.title == title
    if title:
        assert "title" in reasons(seed(prefix))


@pytest.mark.parametrize(("prefix", "date"), [("001", "2025-03-14"), ("004", "2025-02-22")])
def test_seed_date(prefix: str, date: str) -> None:
    assert clean(seed(prefix)).date == date


def test_seed_metadata_outlet_and_url() -> None:
    assert clean(seed("001")).outlet == "SpaceWar.com"
    assert clean(seed("002")).outlet == "NDTV"
    first = clean(seed("000"))
    assert first.url == "www.newarab.com"
    assert first.outlet == "newarab.com"


def test_seed_003_repeated_paragraphs_appear_once() -> None:
    paragraphs = kept(seed("003"))
    normalised = [" ".join(p.split()).casefold() for p in paragraphs]
    assert len(normalised) == len(set(normalised)) == 6
    assert sum("Fuad Hussein called his Syrian counterpart" in p for p in paragraphs) == 1
    assert len(reasons(seed("003"))["duplicate"]) == 5


def test_seed_000_author_bio_and_comment_form() -> None:
    r = reasons(seed("000"))
    assert r["author-bio"][0] == "About Allegra Nguyen"
    assert r["author-bio"][1].startswith("Allegra Nguyen is an accomplished journalist")
    assert any(t.startswith("View all posts by") for t in r["author-bio"])
    assert r["comment-form"] == [
        "Leave a Reply",
        "Your email address will not be published. Required fields are marked *",
    ]
    assert r["source-credit"] == ["Original Source: www.newarab.com"]


def test_seed_001_noise_reasons() -> None:
    r = reasons(seed("001"))
    assert r["site-name"] == ["SpaceWar.com - Your World At War"]
    assert r["dateline"] == ["Baghdad, March 14 (AFP) Mar 14, 2025"]
    assert r["wire-slug"] == ["burs-srm/kir", "X"]
    assert r["heading"] == ["- Alawite killings -"]
    assert r["advertisement"] == ["ADVERTISEMENT"]
    assert len(r["link-farm"]) == 16
    assert "Space News from SpaceDaily.com" in r["link-farm"]
    assert "24/7 News Coverage" in r["link-farm"]
    assert r["copyright"][0].startswith("All rights reserved. Copyright Agence France-Presse.")
    assert len(kept(seed("001"))) == 21


def test_seed_002_summary_kept_and_syndication_dropped() -> None:
    paragraphs = kept(seed("002"))
    assert paragraphs[0].startswith("Syria’s interim foreign minister, Assaad al-Shaibani")
    r = reasons(seed("002"))
    assert r["dateline"] == ["Baghdad:"]
    assert r["syndication-note"][0].startswith("(Except for the headline")


def test_seed_004_headings_tags_related() -> None:
    r = reasons(seed("004"))
    assert r["dateline"] == ["Sat. Feb 22nd, 2025"]
    assert r["heading"] == [
        "Turkish role to activate coordination",
        "Variation on re -relationships",
        "Stay tuned for Trump’s policy",
    ]
    assert r["tags"] == ["(Tagstotranslate) Politics (T) Syria (T) Arabic"]
    assert r["related-links"] == ["Related Post"]


# --------------------------------------------------------------------------- rules


def test_plain_text_passes_through() -> None:
    text = (
        "The minister arrived in Baghdad on Friday for talks.\n\n"
        "Officials said the two sides discussed border security at length.\n"
        "No agreement was signed, but both promised to meet again soon."
    )
    result = clean(text)
    assert len(result.paragraphs) == 3 and result.dropped == ()
    assert (result.title, result.outlet, result.date, result.url) == ("", "", "", "")


@pytest.mark.parametrize(
    "text",
    [
        "这是第一段新闻内容，讲述了叙利亚外长访问伊拉克的情况。\n\n双方讨论了边境安全问题，并同意加强合作。",
        "Der syrische Außenminister hat am Freitag Bagdad besucht.\nEr sprach über die Sicherheit.",
        "زار وزير الخارجية السوري بغداد يوم الجمعة.\nوناقش الجانبان أمن الحدود المشتركة بين البلدين.",
        "Короче говоря\nэто просто текст без точек\nи без шума",
    ],
)
def test_other_languages_pass_through(text: str) -> None:
    result = clean(text)
    assert result.dropped == ()
    assert "".join("".join(p.split()) for p in kept_texts(text, result)) == "".join(text.split())


def test_hard_wrapped_lines_are_joined() -> None:
    text = (
        "The foreign ministers met in Baghdad on Friday to discuss\n"
        "security along their shared border, officials said, in the first\n"
        "visit since December.\n"
        "A second paragraph follows here."
    )
    paragraphs = kept(text)
    assert paragraphs[0].endswith("visit since December.") and "\n" in paragraphs[0]
    assert paragraphs[1] == "A second paragraph follows here."


def test_fixed_width_wrapped_text_is_joined_at_capitals() -> None:
    line = "Officials in Baghdad said on Friday that the talks with Syrian"
    text = "\n".join(
        [line, "Foreign Minister Asaad al-Shaibani covered border security and", line, "Islamic State."]
    )
    text = f"{text}\n\n{text}\n\nShort closing line here, said officials."
    paragraphs = kept(text)
    assert paragraphs[0] == text.split("\n\n")[0]
    assert clean(text).dropped[0].reason == "duplicate"


def test_short_lines_inside_story_are_kept() -> None:
    text = (
        "The toll so far, according to officials in Baghdad on Friday night:\n\n"
        "13 dead\n40 injured\nBorder closed\n\n"
        "Officials said the border would reopen next week after a security review."
    )
    assert clean(text).dropped == ()


def test_inline_markers_are_cut_out_of_long_lines() -> None:
    text = (
        "The minister spoke at length about the border with reporters on Friday.\n"
        "He said so. Related Posts: Syria FM visits Baghdad\n"
        "The talks ADVERTISEMENT went on for hours in the capital, officials said.\n"
        "© 2025 Example News. All rights reserved."
    )
    result = clean(text)
    paragraphs = kept_texts(text, result)
    assert "He said so." in paragraphs
    assert "The talks" in paragraphs
    assert "went on for hours in the capital, officials said." in paragraphs
    assert {d.reason for d in result.dropped} == {"related-links", "advertisement", "copyright"}
    assert_covers(text, result)


def test_explicit_boilerplate_lines() -> None:
    text = (
        "Main story sentence here is long enough to be a real story paragraph for the test.\n\n"
        "By John Smith\nShare this:\nFacebook Twitter WhatsApp\nLoading...\n"
        "Sign up for our daily newsletter\nTags: Syria, Iraq, Diplomacy\n"
        "Published: 14 March 2025 10:30 GMT\nhttps://example.com/news/story-123\n"
        "Related Posts\nSyria FM visits Baghdad\nIraq closes border crossing\n"
        "Sponsored\nThis article was originally published on Example News."
    )
    r = reasons(text)
    assert r["byline"] == ["By John Smith"]
    assert r["share-buttons"] == ["Share this:", "Facebook Twitter WhatsApp", "Loading..."]
    assert r["newsletter"] == ["Sign up for our daily newsletter"]
    assert r["tags"] == ["Tags: Syria, Iraq, Diplomacy"]
    assert r["dateline"] == ["Published: 14 March 2025 10:30 GMT"]
    assert r["source-credit"] == ["https://example.com/news/story-123"]
    assert r["related-links"] == ["Related Posts", "Syria FM visits Baghdad", "Iraq closes border crossing"]
    assert r["advertisement"] == ["Sponsored"]
    assert r["syndication-note"] == ["This article was originally published on Example News."]
    result = clean(text)
    assert (result.date, result.url) == ("2025-03-14", "https://example.com/news/story-123")


@pytest.mark.parametrize(
    "text",
    [
        "Copyright lawsuits against news sites have surged this year, lawyers in the capital said.",
        "Copyright Office officials said on Tuesday that the rule would change next year.",
        "Source: a senior official told AFP the deal was close to being signed on Friday.",
        "By the time the minister arrived in Baghdad, the talks had already begun.",
        "The story first appeared in a local paper before officials confirmed the visit.",
        "Related posts were deleted from the ministry's account after the meeting, officials said.",
    ],
)
def test_story_sentences_resembling_boilerplate_are_kept(text: str) -> None:
    story = "The minister arrived in Baghdad on Friday for talks on border security, officials said."
    assert kept(f"{story}\n{text}") == [story, text]


def test_empty_and_whitespace_text() -> None:
    assert clean("") == Cleaned()
    assert clean(" \n\t\n  ") == Cleaned()


def test_deterministic() -> None:
    text = seed("001")
    assert clean(text) == clean(text)


# --------------------------------------------------------------------------- property tests

BOILERPLATE_LINES = [
    *BOILERPLATE_MARKERS,
    "About Allegra Nguyen",
    "View all posts by Allegra Nguyen →",
    "Sponsored",
    "Advertisement",
    "burs-srm/kir",
    "X",
    "Sat. Feb 22nd, 2025",
    "Baghdad, March 14 (AFP) Mar 14, 2025",
    "SpaceWar.com - Your World At War",
    "Original Source: www.newarab.com",
    "(Tagstotranslate) Politics (T) Syria (T) Arabic",
    "- Alawite killings -",
    "Copyright 2025 Reuters",
    "Read more: Syria FM visits Baghdad",
    "(Except for the headline, this story has not been edited by NDTV staff"
    " and is published from a syndicated feed.)",
]
PROSE_LINES = [
    "Syria's interim foreign minister said in Baghdad on Friday his government was ready to cooperate.",
    "Allegra Nguyen is an accomplished journalist with over a decade of experience.",
    "Hera asteroid mission captures images of Mars moon Deimos",
    "the talks continued late into the night,",
    "Stay tuned for Trump’s policy",
    '"We discussed what happened," he said.',
    "13 dead",
]
line = st.one_of(
    st.sampled_from(BOILERPLATE_LINES),
    st.sampled_from(PROSE_LINES),
    st.text(max_size=40),
    st.builds(
        lambda a, b, c: f"{a} {b} {c}",
        st.sampled_from(PROSE_LINES),
        st.sampled_from(BOILERPLATE_LINES),
        st.text(max_size=10),
    ),
)
separator = st.sampled_from(["\n", "\n\n", "\n \n", "\n\n\n", " \n\t", "\r\n", "\u2028"])


@st.composite
def mixed_articles(draw: st.DrawFn) -> str:
    lines = draw(st.lists(line, max_size=25))
    out = []
    for item in lines:
        out.append(item)
        out.append(draw(separator))
    return "".join(out)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_property_arbitrary_text_is_covered(text: str) -> None:
    assert_covers(text, clean(text))


@settings(max_examples=300, deadline=None)
@given(mixed_articles())
def test_property_mixed_boilerplate_is_covered_and_markers_never_kept(text: str) -> None:
    result = clean(text)
    assert_covers(text, result)
    for paragraph in kept_texts(text, result):
        for marker in BOILERPLATE_MARKERS:
            assert marker not in paragraph
