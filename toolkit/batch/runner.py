"""Batch runs: summarise many clusters with bounded concurrency, resumably.

    report = run_batch(["clusters/visit", "clusters/call"], "briefings", engine="openai", concurrency=4)
    print(report)            # one line per cluster: done, failed (with the error) or skipped

Each cluster (a folder, a file, a list of paths, or an `EventGroup` from `group_articles`; a whole
`Grouping` gives one cluster per group) becomes `out_dir/<name>.json` (the JSON contract) and
`out_dir/<name>.md` (Markdown with footnotes), each written to a temporary file, flushed and moved
into place, so a file is whole or absent. Then a line is appended (and fsynced) to
`out_dir/manifest.jsonl`: `{"cluster", "status": "done" | "failed",
"key", "inputs", "json", "md", "error", "usage", ...}`. A re-run skips every cluster whose last record
is `done` with the same key (inputs, engine, model, words) and whose JSON is still there; failed ones
are tried again. A failed cluster (unreadable input, endpoint error, budget) is recorded with its
error and never stops the others.

Paid calls go through the on-disk `ResponseCache`, written as each call returns, so a run killed at
any point (even `kill -9`) repeats no answered call when re-run: the finished clusters are skipped, the
others are summarised again from cached answers, and only calls that had not been answered are sent.
A call in flight at the moment of the kill had no answer yet and is sent again.

Directly (`via=None`) clusters run in a thread pool of `concurrency` workers, each with its own engine
(and its own event loop for LLM calls). With `via="batch-api"` all clusters share one `BatchAPIChat`
(see `toolkit.chat.batch_api`): corpora are built in the pool, the engines run together so that all first
calls go out as one Batch API job and all reduce calls as the next, then briefings are checked and
written in the pool. A lock file stops two runs writing to one folder at once. API keys are never
written: errors are scrubbed before they reach the manifest, the report or the log.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from ..briefing import Briefing
from ..engines.base import Draft, Engine
from ..errors import ConfigError, ToolkitError
from ..group.grouping import EventGroup, Grouping
from ..models import Corpus, Usage, _Value
from ..text.files import write_atomic
from ..text.safe import scrub

if TYPE_CHECKING:
    from ..chat.batch_api import BatchAPIChat
    from ..plan.planning import ModelInfo

__all__ = [
    "MANIFEST", "BatchReport", "Cluster", "ClusterResult", "clusters_from", "run_batch", "summarize_corpora",
]  # fmt: skip

log = logging.getLogger(__name__)

MANIFEST = "manifest.jsonl"
LOCK = ".brief-batch.lock"
JOURNAL = "batch-api-jobs.jsonl"
VIAS = ("direct", "batch-api")

PathLike: TypeAlias = "str | os.PathLike[str]"
ClusterInput: TypeAlias = "str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | EventGroup"
EngineChoice: TypeAlias = "str | Callable[[], Engine] | None"


class Cluster(_Value):
    """One unit of a batch: a name (file-safe, unique in the batch) and the inputs to summarise."""

    name: str
    inputs: tuple[str, ...]


class ClusterResult(_Value):
    name: str
    status: str  # done | failed | skipped (done by an earlier run)
    inputs: tuple[str, ...] = ()
    json_path: str = ""
    md_path: str = ""
    error: str = ""
    sentences: int = 0
    warnings: int = 0
    usage: Usage = Usage()


class BatchReport(_Value):
    out_dir: str
    results: tuple[ClusterResult, ...]

    def with_status(self, status: str) -> tuple[ClusterResult, ...]:
        return tuple(r for r in self.results if r.status == status)

    @property
    def done(self) -> tuple[ClusterResult, ...]:
        return self.with_status("done")

    @property
    def failed(self) -> tuple[ClusterResult, ...]:
        return self.with_status("failed")

    @property
    def ok(self) -> bool:
        return not self.failed

    @property
    def usage(self) -> Usage:
        return sum((r.usage for r in self.results), Usage())

    def __str__(self) -> str:
        u = self.usage
        cost = f", about ${u.cost_usd:.4f}" if u.cost_usd is not None else ""
        skipped = len(self.with_status("skipped"))
        lines = [
            f"{len(self.done)} done, {len(self.failed)} failed, {skipped} skipped (done before) "
            f"in {self.out_dir}: {u.calls} LLM calls, {u.cached_calls} cached{cost}"
        ]
        for r in self.results:
            if r.status == "failed":
                lines.append(f"  failed   {r.name}: {r.error}")
            else:
                what = f"{r.sentences} sentences, {r.warnings} warnings" if r.status == "done" else ""
                lines.append(f"  {r.status:<8} {r.name}  {r.json_path}  {what}".rstrip())
        return "\n".join(lines)


# --- clusters -------------------------------------------------------------------------------------
def clusters_from(
    items: Sequence[ClusterInput] | Mapping[str, ClusterInput] | Grouping,
) -> list[Cluster]:
    """Name the clusters: a folder or file by its name, an `EventGroup` by its id, a list of paths by
    its first file plus a count; a mapping gives the names; a whole `Grouping` is its groups. Names
    are made file-safe and unique. Raises ConfigError for anything else."""
    if isinstance(items, Grouping):
        items = items.groups
    named: list[tuple[str, tuple[str, ...]]] = []
    pairs = items.items() if isinstance(items, Mapping) else ((None, item) for item in items)
    for name, item in pairs:
        if isinstance(item, EventGroup):
            inputs, default = tuple(item.paths), item.id
        elif isinstance(item, str | os.PathLike):
            inputs, default = (os.fspath(item),), Path(item).stem or "cluster"
        else:
            try:
                inputs = tuple(os.fspath(p) for p in item)
            except TypeError:
                raise ConfigError(
                    f"a cluster must be a folder, a file, a list of paths or an EventGroup, not "
                    f"{type(item).__name__} ({str(item)[:80]})"
                ) from None
            if not inputs:
                raise ConfigError("a cluster given as a list of paths is empty; give at least one file")
            default = Path(inputs[0]).stem + (f"+{len(inputs) - 1}" if len(inputs) > 1 else "")
        named.append((_safe_name(name or default), inputs))
    return [
        Cluster(name=n, inputs=inputs)
        for n, (_, inputs) in zip(_unique_names([n for n, _ in named]), named, strict=True)
    ]


def _unique_names(names: list[str]) -> list[str]:
    """Each name once, compared without case (file systems that ignore case would merge `X` and `x`):
    the first holder of a name keeps it, and so does every name no one else holds (`x-2` given by the
    user stays `x-2`); a repeated name gets the first free `-2`, `-3`, ... So no briefing overwrites
    another: folders `a/x`, `b/x` and `x-2` become `x`, `x-3` and `x-2`."""
    taken: set[str] = set()
    first: list[bool] = []
    for name in names:
        first.append(name.lower() not in taken)
        taken.add(name.lower())
    out: list[str] = []
    for name, is_first in zip(names, first, strict=True):
        if is_first:
            out.append(name)
            continue
        k = 2
        while f"{name}-{k}".lower() in taken:
            k += 1
        out.append(f"{name}-{k}")
        taken.add(out[-1].lower())
    return out


def _safe_name(name: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9._+-]+", "-", name).strip(".-")[:80]
    return cleaned or "cluster"


def _key(cluster: Cluster, settings: Mapping[str, Any]) -> str:
    inputs = [str(Path(p).resolve()) for p in cluster.inputs]
    blob = json.dumps({"inputs": inputs, **settings}, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


# --- the run --------------------------------------------------------------------------------------
def run_batch(
    clusters: Sequence[ClusterInput] | Mapping[str, ClusterInput] | Grouping,
    out_dir: PathLike,
    *,
    engine: EngineChoice = None,
    model: str | None = None,
    words: int = 250,
    concurrency: int = 4,
    progress: bool = True,
    via: str | None = None,
    context: int | None = None,
    max_cost: float | None = None,
    cite: str | None = None,
) -> BatchReport:
    """Summarise every cluster into `out_dir` (see the module docstring). `engine`: a name as for
    `summarize`, or a zero-argument factory returning a fresh `Engine` per cluster. `via="batch-api"`
    sends the LLM calls through the OpenAI Batch API (engine openai only). `cite`: as for `summarize`
    ("model" or "local"; None: the engine's default); a cluster finished in another mode is run again.
    Returns the report; never raises for one cluster's failure."""
    if concurrency < 1:
        raise ConfigError(f"--concurrency must be at least 1, got {concurrency}")
    if words < 10:
        raise ConfigError(f"--words {words} is too small for a summary; use at least 10")
    if via not in (None, *VIAS):
        raise ConfigError(f"unknown --via {via!r}; use one of {', '.join(VIAS)}")
    from ..plan.planning import CITE_MODES

    if cite is not None and cite not in CITE_MODES:
        raise ConfigError(f"--cite {cite!r} is not known: choose one of {', '.join(CITE_MODES)}")
    batch_api = via == "batch-api"
    if batch_api and engine not in (None, "openai"):
        raise ConfigError("--via batch-api works with --engine openai only (the Batch API is OpenAI's)")
    todo = clusters_from(clusters)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    engine_id = engine if isinstance(engine, str | None) else getattr(engine, "__name__", "custom")
    settings: dict[str, Any] = {"engine": engine_id, "model": model, "words": words, "context": context}
    if cite is not None:  # only when given: the keys of runs made before `cite` existed stay the same
        settings["cite"] = cite
    with _locked(out):
        run = _Run(out, settings, progress)
        pending = []
        for cluster in todo:
            if run.finished(cluster):
                run.results[cluster.name] = run.skipped(cluster)
            else:
                pending.append(cluster)
        options = {"model": model, "words": words, "context": context, "max_cost": max_cost, "cite": cite}
        if batch_api:
            _via_batch_api(run, pending, concurrency, options)
        else:
            run.in_pool(pending, concurrency, lambda c: run.summarize(c, engine, options))
    return BatchReport(out_dir=str(out), results=tuple(run.results[c.name] for c in todo))


class _Run:
    """The state of one run_batch call: settings, the manifest, results so far."""

    def __init__(self, out: Path, settings: Mapping[str, Any], progress: bool) -> None:
        self.out = out
        self.settings = settings
        self.progress = progress
        self.manifest = out / MANIFEST
        self.results: dict[str, ClusterResult] = {}
        self.failures = 0
        self._lock = threading.Lock()
        self._last = _read_manifest(self.manifest)

    def finished(self, cluster: Cluster) -> bool:
        last = self._last.get(cluster.name)
        return (
            last is not None
            and last.get("status") == "done"
            and last.get("key") == _key(cluster, self.settings)
            and (self.out / f"{cluster.name}.json").is_file()
        )

    def skipped(self, cluster: Cluster) -> ClusterResult:
        last = self._last[cluster.name]
        return ClusterResult(
            name=cluster.name, status="skipped", inputs=cluster.inputs,
            json_path=str(last.get("json", "")), md_path=str(last.get("md", "")),
        )  # fmt: skip

    def in_pool(self, clusters: Sequence[Cluster], workers: int, work: Callable[[Cluster], object]) -> None:
        """Run `work` per cluster in a pool; each call records its own outcome (it never raises)."""
        if not clusters:
            return
        from tqdm.auto import tqdm

        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="brief-batch")
        try:
            futures: list[Future[object]] = [pool.submit(work, c) for c in clusters]
            bar = tqdm(total=len(clusters), desc="clusters", unit="cluster", disable=not self.progress)
            with bar:
                for f in as_completed(futures):
                    f.result()
                    bar.update(1)
                    bar.set_postfix(failed=self.failures)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)  # Ctrl-C: running clusters still finish

    def summarize(self, cluster: Cluster, engine: EngineChoice, options: Mapping[str, Any]) -> None:
        from ..pipeline import summarize

        try:
            chosen = engine() if callable(engine) else engine
            briefing = summarize(list(cluster.inputs), engine=chosen, **options)
        except Exception as exc:
            self.fail(cluster, exc)
            return
        self.write(cluster, briefing)

    def write(self, cluster: Cluster, briefing: Briefing) -> None:
        from ..view.exports import to_markdown_footnotes, warnings

        try:
            json_path, md_path = self.out / f"{cluster.name}.json", self.out / f"{cluster.name}.md"
            data, markdown = briefing.to_json(), to_markdown_footnotes(briefing)
            write_atomic(json_path, data)
            write_atomic(md_path, markdown)
        except Exception as exc:
            self.fail(cluster, exc)
            return
        empty = not briefing.sentences  # written (nothing lost) but not "done": it says nothing
        why = "; ".join(" ".join(n.split()) for n in briefing.notes)[:200] or "no notes"
        result = ClusterResult(
            name=cluster.name, status="failed" if empty else "done", inputs=cluster.inputs,
            json_path=str(json_path), md_path=str(md_path), sentences=len(briefing.sentences),
            warnings=len(warnings(briefing)), usage=briefing.usage,
            error=scrub(f"the briefing came out empty ({why})") if empty else "",
        )  # fmt: skip
        if empty:
            log.warning("cluster %s failed: %s", cluster.name, result.error)
        self.record(result, engine=briefing.engine, model=briefing.model)

    def fail(self, cluster: Cluster, exc: BaseException) -> None:
        message = str(exc) if isinstance(exc, ToolkitError) else f"{type(exc).__name__}: {exc}"
        result = ClusterResult(
            name=cluster.name, status="failed", inputs=cluster.inputs, error=scrub(message)
        )
        log.warning("cluster %s failed: %s", cluster.name, result.error)
        self.record(result)

    def record(self, result: ClusterResult, **extra: str) -> None:
        cluster = Cluster(name=result.name, inputs=result.inputs)
        line = {
            "cluster": result.name, "status": result.status, "key": _key(cluster, self.settings),
            "inputs": list(result.inputs), "json": result.json_path, "md": result.md_path,
            "error": result.error, "sentences": result.sentences, "warnings": result.warnings,
            "usage": result.usage.model_dump(), **extra, "settings": dict(self.settings),
            "time": time.time(),
        }  # fmt: skip
        data = (json.dumps(line, ensure_ascii=False, default=str) + "\n").encode("utf-8")
        with self._lock:
            with open(self.manifest, "ab") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            self.results[result.name] = result
            self.failures += result.status == "failed"


