"""From loaded articles to sources with passages: clean, segment, count tokens, number S1:1, S1:2 ...

Sources are numbered `S1`, `S2`, ... in the order given; each kept paragraph becomes a passage
`S<n>:<k>` (1-based) with its sentences and character offsets into `Source.text`.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..models import Article, Corpus, Passage, Sentence, Source
from ..text.language import assess
from ..text.sentences import split_sentences
from ..text.tokens import Tokenizer, count_tokens, get_tokenizer
from .cleaning import Cleaned, clean
from .dedupe import find_duplicates
from .workers import forked_map, gc_paused

__all__ = ["build_corpus", "build_source", "cleaned_of"]


# A corpus holds about six sentences a passage, 280,000 at 10,000 articles. They are built from a str
# slice and two ints (nothing to validate) and share one set of set fields: pydantic would give each
# its own 216-byte set (60 MB at that size). Frozen models never change it; `model_copy` copies it.
_SENTENCE_FIELDS = {"text", "start", "end"}


def build_source(article: Article, source_id: str, tokenizer: Tokenizer) -> Source:
    """Clean one article and cut it into numbered passages."""
    text = article.text
    cleaned = clean(text, title=article.title)
    passages: list[Passage] = []
    for k, (start, end) in enumerate(cleaned.paragraphs, 1):
        body = text[start:end]
        sentences = tuple(
            Sentence.model_construct(_SENTENCE_FIELDS, text=text[a:b], start=a, end=b)
            for a, b in split_sentences(body, offset=start)
        )
        passages.append(
            Passage(
                id=f"{source_id}:{k}",
                text=body,
                start=start,
                end=end,
                sentences=sentences,
                tokens=count_tokens(tokenizer, body),
            )
        )
    kept = "\n".join(p.text for p in passages)
    notes = article.notes
    language, problem = assess(kept or text)
    problem = problem if kept else ""
    if problem:
        notes = (*notes, problem)
    if cleaned.not_article:
        notes = (*notes, f"not an article ({cleaned.not_article}): left out of the briefing")
    return Source(
        id=source_id,
        text=text,
        path=article.path,
        title=article.title or cleaned.title,
        outlet=article.outlet or cleaned.outlet,
        date=article.date or cleaned.date,
        url=article.url or cleaned.url,
        passages=tuple(passages),
        dropped=cleaned.dropped,
        notes=notes,
        origin=source_id,
        language=language,
        not_article=cleaned.not_article,
    )


def build_corpus(
    articles: Sequence[Article],
    tokenizer: Tokenizer | None = None,
    *,
    dedupe: bool = True,
    workers: int | None = None,
) -> Corpus:
    """Sources S1..Sn in the order given, with cross-source near-duplicates grouped.

    `workers`: processes that build the sources (`build_source`, article by article; see
    `workers.forked_map`): None = one per core from `workers.PARALLEL_FROM` articles on (Linux),
    else 1. The sources are the same either way (same function, same order)."""
    tok = tokenizer if tokenizer is not None else get_tokenizer()

    def build(lo: int, hi: int) -> list[Source]:
        return [build_source(articles[i], f"S{i + 1}", tok) for i in range(lo, hi)]

    with gc_paused():
        corpus = Corpus(sources=tuple(forked_map(build, len(articles), workers)))
    return find_duplicates(corpus) if dedupe else corpus


def cleaned_of(source: Source) -> Cleaned:
    """What `clean` gave for `source`'s text, rebuilt from the source (kept paragraphs = its passages,
    dropped spans, metadata), so later stages (event grouping) need not clean the text again. The
    title, outlet, date and URL are the source's: the loader's where it knew them, else cleaning's."""
    return Cleaned(
        paragraphs=tuple((p.start, p.end) for p in source.passages),
        dropped=source.dropped,
        title=source.title,
        outlet=source.outlet,
        date=source.date,
        url=source.url,
        not_article=source.not_article,
    )
