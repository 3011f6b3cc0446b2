"""Two notebook kernels sharing one cache folder, played by processes.

    python -m adversarial.kernel BASE_URL CACHE_DIR OUT.json SEED [SEED ...]   (run from tests/)

Each SEED is a cluster of 3 articles (`texts.cluster`); the process summarises them in order with the
LLM engine against BASE_URL, caching in CACHE_DIR, and writes what it got to OUT.json. `scenario` runs
two such processes at once (the same clusters, then different ones), kills a third mid-run, and checks
the cache: every entry whole, nothing lost, and a last run served entirely from it.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit import summarize
from toolkit.chat.cache import ResponseCache
from toolkit.chat.endpoint import EndpointConfig
from toolkit.chat.llm import OpenAIChat
from toolkit.engines.llm_engine import OpenAIEngine
from toolkit.plan.planning import ModelInfo

from .figures import Figures
from .texts import cluster

__all__ = ["KernelsResult", "main", "scenario"]

TESTS = Path(__file__).resolve().parent.parent
MODEL = "gpt-4o-mini"
SHARED = list(range(100, 120))  # both kernels summarise these
OWN = {"A": list(range(200, 210)), "B": list(range(300, 310))}
KILLED = list(range(400, 430))  # the kernel killed mid-run


def run_seeds(base_url: str, cache_dir: Path, seeds: list[int]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for seed in seeds:
        config = EndpointConfig(base_url=base_url, model=MODEL, max_retries=2)
        chat = OpenAIChat(config, cache=ResponseCache(cache_dir), backoff_base=0.001, backoff_cap=0.01)
        engine = OpenAIEngine(chat, MODEL, info=ModelInfo(context=128_000))
        b = summarize(cluster(random.Random(seed), 3), engine=engine, words=80)
        out[str(seed)] = {
            "sentences": [s.text for s in b.sentences],
            "statuses": [s.status for s in b.sentences],
            "calls": b.usage.calls,
            "cached": b.usage.cached_calls,
        }
    return out


def main(argv: list[str]) -> int:
    base_url, cache_dir, out = argv[0], Path(argv[1]), Path(argv[2])
    result = run_seeds(base_url, cache_dir, [int(s) for s in argv[3:]])
    out.write_text(json.dumps(result))
    return 0


def spawn(base_url: str, cache_dir: Path, out: Path, seeds: list[int]) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "AZURE_OPENAI_"))}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(TESTS), env.get("PYTHONPATH")]))
    cmd = [sys.executable, "-m", "adversarial.kernel", base_url, str(cache_dir), str(out), *map(str, seeds)]
    return subprocess.Popen(
        cmd, cwd=TESTS, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def finish(proc: subprocess.Popen[str], timeout: float = 300) -> None:
    _, err = proc.communicate(timeout=timeout)
    if proc.returncode != 0:
        raise AssertionError(f"kernel failed ({proc.returncode}): {err[-3000:]}")


@dataclass
class CacheState:
    entries: int
    unreadable: list[str]  # entries that do not parse as a whole answer
    temporary: int  # stray temporary files (a process killed mid-write)


def inspect(cache_dir: Path) -> CacheState:
    cache = ResponseCache(cache_dir)
    paths = sorted(cache_dir.glob("??/*.json"))
    bad = [p.name for p in paths if cache.get(p.stem) is None]
    return CacheState(len(paths), bad, len(list(cache_dir.glob("??/*.tmp"))))


@dataclass
class KernelsResult:
    results: dict[str, dict[str, Any]]  # kernel -> seed -> what it got
    both: CacheState  # after the two kernels
    killed_after: int  # requests the killed kernel had made
    after_kill: CacheState
    rerun_requests: int  # what re-running the killed kernel's clusters asked the server for
    rerun_expected: int  # its clusters that had no entry yet
    last_requests: int  # what a last run over everything asked the server for
    last: dict[str, Any]
    raced: int  # requests both kernels sent at the same moment (both paid; see the README)
    figures: Figures = field(default_factory=lambda: Figures("two kernels, one cache"))


def scenario(server: Any, tmp: Path) -> KernelsResult:
    """`server` answers with the scripted model after a short delay (so the kernels overlap)."""
    cache_dir = tmp / "cache"
    url = server.base_url
    outs = {name: tmp / f"{name}.json" for name in ("A", "B", "C", "D", "E")}
    procs = {k: spawn(url, cache_dir, outs[k], SHARED + OWN[k]) for k in ("A", "B")}
    for proc in procs.values():
        finish(proc)
    results = {k: json.loads(outs[k].read_text()) for k in ("A", "B")}
    sent = Counter(json.dumps(r.body, sort_keys=True) for r in server.chat_requests)
    raced = sum(n - 1 for n in sent.values())
    both = inspect(cache_dir)

    start = len(server.chat_requests)
    proc = spawn(url, cache_dir, outs["C"], KILLED)
    deadline = time.monotonic() + 120
    while len(server.chat_requests) - start < 8 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    proc.kill()
    proc.communicate(timeout=60)
    killed_after = len(server.chat_requests) - start
    after_kill = inspect(cache_dir)
    rerun_expected = len(KILLED) - (after_kill.entries - both.entries)
    start = len(server.chat_requests)
    finish(spawn(url, cache_dir, outs["D"], KILLED))
    rerun_requests = len(server.chat_requests) - start
    results["D"] = json.loads(outs["D"].read_text())

    start = len(server.chat_requests)
    finish(spawn(url, cache_dir, outs["E"], SHARED + OWN["A"] + OWN["B"] + KILLED))
    last_requests = len(server.chat_requests) - start
    last = json.loads(outs["E"].read_text())

    result = KernelsResult(
        results, both, killed_after, after_kill, rerun_requests, rerun_expected, last_requests, last, raced
    )
    f = result.figures
    f.cases = 5  # kernel runs: two at once, one killed, its re-run, a last one over everything
    f.faults = 1 + 2 * len(SHARED)  # the kill, and every shared summary asked for by two kernels
    f.detail = {"cache entries": inspect(cache_dir).entries, "requests sent by both kernels at once": raced}
    return result


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
