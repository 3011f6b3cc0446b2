"""The comparison view: time and bytes to the browser per click, at 5, 20 and 50 articles.

    python benchmarks/view.py [--data DIR] [--repeat 9] [--out DIR]

Articles: 5, 20 and 50 SummHay news documents of one topic (the topic with the most distinct
documents, as in `latency.py`), summarised by the offline engine and opened in the `Explorer`
widget. Every message the widget sends to the browser goes through `Widget._send`, so the script
counts the JSON bytes passed there (trait updates and the widget's own patch messages) and times the
Python side of each action with `time.perf_counter` (median of `--repeat` runs):

- open: building the Explorer and its first full view (`view_html`, sent once);
- select: a click on a sentence (its evidence in every source);
- edit: new text for a sentence (re-checked, report recomputed, changed parts sent);
- re-cite, delete, undo: the same for the citations, a deletion and undoing it.

Wall time on a shared machine includes waiting for a core; the CPU column (`time.process_time`) is
the work itself.

Target (issue 16): at 50 articles an edit answers in under 30 ms and sends under 50 KB.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from _common import DEFAULT_DATA, RESULTS, Outcome, Table, Target, command_line, md_table, publish, summhay

from toolkit import load_articles, summarize
from toolkit.view.explorer import Explorer

SIZES = (5, 20, 50)


def topic_documents(data: Path, n: int) -> list[dict[str, str]]:
    """`n` distinct documents of the SummHay topic with the most of them (as dicts for load_articles)."""
    by_topic: dict[str, dict[str, str]] = {}
    for row in summhay(data):
        docs = by_topic.setdefault(str(row["topic"]), {})
        for doc_id, text in zip(row["doc_ids"], row["documents"], strict=True):
            docs.setdefault(str(doc_id), str(text))
    best = max(by_topic.values(), key=len)
    return [{"text": t, "title": f"document {k + 1}"} for k, t in enumerate(list(best.values())[:n])]


class Meter:
    """Counts the JSON bytes an Explorer sends to the browser."""

    def __init__(self, ex: Explorer) -> None:
        self.bytes = 0
        self.messages = 0

        def record(msg: dict[str, Any], buffers: Any = None) -> None:
            self.bytes += len(json.dumps(msg, ensure_ascii=False).encode())
            self.messages += 1

        ex._send = record  # type: ignore[method-assign]

    def take(self) -> int:
        out, self.bytes, self.messages = self.bytes, 0, 0
        return out


def measure(
    action: Callable[[], object], meter: Meter, repeat: int, reset: Callable[[], object]
) -> tuple[float, float, int]:
    """Median wall and CPU milliseconds, and the bytes sent by the last run of `action` (after `reset`
    each time). CPU time (`time.process_time`) is what the action costs when the machine is busy."""
    walls, cpus, sent = [], [], 0
    for _ in range(repeat):
        reset()
        meter.take()
        c0, t0 = time.process_time(), time.perf_counter()
        action()
        walls.append((time.perf_counter() - t0) * 1000)
        cpus.append((time.process_time() - c0) * 1000)
        sent = meter.take()
    return statistics.median(walls), statistics.median(cpus), sent


def actions(ex: Explorer, repeat: int) -> dict[str, tuple[float, float, int]]:
    """Median ms and bytes sent of each action on one Explorer (the summary restored in between)."""
    meter = Meter(ex)
    i = min(2, len(ex.sentences) - 1)
    original = ex.sentences[i]
    extra = (f" Officials said so on day {k}." for k in range(1, 10_000))  # new text: nothing cached

    def restore() -> None:
        while ex._undo:
            ex.undo()
        ex.select(-1)

    def redo_or_delete() -> None:
        if ex._redo:
            ex.redo()
        else:
            ex.delete(i)

    results = {
        "select": measure(lambda: ex.select(i), meter, repeat, lambda: ex.select(-1)),
        "edit": measure(lambda: ex.edit(i, original.text + next(extra)), meter, repeat, restore),
        "re-cite": measure(lambda: ex.recite(i, list(reversed(original.citations))), meter, repeat, restore),
        "delete": measure(lambda: ex.delete(i), meter, repeat, restore),
    }
    ex.delete(i)
    results["undo"] = measure(ex.undo, meter, repeat, redo_or_delete)
    return results


def run(data: Path, repeat: int) -> Outcome:
    rows, targets = [], []
    for n in SIZES:
        print(f"{n} articles ...", file=sys.stderr, flush=True)
        briefing = summarize(load_articles(topic_documents(data, n)), words=250)
        t0 = time.perf_counter()
        ex = Explorer(briefing)
        open_ms = (time.perf_counter() - t0) * 1000
        view_kb = len(json.dumps(ex.view_html).encode()) / 1000
        results = actions(ex, repeat)
        k = len(briefing.sentences)
        for action, (ms, cpu, sent) in results.items():
            rows.append((n, k, action, f"{ms:.1f}", f"{cpu:.1f}", f"{sent / 1000:.1f}"))
        rows.append((n, k, "open (whole view, once)", f"{open_ms:.0f}", "", f"{view_kb:.1f}"))
        if n == 50:
            ms, cpu, sent = results["edit"]
            took = f"{ms:.1f} ms ({cpu:.1f} ms CPU)"
            targets.append(Target("edit at 50 articles answers in < 30 ms", took, ms < 30))
            targets.append(
                Target("edit at 50 articles sends < 50 KB", f"{sent / 1000:.1f} KB", sent < 50_000)
            )
    header = ["articles", "sentences", "action", "ms (median)", "CPU ms (median)", "KB sent"]
    body = md_table(header, rows, 1)
    body += "\n\n" + md_table(
        ["target", "measured", "met"], [(t.target, t.measured, "yes" if t.met else "no") for t in targets], 3
    )
    return Outcome(tables=[Table("view", "Comparison view: time and bytes per click", body)], targets=targets)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    outcome = run(args.data, args.repeat)
    publish(outcome, command_line("view.py", argv), args.out, time.perf_counter() - t0)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
