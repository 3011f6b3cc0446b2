"""Engine logic against the in-process chat double (`ScriptedChat`): no HTTP, no server.

What concerns HTTP (retries, streaming, the SDK, parameters a server rejects) is tested against the
real SDK and tests/fakeserver.py in test_llm.py and test_compat_matrix.py."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from paths import SEEDS

from toolkit import summarize
from toolkit.batch.runner import run_batch
from toolkit.chat.cache import CachedChat, ResponseCache
from toolkit.chat.llm import ChatRequest, ChatResponse, strip_thinking
from toolkit.chat.model_facts import model_info
from toolkit.chat.scripted import ScriptedChat, scripted_answer
from toolkit.engines.llm_engine import OpenAIEngine
from toolkit.errors import EngineError

EMPTY_CUT = ChatResponse(text="", finish_reason="length", completion_tokens=4096, reasoning_tokens=4096)


def engine(chat: object, model: str = "gpt-4o-mini", **kw: object) -> OpenAIEngine:
    return OpenAIEngine(chat, model, **kw)  # type: ignore[arg-type]


def test_scripted_chat_queues_replies_then_answers_and_records_requests() -> None:
    chat = ScriptedChat(["first", RuntimeError("down")])
    request = ChatRequest.of("[S1:1] Rain fell in Kelby on Monday.")
    assert asyncio.run(chat.complete(request)).text == "first"
    with pytest.raises(RuntimeError):
        asyncio.run(chat.complete(request))
    answer = json.loads(asyncio.run(chat.complete(request)).text)
    assert answer == {"sentences": [{"text": "Rain fell in Kelby on Monday.", "citations": ["S1:1"]}]}
    assert chat.calls == 3 and chat.requests[0] is request


def test_cache_wrapper_never_stores_an_empty_answer(tmp_path: Path) -> None:
    inner = ScriptedChat([EMPTY_CUT, ChatResponse(text="  "), "kept"])
    chat = CachedChat(inner, ResponseCache(tmp_path), namespace="scripted", model="m")
    request = ChatRequest.of("hello")
    for _ in range(3):
        asyncio.run(chat.complete(request))
    assert inner.calls == 3  # neither empty answer was replayed
    assert asyncio.run(chat.complete(request)).cached and inner.calls == 3
    chat.forget(request)  # an answer the engine could not use goes too
    asyncio.run(chat.complete(request))
    assert inner.calls == 4


def test_budget_eaten_by_reasoning_is_retried_once_with_more_room() -> None:
    chat = ScriptedChat([EMPTY_CUT])
    draft = engine(chat, "gpt-5-mini").summarize(_corpus(), words=80)
    first, second = (r.max_tokens or 0 for r in chat.requests[:2])
    assert second == 4 * first and draft.sentences
    assert any("came back empty" in n for n in draft.notes)
    assert all(r.temperature is None for r in chat.requests)  # reasoning models take no temperature


def test_budget_eaten_twice_is_a_one_line_error_naming_the_setting() -> None:
    chat = ScriptedChat([EMPTY_CUT, EMPTY_CUT])
    with pytest.raises(EngineError, match=r"empty answer .* twice .*--reasoning-effort low") as info:
        engine(chat, "gpt-5-mini").summarize(_corpus(), words=80)
    assert "\n" not in str(info.value) and chat.calls == 2


def test_reasoning_effort_and_reasoning_room_reach_the_request() -> None:
    chat = ScriptedChat()
    engine(chat, "o3-mini", reasoning_effort="low").summarize(_corpus(), words=80)
    (request,) = chat.requests
    assert request.reasoning_effort == "low" and (request.max_tokens or 0) > 2048


def test_an_answer_with_no_sentences_is_an_error_and_never_a_briefing(tmp_path: Path) -> None:
    chat = ScriptedChat(answer=lambda r: '{"sentences": []}')
    with pytest.raises(EngineError, match="produced no sentences"):
        summarize(SEEDS[:2], engine=engine(chat))
    cache = CachedChat(ScriptedChat(answer=lambda r: "no citations here at all"), ResponseCache(tmp_path),
                       namespace="s", model="m")  # fmt: skip
    with pytest.raises(EngineError):
        summarize(SEEDS[:2], engine=engine(cache))
    assert len(ResponseCache(tmp_path)) == 0  # the unusable answers were dropped from the cache


def test_batch_report_marks_an_empty_briefing_failed(tmp_path: Path) -> None:
    report = run_batch(
        {"one": [str(SEEDS[0]), str(SEEDS[1])]},
        tmp_path / "out",
        engine=lambda: engine(ScriptedChat(answer=lambda r: '{"sentences": []}')),
    )
    (result,) = report.results
    assert result.status == "failed" and "no sentences" in (result.error or "")


def test_null_usage_leaves_the_cost_unknown_never_zero() -> None:
    class NoUsage(ScriptedChat):
        async def complete(self, request: ChatRequest) -> ChatResponse:
            r = await super().complete(request)
            return ChatResponse(text=r.text, usage_reported=False)

    draft = engine(NoUsage()).summarize(_corpus(), words=80)
    assert draft.usage.cost_usd is None and draft.usage.unreported_calls == draft.usage.calls == 1
    assert any("cost unknown" in n for n in draft.notes)
    assert engine(ScriptedChat()).summarize(_corpus(), words=80).usage.cost_usd is not None


def test_a_prompt_cut_by_the_server_is_named_with_the_setting() -> None:
    class Cuts(ScriptedChat):
        async def complete(self, request: ChatRequest) -> ChatResponse:
            r = await super().complete(request)
            return ChatResponse(text=r.text, prompt_tokens=2040, completion_tokens=50)

    draft = engine(Cuts(), "llama3.1:8b", info=model_info("llama3.1:8b", context=32_000)).summarize(
        _corpus(5), words=80
    )
    (note,) = [n for n in draft.notes if n.startswith("warning:")]
    assert "OLLAMA_CONTEXT_LENGTH" in note and "num_ctx" in note and "--max-model-len" in note


def test_think_blocks_are_removed() -> None:
    assert strip_thinking("<think>plan</think>\n\nAnswer.") == "Answer."
    assert strip_thinking("<think>never closed because the budget ran out") == ""
    assert strip_thinking("plain") == "plain"


def _corpus(n: int = 3):  # type: ignore[no-untyped-def]
    from toolkit.ingest.loading import load_articles
    from toolkit.ingest.passages import build_corpus
    from toolkit.text.tokens import get_tokenizer

    return build_corpus(load_articles(SEEDS[:n]), get_tokenizer("gpt-4o-mini"))


def test_a_successful_fallback_run_reruns_from_the_cache_alone(tmp_path: Path) -> None:
    """JSON answer unusable, prose fallback usable: the run succeeds, and a re-run pays for nothing."""

    def answer(request: ChatRequest) -> str:
        return '{"sentences": []}' if request.json_mode else scripted_answer(request)

    def run() -> ScriptedChat:
        inner = ScriptedChat(answer=answer)
        cached = CachedChat(inner, ResponseCache(tmp_path), namespace="s", model="gpt-4o-mini")
        assert engine(cached, cite="model").summarize(_corpus(), words=80).sentences
        return inner

    assert run().calls == 2 and run().calls == 0
