"""The API key never lands in exports (Markdown, HTML, DOCX, JSON) or in the benchmark results."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
import scripted_model
from fakeserver import FakeServer
from paths import EXAMPLES, ROOT

from toolkit import export, summarize

KEY = "sk-outputs-SECRET-7f3a9c1e55"


def test_exports_never_hold_the_key(
    fake_server: FakeServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fake_server.handler = scripted_model.answer
    monkeypatch.setenv("OPENAI_BASE_URL", fake_server.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    briefing = summarize(EXAMPLES, words=120)
    assert briefing.engine == "openai" and fake_server.chat_requests
    assert fake_server.chat_requests[0].headers["authorization"] == f"Bearer {KEY}"  # it was in use
    written = []
    for suffix in ("md", "html", "docx"):
        path = tmp_path / f"briefing.{suffix}"
        export(briefing, path)
        written.append(path)
    (tmp_path / "briefing.json").write_text(briefing.to_json(), encoding="utf-8")
    written.append(tmp_path / "briefing.json")
    for path in written:
        if path.suffix == ".docx":
            with zipfile.ZipFile(path) as z:
                blobs = [z.read(name) for name in z.namelist()]
        else:
            blobs = [path.read_bytes()]
        assert blobs and all(KEY.encode() not in b for b in blobs), path.name
    assert KEY not in briefing.to_json() and KEY not in briefing.to_markdown() and KEY not in repr(briefing)


def test_benchmark_results_hold_no_key() -> None:
    results = sorted((ROOT / "benchmarks" / "results").glob("*.md"))
    assert results
    for path in results:
        text = path.read_text(encoding="utf-8")
        assert "sk-" not in text and "demo-key" not in text, path.name
