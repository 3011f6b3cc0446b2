"""Reliability: re-runs the scenarios of the fault and adversarial suite (tests/adversarial/) and prints
the figures table: input cases tried, faults injected, clusters completed (an empty briefing is not
completed), calls paid twice (the endpoint run must pay none; two kernels sharing a cache pay the
summaries they ask for at the same moment twice), injections followed (sentences the injection led the
model to write) and, of those, accepted by the checks (must be 0).

    python benchmarks/reliability.py [--clusters 200] [--out DIR]

The scenarios are the very functions the tests assert on (`tests/adversarial/*.py`), run here against
the tests' scripted OpenAI-compatible server (`tests/fakeserver.py`, in process on 127.0.0.1) in a
temporary folder. Nothing leaves the machine. Writes `results/reliability.md`.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from _common import RESULTS, TESTS, Outcome, Table, Target, command_line, md_table, progress, publish

if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))

import scripted_model
from adversarial import badfiles, endpoints, hostile, kernel, leaks
from adversarial.figures import Figures, table
from fakeserver import FakeServer, Reply


@contextlib.contextmanager
def _server() -> Iterator[FakeServer]:
    with FakeServer(model=endpoints.MODEL) as server:
        yield server


def run(clusters: int = 200) -> Outcome:
    rows: list[Figures] = []
    notes: list[str] = []
    targets: list[Target] = []
    with tempfile.TemporaryDirectory(prefix="brief-reliability-") as tmp_name:
        tmp = Path(tmp_name)

        progress("bad files: every case, and a folder of 1,000 files with 50 bad")
        cases, folder, f = badfiles.scenario(tmp / "bad")
        rows.append(f)
        loaded = len(folder.articles)
        notes.append(
            f"Bad files: {len(badfiles.CASES)} kinds one by one ({len(cases.skipped)} one-line errors, "
            f"{len(cases)} loaded with a note); the 1,000-file folder: {len(folder.articles.skipped)} errors "
            f"naming their file, {loaded} articles loaded, all {len(folder.good)} good files with their text "
            "intact."
        )

        progress("hostile sources: injection followed by the model")
        with _server() as server:
            h = hostile.scenario(server, tmp / "hostile")
        rows.append(h.figures)
        wrong = sum(len(hostile.misattributed(r.briefing)) for r in h.runs)
        notes.append(
            f"Hostile sources: {len(h.runs)} briefings by a model that follows the injection, and one "
            f"edited by hand; sentences in which the injection got its text written: {h.figures.followed}; "
            f"of those marked supported by another source: {h.figures.accepted}. Known gap: in the "
            f"wire-copy run, {wrong} sentences' corroboration names the copied story's origin although only "
            "the copy's added paragraphs hold them."
        )
        targets.append(Target("injected sentences accepted by the checks", str(h.figures.accepted),
                              h.figures.accepted == 0))  # fmt: skip

        progress(f"failing endpoints: {clusters} clusters, about 20% of calls failing, run twice")
        with _server() as server:
            e = endpoints.scenario(server, tmp / "endpoints", n=clusters)
        rows.append(e.figures)
        ep = e.endpoint
        rate = sum(ep.faults.values()) / ep.requests
        empty = sum(1 for r in e.first if not r.completed and not r.error)
        errors = sum(1 for r in e.first if r.error)
        notes.append(
            f"Failing endpoints: {ep.requests:,} requests, {rate:.0%} failed on purpose; first run "
            f"{e.figures.completed} of {clusters} clusters completed, {errors} reported an endpoint "
            f"error and {empty} an empty answer; the re-run with the same cache completed "
            f"{e.figures.detail['completed on the re-run']}. Tokens the server reported in successful "
            f"answers: {ep.prompt_tokens:,} prompt + {ep.completion_tokens:,} completion; summed over the "
            f"briefings and clients: {_tokens(e)}."
        )
        repeated = ep.repeated
        targets.append(Target("calls paid twice (endpoint run)", str(repeated), repeated == 0))
        targets.append(Target("clusters neither completed nor reported", str(e.figures.unaccounted),
                              e.figures.unaccounted == 0))  # fmt: skip
        match = _tokens(e) == f"{ep.prompt_tokens:,} + {ep.completion_tokens:,}"
        targets.append(Target("usage totals match the server's count", _tokens(e), match))

        progress("secrets: a unique fake key, scanned for everywhere")
        with _server() as server:
            s = leaks.scenario(server, tmp / "secrets")
        rows.append(s.figures)
        leaked = s.leaked
        notes.append(
            f"Secrets: {len(s.blobs)} places scanned (outputs, {len(s.errors)} errors with their "
            f"tracebacks, {len(s.records)} log records at DEBUG, cache files, CLI output); the key found "
            f"in {len(leaked)}."
        )
        targets.append(Target("places holding the API key", str(len(leaked)), not leaked))

        progress("two kernels sharing one cache, a third killed mid-run")
        with _server() as server:
            server.handler = lambda body: Reply(text=scripted_model.answer(body), delay=0.02)
            k = kernel.scenario(server, tmp / "kernels")
        rows.append(k.figures)
        lost = k.both.unreadable + k.after_kill.unreadable
        notes.append(
            f"Two kernels, one cache: {k.both.entries} entries written by two processes at once, "
            f"{len(lost)} unreadable; a kernel killed after {k.killed_after} requests, re-run: "
            f"{k.rerun_requests} requests for the {k.rerun_expected} clusters it had not finished; a last "
            f"run over everything: {k.last_requests} requests. {k.raced} of the {len(kernel.SHARED)} shared "
            "summaries were asked for by both kernels at the same moment and paid twice (the cache has no "
            "lock across processes)."
        )
        targets.append(Target("cache entries lost or corrupted", str(len(lost)), not lost))

    body = table(rows) + "\n\n" + "\n".join(f"- {n}" for n in notes) + "\n\n" + _definitions()
    body += "\n\n" + _faults(rows)
    return Outcome(
        tables=[Table("reliability", "Reliability: faults and hostile input", body)], targets=targets
    )


def _tokens(e: endpoints.EndpointsResult) -> str:
    usages = [r.usage for r in (*e.first, *e.second)] + list(e.stream_usage)
    return f"{sum(u.prompt_tokens for u in usages):,} + {sum(u.completion_tokens for u in usages):,}"


def _definitions() -> str:
    return (
        "Input cases: files, articles, clusters, places scanned or kernel runs. Faults: bad files, injected "
        "passages, failed or odd answers, errors triggered, the killed kernel and the summaries two kernels "
        "asked for at once. Clusters completed: briefings with sentences in the first run (a briefing that "
        "came out empty is not completed; it counts as reported when it says why). Calls paid twice: "
        "successful (paid) answers the server gave more than once for the same request body, across the run "
        "and a re-run with the same cache, and when two kernels sharing a cache asked at the same moment. "
        "Injections followed: briefing sentences in which the model repeats injected text (what the "
        "injection led it to write). Accepted by the checks: of those, sentences marked supported by a "
        "source other than the hostile one (a citation check, the alignment, or the corroborating origins)."
    )


def _faults(rows: Sequence[Figures]) -> str:
    lines = [(row.scenario, kind, n) for row in rows for kind, n in row.detail.items()]
    return "Detail:\n\n" + md_table(["scenario", "what", "count"], lines, right=2)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clusters", type=int, default=200, help="clusters in the failing-endpoint run")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where to write reliability.md")
    args = parser.parse_args(argv)
    start = time.monotonic()
    outcome = run(args.clusters)
    publish(outcome, command_line("reliability.py", argv), args.out, time.monotonic() - start)
    failed = [t for t in outcome.targets if not t.met]
    for t in outcome.targets:
        print(f"{'ok  ' if t.met else 'FAIL'} {t.target}: {t.measured}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
