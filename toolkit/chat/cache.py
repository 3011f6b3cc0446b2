"""An on-disk cache of chat answers, safe to share between processes.

Key: sha256 of the canonical JSON of everything that shapes the answer (endpoint URL, model, messages,
temperature, max_tokens, json_mode, seed, extra parameters) and never the API key. Each entry is one
JSON file `<dir>/<key[:2]>/<key>.json`, written to a temporary file in the same folder and moved into
place with `os.replace`, so a reader sees a whole entry or none. An entry that cannot be read or parsed
is a miss (and is removed); the cache never makes a run fail.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from .llm import ChatRequest, ChatResponse

__all__ = ["CACHE_FORMAT", "ResponseCache", "default_cache_dir", "request_key"]

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

    def put(self, key: str, response: ChatResponse) -> None:
        """Store `response` atomically; a failure to write is logged, never raised."""
        path = self.path(key)
        entry = {
            "format": CACHE_FORMAT,
            "key": key,
            "created": time.time(),
            "response": {
                "text": response.text,
                "finish_reason": response.finish_reason,
                "prompt_tokens": response.prompt_tokens,
                "completion_tokens": response.completion_tokens,
                "model": response.model,
            },
        }
        data = json.dumps(entry, ensure_ascii=False, indent=1).encode("utf-8")
        tmp: str | None = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{key[:12]}.", suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
            tmp = None
        except OSError as exc:
            log.warning("could not write cache entry %s: %s", path, exc)
        finally:
            if tmp is not None:
                _unlink_quietly(Path(tmp))

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
            for entry in sub.iterdir():
                if entry.suffix in (".json", ".tmp") and _unlink_quietly(entry) and entry.suffix == ".json":
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
        if not (
            isinstance(text, str)
            and (finish is None or isinstance(finish, str))
            and isinstance(prompt, int)
            and isinstance(completion, int)
            and isinstance(model, str)
        ):
            return None
    except (ValueError, UnicodeDecodeError, KeyError, TypeError):
        return None
    return ChatResponse(
        text=text,
        finish_reason=finish,
        prompt_tokens=prompt,
        completion_tokens=completion,
        cached=True,
        model=model,
    )


def _unlink_quietly(path: Path) -> bool:
    try:
        path.unlink()
    except OSError:
        return False
    return True
