"""The README's install on a fresh machine: a new venv with the pip `python3 -m venv` ships (no upgrade),
`pip install .`, then `brief summarize` on a folder mixing .html, .txt and .json articles.

This catches what an upgraded pip or an already-populated venv hides (an extra like lxml's html_clean
that only some resolvers pull in). Slow: it installs every dependency (from the local pip cache when
there is one).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def readme_example() -> Path:
    """The folder the README's first command summarises (`... brief summarize <folder>`)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first = readme.split("```bash\n", 1)[1].split("\n```", 1)[0].strip()
    assert first.startswith("python3 -m venv .venv && .venv/bin/pip install -e . && "), first
    match = re.search(r"brief summarize (\S+)$", first)
    assert match, first
    return ROOT / match.group(1)


def test_readme_first_command_summarises_a_folder_mixing_html_txt_and_json() -> None:
    folder = readme_example()
    kinds = {path.suffix for path in folder.iterdir() if path.is_file()}
    assert {".html", ".txt", ".json"} <= kinds, kinds


HTML = (
    '<!DOCTYPE html><html><head><meta charset="utf-8"><title>River floods Kerby | Valley Post</title>'
    '<meta property="og:site_name" content="Valley Post"></head><body><nav>Home | News</nav><article>'
    "<h1>River floods Kerby</h1>"
    "<p>The Arden river burst its banks on Monday after two days of heavy rain, cutting off the town "
    "of Kerby.</p><p>Officials said about 1,200 people were evacuated overnight and three are missing."
    "</p></article><footer>Copyright Valley Post</footer></body></html>"
)
TEXT = (
    "Record rain cuts off Kerby\n\nThe Arden river flooded on Monday after record rainfall, cutting off "
    "Kerby from the outside world.\n\nEmergency services said about 1,500 residents had left their homes."
)
JSON = {
    "title": "Army sends trucks to Kerby",
    "text": "The army sent 40 trucks of drinking water to Kerby on Monday after the Arden river flooded "
    "the town.\n\nResidents said the water rose by more than a metre in under an hour.",
}


@pytest.mark.slow
def test_fresh_venv_install_summarises_html_txt_and_json(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, project / name)
    for folder in ("toolkit", "prompts"):  # prompts/ is inside toolkit/ since the stage layout
        if (ROOT / folder).is_dir():
            shutil.copytree(ROOT / folder, project / folder, ignore=shutil.ignore_patterns("__pycache__"))
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "a.html").write_text(HTML, encoding="utf-8")
    (articles / "b.txt").write_text(TEXT, encoding="utf-8")
    (articles / "c.json").write_text(json.dumps(JSON), encoding="utf-8")

    venv = tmp_path / "venv"
    base = getattr(sys, "_base_executable", sys.executable)  # the interpreter, not this test's venv
    subprocess.run([base, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    pip = subprocess.run([python, "-m", "pip", "--version"], capture_output=True, text=True, check=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "PIP_REQUIRE", "VIRTUAL_ENV"))}
    install = subprocess.run(
        [python, "-m", "pip", "install", "--quiet", str(project)],
        capture_output=True,
        text=True,
        timeout=1800,
        env=env,
    )
    assert install.returncode == 0, f"{pip.stdout}{install.stderr[-3000:]}"

    def summarize(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [venv / "bin" / "brief", "summarize", *args],
            capture_output=True,
            text=True,
            timeout=300,
            env={**env, "BRIEF_CACHE_DIR": str(tmp_path / "cache")},
            cwd=tmp_path,
        )

    run = summarize(str(articles), "--words", "60")
    assert run.returncode == 0, run.stderr[-3000:]
    out = run.stdout
    assert "Traceback" not in run.stderr and "ImportError" not in out + run.stderr
    # all three files were read: each is a source and the briefing cites sentences from them
    for marker in ("a.html", "b.txt", "c.json"):
        assert marker in out, out
    assert "[S1:" in out or "S1:" in out, out

    # the README's first command's own folder, read by the fresh install: every file is a source
    example = readme_example()
    run = summarize(str(example))
    assert run.returncode == 0, run.stderr[-3000:]
    assert "Traceback" not in run.stderr
    for path in sorted(example.iterdir()):
        assert path.name.replace("_", "\\_") in run.stdout or path.name in run.stdout, (path.name, run.stdout)
