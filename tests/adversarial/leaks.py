"""Secrets: run everything that touches the API key with a unique fake key, then scan every place it
could end up: outputs (Markdown, JSON, files the CLI writes), errors (str, repr, the full traceback with
chained causes), logs of every logger at DEBUG, the cache folder, and the CLI's stdout and stderr.

The endpoint is hostile about it: it echoes the key back in error messages (401, 403, 404, 500) and in
an answer's text, as a misconfigured proxy might.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import pickle
import random
import subprocess
import sys
import traceback
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

import scripted_model
from fakeserver import FakeServer, Reply

from toolkit import summarize, verify
from toolkit.chat.cache import ResponseCache
from toolkit.chat.endpoint import EndpointConfig
from toolkit.chat.llm import ChatRequest, OpenAIChat
from toolkit.engines.llm_engine import OpenAIEngine

from .figures import Figures
from .texts import cluster

__all__ = ["LeakResult", "fragments", "new_key", "scenario"]

MODEL = "gpt-4o-mini"


def new_key() -> str:
    return f"sk-proj-{uuid.uuid4().hex}{uuid.uuid4().hex}"


def fragments(key: str, width: int = 12) -> list[str]:
    """Every `width`-character piece of the key's random part: a partial leak is a leak too."""
    secret = key.removeprefix("sk-proj-")
    return [secret[i : i + width] for i in range(len(secret) - width + 1)]


def leaks(key: str, blobs: dict[str, str]) -> list[str]:
    parts = fragments(key)
    return [where for where, text in blobs.items() if any(p in text for p in parts)]


@dataclass
class LeakResult:
    key: str
    blobs: dict[str, str] = field(default_factory=dict)  # where -> everything written there
    errors: dict[str, BaseException] = field(default_factory=dict)
    records: list[logging.LogRecord] = field(default_factory=list)
    figures: Figures = field(default_factory=lambda: Figures("secrets"))

    @property
    def leaked(self) -> list[str]:
        return leaks(self.key, self.blobs)


@contextmanager
def debug_logs() -> Iterator[list[logging.LogRecord]]:
    """Every record of every logger, at DEBUG, while the block runs."""
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Keep(logging.DEBUG)
    root = logging.getLogger()
    loggers = [root, *(x for x in root.manager.loggerDict.values() if isinstance(x, logging.Logger))]
    levels = [x.level for x in loggers]
    for x in loggers:
        x.setLevel(logging.DEBUG)
    root.addHandler(handler)
    try:
        yield records
    finally:
        root.removeHandler(handler)
        for x, level in zip(loggers, levels, strict=True):
            x.setLevel(level)


def _error_text(e: BaseException) -> str:
    return "\n".join([str(e), repr(e), "".join(traceback.format_exception(e)), repr(vars(e))])


