"""Start-up cost: `import toolkit` and the offline `brief summarize` of the example, in fresh processes.

    python benchmarks/startup.py [--runs 7] [--out DIR]

- import: `python -X importtime -c "import toolkit"`, the cumulative time Python reports for the
  `toolkit` package (microseconds, summed over everything it imports), and the process's wall time;
  `python -c pass` is the interpreter's own start-up, for reference;
- summarize: `python -m toolkit summarize examples/haiti-2010` (the README's first command) with
  no endpoint configured (the offline extractive engine) and an empty cache folder, wall time;
- which heavy libraries each of the two loads (read from the same `-X importtime` output).

Each is run `--runs` times; the table gives the minimum and the median (the machine is shared, so the
minimum is the better estimate of the cost itself). The checkout this script sits in is measured.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import Outcome, Table, command_line, publish

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = Path("examples") / "haiti-2010"
HEAVY = ("openai", "httpx", "scipy", "numpy", "anywidget", "ipywidgets", "docx", "trafilatura", "tiktoken")
_LINE = re.compile(r"^import time:\s+(\d+)\s+\|\s+(\d+)\s+\|(\s*)(\S+)\s*$")


def _env(cache: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "AZURE_OPENAI_"))}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["BRIEF_CACHE_DIR"] = cache
    return env


def _run(args: list[str], env: dict[str, str]) -> tuple[float, str]:
    """Wall seconds and stderr of `python args...` run from the checkout."""
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"python {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return wall, proc.stderr


def _imported(stderr: str) -> tuple[dict[str, int], int]:
    """Top-level packages seen in `-X importtime` output, and the cumulative us of `toolkit`."""
    seen: dict[str, int] = {}
    toolkit_us = 0
    for line in stderr.splitlines():
        m = _LINE.match(line)
        if not m:
            continue
        name = m.group(4)
        seen.setdefault(name.split(".")[0], 0)
        if name == "toolkit":
            toolkit_us = int(m.group(2))
    return seen, toolkit_us


def _stats(values: list[float]) -> tuple[float, float]:
    return min(values), statistics.median(values)


def measure(runs: int) -> tuple[str, dict[str, float]]:
    with tempfile.TemporaryDirectory() as tmp:
        env = _env(tmp)
        bare = [_run(["-c", "pass"], env)[0] for _ in range(runs)]
        import_wall: list[float] = []
        import_us: list[float] = []
        loaded_import: dict[str, int] = {}
        for _ in range(runs):
            wall, err = _run(["-X", "importtime", "-c", "import toolkit"], env)
            loaded_import, us = _imported(err)
            import_wall.append(wall)
            import_us.append(us / 1e6)
        summarize_wall: list[float] = []
        loaded_run: dict[str, int] = {}
        for k in range(runs):
            env["BRIEF_CACHE_DIR"] = str(Path(tmp) / f"cache{k}")
            wall, _ = _run(["-m", "toolkit", "summarize", str(EXAMPLE)], env)
            summarize_wall.append(wall)
        _, err = _run(["-X", "importtime", "-m", "toolkit", "summarize", str(EXAMPLE)], env)
        loaded_run, _ = _imported(err)

    rows = [
        ("`python -c pass` (the interpreter alone), wall", _stats(bare)),
        ("`import toolkit`: cumulative import time (`-X importtime`)", _stats(import_us)),
        ("`import toolkit`: process wall time", _stats(import_wall)),
        ("`brief summarize examples/haiti-2010` offline: wall time", _stats(summarize_wall)),
    ]
    lines = [
        f"{runs} runs each, fresh processes; seconds.",
        "",
        "| what | min | median |",
        "|---|---:|---:|",
        *[f"| {what} | {lo:.3f} | {mid:.3f} |" for what, (lo, mid) in rows],
        "",
        "Heavy libraries loaded (yes/no):",
        "",
        "| library | by `import toolkit` | by the offline `brief summarize` |",
        "|---|---|---|",
        *[
            f"| {lib} | {'yes' if lib in loaded_import else 'no'} | {'yes' if lib in loaded_run else 'no'} |"
            for lib in HEAVY
        ],
    ]
    figures = {
        "import_min": rows[1][1][0],
        "import_median": rows[1][1][1],
        "summarize_min": rows[3][1][0],
        "summarize_median": rows[3][1][1],
    }
    return "\n".join(lines), figures


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=7, help="runs of each measurement (default 7)")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results", help="where startup.md goes")
    args = ap.parse_args(argv)
    started = time.perf_counter()
    table, _ = measure(max(1, args.runs))
    outcome = Outcome(tables=[Table("startup", "Start-up", table)])
    publish(outcome, command_line("startup.py", argv), args.out, time.perf_counter() - started)
    return 0


if __name__ == "__main__":
    sys.exit(main())
