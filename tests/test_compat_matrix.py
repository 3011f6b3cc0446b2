"""The compatibility matrix: `brief summarize` end to end against each server family's behaviour
profile (tests/profiles.py), through the real openai SDK over HTTP on 127.0.0.1.

Every profile ends in a briefing whose citations all resolve to passages of the inputs, or in a
one-line error with a non-zero exit that names the fix. A re-run after a failure repeats no call that
was answered and replays no empty answer.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fakeserver import FakeServer
from paths import EXAMPLES
from profiles import PROFILES, Profile
from typer.testing import CliRunner

from toolkit.cli.app import app

ARTICLES = EXAMPLES


def run_brief(server: FakeServer, profile: Profile, out: Path, *extra: str) -> tuple[int, str, str]:
    env = {"OPENAI_API_KEY": "sk-test-matrix-key", "OPENAI_MODEL": profile.model}
    if profile.azure:
        env |= {"OPENAI_BASE_URL": f"http://127.0.0.1:{server.port}", "OPENAI_API_VERSION": "2024-10-21"}
    else:
        env["OPENAI_BASE_URL"] = server.base_url
    args = ["summarize", str(ARTICLES), "--model", profile.model, "--words", "120", "--json", str(out)]
    result = CliRunner().invoke(app, [*args, *profile.args, *extra], env=env)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("cite", ["local", "model"])
@pytest.mark.parametrize("profile", PROFILES, ids=[p.name for p in PROFILES])
def test_every_family_gives_a_cited_briefing_or_a_one_line_error(
    profile: Profile, cite: str, tmp_path: Path
) -> None:
    out = tmp_path / "out.json"
    with FakeServer(profile=profile) as server:
        code, _, err = run_brief(server, profile, out, "--cite", cite)
        chat = [r for r in server.requests if r.method == "POST"]
    if profile.expect_error is not None:
        lines = [x for x in err.splitlines() if x.startswith("brief: error:")]
        assert code != 0 and len(lines) == 1 and profile.expect_error in lines[0], err
        assert not out.exists()
        return
    assert code == 0, err
    data = json.loads(out.read_text(encoding="utf-8"))
    ids = {p["id"] for s in data["sources"] for p in s["passages"]}
    assert data["sentences"], data["notes"]
    for s in data["sentences"]:
        assert s["citations"] and set(s["citations"]) <= ids, s
    formats = {b.get("response_format", {}).get("type") for r in chat if isinstance(b := r.body, dict)}
    if cite == "local":  # a plain answer: no structured output asked for, whatever the family accepts
        assert formats == {None}, formats
    usage = data["usage"]
    if profile.usage != "full":
        assert usage["cost_usd"] is None and usage["unreported_calls"] == usage["calls"] > 0
        assert any("cost unknown" in n for n in data["notes"])
    if profile.truncate_to is not None and "--context" in profile.args:
        assert any("OLLAMA_CONTEXT_LENGTH" in n for n in data["notes"]), data["notes"]
        assert "OLLAMA_CONTEXT_LENGTH" in err  # said on the command line too
    else:
        assert not any(n.startswith("warning:") for n in data["notes"]), data["notes"]
    bodies = [r.body for r in chat if isinstance(r.body, dict)]
    if profile.rejects_max_tokens:
        assert all("max_tokens" not in b for b in bodies[2:])  # learned (or known) after at most two 400s
    if profile.azure:
        assert all("/openai/deployments/my-gpt4o-deployment/" in r.path for r in chat)


def test_reasoning_model_known_by_name_sends_no_rejected_parameter(tmp_path: Path) -> None:
    profile = next(p for p in PROFILES if p.model == "o3-mini")
    with FakeServer(profile=profile) as server:
        code, _, err = run_brief(server, profile, tmp_path / "out.json", "--reasoning-effort", "low")
        bodies = [r.body for r in server.chat_requests]
    assert code == 0, err
    for b in bodies:
        assert "max_tokens" not in b and "temperature" not in b and b["reasoning_effort"] == "low"
        assert b["max_completion_tokens"] > 1500  # room to think and to answer


def test_rerun_after_budget_failure_replays_no_empty_answer(tmp_path: Path) -> None:
    eaten = next(p for p in PROFILES if p.expect_error == "--reasoning-effort low")
    healthy = Profile("thinks less", "gpt-5-mini", hidden_reasoning=100)
    cache = Path(tmp_path / "brief-cache")
    with FakeServer(profile=eaten) as server:  # one server (one URL) for every run, as in real use
        code, _, _ = run_brief(server, eaten, tmp_path / "a.json")
        assert code != 0 and len(server.chat_requests) == 2  # the call, then with four times the budget
        assert not list(cache.glob("??/*.json")), "an empty answer was cached"
        code, _, _ = run_brief(server, eaten, tmp_path / "a.json")
        assert code != 0 and len(server.chat_requests) == 4  # asked again, not replayed from the cache
        server.profile = healthy
        code, _, err = run_brief(server, healthy, tmp_path / "b.json")
        assert code == 0 and len(server.chat_requests) == 5, err
        code, _, err = run_brief(server, healthy, tmp_path / "c.json")  # nothing is paid again
        assert code == 0 and len(server.chat_requests) == 5, err


def test_rerun_after_a_failed_reduce_repeats_only_the_reduce(tmp_path: Path) -> None:
    """Map calls answered before a failure come from the cache on the re-run; the failed call is sent."""
    good = Profile("Ollama", "llama3.1:8b", args=("--context", "2200"))  # small: map-reduce
    with FakeServer(profile=good) as server:
        code, _, err = run_brief(server, good, tmp_path / "a.json")
        calls = [json.dumps(r.body) for r in server.chat_requests]
        assert code == 0 and len(calls) > 2, err
        cache = Path(tmp_path / "brief-cache")
        last = max(cache.glob("??/*.json"), key=lambda f: f.stat().st_mtime_ns)
        last.unlink()  # lose the reduce answer (the last one written): as if that call had failed
        server.profile = Profile("reduce eaten", "llama3.1:8b", hidden_reasoning=10**6)
        code, _, err = run_brief(server, good, tmp_path / "b.json")
        resent = [json.dumps(r.body) for r in server.chat_requests[len(calls) :]]
    assert code != 0 and len(resent) == 2 and all("<notes>" in c for c in resent), err


@pytest.mark.parametrize("status", [422, 500])
def test_llama_cpp_python_rejecting_json_schema_falls_back_to_json_mode(tmp_path: Path, status: int) -> None:
    """llama-cpp-python's server validates `response_format.type` with pydantic (text | json_object)
    and answers a FastAPI-style error naming the field (as HTTP 500 in 0.3.x), not OpenAI's shape."""
    import scripted_model
    from fakeserver import Reply

    def handler(body: dict[str, object]) -> Reply | str:
        fmt = body.get("response_format")
        if isinstance(fmt, dict) and fmt.get("type") == "json_schema":
            detail = [{"type": "literal_error", "loc": ["body", "response_format", "type"],
                       "msg": "Input should be 'text' or 'json_object'", "input": "json_schema"}]  # fmt: skip
            return Reply(status=status, body={"detail": detail})
        return scripted_model.answer(body)

    # the model's own citations are what asks for JSON (`--cite local`, the default, asks for prose)
    args = ("--context", "8192", "--cite", "model")
    profile = Profile("llama-cpp-python", "SmolLM2-135M-Instruct", args=args)
    with FakeServer(handler=handler) as server:
        code, _, err = run_brief(server, profile, tmp_path / "out.json")
        kinds = [r.body["response_format"]["type"] for r in server.chat_requests]  # type: ignore[index]
    assert code == 0, err
    assert kinds[:2] == ["json_schema", "json_object"] and set(kinds[2:]) <= {"json_object"}
