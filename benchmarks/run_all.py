"""Every benchmark in one run: prints the Markdown tables and writes them to benchmarks/results/.

    python benchmarks/run_all.py [--data DIR] [--engine extractive|openai] [--words 250] [--sumy]
                                 [--only NAME,...] [--out DIR]

Runs, in this order (names for `--only`): quality (ROUGE on MultiLing), summhay (coverage and citations),
citations (the citation checker vs gold links), grouping (event grouping), tokens (prompt tokens vs
naive, LangChain stuff and the physical limit), latency (load to briefing under an endpoint cost
model), cache (the quickstart run
twice), reliability (the fault and adversarial scenarios, when `reliability.py` is there), overhead
(load/clean/dedupe/group/chunk at 100, 1,000 and 10,000 articles). The whole run keeps to
`BUDGET` (14 minutes): overhead, last, gets what is left and runs at 10,000 articles only the stages
predicted to fit (see `overhead.py`).

Writes one file per table (`results/<name>.md`, each headed by the command and the date), the targets
of issue 7 (`results/targets.md`), an index (`results/README.md`), and copies the tables into the
"Latest results" section of `benchmarks/README.md`. With `--only`, only the tables that ran are
rewritten (the targets file and the READMEs are left alone); `--readme` only copies the tables
in `results/` into the README. `--engine openai` summarises through the
endpoint in OPENAI_* for the quality and summhay benchmarks; the others always use the scripted server.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import cache_rerun
import citations
import grouping
import latency
import overhead
import quality
import summhay
import tokens
from _common import (
    DEFAULT_DATA,
    RESULTS,
    ROOT,
    Outcome,
    Target,
    command_line,
    progress,
    publish,
    stamp,
    targets_table,
)


@dataclass
class Bench:
    name: str
    what: str
    script: str
    run: Callable[[argparse.Namespace], Outcome]


BENCHES = (
    Bench("quality", "ROUGE-1/2/L vs Lead, LexRank, TextRank on multiling2011_en", "quality.py",
          lambda a: quality.run(a.data, a.words, a.engine)),
    Bench("summhay", "coverage of gold insights and citation precision on summhay_news", "summhay.py",
          lambda a: summhay.run(a.data, a.words, a.engine, sumy=a.sumy)),
    Bench("citations", "the citation checker vs SummHay's gold insight-to-document links", "citations.py",
          lambda a: citations.run(a.data)),
    Bench("grouping", "event grouping vs known clusters", "grouping.py", lambda a: grouping.run(a.data)),
    Bench("tokens", "prompt tokens per cluster: ours vs naive vs LangChain", "tokens.py",
          lambda a: tokens.run(a.data, a.words)),
    Bench("latency", "load to briefing under an endpoint cost model: ours vs LangChain, LlamaIndex",
          "latency.py",
          lambda a: latency.run(a.data)),
    Bench("cache", "the quickstart run twice: calls and time", "cache_rerun.py", lambda a: cache_rerun.run()),
    Bench("reliability", "fault and adversarial scenarios: cases, faults, repeats, injections",
          "reliability.py", lambda a: importlib.import_module("reliability").run()),
    Bench("overhead", "load/clean/dedupe/group/chunk at 100, 1,000, 10,000 articles", "overhead.py",
          lambda a: overhead.run(a.data, time_budget=a.deadline - time.perf_counter())),
)  # fmt: skip
# The whole run stays under 15 minutes: overhead (last) gets what is left of this.
BUDGET = 14 * 60.0
README = ROOT / "benchmarks" / "README.md"
START, END = "<!-- results:start (written by run_all.py) -->", "<!-- results:end -->"


def demote(markdown: str) -> str:
    """Headings two levels down, so a results file sits under the README's "## Latest results"."""
    return "\n".join("##" + line if line.startswith("#") else line for line in markdown.splitlines())


def update_readme(results: Path) -> None:
    """Copy targets.md and every benchmark's table from `results` into benchmarks/README.md."""
    if not README.is_file():
        return
    text = README.read_text(encoding="utf-8")
    if START not in text or END not in text:
        return
    here = Path(__file__).resolve().parent
    files = [results / "targets.md"] + [
        results / f"{b.name}.md" for b in BENCHES if (here / b.script).is_file()
    ]
    parts = [demote(f.read_text(encoding="utf-8")) for f in files if f.is_file()]
    section = START + "\n\n" + "\n\n".join(p.strip() for p in parts) + "\n\n" + END
    head, rest = text.split(START, 1)
    README.write_text(head + section + rest.split(END, 1)[1], encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the dev data folder")
    ap.add_argument("--engine", default="extractive", help="extractive (default) or openai (OPENAI_* env)")
    ap.add_argument("--words", type=int, default=250)
    ap.add_argument("--sumy", action="store_true", help="sumy rows on summhay too (about 10 more minutes)")
    ap.add_argument("--only", default="", help="comma-separated benchmark names")
    ap.add_argument("--out", type=Path, default=RESULTS)
    ap.add_argument("--readme", action="store_true", help="only copy the results into benchmarks/README.md")
    args = ap.parse_args(argv)
    if args.readme:
        update_readme(args.out)
        return 0
    here = Path(__file__).resolve().parent
    chosen = [b for b in BENCHES if (here / b.script).is_file()]
    chosen = [b for b in chosen if not args.only or b.name in args.only.split(",")]
    command = command_line("run_all.py", argv)
    started = time.perf_counter()
    args.deadline = started + BUDGET
    targets: list[Target] = []
    index: list[tuple[str, str, str, str]] = []
    failed: list[str] = []
    for bench in chosen:
        progress(f"== {bench.name}: {bench.what}")
        start = time.perf_counter()
        try:
            outcome = bench.run(args)
        except Exception as e:  # one broken benchmark must not hide the others' tables
            traceback.print_exc()
            failed.append(bench.name)
            index.append((bench.name, bench.what, bench.script, f"failed: {type(e).__name__}: {e}"))
            continue
        seconds = time.perf_counter() - start
        publish(outcome, command, args.out, seconds)
        targets += outcome.targets
        files = ", ".join(f"[{t.name}.md]({t.name}.md)" for t in outcome.tables)
        index.append((files, bench.what, f"`python benchmarks/{bench.script}`", f"{seconds:.0f} s"))
    total = time.perf_counter() - started
    summary = (
        f"# Targets: measured, met yes/no\n\n{stamp(command, total)}\n\n{targets_table(targets)}\n\n"
        f"Total runtime of `{command}`: {total / 60:.1f} min ({total:.0f} s).\n"
    )
    print(summary)
    if not args.only:
        (args.out / "targets.md").write_text(summary, encoding="utf-8")
        rows = "\n".join(f"| {a} | {b} | {c} | {d} |" for a, b, c, d in index)
        (args.out / "README.md").write_text(
            f"# Benchmark results\n\n{stamp(command, total)}\n\n"
            "| file | what | alone | time in this run |\n|---|---|---|---:|\n"
            f"{rows}\n| [targets.md](targets.md) | all targets: measured, met yes/no | "
            f"`python benchmarks/run_all.py` | {total:.0f} s in all |\n",
            encoding="utf-8",
        )
        update_readme(args.out)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
