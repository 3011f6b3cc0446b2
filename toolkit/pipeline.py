"""`summarize()`: inputs -> corpus -> engine -> checked citations -> Briefing. No I/O besides loading."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from .briefing import Briefing, Skipped, now_iso
from .engines import Draft, Engine
from .errors import ConfigError
from .loading import Articles, load_articles
from .models import Article, Corpus, SummarySentence
from .passages import build_corpus
from .tokens import Tokenizer, get_tokenizer

__all__ = ["ENGINES", "check_citations", "make_engine", "summarize"]

ENGINES = ("extractive", "openai", "local")

Inputs = str | Path | dict[str, str] | Article | Sequence[str | Path | dict[str, str] | Article] | Corpus


def make_engine(name: str | None, *, model: str | None = None) -> Engine:
    """The engine called `name` (extractive, openai, local); None picks extractive for now."""
    choice = name or "extractive"
    if choice == "extractive":
        from .extractive import ExtractiveEngine

        return ExtractiveEngine()
    if choice in ("openai", "local"):
        raise ConfigError(f"engine {choice!r} is not available in this version yet; use --engine extractive")
    raise ConfigError(f"unknown engine {choice!r}; choose one of {', '.join(ENGINES)}")


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
) -> Briefing:
    """One merged, cited summary of the given articles (paths, folders, dicts, Articles or a Corpus)."""
    if words < 10:
        raise ConfigError(f"--words {words} is too small for a summary; use at least 10")
    skipped: tuple[Skipped, ...] = ()
    if isinstance(inputs, Corpus):
        corpus = inputs
    else:
        articles = _load(inputs, skip_bad)
        skipped = tuple(Skipped(path=e.path, error=str(e)) for e in articles.skipped)
        corpus = build_corpus(articles, tokenizer or get_tokenizer(model))
    eng = engine if engine is not None and not isinstance(engine, str) else make_engine(engine, model=model)
    draft = check_citations(eng.summarize(corpus, words=words), corpus)
    notes = list(draft.notes)
    if eng.name == "extractive" and engine is None:
        notes.insert(
            0,
            "No LLM endpoint configured: used the offline extractive engine "
            "(sentences quoted from the sources).",
        )
    return Briefing(
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


def _load(inputs: Inputs, skip_bad: bool) -> Articles:
    if isinstance(inputs, Articles):
        return inputs
    if isinstance(inputs, str | Path | dict | Article):
        return load_articles([inputs], skip_bad=skip_bad)
    return load_articles(list(inputs), skip_bad=skip_bad)  # type: ignore[arg-type]
