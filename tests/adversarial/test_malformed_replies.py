"""A malformed model reply (a 200 whose JSON has the wrong shape) is a one-line ToolkitError naming the
endpoint, never an AttributeError/ValidationError traceback."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from fakeserver import FakeServer, Reply

from toolkit.chat.endpoint import EndpointConfig
from toolkit.chat.llm import ChatRequest, OpenAIChat
from toolkit.errors import ToolkitError

MESSAGE = {"role": "assistant", "content": "The dam held [S1:1]."}
BODIES: list[Any] = [
    {"choices": [{"index": 0, "message": None, "finish_reason": "stop"}]},
    {"choices": [{"index": 0, "message": {"role": "assistant", "content": 5}, "finish_reason": "stop"}]},
    {"choices": None},
    [1, 2],
    "null",
    {"choices": [{}]},
    {"choices": [{"index": 0, "message": MESSAGE, "finish_reason": 7}], "usage": {"prompt_tokens": "a"}},
]


@pytest.mark.parametrize("body", BODIES, ids=range(len(BODIES)))
def test_a_malformed_reply_is_a_one_line_error(body: Any) -> None:
    with FakeServer() as server:
        server.handler = lambda _: Reply(body=body)
        host = server.base_url.split("/v1")[0]
        chat = OpenAIChat(
            EndpointConfig(base_url=server.base_url, api_key="sk-test-123456789", max_retries=0)
        )
        with pytest.raises(ToolkitError) as e:
            asyncio.run(chat.complete(ChatRequest(messages=(("user", "hi"),), max_tokens=5)))
    assert host in str(e.value) and "\n" not in str(e.value)
