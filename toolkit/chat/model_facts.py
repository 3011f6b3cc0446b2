"""What we know about a chat model before calling it: context window, list prices, which request
parameters it takes, whether it reasons before answering, and which tokenizer counts its prompts.

    model_info("ft:gpt-4o-mini-2024-07-18:acme::abc123")   # -> ModelInfo(context=128000, 0.3, 1.2, ...)
    model_info("llama3.1:8b")                               # an Ollama tag: context 131072, no price
    model_info("my-azure-deployment", context=32_000, usd_per_m_input=0.5, usd_per_m_output=1.5)

Source: the `genai-prices` package (pydantic's maintained price and context data for 40+ providers, the
data shipped inside its wheel, so lookups work offline; see the README for why this one and not LiteLLM's
model map or models.dev). Names are normalised first, as people write them: `ft:` fine-tunes with their
`:org::id` suffix (price of the fine-tune, context of the base), dated snapshots (`gpt-4o-2024-08-06`),
dotted versions (`gpt-5.1`; one newer than the data takes its family's context and an unknown price),
provider prefixes (`openai/`, `azure/`, `openrouter/`), Hugging Face ids (`meta-llama/Llama-3.1-8B`)
and Ollama tags (`llama3.1:8b-instruct-q4_K_M`). What the data does not say (parameter support) follows
OpenAI's documented rules for its reasoning models (o1/o3/o4 and the gpt-5 family, `-chat` variants
excepted): `max_completion_tokens` instead of `max_tokens`, no sampling parameters, `reasoning_effort`.
Anything a server rejects at run time is learned by `toolkit.chat.llm.OpenAIChat` on top of these facts.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import datetime
from functools import lru_cache
from typing import Any

from ..errors import BudgetError, ConfigError
from ..models import _Value
from ..text.tokens import base_name, tokenizer_for

__all__ = [
    "DEFAULT_CONTEXT",
    "EFFORTS",
    "OLLAMA_DEFAULT_CONTEXT",
    "ModelInfo",
    "base_name",
    "candidate_names",
    "estimate_cost",
    "model_info",
    "reasoning_reserve",
    "tokenizer_for",
    "unknown_price_error",
]

log = logging.getLogger(__name__)

DEFAULT_CONTEXT = 8_192
# What Ollama gives a model unless OLLAMA_CONTEXT_LENGTH or a Modelfile's `num_ctx` says more; its
# OpenAI-compatible API has no way to ask for more per request, so an Ollama tag is planned for this.
OLLAMA_DEFAULT_CONTEXT = 4_096
EFFORTS = ("minimal", "low", "medium", "high")
# Output tokens to leave for hidden reasoning, per effort (OpenAI advises reserving ~25k for hard
# problems; merging news needs far less). A retry after an empty, cut-off answer gets four times this.
_RESERVE = {"minimal": 1_024, "low": 2_048, "medium": 4_096, "high": 8_192}


class ModelInfo(_Value):
    """Facts about one model. Prices in USD per million tokens; `None` is unknown, never 0."""

    context: int
    usd_per_m_input: float | None = None
    usd_per_m_output: float | None = None
    name: str = ""  # the name the facts were found under ("" when nothing was found)
    source: str = "default"  # genai-prices <version> | user | default
    reasoning: bool = False  # thinks before answering: its reasoning tokens use up the output budget
    token_param: str = "max_tokens"  # or "max_completion_tokens" (OpenAI reasoning models)
    sampling: bool = True  # False: rejects temperature/top_p other than the default
    effort_param: bool = False  # takes `reasoning_effort`
    reasoning_effort: str | None = None  # the effort a run asks for (carried here so plan and calls agree)
    tokenizer: str = "o200k_base"
    local: bool = False  # a model people run themselves (Ollama tag, GGUF): no API price

    @property
    def priced(self) -> bool:
        return self.usd_per_m_input is not None and self.usd_per_m_output is not None


def estimate_cost(info: ModelInfo, prompt_tokens: int, completion_tokens: int) -> float | None:
    """USD for the given tokens at `info`'s list prices; None when a price is unknown."""
    if info.usd_per_m_input is None or info.usd_per_m_output is None:
        return None
    return (prompt_tokens * info.usd_per_m_input + completion_tokens * info.usd_per_m_output) / 1e6