def _read_manifest(path: Path) -> dict[str, dict[str, Any]]:
    """The last record per cluster; a line cut short by a crash is ignored."""
    last: dict[str, dict[str, Any]] = {}
    if not path.is_file():
        return last
    for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            record = json.loads(raw)
        except ValueError:
            continue
        if isinstance(record, dict) and isinstance(record.get("cluster"), str):
            last[record["cluster"]] = record
    return last


@contextmanager
def _locked(out: Path) -> Iterator[None]:
    """An exclusive lock on `out` for this run (released by the OS even after kill -9)."""
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks; runs are not guarded against each other
        yield
        return
    with open(out / LOCK, "a+b") as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ConfigError(
                f"another `brief batch` run is writing to {out}; wait for it to finish or use another --out"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


# --- via the Batch API ----------------------------------------------------------------------------
async def summarize_corpora(
    chat: BatchAPIChat, corpora: Sequence[Corpus], *, model: str, words: int, info: ModelInfo | None = None,
    max_cost: float | None = None, on_done: Callable[[int, Draft | BaseException], None] | None = None,
    cite: str | None = None,
) -> list[Draft | BaseException]:  # fmt: skip
    """One `OpenAIEngine` per corpus, all in this event loop, all through `chat`: every first call
    (single prompt or map call) goes out in one Batch API job, every reduce call in the next. Returns a
    `Draft` or the exception per corpus, in order; `on_done(i, result)` is called as each finishes.
    `cite`: as `OpenAIEngine`'s (None: the default, "local"); with "local" the drafts' sentences come
    uncited (`summarize` with a `_Finished(draft, cite="local")` engine finds their passages)."""
    from ..chat.batch_api import batch_price
    from ..engines.llm_engine import OpenAIEngine
    from ..engines.registry import DEFAULT_CITE
    from ..plan.planning import model_info
    from ..text.tokens import get_tokenizer

    priced = batch_price(info or model_info(model))
    tokenizer = get_tokenizer(model)
    handles = [chat.participant() for _ in corpora]  # all registered before any engine runs

    async def one(i: int) -> Draft | BaseException:
        result: Draft | BaseException
        try:
            engine = OpenAIEngine(
                handles[i],
                model,
                tokenizer=tokenizer,
                info=priced,
                max_cost=max_cost,
                cite=cite or DEFAULT_CITE,
            )
            draft = await engine.asummarize(corpora[i], words=words)
            result = draft.model_copy(update={"notes": (*draft.notes, "sent through the OpenAI Batch API")})
        except Exception as exc:
            result = exc
        finally:
            handles[i].close()
        if on_done is not None:
            on_done(i, result)
        return result

    return list(await asyncio.gather(*(one(i) for i in range(len(corpora)))))


class _Finished:
    """An `Engine` that hands `summarize()` a draft made elsewhere, so checks and notes are the same
    (`cite="local"`: its sentences came uncited, and `summarize` finds their passages)."""

    def __init__(self, draft: Draft, name: str = "openai", cite: str = "model") -> None:
        self.draft = draft
        self.name = name
        self.cite = cite

    def summarize(self, corpus: Corpus, *, words: int) -> Draft:
        return self.draft


def _via_batch_api(run: _Run, clusters: Sequence[Cluster], workers: int, options: Mapping[str, Any]) -> None:
    from ..chat.batch_api import BatchAPIChat
    from ..chat.cache import ResponseCache
    from ..chat.endpoint import EndpointConfig, announce
    from ..engines.llm_engine import run_sync
    from ..engines.registry import DEFAULT_CITE
    from ..ingest.loading import load_articles
    from ..ingest.passages import build_corpus
    from ..pipeline import summarize
    from ..plan.planning import model_info
    from ..text.tokens import get_tokenizer

    config = EndpointConfig.from_env(model=options["model"])
    if not config.is_configured():
        raise ConfigError(
            "--via batch-api needs an OpenAI endpoint: set OPENAI_API_KEY (and OPENAI_BASE_URL)"
        )
    announce(config)
    corpora: dict[str, Corpus] = {}
    tokenizer = get_tokenizer(config.model)

    def prepare(cluster: Cluster) -> None:
        try:
            corpora[cluster.name] = build_corpus(load_articles(list(cluster.inputs)), tokenizer)
        except Exception as exc:
            run.fail(cluster, exc)

    run.in_pool(clusters, workers, prepare)
    ready = [c for c in clusters if c.name in corpora]
    if not ready:
        return
    chat = BatchAPIChat(config, cache=ResponseCache(), journal=run.out / JOURNAL)
    info = model_info(config.model)
    if options["context"] is not None:
        info = info.model_copy(update={"context": options["context"]})
    drafts: list[Draft | BaseException] = []
    from tqdm.auto import tqdm

    bar = tqdm(total=len(ready), desc="engines (Batch API)", unit="cluster", disable=not run.progress)

    async def engines() -> None:
        try:
            drafts.extend(
                await summarize_corpora(
                    chat, [corpora[c.name] for c in ready], model=config.model, words=options["words"],
                    info=info, max_cost=options["max_cost"], on_done=lambda i, d: bar.update(1),
                    cite=options["cite"],
                )
            )  # fmt: skip
        finally:
            await chat.aclose()

    with bar:
        run_sync(engines)
    by_name = {c.name: d for c, d in zip(ready, drafts, strict=True)}

    def finish(cluster: Cluster) -> None:
        draft = by_name[cluster.name]
        if isinstance(draft, BaseException):
            run.fail(cluster, draft)
            return
        try:
            engine = _Finished(draft, cite=options["cite"] or DEFAULT_CITE)
            briefing = summarize(corpora[cluster.name], engine=engine, words=options["words"])
        except Exception as exc:
            run.fail(cluster, exc)
            return
        run.write(cluster, briefing)

    run.in_pool(ready, workers, finish)
