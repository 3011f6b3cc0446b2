"""`--via batch-api`: the OpenAI Batch API path against the scripted server's /v1/files and /v1/batches."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import scripted_model
from fakeserver import FakeServer, Reply
from test_batch import KEY, all_text, brief_batch_command, cluster_dir, done_counts

from toolkit import build_corpus, load_articles, plan
from toolkit.batch.runner import JOURNAL, run_batch
from toolkit.chat.batch_api import BatchAPIChat, batch_price
from toolkit.chat.cache import ResponseCache
from toolkit.chat.endpoint import EndpointConfig
from toolkit.chat.llm import ChatRequest
from toolkit.engines.llm_engine import OpenAIEngine
from toolkit.errors import EndpointError
from toolkit.plan.planning import ModelInfo, estimate_cost, model_info

SMALL = ["--context", "2200"]  # seeds 0+4 need two map calls and a reduce call in 2,200 tokens


def uploads(server: FakeServer) -> list[list[dict[str, Any]]]:
    """The JSONL input files uploaded for batches, parsed, in order."""
    files = [f for f in server.files.values() if f["purpose"] == "batch"]
    return [[json.loads(x) for x in f["content"].decode().splitlines()] for f in files]


def configure(server: FakeServer, monkeypatch: pytest.MonkeyPatch) -> None:
    server.handler = scripted_model.answer
    server.batch_polls = 0  # a batch completes when first retrieved: no waiting in tests
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", KEY)


def test_all_clusters_share_one_job_for_first_calls_and_one_for_reduce_calls(
    fake_server: FakeServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(fake_server, monkeypatch)
    clusters = [
        cluster_dir(tmp_path, "s0", [0]),
        cluster_dir(tmp_path, "s0-again", [0]),  # the same request twice: sent once
        cluster_dir(tmp_path, "s3", [3]),
        cluster_dir(tmp_path, "m04", [0, 4]),
        cluster_dir(tmp_path, "m41", [4, 1]),
        tmp_path / "missing",
    ]
    out = tmp_path / "out"
    report = run_batch(
        clusters, out, via="batch-api", model="gpt-4o-mini", words=80, context=2200, progress=False
    )
    assert [r.status for r in report.results] == ["done"] * 5 + ["failed"]
    assert fake_server.chat_requests == []  # nothing went through /chat/completions
    first, second = uploads(fake_server)  # exactly two jobs
    maps = [plan(c, model="gpt-4o-mini", words=80, context=2200).calls - 1 for c in clusters[3:5]]
    assert len(first) == 2 + sum(maps)  # s0 (once), s3, and every map call of both mapped clusters
    assert len(second) == 2 and all("<notes>" in json.dumps(x["body"]) for x in second)  # the reduces
    for line in first + second:
        assert line["method"] == "POST" and line["url"] == "/v1/chat/completions"
        fmt = line["body"].get("response_format")  # map notes cite (JSON); plain briefings ask for prose
        assert line["body"]["model"] == "gpt-4o-mini" and (fmt is None or fmt["type"] == "json_schema")
        assert len(line["custom_id"]) == 64
    batches = list(fake_server.batches.values())
    assert [(b["endpoint"], b["completion_window"], b["status"]) for b in batches] == [
        ("/v1/chat/completions", "24h", "completed")
    ] * 2
    assert max(Counter(x["custom_id"] for x in fake_server.batch_lines).values()) == 1

    briefing = json.loads((out / "m04.json").read_text())
    assert briefing["engine"] == "openai" and briefing["sentences"]
    assert any("Batch API" in n for n in briefing["notes"])
    usage = briefing["usage"]
    half = batch_price(model_info("gpt-4o-mini"))
    assert usage["cost_usd"] == pytest.approx(
        estimate_cost(half, usage["prompt_tokens"], usage["completion_tokens"])
    )
    assert {r.name: r.usage.cached_calls for r in report.done}["s0-again"] + {
        r.name: r.usage.cached_calls for r in report.done
    }["s0"] == 1  # one of the two got the shared answer without paying
    assert KEY not in all_text(out)
    journal = [json.loads(x) for x in (out / JOURNAL).read_text().splitlines()]
    assert [e["event"] for e in journal] == ["uploaded", "created", "collected"] * 2

    again = run_batch(
        clusters, out, via="batch-api", model="gpt-4o-mini", words=80, context=2200, progress=False
    )
    assert [r.status for r in again.results] == ["skipped"] * 5 + ["failed"]
    assert len(fake_server.batches) == 2


def test_failed_and_expired_items_are_retried_in_new_jobs(
    fake_server: FakeServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    configure(fake_server, monkeypatch)
    fake_server.push(Reply.error(500, "the model is overloaded"))  # the first item of the first job
    fake_server.batch_outcomes.extend(["completed", "expired"])  # the retry job expires half-way
    clusters = [cluster_dir(tmp_path, f"s{i}", [i]) for i in (0, 1, 2, 3)]
    report = run_batch(
        clusters, tmp_path / "out", via="batch-api", model="gpt-4o-mini", words=80, progress=False
    )
    assert report.ok and len(report.done) == 4
    jobs = uploads(fake_server)
    assert [len(j) for j in jobs] == [4, 1, 1]  # all four; the failed one; it again after expiring
    assert jobs[1][0]["custom_id"] == jobs[2][0]["custom_id"] == jobs[0][0]["custom_id"]
    statuses = [b["status"] for b in fake_server.batches.values()]
    assert statuses == ["completed", "expired", "completed"]
    assert "HTTP 500: the model is overloaded" in caplog.text
    answered = [x["custom_id"] for x in fake_server.batch_lines]
    assert len(answered) == 5 and len(set(answered)) == 4  # the failed try was not an answer


def test_a_job_that_keeps_failing_fails_its_clusters_with_the_reason(
    fake_server: FakeServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(fake_server, monkeypatch)
    fake_server.batch_outcomes.extend(["failed"] * 3)
    call = cluster_dir(tmp_path, "call", [3])
    report = run_batch(
        [call], tmp_path / "out", via="batch-api", model="gpt-4o-mini", words=80, progress=False
    )
    assert [r.status for r in report.results] == ["failed"]
    error = report.failed[0].error
    assert "no answer to a request in 3 jobs" in error and "scripted_failure" in error
    assert "run again" in error and len(fake_server.batches) == 3


def test_one_engine_polls_with_growing_waits_and_caches_answers(
    fake_server: FakeServer, tmp_path: Path
) -> None:
    fake_server.handler = scripted_model.answer
    fake_server.batch_polls = 3
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    config = EndpointConfig(base_url=fake_server.base_url, api_key=KEY, model="gpt-4o-mini")
    cache = ResponseCache(tmp_path / "cache")
    chat = BatchAPIChat(config, cache=cache, sleep=sleep, poll_interval=2.0, poll_cap=4.0)
    info = ModelInfo(context=2200, usd_per_m_input=0.15, usd_per_m_output=0.60)
    corpus = build_corpus(load_articles([str(p) for p in cluster_dir(tmp_path, "m", [0, 4]).iterdir()]))
    draft = OpenAIEngine(chat, "gpt-4o-mini", info=info).summarize(corpus, words=80)
    assert draft.sentences and len(chat.jobs) == 2  # the map calls together, then the reduce call
    assert waits == [2.0, 3.0, 4.0] * 2
    assert len(cache) == len(fake_server.batch_lines) == draft.usage.calls
    again = OpenAIEngine(chat, "gpt-4o-mini", info=info).summarize(corpus, words=80)
    assert again.usage.calls == 0 and again.usage.cached_calls == draft.usage.calls
    assert len(fake_server.batches) == 2


def test_a_request_whose_jobs_all_fail_raises_naming_the_fix(fake_server: FakeServer) -> None:
    import asyncio

    fake_server.batch_polls = 0
    fake_server.batch_outcomes.extend(["failed"])
    config = EndpointConfig(base_url=fake_server.base_url, api_key=KEY, model="gpt-4o-mini")
    chat = BatchAPIChat(config, max_rounds=1)

    async def ask() -> None:
        try:
            await chat.complete(ChatRequest.of("hello"))
        finally:
            await chat.aclose()

    with pytest.raises(EndpointError, match=r"1 jobs .*scripted_failure.*without --via batch-api") as info:
        asyncio.run(ask())
    assert KEY not in str(info.value)


@pytest.mark.parametrize("lose_created", [False, True], ids=["journal-complete", "killed-before-recording"])
def test_kill_9_while_a_job_runs_then_rerun_adopts_the_job(tmp_path: Path, lose_created: bool) -> None:
    clusters = [cluster_dir(tmp_path, "s1", [1]), cluster_dir(tmp_path, "m04", [0, 4])]
    out = tmp_path / "out"
    with FakeServer(handler=scripted_model.answer) as server:
        server.batch_polls = 10**9  # the first job never finishes while the first run lives
        env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
        env |= {"OPENAI_BASE_URL": server.base_url, "OPENAI_API_KEY": KEY}
        env["BRIEF_CACHE_DIR"] = str(tmp_path / "cache")
        args = [*brief_batch_command(), *map(str, clusters), "--out", str(out), "--via", "batch-api"]
        args += ["--model", "gpt-4o-mini", "--words", "80", "--no-progress", *SMALL]
        first = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        journal = out / JOURNAL
        deadline = time.monotonic() + 180  # a guard against hanging, not a timing assertion
        try:
            while not (journal.is_file() and '"created"' in journal.read_text() and server.batches):
                assert first.poll() is None, first.communicate()
                assert time.monotonic() < deadline, "the first job was never created"
                time.sleep(0.05)
            first.send_signal(signal.SIGKILL)
            first.communicate(timeout=60)
        finally:
            if first.poll() is None:
                first.kill()
        assert len(server.batches) == 1 and server.batch_lines == []
        if lose_created:  # as if killed between batches.create and writing the journal
            kept = [x for x in journal.read_text().splitlines() if '"created"' not in x]
            journal.write_text("\n".join(kept) + "\n")
        server.batch_polls = 0
        second = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300)
        assert second.returncode == 0, second.stderr
    assert len(server.batches) == 2  # the adopted first job and the reduce job: nothing resubmitted
    assert len(uploads(server)) == 2
    assert max(Counter(x["custom_id"] for x in server.batch_lines).values()) == 1
    assert done_counts(out) == {"s1": 1, "m04": 1}
    assert KEY not in all_text(out) + second.stdout + second.stderr
