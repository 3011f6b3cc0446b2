"""OpenAIChat through the real openai SDK over real HTTP, against tests/fakeserver.py."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import re
import socket
import ssl
import threading
import time
from email.utils import formatdate
from pathlib import Path
from typing import Any

import pytest
from fakeserver import FakeServer, Reply

from toolkit.chat.cache import ResponseCache
from toolkit.chat.endpoint import (
    LOCAL_PLACEHOLDER_KEY,
    EndpointConfig,
    make_client,
    make_sync_client,
    signal_when_sent,
    tls_context,
)
from toolkit.chat.llm import ChatClient, ChatRequest, ChatResponse, OpenAIChat, retry_after_seconds
from toolkit.errors import ConfigError, EndpointError, PromptError, ResponseError

KEY = "sk-test-SECRET-0123456789abcdef"
HELLO = ChatRequest.of("Say hello.", system="You are terse.")


class Sleeps(list[float]):
    """A stand-in for asyncio.sleep that records the waits."""

    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


def make_chat(
    server: FakeServer, cache: ResponseCache | None = None, **config: Any
) -> tuple[OpenAIChat, Sleeps]:
    settings: dict[str, Any] = {
        "base_url": server.base_url,
        "api_key": KEY,
        "model": "fake-model",
        "timeout": 5.0,
    }
    settings.update(config)
    sleeps = Sleeps()
    return OpenAIChat(EndpointConfig(**settings), cache=cache, sleep=sleeps), sleeps


def call(chat: OpenAIChat, *requests: ChatRequest) -> list[ChatResponse]:
    async def go() -> list[ChatResponse]:
        try:
            return [await chat.complete(r) for r in requests]
        finally:
            await chat.aclose()

    return asyncio.run(go())


def fail(chat: OpenAIChat, request: ChatRequest = HELLO) -> Exception:
    with pytest.raises((ConfigError, EndpointError, ResponseError)) as info:
        call(chat, request)
    return info.value


def assert_no_key(exc: BaseException) -> None:
    seen: BaseException | None = exc
    while seen is not None:
        assert KEY not in str(seen) and KEY not in repr(seen)
        seen = seen.__cause__ or seen.__context__


# --- the happy paths -----------------------------------------------------------------------------
def test_plain_completion(fake_server: FakeServer) -> None:
    fake_server.push(Reply(text="Hello there.", prompt_tokens=12, completion_tokens=3))
    chat, _ = make_chat(fake_server)
    assert isinstance(chat, ChatClient)
    (r,) = call(chat, HELLO)
    assert (r.text, r.finish_reason, r.prompt_tokens, r.completion_tokens, r.cached) == (
        "Hello there.",
        "stop",
        12,
        3,
        False,
    )
    assert r.model == "fake-model"
    assert chat.usage.calls == 1 and chat.usage.prompt_tokens == 12
    (req,) = fake_server.chat_requests
    assert req.headers["authorization"] == f"Bearer {KEY}"
    assert req.body["model"] == "fake-model" and req.body["temperature"] == 0.0
    assert req.messages == [
        {"role": "system", "content": "You are terse."},
        {"role": "user", "content": "Say hello."},
    ]
    assert "response_format" not in req.body and "stream" not in req.body and "max_tokens" not in req.body


def test_request_options_are_sent(fake_server: FakeServer) -> None:
    chat, _ = make_chat(fake_server)
    req = ChatRequest((("user", "hi"),), temperature=0.3, max_tokens=50, seed=7, extra={"top_p": 0.5})
    call(chat, req)
    body = fake_server.chat_requests[0].body
    assert (body["temperature"], body["max_tokens"], body["seed"], body["top_p"]) == (0.3, 50, 7, 0.5)


def test_streaming_assembles_deltas_and_usage(fake_server: FakeServer) -> None:
    fake_server.push(Reply(text="one two three four", prompt_tokens=9, completion_tokens=4))
    chat, _ = make_chat(fake_server)
    (r,) = call(chat, ChatRequest.of("count", stream=True))
    assert (r.text, r.finish_reason, r.prompt_tokens, r.completion_tokens) == (
        "one two three four",
        "stop",
        9,
        4,
    )
    body = fake_server.chat_requests[0].body
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}


def test_streaming_without_stream_options_support(fake_server: FakeServer) -> None:
    fake_server.stream_options_mode = "reject"
    chat, _ = make_chat(fake_server)
    r1, r2 = call(chat, ChatRequest.of("a", stream=True), ChatRequest.of("b", stream=True))
    assert (r1.text, r2.text) == ("echo: a", "echo: b")
    assert r1.prompt_tokens == 0 and r1.completion_tokens == 0  # no usage chunk: unknown
    assert ["stream_options" in r.body for r in fake_server.chat_requests] == [True, False, False]


def test_stream_dropped_mid_way_is_retried(fake_server: FakeServer) -> None:
    fake_server.push(Reply(text="a b c d e f", drop_after=3), Reply(text="complete answer"))
    chat, sleeps = make_chat(fake_server)
    (r,) = call(chat, ChatRequest.of("x", stream=True))
    assert r.text == "complete answer" and len(fake_server.chat_requests) == 2 and len(sleeps) == 1


def test_server_that_ignores_stream_is_read_as_one_completion(fake_server: FakeServer) -> None:
    # Some OpenAI-compatible servers and proxies ignore `stream: true` and answer one JSON completion
    # (Content-Type application/json, no SSE events). The answer is there (and paid for): read it,
    # never retry it as "a stream without a finish_reason".
    completion = {
        "id": "chatcmpl-plain",
        "object": "chat.completion",
        "created": 0,
        "model": "fake-model",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "Whole answer."},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 7, "completion_tokens": 2, "total_tokens": 9},
    }
    fake_server.push(Reply(body=completion), Reply(body=completion))
    chat, sleeps = make_chat(fake_server)
    heard: list[str] = []
    request = ChatRequest.of("x", stream=True, on_text=heard.append)
    (r,) = call(chat, request)
    assert (r.text, r.finish_reason, r.prompt_tokens, r.completion_tokens) == ("Whole answer.", "stop", 7, 2)
    assert heard == ["Whole answer."]  # a listener still hears the answer
    assert len(fake_server.chat_requests) == 1 and not sleeps  # no retry: nothing paid twice


def test_json_mode_honoured(fake_server: FakeServer) -> None:
    chat, _ = make_chat(fake_server)
    (r,) = call(chat, ChatRequest.of("give json", json_mode=True))
    assert json.loads(r.text) == {"echo": "give json"}
    assert fake_server.chat_requests[0].body["response_format"] == {"type": "json_object"}


def test_json_mode_rejected_falls_back_and_is_remembered(fake_server: FakeServer) -> None:
    fake_server.json_mode = "reject"
    chat, sleeps = make_chat(fake_server)
    r1, r2 = call(chat, ChatRequest.of("a", json_mode=True), ChatRequest.of("b", json_mode=True))
    assert (r1.text, r2.text) == ("echo: a", "echo: b")
    assert ["response_format" in r.body for r in fake_server.chat_requests] == [True, False, False]
    assert chat.json_mode_supported is False and sleeps == []


def test_finish_reason_length_is_surfaced(fake_server: FakeServer) -> None:
    fake_server.push(Reply.length("The answer was cut"), Reply(text="a b c", finish_reason="length"))
    chat, _ = make_chat(fake_server)
    r1, r2 = call(
        chat, ChatRequest.of("long", max_tokens=4), ChatRequest.of("long", max_tokens=3, stream=True)
    )
    assert (r1.finish_reason, r1.truncated, r1.text) == ("length", True, "The answer was cut")
    assert (r2.finish_reason, r2.text) == ("length", "a b c")


# --- retries --------------------------------------------------------------------------------------
def test_429_retry_after_seconds_is_honoured(fake_server: FakeServer) -> None:
    fake_server.push(Reply.error(429, "slow down", retry_after="7"), Reply(text="ok now"))
    chat, sleeps = make_chat(fake_server)
    (r,) = call(chat, HELLO)
    assert r.text == "ok now" and sleeps == [7.0] and len(fake_server.chat_requests) == 2


def test_429_retry_after_http_date_and_cap(fake_server: FakeServer) -> None:
    fake_server.push(
        Reply.error(429, retry_after=formatdate(time.time() + 20, usegmt=True)),
        Reply.error(429, retry_after="3600"),
        Reply(text="ok"),
    )
    chat, sleeps = make_chat(fake_server)
    call(chat, HELLO)
    assert 17 <= sleeps[0] <= 21 and sleeps[1] == 60.0


def test_retry_after_parsing() -> None:
    assert retry_after_seconds({"retry-after": "2.5"}) == 2.5
    assert retry_after_seconds({"retry-after-ms": "1500"}) == 1.5
    assert retry_after_seconds({"retry-after": "-3"}) == 0.0
    assert retry_after_seconds({"retry-after": "soon"}) is None
    assert retry_after_seconds({}) is None
    assert retry_after_seconds({"retry-after": formatdate(time.time() - 100, usegmt=True)}) == 0.0


def test_500_then_success_uses_backoff(fake_server: FakeServer) -> None:
    fake_server.push(Reply.error(500), Reply.error(503), Reply(text="recovered"))
    chat, sleeps = make_chat(fake_server)
    (r,) = call(chat, HELLO)
    assert r.text == "recovered" and len(fake_server.chat_requests) == 3
    assert 0.5 <= sleeps[0] <= 1.0 and 1.0 <= sleeps[1] <= 2.0  # exponential, with jitter


def test_persistent_500_raises_clear_endpoint_error(fake_server: FakeServer) -> None:
    fake_server.handler = lambda body: Reply.error(500, "model crashed")
    chat, sleeps = make_chat(fake_server, max_retries=3)
    err = fail(chat)
    assert isinstance(err, EndpointError) and err.status == 500
    msg = str(err)
    assert "HTTP 500" in msg and fake_server.base_url in msg and "OPENAI_BASE_URL" in msg
    assert "4 tries" in msg and "model crashed" in msg and "fake-model" in msg
    assert len(fake_server.chat_requests) == 4 and len(sleeps) == 3


def test_persistent_429_names_concurrency(fake_server: FakeServer) -> None:
    fake_server.handler = lambda body: Reply.error(429, "Rate limit reached", retry_after="1")
    chat, sleeps = make_chat(fake_server, max_retries=2)
    err = fail(chat)
    assert isinstance(err, EndpointError) and err.status == 429
    assert "rate limited" in str(err) and "--concurrency" in str(err) and sleeps == [1.0, 1.0]


def test_quota_429_is_not_retried(fake_server: FakeServer) -> None:
    fake_server.handler = lambda body: Reply.error(
        429, "You exceeded your current quota", code="insufficient_quota"
    )
    chat, sleeps = make_chat(fake_server)
    err = fail(chat)
    assert (
        "quota" in str(err) and "billing" in str(err) and len(fake_server.chat_requests) == 1 and sleeps == []
    )


def test_timeout_is_retried_then_reported(fake_server: FakeServer) -> None:
    fake_server.handler = lambda body: Reply(text="too late", delay=3.0)
    chat, sleeps = make_chat(fake_server, timeout=0.3, max_retries=1)
    started = time.monotonic()
    err = fail(chat)
    # Not a speed check: two answers that take 3 s each were not waited for (the client gave up).
    assert time.monotonic() - started < 5.5
    assert isinstance(err, EndpointError) and "did not answer within 0.3 s" in str(err)
    assert fake_server.base_url in str(err) and len(fake_server.chat_requests) == 2 and len(sleeps) == 1


def test_timeout_then_success(fake_server: FakeServer) -> None:
    fake_server.push(Reply(delay=3.0), Reply(text="fast"))
    chat, _ = make_chat(fake_server, timeout=0.3)
    assert call(chat, HELLO)[0].text == "fast"


def test_connection_refused_is_reported() -> None:
    with FakeServer() as server:
        url = server.base_url
    chat = OpenAIChat(EndpointConfig(base_url=url, max_retries=1), sleep=Sleeps())
    err = fail(chat)
    assert isinstance(err, EndpointError) and "could not connect" in str(err) and url in str(err)


def test_malformed_body_retried_then_response_error(fake_server: FakeServer) -> None:
    fake_server.handler = lambda body: Reply(malformed=True)
    chat, sleeps = make_chat(fake_server, max_retries=1)
    err = fail(chat)
    assert isinstance(err, ResponseError) and "unreadable" in str(err) and len(sleeps) == 1


# --- errors that retrying cannot fix ------------------------------------------------------------
def test_401_is_config_error_without_retry(fake_server: FakeServer) -> None:
    fake_server.push(Reply.error(401, f"Incorrect API key provided: {KEY}"))
    chat, sleeps = make_chat(fake_server)
    err = fail(chat)
    assert isinstance(err, ConfigError) and "OPENAI_API_KEY" in str(err) and "401" in str(err)
    assert len(fake_server.chat_requests) == 1 and sleeps == []
    assert_no_key(err)


def test_404_names_model_setting(fake_server: FakeServer) -> None:
    fake_server.push(Reply.error(404, "The model `nope` does not exist"))
    err = fail(make_chat(fake_server, model="nope")[0])
    assert isinstance(err, ConfigError) and "OPENAI_MODEL" in str(err) and "nope" in str(err)


def test_other_400_is_not_retried(fake_server: FakeServer) -> None:
    fake_server.push(Reply.error(400, "context length exceeded"))
    chat, sleeps = make_chat(fake_server)
    err = fail(chat)
    assert (
        isinstance(err, EndpointError) and err.status == 400 and "context length" in str(err) and sleeps == []
    )


@pytest.mark.parametrize("status", [400, 401, 403, 429, 500])
@pytest.mark.parametrize("key", [KEY, "plain-local-key-42"])
def test_api_key_never_in_errors(fake_server: FakeServer, status: int, key: str) -> None:
    fake_server.handler = lambda body: Reply.error(status, f"bad key {key} / Authorization: Bearer {key}")
    chat, _ = make_chat(fake_server, api_key=key, max_retries=1)
    err = fail(chat)
    seen: BaseException | None = err
    while seen is not None:
        assert key not in str(seen) and key not in repr(seen)
        seen = seen.__cause__ or seen.__context__
    assert key not in repr(chat) and key not in repr(chat.config) and key not in str(chat.config)
    assert key not in chat.config.model_dump_json()


def test_empty_request_is_a_prompt_error() -> None:
    with pytest.raises(PromptError):
        ChatRequest(())
    with pytest.raises(PromptError):
        ChatRequest((("wizard", "hi"),))


# --- cache and concurrency -----------------------------------------------------------------------
def test_second_identical_call_served_from_cache(fake_server: FakeServer, tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path / "cache")
    chat, _ = make_chat(fake_server, cache=cache)
    first, second = call(chat, HELLO, HELLO)
    assert len(fake_server.chat_requests) == 1
    assert (first.cached, second.cached, second.text) == (False, True, first.text)
    assert second.prompt_tokens == first.prompt_tokens > 0
    assert chat.usage.calls == 1 and chat.usage.cached_calls == 1
    fresh, _ = make_chat(fake_server, cache=ResponseCache(tmp_path / "cache"), api_key="another-key")
    assert call(fresh, HELLO)[0].cached  # the key is not part of the cache key
    call(fresh, ChatRequest.of("Say hello.", system="You are terse.", temperature=0.5))
    assert len(fake_server.chat_requests) == 2
    for entry in (tmp_path / "cache").rglob("*"):
        if entry.is_file():
            assert KEY not in entry.read_text() and "another-key" not in entry.read_text()


def test_cache_survives_corrupt_entry(fake_server: FakeServer, tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path / "cache")
    call(make_chat(fake_server, cache=cache)[0], HELLO)
    (entry,) = (tmp_path / "cache").rglob("*.json")
    entry.write_text('{"format": 1, "key": "trunc')
    (r,) = call(make_chat(fake_server, cache=cache)[0], HELLO)
    assert not r.cached and len(fake_server.chat_requests) == 2
    assert call(make_chat(fake_server, cache=cache)[0], HELLO)[0].cached  # rewritten whole


def test_failures_are_not_cached(fake_server: FakeServer, tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path / "cache")
    fake_server.push(Reply.error(500), Reply.error(500))
    fail(make_chat(fake_server, cache=cache, max_retries=1)[0])
    assert len(cache) == 0
    assert call(make_chat(fake_server, cache=cache)[0], HELLO)[0].cached is False


def test_concurrency_bound_is_respected(fake_server: FakeServer) -> None:
    fake_server.handler = lambda body: Reply(text="slow", delay=0.15)
    chat, _ = make_chat(fake_server, max_concurrency=2)

    async def go() -> list[ChatResponse]:
        try:
            return await asyncio.gather(*(chat.complete(ChatRequest.of(f"q{i}")) for i in range(6)))
        finally:
            await chat.aclose()

    assert len(asyncio.run(go())) == 6
    assert fake_server.max_in_flight == 2 and len(fake_server.chat_requests) == 6


# --- endpoint configuration ----------------------------------------------------------------------
def test_config_from_env_and_dotenv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no developer .env in the way
    dotenv = tmp_path / "conf" / ".env"
    dotenv.parent.mkdir()
    dotenv.write_text(
        "OPENAI_API_KEY=from-dotenv\nOPENAI_MODEL=dotenv-model\nOPENAI_BASE_URL=http://localhost:1/v1\n"
    )
    cfg = EndpointConfig.from_env(env={"OPENAI_MODEL": "env-model"}, dotenv_path=dotenv)
    assert (cfg.api_key, cfg.model, cfg.base_url) == ("from-dotenv", "env-model", "http://localhost:1/v1")
    assert EndpointConfig.from_env(model="explicit", env={}, dotenv_path=dotenv).model == "explicit"
    empty = EndpointConfig.from_env(env={}, dotenv_path=None)
    assert empty.model == "gpt-4o-mini" and not empty.is_configured()
    assert EndpointConfig.from_env(env={"OPENAI_BASE_URL": "http://127.0.0.1:8080/v1"}).is_configured()
    with pytest.raises(ConfigError):
        EndpointConfig.from_env(env={}, dotenv_path=tmp_path / "missing.env")


def test_make_client_disables_sdk_retries_and_handles_keys() -> None:
    async def go() -> None:
        client = make_client(EndpointConfig(base_url="http://127.0.0.1:9/v1"))
        try:
            assert client.max_retries == 0 and client.api_key == LOCAL_PLACEHOLDER_KEY
            assert str(client.base_url).startswith("http://127.0.0.1:9/v1")
        finally:
            await client.close()

    asyncio.run(go())
    with make_sync_client(EndpointConfig(api_key=KEY, timeout=3)) as sync:
        assert sync.max_retries == 0 and str(sync.base_url).startswith("https://api.openai.com/v1")
    with pytest.raises(ConfigError, match="OPENAI_API_KEY"):
        make_client(EndpointConfig())
    cfg = EndpointConfig(api_key=KEY, base_url="http://user:pw@localhost:8000/v1?api-key=x")
    assert cfg.url == "http://localhost:8000/v1" and "pw" not in repr(cfg) and KEY not in repr(cfg)


def test_sdk_clients_share_one_tls_context_per_ca_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    """Building a TLS context reads the whole CA bundle: clients of one process share one, and a new
    SSL_CERT_FILE gets its own (the SDK's HTTP library honours it)."""
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    first = tls_context()
    assert tls_context() is first and first.verify_mode == ssl.CERT_REQUIRED and first.check_hostname

    async def go() -> None:
        client = make_client(EndpointConfig(base_url="http://127.0.0.1:9/v1", timeout=7))
        try:
            http = client._client
            assert http._transport._pool._ssl_context is first  # type: ignore[attr-defined]
            assert http.timeout.read == 7 and client.timeout == 7
        finally:
            await client.close()

    asyncio.run(go())
    bundle = ssl.get_default_verify_paths().openssl_cafile
    if not os.path.isfile(bundle):
        import certifi

        bundle = certifi.where()
    monkeypatch.setenv("SSL_CERT_FILE", bundle)
    other = tls_context()
    assert other is not first and tls_context() is other
    with make_sync_client(EndpointConfig(api_key=KEY)) as sync:
        assert sync._client._transport._pool._ssl_context is other  # type: ignore[attr-defined]


def test_signal_when_sent_fires_once_the_request_is_written_before_the_answer(
    fake_server: FakeServer,
) -> None:
    """The server answers only after the callback ran (it waits for it): the callback fires when the
    body has been written, not when the answer arrives; once per call made inside the block, never
    for a call outside it."""
    sent = threading.Event()
    fake_server.handler = lambda body: Reply(text="ok") if sent.wait(5) else Reply.error(400, "not signalled")
    fired: list[str] = []

    def callback() -> None:
        fired.append("sent")
        sent.set()

    chat, _ = make_chat(fake_server)
    assert chat.signals_sent

    async def go() -> None:
        with signal_when_sent(callback):
            streamed = asyncio.ensure_future(chat.complete(dataclasses.replace(HELLO, stream=True)))
        assert (await streamed).text == "ok"
        assert (await chat.complete(HELLO)).text == "ok"  # outside the block (the server does not wait)

    asyncio.run(go())
    assert fired == ["sent"]


def _certificate(folder: Path, name: str, host: str) -> tuple[Path, Path]:
    """A self-signed certificate for `host` (an IP address) and its key, made with the openssl tool."""
    import shutil
    import subprocess

    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command to make a certificate")
    cert, key = folder / f"{name}.pem", folder / f"{name}.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-keyout", str(key),
         "-out", str(cert), "-subj", f"/CN={host}", "-addext", f"subjectAltName=IP:{host}"],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


