"""Where the chat endpoint is and how to reach it: `EndpointConfig` and the official-SDK client factory.

Any OpenAI-compatible server works: OpenAI itself, Azure OpenAI (set `azure_api_version`), and local
servers (Ollama, vLLM, llama.cpp server, LM Studio) through `OPENAI_BASE_URL`, e.g.
`http://127.0.0.1:11434/v1`. The SDK's own retries are disabled: `toolkit.chat.llm` retries itself.

The API key is never shown: it is left out of `repr`, `model_dump`/`model_dump_json`, and error messages.
"""

from __future__ import annotations

import logging
import os
import ssl
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

from pydantic import BaseModel, ConfigDict, Field

from ..errors import ConfigError

if TYPE_CHECKING:
    import httpx2
    import openai  # loaded by make_client: reading the configuration does not load the SDK
from ..text.safe import scrub

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_MODEL",
    "LOCAL_PLACEHOLDER_KEY",
    "EndpointConfig",
    "announce",
    "is_local_url",
    "make_client",
    "make_sync_client",
    "redact_url",
    "signal_when_sent",
    "tls_context",
]

log = logging.getLogger(__name__)

DEFAULT_MODEL = "gpt-4o-mini"
DEFAULT_BASE_URL = "https://api.openai.com/v1"
LOCAL_PLACEHOLDER_KEY = "not-needed"
_C = TypeVar("_C")  # an SDK client class: openai.OpenAI, openai.AsyncOpenAI
_LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0"}


