"""`summarize()`: inputs -> corpus -> engine -> checked citations -> Briefing. No I/O besides loading."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from .briefing import Briefing, Skipped, now_iso
from .engines import Draft, Engine
from .errors import ConfigError
from .loading import Articles, load_articles
from .models import Article, Corpus, SummarySentence
from .passages import build_corpus
from .planning import ModelInfo, Plan, make_plan, model_info
from .tokens import Tokenizer, get_tokenizer

if TYPE_CHECKING:
    from .verify import Verifier

__all__ = ["ENGINES", "check_citations", "make_engine", "plan", "summarize"]

ENGINES = ("extractive", "openai", "local")

Inputs = str | Path | dict[str, str] | Article | Sequence[str | Path | dict[str, str] | Article] | Corpus


def make_engine(
    name: str | None,
    *,
    model: str | None = None,
    max_cost: float | None = None,
    context: int | None = None,
    gguf: str | Path | None = None,
    progress: bool = False,
) -> Engine:
    """The engine called `name`: extractive, openai (OPENAI_API_KEY / OPENAI_BASE_URL) or local
    (llama.cpp server on 127.0.0.1). None picks openai when an endpoint is configured, else extractive."""
    choice = name or default_engine_name()
    if choice == "extractive":
        from .extractive import ExtractiveEngine

        return ExtractiveEngine()
    if choice == "openai":
        from .cache import ResponseCache
        from .endpoint import EndpointConfig
        from .llm import OpenAIChat
        from .llm_engine import OpenAIEngine

        config = EndpointConfig.from_env(model=model)
        if not config.is_configured():
            raise ConfigError(
                "engine 'openai' needs an endpoint: set OPENAI_API_KEY (OpenAI) or OPENAI_BASE_URL "
                "(Azure, Ollama, vLLM, llama.cpp, LM Studio), or use --engine extractive"
            )
        chat = OpenAIChat(config, cache=ResponseCache())
        return OpenAIEngine(
            chat, config.model, max_cost=max_cost, info=_info(config.model, context), progress=progress
        )
    if choice == "local":
        from .local import LocalEngine

        return LocalEngine(gguf=gguf, context=context, progress=progress)
    raise ConfigError(f"unknown engine {choice!r}; choose one of {', '.join(ENGINES)}")


def default_engine_name() -> str:
    from .endpoint import EndpointConfig

    return "openai" if EndpointConfig.from_env().is_configured() else "extractive"


def _info(model: str, context: int | None) -> ModelInfo:
    info = model_info(model)
    return info if context is None else info.model_copy(update={"context": context})


def check_citations(draft: Draft, corpus: Corpus) -> Draft:
    """Never show a citation to a passage that does not exist: drop it and say so on the sentence."""
    checked: list[SummarySentence] = []
    for s in draft.sentences:
        good = tuple(c for c in s.citations if corpus.has_passage(c))
        bad = [c for c in s.citations if not corpus.has_passage(c)]
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
) -> Briefing:
    """One merged, cited summary of the given articles (paths, folders, dicts, Articles or a Corpus).

    `engine`: "extractive" (offline), "openai" (any OpenAI-compatible endpoint from OPENAI_API_KEY /
    OPENAI_BASE_URL), "local" (llama.cpp server with a GGUF file), or an `Engine` object. By default
    the openai engine when an endpoint is configured, else the offline one. With `check` (the default)
    every citation is verified and the summary compared with every source (`briefing.report`)."""
    if words < 10:
        raise ConfigError(f"--words {words} is too small for a summary; use at least 10")
    skipped: tuple[Skipped, ...] = ()
    if isinstance(inputs, Corpus):
        corpus = inputs
    else:
        articles = _load(inputs, skip_bad)
        skipped = tuple(Skipped(path=e.path, error=str(e)) for e in articles.skipped)
        corpus = build_corpus(articles, tokenizer or get_tokenizer(model))
    eng = (
        engine
        if engine is not None and not isinstance(engine, str)
        else make_engine(
            engine, model=model, max_cost=max_cost, context=context, gguf=gguf, progress=progress
        )
    )
    # The checker's index is built while the engine waits for the endpoint (a thread: the wait is
    # I/O), and an engine that streams its answer hands over each sentence to be checked while the
    # rest is generated; `verify()` below then finds those checks memoised.
    with ThreadPoolExecutor(max_workers=1) as pool:
        index = pool.submit(_verifier, corpus) if check else None
        listens = index is not None and getattr(eng, "on_sentence", False) is None
        if index is not None and listens:
            built = index
            eng.on_sentence = lambda s: pool.submit(_precheck, built, s)  # type: ignore[attr-defined]
        try:
            draft = check_citations(eng.summarize(corpus, words=words), corpus)
        finally:
            if listens:
                eng.on_sentence = None  # type: ignore[attr-defined]
        verifier = index.result() if index is not None else None
    notes = list(draft.notes)
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
    if verifier is None or not briefing.sentences:
        return briefing
    from .verify import verify

    return verify(briefing, verifier)


def _precheck(index: Future[Verifier], sentence: SummarySentence) -> None:
    """Check one streamed sentence the way `verify()` will: its citations, then its best passage in
    every source (the comparison view); the verdicts are memoised in the Verifier."""
    from .compare import _align, _view

    verifier = index.result()  # built first: this pool has one worker
    checked = verifier.check_sentence(sentence.text, sentence.citations, sentence.note)
    _align(verifier, _view(verifier), 0, checked, verifier.scores(checked.text))


def _verifier(corpus: Corpus) -> Verifier:
    """The checker's index and the corpus-level half of the comparison (facts only one source
    states, conflicts between sources, centrality), which do not depend on the summary."""
    from .compare import _view
    from .verify import Verifier

    verifier = Verifier(corpus)
    view = _view(verifier)
    for part in ("slices", "centrality", "source_words", "units", "unique", "conflicts"):
        getattr(view, part)
    return verifier


def plan(
    inputs: Inputs,
    *,
    model: str | None = None,
    words: int = 250,
    skip_bad: bool = False,
    context: int | None = None,
    max_cost: float | None = None,
) -> Plan:
    """What an LLM run would send, in how many calls and at what cost; spends nothing."""
    from .endpoint import EndpointConfig

    name = model or EndpointConfig.from_env().model
    corpus = (
        inputs if isinstance(inputs, Corpus) else build_corpus(_load(inputs, skip_bad), get_tokenizer(name))
    )
    return make_plan(
        corpus, name, get_tokenizer(name), words=words, info=_info(name, context), max_cost=max_cost
    )


def _load(inputs: Inputs, skip_bad: bool) -> Articles:
    if isinstance(inputs, Articles):
        return inputs
    if isinstance(inputs, str | Path | dict | Article):
        return load_articles([inputs], skip_bad=skip_bad)
    return load_articles(list(inputs), skip_bad=skip_bad)  # type: ignore[arg-type]
