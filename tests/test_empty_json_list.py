"""A .json file holding an empty list is reported (one line, with --skip-bad listed as skipped), never dropped
without a word."""

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
