"""What a briefing's notes tell about its inputs: sources in several languages (a folder that mixes
stories, or one event reported in several languages), and inputs passed over on purpose (hidden,
unknown extension, a path given twice)."""

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


def test_inputs_passed_over_are_named_in_the_notes(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(EN, encoding="utf-8")
    (tmp_path / ".DS_Store").write_bytes(b"\x00\x01")
    (tmp_path / "notes.docx").write_bytes(b"PK\x03\x04")
    briefing = summarize([str(tmp_path / "a.txt"), str(tmp_path)], words=60)
    (note,) = [n for n in briefing.notes if n.startswith("inputs not read: ")]
    assert ".DS_Store" in note and "notes.docx" in note and "already read" in note
