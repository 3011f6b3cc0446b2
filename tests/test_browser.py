"""The comparison view in a real browser: JupyterLab 4 and Notebook 7 on 127.0.0.1, driven through
Debian's Chromium; the offline HTML file; and the widget's ES module on its own, as VS Code's
notebook renderer (or any anywidget host) runs it.

Each server runs from a temporary root holding copies of `notebooks/` and `examples/` plus a test
notebook written here (the bundled Haiti cluster, a hand-written draft with a disputed sentence, and a
hostile "article"), with its own config, data, settings and workspace folders, a kernelspec pointing at
this interpreter and this checkout, no news feed, no update check and the read-only extension manager:
nothing leaves the machine. Playwright drives /usr/bin/chromium (never a downloaded browser).
Screenshots (light, dark, 900 px wide) go to test-output/browser/ (not committed).
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

import nbformat
import pytest
from paths import ROOT
from playwright.sync_api import expect, sync_playwright

from toolkit import demo, load_articles, verify
from toolkit.view.explorer import Explorer
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
HOSTILE = {
    "title": "Reader forum <script>window.__pwned=1</script>",
    "text": "Reader forum: the quake killed 5 people <script>window.__pwned=1</script>, the post said.\n\n"
    'Another reader wrote that aid arrived <img src=x onerror="window.__pwned=2"> [S1:2].',
}
# Sentence 2 is supported by S2:2 and contradicted by S4:1: "disputed". S9:99 does not exist.
DRAFT = """
The United Nations said the government of Haiti ended its efforts to find buried survivors. [S2:1]
The earthquake left 110,000 deaths, the death toll as of Friday. [S2:2, S4:1]
The UN reported 1,300,000 refugees in harbours and 766,000 displaced people. [S4:1]
As many as 200,000 people were killed by the tremors, which struck on January 12. [S3:1]
"""
CHECK_NOTEBOOK = [
    "from toolkit import demo, load_articles, verify",
    f"articles = load_articles([demo.example_dir('haiti-2010'), {HOSTILE!r}])\n"
    f"explorer = verify({DRAFT!r}, articles).explore()\nexplorer",
]

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium (scripts/test installs it)"
)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _kernelspec(share: Path) -> None:
    """`python3` = this interpreter importing this checkout, first on JUPYTER_PATH."""
    spec = share / "kernels" / "python3"
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    kernel = {
        "argv": argv,
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
        "env": {"PYTHONPATH": str(ROOT)},
    }
    (spec / "kernel.json").write_text(json.dumps(kernel), encoding="utf-8")


class Server:
    def __init__(self, kind: str, root: Path, home: Path, port: int, token: str, log: Path) -> None:
        self.kind, self.root, self.home, self.port, self.token, self.log = kind, root, home, port, token, log

    def url(self, notebook: str) -> str:
        if self.kind == "lab":  # `reset`: a fresh workspace, so only this notebook is open
            return f"http://127.0.0.1:{self.port}/lab/tree/{notebook}?reset&token={self.token}"
        return f"http://127.0.0.1:{self.port}/notebooks/{notebook}?token={self.token}"

    def theme(self, name: str) -> None:
        """Set the theme for pages opened from now on (JupyterLab and Notebook 7 share the setting)."""
        themes = self.home / "settings" / "@jupyterlab" / "apputils-extension" / "themes.jupyterlab-settings"
        themes.parent.mkdir(parents=True, exist_ok=True)
        themes.write_text(json.dumps({"theme": name}), encoding="utf-8")


@pytest.fixture(scope="module", params=["lab", "notebook"])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    kind = str(request.param)
    root = tmp_path_factory.mktemp(kind)
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    shutil.copytree(ROOT / "examples", root / "examples")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in CHECK_NOTEBOOK]
    nb.metadata = nbformat.read(ROOT / "notebooks" / "01_quickstart.ipynb", as_version=4).metadata
    for name in ("view_check", "view_check_dark"):  # one each: a run leaves outputs behind (autosave)
        nbformat.write(nb, root / "notebooks" / f"{name}.ipynb")
    home = tmp_path_factory.mktemp(f"{kind}-home")
    _kernelspec(home / "path")
    notification = (
        home / "settings" / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    )
    notification.parent.mkdir(parents=True)
    if kind == "lab":  # Notebook 7 has no news feed (and no such settings to load)
        quiet = {"fetchNews": "false", "checkForUpdates": False}
        notification.write_text(json.dumps(quiet), encoding="utf-8")
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
        "PYTHONPATH": str(ROOT),  # the kernel imports this tree's toolkit
    }
    port, token = _free_port(), secrets.token_hex(16)
    app = "LabApp" if kind == "lab" else "JupyterNotebookApp"
    cmd = [
        sys.executable, "-m", "jupyterlab" if kind == "lab" else "notebook", "--no-browser",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}", "--ServerApp.open_browser=False",
        f"--{app}.news_url=None", f"--{app}.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        f"--{app}.extension_manager=readonly", "--allow-root",
    ]  # fmt: skip
    log = home / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        srv = Server(kind, root, home, port, token, log)
        _wait_until_up(srv, proc)
        yield srv
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def _wait_until_up(srv: Server, proc: subprocess.Popen[bytes], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    status = f"http://127.0.0.1:{srv.port}/api/status?token={srv.token}"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"{srv.kind} exited ({proc.returncode}):\n{srv.log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(status, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"{srv.kind} did not start in {timeout}s:\n{srv.log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _outside_requests(page: Any, port: int) -> list[str]:
    """Record every request the page makes that does not go to our server."""
    seen: list[str] = []
    local = (f"http://127.0.0.1:{port}/", f"ws://127.0.0.1:{port}/", "data:", "blob:", "about:", "file:")
    page.on("request", lambda r: None if r.url.startswith(local) else seen.append(r.url))
    return seen


def _kernel_idle(server: Server, notebook: str, timeout: float = 90) -> None:
    """Wait until the notebook's kernel has started and is idle (asked through the server's REST API,
    the same in JupyterLab and Notebook 7)."""
    deadline = time.monotonic() + timeout
    url = f"http://127.0.0.1:{server.port}/api/sessions?token={server.token}"
    while time.monotonic() < deadline:
        with urllib.request.urlopen(url, timeout=5) as r:
            sessions = json.loads(r.read())
        if any(
            s.get("path", "").endswith(notebook) and (s.get("kernel") or {}).get("execution_state") == "idle"
            for s in sessions
        ):
            return
        time.sleep(0.5)
    raise AssertionError(f"the kernel for {notebook} did not start in {timeout}s")


def _run_all(page: Any, server: Server, notebook: str) -> None:
    """Run the notebook the way a researcher does: click into each cell, Shift+Enter, wait for it."""
    cells = page.locator(".jp-Notebook .jp-Cell")
    cells.first.wait_for(timeout=60_000)
    _kernel_idle(server, notebook)
    page.wait_for_timeout(500)
    for k in range(cells.count()):
        cell = cells.nth(k)
        cell.scroll_into_view_if_needed()
        cell.locator(".jp-InputArea").click()
        page.keyboard.press("Shift+Enter")
        if "jp-CodeCell" in (cell.get_attribute("class") or ""):
            expect(cell.locator(".jp-InputPrompt")).to_have_text(re.compile(r"\[\d+\]"), timeout=120_000)


def _open(browser: Any, server: Server, notebook: str, width: int = 1500) -> tuple[Any, list[str], list[str]]:
    page = browser.new_page(viewport={"width": width, "height": 1000})
    outside = _outside_requests(page, server.port)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(f"{e}\n{e.stack}"))
    page.goto(server.url(notebook))
    return page, outside, errors


def _ours(errors: list[str]) -> list[str]:
    """Page errors, less one that Notebook 7 itself raises on every page here (its own bundle failing
    to read a settings schema, with no notebook open; not caused by the view)."""
    return [e for e in errors if not ("reading 'schema'" in e and "/static/notebook/notebook_core." in e)]


def _rgb(css: str) -> tuple[int, ...]:
    return tuple(int(float(x)) for x in re.findall(r"[\d.]+", css)[:3])


def _not_green(css: str) -> bool:
    r, g, b = _rgb(css)
    return not (g > r + 20 and g > b + 20)


def _shot(page: Any, server: Server, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{server.kind}-{name}.png"))


def test_the_view_in_jupyter(server: Server, browser: Any) -> None:
    """Every acceptance behaviour of the view, in JupyterLab 4 and in Notebook 7."""
    page, outside, errors = _open(browser, server, "notebooks/view_check.ipynb")
    try:
        _run_all(page, server, "view_check.ipynb")
        view = page.locator(".jp-Notebook .bx")
        view.locator(".sent").first.wait_for(timeout=30_000)
        rows = view.locator(".sent")
        n = rows.count()
        assert n == 4

        # A disputed sentence is not green, and says so in words.
        disputed = rows.nth(1)
        expect(disputed).to_have_class(re.compile(r"\bst-disputed\b"))
        assert disputed.locator(".stag").inner_text() == "disputed"
        border = disputed.evaluate("el => getComputedStyle(el).borderLeftColor")
        assert _not_green(border), border
        assert "2 sentences to look at" in view.locator(".bx-bar").inner_text() or "to look at" in (
            view.locator(".bx-bar").inner_text()
        )
        # The hostile article is shown as text and never runs.
        assert (
            "<script>window.__pwned=1</script>"
            in view.locator(".src-col", has_text="Reader forum").inner_text()
        )
        assert page.evaluate("typeof window.__pwned") == "undefined"

        # Hover shows the quote and the source.
        chip = disputed.locator(".chip[data-p='S4:1']")
        chip.scroll_into_view_if_needed()
        chip.hover()
        tip = chip.locator(".tip")
        expect(tip).to_be_visible()
        assert "222,570" in tip.inner_text() and "UN reports 222,570 dead" in tip.inner_text()
        _shot(page, server, "hover")

        # Clicking a chip brings the cited column into view, scrolled to the passage, highlighted.
        strip = view.locator(".sources")
        strip.evaluate("el => { el.style.scrollBehavior = 'auto'; el.scrollLeft = 0; }")
        column = view.locator(".src-col[data-s='S4']")
        chip.click()
        target = column.locator(".passage[data-p='S4:1']")
        expect(target).to_have_class(re.compile(r"\bflash\b"), timeout=10_000)
        page.wait_for_timeout(300)
        box, col = strip.bounding_box(), column.bounding_box()
        assert (
            box
            and col
            and col["x"] >= box["x"] - 1
            and col["x"] + col["width"] <= box["x"] + box["width"] + 1
        )
        assert target.locator("mark.ev").count() == 1
        _shot(page, server, "chip-click")

        # An unknown citation is refused, explained next to the edit box, and kept in the box.
        rows.nth(0).click()
        expect(view.locator(".detail b").first).to_have_text("Sentence 1", timeout=30_000)
        form = view.locator(".detail .edit")
        form.locator(".ed-cites").fill("S2:1; S9:99")
        form.locator("button[data-act='save']").click()
        msg = view.locator(".bx-msg.err")
        expect(msg).to_contain_text("“S9:99” is not a passage", timeout=30_000)
        assert form.locator(".ed-cites").input_value() == "S2:1; S9:99"
        msg_box, form_box = msg.bounding_box(), form.bounding_box()
        assert msg_box and form_box and 0 <= msg_box["y"] - (form_box["y"] + form_box["height"]) < 80
        assert "()" not in msg.inner_text()

        # A double click on Delete removes one sentence; undo brings it back.
        first_text = rows.nth(0).locator(".txt").inner_text()
        view.locator(".detail button[data-act='delete']").dblclick()
        expect(view.locator(".bx-msg")).to_contain_text("Deleted sentence 1", timeout=30_000)
        page.wait_for_timeout(1500)  # time for a second deletion to arrive, if one had been sent
        expect(rows).to_have_count(n - 1)
        view.locator("button[data-act='undo']").click()
        expect(rows).to_have_count(n, timeout=30_000)
        expect(rows.nth(0).locator(".txt")).to_have_text(first_text)

        # An export after an edit has the edited counts and warnings.
        rows.nth(2).click()
        expect(view.locator(".detail b").first).to_have_text("Sentence 3", timeout=30_000)
        view.locator(".detail button[data-act='delete']").click()
        expect(rows).to_have_count(n - 1, timeout=30_000)
        size = view.locator(".bx-bar .size").inner_text().split(" · ")[0]
        view.locator(".ex-fmt").select_option("md")
        view.locator("button[data-act='export']").click()
        expect(view.locator(".bx-msg")).to_contain_text("Saved briefing.md", timeout=30_000)
        md = (server.root / "notebooks" / "briefing.md").read_text(encoding="utf-8")
        assert md.startswith("# Briefing") and f"_{size} · " in md and size.startswith(f"{n - 1} sentences")
        assert "Sentence 2 is disputed" in md and "every sentence" not in md

        # Next problem steps to a sentence that is not supported.
        view.locator("button[data-act='next']").first.click()
        expect(view.locator(".sent.sel")).not_to_have_attribute("data-st", "supported", timeout=30_000)
        view.locator(".flt[data-st='disputed']").click()
        assert all(
            not row.is_visible() or "st-disputed" in (row.get_attribute("class") or "") for row in rows.all()
        )
        view.locator(".flt[data-st='']").click()
        _shot(page, server, "light")

        # 900 px: one source at a time behind a switcher; a chip switches to its source.
        page.set_viewport_size({"width": 900, "height": 1000})
        expect(view).to_have_class(re.compile(r"\bnarrow\b"), timeout=10_000)
        expect(view.locator(".src-tabs")).to_be_visible()
        assert view.locator(".src-col:visible").count() == 1
        rows.nth(1).locator(".chip[data-p='S4:1']").click()
        expect(view.locator(".src-col[data-s='S4']")).to_be_visible(timeout=10_000)
        assert view.locator(".src-col:visible").count() == 1
        _shot(page, server, "900px")
        assert page.locator("[data-mime-type='application/vnd.jupyter.error']").count() == 0
        assert _ours(errors) == [] and outside == []
    except Exception:
        _shot(page, server, "failure")
        raise
    finally:
        page.close()


def test_dark_theme_reads_well(server: Server, browser: Any) -> None:
    server.theme("JupyterLab Dark")
    page, outside, errors = _open(browser, server, "notebooks/view_check_dark.ipynb", width=1400)
    try:
        _run_all(page, server, "view_check_dark.ipynb")
        view = page.locator(".jp-Notebook .bx")
        view.locator(".sent").first.wait_for(timeout=30_000)
        bg = _rgb(view.evaluate("el => getComputedStyle(el).backgroundColor"))
        fg = _rgb(view.evaluate("el => getComputedStyle(el).color"))
        assert sum(bg) < 200 and sum(fg) > 450, (bg, fg)  # dark background, light text: not a white block
        col_bg = _rgb(view.locator(".src-col").first.evaluate("el => getComputedStyle(el).backgroundColor"))
        assert sum(col_bg) < 200
        view.locator(".sent").nth(1).click()
        view.locator(".src-col .passage.cited mark.ev").first.wait_for(timeout=30_000)
        _shot(page, server, "dark")
        assert _ours(errors) == [] and outside == []
    except Exception:
        _shot(page, server, "dark-failure")
        raise
    finally:
        server.theme("JupyterLab Light")
        page.close()


def test_quickstart_runs_in_jupyter(server: Server, browser: Any) -> None:
    page, outside, errors = _open(browser, server, "notebooks/01_quickstart.ipynb")
    try:
        _run_all(page, server, "01_quickstart.ipynb")
        view = page.locator(".jp-Notebook .bx")
        view.locator(".sent").nth(1).click()
        view.locator(".src-col .passage.cited mark.ev").first.wait_for(state="visible", timeout=30_000)
        assert view.locator(".detail b").first.inner_text() == "Sentence 2"
        assert page.locator("[data-mime-type='application/vnd.jupyter.error']").count() == 0
        for suffix in ("md", "html", "docx"):
            assert (server.root / "notebooks" / f"briefing.{suffix}").is_file()
        _shot(page, server, "quickstart")
        assert _ours(errors) == [] and outside == []
    finally:
        page.close()


def test_widget_module_follows_the_anywidget_contract(browser: Any, tmp_path: Path) -> None:
    """What VS Code's notebook renderer (and every anywidget host) does with the widget: import the ES
    module, call `render({model, el})` with a model offering get/set/on/off/send, deliver custom
    messages, and call the returned cleanup. Here the model is a plain object in the page."""
    ex = Explorer(verify(DRAFT, load_articles(demo.example_dir("haiti-2010"))))
    state = {k: getattr(ex, k) for k in ("view_html", "focus_html", "selected", "focus_passage", "message",
                                         "message_kind", "rev")}  # fmt: skip
    ex.select(1)
    focus = ex.focus_html
    page_html = tmp_path / "host.html"
    page_html.write_text(
        "<!DOCTYPE html><html><head><style>" + str(Explorer._css) + "</style></head><body><div id=out></div>"
        "<script>window.STATE = " + json.dumps(state) + ";</script></body></html>",
        encoding="utf-8",
    )
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(page_html.as_uri())
    page.evaluate(
        """async (esm) => {
          const url = URL.createObjectURL(new Blob([esm], {type: "text/javascript"}));
          const mod = await import(url);
          const handlers = {}, sent = [];
          const model = {
            get: (k) => window.STATE[k],
            set: (k, v) => { window.STATE[k] = v; },
            on: (ev, f) => { (handlers[ev] = handlers[ev] || []).push(f); },
            off: (ev, f) => { handlers[ev] = (handlers[ev] || []).filter((g) => g !== f); },
            send: (m) => sent.push(m),
            save_changes: () => {},
          };
          window.HOST = {handlers, sent, model,
            fire: (ev, arg) => (handlers[ev] || []).forEach((f) => f(arg))};
          window.CLEANUP = mod.default.render({model, el: document.getElementById("out")});
        }""",
        str(Explorer._esm),
    )
    assert page.locator("#out .bx .sent").count() == 4
    assert page.evaluate("window.HOST.sent") == [{"kind": "hello"}]
    page.locator("#out .sent").nth(1).click()
    assert page.evaluate("window.HOST.sent[1]") == {"kind": "select", "i": 1, "passage": ""}
    page.evaluate("(f) => { window.STATE.focus_html = f; window.STATE.selected = 1; "
                  "window.HOST.fire('change:focus_html'); }", focus)  # fmt: skip
    assert page.locator("#out .detail b").first.inner_text() == "Sentence 2"
    row = '<li class="sent st-partial" data-slot="s:0" data-i="0" data-st="partial">patched</li>'
    page.evaluate("(html) => window.HOST.fire('msg:custom', {kind: 'patch', html})", row)
    assert page.locator("#out .sent").nth(0).inner_text() == "patched"
    page.evaluate("window.CLEANUP()")
    assert page.evaluate("Object.values(window.HOST.handlers).every((hs) => hs.length === 0)")
    assert errors == []
    page.close()


def test_standalone_file_works_offline_with_no_kernel(browser: Any, tmp_path: Path) -> None:
    briefing = verify(DRAFT, load_articles([demo.example_dir("haiti-2010"), HOSTILE]))
    path = tmp_path / "briefing.html"
    path.write_text(standalone_html(briefing), encoding="utf-8")
    for scheme in ("light", "dark"):
        page = browser.new_page(viewport={"width": 1400, "height": 900}, color_scheme=scheme)
        outside = _outside_requests(page, 0)
        page.goto(path.as_uri())
        assert "Sentence 2 is disputed" in page.locator(".warnings").inner_text()  # warnings in the file
        # A "left out" passage button brings that passage into view in its column, highlighted.
        left = page.locator(".src-col[data-s='S3'] details.left")
        left.locator("summary").click()
        goto = left.locator("button.goto").last
        pid = goto.get_attribute("data-p")
        goto.click()
        target = page.locator(f".src-col[data-s='S3'] .passage[data-p='{pid}']")
        expect(target).to_have_class(re.compile(r"\bflash\b"))
        box, shown = page.locator(".src-col[data-s='S3'] .passages").bounding_box(), target.bounding_box()
        assert box and shown and box["y"] - 1 <= shown["y"] <= box["y"] + box["height"]
        assert _not_green(page.locator(".sent").nth(1).evaluate("el => getComputedStyle(el).borderLeftColor"))
        chip = page.locator(".sent").nth(1).locator(".chip[data-p='S4:1']")
        chip.hover()
        assert "222,570" in chip.locator(".tip").inner_text()
        chip.click()
        passage = page.locator(".src-col[data-s='S4'] .passage[data-p='S4:1']")
        expect(passage.locator("mark.ev")).to_have_count(1)
        page.locator(".q").fill("death toll")
        expect(page.locator(".q-n")).to_contain_text("passage")
        assert "<script>" in page.locator(".src-col", has_text="Reader forum").inner_text()
        assert page.evaluate("typeof window.__pwned") == "undefined"
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"standalone-{scheme}.png"))
        page.set_viewport_size({"width": 900, "height": 900})
        expect(page.locator(".bx")).to_have_class(re.compile(r"\bnarrow\b"))
        page.screenshot(path=str(SHOTS / f"standalone-{scheme}-900px.png"))
        assert [u for u in outside if not u.startswith("file:")] == []
        page.close()


# --- hostile fields in a notebook -------------------------------------------------------------------
WRITE_FILE = (
    "fetch('/api/contents/pwned.txt',{method:'PUT',headers:{'Content-Type':'application/json'},"
    "body:JSON.stringify({type:'file',format:'text',content:'x'})})"
)
_CELLS = [
    "from toolkit import Briefing\nfrom toolkit.view.exports import to_markdown_footnotes\n"
    "from IPython.display import Markdown, display\n"
    "b = Briefing.from_json(open('hostile.json', encoding='utf-8').read())",
    "b",
    "display({'text/markdown': b._repr_markdown_()}, raw=True)",
    "Markdown(b.to_markdown())",
    "display({'text/markdown': b.to_markdown()}, raw=True)",
    "Markdown(to_markdown_footnotes(b))",
]


def _hostile_notebook(folder: Path) -> Path:
    """A notebook that displays a briefing with a payload in every field: as itself (the notebook
    display), as its to_markdown(), and as the Markdown export. Each payload sets a window flag and
    tries to write a file through the Jupyter API."""
    import nbformat
    from adversarial.payloads import FLAG, hostile_briefing

    data = hostile_briefing().to_json().replace(f"window.{FLAG}=", WRITE_FILE + f",window.{FLAG}=")
    (folder / "hostile.json").write_text(data, encoding="utf-8")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in _CELLS])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = folder / "hostile.ipynb"
    nbformat.write(nb, str(path))
    return path


def test_a_briefing_with_payloads_in_every_field_runs_nothing_in_jupyterlab(
    server: Server, browser: Any
) -> None:
    from adversarial.payloads import FLAG

    if server.kind != "lab":
        pytest.skip("the payload notebook is driven through JupyterLab's cell UI")
    lab = server

    _hostile_notebook(lab.root / "notebooks")
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    writes: list[str] = []
    page.on("request", lambda r: writes.append(r.url) if "pwned" in r.url else None)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(lab.url("notebooks/hostile.ipynb"))
        cells = page.locator(".jp-Notebook .jp-Cell")
        cells.first.wait_for(timeout=60_000)
        expect(page.locator(".jp-StatusBar-Widget", has_text="| Idle")).to_have_count(1, timeout=60_000)
        for k in range(cells.count()):
            cell = cells.nth(k)
            cell.scroll_into_view_if_needed()
            cell.locator(".jp-InputArea").click()
            page.keyboard.press("Shift+Enter")
            expect(cell.locator(".jp-InputPrompt")).to_have_text(re.compile(r"\[\d+\]"), timeout=90_000)
        expect(page.locator(".jp-OutputArea-output", has_text="onerror")).to_have_count(5, timeout=30_000)
        page.wait_for_timeout(2_000)  # give anything that could run the time to run
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "hostile-notebook.png"), full_page=True)
    except Exception:
        page.screenshot(path=str(SHOTS / "hostile-notebook-failure.png"))
        raise
    assert page.evaluate(f"typeof window.{FLAG}") == "undefined"
    outputs = page.locator(".jp-OutputArea-output")
    for k in (0, 1):  # the notebook display (HTML, and Markdown for frontends without HTML): no math
        assert outputs.nth(k).locator("mjx-container, .MathJax").count() == 0
    assert page.locator(".jp-OutputArea a[href^='javascript' i], .jp-OutputArea [onerror]").count() == 0
    assert page.locator(".jp-OutputArea del, .jp-OutputArea s, .jp-OutputArea script").count() == 0
    assert page.locator("[data-mime-type='application/vnd.jupyter.error']").count() == 0
    assert writes == [] and errors == []
    assert not (lab.root / "pwned.txt").exists() and not (lab.root / "notebooks" / "pwned.txt").exists()
    page.close()


def test_nbconvert_html_of_the_hostile_notebook_runs_nothing(browser: Any, tmp_path: Path) -> None:
    from adversarial.payloads import FLAG

    notebook = _hostile_notebook(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "AZURE_OPENAI_"))}
    env |= {"PYTHONPATH": str(ROOT), "JUPYTER_PLATFORM_DIRS": "1", "PYTHONWARNINGS": "ignore"}
    subprocess.run(
        [sys.executable, "-m", "jupyter", "nbconvert", "--execute", "--to", "html", str(notebook)],
        cwd=tmp_path, env=env, check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    html = (tmp_path / "hostile.html").read_text(encoding="utf-8")
    assert "onerror" in html  # the payloads are in the page, as text
    page = browser.new_page()
    page.route(
        "**/*",
        lambda route: route.abort() if not route.request.url.startswith("file:") else route.continue_(),
    )
    page.goto((tmp_path / "hostile.html").as_uri())
    page.wait_for_timeout(2_000)
    assert page.evaluate(f"typeof window.{FLAG}") == "undefined"
    assert page.locator("mjx-container, .MathJax, del, s").count() == 0
    page.close()
