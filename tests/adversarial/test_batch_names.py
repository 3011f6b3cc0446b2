"""Batch cluster names are unique (also without case) and no briefing overwrites another."""

from __future__ import annotations

from pathlib import Path

from toolkit.batch.runner import clusters_from, run_batch

STORY = "The dam on the river held on Monday after days of rain, officials said in a statement.\n\n"


def _cluster(folder: Path, words: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "a.txt").write_text(f"{words}. " + STORY * 3, encoding="utf-8")
    return folder


def test_names_are_unique_without_case() -> None:
    names = [c.name for c in clusters_from(["a/x", "b/x", "x-2", "c/X", "d/x"])]
    assert names[0] == "x" and names[2] == "x-2"
    assert len({n.lower() for n in names}) == len(names)


def test_colliding_folders_each_keep_their_briefing(tmp_path: Path) -> None:
    folders = [
        _cluster(tmp_path / "a" / "x", "Alpha report"),
        _cluster(tmp_path / "b" / "x", "Bravo report"),
        _cluster(tmp_path / "x-2", "Charlie report"),
    ]
    out = tmp_path / "out"
    report = run_batch([str(f) for f in folders], out, engine="extractive", words=60, progress=False)
    assert [r.status for r in report.results] == ["done"] * 3
    paths = [r.json_path for r in report.results]
    assert len(set(paths)) == 3 and all(Path(p).is_file() for p in paths)
    texts = [Path(p).read_text(encoding="utf-8") for p in paths]
    for text, word in zip(texts, ("Alpha", "Bravo", "Charlie"), strict=True):
        assert word in text


def test_an_empty_briefing_is_failed_not_done(tmp_path: Path) -> None:
    folder = tmp_path / "empty"
    folder.mkdir()
    (folder / "a.txt").write_text(
        "Breaking news\n\nUpdated live coverage\n\nClick here to read\n", encoding="utf-8"
    )
    report = run_batch([str(folder)], tmp_path / "out", engine="extractive", words=60, progress=False)
    (result,) = report.results
    assert result.status == "failed" and "produced no sentences" in result.error
    assert "no usable sentences" in result.error  # the engine's reason, kept in the manifest
    assert "--engine extractive" not in result.error  # no advice to use the engine that just failed
    assert not Path(tmp_path / "out" / "empty.json").exists()  # no empty briefing passed off as one
    assert not report.ok
