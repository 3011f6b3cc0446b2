"""Exports opened the way a reader opens them: Markdown rendered, DOCX read back, HTML in Chromium."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from paths import EXAMPLES

from toolkit import Briefing, SummarySentence, summarize, verify
from toolkit.errors import ConfigError
from toolkit.report import Conflict, ConflictSide
from toolkit.view.exports import citations_of, export, to_docx, to_html, to_markdown_footnotes, warnings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]  # fmt: skip
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
HOSTILE = "Officials said [^9] *stars* <script>window.__pwned=1</script> | # [S1:1] happened."


@pytest.fixture(scope="module")
def briefing() -> Briefing:
    """The example briefing plus an invented sentence (unsupported), a hostile one, and a conflict."""
    base = summarize(EXAMPLES, engine="extractive", words=120)
    extra = (
        SummarySentence(text="Iraq and Syria signed a peace treaty in Paris in 1999.", citations=("S2:1",)),
        SummarySentence(text=HOSTILE, citations=("S4:1",)),
        SummarySentence(text="Nobody cited this sentence."),
    )
    checked = verify(base.model_copy(update={"sentences": base.sentences + extra}))
    assert checked.report is not None
    p1, p2 = checked.corpus.passage("S2:1"), checked.corpus.passage("S4:1")
    sides = tuple(
        ConflictSide(passage=p.id, source=p.source_id, origin=p.source_id, value=v, evidence=ev)
        for p, v, ev in ((p1, "Friday", _ev(p1)), (p2, "Monday", _ev(p2)))
    )
    conflict = Conflict(kind="date", about="the day of the talks", sides=sides, flagged=True)
    report = checked.report.model_copy(update={"conflicts": (conflict,)})
    return checked.model_copy(update={"report": report})


def _ev(p: Any) -> Any:
    from toolkit.models import Evidence

    return Evidence(text=p.text[:40], start=p.start, end=p.start + 40)


def cited(b: Briefing) -> list[SummarySentence]:
    return [s for s in b.sentences if s.citations]


def test_warnings_name_what_is_unresolved(briefing: Briefing) -> None:
    found = warnings(briefing)
    assert any(w.startswith("Sentence 5 is unsupported") for w in found)
    assert any(w.startswith("Sentence 7 is uncited") for w in found)
    assert any("Sources disagree on the day of the talks: Friday [S2:1] vs Monday [S4:1]" in w for w in found)
    plain = summarize(EXAMPLES, engine="extractive", words=60, check=False)
    assert warnings(plain) == [
        "The citations were not checked against the passages (run `brief verify` on it)."
    ]


def test_markdown_footnotes_all_resolve_and_carry_provenance(briefing: Briefing) -> None:
    import mistune

    md = to_markdown_footnotes(briefing)
    body, _, notes = md.partition("\n[^1]: ")
    markers = re.findall(r"\[\^(\d+)\](?!:)", body)
    defs = re.findall(r"^\[\^(\d+)\]:", "[^1]: " + notes, re.MULTILINE)
    assert markers == defs == [str(k) for k in range(1, len(cited(briefing)) + 1)]
    html = mistune.create_markdown(plugins=["footnotes"])(md)
    assert isinstance(html, str)
    refs = re.findall(r'href="#fn-(\d+)"', html)
    targets = re.findall(r'<li id="fn-(\d+)"', html)
    assert refs == targets == defs  # every marker renders as a link to its footnote
    shown = re.sub(r"<[^>]+>", "", html)
    assert shown.count("[^") == 1 and "[^9]" in shown  # only the sentence's own text, shown as text
    assert "<script>" not in html and "window.__pwned" in html  # source and model text stay text

    first = cited(briefing)[0]
    line = next(x for x in md.splitlines() if x.startswith("[^1]: "))
    for c in citations_of(briefing, first):
        assert c.passage in line and c.quote[:30].replace("'", "'") in line.replace("\\", "")
        title = briefing.corpus.source(c.passage.split(":")[0]).title
        assert title[:20] in line.replace("\\", "")
    assert f"engine: {briefing.engine}" in md and f"model: {briefing.model}" in md
    assert briefing.created in md.replace("\\", "")
    assert "## Warnings" in md and "Sentence 5 is unsupported" in md and "the day of the talks" in md
    assert "## Sources" in md and all(f"**{s.id}**" in md for s in briefing.sources)


def _footnotes_xml(path: Path) -> Any:
    import docx
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from lxml import etree

    document = docx.Document(str(path))
    parts = [r.target_part for r in document.part.rels.values() if r.reltype == RT.FOOTNOTES]
    assert len(parts) == 1, "the document has a footnotes part related from document.xml"
    return document, etree.fromstring(parts[0].blob)


def test_docx_has_real_footnotes_that_python_docx_reads_back(briefing: Briefing, tmp_path: Path) -> None:
    path = to_docx(briefing, tmp_path / "briefing.docx")
    document, root = _footnotes_xml(path)
    notes = root.findall(f"{W}footnote")
    kinds = [(n.get(f"{W}type"), n.get(f"{W}id")) for n in notes]
    assert kinds[:2] == [("separator", "-1"), ("continuationSeparator", "0")]
    normal = [n for n in notes if n.get(f"{W}type") is None]
    assert len(normal) == len(cited(briefing))
    body_refs = [r.get(f"{W}id") for r in document.element.body.iter(f"{W}footnoteReference")]
    assert body_refs == [n.get(f"{W}id") for n in normal] == [str(k) for k in range(1, len(normal) + 1)]
    for note, sentence in zip(normal, cited(briefing), strict=True):
        assert note.find(f".//{W}footnoteRef") is not None  # the number shown in the note
        text = "".join(t.text or "" for t in note.iter(f"{W}t"))
        for c in citations_of(briefing, sentence):
            assert c.passage in text and c.quote in text and c.source in text
    with zipfile.ZipFile(path) as z:
        types = z.read("[Content_Types].xml").decode()
        assert 'PartName="/word/footnotes.xml"' in types and "footnotes+xml" in types
    styles = {s.name for s in document.styles}
    assert {"Footnote Text", "Footnote Reference"} <= styles
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[0] == "Briefing"
    assert any(f"engine: {briefing.engine}" in p and briefing.created in p for p in paragraphs)
    assert {"Warnings", "Summary", "Sources"} <= set(paragraphs)
    assert any(p.startswith("Sentence 5 is unsupported") for p in paragraphs)
    assert any("the day of the talks" in p for p in paragraphs)
    assert any(HOSTILE in p for p in paragraphs)
    assert sum(p.startswith("S") and " · " in p for p in paragraphs) >= len(briefing.sources)


def test_export_picks_the_format_by_suffix_and_rejects_others(briefing: Briefing, tmp_path: Path) -> None:
    assert export(briefing, tmp_path / "b.md").read_text().startswith("# Briefing")
    assert export(briefing, tmp_path / "b.HTML").read_text().startswith("<!DOCTYPE html>")
    assert zipfile.is_zipfile(export(briefing, tmp_path / "b.docx"))
    assert export(briefing, tmp_path / "notes.txt", "md").read_text().startswith("# Briefing")
    with pytest.raises(ConfigError, match=r"--format md\|html\|docx"):
        export(briefing, tmp_path / "b.pdf")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.HTML", "b.docx", "b.md", "notes.txt"]


def test_cli_export_writes_each_format_and_rejects_bad_input(briefing: Briefing, tmp_path: Path) -> None:
    import typer
    from typer.testing import CliRunner

    from toolkit.cli.batch import export_cmd

    app = typer.Typer()
    app.command("export")(export_cmd)
    app.command("other")(lambda: None)
    runner = CliRunner()
    source = tmp_path / "b.json"
    source.write_text(briefing.to_json())
    for fmt in ("md", "html", "docx"):
        r = runner.invoke(app, ["export", str(source), "--format", fmt, "--out", str(tmp_path / f"x.{fmt}")])
        assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["export", str(source), "--format", "md"])
    assert r.exit_code == 0 and "[^1]:" in r.output
    not_json = tmp_path / "n.json"
    not_json.write_text("{}")
    for args, message in (
        ([str(source), "--format", "pdf"], "unknown --format"),
        ([str(source), "--out", str(tmp_path / "x.pdf")], "say which format"),
        ([str(source), "--format", "docx"], "needs --out"),
        ([str(tmp_path / "none.json"), "--format", "md"], "cannot read"),
        ([str(not_json), "--format", "md"], "not a briefing JSON"),
    ):
        r = runner.invoke(app, ["export", *args])
        assert r.exit_code == 2 and message in r.output and len(r.output.strip().splitlines()) == 1, args


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's Chromium at /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.mark.slow
def test_html_opens_offline_and_a_click_shows_the_evidence(
    briefing: Briefing, tmp_path: Path, browser: Any
) -> None:
    path = export(briefing, tmp_path / "briefing.html")
    assert to_html(briefing) == path.read_text()
    context = browser.new_context(offline=True)
    page = context.new_page()
    outside: list[str] = []
    errors: list[str] = []
    page.on(
        "request", lambda r: None if r.url.startswith(("file:", "data:", "about:")) else outside.append(r.url)
    )
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(path.as_uri())
        text = page.locator("body").inner_text()
        assert f"engine: {briefing.engine}" in text and briefing.created in text
        assert "the day of the talks" in text  # the conflicts panel
        assert page.locator("mark.ev, mark[class*='ev-']").count() == 0  # nothing highlighted yet
        first = cited(briefing)[0]
        pid = first.citations[0]
        page.locator('.sent[data-i="0"]').click()
        mark = page.locator(f'.src-col .passage[data-p="{pid}"] mark')
        mark.first.wait_for(state="visible")
        check = next(c for c in first.checks if c.passage == pid)
        assert check.evidence is not None
        assert " ".join(check.evidence.text.split()) in " ".join(mark.first.inner_text().split())
        assert page.locator(".detail").inner_text().startswith("Sentence 1")
        assert page.evaluate("typeof window.__pwned") == "undefined"
    finally:
        context.close()
    assert outside == [] and errors == []


def test_exports_recount_and_never_claim_full_support_with_a_weak_citation() -> None:
    from toolkit.models import CitationCheck

    base = summarize(EXAMPLES, engine="extractive", words=120)
    s = base.sentences[0]
    weak = CitationCheck(
        passage="S5:20", status="unsupported", reason="S5:20 holds 10% of the key terms (1/10)"
    )
    first = s.model_copy(update={"citations": (*s.citations, "S5:20"), "checks": (*s.checks, weak)})
    edited = base.model_copy(update={"sentences": (first, base.sentences[1])})
    md = to_markdown_footnotes(edited)
    words = len(first.text.split()) + len(base.sentences[1].text.split())
    assert f"_2 sentences, {words} words · " in md  # counted from the sentences as they are
    assert "Sentence 1 cites S5:20, which is unsupported: S5:20 has 1 of the sentence's 10 key words" in md
    assert "every sentence" not in md
    assert "every sentence" in to_markdown_footnotes(base.model_copy(update={"sentences": (s,)}))


def test_source_list_has_relative_paths_and_readable_titles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(EXAMPLES.parent.parent)
    b = summarize(EXAMPLES.resolve(), engine="extractive", words=80)
    md = to_markdown_footnotes(b)
    sources = md.split("## Sources", 1)[1]
    assert "examples/syria-iraq-2025/000\\_bf3dc8d56ca785ed.txt" in sources
    assert str(EXAMPLES.resolve()) not in md and "(untitled)" in sources
    untitled = next(s for s in b.sources if not s.title)
    assert "“" + " ".join(untitled.text.split())[:20] in sources  # its opening words, not the file name
    docx_path = to_docx(b, tmp_path / "b.docx")
    with zipfile.ZipFile(docx_path) as z:
        xml = z.read("word/document.xml").decode()
    assert "examples/syria-iraq-2025/000_bf3dc8d56ca785ed.txt" in xml and str(EXAMPLES.resolve()) not in xml
