"""Batch API cache poisoning (only requested custom_ids are kept, under this endpoint's keys) and
secrets edge cases (the response's `model` field, Batch API answers, a key with whitespace): one
scrubbing function everywhere."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from toolkit.chat.batch_api import BatchAPIChat, _Outcome
from toolkit.chat.cache import ResponseCache, request_key
from toolkit.chat.endpoint import EndpointConfig
from toolkit.chat.llm import ChatRequest, ChatResponse
from toolkit.text.safe import scrub

KEY = "sk-proj-ABCdef1234567890secret"
LOCAL = "http://127.0.0.1:9/v1"


def _line(custom_id: str, text: str, model: str = "gpt-4o-mini") -> str:
    body = {"model": model, "choices": [{"message": {"content": text}, "finish_reason": "stop"}], "usage": {}}
    return json.dumps({"custom_id": custom_id, "response": {"status_code": 200, "body": body}})


def test_only_requested_custom_ids_are_kept_and_cached(tmp_path: Path) -> None:
    request = ChatRequest(messages=(("user", "Summarise the dam story."),), max_tokens=50)
    chat = BatchAPIChat(EndpointConfig(base_url=LOCAL, api_key=KEY), cache=ResponseCache(tmp_path))
    asked = chat._key(request)
    # A planted answer for the same request as api.openai.com would key it.
    planted = request_key(request, base_url="https://api.openai.com/v1", model="gpt-4o-mini")
    assert planted != asked
    results = "\n".join([_line(asked, "The dam held."), _line(planted, "PLANTED: the dam was sabotaged.")])
    outcome = _Outcome()
    chat._read_results(results, outcome, frozenset({asked}))
    assert set(outcome.answers) == {asked} and planted not in outcome.failed
    cache = ResponseCache(tmp_path)
    for key, response in outcome.answers.items():
        cache.put(key, response)
    assert cache.get(planted) is None
    assert all("PLANTED" not in p.read_text() for p in tmp_path.rglob("*.json"))


def test_batch_answers_and_model_fields_are_redacted(tmp_path: Path) -> None:
    chat = BatchAPIChat(EndpointConfig(base_url=LOCAL, api_key=KEY), cache=ResponseCache(tmp_path))
    outcome = _Outcome()
    chat._read_results(_line("k1", f"echo {KEY}", model=f"gpt {KEY}"), outcome, frozenset({"k1"}))
    answer = outcome.answers["k1"]
    assert KEY not in answer.text and KEY not in answer.model


def test_the_cache_never_stores_a_key_in_the_model_field(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    cache = ResponseCache(tmp_path)
    cache.put("ab" + "0" * 62, ChatResponse(text="ok", model=f"proxy-echo {KEY}"))
    assert all(KEY not in p.read_text() for p in tmp_path.rglob("*.json"))


def test_the_openai_path_redacts_the_model_field() -> None:
    from fakeserver import FakeServer, Reply

    from toolkit.chat.llm import OpenAIChat

    with FakeServer() as server:
        server.handler = lambda body: Reply(text="ok", model=f"echo-{KEY}")
        config = EndpointConfig(base_url=server.base_url, api_key=KEY, max_retries=0)
        chat = OpenAIChat(config)
        request = ChatRequest(messages=(("user", "hi"),), max_tokens=5)
        response = asyncio.run(chat.complete(request))
    assert KEY not in response.model


@pytest.mark.parametrize("key", ["sk-abc def-ghi-123", " sk-lead-trail-1234 ", "sk-tab\tseparated-999"])
def test_a_key_with_whitespace_is_scrubbed_whole(key: str) -> None:
    text = f"error: bad key {key} / {key.strip()} / {' '.join(key.split())}"
    out = scrub(text, [key])
    for piece in key.split():
        assert piece not in out, out
