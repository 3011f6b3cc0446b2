"""An endpoint that ignores max_tokens cannot flood the briefing: 20,000 sentences for a 40-word
request are cut to a bounded number, with a note."""

from __future__ import annotations

import json
import time

from fakeserver import FakeServer, Reply

from toolkit import summarize
from toolkit.chat.endpoint import EndpointConfig
from toolkit.chat.llm import OpenAIChat
from toolkit.engines.llm_engine import OpenAIEngine


def test_a_huge_answer_is_capped_with_a_note() -> None:
    sentences = [{"text": f"The dam held on day {k}.", "citations": ["S1:1"]} for k in range(20_000)]
    flood = json.dumps({"sentences": sentences})
    text = "The dam on the river held on Monday after days of rain, officials said in a statement."
    with FakeServer() as server:
        server.handler = lambda _: Reply(text=flood)
        chat = OpenAIChat(
            EndpointConfig(base_url=server.base_url, api_key="sk-test-123456789", max_retries=0)
        )
        start = time.perf_counter()
        briefing = summarize([{"text": text}], engine=OpenAIEngine(chat, "gpt-4o-mini"), words=40)
        seconds = time.perf_counter() - start
    assert 0 < len(briefing.sentences) <= 60  # a 40-word request: tens of sentences at most
    assert any("far longer than asked" in n or "kept the first" in n for n in briefing.notes)
    assert len(briefing.to_markdown()) < 50_000 and seconds < 60
