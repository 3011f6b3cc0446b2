"""Every benchmark in one run: prints the Markdown tables and writes them to benchmarks/results/.

    python benchmarks/run_all.py [--data DIR] [--engine extractive|openai] [--words 250] [--full]
                                 [--sumy] [--cleaning SCRAPINGHUB,TRAFILATURA_TESTS] [--only NAME,...]
                                 [--out DIR] [--readme]

Runs, in this order (names for `--only`): quality, summhay, citations, attribution, factcheck, grouping (needs
BRIEF_PAGES: trafilatura's tests/ folder), tokens, latency, cache, structured_outputs, view, startup,
sentences, reliability, cleaning (needs `--cleaning`: the two page sets), scale (`--full` only), and
overhead last. Without `--full` the run keeps to `BUDGET` (14 minutes on an idle 2-core machine):
overhead gets what is left and runs at 10,000 articles only the stages predicted to fit. `--full`
adds scale.py (1,000-10,000 articles) and sumy on SummHay, and gives overhead its own budget.

Each table is written to `results/<name>.md`, stamped (`_common.stamp`) with the command that makes it
alone, the commit, the date, the time it took and the machine's load. Then `results/targets.md` (every
target: measured, met yes/no), the index `results/README.md` (what ran, what was skipped and why),
the "Latest results" section of `benchmarks/README.md`, and the results blocks of the top-level
README.md (`sync_readme.py`). A benchmark that cannot run (missing data, missing extra) is listed as
skipped with the reason; one that fails is listed as failed and the run exits 1. With `--only`, only
the tables that ran are rewritten (targets and indexes are left alone); `--readme` only copies
`results/` into the two READMEs. `--engine openai` summarises through the endpoint in OPENAI_* for
quality and summhay; the others always use the scripted server.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sync_readme
from _common import DEFAULT_DATA, RESULTS, ROOT, Outcome, Target, command_line, progress, publish, stamp
from _common import targets_table as _targets_table


class Skip(Exception):
    """A benchmark that cannot run here (missing data or option): the reason goes into the index."""


@dataclass
class Bench:
    name: str
    what: str
    script: str
    # Outcome to publish, or None when the script's own main() wrote its files (listed in `files`).
    run: Callable[[argparse.Namespace], Outcome | None]
    files: tuple[str, ...] = ()


def _module(name: str) -> Any:
    return importlib.import_module(name)


def _default(args: argparse.Namespace) -> bool:
    return bool(args.data == DEFAULT_DATA)


def _data_args(args: argparse.Namespace, sub: str = "") -> list[str]:
    """`--data` only when it differs from the default (keeps machine paths out of the stamps)."""
    return [] if _default(args) else ["--data", str(args.data / sub if sub else args.data)]


OUT: list[Path] = [RESULTS]  # where run_all writes (--out); passed on to scripts that publish themselves


def _main(module: str, argv: list[str]) -> None:
    """The script's own main(argv), writing to run_all's --out (named only when not the default)."""
    out = [] if OUT[0] == RESULTS else ["--out", str(OUT[0])]
    code = _module(module).main([*argv, *out])
    if code:
        raise RuntimeError(f"{module}.py exited {code}")


def _quality(a: argparse.Namespace) -> Outcome:
    return _module("quality").run(a.data, a.words, a.engine)


def _summhay(a: argparse.Namespace) -> Outcome:
    return _module("summhay").run(a.data, a.words, a.engine, sumy=a.sumy or a.full)


def _factcheck(a: argparse.Namespace) -> None:
    if not (a.data / "factcheck" / "data.jsonl").is_file():
        raise Skip("no FRANK data (factcheck/data.jsonl) in the dev data folder")
    _main("factcheck", ["--judge", "auto", *_data_args(a, "factcheck")])


def _grouping(a: argparse.Namespace) -> Outcome:
    pages = os.environ.get("BRIEF_PAGES", "")
    if not pages or not (Path(pages) / "eval").is_dir():
        raise Skip("set BRIEF_PAGES to a trafilatura checkout's tests/ folder (real distractor pages)")
    return _module("grouping").run(a.data)


def _cleaning(a: argparse.Namespace) -> None:
    if not a.cleaning:
        raise Skip(
            "pass --cleaning SCRAPINGHUB_FOLDER,TRAFILATURA_TESTS_FOLDER (pages from outside the repository)"
        )
    _main("cleaning", a.cleaning.split(","))


def _scale(a: argparse.Namespace) -> Outcome:
    if not a.full:
        raise Skip("several minutes: run with --full (or python benchmarks/scale.py)")
    scale = _module("scale")
    return scale.run(a.data, scale.SIZES)


def _overhead(a: argparse.Namespace) -> Outcome:
    overhead = _module("overhead")
    budget = overhead.TIME_BUDGET if a.full else a.deadline - time.perf_counter()
    return overhead.run(a.data, time_budget=budget)


BENCHES = (
    Bench("quality", "ROUGE-1/2/L on multiling2011_en, cleaned and raw: ours vs both Leads, both "
          "LexRanks, TextRank; bootstrap margins", "quality.py", _quality),
    Bench("summhay", "coverage of gold insights and citations on summhay_news, cleaned and raw; "
          "bootstrap margins", "summhay.py", _summhay),
    Bench("citations", "the citation checker vs SummHay's gold insight-to-document links", "citations.py",
          lambda a: _module("citations").run(a.data)),
    Bench("attribution", "local citations (cite=local) vs SummHay's gold insight-to-document links",
          "attribution.py", lambda a: _module("attribution").run(a.data)),
    Bench("factcheck", "the citation checker on FRANK's human judgements (offline and judge=auto), "
          "re-check time", "factcheck.py",
          _factcheck, ("factcheck.md", "factcheck_recheck.md", "factcheck_judge.md")),
    Bench("grouping", "event grouping on noisy folders vs TF-IDF + agglomerative clustering", "grouping.py",
          _grouping),
    Bench("tokens", "prompt tokens per cluster: ours vs naive vs LangChain", "tokens.py",
          lambda a: _module("tokens").run(a.data, a.words)),
    Bench("latency", "load to briefing under an endpoint cost model: ours vs LangChain, LlamaIndex",
          "latency.py",
          lambda a: _module("latency").run(a.data)),
    Bench("cache", "the quickstart run twice: calls and time", "cache_rerun.py",
          lambda a: _module("cache_rerun").run()),
    Bench("structured_outputs", "structured-output mode honoured per server family", "structured_outputs.py",
          lambda a: _module("structured_outputs").run()),
    Bench("view", "the comparison view: time and bytes per click at 5, 20, 50 articles", "view.py",
          lambda a: _module("view").run(a.data, 9)),
    Bench("startup", "import and CLI start-up time", "startup.py", lambda a: _main("startup", []),
          ("startup.md",)),
    Bench("sentences", "our sentence splitter vs pysbd, sentencex, blingfire", "sentences.py",
          lambda a: _main("sentences", []), ("sentences.md",)),
    Bench("reliability", "fault and adversarial scenarios: cases, faults, repeats, injections",
          "reliability.py",
          lambda a: _module("reliability").run()),
    Bench("cleaning", "kept text vs ground truth on real pages, beside trafilatura.extract", "cleaning.py",
          _cleaning, ("cleaning.md",)),
    Bench("scale", "1,000-10,000 articles through load, clean, dedupe, group, chunk", "scale.py", _scale),
    Bench("overhead", "load/clean/dedupe/group/chunk at 100, 1,000, 10,000 articles", "overhead.py",
          _overhead),
)  # fmt: skip
# Without --full the whole run stays under 15 minutes: overhead (last) gets what is left of this.
BUDGET = 14 * 60.0
README = ROOT / "benchmarks" / "README.md"
START, END = "<!-- results:start (written by run_all.py) -->", "<!-- results:end -->"
# The command that makes each published table alone (its stamp), for the options run_all passes on.
ALONE: dict[str, Callable[[argparse.Namespace], list[str]]] = {
    "quality": lambda a: [*_data_args(a), *(["--engine", a.engine] if a.engine != "extractive" else [])],
    "summhay": lambda a: [*_data_args(a), *(["--engine", a.engine] if a.engine != "extractive" else []),
                          *(["--sumy"] if a.sumy or a.full else [])],
    "citations": _data_args,
    "attribution": _data_args,
    "grouping": lambda a: ["--pages", "$BRIEF_PAGES", *_data_args(a)],
    "tokens": _data_args,
    "latency": _data_args,
    "view": _data_args,
    "scale": _data_args,
    "overhead": _data_args,
}  # fmt: skip


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
        results / name
        for b in BENCHES
        if (here / b.script).is_file()
        for name in (b.files or (f"{b.name}.md",))
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
    ap.add_argument(
        "--full", action="store_true", help="no time budget: scale.py, sumy on summhay, full overhead"
    )
    ap.add_argument("--sumy", action="store_true", help="sumy rows on summhay too (about 10 more minutes)")
    ap.add_argument(
        "--cleaning", default="", help="SCRAPINGHUB,TRAFILATURA_TESTS page folders for cleaning.py"
    )
    ap.add_argument("--only", default="", help="comma-separated benchmark names")
    ap.add_argument("--out", type=Path, default=RESULTS)
    ap.add_argument("--readme", action="store_true", help="only copy results/ into the READMEs")
    args = ap.parse_args(argv)
    if args.readme:
        update_readme(args.out)
        return sync_readme.main(["--results", str(args.out)]) if args.out == RESULTS else 0
    unknown = set(filter(None, args.only.split(","))) - {b.name for b in BENCHES}
    if unknown:
        ap.error(f"unknown benchmark(s) {sorted(unknown)}: choose from {', '.join(b.name for b in BENCHES)}")
    here = Path(__file__).resolve().parent
    chosen = [b for b in BENCHES if (here / b.script).is_file()]
    chosen = [b for b in chosen if not args.only or b.name in args.only.split(",")]
    OUT[0] = args.out
    command = command_line("run_all.py", argv)
    started = time.perf_counter()
    args.deadline = started + BUDGET
    targets: list[Target] = []
    index: list[tuple[str, str, str, str]] = []
    failed: list[str] = []
    for bench in chosen:
        progress(f"== {bench.name}: {bench.what}")
        alone = f"`python benchmarks/{bench.script}`"
        start = time.perf_counter()
        try:
            outcome = bench.run(args)
        except Skip as e:
            progress(f"   skipped: {e}")
            index.append((bench.name, bench.what, alone, f"skipped: {e}"))
            continue
        except Exception as e:  # one broken benchmark must not hide the others' tables
            traceback.print_exc()
            failed.append(bench.name)
            index.append((bench.name, bench.what, alone, f"failed: {type(e).__name__}: {e}"))
            continue
        seconds = time.perf_counter() - start
        if outcome is not None:
            extra = ALONE.get(bench.name, lambda a: [])(args)
            publish(outcome, command_line(bench.script, extra), args.out, seconds)
            targets += outcome.targets
            names = [t.name for t in outcome.tables]
        else:
            names = [f.removesuffix(".md") for f in bench.files if (args.out / f).is_file()]
        files = ", ".join(f"[{n}.md]({n}.md)" for n in names)
        index.append((files, bench.what, alone, f"{seconds:.0f} s"))
    total = time.perf_counter() - started
    summary = (
        f"# Targets: measured, met yes/no\n\n{stamp(command, total)}\n\n{_targets_table(targets)}\n\n"
        f"Total runtime of `{command}`: {total / 60:.1f} min ({total:.0f} s).\n"
    )
    print(summary)
    if not args.only:
        (args.out / "targets.md").write_text(summary, encoding="utf-8")
        rows = "\n".join(f"| {a} | {b} | {c} | {d} |" for a, b, c, d in index)
        (args.out / "README.md").write_text(
            f"# Benchmark results\n\n{stamp(command, total)}\n\n"
            "Each file's own first line says which command made it, at which commit, when, and how busy "
            "the machine was.\n\n"
            "| file | what | alone | time in this run |\n|---|---|---|---:|\n"
            f"{rows}\n| [targets.md](targets.md) | all targets: measured, met yes/no | "
            f"`python benchmarks/run_all.py` | {total:.0f} s in all |\n",
            encoding="utf-8",
        )
        update_readme(args.out)
        if args.out == RESULTS and sync_readme.main([]) != 0:
            failed.append("README results blocks")
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
