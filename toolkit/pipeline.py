"""The entry points: `summarize()` (inputs -> corpus -> engine -> checked citations -> Briefing),
`verify()` (a summary and its sources -> checked Briefing) and `plan()` (what an LLM run would send).
No I/O besides loading."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from .briefing import Briefing, Skipped, now_iso
from .errors import ConfigError, EngineError, SourceError
from .ingest.loading import Articles, load_articles
from .models import Article, Corpus, SummarySentence, Usage

if TYPE_CHECKING:  # the stages below load when a function needs them: `import toolkit` stays light
    from .chat.llm import ChatClient
    from .check.verifier import Verifier
    from .engines.base import Draft, Engine
    from .plan.planning import Plan
    from .text.tokens import Tokenizer

__all__ = ["ENGINES", "check_citations", "make_engine", "plan", "rechecked", "summarize", "verify"]

ENGINES = ("extractive", "openai", "local")  # the built-in engines (plugins: toolkit.engines.registry)

Inputs = str | Path | dict[str, str] | Article | Sequence[str | Path | dict[str, str] | Article] | Corpus
Sources: TypeAlias = (
    "str | Path | Article | dict[str, str] | Sequence[str | Path | Article | dict[str, str]]"
    " | Articles | Corpus | Verifier"
)


def make_engine(
    name: str | None,
    *,
    model: str | None = None,
    max_cost: float | None = None,
    context: int | None = None,
    gguf: str | Path | None = None,
    progress: bool = False,
    price_in: float | None = None,
    price_out: float | None = None,
    reasoning_effort: str | None = None,
    cite: str | None = None,
) -> Engine:
    """The engine called `name`: extractive, openai (OPENAI_API_KEY / OPENAI_BASE_URL), local
    (llama.cpp server on 127.0.0.1), or one an installed package registers (entry point group
    `brief.engines`, see `toolkit.engines.registry`). None picks openai when an endpoint is
    configured, else extractive."""
    from .engines.registry import EngineOptions, make

    options = EngineOptions(
        model=model,
        max_cost=max_cost,
        context=context,
        gguf=Path(gguf) if gguf is not None else None,
        progress=progress,
        price_in=price_in,
        price_out=price_out,
        reasoning_effort=reasoning_effort,
        cite=cite,
    )
    return make(name or default_engine_name(), options)


LEFT_OUT_SHOWN = 5  # inputs passed over on purpose named in the notes; the rest counted


def default_engine_name() -> str:
    from .chat.endpoint import EndpointConfig

    return "openai" if EndpointConfig.from_env().is_configured() else "extractive"


def check_citations(draft: Draft, corpus: Corpus) -> Draft:
    """Never show a citation to a passage that does not exist: drop it and say so on the sentence."""
    checked: list[SummarySentence] = []
    for s in draft.sentences:
        good, bad = corpus.split_citations(s.citations)
        if not bad:
            checked.append(s)
            continue
        note = f"cited {', '.join(bad)}, which {'does' if len(bad) == 1 else 'do'} not exist"
        if not good:
            note = "uncited: " + note
        checked.append(
            s.model_copy(update={"citations": good, "note": "; ".join(x for x in (s.note, note) if x)})
        )
    return draft.model_copy(update={"sentences": tuple(checked)})


def summarize(
    inputs: Inputs,
    *,
    engine: str | Engine | None = None,
    model: str | None = None,
    words: int = 250,
    skip_bad: bool = False,
    tokenizer: Tokenizer | None = None,
    max_cost: float | None = None,
    context: int | None = None,
    gguf: str | Path | None = None,
    progress: bool = False,
    check: bool = True,
    price_in: float | None = None,
    price_out: float | None = None,
    reasoning_effort: str | None = None,
    cite: str | None = None,
) -> Briefing:
    """One merged, cited summary of the given articles (paths, folders, dicts, Articles or a Corpus).

    `engine`: "extractive" (offline), "openai" (any OpenAI-compatible endpoint from OPENAI_API_KEY /
    OPENAI_BASE_URL), "local" (llama.cpp server with a GGUF file), or an `Engine` object. By default
    the openai engine when an endpoint is configured, else the offline one. With `check` (the default)
    every citation is verified and the summary compared with every source (`briefing.report`).
    `context`, `price_in`/`price_out` (USD per million tokens) override the model's known facts;
    `reasoning_effort` (minimal|low|medium|high) is sent to reasoning models. `cite`: who finds each
    sentence's passages for the LLM engines, "model" (it cites passage numbers) or "local" (it writes
    plain sentences and `toolkit.check.attribute` finds the passages that hold them: fewer tokens
    sent and written); None: the engine's default.

    Raises `EngineError` when the engine produced no sentence (an empty briefing is never a result)."""
    if words < 10:
        raise ConfigError(f"--words {words} is too small for a summary; use at least 10")
    _check_cite(cite)
    skipped: tuple[Skipped, ...] = ()
    left_out: list[str] = []  # what loading passed over on purpose (hidden, unknown extension, repeated)
    if isinstance(inputs, Corpus):
        corpus = inputs
    else:
        articles = _load(inputs, skip_bad)
        skipped = tuple(Skipped(path=e.path, error=str(e)) for e in articles.skipped)
        left_out = [n for n in articles.notes if ": skipped" in n]
        from .ingest.passages import build_corpus
        from .text.tokens import get_tokenizer

        corpus = build_corpus(articles, tokenizer or get_tokenizer(model))
    eng = (
        engine
        if engine is not None and not isinstance(engine, str)
        else make_engine(
            engine,
            model=model,
            max_cost=max_cost,
            context=context,
            gguf=gguf,
            progress=progress,
            price_in=price_in,
            price_out=price_out,
            reasoning_effort=reasoning_effort,
            cite=cite,
        )
    )
    made = getattr(eng, "cite", cite)
    if cite is not None and made != cite:  # an Engine object made for the other mode
        raise ConfigError(
            f"cite={cite!r} conflicts with the engine given, made with cite={made!r}: "
            "set cite on the engine (OpenAIEngine(..., cite=...)) or leave it out here"
        )
    local = getattr(eng, "cite", "model") == "local"  # the engine's sentences come uncited: find them
    # The checker's index is built while the engine waits for the endpoint (a thread: the wait is
    # I/O), started when the engine sends its first request (`on_call`) so it does not slow the
    # planning and prompt building before it; an engine that streams its answer hands over each
    # sentence to be checked while the rest is generated; `verify()` below then finds those checks
    # memoised.
    with ThreadPoolExecutor(max_workers=1) as pool:
        gate = threading.Event()
        index = pool.submit(_index_when, corpus, gate) if check else None
        listens = index is not None and getattr(eng, "on_sentence", False) is None
        hooked = index is not None and getattr(eng, "on_call", False) is None
        if index is not None and listens:
            built = index
            eng.on_sentence = lambda s: pool.submit(_precheck, built, s, local)  # type: ignore[attr-defined]
        if hooked:
            eng.on_call = gate.set  # type: ignore[attr-defined]
        else:
            gate.set()
        try:
            draft = check_citations(eng.summarize(corpus, words=words), corpus)
        finally:
            gate.set()
            if listens:
                eng.on_sentence = None  # type: ignore[attr-defined]
            if hooked:
                eng.on_call = None  # type: ignore[attr-defined]
        verifier = index.result() if index is not None else None
    if local and draft.sentences:
        draft = _attribute(draft, verifier or _index(corpus))
    if not draft.sentences:  # an empty briefing is never a result: say why
        _say_why_empty(corpus)
        if not any(s.passages for s in corpus.sources):
            raise ConfigError(
                "no article text left to summarise: every input was empty or boilerplate "
                "(see the notes of `brief summarize --json`); pass the article files themselves"
            )
        why = "; ".join(n for n in draft.notes if n)[:400] or "no reason given"
        fix = (
            "pass the article files themselves (their text, not pages of links or teasers)"
            if eng.name == "extractive"
            else "Try another --model, --reasoning-effort low for a reasoning model, or --engine extractive"
        )
        raise EngineError(f"engine {eng.name} produced no sentences ({why}); nothing was written. {fix}")
    notes = list(draft.notes)
    notes += [
        f"{s.id} ({s.path or s.label}): {n}" for s in corpus.sources for n in s.notes if "not an article" in n
    ]
    if left_out:
        shown = "; ".join(left_out[:LEFT_OUT_SHOWN])
        more = f"; and {len(left_out) - LEFT_OUT_SHOWN} more" if len(left_out) > LEFT_OUT_SHOWN else ""
        notes.append(f"inputs not read: {shown}{more}")
    languages = sorted({s.language for s in corpus.sources if s.passages and s.language})
    if len(languages) > 1:  # a mixed folder, or one event reported in several languages: say so
        notes.append(
            f"sources in {len(languages)} languages ({', '.join(languages)}): check that they report one "
            "event; facts are compared across sources only where their wording is recognised"
        )
    if eng.name == "extractive" and engine is None:
        notes.insert(
            0,
            "No LLM endpoint configured: used the offline extractive engine "
            "(sentences quoted from the sources).",
        )
    briefing = Briefing(
        engine=eng.name,
        model=draft.model or model or eng.name,
        sentences=draft.sentences,
        sources=corpus.sources,
        groups=corpus.groups,
        usage=draft.usage,
        words=words,
        notes=tuple(notes),
        skipped=skipped,
        created=now_iso(),
    )
    if verifier is None:  # check=False
        return briefing
    return verify(briefing, verifier)


def _check_cite(cite: str | None) -> None:
    from .plan.planning import CITE_MODES

    if cite is not None and cite not in CITE_MODES:
        raise ConfigError(f"--cite {cite!r} is not known: choose one of {', '.join(CITE_MODES)}")


def _attribute(draft: Draft, verifier: Verifier) -> Draft:
    """Each uncited sentence of a plain answer with the passages that hold it, and a note saying who
    found them."""
    from .check.attribute import LOCAL_NOTE, attributed

    sentences = tuple(attributed(verifier, s) for s in draft.sentences)
    found = sum(bool(s.citations) for s in sentences)
    note = f"{LOCAL_NOTE}: {found} of {len(sentences)} sentences matched passages that hold their key terms"
    return draft.model_copy(update={"sentences": sentences, "notes": (*draft.notes, note)})


def _precheck(index: Future[Verifier], sentence: SummarySentence, local: bool = False) -> None:
    """Check one streamed sentence the way `verify()` will: its citations (found first when `local`),
    then its best passage in every source (the comparison view); the verdicts are memoised in the
    Verifier."""
    from .check.compare import _aligned, _view

    verifier = index.result()  # built first: this pool has one worker
    if local:
        from .check.attribute import attributed

        sentence = attributed(verifier, sentence)
    checked = verifier.check_sentence(sentence.text, sentence.citations, sentence.note)
    _aligned(verifier, _view(verifier), 0, checked, verifier.scores(checked.text))


def _index_when(corpus: Corpus, gate: threading.Event) -> Verifier:
    """`_index(corpus)` once `gate` is set (the engine sent its first request, or it cannot say)."""
    gate.wait()
    return _index(corpus)


def _index(corpus: Corpus) -> Verifier:
    """The checker's index and the corpus-level half of the comparison (facts only one source
    states, conflicts between sources, centrality), which do not depend on the summary."""
    from .check.compare import _view
    from .check.verifier import Verifier

    verifier = Verifier(corpus)
    view = _view(verifier)
    for part in ("slices", "centrality", "source_words", "units", "unique", "conflicts"):
        getattr(view, part)
    return verifier


def _say_why_empty(corpus: Corpus) -> None:
    """An empty briefing because the sources are in a script the toolkit cannot split: say so plainly."""
    from .text.language import support_problem

    for source in corpus.sources:
        if not source.passages:  # not an article, or nothing kept: no script to judge
            continue
        problem = support_problem("\n".join(p.text for p in source.passages))
        if problem:
            raise SourceError(
                source.path or source.id,
                f"no summary could be made: {problem}",
                "the toolkit splits sentences in Latin, Greek, Cyrillic, Arabic, Hebrew, Devanagari, "
                "Chinese, Japanese and Korean text; translate the articles first",
            )


def plan(
    inputs: Inputs,
    *,
    model: str | None = None,
    words: int = 250,
    skip_bad: bool = False,
    context: int | None = None,
    max_cost: float | None = None,
    price_in: float | None = None,
    price_out: float | None = None,
    reasoning_effort: str | None = None,
    cite: str | None = None,
) -> Plan:
    """What an LLM run would send, in how many calls and at what cost; spends nothing."""
    from .chat.endpoint import EndpointConfig
    from .engines.registry import DEFAULT_CITE, model_info_for
    from .ingest.passages import build_corpus
    from .plan.planning import make_plan
    from .text.tokens import get_tokenizer

    _check_cite(cite)
    name = model or EndpointConfig.from_env().model
    corpus = (
        inputs if isinstance(inputs, Corpus) else build_corpus(_load(inputs, skip_bad), get_tokenizer(name))
    )
    return make_plan(
        corpus,
        name,
        get_tokenizer(name),
        words=words,
        info=model_info_for(name, context, price_in, price_out, reasoning_effort),
        max_cost=max_cost,
        cite=cite or DEFAULT_CITE,
    )


def _load(inputs: Inputs, skip_bad: bool) -> Articles:
    if isinstance(inputs, Articles):
        return inputs
    if isinstance(inputs, str | Path | dict | Article):
        return load_articles([inputs], skip_bad=skip_bad)
    return load_articles(list(inputs), skip_bad=skip_bad)  # type: ignore[arg-type]


def verify(
    summary: str | Path | Briefing,
    sources: Sources | None = None,
    *,
    judge: ChatClient | None = None,
    judge_mode: str = "all",
    cite: str = "model",
) -> Briefing:
    """Check a summary (Markdown or plain text with [S1:3] markers, a file, or a Briefing) against its
    sources (paths, Articles, a Corpus, or a prebuilt `Verifier`; a Briefing's own sources if None).
    With a `judge` chat client, `judge_mode="all"` asks it about every citation, `"auto"` only about
    the sentences the fast check cannot settle (one call per sentence). `cite="local"`: each sentence
    without citations (a summary written without markers) first gets the passages that hold it
    (`toolkit.check.attribute`, as `summarize(cite="local")` does); "model" (the default) checks the
    citations as given."""
    from .check.summary import check_summary
    from .cite.summary_text import parse_summary

    _check_cite(cite)

    base = summary if isinstance(summary, Briefing) else None
    verifier = _verifier(sources, base)
    if base is not None:
        given = list(base.sentences)
    else:
        text = summary.read_text(encoding="utf-8") if isinstance(summary, Path) else str(summary)
        from .cite.summary_text import parse_summary

        given = parse_summary(text)
    if not given:
        raise ConfigError(
            "the summary has no sentences to check: give Markdown or plain text with [S1:3]-style markers"
        )
    found: list[str] = []
    if cite == "local":
        from .engines.base import Draft

        draft = _attribute(Draft(sentences=tuple(given)), verifier)
        given, found = list(draft.sentences), list(draft.notes)
    checked = check_summary(
        verifier, given, judge=judge, judge_mode=judge_mode, copies_must_pass=base is not None
    )
    usage = base.usage if base is not None else Usage()
    notes = [*(base.notes if base is not None else ()), *found]
    corpus = verifier.corpus
    return Briefing(
        engine=base.engine if base is not None else "verify",
        model=base.model if base is not None else "verify",
        sentences=checked.sentences,
        sources=corpus.sources,
        groups=corpus.groups,
        usage=usage + checked.usage,
        words=base.words if base is not None else sum(len(s.text.split()) for s in checked.sentences),
        notes=(*notes, *checked.notes),
        skipped=base.skipped if base is not None else _skipped(sources),
        created=now_iso(),
        report=checked.report,
    )


def _verifier(sources: Sources | None, base: Briefing | None) -> Verifier:
    from .check.verifier import Verifier
    from .ingest.passages import build_corpus

    if isinstance(sources, Verifier):
        return sources
    if sources is None:
        if base is None:
            raise ConfigError(
                "verify needs the sources the summary cites: pass the article paths or a Corpus"
            )
        return Verifier(base.corpus)
    if isinstance(sources, Corpus):
        return Verifier(sources)
    articles = sources if isinstance(sources, Articles) else load_articles(_as_list(sources))
    if not articles:
        raise ConfigError("no articles found in the given sources: pass files or folders with articles")

    return Verifier(build_corpus(articles))


def _skipped(sources: Sources | None) -> tuple[Skipped, ...]:
    """Inputs that `load_articles(..., skip_bad=True)` left out, so the Briefing lists them."""
    if not isinstance(sources, Articles):
        return ()
    return tuple(Skipped(path=e.path, error=str(e)) for e in sources.skipped)


def _as_list(sources: Any) -> list[Any]:
    if isinstance(sources, str | Path | dict | Article):
        return [sources]
    return list(sources)


def rechecked(briefing: Briefing) -> tuple[Briefing, int]:
    """The briefing with every sentence checked again against its own passages (statuses, reasons,
    report), and how many sentences' stored status differed: a JSON file edited to call an uncited
    sentence `supported` exports as uncited. A briefing without sentences is returned as is."""
    if not briefing.sentences:
        return briefing, 0
    base = briefing.model_copy(
        update={"notes": tuple(n for n in briefing.notes if not n.startswith("verify: "))}
    )
    checked = verify(base)
    changed = sum(
        1 for old, new in zip(briefing.sentences, checked.sentences, strict=True) if old.status != new.status
    )
    return checked, changed
