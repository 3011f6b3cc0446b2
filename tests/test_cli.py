"""The `brief` command as a user runs it: a real subprocess, real files, exit codes."""

import json
import os
import subprocess
import sys
from pathlib import Path

from paths import EXAMPLES


def brief(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    return subprocess.run(
        [sys.executable, "-m", "toolkit", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
    )


def test_summarize_examples_writes_markdown_and_json(tmp_path: Path) -> None:
    out, js = tmp_path / "b.md", tmp_path / "b.json"
    r = brief("summarize", str(EXAMPLES), "--words", "120", "--out", str(out), "--json", str(js))
    assert r.returncode == 0, r.stderr
    md = out.read_text()
    assert "[S" in md and "## Sources" in md
    data = json.loads(js.read_text())
    assert data["engine"] == "extractive"
    assert len(data["sources"]) == 5
    assert sum(len(s["text"].split()) for s in data["sentences"]) <= 120


def test_prints_markdown_by_default() -> None:
    r = brief("summarize", str(EXAMPLES))
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("# Briefing")
    assert "offline extractive engine" in r.stdout


def test_bad_path_is_a_one_line_error_with_exit_2(tmp_path: Path) -> None:
    r = brief("summarize", str(tmp_path / "nope.txt"))
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "nope.txt" in lines[0] and "--skip-bad" in lines[0]
    assert "Traceback" not in r.stderr


def test_skip_bad_summarises_the_others(tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    for f in sorted(EXAMPLES.glob("*.txt"))[:3]:
        (folder / f.name).write_text(f.read_text())
    (folder / "empty.txt").write_text("")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    r = brief("summarize", str(folder))
    assert r.returncode == 2
    assert "binary.txt" in r.stderr or "empty.txt" in r.stderr
    js = tmp_path / "b.json"
    r = brief("summarize", str(folder), "--skip-bad", "--json", str(js))
    assert r.returncode == 0, r.stderr
    assert "empty.txt" in r.stderr and "binary.txt" in r.stderr
    data = json.loads(js.read_text())
    assert len(data["sources"]) == 3
    assert {Path(s["path"]).name for s in data["skipped"]} == {"empty.txt", "binary.txt"}


def test_unknown_engine_is_exit_2() -> None:
    r = brief("summarize", str(EXAMPLES), "--engine", "magic")
    assert r.returncode == 2
    assert "extractive" in r.stderr
