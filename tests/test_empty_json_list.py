"""Inputs that would vanish or count twice: a .json holding an empty list is reported (with --skip-bad listed
as skipped), never dropped without a word; a file named twice (or also inside a folder given) is read once."""

from __future__ import annotations

from pathlib import Path

import pytest

from toolkit import load_articles
from toolkit.errors import SourceError

STORY = "The river burst its banks on Monday and flooded the town of Kelby, officials said.\n"


def test_an_empty_json_list_is_listed_as_skipped(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(STORY, encoding="utf-8")
    (tmp_path / "b.json").write_text("[]", encoding="utf-8")
    (tmp_path / "c.jsonl").write_text("\n\n", encoding="utf-8")
    loaded = load_articles(str(tmp_path), skip_bad=True)
    assert len(loaded) == 1
    assert sorted(Path(e.path).name for e in loaded.skipped) == ["b.json", "c.jsonl"]
    assert "no articles in the file" in str(loaded.skipped[0])  # b.json (c.jsonl: "file is empty")
    with pytest.raises(SourceError, match="no articles in the file"):
        load_articles(str(tmp_path / "b.json"))


def test_a_file_named_twice_is_read_once(tmp_path: Path) -> None:
    folder = tmp_path / "f"
    folder.mkdir()
    (folder / "a.txt").write_text(STORY, encoding="utf-8")
    (folder / "b.txt").write_text(STORY.replace("Monday", "Tuesday"), encoding="utf-8")
    a = str(folder / "a.txt")
    loaded = load_articles([a, a, str(folder)])
    assert [Path(x.path).name for x in loaded] == ["a.txt", "b.txt"]
    assert sum("already read" in n for n in loaded.notes) == 2
