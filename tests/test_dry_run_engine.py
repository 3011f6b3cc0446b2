"""`brief summarize --dry-run` describes the run that would happen: the offline engine spends nothing,
and `--engine local` is planned for the local server's context at no cost."""

from __future__ import annotations

import pytest
from paths import EXAMPLES
from typer.testing import CliRunner

from toolkit.cli.app import app


@pytest.fixture
def no_endpoint(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    for k in (
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
        "OPENAI_MODEL",
        "OPENAI_API_VERSION",
        "AZURE_OPENAI_API_KEY",
    ):
        monkeypatch.delenv(k, raising=False)
    monkeypatch.chdir(str(tmp_path))  # no ./.env


@pytest.mark.parametrize("extra", [(), ("--engine", "extractive")])
def test_an_offline_dry_run_says_nothing_is_sent(no_endpoint: None, extra: tuple[str, ...]) -> None:
    r = CliRunner().invoke(app, ["summarize", str(EXAMPLES), "--dry-run", *extra])
    assert r.exit_code == 0, r.output
    first = r.stdout.splitlines()[0]
    assert "extractive" in first and "no LLM calls" in first, r.stdout


def test_a_local_dry_run_is_planned_for_the_local_context_at_no_cost(no_endpoint: None) -> None:
    r = CliRunner().invoke(app, ["summarize", str(EXAMPLES), "--dry-run", "--engine", "local"])
    assert r.exit_code == 0, r.output
    assert "context 7,208 tokens" in r.stdout and "gpt-4o-mini" not in r.stdout, (
        r.stdout
    )  # 8,192 less HEADROOM
