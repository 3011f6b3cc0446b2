"""Small things a reader sees: a skipped input is named once in every rendering (its error already
starts with the path); one source is "1 source"."""

from __future__ import annotations

from pathlib import Path

from toolkit import summarize

STORY = (
    "The river burst its banks on Monday and flooded the town of Kelby.\n\n"
    "Officials said 300 people were moved to the school overnight.\n\n"
    "The mayor asked residents not to return before Thursday.\n"
)


def test_a_skipped_file_is_named_once(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(STORY, encoding="utf-8")
    (tmp_path / "b.json").write_text('{"title": "no text here"}', encoding="utf-8")
    briefing = summarize(str(tmp_path), skip_bad=True, words=40)
    (skipped,) = briefing.skipped
    bad = str(tmp_path / "b.json")
    for rendered in (briefing.to_markdown(), briefing._repr_html_()):
        line = next(x for x in rendered.splitlines() if "has no" in x)
        assert line.count("b.json") == 1, line
    assert bad in skipped.error  # the error itself still names the file


def test_one_source_is_not_one_sources(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(STORY, encoding="utf-8")
    markdown = summarize(str(tmp_path), words=40).to_markdown()
    assert "1 sources" not in markdown and "· 1 source ·" in markdown and "from 1 source" in markdown