def test_an_https_endpoint_with_a_private_ca_works_and_a_wrong_ca_is_one_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SSL_CERT_FILE naming the server's certificate: calls verify it and work (async and sync
    clients); naming another: one ConfigError that says what to set, tried once (repeating cannot
    help), without the key."""
    cert, key = _certificate(tmp_path, "server", "127.0.0.1")
    other, _ = _certificate(tmp_path, "other", "127.0.0.2")
    served = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    served.load_cert_chain(cert, key)
    with FakeServer(tls=served) as server:
        assert server.base_url.startswith("https://")
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))
        chat, _ = make_chat(server, max_retries=3)
        assert call(chat, HELLO)[0].text == "echo: Say hello."
        with make_sync_client(EndpointConfig(base_url=server.base_url, api_key=KEY)) as sync:
            answer = sync.chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}])
            assert answer.choices[0].message.content == "echo: hi"
        monkeypatch.setenv("SSL_CERT_FILE", str(other))
        chat, sleeps = make_chat(server, max_retries=3)
        with pytest.raises(ConfigError, match="could not verify the TLS certificate") as err:
            call(chat, HELLO)
        message = str(err.value)
        assert "set SSL_CERT_FILE" in message and str(other) in message and "\n" not in message
        assert KEY not in message and sleeps == []


def test_an_unreadable_ca_setting_is_a_config_error_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SSL_CERT_FILE naming a missing file or one without certificates: a ConfigError that names the
    variable, for the async and the sync client alike (the HTTP library raised a bare OSError)."""
    not_pem = tmp_path / "notes.txt"
    not_pem.write_text("not a certificate\n")
    for value, why in ((tmp_path / "missing.pem", "No such file"), (not_pem, "")):
        monkeypatch.setenv("SSL_CERT_FILE", str(value))
        for make in (make_client, make_sync_client):
            said = f"{re.escape(f'SSL_CERT_FILE={value}')} could not be read.*{why}"
            with pytest.raises(ConfigError, match=said):
                make(EndpointConfig(base_url="https://127.0.0.1:9/v1", api_key=KEY))
    monkeypatch.delenv("SSL_CERT_FILE")
    assert tls_context().verify_mode == ssl.CERT_REQUIRED  # a failure is not remembered


