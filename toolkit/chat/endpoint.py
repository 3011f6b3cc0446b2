"""Where the chat endpoint is and how to reach it: `EndpointConfig` and the official-SDK client factory.

Any OpenAI-compatible server works: OpenAI itself, Azure OpenAI (set `azure_api_version`), and local
servers (Ollama, vLLM, llama.cpp server, LM Studio) through `OPENAI_BASE_URL`, e.g.
`http://127.0.0.1:11434/v1`. The SDK's own retries are disabled: `toolkit.chat.llm` retries itself.

The API key is never shown: it is left out of `repr`, `model_dump`/`model_dump_json`, and error messages.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from pydantic import BaseModel, ConfigDict, Field

from ..errors import ConfigError

if TYPE_CHECKING:
    import openai  # loaded by make_client: reading the configuration does not load the SDK

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_MODEL",
    "LOCAL_PLACEHOLDER_KEY",
    "EndpointConfig",
    "is_local_url",
    "make_client",
    "make_sync_client",
    "redact_url",
]

DEFAULT_MODEL = "gpt-4o-mini"
DEFAULT_BASE_URL = "https://api.openai.com/v1"
LOCAL_PLACEHOLDER_KEY = "not-needed"
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
        **overrides: Any,
    ) -> EndpointConfig:
        """Read OPENAI_API_KEY, OPENAI_BASE_URL, OPENAI_MODEL (and OPENAI_API_VERSION for Azure).

        A `.env` file (`dotenv_path`, else `./.env` if present) fills in what `env` (default
        `os.environ`) lacks; real environment variables always win. `os.environ` is never modified.
        """
        values: dict[str, str] = {}
        path = Path(dotenv_path) if dotenv_path is not None else Path.cwd() / ".env"
        if dotenv_path is not None and not path.is_file():
            raise ConfigError(f"dotenv file {path} not found (pass an existing file or dotenv_path=None)")
        if path.is_file():
            from dotenv import dotenv_values

            values.update({k: v for k, v in dotenv_values(path).items() if v is not None})
        values.update(os.environ if env is None else env)

        def get(name: str) -> str | None:
            value = values.get(name, "").strip()
            return value or None

        fields: dict[str, Any] = {
            "model": model or get("OPENAI_MODEL") or DEFAULT_MODEL,
            "base_url": get("OPENAI_BASE_URL"),
            "api_key": get("OPENAI_API_KEY"),
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
        """`text` with the API key (if any) replaced by ***."""
        if self.api_key and len(self.api_key) >= 4:
            text = text.replace(self.api_key, "***")
        return text


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


def _client_kwargs(config: EndpointConfig) -> dict[str, Any]:
    return {
        "api_key": config.effective_api_key(),
        "timeout": config.timeout,
        "max_retries": 0,  # toolkit.chat.llm retries with its own backoff and messages
    }


def make_client(config: EndpointConfig) -> openai.AsyncOpenAI:
    """An async SDK client for `config`, SDK retries disabled. Close it with `await client.close()`."""
    import openai

    kwargs = _client_kwargs(config)
    if config.azure_api_version:
        if not config.base_url:
            raise ConfigError("Azure needs OPENAI_BASE_URL=https://<resource>.openai.azure.com")
        return openai.AsyncAzureOpenAI(
            azure_endpoint=config.base_url, api_version=config.azure_api_version, **kwargs
        )
    # base_url is always explicit so the SDK never falls back to a different OPENAI_BASE_URL in os.environ
    return openai.AsyncOpenAI(base_url=config.base_url or DEFAULT_BASE_URL, **kwargs)


def make_sync_client(config: EndpointConfig) -> openai.OpenAI:
    """The blocking twin of `make_client` (for scripts and quick checks). Close it with `client.close()`."""
    import openai

    kwargs = _client_kwargs(config)
    if config.azure_api_version:
        if not config.base_url:
            raise ConfigError("Azure needs OPENAI_BASE_URL=https://<resource>.openai.azure.com")
        return openai.AzureOpenAI(
            azure_endpoint=config.base_url, api_version=config.azure_api_version, **kwargs
        )
    return openai.OpenAI(base_url=config.base_url or DEFAULT_BASE_URL, **kwargs)
