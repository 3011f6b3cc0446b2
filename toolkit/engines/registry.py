"""Engines by name: `brief summarize --engine NAME` and `summarize(..., engine="NAME")`.

An engine is registered as an entry point in the group `brief.engines` whose value is a factory:
a callable taking `EngineOptions` and returning an `Engine`. A third-party package plugs one in
without editing the toolkit (as simonw/llm's plugins register models):

    # the plugin's pyproject.toml
    [project.entry-points."brief.engines"]
    mine = "my_package.engine:make_engine"      # def make_engine(options: EngineOptions) -> Engine

The built-in engines are registered the same way (this package's pyproject.toml); `BUILTIN` is the
same table, used when the installed distribution's metadata is absent (a source checkout). A plugin
cannot take a built-in's name.
"""

from __future__ import annotations

import importlib
import importlib.metadata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..chat.model_facts import ModelInfo, model_info
from ..errors import ConfigError, EngineError
from .base import Engine

__all__ = ["BUILTIN", "GROUP", "EngineFactory", "EngineOptions", "engine_names", "load_factory", "make"]

GROUP = "brief.engines"
DEFAULT_CITE = "local"  # who finds each sentence's passages when `--cite` is not given


@dataclass(frozen=True)
class EngineOptions:
    """What the command line and `summarize()` know; each factory takes what it needs."""

    model: str | None = None  # model name (LLM engines); OPENAI_MODEL when None
    max_cost: float | None = None  # USD ceiling for a run (LLM engines)
    context: int | None = None  # context window override, tokens
    gguf: Path | None = None  # model file (local engine)
    progress: bool = False  # show a progress bar
    price_in: float | None = None  # USD per million input tokens, over the model's known price
    price_out: float | None = None  # USD per million output tokens
    reasoning_effort: str | None = None  # minimal|low|medium|high, sent to reasoning models
    cite: str | None = None  # "model" | "local" (LLM engines): who finds each sentence's passages


EngineFactory = Callable[[EngineOptions], Engine]

BUILTIN: dict[str, str] = {
    "extractive": "toolkit.engines.registry:extractive_engine",
    "openai": "toolkit.engines.registry:openai_engine",
    "local": "toolkit.engines.registry:local_engine",
}


def _entry_points() -> dict[str, importlib.metadata.EntryPoint]:
    found: dict[str, importlib.metadata.EntryPoint] = {}
    for ep in importlib.metadata.entry_points(group=GROUP):
        found.setdefault(ep.name, ep)
    return found


def engine_names() -> list[str]:
    """Built-in engines first, then the installed plugins' (sorted)."""
    return [*BUILTIN, *sorted(set(_entry_points()) - set(BUILTIN))]


def load_factory(name: str) -> EngineFactory:
    """The factory registered as `name`. Raises ConfigError (unknown name) or EngineError (a plugin
    that cannot be imported)."""
    if name in BUILTIN:
        module, _, attr = BUILTIN[name].partition(":")
        factory: EngineFactory = getattr(importlib.import_module(module), attr)
        return factory
    ep = _entry_points().get(name)
    if ep is None:
        raise ConfigError(f"unknown engine {name!r}; choose one of {', '.join(engine_names())}")
    try:
        loaded: EngineFactory = ep.load()
    except Exception as e:  # a broken plugin: say which, and what it said
        raise EngineError(f"engine {name!r} ({ep.value}) could not be loaded: {e}") from e
    return loaded


def make(name: str, options: EngineOptions | None = None) -> Engine:
    """The engine `name`, built by its factory with `options`."""
    engine = load_factory(name)(options or EngineOptions())
    if not isinstance(engine, Engine):
        raise EngineError(
            f"engine {name!r} returned {type(engine).__name__}, not an Engine (a `name` and a `summarize`)"
        )
    return engine


# --- the built-in engines ---------------------------------------------------------------------------
def extractive_engine(options: EngineOptions) -> Engine:
    """The offline extractive engine (sentences quoted from the sources)."""
    from .extractive import ExtractiveEngine

    return ExtractiveEngine()


def openai_engine(options: EngineOptions) -> Engine:
    """The LLM engine on the OpenAI-compatible endpoint of OPENAI_API_KEY / OPENAI_BASE_URL."""
    from ..chat.cache import ResponseCache
    from ..chat.endpoint import EndpointConfig, announce
    from ..chat.llm import chat_factory_set, make_chat
    from .llm_engine import OpenAIEngine

    config = EndpointConfig.from_env(model=options.model)
    if not config.is_configured():
        raise ConfigError(
            "engine 'openai' needs an endpoint: set OPENAI_API_KEY (OpenAI) or OPENAI_BASE_URL "
            "(Azure, Ollama, vLLM, llama.cpp, LM Studio), or use --engine extractive"
        )
    announce(config, in_process=chat_factory_set())
    chat = make_chat(config, cache=ResponseCache())
    info = model_info_for(
        config.model, options.context, options.price_in, options.price_out, options.reasoning_effort
    )
    return OpenAIEngine(
        chat,
        config.model,
        max_cost=options.max_cost,
        info=info,
        progress=options.progress,
        cite=options.cite or DEFAULT_CITE,
    )


def local_engine(options: EngineOptions) -> Engine:
    """The LLM engine on a llama.cpp server started on 127.0.0.1 with a GGUF file."""
    from .local import LocalEngine

    return LocalEngine(
        gguf=options.gguf,
        context=options.context,
        progress=options.progress,
        cite=options.cite or DEFAULT_CITE,
    )


def model_info_for(
    model: str,
    context: int | None,
    price_in: float | None = None,
    price_out: float | None = None,
    reasoning_effort: str | None = None,
) -> ModelInfo:
    """The model's facts (`toolkit.chat.model_facts`) with what the user gave (`--context`,
    `--price-in/--price-out` in USD per million tokens, `--reasoning-effort`) on top."""

    return model_info(
        model,
        context=context,
        usd_per_m_input=price_in,
        usd_per_m_output=price_out,
        reasoning_effort=reasoning_effort,
    )
