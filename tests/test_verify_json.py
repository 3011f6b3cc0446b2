"""`brief verify BRIEFING.json PATH...` checks the briefing's sentences, not the JSON text as prose."""

from __future__ import annotations

import json
from pathlib import Path

from paths import EXAMPLES
from typer.testing import CliRunner

from toolkit.cli.app import app


def test_a_briefing_json_is_verified_sentence_by_sentence(tmp_path: Path) -> None:
    out = tmp_path / "b.json"
    made = CliRunner().invoke(app, ["summarize", str(EXAMPLES), "--engine", "extractive", "--json", str(out)])
    assert made.exit_code == 0, made.output
    first = json.loads(out.read_text(encoding="utf-8"))["sentences"][0]["text"]
    r = CliRunner().invoke(app, ["verify", str(out), str(EXAMPLES)])
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("1. [") and first[:40] in r.stdout.splitlines()[0]
    assert '"engine"' not in r.stdout


def test_a_json_that_is_no_briefing_is_a_one_line_error(tmp_path: Path) -> None:
    bad = tmp_path / "groups.json"
    bad.write_text('{"groups": []}', encoding="utf-8")
    r = CliRunner().invoke(app, ["verify", str(bad), str(EXAMPLES)])
    assert r.exit_code == 2 and "not a briefing JSON" in r.stderr