def reasoning_reserve(info: ModelInfo) -> int:
    """Output tokens to add to an answer's budget for hidden reasoning (0 for models that do not reason)."""
    if not info.reasoning:
        return 0
    return _RESERVE.get(info.reasoning_effort or "medium", _RESERVE["medium"])


def unknown_price_error(model: str, max_cost: float) -> BudgetError:
    return BudgetError(
        f"--max-cost {max_cost:g} was given but the price of {model!r} is unknown: give it with "
        "--price-in and --price-out (USD per million input/output tokens; in Python, "
        "price_in=/price_out=), or drop --max-cost (a local or self-hosted model costs no API money)"
    )


# --- names ------------------------------------------------------------------------------------------
_PROVIDER_PREFIXES = (
    "openai", "azure", "azure_ai", "openrouter", "ollama", "ollama_chat", "vllm", "hosted_vllm", "lm_studio",
    "lmstudio", "together_ai", "groq", "deepseek", "fireworks_ai", "local",
)  # fmt: skip
_DATE_SUFFIX = re.compile(r"-(\d{4}-\d{2}-\d{2}|\d{8}|\d{4})$")
_QUANT = re.compile(r"[-_](q\d[\w]*|fp16|f16|bf16|int[48]|gguf|awq|gptq|mlx)$", re.IGNORECASE)
_OLLAMA = re.compile(r"^(?P<family>[a-z][a-z\-]*?)(?P<version>\d+(?:\.\d+)?)?(?::(?P<tag>.+))?$")


def candidate_names(model: str) -> list[str]:
    """The names to look `model` up under, most specific first (all lower case)."""
    name = model.strip().lower()
    out: list[str] = []

    def add(n: str) -> None:
        n = n.strip("/:- ")
        if n and n not in out:
            out.append(n)

    if name.startswith("ft:"):  # ft:gpt-4o-mini-2024-07-18:org:suffix:id -> the fine-tune, then its base
        base = name[3:].split(":", 1)[0]
        add("ft:" + base)
        add("ft:" + _DATE_SUFFIX.sub("", base))
        name = base
    add(name)
    for prefix in _PROVIDER_PREFIXES:
        if name.startswith(prefix + "/"):
            name = name[len(prefix) + 1 :]
            add(name)
    if "/" in name:  # a Hugging Face id or an unknown gateway's prefix
        add(name.rsplit("/", 1)[-1])
        name = name.rsplit("/", 1)[-1]
    if ":" in name:  # an Ollama tag: llama3.1:8b-instruct-q4_K_M
        m = _OLLAMA.match(name)
        family, tag = name.split(":", 1)
        tag = _QUANT.sub("", tag)
        if m and m.group("version"):
            dashed = f"{m.group('family').rstrip('-')}-{m.group('version')}"
            add(f"{dashed}-{tag}")
            add(f"{dashed}-{tag}-instruct" if "instruct" not in tag else "")
            add(dashed)
        add(f"{family}-{tag}")
        add(family)
        name = family
    stripped = _QUANT.sub("", name)
    add(stripped)
    undated = _DATE_SUFFIX.sub("", stripped)
    add(undated)
    dotted = re.match(r"^(.*?\d+)\.\d+(.*)$", undated)  # gpt-5.7-mini -> gpt-5-mini (the family)
    if dotted:
        add(dotted.group(1) + dotted.group(2))
    return out


def _family(names: list[str]) -> str | None:
    """The family name a dotted version falls back to (the last candidate), if any."""
    for n in names:
        m = re.match(r"^(.*?\d+)\.\d+(.*)$", n)
        if m and not n.startswith("ft:"):
            return m.group(1) + m.group(2)
    return None


def _is_openai_reasoning(base: str) -> bool:
    return bool(re.match(r"^o\d+(-|$)", base)) or (base.startswith("gpt-5") and "chat" not in base)


