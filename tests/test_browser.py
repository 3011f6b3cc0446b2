"""The comparison view in a real browser: JupyterLab on 127.0.0.1 driven through Debian's Chromium.

JupyterLab runs from a temporary root holding copies of `notebooks/` and `examples/`, with its own
config, data, settings and workspace folders, a kernelspec pointing at this interpreter, no news feed,
no update check and the read-only extension manager: nothing leaves the machine. Playwright drives
/usr/bin/chromium (never a downloaded browser). Screenshots go to test-output/browser/.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from paths import ROOT
from playwright.sync_api import expect, sync_playwright

from toolkit import load_articles, summarize
from toolkit.view.html_view import standalone_html

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
SHOTS = ROOT / "test-output" / "browser"

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium (scripts/test installs it)"
)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _kernelspec(share: Path) -> None:
    """`python3` = this interpreter, found first on JUPYTER_PATH (the venv's own spec runs `python`)."""
    spec = share / "kernels" / "python3"
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    kernel = {"argv": argv, "display_name": "Python 3 (ipykernel)", "language": "python"}
    (spec / "kernel.json").write_text(json.dumps(kernel), encoding="utf-8")


class Lab:
    def __init__(self, root: Path, port: int, token: str, log: Path) -> None:
        self.root, self.port, self.token, self.log = root, port, token, log

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/{path.lstrip('/')}?token={self.token}"


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    root = tmp_path_factory.mktemp("lab")
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    shutil.copytree(ROOT / "examples", root / "examples")
    home = tmp_path_factory.mktemp("jupyter-home")
    _kernelspec(home / "path")
    notification = (
        home / "settings" / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    )
    notification.parent.mkdir(parents=True)
    notification.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "AZURE_OPENAI_", "JUPYTER"))}
    env |= {
        "JUPYTER_PATH": str(home / "path"),
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_DATA_DIR": str(home / "data"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
        "BRIEF_CACHE_DIR": str(home / "brief-cache"),
        "PYTHONWARNINGS": "ignore",  # the server's own deprecation chatter is not under test
    }
    port, token = _free_port(), secrets.token_hex(16)
    cmd = [
        sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}", "--ServerApp.open_browser=False", "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly", "--allow-root",
    ]  # fmt: skip
    log = home / "lab.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        lab = Lab(root, port, token, log)
        _wait_until_up(lab, proc)
        yield lab
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def _wait_until_up(lab: Lab, proc: subprocess.Popen[bytes], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"JupyterLab exited ({proc.returncode}):\n{lab.log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(lab.url("api/status"), timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"JupyterLab did not start in {timeout}s:\n{lab.log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _outside_requests(page: Any, port: int) -> list[str]:
    """Record every request the page makes that does not go to our JupyterLab."""
    seen: list[str] = []
    local = (f"http://127.0.0.1:{port}/", f"ws://127.0.0.1:{port}/", "data:", "blob:", "about:", "file:")
    page.on("request", lambda r: None if r.url.startswith(local) else seen.append(r.url))
    return seen


def test_quickstart_runs_in_jupyterlab_and_shows_the_evidence(lab: Lab, browser: Any) -> None:
    page = browser.new_page(viewport={"width": 1500, "height": 1000})
    outside = _outside_requests(page, lab.port)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    SHOTS.mkdir(parents=True, exist_ok=True)
    try:
        page.goto(lab.url("lab/tree/notebooks/01_quickstart.ipynb"))
        _run_quickstart(page)
    except Exception:
        page.screenshot(path=str(SHOTS / "01_quickstart-failure.png"))
        raise
    view = page.locator(".jp-Notebook .bx")
    planted = view.locator(".src-col", has_text="Reader forum")
    assert "<script>window.__pwned=1</script>" in planted.inner_text()  # shown as text
    assert page.evaluate("typeof window.__pwned") == "undefined"  # and never run
    assert page.locator("[data-mime-type='application/vnd.jupyter.stderr']").count() == 0
    assert page.locator("[data-mime-type='application/vnd.jupyter.error']").count() == 0
    assert (lab.root / "notebooks" / "briefing.html").is_file()  # the last cell exported
    assert errors == [] and outside == []
    page.close()


def _run_quickstart(page: Any) -> None:
    cells = page.locator(".jp-Notebook .jp-Cell")
    cells.first.wait_for(timeout=60_000)
    expect(page.locator(".jp-StatusBar-Widget", has_text="| Idle")).to_have_count(1, timeout=60_000)
    # Run the notebook the way a researcher does: click into each cell, Shift+Enter, wait for it.
    for k in range(cells.count()):
        cell = cells.nth(k)
        cell.scroll_into_view_if_needed()
        cell.locator(".jp-InputArea").click()
        page.keyboard.press("Shift+Enter")
        if "jp-CodeCell" in (cell.get_attribute("class") or ""):
            expect(cell.locator(".jp-InputPrompt")).to_have_text(re.compile(r"\[\d+\]"), timeout=90_000)
    view = page.locator(".jp-Notebook .bx")
    sentence = view.locator(".sent").nth(1)
    sentence.scroll_into_view_if_needed()
    sentence.click()
    view.locator(".src-col .passage.cited mark.ev").first.wait_for(state="visible", timeout=30_000)
    assert view.locator(".sent.sel").count() == 1
    assert view.locator(".detail b").first.inner_text() == "Sentence 2"
    view.locator(".detail").evaluate("el => el.scrollIntoView({block: 'start'})")
    page.screenshot(path=str(SHOTS / "01_quickstart.png"))
    # Re-cite in the view: the kernel re-checks it and the view shows the new chip and verdict.
    view.locator(".detail .ed-cites").fill("S2:20")
    view.locator(".detail button[data-act='save']").click()
    expect(view.locator(".bx-msg")).to_contain_text("sentence 2 is now", timeout=30_000)
    expect(view.locator(".sent").nth(1).locator(".chip")).to_have_attribute("data-p", "S2:20")
    expect(view.locator(".src-col[data-s='S2'] .passage.cited[data-p='S2:20']")).to_have_count(1)


def test_standalone_file_works_offline_with_no_kernel(browser: Any, tmp_path: Path) -> None:
    planted = {
        "title": 'Forum "post" <script>window.__pwned=1</script>',
        "text": "Shaibani met Sudani in Baghdad <script>window.__pwned=1</script>, the post said.\n\n"
        'Iraq and Syria discussed border security <img src=x onerror="window.__pwned=2"> [S1:2].',
    }
    briefing = summarize(load_articles([ROOT / "examples" / "syria-iraq-2025", planted]), words=200)
    path = tmp_path / "briefing.html"
    path.write_text(standalone_html(briefing), encoding="utf-8")
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    outside = _outside_requests(page, 0)
    page.goto(path.as_uri())
    page.locator(".sent").nth(2).click()
    page.locator(".src-col .passage.cited mark.ev").first.wait_for(state="visible", timeout=10_000)
    chip = page.locator(".chip").first
    pid = chip.get_attribute("data-p")
    chip.click()
    column = page.locator(f".src-col[data-s='{pid.split(':')[0]}']")  # type: ignore[union-attr]
    assert column.locator(f".passage[data-p='{pid}'] mark.ev").count() == 1
    assert "<script>" in page.locator(".src-col", has_text="Shaibani met Sudani").inner_text()
    assert page.evaluate("typeof window.__pwned") == "undefined"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "standalone.png"))
    assert [u for u in outside if not u.startswith("file:")] == []
    page.close()
