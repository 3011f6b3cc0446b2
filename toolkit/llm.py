"""The one seam between the toolkit and a chat endpoint.

    ChatRequest --ChatClient.complete()--> ChatResponse

`OpenAIChat` implements `ChatClient` over any OpenAI-compatible endpoint with the official SDK:
an optional on-disk cache (`toolkit.cache.ResponseCache`), a concurrency bound, JSON mode with a
fallback for servers that reject `response_format`, streaming, and retries with exponential backoff
and jitter on 429 / 5xx / timeouts / dropped connections (honouring Retry-After). Failures end in
`ConfigError` (fix a setting), `EndpointError` (the endpoint kept failing) or `ResponseError` (the
answer was unreadable), with messages that name the endpoint URL but never the API key.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import openai

from .endpoint import EndpointConfig, make_client
from .errors import ConfigError, EndpointError, PromptError, ResponseError
from .models import Usage

if TYPE_CHECKING:
    from .cache import ResponseCache

__all__ = [
    "ChatClient",
    "ChatRequest",
    "ChatResponse",
    "Message",
    "OpenAIChat",
    "retry_after_seconds",
]

log = logging.getLogger(__name__)

Message = tuple[str, str] | Mapping[str, Any]
_ROLES = {"system", "user", "assistant", "developer", "tool"}
RETRY_AFTER_CAP = 60.0


@dataclass(frozen=True)
class ChatRequest:
    """One chat call. `messages` are `(role, content)` pairs or OpenAI-style dicts; `extra` holds any
    further body parameters (sent as-is and part of the cache key)."""

    messages: tuple[Message, ...]
    temperature: float = 0.0
    max_tokens: int | None = None
    json_mode: bool = False
    stream: bool = False
    seed: int | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
    # With `stream`: called with the answer so far each time a piece arrives (never cached or sent).
    on_text: Callable[[str], None] | None = field(default=None, compare=False, repr=False)

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

    @property
    def truncated(self) -> bool:
        return self.finish_reason == "length"

    @property
    def usage(self) -> Usage:
        """What this answer cost: a cached answer counts as a cached call with no new tokens."""
        if self.cached:
            return Usage(cached_calls=1)
        return Usage(calls=1, prompt_tokens=self.prompt_tokens, completion_tokens=self.completion_tokens)


@runtime_checkable
class ChatClient(Protocol):
    async def complete(self, request: ChatRequest) -> ChatResponse: ...


Sleep = Callable[[float], Awaitable[Any]]


class _Retryable(Exception):
    """One failed try that may succeed if repeated; `final` is raised when the tries run out."""

    def __init__(self, final: Exception, retry_after: float | None = None) -> None:
        super().__init__(str(final))
        self.final = final
        self.retry_after = retry_after


class OpenAIChat:
    """`ChatClient` over the official openai SDK (any OpenAI-compatible endpoint).

    Use one instance per endpoint and event loop, and `await chat.aclose()` (or `async with`) at the end.
    `sleep` is injectable so tests can record backoff waits instead of sleeping.
    """

    def __init__(
        self,
        config: EndpointConfig,
        client: openai.AsyncOpenAI | None = None,
        cache: ResponseCache | None = None,
        sleep: Sleep = asyncio.sleep,
        *,
        cache_namespace: str | None = None,
        backoff_base: float = 1.0,
        backoff_cap: float = 30.0,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.config = config
        self.cache = cache
        # What identifies the endpoint in cache keys: its URL, unless the URL changes between runs
        # (a local server on a fresh port) and something stabler names it.
        self.cache_namespace = cache_namespace
        self.usage = Usage()
        self._client = client
        self._owns_client = client is None
        self._client_loop: asyncio.AbstractEventLoop | None = None
        self._sleep = sleep
        self._backoff_base = backoff_base
        self._backoff_cap = backoff_cap
        self._jitter = jitter
        self._semaphore: asyncio.Semaphore | None = None
        self._semaphore_loop: asyncio.AbstractEventLoop | None = None
        self.json_mode_supported = True  # set False once the endpoint rejects response_format
        self.stream_usage_supported = True  # set False once the endpoint rejects stream_options

    # --- lifecycle ------------------------------------------------------------------------------
    @property
    def client(self) -> openai.AsyncOpenAI:
        loop = _running_loop()
        if self._client is None or (self._owns_client and loop is not None and loop is not self._client_loop):
            self._client = make_client(self.config)  # an SDK client is bound to the loop it first ran on
            self._client_loop = loop
        return self._client

    async def aclose(self) -> None:
        client, self._client = self._client, None
        if client is not None and self._owns_client:
            await client.close()

    async def __aenter__(self) -> OpenAIChat:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"OpenAIChat(url={self.config.url!r}, model={self.config.model!r})"

    def _bound(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        if self._semaphore is None or self._semaphore_loop is not loop:
            self._semaphore = asyncio.Semaphore(self.config.max_concurrency)
            self._semaphore_loop = loop
        return self._semaphore

    # --- the call -------------------------------------------------------------------------------
    async def complete(self, request: ChatRequest) -> ChatResponse:
        key = None
        if self.cache is not None:
            key = self.cache.key_for(
                request,
                base_url=self.cache_namespace or self.config.url,
                model=self.config.model,
                azure_api_version=self.config.azure_api_version,
            )
            hit = self.cache.get(key)
            if hit is not None:
                self.usage += hit.usage
                return hit
        async with self._bound():
            response = await self._with_retries(request)
        self.usage += response.usage
        if self.cache is not None and key is not None:
            self.cache.put(key, response)
        return response

    async def _with_retries(self, request: ChatRequest) -> ChatResponse:
        tries = self.config.max_retries + 1
        for attempt in range(1, tries + 1):
            outcome = await self._attempt(request, tries)
            if isinstance(outcome, ChatResponse):
                return outcome
            if not isinstance(outcome, _Retryable):
                raise outcome  # raised outside any `except`: no SDK exception (or key) rides along
            if attempt == tries:
                raise outcome.final
            delay = outcome.retry_after
            if delay is None:
                span = min(self._backoff_cap, self._backoff_base * 2 ** (attempt - 1))
                delay = span / 2 + self._jitter() * span / 2
            log.info(
                "retrying %s in %.2f s (try %d of %d): %s",
                self.config.url,
                delay,
                attempt + 1,
                tries,
                outcome,
            )
            await self._sleep(delay)
        raise AssertionError("unreachable")

    async def _attempt(self, request: ChatRequest, tries: int) -> ChatResponse | Exception:
        """One try: the answer, or the error to raise. Feature fallbacks (response_format,
        stream_options) repeat the try at once."""
        while True:
            json_sent = request.json_mode and self.json_mode_supported
            usage_sent = request.stream and self.stream_usage_supported
            try:
                return await self._send(request, json_sent, usage_sent)
            except (openai.BadRequestError, openai.UnprocessableEntityError) as exc:
                text = (str(exc) + " " + json.dumps(exc.body, default=str)).lower()
                if json_sent and "response_format" in text:
                    log.info("%s rejects response_format: JSON mode off for this endpoint", self.config.url)
                    self.json_mode_supported = False
                    continue
                if usage_sent and "stream_options" in text:
                    self.stream_usage_supported = False
                    continue
                return self._error(exc, tries)
            except (openai.APIError, json.JSONDecodeError, ResponseError) as exc:
                return self._error(exc, tries)

    async def _send(self, request: ChatRequest, json_mode: bool, stream_usage: bool) -> ChatResponse:
        cfg = self.config
        common: dict[str, Any] = {
            "model": cfg.model,
            "messages": request.message_dicts(),
            "temperature": request.temperature,
            "max_tokens": request.max_tokens if request.max_tokens is not None else openai.omit,
            "seed": request.seed if request.seed is not None else openai.omit,
            "response_format": {"type": "json_object"} if json_mode else openai.omit,
            "extra_body": dict(request.extra) or None,
        }
        completions = self.client.chat.completions
        if not request.stream:
            completion = await completions.create(**common)
            if not completion.choices:
                raise ResponseError(f"{cfg.url} returned a completion without choices")
            choice = completion.choices[0]
            usage = completion.usage
            return ChatResponse(
                text=cfg.redact(choice.message.content or ""),  # a proxy may echo the key: never keep it
                finish_reason=choice.finish_reason,
                prompt_tokens=usage.prompt_tokens if usage else 0,
                completion_tokens=usage.completion_tokens if usage else 0,
                model=completion.model or cfg.model,
            )
        stream = await completions.create(
            **common, stream=True, stream_options={"include_usage": True} if stream_usage else openai.omit
        )
        parts: list[str] = []
        finish: str | None = None
        prompt_tokens = completion_tokens = 0
        model = ""
        async with stream:
            async for chunk in stream:
                model = chunk.model or model
                if chunk.usage is not None:
                    prompt_tokens = chunk.usage.prompt_tokens
                    completion_tokens = chunk.usage.completion_tokens
                for choice in chunk.choices:
                    if choice.index == 0:
                        parts.append(choice.delta.content or "")
                        finish = choice.finish_reason or finish
                        if request.on_text is not None and choice.delta.content:
                            request.on_text(cfg.redact("".join(parts)))
        if finish is None:
            raise ResponseError(f"{cfg.url} ended the stream without a finish_reason")
        return ChatResponse(
            text=cfg.redact("".join(parts)),
            finish_reason=finish,
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            model=model or cfg.model,
        )

    # --- errors ---------------------------------------------------------------------------------
    def _error(self, exc: Exception, tries: int) -> Exception:
        """Translate an SDK failure into a toolkit error (wrapped in _Retryable when worth repeating)."""
        cfg = self.config
        url, model, m = cfg.url, cfg.model, f"model '{cfg.model}'"
        on = f"on all {tries} tries" if tries > 1 else "(retries off)"
        said = f"Server said: {self._detail(exc)}"
        if isinstance(exc, openai.AuthenticationError):
            return ConfigError(
                f"{url} rejected the API key (HTTP 401): set OPENAI_API_KEY to a valid key for this "
                f"endpoint (and OPENAI_BASE_URL if the endpoint is not {url}). {said}"
            )
        if isinstance(exc, openai.PermissionDeniedError):
            return ConfigError(
                f"{url} refused access (HTTP 403) to model '{model}': check that OPENAI_API_KEY may use "
                f"it, or choose another with OPENAI_MODEL. {said}"
            )
        if isinstance(exc, openai.NotFoundError):
            return ConfigError(
                f"{url} answered HTTP 404 for model '{model}': check OPENAI_MODEL and OPENAI_BASE_URL "
                f"(it usually ends in /v1). {said}"
            )
        if isinstance(exc, openai.APIStatusError):
            status, wait = exc.status_code, retry_after_seconds(exc.response.headers)
            if status == 429 and (exc.code == "insufficient_quota" or "quota" in said.lower()):
                fix = "the account's quota is used up: check its billing"
                return EndpointError(f"{url} answered HTTP 429 for {m}: {fix}. {said}", status=429)
            if status == 429:
                fix = f"lower --concurrency (now {cfg.max_concurrency}) or wait and retry"
                msg = f"rate limited by {url} (HTTP 429) {on}, {m}: {fix}. {said}"
                return _Retryable(EndpointError(msg, status=429), wait)
            if status >= 500 or status in (408, 409):
                fix = "the server is failing: check it is up and OPENAI_BASE_URL points at it, or retry later"
                msg = f"{url} answered HTTP {status} {on}, {m}: {fix}. {said}"
                return _Retryable(EndpointError(msg, status=status), wait)
            return EndpointError(f"{url} rejected the request (HTTP {status}, {m}). {said}", status=status)
        if isinstance(exc, openai.APITimeoutError):
            fix = "raise the timeout, lower --concurrency, or check OPENAI_BASE_URL"
            return _Retryable(
                EndpointError(f"{url} did not answer within {cfg.timeout:g} s {on}, {m}: {fix}.")
            )
        if isinstance(exc, openai.APIConnectionError):
            fix = "check OPENAI_BASE_URL and that the server is running"
            return _Retryable(EndpointError(f"could not connect to {url} {on}, {m}: {fix}. {said}"))
        fix = "check that OPENAI_BASE_URL is an OpenAI-compatible /v1 endpoint"
        return _Retryable(ResponseError(f"{url} returned an unreadable answer {on}, {m}: {fix}. {said}"))

    def _detail(self, exc: BaseException) -> str:
        body = getattr(exc, "body", None)
        message = body.get("message") if isinstance(body, dict) else None
        text = message if isinstance(message, str) and message else str(exc)
        cause = exc.__cause__ or exc.__context__
        if isinstance(exc, openai.APIConnectionError) and cause is not None and str(cause):
            text = f"{text} ({type(cause).__name__}: {cause})"
        return _scrub(self.config.redact(text))[:300]


_SECRETS = re.compile(r"(?i)(bearer\s+)\S+|\bsk-[A-Za-z0-9_\-]{6,}")


def _scrub(text: str) -> str:
    """Remove anything that looks like a credential a server echoed back."""
    return _SECRETS.sub(lambda m: (m.group(1) or "") + "***", text)


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def retry_after_seconds(headers: Mapping[str, str], cap: float = RETRY_AFTER_CAP) -> float | None:
    """The wait a Retry-After (seconds or HTTP date) or retry-after-ms header asks for, capped; else None."""
    value = headers.get("retry-after-ms")
    if value is not None:
        try:
            return min(cap, max(0.0, float(value) / 1000))
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        seconds = when.timestamp() - time.time()
    return min(cap, max(0.0, seconds))
