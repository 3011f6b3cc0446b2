"""The one seam between the toolkit and a chat endpoint.

    ChatRequest --ChatClient.complete()--> ChatResponse

Implementations side by side (one method each, as httpx's transports): `OpenAIChat` (the official SDK,
any OpenAI-compatible endpoint), `toolkit.chat.scripted.ScriptedChat` (in-process double: queued replies,
recorded requests), the local llama.cpp server (`toolkit.chat.local`) and the OpenAI Batch API
(`toolkit.chat.batch_api.BatchAPIChat`). Caching is one wrapper around any of them:
`toolkit.chat.cache.CachedChat`.

`OpenAIChat` sends what the model takes (`toolkit.chat.model_facts`: `max_completion_tokens` and no
temperature for reasoning models, `reasoning_effort`), and learns per endpoint any parameter the
server rejects with HTTP 400/422 naming it (sent again at once without it, or renamed), structured
output included: `json_schema` (strict), then `json_object`, then none (prose with inline markers).
It has a concurrency bound, streaming, and retries with exponential backoff and jitter on 429 / 5xx /
timeouts / dropped connections (honouring Retry-After). `<think>...</think>` blocks (DeepSeek-R1-style
models) are removed from answers. Usage the server does not report is marked (`usage_reported`),
never counted as 0 tokens. Failures end in
`ConfigError` (fix a setting), `EndpointError` (the endpoint kept failing) or `ResponseError` (the
answer was unreadable), with messages that name the endpoint URL but never the API key.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import random
import re
import ssl
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

import openai

from ..errors import ConfigError, EndpointError, ResponseError
from ..models import Usage
from .endpoint import EndpointConfig, make_client
from .seam import ChatClient, ChatRequest, ChatResponse, Message, strip_thinking

if TYPE_CHECKING:
    from .cache import ResponseCache
    from .model_facts import ModelInfo

__all__ = [
    "ChatClient",
    "ChatRequest",
    "ChatResponse",
    "Message",
    "OpenAIChat",
    "chat_factory",
    "chat_factory_set",
    "endpoint_identity",
    "endpoint_params",
    "forget_learned",
    "make_chat",
    "retry_after_seconds",
    "strip_thinking",
    "wire_params",
]

log = logging.getLogger(__name__)

RETRY_AFTER_CAP = 60.0


# Request parameters a server may reject that we can do without (sent again at once without them).
_OPTIONAL = ("temperature", "seed", "reasoning_effort", "top_p", "stream_options", "parallel_tool_calls")
# How servers say they do not take a parameter (or a value of it), as opposed to a value being too big.
_REJECTION = re.compile(
    r"unsupported|not supported|does not support|unrecognized|unknown (parameter|field|argument)"
    r"|not allowed|not permitted|extra (fields|inputs)|extra_forbidden|literal_error|input should be"
    r"|only the default"
)
_PARAM_IN_TEXT = re.compile(r"['\"`]([a-z_]+)['\"`]|argument supplied: ([a-z_]+)|parameter:? ([a-z_]+)")


Sleep = Callable[[float], Awaitable[Any]]


@dataclass(frozen=True)
class _Learned:
    token_param: str
    dropped: frozenset[str]
    format_level: int
    notes: tuple[str, ...]


# What each endpoint (URL, model, Azure API version) rejected, so the next client skips the 400s.
_LEARNED: dict[tuple[str, str, str], _Learned] = {}


def endpoint_params(request: ChatRequest, config: EndpointConfig, info: ModelInfo) -> dict[str, Any]:
    """`wire_params` with what this process has learned about `config`'s endpoint (for callers that
    build request bodies themselves, such as the Batch API's JSONL lines)."""
    memo = _LEARNED.get((config.url, config.model, config.azure_api_version or ""))
    if memo is None:
        return wire_params(request, info)
    return wire_params(
        request, info, token_param=memo.token_param, dropped=memo.dropped, level=memo.format_level
    )


