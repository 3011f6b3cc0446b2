"""The wheel ships every module of the source tree: build it, install it apart, import each module.

setuptools finds the packages (`[tool.setuptools.packages.find]`), so a moved or added module cannot
drop out silently; this test is what says so. Offline: no build isolation, no index.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from paths import ROOT


def source_modules() -> list[str]:
    out = []
    for path in sorted((ROOT / "toolkit").rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        out.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return out


def pip(*args: str, cwd: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "pip", *args, "--no-deps", "--no-index", "--disable-pip-version-check", "-q"],
        cwd=cwd, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]


def test_the_wheel_holds_and_imports_every_module(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    shutil.copytree(ROOT / "toolkit", src / "toolkit", ignore=shutil.ignore_patterns("__pycache__"))
    pip("wheel", "--no-build-isolation", "-w", str(tmp_path / "dist"), str(src), cwd=tmp_path)
    wheels = list((tmp_path / "dist").glob("brief_toolkit-*.whl"))
    assert len(wheels) == 1, wheels
    site = tmp_path / "site"
    pip("install", "--target", str(site), str(wheels[0]), cwd=tmp_path)

    modules = source_modules()
    code = (
        "import importlib, importlib.resources, importlib.util, json, sys\n"
        f"mods = {modules!r}\n"
        f"site = {str(site)!r}\n"
        "for m in mods:\n"
        "    if m.endswith('.__main__'):  # running it is running the CLI\n"
        "        origin = importlib.util.find_spec(m).origin\n"
        "    else:\n"
        "        origin = importlib.import_module(m).__file__\n"
        "    assert origin and origin.startswith(site), (m, origin)\n"  # not the checkout or an editable
        "import toolkit\n"
        "files = importlib.resources.files('toolkit')\n"
        "prompts = sorted(p.name for p in (files / 'prompts').iterdir() if p.name.endswith('.txt'))\n"
        "print(json.dumps({'file': toolkit.__file__, 'typed': (files / 'py.typed').is_file(),\n"
        "                  'schema': (files / 'briefing.schema.json').is_file(),\n"
        "                  'prompts': prompts, 'count': len(mods)}))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | {"PYTHONPATH": str(site)}
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stdout[-1000:] + proc.stderr[-3000:]
    seen = json.loads(proc.stdout.strip().splitlines()[-1])
    assert Path(seen["file"]).is_relative_to(site), seen["file"]  # the installed copy, not the checkout
    assert seen["typed"] and seen["schema"] and seen["count"] == len(modules) > 40
    shipped = sorted(p.name for p in (ROOT / "toolkit" / "prompts").glob("*.txt"))
    assert seen["prompts"] == shipped and shipped
