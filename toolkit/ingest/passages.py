"""From loaded articles to sources with passages: clean, segment, count tokens, number S1:1, S1:2 ...

Sources are numbered `S1`, `S2`, ... in the order given; each kept paragraph becomes a passage
`S<n>:<k>` (1-based) with its sentences and character offsets into `Source.text`.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..models import Article, Corpus, Passage, Sentence, Source
from ..text.sentences import split_sentences
from ..text.tokens import Tokenizer, count_tokens, get_tokenizer
from .cleaning import clean
from .dedupe import find_duplicates

__all__ = ["build_corpus", "build_source"]


def build_source(article: Article, source_id: str, tokenizer: Tokenizer) -> Source:
    """Clean one article and cut it into numbered passages."""
    text = article.text
    cleaned = clean(text)
    passages: list[Passage] = []
    for k, (start, end) in enumerate(cleaned.paragraphs, 1):
        body = text[start:end]
        sentences = tuple(
            Sentence(text=text[a:b], start=a, end=b) for a, b in split_sentences(body, offset=start)
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
        notes=article.notes,
        origin=source_id,
    )


def build_corpus(
    articles: Sequence[Article],
    tokenizer: Tokenizer | None = None,
    *,
    dedupe: bool = True,
) -> Corpus:
    """Sources S1..Sn in the order given, with cross-source near-duplicates grouped."""
    tok = tokenizer if tokenizer is not None else get_tokenizer()
    sources = tuple(build_source(a, f"S{i}", tok) for i, a in enumerate(articles, 1))
    corpus = Corpus(sources=sources)
    return find_duplicates(corpus) if dedupe else corpus
