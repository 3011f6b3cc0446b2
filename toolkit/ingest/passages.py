"""From loaded articles to sources with passages: clean, segment, count tokens, number S1:1, S1:2 ...

Sources are numbered `S1`, `S2`, ... in the order given; each kept paragraph becomes a passage
`S<n>:<k>` (1-based) with its sentences and character offsets into `Source.text`.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..models import Article, Corpus, Dropped, Passage, Sentence, Source
from ..text.language import assess
from ..text.sentences import split_sentences
from ..text.tokens import Tokenizer, count_tokens, get_tokenizer
from .cleaning import Cleaned, clean
from .dedupe import find_duplicates
from .workers import forked_iter, gc_paused

__all__ = ["build_corpus", "build_source", "cleaned_of"]


# A corpus holds about six sentences a passage, 280,000 at 10,000 articles. They are built from a str
# slice and two ints (nothing to validate) and share one set of set fields: pydantic would give each
# its own 216-byte set (60 MB at that size). Frozen models never change it; `model_copy` copies it.
_SENTENCE_FIELDS = {"text", "start", "end"}


# What a worker sends back for one article (`_parts`): offsets, counts and the few strings cleaning
# made, never the article's text (the caller has it). Pickling whole sources copied every text three
# times (source, passage, sentence) and gave each of ~280,000 sentences at 10,000 articles its own
# pydantic `__setstate__` on the caller's side, about a second of the caller's time; it also left
# the caller with a second copy of every article's text.
_Paragraph = tuple[int, int, int, tuple[int, ...]]  # start, end, tokens, sentence offsets a1, b1, a2, b2, ...
_DroppedSpan = tuple[str, int, int, str]  # text, start, end, reason
_Parts = tuple[
    tuple[_Paragraph, ...], tuple[_DroppedSpan, ...], str, str, str, str, tuple[str, ...], str, str
]  # paragraphs, dropped, title, outlet, date, url, notes, language, not_article


def build_source(article: Article, source_id: str, tokenizer: Tokenizer) -> Source:
    """Clean one article and cut it into numbered passages."""
    return _assemble(article, source_id, _parts(article, tokenizer))


def _parts(article: Article, tokenizer: Tokenizer) -> _Parts:
    """The per-article work of `build_source` (cleaning, sentences, token counts, language) as plain
    offsets and strings, small to pickle."""
    text = article.text
    cleaned = clean(text, title=article.title)
    paragraphs: list[_Paragraph] = []
    kept: list[str] = []
    for start, end in cleaned.paragraphs:
        body = text[start:end]
        bounds = tuple(x for span in split_sentences(body, offset=start) for x in span)
        paragraphs.append((start, end, count_tokens(tokenizer, body), bounds))
        kept.append(body)
    notes = article.notes
    language, problem = assess("\n".join(kept) or text)
    problem = problem if kept else ""
    if problem:
        notes = (*notes, problem)
    if cleaned.not_article:
        notes = (*notes, f"not an article ({cleaned.not_article}): left out of the briefing")
    dropped = tuple((d.text, d.start, d.end, d.reason) for d in cleaned.dropped)
    return (
        tuple(paragraphs),
        dropped,
        article.title or cleaned.title,
        article.outlet or cleaned.outlet,
        article.date or cleaned.date,
        article.url or cleaned.url,
        notes,
        language,
        cleaned.not_article,
    )


def _assemble(article: Article, source_id: str, parts: _Parts) -> Source:
    """The source `parts` describe: texts are slices of `article.text` (offsets index into it)."""
    paragraphs, dropped, title, outlet, date, url, notes, language, not_article = parts
    text = article.text
    passages: list[Passage] = []
    for k, (start, end, tokens, bounds) in enumerate(paragraphs, 1):
        sentences = tuple(
            Sentence.model_construct(_SENTENCE_FIELDS, text=text[a:b], start=a, end=b)
            for a, b in zip(bounds[::2], bounds[1::2], strict=True)
        )
        passages.append(
            Passage(
                id=f"{source_id}:{k}",
                text=text[start:end],
                start=start,
                end=end,
                sentences=sentences,
                tokens=tokens,
            )
        )
    return Source(
        id=source_id,
        text=text,
        path=article.path,
        title=title,
        outlet=outlet,
        date=date,
        url=url,
        passages=tuple(passages),
        dropped=tuple(Dropped(text=t, start=a, end=b, reason=r) for t, a, b, r in dropped),
        notes=notes,
        origin=source_id,
        language=language,
        not_article=not_article,
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
    `workers.forked_iter`): None = one per core from `workers.PARALLEL_FROM` articles on (Linux),
    else 1. The sources are the same either way (same function, same order)."""
    tok = tokenizer if tokenizer is not None else get_tokenizer()

    def build(lo: int, hi: int) -> list[_Parts]:
        return [_parts(articles[i], tok) for i in range(lo, hi)]

    with gc_paused():  # each source is assembled here as its parts arrive, while the workers go on
        parts = forked_iter(build, len(articles), workers)
        corpus = Corpus(
            sources=tuple(
                _assemble(a, f"S{i + 1}", p) for i, (a, p) in enumerate(zip(articles, parts, strict=True))
            )
        )
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
