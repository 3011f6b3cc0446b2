"""A whole grouping is one cluster per event group: `run_batch(group_articles(...), out)` in Python, and
`brief group FOLDER --json groups.json` then `brief batch groups.json` on the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from toolkit import group_articles, load_articles, run_batch
from toolkit.batch.runner import clusters_from
from toolkit.cli.app import app
from toolkit.errors import ConfigError

FLOOD = (
    "The river Arden burst its banks on Monday after two days of heavy rain and flooded the town of Kelby, "
    "officials said. About 300 people were moved to the school overnight; the main bridge was closed.\n\n"
    "The mayor of Kelby asked residents not to return to their homes before Thursday, when the water is "
    "expected to fall. Army trucks brought drinking water and food to the school on Tuesday morning.\n"
)
TRAIN = (
    "A night train from Vienna to Rome was cancelled on Friday after a landslide blocked the Brenner line "
    "near Innsbruck, the Austrian rail operator said. Around 400 passengers were put on buses to Verona.\n\n"
    "Engineers expect the line to stay closed for a week while the slope above the tracks is secured, "
    "and freight trains are being sent through Switzerland instead, the operator added.\n"
)


def _mixed_folder(tmp_path: Path) -> Path:
    """Two copies each of two unrelated stories: two event groups."""
    folder = tmp_path / "mixed"
    folder.mkdir()
    for i in range(2):
        (folder / f"flood{i}.txt").write_text(f"Kelby floods\n\n{FLOOD}", encoding="utf-8")
        (folder / f"train{i}.txt").write_text(f"Brenner landslide\n\n{TRAIN}", encoding="utf-8")
    return folder


def test_a_grouping_is_taken_as_its_groups(tmp_path: Path) -> None:
    folder = _mixed_folder(tmp_path)
    grouping = group_articles(load_articles(str(folder)))
    assert len(grouping.groups) == 2, grouping
    assert [c.name for c in clusters_from(grouping)] == [g.id for g in grouping.groups]
    report = run_batch(grouping, tmp_path / "out", engine="extractive", words=40, progress=False)
    assert [r.status for r in report.results] == ["done"] * len(grouping.groups)


def test_a_cluster_of_an_unknown_kind_is_a_one_line_error() -> None:
    with pytest.raises(ConfigError, match="folder, a file, a list of paths or an EventGroup"):
        clusters_from([[("a.txt", 1)]])  # type: ignore[list-item]


def test_a_group_file_gives_one_briefing_per_group(tmp_path: Path) -> None:
    folder = _mixed_folder(tmp_path)
    groups = tmp_path / "groups.json"
    runner = CliRunner()
    r = runner.invoke(app, ["group", str(folder), "--json", str(groups)])
    assert r.exit_code == 0, r.output
    ids = [g["id"] for g in json.loads(groups.read_text(encoding="utf-8"))["groups"]]
    out = tmp_path / "out"
    r = runner.invoke(
        app,
        ["batch", str(groups), "--out", str(out), "--engine", "extractive", "--words", "40", "--no-progress"],
    )
    assert r.exit_code == 0, r.output
    assert sorted(p.stem for p in out.glob("*.json")) == sorted(ids) and len(ids) == 2
