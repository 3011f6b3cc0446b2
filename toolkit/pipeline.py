"""The entry points: `summarize()` (inputs -> corpus -> engine -> checked citations -> Briefing),
`verify()` (a summary and its sources -> checked Briefing) and `plan()` (what an LLM run would send).
No I/O besides loading."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from .briefing import Briefing, Skipped, now_iso
from .cite.summary_text import parse_summary
from .engines.base import Draft, Engine
from .errors import ConfigError
from .ingest.loading import Articles, load_articles
from .models import Article, Corpus, SummarySentence, Usage
from .plan.planning import ModelInfo, Plan, make_plan, model_info
from .text.tokens import Tokenizer, get_tokenizer

if TYPE_CHECKING:
    from .chat.llm import ChatClient
    from .check.verifier import Verifier

__all__ = ["ENGINES", "check_citations", "make_engine", "plan", "summarize", "verify"]

ENGINES = ("extractive", "openai", "local")

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
) -> Engine:
    """The engine called `name`: extractive, openai (OPENAI_API_KEY / OPENAI_BASE_URL) or local
    (llama.cpp server on 127.0.0.1). None picks openai when an endpoint is configured, else extractive."""
    choice = name or default_engine_name()
    if choice == "extractive":
        from .engines.extractive import ExtractiveEngine

        return ExtractiveEngine()
    if choice == "openai":
        from .chat.cache import ResponseCache
        from .chat.endpoint import EndpointConfig
        from .chat.llm import OpenAIChat
        from .engines.llm_engine import OpenAIEngine

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
        from .engines.local import LocalEngine

        return LocalEngine(gguf=gguf, context=context, progress=progress)
    raise ConfigError(f"unknown engine {choice!r}; choose one of {', '.join(ENGINES)}")


def default_engine_name() -> str:
    from .chat.endpoint import EndpointConfig

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
        from .ingest.passages import build_corpus

        corpus = build_corpus(articles, tokenizer or get_tokenizer(model))
    eng = (
        engine
        if engine is not None and not isinstance(engine, str)
        else make_engine(
            engine, model=model, max_cost=max_cost, context=context, gguf=gguf, progress=progress
        )
    )
    draft = check_citations(eng.summarize(corpus, words=words), corpus)
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
    if not check or not briefing.sentences:
        return briefing
    from .check.verifier import Verifier

    return verify(briefing, Verifier(corpus))


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
    from .chat.endpoint import EndpointConfig
    from .ingest.passages import build_corpus

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


def verify(
    summary: str | Path | Briefing,
    sources: Sources | None = None,
    *,
    judge: ChatClient | None = None,
) -> Briefing:
    """Check a summary (Markdown or plain text with [S1:3] markers, a file, or a Briefing) against its
    sources (paths, Articles, a Corpus, or a prebuilt `Verifier`; a Briefing's own sources if None)."""
    from .check.summary import check_summary

    base = summary if isinstance(summary, Briefing) else None
    verifier = _verifier(sources, base)
    if base is not None:
        given = list(base.sentences)
    else:
        text = summary.read_text(encoding="utf-8") if isinstance(summary, Path) else str(summary)
        given = parse_summary(text)
    if not given:
        raise ConfigError(
            "the summary has no sentences to check: give Markdown or plain text with [S1:3]-style markers"
        )
    checked = check_summary(verifier, given, judge=judge)
    usage = base.usage if base is not None else Usage()
    notes = list(base.notes) if base is not None else []
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
    from .ingest.passages import build_corpus

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
