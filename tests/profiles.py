"""Behaviour profiles of the OpenAI-compatible servers people use, for `FakeServer(profile=...)`.

Each profile imitates what one family does with the requests we send, as documented or reported:
which parameters it rejects (HTTP 400 naming the parameter, as OpenAI does), which structured-output
modes it honours, what usage it reports, whether it silently cuts a prompt to its context (Ollama's
default) or refuses it (vLLM), whether it thinks aloud in `<think>` blocks (DeepSeek-R1 style) or
spends hidden reasoning tokens from the output budget (OpenAI's reasoning models), and Azure's
deployment URLs with `api-version`. Token counts are characters / 4.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

import scripted_model

__all__ = ["PROFILES", "Profile", "respond"]


@dataclass(frozen=True)
class Profile:
    name: str
    model: str  # the name a user passes as --model (an Azure deployment name for Azure)
    needs: str = ""  # what the family needs from the user, for the README's matrix
    args: tuple[str, ...] = ()  # extra CLI options the matrix run passes
    rejects_max_tokens: bool = False  # 400: use max_completion_tokens
    sampling_fixed: bool = False  # 400 on any temperature but 1
    json_schema: str = "honour"  # honour | reject | ignore
    json_object: str = "honour"  # honour | reject | ignore
    usage: str = "full"  # full | null | missing
    truncate_to: int | None = None  # silently keep only the last N tokens of the prompt
    max_model_len: int | None = None  # 400 when prompt + max_tokens exceed it (vLLM)
    think: bool = False  # answer starts with a <think>...</think> block
    hidden_reasoning: int = 0  # reasoning tokens spent from the output budget before any answer
    azure: bool = False  # /openai/deployments/{model}/chat/completions?api-version=... only
    rejects: tuple[str, ...] = ()  # further parameters answered with 400 naming them
    expect_error: str | None = None  # a matrix run ends in a one-line error containing this
    extra: dict[str, Any] = field(default_factory=dict)


PROFILES: tuple[Profile, ...] = (
    Profile("OpenAI chat model", "gpt-4o-mini", "OPENAI_API_KEY"),
    Profile(
        "OpenAI reasoning model", "o3-mini",
        "nothing: max_completion_tokens, no temperature, room to think (known from the model's name)",
        rejects_max_tokens=True, sampling_fixed=True, hidden_reasoning=1500,
    ),
    Profile(
        "OpenAI reasoning model, unknown name", "my-reasoner",
        "nothing: rejected max_tokens and temperature are learned from the 400s",
        rejects_max_tokens=True, sampling_fixed=True, hidden_reasoning=200,
    ),
    Profile(
        "Reasoning model that spends its budget thinking", "gpt-5-mini",
        "the error says: --reasoning-effort low", hidden_reasoning=10**6,
        expect_error="--reasoning-effort low",
    ),
    Profile(
        "Azure OpenAI", "my-gpt4o-deployment",
        "OPENAI_BASE_URL=https://<resource>.openai.azure.com, OPENAI_API_VERSION, model = deployment "
        "name; --context/--price-in/--price-out for a deployment name the facts do not know",
        azure=True, args=("--context", "128000"),
    ),
    Profile(
        "Ollama", "llama3.1:8b",
        "OPENAI_BASE_URL=http://127.0.0.1:11434/v1; planned for Ollama's 4,096-token default "
        "(raise OLLAMA_CONTEXT_LENGTH and pass --context to use more)",
        truncate_to=4096, json_schema="honour",
    ),
    Profile(
        "Ollama, context cut silently", "llama3.1:8b",
        "a warning naming OLLAMA_CONTEXT_LENGTH / num_ctx when --context claims more than it serves",
        truncate_to=2048, args=("--context", "32768"),
    ),
    Profile(
        "vLLM", "meta-llama/Llama-3.1-8B-Instruct",
        "OPENAI_BASE_URL=http://127.0.0.1:8000/v1; --context = its --max-model-len",
        max_model_len=16384, args=("--context", "16384"),
    ),
    Profile(
        "vLLM, prompt over --max-model-len", "meta-llama/Llama-3.1-8B-Instruct",
        "the error says: pass --context", max_model_len=1024, expect_error="--context",
    ),
    Profile(
        "llama.cpp server", "SmolLM2-135M-Instruct",
        "OPENAI_BASE_URL=http://127.0.0.1:8080/v1; --context = its --ctx-size",
        json_schema="ignore", args=("--context", "8192"),
    ),
    Profile(
        "LM Studio", "qwen2.5-7b-instruct",
        "OPENAI_BASE_URL=http://127.0.0.1:1234/v1 (json_object is rejected: json_schema is used)",
        json_object="reject", args=("--context", "32768"),
    ),
    Profile(
        "DeepSeek-R1-style <think> model", "deepseek-r1:7b",
        "nothing: <think> blocks are removed before parsing", think=True, args=("--context", "32768"),
        json_schema="ignore", json_object="ignore",
    ),
    Profile(
        "Server with null usage", "gpt-4o-mini", "nothing: cost reported as unknown, with a note",
        usage="null",
    ),
    Profile(
        "Server with no usage field", "gpt-4o-mini", "nothing: cost reported as unknown, with a note",
        usage="missing", rejects=("seed",),
    ),
)  # fmt: skip


def _tokens(text: str) -> int:
    return max(1, len(text) // 4)


def _error(status: int, message: str, param: str | None = None) -> tuple[int, dict[str, Any]]:
    return status, {
        "error": {"message": message, "type": "invalid_request_error", "param": param, "code": None}
    }


def respond(profile: Profile, path: str, query: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """The (status, JSON body) the profiled server answers to a chat request."""
    if profile.azure:
        m = re.search(r"/openai/deployments/([^/]+)/chat/completions$", path)
        if m is None or "api-version=" not in query:
            return _error(404, "Resource not found")
    elif not path.endswith("/chat/completions"):
        return _error(404, f"no route {path}")
    if profile.rejects_max_tokens and "max_tokens" in body:
        return _error(
            400,
            "Unsupported parameter: 'max_tokens' is not supported with this model. "
            "Use 'max_completion_tokens' instead.",
            "max_tokens",
        )
    if profile.sampling_fixed and body.get("temperature", 1) != 1:
        return _error(
            400,
            f"Unsupported value: 'temperature' does not support {body['temperature']} with this model. "
            "Only the default (1) value is supported.",
            "temperature",
        )
    for param in profile.rejects:
        if param in body:
            return _error(400, f"Unrecognized request argument supplied: {param}", param)
    fmt = body.get("response_format")
    kind = fmt.get("type") if isinstance(fmt, dict) else None
    mode = {"json_schema": profile.json_schema, "json_object": profile.json_object}.get(kind or "", "none")
    if mode == "reject":
        return _error(
            400, f"'response_format.type' must be 'json_schema' or 'text', got {kind!r}", "response_format"
        )
    messages = [m for m in body.get("messages", []) if isinstance(m, dict)]
    prompt = "\n".join(str(m.get("content") or "") for m in messages)
    prompt_tokens = _tokens(prompt)
    budget = body.get("max_completion_tokens") or body.get("max_tokens") or 4096
    if profile.max_model_len is not None and prompt_tokens + budget > profile.max_model_len:
        return _error(
            400,
            f"This model's maximum context length is {profile.max_model_len} tokens. However, you "
            f"requested {prompt_tokens + budget} tokens ({prompt_tokens} in the messages, {budget} in the "
            "completion). Please reduce the length of the messages or completion.",
        )
    seen = body
    if profile.truncate_to is not None and prompt_tokens > profile.truncate_to:
        keep = profile.truncate_to * 4  # the server keeps the end of the prompt
        user = str(messages[-1].get("content") or "")
        seen = {**body, "messages": [{"role": "user", "content": user[-keep:]}]}
        prompt_tokens = profile.truncate_to
    text = scripted_model.prose(seen) if mode == "ignore" else scripted_model.answer(seen)
    reasoning = 0
    finish = "stop"
    if profile.hidden_reasoning:
        reasoning = min(budget, profile.hidden_reasoning)
        if budget <= profile.hidden_reasoning:
            text, finish = "", "length"
    if profile.think and text:
        text = "<think>\nThe user wants a merged summary. Let me read each source.\n</think>\n\n" + text
    completion = reasoning + (_tokens(text) if text else 0)
    out: dict[str, Any] = {
        "id": f"chatcmpl-{uuid.uuid4().hex[:12]}",
        "object": "chat.completion",
        "created": 0,
        "model": str(body.get("model") or profile.model),
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": finish,
                "logprobs": None,
            }
        ],
    }
    if profile.usage == "full":
        out["usage"] = {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion,
            "total_tokens": prompt_tokens + completion,
            "completion_tokens_details": {"reasoning_tokens": reasoning},
        }
    elif profile.usage == "null":
        out["usage"] = None
    return 200, json.loads(json.dumps(out))
