"""The notebooks' in-process stand-in model is announced as such, never as a request to a host."""

from __future__ import annotations

import pytest

from toolkit import summarize


def test_the_scripted_endpoint_does_not_claim_to_send_anything(capsys: pytest.CaptureFixture[str]) -> None:
    # The notebooks' in-process stand-in model: stderr must not say "sending requests to
    # https://api.openai.com/v1" when nothing leaves the process.
    from toolkit import demo, load_articles

    with demo.scripted_endpoint():
        summarize(load_articles(demo.example_dir()), engine="openai", words=60)
    err = capsys.readouterr().err
    assert "sending requests" not in err and "api.openai.com" in err and "in this process" in err
