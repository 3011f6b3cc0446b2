"""Model facts from the shipped genai-prices data, names normalised as people write them."""

from __future__ import annotations

import pytest
from paths import EXAMPLES

from toolkit.chat.model_facts import DEFAULT_CONTEXT, OLLAMA_DEFAULT_CONTEXT, model_info, reasoning_reserve
from toolkit.errors import BudgetError, ConfigError
from toolkit.pipeline import plan
from toolkit.text.tokens import encoding_for_model


@pytest.mark.parametrize(
    ("name", "context", "price_in"),
    [
        ("gpt-5.1", 400_000, 1.25),  # dotted version
        ("gpt-4o-mini-2024-07-18", 128_000, 0.15),  # dated snapshot
        ("openai/gpt-4o-mini", 128_000, 0.15),  # provider prefix
        ("azure/gpt-4o", 128_000, 2.5),
        ("ft:gpt-4o-mini-2024-07-18:acme::abc123", 128_000, 0.3),  # the fine-tune's price, the base's context
        ("o3-mini", 200_000, 1.1),
        ("GPT-4O", 128_000, 2.5),
    ],
)
def test_names_people_use_find_their_facts(name: str, context: int, price_in: float) -> None:
    info = model_info(name)
    assert (
        info.context == context
        and info.usd_per_m_input == price_in
        and info.source.startswith("genai-prices")
    )


def test_a_newer_dotted_version_takes_its_family_context_but_no_price() -> None:
    info = model_info("gpt-5.99-mini")
    assert info.context == model_info("gpt-5-mini").context and info.usd_per_m_input is None


def test_ollama_tags_are_local_planned_for_ollamas_default_context() -> None:
    info = model_info("llama3.1:8b-instruct-q4_K_M")
    assert info.local and info.context == OLLAMA_DEFAULT_CONTEXT and info.usd_per_m_input is None
    assert model_info("deepseek-r1:7b").reasoning  # thinks aloud: room in the budget


@pytest.mark.parametrize(
    "name", ["o1", "o3-mini", "o4-mini-2025-04-16", "gpt-5", "gpt-5-mini", "openai/gpt-5.1"]
)
def test_reasoning_models_take_max_completion_tokens_and_no_temperature(name: str) -> None:
    info = model_info(name)
    assert info.token_param == "max_completion_tokens" and not info.sampling and info.effort_param
    assert reasoning_reserve(info) > 0


@pytest.mark.parametrize("name", ["gpt-4o", "gpt-4.1-mini", "gpt-5-chat-latest", "llama3.1:8b"])
def test_chat_models_keep_max_tokens_and_temperature(name: str) -> None:
    info = model_info(name)
    assert info.token_param == "max_tokens" and info.sampling and not info.effort_param


def test_unknown_model_defaults_and_user_values_win() -> None:
    assert model_info("my-deployment").context == DEFAULT_CONTEXT
    info = model_info("my-deployment", context=32_000, usd_per_m_input=0.5, usd_per_m_output=1.5)
    assert (info.context, info.usd_per_m_input, info.usd_per_m_output, info.source) == (
        32_000,
        0.5,
        1.5,
        "user",
    )
    assert model_info("gpt-4o", usd_per_m_input=1.0).usd_per_m_input == 1.0
    with pytest.raises(ConfigError):
        model_info("gpt-4o", reasoning_effort="extreme")


def test_tokenizer_follows_the_same_normalised_name() -> None:
    assert encoding_for_model("ft:gpt-3.5-turbo-0125:org::x") == "cl100k_base"
    assert encoding_for_model("azure/gpt-4-0613") == "cl100k_base"
    assert encoding_for_model("openai/gpt-5.1") == "o200k_base"


def test_max_cost_with_unknown_price_says_so_and_how_to_give_one() -> None:
    with pytest.raises(
        BudgetError, match=r"price of 'my-deployment' is unknown: give it with --price-in and --price-out"
    ):
        plan(EXAMPLES, model="my-deployment", words=100, max_cost=0.01)
    priced = plan(EXAMPLES, model="my-deployment", words=100, max_cost=1.0, price_in=0.5, price_out=1.5)
    assert priced.cost_usd is not None and 0 < priced.cost_usd < 1.0


def test_the_plan_leaves_room_for_reasoning() -> None:
    chat = plan(EXAMPLES, model="gpt-4.1", words=100)
    thinking = plan(EXAMPLES, model="gpt-5", words=100)
    assert thinking.answer_tokens == chat.answer_tokens + reasoning_reserve(model_info("gpt-5"))
    low = plan(EXAMPLES, model="gpt-5", words=100, reasoning_effort="low")
    assert low.answer_tokens < thinking.answer_tokens