def forget_learned() -> None:
    """Forget what endpoints taught this process (rejected parameters): the next request finds out anew."""
    _LEARNED.clear()


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
        info: ModelInfo | None = None,
    ) -> None:
        from .model_facts import model_info

        self.config = config
        self.info = info or model_info(config.model)
        # `cache` is a shortcut for wrapping this client in `toolkit.chat.cache.CachedChat`.
        self.cache = cache
        self._cached: ChatClient | None = None
        if cache is not None:
            from .cache import CachedChat

            self._cached = CachedChat(_Uncached(self), cache, **endpoint_identity(config, cache_namespace))
        self.cache_namespace = cache_namespace
        self.usage = Usage()
        # What this endpoint has taught us (shared by the clients of one endpoint and model in this
        # process): parameters it rejected, the output-budget parameter it takes, and the best
        # structured-output level it accepts (2 JSON Schema, 1 JSON mode, 0 none).
        self._memo_key = (config.url, config.model, config.azure_api_version or "")
        memo = _LEARNED.get(self._memo_key)
        self.token_param = memo.token_param if memo else self.info.token_param
        self.dropped: set[str] = set(memo.dropped) if memo else set()
        if not self.info.sampling:
            self.dropped |= {"temperature", "top_p"}
        self.format_level = memo.format_level if memo else 2
        self.learned: list[str] = list(memo.notes) if memo else []
        self._client = client
        self._owns_client = client is None
        self._client_loop: asyncio.AbstractEventLoop | None = None
        self._sleep = sleep
        self._backoff_base = backoff_base
        self._backoff_cap = backoff_cap
        self._jitter = jitter
        self._semaphore: asyncio.Semaphore | None = None
        self._semaphore_loop: asyncio.AbstractEventLoop | None = None

    # --- lifecycle ------------------------------------------------------------------------------
    @property
    def client(self) -> openai.AsyncOpenAI:
        loop = _running_loop()
        if self._client is None or (self._owns_client and loop is not None and loop is not self._client_loop):
            self._client = make_client(self.config)  # an SDK client is bound to the loop it first ran on
            self._client_loop = loop
        return self._client

    @property
    def signals_sent(self) -> bool:
        """Whether this client's calls run `endpoint.signal_when_sent`'s callback once their request is
        written (clients made by `make_client` do; a client passed in may not)."""
        return self._owns_client

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
    @property
    def json_mode_supported(self) -> bool:
        return self.format_level >= 1

    @property
    def stream_usage_supported(self) -> bool:
        return "stream_options" not in self.dropped

    async def complete(self, request: ChatRequest) -> ChatResponse:
        if self._cached is not None:
            response = await self._cached.complete(request)
        else:
            response = await self._uncached(request)
        self.usage += response.usage
        return response

    def forget(self, request: ChatRequest) -> None:
        """Drop a cached answer the caller could not use (no-op without a cache)."""
        forget = getattr(self._cached, "forget", None)
        if forget is not None:
            forget(request)

    async def _uncached(self, request: ChatRequest) -> ChatResponse:
        async with self._bound():
            return await self._with_retries(request)

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
        """One try: the answer, or the error to raise. A 400/422 naming a parameter we can do without
        teaches this client to leave it out (or rename it) and repeats the try at once."""
        for _ in range(8):  # at most a few parameters to learn per request
            body = self._body(request)
            try:
                return await self._send(request, body)
            except (openai.BadRequestError, openai.UnprocessableEntityError) as exc:
                if self._learn(exc, body):
                    continue
                return self._error(exc, tries)
            except openai.InternalServerError as exc:  # llama-cpp-python: a validation error as HTTP 500
                if self._learn(exc, body, plain_rejection=True):
                    continue
                return self._error(exc, tries)
            except (openai.APIError, json.JSONDecodeError, ResponseError) as exc:
                return self._error(exc, tries)
        return self._error(ResponseError(f"{self.config.url} kept rejecting request parameters"), tries)

    def _body(self, request: ChatRequest) -> dict[str, Any]:
        """The request body for this endpoint as far as we know it."""
        return wire_params(
            request, self.info, token_param=self.token_param, dropped=self.dropped, level=self.format_level
        )

    def _learn(
        self, exc: openai.APIStatusError, body: dict[str, Any], *, plain_rejection: bool = False
    ) -> bool:
        """Adapt to a rejected parameter; False when the error names none we can do without.
        `plain_rejection`: learn only from words that say the parameter is not taken (a 500)."""
        detail = exc.body if isinstance(exc.body, dict) else {}
        message = str(detail.get("message") or exc.message or "")
        named = detail.get("param")
        candidates = [named] if isinstance(named, str) and named in body else []
        lowered = (message + " " + json.dumps(exc.body, default=str)).lower()  # FastAPI: {"detail": [...]}
        for m in _PARAM_IN_TEXT.finditer(lowered):
            word = next(g for g in m.groups() if g)
            if word in body and word not in candidates:
                candidates.append(word)
        if not candidates and "response_format" in body and ("json" in lowered or "format" in lowered):
            candidates = ["response_format"]
        rejection = bool(_REJECTION.search(lowered))
        for param in candidates:
            if not rejection and (plain_rejection or param not in ("response_format", "stream_options")):
                continue  # a bad value (a budget over the model's limit...), not a parameter it lacks
            if param in ("max_tokens", "max_completion_tokens"):
                other = "max_completion_tokens" if param == "max_tokens" else "max_tokens"
                if self.token_param == param and other not in self.dropped:
                    self.token_param = other
                    self._note(f"takes {other} instead of {param}")
                    return True
                self.dropped.add(param)
                self._note(f"rejects {param}: sent without an output limit")
                return True
            if param == "response_format" and self.format_level > 0:
                sent = body["response_format"].get("type")
                self.format_level = 1 if sent == "json_schema" else 0
                self._note(
                    f"rejects response_format {sent}: " + ("JSON mode" if self.format_level else "prose")
                )
                return True
            if param in _OPTIONAL or (param in body and param not in ("model", "messages", "stream")):
                if param in self.dropped:
                    continue
                self.dropped.add(param)
                self._note(f"rejects {param}: sent without it")
                return True
        return False

    def _note(self, what: str) -> None:
        note = f"{self.config.url} ({self.config.model}) {what}"
        log.info("%s", note)
        if note not in self.learned:
            self.learned.append(note)
        _LEARNED[self._memo_key] = _Learned(
            self.token_param, frozenset(self.dropped), self.format_level, tuple(self.learned)
        )

    async def _send(self, request: ChatRequest, body: dict[str, Any]) -> ChatResponse:
        cfg = self.config
        known = ("temperature", "max_tokens", "max_completion_tokens", "seed", "response_format",
                 "reasoning_effort", "stream_options")  # fmt: skip
        kwargs: dict[str, Any] = {k: body[k] for k in known if k in body}
        extra = {k: v for k, v in body.items() if k not in known}
        common: dict[str, Any] = {
            "model": cfg.model,
            "messages": request.message_dicts(),
            **{k: v for k, v in kwargs.items() if k != "stream_options"},
            "extra_body": extra or None,
        }
        completions = self.client.chat.completions
        if not request.stream:
            return self._read_completion(await completions.create(**common))
        stream = await completions.create(
            **common, stream=True, stream_options=kwargs.get("stream_options", openai.omit)
        )
        if "json" in stream.response.headers.get("content-type", "").lower():
            # A server or proxy that ignores `stream` answers one JSON completion (no SSE events): the
            # answer is there and paid for, so read it rather than retry an "empty stream".
            from openai.types.chat import ChatCompletion

            async with stream:  # closes the connection
                raw = await stream.response.aread()
            try:
                completion = ChatCompletion.model_validate(json.loads(raw))
            except ValueError:  # a JSONDecodeError or pydantic's ValidationError
                raise ResponseError(f"{cfg.url} returned a completion of the wrong shape") from None
            response = self._read_completion(completion)
            if request.on_text is not None and response.text:
                request.on_text(response.text)
            return response
        return await self._read_stream(request, stream)

    def _read_completion(self, completion: Any) -> ChatResponse:
        """A whole (not streamed) completion as a ChatResponse."""
        cfg = self.config
        try:  # a server may send any shape: wrong types become a ResponseError, never a traceback
            if not completion.choices:
                raise ResponseError(f"{cfg.url} returned a completion without choices")
            choice = completion.choices[0]
            usage = completion.usage
            content = choice.message.content
            if content is not None and not isinstance(content, str):
                raise TypeError(f"message content is {type(content).__name__}")
            details = getattr(usage, "completion_tokens_details", None) if usage else None
            return ChatResponse(
                text=strip_thinking(cfg.redact(content or "")),  # a proxy may echo the key
                finish_reason=choice.finish_reason if isinstance(choice.finish_reason, str) else None,
                prompt_tokens=int(usage.prompt_tokens or 0) if usage else 0,
                completion_tokens=int(usage.completion_tokens or 0) if usage else 0,
                model=cfg.redact(str(completion.model or cfg.model)),
                usage_reported=usage is not None,
                reasoning_tokens=int(getattr(details, "reasoning_tokens", 0) or 0) if details else 0,
            )
        except (AttributeError, TypeError, ValueError, KeyError, IndexError) as e:
            raise ResponseError(
                f"{cfg.url} returned a completion of the wrong shape ({type(e).__name__})"
            ) from None

    async def _read_stream(self, request: ChatRequest, stream: Any) -> ChatResponse:
        """The deltas of a streamed completion assembled into a ChatResponse."""
        cfg = self.config
        parts: list[str] = []
        finish: str | None = None
        prompt_tokens = completion_tokens = 0
        reported = False
        model = ""
        async with stream:
            async for chunk in stream:
                model = chunk.model or model
                if chunk.usage is not None:
                    reported = True
                    prompt_tokens = chunk.usage.prompt_tokens
                    completion_tokens = chunk.usage.completion_tokens
                for choice in chunk.choices:
                    if choice.index == 0:
                        parts.append(choice.delta.content or "")
                        finish = choice.finish_reason or finish
                        if request.on_text is not None and choice.delta.content:
                            request.on_text(choice.delta.content)
        if finish is None:
            raise ResponseError(f"{cfg.url} ended the stream without a finish_reason")
        return ChatResponse(
            text=strip_thinking(cfg.redact("".join(parts))),
            finish_reason=finish,
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            model=cfg.redact(model or cfg.model),
            usage_reported=reported,
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
            if status in (400, 413, 422) and _CONTEXT_WORDS.search(said):
                return EndpointError(
                    f"{url} refused the prompt as longer than {m}'s context (HTTP {status}): pass --context "
                    f"with the context the server gives the model (vLLM: its --max-model-len) so the "
                    f"toolkit splits the work to fit. {said}",
                    status=status,
                )
            return EndpointError(f"{url} rejected the request (HTTP {status}, {m}). {said}", status=status)
        if isinstance(exc, openai.APITimeoutError):
            fix = "raise the timeout, lower --concurrency, or check OPENAI_BASE_URL"
            return _Retryable(
                EndpointError(f"{url} did not answer within {cfg.timeout:g} s {on}, {m}: {fix}.")
            )
        cert = _certificate_failure(exc) if isinstance(exc, openai.APIConnectionError) else ""
        if cert:  # repeating cannot help: the trusted certificates are a setting
            now = "; ".join(
                f"{v}={os.environ[v]}" for v in ("SSL_CERT_FILE", "SSL_CERT_DIR") if os.environ.get(v)
            )
            return ConfigError(
                f"could not verify the TLS certificate of {url} ({cert}): when the endpoint's certificate "
                "is its own or from a private certificate authority, set SSL_CERT_FILE to the PEM file "
                f"that holds it{f' (now {now})' if now else ''}. {said}"
            )
        if isinstance(exc, openai.APIConnectionError):
            fix = "check OPENAI_BASE_URL and that the server is running" + _proxy_note(url)
            return _Retryable(EndpointError(f"could not connect to {url} {on}, {m}: {fix}. {said}"))
        fix = "check that OPENAI_BASE_URL is an OpenAI-compatible /v1 endpoint"
        return _Retryable(ResponseError(f"{url} returned an unreadable answer {on}, {m}: {fix}. {said}"))

    def _detail(self, exc: BaseException) -> str:
        body = getattr(exc, "body", None)
        message = body.get("message") if isinstance(body, dict) else None
        if not message and isinstance(body, dict) and body.get("detail"):  # FastAPI-style servers
            message = json.dumps(body["detail"], default=str)
        text = message if isinstance(message, str) and message else str(exc)
        cause = exc.__cause__ or exc.__context__
        if isinstance(exc, openai.APIConnectionError) and cause is not None and str(cause):
            text = f"{text} ({type(cause).__name__}: {cause})"
        return self.config.redact(text)[:300]  # the key, its pieces and key shapes masked


def _proxy_note(url: str) -> str:
    """A clause naming the proxy the environment sets for `url` (HTTPS_PROXY, HTTP_PROXY, ALL_PROXY;
    NO_PROXY honoured, the proxy's password masked), for a connection error: the connection that
    failed may be the one to the proxy. "" when no proxy applies."""
    import urllib.request
    from urllib.parse import urlsplit

    from .endpoint import redact_url

    parts = urlsplit(url)
    host = parts.hostname or ""
    proxies = urllib.request.getproxies_environment()
    proxy = proxies.get(parts.scheme.lower()) or proxies.get("all")
    where = f"{host}:{parts.port}" if parts.port else host
    if not proxy or urllib.request.proxy_bypass_environment(where, proxies):  # type: ignore[attr-defined]
        return ""
    return (
        f", or the proxy the environment names for it ({redact_url(proxy)}; NO_PROXY={host} "
        "makes requests to the endpoint bypass it)"
    )


def _certificate_failure(exc: BaseException) -> str:
    """Why the server's TLS certificate was refused, when that is why `exc` (a connection error)
    happened; "" otherwise. The reason rides in the chain of causes (`ssl.SSLCertVerificationError`,
    or its text inside the HTTP library's own error)."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, ssl.SSLCertVerificationError):
            return str(cause.verify_message or cause.reason or "certificate verify failed")
        if "CERTIFICATE_VERIFY_FAILED" in str(cause):
            said = str(cause)
            return said.split("certificate verify failed:", 1)[-1].split("(_ssl", 1)[0].strip() or said
        cause = cause.__cause__ or cause.__context__
    return ""


_CONTEXT_WORDS = re.compile(
    r"(?i)maximum context length|context length exceeded|context_length_exceeded|exceeds? the context"
    r"|prompt is too long|too many tokens"
)


def wire_params(
    request: ChatRequest,
    info: ModelInfo,
    *,
    token_param: str | None = None,
    dropped: set[str] | frozenset[str] = frozenset(),
    level: int = 2,
) -> dict[str, Any]:
    """The body parameters (besides model and messages) `request` becomes for a model with `info`:
    the output budget under the name the model takes, no sampling parameters for models that reject
    them, `reasoning_effort` where taken, and the best structured-output `level` allowed (2 JSON
    Schema, 1 JSON mode, 0 none). Parameters in `dropped` (learned rejections) are left out."""
    level = min(level, 2 if request.json_schema else 1 if request.json_mode else 0)
    response_format: dict[str, Any] | None = None
    if level == 2 and request.json_schema is not None:
        response_format = {
            "type": "json_schema",
            "json_schema": {"strict": True, **dict(request.json_schema)},
        }
    elif level == 1:
        response_format = {"type": "json_object"}
    effort = request.reasoning_effort or info.reasoning_effort
    skip = set(dropped) | (set() if info.sampling else {"temperature", "top_p"})
    body: dict[str, Any] = {
        "temperature": request.temperature,
        token_param or info.token_param: request.max_tokens,
        "seed": request.seed,
        "response_format": response_format,
        "reasoning_effort": effort if (info.effort_param or request.reasoning_effort) else None,
    }
    body.update(request.extra)
    if request.stream:
        body["stream_options"] = {"include_usage": True}
    return {k: v for k, v in body.items() if v is not None and k not in skip}


class _Uncached:
    """`OpenAIChat` without its cache shortcut, for `CachedChat` to wrap."""

    def __init__(self, chat: OpenAIChat) -> None:
        self.chat = chat

    async def complete(self, request: ChatRequest) -> ChatResponse:
        return await self.chat._uncached(request)


def endpoint_identity(config: EndpointConfig, namespace: str | None = None) -> dict[str, Any]:
    """What names an endpoint in cache keys: its URL (or a stabler `namespace`, e.g. a local model
    file when the server's port changes between runs), the model and Azure's API version."""
    return {
        "namespace": namespace or config.url,
        "model": config.model,
        "azure_api_version": config.azure_api_version,
    }


ChatFactory = Callable[[EndpointConfig], ChatClient]
_FACTORY: ContextVar[ChatFactory | None] = ContextVar("brief_chat_factory", default=None)


@contextmanager
def chat_factory(factory: ChatFactory) -> Iterator[None]:
    """Within the block, `engine="openai"` talks through `factory(config)` instead of the SDK client
    (e.g. `toolkit.chat.scripted.ScriptedChat` for a demo with no key, or a client of your own)."""
    token = _FACTORY.set(factory)
    try:
        yield
    finally:
        _FACTORY.reset(token)


def chat_factory_set() -> bool:
    """True inside a `chat_factory` block (no SDK client: nothing goes over the network)."""
    return _FACTORY.get() is not None


def make_chat(config: EndpointConfig, *, cache: ResponseCache | None = None) -> ChatClient:
    """The chat client for `config`: the one set with `chat_factory`, else `OpenAIChat` (cached)."""
    override = _FACTORY.get()
    if override is not None:
        return override(config)
    return OpenAIChat(config, cache=cache)


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