def test_a_socks_proxy_without_socksio_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    if importlib.util.find_spec("socksio") is not None:
        pytest.skip("socksio is installed: a SOCKS proxy is usable")
    for var in ("HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("ALL_PROXY", "socks5://user:secret-pw@127.0.0.1:1080")
    for make in (make_client, make_sync_client):
        said = re.escape("ALL_PROXY=socks5://127.0.0.1:1080 is a SOCKS proxy")
        with pytest.raises(ConfigError, match=said) as err:
            make(EndpointConfig(base_url="http://127.0.0.1:9/v1", api_key=KEY))
        assert "pip install socksio" in str(err.value) and "secret-pw" not in str(err.value)


def test_a_dead_proxy_from_the_environment_is_named_in_the_connection_error(
    fake_server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """HTTP_PROXY names a proxy that is not there: the error says the proxy may be what failed (its
    password masked) and how to bypass it; with NO_PROXY listing the host the call goes direct."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()[1]
    for var in ("HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "https_proxy", "all_proxy", "no_proxy", "http_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HTTP_PROXY", f"http://me:proxy-pw@127.0.0.1:{dead}")
    chat, _ = make_chat(fake_server, max_retries=0)
    with pytest.raises(EndpointError, match="could not connect") as err:
        call(chat, HELLO)
    said = str(err.value)
    assert f"the proxy the environment names for it (http://127.0.0.1:{dead}" in said, said
    assert "NO_PROXY=127.0.0.1" in said and "proxy-pw" not in said and fake_server.requests == []
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    chat, _ = make_chat(fake_server, max_retries=0)
    assert call(chat, HELLO)[0].text == "echo: Say hello."


def test_a_failing_sent_callback_does_not_fail_the_call(fake_server: FakeServer) -> None:
    """The request has gone out when the callback runs: its error is logged, the answer is kept."""
    fired: list[int] = []

    def broken() -> None:
        fired.append(1)
        raise RuntimeError("callback broke")

    chat, _ = make_chat(fake_server)

    async def go() -> str:
        with signal_when_sent(broken):
            calling = asyncio.ensure_future(chat.complete(HELLO))
        return (await calling).text

    assert asyncio.run(go()) == "echo: Say hello." and fired == [1]


def test_network_other_than_loopback_is_blocked() -> None:
    with pytest.raises(RuntimeError, match="must not use the network"):
        socket.create_connection(("example.invalid", 80), timeout=1)


def test_a_value_over_the_limit_is_not_learned_as_an_unsupported_parameter(fake_server: FakeServer) -> None:
    msg = "max_tokens is too large: 40000. This model supports at most 16384 completion tokens."
    fake_server.push(Reply.error(400, f"'max_tokens' {msg}"))
    chat, _ = make_chat(fake_server)
    err = fail(chat, ChatRequest.of("Say hello.", max_tokens=40_000))
    assert isinstance(err, EndpointError) and "too large" in str(err) and len(fake_server.chat_requests) == 1
    assert chat.token_param == "max_tokens" and not chat.learned
