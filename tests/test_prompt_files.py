"""Every prompt the code renders ships with the package: it is in toolkit/prompts/ and, in a git
checkout, committed (a template left untracked works in the author's tree and nowhere else)."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from paths import ROOT

from toolkit.plan.prompting import load_template

_RENDERED = re.compile(r'"([a-z]+(?:_[a-z]+)*_(?:system|user))"')  # render("plain_system", ...)


def _rendered_names() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "toolkit").rglob("*.py"):
        for m in _RENDERED.finditer(path.read_text(encoding="utf-8")):
            names.add(m.group(1))
    return names


def test_every_rendered_prompt_has_its_file() -> None:
    names = _rendered_names()
    assert {"plain_system", "plain_user", "plain_reduce_system", "reduce_system"} <= names
    for name in sorted(names):
        assert load_template(name).strip(), name


@pytest.mark.skipif(shutil.which("git") is None or not (ROOT / ".git").exists(), reason="not a git checkout")
def test_every_prompt_file_is_committed() -> None:
    listed = subprocess.run(
        ["git", "ls-files", "toolkit/prompts"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    tracked = {p.rsplit("/", 1)[1] for p in listed}
    present = {p.name for p in (ROOT / "toolkit" / "prompts").glob("*.txt")}
    assert present - tracked == set(), "prompt files not committed (git add -f them)"
    assert {f"{n}.txt" for n in _rendered_names()} <= tracked
