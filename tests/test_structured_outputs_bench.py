"""The README's structured-outputs table comes from `benchmarks/structured_outputs.py`: its request must be
the one the engine sends and its answers must be read the way the engine reads them, or every cell
reads 0/10 whatever the endpoint does."""

from __future__ import annotations

import asyncio
import sys

from paths import ROOT
from profiles import PROFILES

sys.path.insert(0, str(ROOT / "benchmarks"))

import structured_outputs as bench


def test_a_plain_chat_model_parses_in_every_mode() -> None:
    chat_model = PROFILES[0]
    prompts = bench.corpora()[:1]
    for mode in bench.MODES:
        assert asyncio.run(bench.one_family(chat_model, prompts, mode)) == (1, 1), mode
