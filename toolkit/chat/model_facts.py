"""What we know about a model: context window and list prices (USD per million tokens).

Facts live with the models, not with the planner: the planner, the engines, the Batch API client
and the local server all read them from here.
"""

from __future__ import annotations

from ..models import _Value

__all__ = ["DEFAULT_CONTEXT", "MODELS", "ModelInfo", "estimate_cost", "model_info"]


class ModelInfo(_Value):
    context: int
    usd_per_m_input: float | None = None
    usd_per_m_output: float | None = None


# Context windows and list prices (USD per million tokens) of models people use; prices change, so
# `make_plan(..., info=ModelInfo(...))` or `--context` override them. Unknown models: 8,192 tokens,
# no price (a local or self-hosted model costs no API money).
MODELS: dict[str, ModelInfo] = {
    "gpt-5": ModelInfo(context=400_000, usd_per_m_input=1.25, usd_per_m_output=10.0),
    "gpt-5-mini": ModelInfo(context=400_000, usd_per_m_input=0.25, usd_per_m_output=2.0),
    "gpt-5-nano": ModelInfo(context=400_000, usd_per_m_input=0.05, usd_per_m_output=0.40),
    "gpt-4.1": ModelInfo(context=1_047_576, usd_per_m_input=2.0, usd_per_m_output=8.0),
    "gpt-4.1-mini": ModelInfo(context=1_047_576, usd_per_m_input=0.40, usd_per_m_output=1.60),
    "gpt-4.1-nano": ModelInfo(context=1_047_576, usd_per_m_input=0.10, usd_per_m_output=0.40),
    "gpt-4o": ModelInfo(context=128_000, usd_per_m_input=2.50, usd_per_m_output=10.0),
    "gpt-4o-mini": ModelInfo(context=128_000, usd_per_m_input=0.15, usd_per_m_output=0.60),
    "o3-mini": ModelInfo(context=200_000, usd_per_m_input=1.10, usd_per_m_output=4.40),
    "o4-mini": ModelInfo(context=200_000, usd_per_m_input=1.10, usd_per_m_output=4.40),
    "gpt-4-turbo": ModelInfo(context=128_000, usd_per_m_input=10.0, usd_per_m_output=30.0),
    "gpt-4": ModelInfo(context=8_192, usd_per_m_input=30.0, usd_per_m_output=60.0),
    "gpt-3.5-turbo": ModelInfo(context=16_385, usd_per_m_input=0.50, usd_per_m_output=1.50),
}
DEFAULT_CONTEXT = 8_192


def model_info(model: str) -> ModelInfo:
    """Known facts about `model` (longest matching name, so dated snapshots match their family)."""
    name = model.lower().rsplit("/", 1)[-1]
    for known in sorted(MODELS, key=len, reverse=True):
        if name == known or name.startswith(known + "-"):
            return MODELS[known]
    return ModelInfo(context=DEFAULT_CONTEXT)


def estimate_cost(info: ModelInfo, prompt_tokens: int, completion_tokens: int) -> float | None:
    if info.usd_per_m_input is None or info.usd_per_m_output is None:
        return None
    return (prompt_tokens * info.usd_per_m_input + completion_tokens * info.usd_per_m_output) / 1e6
