"""ResponseCache on disk: keys, atomic entries, corrupt entries, sharing, and use through OpenAIChat."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from fakeserver import FakeServer, Reply

from toolkit.chat.cache import ResponseCache, default_cache_dir, request_key
from toolkit.chat.endpoint import EndpointConfig
from toolkit.chat.llm import ChatRequest, ChatResponse, OpenAIChat

KEY = "sk-cache-SECRET-abcdef0123456789"
REQ = ChatRequest.of("What happened?", system="Cite passages.")
ANSWER = ChatResponse(
    text="It rained [S1:2].", finish_reason="stop", prompt_tokens=40, completion_tokens=6, model="m"
)


def key_of(request: ChatRequest = REQ, base_url: str = "http://127.0.0.1:1/v1", model: str = "m") -> str:
    return request_key(request, base_url=base_url, model=model)


def test_roundtrip_marks_cached(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path)
    k = key_of()
    assert cache.get(k) is None and k not in cache
    cache.put(k, ANSWER)
    got = cache.get(k)
    assert got is not None and got.cached and got.text == ANSWER.text
    assert (got.finish_reason, got.prompt_tokens, got.completion_tokens, got.model) == ("stop", 40, 6, "m")
    assert k in cache and len(cache) == 1 and (cache.hits, cache.misses) == (1, 1)
    assert cache.path(k).parent.parent == tmp_path
    assert [p.name for p in cache.path(k).parent.iterdir()] == [f"{k}.json"]  # no temp file left behind


def test_key_covers_everything_that_shapes_the_answer() -> None:
    base = key_of()
    variants = [
        key_of(ChatRequest.of("What happened?", system="Cite passages!")),
        key_of(ChatRequest.of("What happened?", system="Cite passages.", temperature=0.7)),
        key_of(ChatRequest.of("What happened?", system="Cite passages.", max_tokens=100)),
        key_of(ChatRequest.of("What happened?", system="Cite passages.", json_mode=True)),
        key_of(ChatRequest.of("What happened?", system="Cite passages.", seed=1)),
        key_of(ChatRequest.of("What happened?", system="Cite passages.", extra={"top_p": 0.9})),
        key_of(model="other"),
        key_of(base_url="http://127.0.0.1:2/v1"),
    ]
    assert len({base, *variants}) == len(variants) + 1
    as_dicts = ChatRequest(
        ({"role": "system", "content": "Cite passages."}, {"role": "user", "content": "What happened?"})
    )
    assert key_of(as_dicts) == base  # tuple and dict messages are the same request
    assert key_of(ChatRequest.of("What happened?", system="Cite passages.", stream=True)) == base
    assert key_of(base_url="http://127.0.0.1:1/v1/") == base


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"{",
        b"\xff\xfe garbage",
        b"[]",
        b'{"format": 1}',
        b'{"format": 1, "key": "x", "response": {}}',
        b"null",
    ],
)
def test_corrupt_entry_is_a_miss_and_removed(tmp_path: Path, content: bytes) -> None:
    cache = ResponseCache(tmp_path)
    k = key_of()
    cache.path(k).parent.mkdir(parents=True)
    cache.path(k).write_bytes(content)
    assert cache.get(k) is None
    assert not cache.path(k).exists()
    cache.put(k, ANSWER)
    assert cache.get(k) is not None


def test_entry_for_another_key_or_wrong_types_is_a_miss(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path)
    k1, k2 = key_of(), key_of(model="other")
    cache.put(k1, ANSWER)
    cache.path(k2).parent.mkdir(parents=True, exist_ok=True)
    cache.path(k2).write_bytes(cache.path(k1).read_bytes())  # copied under the wrong name
    assert cache.get(k2) is None
    entry = json.loads(cache.path(k1).read_text())
    entry["response"]["prompt_tokens"] = "many"
    cache.path(k1).write_text(json.dumps(entry))
    assert cache.get(k1) is None


def test_unreadable_entry_and_unwritable_directory_never_crash(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path)
    k = key_of()
    cache.path(k).mkdir(parents=True)  # a directory where the file should be
    assert cache.get(k) is None
    blocked = tmp_path / "file-not-dir"
    blocked.write_text("x")
    broken = ResponseCache(blocked)
    broken.put(k, ANSWER)  # logged, not raised
    assert broken.get(k) is None and len(broken) == 0


def test_invalid_key_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        ResponseCache(tmp_path).path("../../etc/passwd")


def test_concurrent_writers_and_readers_never_see_a_partial_entry(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path)
    k = key_of()
    cache.put(k, ANSWER)
    bad: list[object] = []

    def write() -> None:
        for i in range(60):
            ResponseCache(tmp_path).put(k, ChatResponse(text=f"answer {i} " + "x" * 5000, model="m"))

    def read() -> None:
        reader = ResponseCache(tmp_path)
        for _ in range(200):
            got = reader.get(k)
            if got is None or not got.cached:
                bad.append(got)

    threads = [threading.Thread(target=write) for _ in range(3)] + [
        threading.Thread(target=read) for _ in range(3)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert bad == []
    assert sorted(p.name for p in cache.path(k).parent.iterdir()) == [f"{k}.json"]


def test_another_process_shares_the_cache(tmp_path: Path) -> None:
    k = key_of()
    code = (
        "import sys; from toolkit.chat.cache import ResponseCache; "
        "from toolkit.chat.llm import ChatResponse; "
        "ResponseCache(sys.argv[1]).put(sys.argv[2], ChatResponse(text='from the other process'))"
    )
    subprocess.run([sys.executable, "-c", code, str(tmp_path), k], check=True, timeout=60)
    got = ResponseCache(tmp_path).get(k)
    assert got is not None and got.text == "from the other process"


def test_clear(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path)
    cache.put(key_of(), ANSWER)
    cache.put(key_of(model="x"), ANSWER)
    assert cache.clear() == 2 and len(cache) == 0


def test_default_directory(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert default_cache_dir() == tmp_path / "brief-cache"  # set by conftest for every test
    assert ResponseCache().directory == tmp_path / "brief-cache"
    monkeypatch.delenv("BRIEF_CACHE_DIR")
    assert default_cache_dir().name == "brief"


def test_cache_through_openai_chat_never_stores_the_key(fake_server: FakeServer, tmp_path: Path) -> None:
    fake_server.push(Reply(text="first answer"))
    cache = ResponseCache(tmp_path / "c")
    config = EndpointConfig(base_url=fake_server.base_url, api_key=KEY, model="fake-model", timeout=5)

    async def go() -> list[ChatResponse]:
        async with OpenAIChat(config, cache=cache) as chat:
            return [await chat.complete(REQ), await chat.complete(REQ)]

    first, second = asyncio.run(go())
    assert (first.cached, second.cached, second.text) == (False, True, "first answer")
    assert len(fake_server.chat_requests) == 1
    files = [p for p in (tmp_path / "c").rglob("*") if p.is_file()]
    assert len(files) == 1 and KEY not in files[0].read_text()
