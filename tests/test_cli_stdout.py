"""`--json -` writes the JSON to stdout (not a file named "-"); `brief export` defaults to Markdown."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from paths import EXAMPLES
from typer.testing import CliRunner

from toolkit.cli.app import app


def _cluster(folder: Path) -> Path:
    folder.mkdir()
    (folder / "a.txt").write_text(
        "Flood in Town\n\nA flood hit the river town of Alder on Monday, officials said.\n\n"
        "Rescue teams reached the \u202eeastern\u202c district by boat on Tuesday morning.\n",
        encoding="utf-8",
    )
    (folder / "b.txt").write_text(
        "Alder flooding\n\nA flood hit the river town of Alder on Monday, the mayor said.\n\n"
        "Schools in Alder stayed closed while the water receded.\n",
        encoding="utf-8",
    )
    return folder


def test_summarize_json_dash_is_stdout_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _cluster(tmp_path / "c")
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(app, ["summarize", str(folder), "--engine", "extractive", "--json", "-"])
    assert r.exit_code == 0, r.output
    assert not (tmp_path / "-").exists()
    data = json.loads(r.stdout)  # the JSON alone: no Markdown before it
    assert data["engine"] == "extractive" and data["sentences"]
    assert "\u202e" not in r.stdout  # printed as an escape, still the same value once parsed
    assert any("\u202e" in p["text"] for s in data["sources"] for p in s["passages"])


def test_verify_and_group_json_dash_are_stdout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    summary = tmp_path / "s.md"
    summary.write_text("The April 2025 strikes hit several sites. [S1:1]\n", encoding="utf-8")
    r = CliRunner().invoke(app, ["verify", str(summary), str(EXAMPLES), "--json", "-"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["sentences"][0]["citations"]
    g = CliRunner().invoke(app, ["group", str(EXAMPLES), "--json", "-"])
    assert g.exit_code == 0, g.output
    assert "groups" in json.loads(g.stdout)
    assert not (tmp_path / "-").exists()


def test_out_dash_and_json_dash_together_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # before the fix this wrote a file named "-" in the current folder
    r = CliRunner().invoke(app, ["summarize", str(EXAMPLES), "--out", "-", "--json", "-"])
    assert r.exit_code == 2 and "both ask for stdout" in r.stderr
    assert not (tmp_path / "-").exists()


def test_export_without_format_or_out_prints_markdown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    js = tmp_path / "b.json"
    made = CliRunner().invoke(app, ["summarize", str(EXAMPLES), "--engine", "extractive", "--json", str(js)])
    assert made.exit_code == 0, made.output
    r = CliRunner().invoke(app, ["export", str(js)])
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("#") and "[^" in r.stdout  # Markdown with footnotes
    monkeypatch.chdir(tmp_path)
    dash = CliRunner().invoke(app, ["export", str(js), "--format", "html", "--out", "-"])
    assert dash.exit_code == 0 and "<html" in dash.stdout.lower()
    assert not (tmp_path / "-").exists()
    docx = CliRunner().invoke(app, ["export", str(js), "--format", "docx", "--out", "-"])
    assert docx.exit_code == 2 and "needs --out FILE.docx" in docx.stderr
