"""Merged, cited, checked briefings from many news articles about one event.

>>> from toolkit import load_articles, summarize
>>> briefing = summarize(load_articles("examples/syria-iraq-2025"))
>>> print(briefing.to_markdown())
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
from types import ModuleType
from typing import TYPE_CHECKING

from . import plan as _plan_stage  # noqa: F401  (the `plan` stage loads before `plan` the function takes its name)
from .briefing import Briefing, Skipped
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
from .report import Report

if TYPE_CHECKING:
    from .batch.runner import BatchReport, run_batch
    from .check.verifier import Verifier
    from .engines.base import Draft, Engine
    from .engines.extractive import ExtractiveEngine
    from .engines.llm_engine import OpenAIEngine
    from .group.grouping import EventGroup, Grouping, group_articles
    from .ingest.loading import Articles, load_articles
    from .ingest.passages import build_corpus
    from .plan.chunking import Chunk, ChunkPart, chunk_passages
    from .plan.planning import Plan
    from .text.tokens import get_tokenizer, load_encoding
    from .view.explorer import Explorer
    from .view.exports import export, to_docx, to_html, to_markdown_footnotes

# Public names whose modules load heavy libraries (numpy/scipy, the openai SDK, anywidget, python-docx)
# or are not needed to start: imported on first use, so `import toolkit` and the offline CLI stay fast.
_LAZY: dict[str, str] = {
    "BatchReport": "batch.runner",
    "run_batch": "batch.runner",
    "Verifier": "check.verifier",
    "Draft": "engines.base",
    "Engine": "engines.base",
    "ExtractiveEngine": "engines.extractive",
    "OpenAIEngine": "engines.llm_engine",
    "EventGroup": "group.grouping",
    "Grouping": "group.grouping",
    "group_articles": "group.grouping",
    "Articles": "ingest.loading",
    "load_articles": "ingest.loading",
    "build_corpus": "ingest.passages",
    "Chunk": "plan.chunking",
    "ChunkPart": "plan.chunking",
    "chunk_passages": "plan.chunking",
    "Plan": "plan.planning",
    "get_tokenizer": "text.tokens",
    "load_encoding": "text.tokens",
    "export": "view.exports",
    "to_docx": "view.exports",
    "to_html": "view.exports",
    "to_markdown_footnotes": "view.exports",
    "Explorer": "view.explorer",
}

__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    """The names in `_LAZY`, imported from their stage on first use (then cached here)."""
    if name in _LAZY:
        value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'toolkit' has no attribute {name!r}")


# Module paths of toolkit 0.1's flat layout, kept working for scripts and notebooks written against it:
# `import toolkit.passages` gives `toolkit.ingest.passages` (the same module object). `verify`, `plan`,
# `engines`, `batch` and `cli` are not here: those names are public functions or stage packages now.
_MOVED = {
    "sentences": "text.sentences", "textsim": "text.similarity", "tokens": "text.tokens",
    "claims": "text.claims", "support": "text.support", "safe_text": "text.safe",
    "loading": "ingest.loading", "cleaning": "ingest.cleaning", "passages": "ingest.passages",
    "dedupe": "ingest.dedupe", "grouping": "group.grouping", "eventsim": "group.eventsim",
    "citations": "cite.markers", "answers": "cite.answers", "summary_text": "cite.summary_text",
    "planning": "plan.planning", "chunking": "plan.chunking", "prompting": "plan.prompting",
    "llm": "chat.llm", "endpoint": "chat.endpoint", "cache": "chat.cache", "local": "chat.local",
    "batch_api": "chat.batch_api", "model_facts": "chat.model_facts", "extractive": "engines.extractive",
    "llm_engine": "engines.llm_engine", "judge": "check.judge", "compare": "check.compare",
    "html_view": "view.html_view", "explorer": "view.explorer", "exports": "view.exports",
}  # fmt: skip


class _MovedModules(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Resolves `toolkit.<old flat name>` to the module's place in the stage layout."""

    def find_spec(
        self, fullname: str, path: object = None, target: object = None
    ) -> importlib.machinery.ModuleSpec | None:
        prefix, _, name = fullname.partition(".")
        if prefix != __name__ or name not in _MOVED:
            return None
        return importlib.util.spec_from_loader(fullname, self)

    def __init__(self) -> None:
        self.specs: dict[str, importlib.machinery.ModuleSpec | None] = {}

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        module = importlib.import_module(f"{__name__}.{_MOVED[spec.name.partition('.')[2]]}")
        self.specs[module.__name__] = module.__spec__
        return module

    def exec_module(self, module: ModuleType) -> None:
        """Nothing to run (the module was imported at its new place); only give it back its own spec,
        which the import system replaced with the alias's (its relative imports resolve from it)."""
        module.__spec__ = self.specs.get(module.__name__, module.__spec__)


if not any(isinstance(f, _MovedModules) for f in sys.meta_path):
    sys.meta_path.append(_MovedModules())


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


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
