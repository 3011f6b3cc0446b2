"""The chat seam: the one protocol between the toolkit and any chat model, and the values it carries.

    ChatRequest --ChatClient.complete()--> ChatResponse

Implementations (each one method): `toolkit.chat.llm.OpenAIChat` (the openai SDK), `toolkit.chat.scripted.
ScriptedChat` (in-process double), the local llama.cpp server (`toolkit.chat.local`), the Batch API
(`toolkit.chat.batch_api`); `toolkit.chat.cache.CachedChat` wraps any of them. This module imports nothing of
theirs, so each can depend on it without a cycle.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from ..errors import PromptError
from ..models import Usage

__all__ = ["ChatClient", "ChatRequest", "ChatResponse", "Message", "strip_thinking"]

Message = tuple[str, str] | Mapping[str, Any]
_ROLES = {"system", "user", "assistant", "developer", "tool"}


@dataclass(frozen=True)
class ChatRequest:
    """One chat call. `messages` are `(role, content)` pairs or OpenAI-style dicts; `extra` holds any
    further body parameters (sent as-is and part of the cache key). `max_tokens` is the output budget
    (sent as `max_tokens` or `max_completion_tokens`, whichever the model takes); `temperature` None
    leaves the server's default. `json_schema` (`{"name": ..., "schema": {...}}`) asks for structured
    output, falling back to JSON mode and then prose where the endpoint lacks it."""

    messages: tuple[Message, ...]
    temperature: float | None = 0.0
    max_tokens: int | None = None
    json_mode: bool = False
    stream: bool = False
    seed: int | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
    # With `stream`: called with each new piece of the answer as it arrives (never cached or sent).
    on_text: Callable[[str], None] | None = field(default=None, compare=False, repr=False)
    json_schema: Mapping[str, Any] | None = None
    reasoning_effort: str | None = None

    def __post_init__(self) -> None:
        messages = tuple(self.messages)
        if not messages:
            raise PromptError("a chat request needs at least one message")
        for m in messages:
            role = m[0] if isinstance(m, tuple) else m.get("role")
            if isinstance(m, tuple) and (len(m) != 2 or not isinstance(m[1], str)):
                raise PromptError(f"a message must be (role, content) with string content, got {m!r:.80}")
            if role not in _ROLES:
                raise PromptError(f"unknown message role {role!r}; use one of {sorted(_ROLES)}")
        object.__setattr__(self, "messages", messages)

    @classmethod
    def of(cls, user: str, system: str | None = None, **options: Any) -> ChatRequest:
        """The common case: an optional system prompt and one user message."""
        messages: list[Message] = [("system", system)] if system else []
        messages.append(("user", user))
        return cls(messages=tuple(messages), **options)

    def message_dicts(self) -> list[dict[str, Any]]:
        """The messages as the JSON the endpoint receives."""
        return [{"role": m[0], "content": m[1]} if isinstance(m, tuple) else dict(m) for m in self.messages]


@dataclass(frozen=True)
class ChatResponse:
    """The endpoint's answer. `finish_reason` is passed through ("length": the answer was cut off)."""

    text: str
    finish_reason: str | None = "stop"
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached: bool = False
    model: str = ""
    usage_reported: bool = True  # False: the server sent no usage (the token counts are not known)
    reasoning_tokens: int = 0  # hidden reasoning, part of completion_tokens

    @property
    def truncated(self) -> bool:
        return self.finish_reason == "length"

    @property
    def empty(self) -> bool:
        """No answer at all (a reasoning model that spent its budget thinking, a failed server)."""
        return not self.text.strip()

    @property
    def usage(self) -> Usage:
        """What this answer cost: a cached answer counts as a cached call with no new tokens."""
        if self.cached:
            return Usage(cached_calls=1)
        if not self.usage_reported:
            return Usage(calls=1, unreported_calls=1)
        return Usage(calls=1, prompt_tokens=self.prompt_tokens, completion_tokens=self.completion_tokens)


@runtime_checkable
class ChatClient(Protocol):
    """The chat seam: one method. Implement it to talk to another kind of endpoint."""

    async def complete(self, request: ChatRequest) -> ChatResponse: ...


_THINK = re.compile(r"<think>.*?(</think>|$)", re.DOTALL | re.IGNORECASE)


def strip_thinking(text: str) -> str:
    """`text` without `<think>...</think>` blocks (an unclosed one, cut off by the budget, goes whole)."""
    if "<think>" not in text.lower():
        return text
    return _THINK.sub("", text).strip()
