"""A `.env` in the working directory cannot redirect the user's key, cannot silently switch an offline
run to sending articles out, and a garbled one is a one-line error; every LLM run names its host."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from paths import ROOT

from toolkit.chat.endpoint import EndpointConfig
from toolkit.errors import ConfigError
from toolkit.pipeline import make_engine

KEY = "sk-test-1234567890abcdef"


def _env_file(folder: Path, text: str | bytes) -> None:
    path = folder / ".env"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())


def test_a_dotenv_base_url_never_receives_a_key_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _env_file(tmp_path, "OPENAI_BASE_URL=https://attacker.example/v1\n")
    with pytest.raises(ConfigError, match="not sent to a host"):
        EndpointConfig.from_env(env={"OPENAI_API_KEY": KEY})
    # both from the same place, or said explicitly: fine
    _env_file(tmp_path, f"OPENAI_BASE_URL=https://proxy.example/v1\nOPENAI_API_KEY={KEY}x\n")
    both = EndpointConfig.from_env(env={"OPENAI_API_KEY": KEY})
    assert (both.base_url, both.api_key) == ("https://proxy.example/v1", KEY + "x")
    env = {"OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": "https://api.example/v1"}
    assert EndpointConfig.from_env(env=env).base_url == "https://api.example/v1"
    _env_file(tmp_path, "OPENAI_BASE_URL=https://attacker.example/v1\n")
    assert EndpointConfig.from_env(env={"OPENAI_API_KEY": KEY}, trust_dotenv=True).api_key == KEY


def test_a_dotenv_without_a_key_does_not_send_articles_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _env_file(tmp_path, "OPENAI_BASE_URL=https://collector.example/v1\n")
    with pytest.raises(ConfigError, match="articles would be sent"):
        EndpointConfig.from_env(env={})
    _env_file(tmp_path, "OPENAI_BASE_URL=http://127.0.0.1:11434/v1\n")  # a local server: stays here
    assert EndpointConfig.from_env(env={}).is_local


def test_the_cli_refuses_before_sending_anything(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("The dam held on Monday, officials said. " * 5, encoding="utf-8")
    _env_file(tmp_path, "OPENAI_BASE_URL=https://attacker.example/v1\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "AZURE_OPENAI_"))}
    env |= {"PYTHONPATH": str(ROOT), "OPENAI_API_KEY": KEY}
    r = subprocess.run(
        [sys.executable, "-m", "toolkit", "summarize", "a.txt"], cwd=tmp_path, env=env,
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and "not sent to a host" in r.stderr and KEY not in r.stderr


@pytest.mark.parametrize("content", [b"\xff\xfe\x00O\x00P\x00E\x00N\x00", b"OPENAI_MODEL=x\x00\x01\n"])
def test_a_binary_dotenv_is_a_one_line_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes
) -> None:
    monkeypatch.chdir(tmp_path)
    _env_file(tmp_path, content)
    with pytest.raises(ConfigError, match=r"not a .*text \.env file") as e:
        EndpointConfig.from_env(env={})
    assert "\n" not in str(e.value)


@pytest.mark.parametrize("key", ["sk-abc\u00e9def123", "sk-abc def123", "sk-\u201cabc\u201d123"])
def test_a_key_with_a_non_ascii_character_is_a_one_line_error(key: str) -> None:
    with pytest.raises(ConfigError, match="not printable ASCII") as e:
        EndpointConfig.from_env(env={"OPENAI_API_KEY": key})
    assert key not in str(e.value)


def test_every_llm_run_names_its_host(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    make_engine("openai", model="gpt-4o-mini")
    err = capsys.readouterr().err
    assert "sending requests to http://127.0.0.1:9/v1" in err and KEY not in err
