"""Secrets: a unique fake API key never shows up in outputs, errors, logs, the cache or the CLI's output,
even from an endpoint that echoes it back."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from fakeserver import FakeServer

from .leaks import fragments, leaks, new_key, scenario


def test_the_api_key_appears_nowhere(
    fake_server: FakeServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    key = new_key()
    caplog.set_level(logging.DEBUG)
    for name in ("openai", "httpx", "httpx2", "httpcore", "httpcore2", "toolkit"):
        caplog.set_level(logging.DEBUG, logger=name)
    result = scenario(fake_server, tmp_path, key)
    result.blobs["caplog"] = caplog.text + "\n".join(repr(vars(r)) for r in caplog.records)
    assert result.leaked == []
    # the scan is real: the key was sent, the scanner finds it there, and every place holds something
    sent = {r.headers.get("authorization", "") for r in fake_server.requests}
    assert f"Bearer {key}" in sent
    assert leaks(key, {"request headers": "\n".join(sent)}) == ["request headers"]
    assert leaks(key, {"partial": "key ends in " + key[-20:]}) == ["partial"]
    assert all(len(p) == 12 for p in fragments(key))
    assert {"HTTP 401", "HTTP 403", "HTTP 404", "HTTP 500", "timeout", "connection refused"} <= set(
        result.errors
    )
    assert any("HTTP Request: POST" in r.getMessage() for r in result.records)  # the SDK's own logs
    assert any(r.name.startswith("toolkit") for r in result.records)  # ours (retries)
    cached = [w for w in result.blobs if w.startswith("file cache/")]
    assert len(cached) >= 5
    assert {"file out/briefing.md", "file out/briefing.json", "file out/cli.md", "file out/cli.json"} <= set(
        result.blobs
    )
    assert "request signed with Bearer ***" in result.blobs["echoed briefing"]
