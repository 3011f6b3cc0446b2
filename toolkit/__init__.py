"""Merged, cited, checked briefings from many news articles about one event.

>>> from toolkit import load_articles, summarize
>>> briefing = summarize(load_articles("examples/"))
>>> print(briefing.to_markdown())
"""

from .briefing import Briefing, Skipped
from .chunking import Chunk, ChunkPart, chunk_passages
from .engines import Draft, Engine
from .errors import (
    BudgetError,
    ConfigError,
    EndpointError,
    EngineError,
    PromptError,
    ResponseError,
    SourceError,
    TokenizerError,
    ToolkitError,
)
from .extractive import ExtractiveEngine
from .loading import Articles, load_articles
from .models import (
    Article,
    Corpus,
    Dropped,
    DuplicateGroup,
    Passage,
    Sentence,
    Source,
    SummarySentence,
    Usage,
)
from .passages import build_corpus
from .pipeline import summarize
from .tokens import get_tokenizer, load_encoding

__version__ = "0.1.0"

__all__ = [
    "Article",
    "Articles",
    "Briefing",
    "BudgetError",
    "Chunk",
    "ChunkPart",
    "ConfigError",
    "Corpus",
    "Draft",
    "Dropped",
    "DuplicateGroup",
    "EndpointError",
    "Engine",
    "EngineError",
    "ExtractiveEngine",
    "Passage",
    "PromptError",
    "ResponseError",
    "Sentence",
    "Skipped",
    "Source",
    "SourceError",
    "SummarySentence",
    "TokenizerError",
    "ToolkitError",
    "Usage",
    "__version__",
    "build_corpus",
    "chunk_passages",
    "get_tokenizer",
    "load_articles",
    "load_encoding",
    "summarize",
]
