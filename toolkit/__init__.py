"""Merged, cited, checked briefings from many news articles about one event.

>>> from toolkit import load_articles, summarize
>>> briefing = summarize(load_articles("examples/syria-iraq-2025"))
>>> print(briefing.to_markdown())
"""

from .batch.runner import BatchReport, run_batch
from .briefing import Briefing, Skipped
from .check.verifier import Verifier
from .engines.base import Draft, Engine
from .engines.extractive import ExtractiveEngine
from .engines.llm_engine import OpenAIEngine
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
from .group.grouping import EventGroup, Grouping, group_articles
from .ingest.loading import Articles, load_articles
from .ingest.passages import build_corpus
from .models import (
    Article,
    CitationCheck,
    Corpus,
    Dropped,
    DuplicateGroup,
    Evidence,
    Passage,
    Sentence,
    Source,
    SummarySentence,
    Usage,
)
from .pipeline import plan, summarize, verify
from .plan.chunking import Chunk, ChunkPart, chunk_passages
from .plan.planning import Plan
from .report import Report
from .text.tokens import get_tokenizer, load_encoding
from .view.exports import export, to_docx, to_html, to_markdown_footnotes

__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    """`toolkit.Explorer` is imported on first use, so `import toolkit` does not load anywidget."""
    if name == "Explorer":
        from .view.explorer import Explorer

        return Explorer
    raise AttributeError(f"module 'toolkit' has no attribute {name!r}")


__all__ = [
    "Article",
    "Articles",
    "BatchReport",
    "Briefing",
    "BudgetError",
    "Chunk",
    "ChunkPart",
    "CitationCheck",
    "ConfigError",
    "Corpus",
    "Draft",
    "Dropped",
    "DuplicateGroup",
    "EndpointError",
    "Engine",
    "EngineError",
    "EventGroup",
    "Evidence",
    "Explorer",
    "ExtractiveEngine",
    "Grouping",
    "OpenAIEngine",
    "Passage",
    "Plan",
    "PromptError",
    "Report",
    "ResponseError",
    "Sentence",
    "Skipped",
    "Source",
    "SourceError",
    "SummarySentence",
    "TokenizerError",
    "ToolkitError",
    "Usage",
    "Verifier",
    "__version__",
    "build_corpus",
    "chunk_passages",
    "export",
    "get_tokenizer",
    "group_articles",
    "load_articles",
    "load_encoding",
    "plan",
    "run_batch",
    "summarize",
    "to_docx",
    "to_html",
    "to_markdown_footnotes",
    "verify",
]
