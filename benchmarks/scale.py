"""Scale: 10,000 articles through load -> clean -> dedupe -> group -> chunk, time, memory, growth.

    python benchmarks/scale.py [--data DIR] [--sizes 1000,2000,5000,10000] [--out DIR]

Articles are generated here from the dev data's 600 distinct documents (100 MultiLing articles, 500
SummHay documents) and written as .txt files into a temporary folder. Event e takes document e mod 600
and makes it a new story (seeded): every capitalised word becomes a made-up name, half of the other
words (not stopwords) are replaced by words of other documents, numbers change. Each event is
published 1 to 5 times (3 on average): a wire copy (outlet line on top, a few words swapped, last
paragraph trimmed, syndication note) or an edit keeping each paragraph with probability 0.8,
sometimes under a photo caption. So copies per event, and duplicate pairs per article, stay the same
at every size, as in a feed of many stories; repeating the 600 documents instead would make the
number of true copies grow with the square of the size.

Each size runs in a fresh Python process; stages, each a toolkit call, in pipeline order:

- load: `load_articles(folder)`;
- clean: `build_corpus(articles, dedupe=False)` (cleaning, paragraphs, sentences, token counts), in
  one process per core that is free when cleaning starts, from `workers.PARALLEL_FROM` articles on
  (the toolkit's default; the "clean processes" column says how many ran);
- dedupe: `find_duplicates(corpus)` (candidates by MinHash LSH above `dedupe.EXACT_LIMIT` passages,
  then the copy rule on candidates only);
- group: `group_articles(articles, cleaned=...)` (sparse neighbour graph, no n x n matrix), reusing
  the cleaning of the clean stage (`passages.cleaned_of` each source) instead of cleaning again;
- chunk: `chunk_passages(passages, 4,000 tokens)` over every passage, near-duplicates sent once.

Wall time and CPU time per stage (CPU of the worker process plus its finished children: clean's
workers); peak memory sampled from /proc: the worker's resident set size (RSS, every 5 ms) plus the
unique set size (USS, every 100 ms) of its children while they run (the pages only a child maps;
the pages a forked child still shares with the worker are in the worker's RSS). The growth exponent
of a stage is the slope of log(time) against log(articles) fitted over all sizes (1.0 = linear).
The machine is shared: the load average at the start and end is printed with the table.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from _common import (
    DEFAULT_DATA,
    RESULTS,
    ROOT,
    SUBSTITUTIONS,
    Outcome,
    RssSampler,
    Table,
    Target,
    distinct_documents,
    publish,
)

from toolkit.text.similarity import STOPWORDS

SIZES = (1_000, 2_000, 5_000, 10_000)
STAGES = ("load", "clean", "dedupe", "group", "chunk")
BUDGET = 4_000
TARGET_SECONDS = 30.0
TARGET_MB = 1_000.0
OUTLETS = ("Daily Courier", "Morning Post", "The Ledger", "City Wire", "Evening Star")


_WORDS = re.compile(r"[A-Za-z][a-z]+")
_SYLLABLES = ("ka", "ro", "ven", "mi", "tor", "sa", "lun", "de", "bra", "ko", "nel", "vi", "ta", "mar", "os")


def _event_text(doc: str, event: int, pool: Sequence[str]) -> str:
    """A new event from a dev document: every capitalised word becomes a made-up name, half of the
    other words become words of other documents, numbers change; fixed per event (seeded)."""
    rng = random.Random(event)
    names: dict[str, str] = {}
    words: dict[str, str] = {}

    def swap(m: re.Match[str]) -> str:
        w = m.group()
        if w[0].isupper():
            if w not in names:
                names[w] = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
            return names[w]
        if w not in words:
            words[w] = rng.choice(pool) if w not in STOPWORDS and rng.random() < 0.5 else w
        return words[w]

    text = _WORDS.sub(swap, doc)
    return re.sub(r"\d+", lambda m: str(rng.randint(2, 999)), text)


def vary(text: str, k: int, rng: random.Random) -> str:
    """One published version of an event's text: a wire copy (outlet line, a few words swapped, last
    paragraph trimmed, syndication note) or an edit that keeps each paragraph with probability 0.8,
    sometimes under a photo caption."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    if k % 3 == 1:
        body = paragraphs[:-1] if len(paragraphs) >= 4 else paragraphs
        joined = "\n\n".join(body)
        for old, new in SUBSTITUTIONS.items():
            joined = re.sub(rf"\b{re.escape(old)}(?=\W)", new, joined)
        outlet = OUTLETS[k % len(OUTLETS)]
        return f"{outlet}\n\n{joined}\n\n(This story was published from a syndicated feed by {outlet}.)\n"
    kept = [p for p in paragraphs if rng.random() < 0.8] or paragraphs[:1]
    if rng.random() < 0.3:
        kept.insert(0, "Image copyright Reuters\n\nImage caption Officials at the scene on Monday")
    return "\n\n".join(kept) + "\n"


