"""Links in an input folder that point outside it are not read (listed as skipped with the reason);
`ResponseCache.clear()` removes a planted link but never what it points to."""

from __future__ import annotations

from pathlib import Path

from toolkit import load_articles, summarize
from toolkit.chat.cache import ResponseCache

STORY = "The dam on the river held on Monday after days of rain, officials said in a statement.\n\n" * 3
SECRET = "PRIVATE-KEY-MATERIAL do not read this file. It holds the secret line one.\n"


def _folder(tmp_path: Path) -> tuple[Path, Path]:
    outside = tmp_path / "home"
    (outside / "sub").mkdir(parents=True)
    (outside / "id_rsa.txt").write_text(SECRET * 5, encoding="utf-8")
    (outside / "sub" / "notes.md").write_text(SECRET * 5, encoding="utf-8")
    folder = tmp_path / "in"
    (folder / "more").mkdir(parents=True)
    (folder / "a.txt").write_text(STORY, encoding="utf-8")
    (folder / "more" / "b.txt").write_text(STORY, encoding="utf-8")
    (folder / "leak.txt").symlink_to(outside / "id_rsa.txt")
    (folder / "more" / "dir").symlink_to(outside / "sub", target_is_directory=True)
    (folder / "inside.txt").symlink_to(folder / "a.txt")  # a link that stays inside is fine
    return folder, outside


def test_links_pointing_outside_the_folder_are_skipped_with_the_reason(tmp_path: Path) -> None:
    folder, _ = _folder(tmp_path)
    articles = load_articles([folder])
    assert all("PRIVATE" not in a.text for a in articles)
    assert len(articles) == 3  # a.txt, inside.txt, more/b.txt
    skipped = sorted(e.path for e in articles.skipped)
    assert sorted(Path(p).name for p in skipped) == ["dir", "leak.txt"]
    assert all("outside the input folder" in str(e) for e in articles.skipped)
    briefing = summarize([folder], words=60)
    assert {Path(s.path).name for s in briefing.skipped} == {"dir", "leak.txt"}
    assert "PRIVATE" not in briefing.to_json()


def test_cache_clear_never_follows_a_link(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    (victim / "ab").mkdir(parents=True)
    precious = victim / "ab" / ("ab" + "0" * 62 + ".json")
    precious.write_text("{}", encoding="utf-8")
    other = victim / "keep.json"
    other.write_text("{}", encoding="utf-8")
    cache = ResponseCache(tmp_path / "cache")
    (cache.directory / "cd").mkdir(parents=True)
    (cache.directory / "cd" / ("cd" + "1" * 62 + ".json")).write_text("{}", encoding="utf-8")
    (cache.directory / "ab").symlink_to(victim / "ab", target_is_directory=True)
    (cache.directory / "cd" / "x.json").symlink_to(other)
    assert cache.clear() == 1
    assert precious.exists() and other.exists()
    assert not (cache.directory / "cd" / "x.json").is_symlink()
