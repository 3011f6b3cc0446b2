"""Cleaning keeps the story's structure and drops page furniture: one small made-up input per kind."""

from __future__ import annotations

import pytest

from toolkit import summarize
from toolkit.ingest.cleaning import clean, kept_texts
from toolkit.ingest.loading import load_articles
from toolkit.ingest.passages import build_corpus

STORY = (
    "The Arden river burst its banks on Monday after two days of heavy rain, cutting off the town of Kerby."
    "\n\n"
    "Officials said about 1,200 people were evacuated overnight and that three people are still missing.\n\n"
)
END = "The weather service expects the river to peak on Wednesday, with more rain forecast upstream.\n"


def kept(text: str, **kw: str) -> list[str]:
    return kept_texts(text, clean(text, **kw))


def reasons(text: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for d in clean(text).dropped:
        out.setdefault(d.reason, []).append(d.text)
    return out


# --------------------------------------------------------------------------- structure stays


def test_section_headings_stay_as_passages() -> None:
    text = STORY + "Relief effort\n\n" + END + "\nWhat comes next\n\n" + END.replace("Wednesday", "Friday")
    assert "Relief effort" in kept(text) and "What comes next" in kept(text)


def test_unpunctuated_lists_that_belong_to_the_story_stay() -> None:
    tour = "June 23 – Virginia Beach, VA @ Veterans Amphitheater\nJune 26 – Allentown, PA @ PPL Center\n"
    tour += "June 27 – Camden, NJ @ BB&T Pavilion\nJuly 2 – Boston, MA @ Xfinity Center\n"
    calendar = "1a etapa: 10 de março – Interlagos\n2a etapa: 8 de abril – Curitiba\n"
    calendar += "3a etapa: 22 de abril – Velopark\n"
    results = "Smith (USA) 2:05:11\nOkafor (KEN) 2:05:40\nLindqvist (SWE) 2:06:02\n"
    memo = "To: All staff\nFrom: The mayor's office\nSubject: Flood shelters\nDate: Monday\n"
    for block in (tour, calendar, results, memo):
        text = STORY + END + "\n" + block
        assert all(line in kept(text) for line in block.strip().split("\n")), block


def test_a_headline_list_after_the_story_still_goes() -> None:
    farm = "Minister resigns over flood response\nStorm season starts early this year\n"
    farm += "Local team wins cup again\n"
    r = reasons(STORY + END + "\n" + farm)
    assert r["link-farm"] == farm.strip().split("\n")


def test_repeated_interview_question_and_plan_lines_stay_repeated_paragraphs_go() -> None:
    q = "What inspired you to start cooking for a living?"
    day = "Eat every 2-3 hours"
    text = (
        f"{STORY}{q}\n\nAnna said it was her grandmother, who cooked for the whole village every Sunday.\n\n"
        f"{q}\n\nBen said it was hunger, pure and simple, during his student years in the city.\n\n"
        f"Day 1\n{day}\nDrink water\n\nDay 2\n{day}\nDrink water\n\n"
        f"{STORY.split(chr(10))[0]}\n"
    )
    paragraphs = kept(text)
    assert paragraphs.count(q) == 2 and paragraphs.count(day) == 2
    assert reasons(text)["duplicate"] == [STORY.split("\n")[0]]


# --------------------------------------------------------------------------- furniture goes


@pytest.mark.parametrize(
    "line",
    [
        "Image copyright Getty Images Image caption Rescue teams used boats to reach stranded residents",
        "FILE - In this March 3, 2019, file photo, rescue workers carry sandbags in Kerby.",
        "(Photo: Reuters)",
        "Photo: Jane Doe/AP",
        "Foto: dpa",
        "Crédit photo : AFP",
        "图片来源：新华社",
    ],
)
def test_captions_and_credits(line: str) -> None:
    assert reasons(STORY + line + "\n\n" + END)["caption"] == [line]


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("Sign up for our morning newsletter and get the news in your inbox.", "newsletter"),
        ("Have a news tip? Email us at tips@example.com", "newsletter"),
        ("CLICK HERE TO GET THE NEWS APP", "newsletter"),
        ("Follow us on Twitter", "newsletter"),
        ("If you're already a subscriber, log in for immediate access to this story.", "newsletter"),
        ("For the latest stories download the Valley Post apps for iOS and Android.", "newsletter"),
        ("ANZEIGE - Heute mal ausgehen?", "advertisement"),
        ("This post contains affiliate links. We may receive compensation.", "advertisement"),
        ("Jane Doe in London contributed to this report.", "contribution-note"),
        ("Reporting by John Smith; Editing by Mary Jones", "contribution-note"),
        ("READ MORE: Town council approves new flood barrier", "related-links"),
        ("MIRA: Madre se acerca a conocer los motivos de captura de su hijo", "related-links"),
        ("VEA TAMBIÉN: Las lluvias dejan cinco muertos en el norte", "related-links"),
        ("More AP sports: https://apnews.com/sports", "related-links"),
        (".", "stub"),
        ("10:45 GMT", "stub"),
        ("Updated 3 hours ago", "stub"),
        ("Watch the video below:", "stub"),
    ],
)
def test_newsletter_tip_contribution_related_and_stub_lines(line: str, reason: str) -> None:
    assert reasons(STORY + line + "\n\n" + END)[reason] == [line]


