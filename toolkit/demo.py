"""Helpers for the notebooks in `notebooks/`, so they run top to bottom with no API key.

    demo.example_dir()               # examples/syria-iraq-2025, found from the notebook's folder
    demo.big_cluster(copies=6)       # 5 x 6 articles: each example article syndicated by six outlets
    with demo.scripted_endpoint():   # a scripted OpenAI-compatible server on 127.0.0.1, set as
        summarize(..., engine="openai")   # OPENAI_BASE_URL / OPENAI_API_KEY while the block runs

The scripted server answers like a careful model: each sentence is the first sentence of a passage it
was sent, cited with that passage's id (JSON in the shape each prompt asks for). It is a stand-in so
the notebooks show the LLM path end to end; a real endpoint writes real summaries. Nothing here is
used by the toolkit itself.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .ingest.loading import load_articles

__all__ = ["ScriptedServer", "big_cluster", "example_dir", "scripted_answer", "scripted_endpoint"]

EXAMPLE = Path("examples") / "syria-iraq-2025"
_LINE = re.compile(r"^\[(S\d+:\d+)\] (.+)$", re.MULTILINE)
_NOTE = re.compile(r"^- (.+?) \[([^\]]+)\]$", re.MULTILINE)
_ENV = ("OPENAI_BASE_URL", "OPENAI_API_KEY", "OPENAI_MODEL", "OPENAI_API_VERSION")


def example_dir(name: str = "") -> Path:
    """A bundled example cluster (`examples/<name>`; default `syria-iraq-2025`; `haiti-2010` is the
    one whose sources disagree): looked for from the current folder upwards (a notebook runs in
    `notebooks/`), then next to the installed package (an editable install from a checkout)."""
    example = EXAMPLE.parent / name if name else EXAMPLE
    here = Path.cwd().resolve()
    for base in (here, *here.parents, Path(__file__).resolve().parent.parent):
        if (base / example).is_dir():
            return base / example
    raise ConfigError(
        f"could not find {example}: run the notebook from a checkout of the toolkit, or pass your own folder"
    )


def big_cluster(copies: int = 6, folder: Path | None = None) -> list[dict[str, str]]:
    """A large cluster about one event: every example article as republished by `copies` outlets
    (the same text, as syndicated wire copies are), as dicts `load_articles` accepts."""
    out: list[dict[str, str]] = []
    for article in load_articles(folder or example_dir()):
        for k in range(1, copies + 1):
            outlet = f"Outlet {k}" if k > 1 else (article.outlet or "original")
            title = article.title or Path(article.path).stem
            out.append({"text": article.text, "title": f"{title} ({outlet})", "outlet": outlet})
    return out


# --- the scripted model --------------------------------------------------------------------------------
def _messages(body: dict[str, Any]) -> tuple[str, str]:
    system = user = ""
    for m in body.get("messages", []):
        if isinstance(m, dict) and m.get("role") == "system":
            system = str(m.get("content", ""))
        elif isinstance(m, dict) and m.get("role") == "user":
            user = str(m.get("content", ""))
    return system, user


def _first_sentence(text: str) -> str:
    cut = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]
    return cut if cut.endswith((".", "!", "?")) else cut + "."


def scripted_answer(body: dict[str, Any], per_call: int = 4) -> str:
    """JSON in the shape each of our prompts asks for, citing only passage ids that were sent."""
    system, user = _messages(body)
    if "<notes>" in user:  # reduce: merge the notes it was given
        notes = _NOTE.findall(user)[:per_call]
        sentences = [{"text": t, "citations": [c.strip() for c in ids.split(";")]} for t, ids in notes]
        return json.dumps({"sentences": sentences})
    lines = _LINE.findall(user)[:per_call]
    items = [{"text": _first_sentence(text), "citations": [pid]} for pid, text in lines]
    key = "notes" if "notes" in system.split("Answer with JSON")[-1] else "sentences"
    return json.dumps({key: items})


class ScriptedServer:
    """A tiny OpenAI-compatible server (`POST /v1/chat/completions`, `GET /v1/models`) on 127.0.0.1."""

    def __init__(self, answer: Callable[[dict[str, Any]], str] = scripted_answer, model: str = "scripted"):
        self.answer = answer
        self.model = model
        self.calls = 0
        self._httpd: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        if self._httpd is None:
            raise ConfigError("the scripted server is not running: use it as a context manager")
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def __enter__(self) -> ScriptedServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                data = [{"id": server.model, "object": "model", "created": 0, "owned_by": "demo"}]
                self._send(200, {"object": "list", "data": data})

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    body = {}
                if not self.path.rstrip("/").endswith("/chat/completions") or not isinstance(body, dict):
                    self._send(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})
                    return
                server.calls += 1
                self._send(200, server._completion(body))

            def _send(self, status: int, obj: dict[str, Any]) -> None:
                payload = json.dumps(obj).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(payload)
                self.close_connection = True

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def __exit__(self, *exc: object) -> None:
        httpd, self._httpd = self._httpd, None
        if httpd is not None:
            httpd.shutdown()
            httpd.server_close()

    def _completion(self, body: dict[str, Any]) -> dict[str, Any]:
        text = self.answer(body)
        prompt = sum(len(str(m.get("content", "")).split()) for m in body.get("messages", []))
        usage = {"prompt_tokens": prompt, "completion_tokens": len(text.split())}
        usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
        message = {"role": "assistant", "content": text}
        return {
            "id": f"chatcmpl-{uuid.uuid4().hex[:12]}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": str(body.get("model") or self.model),
            "choices": [{"index": 0, "message": message, "finish_reason": "stop", "logprobs": None}],
            "usage": usage,
        }


@contextmanager
def scripted_endpoint(model: str = "gpt-4o-mini") -> Iterator[ScriptedServer]:
    """Run the scripted server and point OPENAI_BASE_URL / OPENAI_API_KEY / OPENAI_MODEL at it for the
    duration of the block (restored afterwards): exactly how a real endpoint is configured."""
    saved = {k: os.environ.get(k) for k in _ENV}
    with ScriptedServer(model=model) as server:
        os.environ.pop("OPENAI_API_VERSION", None)
        os.environ.update(
            {"OPENAI_BASE_URL": server.base_url, "OPENAI_API_KEY": "demo-key", "OPENAI_MODEL": model}
        )
        try:
            yield server
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