def write_articles(docs: Sequence[str], n: int, folder: Path, seed: int = 0) -> None:
    """`n` articles: events of 1 to 5 versions (3 on average), each event a new text (`_event_text`)."""
    rng = random.Random(seed)
    pool = sorted({w.lower() for d in docs[:100] for w in _WORDS.findall(d)} - STOPWORDS)
    k = event = 0
    while k < n:
        text = _event_text(docs[event % len(docs)], event, pool)
        for _ in range(min(rng.randint(1, 5), n - k)):
            (folder / f"{k:05d}.txt").write_text(vary(text, k, rng), encoding="utf-8")
            k += 1
        event += 1


def worker(folder: Path) -> dict[str, Any]:
    from toolkit import build_corpus, group_articles, load_articles
    from toolkit.ingest import workers
    from toolkit.ingest.dedupe import find_duplicates
    from toolkit.ingest.passages import cleaned_of
    from toolkit.plan.chunking import chunk_passages
    from toolkit.text.tokens import get_tokenizer

    tok = get_tokenizer()
    state: dict[str, Any] = {}

    clean_workers = [1]

    def clean() -> None:
        state["corpus"] = build_corpus(state["articles"], tok, dedupe=False)
        clean_workers[0] = workers.last_workers

    def chunk() -> None:
        corpus = state["corpus"]
        seen: set[str] = set()
        passages = []
        for p in corpus.passages():
            if p.group is None or p.group not in seen:
                passages.append(p)
                if p.group is not None:
                    seen.add(p.group)
        state["chunks"] = chunk_passages(passages, BUDGET, tok)

    steps: dict[str, Callable[[], None]] = {
        "load": lambda: state.__setitem__("articles", load_articles(folder)),
        "clean": clean,
        "dedupe": lambda: state.__setitem__("corpus", find_duplicates(state["corpus"])),
        "group": lambda: state.__setitem__(
            "grouping",
            group_articles(list(state["articles"]), cleaned=[cleaned_of(s) for s in state["corpus"].sources]),
        ),
        "chunk": chunk,
    }

    def cpu() -> float:
        """CPU seconds of this process and of its finished child processes (clean's workers)."""
        t = os.times()
        return time.process_time() + t.children_user + t.children_system

    out: dict[str, Any] = {"stages": {}}
    with RssSampler() as total:
        for name in STAGES:
            start, used = time.perf_counter(), cpu()
            steps[name]()
            out["stages"][name] = time.perf_counter() - start
            out.setdefault("cpu", {})[name] = cpu() - used
            print(
                f"  {name}: {out['stages'][name]:.2f} s, {out['cpu'][name]:.2f} s CPU, "
                f"memory so far {total.peak / 1e6:.0f} MB",
                file=sys.stderr,
            )
    out["peak_mb"] = total.peak / 1e6
    out["children_peak_mb"] = total.children_peak / 1e6  # the workers' share of the peak
    out["clean_workers"] = clean_workers[0]
    out["passages"] = sum(len(s.passages) for s in state["corpus"].sources)
    out["dup_groups"] = len(state["corpus"].groups)
    out["event_groups"] = len(state["grouping"].groups)
    out["not_articles"] = len(state["grouping"].not_articles)
    out["chunks"] = len(state["chunks"])
    return out


