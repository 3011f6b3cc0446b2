"""`brief group FOLDER --json groups.json` then `brief batch groups.json`: one briefing per event group."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from toolkit.cli.app import app

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


def test_a_group_file_gives_one_briefing_per_group(tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    for i in range(2):
        (folder / f"flood{i}.txt").write_text(f"Kelby floods\n\n{FLOOD}", encoding="utf-8")
        (folder / f"train{i}.txt").write_text(f"Brenner landslide\n\n{TRAIN}", encoding="utf-8")
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