class EndpointConfig(BaseModel):
    """One chat endpoint: URL, key, model and the client-side limits used against it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    model: str = DEFAULT_MODEL
    base_url: str | None = None
    api_key: str | None = Field(default=None, repr=False, exclude=True)
    timeout: float = Field(default=60.0, gt=0)
    max_retries: int = Field(default=4, ge=0)
    max_concurrency: int = Field(default=8, ge=1)
    azure_api_version: str | None = None

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        for name, value in super().__repr_args__():
            if name == "base_url" and value:
                value = redact_url(value)
            yield name, value
            if name == "base_url":
                yield "api_key", ("***" if self.api_key else None)

    def __getstate__(self) -> dict[Any, Any]:
        raise TypeError("EndpointConfig holds an API key and is not serialised; rebuild it with from_env()")

    @classmethod
    def from_env(
        cls,
        model: str | None = None,
        env: Mapping[str, str] | None = None,
        dotenv_path: str | Path | None = None,
        trust_dotenv: bool = False,
        **overrides: Any,
    ) -> EndpointConfig:
        """Read OPENAI_API_KEY, OPENAI_BASE_URL, OPENAI_MODEL (and OPENAI_API_VERSION for Azure).

        A `.env` file (`dotenv_path`, else `./.env` if present) fills in what `env` (default
        `os.environ`) lacks; real environment variables always win. `os.environ` is never modified.
        A `./.env` found in the working directory may not redirect the key: a base URL that only it
        names is refused (ConfigError) when the key comes from the environment, and when there is no
        key and the URL is not on this machine (it would send every article out) — unless
        `trust_dotenv` (or an explicit `dotenv_path`). A key that is not printable ASCII, or a file
        that is not text, is a ConfigError.
        """
        path = Path(dotenv_path) if dotenv_path is not None else Path.cwd() / ".env"
        if dotenv_path is not None and not path.is_file():
            raise ConfigError(f"dotenv file {path} not found (pass an existing file or dotenv_path=None)")
        filed = _read_dotenv(path) if path.is_file() else {}
        process = os.environ if env is None else env

        def get(name: str) -> str | None:
            value = (process.get(name) or "").strip() or (filed.get(name) or "").strip()
            return value or None

        key, base_url = get("OPENAI_API_KEY"), get("OPENAI_BASE_URL")
        url_from_file = base_url is not None and not (process.get("OPENAI_BASE_URL") or "").strip()
        if url_from_file and (filed.get("OPENAI_API_KEY") or "").strip():
            key = (filed.get("OPENAI_API_KEY") or "").strip()  # the URL and the key from the same file
        key_from_env = key is not None and key == (process.get("OPENAI_API_KEY") or "").strip()
        if url_from_file and dotenv_path is None and base_url is not None and not trust_dotenv:
            if key_from_env:
                raise ConfigError(
                    f"{path} sets OPENAI_BASE_URL={redact_url(base_url)} but OPENAI_API_KEY comes from the "
                    "environment: your key is not sent to a host that only a file in the working "
                    "directory names. Set OPENAI_BASE_URL in the environment too, put the key in that "
                    "file as well, or remove the line"
                )
            if key is None and not is_local_url(base_url):
                raise ConfigError(
                    f"{path} sets OPENAI_BASE_URL={redact_url(base_url)} with no key: the articles would be "
                    "sent to that host. Set OPENAI_BASE_URL in the environment if you mean it, or remove "
                    "the line to run offline"
                )
        if key is not None:
            _check_key(key)
        fields: dict[str, Any] = {
            "model": model or get("OPENAI_MODEL") or DEFAULT_MODEL,
            "base_url": base_url,
            "api_key": key,
            "azure_api_version": get("OPENAI_API_VERSION"),
        }
        fields.update(overrides)
        return cls(**fields)

    def is_configured(self) -> bool:
        """True when there is something to talk to: an API key or a base URL."""
        return bool(self.api_key or self.base_url)

    @property
    def url(self) -> str:
        """The base URL actually used, with any credentials or query string removed (safe to print)."""
        return redact_url(self.base_url or DEFAULT_BASE_URL)

    @property
    def is_local(self) -> bool:
        return self.base_url is not None and is_local_url(self.base_url)

    def effective_api_key(self) -> str:
        """The key to send: the configured one, or a placeholder for keyless custom servers."""
        if self.api_key:
            return self.api_key
        if self.base_url and not _is_openai_cloud(self.base_url):
            return LOCAL_PLACEHOLDER_KEY  # Ollama, vLLM, llama.cpp, LM Studio ignore it
        raise ConfigError(
            "No API key: set OPENAI_API_KEY (or OPENAI_BASE_URL to use a local OpenAI-compatible server, "
            "e.g. http://127.0.0.1:11434/v1 for Ollama)"
        )

    def redact(self, text: str) -> str:
        """`text` with the API key (if any, also its pieces and encodings) and anything shaped like a
        key replaced by *** (`safe_text.scrub`, the one scrubbing function)."""
        return scrub(text, [self.api_key] if self.api_key else [])


def _read_dotenv(path: Path) -> dict[str, str]:
    """The variables of a dotenv file; a file that is not UTF-8 text is a one-line ConfigError."""
    from dotenv import dotenv_values

    try:
        raw = path.read_bytes()
        raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(
            f"{path}: not a readable text .env file ({type(e).__name__}); fix or remove it"
        ) from e
    if b"\x00" in raw:
        raise ConfigError(f"{path}: not a text .env file (it holds NUL bytes); fix or remove it")
    return {k: v for k, v in dotenv_values(path).items() if v is not None}


def _check_key(key: str) -> None:
    if not key.isascii() or not key.isprintable() or any(c.isspace() for c in key):
        raise ConfigError(
            "OPENAI_API_KEY holds a character that is not printable ASCII (a space, a quote mark or "
            "letter pasted from a document?): copy the key again"
        )


def announce(config: EndpointConfig, *, in_process: bool = False) -> None:
    """Say on stderr which host an LLM run calls (before any article is sent), or with `in_process`
    that a chat client set with `toolkit.chat.llm.chat_factory` (the notebooks' scripted model)
    answers in this process."""
    import sys

    from ..text.safe import terminal_safe

    if in_process:
        said = f"brief: the chat client set with chat_factory answers in this process (model {config.model})"
        said += f"; nothing is sent to {config.url}"
    else:
        said = f"brief: sending requests to {config.url} (model {config.model})"
    print(terminal_safe(said), file=sys.stderr)


def is_local_url(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return host in _LOCAL_HOSTS or host.startswith("127.")


def _is_openai_cloud(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return host == "api.openai.com" or host.endswith(".openai.azure.com")


def redact_url(url: str) -> str:
    """Drop user:password@ and the query string (some gateways carry keys there)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<invalid URL>"
    netloc = parts.hostname or ""
    if ":" in netloc:
        netloc = f"[{netloc}]"
    if parts.port is not None:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


_TLS: dict[tuple[str, str], ssl.SSLContext] = {}
# What to call once a request's body has been written to the connection (see `signal_when_sent`).
_ON_SENT: ContextVar[Callable[[], object] | None] = ContextVar("brief_on_sent", default=None)


@contextmanager
def signal_when_sent(callback: Callable[[], object]) -> Iterator[None]:
    """Calls made inside this block (and in asyncio tasks created inside it, which copy the context)
    through a `make_client` client call `callback()` as soon as their request body has been written
    to the connection: work that would compete with sending it (CPU in another thread takes the
    interpreter lock from the event loop) can start then. A call answered without a request (a
    cached answer) never calls it; a retried or redirected call calls it again for each request written.
    An exception from `callback` is logged, never raised into the call (its request has gone out)."""
    token = _ON_SENT.set(callback)
    try:
        yield
    finally:
        _ON_SENT.reset(token)


async def _watch_sent(request: httpx2.Request) -> None:
    """httpx2 request hook: wrap the body so that `_ON_SENT`'s callback runs after its last byte."""
    import httpx2

    callback = _ON_SENT.get()
    if callback is not None and isinstance(request.stream, httpx2.AsyncByteStream):
        request.stream = _sent_signal()(request.stream, callback)


@cache
def _sent_signal() -> Callable[[httpx2.AsyncByteStream, Callable[[], object]], httpx2.AsyncByteStream]:
    """The body wrapper `_watch_sent` uses (made on first use: httpx2 loads with the SDK, not here)."""
    import httpx2

    class SentSignal(httpx2.AsyncByteStream):
        """A request body that calls `callback` once the connection has taken all of it (the HTTP
        library asks for the next piece only after writing the one before)."""

        def __init__(self, stream: httpx2.AsyncByteStream, callback: Callable[[], object]) -> None:
            self.stream = stream
            self.callback = callback

        async def __aiter__(self) -> AsyncIterator[bytes]:
            async for piece in self.stream:
                yield piece
            try:
                self.callback()
            except Exception as e:  # the request went out: a failing callback must not fail it
                log.warning("signal_when_sent callback failed: %s: %s", type(e).__name__, scrub(str(e)))

        async def aclose(self) -> None:
            await self.stream.aclose()

    return SentSignal


def tls_context() -> ssl.SSLContext:
    """The TLS context every SDK client of this process verifies servers with: the one the SDK's HTTP
    library builds by default (`httpx2.create_ssl_context()`: the system's CA certificates,
    `SSL_CERT_FILE` / `SSL_CERT_DIR` honoured), built once per value of those two variables. Building
    it reads the whole CA bundle (about 16 ms), which every client paid again before the first request
    of every run. Raises `ConfigError` (naming the variable) when SSL_CERT_FILE or SSL_CERT_DIR cannot be
    read as CA certificates; a failure is not remembered. The HTTP library sets the context's ALPN
    protocols on every connection: give it only to HTTP/1.1 clients (as the SDK's default ones are), never
    to one made with `http2=True`, or a client could be offered a protocol it does not speak."""
    import httpx2

    key = (os.environ.get("SSL_CERT_FILE", ""), os.environ.get("SSL_CERT_DIR", ""))
    if key not in _TLS:
        try:
            _TLS[key] = httpx2.create_ssl_context()
        except (OSError, ValueError) as e:  # ssl.SSLError is an OSError
            name, value = ("SSL_CERT_FILE", key[0]) if key[0] else ("SSL_CERT_DIR", key[1])
            why = e.strerror or str(e) if isinstance(e, OSError) else str(e)
            raise ConfigError(
                f"{name}={value} could not be read as CA certificates ({why}): point it at the PEM file "
                "of the certificate authority that signed the endpoint's certificate, or unset it to "
                "use the system's"
            ) from None
    return _TLS[key]


def make_client(config: EndpointConfig) -> openai.AsyncOpenAI:
    """An async SDK client for `config`, SDK retries disabled. Close it with `await client.close()`."""
    import openai

    hooks = {"event_hooks": {"request": [_watch_sent]}}  # `signal_when_sent`
    return _sdk_client(
        config, openai.AsyncOpenAI, openai.AsyncAzureOpenAI, openai.DefaultAsyncHttpxClient, hooks
    )


def make_sync_client(config: EndpointConfig) -> openai.OpenAI:
    """The blocking twin of `make_client` (for scripts and quick checks). Close it with `client.close()`."""
    import openai

    return _sdk_client(config, openai.OpenAI, openai.AzureOpenAI, openai.DefaultHttpxClient)


def _sdk_client(
    config: EndpointConfig,
    plain: Callable[..., _C],
    azure: Callable[..., _C],
    http: Callable[..., Any],
    hooks: Mapping[str, Any] | None = None,
) -> _C:
    """The one place an SDK client is built: key, timeout, no SDK retries (toolkit.chat.llm retries with
    its own backoff and messages); Azure when `azure_api_version` is set. Its HTTP client is the SDK's
    default one (`http`: `openai.DefaultAsyncHttpxClient` or `DefaultHttpxClient`) with the process's
    TLS context (`tls_context`) and `hooks` (httpx2 keyword arguments: the async client's
    `event_hooks`)."""
    hooks = hooks or {}
    kwargs: dict[str, Any] = {
        "api_key": config.effective_api_key(),
        "timeout": config.timeout,
        "max_retries": 0,
        "http_client": _http_client(http, config, hooks),
    }
    if config.azure_api_version:
        if not config.base_url:
            raise ConfigError("Azure needs OPENAI_BASE_URL=https://<resource>.openai.azure.com")
        return azure(azure_endpoint=config.base_url, api_version=config.azure_api_version, **kwargs)
    # base_url is always explicit so the SDK never falls back to a different OPENAI_BASE_URL in os.environ
    return plain(base_url=config.base_url or DEFAULT_BASE_URL, **kwargs)


_PROXY_VARS = ("ALL_PROXY", "HTTPS_PROXY", "HTTP_PROXY", "all_proxy", "https_proxy", "http_proxy")


def _http_client(http: Callable[..., Any], config: EndpointConfig, hooks: Mapping[str, Any]) -> Any:
    """`http(...)` with the process's TLS context; a proxy the HTTP library cannot use (a SOCKS proxy
    in the environment without the `socksio` package) is a `ConfigError` naming the variable."""
    try:
        return http(verify=tls_context(), timeout=config.timeout, **hooks)
    except ImportError as e:
        socks = [v for v in _PROXY_VARS if os.environ.get(v, "").lower().startswith("socks")]
        if not socks:
            raise
        raise ConfigError(
            f"{socks[0]}={redact_url(os.environ[socks[0]])} is a SOCKS proxy, which needs the socksio "
            "package: pip install socksio, or unset it (NO_PROXY=<host> lets the endpoint's host bypass "
            f"it). {scrub(str(e))[:120]}"
        ) from None
