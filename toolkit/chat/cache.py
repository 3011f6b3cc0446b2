"""An on-disk cache of chat answers, safe to share between processes.

Key: sha256 of the canonical JSON of everything that shapes the answer (endpoint URL, model, messages,
temperature, max_tokens, json_mode, seed, extra parameters) and never the API key. Each entry is one
JSON file `<dir>/<key[:2]>/<key>.json`, written to a temporary file in the same folder and moved into
place with `os.replace`, so a reader sees a whole entry or none. An entry that cannot be read or parsed
is a miss (and is removed); the cache never makes a run fail.

`CachedChat` is the one place answers are looked up and stored, wrapped around any `ChatClient` (the
SDK client, the local server, the Batch API, a scripted double). Nothing empty is stored: an answer
with no text (a reasoning model that spent its budget thinking) or cut off before any text is asked
again next time, and an engine can `forget` an answer it found unusable.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from pathlib import Path
from typing import Any

from ..models import Usage
from ..text.files import write_atomic
from ..text.safe import scrub
from .seam import ChatClient, ChatRequest, ChatResponse

__all__ = ["CACHE_FORMAT", "CachedChat", "ResponseCache", "default_cache_dir", "request_key", "storable"]

log = logging.getLogger(__name__)

CACHE_FORMAT = 1


def default_cache_dir() -> Path:
    """$BRIEF_CACHE_DIR, else the user cache folder (~/.cache/brief on Linux)."""
    env = os.environ.get("BRIEF_CACHE_DIR", "").strip()
    if env:
        return Path(env).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("brief", appauthor=False))


def request_key(request: ChatRequest, *, base_url: str, model: str, **extra: Any) -> str:
    """The cache key of `request` sent to `model` at `base_url` (extra: anything else that matters)."""
    parts = {
        "format": CACHE_FORMAT,
        "base_url": base_url.rstrip("/"),
        "model": model,
        "messages": request.message_dicts(),
        "temperature": request.temperature,
        "max_tokens": request.max_tokens,
        "json_mode": request.json_mode,
        "seed": request.seed,
        "extra": dict(request.extra),
        "endpoint": {k: v for k, v in sorted(extra.items()) if v is not None},
    }
    if request.json_schema is not None:  # only when set, so keys of older entries stay valid
        parts["json_schema"] = dict(request.json_schema)
    if request.reasoning_effort is not None:
        parts["reasoning_effort"] = request.reasoning_effort
    canonical = json.dumps(parts, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class ResponseCache:
    """Chat answers on disk, one JSON file per request key."""

    def __init__(self, directory: str | Path | None = None) -> None:
        self.directory = Path(directory).expanduser() if directory is not None else default_cache_dir()
        self.hits = 0
        self.misses = 0

    def __repr__(self) -> str:
        return f"ResponseCache({str(self.directory)!r})"

    def key_for(self, request: ChatRequest, *, base_url: str, model: str, **extra: Any) -> str:
        return request_key(request, base_url=base_url, model=model, **extra)

    def path(self, key: str) -> Path:
        if len(key) < 8 or not all(c in "0123456789abcdef" for c in key):
            raise ValueError(f"not a cache key: {key!r}")
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key: str) -> ChatResponse | None:
        """The cached answer (with cached=True), or None on a miss or an unusable entry."""
        path = self.path(key)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            self.misses += 1
            return None
        except OSError as exc:
            log.warning("cache entry %s unreadable (%s): treated as a miss", path, exc)
            self.misses += 1
            return None
        response = _decode(raw, key)
        if response is None:
            log.warning("cache entry %s is corrupt: removed and treated as a miss", path)
            _unlink_quietly(path)
            self.misses += 1
            return None
        self.hits += 1
        return response

    def forget(self, key: str) -> None:
        """Remove one entry (an answer found unusable), if it is there."""
        _unlink_quietly(self.path(key))

    def put(self, key: str, response: ChatResponse) -> None:
        """Store `response` atomically; an empty answer is never stored; a failure to write is logged."""
        if not storable(response):
            return
        path = self.path(key)
        entry = {
            "format": CACHE_FORMAT,
            "key": key,
            "created": time.time(),
            "response": {
                "text": scrub(response.text),  # never a key on disk, whoever built the response
                "finish_reason": response.finish_reason,
                "prompt_tokens": response.prompt_tokens,
                "completion_tokens": response.completion_tokens,
                "model": scrub(response.model),
                "usage_reported": response.usage_reported,
            },
        }
        data = json.dumps(entry, ensure_ascii=False, indent=1).encode("utf-8")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, data, private=True)
        except OSError as exc:
            log.warning("could not write cache entry %s: %s", path, exc)

    def __contains__(self, key: str) -> bool:
        return self.path(key).is_file()

    def __len__(self) -> int:
        return sum(1 for _ in self.directory.glob("??/*.json")) if self.directory.is_dir() else 0

    def clear(self) -> int:
        """Remove every entry (and stray temporary files); returns how many entries went."""
        removed = 0
        if not self.directory.is_dir():
            return 0
        for sub in self.directory.glob("??"):
            if sub.is_symlink() or not sub.is_dir():
                continue  # a link planted in the cache folder is not followed
            for entry in sub.iterdir():
                if entry.is_symlink():
                    _unlink_quietly(entry)  # removes the link itself, never its target
                elif entry.suffix in (".json", ".tmp") and _unlink_quietly(entry) and entry.suffix == ".json":
                    removed += 1
        return removed


def _decode(raw: bytes, key: str) -> ChatResponse | None:
    try:
        entry = json.loads(raw.decode("utf-8"))
        r = entry["response"]
        if entry.get("format") != CACHE_FORMAT or entry.get("key") != key:
            return None
        text, finish = r["text"], r["finish_reason"]
        prompt, completion, model = r["prompt_tokens"], r["completion_tokens"], r.get("model", "")
        reported = r.get("usage_reported", True)
        if not (
            isinstance(text, str)
            and (finish is None or isinstance(finish, str))
            and isinstance(prompt, int)
            and isinstance(completion, int)
            and isinstance(model, str)
            and isinstance(reported, bool)
            and text.strip()
        ):
            return None  # an empty answer (from an older version) is a miss
    except (ValueError, UnicodeDecodeError, KeyError, TypeError):
        return None
    return ChatResponse(
        text=text,
        finish_reason=finish,
        prompt_tokens=prompt,
        completion_tokens=completion,
        cached=True,
        model=model,
        usage_reported=reported,
    )


def storable(response: ChatResponse) -> bool:
    """Whether an answer may be cached: it has text (an empty one is asked again, never replayed)."""
    return not response.cached and not response.empty


class CachedChat:
    """A `ChatClient` that answers from `cache` when it can and asks `inner` otherwise.

    `namespace` names the endpoint in keys (its URL, or something stabler), with `model` and any other
    identity (`azure_api_version=`); never the API key. `usage` counts hits as cached calls.
    """

    def __init__(
        self, inner: ChatClient, cache: ResponseCache, *, namespace: str, model: str, **identity: Any
    ) -> None:
        self.inner = inner
        self.cache = cache
        self.namespace = namespace
        self.model = model
        self.identity = identity
        self.usage = Usage()

    def __repr__(self) -> str:
        return f"CachedChat({self.inner!r}, {self.cache!r})"

    def key(self, request: ChatRequest) -> str:
        return request_key(request, base_url=self.namespace, model=self.model, **self.identity)

    async def complete(self, request: ChatRequest) -> ChatResponse:
        key = self.key(request)
        response = self.cache.get(key)
        if response is None:
            response = await self.inner.complete(request)
            self.cache.put(key, response)
        self.usage += response.usage
        return response

    @property
    def learned(self) -> list[str]:
        """What the wrapped client learned about the endpoint (rejected parameters), if it says."""
        return list(getattr(self.inner, "learned", ()))

    @property
    def config(self) -> Any:
        return getattr(self.inner, "config", None)

    def forget(self, request: ChatRequest) -> None:
        """Drop the cached answer to `request` (the caller could not use it): the next run asks again."""
        self.cache.forget(self.key(request))

    async def aclose(self) -> None:
        closer = getattr(self.inner, "aclose", None)
        if closer is not None:
            await closer()


def _unlink_quietly(path: Path) -> bool:
    try:
        path.unlink()
    except OSError:
        return False
    return True