def _thinks(base: str) -> bool:
    return _is_openai_reasoning(base) or bool(
        re.search(r"(deepseek-r1|deepseek-reasoner|qwq|-thinking|magistral|gpt-oss)", base)
    )


# --- the data ---------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _snapshot() -> tuple[str, list[Any]] | None:
    try:
        from importlib.metadata import version

        from genai_prices.data import providers
    except ImportError:  # pragma: no cover - a dependency; the table below still answers
        log.warning("genai-prices is not installed: model facts fall back to the defaults")
        return None
    return f"genai-prices {version('genai-prices')}", list(providers)


def _order(providers: list[Any]) -> Iterator[Any]:
    """OpenAI first (the names people pass most), then every other provider in the data."""
    yield from (p for p in providers if p.id == "openai")
    yield from (p for p in providers if p.id != "openai")


def _price(value: Any) -> float | None:
    if value is None:
        return None
    base = getattr(value, "base", value)  # tiered prices: the first tier
    try:
        return float(base)
    except (TypeError, ValueError):
        return None


@lru_cache(maxsize=256)
def _lookup(name: str) -> tuple[str, int | None, float | None, float | None] | None:
    snap = _snapshot()
    if snap is None:
        return None
    for provider in _order(snap[1]):
        for model in provider.models:
            if model.is_match(name):
                prices = model.get_prices(datetime.now())
                return model.id, model.context_window, _price(prices.input_mtok), _price(prices.output_mtok)
    return None


def model_info(
    model: str,
    *,
    context: int | None = None,
    usd_per_m_input: float | None = None,
    usd_per_m_output: float | None = None,
    reasoning_effort: str | None = None,
) -> ModelInfo:
    """Facts about `model` from the shipped data, with the given values taking precedence.

    Unknown models get an 8,192-token context and no price (`None`): pass `context` (`--context`)
    and prices (`--price-in/--price-out`) for them. Raises `ConfigError` for a bad effort or value."""
    if reasoning_effort is not None and reasoning_effort not in EFFORTS:
        raise ConfigError(f"unknown reasoning effort {reasoning_effort!r}; use one of {', '.join(EFFORTS)}")
    for what, value in (("context", context), ("price", usd_per_m_input), ("price", usd_per_m_output)):
        if (value is not None and value < 0) or (what == "context" and value is not None and value < 256):
            raise ConfigError(f"{what} {value} is not usable: give a positive number (context >= 256 tokens)")
    base = base_name(model)
    names = candidate_names(model)
    family = _family(names)
    snap = _snapshot()
    found_name, found_context, price_in, price_out = "", None, None, None
    for n in names:
        hit = _lookup(n)
        if hit is None:
            continue
        if not found_name:
            found_name, price_in, price_out = hit[0], hit[2], hit[3]
            if n == family:  # gpt-5.9 found only as gpt-5: its context, but a price we do not know
                price_in = price_out = None
        if found_context is None and hit[1] is not None:
            found_context = hit[1]
        if found_context is not None:
            break
    source = snap[0] if found_name and snap else "default"
    local = (":" in model and not model.lower().startswith("ft:")) or model.lower().endswith(".gguf")
    if local:  # a model run at home: Ollama serves OLLAMA_DEFAULT_CONTEXT unless told more; no API price
        price_in = price_out = None
        found_context = OLLAMA_DEFAULT_CONTEXT if ":" in model else found_context
    reasoning_api = _is_openai_reasoning(base)
    user = any(v is not None for v in (context, usd_per_m_input, usd_per_m_output))
    return ModelInfo(
        context=context or found_context or DEFAULT_CONTEXT,
        usd_per_m_input=usd_per_m_input if usd_per_m_input is not None else price_in,
        usd_per_m_output=usd_per_m_output if usd_per_m_output is not None else price_out,
        name=found_name,
        source="user" if user and not found_name else (source + (" + user" if user else "")),
        reasoning=_thinks(base),
        token_param="max_completion_tokens" if reasoning_api else "max_tokens",
        sampling=not reasoning_api,
        effort_param=reasoning_api,
        reasoning_effort=reasoning_effort,
        tokenizer=tokenizer_for(model),
        local=local,
    )