def run_size(docs: Sequence[str], n: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        write_articles(docs, n, Path(tmp))
        proc = subprocess.run(
            [sys.executable, __file__, "--worker", tmp],
            capture_output=True,
            text=True,
            check=False,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])},
        )
    sys.stderr.write(proc.stderr)
    if proc.returncode != 0:
        raise SystemExit(f"worker for {n} articles failed (exit {proc.returncode})")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def slope(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Least-squares slope of log(y) on log(x)."""
    lx = [math.log(x) for x in xs]
    ly = [math.log(max(y, 1e-4)) for y in ys]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    return sum((a - mx) * (b - my) for a, b in zip(lx, ly, strict=True)) / sum((a - mx) ** 2 for a in lx)


def run(data: Path, sizes: Sequence[int]) -> Outcome:
    docs = distinct_documents(data)
    load_start = os.getloadavg()[0]
    results = {}
    for n in sizes:
        print(f"{n} articles ...", file=sys.stderr)
        results[n] = run_size(docs, n)
    load_end = os.getloadavg()[0]
    header = (
        "| articles | "
        + " | ".join(f"{s} (s)" for s in STAGES)
        + " | total (s) | CPU (s) | peak memory (MB) | clean processes |"
    )
    lines = [
        f"Load average {load_start:.1f} at the start, {load_end:.1f} at the end (2 cores shared with other "
        "work: wall times are noisy). Targets for 10,000 articles: under "
        f"{TARGET_SECONDS:.0f} s and {TARGET_MB:.0f} MB, growth exponent at most 1.1 per stage.",
        "",
        header,
        "|" + "---|" * (len(STAGES) + 5),
    ]
    for n, r in results.items():
        total = sum(r["stages"].values())
        cells = " | ".join(f"{r['stages'][s]:.2f}" for s in STAGES)
        cpu = sum(r["cpu"].values())
        lines.append(
            f"| {n:,} | {cells} | {total:.1f} | {cpu:.1f} | {r['peak_mb']:.0f} | {r['clean_workers']} |"
        )
    targets: list[Target] = []
    if len(results) >= 2:
        xs = list(results)
        exps = [slope(xs, [results[n]["stages"][s] for n in xs]) for s in STAGES]
        total_exp = slope(xs, [sum(results[n]["stages"].values()) for n in xs])
        lines.append(
            "| growth exponent | " + " | ".join(f"{e:.2f}" for e in exps) + f" | {total_exp:.2f} | | | |"
        )
        worst = max(exps)
        targets.append(Target("scale: growth exponent <= 1.1 every stage", f"{worst:.2f}", worst <= 1.1))
    if 10_000 in results:
        big = results[10_000]
        seconds = sum(big["stages"].values())
        targets += [
            Target("scale: 10,000 articles under 30 s", f"{seconds:.1f} s", seconds < TARGET_SECONDS),
            Target(
                "scale: 10,000 articles under 1 GB", f"{big['peak_mb']:.0f} MB", big["peak_mb"] < TARGET_MB
            ),
        ]
    lines += [
        "",
        "CPU time per stage, the worker process and its children (less disturbed by other work than wall "
        "time; with clean's workers it counts both cores):",
        "",
        "| articles | " + " | ".join(f"{s} CPU (s)" for s in STAGES) + " | total CPU (s) |",
        "|" + "---|" * (len(STAGES) + 2),
    ]
    for n, r in results.items():
        cells = " | ".join(f"{r['cpu'][s]:.2f}" for s in STAGES)
        lines.append(f"| {n:,} | {cells} | {sum(r['cpu'].values()):.1f} |")
    if len(results) >= 2:
        xs = list(results)
        cpu_exps = [slope(xs, [results[n]["cpu"][s] for n in xs]) for s in STAGES]
        cpu_total = slope(xs, [sum(results[n]["cpu"].values()) for n in xs])
        lines.append(
            "| growth exponent | " + " | ".join(f"{e:.2f}" for e in cpu_exps) + f" | {cpu_total:.2f} |"
        )
    lines += [
        "",
        "| articles | passages | duplicate groups | event groups | not articles | chunks |",
        "|---|---|---|---|---|---|",
    ]
    for n, r in results.items():
        lines.append(
            f"| {n:,} | {r['passages']:,} | {r['dup_groups']:,} | {r['event_groups']:,} "
            f"| {r['not_articles']:,} | {r['chunks']:,} |"
        )
    table = Table("scale", "Scale: load, clean, dedupe, group, chunk", "\n".join(lines) + "\n")
    return Outcome([table], targets)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--sizes", default=",".join(map(str, SIZES)))
    ap.add_argument("--out", type=Path, default=RESULTS)
    ap.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker is not None:
        print(json.dumps(worker(args.worker)))
        return 0
    sizes = [int(s) for s in args.sizes.split(",")]
    start = time.perf_counter()
    outcome = run(args.data, sizes)
    publish(
        outcome, f"python benchmarks/scale.py --sizes {args.sizes}", args.out, time.perf_counter() - start
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
