"""A briefing over sources in several languages says so in its notes (a folder that mixes stories, or
one event reported in several languages, whose facts the checks compare only where they read the wording)."""

from __future__ import annotations

from pathlib import Path

from toolkit import summarize

EN = (
    "Floods cut off Kelby\n\n"
    "The river Arden burst its banks on Monday and flooded the town of Kelby, officials said.\n\n"
    "About 300 people were moved to the school overnight, and the main bridge was closed.\n"
)
DE = (
    "Hochwasser schneidet Kelby ab\n\n"
    "Der Fluss Arden ist am Montag über die Ufer getreten und hat die Stadt Kelby überflutet, teilten "
    "die Behörden mit.\n\n"
    "Etwa 300 Menschen wurden über Nacht in die Schule gebracht, und die Hauptbrücke wurde gesperrt.\n"
)


def test_sources_in_two_languages_are_noted(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(EN, encoding="utf-8")
    (tmp_path / "b.txt").write_text(DE, encoding="utf-8")
    briefing = summarize(str(tmp_path), words=60)
    assert any(n.startswith("sources in 2 languages (de, en)") for n in briefing.notes), briefing.notes


def test_one_language_gets_no_such_note(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(EN, encoding="utf-8")
    (tmp_path / "b.txt").write_text(EN.replace("300", "310"), encoding="utf-8")
    briefing = summarize(str(tmp_path), words=60)
    assert not any("languages" in n for n in briefing.notes), briefing.notes
