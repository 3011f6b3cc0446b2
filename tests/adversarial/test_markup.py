"""Markdown and HTML that could run script: every field a source or a model fills is escaped for the
renderer it lands in (Briefing.to_markdown, the notebook display, the Markdown export, the HTML
exports, the CLI), only http/https URLs become links, and Jupyter's math and strikethrough stay text."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from paths import ROOT

from toolkit.cite.summary_text import parse_summary
from toolkit.text.safe import md_escape, md_link, md_unescape, safe_href
from toolkit.view.exports import to_html, to_markdown_footnotes

from .payloads import BAD_URL, FLAG, PAYLOAD, hostile_briefing, live_markup, markdown_problems


class _Scripts(HTMLParser):
    """Every attribute value and script body: where a payload would be live in our own HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.live: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_script = tag == "script"
        for n, v in attrs:
            http_link = n == "href" and (v or "").startswith(("https://", "http://"))
            active = n in {"href", "src", "srcdoc", "action", "formaction", "style"}
            if n.startswith("on") or (active and v and FLAG in v and not http_link):
                self.live.append(f"<{tag} {n}={v!r}>")
        if tag not in {"script", "style"} and tag in {"img", "svg", "iframe", "object", "embed"}:
            self.live.append(f"<{tag}>")

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and FLAG in data:
            self.live.append(f"<script>{data[:80]}")


def _html_live(html: str) -> list[str]:
    parser = _Scripts()
    parser.feed(html)
    parser.close()
    return parser.live


@pytest.mark.parametrize("checked", [True, False])
def test_briefing_markdown_has_nothing_live(checked: bool) -> None:
    md = hostile_briefing(checked=checked).to_markdown()
    assert markdown_problems(md) == []
    assert "onerror" in md  # the payload is still there, as text


@pytest.mark.parametrize("checked", [True, False])
def test_markdown_export_has_nothing_live(checked: bool) -> None:
    md = to_markdown_footnotes(hostile_briefing(checked=checked))
    assert markdown_problems(md) == []
    assert "onerror" in md


def test_notebook_display_is_escaped_html() -> None:
    b = hostile_briefing()
    html = b._repr_html_()
    assert live_markup(html) == []
    assert _html_live(html) == []
    assert "onerror" in html
    assert markdown_problems(b._repr_markdown_()) == []


def test_report_digest_has_nothing_live() -> None:
    from toolkit.report import report_markdown

    report = hostile_briefing().report
    assert report is not None
    assert markdown_problems(report_markdown(report)) == []


def test_standalone_html_has_nothing_live() -> None:
    html = to_html(hostile_briefing())
    assert _html_live(html) == []
    assert "onerror" in html


def test_escaped_text_reads_back_as_itself() -> None:
    b = hostile_briefing(checked=False)
    back = parse_summary(b.to_markdown())
    assert back[0].text == md_unescape(md_escape(b.sentences[0].text))  # 2nd: crafted id kept as text
    assert back[0].text.startswith("The dam held.") and "<script>" in back[0].text
    for text in (PAYLOAD, "a\\*b &amp; c $5 ~~x~~ \\(y\\) `z`", "plain words."):
        assert md_unescape(md_escape(text)) == " ".join(text.replace("\x1b", " ").split())


def test_only_http_urls_become_links() -> None:
    assert md_link(BAD_URL) == md_escape(BAD_URL)
    assert safe_href("JaVaScRiPt:alert(1)") is None and safe_href("data:text/html,x") is None
    assert safe_href("//evil.example/x") is None and safe_href("https://") is None
    link = md_link('https://ok.example/a b"><img>$x$~~y~~`')
    assert link == "<https://ok.example/a%20b%22%3E%3Cimg%3E%24x%24%7E%7Ey%7E%7E%60>"


def _brief(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "AZURE_OPENAI_"))}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "toolkit", *args], capture_output=True, text=True, cwd=cwd, env=env,
        timeout=120,
    )  # fmt: skip


def hostile_folder(folder: Path) -> Path:
    """A folder of hostile articles: payloads in the title, a `Source:` line, a JSON url and a file
    name with a backtick."""
    folder.mkdir()
    body = "The dam on the river held on Monday after days of rain, officials said. " * 3
    (folder / f"a`{FLAG}`.txt").write_text(
        f"Title {PAYLOAD}\nSource: {BAD_URL}\n\n{body}\n\n{PAYLOAD} The dam held.\n", encoding="utf-8"
    )
    article = {"title": f"T {PAYLOAD}", "url": BAD_URL, "outlet": PAYLOAD, "text": f"{body}\n\n{PAYLOAD}"}
    (folder / "b.json").write_text(json.dumps(article), encoding="utf-8")
    (folder / "c.html").write_text(
        f'<html><head><title>{PAYLOAD.replace("<", "&lt;")}</title><meta property="og:url" '
        f'content="{BAD_URL.replace(chr(34), "")}"></head><body><article><p>{body}</p>'
        f"<p>Rescuers said the dam held on Monday.</p></article></body></html>",
        encoding="utf-8",
    )
    return folder


def test_cli_summarize_and_every_export_show_nothing_live(tmp_path: Path) -> None:
    folder = hostile_folder(tmp_path / "in")
    r = _brief("summarize", str(folder), "--words", "80", "--json", str(tmp_path / "b.json"), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert markdown_problems(r.stdout) == [], r.stdout
    assert "\x1b" not in r.stderr
    for fmt in ("md", "html"):
        e = _brief("export", str(tmp_path / "b.json"), "--format", fmt, cwd=tmp_path)
        assert e.returncode == 0, e.stderr
        assert (markdown_problems(e.stdout) if fmt == "md" else _html_live(e.stdout)) == []
