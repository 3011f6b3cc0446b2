"""What the CLI prints and exports from hostile or edited inputs: no terminal control characters,
statuses re-checked on export (an edited JSON cannot claim support), one-line errors for crafted
briefing JSON instead of tracebacks."""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from paths import ROOT

CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
ESCAPES = "\x1b[2J\x1b[H\x1b]0;owned\x07\rOVERPRINT\x08\x9b31m"
STORY = (
    "The dam on the river held on Monday after days of rain, officials said in a statement today.\n\n"
    "Rescuers reached the flooded town on Tuesday morning, the governor told reporters later.\n"
)


def brief(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "AZURE_OPENAI_"))}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "toolkit", *args], capture_output=True, text=True, cwd=cwd, env=env,
        timeout=120,
    )  # fmt: skip


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(
        f"Title {ESCAPES}\n\n{STORY}\nThe gate {ESCAPES} opened.\n", encoding="utf-8"
    )
    (folder / f"b{chr(27)}[2J.txt").write_text(STORY.replace("officials", "police"), encoding="utf-8")
    (folder / "bad.json").write_bytes(b'{"text": "' + ESCAPES.encode() + b'"')
    return folder


def test_nothing_the_cli_prints_holds_a_control_character(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    runs = [brief("summarize", str(folder), "--skip-bad", "--json", "b.json", cwd=tmp_path)]
    (tmp_path / "s.md").write_text(f"The dam held {ESCAPES} on Monday [S1:2].\n", encoding="utf-8")
    runs.append(brief("verify", "s.md", str(folder), "--skip-bad", cwd=tmp_path))
    runs.append(brief("group", str(folder), "--skip-bad", cwd=tmp_path))
    runs += [brief("export", "b.json", "--format", f, cwd=tmp_path) for f in ("md", "html")]
    assert [r.returncode for r in runs] == [0, 0, 0, 0, 0], [r.stderr for r in runs]
    for r in runs:
        assert not CONTROLS.search(r.stdout), r.args
        assert not CONTROLS.search(r.stderr), r.args


def _briefing(tmp_path: Path) -> dict[str, Any]:
    (tmp_path / "a.txt").write_text(f"Title\n\n{STORY}", encoding="utf-8")
    assert brief("summarize", "a.txt", "--json", "b.json", cwd=tmp_path).returncode == 0
    data: dict[str, Any] = json.loads((tmp_path / "b.json").read_text(encoding="utf-8"))
    return data


def test_export_rechecks_statuses_an_edited_json_claims(tmp_path: Path) -> None:
    data = _briefing(tmp_path)
    data["sentences"].append(
        {"text": "The dam was sabotaged by agents.", "citations": [], "status": "supported"}
    )
    (tmp_path / "edited.json").write_text(json.dumps(data), encoding="utf-8")
    r = brief("export", "edited.json", "--format", "md", cwd=tmp_path)
    assert r.returncode == 0
    assert "every sentence is supported" not in r.stdout
    assert "uncited" in r.stdout and "re-checked" in r.stderr


def test_crafted_briefing_json_is_a_one_line_error(tmp_path: Path) -> None:
    data = _briefing(tmp_path)
    crafted = copy.deepcopy(data)
    crafted["sources"][0]["id"] = "X"  # its passages and citations still say S1
    (tmp_path / "c.json").write_text(json.dumps(crafted), encoding="utf-8")
    for args in (("--format", "md"), ("--out", "c.docx"), ("--format", "html")):
        r = brief("export", "c.json", *args, cwd=tmp_path)
        assert r.returncode in (0, 2), r.stderr
        assert "Traceback" not in r.stderr and r.stderr.count("\n") <= 2, r.stderr
        if r.returncode == 2:
            assert r.stderr.startswith("brief: error:")
