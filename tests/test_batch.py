"""Batch runs: many clusters, manifest, failures that stop nothing, and a real `kill -9` mid-run."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import scripted_model
from fakeserver import FakeServer, Reply
from paths import SEEDS
from typer.testing import CliRunner

from toolkit import plan
from toolkit.batch.runner import MANIFEST, Cluster, _locked, clusters_from, run_batch
from toolkit.chat.cache import ResponseCache
from toolkit.errors import ConfigError
from toolkit.group.grouping import EventGroup

KEY = "sk-test-SECRET-batch-9876543210"


def cluster_dir(root: Path, name: str, seeds: list[int]) -> Path:
    """A cluster folder holding copies of the given seeds, in that order (files are read by name)."""
    folder = root / name
    folder.mkdir(parents=True)
    for k, i in enumerate(seeds):
        shutil.copy(SEEDS[i], folder / f"{k}_{SEEDS[i].name}")
    return folder


def manifest(out: Path) -> list[dict[str, Any]]:
    path = out / MANIFEST
    return [json.loads(x) for x in path.read_text().splitlines()] if path.is_file() else []


def done_counts(out: Path) -> Counter[str]:
    return Counter(r["cluster"] for r in manifest(out) if r["status"] == "done")


def brief_batch_command() -> list[str]:
    """`python -m toolkit batch` once toolkit.cli registers it, else the same command from cli_batch."""
    from toolkit.cli import app as cli

    names = {c.name for c in cli.app.registered_commands}
    return [sys.executable, "-m", "toolkit" if "batch" in names else "toolkit.cli.batch", "batch"]


def all_text(folder: Path) -> str:
    return "".join(p.read_text(errors="replace") for p in folder.rglob("*") if p.is_file())


# --- in process --------------------------------------------------------------------------------------
def test_batch_writes_each_briefing_records_failures_and_skips_finished(tmp_path: Path) -> None:
    visit = cluster_dir(tmp_path / "in", "visit", [0, 1, 2])
    call = cluster_dir(tmp_path / "in", "call", [3])
    empty = tmp_path / "in" / "empty"
    empty.mkdir()
    bad = tmp_path / "in" / "bad.txt"
    bad.write_bytes(bytes(range(256)) * 4)  # binary
    out = tmp_path / "out"
    report = run_batch([visit, call, empty, bad], out, engine="extractive", words=80, progress=False)
    assert [r.status for r in report.results] == ["done", "done", "failed", "failed"]
    assert not report.ok
    assert "empty" in report.failed[0].error and "bad.txt" in report.failed[1].error
    for name in ("visit", "call"):
        data = json.loads((out / f"{name}.json").read_text())
        assert data["engine"] == "extractive" and data["sentences"]
        assert "[^1]" in (out / f"{name}.md").read_text()
    records = manifest(out)
    assert sorted(r["cluster"] for r in records) == ["bad", "call", "empty", "visit"]
    assert {r["status"] for r in records if r["cluster"] in ("bad", "empty")} == {"failed"}
    assert all(r["error"] for r in records if r["status"] == "failed")
    assert "failed   empty" in str(report) and "done     visit" in str(report)

    again = run_batch([visit, call, empty, bad], out, engine="extractive", words=80, progress=False)
    assert [r.status for r in again.results] == ["skipped", "skipped", "failed", "failed"]
    assert done_counts(out) == {"visit": 1, "call": 1}

    other = run_batch([call], out, engine="extractive", words=60, progress=False)  # new settings: redone
    assert [r.status for r in other.results] == ["done"]
    (out / "visit.json").unlink()  # a briefing lost since: done again
    assert run_batch([visit], out, engine="extractive", words=80, progress=False).results[0].status == "done"


def test_cluster_names_are_file_safe_and_unique(tmp_path: Path) -> None:
    group = EventGroup(id="E2", members=(0, 1), paths=("a/x.txt", "b/y.txt"), titles=("", ""), label="")
    clusters = clusters_from(["news/Visit to Iraq", "other/Visit to Iraq", ["a/one.txt", "a/two.txt"], group])
    assert clusters == [
        Cluster(name="Visit-to-Iraq", inputs=("news/Visit to Iraq",)),
        Cluster(name="Visit-to-Iraq-2", inputs=("other/Visit to Iraq",)),
        Cluster(name="one+1", inputs=("a/one.txt", "a/two.txt")),
        Cluster(name="E2", inputs=("a/x.txt", "b/y.txt")),
    ]
    assert [c.name for c in clusters_from({"../../etc": "x", "ok": ["y"]})] == ["etc", "ok"]
    with pytest.raises(ConfigError, match="empty"):
        clusters_from([[]])


def test_bad_options_and_a_second_run_on_the_same_folder_are_refused(tmp_path: Path) -> None:
    call = cluster_dir(tmp_path, "call", [3])
    with pytest.raises(ConfigError, match="concurrency"):
        run_batch([call], tmp_path / "o", concurrency=0)
    with pytest.raises(ConfigError, match="--via"):
        run_batch([call], tmp_path / "o", via="carrier-pigeon")
    with pytest.raises(ConfigError, match="engine openai"):
        run_batch([call], tmp_path / "o", via="batch-api", engine="extractive")
    out = tmp_path / "locked"
    out.mkdir()
    with _locked(out), pytest.raises(ConfigError, match="another `brief batch`"):
        run_batch([call], out, engine="extractive", progress=False)


def test_endpoint_failure_fails_one_cluster_and_never_writes_the_key(
    fake_server: FakeServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def handler(body: dict[str, Any]) -> Reply | str:
        if "Kurdistan" in json.dumps(body):  # the December call story (seed 003)
            return Reply.error(400, f"bad request from key {KEY}")  # a server that echoes the key
        return scripted_model.answer(body)

    fake_server.handler = handler
    monkeypatch.setenv("OPENAI_BASE_URL", fake_server.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    visit, call = cluster_dir(tmp_path, "visit", [1]), cluster_dir(tmp_path, "call", [3])
    out = tmp_path / "out"
    report = run_batch([visit, call], out, engine="openai", model="gpt-4o-mini", words=80, progress=False)
    assert [r.status for r in report.results] == ["done", "failed"]
    assert "HTTP 400" in report.failed[0].error
    assert KEY not in all_text(out) and KEY not in str(report) and KEY not in caplog.text
    assert "***" in report.failed[0].error


def test_cli_rejects_bad_input_with_exit_2(tmp_path: Path) -> None:
    import typer

    from toolkit.cli.batch import batch_cmd

    app = typer.Typer()
    app.command("batch")(batch_cmd)
    app.command("other")(lambda: None)
    runner = CliRunner()
    call = cluster_dir(tmp_path, "call", [3])
    for args, message in (
        ([str(tmp_path / "missing")], "no such cluster"),
        ([str(call), "--via", "pigeon"], "unknown --via"),
        ([str(call), "--concurrency", "0"], "at least 1"),
        ([str(call), "--engine", "gpt"], "unknown engine"),
        ([str(call), "--out", str(SEEDS[0])], "is a file"),
    ):
        r = runner.invoke(app, ["batch", *args])
        assert r.exit_code == 2, (args, r.output)
        assert message in r.output and len(r.output.strip().splitlines()) == 1
    r = runner.invoke(app, ["batch", str(call), "--out", str(tmp_path / "o"), "--engine", "extractive"])
    assert r.exit_code == 0 and "1 done, 0 failed" in r.output


# --- a real kill -9 ----------------------------------------------------------------------------------
class Gatekeeper:
    """The scripted model behind a gate: answers are recorded (what would be paid); while `hold` is
    set, reduce calls are held unanswered until `release()` (the client is killed meanwhile)."""

    def __init__(self) -> None:
        self.answered: list[str] = []
        self.held = 0
        self.hold = True
        self._lock = threading.Lock()
        self._gate = threading.Event()

    def __call__(self, body: dict[str, Any]) -> Reply | str:
        with self._lock:
            if self.hold and "<notes>" in json.dumps(body):
                self.held += 1
                holding = True
            else:
                self.answered.append(json.dumps(body, sort_keys=True))
                holding = False
        if holding:
            self._gate.wait(120)
            return Reply.error(503, "never delivered: the client is gone")
        return scripted_model.answer(body)

    def release(self) -> None:
        self.hold = False
        self._gate.set()


def wait_for(condition: Any, what: str, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 180  # a guard against hanging forever, not a timing assertion
    while not condition():
        if proc.poll() is not None:
            pytest.fail(f"batch exited early ({proc.returncode}) while waiting for {what}: {proc.stderr}")
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.05)


def test_kill_9_mid_run_then_rerun_repeats_no_paid_call(tmp_path: Path) -> None:
    root = tmp_path / "clusters"
    # Three clusters fit one call; three need map calls then a reduce call (context 2,200 tokens).
    singles = [cluster_dir(root, f"s{i}", [i]) for i in (0, 1, 3)]
    mapped = [
        cluster_dir(root, "m1", [0, 4]),
        cluster_dir(root, "m2", [4, 1]),
        cluster_dir(root, "m3", [4, 3]),
    ]
    out, cache_dir = tmp_path / "out", tmp_path / "cache"
    gate = Gatekeeper()
    with FakeServer(handler=gate) as server:
        env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
        env |= {"OPENAI_BASE_URL": server.base_url, "OPENAI_API_KEY": KEY, "BRIEF_CACHE_DIR": str(cache_dir)}
        options = ["--engine", "openai", "--model", "gpt-4o-mini", "--words", "80", "--context", "2200"]
        args = [*brief_batch_command(), *map(str, singles + mapped), "--out", str(out), *options]
        args += ["--concurrency", "2", "--no-progress"]
        first = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            # Kill once the single-call clusters are written and both workers wait on a reduce call
            # whose map calls were answered and cached: killed mid-cluster, with calls in flight.
            wait_for(
                lambda: (
                    sum(done_counts(out).values()) == 3
                    and gate.held == 2
                    and len(ResponseCache(cache_dir)) == len(gate.answered)
                ),
                "three finished clusters and two held reduce calls",
                first,
            )
            first.send_signal(signal.SIGKILL)
            first.communicate(timeout=60)
        finally:
            if first.poll() is None:
                first.kill()
            gate.release()
        assert first.returncode == -signal.SIGKILL
        assert done_counts(out) == {"s0": 1, "s1": 1, "s3": 1}
        paid_before = len(gate.answered)

        second = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300)
        assert second.returncode == 0, second.stderr
    assert "3 done, 0 failed, 3 skipped" in second.stdout
    counts = Counter(gate.answered)
    assert max(counts.values()) == 1, "a paid call was repeated"
    m1_calls, m3_calls = (plan(m, model="gpt-4o-mini", words=80, context=2200).calls for m in mapped[::2])
    assert len(gate.answered) == paid_before + 2 + m3_calls  # the two held reduce calls, then all of m3
    assert done_counts(out) == dict.fromkeys(["s0", "s1", "s3", "m1", "m2", "m3"], 1)
    last = {r["cluster"]: r for r in manifest(out)}
    assert last["m1"]["usage"] | {"cost_usd": 0} == {  # its map calls came from the cache
        "calls": 1, "cached_calls": m1_calls - 1, "prompt_tokens": last["m1"]["usage"]["prompt_tokens"],
        "completion_tokens": last["m1"]["usage"]["completion_tokens"], "cost_usd": 0, "unreported_calls": 0,
    }  # fmt: skip
    assert last["m3"]["usage"]["cached_calls"] == 0
    for name in ("s0", "s1", "s3", "m1", "m2", "m3"):
        assert json.loads((out / f"{name}.json").read_text())["sentences"]
    assert not list(out.glob(".*.tmp")), "no half-written file is left in place"
    assert KEY not in all_text(out) + second.stdout + second.stderr
