"""The response cache: the quickstart's summary run twice, calls made and time, first vs second run.

    python benchmarks/cache_rerun.py [--latency 0.3] [--out DIR]

The quickstart (README) summarises the bundled seeds. Here it runs against the scripted server
(`tests/fakeserver.py` in process on 127.0.0.1, answering with the tests' scripted model after
`--latency` seconds per call) with an empty cache folder (BRIEF_CACHE_DIR in a temporary folder):

- CLI: `brief summarize examples/syria-iraq-2025 --engine openai` (as `python -m toolkit`), a new
  process each run, OPENAI_BASE_URL pointing at the scripted server;
- API: `toolkit.summarize(EXAMPLES, engine=OpenAIEngine(OpenAIChat(config, cache=ResponseCache(dir))))`
  twice in this process, a new engine and client each time.

Calls are counted at the server; cached calls come from the briefing's `usage`.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _common import (
    EXAMPLES,
    LATENCY,
    MODEL,
    RESULTS,
    ROOT,
    Outcome,
    Table,
    Target,
    command_line,
    delayed,
    md_table,
    our_answer,
    our_engine,
    progress,
    publish,
    scripted_server,
)

from toolkit import summarize


@dataclass
class Rerun:
    way: str
    run: int
    calls: int
    cached: int
    seconds: float
    same: bool


def cli_runs(server: Any, folder: Path) -> list[Rerun]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "AZURE_OPENAI_"))}
    env.update(
        OPENAI_BASE_URL=server.base_url,
        OPENAI_API_KEY="bench",
        OPENAI_MODEL=MODEL,
        BRIEF_CACHE_DIR=str(folder / "cli-cache"),
    )
    out: list[Rerun] = []
    first = ""
    for k in (1, 2):
        target = folder / f"cli{k}.json"
        cmd = [sys.executable, "-m", "toolkit", "summarize", str(EXAMPLES.relative_to(ROOT))]
        cmd += ["--engine", "openai", "--json", str(target), "--out", str(folder / f"cli{k}.md")]
        before = len(server.chat_requests)
        start = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, env=env, check=True, capture_output=True)
        seconds = time.perf_counter() - start
        data = json.loads(target.read_text(encoding="utf-8"))
        sentences = json.dumps(data["sentences"])
        first = first or sentences
        calls = len(server.chat_requests) - before
        out.append(
            Rerun("CLI, new process", k, calls, data["usage"]["cached_calls"], seconds, sentences == first)
        )
        progress(f"cache: CLI run {k}: {calls} calls, {seconds:.2f} s")
    return out


def api_runs(server: Any, folder: Path) -> list[Rerun]:
    out: list[Rerun] = []
    first = ""
    for k in (1, 2):
        engine = our_engine(server.base_url, cache_dir=folder / "api-cache")
        before = len(server.chat_requests)
        start = time.perf_counter()
        briefing = summarize(EXAMPLES, engine=engine)
        seconds = time.perf_counter() - start
        sentences = json.dumps([s.text for s in briefing.sentences])
        first = first or sentences
        calls = len(server.chat_requests) - before
        out.append(
            Rerun("API, same process", k, calls, briefing.usage.cached_calls, seconds, sentences == first)
        )
        progress(f"cache: API run {k}: {calls} calls, {seconds:.2f} s")
    return out


def run(latency: float = LATENCY) -> Outcome:
    with tempfile.TemporaryDirectory() as tmp, scripted_server(delayed(our_answer, latency)) as server:
        reruns = cli_runs(server, Path(tmp)) + api_runs(server, Path(tmp))
    rows = [
        (r.way, r.run, r.calls, r.cached, f"{r.seconds:.2f} s", "yes" if r.same else "no") for r in reruns
    ]
    body = "\n".join(
        [
            md_table(
                ["how", "run", "calls to the endpoint", "cached calls", "wall time", "same summary"], rows
            ),
            "",
            "`brief summarize examples/syria-iraq-2025 --engine openai` (the quickstart with an endpoint)",
            f"against the scripted server, {1000 * latency:.0f} ms per call, empty cache before run 1. CLI",
            "wall time includes starting Python and importing the toolkit; the API runs reuse this process.",
            "The second run's answers come from the on-disk cache (`toolkit.chat.cache.ResponseCache`).",
        ]
    )
    second = [r for r in reruns if r.run == 2]
    target = Target(
        "a cached re-run with zero calls",
        "; ".join(f"{r.way}: {r.calls} calls, {r.cached} cached, {r.seconds:.2f} s" for r in second),
        all(r.calls == 0 for r in second),
    )
    return Outcome([Table("cache", "Cache: the quickstart summary run twice", body)], [target])


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    ap.add_argument("--latency", type=float, default=LATENCY, help="seconds per scripted call")
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args(argv)
    start = time.perf_counter()
    outcome = run(args.latency)
    publish(outcome, command_line("cache_rerun.py", argv), args.out, time.perf_counter() - start)
    return 0


if __name__ == "__main__":
    sys.exit(main())
