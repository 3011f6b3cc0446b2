"""Text that is not story: a page whose only kept text is unrendered template code (`{{ ... }}` from a
JavaScript front end or a CMS editing view) is not an article (no passages, a reason, never a "supported"
briefing of code), and a caption that ends in its credit ("... Photo: AP") is dropped as a caption."""

from __future__ import annotations

from pathlib import Path

import pytest

from toolkit import summarize
from toolkit.errors import ConfigError
from toolkit.ingest.cleaning import clean

TEMPLATE = (
    '{{page.status === "published" ? "Publié" : page.status === "draft" ? "Brouillon" : "Inconnu"}}\n'
    "{{page.lastUser.fullName}} - {{page.updated*1000 | date : 'dd/MM/yyyy'}} - {{page.updated | date}}\n"
)
STORY = (
    "The council voted on Monday to close the Kelby bridge for repairs, the mayor said.\n\n"
    "Engineers found cracks in two of its piers during an inspection in March.\n\n"
    "Templates such as {{name}} in the new booking form confused some residents, officials added.\n"
)


def test_template_code_is_not_an_article() -> None:
    cleaned = clean(TEMPLATE)
    assert cleaned.not_article and "template" in cleaned.not_article
    assert cleaned.paragraphs == ()


def test_a_story_that_mentions_a_template_is_kept() -> None:
    cleaned = clean(STORY)
    assert cleaned.not_article == "" and len(cleaned.paragraphs) == 3


def test_a_caption_that_ends_in_its_credit_is_dropped() -> None:
    text = (
        "Taiwan's president speaks during a televised policy debate in Taipei on December 29 in the run-up "
        "to the election. Photo: AP\n\n" + STORY
    )
    cleaned = clean(text)
    assert [d.reason for d in cleaned.dropped if "Photo: AP" in d.text] == ["caption"]
    assert len(cleaned.paragraphs) == 3


def test_a_folder_of_template_pages_is_no_article_text_not_an_unknown_script(tmp_path: Path) -> None:
    (tmp_path / "page.txt").write_text(TEMPLATE, encoding="utf-8")
    with pytest.raises(ConfigError, match="no article text left") as info:
        summarize(str(tmp_path), words=40)
    assert "script" not in str(info.value)