@pytest.mark.parametrize(
    "line",
    [
        "Lesen Sie auch: Hochwasser in Bayern",
        "Newsletter abonnieren",
        "Folgen Sie uns auf Twitter",
        "Lire aussi : La crue de la Seine",
        "Abonnez-vous à notre newsletter",
        "Lee también: Las lluvias dejan cinco muertos",
        "Suscríbete a nuestro boletín",
        "Leggi anche: Maltempo in Liguria",
        "Iscriviti alla newsletter",
        "Leia também: Chuvas deixam desabrigados",
        "Читайте также: Паводок в Сибири",
        "Подписывайтесь на наш канал",
        "相关阅读：洪水过后的重建",
        "责任编辑：王明",
    ],
)
def test_common_boilerplate_of_other_languages(line: str) -> None:
    assert line not in kept(STORY + line + "\n\n" + END)


def test_bulleted_related_headlines_after_the_story() -> None:
    bullets = "- Minister resigns over the flood response\n- Storm season starts early this year\n"
    bullets += "- Local team wins the cup for a third time\n"
    assert reasons(STORY + END + "\n" + bullets)["related-links"] == bullets.strip().split("\n")
    spec = "- Waterproof to 50 metres\n- Battery lasts two days\n- Weighs 40 grams\n"
    assert "related-links" not in reasons(STORY + END + "\n" + spec)


def test_story_sentences_that_mention_furniture_words_stay() -> None:
    for line in (
        "The council will subscribe to a new flood warning service, the mayor said on Tuesday.",
        "A photo of the flooded bridge was shared thousands of times on social media by Monday night.",
        "More than 40 people were rescued by boat from the lower town, the fire service said.",
        "Officials urged residents to download the free flood app, which shows the river level.",
        "Lea Michele, who grew up in the town, said she would donate to the relief fund.",
    ):
        assert line in kept(STORY + line + "\n\n" + END)


# --------------------------------------------------------------------------- whole documents


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("This content is not available due to your privacy preferences. Update your settings to see it.",
         "embed"),
        ("Tweet with a location\n\nYou can add location information to your Tweets, such as your city or "
         "precise location, from the web and via third-party applications.", "embed"),
        ("The Wayback Machine - this page was captured 12 times between 2019 and 2021.", "archive"),
        ("Send", "no story text"),
    ],
)  # fmt: skip
def test_documents_that_are_not_articles(text: str, why: str) -> None:
    result = clean(text)
    assert why in result.not_article and result.paragraphs == ()
    assert {d.reason for d in result.dropped} <= {"not-an-article", "stub", "share-buttons"}


def test_a_real_article_is_an_article() -> None:
    assert clean(STORY + END).not_article == ""


def test_not_an_article_is_left_out_with_a_note_naming_it() -> None:
    notice = {
        "text": "View this post on Instagram\n\nA post shared by Kerby Town (@kerbytown)",
        "path": "embed",
    }
    articles = [
        {"text": STORY + END, "path": "a"},
        {"text": STORY + END.replace("Wednesday", "Friday")},
        notice,
    ]
    corpus = build_corpus(load_articles(articles))
    flagged = corpus.sources[2]
    assert flagged.not_article and flagged.passages == ()
    briefing = summarize(corpus, engine="extractive", words=60)
    assert not any(c.startswith("S3:") for s in briefing.sentences for c in s.citations)
    assert any("S3" in n and "not an article" in n for n in briefing.notes)


# --------------------------------------------------------------------------- titles


@pytest.mark.parametrize(
    "first", ["Tweet with a location", "Play Facebook", "Page 1 of 1", "AP", "Photo: Reuters"]
)
def test_titles_never_come_from_social_photo_or_credit_lines(first: str) -> None:
    assert clean(first + "\n\n" + STORY + END).title != first


def test_a_known_title_decides_which_line_is_the_title() -> None:
    text = "River floods Kerby\n\nA standfirst the page shows under its title\n\n" + STORY + END
    result = clean(text, title="River floods Kerby")
    assert result.title == "River floods Kerby"
    assert "A standfirst the page shows under its title" in kept_texts(text, result)


def test_outlets_never_come_from_photo_or_credit_lines() -> None:
    for credit in ("Photo: Reuters", "(Photo: AP)", "Image source: Getty Images", "Foto: dpa"):
        result = clean(STORY + credit + "\n\n" + END)
        assert result.outlet == "" and result.title == "", credit