def scenario(server: FakeServer, tmp: Path, key: str | None = None) -> LeakResult:
    key = key or new_key()
    result = LeakResult(key)
    blobs, errors = result.blobs, result.errors
    cache_dir, out = tmp / "cache", tmp / "out"
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(5)
    env = {
        "OPENAI_API_KEY": key,
        "OPENAI_BASE_URL": server.base_url,
        "OPENAI_MODEL": MODEL,
        "BRIEF_CACHE_DIR": str(cache_dir),
    }

    def expect_error(name: str, run: Callable[[], Any]) -> None:
        try:
            run()
        except Exception as e:
            errors[name] = e
            blobs[f"error: {name}"] = _error_text(e)
        else:
            raise AssertionError(f"{name}: expected an error")

    def fast_engine() -> OpenAIEngine:  # the environment's endpoint, with quick retries
        config = EndpointConfig.from_env(dotenv_path=None, max_retries=2)
        chat = OpenAIChat(config, cache=ResponseCache(), backoff_base=0.001, backoff_cap=0.01)
        return OpenAIEngine(chat, config.model)

    # in `tmp`: a .env file where the suite runs (with a real key, say) must play no part
    with mock.patch.dict(os.environ, env), contextlib.chdir(tmp), debug_logs() as records:
        # 1. a normal run through the default engine (configured from the environment), then the judge
        server.handler = scripted_model.answer
        b = summarize(cluster(rng, 3), words=80)
        judged = verify(b, judge=OpenAIChat(EndpointConfig.from_env(), cache=ResponseCache()))
        for name, briefing in (("briefing", b), ("judged briefing", judged)):
            blobs[f"{name} markdown"] = briefing.to_markdown()
            blobs[f"{name} json"] = briefing.to_json()
            blobs[f"{name} repr"] = repr(briefing) + str(briefing)
        (out / "briefing.md").write_text(b.to_markdown(), encoding="utf-8")
        (out / "briefing.json").write_text(b.to_json(), encoding="utf-8")

        # 2. an endpoint that echoes the key inside an answer
        def echo(body: dict[str, Any]) -> str:
            answer = scripted_model.answer(body)
            if not answer.startswith("{"):  # a plain answer (cite=local): prose
                return answer.replace(".", f" (request signed with Bearer {key}).", 1)
            data = json.loads(answer)
            if "s" in data:  # the compact answer: [["text", [ids]], ...]
                data["s"][0][0] += f" (request signed with Bearer {key})"
            else:
                data["sentences"][0]["text"] += f" (request signed with Bearer {key})"
            return json.dumps(data)

        server.handler = echo
        echoed = summarize(cluster(rng, 2), words=80)
        blobs["echoed briefing"] = echoed.to_markdown() + echoed.to_json()

        # 3. errors whose server message carries the key
        for status in (401, 403, 404, 500):
            server.handler = lambda body, s=status: Reply.error(s, f"Incorrect API key provided: {key}")
            expect_error(f"HTTP {status}", lambda: summarize(cluster(rng, 2), engine=fast_engine(), words=80))
        server.handler = lambda body: Reply(text="ok", delay=1.0)
        config = EndpointConfig.from_env(dotenv_path=None, max_retries=0, timeout=0.2)
        expect_error("timeout", lambda: _complete(OpenAIChat(config)))
        closed = EndpointConfig.from_env(dotenv_path=None, base_url="http://127.0.0.1:9/v1", max_retries=1)
        expect_error("connection refused", lambda: _complete(OpenAIChat(closed, backoff_base=0.001)))

        # 4. configuration errors, and the config object itself
        azure = EndpointConfig.from_env(dotenv_path=None, base_url=None, azure_api_version="2024-06-01")
        expect_error("ConfigError (Azure without a URL)", lambda: _complete(OpenAIChat(azure)))
        expect_error("pickling the config", lambda: pickle.dumps(EndpointConfig.from_env()))
        dotenv = tmp / "key.env"
        dotenv.write_text(f"OPENAI_API_KEY={key}\n")
        with mock.patch.dict(os.environ):
            del os.environ["OPENAI_API_KEY"], os.environ["OPENAI_BASE_URL"]
            from_file = EndpointConfig.from_env(dotenv_path=dotenv)
            expect_error(
                "ConfigError (openai engine, no endpoint)",
                lambda: summarize([{"text": "A short article about floods."}], engine="openai"),
            )
        assert from_file.api_key == key
        blobs["config repr, str, dump"] = "\n".join(
            [repr(from_file), str(from_file), from_file.model_dump_json(), repr(from_file.model_dump())]
        )
        blobs["chat repr"] = repr(OpenAIChat(from_file, cache=ResponseCache()))

        # 5. the command line: a briefing with --out/--json, then a 401
        server.handler = scripted_model.answer
        articles = out / "articles"
        articles.mkdir()
        for i, a in enumerate(cluster(rng, 2)):
            (articles / f"{i}.txt").write_text(a["text"])
        cli = [
            sys.executable,
            "-m",
            "toolkit",
            "summarize",
            str(articles),
            "--engine",
            "openai",
            "--words",
            "80",
        ]
        ok = subprocess.run(
            [*cli, "--out", str(out / "cli.md"), "--json", str(out / "cli.json")],
            capture_output=True, text=True, timeout=300, env={**os.environ},
        )  # fmt: skip
        assert ok.returncode == 0, ok.stderr[-2000:]
        blobs["CLI stdout+stderr"] = ok.stdout + ok.stderr
        server.handler = lambda body: Reply.error(401, f"Incorrect API key provided: {key}")
        (articles / "2.txt").write_text("One more article, so the request is not in the cache.\n")
        bad = subprocess.run(cli, capture_output=True, text=True, timeout=300, env={**os.environ})
        assert bad.returncode == 2 and "401" in bad.stderr, bad.stderr[-2000:]
        blobs["CLI 401 stdout+stderr"] = bad.stdout + bad.stderr

    result.records = records
    blobs["logs (formatted)"] = "\n".join(logging.Formatter().format(r) for r in records)
    blobs["logs (records)"] = "\n".join(repr(vars(r)) for r in records)
    for path in sorted(p for p in tmp.rglob("*") if p.is_file() and p.name != "key.env"):
        blobs[f"file {path.relative_to(tmp)}"] = path.read_bytes().decode("utf-8", "replace")
    f = result.figures
    f.cases = len(blobs)
    f.faults = len(errors) + 1  # the errors triggered, and the answer echoing the key
    f.detail = {"places scanned": len(blobs), "log records": len(records), "errors": len(errors)}
    return result


def _complete(chat: OpenAIChat) -> None:
    async def go() -> None:
        async with chat:
            await chat.complete(ChatRequest.of("Say hello."))

    asyncio.run(go())
