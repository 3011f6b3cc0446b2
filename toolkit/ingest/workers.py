"""Per-item work shared among forked processes: `forked_map(task, n)` runs `task(lo, hi)` over
row ranges of 0..n-1 and returns the results in order.

Forked children (Linux `fork`, so nothing is pickled on the way in: they see the caller's memory)
take `CHUNK` items a task; their results come back pickled and the caller unpickles them as they
arrive. The caller takes no share itself (the pool unpickles in a thread of the caller, so a share
of its own and the unpickling would take turns on one interpreter lock), nor does it run a first
item to warm lazy loads for the children (the language model it would load then stays in the
caller, 70 MB for the rest of the run; the children's copies go when they exit). The caller's
objects are frozen out of the garbage collector while the children fork (`gc.freeze`, as the `gc`
docs advise before a fork), so the children's collections do not copy its pages. Below
`PARALLEL_FROM` items, on one core, on a machine whose other cores are busy right now, off Linux or
inside a daemonic process (which may not have children) everything runs here, in order: starting
processes and pickling results costs more than it saves on a notebook's 5-50 articles, and more
processes than free cores only add that cost.
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

__all__ = [
    "CHUNK",
    "PARALLEL_FROM",
    "forked_iter",
    "forked_map",
    "gc_paused",
    "release_free_memory",
    "workers_for",
]

R = TypeVar("R")

PARALLEL_FROM = 1_000
CHUNK = 200

_TASK: Callable[[int, int], list[object]] | None = None  # what forked children run (never pickled)
last_workers = 1  # processes the last `forked_map` call used (benchmarks print it)
_ONE_POOL = threading.Lock()  # _TASK is one global: calls from two threads take turns


def workers_for(items: int) -> int:
    """Processes `forked_map` uses for `items` items by default: from `PARALLEL_FROM` items on
    (Linux only), one per available core that no other process is running on right now
    (`_busy_others`, the fewest of several instant readings; on a saturated machine more processes
    only add the cost of starting them and of pickling), at least 1; below, 1."""
    if items < PARALLEL_FROM or not _can_fork():
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, cores - _busy_others())


READINGS = 8  # instant readings of the runnable count, `READING_GAP` seconds apart
READING_GAP = 0.001


def _busy_others() -> int:
    """Cores busy with other work right now: the fewest runnable tasks besides this one over
    `READINGS` instant readings of the kernel's count (/proc/loadavg's fourth field, not the load
    average) `READING_GAP` s apart. A core busy with other work is runnable in every reading; a
    thread that wakes for a moment (a sampler, a timer, this process's own helpers) is in one or two
    at most, and one reading alone took it for a busy core and halved the pool. 0 when it cannot be
    read."""
    fewest: int | None = None
    for k in range(READINGS):
        if k:
            time.sleep(READING_GAP)
        running = _runnable()
        if running is None:
            return 0
        fewest = running if fewest is None else min(fewest, running)
    return max(0, (fewest or 0) - 1)


def _runnable() -> int | None:
    """Runnable tasks on the machine at this instant, this one included (None: not readable)."""
    try:
        with open("/proc/loadavg", encoding="ascii") as f:
            return int(f.read().split()[3].split("/")[0])
    except (OSError, ValueError, IndexError):
        return None


def _can_fork() -> bool:
    return sys.platform.startswith("linux") and not multiprocessing.current_process().daemon


def _run(span: tuple[int, int]) -> list[object]:
    assert _TASK is not None  # set by forked_map before the fork
    return _TASK(*span)


def forked_map(task: Callable[[int, int], list[R]], n: int, workers: int | None = None) -> list[R]:
    """`task(lo, hi)` (a list, one result per item lo..hi-1) over 0..n-1, concatenated in order, in
    `workers` processes (None: `workers_for(n)`; 1: here, one call). Exceptions raised in a child
    are raised here."""
    return list(forked_iter(task, n, workers))


def forked_iter(task: Callable[[int, int], list[R]], n: int, workers: int | None = None) -> Iterator[R]:
    """`forked_map`'s results one by one, in order, as they arrive: the caller can fold each into
    its own values and drop it while the children work on (the results of 10,000 articles held at
    once can take hundreds of MB). The pool lives while the iterator is consumed; closing the
    iterator early stops it. Pools take turns (one at a time per process), so the loop consuming
    the iterator must not start another one."""
    global last_workers
    count = workers_for(n) if workers is None else max(1, workers)
    if count < 2 or n < 2 or not _can_fork():
        last_workers = 1
        yield from task(0, n)
        return
    last_workers = count
    spans = [(lo, min(n, lo + CHUNK)) for lo in range(0, n, CHUNK)]
    with _ONE_POOL:
        yield from _pooled(task, spans, count)


def _pooled(task: Callable[[int, int], list[R]], spans: list[tuple[int, int]], count: int) -> Iterator[R]:
    """`task` over `spans` in `count` forked processes, results in order (under `_ONE_POOL`)."""
    global _TASK
    _TASK = task  # type: ignore[assignment]  # children call it with their spans
    gc.freeze()
    try:
        with multiprocessing.get_context("fork").Pool(count) as pool:
            gc.unfreeze()
            for part in pool.imap(_run, spans):
                yield from part  # type: ignore[misc]
    finally:
        gc.unfreeze()
        _TASK = None


_GC = threading.Lock()  # guards the two below: pauses from several threads nest
_gc_pauses = 0  # gc_paused blocks open now, in any thread
_gc_was = True  # whether the collector was enabled when the first of them opened


@contextmanager
def gc_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused while a stage builds many long-lived values, then
    restored as it was. A full collection walks every object; while the heap grows it runs each time
    the survivors grow by a quarter, so building a 10,000-article corpus walked the heap dozens of
    times (about 1.5 s of CPU). The values built (sources, passages, sentences, their copies) hold no
    reference cycles, so nothing is left for the collector that it would have freed sooner. The
    collector is one per process: blocks open in several threads at once (a batch of clusters built
    side by side) nest, and the last one to close restores the state the first one found."""
    global _gc_pauses, _gc_was
    with _GC:
        if _gc_pauses == 0:
            _gc_was = gc.isenabled()
            gc.disable()
        _gc_pauses += 1
    try:
        yield
    finally:
        with _GC:
            _gc_pauses -= 1
            if _gc_pauses == 0 and _gc_was:
                gc.enable()


def release_free_memory() -> bool:
    """Hand the C heap's free pages back to the system (glibc's `malloc_trim(0)`; False where there
    is no glibc). After a stage frees hundreds of MB of arrays, glibc keeps them whenever a live
    block sits above them in its heap, which depends on the order values were made in (at 10,000
    articles dedupe kept 860 or 980 MB depending on the hash seed); trimming makes the high-water
    mark of the stages after it not depend on that. Nothing is freed that is in use."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        return bool(ctypes.CDLL("libc.so.6").malloc_trim(0))
    except (OSError, AttributeError):
        return False
