"""The toolkit's exceptions: one base class, a few branches, messages that say how to fix the problem.

ToolkitError
├── SourceError            a file or input that cannot be read as an article (names the file)
├── ConfigError            missing or inconsistent configuration (names the setting that fixes it)
├── TokenizerError         the shipped BPE files are missing or do not match their sha256
├── PromptError            a prompt template is missing or a variable was not supplied
├── BudgetError            a plan exceeds --max-cost or a chunk cannot fit the context
└── EngineError            the summarising engine failed
    ├── EndpointError      the LLM endpoint kept failing (HTTP status, timeout) after retries
    └── ResponseError      the endpoint answered, but the answer could not be used
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "BudgetError",
    "ConfigError",
    "EndpointError",
    "EngineError",
    "PromptError",
    "ResponseError",
    "SourceError",
    "TokenizerError",
    "ToolkitError",
]


class ToolkitError(Exception):
    """Base class of every error the toolkit raises on purpose."""


class SourceError(ToolkitError):
    """An input could not be turned into an article. `path` names it; the message says what to do."""

    def __init__(self, path: str | Path, problem: str, fix: str = "") -> None:
        self.path = str(path)
        self.problem = problem
        self.fix = fix
        message = f"{self.path}: {problem}"
        if fix:
            message += f" ({fix})"
        super().__init__(message)


class ConfigError(ToolkitError):
    """Configuration is missing or contradictory."""


class TokenizerError(ToolkitError):
    """The tokenizer's BPE data could not be loaded offline."""


class PromptError(ToolkitError):
    """A prompt template is missing or could not be rendered."""


class BudgetError(ToolkitError):
    """A plan does not fit the budget (cost or context window)."""


class EngineError(ToolkitError):
    """The summarising engine failed."""


class EndpointError(EngineError):
    """The LLM endpoint failed after all retries."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        self.status = status
        super().__init__(message)


class ResponseError(EngineError):
    """The endpoint answered, but the answer could not be used."""
